"""Context that builds the thesis's reference network topology per tenant.

Networks A and B behind router R1, network C behind router R2, both
routers legacy or distributed as configured and gatewayed to the external
network, plus a security group that admits SSH, ICMP and iperf3 only from
the tenant subnets, the external subnets (floating-IP traffic between the
routers) and the configured client CIDRs (the Rally host, a jump host).
"""

from __future__ import annotations

import ipaddress
import logging
from typing import Any

from rally.common import validation
from rally import consts
from rally_openstack.task import context

from openstack_netperf import exceptions
from openstack_netperf.hosts import cloud_facts
from openstack_netperf import topology
from rally_netperf import abort
from rally_netperf.contexts import compute_hosts
from rally_netperf import waiting

LOG = logging.getLogger(__name__)
CONTEXT_KEY = 'netperf'


@validation.add('netperf_config')
@context.configure(name='netperf_topology', order=360)
class ReferenceTopology(context.OpenStackContext):
    """Create networks A, B, C, routers R1, R2 and a security group.

    Scenarios read ``context["tenant"]["netperf"]``.  Cleanup also removes
    servers, ports and floating IPs a failed iteration left on these
    networks.
    """

    CONFIG_SCHEMA = {
        'type': 'object',
        '$schema': consts.JSON_SCHEMA,
        'properties': {
            'router_mode': {
                'description': 'legacy (centralized) or dvr (distributed)',
                'enum': ['legacy', 'centralized', 'dvr', 'distributed'],
            },
            'external_network': {
                'description': 'Name or id of the external network; '
                               'needed when there is more than one',
                'type': 'string',
            },
            'client_cidrs': {
                'description': 'Extra IPv4 CIDRs admitted to SSH, ICMP and '
                               'iperf3: the Rally host, a jump host',
                'type': 'array', 'items': {'type': 'string'},
            },
            'iperf3_ports': {
                'description': 'First and last iperf3 port to admit',
                'type': 'array', 'items': {'type': 'integer', 'minimum': 1,
                                           'maximum': 65535},
                'minItems': 2, 'maxItems': 2,
            },
            'dns_nameservers': {
                'type': 'array', 'items': {'type': 'string'},
            },
        },
        'additionalProperties': False,
    }
    DEFAULT_CONFIG = {
        'router_mode': 'dvr',
        'client_cidrs': [],
        'iperf3_ports': [5201, 5201],
        'dns_nameservers': [],
    }

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        """What the schema cannot check (the ``netperf_config`` validator).

        Bad addresses would otherwise fail inside Neutron, after networks
        were created.

        :raises InvalidInput: naming the setting to fix.
        """
        problems = []
        try:
            topology.client_networks(config.get('client_cidrs', []))
        except exceptions.InvalidInput as exc:
            problems.append('client_cidrs: %s' % exc)
        for server in config.get('dns_nameservers', []):
            try:
                ipaddress.ip_address(server)
            except ValueError as exc:
                problems.append('dns_nameservers: %s' % exc)
        low, high = config.get('iperf3_ports', (1, 1))
        if low > high:
            problems.append('iperf3_ports: first port %d is above last '
                            'port %d' % (low, high))
        if problems:
            raise exceptions.InvalidInput(
                'netperf_topology context: %s' % '; '.join(problems))

    def setup(self):
        mode = topology.parse_router_mode(self.config['router_mode'])
        if not self.context.get('admin'):
            raise exceptions.InvalidInput(
                'netperf_topology needs admin credentials to set the '
                'routers\' "distributed" flag')
        self._check_dvr_agents(mode)
        admin = self.context['admin']['credential'].clients().neutron()
        external = self._external_network(admin)
        external_cidrs = [s['cidr'] for s in admin.list_subnets(
            network_id=external['id'])['subnets'] if s.get('ip_version',
                                                           4) == 4]
        for user, tenant_id in self._iterate_per_tenants():
            record: dict[str, Any] = {
                'router_mode': mode.value,
                'external_network': {'id': external['id'],
                                     'name': external.get('name')},
                'networks': {}, 'routers': {}, 'security_group': None,
            }
            # Stored before anything exists so that cleanup finds whatever
            # a failing setup managed to create.
            self.context['tenants'][tenant_id][CONTEXT_KEY] = record
            neutron = user['credential'].clients().neutron()
            self._create_tenant(neutron, admin, tenant_id, record,
                                mode, external_cidrs)

    def _check_dvr_agents(self, mode: topology.RouterMode) -> None:
        hosts = (self.context.get('netperf_computes') or {}).get('hosts', [])
        compute_hosts.check_dvr_agents(
            mode, [cloud_facts.ComputeHost(**h) for h in hosts])

    def _external_network(self, admin: Any) -> dict[str, Any]:
        networks = admin.list_networks(
            **{'router:external': True})['networks']
        wanted = self.config.get('external_network')
        if wanted:
            networks = [n for n in networks
                        if wanted in (n['id'], n.get('name'))]
            if not networks:
                raise exceptions.InvalidInput(
                    'External network %r not found: set external_network '
                    'of the netperf_topology context to an existing '
                    'external network' % wanted)
        if len(networks) != 1:
            raise exceptions.InvalidInput(
                '%s external networks (%s): set external_network of the '
                'netperf_topology context to one of them' % (
                    'No' if not networks else len(networks),
                    ', '.join(n.get('name') or n['id'] for n in networks)))
        return networks[0]

    def _create_tenant(self, neutron: Any, admin: Any, tenant_id: str,
                       record: dict[str, Any], mode: topology.RouterMode,
                       external_cidrs: list[str]) -> None:
        for spec in topology.REFERENCE_NETWORKS:
            net = neutron.create_network({'network': {
                'name': self.generate_random_name()}})['network']
            record['networks'][spec.name] = {
                'id': net['id'], 'name': net['name'], 'cidr': spec.cidr,
                'router': spec.router, 'mtu': net.get('mtu'),
                'subnet_id': None}
            subnet_args = {'network_id': net['id'], 'cidr': spec.cidr,
                           'ip_version': 4,
                           'name': self.generate_random_name()}
            if self.config['dns_nameservers']:
                subnet_args['dns_nameservers'] = list(
                    self.config['dns_nameservers'])
            subnet = neutron.create_subnet({'subnet': subnet_args})['subnet']
            record['networks'][spec.name]['subnet_id'] = subnet['id']
        for name in topology.REFERENCE_ROUTERS:
            router = admin.create_router({'router': {
                'name': self.generate_random_name(),
                'project_id': tenant_id,
                'distributed': mode.distributed,
                'external_gateway_info': {
                    'network_id': record['external_network']['id']},
            }})['router']
            record['routers'][name] = {
                'id': router['id'], 'name': router['name'],
                'distributed': router.get('distributed', mode.distributed),
                'interfaces': []}
            for net in record['networks'].values():
                if net['router'] == name:
                    admin.add_interface_router(
                        router['id'], {'subnet_id': net['subnet_id']})
                    record['routers'][name]['interfaces'].append(
                        net['subnet_id'])
        record['security_group'] = self._create_security_group(
            neutron, record, external_cidrs)

    def _create_security_group(self, neutron: Any, record: dict[str, Any],
                               external_cidrs: list[str]) -> dict[str, str]:
        group = neutron.create_security_group({'security_group': {
            'name': self.generate_random_name(),
            'description': 'netperf: SSH, ICMP and iperf3 from the tenant '
                           'subnets, external subnets and clients'}}
        )['security_group']
        sources = []
        for cidr in ([n['cidr'] for n in record['networks'].values()]
                     + external_cidrs
                     + topology.client_networks(self.config['client_cidrs'])):
            if cidr not in sources:
                sources.append(cidr)
        low, high = self.config['iperf3_ports']
        ports = [('tcp', 22, 22), ('icmp', None, None),
                 ('tcp', low, high), ('udp', low, high)]
        rules = []
        for cidr in sources:
            for protocol, port_min, port_max in ports:
                rule = {'security_group_id': group['id'],
                        'direction': 'ingress', 'ethertype': 'IPv4',
                        'protocol': protocol, 'remote_ip_prefix': cidr}
                if port_min is not None:
                    rule.update(port_range_min=port_min,
                                port_range_max=port_max)
                rules.append(rule)
        # One bulk request instead of one per rule.
        neutron.create_security_group_rule({'security_group_rules': rules})
        return {'id': group['id'], 'name': group['name'],
                'sources': sources}

    def cleanup(self):
        # After Ctrl-C, iterations may still run (and boot) on these
        # networks.
        abort.wait_for_iterations()
        admin = None
        if self.context.get('admin'):
            admin_clients = self.context['admin']['credential'].clients()
            admin = admin_clients.neutron()
            nova = admin_clients.nova()
        errors = []
        for tenant in self.context.get('tenants', {}).values():
            record = tenant.get(CONTEXT_KEY)
            if not record or admin is None:
                continue
            try:
                purge_networks(nova, admin, [
                    n['id'] for n in record['networks'].values()])
            except Exception as exc:
                errors.append('servers and ports: %s' % exc)
            for step in (self._delete_routers, self._delete_networks,
                         self._delete_security_group):
                try:
                    step(admin, record)
                except Exception as exc:
                    LOG.exception('netperf_topology cleanup step failed')
                    errors.append('%s: %s' % (step.__name__, exc))
        if errors:
            raise exceptions.NetperfError(
                'netperf_topology cleanup left resources behind: %s'
                % '; '.join(errors))

    @staticmethod
    def _delete_routers(admin: Any, record: dict[str, Any]) -> None:
        for router in record['routers'].values():
            for subnet_id in router['interfaces']:
                waiting.ignore_missing(admin.remove_interface_router,
                                       router['id'], {'subnet_id': subnet_id})
            waiting.ignore_missing(admin.remove_gateway_router, router['id'])
            waiting.ignore_missing(admin.delete_router, router['id'])

    @staticmethod
    def _delete_networks(admin: Any, record: dict[str, Any]) -> None:
        for net in record['networks'].values():
            waiting.ignore_missing(admin.delete_network, net['id'])

    @staticmethod
    def _delete_security_group(admin: Any, record: dict[str, Any]) -> None:
        if record.get('security_group'):
            waiting.ignore_missing(admin.delete_security_group,
                                   record['security_group']['id'])


def purge_networks(nova: Any, neutron: Any, network_ids: list[str]) -> None:
    """Delete servers, floating IPs and leftover ports on the networks.

    What a failed iteration could not delete itself; waits until the
    servers are gone so that the networks can be deleted next.
    """
    ports = []
    for network_id in network_ids:
        ports.extend(neutron.list_ports(network_id=network_id)['ports'])
    port_ids = {p['id'] for p in ports}
    for fip in neutron.list_floatingips()['floatingips']:
        if fip.get('port_id') in port_ids:
            waiting.ignore_missing(neutron.delete_floatingip, fip['id'])
    server_ids = sorted({p['device_id'] for p in ports
                         if (p.get('device_owner') or '').startswith(
                             'compute:') and p.get('device_id')})
    servers = [s for s in (waiting.ignore_missing(nova.servers.get, i)
                           for i in server_ids) if s is not None]
    for server in servers:
        waiting.ignore_missing(nova.servers.delete, server.id)
    waiting.servers_gone(servers)
    for port in ports:
        owner = port.get('device_owner') or ''
        if owner.startswith('compute:') or not owner:
            waiting.ignore_missing(neutron.delete_port, port['id'])
