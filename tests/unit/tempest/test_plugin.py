"""Tests that Tempest finds the plugin, its options and its tests."""

import os
import tempfile
import unittest

from oslo_config import cfg
from oslo_config import generator
from tempest.test_discover import plugins

from tempest_netperf import config as netperf_config
from tempest_netperf import plugin
from tempest_netperf.tests.scenario import test_paths
from tempest_netperf.tests.scenario import test_placement
from tests.unit.tempest import base


class PluginTest(base.TempestConfigTestCase):

    def test_tempest_plugin_manager_loads_netperf(self):
        manager = plugins.TempestTestPluginManager()
        found = {ext.name: ext.obj for ext in manager.ext_plugins}
        self.assertIsInstance(found.get('netperf'),
                              plugin.NetperfTempestPlugin)
        test_dir, top = manager.get_plugin_load_tests_tuple()['netperf']
        self.assertTrue(os.path.isdir(test_dir))
        self.assertEqual(os.path.join(top, 'tempest_netperf', 'tests'),
                         test_dir)

    def test_options_registered_through_tempest(self):
        group = cfg.CONF.netperf
        self.assertEqual('none', group.node_access)
        self.assertEqual('stack', group.node_user)
        self.assertEqual(22, group.node_port)
        self.assertTrue(group.node_sudo)
        self.assertEqual('root', group.guest_user)
        self.assertEqual(['legacy', 'dvr'], group.router_modes)
        self.assertEqual(['all'], group.categories)
        self.assertEqual(3000, group.burst_packets)
        self.assertEqual(1000, group.burst_packet_size)
        self.assertEqual(5.0, group.noise_window)
        self.assertEqual(10.0, group.noise_factor)
        self.assertIsNone(group.network_node)
        self.assertIsNone(group.public_network_id)

    def test_opt_lists_for_tempest_and_the_generator_agree(self):
        ours = plugin.NetperfTempestPlugin().get_opt_lists()
        self.assertEqual([('netperf', netperf_config.NetperfGroup)], ours)
        group, opts = netperf_config.list_opts()[0]
        self.assertEqual('netperf', group.name)
        self.assertIs(netperf_config.NetperfGroup, opts)

    def test_register_opts_on_a_fresh_config(self):
        conf = cfg.ConfigOpts()
        plugin.NetperfTempestPlugin().register_opts(conf)
        conf([], default_config_files=[])
        # Every ConfigOpts shares the option group's overrides: undo it.
        self.addCleanup(conf.clear_override, 'node_address_map',
                        group='netperf')
        conf.set_override('node_address_map',
                          'compute-01:198.18.0.11,compute-02:198.18.0.12',
                          group='netperf')
        self.assertEqual({'compute-01': '198.18.0.11',
                          'compute-02': '198.18.0.12'},
                         conf.netperf.node_address_map)

    def test_config_generator_writes_the_netperf_section(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, 'sample.conf')
            conf = cfg.ConfigOpts()
            generator.register_cli_opts(conf)
            conf(['--namespace', 'tempest_netperf', '--output-file', out])
            generator.generate(conf)
            with open(out) as f:
                text = f.read()
        self.assertIn('[netperf]', text)
        for option in ('node_access', 'node_jump_host', 'node_address_map',
                       'burst_packets', 'noise_factor', 'router_modes'):
            self.assertIn('\n#%s =' % option, text)

    def test_path_tests_run_alone(self):
        # Other tests' traffic would be noise to the path verdicts.
        self.assertTrue(
            test_paths.EastWestPathTest.is_serial_execution_requested())
        self.assertTrue(
            test_paths.NorthSouthPathTest.is_serial_execution_requested())
        self.assertFalse(test_placement.RouterPlacementTest
                         .is_serial_execution_requested())

    def test_discovery_gives_one_test_per_category_and_mode(self):
        test_dir, top = plugin.NetperfTempestPlugin().load_tests()
        suite = unittest.TestLoader().discover(test_dir, top_level_dir=top)
        ids = set()

        def walk(tests):
            for item in tests:
                if isinstance(item, unittest.TestSuite):
                    walk(item)
                else:
                    ids.add(item.id().split('[')[0])

        walk(suite)
        prefix = 'tempest_netperf.tests.scenario.'
        for category in ('intra_node_intra_subnet', 'intra_node_inter_subnet',
                         'inter_node_intra_subnet', 'inter_node_inter_subnet',
                         'inter_node_inter_router'):
            for mode in ('legacy', 'dvr'):
                self.assertIn('%stest_paths.EastWestPathTest.test_%s_%s'
                              % (prefix, category, mode), ids)
        for flow in ('snat', 'dnat'):
            for mode in ('legacy', 'dvr'):
                self.assertIn('%stest_paths.NorthSouthPathTest.test_%s_%s'
                              % (prefix, flow, mode), ids)
        for name in ('test_dvr_router_namespaces',
                     'test_legacy_router_namespace_only_on_network_node',
                     'test_dvr_flows_on_computes'):
            self.assertIn('%stest_placement.RouterPlacementTest.%s'
                          % (prefix, name), ids)
        self.assertFalse([i for i in ids if 'Failed' in i], ids)
