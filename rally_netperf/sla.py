"""SLA plugins on the figures the NetPerf scenarios report.

A criterion on figures does not fail on one spike: it pools, per placement
category, every round of every successful iteration (and, for latency,
every kept RTT), read back through :mod:`rally_netperf.records`, and fails
only when it is :data:`CONFIDENCE` sure that the limit is broken (a
one-sided confidence bound from :mod:`openstack_netperf.measure.
significance`: of the mean of the rounds for throughput and loss, of the
percentile of the probes for latency).  With one round (or a report of a
version that recorded no rounds) the one value decides, and the details
say so.  Failed iterations are left to Rally's ``failure_rate`` criterion.

``netperf_baseline`` compares the workload with a saved run instead of a
fixed limit, through the same :mod:`openstack_netperf.comparison` as the
``netperf-compare`` command.
"""

from __future__ import annotations

import abc
from typing import Any, Callable

from rally.common import validation
from rally.task import sla

from openstack_netperf import comparison
from openstack_netperf import exceptions
from openstack_netperf import fingerprint
from openstack_netperf.measure import significance
from openstack_netperf.measure import stats
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import compare
from rally_netperf import records
from rally_netperf import validators

# How sure a criterion must be that a limit is broken before it fails.
CONFIDENCE = 0.95
_CATEGORY_KEYS = topology.valid_category_names() + ['default']


def _per_category_schema(description: str,
                         maximum: float | None = None) -> dict[str, Any]:
    # Draft 7 (Rally's default when no $schema is given) for propertyNames
    # and if/then/else: unlike oneOf, they make jsonschema name the value
    # and the bound that failed, not "not valid under any of the schemas".
    limit: dict[str, Any] = {'type': 'number', 'minimum': 0}
    if maximum is not None:
        limit['maximum'] = maximum
    return {
        'description': description,
        'type': ['number', 'object'],
        'if': {'type': 'number'},
        'then': limit,
        'else': {'minProperties': 1,
                 'propertyNames': {'enum': _CATEGORY_KEYS},
                 'additionalProperties': limit},
    }


class _ConfidentLimitSLA(sla.SLA):
    """Pools, per category and figure, the values a limit is checked on."""

    # Summary keys the criterion checks, and how they are worded.
    KEYS: tuple[str, ...] = ()
    UNIT = ''
    # True: values must stay at or above the limit; False: at or below.
    MINIMUM = False

    def __init__(self, criterion_value: Any) -> None:
        super().__init__(criterion_value)
        self.values: dict[tuple[str, str], list[float]] = {}

    @abc.abstractmethod
    def limits(self) -> Callable[[str, str], float | None]:
        """The limit for (category id, key), or None when unchecked."""

    def pooled(self, figures: results.CategoryFigures,
               key: str) -> list[float]:
        """What one iteration adds for ``key``: its rounds, else median."""
        return list(figures.rounds.get(key) or [figures.values[key]])

    def bound(self, key: str, values: list[float]) -> float | None:
        """The confidence bound on the side that can break the limit."""
        return significance.mean_bound(values, CONFIDENCE,
                                       upper=self.MINIMUM)

    def estimate(self, key: str, values: list[float]) -> float:
        """The figure itself, as the details show it."""
        return significance.spread(values).median

    def _decide(self, key: str, values: list[float],
                limit: float) -> tuple[bool, str]:
        """(ok, how it was decided) for one category and key."""
        bound = self.bound(key, values)
        if bound is None:
            value, how = values[0], 'one value, no spread'
        else:
            value, how = bound, '%d%% %s bound of %d values' % (
                round(CONFIDENCE * 100), 'upper' if self.MINIMUM
                else 'lower', len(values))
        ok = value >= limit if self.MINIMUM else value <= limit
        return ok, '%.3f %s (%s %.3f)' % (self.estimate(key, values),
                                          self.UNIT, how, value)

    def _checked(self) -> list[tuple[str, str, float, bool, str]]:
        limit_of = self.limits()
        checked = []
        for (category, key), values in sorted(self.values.items()):
            limit = limit_of(category, key)
            if limit is not None:
                checked.append((category, key, limit)
                               + self._decide(key, values, limit))
        return checked

    def _recheck(self) -> bool:
        self.success = all(ok for *_rest, ok, _how in self._checked())
        return self.success

    def _record(self, category: str, key: str, values: list[float]) -> None:
        self.values.setdefault((category, key), []).extend(values)

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if not iteration.get('error'):
            for figures in records.decode_figures(iteration['output']):
                for key in self.KEYS:
                    if key in figures.values:
                        self._record(figures.category.id, key,
                                     self.pooled(figures, key))
        return self._recheck()

    def merge(self, other: _ConfidentLimitSLA) -> bool:
        for (category, key), values in other.values.items():
            self._record(category, key, values)
        return self._recheck()

    def details(self) -> str:
        lines = ['%s %s: %s %s %.3f %s (%s)' % (
            topology.get_category(category).shorthand, key, how,
            '>=' if self.MINIMUM else '<=', limit, self.UNIT,
            'ok' if ok else 'FAILED')
            for category, key, limit, ok, how in self._checked()]
        if not lines:
            lines.append('no figures reported yet')
        return '%s - %s' % (self.status(), '; '.join(lines))


