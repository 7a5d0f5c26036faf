"""Tests of the path verdict."""

import testtools

from openstack_netperf import exceptions
from openstack_netperf.hosts import snapshot
from openstack_netperf.hosts import verdict
from tests.unit.hosts import fakes
from tests.unit.hosts import test_snapshot

BURST = verdict.Burst(3000, 1000)
QR = snapshot.CounterKey('network', snapshot.LINK, 'qrouter-r', 'qr-a')
VXLAN_NET = snapshot.CounterKey('network', snapshot.OVS_INTERFACE, '',
                                'vxlan-1')
TAP = snapshot.CounterKey('compute-1', snapshot.OVS_INTERFACE, '', 'tap-1')
VXLAN_COMP = snapshot.CounterKey('compute-1', snapshot.OVS_INTERFACE, '',
                                 'vxlan-2')


def delta(seconds, **packets):
    keys = {'qr': QR, 'vxlan_net': VXLAN_NET, 'tap': TAP,
            'vxlan_comp': VXLAN_COMP}
    return snapshot.Delta(seconds, {
        keys[name]: snapshot.Counter(count, count * 1042)
        for name, count in packets.items()})


QUIET = delta(5.0, qr=2, vxlan_net=3, tap=1, vxlan_comp=2)


def judge(expected, burst_delta, noise=QUIET, **kwargs):
    return verdict.judge(expected, BURST, burst_delta, noise, ['network'],
                         ['compute-1', 'compute-2'], **kwargs)


class VerdictTest(testtools.TestCase):

    def test_crossed(self):
        result = judge(True, delta(30.0, qr=6000, vxlan_net=6100, tap=6000,
                                   vxlan_comp=6000))
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertTrue(result.as_expected)
        self.assertEqual(VXLAN_NET, result.network_evidence[0].key)
        # Noise scaled to the burst's 30 s: 3 packets per 5 s -> 18.
        self.assertEqual(18.0, result.network_evidence[0].noise_packets)
        self.assertIn('vxlan-1', result.describe())

    def test_not_crossed(self):
        result = judge(True, delta(30.0, qr=4, vxlan_net=10, tap=6000,
                                   vxlan_comp=6000))
        self.assertEqual(verdict.PathVerdict.NOT_CROSSED, result.verdict)
        self.assertFalse(result.as_expected)
        self.assertTrue(result.conclusive)
        self.assertIn('tap-1', result.reason)
        text = result.describe()
        self.assertIn('expected: crossed', text)
        self.assertIn('compute-1: ovs tap-1 moved 6000 packets', text)

    def test_noise_makes_it_inconclusive(self):
        noisy = delta(5.0, qr=2, vxlan_net=400, tap=1)
        result = judge(False, delta(5.0, qr=2, vxlan_net=390, tap=6000),
                       noise=noisy)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertFalse(result.as_expected)
        self.assertIn('background noise', result.reason)
        # A lower factor accepts the same noise.
        result = judge(False, delta(5.0, qr=2, vxlan_net=390, tap=6000),
                       noise=noisy, noise_factor=20)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        result = judge(False, delta(5.0, qr=2, vxlan_net=390, tap=6000),
                       noise=noisy, noise_factor=5)
        self.assertEqual(verdict.PathVerdict.NOT_CROSSED, result.verdict)

    def test_quiet_carrier_wins_over_a_noisy_counter(self):
        noisy = delta(5.0, qr=0, vxlan_net=1000, tap=1)
        result = judge(True, delta(5.0, qr=6000, vxlan_net=7000, tap=6000),
                       noise=noisy)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertIn('qr-a', result.reason)

    def test_partial_move_is_inconclusive(self):
        result = judge(False, delta(5.0, qr=1200, vxlan_net=3, tap=6000))
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('less than the burst', result.reason)

    def test_small_packets_on_the_network_node_are_not_part_of_it(self):
        # A legacy floating IP's SSH session crossing the network node
        # while it starts the burst: packets beyond a tenth of the burst,
        # bytes far below a tenth of its bytes.
        ssh = snapshot.Delta(5.0, {
            VXLAN_NET: snapshot.Counter(400, 400 * 120),
            TAP: snapshot.Counter(6000, 6000 * 1042)})
        result = judge(False, ssh)
        self.assertEqual(verdict.PathVerdict.NOT_CROSSED, result.verdict)
        # The same packet count with the probes' size is a partial move.
        large = snapshot.Delta(5.0, {
            VXLAN_NET: snapshot.Counter(400, 400 * 1042),
            TAP: snapshot.Counter(6000, 6000 * 1042)})
        result = judge(False, large)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('less than the burst', result.reason)

    def test_burst_seen_nowhere(self):
        result = judge(False, delta(5.0, qr=2, vxlan_net=3, tap=1))
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('seen neither', result.reason)

    def test_small_packets_do_not_count_as_the_burst(self):
        small = snapshot.Delta(5.0, {QR: snapshot.Counter(6000, 6000 * 60),
                                     TAP: snapshot.Counter(6000, 6000 * 1042)})
        result = judge(True, small)
        self.assertNotEqual(verdict.PathVerdict.CROSSED, result.verdict)

    def test_no_network_counters(self):
        result = judge(True, delta(5.0, tap=6000), noise=delta(5.0, tap=1))
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('no counter was read on the network node',
                      result.reason)

    def test_bad_parameters(self):
        burst = delta(5.0, qr=1)
        self.assertRaises(exceptions.InvalidInput, judge, True, burst,
                          noise_factor=0.5)
        self.assertRaises(exceptions.InvalidInput, judge, True, burst,
                          carried_fraction=0)
        self.assertRaises(exceptions.InvalidInput, judge, True, burst,
                          noise=delta(0.0))
        self.assertRaises(exceptions.InvalidInput, verdict.Burst, 0, 1000)
        self.assertRaises(exceptions.InvalidInput, verdict.judge, True,
                          BURST, burst, QUIET, [], ['compute-1'])

    def test_captured_router_traffic_crossed(self):
        # The capture's node routed 50 pings of 1000 bytes between its two
        # guests through qrouter-: as a network node, it was crossed.
        before = snapshot.read_host(
            fakes.FakeRunner(test_snapshot.zeroed_outputs()),
            snapshot.HostTargets('network', ('qrouter-',)))
        after = snapshot.read_host(
            fakes.FakeRunner(fakes.captured_node_outputs()),
            snapshot.HostTargets('network', ('qrouter-',)))
        burst = snapshot.Snapshot(0, 0, before).delta(
            snapshot.Snapshot(2, 2, after))
        quiet = snapshot.Delta(5.0, {})
        result = verdict.judge(True, verdict.Burst(50, 1000), burst, quiet,
                               ['network'], [])
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        moved = {e.key.name for e in result.network_evidence}
        self.assertIn('qr-1a2b3c4d-5e', moved)


