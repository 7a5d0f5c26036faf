"""Two runs' rows compared: a verdict per metric and per path."""

from __future__ import annotations

import statistics

import testtools

from openstack_netperf import comparison
from openstack_netperf import exceptions
from openstack_netperf.measure import significance
from openstack_netperf import results
from openstack_netperf import topology
from tests.unit import test_results

LEGACY, DVR = topology.RouterMode.LEGACY, topology.RouterMode.DVR
Verdict = comparison.Verdict
# Three rounds of a quiet run: about 5 % apart.
ROUNDS = {
    'tcp_forward_mbps': [200.0, 210.0, 190.0],
    'tcp_reverse_mbps': [180.0, 185.0, 175.0],
    'rtt_median_ms': [1.0, 1.05, 0.95],
    'rtt_p95_ms': [2.0, 2.1, 1.9],
    'ping_loss_percent': [0.0, 0.0, 0.0],
}


def figures(shorthand, scale=None, rounds=None):
    """One iteration's figures for a category, ``scale`` per key."""
    values = {key: [v * (scale or {}).get(key, 1.0) for v in series]
              for key, series in (rounds or ROUNDS).items()}
    return results.CategoryFigures(
        topology.get_category(shorthand),
        {key: statistics.median(v) for key, v in values.items()},
        {key: tuple(v) for key, v in values.items()})


path = test_results._path


def rows(modes=(LEGACY, DVR), categories=('HNR', 'H-NR'), paths=True,
         verdicts=None, **changes):
    """Rows of one iteration per mode and category.

    ``changes`` maps "<mode>_<shorthand without dashes>" to a scale per
    key or to whole rounds (``rounds``); ``verdicts`` such a name to a
    path verdict.
    """
    found, checked = [], []
    for mode in modes:
        for shorthand in categories:
            name = '%s_%s' % (mode.value, shorthand.replace('-', 'x'))
            change = changes.get(name, {})
            found.append((mode, figures(shorthand, change.get('scale'),
                                        change.get('rounds'))))
            if paths:
                checked.append(path(mode, shorthand,
                                    (verdicts or {}).get(name)))
    return results.tabulate(found, checked)


def _compare(current, baseline=None, **settings):
    return comparison.compare(baseline or rows(), current,
                              comparison.Settings.build(**settings))


def _verdicts(found):
    return {(r.where()): r.verdict for r in found.metrics + found.paths}


class MetricVerdictTest(testtools.TestCase):

    def test_same_runs_are_unchanged(self):
        found = _compare(rows())
        self.assertEqual({Verdict.UNCHANGED}, set(_verdicts(found).values()))
        self.assertEqual(4 * 5 + 4, len(_verdicts(found)))
        self.assertFalse(found.regressed)

    def test_throughput_lower_regressed_higher_improved(self):
        found = _verdicts(_compare(rows(
            dvr_HxNR={'scale': {'tcp_forward_mbps': 0.7}},
            legacy_HNR={'scale': {'tcp_reverse_mbps': 1.3}})))
        self.assertIs(Verdict.REGRESSED, found['H-NR dvr TCP forward'])
        self.assertIs(Verdict.UNCHANGED, found['H-NR dvr TCP reverse'])
        self.assertIs(Verdict.IMPROVED, found['HNR legacy TCP reverse'])

    def test_latency_higher_regressed_lower_improved(self):
        found = _verdicts(_compare(rows(
            dvr_HNR={'scale': {'rtt_median_ms': 1.5}},
            legacy_HNR={'scale': {'rtt_p95_ms': 0.6}})))
        self.assertIs(Verdict.REGRESSED, found['HNR dvr RTT median'])
        self.assertIs(Verdict.IMPROVED, found['HNR legacy RTT p95'])

    def test_loss_in_percentage_points(self):
        lossy = dict(ROUNDS, ping_loss_percent=[10.0, 12.0, 11.0])
        found = _compare(rows(dvr_HNR={'rounds': lossy}))
        loss = [m for m in found.metrics
                if m.where() == 'HNR dvr ping loss'][0]
        self.assertIs(Verdict.REGRESSED, loss.verdict)
        self.assertEqual('absolute', loss.difference.scale)
        self.assertEqual('+11.00 pt', loss.change_text())
        # Below the minimum effect of 1 point: unchanged.
        slight = dict(ROUNDS, ping_loss_percent=[0.5, 0.5, 0.5])
        self.assertIs(Verdict.UNCHANGED, _verdicts(_compare(rows(
            dvr_HNR={'rounds': slight})))['HNR dvr ping loss'])
        found = _verdicts(_compare(rows(), rows(dvr_HNR={'rounds': lossy})))
        self.assertIs(Verdict.IMPROVED, found['HNR dvr ping loss'])

    def test_noise_is_inconclusive(self):
        noisy = dict(ROUNDS, tcp_forward_mbps=[100.0, 200.0, 300.0],
                     rtt_median_ms=[0.5, 1.0, 2.0])
        found = _verdicts(_compare(rows(legacy_HNR={'rounds': noisy})))
        self.assertIs(Verdict.INCONCLUSIVE, found['HNR legacy TCP forward'])
        self.assertIs(Verdict.INCONCLUSIVE, found['HNR legacy RTT median'])

    def test_one_round_is_inconclusive(self):
        one = {key: values[:1] for key, values in ROUNDS.items()}
        found = _compare(rows(legacy_HNR={'rounds': one}))
        result = [m for m in found.metrics
                  if m.where() == 'HNR legacy TCP forward'][0]
        self.assertIs(Verdict.INCONCLUSIVE, result.verdict)
        self.assertEqual('-', result.change_text())
        self.assertIn('at least 2 rounds', result.describe())


