import testtools

from openstack_netperf.sandbox import nodes
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import settings


class TestNodeSetup(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.Settings(state_dir='/s')
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
        self.assertRaises(RuntimeError, self.nodes.prefix,
                          self.conf.node('network'))
