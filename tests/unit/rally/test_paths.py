"""Path verdicts in the scenarios: node access context, outputs, SLA.

The nodes are fake SSH runners and their counters a fake
``snapshot.read_host``: every burst a guest sends and every iperf3 run
moves the compute counters, and the network node's router port when the
test says the flow crosses it.  The core's protocols and verdict run
unchanged.
"""

from __future__ import annotations

import dataclasses
import functools
import os
import tempfile
import threading

import fixtures
import jsonschema
from rally.common.plugin import plugin
from rally.task import sla as rally_sla

from openstack_netperf import exceptions
from openstack_netperf.hosts import probe
from openstack_netperf.hosts import snapshot
from openstack_netperf import remote
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf.contexts import node_access
from rally_netperf import records
from rally_netperf.scenarios import netperf
from rally_netperf import sla
from tests.unit.rally import fakes
from tests.unit.rally import test_scenarios

FAST = test_scenarios.FAST
ADDRESSES = {'network': '198.18.0.10', 'compute-01': '198.18.0.11',
             'compute-02': '198.18.0.12'}


class FakeNodes:
    """Counters of the nodes that follow the guests' bursts and flows.

    A burst moves 24 packets of 1100 bytes, a TCP run the bytes of the
    captured iperf3 output; on the computes, and on the network node when
    ``crossing`` says so: per burst, or per category for flows (whose
    forward run lies between the category's two snapshots of three
    nodes).
    """

    FLOW_BYTES = 5077729280  # tests/unit/data/iperf3/tcp.json

    def __init__(self, guests, crossing, fail_reads=()):
        self.guests = guests
        self.crossing = list(crossing)
        self.fail_reads = fail_reads
        self.seen = self.flows = 0
        self.moved: dict[str, tuple[int, int]] = {}
        self.read_from: list[str] = []
        self.lock = threading.Lock()

    def _move(self, crosses, packets, size):
        for host in ('compute-01', 'compute-02') + (
                ('network',) if crosses else ()):
            before = self.moved.get(host, (0, 0))
            self.moved[host] = (before[0] + packets,
                                before[1] + packets * size)

    def _catch_up(self):
        bursts = sum(getattr(r, 'bursts', 0) for r in self.guests.values())
        while self.seen < bursts:
            self._move(self.crossing[self.seen], 24, 1100)
            self.seen += 1
        flows = sum(c.startswith('iperf3 -c') for r in self.guests.values()
                    for c in getattr(r, 'commands', ()))
        category = len(self.read_from) // 6
        if flows > self.flows and category < len(self.crossing):
            self._move(self.crossing[category], flows - self.flows,
                       self.FLOW_BYTES)
        self.flows = flows

    def read_host(self, runner, target):
        with self.lock:
            self._catch_up()
            self.read_from.append(runner.name)
            packets, size = self.moved.get(target.host, (0, 0))
            if len(self.read_from) - 1 in self.fail_reads:
                raise exceptions.CommandFailed(
                    target.host, remote.CommandResult(
                        'ip netns list', 1, '', 'Permission denied'))
        name = ('qrouter-x', 'qr-1') if target.host == 'network' else (
            '', 'tap1')
        key = snapshot.CounterKey(target.host, snapshot.LINK, *name)
        return {key: snapshot.Counter(5 + packets, 5500 + size)}


