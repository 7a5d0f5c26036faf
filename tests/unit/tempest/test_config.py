"""Tests of the [netperf] options and what the core makes of them."""

from oslo_config import cfg

from openstack_netperf.hosts import access
from openstack_netperf import topology
from tempest_netperf import config as netperf_config
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

    def test_choices_are_enforced(self):
        self.assertRaises(ValueError, self.set_netperf, node_access='telnet')
        self.assertRaises(ValueError, self.set_netperf,
                          router_modes=['legacy', 'ha'])
        self.assertRaises(ValueError, self.set_netperf, categories=['HNR'])
        self.assertRaises(ValueError, self.set_netperf, burst_packets=10)
        self.assertRaises(ValueError, self.set_netperf,
                          burst_packet_size=9000)

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
