"""``up``, ``down`` and ``status`` of the three-node sandbox.

``up`` is a list of steps, each able to tell that it is already done;
``down`` follows the teardown order that leaves nothing behind: servers
through the API, agents and nova-compute, whatever else runs inside each
node (dnsmasq, privsep helpers, libvirtd, OVS), the node namespaces, the
controller daemons, the bridges, the state.
"""

from __future__ import annotations

import concurrent.futures
import os
import secrets
import shutil
import string
import sys
import time
from typing import Callable, TextIO

from openstack_netperf import exceptions
from openstack_netperf.sandbox import api
from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import ovs
from openstack_netperf.sandbox import packages
from openstack_netperf.sandbox import probes
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox.services import glance
from openstack_netperf.sandbox.services import keystone
from openstack_netperf.sandbox.services import mariadb
from openstack_netperf.sandbox.services import neutron
from openstack_netperf.sandbox.services import nova
from openstack_netperf.sandbox.services import placement
from openstack_netperf.sandbox.services import rabbitmq
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import steps
from openstack_netperf.sandbox import system

C = services.CONTROLLER
# The directory holding the openstack_netperf package, for tools run
# under the service venv (netperf-image).
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FLAVOR = ('netperf.tiny', 128, 1, 1)
AGENT_TIMEOUT = 300.0
# Seconds a daemon gets between SIGTERM and SIGKILL on down: nova-compute
# and the agents ignore SIGTERM for long, and the state is deleted anyway.
STOP_GRACE = 5.0


