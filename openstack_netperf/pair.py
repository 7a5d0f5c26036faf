"""Measure one VM pair over two runners: iperf3 both ways, then ping.

This is the thesis procedure (section 3.1) for one pair, independent of
how the VMs were booted: each VM is in turn iperf3 server and client, each
pings the other, and the whole is repeated for a number of rounds whose
median is the result.  The Rally scenarios and the Tempest tests both call
it with runners (:mod:`openstack_netperf.remote`) already connected to the
guests.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import re
import shlex
from typing import Any, Callable, ContextManager, Iterator, Mapping

from openstack_netperf import exceptions
from openstack_netperf.measure import iperf3
from openstack_netperf.measure import ping
from openstack_netperf.measure import stats
from openstack_netperf import polling
from openstack_netperf import remote

# Seconds a guest command may take beyond its own configured run time.
COMMAND_MARGIN = 30.0

Timer = Callable[[str], ContextManager]
# Runs an iperf3 run handed to it and gives back its result, doing
# something around it (a path check reads counters before and after).
Watch = Callable[[Callable[[], iperf3.Iperf3Result]], iperf3.Iperf3Result]


# The type of each Settings annotation (a string here, see the
# ``__future__`` import) and how to name it in an error.
_TYPES: dict[str, tuple[type, str]] = {
    'int': (int, 'a whole number'), 'float': (float, 'a number'),
    'bool': (bool, 'true or false'), 'str': (str, 'a string')}


def _has_type(value: Any, annotation: str) -> bool:
    """Whether ``value`` fits; bool is no number, an int is a float."""
    kind = _TYPES[annotation][0]
    if kind is bool or kind is str:
        return isinstance(value, kind)
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (kind is float
                                      and isinstance(value, float))


@dataclasses.dataclass(frozen=True)
class Settings:
    """How to measure a pair; the defaults are the thesis methodology.

    These defaults are the only ones: the Rally scenarios' arguments read
    them, the command builders take every value from here.  ``duration``
    is what iperf3 measures after ``omit`` seconds of warm-up (as in
    :func:`openstack_netperf.measure.iperf3.client_command`), so the
    defaults give the thesis's 60 s runs of which 50 s count.

    The ``warmup*`` fields are not the thesis's: a flow between freshly
    booted guests gets faster for a while, so before the first round
    short TCP runs of ``warmup_run`` seconds go on until two in a row
    agree within ``warmup_tolerance`` (a fraction), for at most
    ``warmup`` seconds (0 turns the warm-up off); see :func:`warm_up`.
    """

    duration: int = 50
    omit: int = 10
    interval: float = 1.0
    parallel: int = 1
    port: int = iperf3.DEFAULT_PORT
    udp: bool = False
    udp_bandwidth: str = '1G'
    ping_count: int = 60
    ping_discard: int = 10
    ping_interval: float = 1.0
    rounds: int = 3
    warmup: int = 30
    warmup_run: int = 5
    warmup_tolerance: float = 0.1

    def __post_init__(self) -> None:
        wrong = ['%s must be %s (got %r)' % (f.name, _TYPES[f.type][1],
                                             getattr(self, f.name))
                 for f in dataclasses.fields(self)
                 if not _has_type(getattr(self, f.name), f.type)]
        if wrong:
            # The range checks below would fail on these with a TypeError.
            raise exceptions.InvalidInput('; '.join(wrong))
        problems = []
        if self.omit < 0:
            problems.append('omit must be 0 or more (got %s)' % self.omit)
        if self.duration <= self.omit:
            problems.append(
                'duration (%s s) must be longer than omit (%s s): raise '
                'duration or lower omit' % (self.duration, self.omit))
        if self.ping_count <= self.ping_discard:
            problems.append(
                'ping_count (%s) must be larger than ping_discard (%s): '
                'raise ping_count or lower ping_discard'
                % (self.ping_count, self.ping_discard))
        if self.ping_discard < 0:
            problems.append('ping_discard must be 0 or more')
        for name in ('rounds', 'parallel'):
            if getattr(self, name) < 1:
                problems.append('%s must be at least 1 (got %s)'
                                % (name, getattr(self, name)))
        if self.interval <= 0 or self.ping_interval <= 0:
            problems.append('interval and ping_interval must be positive')
        if not 0 < self.port < 65536:
            problems.append('port must be between 1 and 65535 (got %s)'
                            % self.port)
        problems += self._warmup_problems()
        if problems:
            raise exceptions.InvalidInput('; '.join(problems))
        # The command builders know the tools' own limits (longest omit,
        # most streams, bandwidth syntax): ask them now, not mid-run.  The
        # bandwidth even when UDP is off: a bad one is a typo all the same.
        common = dict(port=self.port, duration=self.duration,
                      omit=self.omit, interval=self.interval,
                      parallel=self.parallel)
        iperf3.client_command('127.0.0.1', **common)
        try:
            iperf3.client_command('127.0.0.1', udp=True,
                                  bandwidth=self.udp_bandwidth, **common)
        except exceptions.InvalidInput as exc:
            raise exceptions.InvalidInput('udp_bandwidth: %s' % exc) from None
        ping.command('127.0.0.1', count=self.ping_count,
                     interval=self.ping_interval)
        try:
            iperf3.client_command('127.0.0.1', port=self.port,
                                  duration=self.warmup_run, omit=0,
                                  interval=self.interval,
                                  parallel=self.parallel)
        except exceptions.InvalidInput as exc:
            raise exceptions.InvalidInput('warmup_run: %s' % exc) from None

    def _warmup_problems(self) -> list[str]:
        """What is wrong with the ``warmup*`` fields, one line each."""
        problems = []
        if self.warmup < 0:
            problems.append('warmup must be 0 (no warm-up) or more seconds '
                            '(got %s)' % self.warmup)
        if self.warmup_run < 1:
            problems.append('warmup_run must be at least 1 (got %s)'
                            % self.warmup_run)
        elif 0 < self.warmup < 2 * self.warmup_run:
            problems.append(
                'warmup (%s s) must leave room for two warmup_run runs '
                '(2 x %s s) to compare: raise warmup, lower warmup_run, or '
                'set warmup to 0 to turn the warm-up off'
                % (self.warmup, self.warmup_run))
        if not 0 < self.warmup_tolerance < 1:
            problems.append(
                'warmup_tolerance must be a fraction between 0 and 1, e.g. '
                '0.1 for runs within 10%% of each other (got %s)'
                % self.warmup_tolerance)
        return problems

    @classmethod
    def from_args(cls, args: Mapping[str, Any]) -> Settings:
        """The settings among a plugin's arguments; others are ignored.

        :raises InvalidInput: naming what to change.
        """
        return cls(**{f.name: args[f.name] for f in dataclasses.fields(cls)
                      if f.name in args})

    def iperf3_seconds(self) -> float:
        """Configured iperf3 time of one round (both directions)."""
        runs = 4 if self.udp else 2
        return runs * float(self.duration + self.omit)

    def ping_seconds(self) -> float:
        """Configured ping time of one round (both directions)."""
        return 2 * self.ping_count * self.ping_interval

    def warmup_runs(self) -> int:
        """The most warm-up runs that fit in ``warmup`` seconds."""
        return self.warmup // self.warmup_run

    def warmup_settings(self) -> Settings:
        """The settings of one warm-up run: short, nothing omitted."""
        return dataclasses.replace(self, duration=self.warmup_run, omit=0,
                                   warmup=0)

    def configured_seconds(self) -> float:
        """The measurement time of a pair, without any overhead.

        Every round, after a warm-up of at most its bound.
        """
        return (self.warmup_runs() * self.warmup_run + self.rounds
                * (self.iperf3_seconds() + self.ping_seconds()))


@dataclasses.dataclass
class Endpoint:
    """A VM of a pair: its runner and the address its peer reaches.

    The address is the fixed IP, or the floating IP across routers.
    """

    name: str
    runner: remote.Runner
    address: str


@dataclasses.dataclass
class Round:
    """Everything measured in one round; forward is source to target."""

    tcp_forward: iperf3.Iperf3Result
    tcp_reverse: iperf3.Iperf3Result
    ping_forward: ping.PingResult
    ping_reverse: ping.PingResult
    udp_forward: iperf3.Iperf3Result | None = None
    udp_reverse: iperf3.Iperf3Result | None = None

    def rtts_ms(self) -> list[float]:
        """The RTTs kept (after discarding) in both directions."""
        return list(self.ping_forward.rtts_ms) + list(
            self.ping_reverse.rtts_ms)

    def rtt_summary(self) -> stats.Summary | None:
        """Statistics of the kept RTTs; None when no probe came back."""
        rtts = self.rtts_ms()
        return stats.summarize(rtts) if rtts else None

    def loss_percent(self) -> float:
        """Ping loss of the round: the mean of both directions."""
        return (self.ping_forward.loss_percent
                + self.ping_reverse.loss_percent) / 2.0


def _mbps(bits_per_second: float | None) -> float | None:
    return None if bits_per_second is None else bits_per_second / 1e6


@dataclasses.dataclass
class Warmup:
    """The short runs before the first round, and whether the flow settled.

    ``seconds`` is their configured time; ``settled`` is False when no two
    runs in a row agreed within the bound: the rounds then measured a flow
    that was perhaps still getting faster.
    """

    runs_mbps: list[float]
    seconds: float
    settled: bool

    def describe(self) -> str:
        """One line for people: the runs, their time, the outcome."""
        return '%s: %d run(s) in %g s (%s Mbit/s)' % (
            'settled' if self.settled else 'NOT settled (figures taken '
            'before the flow settled)', len(self.runs_mbps), self.seconds,
            ', '.join('%.1f' % v for v in self.runs_mbps))


@dataclasses.dataclass
class PairMeasurement:
    """The rounds measured for one pair and their median-of-rounds."""

    source: str
    target: str
    settings: Settings
    rounds: list[Round] = dataclasses.field(default_factory=list)
    # None when the warm-up was off (Settings.warmup 0).
    warmup: Warmup | None = None

    def per_round(self) -> dict[str, list[float]]:
        """Every reported figure's value in each round, by name.

        Throughput is what the receiver got (Mbit/s); latency figures come
        from the kept RTTs of both directions.  A round that lacks a
        figure (no probe came back, an old iperf3 without it) adds none.
        """
        protocols = ('tcp', 'udp') if self.settings.udp else ('tcp',)
        # (figure, what it reads of an iperf3 result, protocols it has)
        per_run: tuple[tuple[str, Callable[[Any], Any], tuple[str, ...]],
                       ...] = (
            ('mbps', lambda run: _mbps(run.received_bps), ('tcp', 'udp')),
            ('retransmits', lambda run: run.retransmits, ('tcp',)),
            ('loss_percent', lambda run: run.lost_percent, ('udp',)),
            ('jitter_ms', lambda run: run.jitter_ms, ('udp',)),
        )
        picks: dict[str, Callable[[Round], Any]] = {}
        for protocol in protocols:
            for direction in ('forward', 'reverse'):
                attr = '%s_%s' % (protocol, direction)
                for name, read, applies in per_run:
                    if protocol in applies:
                        picks['%s_%s' % (attr, name)] = (
                            lambda r, a=attr, f=read: f(getattr(r, a)))
        picks.update({
            'rtt_median_ms': lambda r: getattr(r.rtt_summary(), 'median',
                                               None),
            'rtt_p95_ms': lambda r: getattr(r.rtt_summary(), 'p95', None),
            'ping_loss_percent': Round.loss_percent,
        })
        values = {key: [float(v) for v in map(pick, self.rounds)
                        if v is not None] for key, pick in picks.items()}
        return {key: found for key, found in values.items() if found}

    def summary(self) -> dict[str, float]:
        """Median-of-rounds of every reported figure, by name.

        With a warm-up, its ``warmup_seconds`` and ``warmup_settled`` (1.0
        or 0.0) travel with them; without one, neither is there.
        """
        figures = {key: stats.median_of(values)
                   for key, values in self.per_round().items()}
        if self.warmup is not None:
            figures['warmup_seconds'] = self.warmup.seconds
            figures['warmup_settled'] = float(self.warmup.settled)
        return figures

    def probes_ms(self) -> list[float]:
        """Every kept RTT of every round, both directions."""
        return [rtt for r in self.rounds for rtt in r.rtts_ms()]


def no_timer(_name: str) -> ContextManager:
    """A :data:`Timer` that times nothing (outside Rally)."""
    return contextlib.nullcontext()


def require_tools(runner: remote.Runner, where: str,
                  tools: tuple[str, ...] = ('iperf3', 'ping')) -> None:
    """Fail early, naming ``where`` (e.g. the image), if a tool is missing.

    :raises exceptions.ToolMissing: with the list of missing programs.
    """
    script = '; '.join('command -v %s >/dev/null 2>&1 || echo %s'
                       % (shlex.quote(t), shlex.quote(t)) for t in tools)
    result = runner.run(script, check=False)
    missing = result.stdout.split()
    if missing:
        raise exceptions.ToolMissing(
            '%s has no %s on its PATH: use an image that provides %s (for '
            'example one built with "netperf-image build")'
            % (where, ', '.join(missing), ', '.join(missing)))


def iperf3_version(runner: remote.Runner) -> str | None:
    """The guest's iperf3 version, or None if it cannot be told."""
    result = runner.run(iperf3.version_command(), check=False)
    try:
        return iperf3.parse_version(result.stdout + result.stderr)
    except (exceptions.NetperfError, ValueError):
        return None


