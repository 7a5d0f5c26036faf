"""Boot the measurement VMs, reach them over SSH, delete them.

All servers of an iteration are created at once and polled together, and
all guests are waited for over SSH in parallel: the time an iteration
spends outside the measurement is the slowest guest's, not the sum.  Each
guest keeps one SSH connection (:class:`openstack_netperf.remote.SSHRunner`)
for every command of the iteration.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import dataclasses
import logging
from typing import Any, Callable, ContextManager

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf.hosts import cloud_facts
from openstack_netperf import remote
from openstack_netperf import topology
from rally_netperf import waiting

LOG = logging.getLogger(__name__)

Timer = Callable[[str], ContextManager]


@dataclasses.dataclass
class Guest:
    """One VM of the reference topology as booted in this iteration."""

    spec: topology.VMSpec
    host: cloud_facts.ComputeHost
    server: Any = None
    port_id: str | None = None
    fixed_ip: str | None = None
    floating_ip: str | None = None
    floating_ip_id: str | None = None
    runner: remote.SSHRunner | None = None

    @property
    def name(self) -> str:
        return self.spec.name


@dataclasses.dataclass
class Access:
    """How the guests are reached over SSH."""

    username: str
    private_key: str | None
    key_name: str | None
    use_floating_ip: bool = True
    jump_host: dict[str, Any] | None = None


class Fleet:
    """The guests of one iteration and the cloud calls that manage them."""

    def __init__(self, nova: Any, neutron: Any, network_record: dict,
                 access: Access, name_generator: Callable[[], str],
                 timer: Timer = lambda _name: contextlib.nullcontext()):
        self.nova = nova
        self.neutron = neutron
        self.record = network_record
        self.access = access
        self.name_generator = name_generator
        self.timer = timer
        self.guests: dict[str, Guest] = {}
        self._jump: remote.SSHRunner | None = None

    # -- boot ---------------------------------------------------------------

    def boot(self, placement: list[tuple[topology.VMSpec,
                                         cloud_facts.ComputeHost]],
             image_id: str, flavor_id: str, floating: set[str],
             config_drive: bool = False) -> None:
        """Create every server at once, wait for all, add floating IPs."""
        security_group = self.record['security_group']['name']
        with self.timer('netperf.boot_servers'):
            for spec, host in placement:
                guest = Guest(spec, host)
                self.guests[spec.name] = guest
                network = self.record['networks'][spec.network]
                kwargs = {'nics': [{'net-id': network['id']}],
                          'security_groups': [security_group],
                          'availability_zone': host.hint}
                if self.access.key_name:
                    kwargs['key_name'] = self.access.key_name
                if config_drive:
                    kwargs['config_drive'] = True
                guest.server = self.nova.servers.create(
                    self.name_generator(), image_id, flavor_id, **kwargs)
            self._wait_active()
        for guest in self.guests.values():
            port = self.neutron.list_ports(
                device_id=guest.server.id)['ports'][0]
            guest.port_id = port['id']
            guest.fixed_ip = port['fixed_ips'][0]['ip_address']
        wanted = [g for g in self.guests.values() if g.name in floating]
        if wanted:
            with self.timer('netperf.create_floating_ips'):
                for guest in wanted:
                    fip = self.neutron.create_floatingip({'floatingip': {
                        'floating_network_id':
                            self.record['external_network']['id'],
                        'port_id': guest.port_id}})['floatingip']
                    guest.floating_ip_id = fip['id']
                    guest.floating_ip = fip['floating_ip_address']

    def _wait_active(self) -> None:
        pending = {g.server.id: g for g in self.guests.values()}

        def all_active() -> bool:
            for server_id, guest in list(pending.items()):
                server = self.nova.servers.get(server_id)
                guest.server = server
                if server.status == 'ACTIVE':
                    del pending[server_id]
                elif server.status == 'ERROR':
                    fault = getattr(server, 'fault', None) or {}
                    raise exceptions.BootFailed(
                        'Server for %s on %s went to ERROR: %s' % (
                            guest.name, guest.host.hint,
                            fault.get('message', 'no fault message')))
            return not pending

        waiting.poll(all_active, waiting.settings().server_boot_timeout,
                     'servers becoming ACTIVE')

    # -- SSH ----------------------------------------------------------------

    def _ssh_address(self, guest: Guest) -> str:
        if self.access.use_floating_ip and guest.floating_ip:
            return guest.floating_ip
        return guest.fixed_ip or ''

    def _jump_runner(self) -> remote.SSHRunner | None:
        spec = self.access.jump_host
        if not spec:
            return None
        if self._jump is None:
            self._jump = remote.SSHRunner(
                spec['host'], spec['username'], port=spec.get('port', 22),
                key_filename=spec.get('key_filename'),
                private_key=spec.get('private_key'),
                password=spec.get('password'),
                connect_timeout=waiting.settings().ssh_connect_timeout,
                name='jump host %s' % spec['host'])
            self._jump.connect()
        return self._jump

    def connect(self) -> dict[str, float]:
        """Wait until every guest runs commands over SSH, in parallel.

        :returns: seconds each guest took, by VM name.
        """
        conf = waiting.settings()
        with self.timer('netperf.wait_for_ssh'):
            jump = None if self.access.use_floating_ip else \
                self._jump_runner()
            for guest in self.guests.values():
                guest.runner = remote.SSHRunner(
                    self._ssh_address(guest), self.access.username,
                    private_key=self.access.private_key, jump=jump,
                    connect_timeout=conf.ssh_connect_timeout,
                    name='guest %s' % guest.name)
            with concurrent.futures.ThreadPoolExecutor(
                    max_workers=len(self.guests) or 1) as pool:
                futures = {
                    name: pool.submit(
                        g.runner.wait_until_ready,
                        timeout=conf.guest_ready_timeout,
                        first_interval=conf.poll_interval,
                        max_interval=conf.poll_max_interval)
                    for name, g in self.guests.items()}
                # Every wait ends before the runners may be closed: a
                # guest that cannot be reached fails the iteration once the
                # others are done waiting too.
                concurrent.futures.wait(futures.values())
            for name, future in futures.items():
                error = future.exception()
                if isinstance(error, exceptions.CommandTimeout):
                    raise exceptions.CommandTimeout(self.unreachable_report(
                        self.guests[name], error)) from error
            return {name: f.result() for name, f in futures.items()}

    def unreachable_report(self, guest: Guest, error: Exception) -> str:
        """Why ``guest`` does not answer: console, port and FIP state."""
        return console.unreachable_report(
            error, '%s on %s' % (guest.server.id, guest.host.host),
            lambda: self.nova.servers.get_console_output(
                guest.server, length=console.TAIL_LINES * 4),
            lambda: self.neutron.show_port(guest.port_id)['port'],
            guest.floating_ip,
            lambda: self.neutron.show_floatingip(
                guest.floating_ip_id)['floatingip']['status'])

    # -- delete -------------------------------------------------------------

    def delete(self) -> None:
        """Close connections, delete floating IPs and servers; wait.

        Every resource is attempted even when one fails; the failures are
        raised together at the end.
        """
        errors = []

        def attempt(what: str, call: Callable[..., Any], *args: Any) -> None:
            try:
                waiting.ignore_missing(call, *args)
            except Exception as exc:
                LOG.warning('netperf: %s failed: %s', what, exc)
                errors.append('%s: %s' % (what, exc))

        with self.timer('netperf.delete_servers'):
            for guest in self.guests.values():
                if guest.runner is not None:
                    guest.runner.close()
            if self._jump is not None:
                self._jump.close()
            for guest in self.guests.values():
                if guest.floating_ip_id:
                    attempt('deleting the floating IP of %s' % guest.name,
                            self.neutron.delete_floatingip,
                            guest.floating_ip_id)
            ids = [g.server.id for g in self.guests.values() if g.server]
            for guest in self.guests.values():
                if guest.server:
                    attempt('deleting server %s' % guest.name,
                            self.nova.servers.delete, guest.server.id)
            if ids:
                attempt('waiting for the servers to go',
                        waiting.wait_servers_gone, self.nova, ids)
        if errors:
            raise exceptions.NetperfError(
                'Could not delete everything this iteration created (the '
                'netperf_topology cleanup retries): %s' % '; '.join(errors))
