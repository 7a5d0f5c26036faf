"""What the admin APIs say about computes, L3 agents and network nodes.

Both plugins build one :class:`CloudFacts` from the plain dicts of Nova's
``os-services`` and Neutron's ``agents`` and ``extensions`` lists (each
adapter converts its client library's objects at its edge), so they
answer every question below by the same rule:

* **usable for a pair** (:meth:`ComputeHost.routes`): an enabled, up
  nova-compute; behind a distributed router it must also run an alive L3
  agent in a DVR mode (``dvr``, ``dvr_no_external``, or ``dvr_snat``: the
  one node of an all-in-one DVR cloud routes its own VMs too).  This is
  enough to *measure* a pair there.
* **path-checkable** (:meth:`CloudFacts.usable_computes`): usable for a
  pair, runs the Open vSwitch agent (the checks read ML2/OVS namespaces and
  ports), and is not a network node (no L3 agent in ``legacy`` or
  ``dvr_snat`` mode): counters on a compute that is also the network node
  cannot tell traffic that crosses the network node from traffic that
  stays on the compute.  An all-in-one cloud is usable for pairs but not
  path-checkable.
"""

from __future__ import annotations

import dataclasses
from typing import Any, Iterable, Mapping

from openstack_netperf import topology

OVS_AGENT_TYPE = 'Open vSwitch agent'
L3_AGENT_TYPE = 'L3 agent'
# L3 agent modes of a node that routes centrally (legacy routers, and
# SNAT of distributed ones).
CENTRAL_MODES = {
    topology.RouterMode.LEGACY: ('legacy', 'dvr_snat'),
    topology.RouterMode.DVR: ('dvr_snat',),
}
# L3 agent modes that route a distributed router for the VMs of their host.
DVR_MODES = ('dvr', 'dvr_no_external', 'dvr_snat')


def agent_mode(agent: Mapping[str, Any]) -> str:
    """An L3 agent's mode from its Neutron ``configurations``."""
    return (agent.get('configurations') or {}).get('agent_mode', 'legacy')


@dataclasses.dataclass(frozen=True)
class ComputeHost:
    """A nova-compute service that can take a VM (``zone:host`` hint).

    ``l3_agent_mode`` is the mode of its alive L3 agent, if it runs one.
    """

    host: str
    zone: str
    l3_agent_mode: str | None = None

    @property
    def hint(self) -> str:
        """The availability zone that pins a server to this host."""
        return '%s:%s' % (self.zone, self.host)

    def routes(self, mode: topology.RouterMode | str) -> bool:
        """Whether routers of ``mode`` reach VMs here (rule "pair")."""
        return (topology.parse_router_mode(mode) is
                topology.RouterMode.LEGACY
                or self.l3_agent_mode in DVR_MODES)


