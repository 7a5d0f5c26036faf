"""Context that finds the compute hosts the VM pairs are pinned to.

It is also Rally's adapter to :mod:`openstack_netperf.hosts.cloud_facts`:
novaclient's service objects become the plain API dicts the core reads,
so Rally and Tempest judge computes, L3 agent modes and network nodes by
the same rules.  The checks here name the Rally context or argument that
fixes them.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Sequence

from rally import consts
from rally_openstack.task import context

from openstack_netperf import exceptions
from openstack_netperf.hosts import cloud_facts
from openstack_netperf import topology

NAME = 'netperf_compute_hosts'


def as_dict(resource: Any) -> dict[str, Any]:
    """The API dict of a client resource (or the dict itself)."""
    if isinstance(resource, dict):
        return resource
    if hasattr(resource, 'to_dict'):
        return resource.to_dict()
    return dict(vars(resource))


def discover(nova: Any, neutron: Any) -> cloud_facts.CloudFacts:
    """The cloud facts from novaclient and neutronclient."""
    services = [as_dict(s)
                for s in nova.services.list(binary='nova-compute')]
    return cloud_facts.CloudFacts.from_api(
        services, neutron.list_agents()['agents'],
        neutron.list_extensions()['extensions'])


def select(facts: cloud_facts.CloudFacts, pinned: Sequence[str] = (),
           zone: str | None = None) -> list[cloud_facts.ComputeHost]:
    """Enabled, up computes (of ``zone``); the pinned ones, in order.

    :raises InvalidInput: when ``zone`` has no enabled, up compute (naming
        the zones that have one), or a pinned host is not such a compute.
    """
    zones = sorted({c.zone for c in facts.computes})
    if zone and zone not in zones:
        raise exceptions.InvalidInput(
            'Availability zone %r has no enabled, up compute host; zones '
            'with one: %s. Fix "availability_zone" of the %s context'
            % (zone, ', '.join(zones) or 'none', NAME))
    usable = {c.host: c for c in facts.computes
              if not zone or c.zone == zone}
    unknown = [h for h in pinned if h not in usable]
    if unknown:
        raise exceptions.InvalidInput(
            'Pinned compute host(s) %s are not enabled and up%s; '
            'available: %s. Fix "hosts" of the %s context'
            % (', '.join(unknown), ' in zone %s' % zone if zone else '',
               ', '.join(sorted(usable)) or 'none', NAME))
    return [usable[h] for h in pinned] if pinned else list(usable.values())


def check_enough_computes(categories: list[topology.Category],
                          hosts: list[cloud_facts.ComputeHost]) -> None:
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
                     hosts: list[cloud_facts.ComputeHost]) -> None:
    """Fail when a compute cannot host VMs behind ``mode`` routers."""
    wrong = ['%s (%s)' % (h.host, h.l3_agent_mode or 'no L3 agent')
             for h in hosts if not h.routes(mode)]
    if wrong:
        raise exceptions.InvalidInput(
            'router_mode dvr, but compute hosts %s run no L3 agent in a dvr '
            'mode (%s): distributed routers would not route there. Set '
            'router_mode legacy, or run the L3 agent with agent_mode = dvr '
            'on those computes' % (', '.join(wrong),
                                   ', '.join(cloud_facts.DVR_MODES)))


@context.configure(name=NAME, order=120)
class ComputeHosts(context.OpenStackContext):
    """Discover enabled, up compute hosts, their zones and L3 agent modes.

    The first host is "compute 1" and the second "compute 2" of the
    reference topology.  Without ``hosts`` they are the first two by name.
    Scenarios read ``context["netperf_computes"]``: ``hosts`` (dicts of
    :class:`~openstack_netperf.hosts.cloud_facts.ComputeHost`) and
    ``facts`` (the :class:`~openstack_netperf.hosts.cloud_facts.CloudFacts`).
    """

    CONFIG_SCHEMA = {
        'type': 'object',
        '$schema': consts.JSON_SCHEMA,
        'properties': {
            'hosts': {
                'description': 'Compute host names to use, compute 1 first',
                'type': 'array', 'items': {'type': 'string'},
                'minItems': 1, 'maxItems': 2, 'uniqueItems': True,
            },
            'availability_zone': {
                'description': 'Only use compute hosts of this zone',
                'type': 'string',
            },
        },
        'additionalProperties': False,
    }

    def setup(self):
        if not self.context.get('admin'):
            raise exceptions.InvalidInput(
                '%s needs admin credentials to list compute services and '
                'L3 agents' % NAME)
        clients = self.context['admin']['credential'].clients()
        facts = discover(clients.nova(), clients.neutron())
        hosts = select(facts, self.config.get('hosts', ()),
                       self.config.get('availability_zone'))
        if not hosts:
            raise exceptions.InvalidInput(
                'No enabled, up nova-compute service found%s'
                % (' in zone %s' % self.config['availability_zone']
                   if self.config.get('availability_zone') else ''))
        self.context['netperf_computes'] = {
            'hosts': [dataclasses.asdict(h) for h in hosts[:2]],
            'facts': facts,
        }

    def cleanup(self):
        """Nothing to undo: discovery creates nothing."""
