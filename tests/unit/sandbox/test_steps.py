import io
import os
import tempfile

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import steps


class Clock:
    def __init__(self):
        self.now = 0.0

    def __call__(self):
        self.now += 0.5
        return self.now


class TestStepRunner(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.out = io.StringIO()
        self.runner = steps.StepRunner(self.out, Clock())
        self.calls = []

    def step(self, name, done=None, fail=None, log=None):
        def action():
            self.calls.append(name)
            if fail:
                raise fail
        return steps.Step(name, action, done, log)

    def test_runs_steps_in_order_and_times_them(self):
        outcomes = self.runner.run([self.step('one'), self.step('two')])
        self.assertEqual(['one', 'two'], self.calls)
        self.assertEqual([True, True], [o.changed for o in outcomes])
        text = self.out.getvalue()
        self.assertIn('[1/2] one ... done in 0.5 s', text)
        self.assertIn('2 of 2 steps changed something', text)

    def test_skips_what_is_done_and_says_nothing_changed(self):
        outcomes = self.runner.run([self.step('one', lambda: True),
                                    self.step('two', lambda: True)])
        self.assertEqual([], self.calls)
        self.assertEqual([False, False], [o.changed for o in outcomes])
        self.assertIn('[1/2] one: already done', self.out.getvalue())
        self.assertIn('Nothing changed', self.out.getvalue())

    def test_failure_names_the_step_and_quotes_the_log(self):
        with tempfile.TemporaryDirectory() as tmp:
            log = os.path.join(tmp, 'svc.log')
            with open(log, 'w') as handle:
                handle.write(''.join('line %d\n' % i for i in range(30)))
            error = self.assertRaises(
                exceptions.StepFailed, self.runner.run,
                [self.step('ok'), self.step('bad', fail=RuntimeError('boom'),
                                            log=log), self.step('never')])
        self.assertEqual(['ok', 'bad'], self.calls)
        self.assertEqual('bad', error.step)
        self.assertEqual(log, error.log)
        report = error.report()
        self.assertIn('FAILED: bad', report)
        self.assertIn('reason: boom', report)
        self.assertIn('log: %s' % log, report)
        self.assertIn('line 29', report)
        self.assertNotIn('line 9\n', report)

    def test_the_error_may_name_a_better_log(self):
        error = self.assertRaises(
            exceptions.StepFailed, self.runner.run,
            [self.step('bad', fail=exceptions.ServiceError('dead', '/x.log'),
                       log='/step.log')])
        self.assertEqual('/x.log', error.log)

    def test_tail_of_a_missing_file_is_empty(self):
        self.assertEqual('', steps.tail('/nonexistent/file'))
        self.assertEqual('', steps.tail(None))
