"""Guests on the sandbox, booted without Rally or Tempest.

The sandbox's own functional test and the benchmarks need a few guests on
chosen computes, reachable over SSH through floating IPs with the
sandbox's key (delivered by config drive), behind a DVR router: this is
that, over the admin REST client of :mod:`openstack_netperf.sandbox.api`.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any, Callable, Iterator

from openstack_netperf import exceptions
from openstack_netperf import guest
from openstack_netperf import polling
from openstack_netperf.sandbox import api
from openstack_netperf.sandbox import envfiles


def open_default_groups(cloud: api.Cloud) -> None:
    """Let ICMP and TCP into every ``default`` security group."""
    groups = cloud.call('GET', 'neutron', '/v2.0/security-groups?'
                        'name=default')['security_groups']
    for group in groups:
        for protocol in ('icmp', 'tcp'):
            try:
                cloud.call('POST', 'neutron', '/v2.0/security-group-rules',
                           {'security_group_rule': {
                               'security_group_id': group['id'],
                               'direction': 'ingress',
                               'protocol': protocol}})
            except exceptions.APIError as exc:
                if exc.status != 409:  # the rule exists already
                    raise


def ensure_keypair(cloud: api.Cloud, name: str, public_key: str) -> None:
    """The admin's key pair ``name`` holding ``public_key``."""
    try:
        cloud.call('GET', 'nova', '/v2.1/os-keypairs/%s' % name)
    except exceptions.APIError as exc:
        if exc.status != 404:
            raise
        cloud.call('POST', 'nova', '/v2.1/os-keypairs', {'keypair': {
            'name': name, 'public_key': public_key}})


def boot(cloud: api.Cloud, ids: envfiles.CloudIds, network: dict,
         hosts: list[str], prefix: str, key_name: str | None = None,
         floating: bool = True, timeout: float = 600.0,
         sleep: Callable[[float], None] = time.sleep,
         clock: Callable[[], float] = time.monotonic) -> list[guest.Guest]:
    """Boot one guest per entry of ``hosts`` on ``network``; wait ACTIVE.

    Guests get the sandbox image and flavor, a config drive, and, when
    ``floating``, a floating IP from the external network.
    """
    servers: list[str] = []
    booted: list[guest.Guest] = []
    try:
        for index, host in enumerate(hosts):
            servers.append(_post_server(cloud, ids, network, host,
                                        '%s-%d' % (prefix, index), key_name))
        active = wait_active(cloud, servers, timeout, sleep, clock)
        for server_id in servers:
            booted.append(_guest(cloud, ids, active[server_id], floating))
    except Exception:
        # The caller never gets the list: what was created goes here.
        _remove(cloud, servers, [g.floating_ip_id for g in booted
                                 if g.floating_ip_id], sleep=sleep,
                clock=clock)
        raise
    return booted


def _post_server(cloud: api.Cloud, ids: envfiles.CloudIds, network: dict,
                 host: str, name: str, key_name: str | None) -> str:
    body = {'name': name, 'imageRef': ids.image_id,
            'flavorRef': ids.flavor_id, 'config_drive': True,
            'networks': [{'uuid': network['id']}],
            'availability_zone': 'nova:%s' % host}
    if key_name:
        body['key_name'] = key_name
    return cloud.call('POST', 'nova', '/v2.1/servers',
                      {'server': body})['server']['id']


def _guest(cloud: api.Cloud, ids: envfiles.CloudIds, server: dict,
           floating: bool) -> guest.Guest:
    """An ACTIVE server as a Guest, with a floating IP if asked for."""
    port = cloud.call('GET', 'neutron', '/v2.0/ports?device_id=%s'
                      % server['id'])['ports'][0]
    booted = guest.Guest(server['name'], server['id'],
                         server['OS-EXT-SRV-ATTR:host'], port)
    if floating:
        fip = cloud.call('POST', 'neutron', '/v2.0/floatingips', {
            'floatingip': {'floating_network_id': ids.public_network_id,
                           'port_id': port['id']}})['floatingip']
        booted.floating_ip = fip['floating_ip_address']
        booted.floating_ip_id = fip['id']
    return booted


