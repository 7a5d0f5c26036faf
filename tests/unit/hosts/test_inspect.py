"""Tests of the inspectors, on real captured output and broken variants."""

import json

import testtools

from openstack_netperf import exceptions
from openstack_netperf.hosts import inspect
from tests.unit.hosts import fakes

ROUTER = fakes.ROUTER
EXTNET = fakes.EXTNET
capture = fakes.capture
FakeRunner = fakes.FakeRunner


class NamespaceTest(testtools.TestCase):

    def test_captured_namespaces(self):
        found = {ns.name: ns for ns in
                 inspect.parse_namespaces(capture('ip-netns-list.json'))}
        self.assertEqual(5, len(found))
        self.assertEqual(0, found['qrouter-' + ROUTER].nsid)
        self.assertIn('snat-' + ROUTER, found)
        self.assertIn('fip-' + EXTNET, found)
        self.assertIn('npt-guest-a', found)

    def test_no_namespaces(self):
        self.assertEqual([], inspect.parse_namespaces(''))
        self.assertEqual([], inspect.parse_namespaces('[]\n'))

    def test_malformed(self):
        for text in ('qrouter-1 (id: 0)', '{"name": "x"}', '[{"id": 1}]'):
            exc = self.assertRaises(exceptions.ParseError,
                                    inspect.parse_namespaces, text)
            self.assertIn('ip -j netns list', str(exc))


