"""The fingerprint's facts from API answers and node output, and diffs."""

from __future__ import annotations

import dataclasses
import os
import subprocess

import fixtures
import testtools

from openstack_netperf import fingerprint
from openstack_netperf import pair
from tests.unit.hosts import fakes as host_fakes

UNKNOWN = fingerprint.UNKNOWN
AGENTS = [
    {'host': 'network', 'alive': True, 'agent_type': 'L3 agent',
     'configurations': {'agent_mode': 'dvr_snat'}},
    {'host': 'compute-01', 'alive': False, 'agent_type': 'L3 agent',
     'configurations': {'agent_mode': 'dvr'}},
    {'host': 'compute-01', 'alive': True, 'agent_type': 'Open vSwitch agent',
     'configurations': {'tunnel_types': ['vxlan'],
                        'datapath_type': 'netdev'}},
    {'host': 'network', 'alive': True, 'agent_type': 'DHCP agent',
     'configurations': {}},
]


class NeutronFactsTest(testtools.TestCase):

    def test_agents_and_extensions(self):
        facts = fingerprint.neutron_facts(
            AGENTS, [{'alias': 'router'}, {'alias': 'dvr'}, 'agent'])
        self.assertEqual({
            'neutron.extensions': 'agent, dvr, router',
            'neutron.mechanism': 'openvswitch',
            'neutron.agent_types': 'DHCP agent, L3 agent, Open vSwitch agent',
            'neutron.tunnel_types': 'vxlan',
            'l3_agent.network.mode': 'dvr_snat',
            'l3_agent.compute-01.mode': 'dvr (not alive)',
        }, facts)

    def test_ovn_agents(self):
        facts = fingerprint.neutron_facts(
            [{'host': 'c1', 'agent_type': 'OVN Controller agent'},
             {'host': 'c1', 'agent_type': 'OVN Metadata agent'}], [])
        self.assertEqual('ovn', facts['neutron.mechanism'])
        # No OVS agent: its configuration says nothing of tunnels.
        self.assertEqual(UNKNOWN, facts['neutron.tunnel_types'])
        self.assertEqual('', facts['neutron.extensions'])

    def test_unrecognised_agents_leave_the_mechanism_unknown(self):
        facts = fingerprint.neutron_facts(
            [{'host': 'n', 'agent_type': 'Vendor agent'}], None)
        self.assertEqual(UNKNOWN, facts['neutron.mechanism'])
        self.assertEqual('Vendor agent', facts['neutron.agent_types'])
        self.assertEqual(UNKNOWN, facts['neutron.extensions'])

    def test_agents_not_read(self):
        facts = fingerprint.neutron_facts(None, ['router'])
        self.assertEqual(UNKNOWN, facts['neutron.mechanism'])
        self.assertEqual(UNKNOWN, facts['neutron.agent_types'])
        self.assertFalse([k for k in facts if k.startswith('l3_agent.')])


class ResourceFactsTest(testtools.TestCase):

    def test_nova(self):
        self.assertEqual({'nova.max_microversion': '2.96'},
                         fingerprint.nova_facts('2.96'))
        self.assertEqual({'nova.max_microversion': UNKNOWN},
                         fingerprint.nova_facts(None))

    def test_networks_alike_and_different(self):
        net = {'provider:network_type': 'vxlan', 'mtu': 1450}
        self.assertEqual({'network.type': 'vxlan', 'network.mtu': '1450'},
                         fingerprint.network_facts({'A': net, 'B': net}))
        facts = fingerprint.network_facts({
            'A': net, 'B': dict(net, mtu=1400),
            # A user's view: no provider attributes.
            'C': {'mtu': 1450}})
        self.assertEqual('A vxlan, B vxlan, C unknown', facts['network.type'])
        self.assertEqual('A 1450, B 1400, C 1450', facts['network.mtu'])
        self.assertEqual({'network.type': UNKNOWN, 'network.mtu': UNKNOWN},
                         fingerprint.network_facts({'A': None}))

    def test_image(self):
        image = {'name': 'netperf-guest', 'checksum': 'abc123',
                 'hw_vif_model': 'e1000'}
        self.assertEqual({'image.name': 'netperf-guest',
                          'image.checksum': 'abc123',
                          'guest.nic_model': 'e1000'},
                         fingerprint.image_facts(image))
        # No property: the hypervisor's default, which is not unknown.
        facts = fingerprint.image_facts({
            'name': 'g', 'os_hash_algo': 'sha512', 'os_hash_value': 'ff'})
        self.assertEqual(fingerprint.ABSENT_VIF_MODEL,
                         facts['guest.nic_model'])
        self.assertEqual('sha512:ff', facts['image.checksum'])
        self.assertEqual(UNKNOWN, fingerprint.image_facts({'name': 'g'})[
            'image.checksum'])
        self.assertEqual(
            {UNKNOWN}, set(fingerprint.image_facts(None).values()))

    def test_flavor(self):
        self.assertEqual(
            {'flavor.name': 'netperf.tiny', 'flavor.vcpus': '1',
             'flavor.ram_mb': '256', 'flavor.disk_gb': '1'},
            fingerprint.flavor_facts({'name': 'netperf.tiny', 'vcpus': 1,
                                      'ram': 256, 'disk': 1}))
        self.assertEqual({UNKNOWN},
                         set(fingerprint.flavor_facts(None).values()))

    def test_guest_iperf3(self):
        self.assertEqual({'guest.iperf3': '3.12'}, fingerprint.guest_facts(
            {'A1': '3.12', 'B2': '3.12'}))
        self.assertEqual({'guest.iperf3': 'A1 3.12, B2 unknown'},
                         fingerprint.guest_facts({'A1': '3.12', 'B2': None}))

    def test_every_setting_field(self):
        facts = fingerprint.settings_facts(pair.Settings(udp=True))
        self.assertEqual(
            {'settings.%s' % f.name for f in dataclasses.fields(
                pair.Settings)}, set(facts))
        self.assertEqual('50', facts['settings.duration'])
        self.assertEqual('true', facts['settings.udp'])
        self.assertEqual('0.1', facts['settings.warmup_tolerance'])


