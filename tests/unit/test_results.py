"""The thesis findings, checked on typed rows of figures and verdicts."""

from __future__ import annotations

import dataclasses

import testtools

from openstack_netperf import results
from openstack_netperf import topology

LEGACY, DVR = topology.RouterMode.LEGACY, topology.RouterMode.DVR
CROSSED = results.PathVerdict.CROSSED
NOT_CROSSED = results.PathVerdict.NOT_CROSSED
INCONCLUSIVE = results.PathVerdict.INCONCLUSIVE
# TCP forward Mbit/s shaped like the thesis's (reverse 7 % lower).
MBPS = {
    (LEGACY, 'HNR'): 2400, (LEGACY, 'H-NR'): 610, (LEGACY, '-HNR'): 880,
    (LEGACY, '-H-NR'): 540, (LEGACY, '-H-N-R'): 500,
    (DVR, 'HNR'): 2350, (DVR, 'H-NR'): 1900, (DVR, '-HNR'): 860,
    (DVR, '-H-NR'): 820, (DVR, '-H-N-R'): 760,
}


def _figures(mode, shorthand, iterations=2):
    mbps = MBPS[(mode, shorthand)]
    values = {'tcp_forward_mbps': float(mbps),
              'tcp_reverse_mbps': 0.93 * mbps, 'rtt_median_ms': 0.055}
    return [(mode, results.CategoryFigures(
        topology.get_category(shorthand), values))] * iterations


def _path(mode, shorthand, verdict=None):
    category = topology.get_category(shorthand)
    crossing = category.crosses_network_node(mode)
    return results.PathRow(
        category, mode, crossing,
        verdict or results.PathVerdict.expected(crossing), 'guest A1',
        '198.19.1.11', ('network',), '30 pings', 'reason')


def _tabulate(modes=(LEGACY, DVR), paths=True, **verdicts):
    """Rows of two iterations per category and mode.

    ``verdicts`` maps "<mode>_<shorthand without dashes>" to the verdicts
    of the two iterations, instead of the expected ones.
    """
    figures, rows = [], []
    for mode in modes:
        for category in topology.CATEGORIES:
            figures += _figures(mode, category.shorthand)
            key = '%s_%s' % (mode.value, category.shorthand.replace('-', 'x'))
            for verdict in verdicts.get(key, (None, None)):
                rows.append(_path(mode, category.shorthand, verdict))
    return results.tabulate(figures, rows if paths else [])


def _by_claim(rows):
    return {f.claim[:3]: f for f in results.findings(rows)}


class TabulateTest(testtools.TestCase):

    def test_rows_by_category_then_mode(self):
        rows = _tabulate()
        self.assertEqual([(c.shorthand, m) for c in topology.CATEGORIES
                          for m in (LEGACY, DVR)],
                         [(r.category.shorthand, r.router_mode)
                          for r in rows])
        hnr_legacy = rows[2]
        self.assertEqual(2, hnr_legacy.iterations)
        self.assertEqual(610.0, hnr_legacy.figure('tcp_forward_mbps'))
        self.assertIsNone(hnr_legacy.figure('rtt_p95_ms'))
        self.assertIs(CROSSED, hnr_legacy.verdict)
        self.assertIs(CROSSED, hnr_legacy.expected)
        self.assertIs(NOT_CROSSED, rows[3].verdict)

    def test_verdict_text(self):
        rows = _tabulate(legacy_HxNR=(CROSSED, INCONCLUSIVE))
        self.assertIsNone(rows[2].verdict)
        self.assertEqual('mixed (1 crossed, 1 inconclusive)',
                         rows[2].verdict_text())
        self.assertEqual('not crossed', rows[3].verdict_text())
        self.assertEqual(results.NOT_CHECKED,
                         _tabulate(paths=False)[0].verdict_text())

    def test_path_row_as_expected(self):
        row = _path(DVR, 'H-NR')
        self.assertTrue(row.as_expected)
        self.assertFalse(dataclasses.replace(row, verdict=CROSSED)
                         .as_expected)
        self.assertFalse(dataclasses.replace(row, verdict=INCONCLUSIVE)
                         .as_expected)


