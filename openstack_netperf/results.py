"""Typed results of a run and the thesis findings checked on them.

A run yields, per iteration, the figures of each measured category (the
median of its rounds) and, with node access, one path verdict per flow.
This module holds them as typed values, gathers them into one row per
category and router mode, and checks the thesis's qualitative findings on
those rows.  Where the values travel between (Rally's iteration outputs,
its JSON report) is the adapters' business: nothing here knows a report
format.
"""

from __future__ import annotations

import dataclasses
import enum
import statistics
from typing import Iterable, Mapping

from openstack_netperf.hosts import verdict as path_verdict
from openstack_netperf import topology

PathVerdict = path_verdict.PathVerdict
# What a row shows when no iteration recorded a path verdict.
NOT_CHECKED = 'not checked'


@dataclasses.dataclass(frozen=True)
class CategoryFigures:
    """One iteration's figures for one category, by summary key.

    The keys are those of :meth:`openstack_netperf.pair.PairMeasurement.
    summary` (``tcp_forward_mbps``, ``rtt_median_ms``, ...).
    """

    category: topology.Category
    values: Mapping[str, float]


@dataclasses.dataclass(frozen=True)
class PathRow:
    """The path verdict of one checked flow, and what the table expected."""

    category: topology.Category
    router_mode: topology.RouterMode
    expected_crossing: bool
    verdict: PathVerdict
    sender: str
    target: str
    network_nodes: tuple[str, ...]
    burst: str
    reason: str

    @property
    def expected(self) -> PathVerdict:
        return PathVerdict.expected(self.expected_crossing)

    @property
    def as_expected(self) -> bool:
        """Conclusive and what the expected-path table says."""
        return self.verdict is self.expected


@dataclasses.dataclass
class Row:
    """One category under one router mode, over every iteration."""

    category: topology.Category
    router_mode: topology.RouterMode
    samples: dict[str, list[float]] = dataclasses.field(
        default_factory=dict)
    verdicts: list[PathVerdict] = dataclasses.field(default_factory=list)

    def figure(self, key: str) -> float | None:
        """Median over the iterations, or None when not measured."""
        values = self.samples.get(key)
        return statistics.median(values) if values else None

    @property
    def iterations(self) -> int:
        return max((len(v) for v in self.samples.values()), default=0)

    @property
    def expected(self) -> PathVerdict:
        return PathVerdict.expected(
            self.category.crosses_network_node(self.router_mode))

    @property
    def verdict(self) -> PathVerdict | None:
        """The verdict every iteration gave; None if none or they differ."""
        distinct = set(self.verdicts)
        return distinct.pop() if len(distinct) == 1 else None

    def verdict_text(self) -> str:
        """The verdict of every iteration, or how they differ."""
        if not self.verdicts:
            return NOT_CHECKED
        if self.verdict is not None:
            return self.verdict.value
        counts = ['%d %s' % (self.verdicts.count(v), v.value)
                  for v in sorted(set(self.verdicts), key=lambda v: v.value)]
        return 'mixed (%s)' % ', '.join(counts)


def tabulate(figures: Iterable[tuple[topology.RouterMode, CategoryFigures]],
             paths: Iterable[PathRow]) -> list[Row]:
    """One row per category and router mode, in the thesis's order.

    :param figures: every iteration's figures, with the router mode of
        the workload they were measured under.
    :param paths: every recorded path verdict.
    """
    rows: dict[tuple[str, topology.RouterMode], Row] = {}

    def row(category: topology.Category, mode: topology.RouterMode) -> Row:
        return rows.setdefault((category.id, mode), Row(category, mode))

    for mode, measured in figures:
        samples = row(measured.category, mode).samples
        for key, value in measured.values.items():
            samples.setdefault(key, []).append(value)
    for path in paths:
        row(path.category, path.router_mode).verdicts.append(path.verdict)
    order = {c.id: i for i, c in enumerate(topology.CATEGORIES)}
    modes = list(topology.RouterMode)
    return sorted(rows.values(), key=lambda r: (
        order[r.category.id], modes.index(r.router_mode)))


class Status(str, enum.Enum):
    """How a finding came out on the data."""

    HOLDS = 'holds'
    DOES_NOT_HOLD = 'does not hold'
    NOT_MEASURED = 'not measured'


@dataclasses.dataclass(frozen=True)
class Finding:
    """One of the thesis's findings, checked on the data.

    ``detail`` gives the figures or verdicts it was decided on.
    """

    claim: str
    status: Status
    detail: str


_LEGACY = topology.RouterMode.LEGACY
_DVR = topology.RouterMode.DVR


def _find(rows: list[Row], category: str,
          mode: topology.RouterMode) -> Row | None:
    for row in rows:
        if row.category.id == category and row.router_mode is mode:
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


