"""Tests of tools/check-gate-files.py and its gatecheck package: the
repository passes, and each kind of mistake in a copy of its gate files is
reported."""

import contextlib
import io
import os
import pathlib
import shutil
import subprocess
import tempfile
import textwrap

import testtools
import yaml

from tests.unit import tools

ROOT = pathlib.Path(__file__).resolve().parents[3]
HAVE_SHELLCHECK = shutil.which('shellcheck') is not None
NO_SHELLCHECK = ('shellcheck is not installed (tools/install-prereqs.sh '
                 'installs it)')


check = tools.load('check-gate-files.py')
facts = tools.load_module('gatecheck.facts')
playbooks = tools.load_module('gatecheck.playbooks')
shell = tools.load_module('gatecheck.shell')


class RepositoryTest(testtools.TestCase):

    def test_the_gate_files_of_this_repository_pass(self):
        self.assertEqual([], check.run_checks(ROOT, shellcheck=False))

    def test_the_shell_of_this_repository_passes_shellcheck(self):
        if not HAVE_SHELLCHECK:
            self.skipTest(NO_SHELLCHECK)
        self.assertEqual([], list(shell.check_shell(ROOT)))

    def test_the_checked_shell_covers_the_plugin_and_playbooks(self):
        names = {str(p.relative_to(ROOT)) for p in shell.shell_files(ROOT)}
        self.assertLessEqual({'devstack/settings', 'devstack/plugin.sh',
                              'devstack/lib/netperf'}, names)


