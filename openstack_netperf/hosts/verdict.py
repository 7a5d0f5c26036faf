"""Decide from counter deltas whether a flow crossed the network node.

The evidence is known traffic -- a ping burst (``packets`` probes of
``packet_size`` bytes) or a measured iperf3 flow (the bytes iperf3
reported sending) --, the counter deltas around it on the network node and
on the computes, and, for a burst, the deltas of a quiet window just
before (background noise, scaled to the burst's duration).  A device
*carried* the traffic when, after removing the expected noise, it moved at
least ``carried_fraction`` of every amount known of it: packets and bytes
of a burst, bytes of a flow (segmentation offloads make a device count
fewer, larger packets than the flow put on the wire).  Both directions of
a device are added, so a device on the path sees at least the requests (a
burst) or the data (a flow).  Both methods are judged by the same rules,
stated in the burst's packets or the flow's bytes:

* crossed: a network-node counter carried the traffic;
* not crossed: the traffic was seen on a compute, every network-node
  counter is quiet enough that a crossing would have shown (noise times
  ``noise_factor`` below the traffic) and none moved more than the
  traffic divided by ``noise_factor`` -- in packets *and* bytes for a
  burst: the probes are large, so small packets (the SSH session that
  starts the burst, when that session itself crosses the network node)
  cannot pass for a part of it;
* otherwise inconclusive, with the reason.
"""

from __future__ import annotations

import dataclasses
import enum
from typing import ClassVar, Iterable

from openstack_netperf import exceptions
from openstack_netperf.hosts import snapshot

# How a verdict was reached (Verdict.method): from a ping burst sent for
# the check, or from the measured flow itself.
BURST = 'burst'
FLOW = 'flow'


class PathVerdict(str, enum.Enum):
    """Whether a burst or a flow crossed the network node."""

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
    method: ClassVar[str] = BURST

    def __post_init__(self):
        if self.packets <= 0 or self.packet_size <= 0:
            raise exceptions.InvalidInput(
                'A burst needs a positive packet count and size (got %d '
                'packets of %d bytes)' % (self.packets, self.packet_size))

    def amounts(self) -> tuple[tuple[str, int], ...]:
        """(unit, amount) of what was sent; the first is judged first."""
        return (('packets', self.packets),
                ('bytes', self.packets * self.packet_size))

    def __str__(self) -> str:
        return 'the burst of %d packets' % self.packets


@dataclasses.dataclass(frozen=True)
class Flow:
    """The measured traffic: the bytes iperf3 reported sending."""

    bytes: int
    method: ClassVar[str] = FLOW

    def __post_init__(self):
        if self.bytes <= 0:
            raise exceptions.InvalidInput(
                'A flow needs a positive byte count (got %d)' % self.bytes)

    def amounts(self) -> tuple[tuple[str, int], ...]:
        """(unit, amount) of what was sent: bytes only (see above)."""
        return (('bytes', self.bytes),)

    def __str__(self) -> str:
        return 'the flow of %d bytes' % self.bytes


Sent = Burst | Flow


@dataclasses.dataclass(frozen=True)
class Evidence:
    """How much one counter moved around the traffic, and its noise."""

    key: snapshot.CounterKey
    packets: int
    bytes: int
    noise_packets: float
    noise_bytes: float

    def noise(self, unit: str) -> float:
        """The noise expected in ``unit`` ('packets' or 'bytes')."""
        return getattr(self, 'noise_' + unit)

    def excess(self, unit: str) -> float:
        """What moved in ``unit`` beyond the expected noise."""
        return getattr(self, unit) - self.noise(unit)

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
    method: str = BURST

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
            self.reason), 'judged from the %s' % self.method]
        for title, items in (('network node', self.network_evidence),
                             ('computes', self.compute_evidence)):
            lines.append('%s, largest moves:' % title)
            lines.extend('  %s' % e for e in items)
        return '\n'.join(lines)


