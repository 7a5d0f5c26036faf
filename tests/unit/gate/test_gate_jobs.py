"""What the gate jobs deploy and export: the ML2/OVS DVR wiring of both
nodes, the pipelines, the node key hand-over between the pre-run playbook
and the devstack plugin, and the Rally report artifacts."""

import configparser
import pathlib
import re
import unittest

import jinja2
import testtools
import yaml

ROOT = pathlib.Path(__file__).resolve().parents[3]
TEMPEST_JOB = 'openstack-netperf-tempest-dvr-multinode'
RALLY_JOB = 'openstack-netperf-rally-dvr-multinode'
THREE_NODE_JOB = 'openstack-netperf-tempest-dvr-three-node'
OVN_SERVICES = ('ovn-controller', 'ovs-vswitchd', 'ovsdb-server',
                'q-ovn-metadata-agent', 'q-ovn-agent')


def _zuul():
    return yaml.safe_load((ROOT / '.zuul.yaml').read_text())


def _jobs():
    return {item['job']['name']: item['job'] for item in _zuul()
            if 'job' in item}


UPSTREAM = yaml.safe_load((ROOT / 'tools/gate-upstream.yaml').read_text())


def _settings_default(name):
    text = (ROOT / 'devstack' / 'settings').read_text()
    m = re.search(r'^%s=\$\{%s:-([^}]*)\}' % (name, name), text, re.M)
    return m.group(1)


class DeploymentTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.jobs = _jobs()

    def controller(self, job):
        return self.jobs[job]['vars']

    def subnode(self, job):
        return self.jobs[job]['group-vars']['subnode']

    def test_both_jobs_deploy_the_same_cloud(self):
        tempest, rally = self.jobs[TEMPEST_JOB], self.jobs[RALLY_JOB]
        for key in ('devstack_services', 'devstack_local_conf',
                    'devstack_plugins'):
            self.assertEqual(tempest['vars'][key], rally['vars'][key])
        strip = lambda d: {k: v for k, v in d.items()  # noqa: E731
                           if k not in ('NETPERF_EXTRAS',
                                        'KEYSTONE_ADMIN_ENDPOINT')}
        self.assertEqual(strip(tempest['vars']['devstack_localrc']),
                         strip(rally['vars']['devstack_localrc']))
        self.assertEqual(tempest['group-vars'], rally['group-vars'])
        self.assertEqual(tempest['pre-run'], rally['pre-run'])
        self.assertEqual(tempest['required-projects'],
                         rally['required-projects'])

    def test_two_nodes(self):
        # The Tempest parent brings a two-node nodeset; the Rally job,
        # a child of plain devstack, names it.
        self.assertEqual('tempest-multinode-full-py3',
                         self.jobs[TEMPEST_JOB]['parent'])
        self.assertEqual('openstack-two-node-noble',
                         self.jobs[RALLY_JOB]['nodeset'])

    def test_ml2_ovs_replaces_ovn_on_both_nodes(self):
        for job in (TEMPEST_JOB, RALLY_JOB):
            for node in (self.controller(job), self.subnode(job)):
                self.assertEqual('openvswitch',
                                 node['devstack_localrc']['Q_AGENT'])
                self.assertEqual('vxlan', node['devstack_localrc'][
                    'Q_ML2_TENANT_NETWORK_TYPE'])
                services = node['devstack_services']
                for service in OVN_SERVICES:
                    self.assertIs(False, services[service], service)
                for service in ('q-agt', 'q-l3', 'q-meta'):
                    self.assertIs(True, services[service], service)
            services = self.controller(job)['devstack_services']
            self.assertIs(True, services['q-svc'])
            self.assertIs(True, services['q-dhcp'])
            self.assertIs(False, services['ovn-northd'])

    def _post_config(self, node):
        conf = node['devstack_local_conf']['post-config']
        return (conf['$NEUTRON_CONF'], conf['/$NEUTRON_CORE_PLUGIN_CONF'],
                conf['$NEUTRON_L3_CONF'])

    def test_controller_is_the_dvr_snat_network_node(self):
        for job in (TEMPEST_JOB, RALLY_JOB):
            node = self.controller(job)
            neutron, ml2, l3 = self._post_config(node)
            self.assertEqual('dvr_snat',
                             node['devstack_localrc']['Q_DVR_MODE'])
            self.assertEqual('dvr_snat', l3['DEFAULT']['agent_mode'])
            self.assertIs(True, neutron['DEFAULT']['router_distributed'])
            self.assertEqual('openvswitch,l2population',
                             ml2['ml2']['mechanism_drivers'])
            self.assertIs(True, ml2['agent']['enable_distributed_routing'])
            self.assertIs(True, ml2['agent']['l2_population'])

    def test_subnode_is_a_dvr_compute(self):
        for job in (TEMPEST_JOB, RALLY_JOB):
            node = self.subnode(job)
            neutron, ml2, l3 = self._post_config(node)
            self.assertEqual('dvr', node['devstack_localrc']['Q_DVR_MODE'])
            self.assertEqual('dvr', l3['DEFAULT']['agent_mode'])
            self.assertIs(True, neutron['DEFAULT']['router_distributed'])
            self.assertIs(True, ml2['agent']['enable_distributed_routing'])
            self.assertEqual('public:br-ex', ml2['ovs']['bridge_mappings'])
            self.assertIs(False, node['devstack_services']['netperf'])
            self.assertNotIn('openstack-netperf', node['devstack_plugins'])

    def test_plugin_runs_on_the_controller(self):
        for job in (TEMPEST_JOB, RALLY_JOB):
            node = self.controller(job)
            self.assertEqual('https://opendev.org/x/openstack-netperf',
                             node['devstack_plugins']['openstack-netperf'])
            self.assertIs(True, node['devstack_services']['netperf'])
            self.assertEqual('ssh',
                             node['devstack_localrc']['NETPERF_NODE_ACCESS'])

    def test_tempest_job_runs_only_the_plugin_tests_serially(self):
        vars_ = self.controller(TEMPEST_JOB)
        self.assertEqual(['openstack-netperf'], vars_['tempest_plugins'])
        self.assertEqual('all', vars_['tox_envlist'])
        self.assertEqual(1, vars_['tempest_concurrency'])
        regex = re.compile(vars_['tempest_test_regex'])
        self.assertTrue(regex.search('tempest_netperf.tests.scenario.x'))
        self.assertFalse(regex.search('tempest.api.network.test_ports'))

    def test_test_regex_selects_every_path_test(self):
        def ids(suite):
            for test in suite:
                if isinstance(test, unittest.TestSuite):
                    yield from ids(test)
                else:
                    yield test.id()

        found = list(ids(unittest.defaultTestLoader.discover(
            str(ROOT / 'tempest_netperf' / 'tests'), top_level_dir=str(ROOT))))
        self.assertTrue(found)
        regex = re.compile(self.controller(TEMPEST_JOB)['tempest_test_regex'])
        self.assertEqual([], [i for i in found if not regex.search(i)])

    def test_rally_job_creates_the_keystone_admin_endpoint(self):
        # devstack's default is no admin endpoint; Rally needs one
        self.assertIs(False, UPSTREAM['devstack_boolean_defaults'][
            'KEYSTONE_ADMIN_ENDPOINT']['default'])
        self.assertIs(True, self.controller(RALLY_JOB)['devstack_localrc'][
            'KEYSTONE_ADMIN_ENDPOINT'])

    def test_rally_job_sets_devstack_base_dir(self):
        # only a role default upstream, read by this job's playbooks
        self.assertIn('devstack_base_dir',
                      UPSTREAM['role_default_only_variables'])
        self.assertEqual('/opt/stack',
                         self.controller(RALLY_JOB)['devstack_base_dir'])

    def test_tempest_timeout_outlasts_two_guest_boots(self):
        timeout = self.controller(TEMPEST_JOB)['tempest_test_timeout']
        default = UPSTREAM['tempest_default_test_timeout']['seconds']
        boot = int(_settings_default('NETPERF_GUEST_BOOT_TIMEOUT'))
        self.assertGreater(timeout, default)
        self.assertGreater(timeout, 2 * boot)

    def _mirror(self, job, **site):
        """NETPERF_IMAGE_MIRROR as Ansible renders it with ``site`` vars."""
        env = jinja2.Environment(autoescape=False)  # nosec: test data
        vars_ = self.controller(job)
        fqdn = env.from_string(vars_['netperf_mirror_fqdn']).render(**site)
        return env.from_string(
            vars_['devstack_localrc']['NETPERF_IMAGE_MIRROR']).render(
                netperf_mirror_fqdn=fqdn.strip(), **site)

    def test_image_uses_the_ci_site_mirror(self):
        for job in (TEMPEST_JOB, RALLY_JOB):
            self.assertEqual('http://mirror.r.c.opendev.org/debian',
                             self._mirror(job, zuul_site_mirror_fqdn=(
                                 'mirror.r.c.opendev.org')))
            self.assertEqual('http://m.example/debian', self._mirror(
                job, zuul_site_mirror_fqdn='mirror.r.c.opendev.org',
                mirror_fqdn='m.example'))
            self.assertEqual('', self._mirror(job))

    def test_rally_job_installs_the_rally_extra(self):
        self.assertEqual('rally', self.controller(RALLY_JOB)[
            'devstack_localrc']['NETPERF_EXTRAS'])
        self.assertEqual('', self.controller(TEMPEST_JOB)[
            'devstack_localrc']['NETPERF_EXTRAS'])

    def test_check_and_gate_run_both_jobs(self):
        project = [i['project'] for i in _zuul() if 'project' in i][0]
        for pipeline in ('check', 'gate'):
            self.assertEqual([TEMPEST_JOB, RALLY_JOB],
                             project[pipeline]['jobs'])
        self.assertEqual([THREE_NODE_JOB], project['experimental']['jobs'])

    def test_three_node_job_has_a_dedicated_network_node(self):
        job = self.jobs[THREE_NODE_JOB]
        self.assertEqual(TEMPEST_JOB, job['parent'])
        # neutron's three-node Noble nodeset: devstack has none
        nodeset = UPSTREAM['nodesets'][job['nodeset']]
        self.assertEqual('neutron-three-node-noble', job['nodeset'])
        self.assertEqual('openstack/neutron:zuul.d/tempest-multinode.yaml',
                         nodeset['source'])
        self.assertEqual(3, len(nodeset['nodes']))
        # Zuul merges these into the parent's vars: the controller keeps
        # dvr_snat and loses its compute.
        self.assertEqual({'n-cpu': False}, job['vars']['devstack_services'])
        conf = job['vars']['devstack_local_conf']['test-config']
        self.assertEqual(2, conf['$TEMPEST_CONFIG']['compute'][
            'min_compute_nodes'])
        self.assertNotIn('group-vars', job)


