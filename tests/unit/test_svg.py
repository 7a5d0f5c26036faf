"""The hand-written SVG bar charts and the offline page."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ElementTree

import testtools

from rally_netperf import svg


def _groups() -> list[svg.Group]:
    return [svg.Group('HNR', [svg.Bar('legacy', 120.0, 100.0, 130.0,
                                      mark='direct', tone='good'),
                              svg.Bar('DVR', 118.5, 110.0, 125.0,
                                      mark='direct', tone='good')]),
            svg.Group('H-NR', [svg.Bar('legacy', 60.0, mark='via network '
                                       'node', tone='good'),
                               svg.Bar('DVR', None)])]


def _parse(text: str) -> ElementTree.Element:
    return ElementTree.fromstring(text)


def _texts(root: ElementTree.Element) -> list[str]:
    return [''.join(t.itertext()) for t in root.iter('text')]


class BarChartTest(testtools.TestCase):

    def test_well_formed_svg(self):
        root = _parse(svg.bar_chart('TCP forward', 'Mbit/s', _groups()))
        self.assertEqual('svg', root.tag)
        self.assertEqual('TCP forward', root.find('title').text)
        texts = _texts(root)
        for label in ('HNR', 'H-NR', 'legacy', 'DVR', 'Mbit/s'):
            self.assertIn(label, texts)

    def test_whiskers_only_where_a_spread_is_given(self):
        root = _parse(svg.bar_chart('t', 'u', _groups()))
        whiskers = [g for g in root.iter('g')
                    if g.get('class') == 'whisker']
        self.assertEqual(2, len(whiskers))
        self.assertEqual('100.0-130.0', whiskers[0].find('title').text)
        self.assertEqual(3, len(whiskers[0].findall('line')))

    def test_none_is_drawn_as_not_measured(self):
        root = _parse(svg.bar_chart('t', 'u', _groups()))
        gaps = [t for t in root.iter('text') if t.get('class') == 'gap']
        self.assertEqual(['not measured'], [t.text for t in gaps])

    def test_marks_carry_their_tone(self):
        root = _parse(svg.bar_chart('t', 'u', [svg.Group('x', [
            svg.Bar('a', 1.0, mark='regressed', tone='bad'),
            svg.Bar('b', 2.0, mark='hm', tone='no such tone')])]))
        marks = {s.text: s.get('fill') for s in root.iter('tspan')
                 if s.text in ('regressed', 'hm')}
        self.assertEqual({'regressed': svg.TONES['bad'],
                          'hm': svg.TONES['neutral']}, marks)

    def test_labels_are_escaped(self):
        text = svg.bar_chart('<a & "b">', '<u>', [svg.Group(
            '<g>', [svg.Bar('x&y', 1.0, mark='<script>')])])
        self.assertNotIn('<script>', text)
        self.assertNotIn('<g>', text)
        root = _parse(text)
        self.assertEqual('<a & "b">', root.find('title').text)
        texts = _texts(root)
        self.assertIn('<g>', texts)
        self.assertIn('x&y', texts)

    def test_scale_reaches_past_the_highest_whisker(self):
        root = _parse(svg.bar_chart('t', 'u', [svg.Group('x', [
            svg.Bar('a', 80.0, 70.0, 230.0)])]))
        ticks = [float(t.text) for t in root.iter('text')
                 if t.get('class') == 'tick']
        self.assertEqual(0.0, ticks[0])
        self.assertGreaterEqual(ticks[-1], 230.0)
        self.assertLessEqual(len(ticks), 7)

    def test_all_zero_and_all_none(self):
        for bars in ([svg.Bar('a', 0.0), svg.Bar('b', 0.0)],
                     [svg.Bar('a', None), svg.Bar('b', None)]):
            text = svg.bar_chart('t', 'u', [svg.Group('x', bars)])
            root = _parse(text)
            self.assertNotIn('nan', text)
            self.assertNotIn('inf', text)
            ticks = [float(t.text) for t in root.iter('text')
                     if t.get('class') == 'tick']
            self.assertEqual(0.0, ticks[0])
            self.assertGreater(ticks[-1], 0.0)

    def test_no_groups(self):
        self.assertEqual('svg', _parse(svg.bar_chart('t', 'u', [])).tag)

    def test_small_and_large_values(self):
        for top in (0.003, 0.7, 9.0, 45.0, 1234.0, 98765.0):
            ticks = svg._ticks(top)
            self.assertEqual(0, ticks[0])
            self.assertGreaterEqual(ticks[-1], top)
            self.assertLessEqual(len(ticks), 7, (top, ticks))


class PageTest(testtools.TestCase):

    def test_offline_document(self):
        chart = svg.bar_chart('TCP forward', 'Mbit/s', _groups())
        text = svg.page('Run <1>', [('Charts', chart),
                                    ('Findings', '<ul><li>x</li></ul>')])
        self.assertTrue(text.startswith('<!DOCTYPE html>'))
        self.assertIn('<meta charset="utf-8">', text)
        self.assertIn('<title>Run &lt;1&gt;</title>', text)
        self.assertIn('<h2>Findings</h2>', text)
        self.assertIn(chart, text)
        self.assertNotIn('<script', text)
        self.assertIsNone(re.search(r'https?:', text))
        self.assertIsNone(re.search(r'\b(src|href)=', text))
