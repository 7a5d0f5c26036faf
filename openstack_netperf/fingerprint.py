"""The cloud fingerprint: what a run measured on, as flat facts.

A figure compared across runs means little without what changed under it
(an MTU, an OVS version, a kernel, a router mode's agents).  Every run
records a fingerprint: a flat ``{fact name: text}`` mapping built here from
API answers and node command outputs, whatever client read them.  A fact
that could not be read (no admin credentials, an API error, no node
access) is :data:`UNKNOWN`, never a guess.

:func:`differences` lists what changed between two fingerprints, the
first lines of a comparison between runs; :func:`merge` folds the
fingerprints of several iterations or workloads into one.
"""

from __future__ import annotations

import dataclasses
import re
from typing import Any, Iterable, Mapping, NamedTuple, TYPE_CHECKING

if TYPE_CHECKING:
    from openstack_netperf import pair

UNKNOWN = 'unknown'
# The image property is absent: the hypervisor picks the NIC model.
ABSENT_VIF_MODEL = 'absent (hypervisor default)'
# How merge() joins the different values of one fact.
VARIES = ' | '
Facts = dict[str, str]

# Agent type -> ML2 mechanism driver (Neutron's API does not list the
# drivers; each one's agents report under these types).
AGENT_MECHANISMS = {
    'Open vSwitch agent': 'openvswitch',
    'OVN Controller agent': 'ovn',
    'OVN Controller Gateway agent': 'ovn',
    'OVN Metadata agent': 'ovn',
    'Linux bridge agent': 'linuxbridge',
    'NIC Switch agent': 'sriovnicswitch',
    'Macvtap agent': 'macvtap',
}
L3_AGENT_TYPE = 'L3 agent'
OVS_AGENT_TYPE = 'Open vSwitch agent'
# The UDP port OVS uses for a tunnel without a dst_port option.
DEFAULT_TUNNEL_PORTS = {'vxlan': 4789, 'geneve': 6081}


def _text(value: Any) -> str:
    """A read value as text; nothing read is UNKNOWN."""
    if value is None or value == '':
        return UNKNOWN
    if isinstance(value, bool):
        return str(value).lower()
    return str(value)


def by_name(values: Mapping[str, Any]) -> str:
    """One value when every name has it, else ``name value`` pairs."""
    texts = {name: _text(value) for name, value in values.items()}
    if not texts:
        return UNKNOWN
    if len(set(texts.values())) == 1:
        return next(iter(texts.values()))
    return ', '.join('%s %s' % item for item in sorted(texts.items()))


def neutron_facts(agents: Iterable[Mapping[str, Any]] | None,
                  extensions: Iterable[Mapping[str, Any] | str] | None
                  ) -> Facts:
    """Mechanism, agents, L3 agent modes and extensions from the API.

    ``agents`` is Neutron's ``agents`` list (admin only), ``extensions``
    its ``extensions`` list; ``None`` for a list that could not be read.
    """
    facts: Facts = {}
    if extensions is None:
        facts['neutron.extensions'] = UNKNOWN
    else:
        facts['neutron.extensions'] = ', '.join(sorted(
            e if isinstance(e, str) else e['alias'] for e in extensions))
    if agents is None:
        for name in ('mechanism', 'agent_types', 'tunnel_types'):
            facts['neutron.%s' % name] = UNKNOWN
        return facts
    agents = list(agents)
    kinds = sorted({a.get('agent_type') or UNKNOWN for a in agents})
    mechanisms = sorted({AGENT_MECHANISMS[k] for k in kinds
                         if k in AGENT_MECHANISMS})
    facts['neutron.mechanism'] = ', '.join(mechanisms) or UNKNOWN
    facts['neutron.agent_types'] = ', '.join(kinds) or 'none'
    tunnels = sorted({t for a in agents
                      if a.get('agent_type') == OVS_AGENT_TYPE
                      for t in (a.get('configurations') or {}).get(
                          'tunnel_types') or ()})
    facts['neutron.tunnel_types'] = (
        (', '.join(tunnels) or 'none') if OVS_AGENT_TYPE in kinds
        else UNKNOWN)
    for agent in agents:
        if agent.get('agent_type') == L3_AGENT_TYPE:
            mode = (agent.get('configurations') or {}).get('agent_mode')
            facts['l3_agent.%s.mode' % agent.get('host')] = '%s%s' % (
                _text(mode), '' if agent.get('alive', True)
                else ' (not alive)')
    return facts