class DocumentationTest(testtools.TestCase):

    def test_every_plugin_setting_is_documented(self):
        settings = set(re.findall(
            r'^(NETPERF_[A-Z_]+)=',
            (ROOT / 'devstack' / 'settings').read_text(), re.M))
        doc = (ROOT / 'doc' / 'source' / 'user' / 'gate.rst').read_text()
        self.assertTrue(settings)
        self.assertEqual(set(), {s for s in settings
                                 if '``%s``' % s not in doc})

    def test_the_documented_jobs_exist(self):
        doc = (ROOT / 'doc' / 'source' / 'user' / 'gate.rst').read_text()
        jobs = set(_jobs())
        documented = set(re.findall(r'openstack-netperf-[a-z-]+', doc))
        self.assertEqual(jobs, documented)


class KeyHandOverTest(testtools.TestCase):
    """The pre-run playbook writes what the plugin reads."""

    def setUp(self):
        super().setUp()
        self.playbook = (ROOT / 'playbooks/netperf-pre.yaml').read_text()

    def test_node_key_path(self):
        key = _settings_default('NETPERF_NODE_KEY_FILE')
        plays = yaml.safe_load(self.playbook)
        conf_dir = plays[0]['vars']['netperf_conf_dir']
        self.assertEqual(key, conf_dir + '/node_key')
        self.assertIn('-f {{ netperf_conf_dir }}/node_key', self.playbook)

    def test_node_addresses_path_and_format(self):
        path = _settings_default('NETPERF_NODE_ADDRESSES_FILE')
        plays = yaml.safe_load(self.playbook)
        task = plays[-1]['tasks'][-1]['copy']
        self.assertEqual(path, task['dest'].replace(
            '{{ netperf_conf_dir }}', plays[-1]['vars']['netperf_conf_dir']))
        # "host address" lines, as lib/netperf's awk reads them
        self.assertIn('{{ hostvars[host].netperf_hostname.stdout }} '
                      '{{ hostvars[host].nodepool.private_ipv4 }}',
                      task['content'])

    def test_key_readable_by_the_tempest_and_stack_users(self):
        plays = yaml.safe_load(self.playbook)
        tasks = {t['name']: t for t in plays[0]['tasks']}
        perms = tasks['Let the netperf group read the node key']['file']
        self.assertEqual(('root', 'netperf', '0640'),
                         (perms['owner'], perms['group'], perms['mode']))
        users = tasks['Add the stack and tempest users to it']
        self.assertEqual(['stack', 'tempest'], users['loop'])


