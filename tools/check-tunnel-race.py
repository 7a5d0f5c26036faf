#!/usr/bin/env python3
"""The OVS agent's tunnel-port race forced on Neutron's code, and the lock.

Needs Neutron, not the sandbox and not root; run it with the sandbox's
service virtualenv:

    /opt/openstack-netperf/sandbox-venv/bin/python3 tools/check-tunnel-race.py

The agent's own methods (OVSNeutronAgent of the installed Neutron) run
against a fake tunnel bridge that records ports and flood flows.  Two
threads are interleaved the same way every time: the first removes the
last remote port of a network (``fdb_remove``), so
``cleanup_tunnel_port`` finds the tunnel port unused and deletes it; the
fake bridge holds it inside that deletion (after the check, before the
agent forgets the port) until the second thread, ``fdb_add`` of a port
on another network behind the same remote host (or
``provision_local_vlan`` of a new network), has finished or is waiting
for the lock.  Then the deletion goes on.  Afterwards every flood flow
must output only to tunnel ports that exist.

Without the lock the second thread floods to the port being deleted: a
stale flood flow, the remote host unreachable for broadcasts (a DHCP
discover, say).  With openstack_netperf/sandbox/ovs_agent.py's lock it
waits, sees the port gone and creates a new one.  Exit status 0 when both
outcomes are as described, 1 otherwise.
"""

from __future__ import annotations

import importlib.util
import pathlib
import sys
import threading
from typing import Any, Callable

REPO = pathlib.Path(__file__).resolve().parents[1]
WRAPPER = REPO / 'openstack_netperf' / 'sandbox' / 'ovs_agent.py'
LOCAL_IP = '198.18.1.10'
REMOTE_IP = '198.18.1.11'
# Seconds to wait for a thread to reach a point it reaches at once.
STEP_TIMEOUT = 30.0


def load_wrapper() -> Any:
    spec = importlib.util.spec_from_file_location('netperf_ovs_agent',
                                                  WRAPPER)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


class FakeTunBridge:
    """br-tun as the agent drives it: tunnel ports and flood flows.

    ``on_delete`` runs inside ``delete_port``, before the port goes.
    Port numbers are never reused, so a stale flow stays visible.
    """

    def __init__(self) -> None:
        self.ports: dict[str, int] = {}
        self.flood: dict[int, list[int]] = {}
        self.next_ofport = 1
        self.on_delete: Callable[[], None] = lambda: None

    def add_tunnel_port(self, port_name: str, *args: Any) -> int:
        self.ports[port_name] = self.next_ofport
        self.next_ofport += 1
        return self.ports[port_name]

    def delete_port(self, port_name: str) -> None:
        self.on_delete()
        self.ports.pop(port_name, None)

    def install_flood_to_tun(self, vlan: int, tun_id: int,
                             ports: Any) -> None:
        self.flood[vlan] = sorted(ports)

    def delete_flood_to_tun(self, vlan: int) -> None:
        self.flood.pop(vlan, None)

    def _nothing(self, *args: Any, **kwargs: Any) -> None:
        """Flows the race does not touch."""

    setup_tunnel_port = cleanup_tunnel_port = _nothing
    install_unicast_to_tun = delete_unicast_to_tun = _nothing
    install_arp_responder = delete_arp_responder = _nothing
    provision_local_vlan = reclaim_local_vlan = _nothing

    def stale(self) -> list[str]:
        """Flood flows that output to a tunnel port that does not exist."""
        alive = set(self.ports.values())
        return ['VLAN %d floods to port %d, which does not exist'
                % (vlan, port) for vlan, ports in sorted(self.flood.items())
                for port in ports if port not in alive]


class ProbeLock:
    """A re-entrant lock that tells when a thread has to wait for it."""

    def __init__(self) -> None:
        self._lock = threading.RLock()
        self.waited: set[str] = set()
        self.changed = threading.Event()

    def __enter__(self) -> 'ProbeLock':
        if not self._lock.acquire(blocking=False):
            self.waited.add(threading.current_thread().name)
            self.changed.set()
            self._lock.acquire()
        return self

    def __exit__(self, *exc: Any) -> None:
        self._lock.release()


