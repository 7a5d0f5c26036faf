"""The abort watch: rally task abort and Ctrl-C, read cheaply."""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
import time
from unittest import mock

import fixtures
from oslo_config import fixture as config_fixture
from rally.common import cfg
from rally.common.db import models
import sqlalchemy as sa
import testtools

from rally_netperf import abort


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


class AbortWatchTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.clock = Clock()
        self.statuses = ['running']
        self.reads = []

    def _read(self, uuid):
        self.reads.append(uuid)
        return self.statuses[-1]

    def _watch(self, uuid='task-1', interval=5.0):
        return abort.AbortWatch(uuid, interval, read_status=self._read,
                                clock=self.clock)

    def test_reads_the_status_at_most_once_per_interval(self):
        watch = self._watch()
        self.assertIsNone(watch.reason())
        self.clock.now += 4.9
        self.statuses.append('aborting')
        # Within the interval: no read, so not seen yet.
        self.assertIsNone(watch.reason())
        self.assertEqual(['task-1'], self.reads)
        self.clock.now += 0.1
        self.assertEqual(abort.TASK_ABORT, watch.reason())
        self.assertEqual(2, len(self.reads))

    def test_an_abort_once_seen_is_kept_without_reading_again(self):
        self.statuses.append('aborted')
        watch = self._watch()
        self.assertEqual(abort.TASK_ABORT, watch.reason())
        self.clock.now += 60
        self.statuses.append('running')
        self.assertEqual(abort.TASK_ABORT, watch.reason())
        self.assertEqual(1, len(self.reads))

    def test_soft_abort_lets_the_iteration_finish(self):
        # rally task abort --soft: the running workload completes.
        self.statuses.append('soft_aborting')
        self.assertIsNone(self._watch().reason())

    def test_unreadable_status_does_not_stop_the_measurement(self):
        def broken(uuid):
            raise RuntimeError('database is locked')

        watch = abort.AbortWatch('task-1', read_status=broken,
                                 clock=self.clock)
        with mock.patch.object(abort.LOG, 'warning') as warning:
            self.assertIsNone(watch.reason())
        self.assertIn('database is locked', str(warning.call_args))

    def test_no_task_no_read(self):
        self.assertIsNone(self._watch(uuid=None).reason())
        self.assertEqual([], self.reads)

    def test_default_interval_and_reader(self):
        # Rally's own tasks table in a real sqlite file, read through the
        # watch's own engine.
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'rally.sqlite')
        self.useFixture(config_fixture.Config(cfg.CONF)).config(
            group='database', connection='sqlite:///' + path)
        engine = sa.create_engine('sqlite:///' + path)
        models.Task.__table__.create(engine)
        with engine.begin() as connection:
            connection.execute(sa.insert(models.Task.__table__).values(
                uuid='task-1', env_uuid='env', status='aborting',
                validation_result='{}'))
        engine.dispose()
        watch = abort.AbortWatch('task-1')
        self.assertEqual(abort.CHECK_INTERVAL, watch.interval)
        self.assertEqual(abort.TASK_ABORT, watch.reason())
        self.assertIsNone(abort.task_status('no-such-task'))

    def _blocked_watch(self) -> tuple[abort.AbortWatch, threading.Event]:
        """A watch whose read waits until the event is set ('aborting')."""
        release = threading.Event()
        self.addCleanup(release.set)

        def waiting(uuid):
            self.reads.append(uuid)
            release.wait(10)
            return 'aborting'

        watch = abort.AbortWatch('task-1', read_status=waiting,
                                 clock=self.clock)
        watch.read_timeout = 0.05
        return watch, release

    def test_a_read_that_waits_on_a_lock_does_not_hold_the_iteration(self):
        # A read that hangs (a database lock) must not hold the iteration.
        watch, _release = self._blocked_watch()
        started = time.monotonic()
        self.assertIsNone(watch.reason())
        self.assertLess(time.monotonic() - started, 5)
        # The read still waits: not started again at the next check.
        self.clock.now += 10
        self.assertIsNone(watch.reason())
        self.assertEqual(['task-1'], self.reads)
        # The interruption is still noticed meanwhile.
        main = mock.Mock(**{'is_alive.return_value': False})
        with mock.patch.object(abort.threading, 'main_thread',
                               return_value=main):
            self.assertEqual(abort.INTERRUPTED, watch.reason())

    def test_what_a_late_read_finds_is_seen_by_the_next_check(self):
        # A read slower than the bound (a busy database) still counts.
        watch, release = self._blocked_watch()
        self.assertIsNone(watch.reason())
        release.set()
        watch._pending.join(5)
        # Not due yet: no new read, the late one's status decides.
        self.assertEqual(abort.TASK_ABORT, watch.reason())
        self.assertEqual(['task-1'], self.reads)

    def test_ctrl_c_seen_as_the_main_thread_ending(self):
        # A worker process's main thread ends on KeyboardInterrupt while
        # the scenario's thread goes on; no database read is needed.
        main = mock.Mock(**{'is_alive.return_value': False})
        with mock.patch.object(abort.threading, 'main_thread',
                               return_value=main):
            self.assertEqual(abort.INTERRUPTED, self._watch().reason())
        self.assertEqual([], self.reads)


