"""Throughput with iperf3: command lines for both ends and a JSON parser.

The client always runs with ``--json``: iperf3's JSON carries the
per-interval series, both ends' totals, TCP retransmits, UDP loss and
jitter, and the CPU use of both ends, which is everything the thesis
recorded by hand.  The warm-up is left to iperf3 itself (``--omit``): the
omitted seconds are neither in the intervals kept here nor in iperf3's
totals.
"""

from __future__ import annotations

import dataclasses
import json
import re
import shlex

from openstack_netperf import exceptions

DEFAULT_PORT = 5201
MAX_OMIT = 60  # iperf3 rejects a longer --omit
MAX_PARALLEL = 128  # iperf3's limit on -P
# Seconds a background server may take to listen before its start fails.
SERVER_WAIT_SECONDS = 10
_BANDWIDTH = re.compile(r'^\d+(\.\d+)?[KMGTkmgt]?(/\d+)?$')
_VERSION = re.compile(r'\biperf (?:version )?(\d+\.\d+(?:\.\d+)?)')
_NOT_FOUND = re.compile(r'iperf3: (command )?not found|iperf3: No such file')
_BROKEN_OFF = ('the test with %s broke off: the server went away or the '
               'traffic to it was dropped')
# What to check for iperf3's own errors (phrases of iperf3 3.x).
_HINTS = (
    ('unable to connect', 'check that an iperf3 server listens on %s and '
     'that the security group admits that port'),
    ('server is busy', 'another client is testing against %s: run one '
     'test at a time per server'),
    ('control socket has closed', _BROKEN_OFF),
    ('unable to read from stream socket', _BROKEN_OFF),
    ('unable to receive control message', _BROKEN_OFF),
)


@dataclasses.dataclass
class IntervalSample:
    """One reporting interval of a run, summed over the parallel streams."""

    start: float
    end: float
    bits_per_second: float
    retransmits: int | None
    omitted: bool
    jitter_ms: float | None = None
    lost_percent: float | None = None
    packets: int | None = None


@dataclasses.dataclass
class Iperf3Result:
    """What one iperf3 client run measured.

    ``intervals`` are the reported intervals after the warm-up, as the
    client saw them (the sending side, or the receiving side with
    ``reverse``).  ``sent_bps`` and ``received_bps`` are iperf3's totals at
    the sender and at the receiver; ``received_bps`` is the throughput that
    arrived.  UDP fields are None for TCP and ``retransmits`` / ``tcp_mss``
    are None for UDP.  ``omitted_intervals`` counts the intervals left out
    of ``intervals``: the warm-up, and any whose timing iperf3 reported
    wrongly (see the measurement reference).
    """

    protocol: str
    reverse: bool
    intervals: list[IntervalSample]
    sent_bps: float
    received_bps: float
    retransmits: int | None
    jitter_ms: float | None
    lost_packets: int | None
    packets: int | None
    lost_percent: float | None
    cpu_local_percent: float | None
    cpu_remote_percent: float | None
    version: str
    tcp_mss: int | None
    duration: int
    omit: int
    parallel: int
    omitted_intervals: int
    # The bytes iperf3 reported sending in its counted time (the warm-up
    # left out): what a path check of this run expects its path to carry.
    sent_bytes: int | None = None

    def throughput_series_mbps(self) -> list[float]:
        """Per-interval throughput in Mbit/s, for charts and statistics."""
        return [sample.bits_per_second / 1e6 for sample in self.intervals]


def _invalid(message: str) -> exceptions.InvalidInput:
    return exceptions.InvalidInput('iperf3: ' + message)


def _check_int(name: str, value: object, minimum: int,
               maximum: int | None = None) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _invalid('%s must be a whole number, not %r' % (name, value))
    if value < minimum or (maximum is not None and value > maximum):
        limit = ('between %d and %d' % (minimum, maximum)
                 if maximum is not None else 'at least %d' % minimum)
        raise _invalid('%s must be %s, not %d' % (name, limit, value))
    return value


def _check_host(name: str, host: object) -> str:
    if (not isinstance(host, str) or not host or host.startswith('-')
            or any(c.isspace() for c in host)):
        raise _invalid('%s must be an address or host name, not %r'
                       % (name, host))
    return host


