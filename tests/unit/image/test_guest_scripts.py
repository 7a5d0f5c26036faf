"""Tests of the guest's boot scripts, run by the host's sh and awk.

The guest runs them with busybox ash and awk; the functions use only
POSIX features both share.
"""

import json
import pathlib
import subprocess

import fixtures
import testtools

from openstack_netperf.image import rootfs

LIB = rootfs.GUEST_FILES / 'lib.sh'
KEY1 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIBBjQc+Bc/YFCD key one'
KEY2 = 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQC7 two@host'


class GuestScriptTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = pathlib.Path(self.useFixture(fixtures.TempDir()).path)

    def sh(self, script, **env):
        proc = subprocess.run(
            ['sh', '-c', '. %s; %s' % (LIB, script)], capture_output=True,
            text=True, env=dict(PATH='/usr/bin:/bin', **env), check=True)
        return proc.stdout

    def test_scripts_parse(self):
        for name in ('rc', 'udhcpc.script', 'lib.sh'):
            subprocess.run(['sh', '-n', str(rootfs.GUEST_FILES / name)],
                           check=True)

    def test_cmdline_param(self):
        cmdline = self.dir / 'cmdline'
        cmdline.write_text('console=ttyS0 netperf.nic=e1000 '
                           'netperf.virtio_csum=0 quiet\n')
        env = {'NETPERF_CMDLINE': str(cmdline)}
        self.assertEqual('e1000\n', self.sh('cmdline_param nic auto', **env))
        self.assertEqual('0\n', self.sh('cmdline_param virtio_csum 1',
                                        **env))
        self.assertEqual('60\n', self.sh('cmdline_param meta_timeout 60',
                                         **env))

    def test_keys_and_hostname_from_nova_meta_data(self):
        meta = self.dir / 'meta_data.json'
        # Nova writes one line, keys ending in an escaped newline.
        meta.write_text(json.dumps({
            'uuid': 'u', 'hostname': 'vm-1.novalocal', 'name': 'vm-1',
            'public_keys': {'one': KEY1 + '\n', 'two': KEY2},
            'keys': [{'data': 'not this', 'type': 'ssh'}]}))
        self.assertEqual([KEY1, KEY2],
                         self.sh('openstack_keys %s' % meta).splitlines())
        self.assertEqual('vm-1.novalocal',
                         self.sh('json_string hostname %s' % meta).strip())

    def test_no_keys(self):
        meta = self.dir / 'meta_data.json'
        meta.write_text(json.dumps({'uuid': 'u', 'hostname': 'h'}))
        proc = subprocess.run(['sh', '-c', '. %s; openstack_keys %s'
                               % (LIB, meta)], capture_output=True, text=True)
        self.assertEqual('', proc.stdout)

    def test_prefix_of_netmask(self):
        self.assertEqual('24\n', self.sh('prefix_of 255.255.255.0'))
        self.assertEqual('28\n', self.sh('prefix_of 255.255.255.240'))
        self.assertEqual('8\n', self.sh('prefix_of 255.0.0.0'))
