#!/bin/bash
# The project's test command (README "Run the tests"): installs what it
# needs, then runs style checks, unit tests and the docs build and, as
# root, the functional stage against real components: the main job (the
# sandbox up, the sample Rally task, its report), the Tempest path tests,
# the functional tests (QEMU guest boot, a failing Rally task cleaning up,
# the sandbox's lifecycle ending with "down" leaving nothing).  Prints how
# long each stage took and, last, the test counts.
# NETPERF_SKIP_FUNCTIONAL=1 skips the functional stage.
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/stage.sh
. tools/stage.sh

venv=$(tools/install-prereqs.sh | tail -n 1)
TOX="$venv/bin/tox"
logs=$(mktemp -d)
trap 'rm -rf "$logs"' EXIT
started=$SECONDS

# tox's output, kept for the counts.
logged() {
    local log=$1; shift
    "$@" 2>&1 | tee "$log"
    return "${PIPESTATUS[0]}"
}

# The failed tests of the stestr repository in $2, short: printed last,
# where the end of a long log shows why, not only the last test's logging.
digest() {
    (cd "$2" && "$PY3/bin/stestr" last --subunit 2>/dev/null) |
        "$PY3/bin/python" tools/failure-digest.py --title "$1" \
        >> "$logs/digest" || true
}
PY3=$(pwd)/.tox/py3
# The sandbox's last service errors (the cloud's side of a failed test),
# without the two every start logs: no memcache module, OVSDB not up yet.
SANDBOX_LOGS=/var/log/openstack-netperf/sandbox
sandbox_errors() {
    [ -d "$SANDBOX_LOGS" ] || return 0
    {
        echo "==> sandbox service errors (last 20, $SANDBOX_LOGS)"
        (cd "$SANDBOX_LOGS" && awk '/ (ERROR|CRITICAL) / &&
                !/oslo_cache\.memcache_pool|Unable to open stream to tcp:/ {
            print substr($0, 1, 23) " " FILENAME ": " substr($0, 25, 300)
        }' ./*/*.log) | sort | tail -n 20
    } >> "$logs/digest"
}

stage pep8 "$TOX" -e pep8
stage unit logged "$logs/unit" "$TOX" -e py3
stage docs "$TOX" -e docs

failed=()
if [ "$(id -u)" -ne 0 ]; then
    echo "==> functional stage skipped: it needs root (namespaces, Open" \
         "vSwitch, Debian packages)"
elif [ "${NETPERF_SKIP_FUNCTIONAL:-0}" = 1 ]; then
    echo "==> functional stage skipped: NETPERF_SKIP_FUNCTIONAL=1"
else
    stage main-job tools/run-main.sh || { failed+=(main-job); sandbox_errors; }
    stage tempest tools/run-tempest.sh || {
        failed+=(tempest); digest tempest output/tempest; sandbox_errors; }
    cp output/tempest/tempest.log "$logs/tempest" 2>/dev/null || true
    stage functional logged "$logs/functional" "$TOX" -e functional \
        || { failed+=(functional); digest functional .; }
    # The lifecycle test ends with the sandbox down; after a failure, make
    # sure it is (keeping the logs for the post-mortem).
    if [ -d /var/lib/openstack-netperf/sandbox ]; then
        stage sandbox-down .tox/py3/bin/netperf-sandbox down --keep-logs \
            || failed+=(sandbox-down)
    fi
fi

# stestr's (and tempest's) totals: " - Passed: N".
count() {
    local total=0 n part
    for part in unit functional tempest; do
        [ -f "$logs/$part" ] || continue
        n=$(sed -n "s/^ - $1: \([0-9]*\).*/\1/p" "$logs/$part" | tail -n 1)
        total=$((total + ${n:-0}))
    done
    echo "$total"
}
echo "==> all stages: $((SECONDS - started)) s"
echo "tests: $(count Passed) passed, $(count Failed) failed," \
     "$(count Skipped) skipped"
if [ "${#failed[@]}" -gt 0 ]; then
    cat "$logs/digest" 2>/dev/null || true
    echo "failed stages: ${failed[*]}" >&2
    exit 1
fi
