"""The scenarios record a cloud fingerprint that never fails them."""

from __future__ import annotations

from rally.common.plugin import plugin
import testtools

from openstack_netperf import exceptions
from openstack_netperf import fingerprint
from rally_netperf import charts
from rally_netperf import records
from rally_netperf.scenarios import netperf
from tests.unit.rally import test_scenarios

UNKNOWN = fingerprint.UNKNOWN


class ScenarioFingerprintTest(test_scenarios.ScenarioTestCase):

    def _facts(self, prepare=None):
        scenario = self._scenario(netperf.MeasurePair)
        if prepare is not None:
            prepare(scenario)
        scenario.run(image='netperf-guest', flavor='netperf.tiny',
                     category='HNR', **test_scenarios.FAST)
        self.assertIn('netperf.fingerprint', self._atomics(scenario))
        facts = records.decode_fingerprint(scenario._output)
        self.assertIsNotNone(facts)
        return facts

    def test_facts_of_the_fake_cloud(self):
        facts = self._facts()
        expected = {
            'neutron.mechanism': 'openvswitch',
            'neutron.extensions': 'dvr, router',
            'neutron.agent_types': 'L3 agent, Open vSwitch agent',
            'l3_agent.network.mode': 'dvr_snat',
            'l3_agent.compute-01.mode': 'dvr',
            'nova.max_microversion': '2.96',
            'network.type': 'vxlan', 'network.mtu': '1450',
            'image.name': 'netperf-guest', 'image.checksum': 'c0ffee00',
            'guest.nic_model': fingerprint.ABSENT_VIF_MODEL,
            'flavor.name': 'netperf.tiny', 'flavor.ram_mb': '256',
            'guest.iperf3': '3.12',
            'settings.duration': '2', 'settings.rounds': '3',
        }
        self.assertEqual(expected,
                         {k: facts[k] for k in expected})
        # No node access: the nodes are named, their facts unknown.
        for host in ('network', 'compute-01', 'compute-02'):
            for name in fingerprint.NODE_FACTS:
                self.assertEqual(UNKNOWN,
                                 facts['node.%s.%s' % (host, name)])
        self.assertEqual(UNKNOWN, facts['tunnel.udp_port'])

    def test_without_admin_admin_facts_are_unknown(self):
        def no_admin(scenario):
            del scenario._admin_clients

        facts = self._facts(no_admin)
        for name in ('neutron.mechanism', 'neutron.agent_types',
                     'network.type'):
            self.assertEqual(UNKNOWN, facts[name], name)
        self.assertFalse([k for k in facts if k.startswith('l3_agent.')])
        # What a user reads is still there.
        self.assertEqual('1450', facts['network.mtu'])
        self.assertEqual('dvr, router', facts['neutron.extensions'])

    def test_api_errors_leave_facts_unknown(self):
        def broken(scenario):
            self.cloud.neutron.fail_on = 'list_agents'

            def refused():
                raise RuntimeError('403 Forbidden')

            self.cloud.nova.versions.get_current = refused
            self.cloud.glance.images.get = lambda image_id: 1 / 0

        facts = self._facts(broken)
        for name in ('neutron.mechanism', 'nova.max_microversion',
                     'image.name', 'image.checksum', 'guest.nic_model'):
            self.assertEqual(UNKNOWN, facts[name], name)
        self.assertEqual('vxlan', facts['network.type'])

    def test_nova_refusing_its_versions_is_unknown(self):
        def refuses(scenario):
            self.cloud.nova.versions.get_current = lambda: None

        self.assertEqual(UNKNOWN,
                         self._facts(refuses)['nova.max_microversion'])


class RecordTest(testtools.TestCase):

    FACTS = {'network.mtu': '1450', 'node.c1.kernel': UNKNOWN}

    def test_round_trip_and_rendering(self):
        output = {'complete': [records.encode_fingerprint(self.FACTS)]}
        self.assertEqual(self.FACTS, records.decode_fingerprint(output))
        item = dict(output['complete'][0], widget='Table')
        chart_cls = plugin.Plugin.get(item['chart_plugin'])
        self.assertIs(charts.FingerprintTable, chart_cls)
        rendered = chart_cls.render_complete_data(item)
        self.assertEqual(records.FINGERPRINT_TITLE, rendered['title'])
        self.assertEqual(
            [['network.mtu', '1450'], ['node.c1.kernel', UNKNOWN]],
            rendered['data']['rows'])

    def test_absent_is_none(self):
        self.assertIsNone(records.decode_fingerprint({'complete': []}))

    def test_bad_records_say_where(self):
        good = records.encode_fingerprint(self.FACTS)
        for data, where in (
                (None, 'output.complete[0].data: expected an object'),
                ({'cols': ['what', 'value'], 'rows': []},
                 'output.complete[0].data.cols: expected the fields'),
                (dict(good['data'], rows=[['a']]),
                 'output.complete[0].data.rows[0]: expected [fact, value]'),
                (dict(good['data'], rows=[['a', 1450]]),
                 'output.complete[0].data.rows[0][1]: expected a string')):
            exc = self.assertRaises(
                exceptions.InvalidInput, records.decode_fingerprint,
                {'complete': [dict(good, data=data)]})
            self.assertIn(where, str(exc))