class MinimumEffectTest(testtools.TestCase):

    CHANGE = {'dvr_HNR': {'scale': {'tcp_forward_mbps': 0.85,
                                    'tcp_reverse_mbps': 0.85}}}

    def test_default_ten_percent(self):
        found = _verdicts(_compare(rows(**self.CHANGE), correction='none'))
        self.assertIs(Verdict.REGRESSED, found['HNR dvr TCP forward'])

    def test_per_metric(self):
        found = _verdicts(_compare(rows(**self.CHANGE), correction='none',
                                   min_effect={'tcp_forward': 20}))
        self.assertIs(Verdict.UNCHANGED, found['HNR dvr TCP forward'])
        self.assertIs(Verdict.REGRESSED, found['HNR dvr TCP reverse'])

    def test_default_key_and_one_number(self):
        for effect in (30, {'default': 30}):
            found = _verdicts(_compare(rows(**self.CHANGE),
                                       min_effect=effect))
            self.assertIs(Verdict.UNCHANGED, found['HNR dvr TCP reverse'])
        settings = comparison.Settings.build({'default': 30, 'loss': 2})
        self.assertEqual(30.0, settings.min_effect['rtt_p95'])
        self.assertEqual(2.0, settings.min_effect['loss'])
        self.assertEqual(0.3, settings.effect(comparison.METRICS[0]))
        self.assertEqual(2.0, settings.effect(comparison.METRICS[-1]))

    def test_bad_settings(self):
        for kwargs, text in (
                ({'min_effect': {'tcp': 5}}, 'unknown metric(s) tcp'),
                ({'min_effect': -1}, 'must be a number of percent >= 0'),
                ({'min_effect': {'loss': 'x'}}, "got 'x'"),
                ({'confidence': 90}, 'strictly between 0 and 1'),
                ({'correction': 'bonferroni'}, 'one of holm, none')):
            exc = self.assertRaises(exceptions.InvalidInput,
                                    comparison.Settings.build, **kwargs)
            self.assertIn(text, str(exc))


