"""tools/bench-sandbox.py: the memory figure's guests do not outlive it."""

from __future__ import annotations

from unittest import mock

import testtools

from tests.unit import tools

bench = tools.load('bench-sandbox.py')


class MeasureWithGuestsTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.cloud = mock.Mock()
        self.cloud.create_dvr_network.return_value = ({'id': 'net'},
                                                      {'id': 'router'})
        self.box = mock.Mock()
        self.box.cloud.return_value = self.cloud
        self.box.conf.computes = [mock.Mock(), mock.Mock()]
        self.box.conf.computes[0].name = 'compute-01'
        self.box.conf.computes[1].name = 'compute-02'
        self.booted = ['guest'] * 7
        for name, value in (('boot', self.booted), ('delete', None)):
            patcher = mock.patch.object(bench.guests, name,
                                        return_value=value)
            setattr(self, name, patcher.start())
            self.addCleanup(patcher.stop)

    def test_guests_and_network_are_deleted_after_measuring(self):
        with mock.patch.object(bench, 'memory', return_value={'m': 1}):
            seconds, memory = bench.measure_with_guests(self.box, 7, 0)
        self.assertEqual({'m': 1}, memory)
        self.assertGreaterEqual(seconds, 0.0)
        hosts = self.boot.call_args.args[3]
        self.assertEqual(['compute-01'] * 4 + ['compute-02'] * 3, hosts)
        self.delete.assert_called_once_with(self.cloud, self.booted)
        self.cloud.delete_dvr_network.assert_called_once_with(
            {'id': 'net'}, {'id': 'router'})

    def test_a_failed_measurement_still_deletes(self):
        with mock.patch.object(bench, 'memory',
                               side_effect=OSError('no /proc')):
            self.assertRaises(OSError, bench.measure_with_guests,
                              self.box, 7, 0)
        self.delete.assert_called_once_with(self.cloud, self.booted)
        self.cloud.delete_dvr_network.assert_called_once()
