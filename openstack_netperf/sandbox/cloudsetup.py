"""What the running cloud must hold before it is usable.

Live agents and computes, computes mapped to the cell, the external
network ``public``, the flavor and the guest image; each with the check
that tells ``up`` it is already there, and the lookup of their ids that
``env`` writes into the client files.
"""

from __future__ import annotations

import os

from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import inventory as inventory_mod
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox.services import nova
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import system

C = services.CONTROLLER
# The directory holding the openstack_netperf package, for tools run
# under the service venv (netperf-image).
PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
FLAVOR = ('netperf.tiny', 128, 1, 1)
AGENT_TIMEOUT = 300.0


class CloudSetup(inventory_mod.Part):
    """Agents, cell mapping, external network, flavor and guest image."""

    # Agents and computes -------------------------------------------------
    def agents_alive(self) -> bool:
        """Every expected Neutron agent and nova-compute reports alive."""
        cloud = self.secret.cloud()
        expected = set()
        for node in self.conf.nodes:
            expected.add(('Open vSwitch agent', node.name))
            expected.add(('L3 agent', node.name))
            if node.role == settings_mod.NETWORK:
                expected.add(('DHCP agent', node.name))
                expected.add(('Metadata agent', node.name))
        alive = {(a['agent_type'], a['host']) for a in cloud.agents()
                 if a['alive']}
        computes = {s['host'] for s in cloud.compute_services()
                    if s['state'] == 'up'}
        return (expected <= alive
                and {n.name for n in self.conf.computes} <= computes)

    def wait_agents(self) -> None:
        daemons = self.inventory.all_node_daemons()

        def alive() -> None:
            for daemon in daemons:
                self.daemons.check_alive(daemon)
        readiness.wait_for('Neutron agents and nova-compute',
                           self.agents_alive, AGENT_TIMEOUT, alive,
                           interval=3)

    def hosts_discovered(self) -> bool:
        names = {h['hypervisor_hostname']
                 for h in self.secret.cloud().hypervisors()}
        return {n.name for n in self.conf.computes} <= names

    def discover_hosts(self) -> None:
        log = self.conf.log(C, 'nova-manage')

        def discovered() -> bool:
            system.run(nova.discover_hosts(self.secret.context()), log=log)
            return self.hosts_discovered()
        readiness.wait_for('compute hosts in the cell', discovered, 120,
                           interval=3, log=log)

    # Cloud objects -------------------------------------------------------
    def ensure_external_network(self) -> None:
        self.secret.cloud().ensure_external_network()

    def external_done(self) -> bool:
        net = self.secret.cloud().find('neutron', '/v2.0/networks',
                                       'networks', name='public')
        return bool(net and net.get('subnets'))

    def ensure_flavor(self) -> None:
        self.secret.cloud().ensure_flavor(*FLAVOR)

    def flavor_done(self) -> bool:
        flavors = self.secret.cloud().call('GET', 'nova', '/v2.1/flavors')
        return any(f['name'] == FLAVOR[0] for f in flavors['flavors'])

    def image_done(self) -> bool:
        images = self.secret.cloud().call(
            'GET', 'glance', '/v2/images?name=%s'
            % envfiles.IMAGE_NAME)['images']
        return any(i['status'] == 'active' for i in images)

    def upload_image(self) -> None:
        """Build the guest with ``netperf-image`` and upload it.

        Kernel + ramdisk images (no bootloader to emulate under TCG) with
        Debian's generic kernel and an e1000 NIC: QEMU's e1000 segments
        TCP for the guest, and virtio-net's partial checksums, which the
        OVS userspace datapath forwards unfixed, do not arise.  Runs under
        the service venv, which has openstacksdk, whatever environment
        runs the sandbox.
        """
        log = self.conf.log(C, 'image')
        output = self.conf.state('image')
        env = dict(os.environ, PYTHONPATH=PROJECT_ROOT)
        env.update(envfiles.credentials(self.secret.context()))
        cli = [self.conf.venv_bin('python'), '-m',
               'openstack_netperf.image.cli']
        if not os.path.exists(os.path.join(output, 'manifest.json')):
            system.run(cli + ['build', '--output', output,
                              '--kernel-package', 'linux-image-amd64',
                              '--nic-mode', 'auto'], log=log, env=env,
                       timeout=1800)
        system.run(cli + ['upload', '--input', output, '--name',
                          envfiles.IMAGE_NAME, '--format', 'kernel',
                          '--vif-model', 'e1000', '--public'],
                   log=log, env=env)

    def ids(self) -> envfiles.CloudIds:
        """Flavor, guest image and external network ids, when present."""
        cloud = self.secret.cloud()
        ids = envfiles.CloudIds()
        for flavor in cloud.call('GET', 'nova', '/v2.1/flavors')['flavors']:
            if flavor['name'] == FLAVOR[0]:
                ids.flavor_id = flavor['id']
        images = cloud.call('GET', 'glance', '/v2/images?name=%s'
                            % envfiles.IMAGE_NAME)['images']
        if images:
            ids.image_id = images[0]['id']
        net = cloud.find('neutron', '/v2.0/networks', 'networks',
                         name='public')
        if net:
            ids.public_network_id = net['id']
        return ids