def _bandwidth_arg(bandwidth: str | int) -> str:
    if isinstance(bandwidth, bool):
        raise _invalid('bandwidth must be bits/s or a string like "100M", '
                       'not %r' % bandwidth)
    if isinstance(bandwidth, int):
        return str(_check_int('bandwidth', bandwidth, 0))
    if isinstance(bandwidth, str) and _BANDWIDTH.match(bandwidth):
        return bandwidth
    raise _invalid('bandwidth must be bits/s (an integer, 0 for unlimited) '
                   'or a number with an optional K/M/G/T suffix such as '
                   '"100M", not %r' % (bandwidth,))


def server_command(port: int = DEFAULT_PORT) -> list[str]:
    """A one-off iperf3 server in the foreground: it exits after a test.

    A one-off server (``-1``) cleans up after itself, so nothing is left
    running in the guest once the client finished.
    """
    return ['iperf3', '-s', '-p', str(_check_int('port', port, 1, 65535)),
            '-1']


def server_background_command(port: int = DEFAULT_PORT) -> str:
    """Shell line starting a server detached; prints its PID once it listens.

    No daemon mode and no ``nohup``: with its output redirected the server
    releases the SSH channel, and a command without a terminal gets no
    hang-up signal.  The line polls ``/proc/net/tcp{,6}`` (present in every
    Linux guest, no ``ss`` or ``netstat`` needed) until the port listens, so
    a client started next is not refused; it exits 1 with a message if the
    port is taken already, or the server dies or does not listen within
    :data:`SERVER_WAIT_SECONDS`.
    """
    server = shlex.join(server_command(port))
    tries = SERVER_WAIT_SECONDS * 10
    listening = ':%04X [0-9A-F]*:[0-9A-F]* 0A' % port
    return (
        'if grep -qs %(listening)s /proc/net/tcp /proc/net/tcp6; then '
        'echo "port %(port)d is already in use: stop what listens there or '
        'use another port" >&2; exit 1; fi; '
        '%(server)s </dev/null >/dev/null 2>&1 & pid=$!; n=0; '
        'while ! grep -qs %(listening)s /proc/net/tcp /proc/net/tcp6; do '
        'if ! kill -0 $pid 2>/dev/null; then '
        'echo "iperf3 server exited before listening on port %(port)d" >&2; '
        'exit 1; fi; '
        'n=$((n + 1)); if [ $n -gt %(tries)d ]; then kill $pid; '
        'echo "iperf3 server not listening on port %(port)d after '
        '%(wait)gs" >&2; exit 1; fi; '
        'sleep 0.1; done; echo $pid'
        % {'server': server, 'listening': shlex.quote(listening),
           'port': port, 'tries': tries, 'wait': SERVER_WAIT_SECONDS})


def client_command(host: str, *, port: int, duration: int, omit: int,
                   interval: float, parallel: int, udp: bool = False,
                   bandwidth: str | int | None = None) -> list[str]:
    """The iperf3 client command line, always with ``--json``.

    ``duration`` seconds are measured after ``omit`` seconds of warm-up.
    What is measured has no default here: the methodology's defaults are
    those of :class:`openstack_netperf.pair.Settings`.  The client
    sends: :mod:`openstack_netperf.pair` swaps the roles for the other
    direction.  UDP needs a target ``bandwidth``
    (iperf3 would otherwise send 1 Mbit/s); for TCP a bandwidth is a cap.
    """
    _check_host('server address', host)
    _check_int('port', port, 1, 65535)
    _check_int('duration', duration, 1, 86400)
    _check_int('omit', omit, 0, MAX_OMIT)
    if omit >= duration:
        raise _invalid(
            'duration (%d s) must be longer than the omitted warm-up (%d s): '
            'raise duration or lower omit' % (duration, omit))
    if (isinstance(interval, bool) or not isinstance(interval, (int, float))
            or not 0.1 <= interval <= 60):
        raise _invalid('interval must be between 0.1 and 60 seconds, not %r'
                       % (interval,))
    _check_int('parallel', parallel, 1, MAX_PARALLEL)
    if udp and bandwidth is None:
        raise _invalid(
            'UDP needs a target bandwidth (iperf3 would send only 1 Mbit/s): '
            'give bandwidth, e.g. "500M", or 0 for as fast as possible')
    argv = ['iperf3', '-c', host, '-p', str(port), '-t', str(duration),
            '-O', str(omit), '-i', '%g' % interval, '-P', str(parallel)]
    if udp:
        argv.append('-u')
    if bandwidth is not None:
        argv += ['-b', _bandwidth_arg(bandwidth)]
    argv.append('--json')
    return argv


