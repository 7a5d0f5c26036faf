"""NetPerf scenarios: VM pairs across the placement categories.

``NetPerf.measure_pair`` boots the two VMs of one category; the
``NetPerf.measure_reference_topology`` boots the reference topology once
and measures every requested category from that one boot.  Both measure
with :func:`openstack_netperf.pair.measure_pair` and report through
:mod:`rally_netperf.output`.
"""

from __future__ import annotations

import dataclasses
import inspect
import logging
import textwrap
from typing import Annotated, Any, Callable, Iterable, Literal, TypedDict

from rally.task import atomic
from rally.task import scenario
from rally.task import validation
from rally_openstack.task import scenario as os_scenario

from openstack_netperf import exceptions
from openstack_netperf import guest as guest_mod
from openstack_netperf.hosts import cloud_facts
from openstack_netperf import pair
from openstack_netperf import polling
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import abort
from rally_netperf.contexts import compute_hosts
from rally_netperf import fingerprint
from rally_netperf import guests
from rally_netperf import image_flavor
from rally_netperf import output
from rally_netperf import paths
from rally_netperf import records

LOG = logging.getLogger(__name__)
Field = scenario.Field
# The methodology's defaults, declared once in the core.
METHOD = pair.Settings

DEFAULT_CONTEXT = {
    # Host hints ("zone:host") are admin-only in Nova's default policy.
    'roles@openstack': ['admin'],
    'keypair@openstack': {},
    'netperf_compute_hosts@openstack': {},
    'netperf_topology@openstack': {},
    'cleanup@openstack': ['nova'],
}


class JumpHost(TypedDict, total=False):
    """An SSH host that reaches the guests' fixed IPs."""

    host: str
    username: str
    port: int
    key_filename: str
    private_key: str
    password: str


def _common_validators(cls):
    for name, kwargs in (
            ('required_platform', {'platform': 'openstack', 'users': True}),
            ('required_services', {'services': ['nova', 'neutron',
                                                'glance']}),
            ('netperf_args', {}),
            ('netperf_admin', {}),
            ('netperf_image_and_flavor', {}),
            ('netperf_enough_computes', {})):
        cls = validation.add(name, **kwargs)(cls)
    return cls


def _settings_args(
        duration: Annotated[int, Field(ge=1)] = METHOD.duration,
        omit: Annotated[int, Field(ge=0)] = METHOD.omit,
        interval: Annotated[float, Field(gt=0)] = METHOD.interval,
        parallel: Annotated[int, Field(ge=1)] = METHOD.parallel,
        port: Annotated[int, Field(ge=1, le=65535)] = METHOD.port,
        udp: bool = METHOD.udp, udp_bandwidth: str = METHOD.udp_bandwidth,
        ping_count: Annotated[int, Field(ge=1)] = METHOD.ping_count,
        ping_discard: Annotated[int, Field(ge=0)] = METHOD.ping_discard,
        ping_interval: Annotated[float, Field(gt=0)] = METHOD.ping_interval,
        rounds: Annotated[int, Field(ge=1)] = METHOD.rounds,
        warmup: Annotated[int, Field(ge=0)] = METHOD.warmup,
        warmup_run: Annotated[int, Field(ge=1)] = METHOD.warmup_run,
        warmup_tolerance: Annotated[float, Field(gt=0, lt=1)] = (
            METHOD.warmup_tolerance)) -> None:
    """The measurement arguments both scenarios take (pair.Settings).

    :param duration: iperf3 seconds measured after the warm-up
    :param omit: iperf3 warm-up seconds not counted
    :param interval: iperf3 reporting interval, seconds
    :param parallel: iperf3 parallel streams
    :param port: iperf3 server port
    :param udp: also measure UDP, both directions
    :param udp_bandwidth: UDP target bandwidth, iperf3 syntax
    :param ping_count: probes per ping run
    :param ping_discard: first probes not counted
    :param ping_interval: seconds between probes
    :param rounds: rounds whose median is reported
    :param warmup: most seconds of warm-up runs before round 1; 0 for none
    :param warmup_run: seconds of each warm-up run (forward TCP)
    :param warmup_tolerance: fraction by which agreeing warm-up runs may differ
    """


