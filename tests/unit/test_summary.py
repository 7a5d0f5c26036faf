"""netperf-summary over a Rally JSON report made by Rally's own code.

tests/unit/data/summary/rally-report.json comes from
``python -m tests.unit.rally.report_data``: the reference-topology
scenario run behind legacy and DVR routers (two iterations each) over the
fake cloud, guests and nodes of tests/unit/rally, exported by Rally's
``json`` exporter (see that module).
"""

from __future__ import annotations

import copy
import io
import json
import os
import tempfile

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf import summary
from openstack_netperf import topology

REPORT = os.path.join(os.path.dirname(__file__), 'data', 'summary',
                      'rally-report.json')


def _load():
    with open(REPORT) as handle:
        return json.load(handle)


def _iterations(report):
    for task in report['tasks']:
        for subtask in task['subtasks']:
            for workload in subtask['workloads']:
                mode = workload['contexts']['netperf_topology'][
                    'router_mode']
                for iteration in workload['data']:
                    yield mode, iteration


def _by_claim(found):
    return {f.claim[:3]: f for f in found}


class CollectTest(testtools.TestCase):

    def test_rows_by_category_and_mode(self):
        rows = summary.collect(_load())
        self.assertEqual(
            [(c.shorthand, m) for c in topology.CATEGORIES
             for m in ('legacy', 'dvr')],
            [(r.category.shorthand, r.router_mode) for r in rows])
        hnr_legacy = rows[2].as_dict()
        self.assertEqual('H-NR', hnr_legacy['thesis'])
        self.assertEqual('legacy', hnr_legacy['router_mode'])
        self.assertEqual(2, hnr_legacy['iterations'])
        self.assertAlmostEqual(610.0, hnr_legacy['tcp_forward_mbps'])
        self.assertAlmostEqual(567.3, hnr_legacy['tcp_reverse_mbps'])
        self.assertGreater(hnr_legacy['rtt_p95_ms'],
                           hnr_legacy['rtt_median_ms'])
        self.assertEqual(0.0, hnr_legacy['ping_loss_percent'])
        self.assertEqual(('crossed', 'crossed'),
                         (hnr_legacy['path_verdict'],
                          hnr_legacy['path_expected']))
        self.assertEqual('not crossed', rows[3].verdict)

    def test_titles_round_trip(self):
        category = topology.get_category('-H-N-R')
        title = summary.item_title('Throughput, Mbit/s', category)
        self.assertEqual(('Throughput, Mbit/s', 'inter_node_inter_router'),
                         summary.split_title(title))
        self.assertIsNone(summary.split_title('Results by category'))

    def test_failed_iterations_and_other_scenarios_left_out(self):
        report = _load()
        for _mode, iteration in _iterations(report):
            iteration['error'] = ['Timeout', 'boom', '']
        other = copy.deepcopy(report['tasks'][0]['subtasks'][0])
        other['workloads'][0]['scenario'] = {'Dummy.dummy': {}}
        report['tasks'][0]['subtasks'].append(other)
        self.assertEqual([], summary.collect(report))

    def test_not_a_report(self):
        self.assertRaises(exceptions.InvalidInput, summary.collect,
                          [{'key': 'old'}])


class FindingsTest(testtools.TestCase):

    def test_thesis_findings_hold_on_the_report(self):
        found = summary.findings(summary.collect(_load()))
        self.assertEqual(5, len(found))
        self.assertEqual({summary.HOLDS}, {f.status for f in found})
        tunnel = _by_claim(found)['(e)']
        self.assertIn('legacy: 63.3 % forward', tunnel.detail)

    def test_contradictions_do_not_hold(self):
        report = _load()
        for mode, iteration in _iterations(report):
            for item in iteration['output']['complete']:
                if item['title'] == summary.PATH_TITLE:
                    for row in item['data']['rows']:
                        if row[1] == 'H-NR' and mode == 'dvr':
                            row[4] = 'crossed'
            if mode == 'dvr':
                for item in iteration['output']['additive']:
                    if item['title'].startswith('Throughput, Mbit/s | H-NR'):
                        item['data'] = [[label, 100.0]
                                        for label, _v in item['data']]
        found = _by_claim(summary.findings(summary.collect(report)))
        self.assertEqual(summary.DOES_NOT_HOLD, found['(a)'].status)
        self.assertIn('H-NR dvr: crossed, expected not crossed',
                      found['(a)'].detail)
        self.assertEqual(summary.DOES_NOT_HOLD, found['(b)'].status)
        self.assertEqual(summary.DOES_NOT_HOLD, found['(d)'].status)
        self.assertEqual(summary.HOLDS, found['(c)'].status)

    def test_not_measured_without_node_access_or_a_mode(self):
        report = _load()
        subtasks = report['tasks'][0]['subtasks']
        subtasks[:] = [s for s in subtasks
                       if s['workloads'][0]['contexts']['netperf_topology'][
                           'router_mode'] == 'dvr']
        for _mode, iteration in _iterations(report):
            iteration['output']['complete'] = [
                {'title': summary.PATH_TITLE, 'chart_plugin': 'TextArea',
                 'data': ['Node access is not configured']}]
        rows = summary.collect(report)
        self.assertEqual({summary.NOT_CHECKED}, {r.verdict for r in rows})
        found = _by_claim(summary.findings(rows))
        for claim in ('(a)', '(b)', '(d)'):
            self.assertEqual(summary.NOT_MEASURED, found[claim].status)
        self.assertEqual(summary.HOLDS, found['(c)'].status)
        self.assertEqual(summary.HOLDS, found['(e)'].status)

    def test_inconclusive_is_not_measured(self):
        rows = summary.collect(_load())
        rows[0].verdicts[0] = 'inconclusive'
        found = _by_claim(summary.findings(rows))
        self.assertEqual(summary.NOT_MEASURED, found['(a)'].status)
        self.assertIn('inconclusive for HNR legacy', found['(a)'].detail)


class MainTest(testtools.TestCase):

    def _main(self, *argv):
        out = self.useFixture(fixtures.MonkeyPatch('sys.stdout',
                                                   io.StringIO())).new_value
        err = self.useFixture(fixtures.MonkeyPatch('sys.stderr',
                                                   io.StringIO())).new_value
        return summary.main(list(argv)), out.getvalue(), err.getvalue()

    def test_text(self):
        code, out, _err = self._main(REPORT)
        self.assertEqual(0, code)
        lines = out.splitlines()
        self.assertTrue(lines[0].startswith('category  router  TCP fwd'))
        self.assertIn('H-NR      legacy  610.0', out)
        self.assertIn('(b) legacy H-NR crosses the network node, DVR H-NR '
                      'does not: HOLDS', out)

    def test_json(self):
        code, out, _err = self._main(REPORT, '--format', 'json')
        self.assertEqual(0, code)
        data = json.loads(out)
        self.assertEqual(10, len(data['rows']))
        self.assertEqual({'holds'}, {f['status'] for f in data['findings']})

    def test_bad_file_says_how_to_make_one(self):
        with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
            json.dump({'tasks': 'nope'}, handle)
            handle.flush()
            code, out, err = self._main(handle.name)
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertIn('rally task report --json --out FILE', err)
        code, _out, err = self._main('/nonexistent.json')
        self.assertEqual(2, code)
        self.assertIn('No such file', err)
