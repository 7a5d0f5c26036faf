#!/bin/bash
# The Tempest path tests (tempest_netperf) against the running sandbox,
# with the tempest.conf that "netperf-sandbox env" writes: the functional
# stage of tools/run-tests.sh.  Fails when a test fails or is skipped (the
# sandbox has two computes, DVR and node access: nothing may skip there).
# Run as root after "netperf-sandbox up".
set -euo pipefail
cd "$(dirname "$0")/.."

PROJECT=${NETPERF_PROJECT_VENV:-.tox/py3}
BIN=$(cd "$PROJECT/bin" && pwd)
CONF=${NETPERF_TEMPEST_CONF:-/var/lib/openstack-netperf/sandbox/env/tempest.conf}
WORKSPACE=output/tempest

if [ ! -f "$CONF" ]; then
    echo "$CONF is missing: run 'netperf-sandbox up' and" \
         "'netperf-sandbox env' first." >&2
    exit 2
fi
# A fresh stestr repository each run, so the counts are this run's.
rm -rf "$WORKSPACE"
mkdir -p "$WORKSPACE"
cd "$WORKSPACE"
log=tempest.log
status=0
# tempest writes .stestr.conf here and runs only this project's tests, one
# at a time: path verdicts need a quiet network node.
run_tempest() {
    "$BIN/tempest" run --config-file "$CONF" --regex '^tempest_netperf\.' \
        --concurrency 1 2>&1 | tee "$log"
}
# Whether every failed test failed because a guest got no DHCP lease (the
# unreachable-guest report's diagnosis): the sandbox's known flake, still
# open (doc/source/contributor/benchmarks.rst, "DHCP leases"; the OVS
# agent's tunnel-port lock is the candidate fix, not yet proven there).
only_no_lease() {
    awk '/^Failed [0-9]+ tests - output below:/ { listed = 1; next }
         listed && /^tempest_netperf\./ { n++; next }
         listed && n && /console: the guest got no DHCP lease/ { ok[n] = 1 }
         END { if (!n) exit 1
               for (i = 1; i <= n; i++) if (!ok[i]) exit 1 }' "$1"
}
run_tempest || status=$?
# That flake alone gets one more whole run (its counts are the ones
# reported); any other failure, or the flake twice, fails the stage.
# NETPERF_TEMPEST_RERUN=0 turns this off.
if [ "$status" -ne 0 ] && [ "${NETPERF_TEMPEST_RERUN:-1}" = 1 ] &&
        only_no_lease "$log"; then
    mv "$log" tempest-first.log
    echo "==> KNOWN FLAKE: every failed test lost a guest's DHCP lease" \
         "(log: $WORKSPACE/tempest-first.log); running the tests once more"
    status=0
    run_tempest || status=$?
fi
skipped=$(sed -n 's/^ - Skipped: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
if [ "$status" -eq 0 ] && [ "${skipped:-0}" -ne 0 ]; then
    echo "$skipped Tempest test(s) skipped on the sandbox, where every" \
         "path test must run." >&2
    status=1
fi
echo "Tempest log: $WORKSPACE/$log"
exit "$status"
