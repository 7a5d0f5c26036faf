"""Wrong values of every task argument and option: one clear error each.

For every argument of both NetPerf scenarios' ``run()``, every property
of the ``netperf_*`` contexts' CONFIG_SCHEMA, every ``netperf_*`` SLA and
every ``[netperf]`` Tempest option, values of the wrong type, out of
range or not what the value means are generated from the declaration
itself and fed through the validation a user meets: Rally's own
``Plugin.validate()`` (its ``args-spec`` and ``jsonschema`` checks next
to the project's validators) and Tempest's configuration file loading
followed by ``check_options()``.  Each must give exactly one error that
names the argument or option, and no traceback.
"""

from __future__ import annotations

import logging
import os
import tempfile
from typing import Any, Iterator

import jsonschema
from oslo_config import cfg
from rally import plugins
from rally.task import context as rally_context
from rally.task import scenario
from rally.task import sla as rally_sla
import testtools

from openstack_netperf import exceptions
from rally_netperf.contexts import compute_hosts
from rally_netperf.contexts import node_access
from rally_netperf.contexts import reference_network
from rally_netperf.scenarios import netperf
from rally_netperf import sla
from tempest_netperf import config as netperf_config
from tempest_netperf import plugin
from tests.unit.tempest import base

plugins.load()

SCENARIOS = (netperf.MeasurePair, netperf.MeasureReferenceTopology)
CONTEXTS = (compute_hosts.ComputeHosts, node_access.NodeAccessContext,
            reference_network.ReferenceTopology)
SLAS = (sla.MinThroughput, sla.MaxLatency, sla.MaxLoss, sla.ExpectedPath)
REQUIRED = {'image': 'netperf-guest', 'flavor': 'netperf.tiny'}
NODE_ACCESS_REQUIRED = {'method': 'ssh'}

# Values of the right type that mean nothing: the schema cannot say so,
# the project's own checks must (and name the argument).
MEANINGLESS_ARGS = {
    'category': ['HXR'],
    'categories': [['HNR', 'nope']],
    'udp_bandwidth': ['fast', '-1M'],
    'jump_host': [{'host': 'bastion'}, {'host': 'b', 'username': 'u',
                                        'user': 'root'}],
    'port': [5301],
    # Less than two runs of the default warmup_run (5 s) to compare.
    'warmup': [1, 9],
}
MEANINGLESS_CONFIG = {
    ('netperf_topology', 'client_cidrs'): [
        ['not-a-cidr'], ['fd00::/64'], ['198.18.0.0/33']],
    ('netperf_topology', 'dns_nameservers'): [['resolver']],
    ('netperf_topology', 'iperf3_ports'): [[5300, 5200]],
    ('netperf_node_access', 'jump_host'): ['bastion:ssh', '[fd00::1'],
    ('netperf_node_access', 'key_file'): ['/nonexistent/netperf-key'],
}


def _wrong_for_type(schema: dict[str, Any]) -> Iterator[Any]:
    """Values of other JSON types, and just outside the declared bounds."""
    yield from ('fifty', '3', None, True, 1.5, [], {'a': 1}, 0)
    for key, step in (('minimum', -1), ('exclusiveMinimum', 0),
                      ('maximum', 1), ('exclusiveMaximum', 0)):
        if key in schema:
            yield schema[key] + step
    if 'enum' in schema:
        yield 'bogus'
    item = schema.get('items')
    if isinstance(item, dict):
        yield from ([value] for value in _wrong_for_type(item))
    if 'minItems' in schema:
        yield [1] * (schema['minItems'] - 1)
    if 'maxItems' in schema:
        yield [1] * (schema['maxItems'] + 1)
    for name, sub in schema.get('properties', {}).items():
        yield from ({name: value} for value in _wrong_for_type(sub))
    additional = schema.get('additionalProperties')
    if isinstance(additional, dict):
        yield from ({'x': value} for value in _wrong_for_type(additional))


