"""Tests of the pair measurement over fake runners with captured output."""

from __future__ import annotations

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import iperf3
from openstack_netperf import pair
from tests.unit.rally import fakes


def _endpoints(**kwargs):
    src = pair.Endpoint('A1', fakes.FakeGuestRunner('A1', **kwargs),
                        '198.19.11.5')
    dst = pair.Endpoint('B2', fakes.FakeGuestRunner('B2', **kwargs),
                        '198.19.12.6')
    return src, dst


class SettingsTest(testtools.TestCase):

    def test_defaults_are_the_thesis_methodology(self):
        settings = pair.Settings()
        self.assertEqual((50, 10, 60, 10, 3),
                         (settings.duration, settings.omit,
                          settings.ping_count, settings.ping_discard,
                          settings.rounds))
        # 2 directions x 60 s iperf3 + 2 x 60 pings at 1 s, 3 rounds.
        self.assertEqual(3 * (120 + 120), settings.configured_seconds())

    def test_from_args_takes_the_settings_and_keeps_defaults(self):
        settings = pair.Settings.from_args(
            {'duration': 5, 'omit': 1, 'image': 'netperf-guest',
             'self': object()})
        self.assertEqual((5, 1), (settings.duration, settings.omit))
        self.assertEqual(pair.Settings().ping_count, settings.ping_count)
        self.assertRaises(exceptions.InvalidInput, pair.Settings.from_args,
                          {'duration': 10, 'omit': 10})

    def test_duration_not_above_omit_says_what_to_change(self):
        exc = self.assertRaises(exceptions.InvalidInput, pair.Settings,
                                duration=10, omit=10)
        self.assertIn('raise duration or lower omit', str(exc))

    def test_discard_not_below_count_rejected(self):
        exc = self.assertRaises(exceptions.InvalidInput, pair.Settings,
                                ping_count=5, ping_discard=5)
        self.assertIn('ping_count (5) must be larger than ping_discard',
                      str(exc))

    def test_rounds_and_port_checked(self):
        exc = self.assertRaises(exceptions.InvalidInput, pair.Settings,
                                rounds=0, port=70000)
        self.assertIn('rounds must be at least 1', str(exc))
        self.assertIn('port must be between 1 and 65535', str(exc))

    def test_tool_limits_checked_early(self):
        exc = self.assertRaises(exceptions.InvalidInput, pair.Settings,
                                udp=True, udp_bandwidth='fast')
        self.assertIn('fast', str(exc))
        self.assertRaises(exceptions.InvalidInput, pair.Settings,
                          parallel=1000)


class MeasurePairTest(testtools.TestCase):

    def test_both_directions_each_round_and_median(self):
        src, dst = _endpoints()
        steps = []

        class Timer:
            def __init__(self, name):
                steps.append(name)

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                return False

        settings = pair.Settings(duration=5, omit=1, rounds=3)
        measured = pair.measure_pair(src, dst, settings, timer=Timer)
        self.assertEqual(3, len(measured.rounds))
        self.assertEqual(['iperf3_tcp_forward', 'iperf3_tcp_reverse',
                          'ping_forward', 'ping_reverse'] * 3, steps)
        # Forward: the server runs on the target, the client on the source.
        src_clients = [c for c in src.runner.commands if 'iperf3 -c' in c]
        dst_clients = [c for c in dst.runner.commands if 'iperf3 -c' in c]
        self.assertEqual(3, len(src_clients))
        self.assertIn('iperf3 -c 198.19.12.6 -p 5201 -t 5 -O 1',
                      src_clients[0])
        self.assertIn('iperf3 -c 198.19.11.5', dst_clients[0])
        self.assertIn('kill 4242 2>/dev/null; true', dst.runner.commands)
        expected = iperf3.parse_result(
            fakes.captured('iperf3', 'tcp.json')).received_bps / 1e6
        summary = measured.summary()
        self.assertAlmostEqual(expected, summary['tcp_forward_mbps'])
        self.assertAlmostEqual(expected, summary['tcp_reverse_mbps'])
        self.assertEqual(0.0, summary['ping_loss_percent'])
        self.assertGreater(summary['rtt_p95_ms'], summary['rtt_median_ms'])
        self.assertNotIn('udp_forward_mbps', summary)

    def test_udp_optional(self):
        src, dst = _endpoints()
        measured = pair.measure_pair(
            src, dst, pair.Settings(duration=5, omit=1, rounds=1, udp=True,
                                    udp_bandwidth='100M'))
        summary = measured.summary()
        self.assertIn('udp_forward_mbps', summary)
        self.assertIn('udp_forward_loss_percent', summary)
        self.assertTrue(any(' -u ' in c and '-b 100M' in c
                            for c in src.runner.commands))

    def test_iperf3_error_names_both_guests_and_stops_server(self):
        src, dst = _endpoints(
            iperf3_output=fakes.captured('iperf3', 'refused.json'))
        exc = self.assertRaises(exceptions.ToolError, pair.measure_pair,
                                src, dst, pair.Settings(rounds=1))
        self.assertIn('iperf3 from A1 to B2 (198.19.12.6)', str(exc))
        self.assertIn('kill 4242 2>/dev/null; true', dst.runner.commands)

    def test_ping_error_on_stderr_is_read(self):
        src, dst = _endpoints()
        answer = src.runner._answer

        def unreachable(line):
            if line.startswith('env LC_ALL=C ping '):
                return 2, '', 'ping: connect: Network is unreachable\n'
            return answer(line)

        src.runner._answer = unreachable
        exc = self.assertRaises(exceptions.ToolError, pair.run_ping, src, dst,
                                pair.Settings(rounds=1))
        self.assertIn('ping from A1 to B2 (198.19.12.6): ping failed: '
                      'connect: Network is unreachable', str(exc))
        # Untranslated output: ping runs in the C locale.
        self.assertEqual(['env', 'LC_ALL=C', 'ping'],
                         src.runner.commands[0].split()[:3])

    def test_series_for_charts(self):
        src, dst = _endpoints()
        measured = pair.measure_pair(src, dst, pair.Settings(rounds=2))
        labels = [label for label, _s in pair.iter_throughput_series(
            measured)]
        self.assertEqual(['forward round 1', 'reverse round 1',
                          'forward round 2', 'reverse round 2'], labels)


class GuestChecksTest(testtools.TestCase):

    def test_missing_iperf3_names_the_image(self):
        runner = fakes.FakeGuestRunner('A1', missing=('iperf3',))
        exc = self.assertRaises(exceptions.ToolMissing, pair.require_tools,
                                runner, "guest A1 (image 'cirros')")
        self.assertIn("guest A1 (image 'cirros') has no iperf3", str(exc))

    def test_tools_present(self):
        pair.require_tools(fakes.FakeGuestRunner('A1'), 'guest A1')

    def test_version_and_mtu(self):
        runner = fakes.FakeGuestRunner('A1')
        self.assertEqual('3.12', pair.iperf3_version(runner))
        self.assertEqual(1450, pair.path_mtu(runner, '198.19.12.6'))