class PathScenarioTest(test_scenarios.ScenarioTestCase):

    def setUp(self):
        super().setUp()
        handle, self.key_file = tempfile.mkstemp()
        os.close(handle)
        self.addCleanup(os.remove, self.key_file)
        self.useFixture(fixtures.MockPatchObject(
            probe, 'measure_path', functools.partial(
                probe.measure_path, sleep=lambda _s: None)))
        self.nodes = None

    def _run(self, mode, crossing, categories=None, raises=None,
             fail_reads=(), **access):
        scenario = self._scenario(netperf.MeasureReferenceTopology,
                                  router_mode=mode)
        ctx = scenario.context
        ctx['config']['netperf_node_access'] = dict(
            {'method': 'ssh', 'user': 'root', 'key_file': self.key_file,
             'sudo': False,
             'address_map': ADDRESSES, 'burst_packets': 12,
             'noise_window': 1}, **access)
        node_access.NodeAccessContext(ctx).setup()
        self.nodes = FakeNodes(self.runners, crossing, fail_reads)
        self.useFixture(fixtures.MockPatchObject(
            snapshot, 'read_host', side_effect=self.nodes.read_host))
        run = functools.partial(scenario.run, image='netperf-guest',
                                flavor='netperf.tiny', categories=categories,
                                **FAST)
        if raises is None:
            run()
        else:
            self.error = self.assertRaises(raises, run)
        return scenario

    @staticmethod
    def _expected(mode):
        return [c.crosses_network_node(mode) for c in topology.CATEGORIES]

    def test_legacy_verdicts_recorded_and_sla_passes(self):
        scenario = self._run('legacy', self._expected('legacy'))
        iteration = {'output': scenario._output}
        rows = records.decode_paths(scenario._output)
        crossed, not_crossed = (results.PathVerdict.CROSSED,
                                results.PathVerdict.NOT_CROSSED)
        self.assertEqual(
            [('HNR', not_crossed), ('H-NR', crossed), ('-HNR', not_crossed),
             ('-H-NR', crossed), ('-H-N-R', crossed)],
            [(r.category.shorthand, r.verdict) for r in rows])
        self.assertEqual({True}, {r.as_expected for r in rows})
        self.assertEqual({('network',)}, {r.network_nodes for r in rows})
        # Nodes were logged into at their mapped addresses, as root with
        # the key, and closed at the end.
        for host, address in ADDRESSES.items():
            node = self.runners[host]
            self.assertEqual(address, node.host)
            self.assertEqual('root', node.username)
            self.assertEqual(self.key_file, node.kwargs['key_filename'])
            self.assertFalse(node.kwargs['sudo'])
            self.assertTrue(node.closed)
        self.assertIn('network', self.nodes.read_from)
        # Each category was judged from its own flow: no burst was sent,
        # the counters were read twice per category (three nodes each).
        self.assertEqual({results.path_verdict.FLOW},
                         {r.method for r in rows})
        self.assertEqual(0, self.runners['guest A1'].bursts)
        self.assertEqual(5 * 2 * 3, len(self.nodes.read_from))
        self.assertIn('5077729280 bytes of TCP in 3 s (iperf3, round 1, '
                      'forward)', rows[0].burst)
        atomics = self._atomics(scenario)
        self.assertEqual(2, atomics.count('-H-NR path_check'))
        # Before the measured run, after the warm-up; after it, before
        # the reverse run.
        first = atomics.index('-H-NR path_check')
        self.assertEqual(['-H-NR path_check', '-H-NR iperf3_tcp_forward',
                          '-H-NR path_check', '-H-NR iperf3_tcp_reverse'],
                         atomics[first:first + 4])
        evidence = {c['title']: c for c in scenario._output['complete']}
        crossed = evidence['Path evidence | H-NR (intra_node_inter_subnet)']
        self.assertIn('crossed: network: link qrouter-x/qr-1 carried the '
                      'flow of 5077729280 bytes; judged from the flow: ',
                      crossed['description'])
        self.assertEqual(['node', 'counter', 'packets', 'bytes'],
                         crossed['data']['cols'])
        markers = [a for a in scenario._output['additive']
                   if a['title'].startswith('Path verdict | ')]
        self.assertEqual(5, len(markers))
        self.assertEqual(['crossed the network node', 1],
                         markers[1]['data'][0])
        table = scenario._output['complete'][-1]
        self.assertEqual('Results by category', table['title'])
        self.assertEqual('crossed', table['data']['rows'][1][-1])
        # Rally's report renders every output.
        for complete in scenario._output['complete']:
            chart_cls = plugin.Plugin.get(complete['chart_plugin'])
            complete['widget'] = chart_cls.widget
            chart_cls.render_complete_data(complete)
        for item in markers:
            chart = plugin.Plugin.get(item['chart_plugin'])(
                {'total_iteration_count': 1}, title=item['title'])
            chart.add_iteration(item['data'])
            chart.render()
        # The chart across categories marks each bar with its verdict.
        chart = scenario._output['additive'][-1]
        self.assertEqual(
            [[r.verdict] for r in rows],
            [r.verdicts for r in records.decode_category_chart(
                [chart['data']])])
        criterion = sla.ExpectedPath(True)
        self.assertTrue(criterion.add_iteration(iteration))
        self.assertIn('5 flow(s) took the expected path',
                      criterion.details())

    def test_abort_after_a_measurement_skips_its_burst(self):
        def pings():
            return sum(c.startswith('env LC_ALL=C ping ')
                       and fakes.BURST_FILE not in c
                       for r in self.runners.values() for c in r.commands)

        # Aborted during the last ping of the first category's last round.
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.CHECK_INTERVAL', 0))
        self.task_status = lambda: 'aborting' if pings() >= 6 else 'running'
        scenario = self._run('legacy', self._expected('legacy'),
                             ['HNR', 'H-NR'], raises=exceptions.Aborted,
                             path_method='burst')
        self.assertEqual('aborted by rally task abort after 1 of 2 '
                         'categories; the outputs hold what was measured '
                         'so far', str(self.error))
        self.assertEqual(0, self.runners['guest A1'].bursts)
        self.assertEqual(['HNR'], [f.category.shorthand for f in
                                   records.decode_figures(scenario._output)])
        self.assertEqual([], records.decode_paths(scenario._output))
        table = scenario._output['complete'][-1]
        self.assertEqual([results.NOT_CHECKED],
                         [r[-1] for r in table['data']['rows']])
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertTrue(self.runners['network'].closed)

    def test_abort_after_a_measurement_keeps_its_flow_verdict(self):
        def pings():
            return sum(c.startswith('env LC_ALL=C ping ')
                       for r in self.runners.values() for c in r.commands)

        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.CHECK_INTERVAL', 0))
        self.task_status = lambda: 'aborting' if pings() >= 6 else 'running'
        scenario = self._run('legacy', self._expected('legacy'),
                             ['HNR', 'H-NR'], raises=exceptions.Aborted)
        self.assertIn('after 1 of 2 categories', str(self.error))
        rows = records.decode_paths(scenario._output)
        self.assertEqual(['HNR'], [r.category.shorthand for r in rows])
        self.assertEqual(results.path_verdict.FLOW, rows[0].method)
        self.assertTrue(rows[0].as_expected)
        self.assertEqual({}, self.cloud.nova.servers_by_id)

    def test_burst_method_on_request(self):
        scenario = self._run('legacy', self._expected('legacy'),
                             path_method='burst')
        rows = records.decode_paths(scenario._output)
        self.assertEqual({True}, {r.as_expected for r in rows})
        self.assertEqual({results.path_verdict.BURST},
                         {r.method for r in rows})
        # The burst went from the source guest to the measured address.
        self.assertEqual(5, self.runners['guest A1'].bursts)
        self.assertEqual(1, self._atomics(scenario).count(
            '-H-NR path_check'))
        evidence = {c['title']: c for c in scenario._output['complete']}
        self.assertIn('noise packets (burst-long)', evidence[
            'Path evidence | HNR (intra_node_intra_subnet)']['data']['cols'])

    def test_unreadable_counters_leave_the_verdict_open(self):
        # The reads after the first category's flow fail.
        scenario = self._run('legacy', self._expected('legacy'),
                             ['HNR', 'H-NR'], fail_reads=range(3, 6))
        rows = records.decode_paths(scenario._output)
        self.assertEqual(results.PathVerdict.INCONCLUSIVE, rows[0].verdict)
        self.assertIn('the counters could not be read after the flow: ',
                      rows[0].reason)
        self.assertIn('Permission denied', rows[0].reason)
        self.assertEqual(results.path_verdict.FLOW, rows[0].method)
        self.assertEqual(results.PathVerdict.CROSSED, rows[1].verdict)
        # The measurement went on.
        self.assertEqual(['HNR', 'H-NR'], [
            f.category.shorthand
            for f in records.decode_figures(scenario._output)])

    def test_fingerprint_reads_every_node(self):
        scenario = self._run('dvr', self._expected('dvr'), ['HNR'])
        facts = records.decode_fingerprint(scenario._output)
        for host in ('network', 'compute-01', 'compute-02'):
            self.assertEqual('6.18.44-fc-v1252',
                             facts['node.%s.kernel' % host])
            self.assertEqual('netdev',
                             facts['node.%s.br_int_datapath' % host])
        self.assertEqual('vxlan 4789 (OVS default), vxlan 4790',
                         facts['tunnel.udp_port'])

    def test_dvr_flow_through_the_network_node_fails_the_sla(self):
        crossing = self._expected('dvr')
        crossing[1] = True  # H-NR hairpins through the network node
        scenario = self._run('dvr', crossing)
        criterion = sla.ExpectedPath({'allow_inconclusive': True})
        self.assertFalse(criterion.add_iteration(
            {'output': scenario._output}))
        self.assertIn('H-NR under a dvr router: crossed, expected not '
                      'crossed', criterion.details())

    def test_unreachable_node_fails_setup_clearly(self):
        def unreachable(*_args, **_kwargs):
            raise exceptions.ConnectError('timed out')

        scenario = self._scenario(netperf.MeasurePair)
        ctx = scenario.context
        ctx['config']['netperf_node_access'] = {
            'method': 'ssh', 'key_file': self.key_file,
            'address_map': ADDRESSES}
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.hosts.access.remote.SSHRunner',
            side_effect=unreachable))
        exc = self.assertRaises(exceptions.InvalidInput,
                                node_access.NodeAccessContext(ctx).setup)
        self.assertIn('cannot run a command on node network (at '
                      '198.18.0.10)', str(exc))

    def test_missing_key_file_and_network_node(self):
        scenario = self._scenario(netperf.MeasurePair)
        ctx = scenario.context
        ctx['config']['netperf_node_access'] = {'key_file': '/nonexistent'}
        exc = self.assertRaises(exceptions.InvalidInput,
                                node_access.NodeAccessContext(ctx).setup)
        self.assertIn('key_file /nonexistent does not exist', str(exc))
        ctx['config']['netperf_node_access'] = {'method': 'ssh'}
        found = ctx['netperf_computes']
        found['facts'] = dataclasses.replace(found['facts'], l3_modes={})
        exc = self.assertRaises(exceptions.InvalidInput,
                                node_access.NodeAccessContext(ctx).setup)
        self.assertIn('set network_nodes', str(exc))

    def test_computes_must_be_apart_from_the_network_node(self):
        # The one rule of openstack_netperf.hosts.cloud_facts: a compute
        # that is also the network node is usable for a pair but not
        # path-checkable.
        scenario = self._scenario(netperf.MeasurePair)
        ctx = scenario.context
        ctx['config']['netperf_node_access'] = {
            'method': 'ssh', 'network_nodes': ['compute-02']}
        exc = self.assertRaises(exceptions.InvalidInput,
                                node_access.NodeAccessContext(ctx).setup)
        self.assertIn('apart from the network node(s) compute-02; compute '
                      'host(s) compute-02 (it is a network node', str(exc))
        self.assertIn('drop netperf_node_access', str(exc))

    def test_method_has_no_rally_default(self):
        self.assertRaises(jsonschema.ValidationError, jsonschema.validate,
                          {'user': 'root'}, node_access.NodeAccessContext
                          .CONFIG_SCHEMA)
        jsonschema.validate({'method': 'local'},
                            node_access.NodeAccessContext.CONFIG_SCHEMA)


