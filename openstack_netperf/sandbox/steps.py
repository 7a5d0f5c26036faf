"""Run named steps with progress, timing, idempotence and failure reports.

Each step may say it is already done; ``up`` on a running sandbox then
runs nothing and says so.  A failing step is reported with the step's
name, the last lines of the log that explains it and that log's path, so
a re-run after a fix resumes where it stopped.
"""

from __future__ import annotations

import collections
import dataclasses
import os
import sys
import time
from typing import Callable, Iterable, TextIO

from openstack_netperf import exceptions

TAIL_LINES = 20


@dataclasses.dataclass
class Step:
    """One unit of work.

    :param done: returns True when the work is already in place; None
        means the step always runs (it must then be idempotent itself).
    :param log: the log file that explains a failure of this step.
    """

    name: str
    action: Callable[[], None]
    done: Callable[[], bool] | None = None
    log: str | None = None


def tail(path: str | None, lines: int = TAIL_LINES) -> str:
    """The last lines of a file, or '' if it cannot be read."""
    if not path or not os.path.exists(path):
        return ''
    with open(path, 'rb') as handle:
        last = collections.deque(handle, maxlen=lines)
    return b''.join(last).decode('utf-8', 'replace').rstrip()


@dataclasses.dataclass
class Outcome:
    name: str
    changed: bool
    seconds: float


class StepRunner:
    """Runs steps in order, printing one line per step."""

    def __init__(self, out: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic):
        self.out = out or sys.stdout
        self.clock = clock

    def _print(self, text: str) -> None:
        self.out.write(text + '\n')
        self.out.flush()

    def run(self, steps: Iterable[Step]) -> list[Outcome]:
        steps = list(steps)
        outcomes = []
        width = len(str(len(steps)))
        started = self.clock()
        for index, step in enumerate(steps, 1):
            label = '[%*d/%d] %s' % (width, index, len(steps), step.name)
            begin = self.clock()
            try:
                if step.done is not None and step.done():
                    outcomes.append(Outcome(step.name, False, 0.0))
                    self._print('%s: already done' % label)
                    continue
                self.out.write('%s ...' % label)
                self.out.flush()
                step.action()
            except Exception as exc:
                self._print(' failed after %.1f s' % (self.clock() - begin))
                log = getattr(exc, 'log', None) or step.log
                raise exceptions.StepFailed(
                    step.name, str(exc) or repr(exc), log,
                    tail(log)) from exc
            seconds = self.clock() - begin
            outcomes.append(Outcome(step.name, True, seconds))
            self._print(' done in %.1f s' % seconds)
        changed = [o for o in outcomes if o.changed]
        if not changed:
            self._print('Nothing changed: everything was already in place.')
        else:
            self._print('%d of %d steps changed something; total %.1f s'
                        % (len(changed), len(outcomes),
                           self.clock() - started))
        return outcomes
