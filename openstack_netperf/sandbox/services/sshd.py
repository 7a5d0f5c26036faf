"""An SSH server per node, so nodes are reached like real hypervisors."""

from __future__ import annotations

from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod


def key_path(conf: settings_mod.SandboxSettings) -> str:
    """The sandbox's SSH key; its public half authorises root on nodes."""
    return conf.state('ssh', 'id_ed25519')


def host_key(conf: settings_mod.SandboxSettings,
             node: settings_mod.Node) -> str:
    return conf.state('nodes', node.name, 'ssh_host_ed25519_key')


def config_path(conf: settings_mod.SandboxSettings,
                node: settings_mod.Node) -> str:
    return conf.etc(node.name, 'sshd', 'sshd_config')


def config(conf: settings_mod.SandboxSettings, node: settings_mod.Node) -> str:
    return '\n'.join([
        'ListenAddress %s' % node.mgmt_ip,
        'Port 22',
        'HostKey %s' % host_key(conf, node),
        'PermitRootLogin prohibit-password',
        'AuthorizedKeysFile %s.pub' % key_path(conf),
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PidFile none',
        'Subsystem sftp internal-sftp',
    ]) + '\n'


def daemon(conf: settings_mod.SandboxSettings,
           node: settings_mod.Node) -> services.Daemon:
    return services.Daemon(node.name, 'sshd', (
        '/usr/sbin/sshd', '-D', '-e', '-f', config_path(conf, node)),
        port=22)
