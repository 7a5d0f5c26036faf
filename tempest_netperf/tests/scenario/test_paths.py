"""Does traffic cross the network node as the expected-path table says?

One test per placement category and router mode (thesis Table 2.1,
extended in openstack_netperf.topology), and one per north-south flow:
SNAT (a guest without floating IP to the external network) and DNAT (to a
guest's floating IP).  Each builds its networks, pins the guests to
computes, sends a ping burst and judges its path from the counters of the
network node and the computes.

Every test is a literal method with a literal ``idempotent_id`` (Tempest's
``check-uuid`` and a grep see them); the ids were derived from the test
names once and must never change, or Tempest's result history breaks.
"""

from tempest.lib import decorators

from openstack_netperf import remote
from openstack_netperf import topology
from tempest_netperf.tests.scenario import base

LEGACY = topology.RouterMode.LEGACY
DVR = topology.RouterMode.DVR


# Serial: the verdicts measure the nodes' background traffic, which other
# tests running at the same time would raise.
@decorators.serial
class EastWestPathTest(base.NetperfScenarioTest):
    """VM pairs of every placement category, behind each router mode."""

    def check_category(self, category: str | topology.Category,
                       mode: topology.RouterMode) -> None:
        """Check the path of a pair of ``category`` behind ``mode``."""
        category = topology.get_category(category)
        computes = self.require(mode, category.computes_needed, category.id)
        src_spec, dst_spec = topology.pair_networks(category)
        specs = list(dict.fromkeys([src_spec, dst_spec]))
        networks = {spec.name: self.create_network(spec.cidr)
                    for spec in specs}
        routers = {}
        for router_name in dict.fromkeys(spec.router for spec in specs):
            routers[router_name] = self.create_router(
                mode, [networks[spec.name][1] for spec in specs
                       if spec.router == router_name])
        keypair, group = self.access_prerequisites()
        src = self.boot(networks[src_spec.name][0], computes[0], keypair,
                        group, floating_ip=True)
        dst = self.boot(networks[dst_spec.name][0], computes[-1], keypair,
                        group, floating_ip=not category.same_router)
        # Across routers the pair only meets through floating IPs.
        target = dst.fixed_ip if category.same_router else dst.floating_ip
        self.check_path(category.traffic, mode, self.login(src, keypair),
                        target, list(routers.values()),
                        sorted({src.host, dst.host}))

    @decorators.idempotent_id('de14a1d1-c161-5cf2-be36-81d7d2578912')
    def test_intra_node_intra_subnet_legacy(self):
        """HNR behind a legacy router: does not cross the network node."""
        self.check_category('intra_node_intra_subnet', LEGACY)

    @decorators.idempotent_id('a4a40f31-52e7-56cf-bf6a-ce13ee697217')
    def test_intra_node_intra_subnet_dvr(self):
        """HNR behind a dvr router: does not cross the network node."""
        self.check_category('intra_node_intra_subnet', DVR)

    @decorators.idempotent_id('71699ae3-85b8-5978-ad5e-5d6efd87fc1b')
    def test_intra_node_inter_subnet_legacy(self):
        """H-NR behind a legacy router: crosses the network node."""
        self.check_category('intra_node_inter_subnet', LEGACY)

    @decorators.idempotent_id('154aa2d3-d895-572f-9aab-de163d1ca8cf')
    def test_intra_node_inter_subnet_dvr(self):
        """H-NR behind a dvr router: does not cross the network node."""
        self.check_category('intra_node_inter_subnet', DVR)

    @decorators.idempotent_id('436f94ff-9841-52a9-8f1c-e16f456b8c06')
    def test_inter_node_intra_subnet_legacy(self):
        """-HNR behind a legacy router: does not cross the network node."""
        self.check_category('inter_node_intra_subnet', LEGACY)

    @decorators.idempotent_id('1007a2c2-2408-54de-8519-7d2514ad5a43')
    def test_inter_node_intra_subnet_dvr(self):
        """-HNR behind a dvr router: does not cross the network node."""
        self.check_category('inter_node_intra_subnet', DVR)

    @decorators.idempotent_id('0134ae29-39c6-5fa3-a809-ac42a4b719d7')
    def test_inter_node_inter_subnet_legacy(self):
        """-H-NR behind a legacy router: crosses the network node."""
        self.check_category('inter_node_inter_subnet', LEGACY)

    @decorators.idempotent_id('d57a55c6-2070-5f32-a6a4-28f7047e13b7')
    def test_inter_node_inter_subnet_dvr(self):
        """-H-NR behind a dvr router: does not cross the network node."""
        self.check_category('inter_node_inter_subnet', DVR)

    @decorators.idempotent_id('e08a8e63-4ef0-581e-a770-53ed41e7b536')
    def test_inter_node_inter_router_legacy(self):
        """-H-N-R behind a legacy router: crosses the network node."""
        self.check_category('inter_node_inter_router', LEGACY)

    @decorators.idempotent_id('4c31d210-bd58-5ad9-b58c-5e2b54322869')
    def test_inter_node_inter_router_dvr(self):
        """-H-N-R behind a dvr router: does not cross the network node."""
        self.check_category('inter_node_inter_router', DVR)


