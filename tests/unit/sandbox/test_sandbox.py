import io
import os
import tempfile
from unittest import mock

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import controller
from openstack_netperf.sandbox import host_setup
from openstack_netperf.sandbox import plan
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import sandbox
from openstack_netperf.sandbox import settings
from openstack_netperf.sandbox import teardown


class SandboxTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        tmp = tempfile.TemporaryDirectory()
        self.addCleanup(tmp.cleanup)
        self.tmp = tmp.name
        self.conf = settings.SandboxSettings(
            state_dir=os.path.join(self.tmp, 'state'),
            log_dir=os.path.join(self.tmp, 'log'),
            venv_dir=os.path.join(self.tmp, 'venv'))
        self.out = io.StringIO()
        self.box = sandbox.Sandbox(self.conf, self.out)


class TestConfigsAndSecrets(SandboxTest):

    def test_secret_is_generated_once_and_kept_private(self):
        password = self.box.context().password
        self.assertEqual(24, len(password))
        self.assertTrue(password.isalnum())
        mode = os.stat(self.box.secret.path).st_mode & 0o777
        self.assertEqual(0o600, mode)
        again = sandbox.Sandbox(self.conf, self.out).context().password
        self.assertEqual(password, again)

    def test_removing_the_state_forgets_the_secret(self):
        # down then up in one process (the functional test does) must
        # write a new secret file, not keep using the removed one.
        old = self.box.context().password
        teardown.remove_state(self.box, keep_logs=True)
        self.assertFalse(self.box.secret.exists())
        new = self.box.context().password
        self.assertTrue(self.box.secret.exists())
        self.assertNotEqual(old, new)

    def test_configs_are_current_after_writing_and_not_after_edit(self):
        inventory = self.box.inventory
        self.assertFalse(inventory.configs_current())
        plan.write_configs(self.box)
        self.assertTrue(inventory.configs_current())
        path = sorted(inventory.configs())[0]
        with open(path, 'a') as handle:
            handle.write('# edited\n')
        self.assertFalse(inventory.configs_current())

    def test_configs_cover_every_node(self):
        paths = self.box.inventory.configs()
        for node in self.conf.nodes:
            self.assertIn(self.conf.etc(node.name, 'neutron',
                                        'l3_agent.ini'), paths)
        self.assertIn(self.conf.etc('compute-02', 'nova', 'nova.conf'),
                      paths)
        self.assertNotIn(self.conf.etc('network', 'nova', 'nova.conf'),
                         paths)


class TestConfigChanges(SandboxTest):

    def test_changed_files_stop_the_daemons_that_read_them(self):
        plan.write_configs(self.box)
        l3_ini = self.conf.etc('network', 'neutron', 'l3_agent.ini')
        nova_conf = self.conf.etc('controller', 'nova', 'nova.conf')
        for path in (l3_ini, nova_conf):
            with open(path, 'a') as handle:
                handle.write('# drift\n')
        stopped = []
        with mock.patch.object(self.box.daemons, 'alive',
                               return_value=True), \
                mock.patch.object(self.box.daemons, 'stop_all',
                                  lambda ds: stopped.extend(
                                      d.name for d in ds)):
            plan.write_configs(self.box)
        self.assertEqual(sorted(['network-neutron-l3-agent',
                                 'controller-nova-api',
                                 'controller-nova-metadata',
                                 'controller-nova-conductor',
                                 'controller-nova-scheduler']),
                         sorted(stopped))

    def test_reads_any(self):
        keystone = {d.service: d for d in
                    self.box.inventory.controller_daemons()}['keystone']
        conf_path = self.conf.etc('controller', 'keystone', 'keystone.conf')
        self.assertTrue(readiness.reads_any(keystone, [conf_path]))
        self.assertFalse(readiness.reads_any(keystone, ['/elsewhere.conf']))


class TestInventory(SandboxTest):

    def test_keystone_and_its_dependencies_start_before_the_others(self):
        inventory = self.box.inventory
        names = [d.service for d in inventory.controller_daemons()]
        self.assertEqual(['mariadb', 'epmd', 'rabbitmq', 'keystone'],
                         names[:4])
        self.assertEqual(names[4:], [d.service for d in
                                     inventory.openstack_daemons()])

    def test_every_daemon_is_listed_once(self):
        names = [d.name for d in self.box.inventory.all_daemons()]
        self.assertEqual(len(set(names)), len(names))
        network = self.conf.node('network')
        self.assertEqual(['ovsdb-server', 'ovs-vswitchd', 'sshd'], [
            d.service for d in self.box.inventory.node_daemons(network)][:3])
        self.assertNotIn('nova-compute', [
            d.service for d in self.box.inventory.agent_daemons(network)])


