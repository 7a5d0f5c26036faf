"""Turn pair measurements into Rally outputs, and read them back for SLAs.

Additive outputs carry one figure per iteration (Rally's report then shows
their min / median / 90%ile / max across iterations); complete outputs carry
the per-second series, the RTTs and what exactly was measured.  The SLA
plugins find their figures again through :func:`figures_of_iteration`, so
titles and labels are defined once, here.
"""

from __future__ import annotations

from typing import Any, Iterable

from openstack_netperf import pair
from openstack_netperf import topology

# Additive charts: (title, [(label, summary key), ...]).
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
_SEPARATOR = ' | '
_KEY_BY_LABEL = {(title, label): key
                 for title, rows in ADDITIVE_CHARTS for label, key in rows}


def _title(base: str, category: topology.Category) -> str:
    return '%s%s%s (%s)' % (base, _SEPARATOR, category.shorthand,
                            category.id)


def additive(category: topology.Category,
             measurement: pair.PairMeasurement) -> list[dict[str, Any]]:
    """One additive output per chart, for one category."""
    summary = measurement.summary()
    outputs = []
    for base, rows in ADDITIVE_CHARTS:
        data = [[label, round(summary[key], 3)]
                for label, key in rows if key in summary]
        if data:
            outputs.append({
                'title': _title(base, category),
                'description': 'Median of %d rounds between %s and %s'
                               % (measurement.settings.rounds,
                                  measurement.source, measurement.target),
                'chart_plugin': 'StatsTable',
                'data': data,
            })
    return outputs


def figures_of_iteration(iteration: dict[str, Any]
                         ) -> dict[str, dict[str, float]]:
    """The figures a scenario reported, by category id then summary key."""
    figures: dict[str, dict[str, float]] = {}
    for item in (iteration.get('output') or {}).get('additive', []):
        base, sep, rest = item.get('title', '').partition(_SEPARATOR)
        if not sep or not rest.endswith(')') or '(' not in rest:
            continue
        category_id = rest[rest.rindex('(') + 1:-1]
        for label, value in item.get('data', []):
            key = _KEY_BY_LABEL.get((base, label))
            if key is not None:
                figures.setdefault(category_id, {})[key] = float(value)
    return figures


def throughput_chart(category: topology.Category,
                     measurement: pair.PairMeasurement) -> dict[str, Any]:
    """Per-second TCP throughput of every run, as a line chart."""
    return {
        'title': _title('Per-second TCP throughput', category),
        'description': 'iperf3 intervals after the %d s warm-up; forward is '
                       '%s to %s' % (measurement.settings.omit,
                                     measurement.source, measurement.target),
        'chart_plugin': 'Lines',
        'data': [[label, [[i + 1, round(v, 3)]
                          for i, v in enumerate(series)]]
                 for label, series in pair.iter_throughput_series(
                     measurement)],
        'label': 'Mbit/s',
        'axis_label': 'second',
    }


def rtt_chart(category: topology.Category,
              measurement: pair.PairMeasurement) -> dict[str, Any]:
    """Every kept RTT of every round and direction, as a line chart."""
    data = []
    for index, rnd in enumerate(measurement.rounds, start=1):
        for label, result in (('forward', rnd.ping_forward),
                              ('reverse', rnd.ping_reverse)):
            data.append(['%s round %d' % (label, index),
                         [[i + 1, round(v, 3)]
                          for i, v in enumerate(result.rtts_ms)]])
    return {
        'title': _title('Round-trip time per probe', category),
        'description': 'ping probes after the first %d were discarded'
                       % measurement.settings.ping_discard,
        'chart_plugin': 'Lines',
        'data': data,
        'label': 'ms',
        'axis_label': 'probe',
    }


def what_was_measured(category: topology.Category,
                      facts: Iterable[tuple[str, Any]]) -> dict[str, Any]:
    """A two-column table of the measurement's facts."""
    return {
        'title': _title('What was measured', category),
        'description': category.description,
        'chart_plugin': 'Table',
        'data': {'cols': ['what', 'value'],
                 'rows': [[name, '' if value is None else str(value)]
                          for name, value in facts]},
    }


SUMMARY_COLUMNS = ['category', 'thesis', 'router', 'crosses network node',
                   'TCP forward Mbit/s', 'TCP reverse Mbit/s',
                   'RTT median ms', 'RTT p95 ms', 'ping loss %']


def summary_row(category: topology.Category, router_mode: str,
                measurement: pair.PairMeasurement) -> list[Any]:
    """One row of the per-category results table (thesis Fig. 5.8/5.9)."""
    summary = measurement.summary()

    def cell(key: str) -> Any:
        return round(summary[key], 3) if key in summary else ''

    return [category.id, category.shorthand, router_mode,
            'yes' if category.crosses_network_node(router_mode) else 'no',
            cell('tcp_forward_mbps'), cell('tcp_reverse_mbps'),
            cell('rtt_median_ms'), cell('rtt_p95_ms'),
            cell('ping_loss_percent')]


def summary_table(rows: list[list[Any]], rounds: int) -> dict[str, Any]:
    """The results of every category measured in one iteration."""
    return {
        'title': 'Results by category',
        'description': 'Median of %d rounds per figure, as in thesis '
                       'figures 5.8 (throughput) and 5.9 (latency)' % rounds,
        'chart_plugin': 'Table',
        'data': {'cols': list(SUMMARY_COLUMNS), 'rows': rows},
    }
