"""tools/bench-overhead.py on a synthesized Rally JSON report."""

from __future__ import annotations

import io
import json

import fixtures
import testtools

from tests.unit import tools


def _load_tool():
    return tools.load('bench-overhead.py')


def _action(name, start, seconds, children=()):
    return {'name': name, 'started_at': start,
            'finished_at': start + seconds, 'children': list(children)}


REPORT = {'tasks': [{'subtasks': [
    {'title': 'Reference topology behind dvr routers', 'workloads': [{
        'scenario': {'NetPerf.measure_reference_topology': {
            'image': 'i', 'flavor': 'f', 'categories': ['HNR', '-HNR'],
            'duration': 5, 'omit': 1, 'ping_count': 12, 'ping_discard': 2,
            'ping_interval': 0.5, 'rounds': 1, 'warmup': 0}},
        'full_duration': 100.0, 'load_duration': 80.0,
        'data': [{'atomic_actions': [
            _action('netperf.boot_servers', 0.0, 20.0),
            _action('netperf.create_floating_ips', 20.0, 2.0),
            _action('netperf.wait_for_ssh', 22.0, 8.0),
            _action('HNR iperf3_tcp_forward', 30.0, 6.5),
            _action('HNR path_check', 36.5, 10.0)]}],
    }]},
    {'title': 'other', 'workloads': [{
        'scenario': {'Dummy.dummy': {}}, 'full_duration': 3.0,
        'data': [{'atomic_actions': []}]}]},
]}]}


class BenchOverheadTest(testtools.TestCase):

    def test_overhead_per_workload(self):
        tool = _load_tool()
        rows = tool.report_rows(REPORT)
        netperf, other = rows
        # Per category: 2 x 6 s iperf3 + 2 x 12 x 0.5 s ping = 24 s.
        self.assertEqual(48.0, netperf['configured'])
        self.assertEqual(22.0, netperf['boot'])
        self.assertEqual(8.0, netperf['ssh_wait'])
        self.assertEqual(100.0 - 22.0 - 48.0, netperf['overhead'])
        self.assertEqual(10.0, netperf['path_checks'])
        self.assertEqual(20.0, netperf['contexts'])
        # Thesis methodology: 2 x 60 s iperf3 + 2 x 60 pings, 3 rounds,
        # after a warm-up of at most 30 s, two categories = 1500 s around
        # the same 30 s of overhead.
        self.assertAlmostEqual(100.0 * 30 / (22 + 1500 + 30),
                               netperf['thesis_share'])
        self.assertIsNone(other['configured'])
        self.assertIsNone(other['thesis_share'])

    def test_main_prints_table(self):
        tool = _load_tool()
        path = self.useFixture(fixtures.TempDir()).join('report.json')
        with open(path, 'w') as handle:
            json.dump(REPORT, handle)
        out = io.StringIO()
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', out))
        self.assertEqual(0, tool.main([path]))
        text = out.getvalue()
        self.assertIn('Reference topology behind dvr routers', text)
        total = text.splitlines()[-1].split()
        self.assertEqual(['total', '100.0', '22.0', '48.0', '30.0', '30.0',
                          '8.0', '10.0', '20.0'], total)
        self.assertIn('at thesis durations %', text)

    def test_json_has_the_rows_and_the_total(self):
        tool = _load_tool()
        tmp = self.useFixture(fixtures.TempDir())
        report, figures = tmp.join('report.json'), tmp.join('figures.json')
        with open(report, 'w') as handle:
            json.dump(REPORT, handle)
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', io.StringIO()))
        self.assertEqual(0, tool.main([report, '--json', figures]))
        with open(figures) as handle:
            data = json.load(handle)
        self.assertEqual(2, len(data['workloads']))
        self.assertEqual(30.0, data['total']['overhead'])
        self.assertEqual(30.0, data['total']['overhead_percent'])
        self.assertEqual(48.0, data['total']['configured'])
