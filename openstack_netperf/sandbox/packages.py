"""Debian packages and the pinned service virtualenv.

The services run from their own virtualenv, pinned by ``requirements.lock``
next to this module (regenerate it to upgrade), never from the tox or
project environment.  The libvirt binding comes from Debian's
``python3-libvirt`` (built for the system Python the venv uses); a
``sudo`` that only executes its arguments satisfies oslo.privsep, which
prefixes its helper with ``sudo`` even when already root.
"""

from __future__ import annotations

import glob
import hashlib
import os
import shutil

from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import system

DEBIAN_PACKAGES = (
    'mariadb-server', 'rabbitmq-server', 'openvswitch-switch',
    'qemu-system-x86', 'qemu-utils', 'libvirt-daemon-system',
    'libvirt-daemon-driver-qemu', 'libvirt-clients', 'python3-libvirt',
    'python3-venv', 'dnsmasq-base', 'iperf3', 'openssh-server',
    'openssh-client', 'genisoimage', 'ethtool', 'iproute2', 'iptables',
    'iputils-arping', 'iputils-ping', 'conntrack', 'util-linux', 'haproxy',
    # netperf-image build, which up runs for the guest image.
    'syslinux', 'syslinux-common', 'mtools', 'dosfstools', 'lz4',
    'debian-archive-keyring')

LOCK_FILE = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                         'requirements.lock')
LIBVIRT_BINDING = '/usr/lib/python3/dist-packages/libvirt*'
SUDO_SHIM = '#!/bin/sh\n# oslo.privsep runs "sudo privsep-helper ..." even ' \
            'as root.\nexec "$@"\n'


def missing_packages(names=DEBIAN_PACKAGES) -> list[str]:
    """Debian packages not installed yet."""
    result = system.run(
        ['dpkg-query', '-W', '-f', '${Package} ${db:Status-Status}\n']
        + list(names), check=False)
    installed = {line.split()[0] for line in result.stdout.splitlines()
                 if line.endswith(' installed')}
    return [name for name in names if name not in installed]


def install_packages(log: str) -> None:
    """apt-get install what is missing, without starting Debian services.

    The sandbox starts its own MariaDB, RabbitMQ, OVS and libvirt with
    its own data directories; a service started by a package script
    would hold their ports.
    """
    missing = missing_packages()
    if not missing:
        return
    policy = '/usr/sbin/policy-rc.d'
    added_policy = not os.path.exists(policy)
    if added_policy:
        system.write_file(policy, '#!/bin/sh\nexit 101\n', 0o755)
    env = dict(os.environ, DEBIAN_FRONTEND='noninteractive')
    install = ['apt-get', 'install', '-y', '-q',
               '--no-install-recommends'] + missing
    try:
        if system.run(install, log=log, env=env, timeout=1800,
                      check=False).returncode != 0:
            # Stale or missing package lists on a fresh machine.
            system.run(['apt-get', 'update', '-q'], log=log, env=env,
                       timeout=600)
            system.run(install, log=log, env=env, timeout=1800)
    finally:
        if added_policy:
            os.unlink(policy)


def lock_digest(path: str = LOCK_FILE) -> str:
    with open(path, 'rb') as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def venv_stamp(conf: settings_mod.Settings) -> str:
    return os.path.join(conf.venv_dir, 'netperf-lock.sha256')


def venv_ready(conf: settings_mod.Settings) -> bool:
    """The venv exists and was installed from the current lock file."""
    try:
        with open(venv_stamp(conf)) as handle:
            return handle.read().strip() == lock_digest()
    except FileNotFoundError:
        return False


def site_packages(conf: settings_mod.Settings) -> str:
    found = glob.glob(os.path.join(conf.venv_dir, 'lib', 'python3*',
                                   'site-packages'))
    if not found:
        raise RuntimeError('no site-packages under %s' % conf.venv_dir)
    return found[0]


def install_venv(conf: settings_mod.Settings, log: str) -> None:
    """Create the service venv and install the lock file into it."""
    if not os.path.exists(conf.venv_bin('python')):
        system.run([conf.python, '-m', 'venv', conf.venv_dir], log=log)
    system.run([conf.venv_bin('pip'), 'install', '-q', '-r', LOCK_FILE],
               log=log, timeout=1800)
    link_libvirt(conf)
    system.write_file(venv_stamp(conf), lock_digest() + '\n')


def link_libvirt(conf: settings_mod.Settings) -> None:
    """Make Debian's libvirt binding importable from the venv."""
    target = site_packages(conf)
    sources = glob.glob(LIBVIRT_BINDING)
    if not sources:
        raise RuntimeError('python3-libvirt is not installed (%s missing)'
                           % LIBVIRT_BINDING)
    for source in sources:
        link = os.path.join(target, os.path.basename(source))
        if not os.path.lexists(link):
            os.symlink(source, link)


def tools_dir(conf: settings_mod.Settings) -> str:
    """Directory put first on the services' PATH (venv scripts, sudo)."""
    return conf.state('bin')


def install_tools(conf: settings_mod.Settings) -> None:
    system.write_file(os.path.join(tools_dir(conf), 'sudo'), SUDO_SHIM,
                      0o755)


def service_path(conf: settings_mod.Settings) -> str:
    """PATH for every service: our sudo, the venv, then the system."""
    return ':'.join([tools_dir(conf), os.path.join(conf.venv_dir, 'bin'),
                     '/usr/local/sbin', '/usr/local/bin', '/usr/sbin',
                     '/usr/bin', '/sbin', '/bin'])


def remove_state(conf: settings_mod.Settings) -> None:
    """Delete the sandbox's state and logs (the venv stays: it is a cache)."""
    for path in (conf.state_dir, conf.log_dir):
        shutil.rmtree(path, ignore_errors=True)
