"""netperf-summary over a Rally JSON report made by Rally's own code.

tests/unit/data/summary/rally-report.json comes from
``python -m tests.unit.rally.report_data``: the reference-topology
scenario run behind legacy and DVR routers (two iterations each) over the
fake cloud, guests and nodes of tests/unit/rally, exported by Rally's
``json`` exporter (see that module).  The findings themselves are tested
on typed rows in test_results.  rally-report-1.x.json is the same run as
openstack-netperf 1.x exported it.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
import tempfile

import testtools

from openstack_netperf import exceptions
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records
from rally_netperf import summary
from tests.unit import cli

REPORT = os.path.join(os.path.dirname(__file__), 'data', 'summary',
                      'rally-report.json')
# The same run as exported by openstack-netperf 1.x, whose path verdicts
# were a display table: a baseline saved before an upgrade.
REPORT_1X = os.path.join(os.path.dirname(__file__), 'data', 'summary',
                         'rally-report-1.x.json')


def _load(path=REPORT):
    with open(path) as handle:
        return json.load(handle)


def _workload(report, index=0):
    return report['tasks'][0]['subtasks'][index]['workloads'][0]


def _iterations(report):
    for task in report['tasks']:
        for subtask in task['subtasks']:
            for workload in subtask['workloads']:
                mode = workload['contexts']['netperf_topology'][
                    'router_mode']
                for iteration in workload['data']:
                    yield mode, iteration


def _path_record(iteration):
    for item in iteration['output']['complete']:
        if item['chart_plugin'] == records.PATH_PLUGIN:
            return item['data']
    raise AssertionError('no path verdict record')


class CollectTest(testtools.TestCase):

    def test_rows_by_category_and_mode(self):
        contents = summary.collect(_load())
        rows = contents.rows
        self.assertEqual((2, 4, 0), (contents.workloads, contents.iterations,
                                     contents.failed))
        self.assertEqual(
            [(c.shorthand, m) for c in topology.CATEGORIES
             for m in ('legacy', 'dvr')],
            [(r.category.shorthand, r.router_mode.value) for r in rows])
        hnr_legacy = summary.row_dict(rows[2])
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
        # The report predates flow verdicts: it holds bursts'.
        self.assertEqual(['burst', 'burst'], hnr_legacy['path_methods'])
        self.assertIs(results.PathVerdict.NOT_CROSSED, rows[3].verdict)

    def test_failed_iterations_and_other_scenarios_left_out(self):
        report = _load()
        for _mode, iteration in _iterations(report):
            iteration['error'] = ['Timeout', 'boom', '']
        other = copy.deepcopy(report['tasks'][0]['subtasks'][0])
        other['workloads'][0]['scenario'] = {'Dummy.dummy': {}}
        report['tasks'][0]['subtasks'].append(other)
        contents = summary.collect(report)
        self.assertEqual([], contents.rows)
        self.assertEqual((2, 4, 4), (contents.workloads, contents.iterations,
                                     contents.failed))

    def test_recorded_verdicts_count(self):
        report = _load()
        for mode, iteration in _iterations(report):
            if mode == 'dvr':
                _path_record(iteration)['rows'][1][3] = 'crossed'
        rows = summary.collect(report).rows
        self.assertIs(results.PathVerdict.CROSSED, rows[3].verdict)
        found = results.findings(rows)
        self.assertIn('H-NR dvr: crossed, expected not crossed',
                      found[0].detail)

    def test_without_node_access_nothing_is_checked(self):
        report = _load()
        for _mode, iteration in _iterations(report):
            iteration['output']['complete'] = [
                {'title': records.PATH_TITLE, 'chart_plugin': 'TextArea',
                 'data': ['Node access is not configured']}]
        rows = summary.collect(report).rows
        self.assertEqual({results.NOT_CHECKED},
                         {r.verdict_text() for r in rows})

    def test_not_a_report(self):
        self.assertRaises(exceptions.InvalidInput, summary.collect,
                          [{'key': 'old'}])


def _set(path, value):
    """A change to the report: set the item at ``path`` to ``value``."""
    def change(report):
        node = report
        for key in path[:-1]:
            node = node[key]
        node[path[-1]] = value
    return change


_ITERATION = ['tasks', 0, 'subtasks', 0, 'workloads', 0, 'data', 0]
_OUTPUT = _ITERATION + ['output']


class MainTest(testtools.TestCase):

    def _main(self, *argv):
        return cli.run_main(self, summary.main, argv)

    def _main_on(self, report, *argv):
        with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
            json.dump(report, handle)
            handle.flush()
            return self._main(handle.name, *argv)

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

    def test_a_1x_report_summarises_the_same(self):
        # The same figures and findings; 1.x recorded no fingerprint,
        # rounds, probes, nor the warm-up.
        code, old, err = self._main(REPORT_1X)
        self.assertEqual((0, ''), (code, err))
        cut = old.index('Cloud fingerprint:')
        self.assertEqual(self._main(REPORT)[1][:cut], old[:cut])
        code, old, err = self._main(REPORT_1X, '--format', 'json')
        self.assertEqual((0, ''), (code, err))
        old = json.loads(old)
        new = json.loads(self._main(REPORT, '--format', 'json')[1])
        self.assertEqual({}, old['fingerprint'])
        self.assertTrue(new['fingerprint'])
        self.assertEqual(new['findings'], old['findings'])
        series = ('rounds', 'rtt_probes_ms', 'samples')
        self.assertEqual(
            [{k: v for k, v in row.items() if k not in series}
             for row in new['rows']],
            [{k: v for k, v in row.items() if k not in series}
             for row in old['rows']])

    def test_bad_file_says_how_to_make_one(self):
        code, out, err = self._main_on({'tasks': 'nope'})
        self.assertEqual(2, code)
        self.assertEqual('', out)
        self.assertIn('rally task report --json --out FILE', err)
        code, _out, err = self._main('/nonexistent.json')
        self.assertEqual(2, code)
        self.assertIn('No such file', err)

    def test_wrong_shapes_are_one_clear_error(self):
        at = [item['title'] for item in _workload(_load())['data'][0][
            'output']['complete']].index(records.PATH_TITLE)
        record = _OUTPUT + ['complete', at, 'data']
        where = 'complete[%d]' % at
        figure = _OUTPUT + ['additive', 0, 'data', 0, 1]
        for change, place, what in (
                (_set(['tasks', 0], 'a task'), 'tasks[0]',
                 'expected an object, got str'),
                (_set(['tasks', 0, 'subtasks'], {'s': {}}),
                 'tasks[0].subtasks', 'expected a list, got dict'),
                (_set(['tasks', 0, 'subtasks', 0, 'workloads', 0, 'data'],
                      None), 'workloads[0].data', 'expected a list, got '
                 'null'),
                (_set(_OUTPUT, None), 'data[0].output',
                 'expected an object, got null'),
                (_set(_OUTPUT + ['additive'], None), 'output.additive',
                 'expected a list, got null'),
                (_set(_OUTPUT + ['additive', 1, 'title'], ['x']),
                 'output.additive[1].title', 'expected a string, got list'),
                (_set(figure, None), 'additive[0].data[0][1]',
                 'expected a number, got null'),
                (_set(_OUTPUT + ['additive', 0, 'data'], None),
                 'additive[0].data', 'expected a list, got null'),
                (_set(record + ['cols'], None), where + '.data.cols',
                 'expected a list, got null'),
                (_set(record, {'rows': []}), where + '.data.cols',
                 'expected a list, got null'),
                (_set(record + ['rows', 0, 3], None),
                 'data.rows[0].verdict', 'expected a string, got null'),
                (_set(record + ['rows', 0, 3], 'sideways'),
                 'data.rows[0].verdict', "unknown PathVerdict 'sideways'"),
                (_set(record + ['rows', 0, 2], 'yes'),
                 'data.rows[0].expected_crossing', 'expected 0 or 1'),
                (_set(_OUTPUT + ['complete', at, 'chart_plugin'], 'Table'),
                 where + '.data.cols', 'or the table of 1.x'),
                (_set(_OUTPUT + ['complete', at, 'chart_plugin'], 'Lines'),
                 'output.' + where, "is a 'Lines' output")):
            report = _load()
            change(report)
            code, out, err = self._main_on(report)
            self.assertEqual((2, ''), (code, out), err)
            self.assertIn(place, err)
            self.assertIn(what, err)
            self.assertNotIn('Traceback', err)

    def test_every_iteration_failed_says_so(self):
        report = _load()
        for _mode, iteration in _iterations(report):
            iteration['error'] = ['Timeout', 'boom', '']
        code, out, _err = self._main_on(report)
        self.assertEqual(0, code)
        self.assertIn('(every iteration failed: 4 of 4 in 2 NetPerf '
                      'workload(s); their errors are in the report)', out)
        self.assertNotIn('no NetPerf workload', out)
        report['tasks'][0]['subtasks'] = []
        code, out, _err = self._main_on(report)
        self.assertIn('(no NetPerf workload with results in this report)',
                      out)

    def test_runs_without_rally(self):
        # Rally's packages cannot be imported at all: the summary and
        # what it imports must not need them.
        script = ('import sys; sys.modules.update(dict.fromkeys(('
                  '"rally", "rally_openstack"))); '
                  'from rally_netperf import summary; '
                  'sys.exit(summary.main(sys.argv[1:]))')
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        done = subprocess.run([sys.executable, '-c', script, REPORT],
                              capture_output=True, text=True, cwd=root,
                              check=False)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertIn('H-NR      dvr     1900.0', done.stdout)


def _with_fingerprints(report):
    """The report with a fingerprint in each iteration: DVR's MTU lower."""
    for mode, iteration in _iterations(report):
        iteration['output']['complete'].insert(0, records.encode_fingerprint({
            'network.mtu': '1400' if mode == 'dvr' else '1450',
            'neutron.extensions': ', '.join('ext-%02d' % i
                                            for i in range(40)),
            'node.compute-01.kernel': '6.1.0'}))
    return report