class LinkTest(testtools.TestCase):

    def test_router_namespace_counters(self):
        links = {i.name: i for i in
                 inspect.parse_links(capture('ip-s-link-qrouter.json'))}
        self.assertEqual({'lo', 'qr-1a2b3c4d-5e', 'qr-6f7a8b9c-0d',
                          'rfp-5f0c6a7e-3'}, set(links))
        qr_a = links['qr-1a2b3c4d-5e']
        raw = next(i for i in json.loads(capture('ip-s-link-qrouter.json'))
                   if i['ifname'] == 'qr-1a2b3c4d-5e')['stats64']
        self.assertEqual(
            (raw['rx']['packets'], raw['rx']['bytes'],
             raw['tx']['packets'], raw['tx']['bytes']),
            (qr_a.rx_packets, qr_a.rx_bytes, qr_a.tx_packets,
             qr_a.tx_bytes))
        # The guests' 50 pings of 1000 bytes went through this port.
        self.assertGreaterEqual(qr_a.rx_packets, 50)
        self.assertGreaterEqual(qr_a.rx_bytes, 50 * 1000)
        self.assertEqual(1500, qr_a.mtu)

    def test_snat_and_fip_devices(self):
        snat = [i.name for i in
                inspect.parse_links(capture('ip-s-link-snat.json'))]
        fip = [i.name for i in
               inspect.parse_links(capture('ip-s-link-fip.json'))]
        self.assertIn('sg-2b3c4d5e-6f', snat)
        self.assertIn('qg-7a8b9c0d-1e', snat)
        self.assertIn('fg-3c4d5e6f-70', fip)
        self.assertIn('fpr-5f0c6a7e-3', fip)

    def test_without_statistics_says_so(self):
        text = '[{"ifindex": 1, "ifname": "lo", "mtu": 65536}]'
        exc = self.assertRaises(exceptions.ParseError, inspect.parse_links,
                                text)
        self.assertIn('lo has no rx/tx statistics', str(exc))

    def test_malformed(self):
        data = json.loads(capture('ip-s-link-qrouter.json'))
        data[1]['stats64']['rx']['packets'] = 'many'
        exc = self.assertRaises(exceptions.ParseError, inspect.parse_links,
                                json.dumps(data))
        self.assertIn('rx packets of qr-1a2b3c4d-5e', str(exc))
        text = capture('ip-s-link-qrouter.json')
        self.assertRaises(exceptions.ParseError, inspect.parse_links,
                          text[:len(text) // 2])
        self.assertRaises(exceptions.ParseError, inspect.parse_links, '{}')
        self.assertRaises(exceptions.ParseError, inspect.parse_links,
                          '[{"ifindex": 3}]')

    def test_inspector_runs_inside_the_namespace(self):
        runner = FakeRunner({
            'ip netns exec qrouter-x ip -j -s link':
                capture('ip-s-link-qrouter.json')})
        links = inspect.list_interfaces(runner, 'qrouter-x')
        self.assertEqual(4, len(links))


class FlowTest(testtools.TestCase):

    def test_both_protocols_give_the_same_flows(self):
        for bridge in ('br-int', 'br-tun'):
            of10 = inspect.parse_flows(capture('dump-flows-%s.txt' % bridge))
            of13 = inspect.parse_flows(
                capture('dump-flows-%s-of13.txt' % bridge))
            self.assertEqual(
                [(f.table, f.priority, f.match) for f in of10],
                [(f.table, f.priority, f.match) for f in of13])
            self.assertEqual([f.n_packets for f in of10],
                             [f.n_packets for f in of13])

    def test_br_int_fields(self):
        flows = inspect.parse_flows(capture('dump-flows-br-int-of13.txt'))
        self.assertEqual(8, len(flows))
        drop = flows[0]
        self.assertEqual(
            (0, 65535, 0x8f1e2d3c4b5a6978, 'vlan_tci=0x0fff/0x1fff', 'drop'),
            (drop.table, drop.priority, drop.cookie, drop.match,
             drop.actions))
        normal = flows[-1]
        self.assertEqual((60, 3, 'NORMAL'),
                         (normal.table, normal.priority, normal.actions))
        self.assertGreater(normal.n_packets, 100)
        self.assertGreater(normal.n_bytes, 100 * 1000)
        dvr = next(f for f in flows if f.table == 1)
        self.assertEqual('ip,dl_vlan=1,dl_dst=fa:16:3e:11:22:33,'
                         'nw_dst=198.19.11.0/24', dvr.match)
        self.assertTrue(dvr.mentions('FA:16:3E:AA:BB:01'))
        self.assertIn('set_field:fa:16:3e:aa:bb:01->eth_src', dvr.actions)

    def test_br_tun_learn_action_kept_whole(self):
        flows = inspect.parse_flows(capture('dump-flows-br-tun.txt'))
        learn = next(f for f in flows if f.table == 10)
        self.assertTrue(learn.actions.startswith('learn(table=20,'))
        self.assertTrue(learn.actions.endswith('output:1'))
        self.assertEqual('', next(f for f in flows
                                  if f.table == 0 and f.priority == 0).match)

    def test_default_priority_and_empty_output(self):
        flows = inspect.parse_flows(
            ' cookie=0x0, duration=1.5s, table=0, n_packets=3, n_bytes=180,'
            ' actions=NORMAL\n')
        self.assertEqual(inspect.DEFAULT_PRIORITY, flows[0].priority)
        self.assertEqual('', flows[0].match)
        self.assertEqual([], inspect.parse_flows(
            'NXST_FLOW reply (xid=0x4):\n'))

    def test_malformed(self):
        for text in (
                'ovs-ofctl: br-int is not a bridge or a socket',
                ' cookie=0x0, table=0, n_packets=1, n_bytes=2, priority=1',
                ' cookie=0x0, table=x, n_packets=1, n_bytes=2 actions=drop',
                ' cookie=0x0, table=0, n_packets=1, priority=1 actions=drop',
                ' cookie=0x0, n_packets=1, n_bytes=2, priority=hi '
                'actions=drop'):
            self.assertRaises(exceptions.ParseError, inspect.parse_flows, text)

    def test_inspector_passes_the_protocol(self):
        runner = FakeRunner({
            'ovs-ofctl -O OpenFlow13 dump-flows br-tun':
                capture('dump-flows-br-tun-of13.txt')})
        flows = inspect.dump_flows(runner, 'br-tun')
        self.assertEqual(16, len(flows))


class OvsPortsTest(testtools.TestCase):

    def test_captured_counters(self):
        ports = {p.name: p for p in inspect.parse_ovs_ports(
            capture('ovs-ports.txt'))}
        tap = ports['tap9e8d7c6b-5a']
        self.assertEqual('br-int', tap.bridge)
        self.assertTrue(tap.has_counters)
        self.assertEqual(63 + 67, tap.packets)
        self.assertEqual(53134 + 53390, tap.bytes)
        self.assertEqual(15, ports['vxlan-c6120c0c'].tx_packets)
        # Internal ports moved into a namespace: no datapath counters.
        self.assertFalse(ports['qr-1a2b3c4d-5e'].has_counters)
        self.assertEqual(0, ports['qr-1a2b3c4d-5e'].packets)
        # LOCAL is the bridge's own interface.
        self.assertEqual(8, ports['br-phy'].rx_packets)
        self.assertEqual({'br-ex', 'br-int', 'br-phy', 'br-tun'},
                         {p.bridge for p in ports.values()})
        self.assertEqual(14, len(ports))

    def test_command_reads_every_bridge_in_one_go(self):
        command = inspect.ovs_ports_command()
        runner = fakes.FakeRunner({command: capture('ovs-ports.txt')})
        self.assertEqual(14, len(inspect.list_ovs_ports(runner)))
        self.assertEqual([command], runner.commands)
        self.assertIn('ovs-vsctl list-br', command)
        self.assertIn('ovs-ofctl -O OpenFlow13 --names dump-ports "$b"',
                      command)

    def test_malformed(self):
        good = capture('ovs-ports.txt')
        for broken in (
                # A port before any bridge mark.
                good.partition('\n')[2],
                # A port without its tx line.
                good.rstrip().rpartition('\n')[0].rpartition('\n')[0],
                good.replace('rx pkts=0', 'rx pkts=-1', 1),
                good + 'ovs-ofctl: br-x is not a bridge or a socket\n'):
            self.assertRaises(exceptions.ParseError, inspect.parse_ovs_ports,
                              broken)
        self.assertEqual([], inspect.parse_ovs_ports(''))