class Race:
    """One agent on a fake bridge, two networks behind one remote host."""

    def __init__(self, agent_cls: type, neutron: Any) -> None:
        self.n = neutron
        self.bridge = FakeTunBridge()
        vlans = neutron.vlanmanager.LocalVlanManager()
        vlans.mapping.clear()  # a process-wide singleton
        agent = agent_cls.__new__(agent_cls)  # no OVS, no RPC
        attrs = dict(
            local_ip=LOCAL_IP, tun_br=self.bridge, tun_br_ofports={
                'vxlan': {}}, vlan_manager=vlans, l2_pop=True,
            enable_tunneling=True, enable_distributed_routing=False,
            arp_responder_enabled=True, tunnel_types=['vxlan'],
            vxlan_udp_port=4789, dont_fragment=True, tunnel_csum=False,
            tos=None, available_local_vlans=set(range(1, 100)),
            _local_vlan_hints={})
        for name, value in attrs.items():
            setattr(agent, name, value)
        self.agent = agent
        for net, seg in (('net-a', 101), ('net-b', 102)):
            agent.provision_local_vlan(net, 'vxlan', None, seg)
        agent.fdb_add(None, self.entries('net-a', 101, 1))

    def entries(self, net: str, seg: int, host: int) -> dict:
        """l2population's fdb entries: flooding + one port on REMOTE_IP."""
        port = self.n.l2pop_rpc.PortInfo('fa:16:3e:00:00:%02x' % host,
                                         '198.19.%d.%d' % (seg - 90, host))
        flood = self.n.l2pop_rpc.PortInfo(*self.n.constants.FLOODING_ENTRY)
        return {net: {'segment_id': seg, 'network_type': 'vxlan',
                      'ports': {REMOTE_IP: [flood, port]}}}

    def run(self, second: Callable[[], None],
            lock: ProbeLock | None) -> list[str]:
        """Interleave; the log of what happened, stale flows last."""
        log: list[str] = []
        deleting, resume = threading.Event(), threading.Event()

        def hold() -> None:
            log.append('cleanup_tunnel_port: port unused, deleting it')
            deleting.set()
            resume.wait(STEP_TIMEOUT)

        self.bridge.on_delete = hold
        first = threading.Thread(name='remove', target=self.agent.fdb_remove,
                                 args=(None, self.entries('net-a', 101, 1)))
        first.start()
        if not deleting.wait(STEP_TIMEOUT):
            raise RuntimeError('fdb_remove never deleted the tunnel port')
        other = threading.Thread(name='second', target=second)
        other.start()
        done = False
        for _ in range(int(STEP_TIMEOUT * 100)):
            other.join(0.01)
            done = not other.is_alive()
            if done or (lock and 'second' in lock.waited):
                break
        else:
            raise RuntimeError('the second thread neither ended nor waited')
        log.append('second thread: %s while the port was being deleted'
                   % ('ran to its end' if done else 'waited for the lock'))
        self.bridge.on_delete = lambda: None
        resume.set()
        first.join(STEP_TIMEOUT)
        other.join(STEP_TIMEOUT)
        if first.is_alive() or other.is_alive():
            raise RuntimeError('a thread did not end')
        log.append('tunnel ports %s; flood flows %s; agent knows %s' % (
            self.bridge.ports, self.bridge.flood,
            self.agent.tun_br_ofports['vxlan']))
        return log


def import_neutron() -> Any:
    wrapper = load_wrapper()
    importlib.import_module(wrapper.ENTRY_MODULE)  # threading backend
    agent_module = importlib.import_module(wrapper.AGENT_MODULE)
    from neutron.plugins.ml2.drivers.l2pop import rpc as l2pop_rpc
    from neutron.plugins.ml2.drivers.openvswitch.agent import vlanmanager
    from neutron_lib import constants
    return type('Neutron', (), dict(
        wrapper=wrapper, agent=getattr(agent_module, wrapper.AGENT_CLASS),
        constants=constants, l2pop_rpc=l2pop_rpc, vlanmanager=vlanmanager))


# The second thread's work, on a race's agent.
SCENARIOS: dict[str, Callable[[Race], None]] = {
    'fdb_add of another network': lambda race: race.agent.fdb_add(
        None, race.entries('net-b', 102, 2)),
    'provision_local_vlan of a new network': lambda race:
        race.agent.provision_local_vlan('net-c', 'vxlan', None, 103),
}


def main() -> int:
    try:
        neutron = import_neutron()
    except ImportError as exc:
        print('needs Neutron (run with the sandbox service virtualenv\'s '
              'python3): %s' % exc, file=sys.stderr)
        return 2
    ok = True
    for name, second in SCENARIOS.items():
        for locked in (False, True):
            cls = type('Agent', (neutron.agent,), {})
            lock = None
            if locked:
                lock = ProbeLock()
                neutron.wrapper.serialise(cls, lock=lock)
            race = Race(cls, neutron)
            log = race.run(lambda: second(race), lock)
            stale = race.bridge.stale()
            expected = bool(stale) != locked
            ok = ok and expected
            print('%s, %s lock: %s' % (
                name, 'with the' if locked else 'without a',
                'STALE: ' + '; '.join(stale) if stale else 'consistent'))
            for line in log:
                print('    ' + line)
            if not expected:
                print('    NOT AS EXPECTED')
    return 0 if ok else 1


if __name__ == '__main__':
    sys.exit(main())
