"""netperf-summary --html: the charts, marks, findings and table."""

from __future__ import annotations

import io
import os
import re
import tempfile
import xml.etree.ElementTree as ElementTree

import fixtures
import testtools

from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import summary
from rally_netperf import summary_html
from rally_netperf import svg

LEGACY, DVR = topology.RouterMode.LEGACY, topology.RouterMode.DVR
CROSSED = results.PathVerdict.CROSSED
NOT_CROSSED = results.PathVerdict.NOT_CROSSED
INCONCLUSIVE = results.PathVerdict.INCONCLUSIVE
REPORT = os.path.join(os.path.dirname(__file__), 'data', 'summary',
                      'rally-report.json')


def _row(shorthand, mode, rounds=(100.0, 120.0, 110.0), verdicts=(),
         **more):
    figures = {'tcp_forward_mbps': list(rounds),
               'tcp_reverse_mbps': [v / 2 for v in rounds],
               'rtt_median_ms': [0.5, 0.6, 0.4],
               'rtt_p95_ms': [0.9, 1.0, 0.8],
               'ping_loss_percent': [0.0, 0.0, 0.0]}
    figures.update(more)
    return results.Row(topology.get_category(shorthand), mode,
                       samples={k: [sorted(v)[len(v) // 2]]
                                for k, v in figures.items()},
                       rounds=figures, verdicts=list(verdicts))


def _charts(page):
    return {svg_root.find('title').text: svg_root
            for svg_root in (ElementTree.fromstring(text) for text in
                             re.findall(r'<svg .*?</svg>', page, re.S))}


def _notes(chart):
    """(bar label, value text, mark) of each bar, top to bottom."""
    labels = [t.text for t in chart.iter('text')
              if t.get('class') == 'bar-label']
    notes = [[s.text or '' for s in t.iter('tspan')]
             for t in chart.iter('text') if t.get('class') == 'note']
    return [(label, value, mark) for label, (value, mark)
            in zip(labels, notes)]


class GroupsTest(testtools.TestCase):

    def test_thesis_order_legacy_beside_dvr_and_gaps(self):
        rows = [_row('H-NR', DVR), _row('HNR', LEGACY), _row('HNR', DVR),
                _row('-H-N-R', LEGACY)]
        found = summary_html.groups(rows, 'tcp_forward_mbps')
        self.assertEqual(['HNR', 'H-NR', '-H-N-R'], [g.label for g in found])
        self.assertEqual([['legacy', 'DVR']] * 3,
                         [[b.label for b in g.bars] for g in found])
        self.assertIsNone(found[1].bars[0].value)
        self.assertIsNone(found[2].bars[1].value)
        bar = found[0].bars[0]
        self.assertEqual((110.0, 100.0, 120.0), (bar.value, bar.low,
                                                 bar.high))

    def test_one_round_has_no_whisker(self):
        bar = summary_html.groups([_row('HNR', DVR, rounds=(90.0,))],
                                  'tcp_forward_mbps')[0].bars[0]
        self.assertEqual((90.0, None, None), (bar.value, bar.low, bar.high))

    def test_only_the_modes_of_the_run(self):
        found = summary_html.groups([_row('HNR', DVR)], 'rtt_median_ms')
        self.assertEqual(['DVR'], [b.label for b in found[0].bars])

    def test_marks_are_path_verdicts(self):
        rows = [_row('H-NR', LEGACY, verdicts=[CROSSED, CROSSED]),
                _row('H-NR', DVR, verdicts=[CROSSED]),
                _row('-HNR', LEGACY, verdicts=[INCONCLUSIVE]),
                _row('-HNR', DVR, verdicts=[NOT_CROSSED, INCONCLUSIVE]),
                _row('HNR', DVR)]
        marks = [(b.mark, b.tone) for g in summary_html.groups(
            rows, 'tcp_forward_mbps') for b in g.bars if b.value]
        self.assertEqual(
            [('not checked', 'neutral'),
             ('crossed', 'good'),
             ('crossed (expected not crossed)', 'bad'),
             ('inconclusive', 'unsure'),
             ('mixed (1 inconclusive, 1 not crossed)', 'unsure')], marks)

    def test_no_marks_when_nothing_was_checked(self):
        bars = summary_html.groups([_row('HNR', DVR), _row('H-NR', DVR)],
                                   'tcp_forward_mbps')
        self.assertEqual({''}, {g.bars[0].mark for g in bars})


class RenderTest(testtools.TestCase):

    def _render(self, rows):
        contents = summary.Contents(rows, 2, 6, 0)
        return summary_html.render('report.json', rows,
                                   results.findings(rows),
                                   *summary.table(contents))

    def test_charts_per_measured_figure(self):
        rows = [_row('HNR', LEGACY), _row('HNR', DVR)]
        page = self._render(rows)
        self.assertEqual(['TCP throughput, forward',
                          'TCP throughput, reverse',
                          'Round-trip time, median',
                          'Round-trip time, 95th percentile'],
                         list(_charts(page)))
        self.assertIn('Ping loss: 0 % in every category', page)
        self.assertIn('No path verdict recorded', page)
        self.assertIsNone(re.search(r'https?:|<script', page))

    def test_udp_and_loss_when_measured(self):
        rows = [_row('HNR', DVR, udp_forward_mbps=[50.0, 51.0],
                     udp_forward_loss_percent=[0.0, 2.0],
                     ping_loss_percent=[10.0, 0.0, 0.0])]
        charts = _charts(self._render(rows))
        for title in ('UDP throughput, forward', 'UDP loss, forward',
                      'Ping loss'):
            self.assertIn(title, charts)
        self.assertNotIn('UDP throughput, reverse', charts)

    def test_findings_and_table(self):
        rows = [_row('H-NR', LEGACY, verdicts=[CROSSED]),
                _row('H-NR', DVR, verdicts=[NOT_CROSSED])]
        page = self._render(rows)
        self.assertIn('<b style="color: %s">HOLDS</b> (b) legacy H-NR '
                      'crosses' % svg.TONES['good'], page)
        self.assertIn('NOT MEASURED</b> (c)', page)
        self.assertIn('<th>TCP fwd Mbit/s</th>', page)
        self.assertIn('<td>110.0 (100.0-120.0)</td>', page)
        chart = _charts(page)['TCP throughput, forward']
        self.assertEqual([('legacy', '110.0 (100.0-120.0)', 'crossed'),
                          ('DVR', '110.0 (100.0-120.0)', 'not crossed')],
                         _notes(chart))

    def test_no_rows(self):
        contents = summary.Contents([], 1, 3, 3)
        page = summary_html.render('r.json', [], [],
                                   *summary.table(contents))
        self.assertEqual({}, _charts(page))
        self.assertIn('every iteration failed: 3 of 3', page)


class MainTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.out = self.useFixture(fixtures.MonkeyPatch(
            'sys.stdout', io.StringIO())).new_value
        self.err = self.useFixture(fixtures.MonkeyPatch(
            'sys.stderr', io.StringIO())).new_value
        self.dir = self.useFixture(fixtures.TempDir()).path

    def test_html_beside_the_text(self):
        path = os.path.join(self.dir, 'summary.html')
        self.assertEqual(0, summary.main([REPORT, '--html', path]))
        self.assertIn('H-NR      legacy  610.0', self.out.getvalue())
        with open(path, encoding='utf-8') as handle:
            page = handle.read()
        self.assertIn('<title>NetPerf summary: rally-report.json</title>',
                      page)
        chart = _charts(page)['TCP throughput, forward']
        self.assertEqual(('legacy', '610.0 (610.0-610.0)', 'crossed'),
                         _notes(chart)[2])

    def test_html_with_json(self):
        path = os.path.join(self.dir, 'summary.html')
        self.assertEqual(0, summary.main([REPORT, '--format', 'json',
                                          '--html', path]))
        self.assertIn('"rows"', self.out.getvalue())
        self.assertTrue(os.path.getsize(path))

    def test_unwritable_path_is_exit_2(self):
        with tempfile.NamedTemporaryFile(dir=self.dir) as handle:
            for path, reason in (
                    (os.path.join(self.dir, 'no', 'x.html'),
                     'No such file or directory'),
                    (self.dir, 'Is a directory'),
                    (os.path.join(handle.name, 'x.html'),
                     'Not a directory')):
                self.assertEqual(2, summary.main([REPORT, '--html', path]))
                self.assertIn('cannot write --html %s: %s' % (path, reason),
                              self.err.getvalue())
        self.assertNotIn('Traceback', self.err.getvalue())