# How both scenarios reach their guests (the arguments before **settings),
# added to each run()'s docstring for Rally's plugin reference.
_GUEST_ACCESS_DOC = """\
:param ssh_user: user to log into the guests as
:param use_floating_ip: reach guests through floating IPs; false
    needs jump_host
:param jump_host: SSH host that reaches the fixed IPs: host,
    username and port, key_filename, private_key or password
:param config_drive: give the guests a config drive (their SSH
    key) for clouds without a metadata service
"""


def _with_settings(run: Callable) -> Callable:
    """Show ``run(..., **settings)`` to Rally with the settings arguments.

    Rally reads a scenario's arguments, their types and their docs from
    ``run()``'s signature, hints and docstring: they get the arguments of
    :func:`_settings_args` in place of ``**settings``, so the argument
    check still rejects unknown names and both scenarios declare them once.
    """
    own = [p for p in inspect.signature(run).parameters.values()
           if p.kind is not inspect.Parameter.VAR_KEYWORD]
    extra = [p.replace(kind=inspect.Parameter.KEYWORD_ONLY) for p in
             inspect.signature(_settings_args).parameters.values()]
    run.__signature__ = inspect.signature(run).replace(
        parameters=own + extra)
    run.__annotations__ = dict(run.__annotations__)
    del run.__annotations__['settings']
    run.__annotations__.update(_settings_args.__annotations__)
    del run.__annotations__['return']
    settings_doc = [line.strip() for line in
                    _settings_args.__doc__.splitlines() if ':param ' in line]
    run.__doc__ = '%s\n%s\n' % (run.__doc__.rstrip(), textwrap.indent(
        _GUEST_ACCESS_DOC + '\n'.join(settings_doc), ' ' * 8))
    return run


def boot_specs(pairs: Iterable[tuple[topology.VMSpec, topology.VMSpec]],
               boot_all: bool) -> list[topology.VMSpec]:
    """The VMs to boot: the whole reference topology, or the pairs'."""
    needed = [spec for p in pairs for spec in p]
    if boot_all:
        return list(topology.REFERENCE_VMS)
    return list(dict.fromkeys(needed))


def _address(category: topology.Category, guest: guest_mod.Guest) -> str:
    """Where the pair reaches ``guest``: across routers, its floating IP."""
    return guest.fixed_ip if category.same_router else guest.floating_ip


def _router_ids(record: dict[str, Any], src: guest_mod.Guest,
                dst: guest_mod.Guest) -> list[str]:
    """The routers of the pair's networks, whose namespaces a check reads."""
    routers = dict.fromkeys(
        record['networks'][topology.vm_spec(g.name).network]['router']
        for g in (src, dst))
    return [record['routers'][r]['id'] for r in routers]


@dataclasses.dataclass
class _Report:
    """What an iteration measured so far, category by category."""

    router_mode: str
    rounds: int
    rows: list[list[Any]] = dataclasses.field(default_factory=list)
    checked: list[paths.PathResult] = dataclasses.field(
        default_factory=list)
    measured: list[results.CategoryFigures] = dataclasses.field(
        default_factory=list)
    # The category an abort stopped between its rounds, reported with
    # the rounds it completed.
    partial: topology.Category | None = None

    def add(self, category: topology.Category,
            measurement: pair.PairMeasurement,
            path: paths.PathResult | None) -> None:
        self.measured.append(output.category_figures(category, measurement))
        if path is not None:
            self.checked.append(path)
        self.rows.append(output.summary_row(
            category, self.router_mode, measurement, path))

    def aborted_message(self, reason: str, total: int) -> str:
        """The iteration's error: how far it got, what it reports."""
        done = len(self.rows) - (self.partial is not None)
        message = '%s after %d of %d categories' % (reason, done, total)
        if self.partial is not None:
            message += '; %s stopped after %d of %d rounds' % (
                self.partial.shorthand,
                len(self.measured[-1].rounds.get('tcp_forward_mbps', ())),
                self.rounds)
        return message + ('; the outputs hold what was measured so far'
                          if self.rows else '; nothing was measured')