class CorrectionTest(testtools.TestCase):
    """Holm's correction over the metrics of one comparison."""

    def _forward(self, scale, **settings):
        found = _compare(rows(dvr_HNR={'scale': {'tcp_forward_mbps': scale}}),
                         **settings)
        return found, [m for m in found.metrics
                       if m.where() == 'HNR dvr TCP forward'][0]

    def test_holm_is_the_default(self):
        self.assertEqual('holm', comparison.Settings.build().correction)

    def test_a_change_noise_could_explain_among_many_is_inconclusive(self):
        # -15 % over rounds 5 % apart: p of about 0.016 alone, but 20
        # metrics are judged, so Holm multiplies it by 20.
        found, alone = self._forward(0.85, correction='none')
        self.assertIs(Verdict.REGRESSED, alone.verdict)
        self.assertEqual(alone.difference.p_value, alone.adjusted_p)
        found, held = self._forward(0.85)
        self.assertEqual(20, found.tested)
        self.assertIs(Verdict.INCONCLUSIVE, held.verdict)
        self.assertTrue(held.held_back)
        self.assertFalse(alone.held_back)
        self.assertIs(significance.Outcome.INCONCLUSIVE,
                      held.difference.outcome)
        self.assertAlmostEqual(20 * alone.difference.p_value,
                               held.adjusted_p)
        self.assertIn("inconclusive after Holm's correction for 20 metrics",
                      held.describe())
        self.assertIn('alone it was lower: Welch t on logs', held.describe())
        self.assertFalse(found.regressed)

    def test_a_clear_change_survives_it(self):
        found, held = self._forward(0.5)
        self.assertIs(Verdict.REGRESSED, held.verdict)
        self.assertLess(held.adjusted_p, 0.1)
        self.assertTrue(found.regressed)

    def test_the_minimum_effect_still_applies(self):
        found = _compare(rows(dvr_HNR={'scale': {'tcp_forward_mbps': 0.5}}),
                         min_effect={'tcp_forward': 60})
        self.assertIs(Verdict.UNCHANGED,
                      _verdicts(found)['HNR dvr TCP forward'])

    def test_untested_metrics_are_not_counted(self):
        one = {key: values[:1] for key, values in ROUNDS.items()}
        found = _compare(rows(legacy_HNR={'rounds': one}))
        self.assertEqual(15, found.tested)
        untested = [m for m in found.metrics if m.adjusted_p is None]
        self.assertEqual(5, len(untested))


class PathTest(testtools.TestCase):

    def test_a_changed_path_is_a_regression(self):
        found = _compare(rows(verdicts={
            'dvr_HxNR': results.PathVerdict.CROSSED}))
        self.assertTrue(found.regressed)
        changed = found.with_verdict(Verdict.REGRESSED)
        self.assertEqual(['H-NR dvr path'], [r.where() for r in changed])
        self.assertIn('not crossed, then crossed (expected not crossed)',
                      changed[0].describe())

    def test_either_way(self):
        baseline = rows(verdicts={'dvr_HxNR': results.PathVerdict.CROSSED})
        found = _compare(rows(), baseline)
        self.assertEqual(['H-NR dvr path'],
                         [r.where() for r in found.with_verdict(
                             Verdict.REGRESSED)])

    def test_inconclusive_and_unchecked(self):
        found = _compare(rows(verdicts={
            'legacy_HNR': results.PathVerdict.INCONCLUSIVE}))
        self.assertIs(Verdict.INCONCLUSIVE,
                      _verdicts(found)['HNR legacy path'])
        found = _compare(rows(paths=False))
        self.assertEqual([], found.paths)


class CommonRowsTest(testtools.TestCase):

    def test_nothing_in_common(self):
        exc = self.assertRaises(
            exceptions.InvalidInput, _compare, rows(modes=(DVR,)),
            rows(modes=(LEGACY,)))
        self.assertIn('share no category under the same router mode: the '
                      'baseline has HNR legacy, H-NR legacy, the current '
                      'run HNR dvr, H-NR dvr', str(exc))

    def test_no_figure_in_common(self):
        udp = {'udp_forward_mbps': [50.0, 51.0, 49.0]}
        exc = self.assertRaises(
            exceptions.InvalidInput, _compare,
            rows(categories=('HNR',), paths=False,
                 legacy_HNR={'rounds': udp}, dvr_HNR={'rounds': udp}),
            rows(categories=('HNR',), paths=False))
        self.assertIn('share categories but no figure and no path verdict: '
                      'HNR legacy TCP forward: measured in the baseline run '
                      'only', str(exc))

    def test_only_one_side(self):
        found = _compare(rows(categories=('H-NR', '-HNR')))
        self.assertEqual([('HNR', LEGACY), ('HNR', DVR)],
                         [(c.shorthand, m) for c, m in found.only_baseline])
        self.assertEqual(['-HNR', '-HNR'],
                         [c.shorthand for c, _m in found.only_current])

    def test_metric_on_one_side_is_a_note(self):
        udp = dict(ROUNDS, udp_forward_mbps=[50.0, 51.0, 49.0])
        found = _compare(rows(legacy_HNR={'rounds': udp}))
        self.assertEqual(['HNR legacy UDP forward: measured in the current '
                          'run only'], found.notes)
        found = _compare(rows(legacy_HNR={'rounds': udp}),
                         rows(legacy_HNR={'rounds': udp}))
        self.assertIs(Verdict.UNCHANGED,
                      _verdicts(found)['HNR legacy UDP forward'])
