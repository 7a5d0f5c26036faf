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
            ['/bin/sh', '-c', '. %s; %s' % (LIB, script)],
            capture_output=True,
            text=True, env=dict({'PATH': '/usr/bin:/bin'}, **env), check=True)
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

    def test_coldplug_loads_drivers_of_present_devices(self):
        modules = self.dir / 'modules'
        (modules / 'deps').mkdir(parents=True)
        (modules / 'aliases.nic').write_text(
            'pci:v00008086d0000100Esv*sd*bc*sc*i* e1000\n'
            'pci:v00001AF4d*sv*sd*bc*sc*i* virtio_pci\n'
            'virtio:d00000001v* virtio_net\n')
        for name, deps in (('e1000', 'e1000'),
                           ('virtio_pci', 'virtio_ring virtio_pci'),
                           ('virtio_net', 'virtio_ring virtio_net')):
            (modules / 'deps' / name).write_text(deps.replace(' ', '\n'))
        sys = self.dir / 'sys'
        for bus, device, alias in (
                ('pci', '0000:00:03.0',
                 'pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00'),
                ('pci', '0000:00:01.1',
                 'pci:v00008086d00007010sv00001AF4sd00001100bc01sc01i80'),
                ('virtio', 'virtio0', 'virtio:d00000002v00001AF4')):
            (sys / 'bus' / bus / 'devices' / device).mkdir(parents=True)
            (sys / 'bus' / bus / 'devices' / device / 'modalias').write_text(
                alias + '\n')
        (sys / 'module' / 'virtio_ring').mkdir(parents=True)
        out = self.sh('insmod() { echo "insmod $*"; }; '
                      'MODOPTS_e1000="debug=2"; '
                      'coldplug nic pci; coldplug nic virtio; '
                      'coldplug disk pci',
                      NETPERF_MODULES=str(modules), NETPERF_SYS=str(sys))
        # Only the e1000 NIC is there; virtio_ring counts as loaded.
        self.assertEqual(['insmod %s/e1000.ko debug=2' % modules],
                         out.splitlines())

    def _modules_and_sys(self, aliases, devices):
        modules = self.dir / 'modules'
        (modules / 'deps').mkdir(parents=True)
        (modules / 'aliases.nic').write_text(
            ''.join('%s %s\n' % pair for pair in aliases))
        for _pattern, name in aliases:
            (modules / 'deps' / name).write_text(name + '\n')
        sys = self.dir / 'sys'
        for index, alias in enumerate(devices):
            device = sys / 'bus' / 'pci' / 'devices' / ('0000:00:0%d.0'
                                                        % index)
            device.mkdir(parents=True)
            (device / 'modalias').write_text(alias + '\n')
        return {'NETPERF_MODULES': str(modules), 'NETPERF_SYS': str(sys)}

    def test_coldplug_only_the_named_family(self):
        # netperf.nic=e1000: its group file (newline-separated) limits the
        # drivers; e1000e has no device, virtio_pci is not in the family.
        env = self._modules_and_sys(
            [('pci:v00008086d0000100Esv*sd*bc*sc*i*', 'e1000'),
             ('pci:v00008086d000010D3sv*sd*bc*sc*i*', 'e1000e'),
             ('pci:v00001AF4d*sv*sd*bc*sc*i*', 'virtio_pci')],
            ['pci:v00008086d0000100Esv00001AF4sd00001100bc02sc00i00',
             'pci:v00001AF4d00001000sv00001AF4sd00000001bc02sc00i00'])
        out = self.sh('insmod() { echo "$1"; }; '
                      'coldplug nic pci "$(printf "e1000\ne1000e\n")"',
                      **env)
        self.assertEqual([env['NETPERF_MODULES'] + '/e1000.ko'],
                         out.splitlines())
        out = self.sh('insmod() { echo "${1##*/}"; }; coldplug nic pci',
                      **env)
        self.assertEqual(['e1000.ko', 'virtio_pci.ko'], out.splitlines())

    def test_coldplug_patterns_are_globs(self):
        # "." in an alias is literal; "?" is one character.
        env = self._modules_and_sys(
            [('acpi*:QEMU0002:*', 'dotless'),
             ('of:N*T*Cqemu.fw?cfg*', 'fwcfg')],
            ['of:NfwTCqemuXfw-cfg', 'of:NfwTCqemu.fw-cfg-mmio'])
        out = self.sh('insmod() { echo "${1##*/}"; }; coldplug nic pci',
                      **env)
        self.assertEqual(['fwcfg.ko'], out.splitlines())

    def test_uptime_and_carrier_without_programs(self):
        # Builtins only: every exec costs tens of ms under TCG.
        self.assertRegex(self.sh('uptime_s', PATH='/nonexistent'),
                         r'^[0-9]+\n$')
        carrier = self.sh('wait_carrier nosuchdev 1; echo $?',
                          PATH='/nonexistent')
        self.assertEqual('1\n', carrier)

    def test_prefix_of_netmask(self):
        self.assertEqual('24\n', self.sh('prefix_of 255.255.255.0'))
        self.assertEqual('28\n', self.sh('prefix_of 255.255.255.240'))
        self.assertEqual('8\n', self.sh('prefix_of 255.0.0.0'))