class MistakesTest(testtools.TestCase):
    """Each test breaks one thing in a copy of the gate files."""

    def setUp(self):
        super().setUp()
        self.root = pathlib.Path(tempfile.mkdtemp(prefix='netperf-gate-'))
        self.addCleanup(shutil.rmtree, self.root)
        shutil.copy(ROOT / '.zuul.yaml', self.root)
        shutil.copy(ROOT / 'setup.cfg', self.root)
        for d in ('devstack', 'playbooks'):
            shutil.copytree(ROOT / d, self.root / d)
        args = yaml.safe_load(
            (ROOT / 'playbooks/files/netperf-gate-args.yaml').read_text())
        (self.root / 'samples').mkdir()
        (self.root / 'samples/netperf.yaml').write_text(
            '---\n' + ''.join('# {{ %s }}\n' % name for name in args))

    def edit(self, path, old, new):
        path = self.root / path
        text = path.read_text()
        self.assertIn(old, text)
        path.write_text(text.replace(old, new, 1))

    def problems(self, shellcheck=False):
        return check.run_checks(self.root, shellcheck=shellcheck)

    def assertReported(self, fragment, shellcheck=False):
        problems = self.problems(shellcheck)
        self.assertTrue([p for p in problems if fragment in p],
                        'no problem mentions %r: %s' % (fragment, problems))

    def test_the_unbroken_copy_passes(self):
        self.assertEqual([], self.problems(shellcheck=HAVE_SHELLCHECK))

    def test_yaml_that_does_not_parse(self):
        self.edit('playbooks/netperf-pre.yaml', '- hosts: controller',
                  '- hosts: [controller')
        self.assertReported('netperf-pre.yaml: YAML does not parse')

    def test_duplicate_key(self):
        self.edit('.zuul.yaml', '    timeout: 10800\n',
                  '    timeout: 10800\n    timeout: 7200\n')
        self.assertReported("duplicate key 'timeout'")

    def test_unknown_parent(self):
        self.edit('.zuul.yaml', 'parent: tempest-multinode-full-py3',
                  'parent: tempest-multinode-full-py')
        self.assertReported("unknown parent job 'tempest-multinode-full-py'")

    def test_unknown_nodeset(self):
        self.edit('.zuul.yaml', 'nodeset: openstack-two-node-noble',
                  'nodeset: openstack-2-node-noble')
        self.assertReported("unknown nodeset 'openstack-2-node-noble'")

    def test_nodeset_no_upstream_repository_defines(self):
        # the three-node job once named this one: Zuul rejects it
        self.edit('.zuul.yaml', 'nodeset: neutron-three-node-noble',
                  'nodeset: openstack-three-node-noble')
        self.assertReported("unknown nodeset 'openstack-three-node-noble': "
                            "no upstream repository")

    def test_nodeset_without_nodes(self):
        self.edit('.zuul.yaml', 'nodeset: neutron-three-node-noble',
                  'nodeset: openstack-three-node-bionic')
        self.assertReported("nodeset 'openstack-three-node-bionic' has no "
                            "nodes (openstack/devstack:.zuul.yaml)")

    def test_role_default_used_without_being_set(self):
        self.edit('.zuul.yaml', '      devstack_base_dir: /opt/stack\n', '')
        self.assertReported('playbooks/netperf-rally-run.yaml uses '
                            'devstack_base_dir, which is only a default of '
                            'upstream roles (openstack/devstack:roles/')
        self.assertReported('vars uses devstack_base_dir')

    def test_role_default_used_with_a_default_passes(self):
        self.edit('.zuul.yaml', '      devstack_base_dir: /opt/stack\n', '')
        for path in ['.zuul.yaml'] + [
                str(p.relative_to(self.root))
                for p in (self.root / 'playbooks').glob('*.yaml')]:
            text = (self.root / path).read_text()
            (self.root / path).write_text(text.replace(
                '{{ devstack_base_dir }}',
                "{{ devstack_base_dir | default('/opt/stack') }}").replace(
                "{{ tox_environment | combine({'PATH': devstack_base_dir",
                "{{ tox_environment | combine({'PATH': '/opt/stack'"))
        self.assertEqual([], self.problems())

    def test_template_that_publishes_only_governed_repositories(self):
        self.edit('.zuul.yaml', '- build-openstack-docs-pti',
                  '- publish-openstack-docs-pti')
        self.assertReported('template publish-openstack-docs-pti publishes '
                            'only repositories in openstack/governance')

    def test_unknown_template(self):
        self.edit('.zuul.yaml', '- build-openstack-docs-pti',
                  '- build-openstack-docs')
        self.assertReported('unknown project template build-openstack-docs')

    def test_python_the_template_tests_needs_a_classifier(self):
        self.edit('setup.cfg', '    Programming Language :: Python :: 3.13\n',
                  '')
        self.assertReported('template openstack-python3-jobs tests Python '
                            '3.13')

    def test_missing_playbook(self):
        (self.root / 'playbooks/netperf-rally-post.yaml').unlink()
        self.assertReported('post-run playbook playbooks/netperf-rally-post'
                            '.yaml does not exist')

    def test_playbook_variable_the_job_does_not_set(self):
        self.edit('.zuul.yaml', 'netperf_rally_results_dir:',
                  'netperf_rally_result_dir:')
        self.assertReported('playbooks/netperf-rally-run.yaml uses '
                            'netperf_rally_results_dir, which neither the '
                            'job nor the playbook defines')

    def test_misspelled_devstack_variable(self):
        self.edit('.zuul.yaml', 'Q_DVR_MODE: dvr_snat',
                  'Q_DVR_MOD: dvr_snat')
        self.assertReported('unknown devstack variable Q_DVR_MOD')

    def test_plugin_variables_come_from_devstack_settings(self):
        self.edit('devstack/settings', 'NETPERF_EXTRAS=', 'NETPERF_XTRAS=')
        self.assertReported('unknown devstack variable NETPERF_EXTRAS')

    def test_invalid_dvr_mode(self):
        self.edit('.zuul.yaml', 'Q_DVR_MODE: dvr\n', 'Q_DVR_MODE: dvr-snat\n')
        self.assertReported('Q_DVR_MODE=dvr-snat; devstack accepts')

    def test_invalid_node_access(self):
        self.edit('.zuul.yaml', 'NETPERF_NODE_ACCESS: ssh',
                  'NETPERF_NODE_ACCESS: sftp')
        self.assertReported('NETPERF_NODE_ACCESS=sftp; devstack accepts '
                            'auto, local, none, ssh')

    def test_unknown_service(self):
        self.edit('.zuul.yaml', 'q-l3: true', 'q-l3-agent: true')
        self.assertReported('unknown devstack service q-l3-agent')

    def test_service_value_must_be_boolean(self):
        self.edit('.zuul.yaml', 'q-agt: true', 'q-agt: yes please')
        self.assertReported("service q-agt must be true or false")

    def test_invalid_agent_mode(self):
        self.edit('.zuul.yaml', 'agent_mode: dvr_snat', 'agent_mode: snat')
        self.assertReported("[DEFAULT] agent_mode = 'snat'")

    def test_unknown_config_file(self):
        self.edit('.zuul.yaml', '$NEUTRON_L3_CONF:', '$NEUTRON_L3_CONFIG:')
        self.assertReported('unknown devstack config file $NEUTRON_L3_CONFIG')

    def test_unknown_local_conf_phase(self):
        self.edit('.zuul.yaml', 'post-config: &netperf',
                  'postconfig: &netperf')
        self.assertReported('unknown local.conf phase postconfig')

    def test_plugin_name_must_match_the_clone_directory(self):
        self.edit('.zuul.yaml', 'openstack-netperf: https://',
                  'netperf: https://')
        self.assertReported('plugin name netperf')

    def test_tempest_option_not_registered_by_the_plugin(self):
        self.edit('devstack/lib/netperf', 'netperf guest_user',
                  'netperf guest_username')
        self.assertReported('[netperf] guest_username is not an option')

    def test_tempest_option_in_job_test_config(self):
        self.edit('.zuul.yaml', '      devstack_local_conf:\n'
                  '        post-config: &netperf_controller_post_config\n',
                  '      devstack_local_conf:\n'
                  '        test-config:\n'
                  '          $TEMPEST_CONFIG:\n'
                  '            netperf:\n'
                  '              burst_packet: 100\n'
                  '        post-config: &netperf_controller_post_config\n')
        self.assertReported('[netperf] burst_packet is not an option')

    def test_tempest_plugin_must_be_a_required_project(self):
        self.edit('.zuul.yaml', '      - x/openstack-netperf\n', '')
        self.assertReported('tempest plugin openstack-netperf is not a '
                            'required project')

    def test_test_regex_must_select_the_plugin_tests(self):
        self.edit('.zuul.yaml', r'^tempest_netperf\.', r'^netperf\.')
        self.assertReported('selects none of the tempest_netperf tests')

    def test_rally_args_the_task_does_not_take(self):
        path = self.root / 'playbooks/files/netperf-gate-args.yaml'
        path.write_text(path.read_text() + 'flavour_name: x\n')
        self.assertReported('flavour_name is not an argument of '
                            'samples/netperf.yaml')

    def test_unknown_job_in_pipeline(self):
        self.edit('.zuul.yaml', '    gate:\n      jobs:\n',
                  '    gate:\n      jobs:\n        - netperf-typo\n')
        self.assertReported('gate pipeline runs unknown job netperf-typo')

    def test_unknown_plugin_phase(self):
        self.edit('devstack/plugin.sh', '$2 == extra', '$2 == post-extra')
        self.assertReported('devstack has no stack phase post-extra')

    def test_bash_syntax_error(self):
        self.edit('devstack/lib/netperf', 'function cleanup_netperf {',
                  'function cleanup_netperf {{')
        self.assertReported('devstack/lib/netperf: bash -n')

    def test_shellcheck_finding(self):
        if not HAVE_SHELLCHECK:
            self.skipTest(NO_SHELLCHECK)
        self.edit('devstack/lib/netperf', 'rm -rf "$NETPERF_IMAGE_DIR"',
                  'rm -rf $NETPERF_IMAGE_DIR')
        self.assertReported('SC2086', shellcheck=True)

    def test_zuul_tags_are_accepted(self):
        path = self.root / '.zuul.yaml'
        path.write_text(path.read_text() + (
            '\n- secret:\n    name: s\n    data:\n      password: '
            '!encrypted/pkcs1-oaep\n        - abc\n'))
        self.assertEqual([], self.problems())


