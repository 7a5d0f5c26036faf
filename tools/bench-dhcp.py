#!/usr/bin/env python3
"""Boot guests on the sandbox again and again; count who gets a DHCP lease.

Run as root on a running sandbox, from the project environment, e.g.

    .tox/py3/bin/python tools/bench-dhcp.py --boots 60 --batch 4

Each round boots ``--batch`` guests (alternating between the computes)
behind a new DVR router, reads every guest's serial console until the
guest prints its ready (or failed) line, and deletes them again.  A guest
has its lease when its console shows the DHCP hook's ``bound`` line; one
without gets its tap's link state (``ip -o link show``, read inside its
compute node) printed next to it, so that a failure names its cause.  The
summary gives boots, leases, failures and the load average, and how many
taps the computes' libvirt hook found down and set up (see
``libvirt_qemu_hook`` in openstack_netperf/sandbox/services/nova.py).

``--overlap``: each round's guests boot while the previous round's are
deleted, one every few seconds, so that a compute's last port of one
network goes while its first port of the next comes: what makes the OVS
agents remove and add tunnel ports and flood flows at the same time (the
race openstack_netperf/sandbox/ovs_agent.py serialises).  After every
round, each node's br-tun is checked for flood flows that output to a
tunnel port that does not exist (stale: broadcasts such as DHCP discovers
lost on the way).  A guest without a lease also gets the number of
discovers from its MAC that the network node's dnsmasq logged.
``--evidence DIR`` keeps, for a round with a failure, the consoles, every
node's br-tun and br-int flows and interfaces, and the round's dnsmasq
log.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import re
import sys
import threading
import time

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf import polling
from openstack_netperf import remote
from openstack_netperf.sandbox import guests
from openstack_netperf.sandbox import sandbox as sandbox_mod
from openstack_netperf.sandbox.services import neutron
from openstack_netperf.sandbox.services import sshd

BENCH_NET = 'bench-dhcp'
BENCH_CIDR = '198.19.13.0/24'
KEY_NAME = 'bench-dhcp'
# The DHCP hook (image/guest/udhcpc.script) prints this once bound.
LEASE = re.compile(console.LEASE_LINE.pattern + r'(\S+)')
# --overlap: seconds between two deletions of the previous round's guests.
OVERLAP_SPACING = 2.0
# br-tun's table of flood flows (neutron_lib's ovs_constants.FLOOD_TO_TUN).
FLOOD_TO_TUN = 22
FLOOD_FLOW = re.compile(r'dl_vlan=(\d+).*actions=(\S+)')
OUTPUT = re.compile(r'output:(\d+)')
# What --evidence keeps from every node.
NODE_EVIDENCE = {
    'br-tun-flows': ['ovs-ofctl', '-O', 'OpenFlow13', '--no-names',
                     'dump-flows', 'br-tun'],
    'br-int-flows': ['ovs-ofctl', '-O', 'OpenFlow13', '--no-names',
                     'dump-flows', 'br-int'],
    'ovs-interfaces': ['ovs-vsctl', '--format=csv', '--columns=name,ofport,'
                       'type,options,link_state,error', 'list', 'Interface'],
}


@dataclasses.dataclass
class Round:
    """A round's network, router and guests, deleted together."""

    index: int
    net: dict
    router: dict
    booted: list[guests.Guest] = dataclasses.field(default_factory=list)
    deleting: threading.Thread | None = None

    @property
    def server_ids(self) -> list[str]:
        return [g.server_id for g in self.booted]


def console_text(cloud, server_id: str, length: int = 200) -> str:
    return cloud.call('POST', 'nova', '/v2.1/servers/%s/action' % server_id,
                      {'os-getConsoleOutput': {'length': length}})['output']


def finished(text: str) -> bool:
    """Whether the guest's boot script is done (ready or failed)."""
    return console.READY_LINE in text or console.FAILED_LINE in text