class FlowVerdictTest(testtools.TestCase):
    """The same rules judge a measured flow by its bytes alone."""

    FLOW = verdict.Flow(500 * 10 ** 6)

    @classmethod
    def _judge(cls, expected, **moved_bytes):
        keys = {'qr': QR, 'vxlan_net': VXLAN_NET, 'tap': TAP}
        # Offloads: a device counts few, large packets.
        moved = snapshot.Delta(3.0, {
            keys[name]: snapshot.Counter(count // 65000, count)
            for name, count in moved_bytes.items()})
        return verdict.judge(expected, cls.FLOW, moved, None, ['network'],
                             ['compute-1'])

    def test_crossed(self):
        result = self._judge(True, qr=510 * 10 ** 6, tap=505 * 10 ** 6)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertEqual(verdict.FLOW, result.method)
        self.assertEqual('network: link qrouter-r/qr-a carried the flow of '
                         '500000000 bytes', result.reason)
        self.assertIn('judged from the flow', result.describe())

    def test_not_crossed(self):
        # The network node's background (an SSH session, ARP) is far
        # below a tenth of the flow.
        result = self._judge(False, qr=40000, vxlan_net=2 * 10 ** 6,
                             tap=505 * 10 ** 6)
        self.assertEqual(verdict.PathVerdict.NOT_CROSSED, result.verdict)
        self.assertTrue(result.as_expected)
        self.assertEqual(0, result.network_evidence[0].noise_bytes)
        self.assertIn('carried the flow and no network-node counter',
                      result.reason)

    def test_part_of_the_flow_is_inconclusive(self):
        result = self._judge(False, vxlan_net=100 * 10 ** 6,
                             tap=505 * 10 ** 6)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('bytes: less than the flow, more than noise',
                      result.reason)
        self.assertFalse(result.noisy)

    def test_flow_seen_nowhere(self):
        result = self._judge(True, qr=1000, tap=1000)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertIn('the flow was seen neither', result.reason)

    def test_bad_flow(self):
        self.assertRaises(exceptions.InvalidInput, verdict.Flow, 0)

    def test_burst_is_the_default_method(self):
        self.assertEqual(verdict.BURST, judge(True, delta(30.0)).method)
