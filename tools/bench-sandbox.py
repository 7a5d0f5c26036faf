#!/usr/bin/env python3
"""Measure the sandbox: up from scratch, idempotent up, memory, down.

Run as root from the project environment, e.g.

    .tox/py3/bin/python tools/bench-sandbox.py --guests 7

It takes a running sandbox down first (so that ``up`` starts from
scratch; Debian packages and the service venv are kept), then prints
the wall-clock time of each phase and the memory (PSS) of every process
the sandbox started, without guests and with ``--guests`` netperf.tiny
guests spread over the computes like the reference topology (4 + 3),
behind a DVR router, which it deletes again before ``down`` (or before
leaving the sandbox up, with ``--keep``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import time

from openstack_netperf.sandbox import guests
from openstack_netperf.sandbox import sandbox as sandbox_mod

BENCH_NET = 'bench-net'


def pss_mib(pid: int) -> float:
    try:
        with open('/proc/%d/smaps_rollup' % pid) as handle:
            for line in handle:
                if line.startswith('Pss:'):
                    return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return 0.0


def sandbox_pids(box: sandbox_mod.Sandbox) -> set[int]:
    """Controller daemons with their process groups, and node processes."""
    leaders = {box.supervisor.pid(name) for name in box.supervisor.names()}
    leaders.discard(None)
    found = set(leaders)
    for entry in os.listdir('/proc'):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) in leaders:
                    found.add(int(entry))
            except ProcessLookupError:
                pass
    for node in box.conf.nodes:
        found.update(box.nodes.processes(node))
    return found


def memory(box: sandbox_mod.Sandbox) -> dict[str, float]:
    pids = sandbox_pids(box)
    qemu = {p for p in pids if _comm(p).startswith('qemu')}
    return {'processes': len(pids),
            'total_mib': round(sum(pss_mib(p) for p in pids), 1),
            'qemu_mib': round(sum(pss_mib(p) for p in qemu), 1)}


def _comm(pid: int) -> str:
    try:
        with open('/proc/%d/comm' % pid) as handle:
            return handle.read().strip()
    except OSError:
        return ''


def timed(label: str, func, results: dict) -> None:
    start = time.monotonic()
    func()
    results[label] = round(time.monotonic() - start, 1)
    print('%-28s %6.1f s' % (label, results[label]), flush=True)


def measure_with_guests(box: sandbox_mod.Sandbox, count: int,
                        settle: float) -> tuple[float, dict]:
    """Boot guests, measure memory, delete them: (seconds to ACTIVE, memory).

    4 guests go on compute-01, the rest on compute-02; the seconds include
    creating their network and router.
    """
    computes = [n.name for n in box.conf.computes]
    hosts = [computes[0] if i < 4 else computes[-1] for i in range(count)]
    start = time.monotonic()
    # A DVR router with a gateway: its namespaces (and the agents' privsep
    # helpers, the largest memory item) exist as in a real measurement.
    with guests.behind_dvr_router(box.cloud(), box.cloud_ids(), BENCH_NET,
                                  '198.19.11.0/24', hosts, 'bench',
                                  floating=False):
        seconds = time.monotonic() - start
        time.sleep(settle)
        return seconds, memory(box)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--guests', type=int, default=7,
                        help='guests to boot for the memory figure '
                             '(default 7, the reference topology; 0: none)')
    parser.add_argument('--settle', type=float, default=30.0,
                        help='seconds to let guests boot before measuring')
    parser.add_argument('--json', help='also write the figures here')
    parser.add_argument('--keep', action='store_true',
                        help='leave the sandbox up at the end (without the '
                             'guests and network of the memory figure)')
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error('run as root')
    quiet = io.StringIO()
    box = sandbox_mod.Sandbox(out=quiet)
    results: dict = {}
    if os.path.isdir(box.conf.state_dir):
        timed('down (existing sandbox)', box.down, results)
    timed('up from scratch', box.up, results)
    timed('up again (no change)', box.up, results)
    results['memory_no_guests'] = memory(box)
    print('memory, no guests           %(total_mib)7.0f MiB PSS in '
          '%(processes)d processes' % results['memory_no_guests'])
    if args.guests:
        seconds, results['memory_with_guests'] = measure_with_guests(
            box, args.guests, args.settle)
        results['guests_active_s'] = round(seconds, 1)
        print('%d guests ACTIVE             %6.1f s'
              % (args.guests, seconds))
        print('memory, %d guests            %7.0f MiB PSS (QEMU %.0f MiB)'
              % (args.guests, results['memory_with_guests']['total_mib'],
                 results['memory_with_guests']['qemu_mib']))
    if not args.keep:
        timed('down', box.down, results)
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(results, handle, indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
