"""Build the guest, boot it under QEMU TCG, SSH in, run iperf3 against it.

No OpenStack: the guest's NIC is a tap on a bridge inside a network
namespace this test creates (``npi-...``, 198.18.240.0/24), dnsmasq in
that namespace answers its DHCP (with an MTU, to see it applied), and a
config drive carries the SSH key.  Everything is torn down by PID and by
namespace.  Needs root, apt access, qemu-system-x86, dnsmasq, genisoimage
and iperf3 on the host; skips with the reason otherwise.

    .tox/py3/bin/python -m testtools.run tests.functional.image.test_boot

The default build has Debian's cloud kernel and virtio drivers; the e1000
test builds a second guest (kernel + initramfs only) with the generic
kernel.  NETPERF_IMAGE_DIR=DIR boots a finished build instead of the
default one (another kernel package or NIC mode, for example); tests of a
NIC it has no driver for, and the rebuild, skip.
"""

from __future__ import annotations

import ctypes
import json
import os
import pathlib
import secrets
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import fixtures
import paramiko
import testtools
from testtools import content

from openstack_netperf.image import build
from openstack_netperf.image import qemu
from openstack_netperf import remote

SUBNET = '198.18.240'
GATEWAY = SUBNET + '.1'
GUEST_IP = SUBNET + '.100'
GUEST_MAC = '52:54:00:6e:70:01'
METADATA_IP = '169.254.169.254'
DHCP_MTU = 1400
CLONE_NEWNET = 0x40000000
IMAGE_DIR_ENV = 'NETPERF_IMAGE_DIR'
HOST_TOOLS = ('qemu-system-x86_64', 'dnsmasq', 'iperf3', 'ip',
              'apt-get', 'dpkg-deb', 'qemu-img', 'syslinux', 'mcopy',
              'mkfs.fat', 'lz4')


def _missing_requirements() -> str | None:
    if os.geteuid() != 0:
        return 'needs root (network namespaces, tap devices)'
    path = os.environ.get('PATH', '') + ':/usr/sbin:/sbin'
    missing = [t for t in HOST_TOOLS if shutil.which(t, path=path) is None]
    if not (shutil.which('genisoimage') or shutil.which('xorriso')):
        missing.append('genisoimage')
    if missing:
        return ('missing host tools %s (apt-get install -y qemu-system-x86 '
                'qemu-utils dnsmasq-base iperf3 genisoimage syslinux '
                'syslinux-common mtools dosfstools lz4)'
                % ', '.join(missing))
    return None


def _run(*argv: str) -> str:
    return subprocess.run(argv, check=True, capture_output=True,
                          text=True).stdout


def in_netns(namespace: str, function):
    """Call ``function`` in a thread that lives in ``namespace``.

    Sockets it opens stay in that namespace, whatever thread uses them
    later: the SSH session reaches the guest without touching the root
    namespace's addresses or routes.
    """
    outcome = {}

    def target():
        fd = os.open('/run/netns/' + namespace, os.O_RDONLY)
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.setns(fd, CLONE_NEWNET) != 0:
                raise OSError(ctypes.get_errno(), 'setns failed')
            outcome['value'] = function()
        except BaseException as exc:  # handed to the caller's thread
            outcome['error'] = exc
        finally:
            os.close(fd)

    thread = threading.Thread(target=target)
    thread.start()
    thread.join()
    if 'error' in outcome:
        raise outcome['error']
    return outcome['value']


