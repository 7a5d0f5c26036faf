"""Rally and Tempest read the same cloud into the same facts and answers.

Each plugin has its own client library (novaclient/neutronclient objects
for Rally, tempest.lib's dicts for Tempest); both convert at their edge
and build one :class:`openstack_netperf.hosts.cloud_facts.CloudFacts`.
"""

from __future__ import annotations

from rally_netperf.contexts import compute_hosts
from tempest_netperf.tests.scenario import base as tempest_base
from tests.unit.hosts import test_cloud_facts as cloud
from tests.unit.tempest import base
from tests.unit.tempest import test_skips

DVR = cloud.DVR
LEGACY = cloud.LEGACY


class NovaService:
    """A novaclient ``Service``: attributes plus ``to_dict()``."""

    def __init__(self, info: dict):
        self._info = dict(info)
        for key, value in info.items():
            setattr(self, key, value)

    def to_dict(self) -> dict:
        return dict(self._info)


class RallyNova:
    def __init__(self, services: list[dict]):
        self.services = self
        self._services = services

    def list(self, binary=None):
        return [NovaService(s) for s in self._services
                if binary in (None, s['binary'])]


class RallyNeutron:
    def __init__(self, agents: list[dict], extensions: list[str]):
        self.agents = agents
        self.extensions = [{'alias': e} for e in extensions]

    def list_agents(self):
        return {'agents': self.agents}

    def list_extensions(self):
        return {'extensions': self.extensions}


# An all-in-one DVR cloud: one node, compute and dvr_snat network node.
ALL_IN_ONE = ([cloud.service('aio')],
              [cloud.agent('aio', 'Open vSwitch agent'),
               cloud.agent('aio', 'L3 agent', 'dvr_snat')])
# Three nodes: a dvr_snat network node (also a nova-compute, named to sort
# first) and two dvr computes.
THREE_NODES = ([cloud.service('a-network'), cloud.service('compute-01'),
                cloud.service('compute-02', state='down'),
                cloud.service('compute-03')],
               [cloud.agent('a-network', 'Open vSwitch agent'),
                cloud.agent('a-network', 'L3 agent', 'dvr_snat'),
                cloud.agent('compute-01', 'Open vSwitch agent'),
                cloud.agent('compute-01', 'L3 agent', 'dvr'),
                cloud.agent('compute-03', 'Open vSwitch agent'),
                cloud.agent('compute-03', 'L3 agent', 'dvr_no_external',
                            admin_state_up=False)])


class AdaptersTest(base.TempestConfigTestCase):

    def setUp(self):
        super().setUp()
        self.set_netperf(node_access='ssh', public_network_id='ext')

    def both(self, services, agents, extensions=('router', 'dvr')):
        """The facts as Rally's adapter and as Tempest's adapter read them."""
        rally = compute_hosts.discover(
            RallyNova(services), RallyNeutron(agents, list(extensions)))
        clients = test_skips.FakeAdminClients(services, agents, extensions)

        class Case(tempest_base.NetperfScenarioTest):
            services_client = agents_client = extensions_client = clients

        Case.discover_cloud()
        self.addCleanup(Case.nodes.close)
        return rally, Case.facts

    def test_same_facts_and_answers(self):
        # The last cloud has no agent at all (e.g. not yet reporting).
        for services, agents in (ALL_IN_ONE, THREE_NODES,
                                 ([cloud.service('c1')], [])):
            rally, tempest = self.both(services, agents)
            self.assertEqual(rally, tempest)
            for mode in (LEGACY, DVR):
                self.assertEqual(rally.usable_computes(mode),
                                 tempest.usable_computes(mode))
                self.assertEqual(rally.blocker(mode, 1),
                                 tempest.blocker(mode, 1))

    def test_all_in_one_dvr_measures_but_checks_no_path(self):
        rally, tempest = self.both(*ALL_IN_ONE)
        # Usable for a pair in both plugins: Rally's DVR check passes...
        hosts = compute_hosts.select(rally)
        compute_hosts.check_dvr_agents(DVR, hosts)
        self.assertEqual(['aio'], [c.host for c in tempest.computes
                                   if c.routes(DVR)])
        # ...and path-checkable in neither.
        self.assertEqual('it is a network node (L3 agent dvr_snat)',
                         rally.not_path_checkable(hosts[0], DVR))
        self.assertIn('apart from the network node(s) aio',
                      tempest.blocker(DVR, 1))

    def test_three_nodes(self):
        rally, _tempest = self.both(*THREE_NODES)
        self.assertEqual(['a-network', 'compute-01', 'compute-03'],
                         [c.host for c in rally.computes
                          if c.routes(LEGACY)])
        # compute-03's L3 agent is admin-down: no DVR there.
        self.assertEqual(['a-network', 'compute-01'],
                         [c.host for c in rally.computes if c.routes(DVR)])
        self.assertEqual(['compute-01'],
                         [c.host for c in rally.usable_computes(DVR)])
