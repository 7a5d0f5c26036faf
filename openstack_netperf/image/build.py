"""Build the netperf guest: kernel + initramfs, and a bootable qcow2."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
import pathlib
import subprocess
import tempfile

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf.image import apt
from openstack_netperf.image import disk
from openstack_netperf.image import host
from openstack_netperf.image import rootfs

LOG = logging.getLogger(__name__)

NAME = 'netperf-guest'
NIC_MODES = ('auto', 'virtio', 'e1000')
DEFAULT_KERNEL_PACKAGE = 'linux-image-cloud-amd64'
DEFAULT_NIC_MODE = 'virtio'
# Debian's generic kernel: every driver (e1000, AHCI), slower to boot.
FULL_KERNEL_PACKAGE = 'linux-image-amd64'
# 2024-01-01: file times in the image when SOURCE_DATE_EPOCH is unset.
DEFAULT_EPOCH = 1704067200
# Under TCG: cryptomgr.notests skips the crypto self-tests (FIPS mode,
# where they are mandatory, runs them anyway) and initcall_blacklist skips
# the set-up of what the guest never uses (key derivation and encrypted
# keys for keyctl, kprobe trace events), half a second together.
BASE_CMDLINE = ('console=tty0 console=ttyS0,115200n8 quiet edd=off '
                'mitigations=off cryptomgr.notests initcall_blacklist='
                'crypto_kdf108_init,init_encrypted,init_kprobe_trace')
# Programs, per package, that go into the guest's /usr/bin.
PROGRAMS = {
    'busybox': ['busybox'],
    'dropbear-bin': ['dropbear', 'dropbearkey'],
    'iperf3': ['iperf3'],
    'iputils-ping': ['ping'],
}
IPERF2 = {'iperf': ['iperf']}
# Package of the static busybox that boots the guest (rootfs.BOOT_BUSYBOX).
BOOT_BUSYBOX_PACKAGE = 'busybox-static'


def default_cache_dir() -> pathlib.Path:
    base = os.environ.get('XDG_CACHE_HOME') or os.path.expanduser('~/.cache')
    return pathlib.Path(base) / 'netperf-image'


@dataclasses.dataclass
class BuildOptions:
    """What to build; the defaults make the image the project tests."""

    output: pathlib.Path
    release: str = 'bookworm'
    arch: str = 'amd64'
    mirror: str | None = None
    security_mirror: str | None = None
    # Debian's cloud kernel: LZ4-compressed and lean, the guest is
    # SSH-ready about twice as fast under TCG; it has virtio but no e1000.
    kernel_package: str = DEFAULT_KERNEL_PACKAGE
    nic_mode: str = DEFAULT_NIC_MODE
    virtio_csum: bool = True
    iperf2: bool = True
    disk: bool = True
    cache_dir: pathlib.Path = dataclasses.field(
        default_factory=default_cache_dir)
    extra_cmdline: str = ''
    epoch: int | None = None
    install_deps: bool = False

    def validate(self) -> None:
        if self.nic_mode not in NIC_MODES:
            raise exceptions.ImageError(
                '--nic-mode must be one of %s, not %r'
                % (', '.join(NIC_MODES), self.nic_mode))
        if 'netperf.' in self.extra_cmdline.replace('netperf.debug', ''):
            raise exceptions.ImageError(
                'set netperf.nic / netperf.virtio_csum with --nic-mode and '
                '--no-virtio-csum, not in the extra command line')

    def source_date_epoch(self) -> int:
        if self.epoch is not None:
            return self.epoch
        value = os.environ.get('SOURCE_DATE_EPOCH')
        if value is None:
            return DEFAULT_EPOCH
        try:
            return int(value)
        except ValueError:
            raise exceptions.ImageError('SOURCE_DATE_EPOCH must be an integer '
                                        '(seconds), not %r' % value)

    def cmdline(self) -> str:
        """The kernel command line the disk boots with (and upload sets)."""
        words = [BASE_CMDLINE, 'netperf.nic=%s' % self.nic_mode]
        if not self.virtio_csum:
            words.append('netperf.virtio_csum=0')
        if self.extra_cmdline:
            words.append(self.extra_cmdline)
        return ' '.join(words)

    def module_groups(self) -> dict[str, list[str]]:
        groups = {name: rootfs.MODULE_GROUPS[name]
                  for name in ('disk', 'storage', 'fs')}
        nic: list[str] = []
        for group in ('virtio', 'e1000'):
            if self.nic_mode in ('auto', group):
                groups[group] = rootfs.MODULE_GROUPS[group]
                nic += rootfs.MODULE_GROUPS[group]
        groups['nic'] = nic
        return groups

    def driver_groups(self, kernel: rootfs.Kernel) -> tuple[
            dict[str, list[str]], dict[str, str]]:
        """The module groups this kernel can fill; the drivers it lacks.

        Optional drivers (:data:`rootfs.OPTIONAL_MODULES`) the kernel does
        not have are left out, with what the guest loses; any other
        missing driver stops the build, saying what to change.
        """
        groups = self.module_groups()
        lacking = sorted({name for names in groups.values() for name in names
                          if not kernel.has(name)})
        required = [name for name in lacking
                    if name not in rootfs.OPTIONAL_MODULES]
        if required:
            nic = [name for name in required
                   if name in rootfs.MODULE_GROUPS['e1000']]
            if nic:
                hint = ('--nic-mode %s needs them: build with --nic-mode '
                        'virtio (virtio NICs only; add --no-virtio-csum for '
                        'an Open vSwitch userspace datapath) or use a '
                        'kernel package with e1000, e.g. %s'
                        % (self.nic_mode, FULL_KERNEL_PACKAGE))
            else:
                hint = ('use a kernel package that has them, e.g. %s'
                        % FULL_KERNEL_PACKAGE)
            raise exceptions.ImageError(
                'kernel package %s (%s) has no %s driver (neither built in '
                'nor a module); %s' % (self.kernel_package, kernel.version,
                                       ', '.join(required), hint))
        if all(name in lacking for name in rootfs.CDROM_CONTROLLERS):
            raise exceptions.ImageError(
                'kernel package %s (%s) has none of the CD-ROM controller '
                'drivers %s: the guest could not read a Nova config drive; '
                'use a kernel package with one, e.g. %s'
                % (self.kernel_package, kernel.version,
                   ', '.join(rootfs.CDROM_CONTROLLERS), FULL_KERNEL_PACKAGE))
        fitted = {group: [name for name in names if name not in lacking]
                  for group, names in groups.items()}
        return fitted, {name: rootfs.OPTIONAL_MODULES[name]
                        for name in lacking}


@dataclasses.dataclass
class BuildResult:
    """Where the outputs are and what they hold."""

    kernel: pathlib.Path
    initrd: pathlib.Path
    qcow2: pathlib.Path | None
    manifest_path: pathlib.Path
    manifest: dict


def prepare_dir(path: pathlib.Path, option: str) -> None:
    """Create ``path`` and prove it writable, before any slow step.

    A path under a file, onto a file or where the user cannot write would
    otherwise fail only after apt has read the package lists.

    :raises exceptions.InvalidInput: ``path`` cannot hold the files.
    """
    for place in (path, *path.parents):
        if place.exists() and not place.is_dir():
            raise exceptions.InvalidInput(
                '%s %s: %s is a file, not a directory; choose a directory'
                % (option, path, place))
    try:
        path.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryFile(dir=path):
            pass
    except OSError as exc:
        raise exceptions.InvalidInput(
            '%s %s cannot be written (%s); choose a directory you can '
            'write to' % (option, path, exc.strerror or exc)) from exc


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _extract(deb: pathlib.Path, into: pathlib.Path) -> pathlib.Path:
    into.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run([host.which('dpkg-deb'), '-x', str(deb),
                           str(into)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise exceptions.ImageError('dpkg-deb -x %s failed: %s'
                                    % (deb, proc.stderr.strip()))
    return into


class Builder:
    """Fetches, unpacks and assembles; one instance per build."""

    def __init__(self, options: BuildOptions):
        options.validate()
        self.options = options
        self.versions: dict[str, str] = {}

    def _apt(self) -> apt.Apt:
        opts = self.options
        mirror, security = apt.default_mirrors(opts.release,
                                               apt.host_mirrors())
        if opts.mirror:
            mirror = opts.mirror.rstrip('/')
            security = apt.security_for(mirror)
        if opts.security_mirror is not None:
            security = opts.security_mirror or None
        return apt.Apt(opts.cache_dir / 'apt' / ('%s-%s' % (opts.release,
                                                            opts.arch)),
                       opts.release, opts.arch, mirror, security)

    def _kernel_package(self, packages: apt.Apt) -> str:
        """The versioned package behind a kernel meta package."""
        name = self.options.kernel_package
        for _ in range(3):
            (package,) = packages.show([name])
            images = [dep for dep in package.depends
                      if dep.startswith('linux-image-')]
            if not images:
                return name
            name = images[0]
        return name

    def fetch(self, packages: apt.Apt, names: list[str],
              work: pathlib.Path) -> dict[str, pathlib.Path]:
        debs = packages.download(
            names, self.options.cache_dir / 'debs' / ('%s-%s' % (
                self.options.release, self.options.arch)))
        roots = {}
        for package in packages.show(names):
            self.versions[package.name] = package.version
            roots[package.name] = _extract(debs[package.name],
                                           work / 'pkg' / package.name)
        return roots

    def check_host_tools(self) -> None:
        """Everything the build runs is installed, or one error for all."""
        tools = ['apt-get', 'apt-cache', 'dpkg-deb', 'lz4']
        files = {apt.DEBIAN_KEYRING: 'debian-archive-keyring'}
        if self.options.disk:
            tools += ['mkfs.fat', 'syslinux', 'mcopy', 'qemu-img']
            files.update(host.mbr_requirement())
        host.check_tools(tools, files)

    def build(self) -> BuildResult:
        opts = self.options
        prepare_dir(opts.output, '--output')
        prepare_dir(opts.cache_dir, '--cache-dir')
        host.check_distribution()
        host.check_arch(opts.arch)
        try:
            self.check_host_tools()
        except exceptions.ToolMissing as exc:
            if not opts.install_deps:
                raise
            LOG.info('installing %s', ' '.join(exc.packages))
            host.install_packages(exc.packages)
            self.check_host_tools()
        epoch = opts.source_date_epoch()
        packages = self._apt()
        LOG.info('reading package lists of %s %s from %s', opts.release,
                 opts.arch, packages.mirror)
        packages.update()
        programs = dict(PROGRAMS, **(IPERF2 if opts.iperf2 else {}))
        kernel_name = self._kernel_package(packages)
        opts.output.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix='netperf-image-') as tmp:
            work = pathlib.Path(tmp)
            roots = self.fetch(packages, sorted(programs) + [
                BOOT_BUSYBOX_PACKAGE, kernel_name], work)
            guest = rootfs.GuestTree(opts.arch)
            guest.base()
            guest.program(roots[BOOT_BUSYBOX_PACKAGE], 'busybox',
                          rootfs.BOOT_BUSYBOX)
            for package, names in sorted(programs.items()):
                for name in names:
                    guest.program(roots[package], name)
            library_packages = self._resolve_libraries(
                packages, guest, roots, set(programs), work)
            guest.busybox_applets(work / 'busybox')
            kernel = rootfs.Kernel(roots[kernel_name])
            groups, lacking = opts.driver_groups(kernel)
            for name, loss in lacking.items():
                LOG.warning('kernel %s has no %s driver: the guest cannot '
                            '%s', kernel.version, name, loss)
            modules = guest.modules(kernel, groups)
            kernel_bytes = kernel.image.read_bytes()
            manifest = {
                'name': NAME,
                'release': opts.release,
                'arch': opts.arch,
                'mirror': packages.mirror,
                'kernel_package': kernel_name,
                'kernel_version': kernel.version,
                'cmdline': opts.cmdline(),
                'nic_mode': opts.nic_mode,
                'virtio_csum': opts.virtio_csum,
                'source_date_epoch': epoch,
                'packages': dict(sorted(
                    (name, self.versions[name]) for name in
                    set(programs) | {kernel_name, BOOT_BUSYBOX_PACKAGE}
                    | library_packages)),
                'modules': modules,
                **({'modules_lacking': lacking} if lacking else {}),
                'ready_line': console.READY_LINE,
                'files': {},
            }
            guest.tree.file('etc/netperf/manifest.json', json.dumps(
                {k: v for k, v in manifest.items() if k != 'files'},
                indent=2, sort_keys=True).encode())
            initrd = guest.tree.initramfs(epoch)
            outputs = {'kernel': (opts.output / (NAME + '.vmlinuz'),
                                  kernel_bytes),
                       'initrd': (opts.output / (NAME + '.initrd'), initrd)}
            for key, (path, data) in outputs.items():
                path.write_bytes(data)
            qcow2 = None
            if opts.disk:
                qcow2 = opts.output / (NAME + '.qcow2')
                disk.build_disk(work, qcow2, kernel_bytes, initrd,
                                opts.cmdline(), epoch)
                outputs['qcow2'] = (qcow2, qcow2.read_bytes())
            for key, (path, data) in outputs.items():
                manifest['files'][key] = {'name': path.name,
                                          'sha256': _sha256(data),
                                          'size': len(data)}
            manifest['initrd_unpacked_size'] = guest.tree.size()
        manifest_path = opts.output / 'manifest.json'
        manifest_path.write_text(json.dumps(manifest, indent=2,
                                            sort_keys=True) + '\n')
        return BuildResult(outputs['kernel'][0], outputs['initrd'][0], qcow2,
                           manifest_path, manifest)

    def _resolve_libraries(self, packages: apt.Apt,
                           guest: rootfs.GuestTree,
                           roots: dict[str, pathlib.Path],
                           contributors: set[str],
                           work: pathlib.Path) -> set[str]:
        """Fetch library packages until every needed library is found.

        Only dependencies of packages that gave the guest a file are
        followed, so maintainer-script helpers (adduser, debconf, perl)
        never come in.
        """
        libraries = rootfs.Libraries(guest.triplet)
        fetched = set(roots)
        while True:
            for name in sorted(fetched):
                libraries.add_package(name, roots[name])
            used, missing = guest.resolve_libraries(libraries)
            contributors |= used
            if not missing:
                return used
            deps = {dep for package in packages.show(sorted(contributors))
                    for dep in package.depends}
            new = sorted(package.name for package in packages.show(
                sorted(deps - fetched), required=False)
                if package.is_library)
            if not new:
                raise exceptions.ImageError(
                    'cannot find the shared libraries %s in the packages '
                    'the guest programs depend on' % ', '.join(
                        sorted(missing)))
            roots.update(self.fetch(packages, new, work))
            fetched |= set(new)
