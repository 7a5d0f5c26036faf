"""Tests of the decisions drawn from noisy figures.

Reference values: Student's t quantiles from printed tables; Welch
intervals and t bounds from SciPy 1.17 (``stats.ttest_ind(...,
equal_var=False).confidence_interval(0.90)`` on the logs, ``stats.t.ppf``);
binomial tails worked out by hand in the comments.
"""

import math

import testtools

from openstack_netperf import exceptions
from openstack_netperf.measure import significance

Outcome = significance.Outcome


class TQuantileTest(testtools.TestCase):

    def test_table_values(self):
        for p, df, want in [(0.95, 2, 2.919986), (0.975, 4, 2.776445),
                            (0.95, 10, 1.812461), (0.995, 1, 63.656741),
                            (0.95, 1e6, 1.644854), (0.95, math.inf, 1.644854)]:
            self.assertAlmostEqual(want, significance.t_quantile(p, df),
                                   delta=1e-4, msg='p=%s df=%s' % (p, df))

    def test_closed_forms_of_one_and_two_degrees(self):
        # df=1 is Cauchy: tan(pi (p - 1/2)); df=2: (2p-1) / sqrt(2p(1-p)).
        for p in (0.6, 0.9, 0.99, 0.9999):
            self.assertAlmostEqual(math.tan(math.pi * (p - 0.5)),
                                   significance.t_quantile(p, 1), places=6)
            self.assertAlmostEqual(
                (2 * p - 1) / math.sqrt(2 * p * (1 - p)),
                significance.t_quantile(p, 2), places=6)

    def test_non_integer_degrees_of_freedom(self):
        # SciPy: t.ppf(0.95, 2.5), t.ppf(0.975, 3.7).
        self.assertAlmostEqual(2.558219, significance.t_quantile(0.95, 2.5),
                               delta=1e-5)
        self.assertAlmostEqual(2.867521, significance.t_quantile(0.975, 3.7),
                               delta=1e-5)
        # Between its integer neighbours, and the CDF inverts it.
        q = significance.t_quantile(0.9, 4.5)
        self.assertLess(significance.t_quantile(0.9, 5), q)
        self.assertLess(q, significance.t_quantile(0.9, 4))
        self.assertAlmostEqual(0.9, significance.t_cdf(q, 4.5), places=9)

    def test_cdf_against_numerical_integration_of_the_density(self):
        df, upto = 2.5, 1.7
        const = math.exp(math.lgamma((df + 1) / 2) - math.lgamma(df / 2)
                         ) / math.sqrt(df * math.pi)
        steps = 2000
        h = upto / steps
        simpson = sum((1 if i in (0, steps) else 4 if i % 2 else 2)
                      * const * (1 + (i * h) ** 2 / df) ** (-(df + 1) / 2)
                      for i in range(steps + 1)) * h / 3
        self.assertAlmostEqual(0.5 + simpson,
                               significance.t_cdf(upto, df), places=9)
        self.assertAlmostEqual(0.5 - simpson,
                               significance.t_cdf(-upto, df), places=9)

    def test_lower_quantiles_are_symmetric(self):
        self.assertAlmostEqual(-significance.t_quantile(0.95, 3.3),
                               significance.t_quantile(0.05, 3.3))
        self.assertAlmostEqual(0.0, significance.t_quantile(0.5, 7))

    def test_bad_arguments(self):
        for p, df in [(0, 3), (1, 3), (0.9, 0), (0.9, -1), (math.nan, 3)]:
            self.assertRaises(exceptions.InvalidInput,
                              significance.t_quantile, p, df)
        for t, df in [(1.0, 0), (1.0, math.nan), (math.nan, 3)]:
            self.assertRaises(exceptions.InvalidInput,
                              significance.t_cdf, t, df)


class SpreadTest(testtools.TestCase):

    def test_text(self):
        got = significance.spread([201.3, 160.1, 187.2])
        self.assertEqual(significance.Spread(3, 187.2, 160.1, 201.3), got)
        self.assertEqual('187.2 (160.1-201.3, n=3)', got.text())
        self.assertEqual('187 (160-201, n=3)', got.text('%.0f'))

    def test_one_value(self):
        self.assertEqual('187.2 (n=1)', significance.spread([187.2]).text())

    def test_median_of_an_even_count(self):
        got = significance.spread([1, 2, 4, 10])
        self.assertEqual((4, 3.0, 1.0, 10.0),
                         (got.count, got.median, got.low, got.high))

    def test_identical_values(self):
        self.assertEqual('5.0 (5.0-5.0, n=2)',
                         significance.spread([5, 5]).text())

    def test_bad_values(self):
        for values in ([], [1.0, math.nan], [math.inf], ['fast']):
            self.assertRaises(exceptions.InvalidInput,
                              significance.spread, values)


