"""Tests of the boot disk layout."""

import struct

import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import disk


class DiskTest(testtools.TestCase):

    def test_mbr_has_one_active_fat16_partition(self):
        mbr = disk.master_boot_record(b'\xeb\x63' + b'\x90' * 100, 2048,
                                      34816)
        self.assertEqual(512, len(mbr))
        self.assertEqual(b'\x55\xaa', mbr[510:])
        self.assertEqual(b'\xeb\x63', mbr[:2])
        self.assertEqual(disk.DISK_SIGNATURE,
                         struct.unpack_from('<I', mbr, 440)[0])
        status, ptype, start, sectors = (mbr[446], mbr[450],
                                         *struct.unpack_from('<II', mbr,
                                                             454))
        self.assertEqual((0x80, 0x0E, 2048, 34816),
                         (status, ptype, start, sectors))
        self.assertEqual(b'\0' * 48, mbr[462:510])

    def test_boot_code_too_large(self):
        self.assertRaises(exceptions.ImageError, disk.master_boot_record,
                          b'x' * 441, 2048, 1)

    def test_syslinux_config_boots_at_once(self):
        cfg = disk.syslinux_config('console=ttyS0 netperf.nic=auto')
        self.assertIn('TIMEOUT 0', cfg)
        self.assertIn('PROMPT 0', cfg)
        self.assertIn('LINUX /vmlinuz', cfg)
        self.assertIn('INITRD /initrd', cfg)
        self.assertIn('APPEND console=ttyS0 netperf.nic=auto', cfg)
