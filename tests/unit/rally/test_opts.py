"""The [netperf] options reach Rally's configuration and the generator."""

from __future__ import annotations

from rally.common import cfg
from rally.common import opts as rally_opts
import testtools

from rally_netperf import opts
from rally_netperf import waiting


class OptsTest(testtools.TestCase):

    def test_list_opts(self):
        (group, options), = opts.list_opts()
        self.assertEqual('netperf', group)
        # Server waits use Rally's [openstack] nova_server_* options.
        self.assertEqual({'ssh_connect_timeout', 'guest_ready_timeout',
                          'poll_interval', 'poll_max_interval'},
                         {o.name for o in options})

    def test_rally_entry_point_registers_the_same_options(self):
        rally_opts.register_options_from_path('rally_netperf.opts:list_opts')
        self.assertEqual(300.0, cfg.CONF.netperf.guest_ready_timeout)
        self.assertEqual(0.5, waiting.settings().poll_interval)
