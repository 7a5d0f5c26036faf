"""Tests of the cloud facts behind the skips and the network node."""

import testtools

from openstack_netperf.hosts import cloud_facts
from openstack_netperf import topology

DVR = topology.RouterMode.DVR
LEGACY = topology.RouterMode.LEGACY


def service(host, state='up', status='enabled', zone='nova'):
    return {'binary': 'nova-compute', 'host': host, 'state': state,
            'status': status, 'zone': zone}


def agent(host, kind, mode=None, alive=True, admin_state_up=True):
    conf = {'agent_mode': mode} if mode else {}
    return {'host': host, 'agent_type': kind, 'alive': alive,
            'admin_state_up': admin_state_up, 'configurations': conf}


def dvr_cloud_agents(computes=('compute-01', 'compute-02')):
    """ML2/OVS with DVR: a dvr_snat network node and dvr computes."""
    agents = [agent('network', 'Open vSwitch agent'),
              agent('network', 'L3 agent', 'dvr_snat'),
              agent('network', 'DHCP agent')]
    for host in computes:
        agents += [agent(host, 'Open vSwitch agent'),
                   agent(host, 'L3 agent', 'dvr')]
    return agents


def facts(services=None, agents=None, extensions=('router', 'dvr')):
    return cloud_facts.CloudFacts.from_api(
        [service('compute-01'), service('compute-02')]
        if services is None else services,
        dvr_cloud_agents() if agents is None else agents,
        [{'alias': e} for e in extensions])


class CloudFactsTest(testtools.TestCase):

    def test_dvr_cloud_runs_everything(self):
        f = facts()
        self.assertEqual(['network'], f.central_nodes(DVR))
        self.assertEqual(['network'], f.central_nodes(LEGACY))
        self.assertEqual(['compute-01', 'compute-02'],
                         [c.host for c in f.usable_computes(DVR)])
        self.assertEqual('nova:compute-01', f.usable_computes(DVR)[0].hint)
        for mode in (DVR, LEGACY):
            self.assertIsNone(f.blocker(mode, 2))

    def test_down_disabled_and_dead_are_ignored(self):
        f = facts(services=[service('compute-01'),
                            service('compute-02', state='down'),
                            service('compute-03', status='disabled')],
                  agents=dvr_cloud_agents(('compute-01', 'compute-02',
                                           'compute-03'))
                  + [agent('old', 'L3 agent', 'dvr_snat', alive=False)])
        self.assertEqual(['compute-01'],
                         [c.host for c in f.usable_computes(LEGACY)])
        self.assertEqual(['network'], f.central_nodes(DVR))
        reason = f.blocker(LEGACY, 2)
        self.assertIn('needs 2 compute host(s)', reason)
        self.assertIn('found 1 (compute-01)', reason)
        self.assertIsNone(f.blocker(LEGACY, 1))

    def test_one_compute(self):
        f = facts(services=[service('compute-01')])
        self.assertIsNone(f.blocker(DVR, 1))
        self.assertIn('and an L3 agent in dvr mode', f.blocker(DVR, 2))

    def test_no_dvr_extension(self):
        f = facts(extensions=('router',))
        self.assertIn('no "dvr" extension', f.blocker('dvr', 1))
        self.assertIsNone(f.blocker('legacy', 1))

    def test_ovn_is_not_supported(self):
        ovn = [agent('network', 'OVN Controller Gateway agent'),
               agent('compute-01', 'OVN Controller agent'),
               agent('compute-01', 'OVN Metadata agent')]
        reason = facts(agents=ovn).blocker(LEGACY, 1)
        self.assertIn('no Open vSwitch agent is alive', reason)
        self.assertIn('OVN Controller agent', reason)

    def test_all_in_one_has_no_separate_compute(self):
        aio = [agent('aio', 'Open vSwitch agent'),
               agent('aio', 'L3 agent', 'legacy')]
        f = facts(services=[service('aio')], agents=aio)
        self.assertIn('apart from the network node(s) aio',
                      f.blocker(LEGACY, 1))
        self.assertIn('no L3 agent alive in dvr_snat mode',
                      f.blocker(DVR, 1))

    def test_legacy_computes_without_l3_agent(self):
        agents = [agent('network', 'Open vSwitch agent'),
                  agent('network', 'L3 agent', 'legacy'),
                  agent('compute-01', 'Open vSwitch agent')]
        f = facts(services=[service('compute-01')], agents=agents)
        self.assertIsNone(f.blocker(LEGACY, 1))
        self.assertEqual([], f.usable_computes(DVR))

    def test_hosting_network_nodes(self):
        hosting = [agent('network', 'L3 agent', 'dvr_snat'),
                   agent('compute-01', 'L3 agent', 'dvr'),
                   agent('net-2', 'L3 agent')]
        self.assertEqual(['network'],
                         cloud_facts.hosting_network_nodes(hosting, 'dvr'))
        self.assertEqual(['net-2', 'network'],
                         cloud_facts.hosting_network_nodes(hosting, 'legacy'))

    def test_pair_rule_counts_every_dvr_mode(self):
        agents = dvr_cloud_agents() + [
            agent('compute-03', 'L3 agent', 'dvr_no_external'),
            agent('compute-04', 'L3 agent', 'legacy')]
        f = facts(services=[service(h) for h in (
            'network', 'compute-01', 'compute-03', 'compute-04',
            'compute-05')], agents=agents)
        self.assertEqual(['compute-01', 'compute-03', 'network'],
                         [c.host for c in f.computes if c.routes(DVR)])
        self.assertTrue(all(c.routes(LEGACY) for c in f.computes))
        self.assertEqual('dvr_snat', f.computes[-1].l3_agent_mode)
        self.assertIsNone(f.computes[3].l3_agent_mode)

    def test_why_a_compute_is_not_path_checkable(self):
        f = facts(services=[service('network'), service('compute-01'),
                            service('compute-03')],
                  agents=dvr_cloud_agents() + [
                      agent('compute-03', 'L3 agent', 'dvr')])
        compute, no_ovs, network = f.computes
        self.assertEqual('it is a network node (L3 agent dvr_snat)',
                         f.not_path_checkable(network, DVR))
        self.assertEqual('no Open vSwitch agent',
                         f.not_path_checkable(no_ovs, DVR))
        self.assertIsNone(f.not_path_checkable(compute, DVR))
        self.assertIn('it is a network node',
                      f.not_path_checkable(compute, LEGACY, ['compute-01']))
        self.assertEqual(['compute-01'],
                         [c.host for c in f.usable_computes(DVR)])
