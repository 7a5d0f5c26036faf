"""Fakes for the Rally plugin tests: a guest runner and OpenStack clients.

The guest runner answers iperf3 and ping with output captured from real
runs (tests/unit/data); the clients keep just enough
state in memory to check what was created and deleted.
"""

from __future__ import annotations

import itertools
import os
import types

from oslo_config import cfg
from oslo_config import fixture as config_fixture
from rally import plugins

from openstack_netperf import exceptions
from openstack_netperf import fingerprint
from openstack_netperf import remote
from rally_netperf import opts

BURST_FILE = '/tmp/netperf-burst-'
DATA = os.path.join(os.path.dirname(os.path.dirname(__file__)), 'data')


def captured(*path: str) -> str:
    with open(os.path.join(DATA, *path)) as handle:
        return handle.read()


def fast_polling(test) -> None:
    """Rally's server polls and the plugin's SSH polls, fast, for ``test``.

    Loading Rally's plugins registers ``[openstack]`` and ``[netperf]``
    as a Rally run does.
    """
    plugins.load()
    conf = test.useFixture(config_fixture.Config(cfg.CONF))
    conf.config(group='openstack', nova_server_boot_poll_interval=0.01,
                nova_server_boot_timeout=2.0,
                nova_server_delete_poll_interval=0.01,
                nova_server_delete_timeout=2.0)
    conf.config(group=opts.GROUP, poll_interval=0.05, poll_max_interval=0.1)


class TaskRecord:
    """Like Rally's ``objects.Task`` in a context: ``get`` is a DB lookup."""

    def __init__(self, uuid: str):
        self._values = {'uuid': uuid}

    def __getitem__(self, key: str):
        return self._values[key]

    @classmethod
    def get(cls, uuid, detailed=False):
        raise AssertionError('objects.Task.get(%r) looks a task up in '
                             'Rally\'s database' % uuid)


class FakeGuestRunner:
    """A guest that has iperf3 and ping, and records what it was asked."""

    def __init__(self, name: str, missing: tuple[str, ...] = (),
                 iperf3_output: str | None = None,
                 unreachable: bool = False):
        self.name = name
        self.missing = missing
        self.iperf3_output = iperf3_output
        self.unreachable = unreachable
        self.commands: list[str] = []
        self.closed = False
        self.bursts = 0

    def _answer(self, line: str) -> tuple[int, str, str]:
        line = line.removeprefix('env LC_ALL=C ')  # ping.command's locale
        if line.startswith('command -v'):
            return 0, ''.join('%s\n' % t for t in self.missing), ''
        if line.startswith('iperf3 --version'):
            return 0, captured('iperf3', 'version.txt'), ''
        if 'iperf3 -s ' in line:
            return 0, '4242\n', ''
        if line.startswith('iperf3 -c'):
            if self.iperf3_output is not None:
                return 1, self.iperf3_output, ''
            name = 'udp.json' if ' -u' in line else 'tcp.json'
            return 0, captured('iperf3', name), ''
        if line.startswith('ping ') and BURST_FILE in line:
            # A path-check burst keeps its output in a file.
            self.bursts += 1
            return 0, '', ''
        if line.startswith('cat %s' % BURST_FILE):
            return 0, captured('ping', 'iputils_normal.txt'), ''
        if line.startswith('rm -f %s' % BURST_FILE):
            return 0, '', ''
        if line.startswith('ping '):
            return 0, captured('ping', 'iputils_normal.txt'), ''
        if line.startswith('ip route get'):
            return 0, '%s dev eth0 src 198.19.11.5 uid 0\n' % (
                line.split()[-1]), ''
        if line.startswith('cat /sys/class/net/eth0/mtu'):
            return 0, '1450\n', ''
        if line.startswith('kill') or line == 'true':
            return 0, '', ''
        if line == fingerprint.NODE_SCRIPT:
            # A node (fake runners serve nodes too): real node output.
            return 0, captured('hosts', 'fingerprint-node.txt'), ''
        return 127, '', 'sh: %s: not found' % line.split()[0]

    def run(self, command, timeout=None, check=True):
        line = remote.to_shell(command)
        self.commands.append(line)
        status, out, err = self._answer(line)
        result = remote.CommandResult(line, status, out, err)
        if check and status:
            raise exceptions.CommandFailed(self.name, result)
        return result

    def connect(self):
        self.commands.append('<connect>')

    def wait_until_ready(self, timeout=300.0, first_interval=0.5,
                         max_interval=5.0, stop=None):
        if stop is not None:
            exceptions.Aborted.raise_if(stop(), 'while waiting for %s'
                                        % self.name)
        if self.unreachable:
            raise exceptions.CommandTimeout(
                '%s: not reachable over SSH after %.0fs; last error: timed '
                'out' % (self.name, timeout))
        self.run('true')
        return 0.01

    def close(self):
        self.closed = True


