"""rally_netperf.run_task against a fake ``rally`` command line.

The fake is an executable that records its arguments and answers like
Rally's CLI (environments and tasks kept in a state directory), so the
module's real subprocess plumbing runs; only Rally and the cloud are fake.
"""

import contextlib
import io
import os
import pathlib
import shutil
import sys
import tempfile
import textwrap

import fixtures
import testtools

from rally_netperf import run_task

FAKE_RALLY = textwrap.dedent('''\
    #!{python}
    import json, os, pathlib, sys
    args = sys.argv[1:]
    state = pathlib.Path(os.environ['STATE'])
    with open(os.environ['CALLS'], 'a') as f:
        f.write(' '.join(args) + '\\n')

    def opt(name):
        return args[args.index(name) + 1]

    cmd = ' '.join(args[:2])
    if cmd == 'env check':
        ok = (state / ('env-' + opt('--env'))).exists() and not (
            state / 'bad-credentials').exists()
        sys.exit(0 if ok else 1)
    if cmd == 'env create':
        (state / ('env-' + opt('--name'))).touch()
    elif cmd == 'env delete':
        (state / ('env-' + opt('--env'))).unlink(missing_ok=True)
    elif cmd == 'task start':
        print('Using task: 99999999-0000 (a log line, not the answer)')
        if os.environ.get('INVALID_TASK'):
            print('Task config is invalid')
            sys.exit(1)
        tags = [a for i, a in enumerate(args) if args[i - 1] == '--tag']
        (state / 'task-tags').write_text('\\n'.join(tags))
        sys.exit(int(os.environ.get('START_RC', '0')))
    elif cmd == 'task list':
        tags = (state / 'task-tags').read_text().split() if (
            state / 'task-tags').exists() else []
        if opt('--tag') in tags:
            print('aaaaaaaa-1111')
    elif cmd == 'task report':
        kind = 'html' if '--html-static' in args else 'json'
        pathlib.Path(opt('--out')).write_text(kind)
    elif cmd == 'task sla-check':
        status = os.environ.get('SLA', 'PASS')
        print(json.dumps([{{'benchmark': 'NetPerf.x', 'pos': 0,
                           'criterion': 'netperf_min_throughput',
                           'status': status, 'detail': 'd'}}]))
        sys.exit(0 if status == 'PASS' else 1)
    ''')

FAKE_SUMMARY = textwrap.dedent('''\
    #!/bin/sh
    echo "summary of $1"
    [ "$2" = --html ] && echo page > "$3"
    exit ${SUMMARY_RC:-0}
    ''')


class RunTaskTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='netperf-runtask-'))
        self.addCleanup(shutil.rmtree, self.tmp)
        (self.tmp / 'state').mkdir()
        (self.tmp / 'bin').mkdir()
        for name, text in (('rally', FAKE_RALLY.format(
                python=sys.executable)), ('netperf-summary', FAKE_SUMMARY)):
            path = self.tmp / 'bin' / name
            path.write_text(text)
            path.chmod(0o755)
        self.calls = self.tmp / 'calls'
        for name, value in (('STATE', self.tmp / 'state'),
                            ('CALLS', self.calls), ('START_RC', '0'),
                            ('SLA', 'PASS'), ('INVALID_TASK', ''),
                            ('SUMMARY_RC', '0')):
            self.useFixture(fixtures.EnvironmentVariable(name, str(value)))
        self.useFixture(fixtures.MonkeyPatch(
            'rally_netperf.run_task._sibling_or_path',
            lambda name: str(self.tmp / 'bin' / name)))
        self.task = self.tmp / 'task.yaml'
        self.args = self.tmp / 'args.yaml'
        self.spec = self.tmp / 'env.json'
        for path in (self.task, self.args, self.spec):
            path.write_text('{}\n')
        self.prefix = self.tmp / 'out' / 'report'

    def main(self, *extra, source=None):
        argv = ['--task', str(self.task), '--task-args-file', str(self.args),
                '--env', 'sandbox', '--report', str(self.prefix),
                *(source or ['--env-spec', str(self.spec)]), *extra]
        out, err = io.StringIO(), io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            status = run_task.main(argv)
        calls = self.calls.read_text().splitlines() if self.calls.exists() \
            else []
        return status, out.getvalue(), err.getvalue(), calls

    def test_passing_run_creates_env_runs_task_and_reports(self):
        status, out, _, calls = self.main(
            '--task-args', '{"duration": 60}', '--log', str(self.tmp / 'l'))
        self.assertEqual(0, status)
        self.assertEqual('db ensure', calls[0])
        self.assertEqual(['env check --env sandbox',
                          'env delete --env sandbox --force',
                          'env create --name sandbox --spec %s' % self.spec,
                          'env check --env sandbox'], calls[1:5])
        start = calls[5].split()
        self.assertEqual(['task', 'start', '--task', str(self.task)],
                         start[:4])
        self.assertIn('--task-args-file %s' % self.args, calls[5])
        self.assertIn('--task-args {"duration": 60}', calls[5])
        # the UUID is Rally's answer for this run's unique tag
        run_tag = start[start.index('--tag') + 1]
        self.assertTrue(run_tag.startswith('netperf-run-'))
        self.assertEqual('task list --uuids-only --env sandbox --tag %s'
                         % run_tag, calls[6])
        self.assertIn('task report --uuid aaaaaaaa-1111 --html-static '
                      '--out %s.html' % self.prefix, calls)
        self.assertEqual('html', (self.tmp / 'out/report.html').read_text())
        self.assertEqual('json', (self.tmp / 'out/report.json').read_text())
        self.assertIn('task sla-check --uuid aaaaaaaa-1111 --json', calls)
        for line in ('==> stage rally-env', '==> stage rally-task',
                     '==> stage rally-report',
                     'HTML report: %s.html' % self.prefix,
                     'JSON export: %s.json' % self.prefix,
                     'summary of %s.json' % self.prefix,
                     'Summary charts: %s-summary.html' % self.prefix):
            self.assertIn(line, out)
        self.assertEqual('page\n', (self.tmp / 'out/report-summary.html')
                         .read_text())
        self.assertIn('Using task: 99999999-0000',
                      (self.tmp / 'l').read_text())

    def test_a_failed_summary_is_not_fatal(self):
        self.useFixture(fixtures.EnvironmentVariable('SUMMARY_RC', '2'))
        status, out, err, _ = self.main()
        self.assertEqual(0, status)
        self.assertIn('netperf-summary exited 2', err)
        self.assertNotIn('Summary charts', out)

    def test_working_env_is_reused(self):
        (self.tmp / 'state' / 'env-sandbox').touch()
        status, _, _, calls = self.main()
        self.assertEqual(0, status)
        self.assertEqual(['db ensure', 'env check --env sandbox',
                          'env use --env sandbox'], calls[:3])
        self.assertFalse([c for c in calls if c.startswith('env create')])

    def test_gate_env_comes_from_the_os_variables(self):
        status, _, _, calls = self.main('--tag', 'netperf-gate',
                                        source=['--from-sysenv'])
        self.assertEqual(0, status)
        self.assertIn('env create --name sandbox --from-sysenv', calls)
        start = [c for c in calls if c.startswith('task start')][0]
        self.assertIn('--tag netperf-gate', start)

    def test_sla_failure_exits_2_after_the_reports(self):
        self.useFixture(fixtures.EnvironmentVariable('START_RC', '2'))
        self.useFixture(fixtures.EnvironmentVariable('SLA', 'FAIL'))
        status, out, _, _ = self.main()
        self.assertEqual(2, status)
        self.assertTrue((self.tmp / 'out/report.json').exists())
        self.assertIn('SLA failed: NetPerf.x #0 netperf_min_throughput', out)
        self.assertRegex(
            out, r'==> stage rally-task: \d+ s, FAILED \(exit 2\)')

    def test_sla_check_failure_alone_fails_the_run(self):
        self.useFixture(fixtures.EnvironmentVariable('SLA', 'FAIL'))
        status, _, _, _ = self.main()
        self.assertEqual(2, status)

    def test_task_rally_refused_has_no_reports(self):
        self.useFixture(fixtures.EnvironmentVariable('INVALID_TASK', '1'))
        status, _, err, calls = self.main()
        self.assertEqual(1, status)
        self.assertIn('Rally did not create one', err)
        self.assertFalse([c for c in calls if c.startswith('task report')])
        self.assertFalse(os.path.exists('%s.json' % self.prefix))

    def test_env_that_cannot_authenticate_stops_early(self):
        (self.tmp / 'state' / 'bad-credentials').touch()
        status, out, err, calls = self.main()
        self.assertEqual(1, status)
        self.assertIn('Rally environment sandbox cannot use the cloud', err)
        self.assertRegex(out, r'==> stage rally-env: \d+ s, FAILED \(exit 1\)')
        self.assertFalse([c for c in calls if c.startswith('task')])

    def test_unreadable_task_file_is_one_clear_error(self):
        self.task.unlink()
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            exc = self.assertRaises(SystemExit, run_task.main,
                                    ['--task', str(self.task), '--env', 'e',
                                     '--report', 'r', '--from-sysenv'])
        self.assertEqual(2, exc.code)
        self.assertIn('cannot read --task %s' % self.task, err.getvalue())

    def test_missing_rally_is_named(self):
        self.useFixture(fixtures.MonkeyPatch(
            'rally_netperf.run_task._sibling_or_path', lambda name: None))
        exc = self.assertRaises(run_task.exceptions.ToolMissing,
                                run_task.Rally)
        self.assertIn('rally is not installed', str(exc))

    def test_sla_check_without_json_is_a_parse_error(self):
        rally = run_task.Rally(str(self.tmp / 'bin' / 'netperf-summary'))
        exc = self.assertRaises(run_task.exceptions.ParseError,
                                run_task.failed_slas, rally, 'u')
        self.assertIn('rally task sla-check --json', str(exc))

    def test_sla_results_are_read_from_json(self):
        rally = run_task.Rally(str(self.tmp / 'bin' / 'rally'))
        self.assertEqual([], run_task.failed_slas(rally, 'u'))
        self.useFixture(fixtures.EnvironmentVariable('SLA', 'FAIL'))
        self.assertEqual(['netperf_min_throughput'], [
            c['criterion'] for c in run_task.failed_slas(rally, 'u')])
