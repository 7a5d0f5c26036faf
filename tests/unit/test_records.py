"""The codec between typed results and a Rally iteration's output.

What is written is read back as the same typed values; no Rally needed.
"""

from __future__ import annotations

import dataclasses
import json

import testtools

from openstack_netperf import exceptions
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records

HNR = topology.get_category('HNR')
LEGACY, DVR = topology.RouterMode.LEGACY, topology.RouterMode.DVR


def _rows():
    return [results.PathRow(category, mode,
                            category.crosses_network_node(mode), verdict,
                            'guest A1', '198.19.1.11', nodes, '30 pings',
                            'why')
            for category, mode, verdict, nodes in (
                (HNR, LEGACY, results.PathVerdict.NOT_CROSSED,
                 ('network',)),
                (topology.get_category('H-NR'), LEGACY,
                 results.PathVerdict.CROSSED, ('net-1', 'net-2')),
                (topology.get_category('-H-N-R'), DVR,
                 results.PathVerdict.INCONCLUSIVE, ()))]


def _through_json(item):
    """As Rally stores it and its JSON report carries it."""
    return json.loads(json.dumps(item))


class PathRecordTest(testtools.TestCase):

    def test_round_trip(self):
        rows = _rows()
        item = _through_json(records.encode_paths(rows))
        self.assertEqual(records.PATH_PLUGIN, item['chart_plugin'])
        self.assertEqual(rows, records.decode_paths(
            {'additive': [], 'complete': [item]}))
        self.assertEqual([0, 1, 0], [r[2] for r in item['data']['rows']])

    def test_no_record_is_none(self):
        self.assertIsNone(records.decode_paths({'complete': []}))
        note = {'title': records.PATH_TITLE, 'chart_plugin': 'TextArea',
                'data': ['Node access is not configured']}
        self.assertIsNone(records.decode_paths({'complete': [note]}))

    def test_another_record_layout_is_refused(self):
        data = _through_json(records.encode_paths(_rows()))['data']
        data['cols'].reverse()
        exc = self.assertRaises(exceptions.InvalidInput,
                                records.decode_path_record, data)
        self.assertIn('another version of openstack-netperf', str(exc))
        data = _through_json(records.encode_paths(_rows()))['data']
        del data['rows'][1][-1]
        exc = self.assertRaises(exceptions.InvalidInput,
                                records.decode_path_record, data)
        self.assertIn('data.rows[1]: expected 10 fields', str(exc))
        data = _through_json(records.encode_paths(_rows()))['data']
        data['rows'][1][-1] = 'telepathy'
        exc = self.assertRaises(exceptions.InvalidInput,
                                records.decode_path_record, data)
        self.assertIn("data.rows[1].method: expected one of burst, flow, "
                      "got 'telepathy'", str(exc))

    def test_record_without_method_reads_as_bursts(self):
        # Written before measured flows were judged by their own bytes.
        rows = [dataclasses.replace(r, method=results.path_verdict.FLOW)
                for r in _rows()]
        data = _through_json(records.encode_paths(rows))['data']
        self.assertEqual('method', data['cols'].pop())
        for row in data['rows']:
            self.assertEqual('flow', row.pop())
        old = records.decode_path_record(data)
        self.assertEqual({results.path_verdict.BURST},
                         {r.method for r in old})
        self.assertEqual([dataclasses.replace(r, method='burst')
                          for r in rows], old)
        data = _through_json(records.encode_paths(_rows()))['data']
        data['rows'][0][0] = 'XHR'
        exc = self.assertRaises(exceptions.InvalidInput,
                                records.decode_path_record, data)
        self.assertIn("data.rows[0].category: Unknown placement category "
                      "'XHR'", str(exc))


