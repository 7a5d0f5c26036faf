"""Placement categories, the reference topology and the expected paths.

The vocabulary comes from the thesis "Cloud Network Performance Analysis:
An OpenStack Case Study" (chapter 3 and section 4.6): a VM pair is placed on
the same or on different compute hosts (H), on the same or on different
subnets (N) and behind the same or different routers (R).  Table 2.1 of the
thesis, extended with north-south traffic, says which flows must cross the
network node under a legacy and under a distributed (DVR) router.  Rally
scenarios, Tempest tests and the sandbox all read these facts from here.
"""

from __future__ import annotations

import dataclasses
import enum
import ipaddress

from openstack_netperf import exceptions


class RouterMode(str, enum.Enum):
    """How a Neutron router is deployed."""

    LEGACY = 'legacy'
    DVR = 'dvr'

    @property
    def distributed(self) -> bool:
        """The value of the router's ``distributed`` attribute."""
        return self is RouterMode.DVR


_ROUTER_MODE_ALIASES = {
    'legacy': RouterMode.LEGACY,
    'centralized': RouterMode.LEGACY,
    'dvr': RouterMode.DVR,
    'distributed': RouterMode.DVR,
}


def parse_router_mode(value: str | bool | RouterMode) -> RouterMode:
    """Read a router mode from task or config input.

    Accepts ``legacy``/``centralized``, ``dvr``/``distributed`` and the
    booleans of the router's ``distributed`` attribute.
    """
    if isinstance(value, RouterMode):
        return value
    if isinstance(value, bool):
        return RouterMode.DVR if value else RouterMode.LEGACY
    mode = _ROUTER_MODE_ALIASES.get(str(value).strip().lower())
    if mode is None:
        raise exceptions.InvalidInput(
            'Unknown router mode %r; valid values: %s'
            % (value, ', '.join(sorted(_ROUTER_MODE_ALIASES))))
    return mode


class Traffic(str, enum.Enum):
    """Kinds of flow whose path the expected-path table knows."""

    INTRA_SUBNET = 'intra_subnet'
    INTER_SUBNET = 'inter_subnet'
    DNAT = 'dnat'
    SNAT = 'snat'


# Thesis Table 2.1, extended with north-south traffic (DESIGN.md):
# does the flow cross the network node?
EXPECTED_CROSSES_NETWORK_NODE: dict[tuple[Traffic, RouterMode], bool] = {
    (Traffic.INTRA_SUBNET, RouterMode.LEGACY): False,
    (Traffic.INTRA_SUBNET, RouterMode.DVR): False,
    (Traffic.INTER_SUBNET, RouterMode.LEGACY): True,
    (Traffic.INTER_SUBNET, RouterMode.DVR): False,
    (Traffic.DNAT, RouterMode.LEGACY): True,
    (Traffic.DNAT, RouterMode.DVR): False,
    (Traffic.SNAT, RouterMode.LEGACY): True,
    (Traffic.SNAT, RouterMode.DVR): True,
}


def crosses_network_node(traffic: Traffic | str,
                         router_mode: RouterMode | str | bool) -> bool:
    """Say whether a flow should cross the network node.

    :param traffic: a :class:`Traffic` or its value.
    :param router_mode: anything :func:`parse_router_mode` accepts.
    """
    try:
        kind = Traffic(traffic)
    except ValueError:
        raise exceptions.InvalidInput(
            'Unknown traffic type %r; valid values: %s'
            % (traffic, ', '.join(t.value for t in Traffic))) from None
    mode = parse_router_mode(router_mode)
    return EXPECTED_CROSSES_NETWORK_NODE[(kind, mode)]


@dataclasses.dataclass(frozen=True)
class Category:
    """A placement category of a VM pair (thesis chapter 3)."""

    id: str
    shorthand: str
    same_host: bool
    same_subnet: bool
    same_router: bool
    traffic: Traffic
    description: str

    @property
    def computes_needed(self) -> int:
        """How many distinct compute hosts the pair needs."""
        return 1 if self.same_host else 2

    def crosses_network_node(
            self, router_mode: RouterMode | str | bool) -> bool:
        """Whether this pair's traffic should cross the network node."""
        return crosses_network_node(self.traffic, router_mode)


CATEGORIES: tuple[Category, ...] = (
    Category('intra_node_intra_subnet', 'HNR', True, True, True,
             Traffic.INTRA_SUBNET, 'same host, same subnet'),
    Category('intra_node_inter_subnet', 'H-NR', True, False, True,
             Traffic.INTER_SUBNET, 'same host, two subnets on one router'),
    Category('inter_node_intra_subnet', '-HNR', False, True, True,
             Traffic.INTRA_SUBNET, 'different hosts, same subnet'),
    Category('inter_node_inter_subnet', '-H-NR', False, False, True,
             Traffic.INTER_SUBNET,
             'different hosts, two subnets on one router'),
    # Across routers the pair talks through floating IPs, and in the
    # reference topology both VMs have one: the flow is DNAT at the target
    # and leaves the source through its own floating IP (no SNAT).
    Category('inter_node_inter_router', '-H-N-R', False, False, False,
             Traffic.DNAT, 'different hosts, two routers, via floating IPs'),
)

