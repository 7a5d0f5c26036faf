"""Tests of the burst probe and the whole path-check protocol."""

import re
from unittest import mock

import fixtures
import testtools

from openstack_netperf import exceptions
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


class FakeClock:
    """Monotonic time that only sleeping moves on."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.now += seconds


class GuestRunner:
    """A guest whose ping writes ``output`` to the file it is sent to."""

    name = 'guest 198.18.100.101'

    def __init__(self, output):
        self.output = output
        self.files = {}
        self.commands = []

    def run(self, command, timeout=None, check=True):
        line = remote.to_shell(command)
        self.commands.append((line, timeout, check))
        stdout = ''
        if line.startswith('env LC_ALL=C ping '):
            self.files[re.search(r' >(\S+) 2>&1$', line).group(1)] = (
                self.output)
        elif line.startswith('cat '):
            stdout = self.files.get(line.split()[1], '')
        elif line.startswith('rm -f '):
            self.files.pop(line.split()[2], None)
        return remote.CommandResult(line, 0, stdout, '')

    def close(self):
        pass


class PingBurstTest(testtools.TestCase):

    def test_burst_output_stays_on_the_sender_until_asked(self):
        runner = GuestRunner(ping_output(300, 290))
        burst = probe.PingBurst(runner, '198.19.12.10', 300, 1000,
                                interval=0.01)
        self.assertEqual(verdict.Burst(300, 1000), burst.send())
        line, timeout, check = runner.commands[0]
        self.assertEqual('env LC_ALL=C ping -c 300 -i 0.01 -s 1000 -w 16 '
                         '198.19.12.10 '
                         '>%s 2>&1' % burst.output_file, line)
        self.assertTrue(burst.output_file.startswith('/tmp/netperf-burst-'))
        self.assertEqual(46, timeout)
        self.assertFalse(check)
        self.assertEqual(1, len(runner.commands))
        result = burst.result()
        self.assertEqual((300, 290), (result.total_sent,
                                      result.total_received))
        self.assertEqual({}, runner.files)

    def test_no_reply_is_an_error(self):
        burst = probe.PingBurst(GuestRunner(ping_output(300, 0)),
                                '198.19.12.10', 300, 1000)
        burst.send()
        exc = self.assertRaises(exceptions.ToolError, burst.result)
        self.assertIn('none of 300 pings', str(exc))

    def test_ping_failure_is_an_error(self):
        burst = probe.PingBurst(
            GuestRunner('ping: connect: Network is unreachable\n'),
            '198.19.12.10', 300, 1000)
        burst.send()
        exc = self.assertRaises(exceptions.ToolError, burst.result)
        self.assertIn('Network is unreachable', str(exc))

    def test_bad_burst_is_refused_early(self):
        self.assertRaises(exceptions.InvalidInput, probe.PingBurst,
                          GuestRunner(''), '198.19.12.10', 0, 1000)
        self.assertRaises(exceptions.InvalidInput, probe.PingBurst,
                          GuestRunner(''), '-f', 300, 1000)


class PathTargetsTest(testtools.TestCase):

    def test_every_node_reads_the_routers_namespaces(self):
        targets = probe.path_targets(['network'], ['compute-01', 'network'],
                                     ['r1', 'r2'])
        self.assertEqual(['network', 'compute-01'],
                         [t.host for t in targets])
        self.assertEqual(('fip-', 'qrouter-r1', 'snat-r1', 'qrouter-r2',
                          'snat-r2'), targets[0].namespace_prefixes)


class MeasurePathTest(testtools.TestCase):

    @staticmethod
    def _measure(read_host, expected_crossing, events):
        """measure_path over faked nodes; ``events`` logs sleeps and bursts.

        Time is a fake clock that the sleeps and the 30 s burst move on,
        so the quiet window's noise scales to the burst as it would live.
        """
        clock = FakeClock()

        def send():
            events.append('burst')
            clock.sleep(30.0)
            return verdict.Burst(3000, 1000)

        def sleep(seconds):
            events.append('sleep %s' % seconds)
            clock.sleep(seconds)

        targets = probe.path_targets(['network'], ['compute-01'], ['r'])
        with mock.patch.object(snapshot, 'read_host', side_effect=read_host):
            return probe.measure_path(
                lambda host: host, targets, send, expected_crossing,
                ['network'], ['compute-01'], quiet_seconds=5,
                noise_factor=10, sleep=sleep, clock=clock)

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

        result = self._measure(read_host, True, events)
        self.assertEqual(['sleep 1.0', 'read network', 'read compute-01',
                          'sleep 5', 'read network', 'read compute-01',
                          'burst', 'sleep 1.0', 'read network',
                          'read compute-01'], events)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertTrue(result.as_expected)

    def _measure_counting(self, totals, expected_crossing):
        """_measure over one network counter reading ``totals``; bursts."""
        key_net = snapshot.CounterKey('network', snapshot.LINK, 'qrouter-r',
                                      'qr-a')
        totals = iter(totals)

        def read_host(runner, target):
            if target.host != 'network':
                return {}
            packets = next(totals)
            return {key_net: snapshot.Counter(packets, packets * 1000)}

        events = []
        result = self._measure(read_host, expected_crossing, events)
        return result, events.count('burst')

    def test_a_noisy_quiet_window_is_measured_again(self):
        # First attempt 1000 packets of noise, second attempt quiet; the
        # burst (3000 packets) crosses both times.
        result, bursts = self._measure_counting(
            [0, 1000, 4000, 4000, 4001, 7001], True)
        self.assertEqual(2, bursts)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertFalse(result.noisy)

    def test_noise_that_persists_stays_inconclusive(self):
        result, bursts = self._measure_counting(range(0, 100000, 1000),
                                                False)
        self.assertEqual(probe.NOISY_ATTEMPTS, bursts)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertTrue(result.noisy)
        self.assertIn('background noise', result.reason)


class FlowWatchTest(testtools.TestCase):
    """Counters around a measured flow, over faked nodes."""

    KEY_NET = snapshot.CounterKey('network', snapshot.LINK, 'qrouter-r',
                                  'qr-a')
    KEY_TAP = snapshot.CounterKey('compute-01', snapshot.OVS_INTERFACE, '',
                                  'tap1')

    def _watch(self, net_bytes, fail=None):
        """A watch whose reads give ``net_bytes`` on the network node.

        The compute's tap carries 600 MB between the reads; ``fail``
        ('before' or 'after') makes that read fail.
        """
        reads = []

        def read_host(runner, target):
            when = 'before' if len(reads) < 2 else 'after'
            reads.append(target.host)
            if when == fail:
                raise exceptions.CommandFailed(
                    target.host, remote.CommandResult(
                        'ip netns list', 255, '', 'Connection reset'))
            if target.host == 'network':
                moved = net_bytes if when == 'after' else 0
                return {self.KEY_NET: snapshot.Counter(10 + moved // 60000,
                                                       1000 + moved)}
            moved = 600 * 10 ** 6 if when == 'after' else 0
            return {self.KEY_TAP: snapshot.Counter(10 + moved // 60000,
                                                   1000 + moved)}

        watch = probe.FlowWatch(
            lambda host: host,
            probe.path_targets(['network'], ['compute-01'], ['r']),
            clock=FakeClock())
        self.useFixture(fixtures.MockPatchObject(
            snapshot, 'read_host', side_effect=read_host))
        watch.start()
        watch.stop()
        return watch, reads

    def _judge(self, watch, expected_crossing, sent=550 * 10 ** 6):
        return watch.judge(sent, expected_crossing, ['network'],
                           ['compute-01'], 10)

    def test_crossed(self):
        watch, reads = self._watch(590 * 10 ** 6)
        # One read of each node before and after; no sleep, no burst.
        self.assertEqual(4, len(reads))
        result = self._judge(watch, True)
        self.assertEqual(verdict.PathVerdict.CROSSED, result.verdict)
        self.assertEqual(verdict.FLOW, result.method)

    def test_not_crossed(self):
        watch, _reads = self._watch(30000)
        result = self._judge(watch, False)
        self.assertEqual(verdict.PathVerdict.NOT_CROSSED, result.verdict)
        self.assertTrue(result.as_expected)

    def test_inconclusive(self):
        watch, _reads = self._watch(200 * 10 ** 6)
        result = self._judge(watch, True)
        self.assertEqual(verdict.PathVerdict.INCONCLUSIVE, result.verdict)
        self.assertEqual(verdict.FLOW, result.method)

    def test_unreadable_counters_are_inconclusive_with_the_reason(self):
        for when in ('before', 'after'):
            watch, _reads = self._watch(590 * 10 ** 6, fail=when)
            result = self._judge(watch, True)
            self.assertEqual(verdict.PathVerdict.INCONCLUSIVE,
                             result.verdict)
            self.assertEqual(verdict.FLOW, result.method)
            self.assertIn('the counters could not be read %s the flow: '
                          % when, result.reason)
            self.assertIn('Connection reset', result.reason)
            self.assertEqual((), result.network_evidence)

    def test_no_bytes_reported_is_inconclusive(self):
        watch, _reads = self._watch(590 * 10 ** 6)
        for sent in (None, 0):
            result = self._judge(watch, True, sent)
            self.assertEqual(verdict.PathVerdict.INCONCLUSIVE,
                             result.verdict)
            self.assertEqual('iperf3 reported no bytes sent', result.reason)

    def test_a_flow_never_watched_is_inconclusive(self):
        watch = probe.FlowWatch(lambda host: host, [])
        result = watch.judge(10 ** 6, False, ['network'], [], 10)
        self.assertEqual('the counters were not read before and after the '
                         'flow', result.reason)
