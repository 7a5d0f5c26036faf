"""The path tests skip, with a reason, when the cloud cannot run them."""

import unittest

from tempest_netperf.tests.scenario import test_paths
from tempest_netperf.tests.scenario import test_placement
from tests.unit.hosts import test_cloud_facts
from tests.unit.tempest import base

EXTERNAL = 'b2e4d1c8-7a6f-4f3e-8d21-9c0b5a4e3f72'


class FakeAdminClients:
    """The three admin list calls the tests make to learn the cloud."""

    def __init__(self, services, agents, extensions):
        self.services = services
        self.agents = agents
        self.extensions = [{'alias': e} for e in extensions]
        self.calls = []

    def list_services(self, **params):
        self.calls.append(('services', params))
        return {'services': self.services}

    def list_agents(self, **params):
        self.calls.append(('agents', params))
        return {'agents': self.agents}

    def list_extensions(self, **params):
        self.calls.append(('extensions', params))
        return {'extensions': self.extensions}


class SkipTest(base.TempestConfigTestCase):

    def setUp(self):
        super().setUp()
        self.set_netperf(node_access='ssh', public_network_id=EXTERNAL)

    def make(self, test_class, name, computes=('compute-01', 'compute-02'),
             agents=None, extensions=('router', 'dvr')):
        clients = FakeAdminClients(
            [test_cloud_facts.service(h) for h in computes],
            test_cloud_facts.dvr_cloud_agents(computes) if agents is None
            else agents, extensions)

        class Case(test_class):
            services_client = agents_client = extensions_client = clients

        Case.discover_cloud()
        self.assertIn(('services', {'binary': 'nova-compute'}),
                      clients.calls)
        return Case(name)

    def assertSkips(self, test_class, name, reason, **kwargs):
        case = self.make(test_class, name, **kwargs)
        exc = self.assertRaises(unittest.SkipTest, getattr(case, name))
        self.assertIn(reason, str(exc))

    def test_node_access_none_skips_the_classes(self):
        self.set_netperf(node_access='none')
        for test_class in (test_paths.EastWestPathTest,
                           test_paths.NorthSouthPathTest,
                           test_placement.RouterPlacementTest):
            exc = self.assertRaises(unittest.SkipTest,
                                    test_class.skip_checks)
            self.assertIn('node_access is "none"', str(exc))

    def test_one_compute_skips_inter_node_only(self):
        for mode in ('legacy', 'dvr'):
            self.assertSkips(test_paths.EastWestPathTest,
                             'test_inter_node_inter_subnet_%s' % mode,
                             'needs 2 compute host(s)',
                             computes=('compute-01',))
        case = self.make(test_paths.EastWestPathTest,
                         'test_intra_node_inter_subnet_dvr',
                         computes=('compute-01',))
        computes = case.require(test_paths.topology.RouterMode.DVR, 1,
                                'intra_node_inter_subnet')
        self.assertEqual(['nova:compute-01'], [c.hint for c in computes])

    def test_without_dvr_extension(self):
        self.assertSkips(test_paths.EastWestPathTest,
                         'test_inter_node_inter_subnet_dvr',
                         'no "dvr" extension', extensions=('router',))
        self.assertSkips(test_placement.RouterPlacementTest,
                         'test_dvr_router_namespaces', 'no "dvr" extension',
                         extensions=('router',))
        case = self.make(test_paths.EastWestPathTest,
                         'test_inter_node_inter_subnet_legacy',
                         extensions=('router',))
        self.assertEqual(
            ['compute-01', 'compute-02'],
            [c.host for c in case.require(
                test_paths.topology.RouterMode.LEGACY, 2)])

    def test_ovn_backend(self):
        ovn = [test_cloud_facts.agent('network',
                                      'OVN Controller Gateway agent'),
               test_cloud_facts.agent('compute-01', 'OVN Controller agent')]
        for test_class, name in (
                (test_paths.EastWestPathTest,
                 'test_intra_node_intra_subnet_legacy'),
                (test_paths.NorthSouthPathTest, 'test_snat_dvr'),
                (test_placement.RouterPlacementTest,
                 'test_legacy_router_namespace_only_on_network_node'),
                (test_placement.RouterPlacementTest,
                 'test_dvr_flows_on_computes')):
            self.assertSkips(test_class, name, 'other backends (e.g. OVN)',
                             agents=ovn)

    def test_options_narrow_the_tests(self):
        self.set_netperf(router_modes=['legacy'],
                         categories=['inter_node_inter_subnet'])
        self.assertSkips(test_paths.EastWestPathTest,
                         'test_inter_node_inter_subnet_dvr',
                         'router mode dvr is not in [netperf] router_modes')
        self.assertSkips(test_paths.EastWestPathTest,
                         'test_intra_node_intra_subnet_legacy',
                         'category intra_node_intra_subnet is not in')
        self.assertSkips(test_paths.NorthSouthPathTest, 'test_dnat_dvr',
                         'router mode dvr is not in')

    def test_local_access_on_a_multi_node_cloud(self):
        self.set_netperf(node_access='local')
        self.assertSkips(test_paths.NorthSouthPathTest, 'test_snat_legacy',
                         'node_access local cannot reach network, '
                         'compute-01')

    def test_without_external_network(self):
        self.set_netperf(public_network_id=None)
        self.assertSkips(test_paths.NorthSouthPathTest, 'test_dnat_legacy',
                         'no external network')
