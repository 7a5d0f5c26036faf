"""Options of the Rally plugin, in the ``[netperf]`` group of rally.conf.

Rally registers them through the ``options`` entry point of
``rally_plugins``; ``oslo-config-generator`` lists them through
``oslo.config.opts``.  This module imports neither Rally nor the clouds.
"""

from __future__ import annotations

from oslo_config import cfg

GROUP = 'netperf'

OPTS = [
    cfg.FloatOpt('ssh_connect_timeout', default=10.0, min=1.0,
                 help='Seconds one SSH connection attempt to a guest (or '
                      'through the jump host) may take.'),
    cfg.FloatOpt('guest_ready_timeout', default=300.0, min=1.0,
                 help='Seconds a booted guest has to accept SSH and run a '
                      'command before the iteration fails.'),
    cfg.FloatOpt('poll_interval', default=0.5, min=0.05,
                 help='First interval, in seconds, between two attempts to '
                      'reach a booting guest over SSH; it doubles up to '
                      'poll_max_interval. (Servers are polled as by every '
                      'Rally Nova scenario: [openstack] '
                      'nova_server_boot_poll_interval and '
                      'nova_server_delete_poll_interval.)'),
    cfg.FloatOpt('poll_max_interval', default=5.0, min=0.1,
                 help='Longest interval, in seconds, between two attempts '
                      'to reach a guest over SSH.'),
]


def list_opts() -> list[tuple[str, list[cfg.Opt]]]:
    """The plugin's options by group, for Rally and the generator."""
    return [(GROUP, OPTS)]
