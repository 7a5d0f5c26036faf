"""Summarise a Rally JSON report of the NetPerf scenarios.

``rally task report --json --out FILE`` (Rally 5.1.1; the same as ``rally
task export --type json``) writes every workload with its iterations and
their outputs.  This module reads the figures the scenarios reported
(additive outputs, one set per iteration) and the path verdicts (the
"Path verdicts" complete output), prints one row per category and router
mode, and checks the thesis's qualitative findings on them.

It also owns the names of those report items, so the writer
(:mod:`rally_netperf.output`) and this reader cannot drift apart; no Rally
import here: the report is plain JSON.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from typing import Any, Iterable

from openstack_netperf import exceptions
from openstack_netperf import topology

SEPARATOR = ' | '
# Additive charts: (title, ((label, summary key), ...)).
ADDITIVE_CHARTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ('Throughput, Mbit/s', (
        ('TCP forward', 'tcp_forward_mbps'),
        ('TCP reverse', 'tcp_reverse_mbps'),
        ('UDP forward', 'udp_forward_mbps'),
        ('UDP reverse', 'udp_reverse_mbps'),
    )),
    ('Latency, ms', (
        ('RTT median', 'rtt_median_ms'),
        ('RTT p95', 'rtt_p95_ms'),
    )),
    ('Loss and retransmits', (
        ('ping loss %', 'ping_loss_percent'),
        ('UDP forward loss %', 'udp_forward_loss_percent'),
        ('UDP reverse loss %', 'udp_reverse_loss_percent'),
        ('TCP forward retransmits', 'tcp_forward_retransmits'),
        ('TCP reverse retransmits', 'tcp_reverse_retransmits'),
    )),
)
_KEY_BY_LABEL = {(title, label): key
                 for title, rows in ADDITIVE_CHARTS for label, key in rows}

# The complete output (a table) with one row per checked flow.
PATH_TITLE = 'Path verdicts'
PATH_COLUMNS = ('category', 'thesis', 'router', 'expected', 'verdict',
                'as expected', 'sender', 'target', 'network nodes', 'burst',
                'reason')
NOT_CHECKED = 'not checked'

HOLDS = 'holds'
DOES_NOT_HOLD = 'does not hold'
NOT_MEASURED = 'not measured'


def item_title(base: str, category: topology.Category) -> str:
    """The title of a per-category output item."""
    return '%s%s%s (%s)' % (base, SEPARATOR, category.shorthand,
                            category.id)


def split_title(title: str) -> tuple[str, str] | None:
    """(base, category id) of a per-category title, or None."""
    base, sep, rest = title.partition(SEPARATOR)
    if not sep or not rest.endswith(')') or '(' not in rest:
        return None
    return base, rest[rest.rindex('(') + 1:-1]


def figures_from_additive(items: Iterable[dict[str, Any]]
                          ) -> dict[str, dict[str, float]]:
    """Figures of one iteration by category id, then summary key."""
    figures: dict[str, dict[str, float]] = {}
    for item in items:
        split = split_title(item.get('title', ''))
        if split is None:
            continue
        base, category_id = split
        for label, value in item.get('data', []):
            key = _KEY_BY_LABEL.get((base, label))
            if key is not None:
                figures.setdefault(category_id, {})[key] = float(value)
    return figures


def path_rows(items: Iterable[dict[str, Any]]
              ) -> list[dict[str, str]] | None:
    """The rows of an iteration's path verdict table; None if it has none.

    An iteration without node access has a note under the same title but
    no table: that also gives None.
    """
    for item in items:
        if (item.get('title') == PATH_TITLE
                and item.get('chart_plugin') == 'Table'):
            cols = item['data']['cols']
            return [dict(zip(cols, (str(v) for v in row)))
                    for row in item['data']['rows']]
    return None


@dataclasses.dataclass
class Row:
    """One category under one router mode, over every iteration."""

    category: topology.Category
    router_mode: str
    samples: dict[str, list[float]] = dataclasses.field(
        default_factory=dict)
    verdicts: list[str] = dataclasses.field(default_factory=list)

    def figure(self, key: str) -> float | None:
        """Median over the iterations, or None when not measured."""
        values = self.samples.get(key)
        return statistics.median(values) if values else None

    @property
    def expected(self) -> str:
        crossed = self.category.crosses_network_node(self.router_mode)
        return 'crossed' if crossed else 'not crossed'

    @property
    def verdict(self) -> str:
        """The verdict of every iteration, or how they differ."""
        if not self.verdicts:
            return NOT_CHECKED
        distinct = sorted(set(self.verdicts))
        if len(distinct) == 1:
            return distinct[0]
        return 'mixed (%s)' % ', '.join(
            '%d %s' % (self.verdicts.count(v), v) for v in distinct)

    def as_dict(self) -> dict[str, Any]:
        keys = ('tcp_forward_mbps', 'tcp_reverse_mbps', 'rtt_median_ms',
                'rtt_p95_ms', 'ping_loss_percent')
        return dict({'category': self.category.id,
                     'thesis': self.category.shorthand,
                     'router_mode': self.router_mode,
                     'iterations': max((len(v) for v in
                                        self.samples.values()), default=0),
                     'path_verdict': self.verdict,
                     'path_expected': self.expected},
                    **{k: self.figure(k) for k in keys})


def _router_mode(workload: dict[str, Any]) -> str:
    contexts = workload.get('contexts') or {}
    for name in ('netperf_topology', 'netperf_topology@openstack'):
        if name in contexts:
            mode = contexts[name].get('router_mode', 'dvr')
            return topology.parse_router_mode(mode).value
    return topology.RouterMode.DVR.value


def _workloads(report: Any) -> Iterable[dict[str, Any]]:
    if not isinstance(report, dict) or not isinstance(
            report.get('tasks'), list):
        raise exceptions.InvalidInput(
            'Not a Rally JSON report (no "tasks" list): write one with '
            '"rally task report --json --out FILE" or "rally task export '
            '--type json --to FILE"')
    for task in report['tasks']:
        for subtask in task.get('subtasks', []):
            yield from subtask.get('workloads', [])


def collect(report: dict[str, Any]) -> list[Row]:
    """The rows of every NetPerf workload of the report, in task order."""
    rows: dict[tuple[str, str], Row] = {}

    def row(category_id: str, mode: str) -> Row:
        key = (category_id, mode)
        if key not in rows:
            rows[key] = Row(topology.get_category(category_id), mode)
        return rows[key]

    for workload in _workloads(report):
        if not any(name.startswith('NetPerf.')
                   for name in workload.get('scenario', {})):
            continue
        mode = _router_mode(workload)
        for iteration in workload.get('data', []):
            if iteration.get('error'):
                continue
            out = iteration.get('output') or {}
            for cat, figures in figures_from_additive(
                    out.get('additive', [])).items():
                for key, value in figures.items():
                    row(cat, mode).samples.setdefault(key, []).append(value)
            for path in path_rows(out.get('complete', [])) or []:
                row(path['category'], path['router']).verdicts.append(
                    path['verdict'])
    order = {c.id: i for i, c in enumerate(topology.CATEGORIES)}
    modes = [m.value for m in topology.RouterMode]
    return sorted(rows.values(), key=lambda r: (
        order[r.category.id], modes.index(r.router_mode)))


@dataclasses.dataclass(frozen=True)
class Finding:
    """One of the thesis's findings, checked on the data."""

    claim: str
    status: str
    detail: str


