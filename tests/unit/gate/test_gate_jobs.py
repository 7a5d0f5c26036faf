"""What the gate jobs deploy and export: the ML2/OVS DVR wiring of both
nodes, the pipelines, the node key hand-over between the pre-run playbook
and the devstack plugin, and the Rally report artifacts."""

import os
import pathlib
import re
import shutil
import subprocess
import tempfile
import textwrap
import unittest

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
                           if k != 'NETPERF_EXTRAS'}
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
        self.assertEqual('openstack-three-node-noble', job['nodeset'])
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


FAKE_RALLY = textwrap.dedent('''\
    #!/bin/bash
    echo "rally $*" >>"$CALLS"
    case "$1 $2" in
        "env show") exit 1 ;;
        "task start") exit "${START_RC:-0}" ;;
        "task list") echo 11111111-2222; echo 33333333-4444 ;;
        "task report")
            while [[ $# -gt 0 ]]; do
                [[ $1 == --out ]] && echo report >"$2"
                shift
            done ;;
        "task sla-check") echo "SLA ok" ;;
    esac
    exit 0
    ''')


class RallyScriptTest(testtools.TestCase):
    """playbooks/files/netperf-rally.sh with a fake rally."""

    def setUp(self):
        super().setUp()
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='netperf-rally-'))
        self.addCleanup(shutil.rmtree, self.tmp)
        (self.tmp / 'bin').mkdir()
        rally = self.tmp / 'bin' / 'rally'
        rally.write_text(FAKE_RALLY)
        rally.chmod(0o755)
        (self.tmp / 'devstack').mkdir()
        (self.tmp / 'devstack' / 'openrc').write_text(
            'export OS_AUTH_URL=https://keystone.example/identity\n')
        self.task = self.tmp / 'task.yaml'
        self.args = self.tmp / 'args.yaml'
        self.task.write_text('{}\n')
        self.args.write_text('{}\n')
        self.results = self.tmp / 'results'

    def run_script(self, *args, start_rc=0):
        env = dict(os.environ, CALLS=str(self.tmp / 'calls'),
                   START_RC=str(start_rc),
                   DEVSTACK_DIR=str(self.tmp / 'devstack'),
                   PATH='%s:%s' % (self.tmp / 'bin', os.environ['PATH']))
        proc = subprocess.run(
            ['bash', str(ROOT / 'playbooks/files/netperf-rally.sh')]
            + [str(a) for a in args],
            env=env, capture_output=True, text=True, timeout=60)
        calls = self.tmp / 'calls'
        return proc, calls.read_text().splitlines() if calls.exists() else []

    def test_start_creates_the_env_runs_the_task_and_records_it(self):
        proc, calls = self.run_script('start', self.task, self.args,
                                      self.results)
        self.assertEqual(0, proc.returncode, proc.stderr)
        self.assertEqual([
            'rally db ensure',
            'rally env show netperf-gate',
            'rally env create --name netperf-gate --from-sysenv',
            'rally env check --env netperf-gate',
            'rally task start --task %s --task-args-file %s --env '
            'netperf-gate --tag netperf-gate' % (self.task, self.args),
            'rally task list --uuids-only --env netperf-gate --tag '
            'netperf-gate'], calls)
        self.assertEqual('33333333-4444\n',
                         (self.results / 'task-uuid').read_text())

    def test_start_keeps_the_sla_exit_code(self):
        proc, _ = self.run_script('start', self.task, self.args,
                                  self.results, start_rc=2)
        self.assertEqual(2, proc.returncode)
        self.assertTrue((self.results / 'task-uuid').exists())

    def test_report_writes_what_the_post_playbook_exports(self):
        self.results.mkdir()
        (self.results / 'task-uuid').write_text('33333333-4444\n')
        proc, calls = self.run_script('report', self.results)
        self.assertEqual(0, proc.returncode, proc.stderr)
        post = yaml.safe_load(
            (ROOT / 'playbooks/netperf-rally-post.yaml').read_text())
        stat = [t for t in post[0]['tasks'] if 'stat' in t][0]
        exported = {item['file'] for item in stat['loop']}
        self.assertEqual({'netperf-report.html', 'netperf-report.json'},
                         exported)
        for name in exported:
            self.assertTrue((self.results / name).exists(), name)
        self.assertIn('rally task report --uuid 33333333-4444 --html-static '
                      '--out %s/netperf-report.html' % self.results, calls)

    def test_report_without_a_task_says_so(self):
        self.results.mkdir()
        proc, _ = self.run_script('report', self.results)
        self.assertEqual(1, proc.returncode)
        self.assertIn('did the task start?', proc.stderr)

    def test_missing_task_file(self):
        proc, calls = self.run_script('start', self.tmp / 'none.yaml',
                                      self.args, self.results)
        self.assertEqual(1, proc.returncode)
        self.assertIn('Cannot read %s/none.yaml' % self.tmp, proc.stderr)
        self.assertEqual([], calls)

    def test_usage(self):
        proc, _ = self.run_script('stop')
        self.assertEqual(64, proc.returncode)
        self.assertIn('usage:', proc.stderr)


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
