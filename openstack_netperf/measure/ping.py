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
# "N packets transmitted, N received" (iputils), "..., N packets received"
# (busybox, BSD).
_TRANSMITTED = re.compile(
    r'(?P<sent>\d+) packets transmitted, (?P<received>\d+) '
    r'(?P<packets>packets )?received')
# "--- 198.18.250.2 ping statistics ---" in every ping, translated too.
_STATISTICS = re.compile(r'^--- .+ ---$')
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
            size: int | None = None,
            deadline: int | None = None) -> list[str]:
    """The ping command line for ``count`` probes to ``host``.

    ``interval`` is in seconds (iputils refuses less than 0.002 s to
    unprivileged users).  ``deadline`` (``-w``) bounds the run time; note
    that with a deadline iputils keeps sending until ``count`` *replies*
    came, busybox stops after ``count`` probes were sent.  Only options
    both implement are used, and the command runs under ``LC_ALL=C``, so
    its output is English.
    """
    _check_host(host)
    _check_int('count', count, 1)
    if (isinstance(interval, bool) or not isinstance(interval, (int, float))
            or not interval > 0):
        raise exceptions.InvalidInput(
            'ping interval must be a positive number of seconds, not %r'
            % (interval,))
    # iputils ping is translated (from s20190324): a guest with another
    # locale prints output the parser cannot read.
    argv = ['env', 'LC_ALL=C', 'ping', '-c', str(count),
            '-i', '%g' % interval]
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


def _iputils_ms(text: str) -> float:
    """An iputils ``time=`` in ms, undoing iputils s20180629's rounding.

    s20180629 rounded without carrying into the whole milliseconds, so
    17950 us printed as ``17.10`` (18.0) and 4995 us as ``4.100`` (5.00);
    other releases print one decimal from 10 ms and two from 1 ms (three
    only with ``-3``, from 20240905, which :func:`command` never passes).
    """
    whole, _dot, fraction = text.partition('.')
    value = int(whole)
    if (10 <= value < 100 and fraction == '10'
            or 1 <= value < 10 and fraction == '100'):
        return value + 1.0
    return float(text)


def _non_english(text: str) -> exceptions.ParseError:
    return exceptions.ParseError(
        'ping printed non-English output (a translated ping in a '
        'non-English locale), which cannot be read; run it with LC_ALL=C: '
        '%s' % _snippet(text))


def _localised(lines: list[str]) -> bool:
    """Lines of a translated ping: its statistics header, or replies."""
    return any(_STATISTICS.match(line) and 'ping statistics' not in line
               or 'ttl=' in line for line in lines)


def parse(text: str, discard: int = 10) -> PingResult:
    """Parse iputils, busybox or BSD ping output, dropping ``discard`` probes.

    Probes are identified by their sequence number (iputils counts from 1,
    busybox and BSD ping -- FreeBSD, macOS -- from 0, told apart by their
    summary: "N received" or "N packets received"), so the first
    ``discard`` probes are dropped whether they were answered or not, and a
    probe counts as received once however many replies it got.  ``sent``
    is the summary's "packets transmitted" minus ``discard``.  Output
    without the summary line (ping killed, truncated output, or ping
    failing before it sent anything, e.g. "Network is unreachable") raises
    :class:`exceptions.ToolError`; translated output (ping in a non-English
    locale) raises :class:`exceptions.ParseError` asking for ``LC_ALL=C``.
    """
    _check_int('discard', discard, 0)
    if not isinstance(text, str):
        raise exceptions.ParseError(
            'ping output must be text, not %r' % type(text))
    replies: list[re.Match] = []
    unread: list[str] = []
    error_lines: list[str] = []
    ping_errors: list[str] = []
    summary = None
    for raw in text.splitlines():
        line = raw.strip()
        reply = _REPLY.match(line)
        if reply:
            replies.append(reply)
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
        else:
            unread.append(line)

    if len({reply.group('kind') for reply in replies}) > 1:
        raise exceptions.ParseError(
            'ping output mixes iputils (icmp_seq=) and '
            'busybox (seq=) lines: %s' % _snippet(text))
    if summary is None:
        if ping_errors:
            raise exceptions.ToolError(
                'ping failed: %s' % '; '.join(ping_errors))
        if _localised(unread):
            raise _non_english(text)
        if replies or error_lines:
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
    iputils = not transmitted.group('packets')
    to_ms = _iputils_ms if iputils else float
    first_rtt: dict[int, float] = {}
    arrival: list[int] = []
    duplicates = 0
    for reply in replies:
        seq = int(reply.group('seq'))
        if seq in first_rtt or 'DUP!' in reply.group('rest'):
            duplicates += 1
            continue
        first_rtt[seq] = to_ms(reply.group('time'))
        arrival.append(seq)
    if total_sent <= discard:
        raise exceptions.ToolError(
            'ping sent %d probes, no more than the %d to discard: send more '
            'probes (count) or discard fewer' % (total_sent, discard))
    if len(first_rtt) != total_received:
        if not first_rtt and _localised(unread):
            raise _non_english(text)
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

    first = discard + (1 if iputils else 0)
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