def _limit_by_category(config: Any) -> Callable[[str], float | None]:
    if isinstance(config, (int, float)):
        return lambda _category: float(config)
    by_id = {topology.get_category(name).id: float(value)
             for name, value in config.items() if name != 'default'}
    default = config.get('default')

    def limit(category: str) -> float | None:
        if category in by_id:
            return by_id[category]
        return None if default is None else float(default)
    return limit


@sla.configure(name='netperf_min_throughput')
class MinThroughput(_ConfidentLimitSLA):
    """Minimum TCP throughput, Mbit/s, in each direction of every pair.

    Either one number for every category, or a mapping from category (id
    or thesis shorthand, or ``default``) to a number.
    """

    CONFIG_SCHEMA = _per_category_schema('Minimum TCP throughput in Mbit/s')
    KEYS = ('tcp_forward_mbps', 'tcp_reverse_mbps')
    UNIT = 'Mbit/s'
    MINIMUM = True

    def limits(self) -> Callable[[str, str], float | None]:
        by_category = _limit_by_category(self.criterion_value)
        return lambda category, _key: by_category(category)


@sla.configure(name='netperf_max_latency')
class MaxLatency(_ConfidentLimitSLA):
    """Maximum RTT median and/or p95, ms, of every pair.

    Checked on every kept RTT of every round (the probes): it fails when
    the lower confidence bound of that percentile of the probes is above
    the limit, so one slow probe among many does not fail it.
    """

    PERCENT = {'rtt_median_ms': 50.0, 'rtt_p95_ms': 95.0}

    CONFIG_SCHEMA = {
        'type': 'object',
        'properties': {
            'median': _per_category_schema('Maximum RTT median in ms'),
            'p95': _per_category_schema('Maximum RTT 95th percentile in ms'),
        },
        'minProperties': 1,
        'additionalProperties': False,
    }
    KEYS = ('rtt_median_ms', 'rtt_p95_ms')
    UNIT = 'ms'

    def pooled(self, figures: results.CategoryFigures,
               key: str) -> list[float]:
        return list(figures.probes_ms) or super().pooled(figures, key)

    def bound(self, key: str, values: list[float]) -> float | None:
        return significance.percentile_bound(values, self.PERCENT[key],
                                             CONFIDENCE, upper=False)

    def estimate(self, key: str, values: list[float]) -> float:
        return stats.percentile(values, self.PERCENT[key])

    def limits(self) -> Callable[[str, str], float | None]:
        per_key = {
            'rtt_median_ms': self.criterion_value.get('median'),
            'rtt_p95_ms': self.criterion_value.get('p95'),
        }
        resolved = {key: _limit_by_category(value)
                    for key, value in per_key.items() if value is not None}

        def limit(category: str, key: str) -> float | None:
            by_category = resolved.get(key)
            return by_category(category) if by_category else None
        return limit


