"""Inspect a node's network namespaces, interfaces and OVS state.

Each inspector runs one command through a runner (SSH or local) and parses
its machine-readable output where the tool has one (``ip -j``);
``ovs-ofctl dump-flows`` and ``dump-ports`` have only text, parsed field by
field.  Output that does not parse raises :class:`exceptions.ParseError`
naming the command, instead of yielding silently wrong counters.
"""

from __future__ import annotations

import dataclasses
import json
import re
from typing import Any

from openstack_netperf import exceptions
from openstack_netperf import remote

# Fields of a dump-flows line that describe the flow's state, not its match.
_FLOW_STAT_FIELDS = frozenset((
    'cookie', 'duration', 'table', 'n_packets', 'n_bytes', 'idle_timeout',
    'hard_timeout', 'idle_age', 'hard_age', 'importance', 'send_flow_rem',
    'check_overlap', 'reset_counts', 'no_packet_counts', 'no_byte_counts',
    'out_port', 'out_group'))
_FLOW_REPLY_HEADER = re.compile(r'^(NXST|OFPST)_FLOW reply\b')
DEFAULT_PRIORITY = 32768
# The protocol ovs-ofctl speaks (``-O``): Neutron's bridges may refuse the
# OpenFlow 1.0 default.
OPENFLOW = 'OpenFlow13'


@dataclasses.dataclass(frozen=True)
class Namespace:
    """A network namespace (``ip netns``) on a node."""

    name: str
    nsid: int | None = None


@dataclasses.dataclass(frozen=True)
class Interface:
    """A network device and its counters, as ``ip -s link`` shows them."""

    name: str
    index: int
    mtu: int
    state: str
    mac: str | None
    rx_packets: int
    rx_bytes: int
    tx_packets: int
    tx_bytes: int


@dataclasses.dataclass(frozen=True)
class Flow:
    """An OpenFlow flow of a bridge with its counters."""

    table: int
    priority: int
    cookie: int
    match: str
    actions: str
    n_packets: int
    n_bytes: int

    def mentions(self, text: str) -> bool:
        """Whether the match or the actions contain ``text``.

        MAC addresses compare case-insensitively, as OVS prints lower case.
        """
        needle = text.lower()
        return needle in self.match.lower() or needle in self.actions.lower()


@dataclasses.dataclass(frozen=True)
class OvsPort:
    """An OpenFlow port of a bridge and its live counters.

    ``ovs-ofctl dump-ports`` asks the switch, so the counters are current;
    the ``statistics`` of OVSDB's Interface table lag by up to
    ``stats-update-interval`` (5 s at least).  ``None``: the port keeps no
    such counter (``?`` in the reply).
    """

    bridge: str
    name: str
    rx_packets: int | None
    rx_bytes: int | None
    tx_packets: int | None
    tx_bytes: int | None

    @property
    def has_counters(self) -> bool:
        return self.rx_packets is not None or self.tx_packets is not None

    @property
    def packets(self) -> int:
        return (self.rx_packets or 0) + (self.tx_packets or 0)

    @property
    def bytes(self) -> int:
        return (self.rx_bytes or 0) + (self.tx_bytes or 0)


def _load_json_list(text: str, source: str) -> list[Any]:
    """The JSON list ``ip -j`` printed; anything else is a ParseError."""
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise exceptions.ParseError.of_output(
            source, 'not JSON (%s)' % exc, text) from None
    if not isinstance(data, list):
        raise exceptions.ParseError.of_output(
            source, 'expected a JSON list', text)
    return data


