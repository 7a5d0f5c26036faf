"""Captured host output and a runner that replays it."""

import os

from openstack_netperf import exceptions
from openstack_netperf.hosts import inspect
from openstack_netperf import remote

DATA = os.path.join(os.path.dirname(__file__), os.pardir, 'data', 'hosts')
ROUTER = '5f0c6a7e-3b1d-4e52-9a8c-2d7f1e6b4a10'
EXTNET = 'b2e4d1c8-7a6f-4f3e-8d21-9c0b5a4e3f72'


def capture(name):
    """The text of a capture in tests/unit/data/hosts."""
    with open(os.path.join(DATA, name)) as f:
        return f.read()


def captured_node_outputs():
    """Command line -> output, for every command the captures answer."""
    outputs = {
        'ip -j netns list': capture('ip-netns-list.json'),
        inspect.ovs_ports_command(): capture('ovs-ports.txt'),
    }
    for prefix, name in (('qrouter-' + ROUTER, 'qrouter'),
                         ('snat-' + ROUTER, 'snat'),
                         ('fip-' + EXTNET, 'fip')):
        outputs['ip netns exec %s ip -j -s link' % prefix] = capture(
            'ip-s-link-%s.json' % name)
    for bridge in ('br-int', 'br-tun'):
        outputs['ovs-ofctl dump-flows %s' % bridge] = capture(
            'dump-flows-%s.txt' % bridge)
        outputs['ovs-ofctl -O OpenFlow13 dump-flows %s' % bridge] = capture(
            'dump-flows-%s-of13.txt' % bridge)
    return outputs


class FakeRunner:
    """Answers commands from a table; records what ran."""

    def __init__(self, outputs, name='fake-node'):
        self.outputs = outputs
        self.name = name
        self.commands = []
        self.closed = False

    def run(self, command, timeout=None, check=True):
        line = remote.to_shell(command)
        self.commands.append(line)
        if line not in self.outputs:
            result = remote.CommandResult(line, 127, '', 'not faked')
            if check:
                raise exceptions.CommandFailed(self.name, result)
            return result
        return remote.CommandResult(line, 0, self.outputs[line], '')

    def close(self):
        self.closed = True
