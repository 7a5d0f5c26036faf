"""Judge the path known traffic took, from host counters.

Two methods, judged by the same rules
(:func:`openstack_netperf.hosts.verdict.judge`):

* burst (:func:`measure_path`), for the Tempest tests and any check
  without a measurement: read the counters of the network node and the
  computes, wait a quiet window, read them again (noise), send a ping
  burst of a distinctive size, read them a third time (signal), and judge;
* flow (:class:`FlowWatch`), for a measured category: read the counters
  right before and right after a measured iperf3 run and judge them
  against the bytes iperf3 reported sending.
"""

from __future__ import annotations

import math
import shlex
import time
from typing import Callable, Iterable
import uuid

from openstack_netperf import exceptions
from openstack_netperf.hosts import snapshot
from openstack_netperf.hosts import verdict
from openstack_netperf.measure import ping
from openstack_netperf import remote

# Waited before the first snapshot and after the burst.  It was sized for
# OVS flow counters, which reach ovs-ofctl up to about a second late and
# are no longer read (namespace devices and OVS ports are read live).
STATS_SETTLE_SECONDS = 1.0
# Defaults of a path check, for every framework that offers the knobs
# (Tempest's [netperf] burst_*/noise_*, the Rally node access context): a
# 30 s burst of 1000-byte pings that dwarfs a node's background, judged
# against a 5 s quiet window.
BURST_PACKETS = 3000
BURST_PACKET_SIZE = 1000
BURST_INTERVAL = 0.01
NOISE_WINDOW = 5.0
NOISE_FACTOR = 10.0
# Path checks made in all when background noise leaves a verdict open.
NOISY_ATTEMPTS = 2


class PingBurst:
    """Pings of a distinctive size from a guest (or host) to a target.

    The sender keeps ping's output in a file until :meth:`result` reads
    it: printed live, thousands of reply lines would travel back over the
    SSH session -- through the network node when the sender is reached by
    a legacy router's floating IP -- and blur the very counters the burst
    is judged by.
    """

    def __init__(self, runner: remote.Runner, target: str, packets: int,
                 packet_size: int, interval: float = BURST_INTERVAL):
        self.runner = runner
        self.target = target
        self.burst = verdict.Burst(packets, packet_size)
        self.deadline = int(math.ceil(packets * interval * 2)) + 10
        self.argv = ping.command(target, count=packets, interval=interval,
                                 size=packet_size, deadline=self.deadline)
        self.output_file = '/tmp/netperf-burst-%s.txt' % uuid.uuid4().hex

    def send(self) -> verdict.Burst:
        """Run the burst to its end; the output stays on the sender."""
        self.runner.run('%s >%s 2>&1' % (remote.to_shell(self.argv),
                                         shlex.quote(self.output_file)),
                        timeout=self.deadline + 30, check=False)
        return self.burst

    def result(self) -> ping.PingResult:
        """Fetch, remove and parse the output of :meth:`send`.

        Losses are allowed (the verdict tolerates some); no reply at all
        is an error, because then the counters say nothing about the path.
        """
        text = self.runner.run(['cat', self.output_file], check=False).stdout
        self.runner.run(['rm', '-f', self.output_file], check=False)
        try:
            parsed = ping.parse(text, discard=0)
        except exceptions.ToolError as exc:
            raise exceptions.ToolError(
                '%s: burst to %s failed: %s'
                % (self.runner.name, self.target, exc)) from exc
        if not parsed.total_received:
            raise exceptions.ToolError(
                '%s: none of %d pings to %s was answered'
                % (self.runner.name, parsed.total_sent,
                   self.target))
        return parsed


def path_targets(network_hosts: Iterable[str],
                 compute_hosts: Iterable[str],
                 router_ids: Iterable[str]
                 ) -> list[snapshot.HostTargets]:
    """What to read on each node to see a flow of the given routers.

    The devices in these routers' namespaces (``qrouter-``/``snat-``) and
    in every ``fip-`` namespace, and the live OVS port counters (guest
    ports, tunnel and external ports), on the network node(s) and the
    computes alike.  Flow counters are left out: catch-all flows
    (``NORMAL``, table changes) count every tenant's traffic, so on a
    shared node they add noise, not evidence -- a flow that crosses the
    node already shows on its router namespace devices or on its tunnel
    or external ports.
    """
    prefixes = ['fip-']
    for router_id in router_ids:
        prefixes += ['qrouter-%s' % router_id, 'snat-%s' % router_id]
    hosts = list(dict.fromkeys(list(network_hosts) + list(compute_hosts)))
    return [snapshot.HostTargets(host, tuple(prefixes)) for host in hosts]


