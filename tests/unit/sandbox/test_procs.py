import os
import tempfile

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import procs


class TestSupervisor(testtools.TestCase):
    """Real short-lived processes (sleep, sh) in a temporary directory."""

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.dir = tmp.name
        self.sup = procs.Supervisor(os.path.join(self.dir, 'run'))
        self.log = os.path.join(self.dir, 'logs', 'x.log')
        self.addCleanup(self._stop_all)

    def _stop_all(self):
        for name in self.sup.names():
            self.sup.stop(name, timeout=1)

    def test_start_records_pid_and_start_time(self):
        pid = self.sup.start('sleeper', ['sleep', '30'], self.log)
        self.assertEqual(pid, self.sup.pid('sleeper'))
        with open(self.sup.pid_file('sleeper')) as handle:
            recorded_pid, started = handle.read().split()
        self.assertEqual(str(pid), recorded_pid)
        self.assertEqual(procs.start_time(pid), started)
        self.assertEqual(['sleeper'], self.sup.names())

    def test_start_is_idempotent(self):
        first = self.sup.start('sleeper', ['sleep', '30'], self.log)
        self.assertEqual(first, self.sup.start('sleeper', ['sleep', '30'],
                                               self.log))

    def test_stop_terminates_and_forgets(self):
        pid = self.sup.start('sleeper', ['sleep', '30'], self.log)
        self.assertTrue(self.sup.stop('sleeper', timeout=5))
        self.assertIsNone(procs.start_time(pid))
        self.assertFalse(os.path.exists(self.sup.pid_file('sleeper')))
        self.assertFalse(self.sup.stop('sleeper'))

    def test_stop_escalates_to_kill(self):
        self.sup.start('stubborn', ['sh', '-c', 'trap "" TERM; sleep 30'],
                       self.log)
        self.sup.sleep(0.2)
        self.assertTrue(self.sup.stop('stubborn', timeout=0.5))
        self.assertIsNone(self.sup.pid('stubborn'))

    def test_a_reused_pid_is_not_ours(self):
        os.makedirs(self.sup.run_dir)
        with open(self.sup.pid_file('ghost'), 'w') as handle:
            # Our own PID, but with a start time that is not ours.
            handle.write('%d 1\n' % os.getpid())
        self.assertIsNone(self.sup.pid('ghost'))
        self.assertFalse(self.sup.stop('ghost'))
        self.assertTrue(os.path.exists('/proc/%d' % os.getpid()))

    def test_output_goes_to_the_log(self):
        self.sup.start('talker', ['sh', '-c', 'echo hello; sleep 30'],
                       self.log)
        for _ in range(50):
            with open(self.log) as handle:
                if 'hello' in handle.read():
                    break
            self.sup.sleep(0.05)
        with open(self.log) as handle:
            text = handle.read()
        self.assertIn('netperf-sandbox starts talker', text)
        self.assertIn('hello', text)

    def test_check_alive_names_the_log(self):
        error = self.assertRaises(exceptions.ServiceError,
                                  self.sup.check_alive, 'absent', self.log)
        self.assertEqual(self.log, error.log)
