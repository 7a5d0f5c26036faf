"""Open vSwitch inside a node: userspace (netdev) datapath.

Each node runs its own ovsdb-server and ovs-vswitchd at the standard
paths of its private ``/run``, with the database in the node's state
directory.  ``br-phy`` carries the tunnel IP (OVS userspace VXLAN routes
through a bridge that holds the endpoint address) and ``br-ex`` the
external network; the agent creates ``br-int`` and ``br-tun``.
"""

from __future__ import annotations

from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod

SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
DB_SOCK = 'unix:/run/openvswitch/db.sock'


def db_file(conf: settings_mod.Settings, node: settings_mod.Node) -> str:
    return conf.state('nodes', node.name, 'ovs', 'conf.db')


def daemons(conf: settings_mod.Settings,
            node: settings_mod.Node) -> list[services.Daemon]:
    return [
        services.Daemon(node.name, 'ovsdb-server', (
            'ovsdb-server', db_file(conf, node),
            '--remote=punix:/run/openvswitch/db.sock',
            '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
            '--pidfile=/run/openvswitch/ovsdb-server.pid',
            '--log-file=%s' % conf.log(node.name, 'ovsdb-server'))),
        services.Daemon(node.name, 'ovs-vswitchd', (
            'ovs-vswitchd', DB_SOCK, '--pidfile=/run/openvswitch/'
            'ovs-vswitchd.pid', '--log-file=%s' % conf.log(
                node.name, 'ovs-vswitchd'))),
    ]


def create_db_argv(conf: settings_mod.Settings,
                   node: settings_mod.Node) -> list[str]:
    return ['ovsdb-tool', 'create', db_file(conf, node), SCHEMA]


def bridge_commands(node: settings_mod.Node, tunnel_mac: str,
                    prefixlen: int) -> list[list[str]]:
    """Idempotent commands that build br-phy and br-ex in the node."""
    vsctl = ['ovs-vsctl', '--timeout=20']
    tun = nodes_mod.NODE_DEVICE['tun']
    ext = nodes_mod.NODE_DEVICE['ext']
    return [
        vsctl + ['--no-wait', 'init'],
        vsctl + ['set', 'Open_vSwitch', '.',
                 'external_ids:hostname=%s' % node.name],
        vsctl + ['--may-exist', 'add-br', 'br-phy', '--', 'set', 'bridge',
                 'br-phy', 'datapath_type=netdev',
                 'other_config:hwaddr="%s"' % tunnel_mac],
        vsctl + ['--may-exist', 'add-port', 'br-phy', tun],
        ['ip', 'addr', 'replace', '%s/%d' % (node.tunnel_ip, prefixlen),
         'dev', 'br-phy'],
        ['ip', 'link', 'set', 'br-phy', 'up'],
        vsctl + ['--may-exist', 'add-br', 'br-ex', '--', 'set', 'bridge',
                 'br-ex', 'datapath_type=netdev'],
        vsctl + ['--may-exist', 'add-port', 'br-ex', ext],
        ['ip', 'link', 'set', 'br-ex', 'up'],
    ]
