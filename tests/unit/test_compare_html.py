"""netperf-compare --html: baseline beside current, verdict marks, table."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ElementTree

import fixtures
import testtools

from openstack_netperf import comparison
from openstack_netperf import results
from rally_netperf import compare_cli
from rally_netperf import compare_html
from rally_netperf import svg
from tests.unit import test_compare
from tests.unit import test_comparison


def _found(**changes):
    return comparison.compare(test_comparison.rows(),
                              test_comparison.rows(**changes),
                              comparison.Settings.build())


def _page(found):
    return compare_html.render(('before.json', 'after.json'), found,
                               compare_cli.table(found),
                               compare_cli.notes(found),
                               compare_cli.result_line(found))


class GroupTest(testtools.TestCase):

    def test_baseline_beside_current_with_the_verdict(self):
        found = _found(dvr_HxNR={'scale': {'tcp_forward_mbps': 0.7}})
        result = [m for m in found.metrics
                  if m.where() == 'H-NR dvr TCP forward'][0]
        group = compare_html.group(result)
        self.assertEqual('dvr TCP forward', group.label)
        baseline, current = group.bars
        self.assertEqual(('baseline', 200.0, 190.0, 210.0, ''),
                         (baseline.label, baseline.value, baseline.low,
                          baseline.high, baseline.mark))
        self.assertEqual(('current', 140.0, 'regressed -30.0 %', 'bad'),
                         (current.label, current.value, current.mark,
                          current.tone))

    def test_one_round_has_no_whisker(self):
        one = {key: values[:1] for key, values in
               test_comparison.ROUNDS.items()}
        found = _found(legacy_HNR={'rounds': one})
        result = [m for m in found.metrics
                  if m.where() == 'HNR legacy TCP forward'][0]
        current = compare_html.group(result).bars[1]
        self.assertEqual((None, None, 'inconclusive -', 'unsure'),
                         (current.low, current.high, current.mark,
                          current.tone))


class PageTest(testtools.TestCase):

    def test_a_section_per_category_offline(self):
        found = _found(
            dvr_HxNR={'scale': {'tcp_forward_mbps': 0.7}},
            verdicts={'dvr_HNR': results.PathVerdict.CROSSED})
        page = _page(found)
        self.assertEqual(['Result', 'HNR (intra_node_intra_subnet)',
                          'H-NR (intra_node_inter_subnet)',
                          'Every comparison'],
                         re.findall(r'<h2>(.*?)</h2>', page))
        charts = re.findall(r'<svg .*?</svg>', page, re.S)
        self.assertEqual(4, len(charts))
        for chart in charts:
            ElementTree.fromstring(chart)
        self.assertIn('Ping loss: 0 % in both runs.', page)
        self.assertIn('color: %s"><b>path, dvr: regressed</b>'
                      % svg.TONES['bad'], page)
        self.assertIn('Result: 2 regressed', page)
        self.assertIn('<td>-30.0 %</td><td>REGRESSED</td>', page)
        self.assertNotIn('<script', page)
        self.assertNotIn('http', page)

    def test_texts_are_escaped(self):
        found = _found()
        page = compare_html.render(('<b>.json', 'a&b.json'), found,
                                   compare_cli.table(found), [], 'Result')
        self.assertIn('&lt;b&gt;.json', page)
        self.assertIn('a&amp;b.json', page)
        self.assertNotIn('<b>.json', page)


class MainTest(testtools.TestCase):

    def test_html_beside_the_table(self):
        directory = self.useFixture(fixtures.TempDir()).path
        saved = os.path.join(directory, 'run.json')
        with open(saved, 'w') as handle:
            handle.write(compare_cli.json.dumps(test_compare.two_modes()))
        out = os.path.join(directory, 'compare.html')
        self.useFixture(fixtures.MonkeyPatch('sys.stdout', open(
            os.devnull, 'w')))
        self.assertEqual(0, compare_cli.main([saved, saved, '--html', out]))
        with open(out) as handle:
            self.assertIn('NetPerf comparison', handle.read())
        err = self.useFixture(fixtures.StringStream('stderr'))
        self.useFixture(fixtures.MonkeyPatch('sys.stderr', err.stream))
        self.assertEqual(2, compare_cli.main(
            [saved, saved, '--html', os.path.join(directory, 'no', 'x')]))
        err.stream.flush()
        self.assertIn('cannot write --html', err.getDetails()[
            'stderr'].as_text())
