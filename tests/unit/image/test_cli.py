"""Tests of the netperf-image command line and build options."""

import io
import os
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


def _in_tmp(test, **kwargs):
    """Build options whose output and cache are in a temporary directory."""
    tmp = pathlib.Path(test.useFixture(fixtures.TempDir()).path)
    return build.BuildOptions(output=tmp / 'out', cache_dir=tmp / 'cache',
                              **kwargs)


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
        builder = build.Builder(_in_tmp(self, install_deps=True))
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
        builder = build.Builder(_in_tmp(self, disk=False))
        exc = self.assertRaises(exceptions.ToolMissing, builder.build)
        self.assertIn('apt-get install -y qemu-utils', str(exc))


class OutputPathTest(testtools.TestCase):
    """Unusable --output / --cache-dir: exit 2 at once, before apt."""

    def setUp(self):
        super().setUp()
        self.tmp = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        self.stderr = self.useFixture(fixtures.MockPatch(
            'sys.stderr', io.StringIO())).mock
        # Nothing past the path check may run: no host checks, no apt.
        self.useFixture(fixtures.MockPatch(
            'openstack_netperf.image.host.check_distribution',
            side_effect=AssertionError('the build went on')))
        self.file = self.tmp / 'notes.txt'
        self.file.write_text('a file\n')

    def _build(self, *args):
        code = cli.main(['build', '--cache-dir', str(self.tmp / 'cache'),
                         *args])
        return code, self.stderr.getvalue()

    def test_output_onto_a_file(self):
        code, text = self._build('--output', str(self.file))
        self.assertEqual(2, code)
        self.assertIn('netperf-image: error: --output %s: %s is a file, not '
                      'a directory' % (self.file, self.file), text)
        self.assertNotIn('Traceback', text)
        self.assertEqual('a file\n', self.file.read_text())

    def test_output_under_a_file(self):
        code, text = self._build('--output', str(self.file / 'out'))
        self.assertEqual(2, code)
        self.assertIn('--output %s: %s is a file, not a directory'
                      % (self.file / 'out', self.file), text)

    def test_cache_dir_under_a_file(self):
        code = cli.main(['build', '--output', str(self.tmp / 'out'),
                         '--cache-dir', str(self.file / 'cache')])
        self.assertEqual(2, code)
        self.assertIn('--cache-dir %s: %s is a file'
                      % (self.file / 'cache', self.file),
                      self.stderr.getvalue())

    def test_output_where_nobody_may_write(self):
        # Not even root may make a directory at the top of sysfs.
        code, text = self._build('--output', '/sys/netperf-image-test')
        self.assertEqual(2, code)
        self.assertIn('--output /sys/netperf-image-test cannot be written (',
                      text)
        self.assertIn('choose a directory you can write to', text)
        self.assertFalse(os.path.exists('/sys/netperf-image-test'))

    def test_usable_paths_are_made_and_the_build_goes_on(self):
        self.assertRaises(AssertionError, cli.main, [
            'build', '--output', str(self.tmp / 'a' / 'out'),
            '--cache-dir', str(self.tmp / 'cache')])
        self.assertTrue((self.tmp / 'a' / 'out').is_dir())
        self.assertEqual([], list((self.tmp / 'a' / 'out').iterdir()))


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