def wrong_values(schema: dict[str, Any]) -> list[Any]:
    """The generated values that ``schema`` really refuses."""
    refused = []
    for value in _wrong_for_type(schema):
        if value not in refused and not jsonschema.Draft7Validator(
                schema).is_valid(value):
            refused.append(value)
    return refused


class _OneClearError:

    def assert_one_clear_error(self, what: str, errors: list[str],
                               *names: str):
        """One error for ``what``, naming ``names``, with no traceback."""
        self.assertEqual(1, len(errors), '%s: %s' % (what, errors))
        self.assertNotIn('Traceback', errors[0], what)
        for name in names:
            self.assertIn(name, errors[0], what)


class RallyArgumentsTest(testtools.TestCase, _OneClearError):

    def _errors(self, cls, **args) -> list[str]:
        workload = {'name': cls.get_name(), 'contexts': {},
                    'args': dict(REQUIRED, **args)}
        return scenario.Scenario.validate(
            name=workload['name'], context=None, config=workload,
            plugin_cfg=None, vtype='syntax')

    def test_every_run_argument(self):
        for cls in SCENARIOS:
            schema = cls.get_info()['schema']['properties']
            self.assertEqual([], self._errors(cls))
            for name, prop in schema.items():
                values = wrong_values(prop) + MEANINGLESS_ARGS.get(name, [])
                self.assertGreater(len(values), 2, name)
                for value in values:
                    self.assert_one_clear_error(
                        '%s %s=%r' % (cls.get_name(), name, value),
                        self._errors(cls, **{name: value}), name)

    def test_settings_relations_name_both_arguments(self):
        for args in ({'duration': 10, 'omit': 10},
                     {'ping_count': 5, 'ping_discard': 5},
                     {'warmup': 20, 'warmup_run': 15}):
            self.assert_one_clear_error(
                repr(args), self._errors(netperf.MeasurePair, **args),
                *args)

    def test_topology_ports_of_a_bad_topology_config(self):
        # The scenario's port check reads the context's iperf3_ports: a
        # bad context config is the context's error, not a traceback here.
        for ports in ('5201', [5201], ['a', 'b']):
            workload = {'name': netperf.MeasurePair.get_name(),
                        'args': dict(REQUIRED),
                        'contexts': {'netperf_topology': {
                            'iperf3_ports': ports}}}
            self.assertEqual([], scenario.Scenario.validate(
                name=workload['name'], context=None, config=workload,
                plugin_cfg=None, vtype='syntax'))


class RallyConfigTest(testtools.TestCase, _OneClearError):

    def _validate(self, base_cls, cls, config) -> list[str]:
        return base_cls.validate(name=cls.get_name(), context=None,
                                 config=None, plugin_cfg=config,
                                 vtype='syntax')

    def test_every_context_property(self):
        for cls in CONTEXTS:
            required = (NODE_ACCESS_REQUIRED
                        if cls is node_access.NodeAccessContext else {})
            self.assertEqual([], self._validate(rally_context.Context, cls,
                                                dict(required)))
            for name, prop in cls.CONFIG_SCHEMA['properties'].items():
                values = wrong_values(prop) + MEANINGLESS_CONFIG.get(
                    (cls.get_name(), name), [])
                self.assertGreater(len(values), 2, name)
                for value in values:
                    self.assert_one_clear_error(
                        '%s %s=%r' % (cls.get_name(), name, value),
                        self._validate(rally_context.Context, cls,
                                       dict(required, **{name: value})),
                        cls.get_name(), name)

    def test_every_sla(self):
        for cls in SLAS:
            values = wrong_values(cls.CONFIG_SCHEMA)
            self.assertGreater(len(values), 2, cls.get_name())
            for value in values:
                self.assert_one_clear_error(
                    '%s %r' % (cls.get_name(), value),
                    self._validate(rally_sla.SLA, cls, value),
                    cls.get_name())

    def test_loss_is_a_percentage(self):
        for value in (150, {'HNR': 100.5}, -1):
            self.assert_one_clear_error(
                repr(value), self._validate(rally_sla.SLA, sla.MaxLoss,
                                            value), 'netperf_max_loss')
        self.assertEqual([], self._validate(rally_sla.SLA, sla.MaxLoss,
                                            {'default': 100, 'HNR': 0}))