def _worker(conn):
    """A Rally worker process: the scenario runs in a thread."""
    os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # its KeyboardInterrupt
    # Python's own handler, as in rally; a test runner may ignore SIGINT.
    signal.signal(signal.SIGINT, signal.default_int_handler)
    watch = abort.AbortWatch(None)

    def scenario():
        conn.send('started')
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if watch.reason():
                conn.send(watch.reason())
                return
            time.sleep(0.01)
        conn.send('never noticed')

    thread = threading.Thread(target=scenario)
    thread.start()
    while thread.is_alive():
        time.sleep(0.001)


class CtrlCInWorkerProcessTest(testtools.TestCase):

    def test_scenario_thread_notices_the_interrupt(self):
        context = multiprocessing.get_context('fork')
        # A pipe, not a queue: a queue's feeder thread stops at exit.
        receiver, sender = context.Pipe(duplex=False)
        process = context.Process(target=_worker, args=(sender,))
        process.start()
        self.addCleanup(process.join, 10)
        self.assertTrue(receiver.poll(10))
        self.assertEqual('started', receiver.recv())
        os.kill(process.pid, signal.SIGINT)
        self.assertTrue(receiver.poll(10))
        self.assertEqual(abort.INTERRUPTED, receiver.recv())


class WaitForIterationsTest(testtools.TestCase):
    """The context cleanup lets interrupted iterations delete first."""

    def _child(self, seconds):
        process = multiprocessing.get_context('fork').Process(
            target=time.sleep, args=(seconds,))
        process.start()
        self.addCleanup(process.join)
        self.addCleanup(process.terminate)
        return process

    def test_no_worker_no_wait(self):
        with mock.patch.object(abort.LOG, 'warning') as warning:
            abort.wait_for_iterations()
        warning.assert_not_called()

    def test_waits_for_the_workers_to_end(self):
        process = self._child(0.3)
        with mock.patch.object(abort.LOG, 'warning') as warning:
            abort.wait_for_iterations(timeout=30)
        self.assertFalse(process.is_alive())
        self.assertIn('to delete their guests', warning.call_args[0][0])

    def test_waits_no_longer_than_the_timeout(self):
        process = self._child(30)
        started = time.monotonic()
        abort.wait_for_iterations(timeout=0.3)
        self.assertLess(time.monotonic() - started, 5)
        self.assertTrue(process.is_alive())

    def test_second_ctrl_c_stops_waiting(self):
        worker = mock.Mock(**{'join.side_effect': KeyboardInterrupt})
        with mock.patch.object(abort.multiprocessing, 'active_children',
                               return_value=[worker, worker]):
            abort.wait_for_iterations()
        worker.join.assert_called_once_with(mock.ANY)
