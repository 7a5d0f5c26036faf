"""Run the path tests against an in-memory cloud.

The guests and the counters are faked (no cloud here), everything else is
the real test code run by testtools: which resources each test builds,
where it pins the guests, what it sends where, what verdict it expects,
how it fails, and that its cleanups leave nothing behind -- also when it
fails half-way.
"""

import re
from unittest import mock

from tempest import test as tempest_test
import testtools

from openstack_netperf import exceptions
from openstack_netperf.hosts import probe
from openstack_netperf.hosts import verdict
from openstack_netperf import remote
from tempest_netperf.tests.scenario import base as scenario_base
from tempest_netperf.tests.scenario import test_paths
from tempest_netperf.tests.scenario import test_placement
from tests.unit.hosts import fakes
from tests.unit.hosts import test_cloud_facts
from tests.unit.tempest import base
from tests.unit.tempest import fake_cloud
from tests.unit.tempest import test_skips

# What setUp replaces, for the tests of the real ones.
REAL_LOGIN = scenario_base.NetperfScenarioTest.login
REAL_SOURCE_ADDRESS = scenario_base.source_address


class FakeGuest:
    """A logged-in guest: answers the warm-up ping, records commands."""

    def __init__(self, address, via=None):
        self.name = 'guest %s' % address
        self.address = address
        self.via = via
        self.commands = []

    def run(self, command, timeout=None, check=True):
        line = remote.to_shell(command)
        self.commands.append(line)
        return remote.CommandResult(line, 0, '', '')

    def close(self):
        pass


class ScenarioTestBase(base.TempestConfigTestCase):

    def setUp(self):
        super().setUp()
        self.set_netperf(node_access='ssh', public_network_id='ext-net',
                         image_ref='image-1', flavor_ref='flavor-1')
        self.cloud = fake_cloud.FakeCloud(
            agents=test_cloud_facts.dvr_cloud_agents())
        for name in ('wait_for_server_status',
                     'wait_for_server_termination'):
            self.patch(scenario_base.waiters, name, mock.Mock())
        self.guests = []
        self.patch(scenario_base.NetperfScenarioTest, 'login',
                   self.fake_login)
        self.measured = []
        self.outcome = self.right_path
        self.patch(probe, 'measure_path', self.fake_measure)
        self.patch(probe.PingBurst, 'result',
                   lambda burst: mock.Mock(total_sent=3000,
                                           total_received=2990))
        # As in the sandbox: this machine is on the external subnet.
        self.source = '198.18.100.2'
        self.patch(scenario_base, 'source_address',
                   lambda destination: self.source)

    def patch(self, target, name, new):
        patcher = mock.patch.object(target, name, new)
        patcher.start()
        self.addCleanup(patcher.stop)

    def fake_login(self, guest, keypair, via=None):
        runner = FakeGuest(guest.floating_ip or guest.fixed_ip, via)
        self.guests.append((guest, runner))
        return runner

    @staticmethod
    def right_path(expected):
        return (verdict.PathVerdict.CROSSED if expected
                else verdict.PathVerdict.NOT_CROSSED)

    def fake_measure(self, runner_for, targets, send, expected, network,
                     computes, quiet_seconds, noise_factor):
        burst = send()
        self.measured.append({'targets': targets, 'expected': expected,
                              'network': network, 'computes': computes,
                              'burst': burst, 'quiet': quiet_seconds,
                              'factor': noise_factor})
        return verdict.Verdict(self.outcome(expected), expected,
                               'faked evidence', (), ())

    def run_case(self, test_class, name, clients=None):
        cloud = self.cloud

        class Case(test_class):
            networks_client = subnets_client = routers_client = cloud
            ports_client = floating_ips_client = cloud
            security_groups_client = security_group_rules_client = cloud
            servers_client = keypairs_client = cloud
            services_client = agents_client = extensions_client = (
                clients or test_skips.FakeAdminClients(
                    [test_cloud_facts.service('compute-01'),
                     test_cloud_facts.service('compute-02')],
                    test_cloud_facts.dvr_cloud_agents(), ['router', 'dvr']))

        Case.discover_cloud()
        Case._BaseTestCase__setupclass_called = True
        case = Case(name)
        result = testtools.TestResult()
        case.run(result)
        # The class was never set up for real: nothing to tear down.
        tempest_test.at_exit_set.discard(Case)
        self.assertEqual({}, self.cloud.remaining(),
                         'resources left behind by %s' % name)
        return result

    def assertPassed(self, result):
        problems = result.errors + result.failures
        self.assertEqual([], [str(detail) for _, detail in problems])
        self.assertTrue(result.wasSuccessful())

    def sent_commands(self):
        return [line for _, guest in self.guests
                for line in guest.commands]