class NodeFactsTest(testtools.TestCase):

    def test_captured_output(self):
        facts = fingerprint.parse_node_output(
            host_fakes.capture('fingerprint-node.txt'))
        self.assertEqual({
            'kernel': '6.18.44-fc-v1252', 'cpu_model': 'AMD EPYC',
            'cpus': '2', 'ovs_version': '3.1.0',
            'br_int_datapath': 'netdev',
            'tunnel_udp_port': 'vxlan 4789 (OVS default), vxlan 4790',
        }, facts)

    def test_captured_output_without_ovs(self):
        facts = fingerprint.parse_node_output(
            host_fakes.capture('fingerprint-node-no-ovs.txt'))
        self.assertEqual('6.18.44-fc-v1252', facts['kernel'])
        for key in ('ovs_version', 'br_int_datapath', 'tunnel_udp_port'):
            self.assertEqual(UNKNOWN, facts[key], key)

    def test_defaults_and_binary_version(self):
        facts = fingerprint.parse_node_output(
            'ovs_db_version=[]\n'
            'ovs_vswitchd=ovs-vswitchd (Open vSwitch) 3.3.0\n'
            'br_int_datapath=""\ntunnels_listed=yes\n'
            'tunnel=geneve,csum=true key=flow remote_ip=10.0.0.2\n')
        self.assertEqual('3.3.0', facts['ovs_version'])
        self.assertEqual('system (default)', facts['br_int_datapath'])
        self.assertEqual('geneve 6081 (OVS default)',
                         facts['tunnel_udp_port'])
        self.assertEqual(UNKNOWN, facts['kernel'])
        self.assertEqual('none', fingerprint.parse_node_output(
            'tunnels_listed=yes\n')['tunnel_udp_port'])
        self.assertEqual('gre (not UDP)', fingerprint.parse_node_output(
            'tunnels_listed=yes\ntunnel=gre,key=flow\n')['tunnel_udp_port'])

    def test_script_runs_here_and_parses(self):
        # OVS_RUNDIR: an empty directory, so no OVS of this machine is
        # asked anything.
        rundir = self.useFixture(fixtures.TempDir()).path
        done = subprocess.run(['sh', '-c', fingerprint.NODE_SCRIPT],
                              capture_output=True, text=True, timeout=60,
                              env=dict(os.environ, OVS_RUNDIR=rundir))
        self.assertEqual(0, done.returncode, done.stderr)
        facts = fingerprint.parse_node_output(done.stdout)
        self.assertNotEqual(UNKNOWN, facts['kernel'])
        self.assertTrue(facts['cpus'].isdigit())

    def test_nodes_without_access_are_unknown(self):
        facts = fingerprint.node_facts({
            'compute-01': host_fakes.capture('fingerprint-node.txt'),
            'network': None})
        self.assertEqual('3.1.0', facts['node.compute-01.ovs_version'])
        self.assertEqual(UNKNOWN, facts['node.network.kernel'])
        self.assertEqual(
            len(fingerprint.NODE_FACTS),
            len([k for k in facts if k.startswith('node.network.')]))
        self.assertEqual('vxlan 4789 (OVS default), vxlan 4790',
                         facts['tunnel.udp_port'])
        self.assertEqual(UNKNOWN, fingerprint.node_facts(
            {'network': None})['tunnel.udp_port'])


class DifferencesTest(testtools.TestCase):

    def test_changed_unknown_and_missing(self):
        before = {'network.mtu': '1450', 'node.c1.ovs_version': '3.1.0',
                  'nova.max_microversion': UNKNOWN, 'same': 'x',
                  'gone': 'y'}
        after = {'network.mtu': '1400', 'node.c1.ovs_version': '3.3.0',
                 'nova.max_microversion': '2.96', 'same': 'x'}
        found = fingerprint.differences(before, after)
        self.assertEqual(['gone', 'network.mtu', 'node.c1.ovs_version',
                          'nova.max_microversion'],
                         [d.fact for d in found])
        self.assertEqual([True, False, False, True],
                         [d.unknown for d in found])
        self.assertEqual('network.mtu 1450 \u2192 1400', str(found[1]))
        self.assertEqual(('gone', 'y', UNKNOWN), tuple(found[0]))
        self.assertEqual([], fingerprint.differences(after, dict(after)))

    def test_merge(self):
        merged = fingerprint.merge([
            {'a': '1', 'b': '2'}, {'a': '1', 'b': '3'}, {'a': '1'}])
        self.assertEqual({'a': '1', 'b': '2 | 3 | unknown'}, merged)
        self.assertEqual({}, fingerprint.merge([]))
        self.assertEqual({'a': '1'}, fingerprint.merge([{'a': '1'}]))
