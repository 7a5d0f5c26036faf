"""Every sample task renders with each args file and passes validation.

Rendering and the syntax check are Rally's own (the Jinja2 renderer of
``rally task start``, ``TaskConfig`` and ``TaskEngine.validate``); the
checks that need a cloud then run against the fake one.
"""

from __future__ import annotations

import glob
import json
import os
import types

import fixtures
from rally import api
from rally import plugins
from rally.task import context
from rally.task import engine
from rally.task import scenario
from rally.task import sla
from rally.task import task_cfg
import testtools
import yaml

from tests.unit.rally import fakes
from tests.unit import test_compare

plugins.load()

SAMPLES = os.path.join(os.path.dirname(__file__), '..', '..', '..',
                       'samples')


class _Task(dict):
    """The task record TaskEngine.validate updates."""

    def update_status(self, status):
        self['status'] = status

    def set_failed(self, kind, message, details):
        self['failure'] = (kind, message)


def _cases():
    tasks = sorted(p for p in glob.glob(os.path.join(SAMPLES, '*.yaml'))
                   if not p.endswith('-args.yaml'))
    args_files = sorted(glob.glob(os.path.join(SAMPLES, '*-args.yaml')))
    for task in tasks:
        yield task, None, {}
        for args_file in args_files:
            with open(args_file) as handle:
                yield task, args_file, yaml.safe_load(handle)
        yield task, 'per_pair', {'per_pair': True}


def _render(path, args):
    with open(path) as handle:
        template = handle.read()
    text = api._Task(None).render_template(
        template, template_dir=os.path.dirname(path), **args)
    return yaml.safe_load(text)


