"""The real sandbox: up, idempotent re-up, status, nodes, routers, down.

Needs root and a Debian 12 machine; brings the sandbox up (installing
what is missing) and takes it down at the end, so do not run it while a
sandbox you care about is up.  Run it on its own:

    python -m testtools.run tests.functional.sandbox.test_sandbox
"""

import io
import json
import os
import subprocess
import time
import urllib.request

import testtools

from openstack_netperf import remote
from openstack_netperf.sandbox import guests
from openstack_netperf.sandbox import sandbox
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import settings


def links() -> set[str]:
    return set(os.listdir('/sys/class/net'))


def netns() -> set[str]:
    try:
        return set(os.listdir('/run/netns'))
    except FileNotFoundError:
        return set()


def listeners() -> set[str]:
    out = subprocess.run(['ss', '-Hltn'], capture_output=True, text=True,
                         check=True).stdout
    return {line.split()[3] for line in out.splitlines()}


def our_processes(conf: settings.SandboxSettings) -> list[str]:
    found = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/cmdline' % entry, 'rb') as handle:
                cmdline = handle.read().replace(b'\0', b' ').decode()
        except OSError:
            continue
        if conf.state_dir in cmdline or conf.venv_dir + '/' in cmdline:
            found.append('%s %s' % (entry, cmdline[:120]))
    return found


def mounts_of(conf: settings.SandboxSettings) -> list[str]:
    with open('/proc/mounts') as handle:
        return [m for m in handle if conf.state_dir in m]


@testtools.skipUnless(os.geteuid() == 0,
                      'the sandbox needs root (namespaces, OVS, apt)')
class TestSandboxLifecycle(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings()
        self.out = io.StringIO()
        self.box = sandbox.Sandbox(self.conf, self.out)

    def test_up_status_nodes_routers_down(self):
        # From a clean slate, so that what down leaves is measurable.
        self._down_if_up()
        before = {'links': links(), 'netns': netns(),
                  'listeners': listeners()}
        self.addCleanup(self._down_if_up)

        self.box.up()
        self.assertTrue(self.box.status(), self.out.getvalue())
        self.check_second_up_changes_nothing()
        self.check_listeners_on_mgmt_only(before['listeners'])
        self.check_nodes_over_ssh()
        self.check_env_files()
        self.check_routers_reachable_from_root()
        self.check_guests_across_computes()

        self.box.down()
        self.check_nothing_left(before)

    def _down_if_up(self):
        if os.path.isdir(self.conf.state_dir):
            self.box.down()

    def check_second_up_changes_nothing(self):
        self.out.seek(0)
        self.out.truncate()
        self.box.up()
        self.assertIn('Nothing changed', self.out.getvalue(),
                      self.out.getvalue())

    def check_listeners_on_mgmt_only(self, before):
        new = listeners() - before
        allowed = ('198.18.', '127.0.0.1:', '[::1]:')
        self.assertEqual([], sorted(a for a in new
                                    if not a.startswith(allowed)))

    def check_nodes_over_ssh(self):
        for node in self.conf.nodes:
            runner = remote.SSHRunner(node.mgmt_ip, 'root',
                                      key_filename=sshd.key_path(self.conf))
            try:
                result = runner.run('hostname; ovs-vsctl br-exists br-int '
                                    '&& echo br-int')
            finally:
                runner.close()
            self.assertEqual([node.name, 'br-int'],
                             result.stdout.split())

    def check_env_files(self):
        written = self.box.write_env()
        rally = [json.loads(t) for p, t in written.items()
                 if p.endswith('.json')][0]
        self.assertEqual(self.conf.keystone_url,
                         rally['openstack']['auth_url'])

    def check_routers_reachable_from_root(self):
        cloud = self.box.cloud()
        public = cloud.find('neutron', '/v2.0/networks', 'networks',
                            name='public')
        for distributed in (False, True):
            router = cloud.call('POST', 'neutron', '/v2.0/routers', {
                'router': {'name': 'functional-%s' % distributed,
                           'distributed': distributed,
                           'external_gateway_info': {
                               'network_id': public['id']}}})['router']
            self.assertEqual(distributed, router['distributed'])
            address = router['external_gateway_info'][
                'external_fixed_ips'][0]['ip_address']
            self.assertTrue(self._pings(address),
                            'router gateway %s does not answer' % address)

    def check_guests_across_computes(self):
        """A guest per compute behind a DVR router: SSH, ping, iperf3."""
        cloud = self.box.cloud()
        ids = self.box.cloud_ids()
        self.assertIsNotNone(ids.image_id)
        net, _router = cloud.create_dvr_network(
            'functional-net', '198.19.11.0/24', ids.public_network_id)
        guests.open_default_groups(cloud)
        with open(sshd.key_path(self.conf) + '.pub') as handle:
            guests.ensure_keypair(cloud, 'functional', handle.read())
        booted = guests.boot(cloud, ids, net,
                             [n.name for n in self.conf.computes],
                             'functional', key_name='functional',
                             timeout=300)
        self.assertEqual([n.name for n in self.conf.computes],
                         [g.host for g in booted])
        runners = []
        for guest in booted:
            runner = remote.SSHRunner(guest.floating_ip, 'root',
                                      key_filename=sshd.key_path(self.conf))
            self.addCleanup(runner.close)
            runner.wait_until_ready(timeout=240)
            runners.append(runner)
        first, second = runners
        # The metadata service answers through the DHCP namespace.
        metadata = first.run('timeout 20 wget -q -O - http://169.254.169.254'
                             '/openstack/latest/meta_data.json', timeout=30)
        self.assertEqual(booted[0].server_id,
                         json.loads(metadata.stdout)['uuid'])
        first.run('ping -c 3 -W 2 %s' % booted[1].fixed_ip)
        second.run('iperf3 -s -D -1')
        result = first.run('iperf3 -J -t 3 -c %s' % booted[1].fixed_ip,
                           timeout=60)
        bits = json.loads(result.stdout)['end']['sum_received'][
            'bits_per_second']
        self.assertGreater(bits, 1e6)

    @staticmethod
    def _pings(address, timeout=60):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if subprocess.run(['ping', '-c', '1', '-W', '1', address],
                              capture_output=True).returncode == 0:
                return True
        return False

    def check_nothing_left(self, before):
        # Other projects' namespaces and links may come and go meanwhile:
        # look at ours (np-*, netperf-*, the management addresses).
        self.assertEqual([], sorted(n for n in links() - before['links']
                                    if n.startswith('np-')))
        self.assertEqual([], sorted(n for n in netns() - before['netns']
                                    if n.startswith('netperf-')))
        ours = (self.conf.controller_ip + ':',
                self.conf.external_gateway + ':')
        self.assertEqual([], sorted(a for a in listeners()
                                    if a.startswith(ours)))
        self.assertEqual([], our_processes(self.conf))
        self.assertEqual([], mounts_of(self.conf))
        self.assertFalse(os.path.exists(self.conf.state_dir))
        self.assertFalse(os.path.exists(self.conf.log_dir))
        self.assertRaises(OSError, urllib.request.urlopen,
                          self.conf.keystone_url, timeout=2)
