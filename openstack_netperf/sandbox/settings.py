"""The sandbox's address plan, node roles and paths (DESIGN.md).

One frozen object holds every fact the other modules agree on, so a
config renderer, the node wiring and ``env`` cannot disagree about an
address.  Only 198.18.0.0/15 (RFC 2544 benchmarking range) is used.
"""

from __future__ import annotations

import dataclasses
import ipaddress
import os

from openstack_netperf import exceptions

SAFE_RANGE = ipaddress.ip_network('198.18.0.0/15')

NETWORK = 'network'
COMPUTE = 'compute'


@dataclasses.dataclass(frozen=True)
class Node:
    """A non-controller node: its own network, mount and UTS namespaces."""

    name: str
    role: str
    short: str
    mgmt_ip: str
    tunnel_ip: str

    @property
    def namespace(self) -> str:
        """Name of the node's network namespace in the root namespace."""
        return 'netperf-%s' % self.name

    @property
    def l3_agent_mode(self) -> str:
        return 'dvr_snat' if self.role == NETWORK else 'dvr'

    def veth(self, plane: str) -> str:
        """Root-side veth name for a plane (mgmt, tun, ext); <= 15 chars."""
        return 'np-%s-%s' % (self.short, plane)


@dataclasses.dataclass(frozen=True)
class SandboxSettings:
    """Everything about one sandbox that is fixed before ``up`` starts."""

    state_dir: str = '/var/lib/openstack-netperf/sandbox'
    log_dir: str = '/var/log/openstack-netperf/sandbox'
    venv_dir: str = '/opt/openstack-netperf/sandbox-venv'
    python: str = '/usr/bin/python3'
    mgmt_cidr: str = '198.18.0.0/24'
    controller_ip: str = '198.18.0.1'
    tunnel_cidr: str = '198.18.1.0/24'
    external_cidr: str = '198.18.100.0/24'
    external_gateway: str = '198.18.100.1'
    floating_start: str = '198.18.100.100'
    floating_end: str = '198.18.100.250'
    region: str = 'RegionOne'
    nodes: tuple[Node, ...] = (
        Node('network', NETWORK, 'net', '198.18.0.10', '198.18.1.10'),
        Node('compute-01', COMPUTE, 'c01', '198.18.0.11', '198.18.1.11'),
        Node('compute-02', COMPUTE, 'c02', '198.18.0.12', '198.18.1.12'),
    )
    bridge_prefix: str = 'np-'
    ports: tuple[tuple[str, int], ...] = (
        ('mysql', 3306), ('rabbitmq', 5672), ('keystone', 5000),
        ('glance', 9292), ('placement', 8778), ('nova', 8774),
        ('nova-metadata', 8775), ('neutron', 9696))

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        """Refuse any address outside 198.18.0.0/15 or off its subnet."""
        subnets = {'mgmt_cidr': self.mgmt_cidr,
                   'tunnel_cidr': self.tunnel_cidr,
                   'external_cidr': self.external_cidr}
        for option, cidr in subnets.items():
            try:
                net = ipaddress.ip_network(cidr)
            except ValueError as exc:
                raise exceptions.InvalidInput(
                    '%s=%r is not a network: %s' % (option, cidr, exc))
            if not net.subnet_of(SAFE_RANGE):
                raise exceptions.InvalidInput(
                    '%s=%s is outside %s; the sandbox only uses the '
                    'benchmarking range' % (option, cidr, SAFE_RANGE))
        checks = [('controller_ip', self.controller_ip, self.mgmt_cidr),
                  ('external_gateway', self.external_gateway,
                   self.external_cidr),
                  ('floating_start', self.floating_start,
                   self.external_cidr),
                  ('floating_end', self.floating_end, self.external_cidr)]
        for node in self.nodes:
            checks.append(('%s mgmt_ip' % node.name, node.mgmt_ip,
                           self.mgmt_cidr))
            checks.append(('%s tunnel_ip' % node.name, node.tunnel_ip,
                           self.tunnel_cidr))
        for what, address, cidr in checks:
            if ipaddress.ip_address(address) not in ipaddress.ip_network(
                    cidr):
                raise exceptions.InvalidInput(
                    '%s %s is not in %s' % (what, address, cidr))
        names = [node.name for node in self.nodes]
        if len(set(names)) != len(names):
            raise exceptions.InvalidInput('node names repeat: %s' % names)
        for node in self.nodes:
            if len(node.veth('mgmt')) > 15:
                raise exceptions.InvalidInput(
                    'node short name %r makes device names longer than 15 '
                    'characters' % node.short)

    @property
    def prefixlen(self) -> int:
        return ipaddress.ip_network(self.mgmt_cidr).prefixlen

    def port(self, service: str) -> int:
        return dict(self.ports)[service]

    def url(self, service: str, path: str = '') -> str:
        """An API endpoint on the management address."""
        return 'http://%s:%d%s' % (self.controller_ip, self.port(service),
                                   path)

    @property
    def keystone_url(self) -> str:
        return self.url('keystone', '/v3')

    def node(self, name: str) -> Node:
        for node in self.nodes:
            if node.name == name:
                return node
        raise exceptions.InvalidInput(
            'no sandbox node %r; nodes: controller, %s'
            % (name, ', '.join(n.name for n in self.nodes)))

    @property
    def computes(self) -> tuple[Node, ...]:
        return tuple(n for n in self.nodes if n.role == COMPUTE)

    def bridge(self, plane: str) -> str:
        """Root-namespace Linux bridge joining the nodes on a plane."""
        return '%s%s' % (self.bridge_prefix, plane)

    # Paths -----------------------------------------------------------
    def state(self, *parts: str) -> str:
        return os.path.join(self.state_dir, *parts)

    def log(self, node: str, service: str) -> str:
        return os.path.join(self.log_dir, node, '%s.log' % service)

    def venv_bin(self, name: str) -> str:
        return os.path.join(self.venv_dir, 'bin', name)

    def etc(self, node: str, service: str, name: str) -> str:
        """Rendered config file of a service on a node."""
        return self.state('etc', node, service, name)
