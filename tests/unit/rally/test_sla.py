"""SLA plugins read the figures the scenarios report."""

from __future__ import annotations

import os
import statistics
from unittest import mock

import fixtures

from rally import plugins
from rally.task import sla as rally_sla
import testtools

from openstack_netperf import pair
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import output
from rally_netperf import records
from rally_netperf import sla
from tests.unit.rally import fakes
from tests.unit import test_compare
from tests.unit import test_summary

plugins.load()


def _iteration(*categories, error=None):
    additive = []
    for name in categories:
        src = pair.Endpoint('A1', fakes.FakeGuestRunner('A1'), '198.19.11.5')
        dst = pair.Endpoint('B2', fakes.FakeGuestRunner('B2'), '198.19.12.6')
        measured = pair.measure_pair(src, dst, pair.Settings(rounds=1))
        additive += output.additive(topology.get_category(name), measured)
    return {'error': error or [], 'duration': 1.0, 'atomic_actions': [],
            'output': {'additive': additive, 'complete': []}}


def _rounds_iteration(tcp_rounds, probes=(0.5, 0.6, 0.55, 0.5)):
    """An HNR iteration with these TCP rounds (both ways) and RTTs."""
    category = topology.get_category('HNR')
    figures = results.CategoryFigures(
        category,
        {'tcp_forward_mbps': statistics.median(tcp_rounds),
         'tcp_reverse_mbps': statistics.median(tcp_rounds),
         'rtt_median_ms': statistics.median(probes),
         'rtt_p95_ms': max(probes)},
        {'tcp_forward_mbps': tuple(tcp_rounds),
         'tcp_reverse_mbps': tuple(tcp_rounds)}, tuple(probes))
    return {'error': [], 'duration': 1.0, 'atomic_actions': [],
            'output': {'additive': records.encode_figures(figures, 'test'),
                       'complete': [records.encode_rounds(figures)]}}


ITERATION = _iteration('HNR', '-H-NR')
FIGURES = {f.category.id: f.values
           for f in records.decode_figures(ITERATION['output'])}
TCP = FIGURES['intra_node_intra_subnet']['tcp_forward_mbps']
RTT = FIGURES['intra_node_intra_subnet']['rtt_median_ms']
P95 = FIGURES['intra_node_intra_subnet']['rtt_p95_ms']


class FiguresTest(testtools.TestCase):

    def test_round_trip_through_outputs(self):
        self.assertEqual({'intra_node_intra_subnet',
                          'inter_node_inter_subnet'}, set(FIGURES))
        self.assertGreater(TCP, 0)
        self.assertEqual(0.0, FIGURES['inter_node_inter_subnet'][
            'ping_loss_percent'])


