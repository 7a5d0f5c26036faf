import os

import testtools

from openstack_netperf.sandbox import packages

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))


class TestDebianLists(testtools.TestCase):

    def test_up_installs_the_services_and_the_image_tools_once_each(self):
        names = packages.debian_packages(*packages.UP_GROUPS)
        self.assertEqual(len(set(names)), len(names))
        for name in ('mariadb-server', 'openvswitch-switch', 'syslinux',
                     'debian-archive-keyring', 'qemu-utils'):
            self.assertIn(name, names)
        self.assertFalse([n for n in names if '#' in n or ' ' in n])

    def test_groups_are_read_in_order_without_comments(self):
        names = packages.debian_packages('dev', 'tests')
        self.assertEqual('python3', names[0])
        self.assertIn('shellcheck', names)
        self.assertIn('iperf3', names)

    def test_devstack_reads_the_image_group(self):
        path = os.path.join(REPO, 'devstack', 'files', 'debs',
                            'openstack-netperf')
        with open(path) as handle:
            devstack = handle.read().split()
        self.assertEqual(packages.debian_packages('image'), devstack)

    def test_install_prereqs_reads_the_lists(self):
        with open(os.path.join(REPO, 'tools', 'install-prereqs.sh')) as f:
            script = f.read()
        self.assertIn('openstack_netperf/sandbox/debs', script)
        self.assertNotIn('iperf3', script)
