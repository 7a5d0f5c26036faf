#!/bin/bash
# Run the openstack-netperf Rally task against the devstack cloud of a gate
# job, and write its reports.  Runs as the stack user on the controller.
#
#   netperf-rally.sh start TASK_FILE TASK_ARGS_FILE RESULTS_DIR
#   netperf-rally.sh report RESULTS_DIR
#
# "start" exits like "rally task start": 0 passed, 2 an SLA failed, other
# values an error.  "report" writes netperf-report.html, netperf-report.json
# and sla.txt for the task "start" ran.
set -euo pipefail

DEVSTACK_DIR=${DEVSTACK_DIR:-/opt/stack/devstack}
NETPERF_RALLY_ENV=${NETPERF_RALLY_ENV:-netperf-gate}
NETPERF_RALLY_TAG=${NETPERF_RALLY_TAG:-netperf-gate}

usage() {
    echo "usage: $0 start TASK_FILE TASK_ARGS_FILE RESULTS_DIR | report RESULTS_DIR" >&2
    exit 64
}

# Admin credentials of the devstack cloud, as rally env --from-sysenv reads them.
load_credentials() {
    if [[ ! -r $DEVSTACK_DIR/openrc ]]; then
        echo "No $DEVSTACK_DIR/openrc: set DEVSTACK_DIR to the devstack checkout" >&2
        exit 1
    fi
    set +u
    # shellcheck source=/dev/null
    source "$DEVSTACK_DIR/openrc" admin admin >/dev/null
    set -u
}

start() {
    local task=$1 args=$2 results=$3 rc=0
    for file in "$task" "$args"; do
        if [[ ! -r $file ]]; then
            echo "Cannot read $file" >&2
            exit 1
        fi
    done
    mkdir -p "$results"
    load_credentials
    rally db ensure
    if ! rally env show "$NETPERF_RALLY_ENV" >/dev/null 2>&1; then
        rally env create --name "$NETPERF_RALLY_ENV" --from-sysenv
    fi
    rally env check --env "$NETPERF_RALLY_ENV"
    rally task start --task "$task" --task-args-file "$args" \
        --env "$NETPERF_RALLY_ENV" --tag "$NETPERF_RALLY_TAG" || rc=$?
    rally task list --uuids-only --env "$NETPERF_RALLY_ENV" \
        --tag "$NETPERF_RALLY_TAG" | tail -n 1 >"$results/task-uuid"
    return "$rc"
}

report() {
    local results=$1 uuid
    uuid=$(cat "$results/task-uuid" 2>/dev/null || true)
    if [[ -z $uuid ]]; then
        echo "No task recorded in $results/task-uuid: did the task start?" >&2
        exit 1
    fi
    rally task report --uuid "$uuid" --html-static --out "$results/netperf-report.html"
    rally task report --uuid "$uuid" --json --out "$results/netperf-report.json"
    rally task sla-check --uuid "$uuid" >"$results/sla.txt" || true
}

case ${1:-} in
    start)
        [[ $# -eq 4 ]] || usage
        start "$2" "$3" "$4"
        ;;
    report)
        [[ $# -eq 2 ]] || usage
        report "$2"
        ;;
    *)
        usage
        ;;
esac
