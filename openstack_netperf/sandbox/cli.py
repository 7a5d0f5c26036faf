"""``netperf-sandbox``: a local three-node DVR cloud in one command."""

from __future__ import annotations

import argparse
import sys

from openstack_netperf import exceptions
from openstack_netperf.sandbox import sandbox as sandbox_mod
from openstack_netperf.sandbox import steps


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
                      help='keep %s' % sandbox_mod.settings_mod.Settings(
                      ).log_dir)
    sub.add_parser('status', help='daemons, agents and compute services; '
                                  'exit 1 unless all are alive')
    return parser


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
    except steps.StepFailed as exc:
        print(exc.report(), file=sys.stderr)
        return 1
    except exceptions.NetperfError as exc:
        print('netperf-sandbox: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
