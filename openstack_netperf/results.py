"""Typed results of a run and the thesis findings checked on them.

A run yields, per iteration, the figures of each measured category (the
median of its rounds, and each round's value) and, with node access, one
path verdict per flow.
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
from openstack_netperf.measure import significance
from openstack_netperf import topology

PathVerdict = path_verdict.PathVerdict
# What a row shows when no iteration recorded a path verdict.
NOT_CHECKED = 'not checked'


@dataclasses.dataclass(frozen=True)
class CategoryFigures:
    """One iteration's figures for one category, by summary key.

    The keys are those of :meth:`openstack_netperf.pair.PairMeasurement.
    summary` (``tcp_forward_mbps``, ``rtt_median_ms``, ...); ``values``
    holds the median of the rounds, ``rounds`` each round's value and
    ``probes_ms`` every kept RTT.  Reports of versions before rounds were
    recorded have only ``values``.
    """

    category: topology.Category
    values: Mapping[str, float]
    rounds: Mapping[str, tuple[float, ...]] = dataclasses.field(
        default_factory=dict)
    probes_ms: tuple[float, ...] = ()


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
    # How the verdict was reached: from a burst or from the measured flow;
    # reports written before flows were judged hold bursts.
    method: str = path_verdict.BURST

    @property
    def expected(self) -> PathVerdict:
        return PathVerdict.expected(self.expected_crossing)

    @property
    def as_expected(self) -> bool:
        """Conclusive and what the expected-path table says."""
        return self.verdict is self.expected


@dataclasses.dataclass
class Row:
    """One category under one router mode, over every iteration.

    ``samples`` has each iteration's median-of-rounds, ``rounds`` every
    round of every iteration (when the report recorded them) and
    ``probes_ms`` every kept RTT.
    """

    category: topology.Category
    router_mode: topology.RouterMode
    samples: dict[str, list[float]] = dataclasses.field(
        default_factory=dict)
    rounds: dict[str, list[float]] = dataclasses.field(default_factory=dict)
    probes_ms: list[float] = dataclasses.field(default_factory=list)
    verdicts: list[PathVerdict] = dataclasses.field(default_factory=list)
    # How each of ``verdicts`` was reached (PathRow.method).
    methods: list[str] = dataclasses.field(default_factory=list)

    def values(self, key: str) -> list[float]:
        """What a figure's spread and tests are computed on.

        Every round of every iteration; from a report without rounds,
        each iteration's median instead.
        """
        return list(self.rounds.get(key) or self.samples.get(key) or [])

    def figure(self, key: str) -> float | None:
        """Median of :meth:`values`, or None when not measured."""
        values = self.values(key)
        return statistics.median(values) if values else None

    def spread(self, key: str) -> significance.Spread | None:
        """Median and range of :meth:`values`; None when not measured."""
        values = self.values(key)
        return significance.spread(values) if values else None

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
        found = row(measured.category, mode)
        for key, value in measured.values.items():
            found.samples.setdefault(key, []).append(value)
        for key, values in measured.rounds.items():
            found.rounds.setdefault(key, []).extend(values)
        found.probes_ms.extend(measured.probes_ms)
    for path in paths:
        found = row(path.category, path.router_mode)
        found.verdicts.append(path.verdict)
        found.methods.append(path.method)
    order = {c.id: i for i, c in enumerate(topology.CATEGORIES)}
    modes = list(topology.RouterMode)
    return sorted(rows.values(), key=lambda r: (
        order[r.category.id], modes.index(r.router_mode)))


class Status(str, enum.Enum):
    """How a finding came out on the data.

    ``INCONCLUSIVE``: measured, but the noise of the rounds (or an
    inconclusive path verdict) leaves the answer open; ``detail`` says
    which.
    """

    HOLDS = 'holds'
    DOES_NOT_HOLD = 'does not hold'
    INCONCLUSIVE = 'inconclusive'
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
        return Finding(claim, Status.INCONCLUSIVE, 'inconclusive path '
                       'verdict for %s' % ', '.join(unsure))
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
    if None in got:
        return Finding(claim, Status.NOT_MEASURED, detail)
    if PathVerdict.INCONCLUSIVE in got:
        return Finding(claim, Status.INCONCLUSIVE, detail)
    holds = got == [PathVerdict.CROSSED, PathVerdict.NOT_CROSSED]
    return Finding(claim, Status.HOLDS if holds else Status.DOES_NOT_HOLD,
                   detail)


TCP_KEYS = (('forward', 'tcp_forward_mbps'),
            ('reverse', 'tcp_reverse_mbps'))


def _status(outcomes: list[significance.Outcome],
            expect: significance.Outcome) -> Status:
    """Holds when every test says ``expect``; fails on a conclusive no."""
    if all(o is expect for o in outcomes):
        return Status.HOLDS
    if any(o not in (expect, significance.Outcome.INCONCLUSIVE)
           for o in outcomes):
        return Status.DOES_NOT_HOLD
    return Status.INCONCLUSIVE


def _change(found: significance.Difference) -> str:
    """The change, its interval and the outcome, in a few words."""
    if found.change is None or found.low is None or found.high is None:
        return '%s (%s)' % (found.outcome.value, found.reason)
    return '%+.0f %% (interval %+.0f to %+.0f %%): %s' % (
        100 * found.change, 100 * found.low, 100 * found.high,
        found.outcome.value)


def _compare(claim: str, pairs: list[tuple[str, Row | None, Row | None]],
             expect: significance.Outcome, what: str) -> Finding:
    """Holds when each pair's second row's TCP is ``expect`` of its first.

    :func:`significance.difference` decides, both ways, with its minimum
    effect: a difference within the noise is inconclusive.
    """
    details = []
    outcomes = []
    for label, baseline, current in pairs:
        if baseline is None or current is None or not all(
                baseline.values(k) and current.values(k)
                for _d, k in TCP_KEYS):
            continue
        for direction, key in TCP_KEYS:
            found = significance.difference(baseline.values(key),
                                            current.values(key))
            outcomes.append(found.outcome)
            details.append('%s %s: %s %s vs %s %s Mbit/s, %s' % (
                label, direction, current.category.shorthand,
                current.spread(key).text(), baseline.category.shorthand,
                baseline.spread(key).text(), _change(found)))
    if not outcomes:
        return Finding(claim, Status.NOT_MEASURED, 'needs %s' % what)
    return Finding(claim, _status(outcomes, expect), '; '.join(details))


def findings(rows: list[Row]) -> list[Finding]:
    """The thesis's qualitative findings, checked on ``rows``."""
    higher, lower = significance.Outcome.HIGHER, significance.Outcome.LOWER
    same_host = [(m.value, _find(rows, 'inter_node_intra_subnet', m),
                  _find(rows, 'intra_node_intra_subnet', m))
                 for m in (_LEGACY, _DVR)]
    return [
        _table_verdicts(rows),
        _hnr_paths(rows),
        _compare('(c) intra-node beats inter-node throughput (HNR > -HNR)',
                 same_host, higher, 'HNR and -HNR under one router mode'),
        _compare('(d) DVR H-NR throughput above legacy H-NR',
                 [('DVR vs legacy', _find(rows, 'intra_node_inter_subnet',
                                          _LEGACY),
                   _find(rows, 'intra_node_inter_subnet', _DVR))],
                 higher, 'H-NR under both router modes'),
        _compare('(e) the VXLAN tunnel costs throughput: -HNR (tunnelled) '
                 'below HNR (same host) in the same run',
                 [(label, hnr, tunnelled)
                  for label, tunnelled, hnr in same_host],
                 lower, 'HNR and -HNR under one router mode'),
    ]
