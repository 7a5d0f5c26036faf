"""Scenario flow with fake clouds and guests answering captured output."""

from __future__ import annotations

import fixtures
from oslo_config import fixture as config_fixture
from rally import plugins
import testtools

from openstack_netperf import exceptions
from openstack_netperf import topology
from rally_netperf.contexts import compute_hosts
from rally_netperf.contexts import reference_network
from rally_netperf import records
from rally_netperf.scenarios import netperf
from tests.unit.rally import fakes

plugins.load()

FAST = {'duration': 2, 'omit': 1, 'ping_count': 12, 'ping_discard': 2,
        'ping_interval': 0.2, 'rounds': 3}


class ScenarioTestCase(testtools.TestCase):

    def setUp(self):
        super().setUp()
        fakes.fast_polling(self)
        self.runners = {}

        def fake_ssh(host, username, **kwargs):
            runner = fakes.FakeGuestRunner(
                kwargs['name'], missing=self.missing,
                unreachable=kwargs['name'] in self.unreachable)
            runner.host = host
            runner.username = username
            runner.kwargs = kwargs
            runner.jump = kwargs.get('jump')
            self.runners[kwargs['name']] = runner
            return runner

        self.missing = ()
        self.unreachable: set[str] = set()
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.guests.remote.SSHRunner', side_effect=fake_ssh))
        # The task's status in Rally's database, read by the abort watch.
        self.status_reads = 0
        self.task_status = lambda: 'running'

        def task_status(uuid):
            self.assertEqual('task-1', uuid)
            self.status_reads += 1
            return self.task_status()

        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.task_status', side_effect=task_status))

    def _scenario(self, cls, cloud=None, router_mode='dvr'):
        self.cloud = cloud or fakes.FakeCloud()
        ctx = self.cloud.context(
            netperf_topology={'router_mode': router_mode},
            netperf_compute_hosts={})
        compute_hosts.ComputeHosts(ctx).setup()
        reference_network.ReferenceTopology(ctx).setup()
        ctx['user'] = ctx['users'][0]
        ctx['tenant'] = ctx['tenants']['t1']
        ctx['iteration'] = 1
        return cls(context=ctx, admin_clients=self.cloud.clients,
                   clients=self.cloud.clients)

    @staticmethod
    def _atomics(scenario):
        return [a['name'] for a in scenario.atomic_actions()]

    def _client_runs(self):
        """iperf3 client runs so far, on every guest."""
        return sum(c.startswith('iperf3 -c') for r in self.runners.values()
                   for c in r.commands)