def node_runner(box: sandbox_mod.Sandbox, name: str) -> remote.LocalRunner:
    node = box.conf.node(name)
    return remote.LocalRunner(node.name, prefix=box.nodes.prefix(node))


def tap_state(box: sandbox_mod.Sandbox, guest: guests.Guest) -> str:
    """The link state of the guest's tap, read inside its compute node."""
    return console.tap_link_state(node_runner(box, guest.host),
                                  guest.port_id)


def taps_set_up(box: sandbox_mod.Sandbox) -> int:
    """Taps the computes' libvirt hook found down and set up, so far."""
    count = 0
    for node in box.conf.computes:
        try:
            with open(box.conf.log(node.name, 'libvirt-hook')) as handle:
                count += sum('setting it up' in line for line in handle)
        except FileNotFoundError:
            pass
    return count


def dnsmasq_log(box: sandbox_mod.Sandbox, network_id: str) -> str:
    """Where the network node's dnsmasq logs DHCP for a network."""
    node = box.conf.node('network')
    return os.path.join(neutron.dnsmasq_log_dir(box.conf, node),
                        network_id, 'dhcp_dns_log')


def discovers(path: str, mac: str) -> int | None:
    """DHCPDISCOVERs from ``mac`` that dnsmasq logged (None: no log)."""
    try:
        with open(path) as handle:
            return sum('DHCPDISCOVER' in line and mac.lower() in line.lower()
                       for line in handle)
    except FileNotFoundError:
        return None


def flood_outputs(flows: str) -> dict[int, list[int]]:
    """Tunnel ports each VLAN floods to, from br-tun's dumped flows."""
    floods = {}
    for line in flows.splitlines():
        if 'table=%d,' % FLOOD_TO_TUN not in line.replace(' ', ''):
            continue
        match = FLOOD_FLOW.search(line)
        if match:
            floods[int(match.group(1))] = [
                int(p) for p in OUTPUT.findall(match.group(2))]
    return floods


def tunnel_ofports(csv: str) -> set[int]:
    """The ofports of ``ovs-vsctl --format=csv --columns=ofport find``.

    An interface OVS could not open has ofport -1 (or none yet): no port.
    """
    return {int(v) for v in csv.split() if v.isdigit()}


def stale_floods(node: str, flows: str, ofports: set[int]) -> list[str]:
    """Flood flows of br-tun that output to a tunnel port that is gone."""
    return ['%s: VLAN %d floods to port %d, which is no tunnel port'
            % (node, vlan, port)
            for vlan, ports in sorted(flood_outputs(flows).items())
            for port in ports if port not in ofports]


def stale_check(box: sandbox_mod.Sandbox) -> list[str]:
    """Stale flood flows on every node's br-tun (none expected)."""
    stale = []
    for node in box.conf.nodes:
        runner = node_runner(box, node.name)
        ofports = tunnel_ofports(runner.run([
            'ovs-vsctl', '--format=csv', '--no-headings',
            '--columns=ofport', 'find', 'Interface', 'type=vxlan']).stdout)
        flows = runner.run(['ovs-ofctl', '-O', 'OpenFlow13', '--no-names',
                            'dump-flows', 'br-tun',
                            'table=%d' % FLOOD_TO_TUN]).stdout
        stale += stale_floods(node.name, flows, ofports)
    return stale


def keep_evidence(box: sandbox_mod.Sandbox, cloud, directory: str,
                  current: Round, texts: dict[str, str]) -> str:
    """Consoles, nodes' flows and interfaces, dnsmasq log; the folder."""
    folder = os.path.join(directory, 'round-%03d' % current.index)
    os.makedirs(folder, exist_ok=True)

    def write(name: str, text: str) -> None:
        with open(os.path.join(folder, name), 'w') as handle:
            handle.write(text)

    for guest in current.booted:
        try:
            text = console_text(cloud, guest.server_id, length=2000)
        except exceptions.APIError:
            text = texts.get(guest.server_id, '')
        write('console-%s-%s.txt' % (guest.name, guest.port['mac_address']),
              text)
    for node in box.conf.nodes:
        runner = node_runner(box, node.name)
        for name, argv in NODE_EVIDENCE.items():
            result = runner.run(argv, check=False)
            write('%s-%s.txt' % (node.name, name),
                  result.stdout + result.stderr)
    try:
        with open(dnsmasq_log(box, current.net['id'])) as handle:
            write('dnsmasq-dhcp.log', handle.read())
    except FileNotFoundError:
        write('dnsmasq-dhcp.log', '(no dnsmasq log for this network)\n')
    return folder


