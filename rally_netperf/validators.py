"""Validators that reject bad NetPerf task input before anything boots.

``netperf_args`` and ``netperf_config`` need no cloud (Rally runs them
as syntax checks, next to its own ``args-spec`` and ``jsonschema``
checks); the others look at the cloud with the validation context's
credentials.  Every failure says what to change, once: a value of the
wrong type or out of its declared range is left to Rally's own check,
which names the argument, so these checks only judge values that passed
it.
"""

from __future__ import annotations

from typing import Any

import jsonschema
from rally.common import validation

from openstack_netperf import exceptions
from openstack_netperf import pair
from openstack_netperf import topology
from rally_netperf.contexts import compute_hosts
from rally_netperf.contexts import reference_network
from rally_netperf import image_flavor

COMPUTE_CONTEXT = compute_hosts.NAME
TOPOLOGY_CONTEXT = 'netperf_topology'
JUMP_HOST_KEYS = ('host', 'username', 'port', 'key_filename', 'private_key',
                  'password')


def categories_from_args(args: dict[str, Any]) -> list[topology.Category]:
    """The categories a workload asks for (``category`` or ``categories``).

    :raises InvalidInput: naming the unknown value and the valid ones.
    """
    if 'category' in args:
        return [topology.get_category(args['category'])]
    return topology.get_categories(args.get('categories'))


def _context_config(config: dict[str, Any] | None, name: str) -> Any:
    contexts = (config or {}).get('contexts', {})
    for key, value in contexts.items():
        if key.split('@')[0] == name:
            return value
    return None


def conforms(value: Any, schema: dict[str, Any]) -> bool:
    """Whether ``value`` passes ``schema`` as Rally checks it (Draft 7)."""
    cls = jsonschema.validators.validator_for(
        schema, default=jsonschema.Draft7Validator)
    return cls(schema).is_valid(value)


@validation.configure(name='netperf_args')
class NetperfArgsValidator(validation.Validator):
    """Categories, durations, counts and SSH access make sense.

    Judges only arguments that pass the scenario's ``run()`` signature
    (Rally's ``args-spec`` check, run in the same pass, names any that do
    not), so a wrong type gives one error, not a second one or a
    traceback from here.
    """

    def validate(self, context, config, plugin_cls, plugin_cfg):
        args = (config or {}).get('args', {})
        if not conforms(args, plugin_cls.get_info()['schema']):
            return
        try:
            categories_from_args(args)
        except exceptions.InvalidInput as exc:
            self.fail('%s: %s' % (
                'category' if 'category' in args else 'categories', exc))
        try:
            pair.Settings.from_args(args)
        except exceptions.InvalidInput as exc:
            self.fail(str(exc))
        jump = args.get('jump_host')
        if jump:
            missing = [k for k in ('host', 'username') if not jump.get(k)]
            unknown = sorted(set(jump) - set(JUMP_HOST_KEYS))
            if missing or unknown:
                self.fail('jump_host needs host and username%s%s; it accepts '
                          '%s' % (
                              ' (missing: %s)' % ', '.join(missing)
                              if missing else '',
                              ' (unknown: %s)' % ', '.join(unknown)
                              if unknown else '',
                              ', '.join(JUMP_HOST_KEYS)))
        port = args.get('port', pair.Settings.port)
        topo = reference_network.ReferenceTopology
        ports = topo.DEFAULT_CONFIG['iperf3_ports']
        topo_cfg = _context_config(config, TOPOLOGY_CONTEXT) or {}
        # A bad context config is the jsonschema check's to report.
        if conforms(topo_cfg, topo.CONFIG_SCHEMA):
            ports = topo_cfg.get('iperf3_ports', ports)
        if not ports[0] <= port <= ports[1]:
            self.fail('port %d is not admitted by the security group, which '
                      'opens iperf3_ports %d-%d: set port within them, or '
                      'set iperf3_ports of the netperf_topology context'
                      % (port, ports[0], ports[1]))
        if not args.get('use_floating_ip', True) and not jump:
            self.fail('use_floating_ip is false and no jump_host is given: '
                      'the guests cannot be reached over SSH. Set '
                      'use_floating_ip to true or give jump_host '
                      '{host: ..., username: ...}')


@validation.configure(name='netperf_config')
class NetperfConfigValidator(validation.Validator):
    """What a plugin's CONFIG_SCHEMA cannot say: its ``check_config()``.

    Runs only on a configuration the schema accepts; Rally's
    ``jsonschema`` check, run in the same pass, reports the others.
    """

    def validate(self, context, config, plugin_cls, plugin_cfg):
        if not conforms(plugin_cfg, plugin_cls.CONFIG_SCHEMA):
            return
        try:
            plugin_cls.check_config(plugin_cfg)
        except exceptions.InvalidInput as exc:
            self.fail(str(exc))


@validation.add('required_platform', platform='openstack', users=True)
@validation.configure(name='netperf_admin', platform='openstack')
class NetperfAdminValidator(validation.Validator):
    """Admin credentials are present."""

    def validate(self, context, config, plugin_cls, plugin_cfg):
        if not context.get('admin'):
            self.fail(
                '%s needs admin credentials: pinning servers to hosts '
                '("zone:host" hints), reading compute services and L3 '
                'agents, and setting a router\'s "distributed" flag are '
                'admin-only. Create the Rally environment with an admin '
                'user (e.g. "rally env create --from-sysenv" with admin '
                'OS_* variables)' % plugin_cls.get_name())


@validation.add('required_platform', platform='openstack', users=True)
@validation.configure(name='netperf_image_and_flavor', platform='openstack')
class NetperfImageFlavorValidator(validation.Validator):
    """The image and the flavor named in the arguments exist."""

    def validate(self, context, config, plugin_cls, plugin_cfg):
        args = (config or {}).get('args', {})
        clients = context['users'][0]['credential'].clients()
        try:
            image_flavor.find_image(clients.glance(), args['image'])
            image_flavor.find_flavor(clients.nova(), args['flavor'])
        except exceptions.InvalidInput as exc:
            self.fail(str(exc))


@validation.add('required_platform', platform='openstack', users=True)
@validation.configure(name='netperf_enough_computes', platform='openstack')
class NetperfComputesValidator(validation.Validator):
    """Enough compute hosts for the categories, with DVR agents for DVR.

    Without admin credentials it checks nothing: ``netperf_admin`` says so.
    """

    def validate(self, context, config, plugin_cls, plugin_cfg):
        if not context.get('admin'):
            return
        args = (config or {}).get('args', {})
        ctx = _context_config(config, COMPUTE_CONTEXT) or {}
        topo = _context_config(config, TOPOLOGY_CONTEXT) or {}
        clients = context['admin']['credential'].clients()
        try:
            hosts = compute_hosts.select(
                compute_hosts.discover(clients.nova(), clients.neutron()),
                ctx.get('hosts', ()), ctx.get('availability_zone'))
            compute_hosts.check_enough_computes(categories_from_args(args),
                                                hosts)
            compute_hosts.check_dvr_agents(topology.parse_router_mode(
                topo.get('router_mode', reference_network.ReferenceTopology
                         .DEFAULT_CONFIG['router_mode'])), hosts[:2])
        except exceptions.InvalidInput as exc:
            self.fail(str(exc))