def _find(rows: list[Row], category: str, mode: str) -> Row | None:
    for row in rows:
        if row.category.id == category and row.router_mode == mode:
            return row
    return None


def _tcp(row: Row | None) -> tuple[float, float] | None:
    if row is None:
        return None
    forward = row.figure('tcp_forward_mbps')
    reverse = row.figure('tcp_reverse_mbps')
    if forward is None or reverse is None:
        return None
    return forward, reverse


def _table_verdicts(rows: list[Row]) -> Finding:
    claim = '(a) Table 2.1: every measured flow takes the expected path'
    checked = [r for r in rows if r.verdicts]
    if not checked:
        return Finding(claim, NOT_MEASURED, 'no path verdict recorded '
                       '(node access not configured)')
    wrong = ['%s %s: %s, expected %s' % (r.category.shorthand,
                                         r.router_mode, r.verdict,
                                         r.expected)
             for r in checked if any(v not in (r.expected, 'inconclusive')
                                     for v in r.verdicts)]
    if wrong:
        return Finding(claim, DOES_NOT_HOLD, '; '.join(wrong))
    unsure = ['%s %s' % (r.category.shorthand, r.router_mode)
              for r in checked if 'inconclusive' in r.verdicts]
    if unsure:
        return Finding(claim, NOT_MEASURED, 'inconclusive for %s'
                       % ', '.join(unsure))
    return Finding(claim, HOLDS, '%d of %d rows checked, all as expected'
                   % (len(checked), len(rows)))


def _hnr_paths(rows: list[Row]) -> Finding:
    claim = ('(b) legacy H-NR crosses the network node, DVR H-NR does '
             'not')
    legacy = _find(rows, 'intra_node_inter_subnet', 'legacy')
    dvr = _find(rows, 'intra_node_inter_subnet', 'dvr')
    got = {m: r.verdict if r else NOT_CHECKED
           for m, r in (('legacy', legacy), ('dvr', dvr))}
    detail = 'legacy: %s, DVR: %s' % (got['legacy'], got['dvr'])
    if any(v in (NOT_CHECKED, 'inconclusive') or v.startswith('mixed')
           for v in got.values()):
        return Finding(claim, NOT_MEASURED, detail)
    holds = got['legacy'] == 'crossed' and got['dvr'] == 'not crossed'
    return Finding(claim, HOLDS if holds else DOES_NOT_HOLD, detail)


