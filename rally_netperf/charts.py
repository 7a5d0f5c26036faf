"""Chart plugins that show the NetPerf outputs in Rally's HTML report.

Rally's ``StatsTable`` heads its columns "Min (sec)", "Median (sec)" and
so on: it was made for durations.  The NetPerf figures are Mbit/s, ms,
percent and counts, with the unit in each chart's title, so they are
shown under the same statistics without a unit.

The path verdicts travel as a record (:mod:`rally_netperf.records`) that
SLAs and ``netperf-summary`` read back; the report shows it as a table
rendered from the typed rows.
"""

from __future__ import annotations

from typing import Any

from rally.common.plugin import plugin
from rally.task.processing import charts

from openstack_netperf.measure import significance
from openstack_netperf import results
from rally_netperf import records

NAME = records.STATS_PLUGIN
PATH_COLUMNS = ('category', 'thesis', 'router', 'expected', 'verdict',
                'as expected', 'sender', 'target', 'network nodes', 'burst',
                'reason')


@plugin.configure(name=NAME)
class FigureStatsTable(charts.OutputStatsTable):
    """Min, median, percentiles, max, mean and count of additive figures.

    Rally's StatsTable with unit-less column heads: the unit of the rows is
    in the title of the chart (e.g. "Throughput, Mbit/s").
    """

    columns = ['Figure', 'Min', 'Median', '90%ile', '95%ile', 'Max', 'Avg',
               'Count']


def path_table_row(row: results.PathRow) -> list[str]:
    """One flow's line of the path verdicts table, for people."""
    return [row.category.id, row.category.shorthand, row.router_mode.value,
            row.expected.value, row.verdict.value,
            'yes' if row.as_expected else 'no', row.sender, row.target,
            ', '.join(row.network_nodes), row.burst, row.reason]


@plugin.configure(name=records.PATH_PLUGIN)
class PathVerdictTable(charts.OutputTable):
    """An iteration's path verdict record, shown as a table.

    One row per checked flow: the verdict, what thesis Table 2.1 expected,
    the burst and the reason.
    """

    @classmethod
    def render_complete_data(cls, data: dict[str, Any]) -> dict[str, Any]:
        rows = records.decode_path_record(data['data'])
        return dict(data, data={'cols': list(PATH_COLUMNS),
                                'rows': [path_table_row(r) for r in rows]})


ROUNDS_COLUMNS = ('category', 'figure', 'median', 'lowest', 'highest',
                  'count', 'values')


@plugin.configure(name=records.ROUNDS_PLUGIN)
class RoundsTable(charts.OutputTable):
    """An iteration's per-round record of one category, as a table.

    One row per figure with its median and range over the rounds; the
    kept RTTs (many) show their count and range only.
    """

    @classmethod
    def render_complete_data(cls, data: dict[str, Any]) -> dict[str, Any]:
        rows = []
        for category, (figures, probes) in records.decode_rounds(
                data['data']).items():
            for key, values in list(figures.items()) + [
                    (records.PROBES, probes)]:
                if not values:
                    continue
                found = significance.spread(values)
                shown = ('' if key == records.PROBES
                         else ', '.join('%g' % v for v in values))
                rows.append([category.shorthand, key, found.median,
                             found.low, found.high, found.count, shown])
        return dict(data, data={'cols': list(ROUNDS_COLUMNS), 'rows': rows})


@plugin.configure(name=records.FINGERPRINT_PLUGIN)
class FingerprintTable(charts.OutputTable):
    """An iteration's cloud fingerprint, one fact per row.

    The record is validated as ``netperf-summary`` reads it, so the
    report shows no fingerprint the summary would refuse.
    """

    @classmethod
    def render_complete_data(cls, data: dict[str, Any]) -> dict[str, Any]:
        facts = records.decode_fingerprint_record(data['data'])
        return dict(data, data={'cols': list(records.FINGERPRINT_FIELDS),
                                'rows': [list(i) for i in facts.items()]})
