"""The statistics table of the NetPerf figures in Rally's HTML report.

Rally's ``StatsTable`` heads its columns "Min (sec)", "Median (sec)" and
so on: it was made for durations.  The NetPerf figures are Mbit/s, ms,
percent and counts, with the unit in each chart's title, so they are
shown under the same statistics without a unit.
"""

from __future__ import annotations

from rally.common.plugin import plugin
from rally.task.processing import charts

NAME = 'NetPerfStatsTable'


@plugin.configure(name=NAME)
class FigureStatsTable(charts.OutputStatsTable):
    """Min, median, percentiles, max, mean and count of additive figures.

    Rally's StatsTable with unit-less column heads: the unit of the rows is
    in the title of the chart (e.g. "Throughput, Mbit/s").
    """

    columns = ['Figure', 'Min', 'Median', '90%ile', '95%ile', 'Max', 'Avg',
               'Count']
