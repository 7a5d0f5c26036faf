"""Make tests/unit/data/summary/rally-report.json, a realistic Rally report.

Run ``python -m tests.unit.rally.report_data`` from the repository root.
It runs ``NetPerf.measure_reference_topology`` behind legacy and behind
DVR routers, two iterations each, over the fake cloud and fake guests of
these tests with node access (fake nodes whose counters follow the bursts
along the expected path), through Rally's own code: iterations by
``rally.task.runner._run_scenario_once``, SLAs by ``SLAChecker``,
duration statistics by ``MainStatsTable`` and the file by Rally's
``json`` exporter (what ``rally task report --json`` writes).  Throughput
of each category is the captured iperf3 run scaled to figures shaped like
the thesis's (intra-node above inter-node, DVR above legacy for H-NR).
"""

from __future__ import annotations

import collections
import copy
import functools
import json
import os
import tempfile
from unittest import mock

from oslo_config import cfg
from rally.common import utils as rally_utils
from rally.plugins.task.exporters import json_exporter
from rally.task.processing import charts
from rally.task import runner as rally_runner
from rally.task import sla as rally_sla

from openstack_netperf.hosts import probe
from openstack_netperf.hosts import snapshot
from openstack_netperf import topology
from rally_netperf.contexts import compute_hosts
from rally_netperf.contexts import node_access
from rally_netperf.contexts import reference_network
from rally_netperf import opts
from rally_netperf.scenarios import netperf
from rally_netperf import waiting
from tests.unit.rally import fakes
from tests.unit.rally import test_paths

OUT = os.path.join(fakes.DATA, 'summary', 'rally-report.json')
ARGS = {'image': 'netperf-guest', 'flavor': 'netperf.tiny', 'duration': 2,
        'omit': 1, 'ping_count': 12, 'ping_discard': 2,
        'ping_interval': 0.2, 'rounds': 1}
SLA = {'failure_rate': {'max': 0}, 'netperf_min_throughput': 100,
       'netperf_expected_path': {'allow_inconclusive': False}}
# Mbit/s per (router mode, category id), the reverse a little lower.
MBPS = {
    ('legacy', 'intra_node_intra_subnet'): 2400,
    ('legacy', 'intra_node_inter_subnet'): 610,
    ('legacy', 'inter_node_intra_subnet'): 880,
    ('legacy', 'inter_node_inter_subnet'): 540,
    ('legacy', 'inter_node_inter_router'): 500,
    ('dvr', 'intra_node_intra_subnet'): 2350,
    ('dvr', 'intra_node_inter_subnet'): 1900,
    ('dvr', 'inter_node_intra_subnet'): 860,
    ('dvr', 'inter_node_inter_subnet'): 820,
    ('dvr', 'inter_node_inter_router'): 760,
}
# The guest that is the iperf3 client in the reverse run of a category.
REVERSE_CLIENT = {'guest %s' % topology.REFERENCE_PAIRS[c.id][1]: c.id
                  for c in topology.CATEGORIES}


