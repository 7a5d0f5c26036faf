"""Tests of the compute-host and reference-topology contexts."""

from __future__ import annotations

import fixtures
import testtools

from openstack_netperf import exceptions
from rally_netperf.contexts import compute_hosts
from rally_netperf.contexts import reference_network
from tests.unit.rally import fakes


class _FastPolling(testtools.TestCase):

    def setUp(self):
        super().setUp()
        fakes.fast_polling(self)


class ComputeHostsTest(testtools.TestCase):

    def _setup(self, cloud, **config):
        ctx = cloud.context(netperf_compute_hosts=config)
        compute_hosts.ComputeHosts(ctx).setup()
        return ctx['netperf_computes']

    def test_discovers_enabled_up_hosts_with_agent_modes(self):
        found = self._setup(fakes.FakeCloud())
        self.assertEqual(
            [{'host': 'compute-01', 'zone': 'nova', 'l3_agent_mode': 'dvr'},
             {'host': 'compute-02', 'zone': 'nova', 'l3_agent_mode': 'dvr'}],
            found['hosts'])
        self.assertEqual(['network'], found['facts'].central_nodes('dvr'))
        self.assertEqual(['compute-01', 'compute-02'],
                         [c.host for c in found['facts'].usable_computes(
                             'dvr')])

    def test_pinned_hosts_keep_their_order(self):
        found = self._setup(fakes.FakeCloud(),
                            hosts=['compute-02', 'compute-01'])
        self.assertEqual(['compute-02', 'compute-01'],
                         [h['host'] for h in found['hosts']])

    def test_pinned_host_that_is_down_is_refused(self):
        exc = self.assertRaises(exceptions.InvalidInput, self._setup,
                                fakes.FakeCloud(), hosts=['down-01'])
        self.assertIn('down-01 are not enabled and up', str(exc))
        self.assertIn('available: compute-01, compute-02', str(exc))

    def test_no_compute_in_zone(self):
        exc = self.assertRaises(exceptions.InvalidInput, self._setup,
                                fakes.FakeCloud(), availability_zone='az9')
        self.assertIn("Availability zone 'az9' has no enabled, up compute "
                      "host; zones with one: nova", str(exc))


