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
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import time

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf import polling
from openstack_netperf import remote
from openstack_netperf.sandbox import guests
from openstack_netperf.sandbox import sandbox as sandbox_mod
from openstack_netperf.sandbox.services import sshd

BENCH_NET = 'bench-dhcp'
BENCH_CIDR = '198.19.13.0/24'
KEY_NAME = 'bench-dhcp'
# The DHCP hook (image/guest/udhcpc.script) prints this once bound.
LEASE = re.compile(console.LEASE_LINE.pattern + r'(\S+)')


def console_text(cloud, server_id: str) -> str:
    return cloud.call('POST', 'nova', '/v2.1/servers/%s/action' % server_id,
                      {'os-getConsoleOutput': {'length': 200}})['output']


def finished(text: str) -> bool:
    """Whether the guest's boot script is done (ready or failed)."""
    return console.READY_LINE in text or console.FAILED_LINE in text


def tap_state(box: sandbox_mod.Sandbox, cloud, guest: guests.Guest) -> str:
    """The link state of the guest's tap, read inside its compute node."""
    port = cloud.call('GET', 'neutron', '/v2.0/ports?device_id=%s'
                      % guest.server_id)['ports'][0]
    node = box.conf.node(guest.host)
    return console.tap_link_state(remote.LocalRunner(
        node.name, prefix=box.nodes.prefix(node)), port['id'])


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


def one_round(box: sandbox_mod.Sandbox, hosts: list[str], index: int,
              timeout: float) -> list[tuple[guests.Guest, str | None, str]]:
    """Boot, read consoles, delete: (guest, lease or None, note) each."""
    cloud = box.cloud()
    outcome = []
    with guests.behind_dvr_router(cloud, box.cloud_ids(), BENCH_NET,
                                  BENCH_CIDR, hosts, 'dhcp%d' % index,
                                  key_name=KEY_NAME, floating=False
                                  ) as booted:
        texts: dict[str, str] = {}

        def all_finished() -> bool:
            for guest in booted:
                if not finished(texts.get(guest.server_id, '')):
                    texts[guest.server_id] = console_text(
                        cloud, guest.server_id)
            return all(finished(t) for t in texts.values())

        try:
            polling.poll(all_finished, timeout, 'guests of round %d' % index,
                         interval=3.0)
        except exceptions.WaitTimeout:
            pass  # the guests still without a ready line count as failed
        for guest in booted:
            text = texts.get(guest.server_id, '')
            match = LEASE.search(text)
            note = console.diagnosis(text)
            if not match:
                note += '; tap: ' + tap_state(box, cloud, guest)
            outcome.append((guest, match.group(1) if match else None, note))
    return outcome


def positive(text: str) -> int:
    """An argparse type: a whole number above zero."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError('%s is not a positive number'
                                         % text)
    return value


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--boots', type=positive, default=60, metavar='N',
                        help='guests to boot in all (default 60)')
    parser.add_argument('--batch', type=positive, default=4, metavar='N',
                        help='guests booted together (default 4)')
    parser.add_argument('--timeout', type=float, default=300.0,
                        metavar='SECONDS',
                        help='how long a round waits for ready lines')
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error('run as root')
    box = sandbox_mod.Sandbox()
    with open(sshd.key_path(box.conf) + '.pub') as handle:
        guests.ensure_keypair(box.cloud(), KEY_NAME, handle.read())
    computes = [n.name for n in box.conf.computes]
    boots = leases = 0
    loads = []
    repaired = taps_set_up(box)
    start = time.monotonic()
    for index in range((args.boots + args.batch - 1) // args.batch):
        count = min(args.batch, args.boots - boots)
        hosts = [computes[i % len(computes)] for i in range(count)]
        loads.append(os.getloadavg()[0])
        for guest, lease, note in one_round(box, hosts, index, args.timeout):
            boots += 1
            leases += lease is not None
            print('%3d %-8s %-11s %s' % (
                boots, guest.name, guest.host,
                'lease %s' % lease if lease else 'NO LEASE: ' + note),
                flush=True)
    failures = boots - leases
    print('boots %d, leases %d, failures %d in %.0f s; load average '
          '(1 min) at round start: mean %.1f, max %.1f, on %d cores'
          % (boots, leases, failures, time.monotonic() - start,
             sum(loads) / len(loads), max(loads), os.cpu_count() or 0))
    print('taps found down once in Open vSwitch and set up by the libvirt '
          'hook: %d' % (taps_set_up(box) - repaired))
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