class DifferenceTest(testtools.TestCase):

    def test_noisy_samples_of_equal_medians_are_inconclusive(self):
        # Rounds vary by 2x, as on a loaded 2-core host.
        got = significance.difference([100, 200, 150], [150, 100, 200])
        self.assertEqual(Outcome.INCONCLUSIVE, got.outcome)
        self.assertAlmostEqual(0.0, got.change)
        # SciPy: exp of the Welch interval of the logs, minus 1.
        self.assertAlmostEqual(-0.454558, got.low, places=5)
        self.assertAlmostEqual(0.833374, got.high, places=5)
        self.assertIn('inconclusive: Welch t on logs, n=3 vs 3, df=4.0',
                      got.reason)
        self.assertIn('the noise is too large', got.reason)

    def test_noise_hides_even_a_2x_median_change(self):
        got = significance.difference([100, 210], [50, 400])
        self.assertEqual(Outcome.INCONCLUSIVE, got.outcome)

    def test_clearly_higher(self):
        got = significance.difference([100, 102, 98, 101], [150, 152, 149])
        self.assertEqual(Outcome.HIGHER, got.outcome)
        self.assertEqual('ratio', got.scale)
        self.assertAlmostEqual(0.499697, got.change, places=5)
        self.assertAlmostEqual(0.468527, got.low, places=5)
        self.assertAlmostEqual(0.531528, got.high, places=5)
        self.assertIn('n=4 vs 3, df=4.9', got.reason)
        self.assertIn('+50.0 % (90 % interval +46.9 % to +53.2 %)',
                      got.reason)

    def test_clearly_lower(self):
        got = significance.difference([160.1, 187.2, 201.3], [90, 140, 120])
        self.assertEqual(Outcome.LOWER, got.outcome)
        self.assertAlmostEqual(-0.369522, got.change, places=5)
        self.assertAlmostEqual(-0.552605, got.low, places=5)
        self.assertAlmostEqual(-0.111517, got.high, places=5)
        self.assertTrue(got.reason.startswith('lower: '))

    def test_tight_equal_samples_are_the_same(self):
        got = significance.difference([100, 101, 99], [100.5, 99.5, 100])
        self.assertEqual(Outcome.SAME, got.outcome)
        self.assertLess(-0.10, got.low)
        self.assertLess(got.high, 0.10)
        self.assertIn('lies within the minimum effect', got.reason)

    def test_real_change_below_the_minimum_effect_is_the_same(self):
        got = significance.difference([100, 100.5, 99.5], [104, 104.2, 103.8])
        self.assertEqual(Outcome.SAME, got.outcome)
        self.assertGreater(got.low, 0)
        self.assertLess(got.change, 0.10)
        self.assertIn('smaller than the minimum effect', got.reason)
        # The same data with a smaller minimum effect is a change.
        self.assertEqual(Outcome.HIGHER, significance.difference(
            [100, 100.5, 99.5], [104, 104.2, 103.8], min_effect=0.03).outcome)

    def test_a_stricter_confidence_widens_the_interval(self):
        loose = significance.difference([100, 130, 115], [140, 170, 150],
                                        confidence=0.8)
        strict = significance.difference([100, 130, 115], [140, 170, 150],
                                         confidence=0.99)
        self.assertEqual(Outcome.HIGHER, loose.outcome)
        self.assertEqual(Outcome.INCONCLUSIVE, strict.outcome)
        self.assertLess(strict.low, loose.low)
        self.assertIn('99 % interval', strict.reason)

    def test_one_round_is_inconclusive(self):
        got = significance.difference([187.2], [100, 110, 105])
        self.assertEqual(
            (Outcome.INCONCLUSIVE, None, None, None),
            (got.outcome, got.change, got.low, got.high))
        self.assertIn('at least 2 rounds on each side', got.reason)
        self.assertIn('got 1 (baseline) and 3 (current)', got.reason)
        self.assertEqual(Outcome.INCONCLUSIVE,
                         significance.difference([100, 110], []).outcome)

    def test_no_variance_gives_a_point_interval(self):
        got = significance.difference([5, 5, 5], [5, 5])
        self.assertEqual((Outcome.SAME, 0.0, 0.0, 0.0),
                         (got.outcome, got.change, got.low, got.high))
        self.assertIn('no spread on either side', got.reason)
        got = significance.difference([100, 100], [150, 150, 150])
        self.assertEqual(Outcome.HIGHER, got.outcome)
        self.assertAlmostEqual(0.5, got.low)
        self.assertAlmostEqual(0.5, got.high)

    def test_one_side_without_variance(self):
        # df falls to the other side's n - 1 = 2.
        got = significance.difference([100, 100, 100], [120, 130, 125])
        self.assertEqual(Outcome.HIGHER, got.outcome)
        self.assertIn('df=2.0', got.reason)

    def test_zeros_fall_back_to_absolute(self):
        got = significance.difference([0, 0, 0], [0, 1, 0, 2])
        self.assertEqual('absolute', got.scale)
        self.assertEqual(Outcome.INCONCLUSIVE, got.outcome)
        self.assertAlmostEqual(0.75, got.change)
        # SciPy: ttest_ind([0, 1, 0, 2], [0, 0, 0], equal_var=False)
        self.assertAlmostEqual(-0.376587, got.low, places=5)
        self.assertAlmostEqual(1.876587, got.high, places=5)
        self.assertIn('a value <= 0 rules out ratios', got.reason)

    def test_absolute_scale_takes_an_absolute_minimum_effect(self):
        # Loss in percent: a 0.4 point change against 1 point that counts.
        got = significance.difference([0.1, 0.2, 0.1], [0.5, 0.6, 0.5],
                                      min_effect=1.0, scale='absolute')
        self.assertEqual(Outcome.SAME, got.outcome)
        self.assertAlmostEqual(0.4, got.change)
        self.assertIn('Welch t, n=3 vs 3', got.reason)
        self.assertIn('minimum effect 1:', got.reason)
        got = significance.difference([0.1, 0.2, 0.1], [2.5, 2.6, 2.4],
                                      min_effect=1.0, scale='absolute')
        self.assertEqual(Outcome.HIGHER, got.outcome)

    def test_outcome_is_a_string(self):
        self.assertEqual('higher', Outcome.HIGHER)
        self.assertEqual(Outcome.INCONCLUSIVE, Outcome('inconclusive'))

    def test_bad_arguments(self):
        base, cur = [1.0, 2.0], [1.0, 2.0]
        for kwargs in ({'confidence': 0}, {'confidence': 1},
                       {'confidence': 1.5}, {'confidence': -0.1},
                       {'min_effect': -0.1}, {'min_effect': math.nan},
                       {'min_effect': math.inf}, {'scale': 'log'}):
            self.assertRaises(exceptions.InvalidInput,
                              significance.difference, base, cur, **kwargs)
        self.assertRaises(exceptions.InvalidInput,
                          significance.difference, [1.0, math.nan], cur)
        self.assertRaises(exceptions.InvalidInput,
                          significance.difference, base, [math.inf, 1.0])