class MeasurePairTest(ScenarioTestCase):

    def test_flow_outputs_and_cleanup(self):
        scenario = self._scenario(netperf.MeasurePair)
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='-H-NR', **FAST)
        # Both servers pinned to their hosts, booted before any wait.
        boots = [s for s in self.cloud.nova.servers_by_id.values()]
        self.assertEqual([], boots, 'servers must be deleted')
        atomics = self._atomics(scenario)
        self.assertEqual(['netperf.boot_servers',
                          'netperf.create_floating_ips',
                          'netperf.wait_for_ssh', 'netperf.check_guests',
                          'netperf.fingerprint'],
                         atomics[:5])
        self.assertEqual(3, atomics.count('-H-NR iperf3_tcp_forward'))
        # The fake guests' runs agree at once: two warm-up runs, first.
        self.assertEqual(2, atomics.count('-H-NR iperf3_warmup'))
        self.assertLess(atomics.index('-H-NR iperf3_warmup'),
                        atomics.index('-H-NR iperf3_tcp_forward'))
        self.assertEqual(3, atomics.count('-H-NR ping_reverse'))
        self.assertEqual('netperf.delete_servers', atomics[-1])
        self.assertEqual({}, self.cloud.neutron.floatingips)
        # Guests were reached through their floating IPs.
        self.assertEqual({'198.18.100.100', '198.18.100.101'},
                         {r.host for r in self.runners.values()})
        figures = records.decode_figures(scenario._output)
        self.assertEqual(['inter_node_inter_subnet'],
                         [f.category.id for f in figures])
        self.assertIn('tcp_forward_mbps', figures[0].values)
        self.assertEqual(len(figures[0].rounds['tcp_forward_mbps']),
                         FAST['rounds'])
        self.assertTrue(figures[0].probes_ms)
        self.assertEqual(10.0, figures[0].values['warmup_seconds'])
        self.assertEqual(1.0, figures[0].values['warmup_settled'])
        # One category: no chart across categories.
        self.assertNotIn(records.CATEGORY_CHART_PLUGIN,
                         {a['chart_plugin']
                          for a in scenario._output['additive']})
        titles = [c['title'] for c in scenario._output['complete']]
        self.assertEqual(
            ['Cloud fingerprint',
             'Per-round figures | -H-NR (inter_node_inter_subnet)',
             'Per-second TCP throughput | -H-NR (inter_node_inter_subnet)',
             'Round-trip time per probe | -H-NR (inter_node_inter_subnet)',
             'What was measured | -H-NR (inter_node_inter_subnet)',
             'Path verdicts'], titles)
        # Without node access the iteration says so, once.
        self.assertEqual('TextArea',
                         scenario._output['complete'][5]['chart_plugin'])
        self.assertIsNone(records.decode_paths(scenario._output))
        facts = dict(scenario._output['complete'][4]['data']['rows'])
        self.assertEqual('dvr', facts['router mode'])
        self.assertEqual('False',
                         facts['expected to cross the network node'])
        self.assertEqual('1450', facts['path MTU in the source guest'])
        self.assertIn('A1 on compute-01', facts['source'])
        self.assertIn('B2 on compute-02', facts['target'])
        self.assertEqual('A1: 3.12, B2: 3.12', facts['iperf3 versions'])
        self.assertRegex(facts['warm-up before round 1'],
                         r'^settled: 2 run\(s\) in 10 s \([0-9.]+, '
                         r'[0-9.]+ Mbit/s\); forward TCP runs of 5 s until '
                         r'two in a row agree within 10%, at most 30 s$')

    def test_servers_pinned_and_booted_in_parallel(self):
        scenario = self._scenario(netperf.MeasurePair)
        created = []
        real_create = self.cloud.nova.servers.create

        def create(name, image, flavor, nics, **kwargs):
            # No server is polled before both were created.
            self.assertTrue(all(s.polls == 0 for s in created))
            server = real_create(name, image, flavor, nics, **kwargs)
            created.append(server)
            return server

        self.cloud.nova.servers.create = create
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='inter_node_intra_subnet', **FAST)
        self.assertEqual(['nova:compute-01', 'nova:compute-02'],
                         [s.kwargs['availability_zone'] for s in created])
        self.assertEqual({'img-0'}, {s.image for s in created})
        self.assertNotIn('config_drive', created[0].kwargs)

    def test_config_drive_on_request(self):
        scenario = self._scenario(netperf.MeasurePair)
        created = []
        real_create = self.cloud.nova.servers.create

        def create(*args, **kwargs):
            created.append(kwargs)
            return real_create(*args, **kwargs)

        self.cloud.nova.servers.create = create
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='HNR', config_drive=True, **FAST)
        self.assertEqual([True, True], [k['config_drive'] for k in created])
        self.assertEqual(['kp', 'kp'], [k['key_name'] for k in created])

    def test_missing_iperf3_fails_naming_image_and_deletes_servers(self):
        self.missing = ('iperf3',)
        scenario = self._scenario(netperf.MeasurePair)
        exc = self.assertRaises(exceptions.ToolMissing, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='HNR', **FAST)
        self.assertIn("image 'netperf-guest'", str(exc))
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_delete_failure_keeps_the_iteration_error(self):
        self.missing = ('iperf3',)
        scenario = self._scenario(netperf.MeasurePair)

        def broken(fip_id):
            raise RuntimeError('neutron is down')

        self.cloud.neutron.delete_floatingip = broken
        self.assertRaises(exceptions.ToolMissing, scenario.run,
                          image='netperf-guest', flavor='netperf.tiny',
                          category='HNR', **FAST)
        # The servers were still deleted after the floating IPs failed.
        self.assertEqual({}, self.cloud.nova.servers_by_id)

    def test_delete_failure_after_success_fails_the_iteration(self):
        scenario = self._scenario(netperf.MeasurePair)

        def broken(fip_id):
            raise RuntimeError('neutron is down')

        self.cloud.neutron.delete_floatingip = broken
        exc = self.assertRaises(exceptions.NetperfError, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='HNR', **FAST)
        self.assertIn('deleting the floating IP of A1: neutron is down',
                      str(exc))

    def test_boot_error_deletes_servers(self):
        cloud = fakes.FakeCloud()
        scenario = self._scenario(netperf.MeasurePair, cloud)
        cloud.nova.final_status = 'ERROR'
        # Deleted servers stay in ERROR for a while: still waited for.
        cloud.nova.delete_polls = 2
        exc = self.assertRaises(exceptions.BootFailed, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='HNR', **FAST)
        self.assertIn('Server for A1 on nova:compute-01 did not become '
                      'ACTIVE', str(exc))
        self.assertIn('has ERROR status', str(exc))
        self.assertEqual({}, cloud.nova.servers_by_id)

    def test_server_never_active_fails_in_time_and_is_deleted(self):
        cloud = fakes.FakeCloud()
        scenario = self._scenario(netperf.MeasurePair, cloud)
        cloud.nova.final_status = 'BUILD'
        self.useFixture(config_fixture.Config()).config(
            group='openstack', nova_server_boot_timeout=0.05)
        exc = self.assertRaises(exceptions.BootFailed, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='HNR', **FAST)
        self.assertIn('Server for A1 on nova:compute-01 did not become '
                      'ACTIVE: Rally tired waiting', str(exc))
        self.assertEqual({}, cloud.nova.servers_by_id)

    def test_unreachable_guest_error_explains_and_cleans_up(self):
        self.unreachable = {'guest A3'}
        scenario = self._scenario(netperf.MeasurePair)
        exc = self.assertRaises(exceptions.CommandTimeout, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='HNR', **FAST)
        message = str(exc)
        self.assertIn('guest A3: not reachable over SSH', message)
        self.assertIn('never reported ready', message)
        self.assertIn('DOWN, bound to compute-01 (vif type ovs)', message)
        self.assertIn('floating IP 198.18.100.101: ACTIVE', message)
        self.assertIn('    netperf-guest: booting 6.1', message)
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_one_compute_and_inter_node_category(self):
        scenario = self._scenario(netperf.MeasurePair,
                                  fakes.FakeCloud(computes=('compute-01',)))
        exc = self.assertRaises(exceptions.InvalidInput, scenario.run,
                                image='netperf-guest', flavor='netperf.tiny',
                                category='-HNR', **FAST)
        self.assertIn('-HNR need 2 compute hosts but 1', str(exc))

    def test_jump_host_reaches_fixed_ips(self):
        scenario = self._scenario(netperf.MeasurePair)
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='HNR', use_floating_ip=False,
                     jump_host={'host': '198.18.0.10', 'username': 'root'},
                     **FAST)
        guests = [r for n, r in self.runners.items()
                  if n.startswith('guest')]
        jump = self.runners['jump host 198.18.0.10']
        self.assertEqual({jump}, {g.jump for g in guests})
        self.assertTrue(all(g.host.startswith('198.19.') for g in guests))
        self.assertNotIn('netperf.create_floating_ips',
                         self._atomics(scenario))
        self.assertTrue(jump.closed)


