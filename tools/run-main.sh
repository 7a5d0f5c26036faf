#!/bin/bash
# The project's main command (README "Two commands"): bring up the local
# three-node DVR sandbox cloud (installing what it needs), write its
# client files, then run the sample Rally task against it when Rally is
# installed in the project environment.  Run as root on Debian 12.
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

# The Rally sequence (environment, task, reports, summary, SLA verdict)
# is netperf-rally-task's, the same the gate's Rally job runs; it prints
# its own stage lines and exits 2 when an SLA failed.  NETPERF_TASK_ARGS
# (YAML or JSON) overrides some of the args file's values, e.g. the
# thesis's run lengths for a benchmark.  Run as a module: a project venv
# made before the netperf-rally-task entry point existed lacks its script.
mkdir -p output
exec "$BIN/python" -m rally_netperf.run_task --task samples/netperf.yaml \
    --task-args-file samples/netperf-sandbox-args.yaml \
    ${NETPERF_TASK_ARGS:+--task-args "$NETPERF_TASK_ARGS"} \
    --env-spec "$ENV_DIR/rally-env.json" --env netperf-sandbox \
    --report output/netperf-sandbox-report \
    --log output/netperf-sandbox-task.log