class BareUsesTest(testtools.TestCase):

    def test_names_used_without_a_default(self):
        self.assertEqual(
            {'a', 'c', 'd'},
            playbooks.bare_uses("{{ a }}/x {{ b | default('/opt') }} "
                                "{{ c + (b|default('')) }} {{ d.e }} f"))


class UpstreamDataTest(testtools.TestCase):
    """tools/gate-upstream.yaml: each fact cites a read repository."""

    def setUp(self):
        super().setUp()
        self.data = yaml.safe_load(facts.UPSTREAM_FILE.read_text())

    def test_every_repository_is_read_at_a_commit(self):
        self.assertLessEqual(
            {'openstack/devstack', 'openstack/tempest', 'openstack/neutron',
             'openstack/rally-openstack', 'openstack/openstack-zuul-jobs'},
            set(self.data['sources']))
        for source in self.data['sources'].values():
            self.assertRegex(source['commit'], '^[0-9a-f]{40}$')

    def test_every_fact_cites_a_read_repository(self):
        repos = set(self.data['sources'])
        cited = [s for job in self.data['jobs'].values()
                 for s in job['sources']]
        for key in ('nodesets', 'project_templates',
                    'devstack_boolean_defaults'):
            cited += [e['source'] for e in self.data[key].values()]
        cited += list(self.data['devstack_variables'].values())
        cited += list(self.data['devstack_services'].values())
        self.assertTrue(cited)
        self.assertEqual(set(), {c for c in cited
                                 if c.split(':', 1)[0] not in repos})

    def test_the_facts_the_gate_relies_on(self):
        nodesets = self.data['nodesets']
        self.assertNotIn('openstack-three-node-noble', nodesets)
        self.assertEqual(['ubuntu-noble'] * 3,
                         nodesets['neutron-three-node-noble']['nodes'])
        self.assertEqual([], nodesets['openstack-three-node-bionic']['nodes'])
        self.assertIn('tempest-multinode-full-py3', self.data['jobs'])
        self.assertIn('devstack_base_dir',
                      self.data['role_default_only_variables'])
        self.assertIs(True, self.data['project_templates'][
            'publish-openstack-docs-pti']['governance_only'])