def _name(row: Row) -> str:
    return '%s %s' % (row.category.shorthand, row.router_mode.value)


def _table_verdicts(rows: list[Row]) -> Finding:
    claim = '(a) Table 2.1: every measured flow takes the expected path'
    checked = [r for r in rows if r.verdicts]
    if not checked:
        return Finding(claim, Status.NOT_MEASURED, 'no path verdict '
                       'recorded (node access not configured)')
    wrong = ['%s: %s, expected %s' % (_name(r), r.verdict_text(),
                                      r.expected.value)
             for r in checked
             if any(v not in (r.expected, PathVerdict.INCONCLUSIVE)
                    for v in r.verdicts)]
    if wrong:
        return Finding(claim, Status.DOES_NOT_HOLD, '; '.join(wrong))
    unsure = [_name(r) for r in checked
              if PathVerdict.INCONCLUSIVE in r.verdicts]
    if unsure:
        return Finding(claim, Status.NOT_MEASURED, 'inconclusive for %s'
                       % ', '.join(unsure))
    return Finding(claim, Status.HOLDS, '%d of %d rows checked, all as '
                   'expected' % (len(checked), len(rows)))


def _hnr_paths(rows: list[Row]) -> Finding:
    claim = ('(b) legacy H-NR crosses the network node, DVR H-NR does '
             'not')
    legacy = _find(rows, 'intra_node_inter_subnet', _LEGACY)
    dvr = _find(rows, 'intra_node_inter_subnet', _DVR)
    detail = 'legacy: %s, DVR: %s' % tuple(
        r.verdict_text() if r else NOT_CHECKED for r in (legacy, dvr))
    got = [r.verdict if r else None for r in (legacy, dvr)]
    if any(v in (None, PathVerdict.INCONCLUSIVE) for v in got):
        return Finding(claim, Status.NOT_MEASURED, detail)
    holds = got == [PathVerdict.CROSSED, PathVerdict.NOT_CROSSED]
    return Finding(claim, Status.HOLDS if holds else Status.DOES_NOT_HOLD,
                   detail)


def _compare(claim: str, pairs: list[tuple[str, Row | None, Row | None]],
             what: str) -> Finding:
    """Holds when the first row's TCP beats the second's both ways."""
    details = []
    results = []
    for label, high, low in pairs:
        a, b = _tcp(high), _tcp(low)
        if a is None or b is None:
            continue
        results.append(a[0] > b[0] and a[1] > b[1])
        details.append('%s: %.1f/%.1f vs %.1f/%.1f Mbit/s forward/reverse'
                       % (label, a[0], a[1], b[0], b[1]))
    if not results:
        return Finding(claim, Status.NOT_MEASURED, 'needs %s' % what)
    return Finding(claim, Status.HOLDS if all(results)
                   else Status.DOES_NOT_HOLD, '; '.join(details))


def _tunnel_cost(rows: list[Row]) -> Finding:
    claim = ('(e) the VXLAN tunnel costs throughput: -HNR (tunnelled) '
             'against HNR (same host) in the same run')
    details = []
    costs = []
    for mode in (_LEGACY, _DVR):
        base = _tcp(_find(rows, 'intra_node_intra_subnet', mode))
        tunnel = _tcp(_find(rows, 'inter_node_intra_subnet', mode))
        if base is None or tunnel is None or not all(base):
            continue
        cost = [100.0 * (1 - t / b) for t, b in zip(tunnel, base)]
        costs.extend(cost)
        details.append('%s: %.1f %% forward, %.1f %% reverse less'
                       % (mode.value, cost[0], cost[1]))
    if not costs:
        return Finding(claim, Status.NOT_MEASURED,
                       'needs HNR and -HNR under one router mode')
    return Finding(claim, Status.HOLDS if all(c > 0 for c in costs)
                   else Status.DOES_NOT_HOLD, '; '.join(details))


def findings(rows: list[Row]) -> list[Finding]:
    """The thesis's qualitative findings, checked on ``rows``."""
    return [
        _table_verdicts(rows),
        _hnr_paths(rows),
        _compare('(c) intra-node beats inter-node throughput (HNR > -HNR)',
                 [(m.value, _find(rows, 'intra_node_intra_subnet', m),
                   _find(rows, 'inter_node_intra_subnet', m))
                  for m in (_LEGACY, _DVR)],
                 'HNR and -HNR under one router mode'),
        _compare('(d) DVR H-NR throughput above legacy H-NR',
                 [('H-NR', _find(rows, 'intra_node_inter_subnet', _DVR),
                   _find(rows, 'intra_node_inter_subnet', _LEGACY))],
                 'H-NR under both router modes'),
        _tunnel_cost(rows),
    ]
