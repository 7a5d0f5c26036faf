"""Decide from counter deltas whether a flow crossed the network node.

The evidence is a known burst (``packets`` probes of ``packet_size``
bytes), the counter deltas around it on the network node and on the
computes, and the deltas of a quiet window just before (background noise,
scaled to the burst's duration).  A device *carried* the burst when, after
removing the expected noise, it moved at least ``carried_fraction`` of the
burst's packets and bytes (both directions of a device are added, so a
device on the path sees at least the requests).

* crossed: a network-node counter carried the burst;
* not crossed: the burst was seen on a compute, every network-node
  counter is quiet enough that a crossing would have shown (noise times
  ``noise_factor`` below the burst) and none moved more than the burst
  divided by ``noise_factor`` -- in packets *and* bytes: the probes are
  large, so small packets (the SSH session that starts the burst, when
  that session itself crosses the network node) cannot pass for a part
  of it;
* otherwise inconclusive, with the reason.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import Iterable

from openstack_netperf import exceptions
from openstack_netperf.hosts import snapshot


class PathVerdict(str, enum.Enum):
    """Whether a burst crossed the network node."""

    CROSSED = 'crossed'
    NOT_CROSSED = 'not crossed'
    INCONCLUSIVE = 'inconclusive'

    @classmethod
    def expected(cls, crossing: bool) -> PathVerdict:
        """The verdict the expected-path table predicts for a flow."""
        return cls.CROSSED if crossing else cls.NOT_CROSSED


@dataclasses.dataclass(frozen=True)
class Burst:
    """The traffic sent: how many probes, of how many payload bytes."""

    packets: int
    packet_size: int

    def __post_init__(self):
        if self.packets <= 0 or self.packet_size <= 0:
            raise exceptions.InvalidInput(
                'A burst needs a positive packet count and size (got %d '
                'packets of %d bytes)' % (self.packets, self.packet_size))


@dataclasses.dataclass(frozen=True)
class Evidence:
    """How much one counter moved during the burst, and its noise."""

    key: snapshot.CounterKey
    packets: int
    bytes: int
    noise_packets: float
    noise_bytes: float

    @property
    def excess_packets(self) -> float:
        return self.packets - self.noise_packets

    @property
    def excess_bytes(self) -> float:
        return self.bytes - self.noise_bytes

    def __str__(self) -> str:
        return '%s moved %d packets / %d bytes (noise %.0f packets)' % (
            self.key, self.packets, self.bytes, self.noise_packets)


@dataclasses.dataclass(frozen=True)
class Verdict:
    """A verdict, what the table expected, and the evidence for it."""

    verdict: PathVerdict
    expected_crossing: bool
    reason: str
    network_evidence: tuple[Evidence, ...]
    compute_evidence: tuple[Evidence, ...]
    # Inconclusive only because the quiet window was not quiet: a passing
    # event (e.g. guests still booting), worth another try.
    noisy: bool = False

    @property
    def conclusive(self) -> bool:
        return self.verdict is not PathVerdict.INCONCLUSIVE

    @property
    def as_expected(self) -> bool:
        """Conclusive and what the expected-path table says."""
        return self.verdict is PathVerdict.expected(self.expected_crossing)

    def describe(self) -> str:
        """A multi-line account for test failures and reports."""
        lines = ['verdict: %s (expected: %s); %s' % (
            self.verdict.value,
            PathVerdict.expected(self.expected_crossing).value,
            self.reason)]
        for title, items in (('network node', self.network_evidence),
                             ('computes', self.compute_evidence)):
            lines.append('%s, largest moves:' % title)
            lines.extend('  %s' % e for e in items)
        return '\n'.join(lines)


def _evidence(burst: snapshot.Delta, noise: snapshot.Delta,
              hosts: Iterable[str]) -> list[Evidence]:
    scale = burst.seconds / noise.seconds if noise.seconds > 0 else 0.0
    result = []
    for key, moved in burst.on_hosts(hosts).items():
        quiet = noise.counters.get(key, snapshot.Counter(0, 0))
        result.append(Evidence(key, moved.packets, moved.bytes,
                               quiet.packets * scale, quiet.bytes * scale))
    result.sort(key=lambda e: (-e.excess_packets, e.key))
    return result


def judge(expected_crossing: bool, burst: Burst,
          burst_delta: snapshot.Delta, noise_delta: snapshot.Delta,
          network_hosts: Iterable[str], compute_hosts: Iterable[str],
          noise_factor: float = 10.0, carried_fraction: float = 0.8,
          evidence_count: int = 5) -> Verdict:
    """Give the path verdict of one burst (see the module docstring)."""
    if noise_factor < 1:
        raise exceptions.InvalidInput(
            'noise_factor must be at least 1 (got %s)' % noise_factor)
    if not 0 < carried_fraction <= 1:
        raise exceptions.InvalidInput(
            'carried_fraction must be in (0, 1] (got %s)' % carried_fraction)
    if noise_delta.seconds <= 0:
        raise exceptions.InvalidInput(
            'The quiet window must last a positive time to measure noise')
    network = set(network_hosts)
    computes = set(compute_hosts) - network
    net = _evidence(burst_delta, noise_delta, network)
    comp = _evidence(burst_delta, noise_delta, computes)

    def verdict(kind: PathVerdict, reason: str,
                noisy: bool = False) -> Verdict:
        return Verdict(kind, expected_crossing, reason,
                       tuple(net[:evidence_count]),
                       tuple(comp[:evidence_count]), noisy)

    if not network:
        raise exceptions.InvalidInput('No network node given to judge by')
    if not net:
        return verdict(PathVerdict.INCONCLUSIVE,
                       'no counter was read on the network node (%s)'
                       % ', '.join(sorted(network)))
    min_packets = carried_fraction * burst.packets
    min_bytes = min_packets * burst.packet_size

    def carried(e: Evidence) -> bool:
        return e.excess_packets >= min_packets and (
            e.excess_bytes >= min_bytes)

    noisy = [e for e in net if e.noise_packets * noise_factor > burst.packets]
    quiet_carriers = [e for e in net if carried(e) and e not in noisy]
    if quiet_carriers:
        return verdict(PathVerdict.CROSSED,
                       '%s carried the burst of %d packets'
                       % (quiet_carriers[0].key, burst.packets))
    if noisy:
        worst = max(noisy, key=lambda e: e.noise_packets)
        return verdict(PathVerdict.INCONCLUSIVE,
                       'background noise on the network node (%.0f packets '
                       'on %s in a burst-long window) is not %g times '
                       'smaller than the burst of %d packets'
                       % (worst.noise_packets, worst.key, noise_factor,
                          burst.packets), noisy=True)
    moved = [e for e in net
             if e.excess_packets * noise_factor > burst.packets
             and e.excess_bytes * noise_factor > burst.packets *
             burst.packet_size]
    if moved:
        return verdict(PathVerdict.INCONCLUSIVE,
                       '%s moved %d packets: less than the burst, more than '
                       'noise' % (moved[0].key, moved[0].packets))
    compute_carriers = [e for e in comp if carried(e)]
    if not compute_carriers:
        return verdict(PathVerdict.INCONCLUSIVE,
                       'the burst was seen neither on the network node nor '
                       'on the computes (%s): the counters read do not see '
                       'this traffic' % ', '.join(sorted(computes)))
    return verdict(PathVerdict.NOT_CROSSED,
                   '%s carried the burst and no network-node counter moved '
                   'beyond noise' % compute_carriers[0].key)
