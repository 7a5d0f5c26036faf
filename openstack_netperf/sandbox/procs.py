"""Start, watch and stop the sandbox's daemons by PID file.

Every daemon runs in the foreground in its own session, with its output
appended to its log.  The PID file also records the process start time,
so a PID reused by an unrelated process is never mistaken for ours and
never signalled.
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import time
from typing import Callable, Mapping, Sequence

from openstack_netperf import exceptions
from openstack_netperf import polling

# Seconds a process gets to exit after SIGKILL before stop gives up (one
# stuck in uninterruptible sleep, say).
KILL_WAIT = 30.0


def start_time(pid: int) -> str | None:
    """The kernel's start time of a process (clock ticks), or None."""
    try:
        with open('/proc/%d/stat' % pid) as handle:
            stat = handle.read()
    except OSError:
        return None
    # The command name may contain spaces: fields follow the last ')'.
    fields = stat[stat.rindex(')') + 2:].split()
    if fields[0] == 'Z':
        return None
    return fields[19]


class Supervisor:
    """PID-file bookkeeping for daemons started by the sandbox."""

    def __init__(self, run_dir: str,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.monotonic):
        self.run_dir = run_dir
        self.sleep = sleep
        self.clock = clock

    def pid_file(self, name: str) -> str:
        return os.path.join(self.run_dir, '%s.pid' % name)

    def names(self) -> list[str]:
        """Daemons with a PID file, in start order."""
        if not os.path.isdir(self.run_dir):
            return []
        files = [f for f in os.listdir(self.run_dir) if f.endswith('.pid')]
        files.sort(key=lambda f: os.stat(os.path.join(self.run_dir,
                                                      f)).st_mtime_ns)
        return [f[:-len('.pid')] for f in files]

    def pid(self, name: str) -> int | None:
        """The PID of a running daemon we started, else None."""
        try:
            with open(self.pid_file(name)) as handle:
                pid_text, started = handle.read().split()
        except (OSError, ValueError):
            return None
        pid = int(pid_text)
        return pid if start_time(pid) == started else None

    def start(self, name: str, argv: Sequence[str], log: str,
              env: Mapping[str, str] | None = None,
              cwd: str | None = None) -> int:
        """Start a daemon unless it runs; return its PID."""
        running = self.pid(name)
        if running:
            return running
        os.makedirs(self.run_dir, exist_ok=True)
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, 'ab') as out:
            out.write(('--- netperf-sandbox starts %s: %s\n'
                       % (name, ' '.join(argv))).encode())
            out.flush()
            proc = subprocess.Popen(
                list(argv), stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, env=dict(env) if env else None,
                cwd=cwd, start_new_session=True, close_fds=True)
        try:
            started = polling.poll(
                lambda: start_time(proc.pid), 0.5, '%s to start' % name,
                interval=0.01, sleep=self.sleep, clock=self.clock)
        except exceptions.WaitTimeout:
            raise exceptions.ServiceError('%s exited at once' % name, log)
        with open(self.pid_file(name), 'w') as handle:
            handle.write('%d %s\n' % (proc.pid, started))
        return proc.pid

    def check_alive(self, name: str, log: str) -> None:
        if not self.pid(name):
            raise exceptions.ServiceError('%s is not running' % name, log)

    def stop(self, name: str, timeout: float = 20.0) -> bool:
        """Stop a daemon and its process group: TERM, then KILL.

        Returns True if something was running.
        """
        pid = self.pid(name)
        if pid is None:
            self._forget(name)
            return False
        signal_group(pid, signal.SIGTERM)
        try:
            self._wait_gone(name, pid, timeout, 0.2)
        except exceptions.ServiceError:
            signal_group(pid, signal.SIGKILL)
            self._wait_gone(name, pid, KILL_WAIT, 0.1)
        self._forget(name)
        return True

    def _wait_gone(self, name: str, pid: int, timeout: float,
                   interval: float) -> None:
        def gone() -> bool:
            reap(pid)
            return self.pid(name) is None

        polling.poll(gone, timeout, '%s to exit' % name, interval=interval,
                     error=exceptions.ServiceError, sleep=self.sleep,
                     clock=self.clock)

    def _forget(self, name: str) -> None:
        try:
            os.unlink(self.pid_file(name))
        except FileNotFoundError:
            pass


def signal_group(pid: int, sig: int) -> None:
    """Signal the session we created for ``pid`` (its group is its PID)."""
    for target in (-pid, pid):
        try:
            os.kill(target, sig)
        except OSError as exc:
            if exc.errno != errno.ESRCH:
                raise


def reap(pid: int) -> None:
    """Collect a child that exited, so it does not linger as a zombie."""
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass
