#!/bin/bash
# Every benchmark on the sandbox, then their headline figures against the
# goals: the sandbox's "up" from scratch and its memory with the reference
# topology's seven guests (bench-sandbox.py), fidelity (bench-fidelity.py),
# and the tool overhead of the sample task (run-main.sh, then
# bench-overhead.py).  Run as root after "tox -e py3" (or the test
# command); about 30 minutes with the sandbox's short runs.
#
# NETPERF_TASK_ARGS overrides the sample task's sandbox args, e.g. the
# thesis's run lengths for one router mode and two rounds (about 45 more
# minutes):
#   NETPERF_TASK_ARGS='{"router_modes": ["dvr"], "duration": 50,
#     "omit": 10, "ping_count": 60, "ping_discard": 10,
#     "ping_interval": 1.0, "rounds": 2}' tools/bench-all.sh
# NETPERF_FIDELITY_ARGS adds options to bench-fidelity.py, e.g.
# "--rounds 20" (about a minute a round; 10 by default).
# The figures stay in output/bench/*.json.
# shellcheck disable=SC2317  # functions are run through stage()
set -euo pipefail
cd "$(dirname "$0")/.."

# shellcheck source=tools/stage.sh
. tools/stage.sh

PY=${NETPERF_PROJECT_VENV:-.tox/py3}/bin/python
if [ "$(id -u)" -ne 0 ] || [ ! -x "$PY" ]; then
    echo "usage: run as root after 'tox -e py3' (needs $PY)" >&2
    exit 2
fi
OUT=output/bench
rm -rf "$OUT"
mkdir -p "$OUT"
failed=()

overhead() {
    "$PY" tools/bench-overhead.py --json "$OUT/overhead.json" \
        output/netperf-sandbox-report.json
}

stage bench-sandbox "$PY" tools/bench-sandbox.py --guests 7 --keep \
    --json "$OUT/sandbox.json" || failed+=(bench-sandbox)
# shellcheck disable=SC2086  # NETPERF_FIDELITY_ARGS is a list of options
stage bench-fidelity "$PY" tools/bench-fidelity.py \
    ${NETPERF_FIDELITY_ARGS:-} --json "$OUT/fidelity.json" \
    || failed+=(bench-fidelity)
rm -f output/netperf-sandbox-report.json
# An SLA failure still leaves a report whose overhead is worth printing.
stage main-job tools/run-main.sh || failed+=(main-job)
if [ -f output/netperf-sandbox-report.json ]; then
    stage bench-overhead overhead || failed+=(bench-overhead)
fi
echo "==> headline figures"
"$PY" tools/bench-headline.py "$OUT"
if [ "${#failed[@]}" -gt 0 ]; then
    echo "failed: ${failed[*]}" >&2
    exit 1
fi