# Options any string suits: nothing to refuse until the cloud is asked;
# node_user only when it is empty for ssh access (a test of its own).
FREE_STRINGS = {'node_key_file', 'image_ref', 'flavor_ref', 'guest_user',
                'network_node', 'public_network_id', 'node_user'}
# As written in tempest.conf.
WRONG_OPTIONS = {
    'categories': ['bogus', 'HNR, nope'],
    'router_modes': ['foo', 'dvr, ha'],
    'client_cidrs': ['nope', 'fd00::/64', '198.18.0.0/33'],
    'node_jump_host': ['bastion:ssh', '[fd00::1'],
    'node_address_map': ['compute-01', 'a:b,c'],
}


def _wrong_options(opt: cfg.Opt) -> list[str]:
    """tempest.conf values the option's strict type refuses."""
    strict = opt.type.strict
    values = list(WRONG_OPTIONS.get(opt.name, []))
    values += ['fifty', 'maybe', '1.5', '-1', '70000', '0']
    for bound, step in (('min', -1), ('max', 1)):
        if getattr(strict, bound, None) is not None:
            values.append(str(getattr(strict, bound) + step))
    if getattr(strict, 'choices', None):
        values.append('telnet')
    refused = []
    for value in dict.fromkeys(values):
        try:
            strict(value)
        except ValueError:
            refused.append(value)
        else:
            if opt.name in WRONG_OPTIONS and value in WRONG_OPTIONS[
                    opt.name]:
                refused.append(value)
    return refused


class TempestOptionsTest(base.TempestConfigTestCase):

    def _check(self, text: str) -> exceptions.InvalidInput | None:
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, 'tempest.conf')
            with open(path, 'w') as f:
                f.write('[netperf]\n%s\n' % text)
            conf = cfg.ConfigOpts()
            plugin.NetperfTempestPlugin().register_opts(conf)
            conf([], default_config_files=[path])
            # What Tempest does first: it must not fail on a bad value.
            conf.log_opt_values(logging.getLogger(__name__), logging.DEBUG)
            try:
                netperf_config.check_options(conf.netperf)
            except exceptions.InvalidInput as exc:
                return exc
        return None

    def test_every_option(self):
        self.assertIsNone(self._check(''))
        for opt in netperf_config.NetperfGroup:
            values = _wrong_options(opt)
            if opt.name in FREE_STRINGS:
                self.assertEqual([], values, opt.name)
                continue
            self.assertGreater(len(values), 0, opt.name)
            for value in values:
                exc = self._check('%s = %s' % (opt.name, value))
                self.assertIsNotNone(exc, '%s = %s' % (opt.name, value))
                message = str(exc)
                self.assertTrue(message.startswith(
                    'invalid [netperf] %s: ' % opt.name), message)
                self.assertEqual(1, message.count('invalid [netperf]'),
                                 message)

    def test_node_user_for_ssh(self):
        exc = self._check('node_access = ssh\nnode_user =')
        self.assertEqual('invalid [netperf] node_user: Node access over SSH '
                         'needs a user name', str(exc))

    def test_every_bad_option_at_once(self):
        opts = [o for o in netperf_config.NetperfGroup
                if o.name not in FREE_STRINGS]
        lines = ['%s = %s' % (o.name, _wrong_options(o)[0]) for o in opts]
        message = str(self._check('\n'.join(lines)))
        for opt in opts:
            self.assertIn('invalid [netperf] %s: ' % opt.name, message)