FAKE_UPSTREAM = {
    '.zuul.yaml': textwrap.dedent("""\
        - nodeset:
            name: three-node
            nodes:
              - {name: controller, label: ubuntu-noble}
        - job:
            name: devstack
            vars:
              devstack_localrc:
                SET_BY_JOB: 1
        - project-template:
            name: governed-docs
            description: Only repos listed in openstack/governance.
            check:
              jobs:
                - openstack-tox-py313
                - openstack-tox-py310:
                    branches: [stable/2025.2]
                - openstack-tox-py314:
                    voting: false
        """),
    'roles/run/defaults/main.yaml': 'base_dir: /opt/stack\n',
    'stack.sh': textwrap.dedent("""\
        run_phase stack install
        merge_config_group $TOP_DIR/local.conf post-config
        """),
    'lib/keystone': textwrap.dedent("""\
        KEYSTONE_ADMIN_ENDPOINT=$(trueorfalse False KEYSTONE_ADMIN_ENDPOINT)
        if is_service_enabled key tls-proxy; then
            echo "${REGION_NAME:-RegionOne}"
        fi
        """),
}


class RefreshTest(testtools.TestCase):
    """tools/refresh-gate-upstream.py on a small git repository."""

    def test_extracts_each_kind_of_fact_with_its_source(self):
        if shutil.which('git') is None:
            self.skipTest('git is not installed')
        tmp = pathlib.Path(tempfile.mkdtemp(prefix='netperf-upstream-'))
        self.addCleanup(shutil.rmtree, tmp)
        repo = tmp / 'devstack'
        for path, text in FAKE_UPSTREAM.items():
            (repo / path).parent.mkdir(parents=True, exist_ok=True)
            (repo / path).write_text(text)
        env = dict(os.environ, GIT_AUTHOR_NAME='t', GIT_COMMITTER_NAME='t',
                   GIT_AUTHOR_EMAIL='t@example.org',
                   GIT_COMMITTER_EMAIL='t@example.org')
        for args in (['init', '-q'], ['add', '.'],
                     ['commit', '-q', '-m', 'x']):
            subprocess.run(['git', '-C', str(repo)] + args, check=True,
                           env=env, capture_output=True)
        out = tmp / 'facts.yaml'
        refresh = tools.load('refresh-gate-upstream.py')
        with contextlib.redirect_stdout(io.StringIO()):
            refresh.main(['--repo', 'openstack/devstack=%s' % repo,
                          '--output', str(out)])
        data = yaml.safe_load(out.read_text())
        source = 'openstack/devstack:.zuul.yaml'
        self.assertRegex(data['sources']['openstack/devstack']['commit'],
                         '^[0-9a-f]{40}$')
        self.assertEqual({'source': source, 'nodes': ['ubuntu-noble']},
                         data['nodesets']['three-node'])
        self.assertEqual([source], data['jobs']['devstack']['sources'])
        self.assertEqual(
            {'source': source, 'governance_only': True,
             'python_on_master': {'voting': ['3.13'], 'non_voting': ['3.14'],
                                  'periodic': []}},
            data['project_templates']['governed-docs'])
        self.assertEqual(['openstack/devstack:roles/run/defaults/main.yaml'],
                         data['role_default_only_variables']['base_dir'])
        self.assertEqual({'KEYSTONE_ADMIN_ENDPOINT', 'REGION_NAME',
                          'SET_BY_JOB'}, set(data['devstack_variables']))
        self.assertEqual({'key', 'tls-proxy'}, set(data['devstack_services']))
        self.assertEqual({'default': False,
                          'source': 'openstack/devstack:lib/keystone'},
                         data['devstack_boolean_defaults'][
                             'KEYSTONE_ADMIN_ENDPOINT'])
        self.assertEqual((['stack'], ['install'], ['post-config']),
                         (data['plugin_modes'], data['plugin_phases'],
                          data['local_conf_phases']))
        # the checker reads what the tool writes
        self.assertIn('three-node', facts.Upstream.load(out).nodesets)