class NetPerfScenario(os_scenario.OpenStackScenario):
    """Boot, reach, measure and report; shared by both scenarios."""

    def _timer(self, prefix: str = ''):
        return lambda name: atomic.ActionTimer(self, prefix + name)

    def _measure(self, categories: list[topology.Category], image: str,
                 flavor: str, ssh_user: str, use_floating_ip: bool,
                 jump_host: dict[str, Any] | None, config_drive: bool,
                 settings: pair.Settings, summary: bool,
                 boot_all: bool = False) -> None:
        record = self.context['tenant']['netperf']
        hosts = [cloud_facts.ComputeHost(**h)
                 for h in self.context['netperf_computes']['hosts']]
        compute_hosts.check_enough_computes(categories, hosts)
        image_id, image_name = image_flavor.find_image(
            self.clients('glance'), image)
        flavor_id = image_flavor.find_flavor(self.clients('nova'), flavor)

        pairs = {c.id: topology.reference_pair(c) for c in categories}
        specs = boot_specs(pairs.values(), boot_all)
        floating = {s.name for s in specs} if use_floating_ip else {
            s.name for c in categories if not c.same_router
            for s in pairs[c.id]}
        keypair = self.context['user'].get('keypair') or {}
        node_access = self.context.get('netperf_node_access')
        checker = None if node_access is None else paths.PathChecker(
            node_access, self.context['netperf_computes']['facts'],
            [h.host for h in hosts],
            record['router_mode'], self._timer())
        watch = abort.AbortWatch(abort.task_uuid(self.context))
        fleet = guests.Fleet(
            self.clients('nova'), self.clients('neutron'), record,
            guests.Access(ssh_user, keypair.get('private'),
                          keypair.get('name'), use_floating_ip, jump_host),
            self.generate_random_name, self._timer(),
            checker.access if checker else None, watch.reason)
        failed = False
        try:
            fleet.boot([(s, hosts[s.compute - 1]) for s in specs],
                       image_id, flavor_id, floating, config_drive)
            exceptions.Aborted.raise_if(watch.reason(),
                                        'once the guests were booted')
            fleet.connect()
            exceptions.Aborted.raise_if(watch.reason(),
                                        'once the guests answered')
            versions = self._check_guests(fleet, image_name)
            self._fingerprint(image_id, flavor_id, versions, settings,
                              checker, [h.host for h in hosts])
            report = _Report(record['router_mode'], settings.rounds)
            try:
                for category in categories:
                    exceptions.Aborted.raise_if(watch.reason())
                    src, dst = (fleet.guests[s.name]
                                for s in pairs[category.id])
                    self._measure_and_check(
                        report, category, src, dst, checker, watch,
                        settings, versions, record, image_name, flavor)
            except exceptions.Aborted as exc:
                # What was measured so far, without the additive chart:
                # Rally pairs the n-th additive output of every iteration.
                self._add_report(report, checker, summary, chart=False)
                raise exceptions.Aborted(
                    report.aborted_message(watch.reason() or str(exc),
                                           len(categories)),
                    report.measured) from exc
            self._add_report(report, checker, summary, chart=True)
        except BaseException:
            failed = True
            raise
        finally:
            if checker is not None:
                checker.close()
            try:
                fleet.delete()
            except exceptions.NetperfError:
                # Keep the error that failed the iteration; the context's
                # cleanup removes what is left.
                if not failed:
                    raise
                LOG.exception('Deleting the servers of a failed iteration')

    def _measure_and_check(self, report: _Report,
                           category: topology.Category,
                           src: guest_mod.Guest, dst: guest_mod.Guest,
                           checker: paths.PathChecker | None,
                           watch: abort.AbortWatch, settings: pair.Settings,
                           versions: dict[str, str | None],
                           record: dict[str, Any], image_name: str,
                           flavor: str) -> None:
        """One category into ``report``, even when an abort cuts it short."""
        flow = self._flow_check(checker, category, src, dst, record)
        try:
            measurement = self._measure_category(
                category, src, dst, settings, versions, record, image_name,
                flavor, watch.reason, flow.around if flow else None)
        except exceptions.Aborted as exc:
            if exc.measured is not None and exc.measured.rounds:
                report.add(category, exc.measured, None)
                report.partial = category
            raise
        if checker is not None and flow is None and watch.reason():
            # Measured, but its burst is not sent: stop here.  A flow's
            # verdict is ready already and costs nothing more.
            report.add(category, measurement, None)
            exceptions.Aborted.raise_if(watch.reason())
        path = None if checker is None else self._check_path(
            checker, flow, category, src, dst, record)
        report.add(category, measurement, path)

    def _add_report(self, report: _Report,
                    checker: paths.PathChecker | None, summary: bool,
                    chart: bool) -> None:
        """The iteration's outputs across its categories."""
        if not report.rows:
            return
        if checker is None:
            self.add_output(complete=output.path_not_checked())
        else:
            self.add_output(complete=output.path_verdicts(
                report.checked, report.router_mode, checker.network))
        if summary:
            self.add_output(complete=output.summary_table(
                report.rows, report.rounds))
            if chart:
                # Last of the additive outputs: Rally pairs the n-th
                # output of every iteration, and an iteration that failed
                # stops short of this one.
                self.add_output(additive=output.category_chart(
                    report.router_mode, report.measured, report.checked))

    def _check_guests(self, fleet: guests.Fleet,
                      image_name: str) -> dict[str, str | None]:
        with atomic.ActionTimer(self, 'netperf.check_guests'):
            versions = {}
            for guest in fleet.guests.values():
                pair.require_tools(guest.runner, 'guest %s (image %r)'
                                   % (guest.name, image_name))
                versions[guest.name] = pair.iperf3_version(guest.runner)
            return versions

    def _fingerprint(self, image_id: str, flavor_id: str,
                     versions: dict[str, str | None],
                     settings: pair.Settings,
                     checker: paths.PathChecker | None,
                     computes: list[str]) -> None:
        """Record what this iteration measured on (its own output)."""
        record = self.context['tenant']['netperf']
        if checker is None:
            runner, network = None, self.context['netperf_computes'][
                'facts'].central_nodes(record['router_mode'])
        else:
            runner, network = checker.access.runner, checker.network
        admin = (self.admin_clients
                 if getattr(self, '_admin_clients', None) else None)
        with atomic.ActionTimer(self, 'netperf.fingerprint'):
            facts = fingerprint.gather(
                self.clients, admin, record['networks'], image_id,
                flavor_id, versions, settings, runner,
                dict.fromkeys(network + computes))
        self.add_output(complete=records.encode_fingerprint(facts))

    @staticmethod
    def _flow_check(checker: paths.PathChecker | None,
                    category: topology.Category, src: guest_mod.Guest,
                    dst: guest_mod.Guest,
                    record: dict[str, Any]) -> paths.FlowCheck | None:
        """The check around the measured flow, unless bursts are wanted."""
        if checker is None:
            return None
        return checker.flow(category, src.name, _address(category, dst),
                            _router_ids(record, src, dst))

    def _check_path(self, checker: paths.PathChecker,
                    flow: paths.FlowCheck | None,
                    category: topology.Category, src: guest_mod.Guest,
                    dst: guest_mod.Guest,
                    record: dict[str, Any]) -> paths.PathResult:
        """The verdict of the forward flow, recorded in the outputs.

        From the measured flow itself when ``flow`` watched it; else from
        a ping burst sent now.
        """
        if flow is not None:
            result = flow.result()
        else:
            result = checker.check(category, src.runner,
                                   _address(category, dst),
                                   _router_ids(record, src, dst))
        self.add_output(additive=output.path_marker(result))
        self.add_output(complete=output.path_evidence(result))
        return result

    def _measure_category(self, category: topology.Category,
                          src: guest_mod.Guest, dst: guest_mod.Guest,
                          settings: pair.Settings,
                          versions: dict[str, str | None],
                          record: dict[str, Any], image_name: str,
                          flavor: str, checkpoint: polling.Checkpoint,
                          flow: pair.Watch | None = None
                          ) -> pair.PairMeasurement:
        """Measure one pair and add its outputs.

        :param flow: passed to :func:`pair.measure_pair` as its ``watch``.
        :raises exceptions.Aborted: from ``checkpoint``, after adding the
            outputs of the rounds completed, if any.
        """
        source = pair.Endpoint(src.name, src.runner,
                               _address(category, src))
        target = pair.Endpoint(dst.name, dst.runner,
                               _address(category, dst))
        stopped = None
        try:
            measurement = pair.measure_pair(
                source, target, settings,
                timer=self._timer('%s ' % category.shorthand),
                checkpoint=checkpoint, watch=flow)
        except exceptions.Aborted as exc:
            if exc.measured is None or not exc.measured.rounds:
                raise
            measurement, stopped = exc.measured, exc
        for item in output.additive(category, measurement):
            self.add_output(additive=item)
        self.add_output(complete=output.rounds_record(category, measurement))
        self.add_output(complete=output.throughput_chart(category,
                                                         measurement))
        self.add_output(complete=output.rtt_chart(category, measurement))
        networks = record['networks']
        nets = [topology.vm_spec(g.name).network for g in (src, dst)]
        modes = {h['host']: h.get('l3_agent_mode')
                 for h in self.context['netperf_computes']['hosts']}
        facts = [
            ('category', '%s (%s)' % (category.id, category.shorthand)),
            ('router mode', record['router_mode']),
            ('expected to cross the network node',
             category.crosses_network_node(record['router_mode'])),
            ('source', '%s on %s, %s' % (src.name, src.host, src.fixed_ip)),
            ('target', '%s on %s, %s' % (dst.name, dst.host, dst.fixed_ip)),
            ('target address used', target.address),
            ('L3 agent modes', '%s: %s, %s: %s' % (
                src.host, modes.get(src.host), dst.host,
                modes.get(dst.host))),
            ('network MTU (Neutron)', ', '.join(
                '%s %s' % (net, networks[net]['mtu']) for net in nets)),
            ('path MTU in the source guest',
             pair.path_mtu(src.runner, target.address)),
            ('iperf3 versions', '%s: %s, %s: %s' % (
                src.name, versions.get(src.name), dst.name,
                versions.get(dst.name))),
            ('image, flavor', '%s, %s' % (image_name, flavor)),
            ('iperf3', '%d s measured after %d s warm-up, %d stream(s)%s'
             % (settings.duration, settings.omit, settings.parallel,
                ', UDP at %s' % settings.udp_bandwidth
                if settings.udp else '')),
            ('ping', '%d probes every %g s, first %d discarded'
             % (settings.ping_count, settings.ping_interval,
                settings.ping_discard)),
            ('rounds (median reported)', settings.rounds if stopped is None
             else '%d of %d (%s)' % (len(measurement.rounds),
                                     settings.rounds, stopped)),
            ('warm-up before round 1', 'off' if measurement.warmup is None
             else '%s; forward TCP runs of %d s until two in a row agree '
             'within %g%%, at most %d s' % (
                 measurement.warmup.describe(), settings.warmup_run,
                 100 * settings.warmup_tolerance, settings.warmup)),
        ]
        self.add_output(complete=output.what_was_measured(category, facts))
        if stopped is not None:
            raise stopped
        return measurement


