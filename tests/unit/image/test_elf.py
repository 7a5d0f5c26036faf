"""Tests of the ELF reading that replaces ldd and depmod."""

import shutil

import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import elf
from tests.unit.image import elf_fixtures


class ElfTest(testtools.TestCase):

    def _host_binary(self) -> bytes:
        path = shutil.which('sh')
        with open(path, 'rb') as source:
            return source.read()

    def test_dynamic_binary_needs_libc_and_has_a_loader(self):
        data = self._host_binary()
        self.assertTrue(elf.is_elf(data))
        self.assertIn('libc.so.6', elf.needed_libraries(data))
        self.assertTrue(elf.interpreter(data).startswith('/lib'))

    def test_module_depends(self):
        data = elf_fixtures.module('virtio_ring,virtio,net_failover')
        self.assertEqual(['virtio_ring', 'virtio', 'net_failover'],
                         elf.module_depends(data))
        self.assertEqual([], elf.module_depends(elf_fixtures.module('')))
        self.assertEqual('GPL', elf.module_info(data)['license'])

    def test_not_elf_is_a_clear_error(self):
        exc = self.assertRaises(exceptions.ImageError, elf.needed_libraries,
                                b'#!/bin/sh\n', 'script')
        self.assertIn('script is not an ELF file', str(exc))

    def test_binary_without_modinfo_is_not_a_module(self):
        exc = self.assertRaises(exceptions.ImageError, elf.module_info,
                                self._host_binary(), 'sh')
        self.assertIn('not a kernel module', str(exc))
