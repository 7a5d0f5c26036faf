"""The path verdict of each measured flow, for the NetPerf scenarios.

The ``netperf_node_access`` context says how to reach the nodes; this
module turns its config into the core's settings, finds the network
node(s) and judges the path of one category from the counters of the
network node(s) and both computes.  A measured category is judged from its
own flow (:meth:`PathChecker.flow`): the counters right before and right
after its first forward TCP run, against the bytes iperf3 reported
(:class:`openstack_netperf.hosts.probe.FlowWatch`).  :meth:`PathChecker.check`
runs the burst protocol instead, for a check without a measurement: a
quiet window, a ping burst from the source guest to the address the
measurement used, counters again, verdict
(:func:`openstack_netperf.hosts.probe.measure_path`).
"""

from __future__ import annotations

import dataclasses
import os
from typing import Any, Callable, ContextManager

from openstack_netperf import exceptions
from openstack_netperf.hosts import access
from openstack_netperf.hosts import cloud_facts
from openstack_netperf.hosts import probe
from openstack_netperf.hosts import verdict
from openstack_netperf.measure import iperf3
from openstack_netperf import remote
from openstack_netperf import topology

# The core's path check defaults, shared with the Tempest plugin; the
# node access defaults are the core's too (NodeAccessSettings).
DEFAULTS: dict[str, Any] = {
    'address_map': {},
    'path_method': verdict.FLOW,
    'noise_window': probe.NOISE_WINDOW,
    'noise_factor': probe.NOISE_FACTOR,
    'burst_packets': probe.BURST_PACKETS,
    'burst_packet_size': probe.BURST_PACKET_SIZE,
    'burst_interval': probe.BURST_INTERVAL,
}


_ACCESS_KEYS = ('method', 'user', 'key_file', 'port', 'sudo', 'jump_host',
                'address_map', 'command_timeout')


def access_settings(config: dict[str, Any]) -> access.NodeAccessSettings:
    """The core's node access settings from the context's config."""
    kwargs = {k: config[k] for k in _ACCESS_KEYS
              if config.get(k) is not None}
    if 'key_file' in kwargs:
        # paramiko does not expand "~".
        kwargs['key_file'] = os.path.expanduser(kwargs['key_file'])
    return access.NodeAccessSettings(**kwargs)


def network_nodes(config: dict[str, Any], facts: cloud_facts.CloudFacts,
                  router_mode: topology.RouterMode | str) -> list[str]:
    """The configured network nodes, or the central L3 agents' hosts.

    ``facts`` is what the ``netperf_compute_hosts`` context found.
    """
    if config.get('network_nodes'):
        return list(config['network_nodes'])
    return facts.central_nodes(router_mode)


@dataclasses.dataclass(frozen=True)
class PathResult:
    """A flow's verdict and the traffic it was judged by.

    ``sent`` describes that traffic (the burst, or the measured run); the
    verdict says by which method.
    """

    category: topology.Category
    sender: str
    target: str
    verdict: verdict.Verdict
    sent: str


class FlowCheck:
    """The path check of one category, around its measured flow.

    :meth:`around` is the ``watch`` of
    :func:`openstack_netperf.pair.measure_pair`; :meth:`result` gives the
    verdict once the measurement is done.
    """

    def __init__(self, checker: PathChecker, category: topology.Category,
                 sender: str, target: str, router_ids: list[str]):
        self.checker = checker
        self.category = category
        self.sender = sender
        self.target = target
        self.watch = probe.FlowWatch(
            checker.access.runner,
            probe.path_targets(checker.network, checker.computes,
                               router_ids))
        self.run: iperf3.Iperf3Result | None = None

    def around(self, run: Callable[[], iperf3.Iperf3Result]
               ) -> iperf3.Iperf3Result:
        """Read the counters right before and right after ``run``."""
        timed = '%s path_check' % self.category.shorthand
        with self.checker.timer(timed):
            self.watch.start()
        self.run = run()
        with self.checker.timer(timed):
            self.watch.stop()
        return self.run

    def result(self) -> PathResult:
        """The verdict of the flow :meth:`around` watched."""
        sent_bytes = self.run.sent_bytes if self.run else None
        result = self.watch.judge(
            sent_bytes,
            self.category.crosses_network_node(self.checker.router_mode),
            self.checker.network, self.checker.computes,
            self.checker.config['noise_factor'])
        sent = ('%d bytes of TCP in %d s (iperf3, round 1, forward)'
                % (sent_bytes, self.run.duration)
                if self.run and sent_bytes else 'no measured flow')
        return PathResult(self.category, self.sender, self.target, result,
                          sent)


class PathChecker:
    """Checks the path of each flow of one iteration over one node access.

    :param timer: name -> context manager timing an atomic action.
    """

    def __init__(self, config: dict[str, Any],
                 facts: cloud_facts.CloudFacts, computes: list[str],
                 router_mode: str,
                 timer: Callable[[str], ContextManager]):
        self.config = dict(DEFAULTS, **config)
        self.access = access.NodeAccess(access_settings(self.config))
        self.network = network_nodes(self.config, facts, router_mode)
        self.computes = list(computes)
        self.router_mode = router_mode
        self.timer = timer

    def flow(self, category: topology.Category, sender: str, target: str,
             router_ids: list[str]) -> FlowCheck | None:
        """The check of a measured flow from ``sender`` to ``target``.

        None when the task asked for bursts (``path_method: burst``):
        then :meth:`check` follows the measurement.
        """
        if self.config['path_method'] != verdict.FLOW:
            return None
        return FlowCheck(self, category, sender, target, router_ids)

    def check(self, category: topology.Category, sender: remote.Runner,
              target: str, router_ids: list[str]) -> PathResult:
        """Burst from ``sender`` to ``target``; judge against the table."""
        c = self.config
        burst = probe.PingBurst(sender, target, c['burst_packets'],
                                c['burst_packet_size'], c['burst_interval'])
        with self.timer('%s path_check' % category.shorthand):
            result = probe.measure_path(
                self.access.runner,
                probe.path_targets(self.network, self.computes, router_ids),
                burst.send, category.crosses_network_node(self.router_mode),
                self.network, self.computes,
                quiet_seconds=c['noise_window'],
                noise_factor=c['noise_factor'])
            try:
                pings = burst.result()
            except exceptions.ToolError as exc:
                # Counters around an unanswered burst say nothing.
                return PathResult(category, sender.name, target,
                                  dataclasses.replace(
                                      result,
                                      verdict=verdict.PathVerdict.INCONCLUSIVE,
                                      reason=str(exc)),
                                  str(exc))
        sent = '%d pings of %d bytes, %d answered' % (
            pings.total_sent, c['burst_packet_size'], pings.total_received)
        return PathResult(category, sender.name, target, result, sent)

    def close(self) -> None:
        """Close every node connection."""
        self.access.close()
