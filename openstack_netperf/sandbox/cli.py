"""``netperf-sandbox``: a local three-node DVR cloud in one command."""

from __future__ import annotations

import argparse
import os
import sys

from openstack_netperf import exceptions
from openstack_netperf.sandbox import sandbox as sandbox_mod


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='netperf-sandbox',
        description='Real Keystone, Glance, Placement, Nova and Neutron '
                    '(ML2/OVS, VXLAN, DVR) with a network node and two '
                    'compute nodes as namespaces on this machine.')
    sub = parser.add_subparsers(dest='command', required=True)
    sub.add_parser('up', help='install what is missing and start the cloud '
                              '(idempotent)')
    down = sub.add_parser('down', help='stop everything the sandbox started '
                                       'and remove its state')
    down.add_argument('--keep-logs', action='store_true',
                      help='keep %s'
                      % sandbox_mod.settings_mod.SandboxSettings().log_dir)
    sub.add_parser('status', help='daemons, agents and compute services; '
                                  'exit 1 unless all are alive')
    env = sub.add_parser('env', help='write openrc, a Rally environment '
                                     'spec and tempest.conf for the sandbox')
    env.add_argument('--print', dest='show',
                     choices=('openrc', 'rally', 'tempest'),
                     help='print one of the files instead of the paths')
    logs = sub.add_parser('logs', help='show the log of a service on a node')
    logs.add_argument('node', help='controller, network, compute-01, ...')
    logs.add_argument('service', help='e.g. neutron-l3-agent, nova-compute')
    logs.add_argument('-n', '--lines', type=int, default=50,
                      help='last lines to show (default 50)')
    logs.add_argument('-f', '--follow', action='store_true',
                      help='keep printing lines as they come (tail -f)')
    return parser


def show_env(box: sandbox_mod.Sandbox, show: str | None) -> None:
    written = box.write_env()
    by_kind = dict(zip(('openrc', 'rally', 'tempest'), written))
    if show:
        sys.stdout.write(written[by_kind[show]])
        return
    for kind, path in by_kind.items():
        print('%-8s %s' % (kind, path))
    print('Use: source %s; rally env create --name netperf-sandbox '
          '--spec %s' % (by_kind['openrc'], by_kind['rally']))


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    box = sandbox_mod.Sandbox()
    try:
        if args.command == 'up':
            box.up()
        elif args.command == 'down':
            box.down(keep_logs=args.keep_logs)
        elif args.command == 'status':
            return 0 if box.status() else 1
        elif args.command == 'env':
            show_env(box, args.show)
        elif args.command == 'logs':
            path = box.log_path(args.node, args.service)
            argv = ['tail', '-n', str(args.lines)]
            if args.follow:
                argv.append('-F')
            os.execvp('tail', argv + [path])
    except exceptions.StepFailed as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except exceptions.NetperfError as exc:
        print('netperf-sandbox: %s' % exc, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print('\nnetperf-sandbox: interrupted; run "netperf-sandbox %s" '
              'again to resume' % args.command, file=sys.stderr)
        return 130
    return 0


if __name__ == '__main__':
    sys.exit(main())
