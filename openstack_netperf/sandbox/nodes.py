"""Nodes as namespaces, and the root-namespace bridges that join them.

A node is a named network namespace plus a private mount namespace and a
UTS namespace, held open by a ``sleep`` started inside them.  Its mount
namespace gets a fresh sysfs (so ``/sys/class/net`` lists the node's own
devices), a tmpfs on ``/run`` (its own ``netns``, ``openvswitch``,
``libvirt``) and per-node copies of the libvirt directories, so the
unmodified agents, OVS and libvirt find standard paths that are the
node's.  Three veths per node reach root-namespace Linux bridges: the
management plane (services, SSH), the tunnel underlay and the external
network.
"""

from __future__ import annotations

import os
import shlex
import shutil
import signal

from openstack_netperf import exceptions
from openstack_netperf import polling
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox.services import nova
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import system

PLANES = ('mgmt', 'tun', 'ext')
# Node-side device names (inside the node's network namespace).
NODE_DEVICE = {'mgmt': 'mgmt0', 'tun': 'tun0', 'ext': 'ext0'}
# Devices read by the OVS userspace datapath need checksum offload off.
NETDEV_PLANES = ('tun', 'ext')
# Directories libvirt insists on; bound per node over the host's.
LIBVIRT_DIRS = ('/etc/libvirt', '/var/lib/libvirt', '/var/log/libvirt',
                '/var/cache/libvirt')
RUN_DIRS = ('netns', 'openvswitch', 'libvirt', 'lock', 'sshd')


def holder_name(node: settings_mod.Node) -> str:
    return 'node-%s' % node.name


def netns_path(node: settings_mod.Node) -> str:
    return '/run/netns/%s' % node.namespace


def list_netns() -> set[str]:
    try:
        return set(os.listdir('/run/netns'))
    except FileNotFoundError:
        return set()


def link_exists(name: str) -> bool:
    return os.path.exists('/sys/class/net/%s' % name)


