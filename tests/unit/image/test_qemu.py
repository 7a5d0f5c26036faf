"""Tests of the local QEMU boot helper (argv, config drive)."""

import json
import pathlib
import shutil

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import qemu


class BootSpecTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        (self.dir / 'manifest.json').write_text(json.dumps({
            'cmdline': 'console=ttyS0 netperf.nic=auto',
            'files': {'kernel': {'name': 'g.vmlinuz'},
                      'initrd': {'name': 'g.initrd'},
                      'qcow2': {'name': 'g.qcow2'}}}))
        self.useFixture(fixtures.MockPatch(
            'shutil.which', return_value='/usr/bin/qemu-system-x86_64'))

    def test_kernel_boot(self):
        argv = qemu.BootSpec(self.dir, nic_model='e1000',
                             cdrom=pathlib.Path('/cd.iso')).argv(
            pathlib.Path('/c.log'))
        self.assertEqual('/usr/bin/qemu-system-x86_64', argv[0])
        self.assertEqual(str(self.dir / 'g.vmlinuz'),
                         argv[argv.index('-kernel') + 1])
        self.assertEqual(str(self.dir / 'g.initrd'),
                         argv[argv.index('-initrd') + 1])
        self.assertEqual('console=ttyS0 netperf.nic=auto',
                         argv[argv.index('-append') + 1])
        self.assertIn('accel=tcg', argv[argv.index('-machine') + 1])
        self.assertEqual('128', argv[argv.index('-m') + 1])
        self.assertIn('e1000,netdev=n0,mac=52:54:00:6e:70:01', argv)
        self.assertIn('file:/c.log', argv)
        self.assertIn('file=/cd.iso,media=cdrom,readonly=on,format=raw',
                      argv)

    def test_disk_boot_never_writes_the_image(self):
        argv = qemu.BootSpec(self.dir, mode='disk',
                             cmdline='ignored').argv(pathlib.Path('/c.log'))
        self.assertNotIn('-kernel', argv)
        self.assertIn('file=%s,if=virtio,format=qcow2,snapshot=on'
                      % (self.dir / 'g.qcow2'), argv)

    def test_bad_mode_and_missing_qemu(self):
        self.assertRaises(exceptions.ImageError,
                          qemu.BootSpec(self.dir, mode='pxe').argv,
                          pathlib.Path('/c.log'))
        self.useFixture(fixtures.MockPatch('shutil.which',
                                           return_value=None))
        exc = self.assertRaises(exceptions.ToolMissing,
                                qemu.BootSpec(self.dir).argv,
                                pathlib.Path('/c.log'))
        self.assertIn('apt-get install -y qemu-system-x86', str(exc))


class ConfigDriveTest(testtools.TestCase):

    def test_iso_labelled_config_2(self):
        if not (shutil.which('genisoimage') or shutil.which('xorriso')):
            self.skipTest('genisoimage or xorriso is not installed')
        iso = pathlib.Path(self.useFixture(fixtures.TempDir()).path) / 'cd'
        qemu.config_drive(iso, 'vm-1', ['ssh-ed25519 AAAA key'])
        data = iso.read_bytes()
        # Primary volume descriptor at 32 KiB: volume id at offset 40.
        self.assertEqual(b'CD001', data[0x8001:0x8006])
        self.assertEqual(b'config-2', data[0x8028:0x8030])
        self.assertIn(b'"public_keys": {"key-0": "ssh-ed25519 AAAA key\\n"}',
                      data)
