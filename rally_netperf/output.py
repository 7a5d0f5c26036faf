"""Turn pair measurements and path checks into Rally outputs.

Additive outputs carry one figure per iteration (Rally's report then shows
their min / median / 90%ile / max across iterations); complete outputs carry
the per-second series, the RTTs and what exactly was measured.  The figures
and the path verdicts that SLAs and ``netperf-summary`` read back are
written through the codec :mod:`rally_netperf.records`; the rest is for
people only.
"""

from __future__ import annotations

from typing import Any, Iterable

from openstack_netperf.hosts import verdict
from openstack_netperf.measure import significance
from openstack_netperf import pair
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import paths
from rally_netperf import records

_title = records.item_title


def category_figures(category: topology.Category,
                     measurement: pair.PairMeasurement
                     ) -> results.CategoryFigures:
    """The typed figures of one category: medians, rounds, RTTs."""
    return results.CategoryFigures(
        category, measurement.summary(),
        {key: tuple(values)
         for key, values in measurement.per_round().items()},
        tuple(measurement.probes_ms()))


def additive(category: topology.Category,
             measurement: pair.PairMeasurement) -> list[dict[str, Any]]:
    """One additive output per chart, for one category."""
    return records.encode_figures(
        category_figures(category, measurement),
        'Median of %d rounds between %s and %s' % (
            measurement.settings.rounds, measurement.source,
            measurement.target))


def rounds_record(category: topology.Category,
                  measurement: pair.PairMeasurement) -> dict[str, Any]:
    """The record of each round's figures, for spreads and tests."""
    return records.encode_rounds(category_figures(category, measurement))


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
                   'RTT median ms', 'RTT p95 ms', 'ping loss %',
                   'path verdict']


def summary_row(category: topology.Category, router_mode: str,
                measurement: pair.PairMeasurement,
                path: paths.PathResult | None = None) -> list[Any]:
    """One row of the per-category results table (thesis Fig. 5.8/5.9).

    Each figure is the median of the rounds with their range.
    """
    figures = measurement.per_round()

    def cell(key: str) -> Any:
        if key not in figures:
            return ''
        return significance.spread(figures[key]).text('%.2f')

    return [category.id, category.shorthand, router_mode,
            'yes' if category.crosses_network_node(router_mode) else 'no',
            cell('tcp_forward_mbps'), cell('tcp_reverse_mbps'),
            cell('rtt_median_ms'), cell('rtt_p95_ms'),
            cell('ping_loss_percent'),
            path.verdict.verdict.value if path else results.NOT_CHECKED]


def summary_table(rows: list[list[Any]], rounds: int) -> dict[str, Any]:
    """The results of every category measured in one iteration."""
    return {
        'title': 'Results by category',
        'description': 'Median of %d rounds per figure (lowest-highest '
                       'round, number of rounds), as in thesis figures '
                       '5.8 (throughput) and 5.9 (latency)' % rounds,
        'chart_plugin': 'Table',
        'data': {'cols': list(SUMMARY_COLUMNS), 'rows': rows},
    }


def category_chart(router_mode: str,
                   figures: Iterable[results.CategoryFigures],
                   checked: Iterable[paths.PathResult]) -> dict[str, Any]:
    """This iteration's share of the chart across categories.

    Rally's report draws it (:mod:`rally_netperf.charts`) from every
    iteration's share, on the page of the aggregated outputs.
    """
    return records.encode_category_chart(
        topology.parse_router_mode(router_mode), figures,
        [(r.category, r.verdict.verdict) for r in checked])


def path_row(result: paths.PathResult, router_mode: str,
             network_nodes: Iterable[str]) -> results.PathRow:
    """The typed record of one checked flow."""
    v = result.verdict
    return results.PathRow(
        result.category, topology.parse_router_mode(router_mode),
        v.expected_crossing, v.verdict, result.sender, result.target,
        tuple(network_nodes), result.sent, v.reason, v.method)


def path_verdicts(checked: list[paths.PathResult], router_mode: str,
                  network_nodes: list[str]) -> dict[str, Any]:
    """One row per checked flow: the verdict, what was expected, why."""
    return records.encode_paths(path_row(r, router_mode, network_nodes)
                                for r in checked)


def path_not_checked() -> dict[str, Any]:
    """The note an iteration without node access carries instead."""
    return {
        'title': records.PATH_TITLE,
        'description': 'No path verdicts',
        'chart_plugin': 'TextArea',
        'data': ['Node access is not configured (no netperf_node_access '
                 'context), so no flow\'s path was checked. Give the task '
                 'node access (e.g. the node_access args of '
                 'samples/netperf.yaml) to record whether each flow '
                 'crossed the network node.'],
    }


def path_evidence(result: paths.PathResult) -> dict[str, Any]:
    """The counters that moved most around the traffic judged.

    With their noise for a burst; a flow has none measured
    (:class:`openstack_netperf.hosts.probe.FlowWatch` says why).
    """
    v = result.verdict
    burst = v.method == verdict.BURST
    rows = [[role, str(e.key), e.packets, e.bytes]
            + ([round(e.noise_packets, 1)] if burst else [])
            for role, items in (('network node', v.network_evidence),
                                ('compute', v.compute_evidence))
            for e in items]
    return {
        'title': _title('Path evidence', result.category),
        'description': '%s: %s; judged from the %s: %s from %s to %s' % (
            v.verdict.value, v.reason, v.method, result.sent, result.sender,
            result.target),
        'chart_plugin': 'Table',
        'data': {'cols': ['node', 'counter', 'packets', 'bytes']
                 + (['noise packets (burst-long)'] if burst else []),
                 'rows': rows},
    }


def path_marker(result: paths.PathResult) -> dict[str, Any]:
    """An additive marker of the verdict, counted across iterations."""
    v = result.verdict
    return {
        'title': _title('Path verdict', result.category),
        'description': '1 = yes, 0 = no (expected: %s)'
                       % verdict.PathVerdict.expected(
                           v.expected_crossing).value,
        'chart_plugin': records.STATS_PLUGIN,
        'data': [['crossed the network node',
                  int(v.verdict is verdict.PathVerdict.CROSSED)],
                 ['inconclusive',
                  int(v.verdict is verdict.PathVerdict.INCONCLUSIVE)],
                 ['as expected', int(v.as_expected)]],
    }
