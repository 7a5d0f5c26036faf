"""Reach hypervisor and network nodes by the names OpenStack reports.

Nova and Neutron name hosts (``OS-EXT-SRV-ATTR:host``, an agent's
``host``); these names do not always resolve, so an address map may say
where each one is.  One runner is built per host and cached: SSH runners
keep their connection open across the many inspection commands of a
snapshot.
"""

from __future__ import annotations

import dataclasses
import enum
import os
import socket
from typing import Mapping

from openstack_netperf import exceptions
from openstack_netperf import remote


class AccessMethod(str, enum.Enum):
    """How the hosts are reached."""

    SSH = 'ssh'
    LOCAL = 'local'
    NONE = 'none'


def parse_host_port(value: str, default_port: int = 22
                    ) -> tuple[str, int]:
    """Split ``host[:port]`` (``[v6addr]:port`` for IPv6 literals)."""
    text = value.strip()
    if not text:
        raise exceptions.InvalidInput('Empty host; expected host[:port]')
    if text.startswith('['):
        host, sep, rest = text[1:].partition(']')
        port_text = rest[1:] if rest.startswith(':') else ''
        if not sep or (rest and not rest.startswith(':')):
            raise exceptions.InvalidInput(
                'Cannot read %r; expected [address]:port' % value)
    elif text.count(':') == 1:
        host, _, port_text = text.partition(':')
    else:
        host, port_text = text, ''
    if not port_text:
        return host, default_port
    try:
        port = int(port_text)
    except ValueError:
        port = -1
    if not 0 < port < 65536:
        raise exceptions.InvalidInput(
            'Invalid port in %r; expected host[:port] with a port between '
            '1 and 65535' % value)
    return host, port


@dataclasses.dataclass(frozen=True)
class NodeAccessSettings:
    """How to log in to the nodes; mirrors the plugins' options.

    The defaults here are the only ones: Tempest's ``[netperf] node_*``
    options and Rally's ``netperf_node_access`` context read them.  No
    method is the default: nothing logs in to a node until told how.
    """

    method: AccessMethod = AccessMethod.NONE
    user: str = 'stack'
    key_file: str | None = None
    port: int = 22
    sudo: bool = True
    jump_host: str | None = None
    address_map: Mapping[str, str] = dataclasses.field(default_factory=dict)
    connect_timeout: float = 10.0
    command_timeout: float = 120.0

    def __post_init__(self):
        try:
            object.__setattr__(self, 'method', AccessMethod(self.method))
        except ValueError:
            raise exceptions.InvalidInput(
                'Unknown node access method %r; valid values: %s'
                % (self.method, ', '.join(m.value for m in AccessMethod))
            ) from None
        if self.method is AccessMethod.SSH and not self.user:
            raise exceptions.InvalidInput(
                'Node access over SSH needs a user name')
        if self.jump_host:
            parse_host_port(self.jump_host)
        if self.connect_timeout <= 0 or self.command_timeout <= 0:
            raise exceptions.InvalidInput(
                'Node connect and command timeouts must be positive '
                '(got %s and %s)' % (self.connect_timeout,
                                     self.command_timeout))


class NodeAccess:
    """Builds and caches one runner per host name."""

    def __init__(self, settings: NodeAccessSettings):
        self.settings = settings
        self._runners: dict[str, remote.Runner] = {}
        self._jump: remote.SSHRunner | None = None

    def address(self, host: str) -> str:
        """Where ``host`` is reached: its mapped address or the name."""
        return self.settings.address_map.get(host, host)

    def _jump_runner(self) -> remote.SSHRunner | None:
        if not self.settings.jump_host:
            return None
        if self._jump is None:
            host, port = parse_host_port(self.settings.jump_host)
            self._jump = self._ssh(host, port, sudo=False,
                                   name='jump host %s' % host)
        return self._jump

    def _ssh(self, address: str, port: int, sudo: bool, name: str,
             jump: remote.SSHRunner | None = None) -> remote.SSHRunner:
        s = self.settings
        return remote.SSHRunner(
            address, s.user, port=port, key_filename=s.key_file,
            sudo=sudo, jump=jump, connect_timeout=s.connect_timeout,
            command_timeout=s.command_timeout, name=name)

    @staticmethod
    def local_names() -> set[str]:
        """The names this machine answers to."""
        names = {'localhost', socket.gethostname(), socket.getfqdn()}
        return names | {n.split('.')[0] for n in names}

    def reaches(self, host: str) -> bool:
        """Whether :meth:`runner` can give a runner for ``host``."""
        if self.settings.method is AccessMethod.LOCAL:
            return host in self.local_names()
        return self.settings.method is AccessMethod.SSH

    def runner(self, host: str) -> remote.Runner:
        """The (cached) runner for ``host``."""
        if host in self._runners:
            return self._runners[host]
        method = self.settings.method
        if method is AccessMethod.NONE:
            raise exceptions.InvalidInput(
                'Cannot inspect host %s: node access is "none"; configure '
                'ssh or local access to the nodes' % host)
        if method is AccessMethod.LOCAL:
            if not self.reaches(host):
                raise exceptions.InvalidInput(
                    'Cannot inspect host %s: local node access reaches only '
                    'this machine (%s); use ssh access for other nodes'
                    % (host, socket.gethostname()))
            # Root needs no sudo (and a minimal host may not have it).
            use_sudo = self.settings.sudo and os.geteuid() != 0
            prefix = ['sudo', '-n'] if use_sudo else []
            runner: remote.Runner = remote.LocalRunner(
                host, prefix=prefix,
                command_timeout=self.settings.command_timeout)
        else:
            runner = self._ssh(self.address(host), self.settings.port,
                               sudo=self.settings.sudo, name=host,
                               jump=self._jump_runner())
        self._runners[host] = runner
        return runner

    def close(self) -> None:
        """Close every connection opened so far."""
        for runner in self._runners.values():
            runner.close()
        self._runners.clear()
        if self._jump is not None:
            self._jump.close()
            self._jump = None