def delete_one_by_one(cloud, server_ids: list[str], spacing: float,
                      sleep=time.sleep) -> None:
    """DELETE the servers ``spacing`` seconds apart (no waiting)."""
    for number, server_id in enumerate(server_ids):
        if number:
            sleep(spacing)
        guests.request_delete(cloud, [server_id])


def start_deleting(box: sandbox_mod.Sandbox, old: Round) -> None:
    """Delete a round's guests in the background, spaced out."""
    old.deleting = threading.Thread(
        target=delete_one_by_one, name='delete-round-%d' % old.index,
        args=(box.cloud(), old.server_ids, OVERLAP_SPACING), daemon=True)
    old.deleting.start()


def finish(cloud, old: Round) -> None:
    """Delete a round's guests (unless under way), then its network."""
    if old.deleting is None:
        guests.request_delete(cloud, old.server_ids)
    else:
        old.deleting.join()
    guests.wait_gone(cloud, old.server_ids)
    cloud.delete_dvr_network(old.net, old.router)


def read_consoles(cloud, current: Round, timeout: float) -> dict[str, str]:
    """Each guest's console, once every guest finished (or timeout)."""
    texts: dict[str, str] = {}

    def all_finished() -> bool:
        for guest in current.booted:
            if not finished(texts.get(guest.server_id, '')):
                texts[guest.server_id] = console_text(cloud, guest.server_id)
        return all(finished(t) for t in texts.values())

    try:
        polling.poll(all_finished, timeout, 'guests of round %d'
                     % current.index, interval=3.0)
    except exceptions.WaitTimeout:
        pass  # the guests still without a ready line count as failed
    return texts


def outcomes(box: sandbox_mod.Sandbox, current: Round,
             texts: dict[str, str]
             ) -> list[tuple[guests.Guest, str | None, str]]:
    """(guest, lease or None, note) for each guest of the round."""
    result = []
    log = dnsmasq_log(box, current.net['id'])
    for guest in current.booted:
        text = texts.get(guest.server_id, '')
        match = LEASE.search(text)
        note = console.diagnosis(text)
        if not match:
            seen = discovers(log, guest.port['mac_address'])
            note += '; tap: %s; dnsmasq logged %s' % (
                tap_state(box, guest),
                'no log' if seen is None else '%d DHCPDISCOVER' % seen)
        result.append((guest, match.group(1) if match else None, note))
    return result