_DEV_RE = re.compile(r'\bdev\s+(\S+)')


def path_mtu(runner: remote.Runner, peer: str) -> int | None:
    """MTU of the guest interface that carries traffic to ``peer``."""
    route = runner.run(['ip', 'route', 'get', peer], check=False)
    match = _DEV_RE.search(route.stdout)
    if not match:
        return None
    mtu = runner.run(['cat', '/sys/class/net/%s/mtu' % match.group(1)],
                     check=False)
    try:
        return int(mtu.stdout.strip())
    except ValueError:
        return None


def run_iperf3(server: Endpoint, client: Endpoint, settings: Settings,
               udp: bool = False) -> iperf3.Iperf3Result:
    """One iperf3 run from ``client`` to ``server``.

    The server is a one-off process started in the background (the start
    returns once it listens); it is stopped afterwards whatever happened.
    """
    started = server.runner.run(
        iperf3.server_background_command(port=settings.port))
    words = started.stdout.split()
    pid = words[-1] if words and words[-1].isdigit() else None
    command = iperf3.client_command(
        server.address, port=settings.port, duration=settings.duration,
        omit=settings.omit, interval=settings.interval,
        parallel=settings.parallel, udp=udp,
        bandwidth=settings.udp_bandwidth if udp else None)
    limit = settings.duration + settings.omit + COMMAND_MARGIN
    try:
        result = client.runner.run(command, timeout=limit, check=False)
        try:
            return iperf3.parse_result(result.stdout)
        except exceptions.ToolError as exc:
            raise exceptions.ToolError(
                'iperf3 from %s to %s (%s): %s' % (
                    client.name, server.name, server.address, exc),
                reason=exc.reason) from exc
    finally:
        if pid:
            server.runner.run('kill %s 2>/dev/null; true' % pid, check=False)


