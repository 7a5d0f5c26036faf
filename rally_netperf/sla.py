"""SLA plugins on the figures the NetPerf scenarios report.

Each criterion reads the median-of-rounds figures of every successful
iteration, read back through :mod:`rally_netperf.records`, and keeps the
worst value seen per placement category; failed iterations are left to
Rally's ``failure_rate`` criterion.
"""

from __future__ import annotations

import abc
from typing import Any, Callable

from rally.task import sla

from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records

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


class _WorstValueSLA(sla.SLA):
    """Keeps, per category, the worst value of some figures."""

    # Summary keys the criterion checks, and how they are worded.
    KEYS: tuple[str, ...] = ()
    UNIT = ''
    # True: values must stay at or above the limit; False: at or below.
    MINIMUM = False

    def __init__(self, criterion_value: Any) -> None:
        super().__init__(criterion_value)
        self.worst: dict[tuple[str, str], float] = {}

    @abc.abstractmethod
    def limits(self) -> Callable[[str, str], float | None]:
        """The limit for (category id, key), or None when unchecked."""

    def _is_worse(self, new: float, old: float) -> bool:
        return new < old if self.MINIMUM else new > old

    def _ok(self, value: float, limit: float) -> bool:
        return value >= limit if self.MINIMUM else value <= limit

    def _recheck(self) -> bool:
        limit_of = self.limits()
        self.success = True
        for (category, key), value in self.worst.items():
            limit = limit_of(category, key)
            if limit is not None and not self._ok(value, limit):
                self.success = False
        return self.success

    def _record(self, category: str, key: str, value: float) -> None:
        old = self.worst.get((category, key))
        if old is None or self._is_worse(value, old):
            self.worst[(category, key)] = value

    def add_iteration(self, iteration: dict[str, Any]) -> bool:
        if not iteration.get('error'):
            for figures in records.decode_figures(iteration['output']):
                for key in self.KEYS:
                    if key in figures.values:
                        self._record(figures.category.id, key,
                                     figures.values[key])
        return self._recheck()

    def merge(self, other: _WorstValueSLA) -> bool:
        for (category, key), value in other.worst.items():
            self._record(category, key, value)
        return self._recheck()

    def details(self) -> str:
        limit_of = self.limits()
        lines = []
        for (category, key), value in sorted(self.worst.items()):
            limit = limit_of(category, key)
            if limit is None:
                continue
            lines.append('%s %s: worst %.3f %s %s %.3f %s (%s)' % (
                topology.get_category(category).shorthand, key, value,
                self.UNIT, '>=' if self.MINIMUM else '<=', limit,
                self.UNIT, 'ok' if self._ok(value, limit) else 'FAILED'))
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
class MinThroughput(_WorstValueSLA):
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
class MaxLatency(_WorstValueSLA):
    """Maximum RTT median and/or p95, ms, of every pair."""

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
class MaxLoss(_WorstValueSLA):
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