def _scaled_tcp(mbps: float) -> str:
    data = json.loads(fakes.captured('iperf3', 'tcp.json'))
    factor = mbps * 1e6 / data['end']['sum_received']['bits_per_second']

    def scale(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == 'bits_per_second':
                    node[key] = value * factor
                else:
                    scale(value)
        elif isinstance(node, list):
            for item in node:
                scale(item)
    scale(data)
    return json.dumps(data)


class ShapedGuest(fakes.FakeGuestRunner):
    """A guest whose iperf3 runs give the category's throughput.

    A1 is the forward client of every category, in the scenario's order,
    so the n-th server address it runs iperf3 against (warm-up runs and
    rounds alike) is the n-th category's; the reverse client tells the
    category by its name.
    """

    def __init__(self, name, mode):
        super().__init__(name)
        self.mode = mode
        self.servers: dict[str, str] = {}

    def _answer(self, line):
        if line.startswith('iperf3 -c') and ' -u' not in line:
            if self.name == 'guest A1':
                server = line.split()[2]
                if server not in self.servers:
                    self.servers[server] = topology.CATEGORIES[
                        len(self.servers)].id
                mbps = MBPS[(self.mode, self.servers[server])]
            else:
                mbps = 0.93 * MBPS[(self.mode, REVERSE_CLIENT[self.name])]
            return 0, _scaled_tcp(mbps), ''
        return super()._answer(line)


def _workload(mode: str, key_file: str, position: int) -> dict:
    cloud = fakes.FakeCloud()
    access = {'method': 'ssh', 'user': 'root', 'key_file': key_file,
              'sudo': False,
              'address_map': test_paths.ADDRESSES, 'burst_packets': 12,
              'noise_window': 1}
    contexts = {'users': {'tenants': 1, 'users_per_tenant': 1},
                'netperf_compute_hosts': {},
                'netperf_topology': {'router_mode': mode},
                'netperf_node_access': access}
    runners = {}

    def fake_ssh(host, username, **kwargs):
        runner = ShapedGuest(kwargs['name'], mode)
        runners[kwargs['name']] = runner
        return runner

    checker = rally_sla.SLAChecker({'sla': SLA})
    data = []
    with mock.patch('openstack_netperf.remote.SSHRunner',
                    side_effect=fake_ssh):
        for iteration in (1, 2):
            ctx = cloud.context(**contexts)
            compute_hosts.ComputeHosts(ctx).setup()
            reference_network.ReferenceTopology(ctx).setup()
            node_access.NodeAccessContext(ctx).setup()
            ctx.update(user=ctx['users'][0], tenant=ctx['tenants']['t1'],
                       iteration=iteration, admin_clients=cloud.clients)
            nodes = test_paths.FakeNodes(runners, [
                c.crosses_network_node(mode) for c in topology.CATEGORIES])
            with mock.patch.object(snapshot, 'read_host',
                                   side_effect=nodes.read_host), \
                    mock.patch.object(netperf.MeasureReferenceTopology,
                                      '__init__', _init(cloud)):
                result = rally_runner._run_scenario_once(
                    netperf.MeasureReferenceTopology, 'run', ctx,
                    copy.deepcopy(ARGS),
                    rally_utils.DequeAsQueue(collections.deque()))
            runners.clear()
            checker.add_iteration(result)
            data.append(result)
    stats = charts.MainStatsTable({'total_iteration_count': len(data)})
    for item in data:
        stats.add_iteration(item)
    sla_results = checker.results()
    durations = [d['duration'] for d in data]
    return {
        'uuid': 'workload-%s' % mode, 'description': '',
        'runner_type': 'constant',
        'runner': {'times': 2, 'concurrency': 1}, 'hooks': [],
        'name': 'NetPerf.measure_reference_topology', 'args': ARGS,
        'min_duration': min(durations), 'max_duration': max(durations),
        'start_time': data[0]['timestamp'],
        'load_duration': sum(durations), 'full_duration': sum(durations),
        'statistics': {'durations': stats.to_dict()}, 'data': data,
        'failed_iteration_count': sum(1 for d in data if d['error']),
        'total_iteration_count': len(data),
        'created_at': '2026-11-24T10:00:00', 'updated_at':
        '2026-11-24T10:05:00', 'contexts': contexts,
        'contexts_results': [], 'position': position,
        'pass_sla': all(s['success'] for s in sla_results),
        'sla_results': {'sla': sla_results}, 'sla': SLA,
    }


def _init(cloud):
    real = netperf.MeasureReferenceTopology.__init__

    def init(self, context=None, admin_clients=None, clients=None):
        # Rally builds the clients from the credential; use the fakes.
        real(self, context=context, admin_clients=cloud.clients,
             clients=cloud.clients)
    return init


def build() -> dict:
    """The report, as Rally's json exporter writes it."""
    cfg.CONF([], project='rally', default_config_files=[])
    for name, value in (('poll_interval', 0.05), ('poll_max_interval', 0.1)):
        waiting.CONF.set_override(name, value, group=opts.GROUP)
    for name in ('nova_server_boot_poll_interval',
                 'nova_server_delete_poll_interval'):
        waiting.CONF.set_override(name, 0.01, group='openstack')
    handle, key_file = tempfile.mkstemp()
    os.close(handle)
    try:
        with mock.patch.object(probe, 'measure_path', functools.partial(
                probe.measure_path, sleep=lambda _s: None)):
            workloads = [_workload(mode, key_file, i)
                         for i, mode in enumerate(('legacy', 'dvr'))]
    finally:
        os.remove(key_file)
    subtasks = [{'uuid': 'subtask-%s' % w['contexts']['netperf_topology'][
        'router_mode'], 'title': 'Reference topology behind %s routers'
        % w['contexts']['netperf_topology']['router_mode'],
        'description': '', 'status': 'finished',
        'created_at': w['created_at'], 'updated_at': w['updated_at'],
        'sla': {}, 'workloads': [w]} for w in workloads]
    task = {'uuid': 'task-netperf', 'title': 'openstack-netperf',
            'description': '', 'status': 'finished', 'tags': [],
            'env_uuid': 'env-fake', 'env_name': 'fake-cloud',
            'created_at': '2026-11-24T10:00:00',
            'updated_at': '2026-11-24T10:05:00',
            'pass_sla': all(w['pass_sla'] for w in workloads),
            'subtasks': subtasks}
    exported = json_exporter.JSONExporter([task], None).generate()
    return json.loads(exported['print'])


def main() -> None:
    report = build()    # before OUT is opened: a failure leaves it be
    os.makedirs(os.path.dirname(OUT), exist_ok=True)
    with open(OUT, 'w') as handle:
        json.dump(report, handle, indent=1, sort_keys=False)
        handle.write('\n')
    print(OUT)


if __name__ == '__main__':
    main()
