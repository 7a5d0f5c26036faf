"""``down``: the teardown order that leaves nothing behind.

Servers through the API (so QEMU exits cleanly), agents and nova-compute,
whatever else runs inside each node (dnsmasq, privsep helpers, libvirtd,
OVS) with the node's namespaces, the controller daemons, anything else
the supervisor started, the bridges, then the state.
"""

from __future__ import annotations

import os
import shutil
from typing import TYPE_CHECKING

from openstack_netperf import exceptions
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import steps
from openstack_netperf.sandbox import supervision

if TYPE_CHECKING:
    from openstack_netperf.sandbox import sandbox


def delete_servers(box: sandbox.Sandbox) -> None:
    """Delete every server through the API so QEMU exits cleanly."""
    conf = box.conf
    if not readiness.port_open(conf.controller_ip, conf.port('nova')):
        return
    cloud = box.cloud()
    try:
        listing = cloud.call('GET', 'nova',
                             '/v2.1/servers?all_tenants=1')['servers']
        for server in listing:
            cloud.call('DELETE', 'nova', '/v2.1/servers/%s' % server['id'])
        readiness.wait_for('servers deleted', lambda: not cloud.call(
            'GET', 'nova', '/v2.1/servers?all_tenants=1')['servers'],
            60, interval=2)
    except (exceptions.APIError, OSError, exceptions.ServiceError) as exc:
        box.out.write('  (servers not deleted through the API: %s)\n' % exc)


def stop_leftovers(box: sandbox.Sandbox) -> None:
    """Whatever still has a PID file, in start order."""
    for name in box.supervisor.names():
        box.supervisor.stop(name, supervision.STOP_GRACE)


def remove_state(box: sandbox.Sandbox, keep_logs: bool) -> None:
    # The secret goes with the state: the next up makes a new one.
    box.secret.forget()
    removed = [box.conf.state_dir]
    if not keep_logs:
        removed.append(box.conf.log_dir)
    for path in removed:
        shutil.rmtree(path, ignore_errors=True)
        try:
            # The parent (/var/lib/openstack-netperf) if nothing else
            # of the project lives there.
            os.rmdir(os.path.dirname(path))
        except OSError:
            pass


def down_steps(box: sandbox.Sandbox, keep_logs: bool) -> list[steps.Step]:
    inventory, daemons = box.inventory, box.daemons
    result = [
        steps.Step('delete servers', lambda: delete_servers(box)),
        steps.Step('stop agents and nova-compute', lambda: daemons.stop_all(
            inventory.all_agent_daemons())),
    ]
    for node in box.conf.nodes:
        result.append(steps.Step(
            'node %s: stop the rest, remove namespaces' % node.name,
            lambda n=node: box.nodes.destroy(n)))
    result += [
        steps.Step('stop controller services', lambda: daemons.stop_all(
            list(reversed(inventory.controller_daemons())))),
        steps.Step('stop anything else started', lambda: stop_leftovers(box)),
        steps.Step('remove bridges', box.nodes.delete_bridges),
        steps.Step('remove state%s' % ('' if keep_logs else ' and logs'),
                   lambda: remove_state(box, keep_logs)),
    ]
    return result