class ReferenceTopologyTest(ScenarioTestCase):

    def test_boots_once_and_reports_every_category(self):
        scenario = self._scenario(netperf.MeasureReferenceTopology,
                                  router_mode='legacy')
        hints = []
        real_create = self.cloud.nova.servers.create

        def create(name, image, flavor, nics, **kwargs):
            hints.append(kwargs['availability_zone'])
            return real_create(name, image, flavor, nics, **kwargs)

        self.cloud.nova.servers.create = create
        scenario.run(image='netperf-guest', flavor='netperf.tiny', **FAST)
        # The seven VMs of thesis Table 4.4: A1, A3, B1, C1 on compute 1
        # and A2, B2, C2 on compute 2 (C1 is in no measured pair).
        self.assertEqual(4, hints.count('nova:compute-01'))
        self.assertEqual(3, hints.count('nova:compute-02'))
        atomics = self._atomics(scenario)
        self.assertEqual(1, atomics.count('netperf.boot_servers'))
        self.assertEqual(5, len(records.decode_figures(scenario._output)))
        table = scenario._output['complete'][-1]
        self.assertEqual('Results by category', table['title'])
        rows = {r[1]: r for r in table['data']['rows']}
        self.assertEqual(['HNR', 'H-NR', '-HNR', '-H-NR', '-H-N-R'],
                         list(rows))
        self.assertEqual('yes', rows['H-NR'][3])
        self.assertEqual('no', rows['HNR'][3])
        # The chart across categories: the last additive output, every
        # round of every category.
        chart = scenario._output['additive'][-1]
        self.assertEqual(records.CATEGORY_CHART_PLUGIN,
                         chart['chart_plugin'])
        charted = records.decode_category_chart([chart['data']])
        self.assertEqual(['HNR', 'H-NR', '-HNR', '-H-NR', '-H-N-R'],
                         [r.category.shorthand for r in charted])
        self.assertEqual({topology.RouterMode.LEGACY},
                         {r.router_mode for r in charted})
        self.assertEqual(FAST['rounds'],
                         len(charted[0].rounds['tcp_forward_mbps']))
        # No node access here: no path verdict to mark the bars with.
        self.assertEqual([[]] * 5, [r.verdicts for r in charted])
        self.assertEqual({}, self.cloud.nova.servers_by_id)

    def test_inter_router_pair_uses_floating_ips(self):
        scenario = self._scenario(netperf.MeasureReferenceTopology)
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     categories=['-H-N-R'], boot='needed',
                     use_floating_ip=False,
                     jump_host={'host': '198.18.0.10', 'username': 'root'},
                     **FAST)
        a1 = self.runners['guest A1']
        clients = [c for c in a1.commands if c.startswith('iperf3 -c')]
        self.assertTrue(clients[0].startswith('iperf3 -c 198.18.100.'))
        # boot: needed boots only the pair of the one category.
        self.assertEqual({'guest A1', 'guest C2', 'jump host 198.18.0.10'},
                         set(self.runners))


