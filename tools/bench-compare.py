#!/usr/bin/env python3
"""Specificity of netperf-compare: how often unchanged runs are flagged.

Issue 13's proof: run the sample task N times with nothing changed,
compare every pair of runs with the comparison core
(:mod:`openstack_netperf.comparison`, as ``netperf-compare`` does) and
count the metrics flagged *regressed* or *improved* among those judged:
every one is a false positive.  The rate is given with Holm's correction
(the default) and without it (``none``), so the docs can say what the
correction buys.  Path verdicts that changed are counted apart.

    tools/bench-compare.py RUN RUN [RUN...]      # report files or UUIDs
    tools/bench-compare.py --runs 4              # runs the task itself

``--runs N`` runs ``rally task start --task TASK --task-args-file ARGS
--env ENV`` N times (the sample task, the sandbox args and the sandbox's
Rally environment by default; a failed SLA does not stop it), each with
its own tag to find its task by, and keeps each run's reports in
``--out``.  Exit status: 0
when, with Holm's correction, nothing regressed (the goal), 1 when
something did, 2 when a run cannot be read or compared, or a Rally
command failed.
"""

from __future__ import annotations

import argparse
import dataclasses
import itertools
import json
import os
import sys
from typing import Any

from openstack_netperf import comparison
from openstack_netperf import exceptions
from rally_netperf import compare
from rally_netperf import run_task

TASK = 'samples/netperf.yaml'
TASK_ARGS = 'samples/netperf-sandbox-args.yaml'
ENV = 'netperf-sandbox'
Verdict = comparison.Verdict


@dataclasses.dataclass
class Tally:
    """What one correction flagged over every pair of runs."""

    correction: str
    comparisons: int = 0
    judged: int = 0
    regressed: int = 0
    improved: int = 0
    # Comparisons that flagged at least one metric.
    with_flags: int = 0

    @property
    def rate(self) -> float | None:
        """False positives among the metrics judged."""
        if not self.judged:
            return None
        return (self.regressed + self.improved) / self.judged

    def add(self, found: comparison.Comparison) -> None:
        flagged = [m for m in found.metrics
                   if m.verdict in (Verdict.REGRESSED, Verdict.IMPROVED)]
        self.comparisons += 1
        self.judged += len(found.metrics)
        self.regressed += sum(m.verdict is Verdict.REGRESSED
                              for m in flagged)
        self.improved += sum(m.verdict is Verdict.IMPROVED for m in flagged)
        self.with_flags += bool(flagged)


@dataclasses.dataclass
class Result:
    """Every pair of runs compared, under each correction."""

    sources: list[str]
    tallies: list[Tally]
    paths_judged: int = 0
    paths_changed: int = 0


def specificity(runs: list[compare.Run],
                corrections: tuple[str, ...] = comparison.CORRECTIONS
                ) -> Result:
    """Compare every pair of ``runs``, the earlier one as baseline.

    :raises InvalidInput: a pair that shares nothing to compare.
    """
    result = Result([r.source for r in runs],
                    [Tally(c) for c in corrections])
    for before, after in itertools.combinations(runs, 2):
        for tally in result.tallies:
            try:
                found = comparison.compare(
                    before.rows, after.rows,
                    comparison.Settings.build(correction=tally.correction))
            except exceptions.InvalidInput as exc:
                raise exceptions.InvalidInput('%s and %s: %s' % (
                    before.source, after.source, exc))
            tally.add(found)
        # Path verdicts are the same under every correction.
        result.paths_judged += len(found.paths)
        result.paths_changed += sum(p.verdict is Verdict.REGRESSED
                                    for p in found.paths)
    return result


def _percent(rate: float | None) -> str:
    return '-' if rate is None else '%.2f %%' % (100 * rate)


def render_text(result: Result) -> str:
    lines = ['runs: %d; pairs compared: %d' % (
        len(result.sources), result.tallies[0].comparisons)]
    lines += ['  %s' % source for source in result.sources]
    lines += ['', '%-10s  %7s  %9s  %8s  %19s  %s' % (
        'correction', 'judged', 'regressed', 'improved',
        'false-positive rate', 'comparisons flagging any')]
    lines += ['%-10s  %7d  %9d  %8d  %19s  %d of %d' % (
        t.correction, t.judged, t.regressed, t.improved, _percent(t.rate),
        t.with_flags, t.comparisons) for t in result.tallies]
    lines += ['', 'path verdicts changed: %d of %d compared'
              % (result.paths_changed, result.paths_judged)]
    return '\n'.join(lines) + '\n'


def to_dict(result: Result) -> dict[str, Any]:
    return {'runs': result.sources,
            'pairs': result.tallies[0].comparisons,
            'corrections': {t.correction: dict(
                dataclasses.asdict(t), false_positive_rate=t.rate)
                for t in result.tallies},
            'paths': {'judged': result.paths_judged,
                      'changed': result.paths_changed}}


def run_tasks(count: int, task: str, task_args: str, env: str, out: str
              ) -> list[str]:
    """Run the task ``count`` times; the paths of their JSON reports.

    Each run goes the way ``netperf-rally-task`` starts and reports one
    (:mod:`rally_netperf.run_task`): tagged, so that a start that made no
    task is an error rather than an older task reported, and written as
    ``OUT/run-N.html`` and ``OUT/run-N.json``.

    :raises NetperfError: rally missing or failing, or a start that made
        no task.
    """
    rally = run_task.Rally()
    reports = []
    for number in range(1, count + 1):
        prefix = os.path.join(out, 'run-%d' % number)
        # A failed SLA is a measured run: keep it.
        _status, uuid = run_task.start_task(rally, run_task.Options(
            task=task, report=prefix, env=env, task_args_file=task_args))
        if uuid is None:
            raise exceptions.InvalidInput(
                'rally task start %s made no task (run %d): see its '
                'output' % (task, number))
        run_task.write_reports(rally, uuid, prefix)
        reports.append(run_task.report_paths(prefix)[1])
    return reports


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0])
    parser.add_argument('runs', nargs='*', metavar='RUN',
                        help='a Rally JSON report, a netperf-summary JSON '
                             'file or a Rally task UUID, of runs with '
                             'nothing changed (at least two)')
    parser.add_argument('--runs', type=int, dest='count', metavar='N',
                        help='run the task N (>= 2) times and use those '
                             'runs')
    parser.add_argument('--task', default=TASK)
    parser.add_argument('--task-args-file', default=TASK_ARGS)
    parser.add_argument('--env', default=ENV,
                        help='Rally environment --runs uses (default: the '
                             'one tools/run-main.sh creates)')
    parser.add_argument('--out', default='output/bench-compare',
                        help='where --runs keeps the reports')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if args.count is not None and args.runs:
        parser.error('give runs or --runs N, not both')
    if len(args.runs) + (args.count or 0) < 2:
        parser.error('at least two runs are needed to compare')
    try:
        sources = args.runs or run_tasks(args.count, args.task,
                                         args.task_args_file, args.env,
                                         args.out)
        runs = []
        for source in sources:
            try:
                runs.append(compare.read(source))
            except exceptions.InvalidInput as exc:
                raise exceptions.InvalidInput('%s: %s' % (source, exc))
        result = specificity(runs)
    except exceptions.NetperfError as exc:
        print('bench-compare: %s' % exc, file=sys.stderr)
        return 2
    if args.format == 'json':
        sys.stdout.write(json.dumps(to_dict(result), indent=2) + '\n')
    else:
        sys.stdout.write(render_text(result))
    default = result.tallies[0]
    return 1 if default.regressed else 0


if __name__ == '__main__':
    sys.exit(main())