_BY_NAME = {c.id: c for c in CATEGORIES}
_BY_NAME.update({c.shorthand.lower(): c for c in CATEGORIES})


def valid_category_names() -> list[str]:
    """Every string :func:`get_category` accepts, for error messages."""
    return [name for c in CATEGORIES for name in (c.id, c.shorthand)]


def get_category(name: str | Category) -> Category:
    """Look a category up by id or thesis shorthand (case-insensitive)."""
    if isinstance(name, Category):
        return name
    category = _BY_NAME.get(str(name).strip().lower())
    if category is None:
        raise exceptions.InvalidInput(
            'Unknown placement category %r; valid values: %s'
            % (name, ', '.join(valid_category_names())))
    return category


def get_categories(names: list[str] | tuple[str, ...] | None
                   ) -> list[Category]:
    """Resolve a list of names; ``None`` or empty means every category."""
    if not names:
        return list(CATEGORIES)
    seen: dict[str, Category] = {}
    for name in names:
        category = get_category(name)
        seen.setdefault(category.id, category)
    return list(seen.values())


# --- Reference topology (thesis section 4.6) ------------------------------

@dataclasses.dataclass(frozen=True)
class NetworkSpec:
    """A tenant network of the reference topology."""

    name: str
    cidr: str
    router: str


@dataclasses.dataclass(frozen=True)
class VMSpec:
    """A VM of the reference topology; ``compute`` is 1 or 2."""

    name: str
    network: str
    compute: int


REFERENCE_NETWORKS: tuple[NetworkSpec, ...] = (
    NetworkSpec('A', '198.19.11.0/24', 'R1'),
    NetworkSpec('B', '198.19.12.0/24', 'R1'),
    NetworkSpec('C', '198.19.13.0/24', 'R2'),
)

REFERENCE_ROUTERS: tuple[str, ...] = ('R1', 'R2')

REFERENCE_VMS: tuple[VMSpec, ...] = (
    VMSpec('A1', 'A', 1),
    VMSpec('A3', 'A', 1),
    VMSpec('B1', 'B', 1),
    VMSpec('C1', 'C', 1),
    VMSpec('A2', 'A', 2),
    VMSpec('B2', 'B', 2),
    VMSpec('C2', 'C', 2),
)

# Which VM pair of the reference topology realises each category; the
# first VM is the one the thesis calls the source.
REFERENCE_PAIRS: dict[str, tuple[str, str]] = {
    'intra_node_intra_subnet': ('A1', 'A3'),
    'intra_node_inter_subnet': ('A1', 'B1'),
    'inter_node_intra_subnet': ('A1', 'A2'),
    'inter_node_inter_subnet': ('A1', 'B2'),
    'inter_node_inter_router': ('A1', 'C2'),
}


def network_spec(name: str) -> NetworkSpec:
    """The reference network called ``name``."""
    for net in REFERENCE_NETWORKS:
        if net.name == name:
            return net
    raise KeyError(name)


def vm_spec(name: str) -> VMSpec:
    """The reference VM called ``name``."""
    for vm in REFERENCE_VMS:
        if vm.name == name:
            return vm
    raise KeyError(name)


def reference_pair(category: str | Category) -> tuple[VMSpec, VMSpec]:
    """The two VMs of the reference topology that realise ``category``."""
    src, dst = REFERENCE_PAIRS[get_category(category).id]
    return vm_spec(src), vm_spec(dst)


def pair_networks(category: str | Category
                  ) -> tuple[NetworkSpec, NetworkSpec]:
    """The networks of a category's pair: where a two-VM scenario boots."""
    src, dst = reference_pair(category)
    return network_spec(src.network), network_spec(dst.network)


def client_networks(cidrs: list[str] | tuple[str, ...]) -> list[str]:
    """The guests' extra SSH/ICMP sources, normalised (``198.18.0.7/32``).

    Both plugins admit these CIDRs in the guests' security group; a bad
    one must fail before anything is created, not inside Neutron.

    :raises InvalidInput: naming the first value that is no IPv4 network.
    """
    networks = []
    for cidr in cidrs:
        try:
            network = ipaddress.ip_network(str(cidr).strip(), strict=False)
        except ValueError as exc:
            raise exceptions.InvalidInput(str(exc)) from None
        if network.version != 4:
            raise exceptions.InvalidInput(
                '%s is not IPv4: the guests are reached over IPv4' % cidr)
        networks.append(str(network))
    return networks
