"""``netperf-summary``: the thesis's questions answered from a Rally report.

``rally task report --json --out FILE`` (Rally 5.1.1; the same as ``rally
task export --type json``) writes every workload with its iterations and
their outputs.  This module walks that report, reads each successful
iteration's figures and path verdicts back through
:mod:`rally_netperf.records`, and prints one row per category and router
mode (:func:`openstack_netperf.results.tabulate`) with the thesis's
findings checked on them (:func:`openstack_netperf.results.findings`);
``--html FILE`` also draws them as charts (:mod:`rally_netperf.summary_html`).

No Rally import here, nor in what it imports: the report is plain JSON,
and the summary runs where Rally is not installed.  A report of the
wrong shape is one clear error (exit status 2), never a traceback.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import sys
from typing import Any, Iterator

from openstack_netperf import exceptions
from openstack_netperf import fingerprint
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records
from rally_netperf import summary_html

_expect = records.expect


@dataclasses.dataclass
class Contents:
    """What a report holds of the NetPerf scenarios."""

    rows: list[results.Row]
    workloads: int
    iterations: int
    failed: int
    # Every iteration's cloud fingerprint, merged.
    fingerprint: dict[str, str] = dataclasses.field(default_factory=dict)


def _router_mode(workload: dict[str, Any], where: str
                 ) -> topology.RouterMode:
    contexts = _expect(workload.get('contexts') or {}, dict,
                       '%s.contexts' % where)
    for name in ('netperf_topology', 'netperf_topology@openstack'):
        if name in contexts:
            config = _expect(contexts[name], dict,
                             '%s.contexts.%s' % (where, name))
            try:
                return topology.parse_router_mode(
                    config.get('router_mode', 'dvr'))
            except exceptions.InvalidInput as exc:
                raise exceptions.InvalidInput('%s.contexts.%s: %s'
                                              % (where, name, exc))
    return topology.RouterMode.DVR


def _workloads(report: Any) -> Iterator[tuple[str, dict[str, Any]]]:
    """(where, workload) of every workload of the report."""
    if not isinstance(report, dict) or not isinstance(
            report.get('tasks'), list):
        raise exceptions.InvalidInput(
            'Not a Rally JSON report (no "tasks" list): write one with '
            '"rally task report --json --out FILE" or "rally task export '
            '--type json --to FILE"')
    for t, task in enumerate(report['tasks']):
        where = 'tasks[%d]' % t
        subtasks = _expect(_expect(task, dict, where).get('subtasks', []),
                           list, '%s.subtasks' % where)
        for s, subtask in enumerate(subtasks):
            at = '%s.subtasks[%d]' % (where, s)
            workloads = _expect(_expect(subtask, dict, at).get(
                'workloads', []), list, '%s.workloads' % at)
            for w, workload in enumerate(workloads):
                at_w = '%s.workloads[%d]' % (at, w)
                yield at_w, _expect(workload, dict, at_w)


def _is_netperf(workload: dict[str, Any], where: str) -> bool:
    # Rally's json exporter writes {scenario name: args}.
    scenario = _expect(workload.get('scenario', {}), dict,
                       '%s.scenario' % where)
    return any(name.startswith('NetPerf.') for name in scenario)


def collect(report: Any) -> Contents:
    """The rows of every NetPerf workload of the report, in task order."""
    figures: list[tuple[topology.RouterMode, results.CategoryFigures]] = []
    paths: list[results.PathRow] = []
    prints: list[dict[str, str]] = []
    workloads = iterations = failed = 0
    for where, workload in _workloads(report):
        if not _is_netperf(workload, where):
            continue
        workloads += 1
        mode = _router_mode(workload, where)
        data = _expect(workload.get('data'), list, '%s.data' % where)
        for index, iteration in enumerate(data):
            at = '%s.data[%d]' % (where, index)
            _expect(iteration, dict, at)
            iterations += 1
            output = iteration.get('output')
            if iteration.get('error'):
                failed += 1
                # What a failed iteration measured on still counts.
                if isinstance(output, dict):
                    prints.append(records.decode_fingerprint(
                        output, '%s.output' % at) or {})
                continue
            _expect(output, dict, '%s.output' % at)
            prints.append(records.decode_fingerprint(
                output, '%s.output' % at) or {})
            figures.extend((mode, f) for f in records.decode_figures(
                output, '%s.output' % at))
            paths.extend(records.decode_paths(output, '%s.output' % at)
                         or [])
    return Contents(results.tabulate(figures, paths), workloads,
                    iterations, failed,
                    fingerprint.merge(p for p in prints if p))


FIGURE_KEYS = ('tcp_forward_mbps', 'tcp_reverse_mbps', 'rtt_median_ms',
               'rtt_p95_ms', 'ping_loss_percent')


def _spread_dict(row: results.Row, key: str) -> dict[str, Any] | None:
    found = row.spread(key)
    return None if found is None else dataclasses.asdict(found)


def row_dict(row: results.Row) -> dict[str, Any]:
    """A row as ``--format json`` prints it.

    Each figure is the median over every round (of every iteration);
    ``spread`` gives its range and count, ``rounds`` the values
    themselves (empty for a report written before rounds were
    recorded), ``samples`` each iteration's median-of-rounds.
    """
    return dict({'category': row.category.id,
                 'thesis': row.category.shorthand,
                 'router_mode': row.router_mode.value,
                 'iterations': row.iterations,
                 'path_verdict': row.verdict_text(),
                 'path_verdicts': [v.value for v in row.verdicts],
                 'path_methods': list(row.methods),
                 'path_expected': row.expected.value},
                **{k: row.figure(k) for k in FIGURE_KEYS},
                spread={k: _spread_dict(row, k) for k in FIGURE_KEYS},
                rounds={k: list(v) for k, v in row.rounds.items()},
                samples={k: list(v) for k, v in row.samples.items()},
                rtt_probes_ms=list(row.probes_ms))


TABLE_COLUMNS = (('category', 'thesis'), ('router', 'router_mode'),
                 ('TCP fwd Mbit/s', 'tcp_forward_mbps'),
                 ('TCP rev Mbit/s', 'tcp_reverse_mbps'),
                 ('RTT med ms', 'rtt_median_ms'),
                 ('RTT p95 ms', 'rtt_p95_ms'),
                 ('loss %', 'ping_loss_percent'),
                 ('path verdict', 'path_verdict'),
                 ('expected', 'path_expected'))


def _number(value: float) -> str:
    return '%.1f' % value if abs(value) >= 10 else '%.2f' % value


def _cell(value: Any) -> str:
    """A cell: a figure's median with its range, or the text as is."""
    if value is None:
        return '-'
    if isinstance(value, dict):
        if value['count'] < 2:
            return _number(value['median'])
        return '%s (%s-%s)' % tuple(_number(value[k])
                                    for k in ('median', 'low', 'high'))
    return str(value)


