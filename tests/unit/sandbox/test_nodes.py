import signal
from unittest import mock

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import nodes
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import settings


class TestNodeSetup(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings(state_dir='/s')
        self.nodes = nodes.Nodes(self.conf, procs.Supervisor('/s/run'))

    def test_setup_script_gives_the_node_its_own_run_sys_and_name(self):
        node = self.conf.node('compute-01')
        lines = self.nodes.setup_script(node).splitlines()
        self.assertEqual('set -e', lines[0])
        self.assertIn('hostname compute-01', lines)
        self.assertIn('mount -t sysfs sysfs /sys', lines)
        self.assertIn('mount -t tmpfs -o mode=755 tmpfs /run', lines)
        # cgroups stay reachable under the node's fresh sysfs.
        self.assertLess(lines.index('mount -t sysfs sysfs /sys'),
                        lines.index('mount --rbind '
                                    '/s/nodes/compute-01/cgroup-hold '
                                    '/sys/fs/cgroup'))
        self.assertIn('mount --bind /s/nodes/compute-01/libvirt/'
                      'var-lib-libvirt /var/lib/libvirt', lines)
        self.assertIn('mount --bind /s/nodes/compute-01/hosts /etc/hosts',
                      lines)
        self.assertEqual('exec sleep infinity', lines[-1])

    def test_bridges_carry_controller_and_external_gateway(self):
        self.assertEqual({'mgmt': '198.18.0.1/24', 'tun': None,
                          'ext': '198.18.100.1/24'},
                         self.nodes.bridge_addresses())
        self.assertEqual('np-ext', self.conf.bridge('ext'))

    def test_prefix_needs_a_running_node(self):
        self.assertRaises(exceptions.ServiceError, self.nodes.prefix,
                          self.conf.node('network'))


class TestKillInside(testtools.TestCase):

    def test_term_first_then_kill_after_the_grace(self):
        now = [0.0]
        sup = procs.Supervisor('/s/run', sleep=lambda s: now.__setitem__(
            0, now[0] + s), clock=lambda: now[0])
        box = nodes.Nodes(settings.SandboxSettings(state_dir='/s'), sup)
        node = box.conf.node('network')
        # One process that ignores SIGTERM and goes after a SIGKILL.
        signals = []
        with mock.patch.object(box, 'processes',
                               lambda n: [] if 9 in signals else [4242]), \
                mock.patch.object(nodes.os, 'kill',
                                  lambda pid, sig: signals.append(sig)), \
                mock.patch.object(nodes.procs, 'reap', lambda pid: None):
            box.kill_inside(node, timeout=1.0)
        self.assertEqual(signal.SIGTERM, signals[0])
        self.assertEqual(signal.SIGKILL, signals[-1])
        self.assertEqual(1, signals.count(signal.SIGKILL))
        self.assertGreater(now[0], 1.0)