def _compare(claim: str, pairs: list[tuple[str, Row | None, Row | None]],
             what: str) -> Finding:
    """Holds when the first row's TCP beats the second's both ways."""
    details = []
    results = []
    for label, high, low in pairs:
        a, b = _tcp(high), _tcp(low)
        if a is None or b is None:
            continue
        ok = a[0] > b[0] and a[1] > b[1]
        results.append(ok)
        details.append('%s: %.1f/%.1f vs %.1f/%.1f Mbit/s forward/reverse'
                       % (label, a[0], a[1], b[0], b[1]))
    if not results:
        return Finding(claim, NOT_MEASURED, 'needs %s' % what)
    return Finding(claim, HOLDS if all(results) else DOES_NOT_HOLD,
                   '; '.join(details))


def _tunnel_cost(rows: list[Row]) -> Finding:
    claim = ('(e) the VXLAN tunnel costs throughput: -HNR (tunnelled) '
             'against HNR (same host) in the same run')
    details = []
    costs = []
    for mode in ('legacy', 'dvr'):
        base = _tcp(_find(rows, 'intra_node_intra_subnet', mode))
        tunnel = _tcp(_find(rows, 'inter_node_intra_subnet', mode))
        if base is None or tunnel is None or not all(base):
            continue
        cost = [100.0 * (1 - t / b) for t, b in zip(tunnel, base)]
        costs.extend(cost)
        details.append('%s: %.1f %% forward, %.1f %% reverse less'
                       % (mode, cost[0], cost[1]))
    if not costs:
        return Finding(claim, NOT_MEASURED,
                       'needs HNR and -HNR under one router mode')
    return Finding(claim, HOLDS if all(c > 0 for c in costs)
                   else DOES_NOT_HOLD, '; '.join(details))


def findings(rows: list[Row]) -> list[Finding]:
    """The thesis's qualitative findings, checked on ``rows``."""
    modes = ('legacy', 'dvr')
    return [
        _table_verdicts(rows),
        _hnr_paths(rows),
        _compare('(c) intra-node beats inter-node throughput (HNR > -HNR)',
                 [(m, _find(rows, 'intra_node_intra_subnet', m),
                   _find(rows, 'inter_node_intra_subnet', m))
                  for m in modes], 'HNR and -HNR under one router mode'),
        _compare('(d) DVR H-NR throughput above legacy H-NR',
                 [('H-NR', _find(rows, 'intra_node_inter_subnet', 'dvr'),
                   _find(rows, 'intra_node_inter_subnet', 'legacy'))],
                 'H-NR under both router modes'),
        _tunnel_cost(rows),
    ]


TABLE_COLUMNS = (('category', 'thesis'), ('router', 'router_mode'),
                 ('TCP fwd Mbit/s', 'tcp_forward_mbps'),
                 ('TCP rev Mbit/s', 'tcp_reverse_mbps'),
                 ('RTT med ms', 'rtt_median_ms'),
                 ('RTT p95 ms', 'rtt_p95_ms'),
                 ('loss %', 'ping_loss_percent'),
                 ('path verdict', 'path_verdict'),
                 ('expected', 'path_expected'))


def _cell(value: Any) -> str:
    if value is None:
        return '-'
    if isinstance(value, float):
        return '%.1f' % value if abs(value) >= 10 else '%.2f' % value
    return str(value)


def render_text(rows: list[Row], found: list[Finding]) -> str:
    """The table and the findings, for people."""
    table = [[head for head, _k in TABLE_COLUMNS]]
    for row in rows:
        values = row.as_dict()
        table.append([_cell(values[key]) for _h, key in TABLE_COLUMNS])
    widths = [max(len(line[i]) for line in table)
              for i in range(len(TABLE_COLUMNS))]
    lines = ['  '.join(cell.ljust(w) for cell, w in zip(line, widths))
             .rstrip() for line in table]
    if not rows:
        lines.append('(no NetPerf workload with results in this report)')
    lines += ['', 'Thesis findings:']
    lines += ['  %s: %s (%s)' % (f.claim, f.status.upper(), f.detail)
              for f in found]
    return '\n'.join(lines) + '\n'


def render_json(rows: list[Row], found: list[Finding]) -> str:
    """The same, for machines."""
    return json.dumps({'rows': [r.as_dict() for r in rows],
                       'findings': [dataclasses.asdict(f) for f in found]},
                      indent=2) + '\n'


def main(argv: list[str] | None = None) -> int:
    """``netperf-summary REPORT.json [--format text|json]``."""
    parser = argparse.ArgumentParser(
        prog='netperf-summary',
        description='Summarise a Rally JSON report of the NetPerf '
                    'scenarios: a table by category and router mode and '
                    'the thesis findings checked on it.')
    parser.add_argument('report', help='file written by "rally task report '
                                       '--json --out FILE"')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    args = parser.parse_args(argv)
    try:
        with open(args.report) as handle:
            report = json.load(handle)
        rows = collect(report)
    except (OSError, ValueError, exceptions.InvalidInput) as exc:
        print('netperf-summary: %s: %s' % (args.report, exc),
              file=sys.stderr)
        return 2
    found = findings(rows)
    render = render_json if args.format == 'json' else render_text
    sys.stdout.write(render(rows, found))
    return 0
