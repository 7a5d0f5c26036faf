"""tools/bench-dhcp.py: overlapping rounds, stale flood flows, evidence."""

from __future__ import annotations

import io
import os
import tempfile
from unittest import mock

import fixtures
import testtools

from openstack_netperf import remote
from openstack_netperf.sandbox import settings
from tests.unit import tools

bench = tools.load('bench-dhcp.py')

# ovs-ofctl -O OpenFlow13 --no-names dump-flows br-tun table=22, as the
# OVS agent leaves it (two networks; VLAN 2 floods to two computes).
FLOWS = '''\
 cookie=0x5d1c, duration=42.1s, table=22, n_packets=3, n_bytes=1026, \
priority=1,dl_vlan=1 actions=pop_vlan,set_field:0x3e9->tun_id,output:3
 cookie=0x5d1c, duration=12.4s, table=22, n_packets=0, n_bytes=0, \
priority=1,dl_vlan=2 actions=pop_vlan,set_field:0x3ea->tun_id,output:3,\
output:4
 cookie=0x5d1c, duration=99.0s, table=22, n_packets=0, n_bytes=0, \
priority=0 actions=drop
'''
DNSMASQ = '''\
Dec  5 05:30:01 dnsmasq-dhcp[77]: 1 available DHCP range: 198.19.13.2 -- \
198.19.13.254
Dec  5 05:30:09 dnsmasq-dhcp[77]: 2 DHCPDISCOVER(tap1) fa:16:3e:aa:bb:01
Dec  5 05:30:09 dnsmasq-dhcp[77]: 2 DHCPOFFER(tap1) 198.19.13.5 \
fa:16:3e:aa:bb:01
Dec  5 05:30:12 dnsmasq-dhcp[77]: 3 DHCPDISCOVER(tap1) FA:16:3E:AA:BB:01
'''


def guest(name, host, server_id, mac):
    return bench.guests.guest.Guest(name, server_id, host,
                                    {'id': 'port-' + server_id,
                                     'mac_address': mac})


class ParseTest(testtools.TestCase):

    def test_flood_outputs_per_vlan(self):
        self.assertEqual({1: [3], 2: [3, 4]}, bench.flood_outputs(FLOWS))

    def test_a_flood_to_a_deleted_tunnel_port_is_stale(self):
        self.assertEqual([], bench.stale_floods('network', FLOWS, {3, 4}))
        self.assertEqual(
            ['network: VLAN 2 floods to port 4, which is no tunnel port'],
            bench.stale_floods('network', FLOWS, {3, 5}))

    def test_tunnel_ofports(self):
        self.assertEqual({3, 4}, bench.tunnel_ofports('3\n4\n'))
        # An interface OVS could not open has ofport -1: no port.
        self.assertEqual({3}, bench.tunnel_ofports('3\n-1\n'))
        self.assertEqual(set(), bench.tunnel_ofports(''))

    def test_discovers_from_one_mac(self):
        with tempfile.NamedTemporaryFile('w', delete=False) as handle:
            handle.write(DNSMASQ)
        self.addCleanup(os.unlink, handle.name)
        self.assertEqual(2, bench.discovers(handle.name, 'fa:16:3e:aa:bb:01'))
        self.assertEqual(0, bench.discovers(handle.name, 'fa:16:3e:aa:bb:02'))
        self.assertIsNone(bench.discovers(handle.name + '.gone', 'x'))


class ArgsTest(testtools.TestCase):

    def parse(self, *argv):
        return bench.parser().parse_args(list(argv))

    def error(self, *argv):
        with mock.patch('sys.stderr', io.StringIO()) as err:
            exc = self.assertRaises(SystemExit, self.parse, *argv)
        self.assertEqual(2, exc.code)
        return err.getvalue()

    def test_defaults(self):
        args = self.parse()
        self.assertFalse(args.overlap)
        self.assertIsNone(args.evidence)

    def test_overlap_and_an_evidence_folder_to_make(self):
        base = self.useFixture(fixtures.TempDir()).path
        args = self.parse('--overlap', '--evidence',
                          os.path.join(base, 'a', 'b'))
        self.assertTrue(args.overlap)
        self.assertEqual(os.path.join(base, 'a', 'b'), args.evidence)

    def test_evidence_under_a_file_is_a_usage_error(self):
        base = self.useFixture(fixtures.TempDir()).path
        path = os.path.join(base, 'file')
        open(path, 'w').close()
        self.assertIn('is not a directory',
                      self.error('--evidence', os.path.join(path, 'x')))

    def test_evidence_somewhere_unwritable_is_a_usage_error(self):
        with mock.patch.object(bench.os, 'access', return_value=False):
            self.assertIn('is not writable', self.error('--evidence', '/x'))

    def test_boots_must_be_positive(self):
        self.assertIn('not a positive number', self.error('--boots', '0'))


