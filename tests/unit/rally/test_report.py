"""Rally's report code accepts and renders what the scenarios output."""

from __future__ import annotations

import json
import tempfile

from rally.cli import task_results_loader
from rally.common.plugin import plugin
from rally.task.processing import charts
from rally.task.processing import plot

from rally_netperf import charts as netperf_charts
from rally_netperf import records
from rally_netperf.scenarios import netperf
from tests.unit.rally import test_scenarios
from tests.unit import test_summary


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
        # Throughput, latency, loss and warm-up, for each category; then
        # the chart across categories.
        self.assertEqual(9, len(rendered))
        chart = rendered.pop()
        self.assertEqual(('EmbedChart', records.CATEGORY_CHART_TITLE, None),
                         (chart['widget'], chart['title'],
                          chart['data']['source']))
        page = chart['data']['embedded']
        self.assertIn('<svg', page)
        self.assertIn('Throughput, Mbit/s', page)
        self.assertIn('Round-trip time, ms', page)
        self.assertIn('>-HNR</text>', page)
        self.assertNotIn('<script', page)
        self.assertEqual('Warm-up | HNR (intra_node_intra_subnet)',
                         rendered[3]['title'])
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
        # The cloud fingerprint; per category: its rounds, throughput,
        # RTT, what was measured; then the note that no path was checked,
        # and the results by category.
        self.assertEqual(['Table'] + ['Table', 'Lines', 'Lines', 'Table'] * 2
                         + ['TextArea', 'Table'],
                         widgets)

    def test_path_record_renders_as_a_table(self):
        report = test_summary._load()
        iteration = test_summary._workload(report, 1)['data'][0]
        record = [c for c in iteration['output']['complete']
                  if c['title'] == records.PATH_TITLE][0]
        chart_cls = plugin.Plugin.get(record['chart_plugin'])
        self.assertIs(netperf_charts.PathVerdictTable, chart_cls)
        self.assertEqual('Table', chart_cls.widget)
        rendered = chart_cls.render_complete_data(dict(record,
                                                       widget='Table'))
        self.assertEqual(records.PATH_TITLE, rendered['title'])
        self.assertEqual(list(netperf_charts.PATH_COLUMNS),
                         rendered['data']['cols'])
        h_nr = rendered['data']['rows'][1]
        # The report predates flow verdicts: its verdicts are bursts'.
        self.assertEqual(['intra_node_inter_subnet', 'H-NR', 'dvr',
                          'not crossed', 'not crossed', 'yes', 'burst',
                          'guest A1'], h_nr[:8])
        self.assertEqual('network', h_nr[9])

    def test_report_file_loads_and_renders_in_rally(self):
        # "rally task report FILE --html" validates the file against
        # Rally's task schema, then renders every output.
        tasks = task_results_loader.load(test_summary.REPORT)
        html = plot.plot(tasks)
        self.assertIn('as expected', html)
        self.assertNotIn('expected_crossing', html)

    def test_fingerprint_renders_in_rally(self):
        report = test_summary._with_fingerprints(test_summary._load())
        with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
            json.dump(report, handle)
            handle.flush()
            html = plot.plot(task_results_loader.load(handle.name))
        self.assertIn(records.FINGERPRINT_TITLE, html)
        self.assertIn('node.compute-01.kernel', html)

    def test_category_chart_in_rally_report(self):
        # The stored report carries the chart as the scenario writes it:
        # Rally's loader validates it against its task schema and its
        # report embeds the page.
        report = test_summary._load()
        with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
            json.dump(report, handle)
            handle.flush()
            html = plot.plot(task_results_loader.load(handle.name))
        self.assertEqual(2, html.count('"widget": "EmbedChart"'))
        self.assertIn(records.CATEGORY_CHART_TITLE, html)
        # Rally's own statistics accept the pairs (rally task detailed).
        table = charts.OutputStatsTable({'total_iteration_count': 2},
                                        title='t')
        table.add_iteration(report['tasks'][0]['subtasks'][0]['workloads'][
            0]['data'][0]['output']['additive'][-1]['data'])
        rows = {r[0]: r for r in table.render()['data']['rows']}
        self.assertEqual(610.0, rows['H-NR TCP forward'][2])

    def test_category_chart_renders_legacy_marks_and_errors(self):
        chart = netperf_charts.CategoryChart({'total_iteration_count': 1},
                                             title='By category')
        chart.add_iteration([['router legacy', 1], ['H-NR TCP forward', 5],
                             ['H-NR path not crossed', 1]])
        page = chart.render()['data']['embedded']
        self.assertIn('legacy routers', page)
        self.assertIn('not crossed (expected crossed)', page)
        chart.add_iteration([['H-NR TCP forward', None]])
        page = chart.render()['data']['embedded']
        self.assertIn('Cannot draw this chart', page)
        self.assertIn('data[1][0][1]: expected a number, got null', page)
        empty = netperf_charts.CategoryChart({'total_iteration_count': 0})
        self.assertIn('No iteration recorded figures',
                      empty.render()['data']['embedded'])