@decorators.serial
class NorthSouthPathTest(base.NetperfScenarioTest):
    """Traffic between guests and the external network."""

    def external_gateway(self) -> str:
        """The external subnet's gateway: where SNAT traffic goes."""
        for subnet in self.subnets_client.list_subnets(
                network_id=self.external_network_id)['subnets']:
            if subnet['ip_version'] == 4 and subnet.get('gateway_ip'):
                return subnet['gateway_ip']
        self.skipTest('external network %s has no IPv4 subnet with a '
                      'gateway to send SNAT traffic to'
                      % self.external_network_id)

    def check_snat(self, mode: topology.RouterMode) -> None:
        (compute,) = self.require(mode, 1)
        target = self.external_gateway()
        network, subnet = self.create_network(
            topology.network_spec('A').cidr)
        router = self.create_router(mode, [subnet])
        keypair, group = self.access_prerequisites()
        jump = self.boot(network, compute, keypair, group, floating_ip=True)
        inner = self.boot(network, compute, keypair, group)
        sender = self.login(inner, keypair, via=self.login(jump, keypair))
        self.check_path(topology.Traffic.SNAT, mode, sender, target,
                        [router], [compute.host])

    def check_dnat(self, mode: topology.RouterMode) -> None:
        (compute,) = self.require(mode, 1)
        network, subnet = self.create_network(
            topology.network_spec('A').cidr)
        router = self.create_router(mode, [subnet])
        keypair, group = self.access_prerequisites()
        guest = self.boot(network, compute, keypair, group,
                          floating_ip=True)
        self.login(guest, keypair)
        # The burst comes from outside: from the machine Tempest runs on.
        self.check_path(topology.Traffic.DNAT, mode,
                        remote.LocalRunner('tempest host'),
                        guest.floating_ip, [router], [compute.host])

    @decorators.idempotent_id('f7087c11-d249-5404-a025-970b5928d7c9')
    def test_snat_legacy(self):
        """SNAT behind a legacy router: crosses the network node."""
        self.check_snat(LEGACY)

    @decorators.idempotent_id('ff382f54-7652-5ff3-8dec-d2e6025b9c1b')
    def test_snat_dvr(self):
        """SNAT behind a dvr router: crosses the network node."""
        self.check_snat(DVR)

    @decorators.idempotent_id('5e69dc2c-7916-59b5-8662-526950af92d9')
    def test_dnat_legacy(self):
        """DNAT behind a legacy router: crosses the network node."""
        self.check_dnat(LEGACY)

    @decorators.idempotent_id('275b9dd5-ede2-586d-a8b1-9edb2e22de63')
    def test_dnat_dvr(self):
        """DNAT behind a dvr router: does not cross the network node."""
        self.check_dnat(DVR)