class FingerprintTest(testtools.TestCase):

    _main = MainTest._main
    _main_on = MainTest._main_on

    def test_collected_and_merged(self):
        contents = summary.collect(_with_fingerprints(_load()))
        self.assertEqual('1450 | 1400', contents.fingerprint['network.mtu'])
        self.assertEqual('6.1.0',
                         contents.fingerprint['node.compute-01.kernel'])

    def test_failed_iterations_keep_theirs(self):
        report = _with_fingerprints(_load())
        for _mode, iteration in _iterations(report):
            iteration['error'] = ['Timeout', 'boom', '']
        self.assertEqual('6.1.0', summary.collect(report).fingerprint[
            'node.compute-01.kernel'])

    def test_json_and_text(self):
        report = _with_fingerprints(_load())
        code, out, _err = self._main_on(report, '--format', 'json')
        self.assertEqual(0, code)
        data = json.loads(out)['fingerprint']
        self.assertEqual('1450 | 1400', data['network.mtu'])
        self.assertEqual(3, len(data))
        code, out, _err = self._main_on(report)
        self.assertEqual(0, code)
        section = out[out.index('Cloud fingerprint:'):].splitlines()
        self.assertEqual('  network.mtu             1450 | 1400',
                         section[1])
        # The long extension list is cut; --format json has all of it.
        self.assertTrue(section[2].endswith('...'))
        self.assertLessEqual(len(section[2]), 26 + summary.FACT_WIDTH)

    def test_a_report_without_one(self):
        code, out, _err = self._main(REPORT_1X, '--format', 'json')
        self.assertEqual({}, json.loads(out)['fingerprint'])
        code, out, _err = self._main(REPORT_1X)
        self.assertIn('Cloud fingerprint:\n  (none recorded', out)

    def test_a_bad_one_is_one_clear_error(self):
        report = _with_fingerprints(_load())
        report['tasks'][0]['subtasks'][0]['workloads'][0]['data'][0][
            'output']['complete'][0]['data']['rows'][0][1] = 1450
        code, out, err = self._main_on(report)
        self.assertEqual((2, ''), (code, out))
        self.assertIn('data[0].output.complete[0].data.rows[0][1]: '
                      'expected a string, got int', err)
