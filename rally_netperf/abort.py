"""Notice ``rally task abort`` and Ctrl-C inside a running iteration.

Rally's own abort only stops *new* iterations: ``rally task abort`` sets
the task's status to ``aborting`` in Rally's database, the workload's
result consumer polls it every 2 s, then sets the runner's ``aborted``
event (which the runner's worker processes read before starting the next
iteration) and the status to ``aborted``.  Nothing reaches a running
scenario, which runs in a thread of a worker process: it has to read the
task's status itself.  A soft abort (``--soft``, ``soft_aborting``) lets
the running workload finish, as Rally documents it, so only a hard abort
stops an iteration.

Ctrl-C of ``rally task start`` never reaches the scenario's thread either:
the worker process's main thread gets the ``KeyboardInterrupt`` and ends,
and the process then waits for the scenario's thread.  That main thread
having ended is the cheap sign that the run was interrupted.  Rally's main
process meanwhile cleans the contexts up: :func:`wait_for_iterations`
lets the iterations delete their own guests before the networks go.
"""

from __future__ import annotations

import functools
import logging
import multiprocessing
import os
import threading
import time
from typing import Callable

from rally.common import cfg
from rally.common.db import models
from rally import consts
import sqlalchemy as sa

LOG = logging.getLogger(__name__)

# The statuses of a hard abort: ``aborting`` until Rally's result
# consumer notices (within 2 s), ``aborted`` after.
ABORT_STATUSES = frozenset({consts.TaskStatus.ABORTING,
                            consts.TaskStatus.ABORTED})
# Seconds between two reads of the task's status; a run between two
# checks lasts longer (60 s at the thesis's defaults).
CHECK_INTERVAL = 5.0
# Seconds a check waits for its read of the task's status.
READ_TIMEOUT = 2.0

# Seconds the context cleanup waits for interrupted iterations: a boot
# or an SSH wait to end, then the servers to be deleted.
ITERATIONS_TIMEOUT = 600.0

TASK_ABORT = 'aborted by rally task abort'
INTERRUPTED = 'interrupted (Ctrl-C of rally task start)'


def task_uuid(context: dict) -> str | None:
    """The running task's UUID from a scenario's context.

    Rally puts its ``objects.Task`` there: items by key, but its ``get``
    is a database lookup by UUID, not a mapping's ``get``.
    """
    task = context.get('task')
    return None if task is None else task['uuid']


def task_status(task_uuid: str) -> str | None:
    """The task's status in Rally's database (one small query).

    Through an engine of this process's own, not Rally's: a worker
    process is forked from Rally's main process while its threads use
    Rally's engine, and a lock held at that moment stays held in the
    child's copy, so a read through Rally's engine can hang for good
    (seen: ``rally task abort`` unnoticed in 3 of 8 functional runs).
    """
    with _engine().connect() as connection:
        return connection.execute(
            sa.select(models.Task.status).where(
                models.Task.uuid == task_uuid)).scalar()


@functools.cache
def _process_engine(pid: int, url: str) -> sa.engine.Engine:
    # No pool: a connection is opened per read (every few seconds).
    return sa.create_engine(url, poolclass=sa.pool.NullPool)


def _engine() -> sa.engine.Engine:
    return _process_engine(os.getpid(), cfg.CONF.database.connection)


class AbortWatch:
    """Whether the iteration should stop now, and why.

    Reads the task's status at most once every ``interval`` seconds;
    once it has seen an abort, it keeps saying so without reading again.
    """

    def __init__(self, task_uuid: str | None,
                 interval: float | None = None,
                 read_status: Callable[[str], str] | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.task_uuid = task_uuid
        self.interval = CHECK_INTERVAL if interval is None else interval
        self._read_status = read_status or task_status
        self._clock = clock
        self.read_timeout = READ_TIMEOUT
        self._last_read: float | None = None
        self._reason: str | None = None
        self._pending: threading.Thread | None = None
        self._seen: str | None = None
        self._lock = threading.Lock()

    def reason(self) -> str | None:
        """Why to stop (a :data:`openstack_netperf.polling.Checkpoint`)."""
        if self._reason:
            return self._reason
        if not threading.main_thread().is_alive():
            self._reason = INTERRUPTED
        elif self.task_uuid:
            # Guests are waited for in threads of their own, each asking.
            with self._lock:
                if self._due():
                    self._read()
                if self._seen in ABORT_STATUSES:
                    self._reason = TASK_ABORT
        return self._reason

    def _read(self) -> None:
        """Read the task's status into ``_seen``, waiting ``read_timeout``.

        Read in a thread of its own: with Rally's default sqlite database
        a read can wait on a lock that Rally's main process holds while
        it waits for this very iteration (after Ctrl-C), and the
        iteration must still notice the interruption meanwhile.  A read
        still waiting is not started again; what it finds when it ends is
        seen by the next check.
        """
        if self._pending is not None and self._pending.is_alive():
            return

        def read() -> None:
            try:
                self._seen = self._read_status(self.task_uuid)
            except Exception as exc:
                # A database hiccup must not fail a measurement.
                LOG.warning('netperf: cannot read the status of task %s: '
                            '%s', self.task_uuid, exc)

        self._pending = threading.Thread(target=read, daemon=True,
                                         name='netperf-abort-read')
        self._pending.start()
        self._pending.join(self.read_timeout)

    def _due(self) -> bool:
        now = self._clock()
        if self._last_read is not None and (
                now - self._last_read < self.interval):
            return False
        self._last_read = now
        return True


def wait_for_iterations(timeout: float = ITERATIONS_TIMEOUT) -> None:
    """Wait for Rally's worker processes still running iterations.

    After Ctrl-C of ``rally task start`` Rally's main process cleans the
    contexts up while its worker processes go on with their iterations
    until those notice (:data:`INTERRUPTED`) and delete their guests.
    Deleting the networks under an iteration still booting would leave
    its servers behind.  Normally no worker is left at cleanup time and
    this returns at once; a second Ctrl-C stops the wait.
    """
    workers = multiprocessing.active_children()
    if not workers:
        return
    LOG.warning('netperf: waiting up to %d s for %d interrupted '
                'iteration process(es) to delete their guests (Ctrl-C '
                'again to stop waiting)', timeout, len(workers))
    deadline = time.monotonic() + timeout
    try:
        for worker in workers:
            worker.join(max(0.0, deadline - time.monotonic()))
    except KeyboardInterrupt:
        LOG.warning('netperf: not waiting for the iterations any more; '
                    'the cleanup deletes what it finds')
