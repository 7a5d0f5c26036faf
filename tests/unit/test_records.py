"""The codec between typed results and a Rally iteration's output.

What is written is read back as the same typed values; no Rally needed.
"""

from __future__ import annotations

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
        self.assertIn('data.rows[1]: expected 9 fields', str(exc))
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
