"""Every error openstack-netperf raises, each with a message a user can act on.

One hierarchy for the core, both plugins, the image builder and the
sandbox, so a caller catches a kind of failure (bad input, a missing tool,
output that cannot be read, a remote host, the cloud) without knowing
which module raised it::

    NetperfError
    +-- InvalidInput          task arguments, options, files given
    +-- Aborted               asked to stop part-way (keeps what it measured)
    +-- ToolError             a program failed (reason: its own words)
    |   +-- ToolMissing       not installed (packages: what installs it)
    |   +-- ParseError        printed what cannot be read
    +-- RemoteError           reaching a host over SSH or a namespace
    |   +-- ConnectError
    |   +-- CommandFailed
    |   +-- CommandTimeout
    +-- CloudError            an OpenStack API or resource
    |   +-- APIError
    |   +-- BootFailed
    |   +-- WaitTimeout
    +-- ImageError            the guest image builder
    +-- SandboxError          the local sandbox cloud
        +-- ServiceError
        +-- StepFailed
"""

from __future__ import annotations

from typing import Any, Iterable


class NetperfError(Exception):
    """Base class of every error raised by openstack-netperf."""


class InvalidInput(NetperfError, ValueError):
    """User input (task arguments, options) that cannot be used as given."""


class Aborted(NetperfError):
    """A run was asked to stop part-way (``rally task abort``, Ctrl-C).

    ``measured`` is what was measured before the stop (for
    :func:`openstack_netperf.pair.measure_pair`, its partial
    ``PairMeasurement``), so that the caller can still report it.
    """

    def __init__(self, message: str, measured: Any = None):
        super().__init__(message)
        self.measured = measured

    @classmethod
    def raise_if(cls, reason: str | None, when: str = '',
                 measured: Any = None) -> None:
        """Raise, saying ``when``, if there is a ``reason`` to stop."""
        if reason:
            raise cls(' '.join(filter(None, (reason, when))), measured)


class ToolError(NetperfError):
    """A program (iperf3, ping, ip, ovs-ofctl...) failed.

    ``reason`` is the program's own error text when it printed one.
    """

    def __init__(self, message: str, reason: str | None = None):
        super().__init__(message)
        self.reason = reason


class ToolMissing(ToolError):
    """A program is not installed where it must run.

    ``packages`` are the Debian packages that provide it, when known.
    """

    def __init__(self, message: str, packages: Iterable[str] = ()):
        self.packages = sorted(set(packages))
        if self.packages:
            message = '%s; install it with: apt-get install -y %s' % (
                message, ' '.join(self.packages))
        super().__init__(message)

    @classmethod
    def on_host(cls, what: str, packages: Iterable[str]) -> ToolMissing:
        """``what`` is missing on the machine this code runs on."""
        return cls('%s is missing on this host' % what, packages)


class ParseError(ToolError, ValueError):
    """A program printed something that cannot be read as its output."""

    @classmethod
    def of_output(cls, source: str, problem: str, text: str = ''
                  ) -> ParseError:
        """``source``'s output (starting ``text``) has ``problem``."""
        snippet = text.strip()[:200]
        return cls('Cannot parse the output of %s: %s%s' % (
            source, problem, ' (output starts: %r)' % snippet
            if snippet else ''))


class RemoteError(NetperfError):
    """A host (guest, node, jump host) could not do what was asked."""


class ConnectError(RemoteError):
    """The host could not be reached or refused the credentials."""


class CommandFailed(RemoteError):
    """A command exited non-zero (with ``check=True``).

    ``result`` is the :class:`openstack_netperf.remote.CommandResult`.
    """

    def __init__(self, where: str, result: Any):
        self.result = result
        detail = (result.stderr or result.stdout).strip()
        super().__init__(
            '%s: command %r exited %d%s' % (
                where, result.command, result.exit_status,
                ': %s' % detail[-500:] if detail else ''))


class CommandTimeout(RemoteError):
    """A command, or a connection, did not finish in time."""


class CloudError(NetperfError):
    """An OpenStack API or resource did not do what was asked."""


class APIError(CloudError):
    """An API answered with an error status."""

    def __init__(self, method: str, url: str, status: int, body: str):
        self.status = status
        super().__init__('%s %s -> %d: %s'
                         % (method, url, status, body[:500]))


class BootFailed(CloudError):
    """A server went to ERROR instead of ACTIVE."""


class WaitTimeout(CloudError):
    """Something did not reach the wanted state in time."""


class ImageError(NetperfError):
    """The guest image cannot be built or uploaded as asked."""


class SandboxError(NetperfError):
    """The local sandbox cloud cannot be set up or used as asked."""


class ServiceError(SandboxError):
    """A service did not start or answer; may name the log to look at."""

    def __init__(self, message: str, log: str | None = None):
        self.log = log
        super().__init__(message)


class StepFailed(SandboxError):
    """A step raised; carries the step name, the log path and its tail."""

    def __init__(self, step: str, reason: str, log: str | None = None,
                 tail: str = ''):
        self.step = step
        self.reason = reason
        self.log = log
        self.tail = tail
        super().__init__('step %r failed: %s' % (step, reason))

    def report(self) -> str:
        """The failure as lines for a person: step, reason, log tail."""
        lines = ['FAILED: %s' % self.step, '  reason: %s' % self.reason]
        if self.log:
            lines.append('  log: %s' % self.log)
        if self.tail:
            lines.append('  last lines of the log:')
            lines.extend('    ' + line for line in self.tail.splitlines())
        return '\n'.join(lines)
