"""Tests of tools/check-gate-files.py: the repository passes, and each kind
of mistake in a copy of its gate files is reported."""

import pathlib
import shutil
import tempfile

import testtools
import yaml

from tests.unit import tools

ROOT = pathlib.Path(__file__).resolve().parents[3]
HAVE_SHELLCHECK = shutil.which('shellcheck') is not None
NO_SHELLCHECK = ('shellcheck is not installed (tools/install-prereqs.sh '
                 'installs it)')


check = tools.load('check-gate-files.py')


class RepositoryTest(testtools.TestCase):

    def test_the_gate_files_of_this_repository_pass(self):
        self.assertEqual([], check.run_checks(ROOT, shellcheck=False))

    def test_the_shell_of_this_repository_passes_shellcheck(self):
        if not HAVE_SHELLCHECK:
            self.skipTest(NO_SHELLCHECK)
        self.assertEqual([], list(check.check_shell(ROOT)))

    def test_the_checked_shell_covers_the_plugin_and_playbooks(self):
        names = {str(p.relative_to(ROOT)) for p in check.shell_files(ROOT)}
        self.assertLessEqual({'devstack/settings', 'devstack/plugin.sh',
                              'devstack/lib/netperf',
                              'playbooks/files/netperf-rally.sh'}, names)


class MistakesTest(testtools.TestCase):
    """Each test breaks one thing in a copy of the gate files."""

    def setUp(self):
        super().setUp()
        self.root = pathlib.Path(tempfile.mkdtemp(prefix='netperf-gate-'))
        self.addCleanup(shutil.rmtree, self.root)
        shutil.copy(ROOT / '.zuul.yaml', self.root)
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
