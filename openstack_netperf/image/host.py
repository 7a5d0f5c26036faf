"""Checks of the build host, so a missing piece fails early and says why."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess

from openstack_netperf import exceptions

SUPPORTED_ARCHES = {'amd64': 'x86_64'}

# What each program is installed with, on Debian and Ubuntu alike.
TOOL_PACKAGES = {
    'apt-get': 'apt',
    'apt-cache': 'apt',
    'dpkg-deb': 'dpkg',
    'qemu-img': 'qemu-utils',
    'syslinux': 'syslinux',
    'mcopy': 'mtools',
    'mkfs.fat': 'dosfstools',
    'lz4': 'lz4',
}
MBR_PATHS = ('/usr/lib/syslinux/mbr/mbr.bin', '/usr/lib/SYSLINUX/mbr.bin',
             '/usr/share/syslinux/mbr.bin')


def os_release(path: str = '/etc/os-release') -> dict[str, str]:
    """The fields of os-release(5), quotes removed."""
    fields = {}
    try:
        with open(path) as source:
            for line in source:
                key, sep, value = line.strip().partition('=')
                if sep:
                    fields[key] = value.strip('"\'')
    except OSError:
        pass
    return fields


def check_distribution(path: str = '/etc/os-release') -> str:
    """The host's distribution id; an error unless it is apt-based."""
    fields = os_release(path)
    ids = [fields.get('ID', '')] + fields.get('ID_LIKE', '').split()
    if 'debian' in ids or 'ubuntu' in ids:
        return fields.get('ID', 'debian')
    raise exceptions.ImageError(
        'Unsupported host distribution %r: netperf-image fetches guest '
        'packages with apt and unpacks them with dpkg-deb, so it runs on '
        'Debian or Ubuntu (or a container of either).'
        % (fields.get('PRETTY_NAME') or fields.get('ID') or 'unknown'))


def check_arch(arch: str) -> None:
    """Guests are for this machine's architecture (busybox runs here)."""
    machine = SUPPORTED_ARCHES.get(arch)
    if machine is None:
        raise exceptions.ImageError(
            'Unsupported guest architecture %r; supported: %s'
            % (arch, ', '.join(SUPPORTED_ARCHES)))
    if platform.machine() != machine:
        raise exceptions.ImageError(
            'A %s guest can only be built on a %s host (this one is %s)'
            % (arch, machine, platform.machine()))


def check_tools(tools: list[str],
                files: dict[str, str] | None = None) -> None:
    """Every program is on PATH (sbin included), or one error naming all.

    ``files`` maps data files that must exist to their packages.  The
    error carries the ``apt-get install`` line that fixes it.
    """
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin'
    missing = [tool for tool in tools if shutil.which(tool, path=path) is None]
    packages = [TOOL_PACKAGES[tool] for tool in missing]
    for name, package in (files or {}).items():
        if not os.path.exists(name):
            missing.append(name)
            packages.append(package)
    if missing:
        raise exceptions.ToolMissing.on_host(
            'What the build needs (%s)' % ', '.join(missing), packages)


def install_packages(packages: list[str]) -> None:
    """apt-get install the packages (for ``build --install-deps``)."""
    line = 'apt-get install -y %s' % ' '.join(packages)
    if os.geteuid() != 0:
        raise exceptions.ImageError(
            '--install-deps needs root; run as root: %s'
            % line)
    proc = subprocess.run(
        ['apt-get', 'install', '-y', '--no-install-recommends'] + packages,
        capture_output=True, text=True,
        env=dict(os.environ, DEBIAN_FRONTEND='noninteractive'))
    if proc.returncode != 0:
        raise exceptions.ImageError('%s failed: %s' % (
            line, proc.stderr.strip()[-800:]))


def which(tool: str) -> str:
    """The path of a program, looking in sbin directories too."""
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin'
    found = shutil.which(tool, path=path)
    if found is None:
        raise exceptions.ToolMissing.on_host(tool, [TOOL_PACKAGES[tool]])
    return found


def syslinux_mbr() -> str:
    """The path of syslinux's master boot record code."""
    for path in MBR_PATHS:
        if os.path.isfile(path):
            return path
    raise exceptions.ToolMissing.on_host(
        'syslinux\'s mbr.bin', ['syslinux-common'])


def mbr_requirement() -> dict[str, str]:
    """For :func:`check_tools`: the MBR code, found or where it goes."""
    found = [path for path in MBR_PATHS if os.path.isfile(path)]
    return {(found or MBR_PATHS)[0]: 'syslinux-common'}
