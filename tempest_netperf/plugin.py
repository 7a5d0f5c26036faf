"""Tempest's entry point for the network path tests."""

import os

from tempest.test_discover import plugins

from tempest_netperf import config


class NetperfTempestPlugin(plugins.TempestPlugin):
    """Registers the ``[netperf]`` options and the path tests."""

    def load_tests(self):
        base_path = os.path.split(os.path.dirname(
            os.path.abspath(__file__)))[0]
        test_dir = 'tempest_netperf/tests'
        return os.path.join(base_path, test_dir), base_path

    def register_opts(self, conf):
        conf.register_group(config.netperf_group)
        conf.register_opts(config.NetperfGroup, group=config.netperf_group)

    def get_opt_lists(self):
        return [(config.netperf_group.name, config.NetperfGroup)]
