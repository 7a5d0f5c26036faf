"""The sandbox's Neutron OVS agent: upstream's, with l2population serialised.

Run with the service virtualenv's interpreter, in place of
``neutron-openvswitch-agent`` and with the same arguments::

    python3 -P .../openstack_netperf/sandbox/ovs_agent.py --config-file ...

Why: the agent (Neutron 29) runs its RPC handlers in oslo.messaging's
thread pool and its port loop in the main thread, and nothing serialises
what they do to the tunnel bridge.  ``cleanup_tunnel_port`` checks that no
local VLAN still floods to a tunnel port and then deletes it;
``fdb_add`` looks the tunnel port up, then adds it to a VLAN's flood flow;
``provision_local_vlan`` builds a new VLAN's flood flow from the tunnel
ports it knows.  Interleaved, a flood flow is left pointing at a tunnel
port that is gone, and a new guest's broadcasts (DHCP discovers) never
reach the network node.  One re-entrant lock around those methods (and
``reclaim_local_vlan``, which removes a VLAN and its tunnel ports) makes
each check-then-act whole; ``tools/check-tunnel-race.py`` shows both
outcomes on Neutron's own code.

The agent's code is not changed otherwise.  If a method to wrap no longer
exists (Neutron changed), the agent does not start: it would run unfixed.
This file imports nothing but the standard library and Neutron, and
``-P`` keeps its directory off ``sys.path``.
"""

from __future__ import annotations

import functools
import importlib
import sys
import threading
from typing import Any, Callable

ENTRY_MODULE = 'neutron.cmd.agents.ovs_neutron_agent'
AGENT_MODULE = ('neutron.plugins.ml2.drivers.openvswitch.agent.'
                'ovs_neutron_agent')
AGENT_CLASS = 'OVSNeutronAgent'
# fdb_add / fdb_remove: the l2population RPC handlers (add_fdb_entries and
# remove_fdb_entries of L2populationRpcCallBackMixin call them);
# cleanup_tunnel_port: also called from tunnel_delete and
# reclaim_local_vlan; provision_local_vlan / reclaim_local_vlan: the port
# loop's side.
SERIALISED = ('fdb_add', 'fdb_remove', 'cleanup_tunnel_port',
              'provision_local_vlan', 'reclaim_local_vlan')


class NeutronChanged(Exception):
    """The agent's code is not what the fix was written for."""


def locked(method: Callable[..., Any], lock: Any) -> Callable[..., Any]:
    """``method`` run while holding ``lock``."""

    @functools.wraps(method)
    def serialised(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return method(*args, **kwargs)

    serialised.netperf_lock = lock  # type: ignore[attr-defined]
    return serialised


def serialise(cls: type, names: tuple[str, ...] = SERIALISED,
              lock: Any = None) -> Any:
    """Wrap ``names`` of ``cls`` with one lock (a new RLock by default).

    Nothing is wrapped unless every name is a method of ``cls``.  Returns
    the lock.
    """
    missing = [n for n in names if not callable(getattr(cls, n, None))]
    if missing:
        raise NeutronChanged('%s has no %s' % (cls.__name__,
                                               ', '.join(missing)))
    already = [n for n in names
               if hasattr(getattr(cls, n), 'netperf_lock')]
    if already:
        raise NeutronChanged('%s.%s is wrapped already'
                             % (cls.__name__, already[0]))
    lock = threading.RLock() if lock is None else lock
    for name in names:
        setattr(cls, name, locked(getattr(cls, name), lock))
    return lock


def patched_entry() -> Any:
    """Upstream's entry module, once its agent class is serialised.

    The entry module is imported first: its package selects oslo.service's
    threading backend before the agent's modules load.
    """
    entry = importlib.import_module(ENTRY_MODULE)
    agent = importlib.import_module(AGENT_MODULE)
    cls = getattr(agent, AGENT_CLASS, None)
    if not isinstance(cls, type):
        raise NeutronChanged('%s has no class %s' % (AGENT_MODULE,
                                                     AGENT_CLASS))
    serialise(cls)
    if not callable(getattr(entry, 'main', None)):
        raise NeutronChanged('%s has no main()' % ENTRY_MODULE)
    return entry


def main() -> int:
    try:
        entry = patched_entry()
    except (ImportError, NeutronChanged) as exc:
        print('%s: %s; not starting the OVS agent without its fix '
              '(see doc/source/admin/sandbox.rst)' % (sys.argv[0], exc),
              file=sys.stderr)
        return 1
    return entry.main() or 0


if __name__ == '__main__':
    sys.exit(main())
