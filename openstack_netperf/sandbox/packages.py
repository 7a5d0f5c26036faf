"""Debian packages and the pinned service virtualenv.

Every Debian package list of the project lives once, under ``debs/`` next
to this module, one group per file (a package per line, ``#`` comments):
``sandbox`` and ``image`` are what ``up`` installs, ``image`` is also the
devstack plugin's list (``devstack/files/debs/openstack-netperf`` links to
it), and ``tools/install-prereqs.sh`` installs ``dev``, ``tests`` and
``image`` on a test host.

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

from openstack_netperf import exceptions
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import system

HERE = os.path.dirname(os.path.abspath(__file__))
DEBS_DIR = os.path.join(HERE, 'debs')
# What up installs: the services, and the tools of the guest image build.
UP_GROUPS = ('sandbox', 'image')
LOCK_FILE = os.path.join(HERE, 'requirements.lock')
LIBVIRT_BINDING = '/usr/lib/python3/dist-packages/libvirt*'
SUDO_SHIM = '#!/bin/sh\n# oslo.privsep runs "sudo privsep-helper ..." even ' \
            'as root.\nexec "$@"\n'


def debian_packages(*groups: str) -> list[str]:
    """The packages of these groups (files under ``debs/``), each once."""
    names: list[str] = []
    for group in groups:
        with open(os.path.join(DEBS_DIR, group)) as handle:
            for line in handle:
                name = line.partition('#')[0].strip()
                if name and name not in names:
                    names.append(name)
    return names


def missing_packages(names: list[str] | None = None) -> list[str]:
    """Debian packages (by default, what ``up`` needs) not installed yet."""
    if names is None:
        names = debian_packages(*UP_GROUPS)
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


def venv_stamp(conf: settings_mod.SandboxSettings) -> str:
    return os.path.join(conf.venv_dir, 'netperf-lock.sha256')


def venv_ready(conf: settings_mod.SandboxSettings) -> bool:
    """The venv exists and was installed from the current lock file."""
    try:
        with open(venv_stamp(conf)) as handle:
            return handle.read().strip() == lock_digest()
    except FileNotFoundError:
        return False


def site_packages(conf: settings_mod.SandboxSettings) -> str:
    found = glob.glob(os.path.join(conf.venv_dir, 'lib', 'python3*',
                                   'site-packages'))
    if not found:
        raise exceptions.ServiceError('no site-packages under %s'
                                      % conf.venv_dir)
    return found[0]


def install_venv(conf: settings_mod.SandboxSettings, log: str) -> None:
    """Create the service venv and install the lock file into it."""
    if not os.path.exists(conf.venv_bin('python')):
        system.run([conf.python, '-m', 'venv', conf.venv_dir], log=log)
    system.run([conf.venv_bin('pip'), 'install', '-q', '-r', LOCK_FILE],
               log=log, timeout=1800)
    link_libvirt(conf)
    system.write_file(venv_stamp(conf), lock_digest() + '\n')


def link_libvirt(conf: settings_mod.SandboxSettings) -> None:
    """Make Debian's libvirt binding importable from the venv."""
    target = site_packages(conf)
    sources = glob.glob(LIBVIRT_BINDING)
    if not sources:
        raise exceptions.ServiceError(
            'python3-libvirt is not installed (%s missing)'
            % LIBVIRT_BINDING)
    for source in sources:
        link = os.path.join(target, os.path.basename(source))
        if not os.path.lexists(link):
            os.symlink(source, link)


def tools_dir(conf: settings_mod.SandboxSettings) -> str:
    """Directory put first on the services' PATH (venv scripts, sudo)."""
    return conf.state('bin')


def install_tools(conf: settings_mod.SandboxSettings) -> None:
    system.write_file(os.path.join(tools_dir(conf), 'sudo'), SUDO_SHIM,
                      0o755)


def service_path(conf: settings_mod.SandboxSettings) -> str:
    """PATH for every service: our sudo, the venv, then the system."""
    return ':'.join([tools_dir(conf), os.path.join(conf.venv_dir, 'bin'),
                     '/usr/local/sbin', '/usr/local/bin', '/usr/sbin',
                     '/usr/bin', '/sbin', '/bin'])