class TestIdempotence(SandboxTest):

    def test_up_steps_all_know_when_they_are_done(self):
        names = [s.name for s in plan.up_steps(self.box)]
        self.assertEqual([], [s.name for s in plan.up_steps(self.box)
                              if s.done is None])
        # Keystone has its service users before the others start.
        self.assertLess(names.index('Keystone'),
                        names.index('service users and catalogue'))
        self.assertLess(names.index('service users and catalogue'),
                        names.index('controller services'))
        self.assertEqual('guest image netperf-guest', names[-1])

    def test_bootstrap_commands_run_once(self):
        ctrl = self.box.controller
        with mock.patch.object(controller.system, 'run') as run:
            self.assertFalse(ctrl.bootstrap_done())
            ctrl.bootstrap()
            calls = run.call_count
            self.assertTrue(ctrl.bootstrap_done())
            ctrl.bootstrap()
        self.assertEqual(calls, run.call_count)
        self.assertEqual(
            sum(len(c) for c in ctrl.bootstrap_chains().values()),
            calls)

    def test_a_failed_bootstrap_resumes_where_it_stopped(self):
        failures = iter([None, exceptions.ServiceError('db down')])

        def flaky(argv, **kwargs):
            error = next(failures, None)
            if error:
                raise error

        ctrl = self.box.controller
        with mock.patch.object(controller.concurrent.futures,
                               'ThreadPoolExecutor',
                               FakePool), \
                mock.patch.object(controller.system, 'run',
                                  side_effect=flaky) as run:
            self.assertRaises(exceptions.ServiceError, ctrl.bootstrap)
            first = run.call_count
            ctrl.bootstrap()
        total = sum(len(c) for c in ctrl.bootstrap_chains().values())
        # Keystone's chain stopped at its second command; the other
        # chains ran through.  The re-run repeats only the failed command
        # and runs the rest of Keystone's chain.
        self.assertEqual(total - 2, first)
        self.assertEqual(total + 1, run.call_count)
        self.assertTrue(ctrl.bootstrap_done())

    def test_host_prepared_needs_keys_secret_and_shim(self):
        self.assertFalse(host_setup.prepared(self.box.secret))


class TestNodeRecovery(SandboxTest):

    def _start(self, ovs_alive, inside):
        base = self.box.node_base
        node = self.conf.node('compute-01')
        calls = []
        with mock.patch.object(base.daemons, 'all_alive',
                               return_value=ovs_alive), \
                mock.patch.object(base.nodes, 'processes',
                                  return_value=inside), \
                mock.patch.object(base, 'reset',
                                  lambda n: calls.append('reset')), \
                mock.patch.object(base, 'start_ovs',
                                  lambda n: calls.append('ovs')), \
                mock.patch.object(base.daemons, 'start_and_wait',
                                  lambda ds, t: calls.append(
                                      ds[0].service)):
            base.start(node)
        return calls

    def test_ovs_restarted_under_running_agents_resets_the_node(self):
        self.assertEqual(['reset', 'ovs', 'sshd'],
                         self._start(ovs_alive=False, inside=[42]))

    def test_a_new_node_just_starts(self):
        self.assertEqual(['ovs', 'sshd'],
                         self._start(ovs_alive=False, inside=[]))


class TestPreflight(SandboxTest):

    OUTPUT = (
        '1: lo    inet 127.0.0.1/8 scope host lo\\       valid_lft forever\n'
        '5: np-mgmt    inet 198.18.0.1/24 scope global np-mgmt\n'
        '6: np-ext    inet 198.18.100.1/24 scope global np-ext\n'
        '9: npm-x    inet 198.18.200.1/24 scope global npm-x\n')

    def test_our_bridges_and_other_ranges_are_fine(self):
        self.assertEqual([], readiness.address_clashes(self.conf,
                                                       self.OUTPUT))

    def test_a_foreign_device_on_a_sandbox_plane_clashes(self):
        output = self.OUTPUT + ('7: eth9    inet 198.18.1.5/16 scope global '
                                'eth9\n')
        self.assertEqual(['198.18.1.5/16 on eth9'],
                         readiness.address_clashes(self.conf, output))


class FakePool:
    """A ThreadPoolExecutor stand-in that runs jobs in order, inline."""

    def __init__(self, workers):
        pass

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False

    def submit(self, fn, *args):
        future = mock.Mock()
        try:
            value = fn(*args)
            future.result.return_value = value
        except Exception as exc:
            future.result.side_effect = exc
        return future


class TestStatusAndLogs(SandboxTest):

    def test_status_without_a_sandbox(self):
        self.assertFalse(self.box.status())
        self.assertIn('No sandbox', self.out.getvalue())

    def test_log_path_names_what_exists(self):
        error = self.assertRaises(exceptions.ServiceError, self.box.log_path,
                                  'compute-09', 'x')
        self.assertIn('controller, network, compute-01, compute-02',
                      str(error))
        os.makedirs(os.path.join(self.conf.log_dir, 'network'))
        open(self.conf.log('network', 'neutron-l3-agent'), 'w').close()
        error = self.assertRaises(exceptions.ServiceError, self.box.log_path,
                                  'network', 'l3')
        self.assertIn('neutron-l3-agent', str(error))
        self.assertEqual(self.conf.log('network', 'neutron-l3-agent'),
                         self.box.log_path('network', 'neutron-l3-agent'))

    def test_env_needs_a_sandbox(self):
        self.assertRaises(exceptions.ServiceError, self.box.write_env)


class TestDown(SandboxTest):

    def test_down_follows_the_teardown_order(self):
        calls = []
        box = self.box
        with mock.patch.object(teardown, 'delete_servers',
                               lambda b: calls.append('servers')), \
                mock.patch.object(box.daemons, 'stop_all',
                                  lambda ds: calls.append(
                                      ('stop', ds[0].node))), \
                mock.patch.object(box.nodes, 'destroy',
                                  lambda n: calls.append(('node', n.name))), \
                mock.patch.object(box.nodes, 'delete_bridges',
                                  lambda: calls.append('bridges')), \
                mock.patch.object(sandbox.os, 'geteuid', return_value=0):
            box.context()
            box.down()
        self.assertEqual(['servers', ('stop', 'network'),
                          ('node', 'network'), ('node', 'compute-01'),
                          ('node', 'compute-02'), ('stop', 'controller'),
                          'bridges'], calls)
        self.assertFalse(os.path.exists(self.conf.state_dir))