class SamplesTest(testtools.TestCase):

    def test_samples_exist(self):
        names = [os.path.basename(t) for t, _a, _v in _cases()]
        self.assertIn('netperf.yaml', names)
        self.assertIn('netperf-sandbox-args.yaml', os.listdir(SAMPLES))

    def test_render_and_validate(self):
        # The sandbox's node key exists only while a sandbox is up; the
        # validation checks that the file exists, so give it one.
        key = os.path.join(self.useFixture(fixtures.TempDir()).path, 'key')
        open(key, 'w').close()
        for path, args_name, args in _cases():
            if 'key_file' in args.get('node_access', {}):
                args = dict(args, node_access=dict(args['node_access'],
                                                   key_file=key))
            with self.subTest(task=os.path.basename(path), args=args_name):
                config = task_cfg.TaskConfig(_render(path, args))
                task = _Task(uuid='validation')
                engine.TaskEngine(config, task, env=None).validate(
                    only_syntax=True)
                self.assertNotIn('failure', task)
                self._semantic(config)

    def _semantic(self, config):
        cloud = fakes.FakeCloud(images=('netperf-guest',))
        cloud.nova.flavors = types.SimpleNamespace(list=lambda: [
            types.SimpleNamespace(id='f1', name='netperf.tiny'),
            types.SimpleNamespace(id='f2', name='netperf.small')])
        vcontext = cloud.context()
        for subtask in config.subtasks:
            for workload in subtask['workloads']:
                errors = scenario.Scenario.validate(
                    name=workload['name'], context=vcontext,
                    config=workload, plugin_cfg=None, vtype='semantic')
                for name, cfg in workload['contexts'].items():
                    errors += context.Context.validate(
                        name=name, context=None, config=None,
                        plugin_cfg=cfg, vtype='syntax')
                for name, cfg in workload['sla'].items():
                    errors += sla.SLA.validate(
                        name=name, context=None, config=None,
                        plugin_cfg=cfg, vtype='syntax')
                self.assertEqual([], errors)

    def test_thesis_defaults_and_both_router_modes(self):
        config = _render(os.path.join(SAMPLES, 'netperf.yaml'), {})
        modes = []
        for subtask in config['subtasks']:
            workload = subtask['workloads'][0]
            (name, args), = workload['scenario'].items()
            self.assertEqual('NetPerf.measure_reference_topology', name)
            # No measurement setting unless given: the scenario's
            # defaults, which are the core's, apply.
            self.assertEqual({'image', 'flavor', 'ssh_user', 'config_drive',
                              'categories'}, set(args))
            self.assertEqual(5, len(args['categories']))
            self.assertEqual({'failure_rate', 'netperf_min_throughput',
                              'netperf_max_latency', 'netperf_max_loss'},
                             set(workload['sla']))
            modes.append(workload['contexts']['netperf_topology'][
                'router_mode'])
        self.assertEqual(['legacy', 'dvr'], modes)

    def test_given_settings_reach_the_scenario(self):
        config = _render(os.path.join(SAMPLES, 'netperf.yaml'),
                         {'duration': 5, 'udp': True, 'ping_interval': 0.2})
        args = config['subtasks'][0]['workloads'][0]['scenario'][
            'NetPerf.measure_reference_topology']
        self.assertEqual((5, True, 0.2), (args['duration'], args['udp'],
                                          args['ping_interval']))
        self.assertNotIn('omit', args)

    def test_baseline_adds_its_sla_to_every_workload(self):
        saved = os.path.join(self.useFixture(fixtures.TempDir()).path,
                             'before.json')
        with open(saved, 'w') as handle:
            json.dump(test_compare.two_modes(), handle)
        for args, extra in (
                ({}, {}),
                ({'baseline_min_effect': {'tcp_forward': 5, 'loss': 1.0},
                  'baseline_confidence': 0.95, 'baseline_correction': 'none'},
                 {'min_effect': {'tcp_forward': 5, 'loss': 1.0},
                  'confidence': 0.95, 'correction': 'none'}),
                ({'per_pair': True, 'categories': ['HNR'],
                  'baseline_min_effect': 20}, {'min_effect': 20})):
            config = _render(os.path.join(SAMPLES, 'netperf.yaml'),
                             dict(args, baseline=saved))
            modes = []
            for subtask in config['subtasks']:
                workload = subtask['workloads'][0]
                mode = workload['contexts']['netperf_topology'][
                    'router_mode']
                modes.append(mode)
                self.assertEqual(dict({'baseline': saved,
                                       'router_mode': mode}, **extra),
                                 workload['sla']['netperf_baseline'])
            self.assertEqual(['legacy', 'dvr'], modes)
            self._semantic(task_cfg.TaskConfig(config))

    def test_per_pair_covers_every_category_and_mode(self):
        config = _render(os.path.join(SAMPLES, 'netperf.yaml'),
                         {'per_pair': True})
        seen = set()
        for subtask in config['subtasks']:
            workload = subtask['workloads'][0]
            args = workload['scenario']['NetPerf.measure_pair']
            seen.add((args['category'],
                      workload['contexts']['netperf_topology'][
                          'router_mode']))
        self.assertEqual(10, len(seen))

    def test_sandbox_args(self):
        with open(os.path.join(SAMPLES, 'netperf-sandbox-args.yaml')) as f:
            args = yaml.safe_load(f)
        self.assertEqual(('netperf-guest', 'netperf.tiny', 'root',
                          'public'),
                         (args['image_name'], args['flavor_name'],
                          args['ssh_user'], args['external_network']))
        # The sandbox's node access: what its tempest.conf says too.
        access = args['node_access']
        self.assertEqual(('ssh', 'root', False), (
            access['method'], access['user'], access['sudo']))
        self.assertEqual('/var/lib/openstack-netperf/sandbox/ssh/id_ed25519',
                         access['key_file'])
        self.assertEqual({'network': '198.18.0.10',
                          'compute-01': '198.18.0.11',
                          'compute-02': '198.18.0.12'},
                         access['address_map'])
        config = _render(os.path.join(SAMPLES, 'netperf.yaml'), args)
        for subtask in config['subtasks']:
            workload = subtask['workloads'][0]
            self.assertEqual(access,
                             workload['contexts']['netperf_node_access'])
            self.assertEqual({'allow_inconclusive': False},
                             workload['sla']['netperf_expected_path'])