def measure_path(runner_for: Callable[[str], remote.Runner],
                 targets: list[snapshot.HostTargets],
                 send: Callable[[], verdict.Burst],
                 expected_crossing: bool,
                 network_hosts: Iterable[str],
                 compute_hosts: Iterable[str],
                 quiet_seconds: float, noise_factor: float,
                 sleep: Callable[[float], None] = time.sleep,
                 settle_seconds: float = STATS_SETTLE_SECONDS,
                 attempts: int = NOISY_ATTEMPTS,
                 clock: Callable[[], float] = time.monotonic
                 ) -> verdict.Verdict:
    """Noise window, burst, verdict (see the module docstring).

    A verdict left inconclusive by background noise alone is measured
    again, up to ``attempts`` times in all: the noise is usually a passing
    event, such as freshly booted guests' first packets.
    """
    for _ in range(attempts):
        sent: list[verdict.Burst] = []
        observation = snapshot.observe(
            lambda: snapshot.take_snapshot(runner_for, targets, clock),
            quiet_seconds, lambda: sent.append(send()), sleep=sleep,
            settle_seconds=settle_seconds)
        result = verdict.judge(expected_crossing, sent[0], observation.burst,
                               observation.noise, network_hosts,
                               compute_hosts, noise_factor=noise_factor)
        if not result.noisy:
            break
    return result


class FlowWatch:
    """Counters right before and right after a measured flow, and a verdict.

    The flow is its own burst, and no quiet window is measured: an iperf3
    run moves hundreds of megabytes or more, so a background that could
    change the verdict would have to move a tenth of that on a node's
    router or tunnel ports in the same seconds -- enough to disturb the
    measurement itself.  Smaller background is judged like any counter
    that moved less than the flow: it cannot pass for a crossing, and one
    above a tenth of the flow leaves the verdict inconclusive.  No settle
    time either: the counters read are live (namespace devices, OVS
    ports).

    A node that cannot be read makes the verdict inconclusive with the
    reason; the measurement goes on.
    """

    def __init__(self, runner_for: Callable[[str], remote.Runner],
                 targets: list[snapshot.HostTargets],
                 clock: Callable[[], float] = time.monotonic):
        self._take = lambda: snapshot.take_snapshot(runner_for, targets,
                                                    clock)
        self._snapshots: list[snapshot.Snapshot] = []
        self.error: str | None = None

    def _read(self, when: str) -> None:
        if self.error is not None:
            return
        try:
            self._snapshots.append(self._take())
        except exceptions.NetperfError as exc:
            self.error = 'the counters could not be read %s the flow: %s' % (
                when, exc)

    def start(self) -> None:
        """Read the counters right before the flow."""
        self._read('before')

    def stop(self) -> None:
        """Read the counters right after the flow."""
        self._read('after')

    def judge(self, sent_bytes: int | None, expected_crossing: bool,
              network_hosts: Iterable[str], compute_hosts: Iterable[str],
              noise_factor: float) -> verdict.Verdict:
        """The verdict of the flow that moved ``sent_bytes``."""
        if self.error is None and len(self._snapshots) == 2 and sent_bytes:
            before, after = self._snapshots
            return verdict.judge(expected_crossing, verdict.Flow(sent_bytes),
                                 before.delta(after), None, network_hosts,
                                 compute_hosts, noise_factor=noise_factor)
        reason = self.error or (
            'iperf3 reported no bytes sent' if len(self._snapshots) == 2
            else 'the counters were not read before and after the flow')
        return verdict.Verdict(verdict.PathVerdict.INCONCLUSIVE,
                               expected_crossing, reason, (), (),
                               method=verdict.FLOW)
