"""The ``[netperf]`` options of the Tempest plugin.

How to reach the nodes (the tests read namespaces and OVS counters on the
network node and the computes), which guest to boot and from where the
tests reach it, which router modes and placement categories to test, and
how big a burst must be against the background noise.
"""

from __future__ import annotations

from collections.abc import Iterator
import contextlib
from typing import Any

from oslo_config import cfg
from oslo_config import types

from openstack_netperf import exceptions
from openstack_netperf.hosts import access
from openstack_netperf.hosts import probe
from openstack_netperf import topology

netperf_group = cfg.OptGroup(
    name='netperf',
    title='Network path tests (openstack-netperf)',
    help='Options of the Tempest tests that check whether traffic crosses '
         'the network node under legacy and distributed routers.')

# The node access defaults are the core's.
_ACCESS = access.NodeAccessSettings()


class _Checked:
    """An option type that lets a bad value through, as written.

    oslo.config converts a value at every access, and Tempest logs every
    option when it first reads its configuration: a value the strict type
    rejects would break the loading of the whole configuration, not just
    these tests.  :func:`check_options`, which every test class calls
    first, converts the value with the strict type and names the option.
    """

    def __init__(self, strict: types.ConfigType):
        self.strict = strict

    def __getattr__(self, name: str) -> Any:
        # type_name, min, max, choices: the sample config and the docs
        # describe the strict type.
        if name == 'strict':
            raise AttributeError(name)
        return getattr(self.strict, name)

    def __call__(self, value: Any) -> Any:
        try:
            return self.strict(value)
        except ValueError:
            return value


def _checked(opt: cfg.Opt) -> cfg.Opt:
    """``opt``, its type enforced by :func:`check_options` instead."""
    opt.type = _Checked(opt.type)
    return opt


# Each option's type lets a bad value through: check_options() names it.
NetperfGroup = [_checked(opt) for opt in (
    cfg.StrOpt('node_access', default=_ACCESS.method.value,
               choices=[('ssh', 'log in to each node over SSH'),
                        ('local', 'run commands on this machine (an '
                                  'all-in-one cloud)'),
                        ('none', 'no node access: the path tests skip')],
               help='How the tests reach the network node and the computes '
                    'to read namespaces and OVS counters.'),
    cfg.StrOpt('node_user', default=_ACCESS.user,
               help='User to log in to the nodes as (ssh access).'),
    cfg.StrOpt('node_key_file',
               help='Private key file for the node user (ssh access).'),
    cfg.PortOpt('node_port', default=_ACCESS.port,
                help='SSH port of the nodes.'),
    cfg.BoolOpt('node_sudo', default=_ACCESS.sudo,
                help='Run node commands with "sudo -n" (ip netns, ovs-ofctl '
                     'and ovs-vsctl need root).'),
    cfg.StrOpt('node_jump_host',
               help='host[:port] of an SSH jump host the node connections '
                    'go through; same user and key as the nodes.'),
    cfg.DictOpt('node_address_map', default={},
                help='host:address pairs for node names (as Nova and '
                     'Neutron report them) that do not resolve from here.'),
    cfg.FloatOpt('connect_timeout', default=_ACCESS.connect_timeout,
                 min=0.1,
                 help='Seconds to wait for an SSH connection to a node or '
                      'a guest.'),
    cfg.FloatOpt('command_timeout', default=_ACCESS.command_timeout,
                 min=1.0,
                 help='Seconds a command on a node or a guest may run.'),
    cfg.StrOpt('image_ref',
               help='Guest image (needs ping and an SSH server); default: '
                    '[compute] image_ref.'),
    cfg.StrOpt('flavor_ref',
               help='Guest flavor; default: [compute] flavor_ref.'),
    cfg.StrOpt('guest_user', default='root',
               help='User to log in to the guests as. Pings faster than '
                    'one per 2 ms need root in the guest.'),
    cfg.BoolOpt('config_drive', default=False,
                help='Give the guests a config drive, which carries their '
                     'SSH key, for clouds without a metadata service.'),
    cfg.IntOpt('guest_boot_timeout', default=300, min=10,
               help='Seconds to wait for a guest to answer over SSH.'),
    # Plain lists: check_options() parses them when the tests start.
    cfg.ListOpt('router_modes', default=['legacy', 'dvr'],
                help='Router modes to test: legacy (or centralized) and dvr '
                     '(or distributed), case-insensitive; tests of other '
                     'modes skip.'),
    cfg.ListOpt('categories', default=['all'],
                help='Placement categories to test (case-insensitive): "all", '
                     'or ids or thesis shorthands of the categories: %s; '
                     'others skip.' % ', '.join(
                         topology.valid_category_names())),
    cfg.ListOpt('client_cidrs', default=[],
                help='IPv4 CIDRs the guests see the tests\' SSH and pings '
                     'to floating IPs come from, when that is not this '
                     'machine\'s own address towards the external network '
                     '(e.g. a NAT in between). The guests\' security group '
                     'admits SSH and ICMP from the tenant subnets, the '
                     'external network\'s subnets, that address and these '
                     'CIDRs; from 0.0.0.0/0 only when this machine has no '
                     'route to the external network and none is set here.'),
    cfg.IntOpt('burst_packets', default=probe.BURST_PACKETS, min=100,
               help='Pings in a burst: it must dwarf the background '
                    'traffic of the nodes.'),
    cfg.IntOpt('burst_packet_size',
               default=probe.BURST_PACKET_SIZE, min=64, max=1400,
               help='Ping payload bytes: a distinctive size, below the '
                    'tenant MTU (1450 over VXLAN).'),
    cfg.FloatOpt('burst_interval', default=probe.BURST_INTERVAL, min=0.002,
                 help='Seconds between the pings of a burst.'),
    cfg.FloatOpt('noise_window', default=probe.NOISE_WINDOW, min=1.0,
                 help='Seconds of quiet before each burst in which the '
                      'background traffic of the nodes is measured.'),
    cfg.FloatOpt('noise_factor', default=probe.NOISE_FACTOR, min=1.0,
                 help='How many times the burst must exceed the background '
                      'noise of a counter; below that the verdict is '
                      'inconclusive and the test fails.'),
    cfg.StrOpt('network_node',
               help='Host name of the network node; default: the host of '
                    'the L3 agent (legacy or dvr_snat mode) hosting the '
                    'test router.'),
    cfg.StrOpt('public_network_id',
               help='External network for router gateways and floating '
                    'IPs; default: [network] public_network_id.'),
)]


