"""Counter snapshots across nodes, and their deltas.

A snapshot reads, on each node, the rx+tx counters of the devices inside
chosen namespaces (router, SNAT, FIP) and the live counters of the OVS
ports.  Two snapshots give a delta; a delta around a quiet window is the
background noise, a delta around a burst is the signal
(:mod:`openstack_netperf.hosts.verdict` compares them).
"""

from __future__ import annotations

from concurrent import futures
import dataclasses
import logging
import time
from typing import Callable, Iterable

from openstack_netperf import exceptions
from openstack_netperf.hosts import inspect
from openstack_netperf import remote

LOG = logging.getLogger(__name__)

LINK = 'link'
OVS_INTERFACE = 'ovs'


@dataclasses.dataclass(frozen=True, order=True)
class CounterKey:
    """Which counter: a device in a namespace, or an OVS port.

    ``scope`` is the namespace of a link (``''``: the node's own), and
    empty for OVS interfaces.
    """

    host: str
    source: str
    scope: str
    name: str

    def __str__(self) -> str:
        where = '%s/%s' % (self.scope, self.name) if self.scope else self.name
        return '%s: %s %s' % (self.host, self.source, where)


@dataclasses.dataclass(frozen=True)
class Counter:
    """Packets and bytes, both directions added."""

    packets: int
    bytes: int


@dataclasses.dataclass(frozen=True)
class HostTargets:
    """What to read on one node.

    :param namespace_prefixes: namespaces whose name starts with one of
        these (e.g. ``qrouter-<router id>``, ``snat-``, ``fip-``).  The
        live counters of every OVS port (keyed by its Interface name) are
        read too.
    """

    host: str
    namespace_prefixes: tuple[str, ...] = ()


@dataclasses.dataclass(frozen=True)
class Delta:
    """How much each counter moved between two snapshots."""

    seconds: float
    counters: dict[CounterKey, Counter]

    def on_hosts(self, hosts: Iterable[str]) -> dict[CounterKey, Counter]:
        """The counters of the given nodes only."""
        wanted = set(hosts)
        return {k: v for k, v in self.counters.items() if k.host in wanted}


@dataclasses.dataclass(frozen=True)
class Snapshot:
    """Counters read from a set of nodes, with when they were read."""

    started: float
    finished: float
    counters: dict[CounterKey, Counter]

    @property
    def middle(self) -> float:
        return (self.started + self.finished) / 2

    def delta(self, later: Snapshot) -> Delta:
        """What moved between this snapshot and ``later``.

        Counters present in only one snapshot (a device created or a flow
        replaced in between) are left out; a counter that went down was
        reset, and its new value is what moved since.
        """
        moved = {}
        for key, after in later.counters.items():
            before = self.counters.get(key)
            if before is None:
                continue
            if after.packets < before.packets or after.bytes < before.bytes:
                LOG.debug('%s was reset between snapshots', key)
                moved[key] = after
            else:
                moved[key] = Counter(after.packets - before.packets,
                                     after.bytes - before.bytes)
        return Delta(max(later.middle - self.middle, 0.0), moved)


def read_host(runner: remote.Runner,
              targets: HostTargets) -> dict[CounterKey, Counter]:
    """Every counter ``targets`` asks for on the runner's node."""
    host = targets.host
    counters: dict[CounterKey, Counter] = {}
    if targets.namespace_prefixes:
        for ns in inspect.list_namespaces(runner):
            if not ns.name.startswith(targets.namespace_prefixes):
                continue
            try:
                links = inspect.list_interfaces(runner, ns.name)
            except exceptions.CommandFailed as exc:
                # Deleted since it was listed (e.g. a fip- namespace whose
                # last floating IP went): it has no counters to compare.
                if 'Cannot open network namespace' not in exc.result.stderr:
                    raise
                LOG.debug('%s: namespace %s vanished', host, ns.name)
                continue
            for link in links:
                if link.name == 'lo':
                    continue
                counters[CounterKey(host, LINK, ns.name, link.name)] = (
                    Counter(link.rx_packets + link.tx_packets,
                            link.rx_bytes + link.tx_bytes))
    for port in inspect.list_ovs_ports(runner):
        if port.has_counters:
            counters[CounterKey(host, OVS_INTERFACE, '', port.name)] = (
                Counter(port.packets, port.bytes))
    return counters


def take_snapshot(runner_for: Callable[[str], remote.Runner],
                  targets: Iterable[HostTargets],
                  clock: Callable[[], float] = time.monotonic) -> Snapshot:
    """Read the counters of every node in ``targets``.

    :param runner_for: host name -> runner, e.g.
        :meth:`openstack_netperf.hosts.access.NodeAccess.runner`.
    """
    work = [(runner_for(t.host), t) for t in targets]
    started = clock()
    counters: dict[CounterKey, Counter] = {}
    # Nodes are read at the same time: a snapshot is closer to one instant
    # and a path check spends less time between its windows.
    with futures.ThreadPoolExecutor(max_workers=len(work) or 1) as pool:
        for found in pool.map(lambda job: read_host(*job), work):
            counters.update(found)
    return Snapshot(started, clock(), counters)


@dataclasses.dataclass(frozen=True)
class Observation:
    """The noise (quiet window) and signal (burst) deltas of one flow."""

    noise: Delta
    burst: Delta


def observe(snapshot: Callable[[], Snapshot], quiet_seconds: float,
            run_burst: Callable[[], None],
            sleep: Callable[[float], None] = time.sleep,
            settle_seconds: float = 0.0) -> Observation:
    """Measure the background over a quiet window, then a burst.

    The quiet window comes right before the burst, so it sees the same
    background the burst competes with.  ``settle_seconds`` is waited
    before the first snapshot and after the burst, for counters that are
    published late to catch up.
    """
    sleep(settle_seconds)
    first = snapshot()
    sleep(quiet_seconds)
    second = snapshot()
    run_burst()
    sleep(settle_seconds)
    third = snapshot()
    return Observation(first.delta(second), second.delta(third))
