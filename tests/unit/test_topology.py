"""Tests of the categories, reference topology and expected paths."""

import testtools

from openstack_netperf import exceptions
from openstack_netperf import topology


class CategoryTest(testtools.TestCase):

    def test_ids_and_shorthands_resolve_to_the_same_category(self):
        for category in topology.CATEGORIES:
            self.assertIs(category, topology.get_category(category.id))
            self.assertIs(category,
                          topology.get_category(category.shorthand))
            self.assertIs(category,
                          topology.get_category(category.shorthand.lower()))

    def test_unknown_category_lists_valid_values(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                topology.get_category, 'HRN')
        self.assertIn("'HRN'", str(exc))
        for name in ('intra_node_intra_subnet', '-H-N-R', 'H-NR'):
            self.assertIn(name, str(exc))

    def test_get_categories_deduplicates_and_defaults_to_all(self):
        self.assertEqual(list(topology.CATEGORIES),
                         topology.get_categories(None))
        got = topology.get_categories(['HNR', 'intra_node_intra_subnet',
                                       '-H-NR'])
        self.assertEqual(['intra_node_intra_subnet',
                          'inter_node_inter_subnet'], [c.id for c in got])

    def test_computes_needed(self):
        self.assertEqual(1, topology.get_category('HNR').computes_needed)
        self.assertEqual(1, topology.get_category('H-NR').computes_needed)
        for name in ('-HNR', '-H-NR', '-H-N-R'):
            self.assertEqual(2, topology.get_category(name).computes_needed)


class ExpectedPathTest(testtools.TestCase):

    def test_table_2_1(self):
        cross = topology.crosses_network_node
        self.assertFalse(cross('intra_subnet', 'legacy'))
        self.assertFalse(cross('intra_subnet', 'dvr'))
        self.assertTrue(cross('inter_subnet', 'legacy'))
        self.assertFalse(cross('inter_subnet', 'dvr'))
        self.assertTrue(cross('dnat', 'legacy'))
        self.assertFalse(cross('dnat', 'dvr'))
        self.assertTrue(cross('snat', 'legacy'))
        self.assertTrue(cross('snat', 'dvr'))

    def test_table_is_complete(self):
        for traffic in topology.Traffic:
            for mode in topology.RouterMode:
                self.assertIn((traffic, mode),
                              topology.EXPECTED_CROSSES_NETWORK_NODE)

    def test_category_paths(self):
        legacy = {c.shorthand: c.crosses_network_node('legacy')
                  for c in topology.CATEGORIES}
        dvr = {c.shorthand: c.crosses_network_node(True)
               for c in topology.CATEGORIES}
        self.assertEqual({'HNR': False, 'H-NR': True, '-HNR': False,
                          '-H-NR': True, '-H-N-R': True}, legacy)
        self.assertEqual({'HNR': False, 'H-NR': False, '-HNR': False,
                          '-H-NR': False, '-H-N-R': False}, dvr)

    def test_router_mode_aliases(self):
        parse = topology.parse_router_mode
        self.assertIs(topology.RouterMode.DVR, parse('distributed'))
        self.assertIs(topology.RouterMode.DVR, parse(True))
        self.assertIs(topology.RouterMode.LEGACY, parse('Centralized'))
        self.assertIs(topology.RouterMode.LEGACY, parse(False))
        self.assertTrue(parse('dvr').distributed)
        self.assertRaises(exceptions.InvalidInput, parse, 'ha')

    def test_unknown_traffic(self):
        self.assertRaises(exceptions.InvalidInput,
                          topology.crosses_network_node, 'east', 'dvr')


class ReferenceTopologyTest(testtools.TestCase):

    def test_every_category_has_a_pair_that_matches_its_definition(self):
        for category in topology.CATEGORIES:
            src, dst = topology.reference_pair(category)
            net_src = topology.network_spec(src.network)
            net_dst = topology.network_spec(dst.network)
            self.assertEqual(category.same_host, src.compute == dst.compute)
            self.assertEqual(category.same_subnet,
                             src.network == dst.network)
            self.assertEqual(category.same_router,
                             net_src.router == net_dst.router)

    def test_seven_vms_on_two_computes(self):
        self.assertEqual(7, len(topology.REFERENCE_VMS))
        self.assertEqual({1, 2}, {vm.compute for vm in topology.REFERENCE_VMS})
        self.assertEqual(len(topology.REFERENCE_VMS),
                         len({vm.name for vm in topology.REFERENCE_VMS}))

    def test_pair_networks(self):
        a, b = topology.pair_networks('-H-NR')
        self.assertEqual(('A', 'B'), (a.name, b.name))
        self.assertEqual('198.19.12.0/24', b.cidr)
        self.assertRaises(KeyError, topology.vm_spec, 'Z9')
