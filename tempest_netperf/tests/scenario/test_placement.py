"""Where do router namespaces and DVR flows live?

DVR: ``qrouter-<router>`` on every compute hosting a port of the router's
subnets, ``snat-<router>`` on the ``dvr_snat`` node, ``fip-<external
network>`` on a compute once a guest there has a floating IP, and the DVR
flows in the computes' ``br-int``/``br-tun``.  Legacy: ``qrouter-<router>``
only on the node of the L3 agent hosting the router.
"""

from tempest import config
from tempest.lib.common.utils import test_utils
from tempest.lib import decorators

from openstack_netperf.hosts import inspect
from openstack_netperf import topology
from tempest_netperf.tests.scenario import base

CONF = config.CONF
DVR = topology.RouterMode.DVR
LEGACY = topology.RouterMode.LEGACY
# neutron_lib.plugins.ml2.ovs_constants: DVR_TO_SRC_MAC (br-int; for VLAN
# networks DVR_TO_SRC_MAC_PHYSICAL) rewrites the source MAC of routed
# packets to the subnet gateway's; DVR_PROCESS (br-tun) replaces the
# gateway MAC by the host's DVR MAC on the way out.
DVR_TO_SRC_MAC = 1
DVR_TO_SRC_MAC_PHYSICAL = 2
DVR_PROCESS = 1
TUNNEL_TYPES = ('vxlan', 'gre', 'geneve')


class RouterPlacementTest(base.NetperfScenarioTest):
    """Namespaces and DVR flows are where the router mode puts them."""

    def dvr_router_with_guests(self):
        """A DVR router on subnets A and B, a guest of each on a compute.

        The guest on A has a floating IP; the guests are on two computes
        when there are two.
        """
        self.require(DVR, 1)
        computes = self.facts.usable_computes(DVR)[:2]
        net_a, subnet_a = self.create_network(
            topology.network_spec('A').cidr)
        net_b, subnet_b = self.create_network(
            topology.network_spec('B').cidr)
        router = self.create_router(DVR, [subnet_a, subnet_b])
        keypair, group = self.access_prerequisites()
        guests = [
            self.boot(net_a, computes[0], keypair, group, floating_ip=True),
            self.boot(net_b, computes[-1], keypair, group)]
        return router, guests

    def assertNamespace(self, host, name, why):
        self.assertTrue(self.wait_for_namespace(host, name),
                        'no namespace %s on %s, which %s; namespaces there: '
                        '%s' % (name, host, why,
                                ', '.join(sorted(self.namespaces(host)))))

    @decorators.idempotent_id('0c6b2f4e-9a1d-4b8e-8f3a-5d7c1e2a9b40')
    def test_dvr_router_namespaces(self):
        """qrouter- on computes, snat- on dvr_snat, fip- with a FIP."""
        router, guests = self.dvr_router_with_guests()
        qrouter, snat = 'qrouter-' + router['id'], 'snat-' + router['id']
        for guest in guests:
            self.assertNamespace(guest.host, qrouter,
                                 'hosts a port of the router\'s subnets')
        for node in self.network_nodes(router, DVR):
            self.assertNamespace(node, snat, 'hosts the router\'s SNAT')
        self.assertNamespace(guests[0].host,
                             'fip-' + self.external_network_id,
                             'hosts a guest with a floating IP')
        for guest in guests:
            self.assertNotIn(snat, self.namespaces(guest.host),
                             'SNAT of a distributed router on compute %s'
                             % guest.host)

    @decorators.idempotent_id('4e1a7c3b-2d5f-4a9e-b6c8-0f3d9e7a1c52')
    def test_legacy_router_namespace_only_on_network_node(self):
        """qrouter- on the hosting L3 agent's node, not on the compute."""
        (compute,) = self.require(LEGACY, 1)
        network, subnet = self.create_network(
            topology.network_spec('A').cidr)
        router = self.create_router(LEGACY, [subnet])
        keypair, group = self.access_prerequisites()
        guest = self.boot(network, compute, keypair, group)
        qrouter = 'qrouter-' + router['id']
        agents = self.routers_client.list_l3_agents_hosting_router(
            router['id'])['agents']
        hosts = sorted(a['host'] for a in agents)
        self.assertEqual(1, len(hosts),
                         'a legacy router is hosted by one L3 agent, not %s'
                         % hosts)
        self.assertNamespace(hosts[0], qrouter, 'hosts the router')
        self.assertNotIn(qrouter, self.namespaces(guest.host),
                         'legacy router namespace on compute %s'
                         % guest.host)

    @decorators.idempotent_id('9b5d3e1f-7c2a-4f6b-a8e0-3c1d5f7b9e24')
    def test_dvr_flows_on_computes(self):
        """br-int/br-tun of each compute carry the DVR MAC rewrites."""
        router, guests = self.dvr_router_with_guests()
        gateway_macs = {
            ip['subnet_id']: port['mac_address']
            for port in self.ports_client.list_ports(
                device_id=router['id'],
                device_owner='network:router_interface_distributed'
            )['ports']
            for ip in port['fixed_ips']}
        for guest in guests:
            mac = gateway_macs[guest.port['fixed_ips'][0]['subnet_id']]
            network = self.networks_client.show_network(
                guest.port['network_id'])['network']
            tunnelled = network.get('provider:network_type') in TUNNEL_TYPES
            to_src_mac = (DVR_TO_SRC_MAC if tunnelled
                          else DVR_TO_SRC_MAC_PHYSICAL)
            runner = self.nodes.runner(guest.host)
            found = {}

            def flows_present():
                found['br-int'] = [
                    f for f in inspect.dump_flows(runner, 'br-int')
                    if f.table == to_src_mac and f.mentions(mac)]
                if tunnelled:
                    found['br-tun'] = [
                        f for f in inspect.dump_flows(runner, 'br-tun')
                        if f.table == DVR_PROCESS and f.mentions(mac)]
                return all(found.values())

            self.assertTrue(
                test_utils.call_until_true(
                    flows_present, CONF.netperf.command_timeout, 2),
                'DVR flows for gateway %s missing on %s: %s' % (
                    mac, guest.host, ', '.join(
                        '%s: %d flow(s)' % (bridge, len(flows))
                        for bridge, flows in sorted(found.items()))))