def wait_active(cloud: api.Cloud, server_ids: list[str], timeout: float,
                sleep: Callable[[float], None] = time.sleep,
                clock: Callable[[], float] = time.monotonic
                ) -> dict[str, dict]:
    """Every server once ACTIVE, by id; BootFailed on ERROR."""
    pending = list(server_ids)
    done: dict[str, dict] = {}

    def all_active() -> bool:
        for server_id in list(pending):
            server = cloud.call('GET', 'nova', '/v2.1/servers/%s'
                                % server_id)['server']
            if server['status'] == 'ERROR':
                raise exceptions.BootFailed('guest %s went to ERROR: %s' % (
                    server['name'], server.get('fault', {}).get(
                        'message', 'no fault recorded')))
            if server['status'] == 'ACTIVE':
                done[server_id] = server
                pending.remove(server_id)
        return not pending

    polling.poll(all_active, timeout, 'guests %s becoming ACTIVE'
                 % ', '.join(server_ids), interval=2,
                 error=exceptions.BootFailed, sleep=sleep, clock=clock)
    return done


def delete(cloud: api.Cloud, booted: list[guest.Guest],
           timeout: float = 300.0,
           sleep: Callable[[float], None] = time.sleep,
           clock: Callable[[], float] = time.monotonic) -> None:
    """Delete the guests and their floating IPs; wait for the servers."""
    _remove(cloud, [g.server_id for g in booted],
            [g.floating_ip_id for g in booted if g.floating_ip_id],
            timeout, sleep, clock)


def _remove(cloud: api.Cloud, server_ids: list[str],
            floating_ip_ids: list[str], timeout: float = 300.0,
            sleep: Callable[[float], None] = time.sleep,
            clock: Callable[[], float] = time.monotonic) -> None:
    for fip_id in floating_ip_ids:
        _delete(cloud, 'neutron', '/v2.0/floatingips/%s' % fip_id)
    request_delete(cloud, server_ids)
    wait_gone(cloud, server_ids, timeout, sleep, clock)


def request_delete(cloud: api.Cloud, server_ids: list[str]) -> None:
    """Ask Nova to delete the servers; do not wait for them to go."""
    for server_id in server_ids:
        _delete(cloud, 'nova', '/v2.1/servers/%s' % server_id)


def wait_gone(cloud: api.Cloud, server_ids: list[str],
              timeout: float = 300.0,
              sleep: Callable[[float], None] = time.sleep,
              clock: Callable[[], float] = time.monotonic) -> None:
    """Wait until Nova no longer knows the servers."""
    remaining = list(server_ids)

    def all_gone() -> bool:
        remaining[:] = [s for s in remaining
                        if _exists(cloud, '/v2.1/servers/%s' % s)]
        return not remaining

    polling.poll(all_gone, timeout, 'deleting guests %s'
                 % ', '.join(server_ids), interval=2, sleep=sleep,
                 clock=clock)


def _delete(cloud: api.Cloud, service: str, path: str) -> None:
    try:
        cloud.call('DELETE', service, path)
    except exceptions.APIError as exc:
        if exc.status != 404:
            raise


def _exists(cloud: api.Cloud, path: str) -> bool:
    try:
        cloud.call('GET', 'nova', path)
    except exceptions.APIError as exc:
        if exc.status == 404:
            return False
        raise
    return True


@contextlib.contextmanager
def behind_dvr_router(cloud: api.Cloud, ids: envfiles.CloudIds, name: str,
                      cidr: str, hosts: list[str], prefix: str,
                      **boot_args: Any) -> Iterator[list[guest.Guest]]:
    """Guests (:func:`boot`) on a new network behind a new DVR router.

    Guests, network and router are deleted on leaving, also on failure:
    a benchmark that keeps the sandbox up must not leave idle guests
    taking CPU from the next one.
    """
    net, router = cloud.create_dvr_network(name, cidr, ids.public_network_id)
    booted: list[guest.Guest] = []
    try:
        booted = boot(cloud, ids, net, hosts, prefix, **boot_args)
        yield booted
    finally:
        delete(cloud, booted)
        cloud.delete_dvr_network(net, router)