class Bench:
    """The rounds of a run and what they found."""

    def __init__(self, box: sandbox_mod.Sandbox, args: argparse.Namespace):
        self.box = box
        self.args = args
        self.cloud = box.cloud()
        self.ids = box.cloud_ids()
        self.live: list[Round] = []
        self.boots = self.leases = 0
        self.stale_rounds = 0
        self.loads: list[float] = []

    def run(self) -> None:
        computes = [n.name for n in self.box.conf.computes]
        try:
            for index in range((self.args.boots + self.args.batch - 1)
                               // self.args.batch):
                count = min(self.args.batch, self.args.boots - self.boots)
                self.one_round(index, [computes[i % len(computes)]
                                       for i in range(count)])
        finally:
            while self.live:
                finish(self.cloud, self.live.pop(0))

    def one_round(self, index: int, hosts: list[str]) -> None:
        self.loads.append(os.getloadavg()[0])
        net, router = self.cloud.create_dvr_network(
            BENCH_NET, BENCH_CIDR, self.ids.public_network_id)
        current = Round(index, net, router)
        self.live.append(current)
        previous = self.live[:-1]
        if self.args.overlap:
            for old in previous:
                start_deleting(self.box, old)
        current.booted = guests.boot(
            self.cloud, self.ids, net, hosts, 'dhcp%d' % index,
            key_name=KEY_NAME, floating=False)
        for old in previous:
            finish(self.cloud, old)
            self.live.remove(old)
        texts = read_consoles(self.cloud, current, self.args.timeout)
        failed = False
        for guest, lease, note in outcomes(self.box, current, texts):
            self.boots += 1
            self.leases += lease is not None
            failed = failed or lease is None
            print('%3d %-8s %-11s %s' % (
                self.boots, guest.name, guest.host,
                'lease %s' % lease if lease else 'NO LEASE: ' + note),
                flush=True)
        stale = stale_check(self.box)
        for line in stale:
            print('    STALE after round %d: %s' % (index, line), flush=True)
        self.stale_rounds += bool(stale)
        if (failed or stale) and self.args.evidence:
            print('    evidence: %s' % keep_evidence(
                self.box, self.cloud, self.args.evidence, current, texts),
                flush=True)
        if not self.args.overlap:
            finish(self.cloud, current)
            self.live.remove(current)


def positive(text: str) -> int:
    """An argparse type: a whole number above zero."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('%s is not a positive number'
                                         % text)
    return value


def evidence_dir(text: str) -> str:
    """An argparse type: a directory that exists or can be made."""
    path = os.path.abspath(text)
    parent = path
    while not os.path.exists(parent):
        parent = os.path.dirname(parent)
    if not os.path.isdir(parent):
        raise argparse.ArgumentTypeError('%s: %s is not a directory'
                                         % (text, parent))
    if not os.access(parent, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError('%s: %s is not writable'
                                         % (text, parent))
    return path


def parser() -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parse.add_argument('--boots', type=positive, default=60, metavar='N',
                       help='guests to boot in all (default 60)')
    parse.add_argument('--batch', type=positive, default=4, metavar='N',
                       help='guests booted together (default 4)')
    parse.add_argument('--timeout', type=float, default=300.0,
                       metavar='SECONDS',
                       help='how long a round waits for ready lines')
    parse.add_argument('--overlap', action='store_true',
                       help='boot each round while the previous round is '
                       'deleted, one guest every %g s' % OVERLAP_SPACING)
    parse.add_argument('--evidence', type=evidence_dir, metavar='DIR',
                       help='keep consoles, flows and the dnsmasq log of '
                       'each round with a failure or a stale flood flow '
                       'under DIR/round-NNN/')
    return parse


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if os.geteuid() != 0:
        parser().error('run as root')
    box = sandbox_mod.Sandbox()
    with open(sshd.key_path(box.conf) + '.pub') as handle:
        guests.ensure_keypair(box.cloud(), KEY_NAME, handle.read())
    repaired = taps_set_up(box)
    start = time.monotonic()
    bench = Bench(box, args)
    bench.run()
    failures = bench.boots - bench.leases
    print('boots %d, leases %d, failures %d in %.0f s%s; load average '
          '(1 min) at round start: mean %.1f, max %.1f, on %d cores'
          % (bench.boots, bench.leases, failures, time.monotonic() - start,
             ' (overlapping deletions)' if args.overlap else '',
             sum(bench.loads) / len(bench.loads), max(bench.loads),
             os.cpu_count() or 0))
    print('rounds with stale flood flows: %d' % bench.stale_rounds)
    print('taps found down once in Open vSwitch and set up by the libvirt '
          'hook: %d' % (taps_set_up(box) - repaired))
    return 1 if failures or bench.stale_rounds else 0


if __name__ == '__main__':
    sys.exit(main())