def _evidence(moved: snapshot.Delta, noise: snapshot.Delta | None,
              hosts: Iterable[str], unit: str) -> list[Evidence]:
    """Each counter's move on ``hosts``, largest excess in ``unit`` first."""
    scale = moved.seconds / noise.seconds if noise and noise.seconds else 0.0
    quiet_counters = noise.counters if noise else {}
    result = []
    for key, counter in moved.on_hosts(hosts).items():
        quiet = quiet_counters.get(key, snapshot.Counter(0, 0))
        result.append(Evidence(key, counter.packets, counter.bytes,
                               quiet.packets * scale, quiet.bytes * scale))
    result.sort(key=lambda e: (-e.excess(unit), e.key))
    return result


def judge(expected_crossing: bool, sent: Sent,
          moved: snapshot.Delta, noise_delta: snapshot.Delta | None,
          network_hosts: Iterable[str], compute_hosts: Iterable[str],
          noise_factor: float = 10.0, carried_fraction: float = 0.8,
          evidence_count: int = 5) -> Verdict:
    """Give the path verdict of a burst or a flow (see the module docstring).

    :param moved: the counter deltas around ``sent``.
    :param noise_delta: the deltas of a quiet window before it; None
        assumes no noise (a measured flow: see
        :func:`openstack_netperf.hosts.probe.FlowWatch`).
    """
    if noise_factor < 1:
        raise exceptions.InvalidInput(
            'noise_factor must be at least 1 (got %s)' % noise_factor)
    if not 0 < carried_fraction <= 1:
        raise exceptions.InvalidInput(
            'carried_fraction must be in (0, 1] (got %s)' % carried_fraction)
    if noise_delta is not None and noise_delta.seconds <= 0:
        raise exceptions.InvalidInput(
            'The quiet window must last a positive time to measure noise')
    network = set(network_hosts)
    computes = set(compute_hosts) - network
    amounts = sent.amounts()
    unit, amount = amounts[0]
    net = _evidence(moved, noise_delta, network, unit)
    comp = _evidence(moved, noise_delta, computes, unit)

    def verdict(kind: PathVerdict, reason: str,
                noisy: bool = False) -> Verdict:
        return Verdict(kind, expected_crossing, reason,
                       tuple(net[:evidence_count]),
                       tuple(comp[:evidence_count]), noisy, sent.method)

    if not network:
        raise exceptions.InvalidInput('No network node given to judge by')
    if not net:
        return verdict(PathVerdict.INCONCLUSIVE,
                       'no counter was read on the network node (%s)'
                       % ', '.join(sorted(network)))

    def carried(e: Evidence) -> bool:
        return all(e.excess(u) >= carried_fraction * a for u, a in amounts)

    noisy = [e for e in net if e.noise(unit) * noise_factor > amount]
    quiet_carriers = [e for e in net if carried(e) and e not in noisy]
    if quiet_carriers:
        return verdict(PathVerdict.CROSSED, '%s carried %s'
                       % (quiet_carriers[0].key, sent))
    if noisy:
        worst = max(noisy, key=lambda e: e.noise(unit))
        return verdict(PathVerdict.INCONCLUSIVE,
                       'background noise on the network node (%.0f %s on '
                       '%s in a %s-long window) is not %g times smaller '
                       'than %s' % (worst.noise(unit), unit, worst.key,
                                    sent.method, noise_factor, sent),
                       noisy=True)
    beyond = [e for e in net
              if all(e.excess(u) * noise_factor > a for u, a in amounts)]
    if beyond:
        return verdict(PathVerdict.INCONCLUSIVE,
                       '%s moved %d %s: less than the %s, more than noise'
                       % (beyond[0].key, getattr(beyond[0], unit), unit,
                          sent.method))
    compute_carriers = [e for e in comp if carried(e)]
    if not compute_carriers:
        return verdict(PathVerdict.INCONCLUSIVE,
                       'the %s was seen neither on the network node nor '
                       'on the computes (%s): the counters read do not see '
                       'this traffic' % (sent.method,
                                         ', '.join(sorted(computes))))
    return verdict(PathVerdict.NOT_CROSSED,
                   '%s carried the %s and no network-node counter moved '
                   'beyond noise' % (compute_carriers[0].key, sent.method))
