"""Read the cloud fingerprint in a NetPerf iteration.

The adapter between Rally's clients and node access and the core's
:mod:`openstack_netperf.fingerprint`: each source is asked once, and one
that fails (no admin credentials, an API error, a node that does not
answer) is logged and leaves its facts ``unknown``.  Reading the
fingerprint never fails the iteration.
"""

from __future__ import annotations

import logging
from typing import Any, Callable, Iterable, Mapping, TypeVar

from openstack_netperf import fingerprint
from openstack_netperf import pair
from openstack_netperf import remote
from rally_netperf.contexts import compute_hosts

LOG = logging.getLogger(__name__)
# Seconds the node script may take on one node.
NODE_TIMEOUT = 60.0
Clients = Callable[[str], Any]
T = TypeVar('T')


def _read(what: str, read: Callable[[], T]) -> T | None:
    """``read()``, or None (logged) when it fails."""
    try:
        return read()
    except Exception as exc:
        LOG.warning('Cloud fingerprint: cannot read %s: %s', what, exc)
        return None


def _max_microversion(nova: Any) -> str | None:
    current = nova.versions.get_current()
    return None if current is None else getattr(current, 'version', None)


def _node_output(runner_for: Callable[[str], remote.Runner],
                 host: str) -> str:
    return runner_for(host).run(fingerprint.NODE_SCRIPT, check=False,
                                timeout=NODE_TIMEOUT).stdout


def gather(clients: Clients, admin_clients: Clients | None,
           networks: Mapping[str, Mapping[str, Any]], image_id: str,
           flavor_id: str, iperf3_versions: Mapping[str, str | None],
           settings: pair.Settings,
           node_runner: Callable[[str], remote.Runner] | None,
           nodes: Iterable[str]) -> fingerprint.Facts:
    """Every fact of one iteration.

    :param clients: the user's clients by name (``"nova"``, ...)
    :param admin_clients: the admin's, or None without admin
        credentials: agents and provider attributes are then unknown
    :param networks: the tenant networks the iteration measured on, by
        name: their ``id`` and ``mtu`` as created
    :param node_runner: host -> runner, None without node access: the
        facts of ``nodes`` are then unknown
    """
    facts: fingerprint.Facts = {}
    admin_neutron = admin_clients and _read(
        'the admin\'s Neutron client', lambda: admin_clients('neutron'))
    neutron = clients('neutron')
    facts.update(fingerprint.neutron_facts(
        admin_neutron and _read('Neutron agents', lambda: (
            admin_neutron.list_agents()['agents'])),
        _read('Neutron extensions',
              lambda: neutron.list_extensions()['extensions'])))
    facts.update(fingerprint.nova_facts(_read(
        'Nova versions', lambda: _max_microversion(clients('nova')))))
    shown = {name: admin_neutron and _read(
        'network %s' % name, lambda net=net: admin_neutron.show_network(
            net['id'])['network']) for name, net in networks.items()}
    facts.update(fingerprint.network_facts({
        name: dict(shown[name] or {}, mtu=net.get('mtu'))
        for name, net in networks.items()}))
    facts.update(fingerprint.image_facts(_read(
        'image %s' % image_id,
        lambda: compute_hosts.as_dict(clients('glance').images.get(
            image_id)))))
    facts.update(fingerprint.flavor_facts(_read(
        'flavor %s' % flavor_id,
        lambda: compute_hosts.as_dict(clients('nova').flavors.get(
            flavor_id)))))
    facts.update(fingerprint.guest_facts(iperf3_versions))
    facts.update(fingerprint.settings_facts(settings))
    facts.update(fingerprint.node_facts({
        host: node_runner and _read(
            'node %s' % host,
            lambda host=host: _node_output(node_runner, host))
        for host in nodes}))
    return facts
