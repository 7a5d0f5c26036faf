"""Tests of the statistics against values worked out by hand."""

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import stats


class PercentileTest(testtools.TestCase):

    def test_linear_interpolation_between_ranks(self):
        # 1..10: rank h = 9 * p / 100.
        got = stats.summarize([float(v) for v in range(10, 0, -1)])
        self.assertEqual((1.0, 10.0), (got.min, got.max))
        self.assertAlmostEqual(5.5, got.median)
        # p95: h = 8.55 -> 9 + 0.55 * (10 - 9)
        self.assertAlmostEqual(9.55, got.p95)
        # p75: h = 6.75 -> 7.75; p25: h = 2.25 -> 3 + 0.25 * 1 = 3.25
        self.assertAlmostEqual(7.75 - 3.25, got.iqr)


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

    def test_empty_input_says_what_to_change(self):
        exc = self.assertRaises(exceptions.InvalidInput, stats.summarize,
                                [])
        self.assertIn('No samples to summarise', str(exc))
        self.assertIn('run longer', str(exc))

    def test_nan_is_rejected(self):
        self.assertRaises(exceptions.InvalidInput, stats.summarize,
                          [1.0, float('nan')])


class MedianOfTest(testtools.TestCase):

    def test_median_of_three_rounds(self):
        self.assertEqual(950.0, stats.median_of([990.0, 900.0, 950.0]))

    def test_median_of_nothing_is_an_error(self):
        self.assertRaises(exceptions.InvalidInput, stats.median_of, [])
