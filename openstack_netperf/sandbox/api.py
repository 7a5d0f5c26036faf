"""A small REST client for setting up the sandbox cloud.

The sandbox code runs outside the service virtualenv, so it cannot lean
on openstacksdk; the handful of calls it needs (catalogue, service users,
external network, flavor, image, agent liveness) are plain JSON requests.
Every ``ensure_*`` looks the object up by name first, so re-running
``up`` creates nothing twice.
"""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.parse
import urllib.request
from typing import Any, Callable

from openstack_netperf import exceptions
from openstack_netperf.sandbox import settings as settings_mod

# Catalogue entries: (service name, type, API root path).
CATALOG = (
    ('glance', 'image', 'glance', ''),
    ('placement', 'placement', 'placement', ''),
    ('nova', 'compute', 'nova', '/v2.1'),
    ('neutron', 'network', 'neutron', ''),
)
SERVICE_USERS = ('glance', 'placement', 'nova', 'neutron')


class Cloud:
    """Admin access to the sandbox's APIs on the management address."""

    def __init__(self, conf: settings_mod.SandboxSettings, password: str,
                 urlopen: Callable[..., Any] = urllib.request.urlopen,
                 timeout: float = 60.0):
        self.conf = conf
        self.password = password
        self.urlopen = urlopen
        self.timeout = timeout
        self._token: str | None = None
        self._token_time = 0.0

    # Transport -------------------------------------------------------
    def _send(self, method: str, url: str, body: Any = None,
              headers: dict[str, str] | None = None,
              data: bytes | None = None) -> tuple[int, dict, bytes]:
        all_headers = {'Accept': 'application/json'}
        if body is not None:
            data = json.dumps(body).encode()
            all_headers['Content-Type'] = 'application/json'
        all_headers.update(headers or {})
        request = urllib.request.Request(url, data=data, method=method,
                                         headers=all_headers)
        try:
            with self.urlopen(request, timeout=self.timeout) as response:
                return (response.status, dict(response.headers),
                        response.read())
        except urllib.error.HTTPError as exc:
            raise exceptions.APIError(method, url, exc.code,
                                      exc.read().decode('utf-8', 'replace'))

    def token(self) -> str:
        """An admin token, renewed every 30 minutes."""
        if self._token and time.monotonic() - self._token_time < 1800:
            return self._token
        body = {'auth': {
            'identity': {'methods': ['password'], 'password': {'user': {
                'name': 'admin', 'domain': {'id': 'default'},
                'password': self.password}}},
            'scope': {'project': {'name': 'admin',
                                  'domain': {'id': 'default'}}}}}
        _status, headers, _data = self._send(
            'POST', self.conf.url('keystone', '/v3/auth/tokens'), body)
        token = {k.lower(): v for k, v in headers.items()}['x-subject-token']
        self._token, self._token_time = token, time.monotonic()
        return token

    def call(self, method: str, service: str, path: str, body: Any = None,
             headers: dict[str, str] | None = None,
             data: bytes | None = None) -> Any:
        all_headers = {'X-Auth-Token': self.token()}
        all_headers.update(headers or {})
        _status, _headers, raw = self._send(
            method, self.conf.url(service, path), body, all_headers, data)
        return json.loads(raw) if raw else None

    def find(self, service: str, path: str, key: str,
             **filters: str) -> dict | None:
        """The first listed object whose fields match ``filters``."""
        query = '&'.join('%s=%s' % (k, urllib.parse.quote(v))
                         for k, v in filters.items())
        listing = self.call('GET', service, '%s?%s' % (path, query))[key]
        for item in listing:
            if all(item.get(k) == v for k, v in filters.items()):
                return item
        return None

    # Keystone ----------------------------------------------------------
    def _ensure_named(self, path: str, key: str, body: dict) -> dict:
        found = self.find('keystone', path, key + 's', name=body['name'])
        if found:
            return found
        return self.call('POST', 'keystone', path, {key: body})[key]

    def setup_identity(self) -> None:
        """Service project, users with admin + service roles, catalogue."""
        project = self._ensure_named('/v3/projects', 'project', {
            'name': 'service', 'domain_id': 'default'})
        roles = [self._ensure_named('/v3/roles', 'role', {'name': name})
                 for name in ('admin', 'service')]
        for username in SERVICE_USERS:
            user = self._ensure_named('/v3/users', 'user', {
                'name': username, 'domain_id': 'default',
                'password': self.password})
            for role in roles:
                self.call('PUT', 'keystone',
                          '/v3/projects/%s/users/%s/roles/%s'
                          % (project['id'], user['id'], role['id']))
        for name, kind, port_name, suffix in CATALOG:
            service = self._ensure_named('/v3/services', 'service', {
                'name': name, 'type': kind})
            existing = self.call('GET', 'keystone', '/v3/endpoints?'
                                 'service_id=%s' % service['id'])
            have = {e['interface'] for e in existing['endpoints']}
            for interface in ('public', 'internal', 'admin'):
                if interface in have:
                    continue
                self.call('POST', 'keystone', '/v3/endpoints', {
                    'endpoint': {
                        'service_id': service['id'],
                        'interface': interface,
                        'region_id': self.conf.region,
                        'url': self.conf.url(port_name, suffix)}})

    # Neutron, Nova, Glance -------------------------------------------
    def agents(self) -> list[dict]:
        return self.call('GET', 'neutron', '/v2.0/agents')['agents']

    def compute_services(self) -> list[dict]:
        return self.call('GET', 'nova', '/v2.1/os-services?'
                         'binary=nova-compute')['services']

    def hypervisors(self) -> list[dict]:
        return self.call('GET', 'nova',
                         '/v2.1/os-hypervisors')['hypervisors']

    def ensure_external_network(self) -> dict:
        """The flat external network ``public`` and its floating pool."""
        conf = self.conf
        net = self.find('neutron', '/v2.0/networks', 'networks',
                        name='public')
        if net is None:
            net = self.call('POST', 'neutron', '/v2.0/networks', {
                'network': {'name': 'public', 'router:external': True,
                            'provider:network_type': 'flat',
                            'provider:physical_network': 'physnet1',
                            'shared': False}})['network']
        if not net.get('subnets'):
            self.call('POST', 'neutron', '/v2.0/subnets', {'subnet': {
                'name': 'public-subnet', 'network_id': net['id'],
                'ip_version': 4, 'cidr': conf.external_cidr,
                'gateway_ip': conf.external_gateway, 'enable_dhcp': False,
                'allocation_pools': [{'start': conf.floating_start,
                                      'end': conf.floating_end}]}})
        return net

    def create_dvr_network(self, name: str, cidr: str,
                           public_network_id: str) -> tuple[dict, dict]:
        """A network and subnet behind a DVR router with a gateway.

        What guests reached through floating IPs need; the functional
        tests and the memory benchmark boot behind one.  Returns the
        network and the router.
        """
        net = self.call('POST', 'neutron', '/v2.0/networks',
                        {'network': {'name': name}})['network']
        subnet = self.call('POST', 'neutron', '/v2.0/subnets', {'subnet': {
            'network_id': net['id'], 'ip_version': 4,
            'cidr': cidr}})['subnet']
        router = self.call('POST', 'neutron', '/v2.0/routers', {'router': {
            'name': '%s-router' % name, 'distributed': True,
            'external_gateway_info': {
                'network_id': public_network_id}}})['router']
        self.call('PUT', 'neutron', '/v2.0/routers/%s/add_router_interface'
                  % router['id'], {'subnet_id': subnet['id']})
        return net, router

    def delete_dvr_network(self, net: dict, router: dict) -> None:
        """Undo :meth:`create_dvr_network` (its guests deleted first)."""
        for subnet_id in self.call('GET', 'neutron', '/v2.0/networks/%s'
                                   % net['id'])['network']['subnets']:
            self.call('PUT', 'neutron',
                      '/v2.0/routers/%s/remove_router_interface'
                      % router['id'], {'subnet_id': subnet_id})
        self.call('DELETE', 'neutron', '/v2.0/routers/%s' % router['id'])
        self.call('DELETE', 'neutron', '/v2.0/networks/%s' % net['id'])

    def ensure_flavor(self, name: str, ram: int, vcpus: int,
                      disk: int) -> dict:
        flavors = self.call('GET', 'nova', '/v2.1/flavors')['flavors']
        for flavor in flavors:
            if flavor['name'] == name:
                return flavor
        return self.call('POST', 'nova', '/v2.1/flavors', {'flavor': {
            'name': name, 'ram': ram, 'vcpus': vcpus, 'disk': disk}})[
                'flavor']