class NotFound(Exception):
    """What the python-*client libraries raise for a missing resource.

    novaclient says so in ``code``, neutronclient in ``status_code``.
    """

    code = status_code = 404


_ids = itertools.count(1)


def new_id(prefix: str) -> str:
    return '%s-%04d' % (prefix, next(_ids))


class FakeNeutron:
    """In-memory Neutron with the calls the plugin makes."""

    def __init__(self, external_networks=({'id': 'ext-net',
                                           'name': 'public'},)):
        self.networks = {n['id']: dict(n, **{'router:external': True})
                         for n in external_networks}
        self.subnets = {'ext-subnet': {'id': 'ext-subnet',
                                       'network_id': 'ext-net',
                                       'cidr': '198.18.100.0/24',
                                       'ip_version': 4}}
        self.routers: dict[str, dict] = {}
        self.ports: dict[str, dict] = {}
        self.floatingips: dict[str, dict] = {}
        self.security_groups: dict[str, dict] = {}
        self.rules: list[dict] = []
        self.rule_requests = 0
        self.interfaces: list[tuple[str, str]] = []
        # The L3 agents first (tests change them by index), then OVS.
        self.agents = [
            {'host': 'network', 'alive': True, 'admin_state_up': True,
             'agent_type': 'L3 agent',
             'configurations': {'agent_mode': 'dvr_snat'}},
            {'host': 'compute-01', 'alive': True, 'admin_state_up': True,
             'agent_type': 'L3 agent',
             'configurations': {'agent_mode': 'dvr'}},
            {'host': 'compute-02', 'alive': True, 'admin_state_up': True,
             'agent_type': 'L3 agent',
             'configurations': {'agent_mode': 'dvr'}},
        ] + [{'host': host, 'alive': True, 'admin_state_up': True,
              'agent_type': 'Open vSwitch agent', 'configurations': {}}
             for host in ('network', 'compute-01', 'compute-02')]
        self.extensions = [{'alias': 'router'}, {'alias': 'dvr'}]
        self.fail_on: str | None = None

    def _maybe_fail(self, call: str) -> None:
        if self.fail_on == call:
            raise RuntimeError('injected failure in %s' % call)

    def list_networks(self, **filters):
        nets = [n for n in self.networks.values()
                if all(n.get(k) == v for k, v in filters.items())]
        return {'networks': nets}

    def create_network(self, body):
        self._maybe_fail('create_network')
        net = dict(body['network'], id=new_id('net'), mtu=1450)
        self.networks[net['id']] = net
        return {'network': net}

    def show_network(self, net_id):
        self._maybe_fail('show_network')
        # As an admin sees it: with the provider attributes.
        return {'network': dict(self.networks[net_id], **{
            'provider:network_type': 'vxlan',
            'provider:segmentation_id': 1001})}

    def delete_network(self, net_id):
        if net_id not in self.networks:
            raise NotFound(net_id)
        if any(p['network_id'] == net_id for p in self.ports.values()):
            raise RuntimeError('network %s in use' % net_id)
        del self.networks[net_id]
        for sid in [s for s, v in self.subnets.items()
                    if v['network_id'] == net_id]:
            del self.subnets[sid]

    def list_subnets(self, network_id=None):
        return {'subnets': [s for s in self.subnets.values()
                            if network_id in (None, s['network_id'])]}

    def create_subnet(self, body):
        self._maybe_fail('create_subnet')
        subnet = dict(body['subnet'], id=new_id('subnet'))
        self.subnets[subnet['id']] = subnet
        return {'subnet': subnet}

    def create_router(self, body):
        self._maybe_fail('create_router')
        router = dict(body['router'], id=new_id('router'))
        self.routers[router['id']] = router
        return {'router': router}

    def add_interface_router(self, router_id, body):
        self.interfaces.append((router_id, body['subnet_id']))

    def remove_interface_router(self, router_id, body):
        self.interfaces.remove((router_id, body['subnet_id']))

    def remove_gateway_router(self, router_id):
        self.routers[router_id].pop('external_gateway_info', None)

    def delete_router(self, router_id):
        if any(r == router_id for r, _s in self.interfaces):
            raise RuntimeError('router %s has interfaces' % router_id)
        del self.routers[router_id]

    def create_security_group(self, body):
        group = dict(body['security_group'], id=new_id('sg'))
        self.security_groups[group['id']] = group
        return {'security_group': group}

    def create_security_group_rule(self, body):
        self.rule_requests += 1
        self.rules.extend(body['security_group_rules'])

    def delete_security_group(self, group_id):
        del self.security_groups[group_id]

    def list_ports(self, network_id=None, device_id=None):
        return {'ports': [p for p in self.ports.values()
                          if network_id in (None, p['network_id'])
                          and device_id in (None, p['device_id'])]}

    def delete_port(self, port_id):
        if port_id not in self.ports:
            raise NotFound(port_id)
        del self.ports[port_id]

    def list_floatingips(self):
        return {'floatingips': list(self.floatingips.values())}

    def create_floatingip(self, body):
        fip = dict(body['floatingip'], id=new_id('fip'),
                   floating_ip_address='198.18.100.%d'
                   % (100 + len(self.floatingips)))
        self.floatingips[fip['id']] = fip
        return {'floatingip': fip}

    def show_floatingip(self, fip_id):
        return {'floatingip': dict(self.floatingips[fip_id],
                                   status='ACTIVE')}

    def show_port(self, port_id):
        return {'port': dict(self.ports[port_id], status='DOWN',
                             **{'binding:host_id': 'compute-01',
                                'binding:vif_type': 'ovs'})}

    def delete_floatingip(self, fip_id):
        if fip_id not in self.floatingips:
            raise NotFound(fip_id)
        del self.floatingips[fip_id]

    def list_agents(self):
        self._maybe_fail('list_agents')
        return {'agents': list(self.agents)}

    def list_extensions(self):
        return {'extensions': list(self.extensions)}