def nova_facts(max_microversion: str | None) -> Facts:
    """Nova's newest API microversion (``GET /`` of the compute API)."""
    return {'nova.max_microversion': _text(max_microversion)}


def network_facts(networks: Mapping[str, Mapping[str, Any] | None]
                  ) -> Facts:
    """Type and MTU of the tenant networks the run created, by name.

    Each value is the network as Neutron shows it, ``None`` when it could
    not be read; ``provider:network_type`` is shown to admins only.
    """
    return {
        'network.type': by_name({
            name: (net or {}).get('provider:network_type')
            for name, net in networks.items()}),
        'network.mtu': by_name({name: (net or {}).get('mtu')
                                for name, net in networks.items()}),
    }


def image_facts(image: Mapping[str, Any] | None) -> Facts:
    """The guest image's name, checksum and NIC model (``hw_vif_model``)."""
    if image is None:
        return dict.fromkeys(('image.name', 'image.checksum',
                              'guest.nic_model'), UNKNOWN)
    checksum = image.get('checksum')
    if not checksum and image.get('os_hash_value'):
        checksum = '%s:%s' % (image.get('os_hash_algo'),
                              image['os_hash_value'])
    return {'image.name': _text(image.get('name')),
            'image.checksum': _text(checksum),
            'guest.nic_model': image.get('hw_vif_model') or ABSENT_VIF_MODEL}


def flavor_facts(flavor: Mapping[str, Any] | None) -> Facts:
    """The guests' flavor: name, vCPUs, RAM (MiB) and disk (GiB)."""
    flavor = flavor or {}
    return {'flavor.%s' % key: _text(flavor.get(field))
            for key, field in (('name', 'name'), ('vcpus', 'vcpus'),
                               ('ram_mb', 'ram'), ('disk_gb', 'disk'))}


def guest_facts(iperf3_versions: Mapping[str, str | None]) -> Facts:
    """The guests' iperf3 version(s), by guest name when they differ."""
    return {'guest.iperf3': by_name(iperf3_versions)}


def settings_facts(settings: pair.Settings) -> Facts:
    """Every methodology setting (:class:`pair.Settings`), by field."""
    return {'settings.%s' % f.name: _text(getattr(settings, f.name))
            for f in dataclasses.fields(settings)}


# Run once per node (read-only): one ``key=value`` line per fact, a key
# missing when its command failed.  ``tunnels_listed`` tells "no tunnel
# port" from "OVS could not be asked".
NODE_SCRIPT = r"""
echo "kernel=$(uname -r 2>/dev/null)"
m=$(sed -n 's/^model name[[:space:]]*:[[:space:]]*//p' /proc/cpuinfo \
    2>/dev/null | head -n 1)
[ -n "$m" ] || m=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p')
echo "cpu_model=$m"
echo "cpus=$(nproc 2>/dev/null)"
if v=$(ovs-vsctl --timeout=5 get Open_vSwitch . ovs_version 2>/dev/null)
then echo "ovs_db_version=$v"; fi
echo "ovs_vswitchd=$(ovs-vswitchd --version 2>/dev/null | head -n 1)"
if v=$(ovs-vsctl --timeout=5 get Bridge br-int datapath_type 2>/dev/null)
then echo "br_int_datapath=$v"; fi
if v=$(ovs-vsctl --timeout=5 -f csv --data=bare --no-headings \
       --columns=type,options list Interface 2>/dev/null)
then
    echo "tunnels_listed=yes"
    printf '%s\n' "$v" | grep -E '^(vxlan|geneve|gre|stt),' | \
        sed 's/^/tunnel=/'
fi
true
"""
NODE_FACTS = ('kernel', 'cpu_model', 'cpus', 'ovs_version',
              'br_int_datapath', 'tunnel_udp_port')
_VSWITCHD_VERSION = re.compile(r'\(Open vSwitch\)\s+(\S+)')
_DST_PORT = re.compile(r'(?:^|\s)dst_port=(\d+)')


def _unquote(value: str) -> str:
    value = value.strip()
    if value in ('[]', '""'):
        return ''
    return value.strip('"')