class AbortTest(ScenarioTestCase):
    """rally task abort and Ctrl-C stop between runs, keep what was done."""

    def setUp(self):
        super().setUp()
        # Read the status at every check here; the watch's own tests show
        # the reads rate limited.
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.CHECK_INTERVAL', 0))

    def _aborted(self, scenario, **args):
        """The Aborted error of a run of ``scenario`` with ``args``."""
        return self.assertRaises(
            exceptions.Aborted, scenario.run, image='netperf-guest',
            flavor='netperf.tiny', **dict(FAST, **args))

    def _abort_after(self, runs):
        """The task is aborted once ``runs`` iperf3 clients have run."""
        self.task_status = lambda: (
            'aborting' if self._client_runs() >= runs else 'running')

    def test_abort_stops_between_runs_and_reports_what_was_measured(self):
        scenario = self._scenario(netperf.MeasureReferenceTopology)
        # Per category: 2 warm-up runs and 2 per round.  Run 21 is round
        # 2's forward TCP of the third category (-HNR).
        self._abort_after(21)
        exc = self._aborted(scenario)
        self.assertEqual(
            'aborted by rally task abort after 2 of 5 categories; -HNR '
            'stopped after 1 of 3 rounds; the outputs hold what was '
            'measured so far', str(exc))
        # Stopped right there: no run after the one that saw the abort.
        self.assertEqual(21, self._client_runs())
        figures = records.decode_figures(scenario._output)
        self.assertEqual(['HNR', 'H-NR', '-HNR'],
                         [f.category.shorthand for f in figures])
        self.assertEqual([3, 3, 1], [len(f.rounds['tcp_forward_mbps'])
                                     for f in figures])
        self.assertEqual(3, len(exc.measured))
        table = scenario._output['complete'][-1]
        self.assertEqual('Results by category', table['title'])
        self.assertEqual(['HNR', 'H-NR', '-HNR'],
                         [r[1] for r in table['data']['rows']])
        facts = dict(scenario._output['complete'][-3]['data']['rows'])
        self.assertTrue(facts['rounds (median reported)'].startswith(
            '1 of 3 (aborted by rally task abort (stopped A1 to A2 before '
            'iperf3_tcp_reverse, after 1 of 3 rounds))'))
        # No chart across categories: Rally pairs the n-th additive
        # output of every iteration, an aborted one stops short of it.
        self.assertNotIn(records.CATEGORY_CHART_PLUGIN,
                         {a['chart_plugin']
                          for a in scenario._output['additive']})
        # Nothing left behind.
        self.assertEqual('netperf.delete_servers',
                         self._atomics(scenario)[-1])
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)
        self.assertTrue(all(r.closed for r in self.runners.values()))

    def test_abort_before_measuring(self):
        scenario = self._scenario(netperf.MeasurePair)
        # Aborted while the floating IPs were made.
        self.task_status = lambda: (
            'aborting' if self.cloud.neutron.floatingips else 'running')
        exc = self._aborted(scenario, category='HNR')
        self.assertEqual('aborted by rally task abort once the guests were '
                         'booted', str(exc))
        self.assertEqual({}, self.runners)
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_abort_stops_the_wait_for_servers(self):
        cloud = fakes.FakeCloud()
        scenario = self._scenario(netperf.MeasurePair, cloud)
        # Never ACTIVE within the test's patience: only the abort ends it.
        cloud.nova.final_status = 'BUILD'
        self._abort_after(0)
        exc = self._aborted(scenario, category='HNR')
        self.assertEqual('aborted by rally task abort while A1 on '
                         'nova:compute-01 booted', str(exc))
        self.assertEqual({}, cloud.nova.servers_by_id)

    def test_abort_stops_the_wait_for_ssh(self):
        scenario = self._scenario(netperf.MeasurePair)
        self.task_status = lambda: 'aborting' if self.runners else 'running'
        exc = self._aborted(scenario, category='HNR')
        self.assertRegex(str(exc), '^aborted by rally task abort while '
                         'waiting for guest A[13]$')
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_abort_in_the_first_round_reports_no_figures(self):
        scenario = self._scenario(netperf.MeasurePair)
        self._abort_after(3)
        exc = self._aborted(scenario, category='-HNR')
        self.assertEqual('aborted by rally task abort after 0 of 1 '
                         'categories; nothing was measured', str(exc))
        self.assertEqual([], records.decode_figures(scenario._output))
        self.assertEqual({}, self.cloud.nova.servers_by_id)

    def test_ctrl_c_stops_the_iteration_like_an_abort(self):
        scenario = self._scenario(netperf.MeasurePair)
        main = self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.threading.main_thread')).mock.return_value
        main.is_alive.side_effect = lambda: self._client_runs() < 5
        exc = self._aborted(scenario, category='-HNR')
        self.assertTrue(str(exc).startswith(
            'interrupted (Ctrl-C of rally task start) after 0 of 1 '
            'categories; -HNR stopped after 1 of 3 rounds'))
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_keyboard_interrupt_in_the_scenario_deletes_the_guests(self):
        # The serial runner runs the scenario in the main thread: Ctrl-C
        # raises there.
        scenario = self._scenario(netperf.MeasureReferenceTopology)
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.pair.run_ping', side_effect=KeyboardInterrupt))
        self.assertRaises(KeyboardInterrupt, scenario.run,
                          image='netperf-guest', flavor='netperf.tiny',
                          **FAST)
        self.assertEqual({}, self.cloud.nova.servers_by_id)
        self.assertEqual({}, self.cloud.neutron.floatingips)

    def test_status_read_between_runs_at_most_every_interval(self):
        self.useFixture(fixtures.MockPatch(
            'rally_netperf.abort.CHECK_INTERVAL', 3600))
        scenario = self._scenario(netperf.MeasureReferenceTopology)
        scenario.run(image='netperf-guest', flavor='netperf.tiny', **FAST)
        # Checked before each of the many runs, read once.
        self.assertEqual(1, self.status_reads)
