#!/bin/bash
# The project's main command (README "Two commands"): bring up the local
# three-node DVR sandbox cloud (installing what it needs), write its
# client files, then run the sample Rally task against it when Rally is
# installed in the project environment.  Run as root on Debian 12.
# shellcheck disable=SC2317  # functions are run through stage()
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/stage.sh
. tools/stage.sh

if [ "$(id -u)" -ne 0 ]; then
    echo "run-main.sh sets up namespaces, Open vSwitch and Debian packages:" \
         "run it as root." >&2
    exit 1
fi

# The project environment: tox's py3 env (the project in develop mode
# with the rally and tempest extras).
venv=$(tools/install-prereqs.sh | tail -n 1)
PROJECT=${NETPERF_PROJECT_VENV:-.tox/py3}
if [ ! -x "$PROJECT/bin/netperf-sandbox" ]; then
    stage project-venv "$venv/bin/tox" -e py3 --notest
fi
BIN="$PROJECT/bin"

stage sandbox-up "$BIN/netperf-sandbox" up
stage sandbox-env "$BIN/netperf-sandbox" env
ENV_DIR=/var/lib/openstack-netperf/sandbox/env

if [ ! -x "$BIN/rally" ]; then
    echo "Rally is not installed in $PROJECT: the sandbox is up;" \
         "source $ENV_DIR/openrc to use it."
    exit 0
fi

rally_env() {
    "$BIN/rally" db ensure
    # The sandbox gets new credentials on every fresh "up": reuse the
    # Rally environment only while it still authenticates.
    if "$BIN/rally" env use netperf-sandbox >/dev/null 2>&1 \
            && "$BIN/rally" env check >/dev/null 2>&1; then
        return 0
    fi
    "$BIN/rally" env delete --env netperf-sandbox --force >/dev/null 2>&1 \
        || true
    "$BIN/rally" env create --name netperf-sandbox \
        --spec "$ENV_DIR/rally-env.json"
}

rally_task() {
    # Rally's "current task" is shared by everyone using this Rally
    # database: report on the UUID of this run, even when an SLA failed.
    local log=output/netperf-sandbox-task.log status=0 extra=()
    # NETPERF_TASK_ARGS (YAML or JSON) overrides some of the args file's
    # values, e.g. the thesis's run lengths for a benchmark.
    if [ -n "${NETPERF_TASK_ARGS:-}" ]; then
        extra=(--task-args "$NETPERF_TASK_ARGS")
    fi
    "$BIN/rally" task start samples/netperf.yaml \
        --task-args-file samples/netperf-sandbox-args.yaml "${extra[@]}" \
        2>&1 | tee "$log" || status=$?
    TASK_UUID=$(sed -n 's/^Using task: \([0-9a-f-]*\).*/\1/p' "$log" \
                | head -n 1)
    return "$status"
}

mkdir -p output
stage rally-env rally_env
TASK_STATUS=0
stage rally-task rally_task || TASK_STATUS=$?
report() {
    # --html-static embeds the JavaScript libraries: the report opens
    # offline (the default one loads them from CDNs).
    "$BIN/rally" task report "$TASK_UUID" --html-static \
        --out output/netperf-sandbox-report.html
    "$BIN/rally" task report "$TASK_UUID" --json \
        --out output/netperf-sandbox-report.json
}
if [ -n "${TASK_UUID:-}" ]; then
    stage rally-report report
    "$BIN/rally" task sla-check "$TASK_UUID" >/dev/null || TASK_STATUS=1
    echo "HTML report: output/netperf-sandbox-report.html"
    echo "JSON export: output/netperf-sandbox-report.json"
    # As the netperf-summary script, but immune to a script left by an
    # older install of the project in the same environment.
    "$BIN/python" -m rally_netperf.summary \
        output/netperf-sandbox-report.json || true
fi
exit "$TASK_STATUS"
