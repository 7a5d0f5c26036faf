"""Latency with ping: the command to run in a guest and a parser of its output.

Guests carry either iputils ping (Debian, Ubuntu, CentOS images) or the
busybox applet (CirrOS and other tiny images), so the command keeps to the
options both accept -- ``-c`` count, ``-i`` interval (fractional seconds:
busybox must be built with fractional sleep, as Debian's and CirrOS's are),
``-s`` payload size and ``-w`` deadline -- and the parser reads both
output formats.

The thesis discards the first probes (ARP resolution, cold caches, flow
set-up in Open vSwitch): ``parse(text, discard=N)`` drops the first ``N``
probes by sequence number, so a lost early probe is discarded too, and the
loss is counted over the probes that remain (see :func:`parse`).
"""

from __future__ import annotations

import dataclasses
import re

from openstack_netperf import exceptions

FLAVORS = ('auto', 'iputils', 'busybox')
MAX_PAYLOAD = 65507  # largest ICMP payload in one IPv4 datagram
MIN_PAYLOAD = 16  # smaller payloads carry no timestamp: ping shows no RTT

# "64 bytes from 198.18.250.2: icmp_seq=1 ttl=64 time=0.028 ms" (iputils),
# "64 bytes from 198.18.250.2: seq=0 ttl=64 time=0.045 ms" (busybox); the
# source may also read "name (address)".
_REPLY = re.compile(
    r'^\d+ bytes from .+?[: ]\s*(?P<kind>icmp_seq|seq)=(?P<seq>\d+)\b'
    r'.*?\btime[=<](?P<time>\d+(?:\.\d+)?) ?ms(?P<rest>.*)$')
# "From 198.18.250.1 icmp_seq=1 Destination Host Unreachable" (iputils)
_ERROR_LINE = re.compile(r'^From \S+.*\bicmp_seq=\d+ (?P<what>.+)$')
_TRANSMITTED = re.compile(
    r'(?P<sent>\d+) packets transmitted, (?P<received>\d+) '
    r'(?:packets )?received')
_DUPLICATES = re.compile(r'\+?(\d+) duplicates')
_ERRORS = re.compile(r'\+(\d+) errors')
_LOSS = re.compile(r'(\d+(?:\.\d+)?)% packet loss')
# "ping: connect: Network is unreachable", "ping: bad address 'x'", ...
_PING_ERROR = re.compile(r'^ping: (?P<what>.+)$')


@dataclasses.dataclass
class PingResult:
    """What one ping run measured.

    ``rtts_ms`` holds the round-trip time of the first reply to each probe
    that was not discarded, in the order the replies came;
    ``all_rtts_ms`` the same including the discarded probes.  ``sent`` and
    ``received`` count the probes after discarding; ``loss_percent`` is
    ``100 * (sent - received) / sent`` over them.  ``duplicates`` (extra
    replies to one probe) and ``errors`` (ICMP errors such as "Destination
    Host Unreachable", which only iputils counts) cover the whole run.
    """

    rtts_ms: list[float]
    all_rtts_ms: list[float]
    sent: int
    received: int
    loss_percent: float
    discarded: int
    duplicates: int
    errors: int
    total_sent: int
    total_received: int
    error_messages: list[str] = dataclasses.field(default_factory=list)


