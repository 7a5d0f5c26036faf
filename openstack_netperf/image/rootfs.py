"""The guest's file tree, assembled from unpacked Debian packages.

Only what the guest runs goes in: chosen programs, the shared libraries
their ELF headers name (found in the packages they depend on), the kernel
modules of the NIC and disk drivers with their dependencies, and the boot
scripts of ``guest/``.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import typing

from openstack_netperf import exceptions
from openstack_netperf.image import cpio
from openstack_netperf.image import elf

GUEST_FILES = pathlib.Path(__file__).parent / 'guest'
TRIPLETS = {'amd64': 'x86_64-linux-gnu'}
PROGRAM_DIRS = ('usr/bin', 'bin', 'usr/sbin', 'sbin')

# Kernel modules per group the guest's rc loads (guest/rc).  Modules of a
# PROBED group are loaded only when a device on the PCI or virtio bus
# matches one of their aliases, as udev would; the others as listed.
MODULE_GROUPS = {
    'virtio': ['virtio_pci', 'virtio_net'],
    'e1000': ['e1000', 'e1000e'],
    'disk': ['virtio_pci', 'virtio_blk', 'virtio_rng', 'ata_piix', 'ahci'],
    # CD-ROMs (Nova's default config drive); no sd_mod: it brings five
    # more modules for the rare VFAT config drive on an IDE or SATA disk.
    'storage': ['sr_mod'],
    'fs': ['isofs', 'vfat', 'nls_cp437', 'nls_utf8'],
}
PROBED = ('nic', 'disk')
# Drivers a kernel may lack, with what the guest then cannot do; a kernel
# without any other listed driver cannot build the guest.  Debian's cloud
# kernel, for one, has no AHCI (nor e1000: see --nic-mode virtio).
OPTIONAL_MODULES = {
    'ahci': 'read a config drive on a SATA CD-ROM (q35 machines; the '
            'metadata service still works)',
    'ata_piix': 'read a config drive on an IDE CD-ROM (pc machines; the '
                'metadata service still works)',
    'virtio_blk': 'read a VFAT config drive on a virtio disk',
    'virtio_rng': 'seed its random pool from a virtio-rng device',
}
# Nova attaches its config drive as an IDE or SATA CD-ROM: a kernel needs
# one of these (and sr_mod, isofs) for the guest to read it.
CDROM_CONTROLLERS = ('ata_piix', 'ahci')
MODULE_DIR = 'usr/lib/modules/netperf'
# The static busybox that is init and runs the boot scripts.  Its shell
# runs applets without exec (Debian builds it with FEATURE_SH_STANDALONE),
# which under TCG saves the 30 to 50 ms a dynamically linked exec costs;
# logins keep the dynamic busybox, whose shell finds iputils' ping on PATH.
BOOT_BUSYBOX = 'usr/lib/netperf/busybox'

ETC_FILES = {
    'etc/passwd': 'root:*:0:0:root:/root:/bin/sh\n',
    'etc/group': 'root:x:0:\ntty:x:5:\n',
    'etc/shells': '/bin/sh\n',
    'etc/hosts': '127.0.0.1 localhost\n::1 localhost\n',
    'etc/nsswitch.conf': 'passwd: files\ngroup: files\nhosts: files dns\n',
}


def read_link(root: pathlib.Path, path: pathlib.Path) -> pathlib.Path:
    """Follow symlinks inside an unpacked package, never out of it."""
    for _ in range(20):
        if not path.is_symlink():
            return path
        target = os.readlink(path)
        if target.startswith('/'):
            path = root / target.lstrip('/')
        else:
            path = path.parent / target
    raise exceptions.ImageError('symlink loop at %s' % path)


class Kernel:
    """An unpacked kernel package: its image and modules."""

    def __init__(self, root: pathlib.Path):
        self.root = root
        versions = sorted(p.name for p in (root / 'lib/modules').iterdir())
        if len(versions) != 1:
            raise exceptions.ImageError('expected one kernel in %s, found %s'
                                        % (root, versions or 'none'))
        self.version = versions[0]
        self.moddir = root / 'lib/modules' / self.version
        self.image = root / 'boot' / ('vmlinuz-' + self.version)
        self.modules = {}
        for path in sorted(self.moddir.rglob('*.ko*')):
            name = path.name.split('.ko')[0].replace('-', '_')
            self.modules[name] = path
        self.builtin = set()
        builtin = self.moddir / 'modules.builtin'
        if builtin.is_file():
            for line in builtin.read_text().split():
                name = line.rsplit('/', 1)[-1].split('.ko')[0]
                self.builtin.add(name.replace('-', '_'))

    def has(self, name: str) -> bool:
        """Whether the kernel has the driver, built in or as a module."""
        return name in self.builtin or name in self.modules

    def load_order(self, names: list[str]) -> list[str]:
        """Modules to insmod, dependencies first, built-in ones left out."""
        order: list[str] = []

        def visit(name: str, chain: tuple[str, ...]) -> None:
            if name in order or name in self.builtin:
                return
            if name in chain:
                raise exceptions.ImageError('module dependency loop: %s'
                                            % ' -> '.join(chain + (name,)))
            path = self.modules.get(name)
            if path is None:
                hint = (' or --nic-mode virtio'
                        if name in MODULE_GROUPS['e1000'] else '')
                raise exceptions.ImageError(
                    'kernel %s has no module %s (neither built in nor a '
                    'module); choose a kernel package that has it, e.g. '
                    'linux-image-amd64%s' % (self.version, name, hint))
            for dep in elf.module_depends(path.read_bytes(), str(path)):
                visit(dep.replace('-', '_'), chain + (name,))
            order.append(name)

        for name in names:
            visit(name, ())
        return order


class Libraries:
    """Shared libraries found in unpacked library packages."""

    def __init__(self, triplet: str):
        self.triplet = triplet
        self.index: dict[str, tuple[str, pathlib.Path]] = {}

    def add_package(self, name: str, root: pathlib.Path) -> None:
        for sub in ('lib/' + self.triplet, 'usr/lib/' + self.triplet,
                    'lib64', 'usr/lib64'):
            directory = root / sub
            if not directory.is_dir():
                continue
            for path in sorted(directory.iterdir()):
                if '.so' in path.name:
                    real = read_link(root, path)
                    if real.is_file():
                        self.index.setdefault(path.name, (name, real))


class GuestTree:
    """Builds the :class:`cpio.Tree` of the guest."""

    def __init__(self, arch: str):
        self.triplet = TRIPLETS[arch]
        self.tree = cpio.Tree()
        self.needed: set[str] = set()
        self.libdir = 'usr/lib/' + self.triplet

    def base(self) -> None:
        """Directories, merged-/usr links, device nodes, config files."""
        tree = self.tree
        for path, mode in (('dev', 0o755), ('proc', 0o555), ('sys', 0o555),
                           ('run', 0o755), ('tmp', 0o1777), ('root', 0o700),
                           ('usr/bin', 0o755), (self.libdir, 0o755),
                           ('var', 0o755)):
            tree.dir(path, mode)
        for link, target in (('bin', 'usr/bin'), ('sbin', 'usr/bin'),
                             ('usr/sbin', 'bin'), ('lib', 'usr/lib'),
                             ('lib64', 'usr/lib64'), ('var/run', '../run'),
                             ('init', BOOT_BUSYBOX)):
            tree.symlink(link, target)
        tree.chardev('dev/console', 5, 1)
        tree.chardev('dev/null', 1, 3, 0o666)
        for path, text in ETC_FILES.items():
            tree.file(path, text.encode())
        tree.file('etc/inittab', (GUEST_FILES / 'inittab').read_bytes())
        tree.file('etc/netperf/lib.sh', (GUEST_FILES / 'lib.sh').read_bytes())
        for script in ('rc', 'udhcpc.script'):
            tree.file('etc/netperf/' + script,
                      (GUEST_FILES / script).read_bytes(), 0o755)

    def program(self, root: pathlib.Path, name: str,
                dest: str | None = None) -> None:
        """Install a package's program as DEST, by default usr/bin/NAME."""
        for sub in PROGRAM_DIRS:
            path = root / sub / name
            if path.exists() or path.is_symlink():
                data = read_link(root, path).read_bytes()
                self.tree.file(dest or 'usr/bin/' + name, data, 0o755)
                self._need(data, name)
                return
        raise exceptions.ImageError('package unpacked in %s has no program %s'
                                    % (root, name))

    def _need(self, data: bytes, name: str) -> None:
        if elf.is_elf(data):
            self.needed.update(elf.needed_libraries(data, name))
            interpreter = elf.interpreter(data, name)
            if interpreter:
                self.needed.add(interpreter)

    def busybox_applets(self, work: pathlib.Path) -> list[str]:
        """Link every applet busybox has to it, unless a program is there.

        The guest's busybox asks itself, run by the guest's own loader and
        libc (after :meth:`resolve_libraries`), so the host's C library
        version does not matter.  The dynamic busybox package is used: the
        static one prefers its applets to PATH (``ping`` would not be
        iputils' ping).
        """
        work.mkdir(parents=True, exist_ok=True)
        busybox = self.tree.entries['usr/bin/busybox'].data
        files = {'busybox': busybox}
        for needed in elf.needed_libraries(busybox, 'busybox') + [
                elf.interpreter(busybox, 'busybox') or '']:
            base = needed.rsplit('/', 1)[-1]
            entry = self.tree.entries.get('%s/%s' % (self.libdir, base))
            if entry is not None:
                files[base] = entry.data
        for name, data in files.items():
            (work / name).write_bytes(data)
            (work / name).chmod(0o755)
        argv = [str(work / 'busybox'), '--list']
        loader = (elf.interpreter(busybox, 'busybox') or '').rsplit('/', 1)
        if loader[-1]:
            argv = [str(work / loader[-1]), '--library-path',
                    str(work)] + argv
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode != 0:
            raise exceptions.ImageError(
                'cannot list the applets of the guest\'s '
                'busybox: %s' % proc.stderr.strip())
        applets = sorted(set(proc.stdout.split()))
        for applet in applets:
            path = 'usr/bin/' + applet
            if '/' not in applet and path not in self.tree.entries:
                self.tree.symlink(path, 'busybox')
        return applets

    def resolve_libraries(self, libraries: Libraries) -> tuple[
            set[str], set[str]]:
        """Install every needed library found; (packages used, missing)."""
        used = set()
        done: set[str] = set()
        while self.needed - done:
            for needed in sorted(self.needed - done):
                done.add(needed)
                found = libraries.index.get(needed.rsplit('/', 1)[-1])
                if found is None:
                    continue
                package, path = found
                used.add(package)
                data = path.read_bytes()
                base = needed.rsplit('/', 1)[-1]
                self.tree.file('%s/%s' % (self.libdir, base), data, 0o755)
                if needed.startswith('/'):
                    self._interpreter_link(needed, base)
                self._need(data, base)
        installed = {p.rsplit('/', 1)[-1] for p in self.tree.entries}
        missing = {n for n in self.needed
                   if n.rsplit('/', 1)[-1] not in installed}
        return used, missing

    def _interpreter_link(self, path: str, base: str) -> None:
        # The ELF interpreter is looked up by absolute path.
        parts = path.strip('/').split('/')
        if parts[0] in ('lib', 'lib64'):
            parts.insert(0, 'usr')
        link = '/'.join(parts)
        if link != '%s/%s' % (self.libdir, base):
            depth = len(parts) - 1
            self.tree.symlink(link, '../' * (depth - 1) + '%s/%s' % (
                self.libdir.split('/', 1)[1], base))

    def modules(self, kernel: Kernel,
                groups: typing.Mapping[str, list[str]]) -> dict[str,
                                                                list[str]]:
        """Install module groups; the load order of each group.

        Beside the modules go one file per group (its load order), one per
        module (``deps/NAME``: what to load for it, in order) and, for the
        probed groups, ``aliases.GROUP`` (``pattern module`` lines).
        """
        orders = {}
        for group, names in sorted(groups.items()):
            order = kernel.load_order(names)
            for name in order:
                data = kernel.modules[name].read_bytes()
                self.tree.file('%s/%s.ko' % (MODULE_DIR, name), data)
                self.tree.file('%s/deps/%s' % (MODULE_DIR, name), ''.join(
                    n + '\n' for n in kernel.load_order([name])).encode())
            self.tree.file('%s/%s' % (MODULE_DIR, group),
                           ''.join(n + '\n' for n in order).encode())
            if group in PROBED:
                lines = sorted(
                    '%s %s\n' % (alias, name) for name in names
                    if name in kernel.modules
                    for alias in elf.module_aliases(
                        kernel.modules[name].read_bytes(), name))
                self.tree.file('%s/aliases.%s' % (MODULE_DIR, group),
                               ''.join(lines).encode())
            orders[group] = order
        return orders