@sla.configure(name='netperf_max_loss')
class MaxLoss(_ConfidentLimitSLA):
    """Maximum ping loss, percent, of every pair (per category allowed)."""

    CONFIG_SCHEMA = _per_category_schema('Maximum ping loss in %', 100)
    KEYS = ('ping_loss_percent',)
    UNIT = '%'

    def limits(self) -> Callable[[str, str], float | None]:
        by_category = _limit_by_category(self.criterion_value)
        return lambda category, _key: by_category(category)


@sla.configure(name='netperf_expected_path')
class ExpectedPath(sla.SLA):
    """Every recorded path verdict matches the expected-path table.

    Reads the verdicts the scenarios record when the
    ``netperf_node_access`` context is configured.  Fails on a verdict
    that contradicts thesis Table 2.1 (extended with north-south
    traffic), on an inconclusive one unless ``allow_inconclusive`` is
    true, and on a successful iteration that recorded no verdict at all.
    """

    CONFIG_SCHEMA = {
        'description': 'true, or {allow_inconclusive: bool}',
        'oneOf': [
            {'type': 'boolean', 'enum': [True]},
            {'type': 'object',
             'properties': {'allow_inconclusive': {'type': 'boolean'}},
             'additionalProperties': False},
        ],
    }

    def __init__(self, criterion_value: Any) -> None:
        super().__init__(criterion_value)
        config = criterion_value if isinstance(criterion_value, dict) else {}
        self.allow_inconclusive = config.get('allow_inconclusive', False)
        self.checked = 0
        self.unchecked = 0
        self.problems: list[str] = []

    def _recheck(self) -> bool:
        self.success = not self.problems and not self.unchecked
        return self.success

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if iteration.get('error'):
            return self._recheck()
        rows = records.decode_paths(iteration['output'])
        if rows is None:
            self.unchecked += 1
            return self._recheck()
        for row in rows:
            self.checked += 1
            where = '%s under a %s router' % (row.category.shorthand,
                                              row.router_mode.value)
            if row.verdict is results.PathVerdict.INCONCLUSIVE:
                if not self.allow_inconclusive:
                    self.problems.append('%s: inconclusive (%s)'
                                         % (where, row.reason))
            elif not row.as_expected:
                self.problems.append('%s: %s, expected %s (%s)' % (
                    where, row.verdict.value, row.expected.value,
                    row.reason))
        return self._recheck()

    def merge(self, other: ExpectedPath) -> bool:
        self.checked += other.checked
        self.unchecked += other.unchecked
        self.problems.extend(other.problems)
        return self._recheck()

    def details(self) -> str:
        parts = []
        if self.unchecked:
            parts.append('%d iteration(s) recorded no path verdict: give '
                         'the task the netperf_node_access context (node '
                         'access) or drop netperf_expected_path'
                         % self.unchecked)
        parts.extend(self.problems)
        if not parts:
            parts.append('%d flow(s) took the expected path' % self.checked
                         if self.checked else 'no iteration yet')
        return '%s - %s' % (self.status(), '; '.join(parts))


_EFFECT = {'type': 'number', 'minimum': 0}


def _settings(config: dict[str, Any]) -> comparison.Settings:
    """The test's settings from the SLA's configuration."""
    return comparison.Settings.build(config.get('min_effect'),
                                     config.get('confidence'),
                                     config.get('correction'))


@validation.configure(name='netperf_baseline_file')
class BaselineFileValidator(validation.Validator):
    """The baseline file can be compared with, before anything boots."""

    def validate(self, context, config, plugin_cls, plugin_cfg):
        if not validators.conforms(plugin_cfg, plugin_cls.CONFIG_SCHEMA):
            return      # Rally's jsonschema check says what is wrong
        try:
            _settings(plugin_cfg)
            compare.read_baseline(plugin_cfg['baseline'],
                                  topology.parse_router_mode(
                                      plugin_cfg['router_mode']))
        except exceptions.InvalidInput as exc:
            self.fail('netperf_baseline: %s' % exc)