class _Servers:
    def __init__(self, nova):
        self.nova = nova

    def create(self, name, image, flavor, nics, **kwargs):
        self.nova._maybe_fail('create')
        server = types.SimpleNamespace(
            id=new_id('server'), name=name, image=image, flavor=flavor,
            status='BUILD', polls=0, kwargs=kwargs, nics=nics, manager=self)
        self.nova.servers_by_id[server.id] = server
        network_id = nics[0]['net-id']
        port_id = new_id('port')
        count = len(self.nova.neutron.ports) + 10
        self.nova.neutron.ports[port_id] = {
            'id': port_id, 'network_id': network_id,
            'device_id': server.id, 'device_owner': 'compute:nova',
            'fixed_ips': [{'ip_address': '198.19.1.%d' % count}]}
        return server

    def get(self, server_id):
        server = self.nova.servers_by_id.get(server_id)
        if server is None:
            raise NotFound(server_id)
        server.polls += 1
        if server.status == 'BUILD' and server.polls >= 2:
            server.status = self.nova.final_status
        if getattr(server, 'deleting', None) == 0:
            self._forget(server_id)
            raise NotFound(server_id)
        if getattr(server, 'deleting', None):
            server.deleting -= 1
        return server

    def delete(self, server_id):
        """Gone at once, or after ``nova.delete_polls`` polls (same status).

        A server in ERROR keeps that status while Nova deletes it.
        """
        if server_id not in self.nova.servers_by_id:
            raise NotFound(server_id)
        self.nova.servers_by_id[server_id].deleting = self.nova.delete_polls
        if not self.nova.delete_polls:
            self._forget(server_id)

    def _forget(self, server_id):
        del self.nova.servers_by_id[server_id]
        for pid in [p for p, v in self.nova.neutron.ports.items()
                    if v['device_id'] == server_id]:
            del self.nova.neutron.ports[pid]

    def get_console_output(self, server, length=None):
        lines = self.nova.console.splitlines()
        return '\n'.join(lines[-length:] if length else lines)


