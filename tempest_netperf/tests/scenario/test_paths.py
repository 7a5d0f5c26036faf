"""Does traffic cross the network node as the expected-path table says?

One test per placement category and router mode (thesis Table 2.1,
extended in openstack_netperf.topology), and one per north-south flow:
SNAT (a guest without floating IP to the external network) and DNAT (to a
guest's floating IP).  Each builds its networks, pins the guests to
computes, sends a ping burst and judges its path from the counters of the
network node and the computes.
"""

import uuid

from tempest.lib import decorators

from openstack_netperf import remote
from openstack_netperf import topology
from tempest_netperf.tests.scenario import base

# Test ids are derived from the test names, so they stay stable.
_ID_NAMESPACE = uuid.UUID('8a3e5d0c-6f1b-4e27-9c4a-2b7d1e0f5a63')


def _with_id(name, function):
    function.__name__ = name
    return decorators.idempotent_id(
        str(uuid.uuid5(_ID_NAMESPACE, name)))(function)


# Serial: the verdicts measure the nodes' background traffic, which other
# tests running at the same time would raise.
@decorators.serial
class EastWestPathTest(base.NetperfScenarioTest):
    """VM pairs of every placement category, behind each router mode."""

    def check_category(self, category: topology.Category,
                       mode: topology.RouterMode) -> None:
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


def _east_west_test(category, mode):
    def test(self):
        self.check_category(category, mode)
    test.__doc__ = '%s (%s), %s router: %s the network node.' % (
        category.description, category.shorthand, mode.value,
        'crosses' if category.crosses_network_node(mode) else
        'does not cross')
    return _with_id('test_%s_%s' % (category.id, mode.value), test)


for _category in topology.CATEGORIES:
    for _mode in topology.RouterMode:
        _test = _east_west_test(_category, _mode)
        setattr(EastWestPathTest, _test.__name__, _test)


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


def _north_south_test(traffic, mode):
    def test(self):
        getattr(self, 'check_%s' % traffic.value)(mode)
    test.__doc__ = '%s, %s router: %s the network node.' % (
        traffic.value.upper(), mode.value,
        'crosses' if topology.crosses_network_node(traffic, mode) else
        'does not cross')
    return _with_id('test_%s_%s' % (traffic.value, mode.value), test)


for _traffic in (topology.Traffic.SNAT, topology.Traffic.DNAT):
    for _mode in topology.RouterMode:
        _test = _north_south_test(_traffic, _mode)
        setattr(NorthSouthPathTest, _test.__name__, _test)
