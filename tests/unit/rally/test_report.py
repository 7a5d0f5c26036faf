"""Rally's report code accepts and renders what the scenarios output."""

from __future__ import annotations

from rally.common.plugin import plugin
from rally.task.processing import charts

from rally_netperf.scenarios import netperf
from tests.unit.rally import test_scenarios


class ReportTest(test_scenarios.ScenarioTestCase):

    def _iterations(self, count):
        outputs = []
        for _ in range(count):
            scenario = self._scenario(netperf.MeasureReferenceTopology)
            scenario.run(image='netperf-guest', flavor='netperf.tiny',
                         categories=['HNR', '-HNR'],
                         **test_scenarios.FAST)
            outputs.append(scenario._output)
        return outputs

    def test_additive_outputs_aggregate_across_iterations(self):
        outputs = self._iterations(2)
        workload = {'total_iteration_count': 2}
        # As Rally's report does: the i-th additive output of every
        # iteration feeds the i-th chart.
        rendered = []
        for index, first in enumerate(outputs[0]['additive']):
            chart = plugin.Plugin.get(first['chart_plugin'])(
                workload, title=first['title'])
            for output in outputs:
                self.assertEqual(first['title'],
                                 output['additive'][index]['title'])
                chart.add_iteration(output['additive'][index]['data'])
            rendered.append(chart.render())
        self.assertEqual(6, len(rendered))
        throughput = rendered[0]
        self.assertEqual('Throughput, Mbit/s | HNR (intra_node_intra_subnet)',
                         throughput['title'])
        rows = {row[0]: row for row in throughput['data']['rows']}
        self.assertEqual({'TCP forward', 'TCP reverse'}, set(rows))
        self.assertEqual(2, rows['TCP forward'][-1])  # count of iterations
        # Mbit/s, ms and percent: no column says "(sec)" as Rally's own
        # StatsTable does.
        for chart in rendered:
            self.assertEqual(['Figure', 'Min', 'Median', '90%ile', '95%ile',
                              'Max', 'Avg', 'Count'], chart['data']['cols'])

    def test_complete_outputs_render(self):
        output = self._iterations(1)[0]
        widgets = []
        for complete in output['complete']:
            chart_cls = plugin.Plugin.get(complete['chart_plugin'])
            self.assertTrue(issubclass(chart_cls, charts.OutputChart))
            complete['widget'] = chart_cls.widget
            widgets.append(chart_cls.render_complete_data(complete)[
                'widget'])
        # Per category: throughput, RTT, what was measured; then the note
        # that no path was checked, and the results by category.
        self.assertEqual(['Lines', 'Lines', 'Table'] * 2
                         + ['TextArea', 'Table'],
                         widgets)
