"""The core's poll helper, on a fake clock."""

import testtools

from openstack_netperf import exceptions
from openstack_netperf import polling


class FakeClock:
    def __init__(self):
        self.now = 0.0
        self.sleeps = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.sleeps.append(seconds)
        self.now += seconds


class PollTest(testtools.TestCase):

    def test_returns_the_first_true_result(self):
        clock = FakeClock()
        answers = iter([None, 0, 'ready'])
        result = polling.poll(lambda: next(answers), 60, 'thing',
                              sleep=clock.sleep, clock=clock)
        self.assertEqual('ready', result)
        self.assertEqual([1.0, 1.0], clock.sleeps)

    def test_backs_off_up_to_the_maximum(self):
        clock = FakeClock()
        self.assertRaises(exceptions.WaitTimeout, polling.poll,
                          lambda: False, 30, 'thing', interval=1,
                          max_interval=8, sleep=clock.sleep, clock=clock)
        self.assertEqual([1, 2, 4, 8, 8], clock.sleeps)

    def test_timeout_names_what_and_uses_the_given_error(self):
        clock = FakeClock()
        error = self.assertRaises(
            exceptions.ServiceError, polling.poll, lambda: False, 5,
            'keystone answering', error=exceptions.ServiceError,
            sleep=clock.sleep, clock=clock)
        self.assertIn('keystone answering', str(error))
        self.assertIn('limit 5 s', str(error))

    def test_a_check_that_raises_stops_the_wait(self):
        clock = FakeClock()

        def check():
            raise exceptions.BootFailed('server went to ERROR')
        self.assertRaises(exceptions.BootFailed, polling.poll, check, 60,
                          'server', sleep=clock.sleep, clock=clock)
        self.assertEqual([], clock.sleeps)
