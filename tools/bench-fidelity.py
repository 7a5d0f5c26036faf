#!/usr/bin/env python3
"""Fidelity: the throughput the plugins report against plain iperf3.

On the running sandbox (``netperf-sandbox up``), boots two guests on
different computes behind a DVR router, then alternates, round by round,
the core's pair measurement -- :func:`openstack_netperf.pair.measure_pair`,
whose figures the Rally scenarios and Tempest tests report -- and iperf3
run directly over the same pair (each going first in every other round)
with the same duration and warm-up, its result read from iperf3's own
JSON here.  Prints both medians per
direction and their ratio (issue goal: >= 0.97), then deletes everything
it created.  Run as root from the project environment:

    .tox/py3/bin/python tools/bench-fidelity.py --rounds 10 --duration 10
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shlex
import statistics
import sys

from openstack_netperf import guest
from openstack_netperf import pair
from openstack_netperf import remote
from openstack_netperf.sandbox import guests
from openstack_netperf.sandbox import sandbox as sandbox_mod
from openstack_netperf.sandbox.services import sshd

GOAL = 0.97
BENCH_NET = 'fidelity-net'


def direct_mbps(client: remote.Runner, server: remote.Runner,
                address: str, duration: int, omit: int) -> float:
    """One plain ``iperf3 -c`` run, client to server, receiver Mbit/s."""
    server.run('iperf3 -s -1 -D')
    result = client.run('iperf3 -J -c %s -t %d -O %d' % (
        shlex.quote(address), duration, omit), timeout=duration + omit + 60)
    bits = json.loads(result.stdout)['end']['sum_received']['bits_per_second']
    return bits / 1e6


def measure(box: sandbox_mod.Sandbox, rounds: int, duration: int,
            omit: int) -> dict[str, list[float]]:
    cloud = box.cloud()
    guests.open_default_groups(cloud)
    key = sshd.key_path(box.conf)
    with open(key + '.pub') as handle:
        guests.ensure_keypair(cloud, 'fidelity', handle.read())
    runners: list[remote.SSHRunner] = []
    with guests.behind_dvr_router(
            cloud, box.cloud_ids(), BENCH_NET, '198.19.12.0/24',
            [n.name for n in box.conf.computes], 'fidelity',
            key_name='fidelity') as booted:
        try:
            for one in booted:
                runner = remote.SSHRunner(one.floating_ip, 'root',
                                          key_filename=key, name=one.name)
                runner.wait_until_ready(timeout=300)
                runners.append(runner)
            return _alternate(runners, booted, rounds, duration, omit)
        finally:
            for runner in runners:
                runner.close()


def _alternate(runners: list[remote.SSHRunner], booted: list[guest.Guest],
               rounds: int, duration: int, omit: int
               ) -> dict[str, list[float]]:
    """Plugin and direct runs, round by round, over the booted pair."""
    source = pair.Endpoint(booted[0].name, runners[0],
                           booted[0].fixed_ip)
    target = pair.Endpoint(booted[1].name, runners[1],
                           booted[1].fixed_ip)
    # No warm-up: the direct runs have none, and each round is one call.
    settings = pair.Settings(duration=duration, omit=omit, rounds=1,
                             ping_count=5, ping_discard=1,
                             ping_interval=0.2, warmup=0)
    figures: dict[str, list[float]] = {
        'plugin forward': [], 'direct forward': [],
        'plugin reverse': [], 'direct reverse': []}

    def plugin() -> None:
        summary = pair.measure_pair(source, target, settings).summary()
        figures['plugin forward'].append(summary['tcp_forward_mbps'])
        figures['plugin reverse'].append(summary['tcp_reverse_mbps'])

    def direct() -> None:
        figures['direct forward'].append(direct_mbps(
            runners[0], runners[1], target.address, duration, omit))
        figures['direct reverse'].append(direct_mbps(
            runners[1], runners[0], source.address, duration, omit))

    for index in range(rounds):
        # Alternate who goes first: neither side always gets the
        # warmer (or the busier) half of a round.
        order = (plugin, direct) if index % 2 == 0 else (direct, plugin)
        for step in order:
            step()
        print('round %d: %s' % (index + 1, ', '.join(
            '%s %.0f' % (k, v[-1]) for k, v in figures.items())),
            flush=True)
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=10,
                        help='alternations of plugin and direct runs')
    parser.add_argument('--duration', type=int, default=10,
                        help='measured seconds of each iperf3 run')
    parser.add_argument('--omit', type=int, default=2,
                        help='warm-up seconds iperf3 leaves out')
    parser.add_argument('--json', help='also write the figures here')
    args = parser.parse_args()
    if os.geteuid() != 0:
        parser.error('run as root, with the sandbox up')
    if args.rounds < 1 or args.duration <= args.omit:
        parser.error('need --rounds >= 1 and --duration > --omit')
    box = sandbox_mod.Sandbox(out=io.StringIO())
    if not box.status():
        parser.error('the sandbox is not up: run netperf-sandbox up')
    figures = measure(box, args.rounds, args.duration, args.omit)
    result: dict = {'rounds': args.rounds, 'duration': args.duration,
                    'omit': args.omit}
    for direction in ('forward', 'reverse'):
        plugin = statistics.median(figures['plugin %s' % direction])
        direct = statistics.median(figures['direct %s' % direction])
        result[direction] = {'plugin_mbps': round(plugin, 1),
                             'direct_mbps': round(direct, 1),
                             'fidelity': round(plugin / direct, 3)}
        print('%-8s plugin %7.1f Mbit/s  direct %7.1f Mbit/s  fidelity '
              '%.3f (goal >= %.2f)' % (direction, plugin, direct,
                                       plugin / direct, GOAL))
    if args.json:
        with open(args.json, 'w') as handle:
            json.dump(dict(result, samples=figures), handle, indent=2)
    return 0


if __name__ == '__main__':
    sys.exit(main())