class PValueTest(testtools.TestCase):

    def test_closed_form_of_two_degrees(self):
        # n = 2 vs 2, equal variances: df = 2, t = 4 / sqrt(2), and
        # P(|T| > t) = 1 - t / sqrt(2 + t^2).
        got = significance.difference([1, 3], [5, 7], scale='absolute')
        t = 4 / math.sqrt(2)
        self.assertAlmostEqual(1 - t / math.sqrt(2 + t * t), got.p_value)
        self.assertIn('p=0.11', got.reason)

    def test_agrees_with_the_interval(self):
        # Below 1 - confidence exactly when the interval excludes 0.
        for base, cur in (([100, 102, 98], [104, 109, 101]),
                          ([100, 102, 98], [120, 118, 125]),
                          ([100, 200, 150], [150, 100, 200])):
            for confidence in (0.8, 0.9, 0.95):
                got = significance.difference(base, cur, 0.0, confidence)
                self.assertEqual(got.p_value < 1 - confidence,
                                 got.low > 0 or got.high < 0)

    def test_no_variance_and_no_test(self):
        self.assertEqual(0.0, significance.difference([5, 5], [6, 6])
                         .p_value)
        self.assertEqual(1.0, significance.difference([5, 5], [5, 5])
                         .p_value)
        self.assertIsNone(significance.difference([5], [6, 7]).p_value)


class HolmTest(testtools.TestCase):

    def test_step_down_in_the_order_given(self):
        # Sorted: 0.005 x 4, 0.01 x 3, 0.03 x 2, then 0.04 x 1 kept at
        # the 0.06 before it: never below a smaller p-value's.
        self.assertEqual(
            [0.03, 0.06, 0.06, 0.02],
            [round(p, 10) for p in significance.holm([0.01, 0.04, 0.03,
                                                      0.005])])

    def test_capped_at_one_and_empty(self):
        self.assertEqual([1.0, 1.0], significance.holm([0.6, 0.9]))
        self.assertEqual([], significance.holm([]))

    def test_bad_p_values(self):
        for values in ([1.5], [-0.1], [math.nan], ['x']):
            self.assertRaises(exceptions.InvalidInput, significance.holm,
                              values)


