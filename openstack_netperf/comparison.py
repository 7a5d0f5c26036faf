"""Did it get worse?  Two runs' rows compared, metric by metric.

An operator runs the task before a change (an upgrade, a new MTU, a new
kernel) and after it; this module says, per category, router mode and
metric, whether the second run *regressed*, *improved*, is *unchanged*,
or whether the noise leaves it *inconclusive*.  Each verdict comes from
:func:`openstack_netperf.measure.significance.difference` on the values
of every round of both runs, with a minimum effect per metric: one sample
decides nothing.  A comparison judges some 70 metrics at once, so by
default the regressed and improved verdicts must also hold after Holm's
correction for that many tests (:func:`significance.holm`): a quiet pair
of runs should flag nothing.  A changed path verdict (a flow that now
crosses the network node, or no longer does) is a regression on its own.

Nothing here knows a report format: the rows come from
:func:`openstack_netperf.results.tabulate`, whichever file or database
they were read from, so the ``netperf-compare`` command and the Rally
SLA ``netperf_baseline`` share this one decision.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Iterable, Mapping

from openstack_netperf import exceptions
from openstack_netperf.measure import significance
from openstack_netperf import results
from openstack_netperf import topology


class Verdict(str, enum.Enum):
    """What became of one metric (or one path) from baseline to current."""

    REGRESSED = 'regressed'
    IMPROVED = 'improved'
    UNCHANGED = 'unchanged'
    INCONCLUSIVE = 'inconclusive'


@dataclasses.dataclass(frozen=True)
class Metric:
    """A figure compared between runs, and which way is better.

    ``scale`` is that of :func:`significance.difference`: ``'ratio'``
    takes a relative minimum effect, ``'absolute'`` one in ``unit``.
    ``min_effect`` is the default, in percent: of the value on scale
    ``'ratio'``, percentage points for a loss.
    """

    name: str
    key: str
    label: str
    unit: str
    higher_is_better: bool
    scale: str = 'ratio'
    min_effect: float = 100 * significance.DEFAULT_MIN_EFFECT


METRICS = (
    Metric('tcp_forward', 'tcp_forward_mbps', 'TCP forward', 'Mbit/s', True),
    Metric('tcp_reverse', 'tcp_reverse_mbps', 'TCP reverse', 'Mbit/s', True),
    Metric('udp_forward', 'udp_forward_mbps', 'UDP forward', 'Mbit/s', True),
    Metric('udp_reverse', 'udp_reverse_mbps', 'UDP reverse', 'Mbit/s', True),
    Metric('rtt_median', 'rtt_median_ms', 'RTT median', 'ms', False),
    Metric('rtt_p95', 'rtt_p95_ms', 'RTT p95', 'ms', False),
    # A loss is mostly 0: its change is an amount, one percentage point
    # by default (one ping of a hundred).
    Metric('loss', 'ping_loss_percent', 'ping loss', '%', False,
           'absolute', 1.0),
)
METRIC_NAMES = tuple(m.name for m in METRICS)
# The key of a mapping of minimum effects that sets every other metric.
DEFAULT = 'default'
# Family-wise corrections of one comparison's metrics; the first is the
# default.
CORRECTIONS = ('holm', 'none')


@dataclasses.dataclass(frozen=True)
class Settings:
    """Minimum effect per metric name (percent), confidence, correction.

    ``correction`` is one of :data:`CORRECTIONS`: ``'holm'`` holds
    regressed and improved verdicts to Holm's family-wise correction over
    the comparison's metrics, ``'none'`` judges each metric alone.
    """

    min_effect: Mapping[str, float]
    confidence: float = significance.DEFAULT_CONFIDENCE
    correction: str = CORRECTIONS[0]

    @classmethod
    def build(cls, min_effect: float | Mapping[str, float] | None = None,
              confidence: float | None = None,
              correction: str | None = None) -> Settings:
        """From user input: one number for every metric, or a mapping.

        A mapping goes from metric name (:data:`METRIC_NAMES`) or
        :data:`DEFAULT` to a percentage; a metric it does not name keeps
        its default.

        :raises InvalidInput: an unknown metric, a negative or
            non-numeric effect, a confidence outside (0, 1), an unknown
            correction.
        """
        given: Mapping[str, float]
        if min_effect is None:
            given = {}
        elif isinstance(min_effect, Mapping):
            given = min_effect
        else:
            given = {DEFAULT: min_effect}
        unknown = sorted(set(given) - set(METRIC_NAMES) - {DEFAULT})
        if unknown:
            raise exceptions.InvalidInput(
                'unknown metric(s) %s for the minimum effect; valid: %s'
                % (', '.join(unknown), ', '.join(METRIC_NAMES + (DEFAULT,))))
        effects = {}
        for metric in METRICS:
            value = given.get(metric.name, given.get(DEFAULT,
                                                     metric.min_effect))
            if isinstance(value, bool) or not isinstance(
                    value, (int, float)) or not 0 <= value < float('inf'):
                raise exceptions.InvalidInput(
                    'the minimum effect of %s must be a number of percent '
                    '>= 0, got %r' % (metric.name, value))
            effects[metric.name] = float(value)
        if confidence is None:
            confidence = significance.DEFAULT_CONFIDENCE
        if isinstance(confidence, bool) or not isinstance(
                confidence, (int, float)) or not 0 < confidence < 1:
            raise exceptions.InvalidInput(
                'the confidence must be a number strictly between 0 and 1 '
                '(0.9 is 90 %%), got %r' % (confidence,))
        if correction is None:
            correction = CORRECTIONS[0]
        if correction not in CORRECTIONS:
            raise exceptions.InvalidInput(
                'the correction must be one of %s, got %r'
                % (', '.join(CORRECTIONS), correction))
        return cls(effects, float(confidence), correction)

    def effect(self, metric: Metric) -> float:
        """The minimum effect as :func:`significance.difference` takes it."""
        percent = self.min_effect[metric.name]
        return percent / 100 if metric.scale == 'ratio' else percent


@dataclasses.dataclass(frozen=True)
class MetricResult:
    """One metric of one category and router mode, in both runs."""

    category: topology.Category
    router_mode: topology.RouterMode
    metric: Metric
    baseline: significance.Spread
    current: significance.Spread
    difference: significance.Difference
    verdict: Verdict
    # The p-value after the comparison's correction; None with no test.
    adjusted_p: float | None = None
    # Regressed or improved alone, inconclusive after the correction.
    held_back: bool = False

    def where(self) -> str:
        return '%s %s %s' % (self.category.shorthand, self.router_mode.value,
                             self.metric.label)

    def change_text(self) -> str:
        """The estimated change: ``-23.0 %``, ``+2.00 pt`` of loss, ``-``."""
        change = self.difference.change
        if change is None:
            return '-'
        if self.difference.scale == 'ratio':
            return '%+.1f %%' % (100 * change)
        return '%+.2f %s' % (change, 'pt' if self.metric.unit == '%'
                             else self.metric.unit)

    def describe(self) -> str:
        """One line: the figures of both runs, the change and why."""
        return '%s: %s -> %s %s, %s: %s' % (
            self.where(), spread_text(self.baseline),
            spread_text(self.current),
            self.metric.unit, self.verdict.value, self.difference.reason)


@dataclasses.dataclass(frozen=True)
class PathResult:
    """The path verdicts of one category and router mode, in both runs."""

    category: topology.Category
    router_mode: topology.RouterMode
    baseline: str
    current: str
    verdict: Verdict
    reason: str

    def where(self) -> str:
        return '%s %s path' % (self.category.shorthand,
                               self.router_mode.value)

    def describe(self) -> str:
        return '%s: %s (%s)' % (self.where(), self.verdict.value,
                                self.reason)


@dataclasses.dataclass
class Comparison:
    """Everything two runs share, compared; and what only one has."""

    settings: Settings
    metrics: list[MetricResult]
    paths: list[PathResult]
    only_baseline: list[tuple[topology.Category, topology.RouterMode]]
    only_current: list[tuple[topology.Category, topology.RouterMode]]
    notes: list[str]

    def count(self, verdict: Verdict) -> int:
        """How many metrics and paths got ``verdict``."""
        return sum(r.verdict is verdict for r in self.metrics + self.paths)

    @property
    def tested(self) -> int:
        """How many metrics had a test: the family a correction is for."""
        return sum(m.difference.p_value is not None for m in self.metrics)

    @property
    def regressed(self) -> bool:
        return self.count(Verdict.REGRESSED) > 0

    def with_verdict(self, *verdicts: Verdict
                     ) -> list[MetricResult | PathResult]:
        """The paths, then the metrics, that got one of ``verdicts``."""
        return [r for r in [*self.paths, *self.metrics]
                if r.verdict in verdicts]


def spread_text(spread: significance.Spread) -> str:
    """A spread with the digits its size needs (2400.0, 0.95)."""
    return spread.text('%.1f' if abs(spread.median) >= 10 else '%.2f')


def _verdict(metric: Metric, outcome: significance.Outcome) -> Verdict:
    if outcome is significance.Outcome.SAME:
        return Verdict.UNCHANGED
    if outcome is significance.Outcome.INCONCLUSIVE:
        return Verdict.INCONCLUSIVE
    better = (outcome is significance.Outcome.HIGHER) == (
        metric.higher_is_better)
    return Verdict.IMPROVED if better else Verdict.REGRESSED


def compare_metric(baseline: results.Row, current: results.Row,
                   metric: Metric, settings: Settings) -> MetricResult:
    """The verdict on one metric, from every round of both rows."""
    before, after = baseline.values(metric.key), current.values(metric.key)
    found = significance.difference(before, after, settings.effect(metric),
                                    settings.confidence, metric.scale)
    return MetricResult(current.category, current.router_mode, metric,
                        significance.spread(before),
                        significance.spread(after), found,
                        _verdict(metric, found.outcome), found.p_value)


def correct(metrics: list[MetricResult], settings: Settings
            ) -> list[MetricResult]:
    """``metrics`` with their p-values adjusted as ``settings`` says.

    Under ``'holm'`` every tested metric's p-value is adjusted for the
    number tested, and a regressed or improved metric whose adjusted
    p-value is not below 1 - confidence becomes inconclusive: its change
    reaches the minimum effect, but with that many metrics judged, noise
    could have produced it.  The minimum-effect rule is kept as it was;
    unchanged and inconclusive verdicts stand.
    """
    tested = [i for i, m in enumerate(metrics)
              if m.difference.p_value is not None]
    if settings.correction == 'none' or not tested:
        return list(metrics)
    corrected = list(metrics)
    adjusted = significance.holm([metrics[i].difference.p_value
                                  for i in tested])
    alpha = 1.0 - settings.confidence
    for index, p_value in zip(tested, adjusted):
        result = dataclasses.replace(metrics[index], adjusted_p=p_value)
        if p_value >= alpha and result.verdict in (Verdict.REGRESSED,
                                                   Verdict.IMPROVED):
            reason = ('inconclusive after Holm\'s correction for %d '
                      'metrics (adjusted p=%.2g, not below %.2g); alone it '
                      'was %s' % (len(tested), p_value, alpha,
                                  result.difference.reason))
            result = dataclasses.replace(
                result, verdict=Verdict.INCONCLUSIVE, held_back=True,
                difference=dataclasses.replace(
                    result.difference, reason=reason,
                    outcome=significance.Outcome.INCONCLUSIVE))
        corrected[index] = result
    return corrected


def compare_path(baseline: results.Row, current: results.Row
                 ) -> PathResult | None:
    """Whether the flow's path changed; None unless both runs checked it.

    Any change of a conclusive verdict is a regression, whichever way:
    the traffic no longer goes where it went.  Inconclusive verdicts on
    either side leave an unchanged path open.
    """
    if not baseline.verdicts or not current.verdicts:
        return None
    unsure = results.PathVerdict.INCONCLUSIVE
    before = set(baseline.verdicts) - {unsure}
    after = set(current.verdicts) - {unsure}
    texts = baseline.verdict_text(), current.verdict_text()
    if before and after and before != after:
        verdict, reason = Verdict.REGRESSED, (
            'the path changed: %s, then %s (expected %s)'
            % (texts + (current.expected.value,)))
    elif unsure in baseline.verdicts + current.verdicts:
        verdict, reason = Verdict.INCONCLUSIVE, (
            'an inconclusive path verdict: %s, then %s' % texts)
    else:
        verdict, reason = Verdict.UNCHANGED, 'the same path: %s' % texts[1]
    return PathResult(current.category, current.router_mode, texts[0],
                      texts[1], verdict, reason)


def _key(row: results.Row) -> tuple[str, topology.RouterMode]:
    return row.category.id, row.router_mode


def compare(baseline: Iterable[results.Row], current: Iterable[results.Row],
            settings: Settings) -> Comparison:
    """Every metric and path of the rows both runs have, in row order.

    :raises InvalidInput: when the runs share no category under one
        router mode, or no figure or path verdict of those they share:
        there is nothing to compare.
    """
    before = {_key(r): r for r in baseline}
    after = {_key(r): r for r in current}
    common = [row for key, row in after.items() if key in before]
    if not common:
        raise exceptions.InvalidInput(
            'the two runs share no category under the same router mode: '
            'the baseline has %s, the current run %s' % tuple(
                ', '.join('%s %s' % (r.category.shorthand,
                                     r.router_mode.value)
                          for r in rows.values()) or 'none'
                for rows in (before, after)))
    comparison = Comparison(
        settings, [], [],
        [(r.category, r.router_mode) for k, r in before.items()
         if k not in after],
        [(r.category, r.router_mode) for k, r in after.items()
         if k not in before], [])
    for row in common:
        old = before[_key(row)]
        where = '%s %s' % (row.category.shorthand, row.router_mode.value)
        for metric in METRICS:
            has = bool(old.values(metric.key)), bool(row.values(metric.key))
            if all(has):
                comparison.metrics.append(
                    compare_metric(old, row, metric, settings))
            elif any(has):
                comparison.notes.append('%s %s: measured in the %s run '
                                        'only' % (where, metric.label,
                                                  'baseline' if has[0]
                                                  else 'current'))
        path = compare_path(old, row)
        if path is not None:
            comparison.paths.append(path)
    if not comparison.metrics and not comparison.paths:
        raise exceptions.InvalidInput(
            'the two runs share categories but no figure and no path '
            'verdict: %s' % '; '.join(comparison.notes))
    comparison.metrics = correct(comparison.metrics, settings)
    return comparison
