"""The console diagnosis that explains an unreachable guest."""

from __future__ import annotations

import testtools

from openstack_netperf import console
from openstack_netperf import guest

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
