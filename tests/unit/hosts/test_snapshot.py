"""Tests of counter snapshots and deltas, read from captured output."""

import json
import re

import testtools

from openstack_netperf import exceptions
from openstack_netperf.hosts import inspect
from openstack_netperf.hosts import snapshot
from openstack_netperf import remote
from tests.unit.hosts import fakes


def zeroed_outputs():
    """The captured node as it was before any traffic: counters at 0."""
    outputs = fakes.captured_node_outputs()
    for line, text in list(outputs.items()):
        if 'ip -j -s link' in line:
            data = json.loads(text)
            for link in data:
                for direction in ('rx', 'tx'):
                    link['stats64'][direction].update(packets=0, bytes=0)
            outputs[line] = json.dumps(data)
        elif line == inspect.ovs_ports_command():
            outputs[line] = re.sub(r'(pkts|bytes)=\d+', r'\1=0', text)
        elif line.startswith('ovs-ofctl'):
            outputs[line] = '\n'.join(
                ' '.join('n_packets=0,' if w.startswith('n_packets=') else
                         'n_bytes=0,' if w.startswith('n_bytes=') else w
                         for w in row.split(' '))
                for row in text.splitlines())
    return outputs


class Clock:
    def __init__(self, *times):
        self.times = list(times)

    def __call__(self):
        return self.times.pop(0)


class SnapshotTest(testtools.TestCase):

    def targets(self):
        return snapshot.HostTargets(
            'network', namespace_prefixes=('qrouter-', 'snat-'))

    def test_reads_namespaces_and_ovs_ports(self):
        runner = fakes.FakeRunner(fakes.captured_node_outputs())
        counters = snapshot.read_host(runner, self.targets())
        by_source = {}
        for key in counters:
            by_source.setdefault(key.source, set()).add((key.scope,
                                                         key.name))
        # Only the namespaces asked for, without loopback.
        self.assertEqual({
            ('qrouter-' + fakes.ROUTER, 'qr-1a2b3c4d-5e'),
            ('qrouter-' + fakes.ROUTER, 'qr-6f7a8b9c-0d'),
            ('qrouter-' + fakes.ROUTER, 'rfp-5f0c6a7e-3'),
            ('snat-' + fakes.ROUTER, 'sg-2b3c4d5e-6f'),
            ('snat-' + fakes.ROUTER, 'qg-7a8b9c0d-1e')},
            by_source[snapshot.LINK])
        # OVS ports without datapath statistics are skipped.
        ovs_ports = {name for _, name in by_source[snapshot.OVS_INTERFACE]}
        self.assertIn('tap9e8d7c6b-5a', ovs_ports)
        self.assertNotIn('qr-1a2b3c4d-5e', ovs_ports)
        # A bridge's own port goes by the bridge's name.
        self.assertIn('br-phy', ovs_ports)
        tap = snapshot.CounterKey('network', snapshot.OVS_INTERFACE, '',
                                  'tap9e8d7c6b-5a')
        self.assertEqual(snapshot.Counter(63 + 67, 53134 + 53390),
                         counters[tap])
        # Catch-all flow counters are noise: no flow is read.
        self.assertEqual({snapshot.LINK, snapshot.OVS_INTERFACE},
                         set(by_source))
        self.assertFalse([c for c in runner.commands if 'dump-flows' in c])
        self.assertNotIn('ip netns exec npt-guest-a ip -j -s link',
                         runner.commands)
        key = snapshot.CounterKey('network', snapshot.LINK,
                                  'qrouter-' + fakes.ROUTER,
                                  'qr-1a2b3c4d-5e')
        self.assertEqual(snapshot.Counter(64 + 60, 53188 + 52840),
                         counters[key])
        self.assertEqual('network: link qrouter-%s/qr-1a2b3c4d-5e'
                         % fakes.ROUTER, str(key))

    def test_vanished_namespace_is_skipped_other_errors_are_not(self):
        outputs = fakes.captured_node_outputs()
        snat = 'ip netns exec snat-%s ip -j -s link' % fakes.ROUTER
        runner = fakes.FakeRunner(outputs)
        failure = remote.CommandResult(
            snat, 1, '', 'Cannot open network namespace "snat-%s": No such '
            'file or directory' % fakes.ROUTER)
        original = runner.run

        def run(command, timeout=None, check=True):
            if remote.to_shell(command) == snat:
                raise exceptions.CommandFailed(runner.name, failure)
            return original(command, timeout, check)

        runner.run = run
        counters = snapshot.read_host(runner, self.targets())
        self.assertEqual(
            {'qrouter-' + fakes.ROUTER},
            {k.scope for k in counters if k.source == snapshot.LINK})
        failure.stderr = 'sudo: a password is required'
        self.assertRaises(exceptions.CommandFailed, snapshot.read_host, runner,
                          self.targets())

    def test_delta_of_the_captured_traffic(self):
        runners = iter([fakes.FakeRunner(zeroed_outputs()),
                        fakes.FakeRunner(fakes.captured_node_outputs())])
        targets = [self.targets()]
        before = snapshot.take_snapshot(lambda host: next(runners), targets,
                                        clock=Clock(10.0, 11.0))
        after = snapshot.take_snapshot(lambda host: next(runners), targets,
                                       clock=Clock(20.0, 21.0))
        delta = before.delta(after)
        self.assertEqual(10.0, delta.seconds)
        self.assertEqual(after.counters, delta.counters)
        tap = snapshot.CounterKey('network', snapshot.OVS_INTERFACE, '',
                                  'tap9e8d7c6b-5a')
        self.assertEqual(63 + 67, delta.counters[tap].packets)

    def test_reset_and_vanished_counters(self):
        a = snapshot.CounterKey('h', snapshot.LINK, '', 'a')
        b = snapshot.CounterKey('h', snapshot.LINK, '', 'b')
        c = snapshot.CounterKey('h', snapshot.LINK, '', 'c')
        before = snapshot.Snapshot(0, 0, {a: snapshot.Counter(100, 1000),
                                          b: snapshot.Counter(5, 50)})
        after = snapshot.Snapshot(1, 1, {a: snapshot.Counter(3, 30),
                                         c: snapshot.Counter(7, 70)})
        delta = before.delta(after)
        self.assertEqual({a: snapshot.Counter(3, 30)}, delta.counters)
        self.assertEqual({}, delta.on_hosts(['other']))

    def test_observe_orders_quiet_window_before_burst(self):
        events = []
        clock = iter(range(100))

        def take():
            events.append('snapshot')
            t = next(clock)
            return snapshot.Snapshot(t, t, {})

        obs = snapshot.observe(take, 5, lambda: events.append('burst'),
                               sleep=lambda s: events.append('sleep %s' % s),
                               settle_seconds=2)
        self.assertEqual(['sleep 2', 'snapshot', 'sleep 5', 'snapshot',
                          'burst', 'sleep 2', 'snapshot'], events)
        self.assertEqual(1, obs.noise.seconds)
        self.assertEqual(1, obs.burst.seconds)
