#!/usr/bin/env python3
"""How much time a NetPerf Rally run spends beyond boot and measurement.

Reads a finished task's JSON report and prints, per workload, the total
wall time next to the time spent booting servers plus the measurement time
the scenario arguments configure (iperf3 and ping runs of every round and
category).  The rest is the plugin's overhead: contexts, SSH waits, path
checks, guest checks, deletes; the largest parts are printed too.  The
last column projects the same fixed costs onto the thesis methodology's
measurement time (60 s iperf3 runs, 60 pings at 1 s, 3 rounds).

    rally task report --json --uuid <task> --out netperf.json
    tools/bench-overhead.py netperf.json
    tools/bench-overhead.py --uuid <task>      # runs "rally task report"
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from typing import Any, Iterable

from openstack_netperf import pair
from openstack_netperf import topology

BOOT_ACTIONS = ('netperf.boot_servers', 'netperf.create_floating_ips')
SSH_ACTIONS = ('netperf.wait_for_ssh',)
PATH_ACTION = 'path_check'


def _flatten(actions: Iterable[dict[str, Any]]) -> Iterable[dict[str, Any]]:
    for action in actions:
        yield action
        yield from _flatten(action.get('children') or [])


def _seconds(action: dict[str, Any]) -> float:
    started = action.get('started_at') or 0.0
    finished = action.get('finished_at') or started
    return finished - started


def _categories(args: dict[str, Any]) -> int:
    if 'category' in args:
        return 1
    return len(topology.get_categories(args.get('categories')))


def workload_overhead(workload: dict[str, Any]) -> dict[str, Any]:
    """Wall, boot, SSH wait and configured measurement time of a workload.

    Only NetPerf workloads are understood; a result has ``None`` figures
    for anything else.
    """
    (name, args), = workload['scenario'].items()
    iterations = workload.get('data') or []
    boot = ssh = paths = 0.0
    for iteration in iterations:
        for action in _flatten(iteration.get('atomic_actions') or []):
            if action['name'] in BOOT_ACTIONS:
                boot += _seconds(action)
            elif action['name'] in SSH_ACTIONS:
                ssh += _seconds(action)
            elif action['name'].endswith(PATH_ACTION):
                paths += _seconds(action)
    configured = thesis = None
    if name.startswith('NetPerf.'):
        settings = pair.Settings.from_args(args)
        flows = _categories(args) * len(iterations)
        configured = settings.configured_seconds() * flows
        thesis = pair.Settings().configured_seconds() * flows
    wall = float(workload.get('full_duration') or 0.0)
    load = float(workload.get('load_duration') or 0.0)
    overhead = None if configured is None else wall - boot - configured
    # The same fixed costs around the thesis's 60 s runs, 60 pings and 3
    # rounds: a projection, not a measurement.
    projected = None if thesis is None else (
        100.0 * overhead / (boot + thesis + overhead))
    return {'name': name, 'iterations': len(iterations), 'wall': wall,
            'load': load, 'boot': boot, 'ssh_wait': ssh,
            'path_checks': paths, 'contexts': wall - load,
            'configured': configured, 'overhead': overhead,
            'thesis_share': projected}


def report_rows(report: dict[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for task in report.get('tasks', []):
        for subtask in task.get('subtasks', []):
            for workload in subtask.get('workloads', []):
                row = workload_overhead(workload)
                row['title'] = subtask.get('title', '')
                rows.append(row)
    return rows


def _fmt(value: float | None) -> str:
    return '-' if value is None else '%.1f' % value


TOTAL_KEYS = ('wall', 'boot', 'configured', 'ssh_wait', 'path_checks',
              'contexts')


def totals_of(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The NetPerf workloads added up, with their overhead share."""
    totals = dict.fromkeys(TOTAL_KEYS, 0.0)
    for row in rows:
        if row['configured'] is not None:
            for key in TOTAL_KEYS:
                totals[key] += row[key]
    totals['overhead'] = (totals['wall'] - totals['boot']
                          - totals['configured'])
    totals['overhead_percent'] = (100.0 * totals['overhead']
                                  / totals['wall'] if totals['wall']
                                  else None)
    return totals


def render(rows: list[dict[str, Any]]) -> str:
    header = ('workload', 'iter', 'wall s', 'boot s', 'measure s',
              'overhead s', 'overhead %', 'SSH wait s', 'path checks s',
              'contexts s', 'at thesis durations %')
    lines = [header]
    for row in rows:
        share = (None if row['overhead'] is None or not row['wall']
                 else 100.0 * row['overhead'] / row['wall'])
        lines.append((row['title'] or row['name'], str(row['iterations']),
                      _fmt(row['wall']), _fmt(row['boot']),
                      _fmt(row['configured']), _fmt(row['overhead']),
                      _fmt(share), _fmt(row['ssh_wait']),
                      _fmt(row['path_checks']), _fmt(row['contexts']),
                      _fmt(row['thesis_share'])))
    totals = totals_of(rows)
    lines.append(('total', '', _fmt(totals['wall']), _fmt(totals['boot']),
                  _fmt(totals['configured']), _fmt(totals['overhead']),
                  _fmt(totals['overhead_percent']),
                  _fmt(totals['ssh_wait']), _fmt(totals['path_checks']),
                  _fmt(totals['contexts']), ''))
    widths = [max(len(line[i]) for line in lines)
              for i in range(len(header))]
    return '\n'.join('  '.join(cell.ljust(widths[i]) if i == 0
                               else cell.rjust(widths[i])
                               for i, cell in enumerate(line))
                     for line in lines)


def _load(path: str | None, uuid: str | None) -> dict[str, Any]:
    if path:
        with open(path) as handle:
            return json.load(handle)
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, 'report.json')
        subprocess.run(['rally', 'task', 'report', '--json', '--uuid', uuid,
                        '--out', out], check=True)
        with open(out) as handle:
            return json.load(handle)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('report', nargs='?',
                        help='JSON report of a finished task')
    source.add_argument('--uuid', help='task UUID in the Rally database')
    parser.add_argument('--json', help='also write the figures here')
    options = parser.parse_args(argv)
    rows = report_rows(_load(options.report, options.uuid))
    if not rows:
        print('no workloads in the report', file=sys.stderr)
        return 1
    print(render(rows))
    if options.json:
        with open(options.json, 'w') as handle:
            json.dump({'workloads': rows, 'total': totals_of(rows)}, handle,
                      indent=2, sort_keys=True)
    return 0


if __name__ == '__main__':
    sys.exit(main())
