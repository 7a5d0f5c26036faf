"""The console diagnosis that explains an unreachable guest."""

from __future__ import annotations

import testtools

from openstack_netperf import console
from openstack_netperf import guest
from openstack_netperf.hosts import access
from openstack_netperf import remote

BOOTED = ('[    0.000000] Linux version 6.1.0-27-amd64\n'
          'netperf-guest: booting 6.1.0-27-amd64 nic=e1000 virtio_csum=1\n')


class DiagnosisTest(testtools.TestCase):

    def test_empty_console(self):
        self.assertIn('did not start', console.diagnosis('\n \n'))

    def test_booted_without_ready_line(self):
        self.assertIn('never reported ready', console.diagnosis(BOOTED))

    def test_ready_points_at_the_network(self):
        text = BOOTED + ('netperf-guest: ready host=vm-1 keys=config-drive '
                         'addresses=198.19.1.5/24 uptime=8.1s\n')
        diagnosis = console.diagnosis(text)
        self.assertIn('network path to it is the suspect', diagnosis)
        self.assertIn('addresses=198.19.1.5/24', diagnosis)

    def test_no_lease_is_not_a_network_path_suspect(self):
        # Even with its SSH server running (ready), a guest that DHCP never
        # answered has no address: the fault lies before SSH.
        no_lease = 'udhcpc: no lease, forking to background\n'
        ready = ('netperf-guest: ready host=vm-1 keys=config-drive '
                 'addresses=%s\n')
        for text in (no_lease + ready % ' uptime=31.0s', ready % '',
                     no_lease):
            diagnosis = console.diagnosis(BOOTED + text)
            self.assertIn('got no DHCP lease', diagnosis, text)
            self.assertNotIn('the network path', diagnosis, text)

    def test_a_late_lease_counts(self):
        # udhcpc -b keeps trying in the background and may bind later.
        text = BOOTED + ('udhcpc: no lease, forking to background\n'
                         'netperf-guest: eth0 bound 198.19.1.5/24 mtu 1450\n'
                         'netperf-guest: ready host=vm-1 keys=config-drive '
                         'addresses=198.19.1.5/24 uptime=40.0s\n')
        self.assertIn('network path to it is the suspect',
                      console.diagnosis(text))

    def test_failure_line_is_quoted_from_its_prefix(self):
        text = BOOTED + ('[   60.1] netperf-guest: failed: no SSH public '
                         'key found\n')
        self.assertEqual('the guest reported a failure: "netperf-guest: '
                         'failed: no SSH public key found"',
                         console.diagnosis(text))

    def test_other_image(self):
        self.assertIn('another image',
                      console.diagnosis('login as cirros\n'))


class ReportTest(testtools.TestCase):

    def test_report_has_error_facts_diagnosis_and_tail(self):
        text = ''.join('line %d\n' % i for i in range(40)) + BOOTED
        report = console.report('guest A1: not reachable', text,
                                {'port p1': 'ACTIVE'})
        lines = report.splitlines()
        self.assertEqual('guest A1: not reachable', lines[0])
        self.assertEqual('port p1: ACTIVE', lines[1])
        self.assertIn('never reported ready', lines[2])
        self.assertEqual('console, last lines:', lines[3])
        self.assertEqual(console.TAIL_LINES, len(lines) - 4)
        self.assertEqual('    line 27', lines[4])
        self.assertTrue(lines[-1].startswith('    netperf-guest: booting'))

    def test_unreadable_console(self):
        report = console.report('timed out', None)
        self.assertEqual('timed out\nconsole: could not be read', report)

    def test_port_state(self):
        self.assertEqual(
            'ACTIVE, bound to compute-02 (vif type ovs)',
            console.port_state({'status': 'ACTIVE',
                                'binding:host_id': 'compute-02',
                                'binding:vif_type': 'ovs'}))
        self.assertEqual('DOWN, bound to no host (vif type unbound)',
                         console.port_state({'status': 'DOWN',
                                             'binding:host_id': '',
                                             'binding:vif_type': 'unbound'}))


