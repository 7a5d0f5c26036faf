"""Open vSwitch inside a node: userspace (netdev) datapath.

Each node runs its own ovsdb-server and ovs-vswitchd at the standard
paths of its private ``/run``, with the database in the node's state
directory.  ``br-phy`` carries the tunnel IP (OVS userspace VXLAN routes
through a bridge that holds the endpoint address) and ``br-ex`` the
external network; the agent creates ``br-int`` and ``br-tun``.

``python -m openstack_netperf.sandbox.ovs start|stop DIR`` starts the
same switch of one node where it runs: ``tools/capture-host-data.sh``
uses it inside its private namespaces to build the node it captures.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Callable

from openstack_netperf import exceptions
from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import supervision
from openstack_netperf.sandbox import system

SCHEMA = '/usr/share/openvswitch/vswitch.ovsschema'
DB_SOCK = 'unix:/run/openvswitch/db.sock'
# The node whose switch ``main`` runs (its names and addresses).
CAPTURE_NODE = 'network'


def db_file(conf: settings_mod.SandboxSettings,
            node: settings_mod.Node) -> str:
    return conf.state('nodes', node.name, 'ovs', 'conf.db')


def db_server(conf: settings_mod.SandboxSettings,
              node: settings_mod.Node) -> services.Daemon:
    return services.Daemon(node.name, 'ovsdb-server', (
        'ovsdb-server', db_file(conf, node),
        '--remote=punix:/run/openvswitch/db.sock',
        '--remote=db:Open_vSwitch,Open_vSwitch,manager_options',
        '--pidfile=/run/openvswitch/ovsdb-server.pid',
        '--log-file=%s' % conf.log(node.name, 'ovsdb-server')))


def switch(conf: settings_mod.SandboxSettings,
           node: settings_mod.Node) -> services.Daemon:
    return services.Daemon(node.name, 'ovs-vswitchd', (
        'ovs-vswitchd', DB_SOCK, '--pidfile=/run/openvswitch/'
        'ovs-vswitchd.pid', '--log-file=%s' % conf.log(
            node.name, 'ovs-vswitchd')))


def daemons(conf: settings_mod.SandboxSettings,
            node: settings_mod.Node) -> list[services.Daemon]:
    """ovsdb-server, then ovs-vswitchd: the order they start in."""
    return [db_server(conf, node), switch(conf, node)]


def create_db_argv(conf: settings_mod.SandboxSettings,
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


def start(conf: settings_mod.SandboxSettings, node: settings_mod.Node,
          daemons: supervision.Daemons, run: Callable[..., str]) -> None:
    """The database (created once), ovsdb-server, then ovs-vswitchd.

    ``run(argv, check=...)`` runs a command in the node and returns its
    output.  ovs-vswitchd starts once the database answers on its socket.
    """
    db = db_file(conf, node)
    if not os.path.exists(db):
        os.makedirs(os.path.dirname(db), exist_ok=True)
        system.run(create_db_argv(conf, node))
    server = db_server(conf, node)
    daemons.start_and_wait([server], timeout=10)
    readiness.wait_for(
        '%s ovsdb socket' % node.name,
        lambda: run(['ovs-vsctl', '--timeout=2', 'show'], check=False) != '',
        20, lambda: daemons.check_alive(server), interval=0.2,
        log=daemons.log(server))
    daemons.start_and_wait([switch(conf, node)], timeout=10)


def main(argv: list[str] | None = None) -> int:
    """Start or stop one node's switch here, with its files under DIR."""
    parser = argparse.ArgumentParser(
        prog='python -m openstack_netperf.sandbox.ovs',
        description='Run the Open vSwitch of a sandbox node in the current '
                    'namespaces (which must have a private /run with '
                    '/run/openvswitch), its database, PID files and logs '
                    'under DIR.')
    parser.add_argument('action', choices=('start', 'stop'))
    parser.add_argument('directory', metavar='DIR')
    args = parser.parse_args(argv)
    base = os.path.abspath(args.directory)
    conf = settings_mod.SandboxSettings(
        state_dir=os.path.join(base, 'state'),
        log_dir=os.path.join(base, 'log'),
        venv_dir=os.path.join(base, 'venv'))
    supervisor = procs.Supervisor(conf.state('run'))
    try:
        if args.action == 'stop':
            for name in reversed(supervisor.names()):
                supervisor.stop(name, supervision.STOP_GRACE)
        else:
            start(conf, conf.node(CAPTURE_NODE),
                  supervision.Daemons(conf, supervisor, lambda _name: []),
                  lambda cmd, **kwargs: system.run(cmd, **kwargs).stdout)
    except exceptions.NetperfError as exc:
        print('ovs: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