def version_command() -> list[str]:
    """Ask iperf3 for its version (also proves it is installed)."""
    return ['iperf3', '--version']


def parse_version(text: str) -> str:
    """The version from ``iperf3 --version`` output, e.g. ``'3.12'``.

    :raises exceptions.ToolMissing: the shell reported no iperf3.
    :raises exceptions.ToolError: the output is not iperf3's.
    """
    match = _VERSION.search(text)
    if match:
        return match.group(1)
    if _NOT_FOUND.search(text):
        raise exceptions.ToolMissing(
            'iperf3 not found in the guest: %s; use an image with iperf3 '
            'installed' % text.strip()[-200:])
    raise exceptions.ParseError(
        'iperf3 --version printed no iperf3 version: %s' % _snippet(text))


def _snippet(text: str) -> str:
    text = text.strip()
    if len(text) > 300:
        text = text[:200] + ' ... ' + text[-80:]
    return repr(text)


def _load(text: str) -> dict:
    if not isinstance(text, str):
        raise exceptions.ParseError(
            'iperf3 output must be text, not %r' % type(text))
    start = text.find('{')
    if start < 0:
        raise exceptions.ParseError(
            'The output is not iperf3 JSON (was --json given?): '
            '%s' % _snippet(text))
    duplicated: set[str] = set()
    decoder = json.JSONDecoder(
        object_pairs_hook=lambda pairs: _object(pairs, duplicated))
    try:
        doc, _end = decoder.raw_decode(text, start)
    except json.JSONDecodeError as exc:
        raise exceptions.ParseError(
            'The output is not iperf3 JSON (malformed or '
            'truncated: %s): %s' % (exc, _snippet(text)))
    if not isinstance(doc, dict) or not isinstance(doc.get('start'), dict):
        raise exceptions.ParseError(
            'The JSON is not iperf3 output (no "start" '
            'section): %s' % _snippet(text))
    if duplicated & {'sum', 'sum_sent', 'sum_received'}:
        # iperf3 3.7-3.10 write both directions of --bidir under the same
        # names ("sum_sent" twice, ...); a JSON reader keeps the last,
        # the reverse direction, as if it were the only one.  (Other keys
        # repeat harmlessly: 3.12 writes "sock_bufsize" once per stream.)
        _refuse_bidir()
    return doc


def _object(pairs: list[tuple[str, object]], duplicated: set[str]) -> dict:
    """A JSON object that notes the keys it held more than once."""
    obj = dict(pairs)
    if len(obj) < len(pairs):
        keys = [key for key, _value in pairs]
        duplicated.update(key for key in obj if keys.count(key) > 1)
    return obj


def _refuse_bidir() -> None:
    raise exceptions.ParseError(
        'iperf3 ran with --bidir (both directions at once), which this '
        'parser does not read: one result holds one direction; run the '
        'directions one after the other (without and with -R)')


def _is_bidir(test: dict, end: dict) -> bool:
    # "bidir" in test_start from iperf3 3.13, the *_bidir_reverse
    # sections from 3.11 (3.7-3.10: duplicated keys, see _load).
    return bool(test.get('bidir')) or any(
        key.endswith('_bidir_reverse') for key in end)


def _udp_received(end: dict, test: dict) -> tuple[float, dict]:
    """Throughput that arrived, and the section with jitter and loss.

    iperf3 3.11 and later give the receiver's totals as ``sum_received``.
    Older versions give only ``sum``, whose bytes and rate are the
    sender's (lost datagrams included) but whose packets, lost packets
    and seconds are the receiver's view (esnet/iperf iperf_print_results
    up to 3.10.1): the datagrams that arrived, each ``blksize`` bytes, over
    those seconds.  That is exactly 3.11's ``sum_received`` whenever the
    last datagram arrived; datagrams lost after the last one to arrive are
    not counted as lost by any version.
    """
    if 'sum_received' in end:
        received = end['sum_received']
        return float(received['bits_per_second']), received
    summed = end['sum']
    arrived = int(summed['packets']) - int(summed['lost_packets'])
    seconds = float(summed['seconds'])
    if arrived < 0 or seconds <= 0:
        raise ValueError('UDP totals with %s packets, %s lost in %s s'
                         % (summed['packets'], summed['lost_packets'],
                            summed['seconds']))
    return arrived * int(test['blksize']) * 8 / seconds, summed