class FiguresTest(testtools.TestCase):

    def test_round_trip(self):
        values = {'tcp_forward_mbps': 940.12345, 'rtt_median_ms': 0.5,
                  'ping_loss_percent': 0.0, 'udp_forward_jitter_ms': 0.1}
        items = records.encode_figures(
            results.CategoryFigures(HNR, values), 'Median of 3 rounds')
        self.assertEqual(
            ['Throughput, Mbit/s | HNR (intra_node_intra_subnet)',
             'Latency, ms | HNR (intra_node_intra_subnet)',
             'Loss and retransmits | HNR (intra_node_intra_subnet)'],
            [i['title'] for i in items])
        # Other additive outputs (the path marker) are not figures.
        marker = {'title': 'Path verdict | HNR (intra_node_intra_subnet)',
                  'chart_plugin': records.STATS_PLUGIN,
                  'data': [['inconclusive', 0]]}
        decoded = records.decode_figures(
            _through_json({'additive': items + [marker], 'complete': []}))
        # Rounded to 3 decimals; a figure no chart shows is not written.
        self.assertEqual(
            [results.CategoryFigures(HNR, {'tcp_forward_mbps': 940.123,
                                           'rtt_median_ms': 0.5,
                                           'ping_loss_percent': 0.0})],
            decoded)

    def test_wrong_pairs(self):
        item = records.encode_figures(results.CategoryFigures(
            HNR, {'tcp_forward_mbps': 1.0}), '')[0]
        for data, what in (([['TCP forward']], 'expected [label, value]'),
                           ([[['TCP'], 1]], 'expected a string, got list'),
                           ([['TCP forward', True]], 'expected a number, '
                            'got bool')):
            item['data'] = data
            exc = self.assertRaises(exceptions.InvalidInput,
                                    records.decode_figures,
                                    {'additive': [item]})
            self.assertIn('output.additive[0].data[0]', str(exc))
            self.assertIn(what, str(exc))


class CategoryChartTest(testtools.TestCase):

    def _item(self, mode, rounds, verdicts=()):
        figures = [results.CategoryFigures(
            topology.get_category(name), {},
            {'tcp_forward_mbps': values, 'rtt_median_ms': (0.5,) * len(
                values), 'ping_loss_percent': (0.0,) * len(values)})
            for name, values in rounds]
        return _through_json(records.encode_category_chart(
            mode, figures, [(topology.get_category(n), v)
                            for n, v in verdicts]))

    def test_round_trip_over_iterations(self):
        first = self._item(LEGACY, [('H-NR', (600.0, 620.0, 610.0)),
                                    ('HNR', (2400.0,))],
                           [('H-NR', results.PathVerdict.CROSSED)])
        second = self._item(LEGACY, [('H-NR', (500.0, 700.0))],
                            [('H-NR', results.PathVerdict.INCONCLUSIVE)])
        self.assertEqual(records.CATEGORY_CHART_PLUGIN,
                         first['chart_plugin'])
        # Pairs only, the one shape Rally's schema allows an additive
        # output; a round is a pair of its own.
        self.assertIn(['H-NR TCP forward', 620.0], first['data'])
        self.assertIn(['router legacy', 1], first['data'])
        self.assertIn(['H-NR path crossed', 1], first['data'])
        self.assertNotIn('ping', json.dumps(first['data']))
        rows = records.decode_category_chart([first['data'],
                                              second['data']])
        self.assertEqual(['HNR', 'H-NR'],
                         [r.category.shorthand for r in rows])
        self.assertEqual({LEGACY}, {r.router_mode for r in rows})
        h_nr = rows[1]
        self.assertEqual([600.0, 620.0, 610.0, 500.0, 700.0],
                         h_nr.rounds['tcp_forward_mbps'])
        self.assertEqual([610.0, 600.0], h_nr.samples['tcp_forward_mbps'])
        self.assertEqual([results.PathVerdict.CROSSED,
                          results.PathVerdict.INCONCLUSIVE], h_nr.verdicts)
        self.assertEqual([], rows[0].verdicts)

    def test_unknown_labels_are_skipped(self):
        rows = records.decode_category_chart([[['router dvr', 1],
                                               ['HNR jitter', 1.0],
                                               ['HNR RTT p95', 2.0]]])
        self.assertEqual(DVR, rows[0].router_mode)
        self.assertEqual({'rtt_p95_ms': [2.0]}, rows[0].rounds)

    def test_wrong_shapes(self):
        for data, where, what in (
                (None, 'data[0]', 'expected a list, got null'),
                ([['HNR TCP forward']], 'data[0][0]',
                 'expected [label, value]'),
                ([['HNR TCP forward', 'fast']], 'data[0][0][1]',
                 'expected a number, got str')):
            exc = self.assertRaises(exceptions.InvalidInput,
                                    records.decode_category_chart, [data])
            self.assertIn(where, str(exc))
            self.assertIn(what, str(exc))