class FindingsTest(testtools.TestCase):

    def test_thesis_findings_hold(self):
        found = _by_claim(_tabulate())
        self.assertEqual({results.Status.HOLDS},
                         {f.status for f in found.values()})
        self.assertIn('10 of 10 rows checked', found['(a)'].detail)
        self.assertEqual('legacy: crossed, DVR: not crossed',
                         found['(b)'].detail)
        self.assertIn('legacy forward: -HNR 880.0 (880.0-880.0, n=2) vs HNR '
                      '2400.0 (2400.0-2400.0, n=2) Mbit/s, -63 %',
                      found['(e)'].detail)

    def test_contradictions_do_not_hold(self):
        rows = _tabulate(dvr_HxNR=(CROSSED, CROSSED))
        for row in rows:
            if row.category.shorthand == 'H-NR' and row.router_mode is DVR:
                row.samples = {k: [100.0, 100.0] for k in row.samples}
        found = _by_claim(rows)
        self.assertEqual(results.Status.DOES_NOT_HOLD, found['(a)'].status)
        self.assertIn('H-NR dvr: crossed, expected not crossed',
                      found['(a)'].detail)
        self.assertEqual(results.Status.DOES_NOT_HOLD, found['(b)'].status)
        self.assertEqual(results.Status.DOES_NOT_HOLD, found['(d)'].status)
        self.assertEqual(results.Status.HOLDS, found['(c)'].status)

    def test_not_measured_without_verdicts_or_a_mode(self):
        found = _by_claim(_tabulate(modes=(DVR,), paths=False))
        for claim in ('(a)', '(b)', '(d)'):
            self.assertEqual(results.Status.NOT_MEASURED,
                             found[claim].status)
        self.assertIn('node access not configured', found['(a)'].detail)
        self.assertEqual('legacy: not checked, DVR: not checked',
                         found['(b)'].detail)
        self.assertEqual(results.Status.HOLDS, found['(c)'].status)
        self.assertEqual(results.Status.HOLDS, found['(e)'].status)

    def test_inconclusive_paths_are_inconclusive(self):
        found = _by_claim(_tabulate(legacy_HNR=(INCONCLUSIVE, None),
                                    dvr_HxNR=(INCONCLUSIVE, INCONCLUSIVE)))
        self.assertEqual(results.Status.INCONCLUSIVE, found['(a)'].status)
        self.assertIn('inconclusive path verdict for HNR legacy, H-NR dvr',
                      found['(a)'].detail)
        self.assertEqual(results.Status.INCONCLUSIVE, found['(b)'].status)

    def test_noise_is_inconclusive_not_a_contradiction(self):
        # DVR H-NR below legacy H-NR in its median, within a 2x noise.
        rows = _tabulate()
        for row in rows:
            if row.category.shorthand == 'H-NR':
                row.rounds = {k: ([50.0, 120.0, 70.0]
                                  if row.router_mode is DVR
                                  else [62.0, 130.0, 85.0])
                              for k in [k for _d, k in results.TCP_KEYS]}
        found = _by_claim(rows)
        self.assertEqual(results.Status.INCONCLUSIVE, found['(d)'].status)
        self.assertIn('inconclusive', found['(d)'].detail)

    def test_rounds_decide_before_iteration_medians(self):
        rows = _tabulate(modes=(LEGACY,))
        hnr = rows[0]
        hnr.rounds = {'tcp_forward_mbps': [10.0, 11.0, 12.0]}
        self.assertEqual(11.0, hnr.figure('tcp_forward_mbps'))
        self.assertEqual((3, 10.0, 12.0), (
            hnr.spread('tcp_forward_mbps').count,
            hnr.spread('tcp_forward_mbps').low,
            hnr.spread('tcp_forward_mbps').high))
        # Without rounds, the iteration medians.
        self.assertEqual(2, hnr.spread('tcp_reverse_mbps').count)

    def test_tunnel_that_costs_nothing_does_not_hold(self):
        rows = _tabulate(modes=(LEGACY,))
        tunnelled = rows[2]
        self.assertEqual('-HNR', tunnelled.category.shorthand)
        tunnelled.samples['tcp_forward_mbps'] = [5000.0, 5000.0]
        found = _by_claim(rows)
        self.assertEqual(results.Status.DOES_NOT_HOLD, found['(e)'].status)
        self.assertEqual(results.Status.DOES_NOT_HOLD, found['(c)'].status)