def _int(value: Any, source: str, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise exceptions.ParseError.of_output(
            source, '%s is %r, not a counter' % (what, value))
    return value


# --- parsers --------------------------------------------------------------

def parse_namespaces(text: str,
                     source: str = 'ip -j netns list') -> list[Namespace]:
    """Parse ``ip -j netns list`` (empty output means no namespace)."""
    if not text.strip():
        return []
    data = _load_json_list(text, source)
    result = []
    for item in data:
        if not isinstance(item, dict) or not isinstance(
                item.get('name'), str):
            raise exceptions.ParseError.of_output(
                source, 'entry without a name: %r' % (item,))
        nsid = item.get('id')
        result.append(Namespace(item['name'],
                                nsid if isinstance(nsid, int) else None))
    return result


def parse_links(text: str,
                source: str = 'ip -j -s link') -> list[Interface]:
    """Parse ``ip -j -s link`` into interfaces with rx/tx counters."""
    data = _load_json_list(text, source)
    result = []
    for item in data:
        if not isinstance(item, dict) or 'ifname' not in item:
            raise exceptions.ParseError.of_output(
                source, 'entry without ifname: %r' % (item,))
        name = item['ifname']
        stats = item.get('stats64') or item.get('stats')
        if not isinstance(stats, dict) or not all(
                isinstance(stats.get(d), dict) for d in ('rx', 'tx')):
            raise exceptions.ParseError.of_output(
                source, '%s has no rx/tx statistics (was -s '
                'given?)' % name)

        def counter(direction: str, field: str) -> int:
            return _int(stats[direction].get(field), source,
                        '%s %s of %s' % (direction, field, name))
        result.append(Interface(
            name=name,
            index=_int(item.get('ifindex'), source, 'ifindex of %s' % name),
            mtu=_int(item.get('mtu', 0), source, 'mtu of %s' % name),
            state=str(item.get('operstate', 'UNKNOWN')),
            mac=item.get('address'),
            rx_packets=counter('rx', 'packets'),
            rx_bytes=counter('rx', 'bytes'),
            tx_packets=counter('tx', 'packets'),
            tx_bytes=counter('tx', 'bytes')))
    return result


def _parse_flow_line(line: str, source: str) -> Flow:
    head, sep, actions = line.strip().partition(' actions=')
    if not sep:
        head, sep, actions = line.strip().partition('actions=')
    if not sep or not actions:
        raise exceptions.ParseError.of_output(
            source, 'flow without actions: %r' % line)
    stats: dict[str, str] = {}
    match: list[str] = []
    priority = DEFAULT_PRIORITY
    for token in (t.strip() for t in head.split(',')):
        if not token:
            continue
        key, _, value = token.partition('=')
        if key in _FLOW_STAT_FIELDS:
            stats[key] = value
        elif key == 'priority':
            try:
                priority = int(value)
            except ValueError:
                raise exceptions.ParseError.of_output(
                    source, 'bad priority in %r' % line
                    ) from None
        else:
            match.append(token)
    try:
        return Flow(
            table=int(stats.get('table', '0')),
            priority=priority,
            cookie=int(stats.get('cookie', '0'), 0),
            match=','.join(match),
            actions=actions.strip(),
            n_packets=int(stats['n_packets']),
            n_bytes=int(stats['n_bytes']))
    except KeyError as exc:
        raise exceptions.ParseError.of_output(
            source, 'flow without %s: %r' % (exc, line)
            ) from None
    except ValueError as exc:
        raise exceptions.ParseError.of_output(
            source, '%s in %r' % (exc, line)) from None


def parse_flows(text: str, source: str = 'ovs-ofctl dump-flows'
                ) -> list[Flow]:
    """Parse ``ovs-ofctl [-O OpenFlowXY] dump-flows BRIDGE`` output."""
    flows = []
    for line in text.splitlines():
        stripped = line.strip()
        if not stripped or _FLOW_REPLY_HEADER.match(stripped):
            continue
        if 'n_packets=' not in stripped:
            raise exceptions.ParseError.of_output(
                source, 'unexpected line %r' % stripped, text)
        flows.append(_parse_flow_line(stripped, source))
    return flows


# What the script of ovs_ports_command prints before each bridge's reply.
_BRIDGE_MARK = 'bridge '
_PORT_REPLY_HEADER = re.compile(r'^(OFPST|NXST)_PORT reply\b')
_PORT_LINE = re.compile(
    r'^\s*port\s+(?P<name>"(?:[^"\\]|\\.)*"|[^\s:]+):\s*rx\s+'
    r'pkts=(?P<packets>\d+|\?),\s*bytes=(?P<bytes>\d+|\?)')
_TX_LINE = re.compile(
    r'^\s*tx\s+pkts=(?P<packets>\d+|\?),\s*bytes=(?P<bytes>\d+|\?)')
_DURATION_LINE = re.compile(r'^\s*duration=')


def _counter(value: str) -> int | None:
    return None if value == '?' else int(value)


def _port_name(token: str, bridge: str) -> str:
    """The Interface name: unquoted, and the bridge's own for ``LOCAL``."""
    if token == 'LOCAL':
        return bridge
    if token.startswith('"'):
        return json.loads(token)
    return token


def parse_ovs_ports(text: str, source: str = 'ovs-ofctl dump-ports'
                    ) -> list[OvsPort]:
    """Parse ``bridge <name>`` lines, each followed by its dump-ports reply.

    That is the output of :func:`ovs_ports_command`; ports are named as
    ``--names`` prints them (a bridge's ``LOCAL`` port by its bridge).
    """
    ports: list[OvsPort] = []
    bridge: str | None = None
    rx: re.Match[str] | None = None
    name = ''
    for line in text.splitlines():
        if not line.strip() or _PORT_REPLY_HEADER.match(line) or (
                _DURATION_LINE.match(line)):
            continue
        if line.startswith(_BRIDGE_MARK):
            bridge = line[len(_BRIDGE_MARK):].strip()
            continue
        port = _PORT_LINE.match(line)
        tx = _TX_LINE.match(line)
        if port and bridge is not None and rx is None:
            rx, name = port, _port_name(port.group('name'), bridge)
        elif tx and bridge is not None and rx is not None:
            ports.append(OvsPort(
                bridge, name, _counter(rx.group('packets')),
                _counter(rx.group('bytes')), _counter(tx.group('packets')),
                _counter(tx.group('bytes'))))
            rx = None
        else:
            raise exceptions.ParseError.of_output(
                source, 'unexpected line %r' % line, text)
    if rx is not None:
        raise exceptions.ParseError.of_output(
            source, 'port %s has no tx counters' % name, text)
    return ports


# --- inspectors -----------------------------------------------------------

def netns_exec(namespace: str, argv: list[str]) -> list[str]:
    """``argv`` run inside ``namespace``."""
    return ['ip', 'netns', 'exec', namespace] + argv


def list_namespaces(runner: remote.Runner) -> list[Namespace]:
    """The network namespaces on the runner's node."""
    result = runner.run(['ip', '-j', 'netns', 'list'])
    return parse_namespaces(result.stdout,
                            '%s: ip -j netns list' % runner.name)


def list_interfaces(runner: remote.Runner,
                    namespace: str) -> list[Interface]:
    """Interfaces and counters in ``namespace``."""
    argv = netns_exec(namespace, ['ip', '-j', '-s', 'link'])
    result = runner.run(argv)
    return parse_links(result.stdout,
                       '%s: %s' % (runner.name, remote.to_shell(argv)))


def ofctl_argv(bridge: str) -> list[str]:
    """The dump-flows command of ``bridge``."""
    return ['ovs-ofctl', '-O', OPENFLOW, 'dump-flows', bridge]


def dump_flows(runner: remote.Runner, bridge: str) -> list[Flow]:
    """The flows of ``bridge`` with their counters."""
    argv = ofctl_argv(bridge)
    result = runner.run(argv)
    return parse_flows(result.stdout,
                       '%s: %s' % (runner.name, remote.to_shell(argv)))


def ovs_ports_command() -> str:
    """One shell command: the live port counters of every bridge.

    One round trip per node however many bridges it has; it fails as a
    whole when a bridge cannot be read, rather than leave ports out.
    """
    ofctl = ['ovs-ofctl', '-O', OPENFLOW, '--names', 'dump-ports']
    return ('bridges=$(ovs-vsctl list-br) || exit; for b in $bridges; do '
            'echo "%s$b"; %s "$b" || exit; done'
            % (_BRIDGE_MARK, remote.to_shell(ofctl)))


def list_ovs_ports(runner: remote.Runner) -> list[OvsPort]:
    """Every OpenFlow port of the node's bridges, with live counters."""
    command = ovs_ports_command()
    result = runner.run(command)
    return parse_ovs_ports(result.stdout,
                           '%s: %s' % (runner.name, command))
