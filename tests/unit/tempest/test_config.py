"""Tests of the [netperf] options and what the core makes of them."""

import logging
import os
import tempfile

from oslo_config import cfg

from openstack_netperf import exceptions
from openstack_netperf.hosts import access
from openstack_netperf import topology
from tempest_netperf import config as netperf_config
from tempest_netperf import plugin
from tempest_netperf.tests.scenario import test_paths
from tempest_netperf.tests.scenario import test_placement
from tests.unit.tempest import base


class ConfigTest(base.TempestConfigTestCase):

    def test_node_access_settings(self):
        self.set_netperf(node_access='ssh', node_user='ops',
                         node_key_file='/etc/netperf/key', node_port=2222,
                         node_sudo=False, node_jump_host='bastion:2200',
                         node_address_map={'compute-01': '198.18.0.11'},
                         connect_timeout=3.0, command_timeout=30.0)
        settings = netperf_config.node_access_settings(cfg.CONF.netperf)
        self.assertEqual(access.NodeAccessSettings(
            method=access.AccessMethod.SSH, user='ops',
            key_file='/etc/netperf/key', port=2222, sudo=False,
            jump_host='bastion:2200',
            address_map={'compute-01': '198.18.0.11'},
            connect_timeout=3.0, command_timeout=30.0), settings)

    def test_types_and_bounds_are_enforced_by_check_options(self):
        self.set_netperf(node_access='telnet', burst_packets=10,
                         burst_packet_size=9000)
        exc = self.assertRaises(exceptions.InvalidInput,
                                netperf_config.check_options,
                                cfg.CONF.netperf)
        self.assertIn("invalid [netperf] node_access: 'telnet' is not a "
                      "valid string value: Valid values are [ssh, local, "
                      "none], but found 'telnet'", str(exc))
        self.assertIn('invalid [netperf] burst_packets: 10 is not a valid '
                      'integer value: Should be greater than or equal to '
                      '100', str(exc))
        self.assertIn('invalid [netperf] burst_packet_size: 9000', str(exc))

    def test_node_access_beyond_types(self):
        self.set_netperf(node_jump_host='bastion:ssh')
        self.assertRaisesRegex(
            exceptions.InvalidInput,
            r"^invalid \[netperf\] node_jump_host: Invalid port in "
            r"'bastion:ssh'", netperf_config.check_options, cfg.CONF.netperf)
        self.set_netperf(node_jump_host='bastion:2200', node_access='ssh',
                         node_user='')
        self.assertRaisesRegex(
            exceptions.InvalidInput,
            r'^invalid \[netperf\] node_user: Node access over SSH needs a '
            r'user name$', netperf_config.check_options, cfg.CONF.netperf)
        self.set_netperf(node_user='stack')
        netperf_config.check_options(cfg.CONF.netperf)

    def test_sample_config_describes_the_strict_types(self):
        opts = {o.name: o for o in netperf_config.NetperfGroup}
        self.assertEqual('port value', opts['node_port'].type.type_name)
        self.assertEqual(100, opts['burst_packets'].type.min)
        self.assertEqual(1400, opts['burst_packet_size'].type.max)
        self.assertIn('ssh', opts['node_access'].type.choices)

    def test_selected_categories_and_modes(self):
        group = cfg.CONF.netperf
        self.assertEqual(list(topology.CATEGORIES),
                         netperf_config.selected_categories(group))
        self.set_netperf(categories=['inter_node_inter_subnet',
                                     'intra_node_intra_subnet'])
        self.assertEqual(['inter_node_inter_subnet',
                          'intra_node_intra_subnet'],
                         [c.id for c in
                          netperf_config.selected_categories(group)])
        self.assertEqual([topology.RouterMode.LEGACY, topology.RouterMode.DVR],
                         netperf_config.selected_router_modes(group))
        self.set_netperf(router_modes=['dvr'])
        self.assertEqual([topology.RouterMode.DVR],
                         netperf_config.selected_router_modes(group))

    def test_ids_and_shorthands_in_any_case(self):
        group = cfg.CONF.netperf
        self.set_netperf(categories=['hnr', '-H-NR', 'Inter_Node_Inter_Router',
                                     'HNR'])
        self.assertEqual(['intra_node_intra_subnet', 'inter_node_inter_subnet',
                          'inter_node_inter_router'],
                         [c.id for c in
                          netperf_config.selected_categories(group)])
        self.set_netperf(categories=['-hnr', 'ALL'])
        self.assertEqual(list(topology.CATEGORIES),
                         netperf_config.selected_categories(group))
        self.set_netperf(router_modes=['Distributed', 'centralized', 'DVR'])
        self.assertEqual([topology.RouterMode.DVR, topology.RouterMode.LEGACY],
                         netperf_config.selected_router_modes(group))
        self.set_netperf(client_cidrs=['198.18.0.7', ' 203.0.113.0/24'])
        self.assertEqual(['198.18.0.7/32', '203.0.113.0/24'],
                         netperf_config.client_cidrs(group))

    def test_one_error_names_every_bad_option(self):
        self.set_netperf(categories=['bogus'], router_modes=['foo'],
                         client_cidrs=['fd00::/64', '198.18.0.0/33'])
        exc = self.assertRaises(exceptions.InvalidInput,
                                netperf_config.check_options,
                                cfg.CONF.netperf)
        message = str(exc)
        self.assertIn("invalid [netperf] categories: Unknown placement "
                      "category 'bogus'; valid values: "
                      "intra_node_intra_subnet, HNR, ", message)
        self.assertIn('-H-N-R, or "all"', message)
        self.assertIn("invalid [netperf] router_modes: Unknown router mode "
                      "'foo'; valid values: centralized, distributed, dvr, "
                      "legacy", message)
        self.assertIn('invalid [netperf] client_cidrs: fd00::/64 is not IPv4',
                      message)
        self.set_netperf(client_cidrs=['198.18.0.0/33'])
        self.assertRaisesRegex(exceptions.InvalidInput,
                               r'client_cidrs: .*198\.18\.0\.0/33',
                               netperf_config.client_cidrs, cfg.CONF.netperf)

    def test_every_test_class_fails_on_a_bad_value(self):
        self.set_netperf(node_access='ssh', router_modes=['foo'])
        for test_class in (test_paths.EastWestPathTest,
                           test_paths.NorthSouthPathTest,
                           test_placement.RouterPlacementTest):
            self.assertRaisesRegex(exceptions.InvalidInput,
                                   r'invalid \[netperf\] router_modes',
                                   test_class.skip_checks)

    def test_bad_values_in_a_file_leave_the_configuration_readable(self):
        # Tempest logs every option when it first reads its configuration:
        # an option oslo.config rejects would break every test module.
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'tempest.conf')
            with open(path, 'w') as f:
                f.write('[netperf]\ncategories = bogus, -H-NR\n'
                        'router_modes = foo\nnode_port = ssh\n'
                        'noise_factor = 0.5\nnode_sudo = maybe\n')
            conf = cfg.ConfigOpts()
            plugin.NetperfTempestPlugin().register_opts(conf)
            conf([], default_config_files=[path])
            conf.log_opt_values(logging.getLogger(__name__), logging.DEBUG)
        self.assertEqual(['bogus', '-H-NR'], conf.netperf.categories)
        self.assertEqual('ssh', conf.netperf.node_port)
        self.assertRaisesRegex(
            exceptions.InvalidInput,
            r"^invalid \[netperf\] node_port: 'ssh' is not a valid port "
            r"value: .*; invalid \[netperf\] node_sudo: 'maybe' .*; "
            r"invalid \[netperf\] noise_factor: '0.5' is not a valid "
            r"floating point value: Should be greater than or equal to 1; "
            r"invalid \[netperf\] categories: .*'bogus'.*; invalid "
            r"\[netperf\] router_modes: .*'foo'",
            netperf_config.check_options, conf.netperf)