class RallyPlaybookTest(testtools.TestCase):
    """The run playbook calls netperf-rally-task as the post one expects."""

    def setUp(self):
        super().setUp()
        run = yaml.safe_load(
            (ROOT / 'playbooks/netperf-rally-run.yaml').read_text())
        self.play = run[-1]
        self.task = [t for t in self.play['tasks'] if 'command' in t][0]
        self.post = yaml.safe_load(
            (ROOT / 'playbooks/netperf-rally-post.yaml').read_text())

    def test_reports_are_the_files_the_post_playbook_exports(self):
        self.assertIn('--report {{ netperf_rally_results_dir }}/'
                      'netperf-report', ' '.join(self.task['command'].split()))
        stat = [t for t in self.post[0]['tasks'] if 'stat' in t][0]
        self.assertEqual({'netperf-report.html', 'netperf-report.json',
                          'netperf-report-summary.html'},
                         {item['file'] for item in stat['loop']})

    def test_credentials_come_from_devstack_openrc(self):
        self.assertEqual('netperf-rally-task', self.task['command'].split()[0])
        self.assertIn('--from-sysenv', self.task['command'])
        self.assertEqual(['get-devstack-os-environment'], self.play['roles'])
        self.assertIs(True, self.play['vars']['openrc_enable_export'])
        self.assertIn('tox_environment', self.task['environment'])
        self.assertIn("devstack_base_dir + '/data/venv/bin",
                      ' '.join(self.task['environment'].split()))

    def test_the_console_script_is_declared(self):
        setup = configparser.ConfigParser()
        setup.read(ROOT / 'setup.cfg')
        self.assertIn('netperf-rally-task = rally_netperf.run_task:main',
                      setup['entry_points']['console_scripts'])


class ToxTest(testtools.TestCase):

    def test_constraints_come_from_the_ci_without_a_default_url(self):
        tox = configparser.ConfigParser(interpolation=None)
        tox.read(ROOT / 'tox.ini')
        self.assertEqual('{env:TOX_CONSTRAINTS_FILE:}',
                         tox['testenv']['constraints'])
        self.assertGreaterEqual(
            tuple(int(x) for x in tox['tox']['minversion'].split('.')),
            (4, 28, 0))


class GateTaskArgsTest(testtools.TestCase):
    """samples/netperf.yaml rendered with the gate's args, as Rally does."""

    def setUp(self):
        super().setUp()
        task = ROOT / 'samples' / 'netperf.yaml'
        from rally import api
        args = yaml.safe_load(
            (ROOT / 'playbooks/files/netperf-gate-args.yaml').read_text())
        rendered = api._Task(None).render_template(
            task.read_text(), template_dir=str(task.parent), **args)
        self.task = yaml.safe_load(rendered)
        self.workloads = [w for s in self.task['subtasks']
                          for w in s['workloads']]

    def test_boots_the_plugin_image_and_flavor_with_short_runs(self):
        self.assertTrue(self.workloads)
        for workload in self.workloads:
            (args,) = workload['scenario'].values()
            self.assertEqual(('netperf-guest', 'netperf.tiny', 'root'),
                             (args['image'], args['flavor'],
                              args['ssh_user']))
            self.assertLessEqual(args['duration'] + args['omit'], 10)
            self.assertEqual(1, args['rounds'])

    def test_covers_legacy_and_dvr_routers_on_devstack_public_network(self):
        modes = {w['contexts']['netperf_topology']['router_mode']
                 for w in self.workloads}
        self.assertEqual({'legacy', 'dvr'}, modes)
        for workload in self.workloads:
            self.assertEqual('public', workload['contexts'][
                'netperf_topology']['external_network'])

    def test_slas_are_loose_but_present(self):
        for workload in self.workloads:
            sla = workload['sla']
            self.assertEqual(0, sla['failure_rate']['max'])
            self.assertLessEqual(sla['netperf_min_throughput'], 10)
            self.assertGreaterEqual(sla['netperf_max_latency']['p95'], 100)