class ExpectedPathSLATest(test_scenarios.ScenarioTestCase):

    @staticmethod
    def _iteration(*rows):
        return {'output': {'additive': [],
                           'complete': [records.encode_paths(rows)]}}

    def test_inconclusive_fails_unless_allowed(self):
        row = results.PathRow(
            topology.get_category('-HNR'), topology.RouterMode.DVR, False,
            results.PathVerdict.INCONCLUSIVE, 'guest A1', '198.19.1.14',
            ('network',), '30 pings', 'noisy')
        strict = sla.ExpectedPath(True)
        self.assertFalse(strict.add_iteration(self._iteration(row)))
        self.assertIn('-HNR under a dvr router: inconclusive (noisy)',
                      strict.details())
        lenient = sla.ExpectedPath({'allow_inconclusive': True})
        self.assertTrue(lenient.add_iteration(self._iteration(row)))

    def test_no_verdict_recorded_fails_with_the_fix(self):
        scenario = self._scenario(netperf.MeasurePair)
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='HNR', **FAST)
        criterion = sla.ExpectedPath(True)
        self.assertFalse(criterion.add_iteration(
            {'output': scenario._output}))
        self.assertIn('1 iteration(s) recorded no path verdict: give the '
                      'task the netperf_node_access context',
                      criterion.details())
        # Failed iterations are failure_rate's business.
        other = sla.ExpectedPath(True)
        self.assertTrue(other.add_iteration({'error': ['x'], 'output': {}}))
        self.assertFalse(other.merge(criterion))

    def test_schema(self):
        for good in (True, {}, {'allow_inconclusive': True}):
            self.assertEqual([], rally_sla.SLA.validate(
                'netperf_expected_path', None, None, good))
        for bad in (False, {'allow': True}):
            self.assertNotEqual([], rally_sla.SLA.validate(
                'netperf_expected_path', None, None, bad))
