"""The one way the core waits: poll a check with back-off until it holds.

The first poll comes soon, so a fast cloud (or daemon, or guest) is not
slowed down; later ones come less often, so a slow one is not hammered.
The clock and the sleep are parameters, so tests run on a fake clock.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, Type, TypeVar

from openstack_netperf import exceptions

LOG = logging.getLogger(__name__)
T = TypeVar('T')
# Asked before each step of a long run or wait: a reason to stop there
# (an abort), or None.
Checkpoint = Callable[[], str | None]


def never_stop() -> str | None:
    """A :data:`Checkpoint` that never stops (outside Rally)."""
    return None


def poll(check: Callable[[], T], timeout: float, what: str,
         interval: float = 1.0, max_interval: float | None = None,
         error: Type[exceptions.NetperfError] = exceptions.WaitTimeout,
         sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic) -> T:
    """Call ``check`` until it returns something true; return that.

    ``check`` may raise to stop the wait at once (a server in ERROR, a
    daemon that died).  The interval doubles after each poll up to
    ``max_interval`` (``None``: it stays ``interval``).

    :raises error: naming ``what`` once ``timeout`` seconds have passed.
    """
    start = clock()
    while True:
        result = check()
        if result:
            return result
        elapsed = clock() - start
        if elapsed + interval > timeout:
            raise error('%s: still waiting after %.0f s (limit %.0f s)'
                        % (what, elapsed, timeout))
        LOG.debug('%s: not yet, next poll in %.1f s', what, interval)
        sleep(interval)
        if max_interval is not None:
            interval = min(interval * 2, max_interval)
