import os
import tempfile
from unittest import mock

import testtools

from openstack_netperf.sandbox import ovs
from openstack_netperf.sandbox import settings


class FakeDaemons:
    """Records starts; every daemon is alive."""

    def __init__(self, calls):
        self.calls = calls

    def start_and_wait(self, daemons, timeout):
        self.calls.extend('start %s' % d.service for d in daemons)

    def check_alive(self, daemon):
        pass

    def log(self, daemon):
        return '/%s.log' % daemon.service


class TestStart(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.conf = settings.SandboxSettings(state_dir=tmp.name)
        self.node = self.conf.node('compute-02')

    def test_switch_starts_once_the_database_answers(self):
        calls = []
        answers = iter(['', '', 'abc\n    ovs_version: "3.1.0"'])

        def run(argv, check=True):
            calls.append(' '.join(argv))
            return next(answers)

        with mock.patch.object(ovs.system, 'run',
                               lambda argv: calls.append(argv[1])):
            ovs.start(self.conf, self.node, FakeDaemons(calls), run)
        show = 'ovs-vsctl --timeout=2 show'
        self.assertEqual(['create', 'start ovsdb-server', show, show, show,
                          'start ovs-vswitchd'], calls)
        self.assertTrue(os.path.isdir(os.path.dirname(
            ovs.db_file(self.conf, self.node))))

    def test_named_daemons_are_the_node_switch(self):
        self.assertEqual(
            [ovs.db_server(self.conf, self.node),
             ovs.switch(self.conf, self.node)],
            ovs.daemons(self.conf, self.node))
        self.assertEqual('compute-02-ovs-vswitchd',
                         ovs.switch(self.conf, self.node).name)

    def test_stop_with_nothing_started(self):
        self.assertEqual(0, ovs.main(['stop', self.conf.state_dir]))