class Sandbox:
    """The local three-node cloud."""

    def __init__(self, conf: settings_mod.Settings | None = None,
                 out: TextIO | None = None):
        self.conf = conf or settings_mod.Settings()
        self.out = out or sys.stdout
        self.supervisor = procs.Supervisor(self.conf.state('run'))
        self.nodes = nodes_mod.Nodes(self.conf, self.supervisor)
        self._ctx: services.Context | None = None

    # Secrets and context ---------------------------------------------
    @property
    def secret_file(self) -> str:
        return self.conf.state('secret')

    def context(self) -> services.Context:
        if self._ctx is None:
            if not os.path.exists(self.secret_file):
                alphabet = string.ascii_letters + string.digits
                system.write_file(self.secret_file, ''.join(
                    secrets.choice(alphabet) for _ in range(24)), 0o600)
            with open(self.secret_file) as handle:
                self._ctx = services.Context(self.conf, handle.read().strip())
        return self._ctx

    def cloud(self) -> api.Cloud:
        return api.Cloud(self.conf, self.context().password)

    # What runs where ---------------------------------------------------
    def controller_daemons(self) -> list[services.Daemon]:
        ctx = self.context()
        return ([mariadb.daemon(ctx)] + rabbitmq.daemons(ctx)
                + [keystone.daemon(ctx), glance.daemon(ctx),
                   placement.daemon(ctx)]
                + nova.controller_daemons(ctx)
                + neutron.server_daemons(ctx))

    def openstack_daemons(self) -> list[services.Daemon]:
        """Controller API and RPC daemons other than Keystone.

        They start once Keystone knows their service users.
        """
        return self.controller_daemons()[4:]

    def agent_daemons(self, node: settings_mod.Node
                      ) -> list[services.Daemon]:
        ctx = self.context()
        daemons = neutron.agent_daemons(ctx, node)
        if node.role == settings_mod.COMPUTE:
            daemons += nova.compute_daemons(ctx, node)
        return daemons

    def node_daemons(self, node: settings_mod.Node) -> list[services.Daemon]:
        return (ovs.daemons(self.conf, node)
                + [sshd.daemon(self.conf, node)] + self.agent_daemons(node))

    def all_daemons(self) -> list[services.Daemon]:
        found = self.controller_daemons()
        for node in self.conf.nodes:
            found += self.node_daemons(node)
        return found

    def configs(self) -> dict[str, str]:
        ctx = self.context()
        files: dict[str, str] = {}
        files.update(keystone.configs(ctx))
        files.update(glance.configs(ctx))
        files.update(placement.configs(ctx))
        files.update(nova.controller_configs(ctx))
        files.update(neutron.server_configs(ctx))
        files[rabbitmq.base(ctx, 'rabbitmq.conf')] = rabbitmq.config(ctx)
        files[rabbitmq.base(ctx, 'enabled_plugins')] = '[].\n'
        for node in self.conf.nodes:
            files.update(neutron.agent_configs(ctx, node))
            files[sshd.config_path(self.conf, node)] = sshd.config(
                self.conf, node)
            if node.role == settings_mod.COMPUTE:
                files.update(nova.compute_configs(ctx, node))
                files[self.nodes.node_dir(
                    node, 'libvirt', 'etc-libvirt', 'qemu.conf')] = (
                        nova.libvirt_qemu_conf())
        return files

    def configs_current(self) -> bool:
        for path, text in self.configs().items():
            try:
                with open(path) as handle:
                    if handle.read() != text:
                        return False
            except OSError:
                return False
        return True

    def write_configs(self) -> None:
        """Write the configuration; stop running daemons it changed.

        The steps after this one start them again with the new files.
        """
        changed = [path for path, text in self.configs().items()
                   if system.write_file(path, text, 0o644)]
        # They hold the sandbox's password; only root reads them.
        os.chmod(self.conf.state('etc'), 0o700)
        stale = [d for d in self.all_daemons()
                 if self.alive(d) and probes.reads_any(d, changed)]
        self._stop_all(stale, STOP_GRACE)

    # Daemons -------------------------------------------------------------
    def log(self, daemon: services.Daemon) -> str:
        return self.conf.log(daemon.node, daemon.service)

    def address(self, daemon: services.Daemon) -> str:
        if daemon.node == C:
            return self.conf.controller_ip
        return self.conf.node(daemon.node).mgmt_ip

    def alive(self, daemon: services.Daemon) -> bool:
        return self.supervisor.pid(daemon.name) is not None

    def start(self, daemon: services.Daemon) -> None:
        env = {'PATH': packages.service_path(self.conf), 'HOME': '/root',
               'LANG': 'C.UTF-8'}
        env.update(dict(daemon.env))
        argv = list(daemon.argv)
        if daemon.node != C:
            argv = self.nodes.prefix(self.conf.node(daemon.node)) + argv
        self.supervisor.start(daemon.name, argv, self.log(daemon), env)

    def check_alive(self, daemon: services.Daemon) -> None:
        self.supervisor.check_alive(daemon.name, self.log(daemon))

    def start_and_wait(self, daemons: list[services.Daemon],
                       timeout: float = 120.0) -> None:
        """Start daemons not yet running; wait for their ports."""
        for daemon in daemons:
            if not self.alive(daemon):
                self.start(daemon)
        for daemon in daemons:
            if daemon.port is None:
                # No port: it must at least survive its first seconds.
                continue
            probe = (probes.http_answers if daemon.http
                     else probes.port_open)
            probes.wait_for(
                '%s on %s:%d' % (daemon.name, self.address(daemon),
                                 daemon.port),
                lambda d=daemon, p=probe: p(self.address(d), d.port),
                timeout, lambda d=daemon: self.check_alive(d),
                interval=0.5, log=self.log(daemon))
        time.sleep(1)
        for daemon in daemons:
            self.check_alive(daemon)

    def all_alive(self, daemons: list[services.Daemon]) -> bool:
        return all(self.alive(d) for d in daemons)

    # Markers for one-time bootstrap commands ---------------------------
    def marker(self, name: str) -> str:
        return self.conf.state('markers', name)

    def run_once(self, name: str, argv: list[str], log: str,
                 **kwargs) -> None:
        if os.path.exists(self.marker(name)):
            return
        system.run(argv, log=log, **kwargs)
        system.write_file(self.marker(name), '')

    def bootstrap_chains(self) -> dict[str, list[list[str]]]:
        ctx = self.context()
        return {
            'keystone': keystone.bootstrap_commands(ctx),
            'glance': glance.bootstrap_commands(ctx),
            'placement': placement.bootstrap_commands(ctx),
            'nova': nova.bootstrap_commands(ctx),
            'neutron': [neutron.db_sync_command(ctx)],
        }

    def bootstrap_done(self) -> bool:
        return all(os.path.exists(self.marker('%s-%d' % (name, index)))
                   for name, chain in self.bootstrap_chains().items()
                   for index in range(len(chain)))

    def bootstrap(self) -> None:
        """Schemas of every service, one thread per service."""
        def chain(name: str, commands: list[list[str]]) -> None:
            log = self.conf.log(C, '%s-manage' % name)
            for index, argv in enumerate(commands):
                self.run_once('%s-%d' % (name, index), argv, log)

        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            futures = [pool.submit(chain, name, commands) for name, commands
                       in self.bootstrap_chains().items()]
            for future in futures:
                future.result()

    # Steps of up ---------------------------------------------------------
    def prepare_host(self) -> None:
        """Secret, SSH keys, the sudo shim, directories owned right."""
        self.context()
        packages.install_tools(self.conf)
        key = sshd.key_path(self.conf)
        if not os.path.exists(key):
            os.makedirs(os.path.dirname(key), exist_ok=True)
            system.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C',
                        'netperf-sandbox', '-f', key])
        for node in self.conf.nodes:
            host_key = sshd.host_key(self.conf, node)
            if not os.path.exists(host_key):
                os.makedirs(os.path.dirname(host_key), exist_ok=True)
                system.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '',
                            '-C', node.name, '-f', host_key])
        for node in self.conf.nodes:
            os.makedirs(self.conf.state('nodes', node.name, 'nova',
                                        'instances'), exist_ok=True)
            os.makedirs(self.conf.state('nodes', node.name, 'ovs'),
                        exist_ok=True)

    def host_prepared(self) -> bool:
        paths = [self.secret_file, sshd.key_path(self.conf),
                 os.path.join(packages.tools_dir(self.conf), 'sudo')]
        paths += [sshd.host_key(self.conf, n) for n in self.conf.nodes]
        return all(os.path.exists(p) for p in paths)

    def start_mariadb(self) -> None:
        ctx = self.context()
        data = mariadb.datadir(ctx)
        if not os.path.isdir(os.path.join(data, 'mysql')):
            os.makedirs(data, exist_ok=True)
            system.run(['chown', '-R', 'mysql:mysql',
                        os.path.dirname(data)])
            system.run(mariadb.init_argv(ctx),
                       log=self.conf.log(C, 'mariadb-init'))
        self.start_and_wait([mariadb.daemon(ctx)], timeout=60)
        self.run_once('mariadb-databases', mariadb.client_argv(ctx),
                      self.conf.log(C, 'mariadb-init'),
                      input_text=mariadb.setup_sql(ctx))

    def mariadb_done(self) -> bool:
        return (self.alive(mariadb.daemon(self.context()))
                and os.path.exists(self.marker('mariadb-databases')))

    def start_rabbitmq(self) -> None:
        ctx = self.context()
        os.makedirs(rabbitmq.base(ctx, 'mnesia'), exist_ok=True)
        os.makedirs(rabbitmq.base(ctx, 'log'), exist_ok=True)
        system.run(['chown', '-R', 'rabbitmq:rabbitmq', rabbitmq.base(ctx)])
        epmd, broker = rabbitmq.daemons(ctx)
        self.start_and_wait([epmd], timeout=10)
        self.start_and_wait([broker], timeout=120)

    def start_openstack(self) -> None:
        self.start_and_wait(self.openstack_daemons(), timeout=180)

    def setup_identity(self) -> None:
        self.cloud().setup_identity()
        system.write_file(self.marker('identity'), '')

    def start_ovs(self, node: settings_mod.Node) -> None:
        db = ovs.db_file(self.conf, node)
        if not os.path.exists(db):
            system.run(ovs.create_db_argv(self.conf, node))
        db_server, switch = ovs.daemons(self.conf, node)
        self.start_and_wait([db_server], timeout=10)
        vsctl_show = ['ovs-vsctl', '--timeout=2', 'show']
        probes.wait_for(
            '%s ovsdb socket' % node.name,
            lambda: self.nodes.run_in(node, vsctl_show, check=False) != '',
            20, lambda: self.check_alive(db_server), interval=0.2,
            log=self.log(db_server))
        self.start_and_wait([switch], timeout=10)
        mac = self.nodes.run_in(node, ['cat', '/sys/class/net/%s/address'
                                       % nodes_mod.NODE_DEVICE['tun']])
        for argv in ovs.bridge_commands(node, mac.strip(),
                                        self.conf.prefixlen):
            self.nodes.run_in(node, argv)

    def start_node_base(self, node: settings_mod.Node) -> None:
        if (not self.all_alive(ovs.daemons(self.conf, node))
                and self.nodes.processes(node)):
            self.reset_node(node)
        self.start_ovs(node)
        self.start_and_wait([sshd.daemon(self.conf, node)], 10)

    def reset_node(self, node: settings_mod.Node) -> None:
        """Stop everything inside a node and drop its inner namespaces.

        The agents do not recover from a new ovs-vswitchd (the L3 agent
        keeps router devices that died with the old one), so when OVS must
        be started again the node starts afresh; its guests are stopped.
        """
        with open(self.conf.log(node.name, 'node'), 'a') as log:
            log.write('--- netperf-sandbox: OVS is down under running '
                      'services: restarting everything in the node\n')
        for daemon in self.node_daemons(node):
            self.supervisor.stop(daemon.name, STOP_GRACE)
        self.nodes.kill_inside(node)
        self.nodes.run_in(node, ['ip', '-all', 'netns', 'delete'],
                          check=False)

    def node_base_done(self, node: settings_mod.Node) -> bool:
        return (self.ovs_done(node)
                and self.alive(sshd.daemon(self.conf, node)))

    def for_each_node(self, action: Callable[[settings_mod.Node], None]
                      ) -> None:
        """Run an action on every node at once; raise the first error."""
        with concurrent.futures.ThreadPoolExecutor(
                len(self.conf.nodes)) as pool:
            futures = [pool.submit(action, n) for n in self.conf.nodes]
            for future in futures:
                future.result()

    def ovs_done(self, node: settings_mod.Node) -> bool:
        return (self.all_alive(ovs.daemons(self.conf, node))
                and self._bridge_exists(node, 'br-phy')
                and self._bridge_exists(node, 'br-ex'))

    def _bridge_exists(self, node: settings_mod.Node, bridge: str) -> bool:
        argv = self.nodes.prefix(node) + ['ovs-vsctl', '--timeout=5',
                                          'br-exists', bridge]
        return system.run(argv, check=False).returncode == 0

    def agents_alive(self) -> bool:
        """Every expected Neutron agent and nova-compute reports alive."""
        cloud = self.cloud()
        expected = set()
        for node in self.conf.nodes:
            expected.add(('Open vSwitch agent', node.name))
            expected.add(('L3 agent', node.name))
            if node.role == settings_mod.NETWORK:
                expected.add(('DHCP agent', node.name))
                expected.add(('Metadata agent', node.name))
        alive = {(a['agent_type'], a['host']) for a in cloud.agents()
                 if a['alive']}
        computes = {s['host'] for s in cloud.compute_services()
                    if s['state'] == 'up'}
        return (expected <= alive
                and {n.name for n in self.conf.computes} <= computes)

    def wait_agents(self) -> None:
        daemons = [d for n in self.conf.nodes for d in self.node_daemons(n)]

        def alive() -> None:
            for daemon in daemons:
                self.check_alive(daemon)
        probes.wait_for('Neutron agents and nova-compute', self.agents_alive,
                        AGENT_TIMEOUT, alive, interval=3)

    def hosts_discovered(self) -> bool:
        names = {h['hypervisor_hostname'] for h in self.cloud().hypervisors()}
        return {n.name for n in self.conf.computes} <= names

    def discover_hosts(self) -> None:
        log = self.conf.log(C, 'nova-manage')
        probes.wait_for('compute hosts in the cell',
                        self._discover_and_check, 120, interval=3, log=log)

    def _discover_and_check(self) -> bool:
        system.run(nova.discover_hosts(self.context()),
                   log=self.conf.log(C, 'nova-manage'))
        return self.hosts_discovered()

    def flavor_done(self) -> bool:
        name = FLAVOR[0]
        flavors = self.cloud().call('GET', 'nova', '/v2.1/flavors')
        return any(f['name'] == name for f in flavors['flavors'])

    def external_done(self) -> bool:
        net = self.cloud().find('neutron', '/v2.0/networks', 'networks',
                                name='public')
        return bool(net and net.get('subnets'))

    def image_done(self) -> bool:
        images = self.cloud().call('GET', 'glance', '/v2/images?name=%s'
                                   % envfiles.IMAGE_NAME)['images']
        return any(i['status'] == 'active' for i in images)

    def upload_image(self) -> None:
        """Build the guest with ``netperf-image`` and upload it.

        Kernel + ramdisk images (no bootloader to emulate under TCG) with
        Debian's generic kernel and an e1000 NIC: QEMU's e1000 segments
        TCP for the guest, and virtio-net's partial checksums, which the
        OVS userspace datapath forwards unfixed, do not arise.  Runs under
        the service venv, which has openstacksdk, whatever environment
        runs the sandbox.
        """
        log = self.conf.log(C, 'image')
        output = self.conf.state('image')
        env = dict(os.environ, PYTHONPATH=PROJECT_ROOT)
        env.update(envfiles.credentials(self.context()))
        cli = [self.conf.venv_bin('python'), '-m',
               'openstack_netperf.image.cli']
        if not os.path.exists(os.path.join(output, 'manifest.json')):
            system.run(cli + ['build', '--output', output,
                              '--kernel-package', 'linux-image-amd64',
                              '--nic-mode', 'auto'], log=log, env=env,
                       timeout=1800)
        system.run(cli + ['upload', '--input', output, '--name',
                          envfiles.IMAGE_NAME, '--format', 'kernel',
                          '--vif-model', 'e1000', '--public'],
                   log=log, env=env)

    def up_steps(self) -> list[steps.Step]:
        conf = self.conf
        ctx_log = conf.log(C, 'setup')
        result = [
            steps.Step('Debian packages',
                       lambda: packages.install_packages(conf.log(C, 'apt')),
                       lambda: not packages.missing_packages(),
                       conf.log(C, 'apt')),
            steps.Step('service virtualenv (%s)' % conf.venv_dir,
                       lambda: packages.install_venv(conf, conf.log(C,
                                                                    'pip')),
                       lambda: packages.venv_ready(conf), conf.log(C, 'pip')),
            steps.Step('secret, SSH keys, sudo shim', self.prepare_host,
                       self.host_prepared, ctx_log),
            steps.Step('root-namespace bridges', self.nodes.create_bridges,
                       self.nodes.bridges_ready, ctx_log),
        ]
        for node in conf.nodes:
            result.append(steps.Step(
                'node %s: namespaces and links' % node.name,
                lambda n=node: self.nodes.create(n),
                lambda n=node: self.nodes.ready(n), conf.log(node.name,
                                                             'node')))
        result += [
            steps.Step('configuration files', self.write_configs,
                       self.configs_current, ctx_log),
            steps.Step('MariaDB', self.start_mariadb, self.mariadb_done,
                       conf.log(C, 'mariadb')),
            steps.Step('RabbitMQ', self.start_rabbitmq,
                       lambda: self.all_alive(rabbitmq.daemons(
                           self.context())), conf.log(C, 'rabbitmq')),
            steps.Step('database schemas', self.bootstrap,
                       self.bootstrap_done, conf.log(C, 'nova-manage')),
            steps.Step('Keystone', lambda: self.start_and_wait(
                [keystone.daemon(self.context())], 60),
                lambda: self.alive(keystone.daemon(self.context())),
                conf.log(C, 'keystone')),
            steps.Step('service users and catalogue', self.setup_identity,
                       lambda: os.path.exists(self.marker('identity')),
                       conf.log(C, 'keystone')),
            steps.Step('controller services', self.start_openstack,
                       lambda: self.all_alive(self.openstack_daemons())),
        ]
        result += [
            steps.Step('nodes: Open vSwitch and SSH servers',
                       lambda: self.for_each_node(self.start_node_base),
                       lambda: all(self.node_base_done(n)
                                   for n in conf.nodes)),
            steps.Step('nodes: agents, libvirtd, nova-compute',
                       lambda: self.start_and_wait(
                           [d for n in conf.nodes
                            for d in self.agent_daemons(n)], 30),
                       lambda: all(self.all_alive(self.agent_daemons(n))
                                   for n in conf.nodes)),
        ]
        result += [
            steps.Step('agents and computes alive', self.wait_agents,
                       self.agents_alive),
            steps.Step('compute hosts mapped to cell1', self.discover_hosts,
                       self.hosts_discovered, conf.log(C, 'nova-manage')),
            steps.Step('external network "public"',
                       lambda: self.cloud().ensure_external_network(),
                       self.external_done, conf.log(C, 'neutron-api')),
            steps.Step('flavor %s' % FLAVOR[0],
                       lambda: self.cloud().ensure_flavor(*FLAVOR),
                       self.flavor_done, conf.log(C, 'nova-api')),
            steps.Step('guest image %s' % envfiles.IMAGE_NAME,
                       self.upload_image, self.image_done,
                       conf.log(C, 'image')),
        ]
        return result

    def preflight(self) -> None:
        """Refuse to start where the sandbox cannot work or would clash."""
        if os.geteuid() != 0:
            raise exceptions.StepFailed('preflight', 'netperf-sandbox up must '
                                        'run as root (namespaces, OVS, apt)')
        clash = probes.address_clashes(self.conf, system.output(
            ['ip', '-o', '-4', 'addr', 'show']))
        if clash:
            raise exceptions.StepFailed(
                'preflight', 'the root namespace already uses the '
                'sandbox networks on devices it did not create: %s; remove '
                'those addresses or the sandbox cannot route its planes'
                % ', '.join(clash))

    def up(self) -> None:
        self.preflight()
        steps.StepRunner(self.out).run(self.up_steps())

    # down ------------------------------------------------------------------
    def _stop_all(self, daemons: list[services.Daemon],
                  timeout: float) -> None:
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda d: self.supervisor.stop(d.name, timeout),
                          daemons))

    def delete_servers(self) -> None:
        """Delete every server through the API so QEMU exits cleanly."""
        if not probes.port_open(self.conf.controller_ip,
                                self.conf.port('nova')):
            return
        cloud = self.cloud()
        try:
            listing = cloud.call('GET', 'nova',
                                 '/v2.1/servers?all_tenants=1')['servers']
            for server in listing:
                cloud.call('DELETE', 'nova', '/v2.1/servers/%s'
                           % server['id'])
            probes.wait_for('servers deleted', lambda: not cloud.call(
                'GET', 'nova', '/v2.1/servers?all_tenants=1')['servers'],
                60, interval=2)
        except (exceptions.APIError, OSError, exceptions.ServiceError) as exc:
            self.out.write('  (servers not deleted through the API: %s)\n'
                           % exc)

    def down(self, keep_logs: bool = False) -> None:
        if os.geteuid() != 0:
            raise exceptions.StepFailed(
                'preflight', 'netperf-sandbox down must '
                'run as root')
        result = [
            steps.Step('delete servers', self.delete_servers),
            steps.Step('stop agents and nova-compute', lambda: self._stop_all(
                [d for n in self.conf.nodes for d in self.agent_daemons(n)],
                STOP_GRACE)),
        ]
        for node in self.conf.nodes:
            result.append(steps.Step(
                'node %s: stop the rest, remove namespaces' % node.name,
                lambda n=node: self.nodes.destroy(n)))
        result += [
            steps.Step('stop controller services', lambda: self._stop_all(
                list(reversed(self.controller_daemons())), STOP_GRACE)),
            steps.Step('stop anything else started', self._stop_leftovers),
            steps.Step('remove bridges', self.nodes.delete_bridges),
            steps.Step('remove state%s' % ('' if keep_logs else ' and logs'),
                       lambda: self._remove_state(keep_logs)),
        ]
        steps.StepRunner(self.out).run(result)

    def _stop_leftovers(self) -> None:
        for name in self.supervisor.names():
            self.supervisor.stop(name, 5)

    def _remove_state(self, keep_logs: bool) -> None:
        # The secret goes with the state: the next up makes a new one.
        self._ctx = None
        removed = [self.conf.state_dir]
        if not keep_logs:
            removed.append(self.conf.log_dir)
        for path in removed:
            shutil.rmtree(path, ignore_errors=True)
            try:
                # The parent (/var/lib/openstack-netperf) if nothing else
                # of the project lives there.
                os.rmdir(os.path.dirname(path))
            except OSError:
                pass

    # env and logs ----------------------------------------------------------
    def cloud_ids(self) -> envfiles.CloudIds:
        """Flavor, guest image and external network ids, when present."""
        cloud = self.cloud()
        ids = envfiles.CloudIds()
        for flavor in cloud.call('GET', 'nova', '/v2.1/flavors')['flavors']:
            if flavor['name'] == FLAVOR[0]:
                ids.flavor_id = flavor['id']
        images = cloud.call('GET', 'glance', '/v2/images?name=%s'
                            % envfiles.IMAGE_NAME)['images']
        if images:
            ids.image_id = images[0]['id']
        net = cloud.find('neutron', '/v2.0/networks', 'networks',
                         name='public')
        if net:
            ids.public_network_id = net['id']
        return ids

    def write_env(self) -> dict[str, str]:
        """Write openrc, the Rally spec and tempest.conf; return them."""
        if not os.path.exists(self.secret_file):
            raise exceptions.ServiceError(
                'no sandbox here: run netperf-sandbox '
                'up first')
        written = envfiles.files(self.context(), self.cloud_ids())
        for path, text in written.items():
            system.write_file(path, text, 0o600)
        return written

    def log_path(self, node: str, service: str) -> str:
        """The log of a service on a node, with a helpful error."""
        names = [C] + [n.name for n in self.conf.nodes]
        if node not in names:
            raise exceptions.ServiceError('no node %r; nodes: %s'
                                          % (node, ', '.join(names)))
        path = self.conf.log(node, service)
        if not os.path.exists(path):
            folder = os.path.dirname(path)
            known = sorted(f[:-4] for f in os.listdir(folder)
                           if f.endswith('.log')) if os.path.isdir(
                               folder) else []
            raise exceptions.ServiceError(
                'no log %s; services with a log on %s: '
                '%s' % (path, node,
                        ', '.join(known) or 'none'))
        return path

    # status ----------------------------------------------------------------
    def status(self) -> bool:
        """Print what runs; True when every daemon and agent is alive."""
        healthy = True
        out = self.out
        if not os.path.isdir(self.conf.state_dir):
            out.write('No sandbox (no %s).\n' % self.conf.state_dir)
            return False
        for daemon in self.all_daemons():
            pid = self.supervisor.pid(daemon.name)
            healthy = healthy and pid is not None
            out.write('%-12s %-26s %s\n' % (
                daemon.node, daemon.service,
                'pid %d' % pid if pid else 'NOT RUNNING'))
        if probes.port_open(self.conf.controller_ip,
                            self.conf.port('neutron')):
            try:
                for agent in sorted(self.cloud().agents(),
                                    key=lambda a: (a['host'],
                                                   a['agent_type'])):
                    healthy = healthy and agent['alive']
                    out.write('agent  %-12s %-20s %s\n' % (
                        agent['host'], agent['agent_type'],
                        'alive' if agent['alive'] else 'DEAD'))
                for service in self.cloud().compute_services():
                    healthy = healthy and service['state'] == 'up'
                    out.write('nova-compute %-12s %s\n' % (
                        service['host'], service['state']))
            except (exceptions.APIError, OSError) as exc:
                healthy = False
                out.write('API check failed: %s\n' % exc)
        else:
            healthy = False
        out.write('healthy\n' if healthy else 'NOT healthy\n')
        return healthy
