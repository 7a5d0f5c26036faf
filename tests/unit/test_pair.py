"""Tests of the pair measurement over fake runners with captured output."""

from __future__ import annotations

import json

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import iperf3
from openstack_netperf import pair
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records
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
        # 2 directions x 60 s iperf3 + 2 x 60 pings at 1 s, 3 rounds,
        # after at most 30 s of warm-up (6 runs of 5 s).
        self.assertEqual((30, 5, 0.1), (settings.warmup, settings.warmup_run,
                                        settings.warmup_tolerance))
        self.assertEqual(30 + 3 * (120 + 120),
                         settings.configured_seconds())
        self.assertEqual(3 * (120 + 120),
                         pair.Settings(warmup=0).configured_seconds())
        # Only the whole runs that fit in the bound count.
        self.assertEqual(28 + 3 * (120 + 120), pair.Settings(
            warmup=30, warmup_run=7).configured_seconds())

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

    def test_warmup_checked(self):
        for kwargs, message in (
                ({'warmup': -1}, 'warmup must be 0 (no warm-up) or more '
                                 'seconds (got -1)'),
                ({'warmup_run': 0}, 'warmup_run must be at least 1 (got 0)'),
                ({'warmup': 9, 'warmup_run': 5},
                 'warmup (9 s) must leave room for two warmup_run runs '
                 '(2 x 5 s) to compare: raise warmup, lower warmup_run, or '
                 'set warmup to 0 to turn the warm-up off'),
                ({'warmup_tolerance': 0}, 'warmup_tolerance must be a '
                                          'fraction between 0 and 1'),
                ({'warmup_tolerance': 1.0}, '(got 1.0)'),
                ({'warmup_tolerance': '10%'}, 'warmup_tolerance must be a '
                                              "number (got '10%')"),
                ({'warmup': 0, 'warmup_run': 100000},
                 'warmup_run: iperf3: duration must be between 1 and '
                 '86400')):
            exc = self.assertRaises(exceptions.InvalidInput, pair.Settings,
                                    **kwargs)
            self.assertIn(message, str(exc))
        # Off, the run length is not judged against the bound.
        self.assertEqual(0, pair.Settings(warmup=0, warmup_run=60).warmup)
        self.assertEqual(2, pair.Settings(warmup=10).warmup_runs())

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

        settings = pair.Settings(duration=5, omit=1, rounds=3, warmup=0)
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
        # Warm-up off: nothing was checked, so nothing is claimed.
        self.assertIsNone(measured.warmup)
        self.assertNotIn('warmup_seconds', summary)
        self.assertNotIn('warmup_settled', summary)

    def test_watch_sees_the_first_forward_run_after_the_warm_up(self):
        src, dst = _endpoints()
        steps = []
        watched = []

        def watch(run):
            steps.append('watch')
            result = run()
            watched.append(result)
            steps.append('watched')
            return result

        settings = pair.Settings(duration=5, omit=1, rounds=2, warmup=10)
        measured = pair.measure_pair(
            src, dst, settings, watch=watch,
            timer=lambda name: steps.append(name) or pair.no_timer(name))
        self.assertEqual(['iperf3_warmup', 'iperf3_warmup', 'watch',
                          'iperf3_tcp_forward', 'watched',
                          'iperf3_tcp_reverse'], steps[:6])
        self.assertEqual(1, steps.count('watch'))
        self.assertEqual([measured.rounds[0].tcp_forward], watched)

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

    def test_checkpoint_stops_between_runs_keeping_whole_rounds(self):
        src, dst = _endpoints()
        asked = []

        def checkpoint():
            asked.append(len(src.runner.commands) + len(dst.runner.commands))
            # Stop before the fifth run of round 2 (its reverse ping).
            return 'aborted by rally task abort' if len(asked) == 8 else None

        settings = pair.Settings(duration=5, omit=1, rounds=3, warmup=0)
        exc = self.assertRaises(exceptions.Aborted, pair.measure_pair,
                                src, dst, settings, checkpoint=checkpoint)
        self.assertEqual('aborted by rally task abort (stopped A1 to B2 '
                         'before ping_reverse, after 1 of 3 rounds)',
                         str(exc))
        # Asked before every run; nothing ran after the stop.
        self.assertEqual(8, len(asked))
        self.assertEqual(asked[-1], len(src.runner.commands)
                         + len(dst.runner.commands))
        self.assertEqual(1, len(exc.measured.rounds))
        self.assertIn('tcp_forward_mbps', exc.measured.summary())

    def test_checkpoint_stops_the_warmup(self):
        src, dst = _endpoints()
        exc = self.assertRaises(
            exceptions.Aborted, pair.measure_pair, src, dst,
            pair.Settings(duration=5, omit=1, rounds=1),
            checkpoint=lambda: 'Ctrl-C')
        self.assertIn('before iperf3_warmup, after 0 of 1 rounds', str(exc))
        self.assertEqual([], exc.measured.rounds)
        self.assertEqual([], src.runner.commands)

    def test_series_for_charts(self):
        src, dst = _endpoints()
        measured = pair.measure_pair(src, dst, pair.Settings(rounds=2))
        labels = [label for label, _s in pair.iter_throughput_series(
            measured)]
        self.assertEqual(['forward round 1', 'reverse round 1',
                          'forward round 2', 'reverse round 2'], labels)


