"""Waiting on the cloud with back-off, and the plugin's configuration.

Every wait polls: the first poll comes soon so fast clouds are not slowed
down, later ones come less often so slow clouds are not hammered.
"""

from __future__ import annotations

import logging
import time
from typing import Any, Callable

from oslo_config import cfg

from openstack_netperf import exceptions
from rally_netperf import opts

LOG = logging.getLogger(__name__)
CONF = cfg.CONF
CONF.register_opts(opts.OPTS, group=opts.GROUP)


def settings() -> Any:
    """The ``[netperf]`` options."""
    return getattr(CONF, opts.GROUP)


def is_not_found(exc: BaseException) -> bool:
    """Whether a client error means the resource does not exist."""
    code = getattr(exc, 'status_code', None) or getattr(exc, 'code', None)
    return code == 404 or type(exc).__name__ in ('NotFound',
                                                 'NotFoundException')


def poll(check: Callable[[], Any], timeout: float, what: str) -> Any:
    """Call ``check`` until it returns something true; return that.

    :raises exceptions.WaitTimeout: naming ``what`` after ``timeout`` seconds.
    """
    conf = settings()
    interval = conf.poll_interval
    start = time.monotonic()
    while True:
        result = check()
        if result:
            return result
        elapsed = time.monotonic() - start
        if elapsed + interval > timeout:
            raise exceptions.WaitTimeout(
                '%s: still waiting after %.0f s (limit %.0f s)'
                % (what, elapsed, timeout))
        LOG.debug('%s: not yet, next poll in %.1f s', what, interval)
        time.sleep(interval)
        interval = min(interval * 2, conf.poll_max_interval)


def ignore_missing(call: Callable[..., Any], *args: Any, **kwargs: Any
                   ) -> Any:
    """Run a delete-like call; a resource already gone is not an error."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def wait_servers_gone(nova: Any, server_ids: list[str]) -> None:
    """Poll until every server of ``server_ids`` is deleted."""
    remaining = list(server_ids)

    def gone() -> bool:
        for server_id in list(remaining):
            try:
                server = nova.servers.get(server_id)
            except Exception as exc:
                if not is_not_found(exc):
                    raise
                remaining.remove(server_id)
                continue
            if getattr(server, 'status', '') == 'DELETED':
                remaining.remove(server_id)
        return not remaining

    poll(gone, settings().resource_delete_timeout,
         'deleting servers %s' % ', '.join(remaining))
