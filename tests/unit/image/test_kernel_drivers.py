"""Which drivers a build needs from its kernel package (cloud kernel)."""

from __future__ import annotations

import pathlib

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import build
from openstack_netperf.image import rootfs
from tests.unit.image import elf_fixtures
from tests.unit import tools

VERSION = '6.1.0-9-cloud-amd64'
# Drivers of every group but ahci, e1000 and e1000e: Debian's cloud
# kernel.  isofs is built in, to see built-in drivers count as present.
CLOUD_MODULES = ('virtio_pci', 'virtio_net', 'virtio_blk', 'virtio-rng',
                 'ata_piix', 'sr_mod', 'vfat', 'nls_cp437', 'nls_utf8')


def make_kernel(root: pathlib.Path, modules: tuple[str, ...],
                builtin: tuple[str, ...] = ()) -> rootfs.Kernel:
    moddir = root / 'lib/modules' / VERSION
    (moddir / 'kernel').mkdir(parents=True)
    for name in modules:
        (moddir / 'kernel' / (name + '.ko')).write_bytes(
            elf_fixtures.module(''))
    (moddir / 'modules.builtin').write_text(''.join(
        'kernel/fs/%s/%s.ko\n' % (name, name) for name in builtin))
    return rootfs.Kernel(root)


class DriverGroupsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.root = pathlib.Path(self.useFixture(fixtures.TempDir()).path)

    def kernel(self, modules=CLOUD_MODULES, builtin=('isofs',)):
        return make_kernel(self.root, modules, builtin)

    def options(self, **kwargs):
        return build.BuildOptions(output=pathlib.Path('x'),
                                  kernel_package='linux-image-cloud-amd64',
                                  **kwargs)

    def test_has_counts_built_in_and_modules(self):
        kernel = self.kernel()
        self.assertTrue(kernel.has('isofs'))
        self.assertTrue(kernel.has('virtio_rng'))
        self.assertFalse(kernel.has('ahci'))

    def test_virtio_mode_leaves_the_missing_ahci_out(self):
        groups, lacking = self.options(nic_mode='virtio').driver_groups(
            self.kernel())
        self.assertEqual(['virtio_pci', 'virtio_blk', 'virtio_rng',
                          'ata_piix'], groups['disk'])
        self.assertEqual(['virtio_pci', 'virtio_net'], groups['nic'])
        self.assertEqual(['ahci'], list(lacking))
        self.assertIn('SATA CD-ROM', lacking['ahci'])
        # Built in: listed, and load_order leaves it out.
        self.assertEqual(['isofs', 'vfat', 'nls_cp437', 'nls_utf8'],
                         groups['fs'])

    def test_auto_mode_says_to_use_virtio(self):
        exc = self.assertRaises(exceptions.ImageError,
                                self.options(nic_mode='auto').driver_groups,
                                self.kernel())
        text = str(exc)
        self.assertIn('kernel package linux-image-cloud-amd64 (%s) has no '
                      'e1000, e1000e driver' % VERSION, text)
        self.assertIn('--nic-mode auto needs them: build with --nic-mode '
                      'virtio', text)
        self.assertIn('--no-virtio-csum', text)
        self.assertIn('e.g. linux-image-amd64', text)

    def test_missing_required_driver_is_an_error(self):
        kernel = self.kernel(modules=tuple(
            name for name in CLOUD_MODULES if name != 'sr_mod'))
        exc = self.assertRaises(exceptions.ImageError, self.options(
            nic_mode='virtio').driver_groups, kernel)
        self.assertIn('has no sr_mod driver', str(exc))
        self.assertIn('use a kernel package that has them', str(exc))
        self.assertNotIn('--nic-mode', str(exc))

    def test_no_cdrom_controller_at_all_is_an_error(self):
        kernel = self.kernel(modules=tuple(
            name for name in CLOUD_MODULES if name != 'ata_piix'))
        exc = self.assertRaises(exceptions.ImageError, self.options(
            nic_mode='virtio').driver_groups, kernel)
        self.assertIn('none of the CD-ROM controller drivers ata_piix, ahci',
                      str(exc))

    def test_full_kernel_keeps_every_group_whole(self):
        kernel = self.kernel(modules=CLOUD_MODULES + ('ahci', 'e1000',
                                                      'e1000e'))
        options = build.BuildOptions(output=pathlib.Path('x'))
        groups, lacking = options.driver_groups(kernel)
        self.assertEqual(options.module_groups(), groups)
        self.assertEqual({}, lacking)


def _load_bench():
    return tools.load('bench-image.py')


class BenchSkipTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.bench = _load_bench()

    def manifest(self, groups, files=('kernel', 'initrd', 'qcow2')):
        return {'modules': {group: [] for group in groups},
                'files': {name: {} for name in files},
                'nic_mode': 'virtio', 'kernel_version': VERSION}

    def test_virtio_image_skips_only_the_e1000_case(self):
        manifest = self.manifest(('disk', 'nic', 'virtio'))
        reasons = [self.bench.skip_reason(manifest, mode, nic)
                   for _label, mode, nic, _extra in self.bench.CASES]
        self.assertEqual([None, None], [reasons[0], reasons[2]])
        self.assertIn('no e1000 driver (built with --nic-mode virtio, '
                      'kernel %s)' % VERSION, reasons[1])

    def test_auto_image_runs_every_case(self):
        manifest = self.manifest(('disk', 'e1000', 'nic', 'virtio'))
        self.assertEqual([None] * len(self.bench.CASES), [
            self.bench.skip_reason(manifest, mode, nic)
            for _label, mode, nic, _extra in self.bench.CASES])

    def test_no_disk_image_skips_the_disk_case(self):
        manifest = self.manifest(('e1000', 'virtio'), ('kernel', 'initrd'))
        self.assertIn('--no-disk', self.bench.skip_reason(
            manifest, 'disk', 'virtio-net-pci'))
