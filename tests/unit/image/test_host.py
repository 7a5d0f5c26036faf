"""Tests of the build host checks and their messages."""

import os

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import host


class HostTest(testtools.TestCase):

    def _os_release(self, text):
        path = os.path.join(self.useFixture(fixtures.TempDir()).path,
                            'os-release')
        with open(path, 'w') as out:
            out.write(text)
        return path

    def test_debian_and_ubuntu_are_supported(self):
        self.assertEqual('debian', host.check_distribution(
            self._os_release('ID=debian\nVERSION_ID="12"\n')))
        self.assertEqual('ubuntu', host.check_distribution(
            self._os_release('ID=ubuntu\nID_LIKE=debian\n')))
        self.assertEqual('linuxmint', host.check_distribution(
            self._os_release('ID=linuxmint\nID_LIKE="ubuntu debian"\n')))

    def test_other_distributions_are_refused_with_the_reason(self):
        exc = self.assertRaises(
            exceptions.ImageError, host.check_distribution,
            self._os_release('ID=fedora\nPRETTY_NAME="Fedora Linux 40"\n'))
        self.assertIn("Unsupported host distribution 'Fedora Linux 40'",
                      str(exc))
        self.assertIn('Debian or Ubuntu', str(exc))

    def test_missing_tools_name_the_packages_to_install(self):
        self.useFixture(fixtures.EnvironmentVariable('PATH', '/nonexistent'))
        self.useFixture(fixtures.MockPatch('shutil.which', return_value=None))
        exc = self.assertRaises(exceptions.ToolMissing, host.check_tools,
                                ['qemu-img', 'mcopy', 'syslinux'])
        self.assertIn('qemu-img, mcopy, syslinux', str(exc))
        self.assertIn('apt-get install -y mtools qemu-utils syslinux',
                      str(exc))

    def test_missing_files_join_the_same_error(self):
        self.useFixture(fixtures.MockPatch('shutil.which',
                                           return_value='/usr/bin/x'))
        exc = self.assertRaises(
            exceptions.ToolMissing, host.check_tools, ['qemu-img'],
            {'/nonexistent/mbr.bin': 'syslinux-common'})
        self.assertEqual(['syslinux-common'], exc.packages)
        self.assertIn('/nonexistent/mbr.bin', str(exc))

    def test_install_needs_root(self):
        self.useFixture(fixtures.MockPatch('os.geteuid', return_value=1000))
        exc = self.assertRaises(exceptions.ImageError, host.install_packages,
                                ['qemu-utils'])
        self.assertIn('run as root: apt-get install -y qemu-utils',
                      str(exc))

    def test_only_amd64_guests(self):
        exc = self.assertRaises(exceptions.ImageError,
                                host.check_arch, 'arm64')
        self.assertIn("Unsupported guest architecture 'arm64'", str(exc))