def run_ping(source: Endpoint, target: Endpoint,
             settings: Settings) -> ping.PingResult:
    """Ping ``target`` from ``source``; losses are results, not errors."""
    # ping.command runs ping under LC_ALL=C; iperf3 is not translated (it
    # never calls setlocale).
    command = ping.command(
        target.address, count=settings.ping_count,
        interval=settings.ping_interval)
    limit = settings.ping_count * settings.ping_interval + COMMAND_MARGIN
    result = source.runner.run(command, timeout=limit, check=False)
    # ping reports errors such as "Network is unreachable" on stderr.
    text = result.stdout + ('\n' + result.stderr if result.stderr else '')
    try:
        return ping.parse(text, discard=settings.ping_discard)
    except exceptions.ToolError as exc:
        raise exceptions.ToolError('ping from %s to %s (%s): %s' % (
            source.name, target.name, target.address, exc)) from exc


def agree(first: float, second: float, tolerance: float) -> bool:
    """Whether two throughputs differ by at most ``tolerance`` of the max."""
    return abs(first - second) <= tolerance * max(first, second)


def warm_up(source: Endpoint, target: Endpoint, settings: Settings,
            timer: Timer = no_timer) -> Warmup | None:
    """Short forward TCP runs until two in a row agree, within the bound.

    Guests just booted give a flow that gets faster for a while (on the
    sandbox from 34-83 to 160-189 Mbit/s over its first 80 s): the rounds
    should measure the settled flow, or say that they could not.
    None when ``settings.warmup`` is 0.
    """
    if not settings.warmup:
        return None
    short = settings.warmup_settings()
    runs: list[float] = []
    settled = False
    while not settled and len(runs) < settings.warmup_runs():
        with timer('iperf3_warmup'):
            runs.append(run_iperf3(target, source, short).received_bps / 1e6)
        settled = len(runs) > 1 and agree(runs[-2], runs[-1],
                                          settings.warmup_tolerance)
    return Warmup(runs, float(len(runs) * settings.warmup_run), settled)