@validation.add('netperf_baseline_file')
@sla.configure(name='netperf_baseline')
class Baseline(sla.SLA):
    """No regression against a saved run (a baseline).

    ``baseline``: a Rally JSON report or ``netperf-summary --format
    json`` file of an earlier run; ``router_mode``: the workload's
    (``legacy`` or ``dvr``), whose baseline rows it is compared with;
    ``min_effect``: percent for every metric, or per metric name
    (percentage points for ``loss``); ``confidence`` of the test;
    ``correction``: ``holm`` (default, regressed and improved verdicts
    hold after Holm's correction for the number of metrics compared) or
    ``none``.  Fails when a metric regressed or a path verdict changed;
    the details say first what differs between the baseline's cloud and
    this one (their fingerprints), then name each regressed and improved
    metric.
    """

    CONFIG_SCHEMA = {
        'type': 'object',
        'properties': {
            'baseline': {'type': 'string', 'minLength': 1},
            'router_mode': {'enum': [m.value for m in topology.RouterMode]},
            'min_effect': {
                'type': ['number', 'object'],
                'if': {'type': 'number'},
                'then': _EFFECT,
                'else': {'minProperties': 1,
                         'propertyNames': {'enum': list(
                             comparison.METRIC_NAMES + (comparison.DEFAULT,
                                                        ))},
                         'additionalProperties': _EFFECT},
            },
            'confidence': {'type': 'number', 'exclusiveMinimum': 0,
                           'exclusiveMaximum': 1},
            'correction': {'enum': list(comparison.CORRECTIONS)},
        },
        'required': ['baseline', 'router_mode'],
        'additionalProperties': False,
    }

    def __init__(self, criterion_value: Any) -> None:
        super().__init__(criterion_value)
        self.mode = topology.parse_router_mode(criterion_value['router_mode'])
        self.figures: list[results.CategoryFigures] = []
        self.paths: list[results.PathRow] = []
        self.prints: list[dict[str, str]] = []
        self.found: comparison.Comparison | None = None
        self.problem = ''
        try:
            self.settings = _settings(criterion_value)
            self.baseline = compare.read_baseline(
                criterion_value['baseline'], self.mode)
        except exceptions.InvalidInput as exc:
            self.problem = str(exc)
            self.success = False

    def _recheck(self) -> bool:
        if self.problem or not self.figures:
            return self.success
        try:
            self.found = comparison.compare(
                self.baseline.rows, results.tabulate(
                    [(self.mode, f) for f in self.figures], self.paths),
                self.settings)
        except exceptions.InvalidInput as exc:
            self.found, self.success = None, False
            self.problem = 'nothing to compare: %s' % exc
            return self.success
        self.success = not self.found.regressed
        return self.success

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        output = iteration.get('output')
        # What a failed iteration measured on still counts, as in
        # netperf-summary.
        if isinstance(output, dict):
            self.prints.append(records.decode_fingerprint(output) or {})
        if not iteration.get('error'):
            self.figures += records.decode_figures(output)
            self.paths += records.decode_paths(output) or []
        return self._recheck()

    def merge(self, other: Baseline) -> bool:
        self.figures += other.figures
        self.paths += other.paths
        self.prints += other.prints
        return self._recheck()

    def details(self) -> str:
        if self.problem:
            return '%s - %s' % (self.status(), self.problem)
        if self.found is None:
            return '%s - no figures reported yet' % self.status()
        changed = self.found.with_verdict(comparison.Verdict.REGRESSED,
                                          comparison.Verdict.IMPROVED)
        note, items = compare.across_text(
            self.baseline.fingerprint,
            fingerprint.merge(p for p in self.prints if p))
        return '%s - compared across: %s; against %s: %s%s' % (
            self.status(), ', '.join(items) or note,
            self.criterion_value['baseline'],
            ', '.join('%d %s' % (self.found.count(v), v.value)
                      for v in comparison.Verdict),
            ''.join('; ' + r.describe() for r in changed))