class EastWestTest(ScenarioTestBase):

    def test_inter_node_inter_subnet_dvr(self):
        self.assertPassed(self.run_case(
            test_paths.EastWestPathTest, 'test_inter_node_inter_subnet_dvr'))
        (measured,) = self.measured
        self.assertFalse(measured['expected'])
        self.assertEqual(['network'], measured['network'])
        self.assertEqual(['compute-01', 'compute-02'], measured['computes'])
        self.assertEqual(verdict.Burst(3000, 1000), measured['burst'])
        self.assertEqual((5.0, 10.0), (measured['quiet'],
                                       measured['factor']))
        prefixes = measured['targets'][0].namespace_prefixes
        self.assertEqual('fip-', prefixes[0])
        self.assertTrue(prefixes[1].startswith('qrouter-router-'))
        # One guest logged in (the source), pinging the other's fixed IP
        # on subnet B (198.19.12.0/24) after a warm-up.
        ((guest, runner),) = self.guests
        self.assertEqual('compute-01', guest.host)
        self.assertTrue(guest.fixed_ip.startswith('198.19.11.'))
        warm_up, burst = runner.commands
        target = re.search(r'(198\.19\.12\.\d+)', burst).group(1)
        self.assertEqual('env LC_ALL=C ping -c 1 -i 1 -w 2 %s' % target,
                         warm_up)
        self.assertRegex(burst, r'^env LC_ALL=C ping -c 3000 -i 0.01 -s 1000 '
                                r'-w 70 %s >/tmp/netperf-burst-\w+.txt 2>&1$'
                         % re.escape(target))

    def test_intra_node_intra_subnet_legacy_pins_both_to_one_host(self):
        self.set_netperf(config_drive=True)
        hosts = []
        original = fake_cloud.FakeCloud.create_server

        def create_server(cloud, **kwargs):
            hosts.append(kwargs['availability_zone'])
            self.assertTrue(kwargs['config_drive'])
            return original(cloud, **kwargs)

        with mock.patch.object(fake_cloud.FakeCloud, 'create_server',
                               create_server):
            self.assertPassed(self.run_case(
                test_paths.EastWestPathTest,
                'test_intra_node_intra_subnet_legacy'))
        self.assertEqual(['nova:compute-01', 'nova:compute-01'], hosts)
        self.assertEqual(['compute-01'], self.measured[0]['computes'])
        self.assertFalse(self.measured[0]['expected'])

    def test_inter_router_goes_through_floating_ips(self):
        self.assertPassed(self.run_case(
            test_paths.EastWestPathTest,
            'test_inter_node_inter_router_legacy'))
        (measured,) = self.measured
        self.assertTrue(measured['expected'])
        prefixes = measured['targets'][0].namespace_prefixes
        self.assertEqual(5, len(prefixes), prefixes)  # fip- + 2 routers
        burst = self.sent_commands()[-1]
        self.assertIn(' 198.18.100.', burst)

    def test_wrong_path_fails_with_the_evidence_and_cleans_up(self):
        self.outcome = lambda expected: self.right_path(not expected)
        result = self.run_case(test_paths.EastWestPathTest,
                               'test_inter_node_inter_subnet_legacy')
        (failure,) = [detail for _, detail in result.failures]
        self.assertIn('took the wrong path', str(failure))
        self.assertIn('2990 answered', str(failure))
        self.assertIn('verdict: not crossed (expected: crossed)',
                      str(failure))

    def test_inconclusive_fails(self):
        self.outcome = lambda expected: verdict.PathVerdict.INCONCLUSIVE
        result = self.run_case(test_paths.EastWestPathTest,
                               'test_intra_node_inter_subnet_dvr')
        (failure,) = [detail for _, detail in result.failures]
        self.assertIn('inconclusive path evidence', str(failure))

    def test_error_half_way_still_cleans_up(self):
        with mock.patch.object(fake_cloud.FakeCloud, 'create_floatingip',
                               side_effect=RuntimeError('quota exceeded')):
            result = self.run_case(test_paths.EastWestPathTest,
                                   'test_inter_node_inter_subnet_dvr')
        (error,) = [detail for _, detail in result.errors]
        self.assertIn('quota exceeded', str(error))

    def test_guest_on_the_wrong_host_fails(self):
        original = fake_cloud.FakeCloud.create_server

        def misplaced(cloud, **kwargs):
            kwargs['availability_zone'] = 'nova:compute-02'
            return original(cloud, **kwargs)

        with mock.patch.object(fake_cloud.FakeCloud, 'create_server',
                               misplaced):
            result = self.run_case(test_paths.EastWestPathTest,
                                   'test_intra_node_intra_subnet_dvr')
        (failure,) = [detail for _, detail in result.failures]
        self.assertIn('was pinned to nova:compute-01 but runs on '
                      'compute-02', str(failure))

    def test_skip_is_a_skip_not_a_failure(self):
        clients = test_skips.FakeAdminClients(
            [test_cloud_facts.service('compute-01')],
            test_cloud_facts.dvr_cloud_agents(('compute-01',)), ['router'])
        result = self.run_case(test_paths.EastWestPathTest,
                               'test_inter_node_inter_subnet_dvr', clients)
        self.assertTrue(result.wasSuccessful())
        self.assertEqual(['Neutron has no "dvr" extension: no distributed '
                          'routers'], list(result.skip_reasons))
        self.assertEqual([], self.measured)