def list_opts():
    """The options for oslo-config-generator (namespace tempest_netperf)."""
    return [(netperf_group, NetperfGroup)]


def node_access_settings(group) -> access.NodeAccessSettings:
    """Node access settings from the ``[netperf]`` options."""
    return access.NodeAccessSettings(
        method=group.node_access, user=group.node_user,
        key_file=group.node_key_file, port=group.node_port,
        sudo=group.node_sudo, jump_host=group.node_jump_host,
        address_map=dict(group.node_address_map or {}),
        connect_timeout=group.connect_timeout,
        command_timeout=group.command_timeout)


def selected_categories(group) -> list[topology.Category]:
    """The categories ``[netperf] categories`` enables."""
    with _option('categories', ', or "all"'):
        if any(str(name).strip().lower() == 'all'
               for name in group.categories):
            return list(topology.CATEGORIES)
        return topology.get_categories(group.categories)


def selected_router_modes(group) -> list[topology.RouterMode]:
    """The router modes ``[netperf] router_modes`` enables."""
    with _option('router_modes'):
        return list(dict.fromkeys(topology.parse_router_mode(m)
                                  for m in group.router_modes))


def client_cidrs(group) -> list[str]:
    """``[netperf] client_cidrs``, normalised (``198.18.0.7/32``)."""
    with _option('client_cidrs'):
        return topology.client_networks(group.client_cidrs)


def _typed_values(group) -> None:
    """Convert every option's value with its strict type."""
    problems = []
    for opt in NetperfGroup:
        value = getattr(group, opt.dest)
        if value is None:
            continue
        try:
            opt.type.strict(value)
        except ValueError as exc:
            problems.append('invalid [netperf] %s: %r is not a valid %s: %s'
                            % (opt.name, value, opt.type.type_name, exc))
    if problems:
        raise exceptions.InvalidInput('; '.join(problems))


def _jump_host(group) -> None:
    """``[netperf] node_jump_host`` is ``host[:port]``."""
    if group.node_jump_host:
        with _option('node_jump_host'):
            access.parse_host_port(group.node_jump_host)


def _node_user(group) -> None:
    """A user for ssh access.

    With the other options right, that is all NodeAccessSettings can
    still refuse.
    """
    with _option('node_user'):
        node_access_settings(group)


def check_options(group) -> None:
    """Raise one :class:`InvalidInput` naming each invalid option.

    No option's type makes oslo.config refuse a value (see
    :class:`_Checked`), so a bad value cannot break Tempest's
    configuration as a whole; the tests call this first and fail with
    its message instead.
    """
    problems = _problems(group, (_typed_values, _jump_host,
                                 selected_categories, selected_router_modes,
                                 client_cidrs))
    # _node_user reads the typed values: only once they are right.
    problems = problems or _problems(group, (_node_user,))
    if problems:
        raise exceptions.InvalidInput('; '.join(problems))


def _problems(group, checks) -> list[str]:
    problems = []
    for check in checks:
        try:
            check(group)
        except exceptions.InvalidInput as exc:
            problems.append(str(exc))
    return problems


@contextlib.contextmanager
def _option(name: str, note: str = '') -> Iterator[None]:
    """Name the ``[netperf]`` option in the core's InvalidInput."""
    try:
        yield
    except exceptions.InvalidInput as exc:
        raise exceptions.InvalidInput(
            'invalid [netperf] %s: %s%s' % (name, exc, note)) from None
