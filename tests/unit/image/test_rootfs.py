"""Tests of the guest tree: kernel modules and library resolution."""

import pathlib
import shutil
import stat

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import rootfs
from tests.unit.image import elf_fixtures


class KernelTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        root = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        moddir = root / 'lib/modules/6.1.0-9-amd64'
        aliases = {'virtio_net.ko': ('virtio:d00000001v*',),
                   'e1000.ko': ('pci:v00008086d0000100Esv*sd*bc*sc*i*',
                                'pci:v00008086d0000100Fsv*sd*bc*sc*i*')}
        for path, depends in (
                ('drivers/net/e1000.ko', ''),
                ('drivers/net/virtio_net.ko', 'virtio_ring,net_failover'),
                ('drivers/net/net_failover.ko', 'failover'),
                ('net/core/failover.ko', ''),
                ('drivers/virtio/virtio_ring.ko', ''),
                ('drivers/char/hw_random/virtio-rng.ko', 'virtio_ring'),
                ('drivers/loop/a.ko', 'b'), ('drivers/loop/b.ko', 'a')):
            (moddir / 'kernel' / path).parent.mkdir(parents=True,
                                                    exist_ok=True)
            (moddir / 'kernel' / path).write_bytes(elf_fixtures.module(
                depends, aliases=aliases.get(path.rsplit('/', 1)[-1], ())))
        (moddir / 'modules.builtin').write_text(
            'kernel/net/packet/af_packet.ko\n')
        (root / 'boot').mkdir()
        (root / 'boot/vmlinuz-6.1.0-9-amd64').write_bytes(b'kernel')
        self.kernel = rootfs.Kernel(root)

    def test_version_and_image(self):
        self.assertEqual('6.1.0-9-amd64', self.kernel.version)
        self.assertEqual(b'kernel', self.kernel.image.read_bytes())

    def test_dependencies_load_first_once(self):
        self.assertEqual(['virtio_ring', 'failover', 'net_failover',
                          'virtio_net', 'virtio_rng'],
                         self.kernel.load_order(['virtio_net', 'virtio_rng',
                                                 'af_packet']))

    def test_missing_module_says_what_to_do(self):
        exc = self.assertRaises(exceptions.ImageError, self.kernel.load_order,
                                ['e1000e'])
        self.assertIn('kernel 6.1.0-9-amd64 has no module e1000e', str(exc))
        self.assertIn('--nic-mode', str(exc))

    def test_dependency_loop(self):
        exc = self.assertRaises(exceptions.ImageError, self.kernel.load_order,
                                ['a'])
        self.assertIn('a -> b -> a', str(exc))

    def test_module_files_in_the_guest(self):
        guest = rootfs.GuestTree('amd64')
        orders = guest.modules(self.kernel, {'nic': ['virtio_net', 'e1000'],
                                             'storage': ['virtio_rng']})
        self.assertEqual(['virtio_ring', 'failover', 'net_failover',
                          'virtio_net', 'e1000'], orders['nic'])
        files = {path[len(rootfs.MODULE_DIR) + 1:]: entry.data
                 for path, entry in guest.tree.entries.items()
                 if path.startswith(rootfs.MODULE_DIR + '/')}
        self.assertEqual(b'virtio_ring\nfailover\nnet_failover\nvirtio_net\n',
                         files['deps/virtio_net'])
        self.assertEqual(b'virtio_ring\nvirtio_rng\n', files['storage'])
        self.assertEqual(
            b'pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n'
            b'pci:v00008086d0000100Fsv*sd*bc*sc*i* e1000\n'
            b'virtio:d00000001v* virtio_net\n', files['aliases.nic'])
        self.assertNotIn('aliases.storage', files)
        self.assertIn('virtio_rng.ko', files)


class GuestTreeTest(testtools.TestCase):

    def test_base_layout(self):
        guest = rootfs.GuestTree('amd64')
        guest.base()
        entries = guest.tree.entries
        # init is the static busybox, whose shell runs applets without
        # exec; logins get the dynamic one.
        self.assertEqual(rootfs.BOOT_BUSYBOX.encode(),
                         entries['init'].data)
        self.assertTrue(stat.S_ISCHR(entries['dev/console'].mode))
        self.assertIn(b'root:*:0:0', entries['etc/passwd'].data)
        self.assertEqual(0o755, stat.S_IMODE(entries['etc/netperf/rc'].mode))
        self.assertEqual(0o700, stat.S_IMODE(entries['root'].mode))

    def test_program_and_its_libraries_from_the_host(self):
        # The host's own sh and libc stand in for unpacked packages.
        guest = rootfs.GuestTree('amd64')
        sh = pathlib.Path(shutil.which('sh')).resolve()
        fake_pkg = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        (fake_pkg / 'bin').mkdir()
        shutil.copy(sh, fake_pkg / 'bin' / 'sh')
        guest.program(fake_pkg, 'sh')
        libraries = rootfs.Libraries('x86_64-linux-gnu')
        libraries.add_package('libc6', pathlib.Path('/'))
        used, missing = guest.resolve_libraries(libraries)
        self.assertEqual({'libc6'}, used)
        self.assertEqual(set(), missing)
        entries = guest.tree.entries
        self.assertIn('usr/lib/x86_64-linux-gnu/libc.so.6', entries)
        self.assertEqual(
            b'../lib/x86_64-linux-gnu/ld-linux-x86-64.so.2',
            entries['usr/lib64/ld-linux-x86-64.so.2'].data)

    def test_program_to_another_path(self):
        guest = rootfs.GuestTree('amd64')
        fake_pkg = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        (fake_pkg / 'bin').mkdir()
        (fake_pkg / 'bin' / 'busybox').write_bytes(b'#!static\n')
        guest.program(fake_pkg, 'busybox', rootfs.BOOT_BUSYBOX)
        entry = guest.tree.entries[rootfs.BOOT_BUSYBOX]
        self.assertEqual(b'#!static\n', entry.data)
        self.assertEqual(0o755, stat.S_IMODE(entry.mode))
        self.assertNotIn('usr/bin/busybox', guest.tree.entries)

    def test_boot_scripts_run_by_the_static_busybox(self):
        for script in ('rc', 'udhcpc.script'):
            first = (rootfs.GUEST_FILES / script).read_text().split('\n')[0]
            self.assertEqual('#!/%s sh' % rootfs.BOOT_BUSYBOX, first)

    def test_unfound_library_is_reported(self):
        guest = rootfs.GuestTree('amd64')
        guest.needed.add('libnothere.so.9')
        _used, missing = guest.resolve_libraries(
            rootfs.Libraries('x86_64-linux-gnu'))
        self.assertEqual({'libnothere.so.9'}, missing)

    def test_missing_program(self):
        guest = rootfs.GuestTree('amd64')
        empty = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        exc = self.assertRaises(exceptions.ImageError, guest.program, empty,
                                'iperf3')
        self.assertIn('has no program iperf3', str(exc))
