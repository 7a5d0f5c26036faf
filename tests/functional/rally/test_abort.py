"""The real Rally engine's abort and Ctrl-C reach a running iteration.

No cloud: a probe scenario (written to a temporary plugin file) runs in
Rally's constant runner, in a worker process as NetPerf iterations do,
and polls :class:`rally_netperf.abort.AbortWatch` until it says why to
stop.  ``rally task abort`` (Rally's database, read from the worker) and a
terminal's Ctrl-C (SIGINT to the process group) must each be noticed
within the watch's read interval and end the iteration with an
``Aborted`` error.  Rally runs in a database of its own, and with
``--no-use`` so that it changes no default in ``~/.rally``.

    python -m testtools.run tests.functional.rally.test_abort
"""

import os
import pathlib
import re
import signal
import subprocess
import sys
import tempfile
import textwrap
import time

import testtools

from rally_netperf import abort

RALLY = str(pathlib.Path(sys.executable).parent / 'rally')
PLUGIN = textwrap.dedent('''\
    import time

    from rally.task import scenario

    from openstack_netperf import exceptions
    from rally_netperf import abort


    @scenario.configure(name='NetPerfProbe.wait_for_abort')
    class WaitForAbort(scenario.Scenario):

        def run(self, seen, seconds=120):
            watch = abort.AbortWatch(self.context['task']['uuid'])
            deadline = time.time() + seconds
            while time.time() < deadline:
                reason = watch.reason()
                if reason:
                    with open(seen, 'w') as out:
                        out.write('%f %s' % (time.time(), reason))
                    exceptions.Aborted.raise_if(reason)
                time.sleep(0.2)
    ''')
TASK = '''\
---
version: 2
title: abort probe
subtasks:
  - title: wait for abort
    scenario:
      NetPerfProbe.wait_for_abort: {seen: %s}
    runner:
      constant: {times: 1, concurrency: 1}
'''
UUID = re.compile(r'Task ([0-9a-f-]{36})')
# Rally's result consumer notices an abort within 2 s; the watch reads
# at most every CHECK_INTERVAL; the rest is slack for a busy machine.
NOTICE_WITHIN = abort.CHECK_INTERVAL + 5.0


@testtools.skipUnless(os.path.exists(RALLY),
                      'Rally is not installed next to this Python')
class TestRallyAbortReachesTheIteration(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix='np-abort-'))
        self.addCleanup(subprocess.run, ['rm', '-rf', str(self.workdir)])
        self.conf = self.workdir / 'rally.conf'
        self.conf.write_text('[database]\nconnection = sqlite:///%s\n'
                             % (self.workdir / 'rally.sqlite'))
        (self.workdir / 'probe.py').write_text(PLUGIN)
        self.seen = self.workdir / 'seen'
        (self.workdir / 'task.yaml').write_text(TASK % self.seen)
        self.rally('db', 'create')
        self.rally('env', 'create', '--name', 'probe', '--no-use')

    def rally(self, *args: str) -> str:
        return subprocess.run(
            [RALLY, '--config-file', str(self.conf), *args],
            capture_output=True, text=True, check=True,
            cwd=self.workdir).stdout

    def start(self) -> tuple[subprocess.Popen, str]:
        """Start the task; return it and its UUID once it iterates."""
        log = self.workdir / 'start.log'
        process = subprocess.Popen(
            [RALLY, '--config-file', str(self.conf), '--plugin-paths',
             str(self.workdir / 'probe.py'), 'task', 'start',
             str(self.workdir / 'task.yaml'), '--env', 'probe', '--no-use'],
            stdout=log.open('w'), stderr=subprocess.STDOUT,
            cwd=self.workdir, start_new_session=True,
            # As from a terminal: a shell's background job ignores SIGINT.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
        self.addCleanup(self._stop, process)
        deadline = time.monotonic() + 120
        while 'ITER: 1 START' not in log.read_text():
            self.assertLess(time.monotonic(), deadline, log.read_text())
            self.assertIsNone(process.poll(), log.read_text())
            time.sleep(0.2)
        return process, UUID.search(log.read_text()).group(1)

    @staticmethod
    def _stop(process: subprocess.Popen) -> None:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()

    def seen_after(self, since: float) -> tuple[float, str]:
        """Seconds after ``since`` the iteration stopped, and why."""
        deadline = time.time() + 60
        while not self.seen.exists():
            self.assertLess(time.time(), deadline, 'never noticed')
            time.sleep(0.2)
        at, reason = self.seen.read_text().split(' ', 1)
        return float(at) - since, reason

    def test_task_abort_stops_the_running_iteration(self):
        process, uuid = self.start()
        time.sleep(1)
        aborted_at = time.time()
        self.rally('task', 'abort', uuid)
        delay, reason = self.seen_after(aborted_at)
        self.assertEqual(abort.TASK_ABORT, reason)
        self.assertLess(delay, NOTICE_WITHIN)
        process.wait(timeout=60)
        detailed = self.rally('task', 'detailed', uuid)
        self.assertIn('Aborted: aborted by rally task abort', detailed)

    def test_ctrl_c_stops_the_running_iteration(self):
        process, _uuid = self.start()
        time.sleep(1)
        interrupted_at = time.time()
        os.killpg(process.pid, signal.SIGINT)
        delay, reason = self.seen_after(interrupted_at)
        self.assertEqual(abort.INTERRUPTED, reason)
        self.assertLess(delay, NOTICE_WITHIN)
        process.wait(timeout=60)
