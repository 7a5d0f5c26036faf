"""Context that gives the scenarios access to the cloud's nodes.

With it, every measured flow also gets a path verdict: counters on the
network node(s) and the computes are read around known traffic
(:mod:`openstack_netperf.hosts.probe`) and judged against the
expected-path table.  That traffic is the category's own measured flow,
or with ``path_method: burst`` a ping burst sent after the measurement.
Without it the scenarios measure as before and say once per iteration
that no path was checked.
"""

from __future__ import annotations

import os
from typing import Any

from rally.common import validation
from rally import consts
from rally_openstack.task import context

from openstack_netperf import exceptions
from openstack_netperf.hosts import access
from openstack_netperf.hosts import cloud_facts
from openstack_netperf.hosts import verdict
from openstack_netperf import topology
from rally_netperf import paths


@validation.add('netperf_config')
@context.configure(name='netperf_node_access', order=125)
class NodeAccessContext(context.OpenStackContext):
    """How to log in to the network node(s) and the computes.

    Checks at setup that every node a path check reads (the computes of
    ``netperf_compute_hosts`` and the network nodes) answers a command,
    so a wrong key or address fails the task before any VM boots.
    Scenarios read ``context["netperf_node_access"]``.
    """

    CONFIG_SCHEMA = {
        'type': 'object',
        '$schema': consts.JSON_SCHEMA,
        'properties': {
            'method': {'description': 'ssh, or local when Rally runs on '
                                      'an all-in-one node',
                       'enum': ['ssh', 'local']},
            'user': {'type': 'string', 'minLength': 1},
            'key_file': {'type': 'string', 'minLength': 1},
            'port': {'type': 'integer', 'minimum': 1, 'maximum': 65535},
            'sudo': {'description': 'Run node commands with sudo -n',
                     'type': 'boolean'},
            'jump_host': {'description': 'host[:port] that reaches the '
                                         'nodes (same user and key)',
                          'type': 'string', 'minLength': 1},
            'address_map': {
                'description': 'Host name as Nova/Neutron report it -> '
                               'address to log in at',
                'type': 'object',
                'additionalProperties': {'type': 'string', 'minLength': 1},
            },
            'network_nodes': {
                'description': 'Network node host names; default: the '
                               'hosts of the L3 agents in legacy or '
                               'dvr_snat mode',
                'type': 'array', 'items': {'type': 'string'},
                'minItems': 1, 'uniqueItems': True,
            },
            'path_method': {
                'description': 'flow: judge each category by its own '
                               'first measured forward TCP run; burst: '
                               'by a ping burst after the measurement '
                               '(slower, as the Tempest tests do)',
                'enum': [verdict.FLOW, verdict.BURST]},
            'noise_window': {'description': 'Seconds of background '
                                            'measured before each burst',
                             'type': 'number', 'minimum': 1},
            'noise_factor': {'description': 'How many times the traffic '
                                            'must exceed a counter\'s noise',
                             'type': 'number', 'minimum': 1},
            'burst_packets': {'type': 'integer', 'minimum': 100},
            'burst_packet_size': {'type': 'integer', 'minimum': 64,
                                  'maximum': 1400},
            'burst_interval': {'type': 'number', 'minimum': 0.002},
            'command_timeout': {'type': 'number', 'minimum': 1},
        },
        'required': ['method'],
        'additionalProperties': False,
    }
    DEFAULT_CONFIG = dict(paths.DEFAULTS)

    @classmethod
    def check_config(cls, config: dict[str, Any]) -> None:
        """What the schema cannot check (the ``netperf_config`` validator).

        :raises InvalidInput: naming the setting to fix.
        """
        key_file = config.get('key_file')
        if key_file and not os.path.isfile(os.path.expanduser(key_file)):
            raise exceptions.InvalidInput(
                'netperf_node_access: key_file %s does not exist; give the '
                'private key that logs in to the nodes' % key_file)
        if config.get('jump_host'):
            try:
                access.parse_host_port(config['jump_host'])
            except exceptions.InvalidInput as exc:
                raise exceptions.InvalidInput(
                    'netperf_node_access: jump_host: %s' % exc) from None

    def setup(self):
        config = dict(self.config)
        self.check_config(config)
        found = self.context['netperf_computes']
        facts = found['facts']
        computes = [cloud_facts.ComputeHost(**h) for h in found['hosts']]
        nodes = paths.network_nodes(config, facts, 'legacy')
        if not nodes:
            raise exceptions.InvalidInput(
                'netperf_node_access: no L3 agent in legacy or dvr_snat '
                'mode is alive, so there is no network node to inspect; '
                'set network_nodes')
        # Router modes are checked by netperf_topology; here only what
        # any path check needs (openstack_netperf.hosts.cloud_facts).
        unfit = ['%s (%s)' % (h.host, why) for h in computes
                 if (why := facts.not_path_checkable(
                     h, topology.RouterMode.LEGACY, nodes))]
        if unfit:
            raise exceptions.InvalidInput(
                'netperf_node_access: the path checks need computes that '
                'run the Open vSwitch agent apart from the network node(s) '
                '%s; compute host(s) %s do not. Pin other hosts in '
                'netperf_compute_hosts, or drop netperf_node_access to '
                'measure without path verdicts'
                % (', '.join(nodes), ', '.join(unfit)))
        node_access = access.NodeAccess(paths.access_settings(config))
        try:
            for host in dict.fromkeys(nodes + [h.host for h in computes]):
                try:
                    node_access.runner(host).run(['true'])
                except exceptions.NetperfError as exc:
                    raise exceptions.InvalidInput(
                        'netperf_node_access: cannot run a command on node '
                        '%s (at %s): %s. Check method, user, key_file, '
                        'address_map and jump_host'
                        % (host, node_access.address(host), exc)) from exc
        finally:
            node_access.close()
        self.context['netperf_node_access'] = config

    def cleanup(self):
        """Nothing to undo: the scenarios close their own connections."""
