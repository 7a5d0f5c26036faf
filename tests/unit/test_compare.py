"""netperf-compare: inputs read, compared, printed, and the exit status."""

from __future__ import annotations

import builtins
import json
import os
import subprocess
import sys
import tempfile
from unittest import mock

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf import results
from rally_netperf import compare
from rally_netperf import compare_cli
from rally_netperf import records
from rally_netperf import summary
from tests.unit import cli
from tests.unit import test_comparison
from tests.unit import test_summary

LEGACY, DVR = test_comparison.LEGACY, test_comparison.DVR
UUID = '0b5e3c2a-41a3-4c4e-9f0e-0d8f5a1c9b17'


def iteration(mode, categories=('HNR', 'H-NR'), changes=None, error=None,
              verdicts=None, facts=None):
    """An iteration's output as the reference-topology scenario writes it.

    ``changes`` maps a category's shorthand to a scale per key;
    ``verdicts`` to its path verdict; ``facts`` is its cloud fingerprint.
    """
    additive, complete, paths = [], [], []
    for shorthand in categories:
        figures = test_comparison.figures(shorthand,
                                          (changes or {}).get(shorthand))
        additive += records.encode_figures(figures, 'test')
        complete.append(records.encode_rounds(figures))
        paths.append(test_comparison.path(mode, shorthand,
                                          (verdicts or {}).get(shorthand)))
    complete.append(records.encode_paths(paths))
    if facts:
        complete.append(records.encode_fingerprint(facts))
    return {'error': error or [], 'duration': 1.0, 'atomic_actions': [],
            'output': {'additive': additive, 'complete': complete}}


def report(**workloads):
    """A Rally JSON report: one workload per router mode given."""
    return {'tasks': [{'subtasks': [{'workloads': [{
        'scenario': {'NetPerf.measure_reference_topology': {}},
        'contexts': {'netperf_topology': {'router_mode': mode}},
        'data': data}]} for mode, data in workloads.items()]}]}


def two_modes(**kwargs):
    return report(legacy=[iteration(LEGACY, **kwargs)],
                  dvr=[iteration(DVR, **kwargs)])


def save(directory, name, document):
    """Write ``document`` (text, or JSON of anything else); its path."""
    path = os.path.join(directory, name)
    with open(path, 'w') as handle:
        handle.write(document if isinstance(document, str)
                     else json.dumps(document))
    return path


def summary_json(document):
    """What netperf-summary --format json prints for a report."""
    contents = summary.collect(document)
    return json.loads(summary.render_json(contents, []))


class ReadTest(testtools.TestCase):

    def test_report_and_summary_read_the_same(self):
        document = two_modes()
        from_report = compare.from_document(document, 'r')
        from_summary = compare.from_document(summary_json(document), 's')
        self.assertEqual(4, len(from_report.rows))
        self.assertEqual(from_report.rows, from_summary.rows)
        self.assertEqual([200.0, 210.0, 190.0],
                         from_summary.rows[0].rounds['tcp_forward_mbps'])

    def _error(self, document):
        return str(self.assertRaises(exceptions.InvalidInput,
                                     compare.from_document, document, 'x'))

    def test_every_iteration_failed(self):
        document = report(dvr=[iteration(DVR, error=['Timeout', 'boom'])])
        self.assertIn('every iteration failed: 1 of 1 in 1 NetPerf '
                      'workload(s)', self._error(document))

    def test_no_netperf_rows(self):
        self.assertIn('no NetPerf workload with results',
                      self._error(report()))
        self.assertIn('no NetPerf row', self._error({'rows': []}))

    def test_older_report_without_rounds(self):
        self.assertIn('predates per-round figures', self._error(
            test_summary._load(test_summary.REPORT_1X)))
        old = summary_json(two_modes())
        for row in old['rows']:
            del row['rounds']
        self.assertIn('predates per-round figures', self._error(old))

    def test_neither_shape(self):
        for document in ([], {'key': 1}, 'text'):
            self.assertIn('neither a Rally JSON report',
                          self._error(document))

    def test_summary_of_the_wrong_shape(self):
        for change, text in (
                (('category', 'XY'),
                 "rows[0].category: Unknown placement category"),
                (('category', None),
                 'rows[0].category: expected a string, got null'),
                (('router_mode', 'flat'),
                 'rows[0].router_mode: Unknown router mode'),
                (('path_verdicts', ['maybe']),
                 "rows[0].path_verdicts[0]: 'maybe' is not a valid"),
                (('rounds', {'tcp_forward_mbps': ['x']}),
                 'rows[0].rounds.tcp_forward_mbps[0]: expected a number')):
            document = summary_json(two_modes())
            document['rows'][0][change[0]] = change[1]
            self.assertIn(text, self._error(document))


