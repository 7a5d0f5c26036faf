"""Tests of node access settings and the per-host runner cache."""

import socket
from unittest import mock

import testtools

from openstack_netperf import exceptions
from openstack_netperf.hosts import access
from openstack_netperf import remote


class HostPortTest(testtools.TestCase):

    def test_forms(self):
        self.assertEqual(('bastion', 22), access.parse_host_port('bastion'))
        self.assertEqual(('bastion', 2222),
                         access.parse_host_port(' bastion:2222 '))
        self.assertEqual(('2001:db8::1', 22),
                         access.parse_host_port('2001:db8::1'))
        self.assertEqual(('2001:db8::1', 2200),
                         access.parse_host_port('[2001:db8::1]:2200'))

    def test_bad(self):
        for value in ('', 'h:0', 'h:70000', 'h:ssh', '[::1', '[::1]x'):
            self.assertRaises(exceptions.InvalidInput,
                              access.parse_host_port, value)


class SettingsTest(testtools.TestCase):

    def test_method_from_string(self):
        settings = access.NodeAccessSettings(method='ssh')
        self.assertIs(access.AccessMethod.SSH, settings.method)
        # Nothing logs in to a node until told how.
        self.assertIs(access.AccessMethod.NONE,
                      access.NodeAccessSettings().method)

    def test_bad_settings_say_what_to_change(self):
        exc = self.assertRaises(exceptions.InvalidInput,
                                access.NodeAccessSettings, method='telnet')
        self.assertIn('ssh, local, none', str(exc))
        self.assertRaises(exceptions.InvalidInput, access.NodeAccessSettings,
                          method='ssh', user='')
        self.assertRaises(exceptions.InvalidInput, access.NodeAccessSettings,
                          jump_host='bastion:x')
        self.assertRaises(exceptions.InvalidInput, access.NodeAccessSettings,
                          command_timeout=0)


class NodeAccessTest(testtools.TestCase):

    def test_none_refuses_with_a_reason(self):
        nodes = access.NodeAccess(access.NodeAccessSettings())
        exc = self.assertRaises(exceptions.InvalidInput, nodes.runner,
                                'compute-01')
        self.assertIn('compute-01', str(exc))

    def test_ssh_runner_per_host_cached_with_address_map_and_jump(self):
        settings = access.NodeAccessSettings(
            method='ssh', user='stack', key_file='/k', port=2022,
            sudo=True, jump_host='bastion:2200',
            address_map={'compute-01': '198.18.0.11'},
            connect_timeout=3, command_timeout=30)
        nodes = access.NodeAccess(settings)
        first = nodes.runner('compute-01')
        self.assertIs(first, nodes.runner('compute-01'))
        self.assertIsInstance(first, remote.SSHRunner)
        self.assertEqual(('198.18.0.11', 2022, 'stack', '/k', True),
                         (first.host, first.port, first.username,
                          first.key_filename, first.sudo))
        self.assertEqual((3, 30), (first.connect_timeout,
                                   first.command_timeout))
        self.assertEqual('compute-01', first.name)
        jump = first.jump
        self.assertEqual(('bastion', 2200, False),
                         (jump.host, jump.port, jump.sudo))
        other = nodes.runner('network')
        self.assertEqual('network', other.host)
        self.assertIs(jump, other.jump)
        with mock.patch.object(remote.SSHRunner, 'close') as close:
            nodes.close()
        self.assertEqual(3, close.call_count)
        self.assertIsNot(first, nodes.runner('compute-01'))

    def test_local_runner_uses_sudo_unless_root(self):
        settings = access.NodeAccessSettings(method='local', sudo=True)
        here = socket.gethostname()
        with mock.patch('os.geteuid', return_value=1000):
            runner = access.NodeAccess(settings).runner(here)
        self.assertEqual(['sudo', '-n'], runner.prefix)
        with mock.patch('os.geteuid', return_value=0):
            runner = access.NodeAccess(settings).runner(here)
        self.assertEqual([], runner.prefix)
        self.assertEqual(here, runner.name)

    def test_local_access_reaches_only_this_machine(self):
        nodes = access.NodeAccess(access.NodeAccessSettings(method='local'))
        self.assertTrue(nodes.reaches('localhost'))
        self.assertTrue(nodes.reaches(socket.gethostname()))
        self.assertFalse(nodes.reaches('compute-02.example.org'))
        exc = self.assertRaises(exceptions.InvalidInput, nodes.runner,
                                'compute-02.example.org')
        self.assertIn('use ssh access', str(exc))
        self.assertTrue(access.NodeAccess(access.NodeAccessSettings(
            method='ssh')).reaches('compute-02.example.org'))
        self.assertFalse(access.NodeAccess(
            access.NodeAccessSettings()).reaches('localhost'))