class UnreachableReportTest(testtools.TestCase):

    def test_failed_reads_become_facts(self):
        def broken(server_id):
            raise RuntimeError('nova is down')

        stuck = guest.Guest('A1', 's1', 'compute-01',
                            {'id': 'p1', 'fixed_ips': []}, '198.18.100.7',
                            'fip1')
        report = console.unreachable_report(
            'timed out', stuck, broken,
            lambda port_id: {'id': port_id, 'status': 'ACTIVE'},
            {'fip1': 'DOWN'}.get)
        self.assertIn('server: s1 on compute-01', report)
        self.assertIn('console error: nova is down', report)
        self.assertIn('port p1: ACTIVE', report)
        self.assertIn('floating IP 198.18.100.7: DOWN', report)
        self.assertIn('console: could not be read', report)


class FakeRunner:

    def __init__(self, status, stdout, stderr=''):
        self.name = 'compute-01'
        self.result = remote.CommandResult('', status, stdout, stderr)
        self.commands = []

    def run(self, command, timeout=None, check=True):
        self.commands.append(command)
        return self.result


class TapTest(testtools.TestCase):

    PORT = 'f51bbfc7-6789-4abc-8def-0123456789ab'

    def test_tap_name_is_cut_to_fourteen(self):
        self.assertEqual('tapf51bbfc7-67', console.tap_name(self.PORT))

    def test_admin_down_tap_is_called_out(self):
        runner = FakeRunner(0, '31: tapf51bbfc7-67: <BROADCAST,MULTICAST,'
                               'PROMISC> mtu 1450 qdisc noop state DOWN\n')
        state = console.tap_link_state(runner, self.PORT)
        self.assertEqual([['ip', '-o', 'link', 'show', 'tapf51bbfc7-67']],
                         runner.commands)
        self.assertTrue(state.startswith('ADMIN DOWN'), state)
        self.assertIn('<BROADCAST,MULTICAST,PROMISC>', state)

    def test_up_tap_is_quoted(self):
        line = ('31: tapf51bbfc7-67: <BROADCAST,MULTICAST,PROMISC,UP,'
                'LOWER_UP> mtu 1450 qdisc noqueue state UNKNOWN')
        self.assertEqual(line, console.tap_link_state(
            FakeRunner(0, line + '\n'), self.PORT))

    def test_missing_tap(self):
        state = console.tap_link_state(FakeRunner(
            1, '', 'Device "tapf51bbfc7-67" does not exist.\n'), self.PORT)
        self.assertEqual('not found on compute-01: Device "tapf51bbfc7-67" '
                         'does not exist.', state)

    def test_reader_only_with_node_access(self):
        self.assertIsNone(console.tap_reader(None, 'compute-01', self.PORT))
        none = access.NodeAccess(access.NodeAccessSettings())
        self.assertIsNone(console.tap_reader(none, 'compute-01', self.PORT))
        ssh = access.NodeAccess(access.NodeAccessSettings(method='ssh'))
        self.assertIsNone(console.tap_reader(ssh, None, self.PORT))
        runner = FakeRunner(0, '31: tapf51bbfc7-67: <UP> mtu 1450\n')
        ssh._runners['compute-01'] = runner
        reader = console.tap_reader(ssh, 'compute-01', self.PORT)
        self.assertEqual('31: tapf51bbfc7-67: <UP> mtu 1450', reader())

    def _report(self, read_tap):
        stuck = guest.Guest('A1', 's1', 'compute-01',
                            {'id': 'p1', 'fixed_ips': []})
        return console.unreachable_report(
            'timed out', stuck, lambda _server_id: BOOTED,
            lambda port_id: {'id': port_id, 'status': 'ACTIVE'},
            {}.get, read_tap=read_tap)

    def test_report_carries_the_tap_state(self):
        report = self._report(
            lambda: 'ADMIN DOWN (no frame passes): 31: tap...')
        self.assertIn('tap link state: ADMIN DOWN', report)

    def test_unreadable_tap_becomes_a_fact(self):
        def broken():
            raise RuntimeError('ssh: no route to host')

        report = self._report(broken)
        self.assertIn('tap link state error: ssh: no route to host', report)
