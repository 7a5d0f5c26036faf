"""tools/bench-headline.py: the benchmarks' figures against their goals."""

from __future__ import annotations

import json
import os

import fixtures
import testtools

from tests.unit import tools

headline = tools.load('bench-headline.py')

SANDBOX = {'up from scratch': 95.2, 'memory_with_guests': {
    'total_mib': 7270.0, 'qemu_mib': 1800.0, 'processes': 120}}
FIDELITY = {'forward': {'fidelity': 1.031}, 'reverse': {'fidelity': 0.95}}
OVERHEAD = {'total': {'overhead': 196.4, 'wall': 2665.5,
                      'overhead_percent': 7.37}}


class HeadlineTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = self.useFixture(fixtures.TempDir()).path

    def write(self, name, data):
        with open(os.path.join(self.dir, name), 'w') as handle:
            json.dump(data, handle)

    def test_every_figure_against_its_goal(self):
        self.write('sandbox.json', SANDBOX)
        self.write('fidelity.json', FIDELITY)
        self.write('overhead.json', OVERHEAD)
        lines = headline.headline(self.dir)
        self.assertEqual(5, len(lines))
        self.assertRegex(lines[0], r'^sandbox up from scratch +95\.2 s '
                                   r'+goal <= 180 s met$')
        self.assertRegex(lines[1], r'7270 MiB +goal <= 8192 MiB met$')
        self.assertRegex(lines[2], r'fidelity forward +1\.031 .* met$')
        self.assertRegex(lines[3], r'fidelity reverse +0\.950 .* NOT met$')
        self.assertRegex(lines[4], r'tool overhead +7\.4 % \(196 of 2666 s\)'
                                   r' +goal <= 10 % met$')

    def test_missing_figures_are_named(self):
        self.write('fidelity.json', FIDELITY)
        lines = headline.headline(self.dir)
        self.assertIn('sandbox: missing (bench-sandbox.py failed?)', lines)
        self.assertIn('overhead: missing (the task or bench-overhead.py '
                      'failed?)', lines)
        self.assertEqual(4, len(lines))