def empty_note(contents: Contents) -> str:
    if contents.iterations and contents.failed == contents.iterations:
        return ('(every iteration failed: %d of %d in %d NetPerf '
                'workload(s); their errors are in the report)'
                % (contents.failed, contents.iterations, contents.workloads))
    return '(no NetPerf workload with results in this report)'


def table(contents: Contents) -> tuple[list[list[str]], list[str]]:
    """The table's cells (its head first) and the notes under it."""
    cells = [[head for head, _k in TABLE_COLUMNS]]
    for row in contents.rows:
        values = row_dict(row)
        values.update(values.pop('spread'))
        cells.append([_cell(values[key]) for _h, key in TABLE_COLUMNS])
    if not contents.rows:
        return cells, [empty_note(contents)]
    return cells, ['(figures: median of every round, lowest-highest round '
                   'in brackets)']


def render_text(contents: Contents,
                found: list[results.Finding]) -> str:
    """The table and the findings, for people."""
    cells, notes = table(contents)
    widths = [max(len(line[i]) for line in cells)
              for i in range(len(TABLE_COLUMNS))]
    lines = ['  '.join(cell.ljust(w) for cell, w in zip(line, widths))
             .rstrip() for line in cells]
    lines += notes
    lines += ['', 'Thesis findings:']
    lines += ['  %s: %s (%s)' % (f.claim, f.status.value.upper(), f.detail)
              for f in found]
    lines += ['', 'Cloud fingerprint:'] + fingerprint_lines(
        contents.fingerprint)
    return '\n'.join(lines) + '\n'


# Longer fact values (the extension list) are cut in the text.
FACT_WIDTH = 60


def fingerprint_lines(facts: dict[str, str]) -> list[str]:
    """One line per fact, long values cut (``--format json`` has all)."""
    if not facts:
        return ['  (none recorded: a report of an earlier version)']
    width = max(len(name) for name in facts)
    return ['  %s  %s' % (name.ljust(width), value if len(value) <=
                          FACT_WIDTH else value[:FACT_WIDTH - 3] + '...')
            for name, value in sorted(facts.items())]


def render_json(contents: Contents,
                found: list[results.Finding]) -> str:
    """The same, for machines."""
    return json.dumps({'rows': [row_dict(r) for r in contents.rows],
                       'findings': [{'claim': f.claim,
                                     'status': f.status.value,
                                     'detail': f.detail} for f in found],
                       'fingerprint': dict(sorted(
                           contents.fingerprint.items()))},
                      indent=2) + '\n'


def main(argv: list[str] | None = None) -> int:
    """``netperf-summary REPORT [--format text|json] [--html FILE]``."""
    parser = argparse.ArgumentParser(
        prog='netperf-summary',
        description='Summarise a Rally JSON report of the NetPerf '
                    'scenarios: a table by category and router mode and '
                    'the thesis findings checked on it.')
    parser.add_argument('report', help='file written by "rally task report '
                                       '--json --out FILE"')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    parser.add_argument('--html', metavar='FILE',
                        help='also write the charts, findings and table '
                             'as one offline HTML page')
    args = parser.parse_args(argv)
    try:
        with open(args.report) as handle:
            report = json.load(handle)
        contents = collect(report)
    except (OSError, ValueError, exceptions.InvalidInput) as exc:
        print('netperf-summary: %s: %s' % (args.report, exc),
              file=sys.stderr)
        return 2
    found = results.findings(contents.rows)
    render = render_json if args.format == 'json' else render_text
    sys.stdout.write(render(contents, found))
    if args.html:
        return write_html(args.html, args.report, contents, found)
    return 0


def write_html(path: str, source: str, contents: Contents,
               found: list[results.Finding]) -> int:
    """Write the HTML page; 0, or 2 with the reason when it cannot."""
    page = summary_html.render(os.path.basename(source), contents.rows,
                               found, *table(contents))
    try:
        with open(path, 'w', encoding='utf-8') as handle:
            handle.write(page)
    except OSError as exc:
        print('netperf-summary: cannot write --html %s: %s'
              % (path, exc.strerror or exc), file=sys.stderr)
        return 2
    return 0


if __name__ == '__main__':
    sys.exit(main())
