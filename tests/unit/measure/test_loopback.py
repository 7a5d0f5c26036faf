"""The built commands, run for real on loopback, parse into results.

This proves the command lines and the parsers agree with the tools
installed here (``tools/install-prereqs.sh`` installs iperf3 and
iputils-ping); it runs a 2 s iperf3 test and a few pings to 127.0.0.1.
"""

import shutil
import socket

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import iperf3
from openstack_netperf.measure import ping
from openstack_netperf import remote


def free_port():
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


class LoopbackTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.runner = remote.LocalRunner(command_timeout=30)

    @testtools.skipUnless(shutil.which('iperf3'), 'iperf3 is not installed')
    def test_iperf3_server_and_client(self):
        version = self.runner.run(iperf3.version_command())
        self.assertRegex(iperf3.parse_version(version.stdout), r'^3\.\d+')
        port = free_port()
        started = self.runner.run(iperf3.server_background_command(port))
        pid = int(started.stdout)
        self.addCleanup(self.runner.run, 'kill %d 2>/dev/null' % pid,
                        check=False)
        out = self.runner.run(iperf3.client_command(
            '127.0.0.1', port=port, duration=2, omit=1, interval=1,
            parallel=1), check=False)
        result = iperf3.parse_result(out.stdout)
        self.assertEqual(('TCP', 2, 1), (result.protocol, result.duration,
                                         result.omit))
        self.assertEqual(2, len(result.intervals))
        self.assertGreater(result.received_bps, 1e6)

    @testtools.skipUnless(shutil.which('iperf3'), 'iperf3 is not installed')
    def test_iperf3_refused(self):
        out = self.runner.run(iperf3.client_command(
            '127.0.0.1', port=free_port(), duration=2, omit=0, interval=1,
            parallel=1), check=False)
        exc = self.assertRaises(exceptions.ToolError, iperf3.parse_result,
                                out.stdout)
        self.assertIn('Connection refused', exc.reason)

    @testtools.skipUnless(shutil.which('ping'), 'ping is not installed')
    def test_ping(self):
        out = self.runner.run(ping.command('127.0.0.1', count=4,
                                           interval=0.2), check=False)
        if 'ermission' in out.stderr or 'not permitted' in out.stderr:
            self.skipTest('ping not permitted here: %s' % out.stderr)
        result = ping.parse(out.stdout + out.stderr, discard=1)
        self.assertEqual((3, 3, 0.0), (result.sent, result.received,
                                       result.loss_percent))
        self.assertEqual(3, len(result.rtts_ms))