def _forward_tcp(source: Endpoint, target: Endpoint, settings: Settings,
                 timer: Timer) -> iperf3.Iperf3Result:
    with timer('iperf3_tcp_forward'):
        return run_iperf3(target, source, settings)


def measure_pair(source: Endpoint, target: Endpoint, settings: Settings,
                 timer: Timer = no_timer,
                 checkpoint: polling.Checkpoint = polling.never_stop,
                 watch: Watch | None = None) -> PairMeasurement:
    """Warm the flow up, then run every round of the methodology.

    :param timer: called with a step name, returns a context manager that
        times the step (Rally passes its atomic action timer).
    :param checkpoint: asked before every iperf3 and ping run, so that an
        abort waits for one run at most, not for the whole pair.
    :param watch: the first round's forward TCP run, after the warm-up,
        goes through it (a path check judges that flow by its own bytes).
    :raises exceptions.Aborted: when ``checkpoint`` gives a reason; its
        ``measured`` holds the rounds completed before the stop.
    """
    measurement = PairMeasurement(source.name, target.name, settings)

    def step(name: str) -> ContextManager:
        exceptions.Aborted.raise_if(
            checkpoint(), '(stopped %s to %s before %s, after %d of %d '
            'rounds)' % (source.name, target.name, name,
                         len(measurement.rounds), settings.rounds),
            measurement)
        return timer(name)

    measurement.warmup = warm_up(source, target, settings, step)
    forward = functools.partial(_forward_tcp, source, target, settings,
                                step)
    for index in range(settings.rounds):
        tcp_forward = (watch(forward) if watch is not None and index == 0
                       else forward())
        with step('iperf3_tcp_reverse'):
            tcp_reverse = run_iperf3(source, target, settings)
        udp_forward = udp_reverse = None
        if settings.udp:
            with step('iperf3_udp_forward'):
                udp_forward = run_iperf3(target, source, settings, udp=True)
            with step('iperf3_udp_reverse'):
                udp_reverse = run_iperf3(source, target, settings, udp=True)
        with step('ping_forward'):
            ping_forward = run_ping(source, target, settings)
        with step('ping_reverse'):
            ping_reverse = run_ping(target, source, settings)
        measurement.rounds.append(Round(
            tcp_forward, tcp_reverse, ping_forward, ping_reverse,
            udp_forward, udp_reverse))
    return measurement


def iter_throughput_series(measurement: PairMeasurement
                           ) -> Iterator[tuple[str, list[float]]]:
    """Per-second Mbit/s series of every TCP run, labelled for a chart."""
    for index, rnd in enumerate(measurement.rounds, start=1):
        for label, result in (('forward', rnd.tcp_forward),
                              ('reverse', rnd.tcp_reverse)):
            yield ('%s round %d' % (label, index),
                   list(result.throughput_series_mbps()))
