"""Boot the measurement VMs, reach them over SSH, delete them.

All servers of an iteration are created before any is waited for (with
Rally's ``wait_for_status``, see :mod:`rally_netperf.waiting`), and all
guests are waited for over SSH in parallel: the time an iteration spends
outside the measurement is the slowest guest's, not the sum.  Each guest
(:class:`openstack_netperf.guest.Guest`) keeps one SSH connection
(:class:`openstack_netperf.remote.SSHRunner`) for every command of the
iteration.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import logging
from typing import Any, Callable

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf import guest as guest_mod
from openstack_netperf.hosts import access as hosts_access
from openstack_netperf.hosts import cloud_facts
from openstack_netperf import pair
from openstack_netperf import polling
from openstack_netperf import remote
from openstack_netperf import topology
from rally_netperf import waiting

LOG = logging.getLogger(__name__)


@dataclasses.dataclass
class Access:
    """How the guests are reached over SSH."""

    username: str
    private_key: str | None
    key_name: str | None
    use_floating_ip: bool = True
    jump_host: dict[str, Any] | None = None


@dataclasses.dataclass
class Fleet:
    """The guests of one iteration and the cloud calls that manage them.

    ``record`` is the ``netperf_topology`` context's record of the
    tenant's networks, routers and security group.
    """

    nova: Any
    neutron: Any
    record: dict
    access: Access
    name_generator: Callable[[], str]
    timer: pair.Timer = pair.no_timer
    # With node access, a guest that does not answer is reported with
    # its tap's link state on its compute.
    node_access: hosts_access.NodeAccess | None = None
    # Asked while servers boot and guests come up: an abort stops the
    # waits (see rally_netperf.abort).
    checkpoint: polling.Checkpoint = polling.never_stop
    # Every server created, by VM name, even one that never became
    # ACTIVE: delete() removes them all.
    servers: dict[str, Any] = dataclasses.field(default_factory=dict,
                                                init=False)
    guests: dict[str, guest_mod.Guest] = dataclasses.field(
        default_factory=dict, init=False)
    _jump: remote.SSHRunner | None = dataclasses.field(default=None,
                                                       init=False)

    # -- boot ---------------------------------------------------------------

    def boot(self, placement: list[tuple[topology.VMSpec,
                                         cloud_facts.ComputeHost]],
             image_id: str, flavor_id: str, floating: set[str],
             config_drive: bool = False) -> None:
        """Create every server at once, wait for all, add floating IPs."""
        security_group = self.record['security_group']['name']
        hosts = {spec.name: host for spec, host in placement}
        with self.timer('netperf.boot_servers'):
            for spec, host in placement:
                network = self.record['networks'][spec.network]
                kwargs = {'nics': [{'net-id': network['id']}],
                          'security_groups': [security_group],
                          'availability_zone': host.hint}
                if self.access.key_name:
                    kwargs['key_name'] = self.access.key_name
                if config_drive:
                    kwargs['config_drive'] = True
                self.servers[spec.name] = self.nova.servers.create(
                    self.name_generator(), image_id, flavor_id, **kwargs)
            # They all build meanwhile: waiting for each in turn takes as
            # long as the slowest one.
            for name, server in self.servers.items():
                self.servers[name] = waiting.server_active(
                    server, '%s on %s' % (name, hosts[name].hint),
                    self.checkpoint)
        for name, server in self.servers.items():
            port = self.neutron.list_ports(device_id=server.id)['ports'][0]
            self.guests[name] = guest_mod.Guest(name, server.id,
                                                hosts[name].host, port)
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

    # -- SSH ----------------------------------------------------------------

    def _ssh_address(self, guest: guest_mod.Guest) -> str:
        if self.access.use_floating_ip and guest.floating_ip:
            return guest.floating_ip
        return guest.fixed_ip

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
            runners = {name: remote.SSHRunner(
                self._ssh_address(g), self.access.username,
                private_key=self.access.private_key, jump=jump,
                connect_timeout=conf.ssh_connect_timeout,
                name='guest %s' % name) for name, g in self.guests.items()}
            for name, runner in runners.items():
                self.guests[name].runner = runner
            with concurrent.futures.ThreadPoolExecutor(
                    max_workers=len(runners) or 1) as pool:
                futures = {
                    name: pool.submit(
                        runner.wait_until_ready,
                        timeout=conf.guest_ready_timeout,
                        first_interval=conf.poll_interval,
                        max_interval=conf.poll_max_interval,
                        stop=self.checkpoint)
                    for name, runner in runners.items()}
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

    def unreachable_report(self, guest: guest_mod.Guest,
                           error: Exception) -> str:
        """Why ``guest`` does not answer: console, port, FIP and tap."""
        return console.unreachable_report(
            error, guest,
            lambda server_id: self.nova.servers.get_console_output(
                server_id, length=console.TAIL_LINES * 4),
            lambda port_id: self.neutron.show_port(port_id)['port'],
            lambda fip_id: self.neutron.show_floatingip(
                fip_id)['floatingip']['status'],
            console.tap_reader(self.node_access, guest.host, guest.port_id))

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
            for name, server in self.servers.items():
                attempt('deleting server %s' % name,
                        self.nova.servers.delete, server.id)
            if self.servers:
                attempt('waiting for the servers to go',
                        waiting.servers_gone, list(self.servers.values()))
        if errors:
            raise exceptions.NetperfError(
                'Could not delete everything this iteration created (the '
                'netperf_topology cleanup retries): %s' % '; '.join(errors))