def _check_int(name: str, value: object, minimum: int,
               maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise exceptions.InvalidInput(
            'ping %s must be a whole number, not %r' % (name, value))
    if value < minimum or (maximum is not None and value > maximum):
        limit = ('between %d and %d' % (minimum, maximum)
                 if maximum is not None else 'at least %d' % minimum)
        raise exceptions.InvalidInput(
            'ping %s must be %s, not %d' % (name, limit, value))
    return value


def _check_host(host: object) -> str:
    if (not isinstance(host, str) or not host or host.startswith('-')
            or any(c.isspace() for c in host)):
        raise exceptions.InvalidInput(
            'ping target must be an address or host name, not %r' % (host,))
    return host


def command(host: str, *, count: int, interval: float,
            size: int | None = None, deadline: int | None = None,
            flavor: str = 'auto') -> list[str]:
    """The ping command line for ``count`` probes to ``host``.

    ``interval`` is in seconds (iputils refuses less than 0.002 s to
    unprivileged users).  ``deadline`` (``-w``) bounds the run time; note
    that with a deadline iputils keeps sending until ``count`` *replies*
    came, busybox stops after ``count`` probes were sent.  ``flavor``
    ``'iputils'`` adds ``-n`` (no reverse DNS lookups, iputils only);
    ``'auto'`` and ``'busybox'`` use only the options both implement.
    """
    _check_host(host)
    _check_int('count', count, 1)
    if (isinstance(interval, bool) or not isinstance(interval, (int, float))
            or not interval > 0):
        raise exceptions.InvalidInput(
            'ping interval must be a positive number of seconds, not %r'
            % (interval,))
    if flavor not in FLAVORS:
        raise exceptions.InvalidInput(
            'ping flavor must be one of %s, not %r'
            % (', '.join(FLAVORS), flavor))
    argv = ['ping']
    if flavor == 'iputils':
        argv.append('-n')
    argv += ['-c', str(count), '-i', '%g' % interval]
    if size is not None:
        _check_int('size', size, MIN_PAYLOAD, MAX_PAYLOAD)
        argv += ['-s', str(size)]
    if deadline is not None:
        argv += ['-w', str(_check_int('deadline', deadline, 1))]
    argv.append(host)
    return argv


def _snippet(text: str) -> str:
    text = text.strip()
    return repr(text[:200] + ('...' if len(text) > 200 else ''))


def parse(text: str, discard: int = 10) -> PingResult:
    """Parse iputils or busybox ping output, dropping ``discard`` probes.

    Probes are identified by their sequence number (iputils counts from 1,
    busybox from 0), so the first ``discard`` probes are dropped whether
    they were answered or not, and a probe counts as received once however
    many replies it got.  ``sent`` is the summary's "packets transmitted"
    minus ``discard``.  Output without the summary line (ping killed,
    truncated output, or ping failing before it sent anything, e.g.
    "Network is unreachable") raises :class:`exceptions.ToolError`.
    """
    _check_int('discard', discard, 0)
    if not isinstance(text, str):
        raise exceptions.ParseError(
            'ping output must be text, not %r' % type(text))
    first_rtt: dict[int, float] = {}
    arrival: list[int] = []
    duplicates = 0
    error_lines: list[str] = []
    ping_errors: list[str] = []
    summary = None
    base = None
    for raw in text.splitlines():
        line = raw.strip()
        reply = _REPLY.match(line)
        if reply:
            kind_base = 1 if reply.group('kind') == 'icmp_seq' else 0
            if base is not None and base != kind_base:
                raise exceptions.ParseError(
                    'ping output mixes iputils (icmp_seq=) and '
                    'busybox (seq=) lines: %s' % _snippet(text))
            base = kind_base
            seq = int(reply.group('seq'))
            if seq in first_rtt or 'DUP!' in reply.group('rest'):
                duplicates += 1
                continue
            first_rtt[seq] = float(reply.group('time'))
            arrival.append(seq)
            continue
        error = _ERROR_LINE.match(line)
        if error:
            error_lines.append(error.group('what'))
            continue
        transmitted = _TRANSMITTED.search(line)
        if transmitted:
            summary = (line, transmitted)
            continue
        ping_error = _PING_ERROR.match(line)
        if ping_error:
            ping_errors.append(ping_error.group('what'))

    if summary is None:
        if ping_errors:
            raise exceptions.ToolError(
                'ping failed: %s' % '; '.join(ping_errors))
        if arrival or error_lines:
            raise exceptions.ParseError(
                'ping output has no summary line ("N packets transmitted"): '
                'ping was interrupted or its output truncated: %s'
                % _snippet(text))
        raise exceptions.ParseError(
            'this is not ping output (no replies, no summary '
            'line): %s' % _snippet(text))

    line, transmitted = summary
    total_sent = int(transmitted.group('sent'))
    total_received = int(transmitted.group('received'))
    if total_sent <= discard:
        raise exceptions.ToolError(
            'ping sent %d probes, no more than the %d to discard: send more '
            'probes (count) or discard fewer' % (total_sent, discard))
    if len(first_rtt) != total_received:
        raise exceptions.ParseError(
            'ping summary says %d received but the output shows replies to '
            '%d probes: output incomplete or not from ping: %s'
            % (total_received, len(first_rtt), _snippet(text)))
    dup_match = _DUPLICATES.search(line)
    err_match = _ERRORS.search(line)
    if dup_match:
        duplicates = max(duplicates, int(dup_match.group(1)))
    errors = max(len(error_lines),
                 int(err_match.group(1)) if err_match else 0)

    first = discard + (base if base is not None else 0)
    kept = [first_rtt[seq] for seq in arrival if seq >= first]
    sent = total_sent - discard
    received = len(kept)
    return PingResult(
        rtts_ms=kept,
        all_rtts_ms=[first_rtt[seq] for seq in arrival],
        sent=sent,
        received=received,
        loss_percent=100.0 * (sent - received) / sent,
        discarded=discard,
        duplicates=duplicates,
        errors=errors,
        total_sent=total_sent,
        total_received=total_received,
        error_messages=sorted(set(error_lines)))