class ReadTaskTest(testtools.TestCase):

    def test_rally_absent(self):
        real_import = builtins.__import__

        def no_rally(name, *args, **kwargs):
            if name == 'rally' or name.startswith('rally.'):
                raise ImportError('No module named %r' % name)
            return real_import(name, *args, **kwargs)

        self.useFixture(fixtures.MonkeyPatch('builtins.__import__',
                                             no_rally))
        exc = self.assertRaises(exceptions.InvalidInput, compare.read, UUID)
        self.assertIn('Rally is not installed here', str(exc))

    def test_from_rallys_database(self):
        exported = {'print': json.dumps(two_modes())}
        with mock.patch('rally.api.API') as api:
            api.return_value.task.export.return_value = exported
            run = compare.read(UUID)
        api.return_value.task.export.assert_called_once_with(
            tasks=[UUID], output_type='json')
        self.assertEqual(('task ' + UUID, 4), (run.source, len(run.rows)))

    def test_rally_cannot_give_it(self):
        with mock.patch('rally.api.API') as api:
            api.return_value.task.export.side_effect = RuntimeError(
                'Task not found')
            exc = self.assertRaises(exceptions.InvalidInput, compare.read,
                                    UUID)
        self.assertIn('Rally cannot give this task: RuntimeError: Task not '
                      'found', str(exc))


class MainTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def _file(self, name, document):
        return save(self.dir, name, document)

    def _main(self, *argv):
        return cli.run_main(self, compare_cli.main, argv)

    def _compare(self, baseline, current, *argv):
        return self._main(self._file('before.json', baseline),
                          self._file('after.json', current), *argv)

    def test_nothing_regressed(self):
        code, out, err = self._compare(two_modes(), two_modes())
        self.assertEqual((0, ''), (code, err))
        lines = out.splitlines()
        self.assertIn('Compared across: not known (no cloud fingerprint in '
                      'the baseline and the current)', lines[2])
        self.assertIn('category  router  metric', lines[4])
        self.assertIn('H-NR      dvr     path', out)
        self.assertIn('Result: 0 regressed, 0 improved, 24 unchanged, '
                      '0 inconclusive', out)

    def test_a_regression_exits_1_and_says_why(self):
        code, out, _err = self._compare(
            two_modes(), two_modes(changes={'H-NR': {
                'tcp_forward_mbps': 0.7}}))
        self.assertEqual(1, code)
        self.assertIn('-30.0 %   REGRESSED', out)
        self.assertIn('H-NR dvr TCP forward: 200.0 (190.0-210.0, n=3) -> '
                      '140.0 (133.0-147.0, n=3) Mbit/s, regressed: lower: '
                      'Welch t on logs', out)

    def test_summary_against_report_and_min_effect(self):
        before = summary_json(two_modes())
        after = two_modes(changes={'HNR': {'tcp_forward_mbps': 0.85}})
        self.assertEqual(1, self._compare(before, after, '--correction',
                                          'none')[0])
        code, out, _err = self._compare(before, after, '--min-effect',
                                        'tcp_forward=20', '--correction',
                                        'none')
        self.assertEqual(0, code)
        self.assertIn('tcp_forward 20,', out)
        self.assertIn('; no correction for the number of metrics', out)

    def test_holm_correction_by_default(self):
        # -15 % over rounds 5 % apart is flagged alone, but not among
        # the 20 metrics judged.
        before = summary_json(two_modes())
        after = two_modes(changes={'HNR': {'tcp_forward_mbps': 0.85}})
        code, out, _err = self._compare(before, after)
        self.assertEqual(0, code)
        self.assertIn('; Holm correction over the 20 metrics tested', out)
        self.assertIn('Flagged alone, not after the correction (measure '
                      'more rounds to tell):\n  HNR legacy TCP forward: ',
                      out)
        self.assertIn("inconclusive after Holm's correction for 20 metrics",
                      out)
        code, out, _err = self._compare(
            before, two_modes(changes={'HNR': {'tcp_forward_mbps': 0.5}}))
        self.assertEqual(1, code)

    def test_path_change_exits_1(self):
        code, out, _err = self._compare(
            two_modes(), report(dvr=[iteration(DVR, verdicts={
                'H-NR': results.PathVerdict.CROSSED})]))
        self.assertEqual(1, code)
        self.assertIn('H-NR dvr path: regressed (the path changed: not '
                      'crossed, then crossed (expected not crossed))', out)
        self.assertIn('Only in the baseline: HNR legacy, H-NR legacy', out)

    def test_json(self):
        code, out, _err = self._compare(
            two_modes(), two_modes(changes={'HNR': {'rtt_p95_ms': 0.5}}),
            '--format', 'json', '--confidence', '0.95')
        self.assertEqual(0, code)
        data = json.loads(out)
        self.assertEqual(
            {'fingerprint_differences', 'baseline', 'current', 'settings',
             'regressed', 'counts',
             'paths', 'metrics', 'only_in_baseline', 'only_in_current',
             'notes'}, set(data))
        self.assertEqual(0.95, data['settings']['confidence'])
        # 95 % rather than 90 %: wider intervals, so more inconclusive.
        self.assertEqual({'regressed': 0, 'improved': 2, 'unchanged': 12,
                          'inconclusive': 10}, data['counts'])
        metric = [m for m in data['metrics'] if m['verdict'] == 'improved'][0]
        self.assertEqual(
            {'category', 'thesis', 'router_mode', 'metric', 'key', 'unit',
             'baseline', 'current', 'change', 'change_low', 'change_high',
             'scale', 'p_value', 'adjusted_p', 'held_back', 'verdict',
             'reason'},
            set(metric))
        self.assertEqual('holm', data['settings']['correction'])
        self.assertLessEqual(metric['p_value'], metric['adjusted_p'])
        self.assertEqual(('intra_node_intra_subnet', 'rtt_p95', 'ms'),
                         (metric['category'], metric['metric'],
                          metric['unit']))
        self.assertEqual({'count': 3, 'median': 1.0, 'low': 0.95,
                          'high': 1.05}, metric['current'])
        self.assertAlmostEqual(-0.5, metric['change'])
        self.assertEqual({'category', 'thesis', 'router_mode', 'baseline',
                          'current', 'verdict', 'reason'},
                         set(data['paths'][0]))

    def test_fingerprint_differences_come_first(self):
        before = summary_json(two_modes())
        before['fingerprint'] = {'network.mtu': '1450', 'node.c1.ovs': '3.1.0',
                                 'image.name': 'netperf-guest'}
        after = summary_json(two_modes())
        after['fingerprint'] = {'network.mtu': '1400',
                                'node.c1.ovs': 'unknown',
                                'image.name': 'netperf-guest'}
        code, out, _err = self._compare(before, after)
        self.assertEqual(0, code)
        self.assertEqual(['Compared across:', '  network.mtu 1450 → 1400',
                          '  node.c1.ovs 3.1.0 → unknown (unknown on one '
                          'side)'], out.splitlines()[2:5])
        code, out, _err = self._compare(before, after, '--format', 'json')
        self.assertEqual(
            [{'fact': 'network.mtu', 'baseline': '1450', 'current': '1400',
              'unknown': False},
             {'fact': 'node.c1.ovs', 'baseline': '3.1.0',
              'current': 'unknown', 'unknown': True}],
            json.loads(out)['fingerprint_differences'])
        code, out, _err = self._compare(before, before)
        self.assertIn('Compared across: nothing (the same cloud '
                      'fingerprint)', out)

    def test_bad_fingerprint_is_a_clear_error(self):
        bad = summary_json(two_modes())
        bad['fingerprint'] = {'network.mtu': 1450}
        self._fails(self._file('bad.json', bad),
                    self._file('good.json', two_modes()),
                    text="fingerprint['network.mtu']")

    def _fails(self, *argv, text):
        code, out, err = self._main(*argv)
        self.assertEqual((2, ''), (code, out))
        self.assertIn(text, err)
        self.assertNotIn('Traceback', err)
        self.assertEqual(1, len(err.splitlines()), err)

    def test_bad_inputs_exit_2(self):
        good = self._file('good.json', two_modes())
        for name, content, text in (
                ('empty.json', '', 'the file is empty'),
                ('cut.json', json.dumps(two_modes())[:500],
                 'not JSON, or cut short'),
                ('failed.json', report(dvr=[iteration(
                    DVR, error=['Timeout', 'boom'])]),
                 'every iteration failed'),
                ('old.json', test_summary._load(test_summary.REPORT_1X),
                 'this run predates per-round figures')):
            self._fails(good, self._file(name, content),
                        text='%s: %s' % (name, text))
        self._fails(os.path.join(self.dir, 'missing.json'), good,
                    text='missing.json: cannot read it: [Errno 2] No such '
                         'file')
        self._fails(self._file('legacy.json', report(legacy=[
            iteration(LEGACY)])), self._file('dvr.json', report(dvr=[
                iteration(DVR)])), text='nothing to compare: the two runs '
                                        'share no category')
        self._fails(good, good, '--min-effect', 'tcp=5',
                    text='unknown metric(s) tcp')
        self._fails(good, good, '--confidence', '95',
                    text='strictly between 0 and 1')

    def test_uuid_without_rally_exits_2(self):
        with mock.patch.object(compare, 'read_task', side_effect=(
                exceptions.InvalidInput('Rally is not installed here'))):
            self._fails(UUID, UUID, text='%s: Rally is not installed'
                                         % UUID)

    def test_console_script(self):
        with tempfile.NamedTemporaryFile('w', suffix='.json') as handle:
            json.dump(two_modes(), handle)
            handle.flush()
            done = subprocess.run(
                [sys.executable, '-m', 'rally_netperf.compare_cli',
                 handle.name, handle.name, '--format', 'json'],
                capture_output=True, text=True, check=False)
        self.assertEqual(0, done.returncode, done.stderr)
        self.assertFalse(json.loads(done.stdout)['regressed'])
