"""tools/bench-compare.py: false positives over pairs of unchanged runs."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from unittest import mock

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf import topology
from tests.unit import cli
from tests.unit import test_compare
from tests.unit import test_summary
from tests.unit import tools

bench = tools.load('bench-compare.py')
# A -15 % TCP forward under both router modes, over rounds 5 % apart:
# flagged when judged alone, not among the 20 metrics of a comparison.
CHANCE = {'HNR': {'tcp_forward_mbps': 0.85}}


class BenchCompareTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def _main(self, *argv):
        return cli.run_main(self, bench.main, argv)

    @staticmethod
    def _row(out, correction):
        return [line.split() for line in out.splitlines()
                if line.startswith(correction + ' ')][0]

    def _files(self, *documents):
        return [test_compare.save(self.dir, 'run-%d.json' % i, document)
                for i, document in enumerate(documents)]

    def test_the_stored_report_against_itself(self):
        code, out, err = self._main(*[test_summary.REPORT] * 3)
        self.assertEqual((0, ''), (code, err))
        self.assertEqual('runs: 3; pairs compared: 3', out.splitlines()[0])
        # 10 rows of 5 metrics (no UDP) per comparison.
        for correction in ('holm', 'none'):
            self.assertEqual([correction, '150', '0', '0', '0.00', '%', '0',
                              'of', '3'], self._row(out, correction))
        self.assertIn('path verdicts changed: 0 of 30 compared', out)

    def test_with_and_without_the_correction(self):
        runs = self._files(test_compare.two_modes(),
                           test_compare.two_modes(changes=CHANCE),
                           test_compare.two_modes())
        code, out, _err = self._main(*runs, '--format', 'json')
        self.assertEqual(0, code)
        data = json.loads(out)
        self.assertEqual(runs, data['runs'])
        self.assertEqual(3, data['pairs'])
        alone = data['corrections']['none']
        # Baseline 0 then 1: regressed; 1 then 2: improved; 0 and 2 alike.
        self.assertEqual((60, 2, 2, 2), (alone['judged'], alone['regressed'],
                                         alone['improved'],
                                         alone['with_flags']))
        self.assertAlmostEqual(4 / 60, alone['false_positive_rate'])
        holm = data['corrections']['holm']
        self.assertEqual((60, 0, 0, 0.0), (
            holm['judged'], holm['regressed'], holm['improved'],
            holm['false_positive_rate']))
        self.assertEqual({'judged': 12, 'changed': 0}, data['paths'])

    def test_a_clear_regression_exits_1(self):
        code, out, _err = self._main(*self._files(
            test_compare.two_modes(),
            test_compare.two_modes(changes={'HNR': {'tcp_forward_mbps':
                                                    0.5}})))
        self.assertEqual(1, code)
        for correction in ('holm', 'none'):
            self.assertEqual([correction, '20', '2', '0', '10.00', '%', '1',
                              'of', '1'], self._row(out, correction))

    def _fake_rally(self, start_status=1, made_task=True, error=None):
        """A rally command line that records its calls (run_task.Rally)."""
        calls = []

        def run(*args):
            calls.append(list(args))
            if error is not None:
                raise error
            if args[:2] == ('task', 'report'):
                if '--json' in args:
                    shutil.copy(test_summary.REPORT, args[-1])
            tag = args[-1]
            listed = ('uuid-%s\n' % tag[-1]
                      if args[:2] == ('task', 'list') and made_task else '')
            return subprocess.CompletedProcess(args, 0, listed, '')

        rally = mock.Mock()
        rally.run.side_effect = run
        rally.check.side_effect = lambda *a: run(*a).stdout
        rally.stream.side_effect = lambda args, log: (
            run(*args), start_status)[1]
        self.useFixture(fixtures.MockPatchObject(
            bench.run_task, 'Rally', return_value=rally))
        return calls

    def test_runs_the_task(self):
        out_dir = os.path.join(self.dir, 'reports')
        calls = self._fake_rally()
        code, out, err = self._main('--runs', '2', '--out', out_dir)
        self.assertEqual((0, ''), (code, err))
        starts = [c for c in calls if c[:2] == ['task', 'start']]
        self.assertEqual(2, len(starts))
        tags = []
        for start in starts:
            self.assertEqual(['task', 'start', '--task',
                              'samples/netperf.yaml', '--env',
                              'netperf-sandbox'], start[:6])
            self.assertIn('--task-args-file', start)
            self.assertEqual('samples/netperf-sandbox-args.yaml',
                             start[start.index('--task-args-file') + 1])
            tags.append(start[start.index('--tag') + 1])
        # Each start is found by its own tag.
        self.assertEqual(2, len(set(tags)))
        self.assertEqual(tags, [c[-1] for c in calls
                                if c[:2] == ['task', 'list']])
        reports = [os.path.join(out_dir, 'run-%d.json' % n) for n in (1, 2)]
        json_reports = [c for c in calls
                        if c[:2] == ['task', 'report'] and '--json' in c]
        self.assertEqual(reports, [c[-1] for c in json_reports])
        self.assertEqual(['uuid-%s' % t[-1] for t in tags],
                         [c[c.index('--uuid') + 1] for c in json_reports])
        self.assertIn('runs: 2; pairs compared: 1', out)
        self.assertIn('  ' + reports[1], out)

    def test_a_start_that_made_no_task_exits_2(self):
        self._fake_rally(made_task=False)
        code, _out, err = self._main('--runs', '2', '--out', self.dir)
        self.assertEqual(2, code)
        self.assertIn('rally task start samples/netperf.yaml made no task '
                      '(run 1)', err)

    def test_rally_missing_or_failing_exits_2(self):
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.run_task._sibling_or_path', return_value=None))
        code, _out, err = self._main('--runs', '2', '--out', self.dir)
        self.assertEqual(2, code)
        self.assertIn('bench-compare: rally is not installed', err)
        self._fake_rally(error=exceptions.ToolError('rally task start '
                                                    'exited 1: boom'))
        code, _out, err = self._main('--runs', '2', '--out', self.dir)
        self.assertEqual(2, code)
        self.assertIn('bench-compare: rally task start', err)

    def test_bad_input_exits_2(self):
        good = self._files(test_compare.two_modes())[0]
        code, out, err = self._main(good, os.path.join(self.dir, 'none'))
        self.assertEqual((2, ''), (code, out))
        self.assertIn('none: cannot read it', err)
        other = test_compare.save(self.dir, 'other.json', test_compare.report(
            legacy=[test_compare.iteration(topology.RouterMode.LEGACY,
                                           categories=('-HNR',))]))
        code, _out, err = self._main(good, other)
        self.assertEqual(2, code)
        self.assertIn('%s and %s: the two runs share no category' % (
            good, other), err)
        self.assertNotIn('Traceback', err)

    def test_usage_errors(self):
        good = self._files(test_compare.two_modes())[0]
        for argv in ([good], ['--runs', '1'], [good, good, '--runs', '2']):
            exc = self.assertRaises(SystemExit, self._main, *argv)
            self.assertEqual(2, exc.code)
