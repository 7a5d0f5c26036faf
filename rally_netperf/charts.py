"""Chart plugins that show the NetPerf outputs in Rally's HTML report.

Rally's ``StatsTable`` heads its columns "Min (sec)", "Median (sec)" and
so on: it was made for durations.  The NetPerf figures are Mbit/s, ms,
percent and counts, with the unit in each chart's title, so they are
shown under the same statistics without a unit.

The path verdicts travel as a record (:mod:`rally_netperf.records`) that
SLAs and ``netperf-summary`` read back; the report shows it as a table
rendered from the typed rows.

Rally draws nothing across the outputs of an iteration: each additive
output becomes its own table.  The chart across categories is therefore
a plugin of its own that gathers its pairs from every iteration and
hands Rally's ``EmbedChart`` widget an offline page with the SVG charts
of :mod:`rally_netperf.summary_html`.  (Rally's own ``EmbeddedChart``
takes a string, which Rally's output validation refuses.)
"""

from __future__ import annotations

import html
from typing import Any

from rally.common.plugin import plugin
from rally.task.processing import charts

from openstack_netperf import exceptions
from openstack_netperf.measure import significance
from openstack_netperf import results
from rally_netperf import records
from rally_netperf import summary_html
from rally_netperf import svg

NAME = records.STATS_PLUGIN
PATH_COLUMNS = ('category', 'thesis', 'router', 'expected', 'verdict',
                'as expected', 'judged from', 'sender', 'target',
                'network nodes', 'traffic', 'reason')


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
            'yes' if row.as_expected else 'no', row.method, row.sender,
            row.target, ', '.join(row.network_nodes), row.burst, row.reason]


@plugin.configure(name=records.PATH_PLUGIN)
class PathVerdictTable(charts.OutputTable):
    """An iteration's path verdict record, shown as a table.

    One row per checked flow: the verdict, what thesis Table 2.1 expected,
    the traffic it was judged from (the burst or the measured flow) and
    the reason.
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


@plugin.configure(name=records.CATEGORY_CHART_PLUGIN)
class CategoryChart(charts.OutputChart):
    """Throughput and latency of every category, across iterations.

    Bars are medians of every round, whiskers the range of the rounds,
    marks the path verdicts: thesis figures 5.8 and 5.9 for one router
    mode.  A record that cannot be read shows why instead of breaking
    the whole report.
    """

    widget = 'EmbedChart'

    def __init__(self, workload: dict[str, Any], zipped_size: int = 1000,
                 **kwargs: Any):
        super().__init__(workload, zipped_size, **kwargs)
        self._iterations: list[Any] = []

    def add_iteration(self, iteration: Any) -> None:
        self._iterations.append(iteration)

    def render(self) -> dict[str, Any]:
        try:
            page = summary_html.rally_page(
                self.title, records.decode_category_chart(self._iterations))
        except exceptions.InvalidInput as exc:
            page = svg.page(self.title, [('Cannot draw this chart',
                                          '<p>%s</p>' % html.escape(
                                              str(exc)))])
        return dict(super().render(), data={'source': None,
                                            'embedded': page})
