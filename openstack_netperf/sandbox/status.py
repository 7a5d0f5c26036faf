"""``status`` and ``logs``: what runs, what the APIs report, where logs are.

``status`` lists every daemon with its PID, then every Neutron agent and
nova-compute service as the APIs report them; it is healthy only when
all are alive.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from openstack_netperf import exceptions
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod

if TYPE_CHECKING:
    from openstack_netperf.sandbox import sandbox


def report(box: sandbox.Sandbox) -> bool:
    """Print what runs; True when every daemon and agent is alive."""
    conf, out = box.conf, box.out
    if not os.path.isdir(conf.state_dir):
        out.write('No sandbox (no %s).\n' % conf.state_dir)
        return False
    healthy = True
    for daemon in box.inventory.all_daemons():
        pid = box.supervisor.pid(daemon.name)
        healthy = healthy and pid is not None
        out.write('%-12s %-26s %s\n' % (
            daemon.node, daemon.service,
            'pid %d' % pid if pid else 'NOT RUNNING'))
    if readiness.port_open(conf.controller_ip, conf.port('neutron')):
        try:
            cloud = box.cloud()
            for agent in sorted(cloud.agents(),
                                key=lambda a: (a['host'], a['agent_type'])):
                healthy = healthy and agent['alive']
                out.write('agent  %-12s %-20s %s\n' % (
                    agent['host'], agent['agent_type'],
                    'alive' if agent['alive'] else 'DEAD'))
            for service in cloud.compute_services():
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


def log_path(conf: settings_mod.SandboxSettings, node: str,
             service: str) -> str:
    """The log of a service on a node, with a helpful error."""
    names = [services.CONTROLLER] + [n.name for n in conf.nodes]
    if node not in names:
        raise exceptions.ServiceError('no node %r; nodes: %s'
                                      % (node, ', '.join(names)))
    path = conf.log(node, service)
    if not os.path.exists(path):
        folder = os.path.dirname(path)
        known = sorted(f[:-4] for f in os.listdir(folder)
                       if f.endswith('.log')) if os.path.isdir(
                           folder) else []
        raise exceptions.ServiceError(
            'no log %s; services with a log on %s: '
            '%s' % (path, node, ', '.join(known) or 'none'))
    return path