@_common_validators
@os_scenario.configure(name='NetPerf.measure_pair', context=DEFAULT_CONTEXT)
class MeasurePair(NetPerfScenario):

    @_with_settings
    def run(self, image: str, flavor: str,
            category: str = 'inter_node_inter_subnet',
            ssh_user: str = 'root', use_floating_ip: bool = True,
            jump_host: JumpHost | None = None,
            config_drive: bool = False, **settings: Any):
        """Boot the VM pair of one placement category and measure it.

        Router mode and hosts come from the netperf_topology and
        netperf_compute_hosts contexts.

        :param image: Glance image name or id; needs iperf3, ping, sshd
        :param flavor: Nova flavor name or id
        :param category: placement category id or thesis shorthand
        """
        self._measure([topology.get_category(category)], image, flavor,
                      ssh_user, use_floating_ip, jump_host, config_drive,
                      pair.Settings(**settings), summary=False)


@_common_validators
@os_scenario.configure(name='NetPerf.measure_reference_topology',
                       context=DEFAULT_CONTEXT)
class MeasureReferenceTopology(NetPerfScenario):

    @_with_settings
    def run(self, image: str, flavor: str,
            categories: list[str] | None = None,
            boot: Literal['all', 'needed'] = 'all',
            ssh_user: str = 'root', use_floating_ip: bool = True,
            jump_host: JumpHost | None = None,
            config_drive: bool = False, **settings: Any):
        """Boot the reference topology once and measure every category.

        Boots the seven VMs of thesis Table 4.4 in parallel: A1, A3, B1,
        C1 on compute 1 and A2, B2, C2 on compute 2 (C1 is in no measured
        pair but shares compute 1, as in the thesis).  Reports a results
        table with one row per category.

        :param image: Glance image name or id; needs iperf3, ping, sshd
        :param flavor: Nova flavor name or id
        :param categories: category ids or shorthands; empty means all
        :param boot: "all" boots the whole reference topology; "needed"
            only the VMs of the requested categories' pairs
        """
        self._measure(topology.get_categories(categories), image, flavor,
                      ssh_user, use_floating_ip, jump_host, config_drive,
                      pair.Settings(**settings), summary=True,
                      boot_all=boot == 'all')