class TopologyTest(_FastPolling):

    def _context(self, cloud, **config):
        config.setdefault('router_mode', 'dvr')
        ctx = cloud.context(netperf_topology=config)
        return ctx, reference_network.ReferenceTopology(ctx)

    def test_builds_reference_topology(self):
        cloud = fakes.FakeCloud()
        ctx, plugin = self._context(cloud, router_mode='legacy',
                                    client_cidrs=['192.0.2.10/32'])
        plugin.setup()
        record = ctx['tenants']['t1']['netperf']
        self.assertEqual('legacy', record['router_mode'])
        self.assertEqual({'A': '198.19.11.0/24', 'B': '198.19.12.0/24',
                          'C': '198.19.13.0/24'},
                         {k: v['cidr'] for k, v in record['networks'].items()})
        routers = {r['name']: r for r in cloud.neutron.routers.values()}
        self.assertEqual(2, len(routers))
        for router in routers.values():
            self.assertIs(False, router['distributed'])
            self.assertEqual('t1', router['project_id'])
            self.assertEqual({'network_id': 'ext-net'},
                             router['external_gateway_info'])
        r1 = record['routers']['R1']['id']
        r2 = record['routers']['R2']['id']
        nets = record['networks']
        self.assertEqual(
            sorted([(r1, nets['A']['subnet_id']), (r1, nets['B']['subnet_id']),
                    (r2, nets['C']['subnet_id'])]),
            sorted(cloud.neutron.interfaces))
        sources = {r['remote_ip_prefix'] for r in cloud.neutron.rules}
        self.assertEqual({'198.19.11.0/24', '198.19.12.0/24',
                          '198.19.13.0/24', '198.18.100.0/24',
                          '192.0.2.10/32'}, sources)
        self.assertNotIn('0.0.0.0/0', sources)
        ports = {(r['protocol'], r.get('port_range_min'))
                 for r in cloud.neutron.rules}
        self.assertEqual({('tcp', 22), ('icmp', None), ('tcp', 5201),
                          ('udp', 5201)}, ports)
        self.assertEqual(20, len(cloud.neutron.rules))
        self.assertEqual(1, cloud.neutron.rule_requests)

    def test_dvr_routers_are_distributed(self):
        cloud = fakes.FakeCloud()
        _ctx, plugin = self._context(cloud, router_mode='distributed')
        plugin.setup()
        self.assertEqual({True}, {r['distributed']
                                  for r in cloud.neutron.routers.values()})

    def test_dvr_needs_dvr_agents_on_the_computes(self):
        cloud = fakes.FakeCloud()
        cloud.neutron.agents[2]['configurations']['agent_mode'] = 'legacy'
        ctx, plugin = self._context(cloud, router_mode='dvr')
        compute_hosts.ComputeHosts(ctx).setup()
        exc = self.assertRaises(exceptions.InvalidInput, plugin.setup)
        self.assertIn('compute hosts compute-02 (legacy) run no L3 agent '
                      'in a dvr mode', str(exc))
        self.assertEqual({}, cloud.neutron.routers)
        ctx, plugin = self._context(cloud, router_mode='legacy')
        compute_hosts.ComputeHosts(ctx).setup()
        plugin.setup()

    def test_cleanup_removes_everything_and_leftover_servers(self):
        cloud = fakes.FakeCloud()
        ctx, plugin = self._context(cloud)
        plugin.setup()
        record = ctx['tenants']['t1']['netperf']
        # A failed iteration left a server with a floating IP behind.
        server = cloud.nova.servers.create(
            'left', 'img', 'f1', nics=[{'net-id':
                                        record['networks']['A']['id']}])
        port = cloud.neutron.list_ports(device_id=server.id)['ports'][0]
        cloud.neutron.create_floatingip({'floatingip': {
            'floating_network_id': 'ext-net', 'port_id': port['id']}})
        # Nova takes a few polls to delete it: the networks wait.
        cloud.nova.delete_polls = 2
        plugin.cleanup()
        self.assertEqual({}, cloud.nova.servers_by_id)
        self.assertEqual({}, cloud.neutron.floatingips)
        self.assertEqual({}, cloud.neutron.routers)
        self.assertEqual({}, cloud.neutron.security_groups)
        self.assertEqual(['ext-net'], list(cloud.neutron.networks))
        self.assertEqual(['ext-subnet'], list(cloud.neutron.subnets))

    def test_cleanup_waits_for_interrupted_iterations_first(self):
        cloud = fakes.FakeCloud()
        _ctx, plugin = self._context(cloud)
        plugin.setup()
        calls = []
        real_purge = reference_network.purge_networks
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.contexts.reference_network.purge_networks',
            side_effect=lambda *a: calls.append('purge') or real_purge(*a)))
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.wait_for_iterations',
            side_effect=lambda: calls.append('wait')))
        plugin.cleanup()
        self.assertEqual(['wait', 'purge'], calls)

    def test_cleanup_after_failed_setup(self):
        cloud = fakes.FakeCloud()
        cloud.neutron.fail_on = 'create_router'
        ctx, plugin = self._context(cloud)
        self.assertRaises(RuntimeError, plugin.setup)
        # The networks made before the failure are known and removed.
        self.assertEqual(3, len(ctx['tenants']['t1']['netperf']['networks']))
        plugin.cleanup()
        self.assertEqual(['ext-net'], list(cloud.neutron.networks))

    def test_external_network_must_be_chosen_among_several(self):
        cloud = fakes.FakeCloud()
        cloud.neutron.networks['ext-2'] = {'id': 'ext-2', 'name': 'other',
                                           'router:external': True}
        _ctx, plugin = self._context(cloud)
        exc = self.assertRaises(exceptions.InvalidInput, plugin.setup)
        self.assertIn('set external_network', str(exc))
        _ctx, plugin = self._context(cloud, external_network='other')
        plugin.setup()
        self.assertEqual({'ext-2'}, {
            r['external_gateway_info']['network_id']
            for r in cloud.neutron.routers.values()})
