"""Waiting for a booting guest's SSH server, without a network."""

from __future__ import annotations

import testtools

from openstack_netperf import exceptions
from openstack_netperf import remote


class WaitUntilReadyTest(testtools.TestCase):

    def runner(self, refusals: int) -> remote.SSHRunner:
        runner = remote.SSHRunner('198.19.11.5', 'root', name='guest A1')
        attempts = []

        def run(command, timeout=None, check=True):
            attempts.append((command, timeout))
            if len(attempts) <= refusals:
                raise exceptions.ConnectError(
                    'guest A1: cannot connect to 198.19.11.5:22: refused %d'
                    % len(attempts))
            return remote.CommandResult(command, 0, '', '')

        runner.run = run
        runner.attempts = attempts
        return runner

    def test_retries_until_a_command_runs(self):
        runner = self.runner(refusals=2)
        seconds = runner.wait_until_ready(timeout=5, first_interval=0.01,
                                          max_interval=0.02)
        self.assertEqual([('true', 10.0)] * 3, runner.attempts)
        self.assertGreaterEqual(seconds, 0.03)

    def test_stop_ends_the_wait_before_the_next_poll(self):
        runner = self.runner(refusals=1000)
        exc = self.assertRaises(
            exceptions.Aborted, runner.wait_until_ready, timeout=60,
            first_interval=0.01, max_interval=0.01,
            stop=lambda: 'aborted' if len(runner.attempts) == 2 else None)
        self.assertEqual('aborted while waiting for guest A1', str(exc))
        self.assertEqual(2, len(runner.attempts))

    def test_timeout_names_the_guest_and_the_last_error(self):
        runner = self.runner(refusals=1000)
        exc = self.assertRaises(exceptions.CommandTimeout,
                                runner.wait_until_ready, timeout=0.05,
                                first_interval=0.01, max_interval=0.01)
        self.assertIn('guest A1: not reachable over SSH: still waiting '
                      'after 0 s', str(exc))
        self.assertIn('last error: guest A1: cannot connect to '
                      '198.19.11.5:22: refused %d' % len(runner.attempts),
                      str(exc))
