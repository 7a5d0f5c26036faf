"""Validation rejects each user mistake with a message saying what to do."""

from __future__ import annotations

import dataclasses
import inspect

from rally import plugins
from rally.task import scenario
import testtools

from openstack_netperf import pair
from rally_netperf.scenarios import netperf
from tests.unit.rally import fakes

plugins.load()

PAIR = 'NetPerf.measure_pair'
REFERENCE = 'NetPerf.measure_reference_topology'


def _workload(name=PAIR, contexts=None, **args):
    base = {'image': 'netperf-guest', 'flavor': 'netperf.tiny'}
    base.update(args)
    return {'name': name, 'args': base, 'contexts': contexts or {}}


def _errors(workload, vtype='syntax', cloud=None, admin=True):
    context = None
    if vtype == 'semantic':
        cloud = cloud or fakes.FakeCloud()
        context = cloud.context()
        if not admin:
            del context['admin']
    return scenario.Scenario.validate(
        name=workload['name'], context=context, config=workload,
        plugin_cfg=None, vtype=vtype)


class SyntaxTest(testtools.TestCase):

    def test_valid_defaults(self):
        self.assertEqual([], _errors(_workload()))
        self.assertEqual([], _errors(_workload(
            REFERENCE, categories=['HNR', 'inter_node_inter_router'])))

    def test_scenario_defaults_are_the_cores(self):
        for cls in (netperf.MeasurePair, netperf.MeasureReferenceTopology):
            params = inspect.signature(cls.run).parameters
            for field in dataclasses.fields(pair.Settings):
                self.assertEqual(field.default, params[field.name].default,
                                 '%s.run %s' % (cls.__name__, field.name))
            schema = cls.get_info()['schema']['properties']
            self.assertEqual({'type': 'integer', 'minimum': 1, 'default': 50,
                              'description': 'iperf3 seconds measured after '
                              'the warm-up'},
                             dict(schema['duration'], description=schema[
                                 'duration']['description'].strip()))

    def test_unknown_category_lists_valid_values(self):
        errors = _errors(_workload(category='HXR'))
        self.assertEqual(1, len(errors))
        self.assertIn("Unknown placement category 'HXR'", errors[0])
        self.assertIn('-H-N-R', errors[0])
        errors = _errors(_workload(REFERENCE, categories=['HNR', 'nope']))
        self.assertIn("'nope'", errors[0])

    def test_boot_choice(self):
        self.assertEqual([], _errors(_workload(REFERENCE, boot='needed')))
        errors = _errors(_workload(REFERENCE, boot='some'))
        self.assertIn("'some' is not one of ['all', 'needed']", errors[0])

    def test_duration_not_above_omit(self):
        errors = _errors(_workload(duration=10, omit=10))
        self.assertIn('raise duration or lower omit', errors[0])

    def test_ping_discard_not_below_count(self):
        errors = _errors(_workload(ping_count=10, ping_discard=10))
        self.assertIn('raise ping_count or lower ping_discard', errors[0])

    def test_unknown_argument(self):
        errors = _errors(_workload(durration=5))
        self.assertIn("Unexpected argument(s) found ['durration']",
                      errors[0])

    def test_no_way_to_reach_guests(self):
        errors = _errors(_workload(use_floating_ip=False))
        self.assertIn('Set use_floating_ip to true or give jump_host',
                      errors[0])

    def test_port_must_be_admitted_by_the_security_group(self):
        errors = _errors(_workload(port=5301))
        self.assertIn('port 5301 is not admitted by the security group, '
                      'which opens iperf3_ports 5201-5201', errors[0])
        self.assertEqual([], _errors(_workload(port=5301, contexts={
            'netperf_topology': {'iperf3_ports': [5300, 5310]}})))

    def test_jump_host_shape(self):
        errors = _errors(_workload(use_floating_ip=False,
                                   jump_host={'host': 'bastion',
                                              'user': 'root'}))
        self.assertIn('missing: username', errors[0])
        self.assertIn('unknown: user', errors[0])


class SemanticTest(testtools.TestCase):

    def test_valid_against_cloud(self):
        self.assertEqual([], _errors(_workload(), 'semantic'))

    def test_missing_admin(self):
        errors = _errors(_workload(), 'semantic', admin=False)
        self.assertEqual(1, len(errors))
        self.assertIn('needs admin credentials', errors[0])
        self.assertIn('rally env create', errors[0])

    def test_missing_image(self):
        errors = _errors(_workload(image='cirros'), 'semantic')
        self.assertIn("Image 'cirros' not found in Glance", errors[0])
        self.assertIn('netperf-image upload', errors[0])

    def test_missing_flavor(self):
        errors = _errors(_workload(flavor='m1.huge'), 'semantic')
        self.assertIn("Flavor 'm1.huge' not found", errors[0])
        self.assertIn('netperf.tiny', errors[0])

    def test_one_compute_for_inter_node_category(self):
        cloud = fakes.FakeCloud(computes=('compute-01',))
        self.assertEqual([], _errors(_workload(category='HNR'),
                                     'semantic', cloud))
        errors = _errors(_workload(REFERENCE), 'semantic', cloud)
        self.assertIn('Categories -HNR, -H-NR, -H-N-R need 2 compute hosts '
                      'but 1 enabled and up (compute-01): drop them',
                      errors[0])

    def test_dvr_mode_needs_dvr_agents(self):
        cloud = fakes.FakeCloud()
        cloud.neutron.agents[1]['alive'] = False
        errors = _errors(_workload(contexts={
            'netperf_topology': {'router_mode': 'dvr'}}), 'semantic', cloud)
        self.assertIn('compute hosts compute-01 (no L3 agent) run no L3 '
                      'agent in a dvr mode', errors[0])
        self.assertEqual([], _errors(_workload(contexts={
            'netperf_topology': {'router_mode': 'legacy'}}), 'semantic',
            cloud))

    def test_pinned_hosts_checked(self):
        errors = _errors(_workload(contexts={
            'netperf_compute_hosts': {'hosts': ['compute-09']}}),
            'semantic')
        self.assertIn('compute-09 are not enabled and up', errors[0])

    def test_unknown_zone_named_with_the_zones_that_exist(self):
        errors = _errors(_workload(contexts={
            'netperf_compute_hosts': {'availability_zone': 'az9'}}),
            'semantic')
        self.assertEqual(1, len(errors))
        self.assertIn("Availability zone 'az9' has no enabled, up compute "
                      "host; zones with one: nova. Fix \"availability_zone\" "
                      "of the netperf_compute_hosts context", errors[0])
        self.assertNotIn('need 2 compute hosts', errors[0])