def _tunnel_port(line: str) -> str:
    """``vxlan 4789`` from a ``type,options`` line of ``ovs-vsctl``."""
    kind, _sep, options = line.partition(',')
    port = _DST_PORT.search(options)
    if port:
        return '%s %s' % (kind, port.group(1))
    if kind in DEFAULT_TUNNEL_PORTS:
        return '%s %d (OVS default)' % (kind, DEFAULT_TUNNEL_PORTS[kind])
    return '%s (not UDP)' % kind


def parse_node_output(text: str) -> Facts:
    """The node facts (:data:`NODE_FACTS`) from :data:`NODE_SCRIPT`'s output.

    OVS's own version comes from its database (the running daemon),
    else from ``ovs-vswitchd --version``; an empty ``datapath_type`` is
    OVS's default, ``system``.
    """
    lines: dict[str, list[str]] = {}
    for line in text.splitlines():
        key, sep, value = line.partition('=')
        if sep:
            lines.setdefault(key.strip(), []).append(value.strip())

    def first(key: str) -> str:
        return (lines.get(key) or [''])[0]

    version = _unquote(first('ovs_db_version'))
    if not version:
        found = _VSWITCHD_VERSION.search(first('ovs_vswitchd'))
        version = found.group(1) if found else ''
    facts = {'kernel': _text(first('kernel')),
             'cpu_model': _text(first('cpu_model')),
             'cpus': _text(first('cpus')),
             'ovs_version': _text(version)}
    if 'br_int_datapath' in lines:
        facts['br_int_datapath'] = (_unquote(first('br_int_datapath'))
                                    or 'system (default)')
    else:
        facts['br_int_datapath'] = UNKNOWN
    if 'tunnels_listed' in lines:
        facts['tunnel_udp_port'] = ', '.join(sorted(
            {_tunnel_port(t) for t in lines.get('tunnel', ())})) or 'none'
    else:
        facts['tunnel_udp_port'] = UNKNOWN
    return facts


def node_facts(nodes: Mapping[str, str | None]) -> Facts:
    """``node.<host>.<fact>`` of every node, from each one's script output.

    ``None`` for a node whose script could not run (no node access, a
    connection error): its facts are all :data:`UNKNOWN`.  The tunnel UDP
    port(s) of every node read also make up ``tunnel.udp_port``.
    """
    facts: Facts = {}
    ports = set()
    for host, output in sorted(nodes.items()):
        found = (dict.fromkeys(NODE_FACTS, UNKNOWN) if output is None
                 else parse_node_output(output))
        facts.update(('node.%s.%s' % (host, k), v) for k, v in found.items())
        if found['tunnel_udp_port'] != UNKNOWN:
            ports.add(found['tunnel_udp_port'])
    facts['tunnel.udp_port'] = VARIES.join(sorted(ports)) or UNKNOWN
    return facts


class Difference(NamedTuple):
    """A fact whose value differs between two fingerprints."""

    fact: str
    before: str
    after: str

    @property
    def unknown(self) -> bool:
        """Whether one side was not read: not known to have changed."""
        return UNKNOWN in (self.before, self.after)

    def __str__(self) -> str:
        return '%s %s \u2192 %s' % self


def differences(before: Mapping[str, str],
                after: Mapping[str, str]) -> list[Difference]:
    """Every fact whose value differs, by fact name.

    A fact missing on one side (a fingerprint of an older version, a node
    only one run had) counts as :data:`UNKNOWN` there.
    """
    return [Difference(fact, before.get(fact, UNKNOWN),
                       after.get(fact, UNKNOWN))
            for fact in sorted(set(before) | set(after))
            if before.get(fact, UNKNOWN) != after.get(fact, UNKNOWN)]


def merge(fingerprints: Iterable[Mapping[str, str]]) -> Facts:
    """One fingerprint from several (iterations, workloads).

    A fact with one value keeps it; different values are joined with
    :data:`VARIES` in the order first seen, a fact missing from some
    fingerprints joining :data:`UNKNOWN`.
    """
    fingerprints = list(fingerprints)
    names = sorted({name for f in fingerprints for name in f})
    merged: Facts = {}
    for name in names:
        values = dict.fromkeys(f.get(name, UNKNOWN) for f in fingerprints)
        merged[name] = VARIES.join(values)
    return merged
