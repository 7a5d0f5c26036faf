"""The OVS agent wrapper: one lock around the right methods, or no start."""

from __future__ import annotations

import ast
import io
import sys
import threading
import types
from unittest import mock

import testtools

from openstack_netperf.sandbox import ovs_agent


def fake_agent_class(calls: list[str]) -> type:
    """A stand-in for OVSNeutronAgent with every serialised method."""

    def method(name):
        def run(self, *args, **kwargs):
            calls.append(name)
            return name, args, kwargs
        run.__name__ = name
        return run

    namespace = {name: method(name) for name in ovs_agent.SERIALISED}

    def fdb_remove(self, context, entries):
        # Upstream's fdb_remove ends in cleanup_tunnel_port: the lock must
        # let the same thread in again.
        calls.append('fdb_remove')
        return self.cleanup_tunnel_port('br', 1, 'vxlan')

    namespace['fdb_remove'] = fdb_remove
    namespace['port_update'] = method('port_update')
    return type('OVSNeutronAgent', (), namespace)


class SerialiseTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.calls: list[str] = []
        self.cls = fake_agent_class(self.calls)

    def test_the_l2pop_and_vlan_methods_share_one_lock(self):
        self.assertEqual(('fdb_add', 'fdb_remove', 'cleanup_tunnel_port',
                          'provision_local_vlan', 'reclaim_local_vlan'),
                         ovs_agent.SERIALISED)
        lock = ovs_agent.serialise(self.cls)
        for name in ovs_agent.SERIALISED:
            self.assertIs(lock, getattr(self.cls, name).netperf_lock, name)
            self.assertEqual(name, getattr(self.cls, name).__name__)
        self.assertFalse(hasattr(self.cls.port_update, 'netperf_lock'))
        self.assertIsInstance(lock, type(threading.RLock()))

    def test_wrapped_methods_keep_arguments_and_results(self):
        ovs_agent.serialise(self.cls)
        agent = self.cls()
        self.assertEqual(('fdb_add', ('ctx', {'n': 1}), {}),
                         agent.fdb_add('ctx', {'n': 1}))
        self.assertEqual(('provision_local_vlan', ('net', 'vxlan'),
                          {'segmentation_id': 5}),
                         agent.provision_local_vlan('net', 'vxlan',
                                                    segmentation_id=5))

    def test_nested_calls_in_one_thread_do_not_deadlock(self):
        ovs_agent.serialise(self.cls)
        result = self.cls().fdb_remove('ctx', {})
        self.assertEqual(['fdb_remove', 'cleanup_tunnel_port'], self.calls)
        self.assertEqual('cleanup_tunnel_port', result[0])

    def test_a_second_thread_waits_for_the_first(self):
        inside, release = threading.Event(), threading.Event()
        order: list[str] = []

        def slow_cleanup(self, *args):
            order.append('cleanup starts')
            inside.set()
            release.wait(10)
            order.append('cleanup ends')

        def fdb_add(self, *args):
            order.append('fdb_add')

        self.cls.cleanup_tunnel_port = slow_cleanup
        self.cls.fdb_add = fdb_add
        lock = ovs_agent.serialise(self.cls)
        agent = self.cls()
        first = threading.Thread(target=agent.cleanup_tunnel_port,
                                 args=('br', 1, 'vxlan'))
        first.start()
        self.assertTrue(inside.wait(10))
        # The lock is held by the first thread: the second cannot enter.
        self.assertFalse(lock.acquire(blocking=False))
        second = threading.Thread(target=agent.fdb_add, args=('ctx', {}))
        second.start()
        second.join(0.2)
        self.assertTrue(second.is_alive())
        self.assertEqual(['cleanup starts'], order)
        release.set()
        first.join(10)
        second.join(10)
        self.assertEqual(['cleanup starts', 'cleanup ends', 'fdb_add'],
                         order)

    def test_a_missing_method_wraps_nothing(self):
        del self.cls.cleanup_tunnel_port
        exc = self.assertRaises(ovs_agent.NeutronChanged,
                                ovs_agent.serialise, self.cls)
        self.assertIn('cleanup_tunnel_port', str(exc))
        self.assertFalse(hasattr(self.cls.fdb_add, 'netperf_lock'))

    def test_an_attribute_that_is_not_a_method_counts_as_missing(self):
        self.cls.fdb_add = None
        self.assertRaises(ovs_agent.NeutronChanged, ovs_agent.serialise,
                          self.cls)

    def test_wrapping_twice_is_refused(self):
        ovs_agent.serialise(self.cls)
        self.assertRaises(ovs_agent.NeutronChanged, ovs_agent.serialise,
                          self.cls)


class EntryTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.calls: list[str] = []
        self.imported: list[str] = []
        self.entry = types.ModuleType(ovs_agent.ENTRY_MODULE)
        self.entry.main = mock.Mock(return_value=None)
        self.agent = types.ModuleType(ovs_agent.AGENT_MODULE)
        self.agent.OVSNeutronAgent = fake_agent_class(self.calls)
        modules = {ovs_agent.ENTRY_MODULE: self.entry,
                   ovs_agent.AGENT_MODULE: self.agent}

        def import_module(name):
            self.imported.append(name)
            if name not in modules:
                raise ImportError('No module named %r' % name)
            return modules[name]

        patcher = mock.patch.object(ovs_agent.importlib, 'import_module',
                                    side_effect=import_module)
        patcher.start()
        self.addCleanup(patcher.stop)
        self.stderr = io.StringIO()
        patcher = mock.patch.object(sys, 'stderr', self.stderr)
        patcher.start()
        self.addCleanup(patcher.stop)

    def test_upstream_main_runs_after_wrapping(self):
        def main():
            self.assertTrue(hasattr(self.agent.OVSNeutronAgent.fdb_add,
                                    'netperf_lock'))

        self.entry.main.side_effect = main
        self.assertEqual(0, ovs_agent.main())
        self.entry.main.assert_called_once_with()
        # The entry module's package picks oslo.service's backend first.
        self.assertEqual([ovs_agent.ENTRY_MODULE, ovs_agent.AGENT_MODULE],
                         self.imported)

    def test_a_changed_neutron_stops_the_agent_loudly(self):
        del self.agent.OVSNeutronAgent.fdb_add
        self.assertEqual(1, ovs_agent.main())
        self.entry.main.assert_not_called()
        self.assertIn('OVSNeutronAgent has no fdb_add', self.stderr.getvalue())
        self.assertIn('not starting the OVS agent', self.stderr.getvalue())

    def test_a_missing_agent_class_stops_the_agent(self):
        del self.agent.OVSNeutronAgent
        self.assertEqual(1, ovs_agent.main())
        self.assertIn('no class OVSNeutronAgent', self.stderr.getvalue())
        self.entry.main.assert_not_called()

    def test_a_missing_module_stops_the_agent(self):
        self.imported.clear()
        with mock.patch.dict(ovs_agent.__dict__,
                             ENTRY_MODULE='neutron.cmd.gone'):
            self.assertEqual(1, ovs_agent.main())
        self.assertIn('neutron.cmd.gone', self.stderr.getvalue())


class StandaloneTest(testtools.TestCase):

    def test_imports_only_the_standard_library(self):
        # It runs under the service virtualenv's Python, where this
        # project is not installed.
        with open(ovs_agent.__file__) as handle:
            tree = ast.parse(handle.read())
        modules = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules.update(a.name.split('.')[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom):
                modules.add(node.module.split('.')[0])
        self.assertEqual(set(), modules - set(sys.stdlib_module_names))