def _raise_reported(doc: dict) -> None:
    reason = str(doc['error'])
    target = doc['start'].get('connecting_to') or {}
    where = ('%s port %s' % (target.get('host'), target.get('port'))
             if target else 'the target')
    hints = [hint for phrase, hint in _HINTS if phrase in reason]
    raise exceptions.ToolError('iperf3 failed: %s%s' % (
        reason, '; ' + hints[0] % where if hints else ''), reason=reason)


def _is_mistimed(interval: dict) -> bool:
    # iperf3 3.10-3.12 often report the first second after the warm-up
    # with a wrong start and a "seconds" that counts the warm-up too, so
    # its rate is understated (esnet/iperf#1261); its bytes are right, and
    # iperf3's totals with them.
    seconds = float(interval.get('seconds', 0) or 0)
    span = float(interval['end']) - float(interval['start'])
    return seconds > 0 and abs(span - seconds) > 0.25 * seconds


def _sample(interval: dict) -> IntervalSample:
    return IntervalSample(
        start=float(interval['start']),
        end=float(interval['end']),
        bits_per_second=float(interval['bits_per_second']),
        retransmits=interval.get('retransmits'),
        omitted=bool(interval.get('omitted', False)),
        jitter_ms=interval.get('jitter_ms'),
        lost_percent=interval.get('lost_percent'),
        packets=interval.get('packets'))


def parse_result(text: str) -> Iperf3Result:
    """Parse the ``--json`` output of one iperf3 client run.

    :raises exceptions.ToolError: iperf3 reported an error (its text is in
        ``reason``).
    :raises exceptions.ParseError: the output is not complete iperf3 JSON,
        or it is the output of ``--bidir``.
    """
    doc = _load(text)
    if doc.get('error'):
        _raise_reported(doc)
    start, end = doc['start'], doc.get('end')
    test = start.get('test_start')
    if not isinstance(test, dict) or not isinstance(end, dict) or not end:
        raise exceptions.ParseError(
            'iperf3 JSON is incomplete (no test_start or end '
            'section): %s' % _snippet(text))
    if _is_bidir(test, end):
        _refuse_bidir()
    try:
        protocol = str(test['protocol']).upper()
        udp = protocol == 'UDP'
        sent = end.get('sum_sent') or end['sum']
        if udp:
            received_bps, loss = _udp_received(end, test)
        else:
            received_bps, loss = float(end['sum_received'][
                'bits_per_second']), {}
        cpu = end.get('cpu_utilization_percent') or {}
        kept, omitted = [], 0
        for interval in doc.get('intervals', []):
            summed = interval['sum']
            if summed.get('omitted') or _is_mistimed(summed):
                omitted += 1
            else:
                kept.append(_sample(summed))
        return Iperf3Result(
            protocol=protocol,
            reverse=bool(test.get('reverse', 0)),
            intervals=kept,
            sent_bps=float(sent['bits_per_second']),
            received_bps=received_bps,
            retransmits=None if udp else sent.get('retransmits'),
            jitter_ms=loss.get('jitter_ms'),
            lost_packets=loss.get('lost_packets'),
            packets=loss.get('packets'),
            lost_percent=loss.get('lost_percent'),
            cpu_local_percent=cpu.get('host_total'),
            cpu_remote_percent=cpu.get('remote_total'),
            version=str(start.get('version', 'unknown')),
            tcp_mss=None if udp else start.get(
                'tcp_mss', start.get('tcp_mss_default')),
            duration=int(test['duration']),
            omit=int(test.get('omit', 0)),
            parallel=int(test.get('num_streams', 1)),
            omitted_intervals=omitted,
            sent_bytes=int(sent['bytes']) if 'bytes' in sent else None)
    except (KeyError, TypeError, ValueError) as exc:
        raise exceptions.ParseError(
            'iperf3 JSON lacks an expected field (%s): %s'
            % (exc, _snippet(text))) from exc
