import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import readiness


class TestWaitFor(testtools.TestCase):

    def test_returns_once_ready(self):
        answers = iter([False, False, True])
        readiness.wait_for('x', lambda: next(answers), 5, interval=0.001)
        self.assertRaises(StopIteration, next, answers)

    def test_a_dead_daemon_stops_the_wait_at_once(self):
        polled = []

        def dead():
            raise exceptions.ServiceError('x is not running', '/x.log')

        error = self.assertRaises(
            exceptions.ServiceError, readiness.wait_for, 'x',
            lambda: polled.append(1), 60, dead)
        self.assertEqual('/x.log', error.log)
        self.assertEqual([], polled)

    def test_timeout_names_what_and_the_log(self):
        error = self.assertRaises(
            exceptions.ServiceError, readiness.wait_for, 'keystone on :5000',
            lambda: False, 0.02, interval=0.005, log='/k.log')
        self.assertIn('keystone on :5000 not ready', str(error))
        self.assertEqual('/k.log', error.log)


class TestProbes(testtools.TestCase):

    def test_nothing_listens_on_a_closed_port(self):
        # Port 1 on loopback: tcpmux, never served here.
        self.assertFalse(readiness.port_open('127.0.0.1', 1))
        self.assertFalse(readiness.http_answers('127.0.0.1', 1))