def _tcp_output(mbps: float) -> str:
    """The captured TCP run, as if the receiver had got ``mbps``."""
    data = json.loads(fakes.captured('iperf3', 'tcp.json'))
    data['end']['sum_received']['bits_per_second'] = mbps * 1e6
    return json.dumps(data)


class WarmupTest(testtools.TestCase):
    """Short forward runs until two in a row agree, within the bound."""

    def _measure(self, mbps: list[float], **kwargs):
        """Measure with forward runs giving ``mbps``, then the capture."""
        src, dst = _endpoints()
        answer = src.runner._answer
        outputs = [_tcp_output(v) for v in mbps]

        def climbing(line):
            if line.startswith('iperf3 -c') and outputs:
                return 0, outputs.pop(0), ''
            return answer(line)

        src.runner._answer = climbing
        steps = []
        settings = pair.Settings(**dict(dict(duration=5, omit=1, rounds=1),
                                        **kwargs))
        measured = pair.measure_pair(src, dst, settings,
                                     timer=lambda name: steps.append(name)
                                     or pair.no_timer(name))
        clients = [c for c in src.runner.commands if 'iperf3 -c' in c]
        return measured, steps, clients

    def test_settles_on_the_first_agreeing_run(self):
        measured, steps, clients = self._measure([40.0, 120.0, 170.0, 180.0])
        warmup = measured.warmup
        self.assertEqual([40.0, 120.0, 170.0, 180.0], warmup.runs_mbps)
        self.assertTrue(warmup.settled)
        self.assertEqual(20.0, warmup.seconds)
        self.assertEqual(['iperf3_warmup'] * 4 + ['iperf3_tcp_forward'],
                         steps[:5])
        # Short runs, nothing omitted; the round keeps its own settings.
        self.assertIn('-t 5 -O 0', clients[0])
        self.assertIn('-t 5 -O 1', clients[4])
        summary = measured.summary()
        self.assertEqual(20.0, summary['warmup_seconds'])
        self.assertEqual(1.0, summary['warmup_settled'])
        self.assertEqual('settled: 4 run(s) in 20 s (40.0, 120.0, 170.0, '
                         '180.0 Mbit/s)', warmup.describe())

    def test_never_settles_within_the_bound(self):
        # Up to 6 runs of 5 s in 30 s, each 20 % above the one before.
        climb = [50.0 * 1.2 ** i for i in range(10)]
        measured, steps, clients = self._measure(climb)
        warmup = measured.warmup
        self.assertFalse(warmup.settled)
        self.assertEqual([round(v, 6) for v in climb[:6]],
                         [round(v, 6) for v in warmup.runs_mbps])
        self.assertEqual(30.0, warmup.seconds)
        self.assertEqual(6, steps.count('iperf3_warmup'))
        # The rounds still ran, their figures are kept and marked.
        self.assertEqual(1, len(measured.rounds))
        summary = measured.summary()
        self.assertAlmostEqual(climb[6], summary['tcp_forward_mbps'])
        self.assertEqual(0.0, summary['warmup_settled'])
        self.assertEqual(30.0, summary['warmup_seconds'])
        self.assertIn('NOT settled', warmup.describe())

    def test_tolerance_is_a_fraction_of_the_larger_run(self):
        self.assertTrue(pair.agree(90.0, 100.0, 0.1))
        self.assertTrue(pair.agree(100.0, 90.0, 0.1))
        self.assertFalse(pair.agree(89.0, 100.0, 0.1))
        measured, _steps, _clients = self._measure(
            [100.0, 85.0, 70.0], warmup_tolerance=0.2)
        self.assertEqual([100.0, 85.0], measured.warmup.runs_mbps)

    def test_off_runs_nothing(self):
        measured, steps, _clients = self._measure([10.0], warmup=0)
        self.assertNotIn('iperf3_warmup', steps)
        self.assertIsNone(measured.warmup)

    def test_figures_reach_the_codec(self):
        measured, _steps, _clients = self._measure(
            [50.0 * 1.2 ** i for i in range(6)], warmup=12, warmup_run=3)
        category = topology.get_category('HNR')
        outputs = records.encode_figures(results.CategoryFigures(
            category, measured.summary()), 'median of 1 round')
        self.assertIn('Warm-up | HNR (intra_node_intra_subnet)',
                      [o['title'] for o in outputs])
        figures, = records.decode_figures({'additive': outputs})
        self.assertEqual(12.0, figures.values['warmup_seconds'])
        self.assertEqual(0.0, figures.values['warmup_settled'])
        self.assertAlmostEqual(measured.summary()['tcp_forward_mbps'],
                               figures.values['tcp_forward_mbps'], 3)


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
