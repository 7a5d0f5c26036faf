import ipaddress

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import settings


class TestAddressPlan(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings()

    def test_defaults_follow_the_design(self):
        self.assertEqual('198.18.0.1', self.conf.controller_ip)
        self.assertEqual(
            [('network', '198.18.0.10', '198.18.1.10', 'dvr_snat'),
             ('compute-01', '198.18.0.11', '198.18.1.11', 'dvr'),
             ('compute-02', '198.18.0.12', '198.18.1.12', 'dvr')],
            [(n.name, n.mgmt_ip, n.tunnel_ip, n.l3_agent_mode)
             for n in self.conf.nodes])
        self.assertEqual('198.18.100.1', self.conf.external_gateway)
        self.assertEqual('198.18.100.100', self.conf.floating_start)

    def test_every_address_is_in_the_benchmarking_range(self):
        safe = ipaddress.ip_network('198.18.0.0/15')
        addresses = [self.conf.controller_ip, self.conf.external_gateway,
                     self.conf.floating_start, self.conf.floating_end]
        for node in self.conf.nodes:
            addresses += [node.mgmt_ip, node.tunnel_ip]
        for address in addresses:
            self.assertIn(ipaddress.ip_address(address), safe)

    def test_refuses_a_network_outside_the_range(self):
        error = self.assertRaises(exceptions.InvalidInput,
                                  settings.SandboxSettings,
                                  external_cidr='10.0.0.0/24')
        self.assertIn('outside 198.18.0.0/15', str(error))

    def test_refuses_an_address_off_its_subnet(self):
        error = self.assertRaises(exceptions.InvalidInput,
                                  settings.SandboxSettings,
                                  controller_ip='198.18.5.1')
        self.assertIn('controller_ip 198.18.5.1 is not in 198.18.0.0/24',
                      str(error))

    def test_device_names_fit_the_kernel_limit(self):
        for node in self.conf.nodes:
            for plane in ('mgmt', 'tun', 'ext'):
                self.assertLessEqual(len(node.veth(plane)), 15)
        error = self.assertRaises(
            exceptions.InvalidInput, settings.SandboxSettings,
            nodes=(settings.Node('x', settings.COMPUTE, 'muchtoolong',
                                 '198.18.0.20', '198.18.1.20'),))
        self.assertIn('15 characters', str(error))

    def test_urls_and_paths(self):
        self.assertEqual('http://198.18.0.1:5000/v3', self.conf.keystone_url)
        self.assertEqual('http://198.18.0.1:8774/v2.1',
                         self.conf.url('nova', '/v2.1'))
        self.assertEqual(
            '/var/log/openstack-netperf/sandbox/compute-01/nova-compute.log',
            self.conf.log('compute-01', 'nova-compute'))
        self.assertEqual('netperf-compute-02',
                         self.conf.node('compute-02').namespace)
        self.assertRaises(exceptions.InvalidInput, self.conf.node, 'nope')