class MeanBoundTest(testtools.TestCase):

    values = [12.1, 15.3, 11.8, 14.0, 13.2]

    def test_against_scipy(self):
        # mean +/- t.ppf(c, 4) * s / sqrt(5)
        self.assertAlmostEqual(14.261012, significance.mean_bound(
            self.values, 0.90, upper=True), places=5)
        self.assertAlmostEqual(11.915951, significance.mean_bound(
            self.values, 0.95, upper=False), places=5)

    def test_too_few_values(self):
        self.assertIsNone(significance.mean_bound([3.0], 0.9, upper=True))
        self.assertIsNone(significance.mean_bound([], 0.9, upper=False))

    def test_identical_values_bound_at_the_mean(self):
        self.assertEqual(2.0, significance.mean_bound([2, 2, 2], 0.9, True))

    def test_bad_arguments(self):
        self.assertRaises(exceptions.InvalidInput, significance.mean_bound,
                          self.values, 1.0, True)
        self.assertRaises(exceptions.InvalidInput, significance.mean_bound,
                          [1.0, math.nan], 0.9, True)


class PercentileBoundTest(testtools.TestCase):

    def test_lower_bound_of_p95(self):
        # Binomial(20, 0.95): P(B >= 18) = 0.9245, P(B >= 19) = 0.7358,
        # so at 90 % the lower bound is the 18th smallest of 20.
        values = [float(v) for v in range(20, 0, -1)]
        self.assertEqual(18.0, significance.percentile_bound(
            values, 95, 0.90, upper=False))

    def test_median_of_five(self):
        # Binomial(5, 0.5): P(B >= 1) = 31/32, P(B >= 2) = 26/32 < 0.9:
        # at 90 % only the extremes bound the median of five values.
        values = [3.0, 1.0, 5.0, 2.0, 4.0]
        self.assertEqual(1.0, significance.percentile_bound(
            values, 50, 0.9, upper=False))
        self.assertEqual(5.0, significance.percentile_bound(
            values, 50, 0.9, upper=True))
        self.assertIsNone(significance.percentile_bound(
            values[:3], 50, 0.9, upper=True))

    def test_one_spike_does_not_move_the_lower_bound_of_p95(self):
        rtts = [1.0 + 0.01 * i for i in range(49)] + [100.0]
        bound = significance.percentile_bound(rtts, 95, 0.90, upper=False)
        self.assertLess(bound, 2.0)
        # The upper bound is the spike itself: it cannot rule it out.
        self.assertEqual(100.0, significance.percentile_bound(
            rtts, 95, 0.90, upper=True))

    def test_decided_exactly_at_the_boundary(self):
        # Binomial(2, 0.1): P(B >= 1) = 1 - 0.81 = 0.19 exactly.
        self.assertEqual(1.0, significance.percentile_bound(
            [2.0, 1.0], 10, 0.19, upper=False))
        self.assertEqual(2, significance.probes_needed(10, 0.19))

    def test_probes_needed(self):
        self.assertEqual(1, significance.probes_needed(95, 0.90))
        self.assertEqual(45, significance.probes_needed(95, 0.90, upper=True))
        self.assertEqual(4, significance.probes_needed(50, 0.90))
        self.assertEqual(230, significance.probes_needed(99, 0.90, True))
        self.assertEqual(45, significance.probes_needed(5, 0.90))

    def test_probes_needed_is_where_the_bound_starts(self):
        for percent, confidence in [(50, 0.9), (95, 0.9), (99, 0.95),
                                    (5, 0.9), (25, 0.8)]:
            for upper in (False, True):
                count = significance.probes_needed(percent, confidence, upper)
                values = [float(v) for v in range(count)]
                self.assertIsNotNone(significance.percentile_bound(
                    values, percent, confidence, upper))
                self.assertIsNone(significance.percentile_bound(
                    values[1:], percent, confidence, upper))

    def test_bad_arguments(self):
        for percent in (0, 100, -5, math.nan):
            self.assertRaises(exceptions.InvalidInput,
                              significance.percentile_bound,
                              [1.0, 2.0], percent, 0.9, False)
            self.assertRaises(exceptions.InvalidInput,
                              significance.probes_needed, percent, 0.9)
        self.assertRaises(exceptions.InvalidInput,
                          significance.percentile_bound, [1.0], 95, 0, True)
        self.assertRaises(exceptions.InvalidInput,
                          significance.probes_needed, 95, 1.0)