class GuestImageTest(testtools.TestCase):
    """One build shared by the tests of this class."""

    image_dir: pathlib.Path
    build_seconds: float

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        reason = _missing_requirements()
        if reason:
            raise unittest.SkipTest(reason)
        cls.tmp = tempfile.TemporaryDirectory(prefix='npi-func-')
        given = os.environ.get(IMAGE_DIR_ENV)
        if given:
            cls.image_dir = pathlib.Path(given)
            return
        cls.image_dir = pathlib.Path(cls.tmp.name) / 'image'
        start = time.monotonic()
        build.Builder(build.BuildOptions(output=cls.image_dir)).build()
        cls.build_seconds = time.monotonic() - start

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.work = pathlib.Path(self.useFixture(fixtures.TempDir()).path)

    def _needs_driver(self, image_dir: pathlib.Path, group: str) -> None:
        manifest = json.loads((image_dir / 'manifest.json').read_text())
        if group not in manifest['modules']:
            self.skipTest('%s has no %s driver (--nic-mode %s, kernel %s)'
                          % (image_dir, group, manifest['nic_mode'],
                             manifest['kernel_version']))

    def _network(self) -> str:
        """A namespace with a bridge, a tap for QEMU and dnsmasq on it."""
        namespace = 'npi-' + secrets.token_hex(3)
        _run('ip', 'netns', 'add', namespace)
        self.addCleanup(_run, 'ip', 'netns', 'delete', namespace)
        ns = ['ip', 'netns', 'exec', namespace]
        for argv in (['ip', 'link', 'set', 'lo', 'up'],
                     ['ip', 'link', 'add', 'npi-br0', 'type', 'bridge'],
                     ['ip', 'addr', 'add', GATEWAY + '/24', 'dev',
                      'npi-br0'],
                     ['ip', 'link', 'set', 'npi-br0', 'up'],
                     ['ip', 'tuntap', 'add', 'dev', 'npi-tap0', 'mode',
                      'tap'],
                     ['ip', 'link', 'set', 'npi-tap0', 'master', 'npi-br0'],
                     ['ip', 'link', 'set', 'npi-tap0', 'up']):
            _run(*(ns + argv))
        dnsmasq = subprocess.Popen(ns + [
            shutil.which('dnsmasq', path=os.environ.get('PATH', '')
                         + ':/usr/sbin'),
            '--keep-in-foreground', '--conf-file=/dev/null',
            '--interface=npi-br0', '--bind-interfaces', '--port=0',
            '--dhcp-range=%s.100,%s.150,255.255.255.0,1h' % (SUBNET,
                                                             SUBNET),
            '--dhcp-host=%s,%s' % (GUEST_MAC, GUEST_IP),
            '--dhcp-option=option:mtu,%d' % DHCP_MTU,
            # Neutron's way to the metadata service: a classless route.
            '--dhcp-option=option:classless-static-route,%s/32,%s'
            % (METADATA_IP, GATEWAY),
            '--dhcp-leasefile=%s' % (self.work / 'leases'),
            '--pid-file=%s' % (self.work / 'dnsmasq.pid'),
            '--log-facility=%s' % (self.work / 'dnsmasq.log'),
            '--log-dhcp'], stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE)
        self.addCleanup(_stop, dnsmasq)
        return namespace

    def _metadata_service(self, namespace: str, public_key: str,
                          openstack: bool) -> None:
        """Serve keys at 169.254.169.254 in OpenStack or EC2 format."""
        root = self.work / 'metadata'
        if openstack:
            files = {'openstack/latest/meta_data.json': json.dumps({
                'uuid': 'u', 'hostname': 'npi-func.novalocal',
                'public_keys': {'npi': public_key + '\n'}})}
        else:
            files = {'latest/meta-data/public-keys/index.html': '0=npi\n',
                     'latest/meta-data/public-keys/0/openssh-key':
                     public_key + '\n',
                     'latest/meta-data/hostname': 'npi-func.novalocal'}
        for path, text in files.items():
            (root / path).parent.mkdir(parents=True, exist_ok=True)
            (root / path).write_text(text)
        _run('ip', 'netns', 'exec', namespace, 'ip', 'addr', 'add',
             METADATA_IP + '/32', 'dev', 'npi-br0')
        server = subprocess.Popen(
            ['ip', 'netns', 'exec', namespace, sys.executable, '-m',
             'http.server', '80', '--bind', METADATA_IP, '--directory',
             str(root)], stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL)
        self.addCleanup(_stop, server)

    def _boot(self, mode: str, nic_model: str, cmdline: str | None,
              metadata: str = 'config-drive',
              image_dir: pathlib.Path | None = None):
        image_dir = image_dir or self.image_dir
        self._needs_driver(image_dir, 'e1000' if nic_model.startswith(
            'e1000') else 'virtio')
        namespace = self._network()
        key = paramiko.RSAKey.generate(2048)
        public_key = '%s %s npi-func' % (key.get_name(), key.get_base64())
        cdrom = None
        if metadata == 'config-drive':
            cdrom = self.work / 'config-drive.iso'
            qemu.config_drive(cdrom, 'npi-func', [public_key])
        else:
            self._metadata_service(namespace, public_key,
                                   metadata == 'openstack')
        manifest = json.loads((image_dir / 'manifest.json').read_text())
        if cmdline is not None:
            cmdline = '%s %s' % (' '.join(
                w for w in manifest['cmdline'].split()
                if not w.startswith('netperf.')), cmdline)
        spec = qemu.BootSpec(
            image_dir=image_dir, mode=mode, nic_model=nic_model,
            netdev='tap,id=n0,ifname=npi-tap0,script=no,downscript=no',
            mac=GUEST_MAC, cdrom=cdrom, cmdline=cmdline)
        guest = qemu.QemuProcess(spec, self.work,
                                 prefix=['ip', 'netns', 'exec', namespace])
        guest.start()
        self.addCleanup(guest.stop)
        ready = guest.wait_ready(180)
        self.addDetail('console', content.text_content(
            guest.console_text()))
        runner = remote.SSHRunner(GUEST_IP, 'root', pkey=key,
                                  connect_timeout=10)
        self.addCleanup(runner.close)
        in_netns(namespace, lambda: runner.wait_until_ready(60))
        return namespace, runner, ready, guest

    def _check_guest(self, namespace, runner, nic_driver):
        self.assertEqual('npi-func', runner.run('hostname').stdout.strip())
        self.assertEqual(str(DHCP_MTU), runner.run(
            'cat /sys/class/net/eth0/mtu').stdout.strip())
        self.assertIn(nic_driver, runner.run(
            'readlink /sys/class/net/eth0/device/driver').stdout)
        self.assertIn('%s/24' % GUEST_IP,
                      runner.run('ip -4 addr show eth0').stdout)
        ping = runner.run('ping -c 3 -i 0.2 %s' % GATEWAY).stdout
        self.assertIn('3 received', ping)
        runner.run('iperf3 -s -D -1')
        time.sleep(0.5)
        result = subprocess.run(
            ['ip', 'netns', 'exec', namespace, 'iperf3', '-c', GUEST_IP,
             '-t', '3', '-J'], capture_output=True, text=True, timeout=60)
        self.assertEqual(0, result.returncode, result.stdout[-1000:])
        report = json.loads(result.stdout)
        received = report['end']['sum_received']['bits_per_second']
        self.addDetail('iperf3', content.text_content(
            '%.0f Mbit/s' % (received / 1e6)))
        self.assertGreater(received, 1e6)

    def test_disk_image_boots_with_virtio(self):
        namespace, runner, ready, _guest = self._boot(
            'disk', 'virtio-net-pci', None)
        self._check_guest(namespace, runner, 'virtio_net')
        self.assertIn('npi-func', runner.run(
            'cat /root/.ssh/authorized_keys').stdout)
        # No password can work: root's password field is locked.
        self.assertEqual('*', runner.run('cut -d: -f2 /etc/passwd')
                         .stdout.strip())

    def test_full_kernel_boot_with_e1000(self):
        # Debian's generic kernel has e1000 (the default cloud kernel has
        # not); with netperf.nic=auto only the drivers of the NIC present
        # load.
        image_dir = pathlib.Path(self.tmp.name) / 'full-kernel'
        build.Builder(build.BuildOptions(
            output=image_dir, kernel_package=build.FULL_KERNEL_PACKAGE,
            nic_mode='auto', disk=False)).build()
        namespace, runner, _ready, guest = self._boot(
            'kernel', 'e1000', None, image_dir=image_dir)
        self._check_guest(namespace, runner, 'e1000')
        self.assertEqual('absent', runner.run(
            'test -d /sys/module/virtio_net && echo loaded || echo absent'
        ).stdout.strip())

    def test_virtio_without_checksum_offload(self):
        namespace, runner, _ready, _guest = self._boot(
            'kernel', 'virtio-net-pci',
            'netperf.nic=virtio netperf.virtio_csum=0')
        self._check_guest(namespace, runner, 'virtio_net')
        params = runner.run('cat /sys/module/virtio_net/parameters/csum '
                            '/sys/module/virtio_net/parameters/gso').stdout
        self.assertEqual(['N', 'N'], params.split())

    def test_keys_from_openstack_metadata_service(self):
        namespace, runner, _ready, guest = self._boot(
            'kernel', 'virtio-net-pci', None, metadata='openstack')
        self.assertIn('keys=metadata-service', guest.console_text())
        self.assertEqual('npi-func', runner.run('hostname').stdout.strip())
        self.assertIn('%s via %s' % (METADATA_IP, GATEWAY),
                      runner.run('ip route').stdout)

    def test_keys_from_ec2_metadata_service(self):
        namespace, runner, _ready, guest = self._boot(
            'kernel', 'virtio-net-pci', None, metadata='ec2')
        self.assertIn('keys=metadata-service', guest.console_text())
        self.assertEqual('npi-func', runner.run('hostname').stdout.strip())

    def test_same_inputs_same_bytes(self):
        if os.environ.get(IMAGE_DIR_ENV):
            self.skipTest('%s given: no build to repeat' % IMAGE_DIR_ENV)
        second = pathlib.Path(self.tmp.name) / 'again'
        build.Builder(build.BuildOptions(output=second)).build()
        first = json.loads((self.image_dir / 'manifest.json').read_text())
        again = json.loads((second / 'manifest.json').read_text())
        self.assertEqual(first['files'], again['files'])
        for entry in first['files'].values():
            self.assertEqual((self.image_dir / entry['name']).read_bytes(),
                             (second / entry['name']).read_bytes())


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