class MinThroughputTest(testtools.TestCase):

    def test_one_number_for_all(self):
        criterion = sla.MinThroughput(TCP / 2)
        self.assertTrue(criterion.add_iteration(ITERATION))
        criterion = sla.MinThroughput(TCP * 2)
        self.assertFalse(criterion.add_iteration(ITERATION))
        self.assertIn('HNR tcp_forward_mbps', criterion.details())
        self.assertIn('FAILED', criterion.details())

    def test_per_category_with_shorthand_and_default(self):
        criterion = sla.MinThroughput({'HNR': TCP * 2, 'default': 1})
        self.assertFalse(criterion.add_iteration(ITERATION))
        criterion = sla.MinThroughput({'-H-NR': TCP * 2})
        self.assertFalse(criterion.add_iteration(ITERATION))
        criterion = sla.MinThroughput({'inter_node_inter_router': TCP * 2})
        self.assertTrue(criterion.add_iteration(ITERATION))

    def test_failed_iterations_are_left_to_failure_rate(self):
        criterion = sla.MinThroughput(TCP * 2)
        self.assertTrue(criterion.add_iteration(
            _iteration(error=['boom'])))

    def test_merge_pools_the_iterations(self):
        first, second = sla.MinThroughput(100), sla.MinThroughput(100)
        first.add_iteration(_rounds_iteration([90.0, 92.0, 91.0]))
        second.add_iteration(_rounds_iteration([89.0, 93.0, 90.0]))
        self.assertFalse(first.merge(second))
        self.assertIn('95% upper bound of 6 values', first.details())

    def test_one_slow_round_does_not_fail_it(self):
        criterion = sla.MinThroughput(100)
        self.assertTrue(criterion.add_iteration(
            _rounds_iteration([180.0, 40.0, 175.0])))
        self.assertIn('ok', criterion.details())

    def test_rounds_clearly_below_fail_it(self):
        criterion = sla.MinThroughput(100)
        self.assertFalse(criterion.add_iteration(
            _rounds_iteration([60.0, 66.0, 58.0])))
        self.assertIn('FAILED', criterion.details())

    def test_config_validation(self):
        self.assertEqual([], rally_sla.SLA.validate(
            'netperf_min_throughput', None, None, {'HNR': 100}))
        errors = rally_sla.SLA.validate(
            'netperf_min_throughput', None, None, {'HXR': 100})
        self.assertEqual(1, len(errors))
        self.assertIn('HXR', errors[0])


class MaxLatencyTest(testtools.TestCase):

    def test_one_spike_among_the_probes_does_not_fail_p95(self):
        # The run that exited 1: one probe of 70.8 ms, median 11.5 ms.
        probes = [11.5] * 59 + [70.8]
        criterion = sla.MaxLatency({'median': 20, 'p95': 50})
        self.assertTrue(criterion.add_iteration(
            _rounds_iteration([100.0] * 3, probes)))
        self.assertIn('rtt_p95_ms: 11.500 ms (95% lower bound of 60 '
                      'values 11.500)', criterion.details())

    def test_slow_probes_throughout_fail_p95(self):
        probes = [11.5] * 50 + [70.8] * 10
        criterion = sla.MaxLatency({'p95': 50})
        self.assertFalse(criterion.add_iteration(
            _rounds_iteration([100.0] * 3, probes)))

    def test_median_and_p95(self):
        self.assertTrue(sla.MaxLatency({'median': RTT * 2, 'p95': P95 * 2})
                        .add_iteration(ITERATION))
        criterion = sla.MaxLatency({'p95': {'HNR': P95 / 2}})
        self.assertFalse(criterion.add_iteration(ITERATION))
        self.assertIn('HNR rtt_p95_ms', criterion.details())
        self.assertNotIn('rtt_median_ms', criterion.details())

    def test_config_needs_median_or_p95(self):
        self.assertNotEqual([], rally_sla.SLA.validate(
            'netperf_max_latency', None, None, {}))


class MaxLossTest(testtools.TestCase):

    def test_loss(self):
        self.assertTrue(sla.MaxLoss(0).add_iteration(ITERATION))
        lossy = _iteration('HNR')
        for item in lossy['output']['additive']:
            item['data'] = [[label, 5.0] if label == 'ping loss %'
                            else [label, value]
                            for label, value in item['data']]
        criterion = sla.MaxLoss(1)
        self.assertFalse(criterion.add_iteration(lossy))
        self.assertIn('5.000 % (one value, no spread 5.000) <= 1.000 %',
                      criterion.details())


class ExpectedPathTest(testtools.TestCase):

    def test_reads_the_record_of_the_report(self):
        report = test_summary._load()
        criterion = sla.ExpectedPath(True)
        for _mode, iteration in test_summary._iterations(report):
            self.assertTrue(criterion.add_iteration(iteration))
        self.assertIn('20 flow(s) took the expected path',
                      criterion.details())
        wrong = test_summary._workload(report, 1)['data'][1]
        test_summary._path_record(wrong)['rows'][1][3] = 'crossed'
        self.assertFalse(criterion.add_iteration(wrong))
        self.assertIn('H-NR under a dvr router: crossed, expected not '
                      'crossed', criterion.details())


class BaselineTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.path = self._save('before.json', test_compare.two_modes())

    def _save(self, name, document):
        return test_compare.save(self.dir, name, document)

    def _config(self, **extra):
        return dict({'baseline': self.path, 'router_mode': 'dvr'}, **extra)

    def test_unchanged_passes(self):
        criterion = sla.Baseline(self._config())
        self.assertIn('no figures reported yet', criterion.details())
        self.assertTrue(criterion.add_iteration(
            test_compare.iteration(sla.topology.RouterMode.DVR)))
        self.assertEqual('Passed - compared across: not known (no cloud '
                         'fingerprint in the baseline and the current); '
                         'against %s: 0 regressed, 0 improved, '
                         '12 unchanged, 0 inconclusive' % self.path,
                         criterion.details())

    def test_a_regression_fails_and_is_shown(self):
        criterion = sla.Baseline(self._config())
        self.assertFalse(criterion.add_iteration(test_compare.iteration(
            sla.topology.RouterMode.DVR, changes={
                'HNR': {'tcp_reverse_mbps': 0.5, 'rtt_median_ms': 0.5}})))
        details = criterion.details()
        self.assertIn('; against %s: 1 regressed, 1 improved'
                      % self.path, details)
        self.assertIn('; HNR dvr TCP reverse: 180.0 (175.0-185.0, n=3) -> '
                      '90.0 (87.5-92.5, n=3) Mbit/s, regressed', details)
        self.assertIn('; HNR dvr RTT median: 1.00 (0.95-1.05, n=3) -> 0.50 '
                      '(0.47-0.53, n=3) ms, improved', details)

    def test_min_effect_and_confidence(self):
        change = test_compare.iteration(sla.topology.RouterMode.DVR, changes={
            'HNR': {'tcp_reverse_mbps': 0.85}})
        self.assertFalse(sla.Baseline(self._config()).add_iteration(change))
        for effect in (20, {'tcp_reverse': 20}):
            criterion = sla.Baseline(self._config(min_effect=effect,
                                                  confidence=0.8))
            self.assertTrue(criterion.add_iteration(change))

    def test_fingerprint_differences_come_first(self):
        facts = {'network.mtu': '1450', 'image.name': 'netperf-guest'}
        dvr = sla.topology.RouterMode.DVR
        self.path = self._save('printed.json', test_compare.two_modes(
            facts=facts))
        criterion = sla.Baseline(self._config())
        criterion.add_iteration(test_compare.iteration(dvr, facts=facts))
        self.assertIn('Passed - compared across: nothing (the same cloud '
                      'fingerprint); against ', criterion.details())
        # A failed iteration's fingerprint counts too.
        criterion.add_iteration(test_compare.iteration(
            dvr, error=['Timeout', 'x'],
            facts=dict(facts, **{'network.mtu': '1400',
                                 'node.c1.ovs': '3.1.0'})))
        self.assertIn('Passed - compared across: network.mtu 1450 \u2192 '
                      '1450 | 1400, node.c1.ovs unknown \u2192 unknown | '
                      '3.1.0 (unknown on one side); against ',
                      criterion.details())
        fresh = sla.Baseline(self._config())
        fresh.add_iteration(test_compare.iteration(dvr))
        self.assertIn('compared across: not known (no cloud fingerprint '
                      'in the current); ', fresh.details())

    def test_correction(self):
        # -15 % over rounds 5 % apart: flagged alone, not among the ten
        # metrics of a workload.
        change = test_compare.iteration(sla.topology.RouterMode.DVR, changes={
            'HNR': {'tcp_forward_mbps': 0.85}})
        self.assertTrue(sla.Baseline(self._config()).add_iteration(change))
        self.assertFalse(sla.Baseline(self._config(
            correction='none')).add_iteration(change))
        self.assertTrue(sla.Baseline(self._config(
            correction='holm')).add_iteration(change))

    def test_a_path_change_fails(self):
        criterion = sla.Baseline(self._config())
        self.assertFalse(criterion.add_iteration(test_compare.iteration(
            sla.topology.RouterMode.DVR,
            verdicts={'H-NR': results.PathVerdict.CROSSED})))
        self.assertIn('H-NR dvr path: regressed (the path changed: not '
                      'crossed, then crossed', criterion.details())

    def test_failed_iterations_and_merge(self):
        first = sla.Baseline(self._config())
        self.assertTrue(first.add_iteration(test_compare.iteration(
            sla.topology.RouterMode.DVR, error=['Timeout', 'x'])))
        self.assertIn('no figures reported yet', first.details())
        other = sla.Baseline(self._config())
        other.add_iteration(test_compare.iteration(
            sla.topology.RouterMode.DVR, changes={
                'H-NR': {'tcp_forward_mbps': 0.5}}))
        self.assertFalse(first.merge(other))
        self.assertIn('1 regressed', first.details())

    def test_nothing_in_common_fails(self):
        criterion = sla.Baseline(self._config())
        self.assertFalse(criterion.add_iteration(test_compare.iteration(
            sla.topology.RouterMode.DVR, categories=('-HNR',))))
        self.assertIn('Failed - nothing to compare: the two runs share no '
                      'category', criterion.details())

    def _errors(self, config):
        return rally_sla.SLA.validate('netperf_baseline', None, None, config)

    def test_validator_and_sla_parse_the_file_once(self):
        config = self._config()
        with mock.patch.object(sla.compare, 'from_document',
                               wraps=sla.compare.from_document) as parse:
            self.assertEqual([], self._errors(config))
            self.assertTrue(sla.Baseline(config).add_iteration(
                test_compare.iteration(sla.topology.RouterMode.DVR)))
            self.assertEqual(1, parse.call_count)
            # A changed file is read again.
            self._save('before.json', test_compare.two_modes(
                categories=('HNR',)))
            criterion = sla.Baseline(config)
            self.assertEqual(2, parse.call_count)
            self.assertEqual(['HNR'], [r.category.shorthand
                                       for r in criterion.baseline.rows])

    def test_config_validation(self):
        self.assertEqual([], self._errors(self._config(
            min_effect={'loss': 2, 'default': 5}, confidence=0.95)))
        for config, text in (
                (self._config(baseline=os.path.join(self.dir, 'none')),
                 'none: cannot read it'),
                (self._config(baseline=self._save('cut.json', '{"ta')),
                 'cut.json: not JSON, or cut short'),
                (self._config(baseline=self._save(
                    'old.json', test_summary._load(
                        test_summary.REPORT_1X))),
                 'this run predates per-round figures'),
                (self._config(baseline=self._save(
                    'legacy.json', test_compare.report(legacy=[
                        test_compare.iteration(
                            sla.topology.RouterMode.LEGACY)]))),
                 'legacy.json: no result under a dvr router in it')):
            errors = self._errors(config)
            self.assertEqual(1, len(errors), errors)
            self.assertIn('netperf_baseline: baseline ', errors[0])
            self.assertIn(text, errors[0])
            self.assertNotIn('Traceback', errors[0])
        for config, text in (
                ({'baseline': self.path}, "'router_mode' is a required"),
                (self._config(min_effect={'tcp': 5}), "'tcp' is not one of"),
                (self._config(confidence=1),
                 'greater than or equal to the maximum'),
                (self._config(correction='bonferroni'),
                 "'bonferroni' is not one of ['holm', 'none']"),
                (self._config(min_effect=-1), 'less than the minimum')):
            errors = self._errors(config)
            self.assertEqual(1, len(errors), errors)
            self.assertIn(text, errors[0])
