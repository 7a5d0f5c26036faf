"""An in-memory cloud behind Tempest-like admin clients.

It keeps Neutron's and Nova's deletion rules that matter for cleanup order
(a network with subnets or ports, a subnet on a router or with ports, a
router with interfaces cannot be deleted), so a test that leaves the cloud
empty proves its cleanups are complete and correctly ordered.
"""

import itertools

from tempest.lib import exceptions as lib_exc

_ids = itertools.count(1)


def new_id(kind):
    return '%s-%04d' % (kind, next(_ids))


class FakeCloud:

    def __init__(self, agents=(), external_network='ext-net',
                 external_cidr='198.18.100.0/24'):
        self.networks = {}
        self.subnets = {}
        self.routers = {}
        self.ports = {}
        self.floating_ips = {}
        self.security_groups = {}
        self.keypairs = {}
        self.servers = {}
        self.agents = list(agents)
        self.external_network = external_network
        self.external_cidr = external_cidr
        self.created_rules = []

    def remaining(self):
        """Every resource still there, by kind."""
        return {kind: sorted(store) for kind, store in (
            ('networks', self.networks), ('subnets', self.subnets),
            ('routers', self.routers), ('ports', self.ports),
            ('floating_ips', self.floating_ips),
            ('security_groups', self.security_groups),
            ('keypairs', self.keypairs), ('servers', self.servers))
            if store}

    @staticmethod
    def _get(store, key, kind):
        if key not in store:
            raise lib_exc.NotFound('%s %s' % (kind, key))
        return store[key]

    def _conflict(self, condition, what):
        if condition:
            raise lib_exc.Conflict(what)

    # networks_client
    def create_network(self, name):
        net = {'id': new_id('net'), 'name': name,
               'provider:network_type': 'vxlan'}
        self.networks[net['id']] = net
        return {'network': net}

    def show_network(self, network_id):
        return {'network': self._get(self.networks, network_id, 'network')}

    def delete_network(self, network_id):
        self._get(self.networks, network_id, 'network')
        self._conflict(any(s['network_id'] == network_id
                           for s in self.subnets.values()),
                       'network %s has subnets' % network_id)
        self._conflict(any(p['network_id'] == network_id
                           for p in self.ports.values()),
                       'network %s has ports' % network_id)
        del self.networks[network_id]

    # subnets_client
    def create_subnet(self, network_id, cidr, ip_version, name):
        self._get(self.networks, network_id, 'network')
        subnet = {'id': new_id('subnet'), 'network_id': network_id,
                  'cidr': cidr, 'ip_version': ip_version, 'name': name,
                  'gateway_ip': cidr.rsplit('.', 1)[0] + '.1'}
        self.subnets[subnet['id']] = subnet
        return {'subnet': subnet}

    def list_subnets(self, network_id):
        if network_id == self.external_network:
            return {'subnets': [{
                'ip_version': 4, 'cidr': self.external_cidr,
                'gateway_ip': self.external_cidr.rsplit('.', 1)[0] + '.1'}]}
        return {'subnets': [s for s in self.subnets.values()
                            if s['network_id'] == network_id]}

    def delete_subnet(self, subnet_id):
        self._get(self.subnets, subnet_id, 'subnet')
        self._conflict(any(ip['subnet_id'] == subnet_id
                           for p in self.ports.values()
                           for ip in p['fixed_ips']),
                       'subnet %s has ports' % subnet_id)
        del self.subnets[subnet_id]

    # routers_client
    def create_router(self, name, distributed, external_gateway_info):
        router = {'id': new_id('router'), 'name': name,
                  'distributed': distributed,
                  'external_gateway_info': external_gateway_info}
        self.routers[router['id']] = router
        return {'router': router}

    def add_router_interface(self, router_id, subnet_id):
        router = self._get(self.routers, router_id, 'router')
        subnet = self._get(self.subnets, subnet_id, 'subnet')
        owner = ('network:router_interface_distributed'
                 if router['distributed'] else 'network:router_interface')
        self._add_port(router_id, owner, subnet)
        return {}

    def remove_router_interface(self, router_id, subnet_id):
        self._get(self.routers, router_id, 'router')
        for port_id, port in list(self.ports.items()):
            if (port['device_id'] == router_id
                    and port['fixed_ips'][0]['subnet_id'] == subnet_id):
                self._conflict(any(f['router_id'] == router_id
                                   for f in self.floating_ips.values()),
                               'floating IPs use router %s' % router_id)
                del self.ports[port_id]
                return {}
        raise lib_exc.NotFound('interface of %s on %s'
                               % (router_id, subnet_id))

    def delete_router(self, router_id):
        self._get(self.routers, router_id, 'router')
        self._conflict(any(p['device_id'] == router_id
                           for p in self.ports.values()),
                       'router %s has interfaces' % router_id)
        del self.routers[router_id]

    def list_l3_agents_hosting_router(self, router_id):
        """One central agent for a legacy router; every one for DVR."""
        router = self._get(self.routers, router_id, 'router')
        l3 = [a for a in self.agents if a['agent_type'] == 'L3 agent']
        if router['distributed']:
            return {'agents': l3}
        return {'agents': [a for a in l3 if a['configurations'].get(
            'agent_mode') in ('legacy', 'dvr_snat')][:1]}

    # ports_client
    def _add_port(self, device_id, owner, subnet, host=None):
        port = {'id': new_id('port'), 'device_id': device_id,
                'device_owner': owner, 'network_id': subnet['network_id'],
                'mac_address': 'fa:16:3e:00:00:%02x' % (len(self.ports) + 1),
                'binding:host_id': host,
                'fixed_ips': [{'subnet_id': subnet['id'],
                               'ip_address': subnet['cidr'].rsplit('.', 1)[0]
                               + '.%d' % (len(self.ports) + 10)}]}
        self.ports[port['id']] = port
        return port

    def list_ports(self, device_id, device_owner=None):
        return {'ports': [p for p in self.ports.values()
                          if p['device_id'] == device_id
                          and device_owner in (None, p['device_owner'])]}

    def show_port(self, port_id):
        port = self._get(self.ports, port_id, 'port')
        return {'port': dict(port, status='ACTIVE',
                             **{'binding:vif_type': 'ovs'})}

    # floating_ips_client
    def show_floatingip(self, floatingip_id):
        fip = self._get(self.floating_ips, floatingip_id, 'floating IP')
        return {'floatingip': dict(fip, status='DOWN')}

    def create_floatingip(self, floating_network_id, port_id):
        port = self._get(self.ports, port_id, 'port')
        router = next(p['device_id'] for p in self.ports.values()
                      if p['device_owner'].startswith('network:router')
                      and p['fixed_ips'][0]['subnet_id']
                      == port['fixed_ips'][0]['subnet_id'])
        fip = {'id': new_id('fip'), 'port_id': port_id,
               'router_id': router,
               'floating_ip_address': '198.18.100.%d'
               % (100 + len(self.floating_ips))}
        self.floating_ips[fip['id']] = fip
        return {'floatingip': fip}

    def delete_floatingip(self, floatingip_id):
        self._get(self.floating_ips, floatingip_id, 'floating IP')
        del self.floating_ips[floatingip_id]

    # security_groups_client / security_group_rules_client
    def create_security_group(self, name):
        group = {'id': new_id('sg'), 'name': name, 'rules': []}
        self.security_groups[group['id']] = group
        return {'security_group': group}

    def create_security_group_rule(self, security_group_id, **rule):
        group = self._get(self.security_groups, security_group_id, 'sg')
        group['rules'].append(rule)
        self.created_rules.append(dict(rule, group=security_group_id))
        return {'security_group_rule': rule}

    def delete_security_group(self, group_id):
        group = self._get(self.security_groups, group_id, 'sg')
        self._conflict(any(group['name'] in s['security_groups']
                           for s in self.servers.values()),
                       'security group %s in use' % group_id)
        del self.security_groups[group_id]

    # keypairs_client
    def create_keypair(self, name):
        keypair = {'name': name, 'private_key': 'PRIVATE KEY'}
        self.keypairs[name] = keypair
        return {'keypair': keypair}

    def delete_keypair(self, name):
        self._get(self.keypairs, name, 'keypair')
        del self.keypairs[name]

    # servers_client
    def create_server(self, name, imageRef, flavorRef, networks, key_name,
                      security_groups, availability_zone, config_drive=False):
        self._get(self.keypairs, key_name, 'keypair')
        host = availability_zone.split(':', 1)[1]
        server = {'id': new_id('server'), 'name': name,
                  'OS-EXT-SRV-ATTR:host': host, 'image': imageRef,
                  'flavor': flavorRef, 'config_drive': config_drive,
                  'security_groups': [g['name'] for g in security_groups]}
        subnet = next(s for s in self.subnets.values()
                      if s['network_id'] == networks[0]['uuid'])
        self._add_port(server['id'], 'compute:nova', subnet, host)
        self.servers[server['id']] = server
        return {'server': server}

    def show_server(self, server_id):
        return {'server': self._get(self.servers, server_id, 'server')}

    def get_console_output(self, server_id, length):
        self._get(self.servers, server_id, 'server')
        return {'output': 'netperf-guest: ready host=%s keys=config-drive\n'
                % server_id}

    def delete_server(self, server_id):
        self._get(self.servers, server_id, 'server')
        for port_id, port in list(self.ports.items()):
            if port['device_id'] == server_id:
                del self.ports[port_id]
        del self.servers[server_id]
