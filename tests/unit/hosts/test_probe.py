"""Tests of the burst probe and the whole path-check protocol."""

from unittest import mock

import testtools

from openstack_netperf.hosts import probe
from openstack_netperf.hosts import snapshot
from openstack_netperf.hosts import verdict
from openstack_netperf import remote


def ping_output(sent, received, size=1000):
    lines = ['PING 198.19.12.10 (198.19.12.10) %d(%d) bytes of data.'
             % (size, size + 28)]
    lines += ['%d bytes from 198.19.12.10: icmp_seq=%d ttl=63 time=0.5 ms'
              % (size + 8, seq) for seq in range(1, received + 1)]
    lines += ['', '--- 198.19.12.10 ping statistics ---',
              '%d packets transmitted, %d received, %d%% packet loss, '
              'time 100ms' % (sent, received,
                              100 * (sent - received) // sent)]
    return '\n'.join(lines) + '\n'


class GuestRunner:
    name = 'guest 198.18.100.101'

    def __init__(self, stdout, status=0):
        self.stdout = stdout
        self.status = status
        self.commands = []

    def run(self, command, timeout=None, check=True):
        self.commands.append((remote.to_shell(command), timeout, check))
        return remote.CommandResult('ping', self.status, self.stdout, '')

    def close(self):
        pass


class PingBurstTest(testtools.TestCase):

    def test_burst_with_some_loss(self):
        runner = GuestRunner(ping_output(300, 290), status=1)
        burst, result = probe.ping_burst(runner, '198.19.12.10', 300, 1000,
                                         interval=0.01)
        self.assertEqual(verdict.Burst(300, 1000), burst)
        self.assertEqual(290, result.total_received)
        line, timeout, check = runner.commands[0]
        self.assertEqual('ping -c 300 -i 0.01 -s 1000 -w 16 198.19.12.10',
                         line)
        self.assertEqual(46, timeout)
        self.assertFalse(check)

    def test_no_reply_is_an_error(self):
        runner = GuestRunner(ping_output(300, 0), status=1)
        exc = self.assertRaises(probe.ProbeError, probe.ping_burst, runner,
                                '198.19.12.10', 300, 1000)
        self.assertIn('none of 300 pings', str(exc))

    def test_ping_failure_is_an_error(self):
        runner = GuestRunner('ping: connect: Network is unreachable\n', 2)
        exc = self.assertRaises(probe.ProbeError, probe.ping_burst, runner,
                                '198.19.12.10', 300, 1000)
        self.assertIn('Network is unreachable', str(exc))


class PathTargetsTest(testtools.TestCase):

    def test_every_node_reads_the_routers_namespaces(self):
        targets = probe.path_targets(['network'], ['compute-01', 'network'],
                                     ['r1', 'r2'])
        self.assertEqual(['network', 'compute-01'],
                         [t.host for t in targets])
        self.assertEqual(('fip-', 'qrouter-r1', 'snat-r1', 'qrouter-r2',
                          'snat-r2'), targets[0].namespace_prefixes)
        self.assertEqual(('br-int', 'br-tun'), targets[1].bridges)
        self.assertEqual('OpenFlow13', targets[1].openflow)


class MeasurePathTest(testtools.TestCase):

    def test_protocol(self):
        key_net = snapshot.CounterKey('network', snapshot.LINK, 'qrouter-r',
                                      'qr-a')
        key_tap = snapshot.CounterKey('compute-01', snapshot.OVS_INTERFACE,
                                      '', 'tap1')
        readings = iter([
            {key_net: snapshot.Counter(10, 1000),
             key_tap: snapshot.Counter(10, 1000)},
            {key_net: snapshot.Counter(11, 1100),
             key_tap: snapshot.Counter(12, 1200)},
            {key_net: snapshot.Counter(6011, 6211100),
             key_tap: snapshot.Counter(6012, 6201200)},
        ])
        events = []
        current = {}

        def read_host(runner, target):
            events.append('read %s' % target.host)
            if target.host == 'network':
                current.update(next(readings))
            return {k: v for k, v in current.items()
                    if k.host == target.host}

        def send():
            events.append('burst')
            return verdict.Burst(3000, 1000)

        targets = probe.path_targets(['network'], ['compute-01'], ['r'])
        with mock.patch.object(snapshot, 'read_host', side_effect=read_host):
            result = probe.measure_path(
                lambda host: host, targets, send, True, ['network'],
                ['compute-01'], quiet_seconds=5, noise_factor=10,
                sleep=lambda s: events.append('sleep %s' % s))
        self.assertEqual(['sleep 6.0', 'read network', 'read compute-01',
                          'sleep 5', 'read network', 'read compute-01',
                          'burst', 'sleep 6.0', 'read network',
                          'read compute-01'], events)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertTrue(result.as_expected)
