"""Run commands on guests and hosts: over SSH (paramiko) or locally.

Guests (iperf3, ping) and hypervisor nodes (namespaces, OVS flows) are
reached the same way, so both plugins share these runners.  An SSH runner
keeps one connection open and reuses it for every command; waiting for a
booting guest polls with back-off instead of sleeping a fixed time.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import shlex
import socket
import subprocess
import threading
import time
from typing import Protocol, Sequence

import paramiko

from openstack_netperf import exceptions
from openstack_netperf import polling

LOG = logging.getLogger(__name__)

Command = str | Sequence[str]
# Seconds between keepalives on an SSH connection kept open between
# commands.
KEEPALIVE_SECONDS = 15


@dataclasses.dataclass
class CommandResult:
    """What a command printed and how it exited."""

    command: str
    exit_status: int
    stdout: str
    stderr: str

    @property
    def ok(self) -> bool:
        return self.exit_status == 0


class Runner(Protocol):
    """Something that runs shell commands on one host."""

    name: str

    def run(self, command: Command, timeout: float | None = None,
            check: bool = True) -> CommandResult:
        ...

    def close(self) -> None:
        ...


def to_shell(command: Command) -> str:
    """A shell command line from a string or an argument list."""
    if isinstance(command, str):
        return command
    return shlex.join(command)


def _finish(where: str, result: CommandResult, check: bool) -> CommandResult:
    if check and not result.ok:
        raise exceptions.CommandFailed(where, result)
    return result


class LocalRunner:
    """Runs commands on this machine, optionally behind a prefix.

    The prefix lets the same code reach an all-in-one devstack (no prefix)
    or a sandbox node (``nsenter ...`` into its namespaces).
    """

    def __init__(self, name: str = 'localhost',
                 prefix: Sequence[str] = (),
                 command_timeout: float = 60.0):
        self.name = name
        self.prefix = list(prefix)
        self.command_timeout = command_timeout

    def run(self, command: Command, timeout: float | None = None,
            check: bool = True) -> CommandResult:
        line = to_shell(command)
        argv = self.prefix + ['/bin/sh', '-c', line]
        try:
            proc = subprocess.run(
                argv, capture_output=True, text=True,
                timeout=timeout or self.command_timeout)
        except subprocess.TimeoutExpired:
            raise exceptions.CommandTimeout(
                '%s: command %r did not finish in %ss'
                % (self.name, line,
                   timeout or self.command_timeout))
        result = CommandResult(line, proc.returncode, proc.stdout,
                               proc.stderr)
        return _finish(self.name, result, check)

    def close(self) -> None:
        """Nothing to close: each command is its own process."""


class SSHRunner:
    """Runs commands on a host over one reused SSH connection.

    :param jump: another :class:`SSHRunner` whose connection carries this
        one (for hosts or guests not reachable from here directly).
    :param sudo: prefix commands with ``sudo -n`` (non-interactive).
    """

    def __init__(self, host: str, username: str, port: int = 22,
                 key_filename: str | None = None,
                 pkey: paramiko.PKey | None = None,
                 private_key: str | None = None,
                 password: str | None = None, sudo: bool = False,
                 jump: SSHRunner | None = None,
                 connect_timeout: float = 10.0,
                 command_timeout: float = 60.0, name: str | None = None):
        self.host = host
        self.port = port
        self.username = username
        self.key_filename = key_filename
        self.pkey = pkey or (self._load_key(private_key)
                             if private_key else None)
        self.password = password
        self.sudo = sudo
        self.jump = jump
        self.connect_timeout = connect_timeout
        self.command_timeout = command_timeout
        self.name = name or '%s@%s' % (username, host)
        self._client: paramiko.SSHClient | None = None
        # Runners through one jump host connect from several threads.
        self._connect_lock = threading.RLock()

    @staticmethod
    def _load_key(text: str) -> paramiko.PKey:
        errors = []
        for key_class in (paramiko.Ed25519Key, paramiko.ECDSAKey,
                          paramiko.RSAKey):
            try:
                return key_class.from_private_key(io.StringIO(text))
            except (paramiko.SSHException, ValueError) as exc:
                errors.append(str(exc))
        raise exceptions.InvalidInput(
            'The private key given is not an RSA, ECDSA or Ed25519 key '
            'paramiko can read (%s)' % '; '.join(errors))

    def _transport_alive(self) -> bool:
        if self._client is None:
            return False
        transport = self._client.get_transport()
        return bool(transport and transport.is_active())

    def connect(self) -> paramiko.SSHClient:
        """Open the connection unless one is open already."""
        with self._connect_lock:
            return self._connect()

    def _connect(self) -> paramiko.SSHClient:
        if self._transport_alive():
            assert self._client is not None
            return self._client
        self.close()
        sock = None
        if self.jump is not None:
            jump_transport = self.jump.connect().get_transport()
            assert jump_transport is not None
            try:
                sock = jump_transport.open_channel(
                    'direct-tcpip', (self.host, self.port), ('127.0.0.1', 0),
                    timeout=self.connect_timeout)
            except (paramiko.SSHException, OSError) as exc:
                raise exceptions.ConnectError(
                    '%s: jump host %s cannot reach %s:%d: %s'
                    % (self.name, self.jump.name, self.host,
                       self.port, exc)) from exc
        client = paramiko.SSHClient()
        # Guests are new on every boot: their host keys cannot be known.
        client.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        try:
            client.connect(
                self.host, port=self.port, username=self.username,
                key_filename=self.key_filename, pkey=self.pkey,
                password=self.password, timeout=self.connect_timeout,
                banner_timeout=self.connect_timeout,
                auth_timeout=self.connect_timeout, sock=sock,
                allow_agent=False, look_for_keys=False)
        except (paramiko.SSHException, OSError, EOFError) as exc:
            client.close()
            raise exceptions.ConnectError('%s: cannot connect to %s:%d: %s'
                                          % (self.name, self.host, self.port,
                                             exc)) from exc
        transport = client.get_transport()
        if transport is not None:
            transport.set_keepalive(KEEPALIVE_SECONDS)
        self._client = client
        return client

    def run(self, command: Command, timeout: float | None = None,
            check: bool = True) -> CommandResult:
        line = to_shell(command)
        remote = 'sudo -n sh -c %s' % shlex.quote(line) if self.sudo else line
        limit = timeout or self.command_timeout
        client = self.connect()
        try:
            _stdin, stdout, stderr = client.exec_command(remote,
                                                         timeout=limit)
            _stdin.close()
            out = stdout.read().decode('utf-8', 'replace')
            err = stderr.read().decode('utf-8', 'replace')
            status = stdout.channel.recv_exit_status()
        except (socket.timeout, TimeoutError) as exc:
            self.close()
            raise exceptions.CommandTimeout(
                '%s: command %r did not finish in %ss'
                % (self.name, line, limit)) from exc
        except (paramiko.SSHException, OSError, EOFError) as exc:
            self.close()
            raise exceptions.ConnectError('%s: connection lost during %r: %s'
                                          % (self.name, line, exc)) from exc
        return _finish(self.name, CommandResult(line, status, out, err),
                       check)

    def wait_until_ready(self, timeout: float = 300.0,
                         first_interval: float = 0.5,
                         max_interval: float = 5.0,
                         stop: polling.Checkpoint = polling.never_stop
                         ) -> float:
        """Poll until a command runs; return the seconds it took.

        The interval doubles from ``first_interval`` up to ``max_interval``
        (:func:`openstack_netperf.polling.poll`) so a guest that is up
        quickly is found quickly.  ``stop`` is asked before each poll.

        :raises exceptions.CommandTimeout: with the last connection error.
        :raises exceptions.Aborted: when ``stop`` gives a reason.
        """
        start = time.monotonic()
        errors: list[Exception] = []

        def answers() -> bool:
            exceptions.Aborted.raise_if(stop(), 'while waiting for %s'
                                        % self.name)
            try:
                self.run('true', timeout=self.connect_timeout)
            except exceptions.RemoteError as exc:
                LOG.debug('%s not ready: %s', self.name, exc)
                errors[:] = [exc]
                return False
            return True

        try:
            polling.poll(answers, timeout, '%s: not reachable over SSH'
                         % self.name, interval=first_interval,
                         max_interval=max_interval,
                         error=exceptions.CommandTimeout)
        except exceptions.CommandTimeout as exc:
            raise exceptions.CommandTimeout('%s; last error: %s' % (
                exc, errors[0] if errors else 'none')) from None
        return time.monotonic() - start

    def close(self) -> None:
        if self._client is not None:
            self._client.close()
            self._client = None
