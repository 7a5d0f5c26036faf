"""Context that finds the compute hosts the VM pairs are pinned to."""

from __future__ import annotations

from rally import consts
from rally_openstack.task import context

from openstack_netperf import exceptions
from rally_netperf import cloud


@context.configure(name='netperf_compute_hosts', order=120)
class ComputeHosts(context.OpenStackContext):
    """Discover enabled, up compute hosts, their zones and L3 agent modes.

    The first host is "compute 1" and the second "compute 2" of the
    reference topology.  Without ``hosts`` they are the first two by name.
    Scenarios read ``context["netperf_computes"]``.
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
                'netperf_compute_hosts needs admin credentials to list '
                'compute services and L3 agents')
        clients = self.context['admin']['credential'].clients()
        hosts = cloud.compute_hosts(
            clients.nova(), clients.neutron(),
            pinned=self.config.get('hosts', ()),
            zone=self.config.get('availability_zone'))
        if not hosts:
            raise exceptions.InvalidInput(
                'No enabled, up nova-compute service found%s'
                % (' in zone %s' % self.config['availability_zone']
                   if self.config.get('availability_zone') else ''))
        self.context['netperf_computes'] = {
            'hosts': [{'host': h.host, 'zone': h.zone,
                       'l3_agent_mode': h.l3_agent_mode} for h in hosts[:2]],
            'l3_agents': cloud.l3_agents(clients.neutron()),
        }

    def cleanup(self):
        """Nothing to undo: discovery creates nothing."""
