"""What runs where in the sandbox, and the configuration files it reads.

Daemons are grouped by what they are (the database, the broker, Keystone,
the other controller services, each node's switch, SSH server and
agents), never picked out of a list by position, so adding a service to
one group cannot shift another.
"""

from __future__ import annotations

from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import ovs
from openstack_netperf.sandbox import secret as secret_mod
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
from openstack_netperf.sandbox import supervision


class Inventory:
    """The daemons of every node and the files they read."""

    def __init__(self, secret: secret_mod.Secret, nodes: nodes_mod.Nodes):
        self.secret = secret
        self.nodes = nodes
        self.conf = secret.conf

    def openstack_daemons(self) -> list[services.Daemon]:
        """Controller API and RPC daemons other than Keystone.

        They start once Keystone knows their service users.
        """
        ctx = self.secret.context()
        return ([glance.daemon(ctx), placement.daemon(ctx)]
                + nova.controller_daemons(ctx)
                + neutron.server_daemons(ctx))

    def controller_daemons(self) -> list[services.Daemon]:
        """Every controller daemon, in start order."""
        ctx = self.secret.context()
        return ([mariadb.daemon(ctx)] + rabbitmq.daemons(ctx)
                + [keystone.daemon(ctx)] + self.openstack_daemons())

    def agent_daemons(self, node: settings_mod.Node
                      ) -> list[services.Daemon]:
        """Neutron agents, and on a compute libvirtd and nova-compute."""
        ctx = self.secret.context()
        daemons = neutron.agent_daemons(ctx, node)
        if node.role == settings_mod.COMPUTE:
            daemons += nova.compute_daemons(ctx, node)
        return daemons

    def node_daemons(self, node: settings_mod.Node) -> list[services.Daemon]:
        """Everything the sandbox starts in a node, in start order."""
        return (ovs.daemons(self.conf, node)
                + [sshd.daemon(self.conf, node)] + self.agent_daemons(node))

    def all_node_daemons(self) -> list[services.Daemon]:
        return [d for n in self.conf.nodes for d in self.node_daemons(n)]

    def all_agent_daemons(self) -> list[services.Daemon]:
        return [d for n in self.conf.nodes for d in self.agent_daemons(n)]

    def all_daemons(self) -> list[services.Daemon]:
        return self.controller_daemons() + self.all_node_daemons()

    def configs(self) -> dict[str, str]:
        """Path -> content of every configuration file."""
        ctx = self.secret.context()
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
        """Every configuration file is on disk as it would be rendered."""
        for path, text in self.configs().items():
            try:
                with open(path) as handle:
                    if handle.read() != text:
                        return False
            except OSError:
                return False
        return True


class Part:
    """A part of ``up`` that starts, or sets up, what the inventory lists."""

    def __init__(self, secret: secret_mod.Secret, inventory: Inventory,
                 daemons: supervision.Daemons):
        self.secret = secret
        self.inventory = inventory
        self.daemons = daemons
        self.conf = secret.conf