class RoundsTest(testtools.TestCase):
    """Order of boots and deletions, with and without --overlap."""

    def setUp(self):
        super().setUp()
        self.events: list[str] = []
        self.cloud = mock.Mock()
        self.nets = iter(range(100))

        def create(*args):
            n = next(self.nets)
            self.events.append('create net%d' % n)
            return {'id': 'net%d' % n}, {'id': 'router%d' % n}

        self.cloud.create_dvr_network.side_effect = create
        self.cloud.delete_dvr_network.side_effect = (
            lambda net, router: self.events.append('delete ' + net['id']))
        self.box = mock.Mock()
        self.box.cloud.return_value = self.cloud
        self.box.conf = settings.SandboxSettings(state_dir='/s',
                                                 log_dir='/l')
        self.servers = iter(range(100))
        patches = {
            'boot': self.boot, 'request_delete': self.request_delete,
            'wait_gone': lambda cloud, ids: self.events.append(
                'gone %s' % ','.join(ids))}
        for name, fake in patches.items():
            patcher = mock.patch.object(bench.guests, name, side_effect=fake)
            patcher.start()
            self.addCleanup(patcher.stop)
        for name, value in (('read_consoles', {}), ('stale_check', []),
                            ('keep_evidence', 'folder')):
            patcher = mock.patch.object(bench, name, return_value=value)
            setattr(self, name, patcher.start())
            self.addCleanup(patcher.stop)
        patcher = mock.patch.object(bench, 'outcomes',
                                    side_effect=self.outcomes)
        patcher.start()
        self.addCleanup(patcher.stop)
        patcher = mock.patch.object(bench, 'OVERLAP_SPACING', 0.0)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.lease = 'lease'

    def boot(self, cloud, ids, net, hosts, prefix, **kwargs):
        booted = [guest('%s-%d' % (prefix, i), host,
                        's%d' % next(self.servers), 'fa:16:3e:00:00:01')
                  for i, host in enumerate(hosts)]
        self.events.append('boot %s on %s' % (
            ','.join(g.server_id for g in booted), net['id']))
        return booted

    def request_delete(self, cloud, ids):
        self.events.append('DELETE %s' % ','.join(ids))

    def outcomes(self, box, current, texts):
        return [(g, self.lease, 'note') for g in current.booted]

    def run_bench(self, *argv):
        args = bench.parser().parse_args(['--boots', '4', '--batch', '2',
                                          *argv])
        run = bench.Bench(self.box, args)
        with mock.patch('sys.stdout', io.StringIO()) as out:
            run.run()
        return run, out.getvalue()

    def test_without_overlap_each_round_is_gone_before_the_next(self):
        run, _ = self.run_bench()
        self.assertEqual([
            'create net0', 'boot s0,s1 on net0', 'DELETE s0,s1',
            'gone s0,s1', 'delete net0',
            'create net1', 'boot s2,s3 on net1', 'DELETE s2,s3',
            'gone s2,s3', 'delete net1'], self.events)
        self.assertEqual((4, 4), (run.boots, run.leases))

    def test_overlap_deletes_the_last_round_while_booting(self):
        run, _ = self.run_bench('--overlap')
        self.assertEqual('create net1', self.events[2])
        # The old guests are deleted one by one, from the moment the new
        # network exists; the old network only once they are gone.
        later = self.events[3:]
        self.assertIn('boot s2,s3 on net1', later)
        for event in ('DELETE s0', 'DELETE s1'):
            self.assertIn(event, later)
        self.assertLess(later.index('DELETE s1'), later.index('gone s0,s1'))
        self.assertLess(later.index('boot s2,s3 on net1'),
                        later.index('gone s0,s1'))
        self.assertLess(later.index('gone s0,s1'), later.index('delete net0'))
        self.assertEqual(['DELETE s2,s3', 'gone s2,s3', 'delete net1'],
                         self.events[-3:])
        self.assertEqual(4, run.boots)

    def test_a_failed_boot_still_deletes_every_network(self):
        bench.guests.boot.side_effect = [
            self.boot(None, None, {'id': 'net0'}, ['compute-01'], 'x'),
            bench.exceptions.BootFailed('ERROR')]
        self.assertRaises(bench.exceptions.BootFailed, self.run_bench,
                          '--overlap')
        self.assertIn('delete net0', self.events)
        self.assertIn('delete net1', self.events)

    def test_stale_floods_are_reported_and_kept_as_evidence(self):
        self.stale_check.return_value = ['network: VLAN 2 floods to port 4']
        run, out = self.run_bench('--evidence', '/tmp/e')
        self.assertIn('STALE after round 0: network: VLAN 2', out)
        self.assertEqual(2, run.stale_rounds)
        self.assertEqual(2, self.keep_evidence.call_count)

    def test_no_evidence_without_a_failure(self):
        self.run_bench('--evidence', '/tmp/e')
        self.keep_evidence.assert_not_called()

    def test_a_guest_without_lease_keeps_evidence(self):
        self.lease = None
        run, out = self.run_bench('--evidence', '/tmp/e')
        self.assertIn('NO LEASE: note', out)
        self.assertEqual(0, run.leases)
        self.assertEqual(2, self.keep_evidence.call_count)


