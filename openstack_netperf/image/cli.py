"""``netperf-image``: build the measurement guest and put it into Glance."""

from __future__ import annotations

import argparse
import json
import logging
import pathlib
import sys

from openstack_netperf import exceptions
from openstack_netperf.image import build


def _build_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        'build', help='build the guest from Debian packages',
        description='Fetch Debian packages with apt and build a kernel + '
                    'initramfs pair and a BIOS-bootable qcow2 disk.')
    parser.add_argument('--output', '-o', type=pathlib.Path,
                        default=pathlib.Path('netperf-image'),
                        help='directory for the outputs (default: '
                             './netperf-image)')
    parser.add_argument('--release', default='bookworm',
                        help='Debian release of the guest (default: '
                             'bookworm)')
    parser.add_argument('--arch', default='amd64',
                        help='guest architecture (only amd64)')
    parser.add_argument('--mirror',
                        help='Debian mirror URL (default: the host\'s apt '
                             'source for the release, else its first '
                             'Debian mirror, else deb.debian.org)')
    parser.add_argument('--security-mirror',
                        help='Debian security mirror URL; empty for none '
                             '(default: next to --mirror)')
    parser.add_argument('--kernel-package',
                        default=build.DEFAULT_KERNEL_PACKAGE,
                        help='kernel package (default: %%(default)s, which '
                             'boots fastest under TCG and has no e1000; '
                             '%s has every driver)'
                             % build.FULL_KERNEL_PACKAGE)
    parser.add_argument('--nic-mode', choices=build.NIC_MODES,
                        default=build.DEFAULT_NIC_MODE,
                        help='NIC drivers the guest loads (netperf.nic=): '
                             'virtio (default), e1000, or auto: both, '
                             'whichever NIC is present (e1000 needs '
                             '--kernel-package %s)'
                             % build.FULL_KERNEL_PACKAGE)
    parser.add_argument('--no-virtio-csum', dest='virtio_csum',
                        action='store_false',
                        help='boot with netperf.virtio_csum=0: virtio_net '
                             'without checksum/GSO offload (OVS userspace '
                             'datapath)')
    parser.add_argument('--no-iperf2', dest='iperf2', action='store_false',
                        help='leave iperf (version 2) out')
    parser.add_argument('--no-disk', dest='disk', action='store_false',
                        help='only the kernel + initramfs pair, no qcow2')
    parser.add_argument('--extra-cmdline', default='',
                        help='words appended to the kernel command line')
    parser.add_argument('--cache-dir', type=pathlib.Path,
                        default=build.default_cache_dir(),
                        help='apt lists and downloaded packages '
                             '(default: %(default)s)')
    parser.add_argument('--install-deps', action='store_true',
                        help='apt-get install the host packages the build '
                             'needs (as root) instead of stopping')
    parser.set_defaults(func=_do_build)


def _do_build(args: argparse.Namespace) -> int:
    options = build.BuildOptions(
        output=args.output, release=args.release, arch=args.arch,
        mirror=args.mirror, security_mirror=args.security_mirror,
        kernel_package=args.kernel_package, nic_mode=args.nic_mode,
        virtio_csum=args.virtio_csum, iperf2=args.iperf2, disk=args.disk,
        cache_dir=args.cache_dir, extra_cmdline=args.extra_cmdline,
        install_deps=args.install_deps)
    result = build.Builder(options).build()
    files = result.manifest['files']
    for key in sorted(files):
        print('%-7s %s/%s  %.1f MiB  sha256 %s' % (
            key, args.output, files[key]['name'],
            files[key]['size'] / 2 ** 20, files[key]['sha256']))
    print('kernel  %s (%s)' % (result.manifest['kernel_version'],
                               result.manifest['kernel_package']))
    print('cmdline %s' % result.manifest['cmdline'])
    print('manifest %s' % result.manifest_path)
    return 0


def _upload_parser(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser(
        'upload', help='upload a built guest to Glance',
        description='Upload the guest (cloud from OS_* variables or '
                    'clouds.yaml); an image with the same checksum is '
                    'reused.')
    parser.add_argument('--input', '-i', type=pathlib.Path,
                        default=pathlib.Path('netperf-image'),
                        help='directory of a build (default: '
                             './netperf-image)')
    parser.add_argument('--name', default=build.NAME,
                        help='image name (default: %(default)s)')
    parser.add_argument('--format', choices=('qcow2', 'kernel'),
                        default='qcow2',
                        help='qcow2: one bootable disk image; kernel: '
                             'aki + ari + ami images booting the kernel '
                             'directly (what the sandbox uses)')
    parser.add_argument('--cmdline',
                        help='kernel command line of the ami image '
                             '(default: the build\'s)')
    parser.add_argument('--vif-model',
                        choices=('virtio', 'e1000', 'e1000e'),
                        help='set the hw_vif_model image property')
    parser.add_argument('--os-cloud',
                        help='cloud name in clouds.yaml (default: '
                             'OS_CLOUD or the OS_* variables)')
    parser.add_argument('--public', action='store_true',
                        help='make the images public (admin only)')
    parser.set_defaults(func=_do_upload)


def _do_upload(args: argparse.Namespace) -> int:
    from openstack_netperf.image import upload
    if args.cmdline and args.format != 'kernel':
        raise exceptions.ImageError(
            '--cmdline needs --format kernel: the qcow2 disk boots with the '
            'command line chosen at build time (netperf-image build '
            '--nic-mode / --no-virtio-csum / --extra-cmdline)')
    manifest_path = args.input / 'manifest.json'
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise exceptions.ImageError('cannot read %s (%s): run netperf-image '
                                    'build --output %s first'
                                    % (manifest_path, exc, args.input))
    request = upload.UploadRequest(
        directory=args.input, manifest=manifest, name=args.name,
        disk_format=args.format, cmdline=args.cmdline,
        vif_model=args.vif_model, public=args.public)
    result = upload.Uploader(upload.connect(args.os_cloud)).upload(request)
    for line in result.report():
        print(line)
    return 0


def make_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog='netperf-image',
        description='Build and upload the openstack-netperf guest image.')
    parser.add_argument('--debug', action='store_true',
                        help='log every step, show tracebacks')
    sub = parser.add_subparsers(dest='command', required=True)
    _build_parser(sub)
    _upload_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = make_parser().parse_args(argv)
    logging.basicConfig(level=logging.DEBUG if args.debug else logging.INFO,
                        format='%(levelname)s %(message)s')
    try:
        return args.func(args)
    except (exceptions.ImageError, exceptions.InvalidInput) as exc:
        if args.debug:
            raise
        print('netperf-image: error: %s' % exc, file=sys.stderr)
        # 2 for what was asked wrongly, as argparse does for bad options.
        return 2 if isinstance(exc, exceptions.InvalidInput) else 1


if __name__ == '__main__':
    sys.exit(main())
