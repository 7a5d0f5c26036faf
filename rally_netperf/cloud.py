"""Small look-ups in the cloud shared by validators, contexts and scenarios.

Each returns what the caller needs or raises
:class:`openstack_netperf.exceptions.InvalidInput` with a message that says
what to change, so validation and a running iteration fail the same way.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from openstack_netperf import exceptions
from openstack_netperf.hosts import cloud as hosts_cloud
from openstack_netperf import topology

# A compute can host VMs behind a distributed router in any DVR mode,
# the network node's dvr_snat included (an all-in-one DVR cloud).
DVR_AGENT_MODES = (hosts_cloud.COMPUTE_DVR_MODES
                   + hosts_cloud.CENTRAL_MODES[topology.RouterMode.DVR])


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Read a field of a client resource or of a plain dict."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def find_image(glance: Any, ref: str) -> tuple[str, str]:
    """The (id, name) of the image called or identified by ``ref``."""
    images = [img for img in glance.images.list()
              if ref in (_get(img, 'id'), _get(img, 'name'))]
    if not images:
        raise exceptions.InvalidInput(
            'Image %r not found in Glance: upload a guest image with iperf3, '
            'ping and an SSH server under that name (e.g. "netperf-image '
            'build" then "netperf-image upload"), or set the image argument '
            '(--task-args image_name=...) to an existing image' % ref)
    if len(images) > 1:
        raise exceptions.InvalidInput(
            'Image name %r is ambiguous (%d images): set the image argument '
            'to one of the ids %s' % (ref, len(images), ', '.join(
                sorted(_get(i, 'id') for i in images))))
    return _get(images[0], 'id'), _get(images[0], 'name') or ref


def find_flavor(nova: Any, ref: str) -> str:
    """The id of the flavor called or identified by ``ref``."""
    flavors = nova.flavors.list()
    for flavor in flavors:
        if ref in (_get(flavor, 'id'), _get(flavor, 'name')):
            return _get(flavor, 'id')
    raise exceptions.InvalidInput(
        'Flavor %r not found: create it or set the flavor argument to one of '
        '%s' % (ref, ', '.join(sorted(str(_get(f, 'name')) for f in flavors))
                or '(no flavors visible)'))


@dataclasses.dataclass(frozen=True)
class ComputeHost(hosts_cloud.ComputeHost):
    """An enabled, up compute host and the L3 agent mode it runs."""

    l3_agent_mode: str | None = None


def l3_agents(neutron: Any) -> list[dict[str, Any]]:
    """Every L3 agent: host, agent_mode, alive, admin_state_up."""
    agents = neutron.list_agents(agent_type='L3 agent')['agents']
    return [{'host': a['host'],
             'agent_mode': hosts_cloud.agent_mode(a),
             'alive': a.get('alive', False),
             'admin_state_up': a.get('admin_state_up', True)}
            for a in agents]


def compute_hosts(nova: Any, neutron: Any | None = None,
                  pinned: list[str] | tuple[str, ...] = (),
                  zone: str | None = None) -> list[ComputeHost]:
    """Enabled, up compute hosts; the pinned ones, in the order given.

    :raises InvalidInput: when a pinned host is not an enabled, up compute.
    """
    services = nova.services.list(binary='nova-compute')
    usable = {}
    for service in services:
        if _get(service, 'status') != 'enabled' or \
                _get(service, 'state') != 'up':
            continue
        if zone and _get(service, 'zone') != zone:
            continue
        usable[_get(service, 'host')] = _get(service, 'zone') or 'nova'
    modes = {}
    if neutron is not None:
        modes = {a['host']: a['agent_mode'] for a in l3_agents(neutron)
                 if a['alive']}
    if pinned:
        unknown = [h for h in pinned if h not in usable]
        if unknown:
            raise exceptions.InvalidInput(
                'Pinned compute host(s) %s are not enabled and up%s; '
                'available: %s. Fix "hosts" of the netperf_compute_hosts '
                'context' % (', '.join(unknown),
                             ' in zone %s' % zone if zone else '',
                             ', '.join(sorted(usable)) or 'none'))
        names = list(pinned)
    else:
        names = sorted(usable)
    return [ComputeHost(name, usable[name], modes.get(name))
            for name in names]


def check_enough_computes(categories: list[Any],
                          hosts: list[ComputeHost]) -> None:
    """Fail when a category needs more compute hosts than there are."""
    short = [c for c in categories if c.computes_needed > len(hosts)]
    if short:
        raise exceptions.InvalidInput(
            'Categories %s need %d compute hosts but %d enabled and up '
            '(%s): drop them from the task, or add/enable a compute host'
            % (', '.join(c.shorthand for c in short),
               max(c.computes_needed for c in short), len(hosts),
               ', '.join(h.host for h in hosts) or 'none'))


def check_dvr_agents(mode: topology.RouterMode,
                     hosts: list[ComputeHost]) -> None:
    """Fail when DVR is asked for but a compute has no DVR L3 agent."""
    if mode is not topology.RouterMode.DVR:
        return
    wrong = ['%s (%s)' % (h.host, h.l3_agent_mode or 'no L3 agent')
             for h in hosts if h.l3_agent_mode not in DVR_AGENT_MODES]
    if wrong:
        raise exceptions.InvalidInput(
            'router_mode dvr, but compute hosts %s run no L3 agent in a dvr '
            'mode: distributed routers would not route there. Set '
            'router_mode legacy, or run the L3 agent with agent_mode = dvr '
            'on those computes' % ', '.join(wrong))
