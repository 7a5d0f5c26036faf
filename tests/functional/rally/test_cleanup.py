"""A NetPerf Rally task that fails mid-way leaves nothing in the cloud.

Runs the real ``rally`` (in a database of its own) against the running
sandbox, bringing the sandbox up when it is not.  The failure is injected
where real clouds fail most: the guests' SSH times out after the servers,
their ports and floating IPs, the router and the network exist.  A watcher
removes the SSH rule from the task's security group as soon as the group
appears (so the guests boot and report ready, but the firewall drops every
connection: no race with the guests' boot time), and lists servers and
floating IPs while the task runs, to prove they existed; afterwards
servers, ports, floating IPs, routers and networks are listed again to
prove that every one created meanwhile is gone.

    python -m testtools.run tests.functional.rally.test_cleanup
"""

import json
import os
import pathlib
import subprocess
import sys
import tempfile
import threading
import time

import testtools

from openstack_netperf.sandbox import sandbox
from openstack_netperf.sandbox import settings

REPO = pathlib.Path(__file__).resolve().parents[3]
RALLY = str(pathlib.Path(sys.executable).parent / 'rally')
LISTINGS = {
    'servers': ('nova', '/v2.1/servers/detail?all_tenants=1'),
    'ports': ('neutron', '/v2.0/ports'),
    'floatingips': ('neutron', '/v2.0/floatingips'),
    'routers': ('neutron', '/v2.0/routers'),
    'networks': ('neutron', '/v2.0/networks'),
    'security_groups': ('neutron', '/v2.0/security-groups'),
}
# Long enough for any sandbox guest to boot and report ready on its
# console, so the failure report can blame the network path.
READY_TIMEOUT = 120


@testtools.skipUnless(os.geteuid() == 0,
                      'the sandbox needs root (namespaces, OVS, apt)')
@testtools.skipUnless(os.path.exists(RALLY),
                      'Rally is not installed next to this Python')
class TestFailedTaskCleansUp(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings()
        self.box = sandbox.Sandbox(self.conf, sys.stderr)
        self.box.up()
        self.box.write_env()
        self.cloud = self.box.cloud()
        self.workdir = pathlib.Path(tempfile.mkdtemp(prefix='np-rally-'))
        self.addCleanup(subprocess.run, ['rm', '-rf', str(self.workdir)])
        self.rally_conf = self.workdir / 'rally.conf'
        self.rally_conf.write_text(
            '[database]\nconnection = sqlite:///%s/rally.sqlite\n'
            '[netperf]\nguest_ready_timeout = %d\n'
            % (self.workdir, READY_TIMEOUT))

    def rally(self, *args: str, check: bool = True
              ) -> subprocess.CompletedProcess:
        return subprocess.run([RALLY, '--config-file', str(self.rally_conf),
                               *args], capture_output=True, text=True,
                              check=check, cwd=REPO)

    def listing(self) -> dict[str, dict[str, dict]]:
        found = {}
        for kind, (service, path) in LISTINGS.items():
            items = self.cloud.call('GET', service, path)[kind]
            found[kind] = {item['id']: item for item in items}
        return found

    def test_ssh_timeout_mid_task_leaves_nothing(self):
        before = self.listing()
        self.rally('db', 'create')
        self.rally('env', 'create', '--name', 'cleanup', '--spec',
                   os.path.join(self.conf.state_dir, 'env',
                                'rally-env.json'))
        args = {'categories': ['H-NR'], 'router_modes': ['legacy'],
                'per_pair': True}
        seen = {'servers': set(), 'floatingips': set(),
                'ssh_rules': set()}
        task = subprocess.Popen(
            [RALLY, '--config-file', str(self.rally_conf), 'task', 'start',
             'samples/netperf.yaml', '--task-args-file',
             'samples/netperf-sandbox-args.yaml', '--task-args',
             json.dumps(args)],
            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        watcher = threading.Thread(target=self._watch,
                                   args=(task, seen, before))
        watcher.start()
        output, _ = task.communicate(timeout=1200)
        watcher.join()

        # The task ran, booted its guests and failed where injected.
        self.assertNotEqual(set(), seen['ssh_rules'], output)
        self.assertEqual(2, len(seen['servers']), output)
        self.assertEqual(2, len(seen['floatingips']), output)
        self.assertNotEqual(0, self.rally('task', 'sla-check',
                                          check=False).returncode)
        report = self.workdir / 'report.json'
        self.rally('task', 'report', '--json', '--out', str(report))
        workload = json.loads(report.read_text())['tasks'][0][
            'subtasks'][0]['workloads'][0]
        errors = [i['error'] for i in workload['data'] if i['error']]
        self.assertEqual(1, len(errors), workload['data'])
        message = ' '.join(errors[0])
        self.assertIn('not reachable over SSH', message)
        # The report read the console: the guest was up, the path was not.
        self.assertIn('the guest reported ready', message)

        # Nothing the task created is left.
        after = self.listing()
        for kind in LISTINGS:
            left = {i: after[kind][i].get('name') or after[kind][i].get(
                'floating_ip_address') for i in after[kind]
                if i not in before[kind]}
            self.assertEqual({}, left, '%s left behind' % kind)
        self.assertEqual(set(), seen['servers'] & set(after['servers']))

    def _watch(self, task: subprocess.Popen, seen: dict[str, set],
               before: dict[str, dict[str, dict]]) -> None:
        """Inject the failure; record the new servers and FIPs meanwhile."""
        while task.poll() is None:
            try:
                self._drop_ssh_rules(before, seen['ssh_rules'])
                for kind in ('servers', 'floatingips'):
                    service, path = LISTINGS[kind]
                    items = self.cloud.call('GET', service, path)[kind]
                    seen[kind].update(i['id'] for i in items
                                      if i['id'] not in before[kind])
            except Exception as exc:  # a busy API: look again
                print('watcher: %s' % exc, file=sys.stderr)
            time.sleep(2)

    def _drop_ssh_rules(self, before: dict[str, dict[str, dict]],
                        dropped: set[str]) -> None:
        """Delete the SSH rules of every security group new since before."""
        service, path = LISTINGS['security_groups']
        groups = self.cloud.call('GET', service, path)['security_groups']
        for group in groups:
            if group['id'] in before['security_groups']:
                continue
            for rule in group['security_group_rules']:
                if (rule['id'] not in dropped
                        and rule.get('protocol') == 'tcp'
                        and rule.get('port_range_min') == 22):
                    self.cloud.call('DELETE', 'neutron',
                                    '/v2.0/security-group-rules/%s'
                                    % rule['id'])
                    dropped.add(rule['id'])
