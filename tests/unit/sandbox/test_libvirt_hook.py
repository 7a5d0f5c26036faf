"""The compute nodes' libvirt qemu hook, run with fake ovs-vsctl and ip."""

import os
import subprocess

import fixtures
import testtools

from openstack_netperf.sandbox.services import nova

DOMAIN = ("<domain><devices><disk><target dev='vda' bus='virtio'/></disk>"
          "<interface type='ethernet'><target dev='tapf51bbfc7-67'/>"
          "</interface></devices></domain>\n")
DOWN = ('31: tapf51bbfc7-67: <BROADCAST,MULTICAST,PROMISC> mtu 1450 qdisc '
        'noop state DOWN')
UP = ('31: tapf51bbfc7-67: <BROADCAST,MULTICAST,PROMISC,UP,LOWER_UP> mtu '
      '1450 qdisc noqueue state UNKNOWN')


class TestLibvirtQemuHook(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path
        self.calls = os.path.join(self.dir, 'calls')
        self.log = os.path.join(self.dir, 'hook.log')
        self.hook = os.path.join(self.dir, 'qemu')
        with open(self.hook, 'w') as handle:
            handle.write(nova.libvirt_qemu_hook(self.log))
        bin_dir = os.path.join(self.dir, 'bin')
        os.mkdir(bin_dir)
        self.env = {'PATH': bin_dir + ':/usr/bin:/bin'}
        self.fake(bin_dir, 'ovs-vsctl', 'exit 0')
        self.fake(bin_dir, 'ip', 'case "$1" in -o) cat %s ;; esac'
                  % os.path.join(self.dir, 'link'))

    def fake(self, bin_dir, name, body):
        path = os.path.join(bin_dir, name)
        with open(path, 'w') as handle:
            handle.write('#!/bin/sh\necho "%s $*" >> %s\n%s\n'
                         % (name, self.calls, body))
        os.chmod(path, 0o755)

    def run_hook(self, link, *args):
        with open(os.path.join(self.dir, 'link'), 'w') as handle:
            handle.write(link + '\n')
        subprocess.run(['/bin/sh', self.hook] + list(args), input=DOMAIN,
                       text=True, env=self.env, check=True)
        return self.read(self.calls), self.read(self.log)

    @staticmethod
    def read(path):
        try:
            with open(path) as handle:
                return handle.read().splitlines()
        except FileNotFoundError:
            return []

    def test_a_tap_left_down_is_set_up_and_logged(self):
        calls, log = self.run_hook(DOWN, 'instance-1', 'started', 'begin',
                                   '-')
        self.assertEqual([
            'ovs-vsctl --timeout=30 wait-until Interface tapf51bbfc7-67 '
            'ofport>0',
            'ip -o link show tapf51bbfc7-67',
            'ip link set tapf51bbfc7-67 up'], calls)
        self.assertEqual(1, len(log))
        self.assertIn('instance-1 tapf51bbfc7-67: down once in Open '
                      'vSwitch, setting it up: ' + DOWN, log[0])

    def test_an_up_tap_is_left_alone(self):
        calls, log = self.run_hook(UP, 'instance-1', 'started', 'begin', '-')
        self.assertNotIn('ip link set tapf51bbfc7-67 up', calls)
        self.assertEqual([], log)

    def test_other_operations_do_nothing(self):
        calls, log = self.run_hook(DOWN, 'instance-1', 'prepare', 'begin',
                                   '-')
        self.assertEqual(([], []), (calls, log))
