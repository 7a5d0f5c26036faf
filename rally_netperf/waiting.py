"""Waiting on servers the way Rally does, and the plugin's configuration.

Servers are waited for with Rally's own ``wait_for_status``, under
rally-openstack's ``[openstack] nova_server_boot_*`` and
``nova_server_delete_*`` options, exactly as its Nova scenarios wait: an
operator who tuned those for a slow cloud tunes netperf too.  The
``[netperf]`` options cover what Rally has no idiom for (SSH into guests).
"""

from __future__ import annotations

from typing import Any, Callable

from oslo_config import cfg
from rally import exceptions as rally_exceptions
from rally.task import utils as task_utils

from openstack_netperf import exceptions
from openstack_netperf import polling
from rally_netperf import opts

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


def ignore_missing(call: Callable[..., Any], *args: Any, **kwargs: Any
                   ) -> Any:
    """Run a delete-like call; a resource already gone is not an error."""
    try:
        return call(*args, **kwargs)
    except Exception as exc:
        if is_not_found(exc):
            return None
        raise


def server_active(server: Any, what: str,
                  checkpoint: polling.Checkpoint = polling.never_stop
                  ) -> Any:
    """``server`` (a novaclient server) refreshed once it is ACTIVE.

    ``checkpoint`` is asked at every poll: a reason (an abort) stops the
    wait with :class:`exceptions.Aborted`.

    :raises exceptions.BootFailed: naming ``what`` when the server goes
        to ERROR, or is not ACTIVE in time.
    """
    try:
        return task_utils.wait_for_status(
            server, ready_statuses=['ACTIVE'],
            update_resource=_asking(checkpoint, 'while %s booted' % what,
                                    task_utils.get_from_manager()),
            timeout=CONF.openstack.nova_server_boot_timeout,
            check_interval=CONF.openstack.nova_server_boot_poll_interval)
    except rally_exceptions.RallyException as exc:
        raise exceptions.BootFailed('Server for %s did not become ACTIVE: %s'
                                    % (what, exc)) from exc


def _asking(checkpoint: polling.Checkpoint, when: str,
            refresh: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``refresh``, asking ``checkpoint`` first whether to stop."""

    def update(resource: Any) -> Any:
        exceptions.Aborted.raise_if(checkpoint(), when)
        return refresh(resource)
    return update


def _deleted_server(server: Any) -> Any:
    """``server`` refreshed, or Rally's not-found once it is gone.

    Unlike ``get_from_manager``, any status is fine meanwhile: a server
    that failed to boot stays in ERROR while Nova deletes it.
    """
    found = ignore_missing(server.manager.get, server.id)
    if found is None or found.status == 'DELETED':
        raise rally_exceptions.GetResourceNotFound(resource=server)
    return found


def servers_gone(servers: list[Any]) -> None:
    """Return once every one of ``servers`` (deleted already) is gone."""
    for server in servers:
        task_utils.wait_for_status(
            server, ready_statuses=['deleted'], failure_statuses=[],
            check_deletion=True, update_resource=_deleted_server,
            timeout=CONF.openstack.nova_server_delete_timeout,
            check_interval=CONF.openstack.nova_server_delete_poll_interval)