class Nodes:
    """Creates, enters and removes the sandbox nodes."""

    def __init__(self, conf: settings_mod.SandboxSettings,
                 supervisor: procs.Supervisor):
        self.conf = conf
        self.supervisor = supervisor

    # Root-namespace bridges ------------------------------------------
    def bridge_addresses(self) -> dict[str, str | None]:
        return {
            'mgmt': '%s/%d' % (self.conf.controller_ip, self.conf.prefixlen),
            'tun': None,
            'ext': '%s/%s' % (self.conf.external_gateway,
                              self.conf.external_cidr.split('/')[1]),
        }

    def bridges_ready(self) -> bool:
        return all(link_exists(self.conf.bridge(p)) for p in PLANES)

    def create_bridges(self) -> None:
        for plane, address in self.bridge_addresses().items():
            bridge = self.conf.bridge(plane)
            if not link_exists(bridge):
                system.run(['ip', 'link', 'add', bridge, 'type', 'bridge'])
            if address:
                system.run(['ip', 'addr', 'replace', address, 'dev', bridge])
            system.run(['ip', 'link', 'set', bridge, 'up'])
            if plane in NETDEV_PLANES:
                system.run(['ethtool', '-K', bridge, 'tx', 'off'])

    def delete_bridges(self) -> None:
        for plane in PLANES:
            bridge = self.conf.bridge(plane)
            if link_exists(bridge):
                system.run(['ip', 'link', 'del', bridge])

    # Nodes -------------------------------------------------------------
    def node_dir(self, node: settings_mod.Node, *parts: str) -> str:
        return self.conf.state('nodes', node.name, *parts)

    def holder_pid(self, node: settings_mod.Node) -> int | None:
        return self.supervisor.pid(holder_name(node))

    def ready(self, node: settings_mod.Node) -> bool:
        return (node.namespace in list_netns()
                and self.holder_pid(node) is not None
                and all(link_exists(node.veth(p)) for p in PLANES))

    def prefix(self, node: settings_mod.Node) -> list[str]:
        """Argv prefix that runs a command inside the node."""
        pid = self.holder_pid(node)
        if pid is None:
            raise exceptions.ServiceError('node %s is not running'
                                          % node.name)
        return ['nsenter', '-t', str(pid), '-n', '-m', '-u', '--']

    def run_in(self, node: settings_mod.Node, argv: list[str],
               **kwargs) -> str:
        return system.run(self.prefix(node) + argv, **kwargs).stdout or ''

    def create(self, node: settings_mod.Node) -> None:
        if node.namespace not in list_netns():
            system.run(['ip', 'netns', 'add', node.namespace])
        self._wire(node)
        self._prepare_dirs(node)
        if self.holder_pid(node) is None:
            self._start_holder(node)

    def _wire(self, node: settings_mod.Node) -> None:
        ns = node.namespace
        inside = ['ip', 'netns', 'exec', ns]
        for plane in PLANES:
            root_dev, node_dev = node.veth(plane), NODE_DEVICE[plane]
            if not link_exists(root_dev):
                system.run(['ip', 'link', 'add', root_dev, 'type', 'veth',
                            'peer', 'name', node_dev, 'netns', ns])
            system.run(['ip', 'link', 'set', root_dev, 'master',
                        self.conf.bridge(plane), 'up'])
            system.run(inside + ['ip', 'link', 'set', node_dev, 'up'])
            if plane in NETDEV_PLANES:
                system.run(['ethtool', '-K', root_dev, 'tx', 'off'])
                system.run(inside + ['ethtool', '-K', node_dev, 'tx', 'off'])
        system.run(inside + ['ip', 'link', 'set', 'lo', 'up'])
        system.run(inside + ['ip', 'addr', 'replace', '%s/%d' % (
            node.mgmt_ip, self.conf.prefixlen), 'dev', NODE_DEVICE['mgmt']])

    def _prepare_dirs(self, node: settings_mod.Node) -> None:
        for path in LIBVIRT_DIRS:
            target = self.node_dir(node, 'libvirt', path.strip('/').replace(
                '/', '-'))
            if os.path.isdir(target):
                continue
            if path == '/etc/libvirt':
                shutil.copytree(path, target, symlinks=True)
                # No default NAT network: it would route out of the node.
                autostart = os.path.join(target, 'qemu', 'networks',
                                         'autostart')
                shutil.rmtree(autostart, ignore_errors=True)
            else:
                os.makedirs(target)
        if node.role == settings_mod.COMPUTE:
            # libvirtd finds its hooks when it starts, which comes later.
            system.write_file(self.node_dir(
                node, 'libvirt', 'etc-libvirt', 'hooks', 'qemu'),
                nova.libvirt_qemu_hook(self.conf.log(node.name,
                                                     'libvirt-hook')),
                0o755)
        os.makedirs(self.node_dir(node, 'cgroup-hold'), exist_ok=True)
        hosts = ['127.0.0.1 localhost', '%s controller' %
                 self.conf.controller_ip]
        hosts += ['%s %s' % (n.mgmt_ip, n.name) for n in self.conf.nodes]
        system.write_file(self.node_dir(node, 'hosts'),
                          '\n'.join(hosts) + '\n')

    def setup_script(self, node: settings_mod.Node) -> str:
        """Shell run inside the new mount + UTS namespaces, then sleeps."""
        hold = self.node_dir(node, 'cgroup-hold')
        lines = ['set -e',
                 'hostname %s' % shlex.quote(node.name),
                 # Keep the host's cgroup tree visible for libvirt, under
                 # a sysfs that belongs to the node's network namespace.
                 'mount --rbind /sys/fs/cgroup %s' % hold,
                 'mount -t sysfs sysfs /sys',
                 'mount --rbind %s /sys/fs/cgroup' % hold,
                 'umount -l %s' % hold,
                 'mount -t tmpfs -o mode=755 tmpfs /run']
        lines += ['mkdir -p %s' % ' '.join('/run/%s' % d for d in RUN_DIRS)]
        for path in LIBVIRT_DIRS:
            source = self.node_dir(node, 'libvirt', path.strip('/').replace(
                '/', '-'))
            lines.append('mount --bind %s %s' % (source, path))
        lines.append('mount --bind %s /etc/hosts' % self.node_dir(node,
                                                                  'hosts'))
        lines.append('exec sleep infinity')
        return '\n'.join(lines) + '\n'

    def _start_holder(self, node: settings_mod.Node) -> None:
        script = self.node_dir(node, 'enter.sh')
        system.write_file(script, self.setup_script(node), 0o755)
        log = self.conf.log(node.name, 'node')
        self.supervisor.start(
            holder_name(node),
            ['nsenter', '--net=%s' % netns_path(node), 'unshare', '--mount',
             '--uts', '--propagation', 'private', '/bin/sh', script], log)

        # The mounts are done once the script has become the sleep.
        def set_up() -> bool:
            self.supervisor.check_alive(holder_name(node), log)
            return _is_sleeping(self.holder_pid(node))

        try:
            polling.poll(set_up, 5.0, 'node %s setup' % node.name,
                         interval=0.05, sleep=self.supervisor.sleep,
                         clock=self.supervisor.clock)
        except exceptions.WaitTimeout:
            raise exceptions.ServiceError('node %s did not finish its setup'
                                          % node.name, log)

    def processes(self, node: settings_mod.Node) -> list[int]:
        """Every process started inside the node, holder excluded.

        The UTS namespace is the node's mark: ``ip netns exec`` (used by
        agents for dnsmasq and router helpers) changes the network and
        mount namespaces but keeps the UTS one.
        """
        holder = self.holder_pid(node)
        if holder is None:
            return []
        try:
            target = os.stat('/proc/%d/ns/uts' % holder)
        except OSError:
            return []
        found = []
        for entry in os.listdir('/proc'):
            if not entry.isdigit() or int(entry) == holder:
                continue
            try:
                info = os.stat('/proc/%s/ns/uts' % entry)
            except OSError:
                continue
            if (info.st_ino, info.st_dev) == (target.st_ino, target.st_dev):
                found.append(int(entry))
        return found

    def kill_inside(self, node: settings_mod.Node,
                    timeout: float = 10.0) -> None:
        """TERM, then KILL after ``timeout``, whatever runs inside the node.

        :raises ServiceError: when processes outlive SIGKILL.
        """
        deadline = self.supervisor.clock() + timeout

        def cleared() -> bool:
            remaining = self.processes(node)
            sig = (signal.SIGKILL if self.supervisor.clock() > deadline
                   else signal.SIGTERM)
            for pid in remaining:
                try:
                    os.kill(pid, sig)
                except ProcessLookupError:
                    pass
                procs.reap(pid)
            return not remaining

        polling.poll(cleared, timeout + procs.KILL_WAIT,
                     'processes of node %s to exit' % node.name,
                     interval=0.2, error=exceptions.ServiceError,
                     sleep=self.supervisor.sleep, clock=self.supervisor.clock)

    def destroy(self, node: settings_mod.Node) -> None:
        """Kill what runs inside, then remove the namespaces and veths."""
        self.kill_inside(node)
        self.supervisor.stop(holder_name(node), timeout=5)
        for plane in PLANES:
            if link_exists(node.veth(plane)):
                system.run(['ip', 'link', 'del', node.veth(plane)],
                           check=False)
        if node.namespace in list_netns():
            system.run(['ip', 'netns', 'delete', node.namespace])


def _is_sleeping(pid: int | None) -> bool:
    if pid is None:
        return False
    try:
        with open('/proc/%d/comm' % pid) as handle:
            return handle.read().strip() == 'sleep'
    except OSError:
        return False