class EvidenceTest(testtools.TestCase):

    def test_consoles_flows_and_the_dnsmasq_log_are_kept(self):
        base = self.useFixture(fixtures.TempDir()).path
        logs = os.path.join(base, 'logs')
        box = mock.Mock()
        box.conf = settings.SandboxSettings(state_dir='/s', log_dir=logs)
        box.nodes.prefix.return_value = []
        os.makedirs(os.path.join(logs, 'network', 'dnsmasq', 'net0'))
        with open(os.path.join(logs, 'network', 'dnsmasq', 'net0',
                               'dhcp_dns_log'), 'w') as handle:
            handle.write(DNSMASQ)
        cloud = mock.Mock()
        cloud.call.return_value = {'output': 'console text'}
        current = bench.Round(7, {'id': 'net0'}, {'id': 'r0'}, [
            guest('dhcp7-0', 'compute-01', 's1', 'fa:16:3e:aa:bb:01')])
        result = remote.CommandResult('x', 0, 'flows\n', '')
        with mock.patch.object(remote.LocalRunner, 'run',
                               return_value=result) as run:
            folder = bench.keep_evidence(box, cloud, base, current, {})
        self.assertEqual(os.path.join(base, 'round-007'), folder)
        names = sorted(os.listdir(folder))
        self.assertIn('console-dhcp7-0-fa:16:3e:aa:bb:01.txt', names)
        self.assertIn('network-br-tun-flows.txt', names)
        self.assertIn('compute-02-ovs-interfaces.txt', names)
        with open(os.path.join(folder, 'dnsmasq-dhcp.log')) as handle:
            self.assertEqual(DNSMASQ, handle.read())
        self.assertEqual(3 * len(bench.NODE_EVIDENCE), run.call_count)


class DeleteOneByOneTest(testtools.TestCase):

    def test_spaced_deletions(self):
        sleeps = []
        with mock.patch.object(bench.guests, 'request_delete') as delete:
            bench.delete_one_by_one('cloud', ['a', 'b', 'c'], 2.0,
                                    sleep=sleeps.append)
        self.assertEqual([mock.call('cloud', ['a']), mock.call('cloud', ['b']),
                          mock.call('cloud', ['c'])], delete.call_args_list)
        self.assertEqual([2.0, 2.0], sleeps)
