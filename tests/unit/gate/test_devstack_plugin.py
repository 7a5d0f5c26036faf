"""Run the devstack plugin under bash with devstack's functions faked.

devstack itself is not here, so its functions (iniset, die,
is_service_enabled, setup_develop, ...) are small bash stand-ins that record
their calls; the openstack client and netperf-image are stub scripts.  The
plugin's own logic -- which phase does what, the values written to
tempest.conf, its errors -- runs for real.
"""

import os
import pathlib
import shutil
import subprocess
import tempfile
import textwrap

import testtools

from tempest_netperf import config

ROOT = pathlib.Path(__file__).resolve().parents[3]

FAKE_DEVSTACK = textwrap.dedent('''\
    function is_service_enabled {
        local s
        for s in "$@"; do
            [[ ,$ENABLED_SERVICES, == *,$s,* ]] && return 0
        done
        return 1
    }
    function trueorfalse {
        local value=${!2:-}
        case ${value:-$1} in
            1|yes|Yes|YES|true|True|TRUE|on|On|ON) echo True ;;
            *) echo False ;;
        esac
    }
    function define_plugin { :; }
    function enable_service { :; }
    function echo_summary { :; }
    function iniset { echo "iniset $1 [$2] $3 = $4" >>"$CALLS"; }
    function setup_develop { echo "setup_develop $1 extras=$2" >>"$CALLS"; }
    function get_python_exec_prefix { echo "$FAKE_BIN"; }
    function warn { echo "warn: ${*:2}" >&2; }
    function die { echo "die: ${*:2}" >&2; exit 3; }
    ''')

# Answers like the openstack client; resources "exist" once created (or
# when the test creates the state file).
FAKE_OPENSTACK = textwrap.dedent('''\
    #!/bin/bash
    echo "openstack $*" >>"$CALLS"
    args=" $* "
    case $args in
        *" image show "*) kind=image ;;
        *" flavor show "*) kind=flavor ;;
        *" flavor create "*) touch "$STATE/flavor"; exit 0 ;;
        *) exit 0 ;;
    esac
    [[ -e $STATE/$kind ]] || { echo "No $kind found" >&2; exit 1; }
    echo "$kind-0001"
    ''')

FAKE_NETPERF_IMAGE = textwrap.dedent('''\
    #!/bin/bash
    echo "netperf-image $*" >>"$CALLS"
    [[ $1 == upload ]] && touch "$STATE/image"
    exit 0
    ''')


class PluginRun(object):
    """One sourcing of devstack/settings and devstack/plugin.sh."""

    def __init__(self, tmp, mode, phase, localrc, services):
        self.tmp = tmp
        script = '\n'.join(
            [FAKE_DEVSTACK]
            + ['%s=%s' % (k, v) for k, v in localrc.items()]
            + ['ENABLED_SERVICES=%s' % ','.join(services),
               'source "%s/devstack/settings"' % ROOT,
               'source "%s/devstack/plugin.sh" %s %s' % (ROOT, mode, phase)])
        env = dict(os.environ, CALLS=str(tmp / 'calls'),
                   STATE=str(tmp / 'state'), FAKE_BIN=str(tmp / 'bin'),
                   PATH='%s:%s' % (tmp / 'bin', os.environ['PATH']))
        self.proc = subprocess.run(['bash', '-c', script], env=env,
                                   capture_output=True, text=True,
                                   timeout=60)
        calls = tmp / 'calls'
        self.calls = calls.read_text().splitlines() if calls.exists() else []

    def tempest_options(self):
        """{option: value} of the iniset calls on [netperf]."""
        found = {}
        for call in self.calls:
            if call.startswith('iniset ') and ' [netperf] ' in call:
                option, _, value = call.split(' [netperf] ', 1)[1].partition(
                    ' = ')
                found[option] = value
        return found


class DevstackPluginTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        if shutil.which('bash') is None:
            self.skipTest('bash is needed to run the devstack plugin')
        self.tmp = pathlib.Path(tempfile.mkdtemp(prefix='netperf-plugin-'))
        self.addCleanup(shutil.rmtree, self.tmp)
        for d in ('bin', 'state', 'dest/openstack-netperf', 'data'):
            (self.tmp / d).mkdir(parents=True)
        for name, text in (('openstack', FAKE_OPENSTACK),
                           ('netperf-image', FAKE_NETPERF_IMAGE)):
            path = self.tmp / 'bin' / name
            path.write_text(text)
            path.chmod(0o755)
        self.key = self.tmp / 'node_key'
        self.addresses = self.tmp / 'node-addresses'
        self.localrc = {
            'DEST': self.tmp / 'dest', 'DATA_DIR': self.tmp / 'data',
            'STACK_USER': 'stack', 'HOST_IP': '192.0.2.10',
            'REGION_NAME': 'RegionOne',
            'TEMPEST_CONFIG': '/etc/tempest/tempest.conf',
            'NETPERF_NODE_KEY_FILE': self.key,
            'NETPERF_NODE_ADDRESSES_FILE': self.addresses,
        }
        self.services = ['netperf', 'tempest', 'n-api', 'g-api', 'q-l3']

    def run_plugin(self, mode, phase='', **localrc):
        run = PluginRun(self.tmp, mode, phase, dict(self.localrc, **localrc),
                        self.services)
        (self.tmp / 'calls').unlink(missing_ok=True)
        return run

    def assertOk(self, run):
        self.assertEqual(0, run.proc.returncode, run.proc.stderr)

    def test_install_uses_setup_develop_with_the_extras(self):
        run = self.run_plugin('stack', 'install')
        self.assertOk(run)
        self.assertEqual(['setup_develop %s/dest/openstack-netperf '
                          'extras=rally,tempest' % self.tmp], run.calls)
        run = self.run_plugin('stack', 'install', NETPERF_EXTRAS='""')
        self.assertEqual(['setup_develop %s/dest/openstack-netperf extras='
                          % self.tmp], run.calls)

    def test_install_without_the_source_tree_dies(self):
        run = self.run_plugin('stack', 'install',
                              NETPERF_DIR=self.tmp / 'nowhere')
        self.assertEqual(3, run.proc.returncode)
        self.assertIn('NETPERF_DIR=%s/nowhere' % self.tmp, run.proc.stderr)

    def test_extra_creates_the_flavor_builds_and_uploads_the_image(self):
        run = self.run_plugin('stack', 'extra')
        self.assertOk(run)
        image_dir = '%s/data/netperf/image' % self.tmp
        self.assertIn('openstack --os-cloud devstack-admin --os-region-name '
                      'RegionOne flavor create --ram 256 --disk 1 --vcpus 1 '
                      'netperf.tiny', run.calls)
        self.assertIn('netperf-image build --output %s' % image_dir,
                      run.calls)
        # public: Rally's image validator and the tests look it up as
        # the users of other projects than admin's
        self.assertIn('netperf-image upload --input %s --name netperf-guest '
                      '--os-cloud devstack-admin --public' % image_dir,
                      run.calls)
        self.assertTrue(os.path.isdir(image_dir))

    def test_extra_passes_more_build_arguments(self):
        run = self.run_plugin(
            'stack', 'extra',
            NETPERF_IMAGE_BUILD_ARGS='"--mirror http://mirror.example/debian"')
        self.assertOk(run)
        self.assertIn('netperf-image build --output %s/data/netperf/image '
                      '--mirror http://mirror.example/debian' % self.tmp,
                      run.calls)

    def test_extra_builds_from_the_mirror_it_is_given(self):
        run = self.run_plugin(
            'stack', 'extra',
            NETPERF_IMAGE_MIRROR='http://mirror.example/debian',
            NETPERF_IMAGE_BUILD_ARGS='"--release trixie"')
        self.assertOk(run)
        self.assertIn('netperf-image build --output %s/data/netperf/image '
                      '--mirror http://mirror.example/debian --release '
                      'trixie' % self.tmp, run.calls)
        run = self.run_plugin('stack', 'extra')
        self.assertFalse([c for c in run.calls if '--mirror' in c])

    def test_extra_keeps_an_existing_flavor(self):
        (self.tmp / 'state' / 'flavor').touch()
        run = self.run_plugin('stack', 'extra', NETPERF_BUILD_IMAGE='False')
        self.assertOk(run)
        self.assertFalse([c for c in run.calls if 'flavor create' in c])
        self.assertFalse([c for c in run.calls if 'netperf-image' in c])

    def test_test_config_writes_ssh_access_to_every_node(self):
        self.key.write_text('key')
        self.addresses.write_text('ctrl 10.0.0.1\nsub1 10.0.0.2\n')
        for name in ('image', 'flavor'):
            (self.tmp / 'state' / name).touch()
        run = self.run_plugin('stack', 'test-config', Q_DVR_MODE='dvr_snat')
        self.assertOk(run)
        self.assertEqual({
            'node_access': 'ssh',
            'node_user': 'stack',
            'node_key_file': str(self.key),
            'node_address_map': 'ctrl:10.0.0.1,sub1:10.0.0.2',
            'node_sudo': 'True',
            'image_ref': 'image-0001',
            'flavor_ref': 'flavor-0001',
            'guest_user': 'root',
            'guest_boot_timeout': '600',
            'router_modes': 'legacy,dvr',
        }, run.tempest_options())

    def test_every_option_written_is_a_tempest_plugin_option(self):
        self.key.write_text('key')
        for name in ('image', 'flavor'):
            (self.tmp / 'state' / name).touch()
        run = self.run_plugin('stack', 'test-config',
                              NETPERF_NETWORK_NODE='ctrl')
        self.assertOk(run)
        registered = {opt.dest for opt in config.NetperfGroup}
        written = set(run.tempest_options())
        self.assertIn('network_node', written)
        self.assertEqual(set(), written - registered)

    def test_auto_access_without_a_key_is_local(self):
        for name in ('image', 'flavor'):
            (self.tmp / 'state' / name).touch()
        run = self.run_plugin('stack', 'test-config')
        self.assertOk(run)
        options = run.tempest_options()
        self.assertEqual('local', options['node_access'])
        self.assertNotIn('node_key_file', options)
        self.assertEqual('legacy', options['router_modes'])

    def test_explicit_map_wins_over_the_addresses_file(self):
        self.key.write_text('key')
        self.addresses.write_text('ctrl 10.0.0.1\n')
        for name in ('image', 'flavor'):
            (self.tmp / 'state' / name).touch()
        run = self.run_plugin('stack', 'test-config',
                              NETPERF_NODE_ADDRESS_MAP='a:198.18.0.1')
        self.assertOk(run)
        self.assertEqual('a:198.18.0.1',
                         run.tempest_options()['node_address_map'])

    def test_ssh_access_without_a_key_dies_early(self):
        run = self.run_plugin('stack', 'test-config',
                              NETPERF_NODE_ACCESS='ssh')
        self.assertEqual(3, run.proc.returncode)
        self.assertIn('%s is not readable' % self.key, run.proc.stderr)
        self.assertEqual({}, run.tempest_options())

    def test_unknown_access_method_dies(self):
        run = self.run_plugin('stack', 'test-config',
                              NETPERF_NODE_ACCESS='telnet')
        self.assertEqual(3, run.proc.returncode)
        self.assertIn('use auto, ssh, local or none', run.proc.stderr)

    def test_missing_image_dies_naming_the_setting(self):
        (self.tmp / 'state' / 'flavor').touch()
        run = self.run_plugin('stack', 'test-config')
        self.assertEqual(3, run.proc.returncode)
        self.assertIn('No image named netperf-guest', run.proc.stderr)
        self.assertIn('NETPERF_BUILD_IMAGE', run.proc.stderr)
        self.assertNotIn('image_ref', run.tempest_options())

    def test_disabled_service_does_nothing(self):
        self.services = ['tempest', 'n-api', 'g-api']
        for phase in ('install', 'extra', 'test-config'):
            run = self.run_plugin('stack', phase)
            self.assertOk(run)
            self.assertEqual([], run.calls)

    def test_clean_removes_the_image_directory(self):
        image_dir = self.tmp / 'data' / 'netperf' / 'image'
        image_dir.mkdir(parents=True)
        run = self.run_plugin('clean')
        self.assertOk(run)
        self.assertFalse(image_dir.exists())
