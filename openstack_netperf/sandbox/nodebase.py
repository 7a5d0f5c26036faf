"""Each node's Open vSwitch and SSH server, and starting a node afresh.

The agents do not recover from a new ovs-vswitchd (the L3 agent keeps
router devices that died with the old one), so when a node's switch must
be started again under running services, everything in the node is
stopped first; its guests go with it.
"""

from __future__ import annotations

import concurrent.futures
from typing import Callable

from openstack_netperf.sandbox import inventory as inventory_mod
from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import ovs
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import supervision
from openstack_netperf.sandbox import system


class NodeBase(inventory_mod.Part):
    """Starts and checks what every node runs before its agents."""

    @property
    def nodes(self) -> nodes_mod.Nodes:
        return self.inventory.nodes

    def start(self, node: settings_mod.Node) -> None:
        """OVS with br-phy and br-ex, then sshd; afresh if OVS had died."""
        if (not self.daemons.all_alive(ovs.daemons(self.conf, node))
                and self.nodes.processes(node)):
            self.reset(node)
        self.start_ovs(node)
        self.daemons.start_and_wait([sshd.daemon(self.conf, node)], 10)

    def done(self, node: settings_mod.Node) -> bool:
        return (self.ovs_done(node)
                and self.daemons.alive(sshd.daemon(self.conf, node)))

    def reset(self, node: settings_mod.Node) -> None:
        """Stop everything inside a node and drop its inner namespaces."""
        with open(self.conf.log(node.name, 'node'), 'a') as log:
            log.write('--- netperf-sandbox: OVS is down under running '
                      'services: restarting everything in the node\n')
        for daemon in self.inventory.node_daemons(node):
            self.daemons.supervisor.stop(daemon.name, supervision.STOP_GRACE)
        self.nodes.kill_inside(node)
        self.nodes.run_in(node, ['ip', '-all', 'netns', 'delete'],
                          check=False)

    def start_ovs(self, node: settings_mod.Node) -> None:
        ovs.start(self.conf, node, self.daemons,
                  lambda argv, **kwargs: self.nodes.run_in(node, argv,
                                                           **kwargs))
        mac = self.nodes.run_in(node, ['cat', '/sys/class/net/%s/address'
                                       % nodes_mod.NODE_DEVICE['tun']])
        for argv in ovs.bridge_commands(node, mac.strip(),
                                        self.conf.prefixlen):
            self.nodes.run_in(node, argv)

    def ovs_done(self, node: settings_mod.Node) -> bool:
        return (self.daemons.all_alive(ovs.daemons(self.conf, node))
                and self._bridge_exists(node, 'br-phy')
                and self._bridge_exists(node, 'br-ex'))

    def _bridge_exists(self, node: settings_mod.Node, bridge: str) -> bool:
        argv = self.nodes.prefix(node) + ['ovs-vsctl', '--timeout=5',
                                          'br-exists', bridge]
        return system.run(argv, check=False).returncode == 0


def for_each_node(conf: settings_mod.SandboxSettings,
                  action: Callable[[settings_mod.Node], None]) -> None:
    """Run an action on every node at once; raise the first error."""
    with concurrent.futures.ThreadPoolExecutor(len(conf.nodes)) as pool:
        futures = [pool.submit(action, n) for n in conf.nodes]
        for future in futures:
            future.result()