class FakeNova:
    """In-memory Nova: services, flavors, servers (tied to FakeNeutron)."""

    def __init__(self, neutron: FakeNeutron,
                 computes=('compute-01', 'compute-02')):
        self.neutron = neutron
        self.servers_by_id: dict[str, types.SimpleNamespace] = {}
        self.final_status = 'ACTIVE'
        self.delete_polls = 0
        self.fail_on: str | None = None
        self.console = 'Linux version 6.1\nnetperf-guest: booting 6.1\n'
        self.services = types.SimpleNamespace(list=self._services)
        self.computes = list(computes)
        flavor = types.SimpleNamespace(id='f1', name='netperf.tiny',
                                       vcpus=1, ram=256, disk=1)
        self.flavors = types.SimpleNamespace(list=lambda: [flavor],
                                             get=lambda flavor_id: flavor)
        # novaclient's versions.get_current(): None when not allowed.
        self.max_microversion = '2.96'
        self.versions = types.SimpleNamespace(
            get_current=lambda: types.SimpleNamespace(
                version=self.max_microversion))
        self.servers = _Servers(self)

    def _maybe_fail(self, call):
        if self.fail_on == call:
            raise RuntimeError('injected failure in %s' % call)

    def _services(self, binary=None):
        return [types.SimpleNamespace(host=h, zone='nova', status='enabled',
                                      state='up', binary='nova-compute')
                for h in self.computes] + [
            types.SimpleNamespace(host='down-01', zone='nova',
                                  status='enabled', state='down',
                                  binary='nova-compute')]


class FakeGlance:
    def __init__(self, names=('netperf-guest',)):
        images = [{'id': 'img-%d' % i, 'name': n,
                   'checksum': 'c0ffee%02d' % i}
                  for i, n in enumerate(names)]
        self.images = types.SimpleNamespace(
            list=lambda: images,
            get=lambda image_id: next(i for i in images
                                      if i['id'] == image_id))


class FakeClients:
    """What ``credential.clients()`` returns, over shared fake services."""

    def __init__(self, nova, neutron, glance):
        self._nova, self._neutron, self._glance = nova, neutron, glance

    def nova(self, version=None):
        return self._nova

    def neutron(self, version=None):
        return self._neutron

    def glance(self, version=None):
        return self._glance

    def services(self):
        return {'compute': 'nova', 'network': 'neutron', 'image': 'glance'}


class FakeCredential:
    profiler_hmac_key = None

    def __init__(self, clients):
        self._clients = clients

    def clients(self):
        return self._clients


class FakeCloud:
    """One cloud: the services and a credential for admin and a user."""

    def __init__(self, computes=('compute-01', 'compute-02'),
                 images=('netperf-guest',)):
        self.neutron = FakeNeutron()
        self.nova = FakeNova(self.neutron, computes)
        self.glance = FakeGlance(images)
        self.clients = FakeClients(self.nova, self.neutron, self.glance)
        self.credential = FakeCredential(self.clients)

    def context(self, **config):
        """A Rally context with one tenant and one user."""
        user = {'id': 'u1', 'tenant_id': 't1',
                'credential': self.credential,
                'keypair': {'name': 'kp', 'private': None}}
        return {
            'task': TaskRecord('task-1'), 'owner_id': 'task-1',
            'admin': {'credential': self.credential},
            'users': [user],
            'tenants': {'t1': {'id': 't1', 'name': 't1'}},
            'config': config,
        }
