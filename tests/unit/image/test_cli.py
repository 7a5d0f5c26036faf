"""Tests of the netperf-image command line and build options."""

import io
import pathlib

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import build
from openstack_netperf.image import cli


class BuildOptionsTest(testtools.TestCase):

    def test_cmdline_carries_the_nic_switches(self):
        options = build.BuildOptions(output=pathlib.Path('x'),
                                     nic_mode='virtio', virtio_csum=False)
        cmdline = options.cmdline()
        self.assertIn('console=ttyS0', cmdline)
        # Crypto self-tests cost a third of a second under TCG.
        self.assertIn('cryptomgr.notests', cmdline.split())
        self.assertIn('netperf.nic=virtio netperf.virtio_csum=0', cmdline)
        groups = options.module_groups()
        self.assertEqual(['disk', 'fs', 'nic', 'storage', 'virtio'],
                         sorted(groups))
        self.assertEqual(['virtio_pci', 'virtio_net'], groups['nic'])

    def test_defaults_are_the_cloud_kernel_with_virtio(self):
        options = build.BuildOptions(output=pathlib.Path('x'))
        self.assertEqual('linux-image-cloud-amd64', options.kernel_package)
        self.assertEqual(['virtio_pci', 'virtio_net'],
                         options.module_groups()['nic'])
        self.assertIn('netperf.nic=virtio', options.cmdline())
        self.assertNotIn('virtio_csum', options.cmdline())

    def test_auto_loads_both_nic_groups(self):
        options = build.BuildOptions(output=pathlib.Path('x'),
                                     kernel_package='linux-image-amd64',
                                     nic_mode='auto')
        groups = options.module_groups()
        self.assertEqual(['disk', 'e1000', 'fs', 'nic', 'storage',
                          'virtio'], sorted(groups))
        self.assertEqual(['virtio_pci', 'virtio_net', 'e1000', 'e1000e'],
                         groups['nic'])
        self.assertNotIn('virtio_csum', options.cmdline())

    def test_bad_nic_mode(self):
        exc = self.assertRaises(exceptions.ImageError, build.Builder,
                                build.BuildOptions(output=pathlib.Path('x'),
                                                   nic_mode='rtl8139'))
        self.assertIn('--nic-mode must be one of auto, virtio, e1000',
                      str(exc))

    def test_nic_switches_not_through_extra_cmdline(self):
        self.assertRaises(exceptions.ImageError, build.Builder,
                          build.BuildOptions(
                              output=pathlib.Path('x'),
                              extra_cmdline='netperf.nic=e1000'))
        build.Builder(build.BuildOptions(output=pathlib.Path('x'),
                                         extra_cmdline='netperf.debug=1'))

    def test_source_date_epoch(self):
        options = build.BuildOptions(output=pathlib.Path('x'))
        self.useFixture(fixtures.EnvironmentVariable('SOURCE_DATE_EPOCH'))
        self.assertEqual(build.DEFAULT_EPOCH, options.source_date_epoch())
        self.useFixture(fixtures.EnvironmentVariable('SOURCE_DATE_EPOCH',
                                                     '1600000000'))
        self.assertEqual(1600000000, options.source_date_epoch())
        self.useFixture(fixtures.EnvironmentVariable('SOURCE_DATE_EPOCH',
                                                     'yesterday'))
        self.assertRaises(exceptions.ImageError, options.source_date_epoch)


class HostToolsTest(testtools.TestCase):

    def test_install_deps_installs_what_is_missing_then_rechecks(self):
        checks = [exceptions.ToolMissing.on_host(
            'qemu-img', ['qemu-utils']), None]
        check = self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.check_tools',
            side_effect=checks)).mock
        install = self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.install_packages')).mock
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.check_distribution'))
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.build.Builder._apt',
            side_effect=RuntimeError('stop here')))
        builder = build.Builder(build.BuildOptions(
            output=pathlib.Path('x'), install_deps=True))
        self.assertRaises(RuntimeError, builder.build)
        install.assert_called_once_with(['qemu-utils'])
        self.assertEqual(2, check.call_count)
        tools, files = check.call_args[0]
        self.assertIn('syslinux', tools)
        self.assertIn('debian-archive-keyring', files.values())

    def test_without_install_deps_the_error_stands(self):
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.check_tools',
            side_effect=exceptions.ToolMissing.on_host(
                'qemu-img', ['qemu-utils'])))
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.check_distribution'))
        builder = build.Builder(build.BuildOptions(output=pathlib.Path('x'),
                                                   disk=False))
        exc = self.assertRaises(exceptions.ToolMissing, builder.build)
        self.assertIn('apt-get install -y qemu-utils', str(exc))


class MainTest(testtools.TestCase):

    def test_errors_are_one_line_without_traceback(self):
        stderr = self.useFixture(fixtures.MockPatch('sys.stderr',
                                                    io.StringIO())).mock
        tmp = self.useFixture(fixtures.TempDir()).path
        code = cli.main(['upload', '--input', tmp])
        self.assertEqual(1, code)
        text = stderr.getvalue()
        self.assertIn('netperf-image: error: cannot read', text)
        self.assertIn('run netperf-image build --output %s first' % tmp,
                      text)
        self.assertNotIn('Traceback', text)

    def test_cmdline_only_for_the_kernel_way(self):
        stderr = self.useFixture(fixtures.MockPatch('sys.stderr',
                                                    io.StringIO())).mock
        self.assertEqual(1, cli.main(['upload', '--cmdline', 'quiet']))
        self.assertIn('--cmdline needs --format kernel', stderr.getvalue())

    def test_build_passes_options(self):
        builder = self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.build.Builder')).mock
        builder.return_value.build.return_value = build.BuildResult(
            pathlib.Path('k'), pathlib.Path('i'), None, pathlib.Path('m'),
            {'files': {'kernel': {'name': 'k', 'size': 1, 'sha256': 'a'}},
             'kernel_version': 'v', 'kernel_package': 'p', 'cmdline': 'c'})
        self.useFixture(fixtures.MockPatch('sys.stdout', io.StringIO()))
        self.assertEqual(0, cli.main([
            'build', '--output', 'out', '--release', 'trixie',
            '--nic-mode', 'e1000', '--no-virtio-csum', '--no-disk',
            '--mirror', 'http://m.example/debian']))
        options = builder.call_args[0][0]
        self.assertEqual(('trixie', 'e1000', False, False,
                          'http://m.example/debian', pathlib.Path('out')),
                         (options.release, options.nic_mode,
                          options.virtio_csum, options.disk, options.mirror,
                          options.output))