class NorthSouthTest(ScenarioTestBase):

    def test_snat_goes_through_a_jump_guest_to_the_external_gateway(self):
        self.assertPassed(self.run_case(test_paths.NorthSouthPathTest,
                                        'test_snat_dvr'))
        (measured,) = self.measured
        self.assertTrue(measured['expected'])
        (jump_guest, jump), (inner_guest, inner) = self.guests
        self.assertIsNotNone(jump_guest.floating_ip)
        self.assertIsNone(inner_guest.floating_ip)
        self.assertIs(jump, inner.via)
        self.assertEqual([], jump.commands)
        self.assertTrue(inner.commands[-1].endswith('2>&1'))
        self.assertIn(' 198.18.100.1 ', inner.commands[-1])

    def test_dnat_is_sent_from_the_tempest_host(self):
        sent = []

        def local_run(runner, command, timeout=None, check=True):
            sent.append((runner.name, remote.to_shell(command)))
            return remote.CommandResult('', 0, '', '')

        with mock.patch.object(remote.LocalRunner, 'run', local_run):
            self.assertPassed(self.run_case(test_paths.NorthSouthPathTest,
                                            'test_dnat_dvr'))
        self.assertFalse(self.measured[0]['expected'])
        ((guest, _),) = self.guests
        self.assertEqual({'tempest host'}, {name for name, _ in sent})
        self.assertIn(' %s ' % guest.floating_ip, sent[-1][1])


class SecurityGroupTest(ScenarioTestBase):
    """The guests admit SSH and ICMP only from where the tests come."""

    TENANT = ['198.19.11.0/24', '198.19.12.0/24', '198.19.13.0/24']

    def admitted(self, name='test_inter_node_inter_router_dvr'):
        self.assertPassed(self.run_case(test_paths.EastWestPathTest, name))
        by_source = {}
        for rule in self.cloud.created_rules:
            self.assertEqual(('ingress', 'IPv4'),
                             (rule['direction'], rule['ethertype']))
            by_source.setdefault(rule['remote_ip_prefix'], set()).add(
                (rule['protocol'], rule.get('port_range_min'),
                 rule.get('port_range_max')))
        for source, rules in by_source.items():
            self.assertEqual({('icmp', None, None), ('tcp', 22, 22)}, rules,
                             source)
        return list(by_source)

    def test_tenant_and_external_subnets_when_this_host_is_on_it(self):
        self.assertEqual(self.TENANT + ['198.18.100.0/24'], self.admitted())

    def test_this_host_and_client_cidrs_from_outside(self):
        self.source = '203.0.113.7'
        self.set_netperf(client_cidrs=['192.0.2.0/24', '198.18.100.9'])
        self.assertEqual(self.TENANT + ['198.18.100.0/24', '192.0.2.0/24',
                                        '203.0.113.7/32'], self.admitted())

    def test_anywhere_only_when_this_side_is_unknown(self):
        self.source = None
        with self.assertLogs(scenario_base.LOG.logger, 'WARNING') as logs:
            self.assertEqual(['0.0.0.0/0'],
                             self.admitted('test_intra_node_intra_subnet_dvr'))
        self.assertIn('no route from here to external network ext-net',
                      logs.output[0])
        self.set_netperf(client_cidrs=['192.0.2.7'])
        self.cloud.created_rules.clear()
        self.assertNotIn('0.0.0.0/0',
                         self.admitted('test_intra_node_intra_subnet_dvr'))

    def test_source_address_looks_the_route_up(self):
        self.assertEqual('127.0.0.1', REAL_SOURCE_ADDRESS('127.0.0.1'))
        self.assertIsNone(REAL_SOURCE_ADDRESS('::1'))