@dataclasses.dataclass(frozen=True)
class CloudFacts:
    """Computes, L3 agents, OVS agents and extensions of a cloud."""

    computes: tuple[ComputeHost, ...]
    l3_modes: Mapping[str, str]
    ovs_hosts: frozenset[str]
    other_agent_types: frozenset[str]
    extensions: frozenset[str]

    @classmethod
    def from_api(cls, services: Iterable[Mapping[str, Any]],
                 agents: Iterable[Mapping[str, Any]],
                 extensions: Iterable[Mapping[str, Any] | str]
                 ) -> CloudFacts:
        """Build from ``os-services``, ``agents`` and ``extensions``.

        Only services up and enabled and agents alive and admin-up count;
        the computes are sorted by host name.
        """
        l3_modes: dict[str, str] = {}
        ovs_hosts = set()
        other = set()
        for agent in agents:
            if not agent.get('alive') or not agent.get(
                    'admin_state_up', True):
                continue
            kind = agent.get('agent_type', '')
            if kind == L3_AGENT_TYPE:
                l3_modes[agent['host']] = agent_mode(agent)
            elif kind == OVS_AGENT_TYPE:
                ovs_hosts.add(agent['host'])
            else:
                other.add(kind)
        computes = sorted(
            (ComputeHost(s['host'], s.get('zone') or 'nova',
                         l3_modes.get(s['host']))
             for s in services
             if s.get('binary') == 'nova-compute' and s.get('state') == 'up'
             and s.get('status') == 'enabled'),
            key=lambda c: c.host)
        aliases = frozenset(e if isinstance(e, str) else e['alias']
                            for e in extensions)
        return cls(tuple(computes), l3_modes, frozenset(ovs_hosts),
                   frozenset(other), aliases)

    def central_nodes(self, mode: topology.RouterMode | str) -> list[str]:
        """Hosts whose L3 agent can host ``mode`` routers centrally."""
        mode = topology.parse_router_mode(mode)
        return sorted(h for h, m in self.l3_modes.items()
                      if m in CENTRAL_MODES[mode])

    def not_path_checkable(self, compute: ComputeHost,
                           mode: topology.RouterMode | str,
                           network_nodes: Iterable[str] | None = None
                           ) -> str | None:
        """Why a path check cannot pin a VM to ``compute``, or ``None``.

        ``network_nodes`` are the configured ones; by default every host
        of an L3 agent in a central mode.
        """
        central = (self.central_nodes(topology.RouterMode.LEGACY)
                   if network_nodes is None else list(network_nodes))
        if not compute.routes(mode):
            return 'no L3 agent in a dvr mode'
        if compute.host not in self.ovs_hosts:
            return 'no Open vSwitch agent'
        if compute.host in central:
            return 'it is a network node (L3 agent %s)' % (
                compute.l3_agent_mode or 'configured')
        return None

    def usable_computes(self, mode: topology.RouterMode | str
                        ) -> list[ComputeHost]:
        """Computes a path check can pin VMs to (rule "path-checkable")."""
        return [c for c in self.computes
                if self.not_path_checkable(c, mode) is None]

    def blocker(self, mode: topology.RouterMode | str,
                computes_needed: int) -> str | None:
        """Why a path check of ``mode`` cannot run here, or ``None``."""
        mode = topology.parse_router_mode(mode)
        if not self.ovs_hosts:
            return ('no Open vSwitch agent is alive (agent types: %s): the '
                    'path checks read the router namespaces and OVS flows '
                    'of ML2/OVS; other backends (e.g. OVN) are not '
                    'supported' % (', '.join(sorted(self.other_agent_types))
                                   or 'none'))
        if mode is topology.RouterMode.DVR and 'dvr' not in self.extensions:
            return 'Neutron has no "dvr" extension: no distributed routers'
        central = self.central_nodes(mode)
        if not central:
            return ('no L3 agent alive in %s mode: no network node for %s '
                    'routers' % (' or '.join(CENTRAL_MODES[mode]),
                                 mode.value))
        usable = self.usable_computes(mode)
        if len(usable) < computes_needed:
            return ('needs %d compute host(s) with an OVS agent%s, apart '
                    'from the network node(s) %s; found %d (%s)'
                    % (computes_needed,
                       ' and an L3 agent in dvr mode'
                       if mode is topology.RouterMode.DVR else '',
                       ', '.join(central), len(usable),
                       ', '.join(c.host for c in usable) or 'none'))
        return None


def hosting_network_nodes(hosting_agents: Iterable[Mapping[str, Any]],
                          mode: topology.RouterMode | str) -> list[str]:
    """The network node(s) among a router's hosting L3 agents.

    ``hosting_agents`` is Neutron's ``l3-agents`` list of the router; a
    distributed router is also "hosted" on its computes, which are left
    out here.
    """
    mode = topology.parse_router_mode(mode)
    return sorted(
        a['host'] for a in hosting_agents
        if agent_mode(a) in CENTRAL_MODES[mode])
