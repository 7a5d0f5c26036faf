"""Tests of the statistics against values worked out by hand."""

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import iperf3
from openstack_netperf.measure import ping
from openstack_netperf.measure import stats


class PercentileTest(testtools.TestCase):

    def test_linear_interpolation_between_ranks(self):
        # 1..10: rank h = 9 * p / 100.
        samples = [float(v) for v in range(10, 0, -1)]
        self.assertEqual(1.0, stats.percentile(samples, 0))
        self.assertEqual(10.0, stats.percentile(samples, 100))
        self.assertAlmostEqual(5.5, stats.percentile(samples, 50))
        # p95: h = 8.55 -> 9 + 0.55 * (10 - 9)
        self.assertAlmostEqual(9.55, stats.percentile(samples, 95))
        # p25: h = 2.25 -> 3 + 0.25 * 1
        self.assertAlmostEqual(3.25, stats.percentile(samples, 25))

    def test_single_sample_is_every_percentile(self):
        for p in (0, 50, 95, 99, 100):
            self.assertEqual(4.2, stats.percentile([4.2], p))

    def test_out_of_range_percentile_is_rejected(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                stats.percentile, [1.0], 101)
        self.assertIn('between 0 and 100', str(exc))


class SummarizeTest(testtools.TestCase):

    def test_hand_computed_summary(self):
        # Sorted: 1, 2, 4, 7, 11 (n = 5, unsorted on purpose).
        got = stats.summarize([7, 1, 11, 2, 4])
        self.assertEqual(5, got.count)
        self.assertEqual(1, got.min)
        self.assertEqual(11, got.max)
        self.assertEqual(4, got.median)
        self.assertEqual(5, got.mean)
        # p95: h = 4 * 0.95 = 3.8 -> 7 + 0.8 * 4 = 10.2
        self.assertAlmostEqual(10.2, got.p95)
        # p99: h = 3.96 -> 7 + 0.96 * 4 = 10.84
        self.assertAlmostEqual(10.84, got.p99)
        # sample variance: (16 + 9 + 1 + 4 + 36) / 4 = 16.5
        self.assertAlmostEqual(16.5 ** 0.5, got.stddev)
        # p75 = 7 (h = 3), p25 = 2 (h = 1)
        self.assertEqual(5, got.iqr)

    def test_even_count_median_is_the_midpoint(self):
        self.assertEqual(2.5, stats.summarize([1, 2, 3, 4]).median)

    def test_single_sample_has_no_spread(self):
        got = stats.summarize([3.0])
        self.assertEqual((3.0, 3.0, 0.0, 0.0),
                         (got.min, got.p99, got.stddev, got.iqr))

    def test_as_dict_has_every_statistic(self):
        got = stats.summarize([1, 2, 3]).as_dict()
        self.assertEqual(['count', 'min', 'median', 'mean', 'p95', 'p99',
                          'max', 'stddev', 'iqr'], list(got))
        self.assertEqual(2, got['median'])

    def test_empty_input_says_what_to_change(self):
        exc = self.assertRaises(exceptions.InvalidInput, stats.summarize,
                                [], 'ping round-trip times')
        self.assertIn('No ping round-trip times to summarise', str(exc))
        self.assertIn('run longer', str(exc))

    def test_nan_is_rejected(self):
        self.assertRaises(exceptions.InvalidInput, stats.summarize,
                          [1.0, float('nan')])


class MedianOfTest(testtools.TestCase):

    def test_median_of_three_rounds(self):
        self.assertEqual(950.0, stats.median_of([990.0, 900.0, 950.0]))

    def test_median_of_nothing_is_an_error(self):
        self.assertRaises(exceptions.InvalidInput, stats.median_of, [])


class ResultSummaryTest(testtools.TestCase):

    def _iperf3_result(self, bps):
        return iperf3.Iperf3Result(
            protocol='TCP', reverse=False,
            intervals=[iperf3.IntervalSample(i, i + 1, b, 0, False)
                       for i, b in enumerate(bps)],
            sent_bps=0, received_bps=0, retransmits=0, jitter_ms=None,
            lost_packets=None, packets=None, lost_percent=None,
            cpu_local_percent=None, cpu_remote_percent=None,
            version='iperf 3.12', tcp_mss=1448, duration=len(bps), omit=0,
            parallel=1, omitted_intervals=0)

    def test_iperf3_summary_is_in_mbit_per_s(self):
        got = stats.summarize_iperf3(
            self._iperf3_result([100e6, 300e6, 200e6]))
        self.assertEqual((100.0, 200.0, 300.0),
                         (got.min, got.median, got.max))

    def test_iperf3_without_intervals_is_an_error(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                stats.summarize_iperf3,
                                self._iperf3_result([]))
        self.assertIn('iperf3 intervals', str(exc))

    def test_ping_summary_and_total_loss(self):
        result = ping.PingResult(
            rtts_ms=[2.0, 1.0, 3.0], all_rtts_ms=[9.0, 2.0, 1.0, 3.0],
            sent=3, received=3, loss_percent=0.0, discarded=1,
            duplicates=0, errors=0, total_sent=4, total_received=4)
        self.assertEqual(2.0, stats.summarize_ping(result).median)
        result.rtts_ms = []
        self.assertIsNone(stats.summarize_ping(result))