class UnreachableGuestTest(ScenarioTestBase):

    def test_failure_explains_with_console_port_and_fip(self):
        self.set_netperf(guest_boot_timeout=10)
        self.patch(scenario_base.NetperfScenarioTest, 'login', REAL_LOGIN)

        def never_ready(runner, timeout):
            raise exceptions.CommandTimeout('%s: not reachable over SSH after '
                                            '%ds' % (runner.name, timeout))

        self.patch(remote.SSHRunner, 'wait_until_ready', never_ready)
        self.patch(remote.SSHRunner, '_load_key',
                   staticmethod(lambda text: mock.Mock()))
        result = self.run_case(test_paths.NorthSouthPathTest,
                               'test_dnat_legacy')
        ((_, detail),) = result.failures
        message = str(detail)
        self.assertRegex(message, r'guest 198\.18\.100\.\d+: not reachable '
                         r'over SSH after 10s')
        self.assertRegex(message, r'port port-\d+: ACTIVE, bound to '
                         r'compute-0\d \(vif type ovs\)')
        self.assertRegex(message, r'floating IP 198\.18\.100\.\d+: DOWN')
        self.assertIn('the guest reported ready', message)
        self.assertIn('network path to it is the suspect', message)
        self.assertEqual([], self.measured)


class PlacementTest(ScenarioTestBase):

    def node_runner(self, namespaces, flows=''):
        outputs = {'ip -j netns list': namespaces}
        for bridge in ('br-int', 'br-tun'):
            outputs['ovs-ofctl -O OpenFlow13 dump-flows %s' % bridge] = flows
        return fakes.FakeRunner(outputs)

    def test_legacy_namespace_only_on_the_hosting_node(self):
        runners = {}

        def runner(nodes, host):
            router = next(iter(self.cloud.routers))
            names = (['qrouter-' + router] if host == 'network' else [])
            runners[host] = self.node_runner(
                '[%s]' % ','.join('{"name": "%s"}' % n for n in names))
            return runners[host]

        with mock.patch('openstack_netperf.hosts.access.NodeAccess.runner',
                        runner):
            self.assertPassed(self.run_case(
                test_placement.RouterPlacementTest,
                'test_legacy_router_namespace_only_on_network_node'))
        self.assertEqual({'network', 'compute-01'}, set(runners))

    def test_missing_dvr_flows_fail(self):
        self.set_netperf(command_timeout=1.0)  # how long flows are awaited
        with mock.patch('openstack_netperf.hosts.access.NodeAccess.runner',
                        lambda nodes, host: self.node_runner(
                            '[]', fakes.capture('dump-flows-br-int.txt'))):
            result = self.run_case(test_placement.RouterPlacementTest,
                                   'test_dvr_flows_on_computes')
        (failure,) = [detail for _, detail in result.failures]
        self.assertIn('DVR flows for gateway fa:16:3e:', str(failure))
        self.assertIn('br-int: 0 flow(s)', str(failure))

    def test_dvr_namespaces_where_dvr_puts_them(self):
        def runner(nodes, host):
            router = next(iter(self.cloud.routers))
            names = {'network': ['snat-' + router, 'qrouter-' + router],
                     'compute-01': ['qrouter-' + router, 'fip-ext-net'],
                     'compute-02': ['qrouter-' + router]}[host]
            return self.node_runner(
                '[%s]' % ','.join('{"name": "%s"}' % n for n in names))

        with mock.patch('openstack_netperf.hosts.access.NodeAccess.runner',
                        runner):
            self.assertPassed(self.run_case(
                test_placement.RouterPlacementTest,
                'test_dvr_router_namespaces'))

    def test_dvr_flows_found_on_both_bridges(self):
        def runner(nodes, host):
            flows = '\n'.join(
                ' cookie=0x1, duration=1.0s, table=1, n_packets=0, '
                'n_bytes=0, priority=20,ip,dl_vlan=1 '
                'actions=set_field:%s->eth_src,goto_table:60'
                % port['mac_address'] for port in self.cloud.ports.values()
                if port['device_owner'].endswith('_distributed'))
            return self.node_runner('[]', flows)

        with mock.patch('openstack_netperf.hosts.access.NodeAccess.runner',
                        runner):
            self.assertPassed(self.run_case(
                test_placement.RouterPlacementTest,
                'test_dvr_flows_on_computes'))
