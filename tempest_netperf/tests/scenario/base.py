"""Shared set-up of the path tests: cloud facts, resources, guests, nodes.

Everything is created with admin credentials (in the test's own project):
pinning a server to a host (``zone:host``) and creating distributed or
centralized routers are admin operations.  Every resource registers its
cleanup right after it is created, so a failing test leaves nothing.
"""

from __future__ import annotations

import ipaddress
import socket

from oslo_log import log as logging
from tempest.common import waiters
from tempest import config
from tempest.lib.common.utils import data_utils
from tempest.lib.common.utils import test_utils
from tempest import test

from openstack_netperf import console
from openstack_netperf import exceptions
from openstack_netperf import guest as guest_mod
from openstack_netperf.hosts import access
from openstack_netperf.hosts import cloud_facts
from openstack_netperf.hosts import inspect
from openstack_netperf.hosts import probe
from openstack_netperf.hosts import verdict
from openstack_netperf.measure import ping
from openstack_netperf import remote
from openstack_netperf import topology
from tempest_netperf import config as netperf_config

CONF = config.CONF
_ADMIN_CLIENTS = tuple((name, name) for name in (
    'networks_client', 'subnets_client', 'routers_client', 'ports_client',
    'floating_ips_client', 'security_groups_client',
    'security_group_rules_client', 'servers_client', 'keypairs_client',
    'services_client')) + (
    ('agents_client', 'network_agents_client'),
    ('extensions_client', 'network_extensions_client'))
LOG = logging.getLogger(__name__)


def skip_reason_for_config(conf_group, mode: topology.RouterMode,
                           category: str | None = None) -> str | None:
    """Why ``[netperf]`` options rule this test out, or ``None``."""
    if conf_group.node_access == 'none':
        return ('[netperf] node_access is "none": the path tests read '
                'namespaces and OVS counters on the nodes; set it to ssh or '
                'local')
    if mode not in netperf_config.selected_router_modes(conf_group):
        return ('router mode %s is not in [netperf] router_modes'
                % mode.value)
    if category is not None and category not in {
            c.id for c in netperf_config.selected_categories(conf_group)}:
        return 'category %s is not in [netperf] categories' % category
    return None


def source_address(destination: str) -> str | None:
    """This machine's IPv4 address towards ``destination``, if routed.

    Connecting a UDP socket only looks the route up: nothing is sent.
    """
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        try:
            sock.connect((destination, 9))
        except OSError:
            return None
        return sock.getsockname()[0]


class NetperfScenarioTest(test.BaseTestCase):
    """Base class: admin clients, cloud facts and resource helpers."""

    credentials = ['admin']

    @classmethod
    def skip_checks(cls):
        super().skip_checks()
        # A bad [netperf] value fails each class once, naming the option.
        netperf_config.check_options(CONF.netperf)
        for service in ('neutron', 'nova'):
            if not getattr(CONF.service_available, service):
                raise cls.skipException('%s is not available' % service)
        if CONF.netperf.node_access == 'none':
            raise cls.skipException(
                '[netperf] node_access is "none": no node to inspect')

    @classmethod
    def setup_credentials(cls):
        cls.set_network_resources()
        super().setup_credentials()

    @classmethod
    def setup_clients(cls):
        super().setup_clients()
        # Every call is admin's: host hints, agents and router placement
        # are admin-only.  (attribute here, client of the admin manager)
        for ours, theirs in _ADMIN_CLIENTS:
            setattr(cls, ours, getattr(cls.os_admin, theirs))

    @classmethod
    def resource_setup(cls):
        super().resource_setup()
        cls.discover_cloud()
        cls.addClassResourceCleanup(cls.nodes.close)

    @classmethod
    def discover_cloud(cls):
        """Read computes, agents and extensions; set up node access."""
        cls.facts = cloud_facts.CloudFacts.from_api(
            services=cls.services_client.list_services(
                binary='nova-compute')['services'],
            agents=cls.agents_client.list_agents()['agents'],
            extensions=cls.extensions_client.list_extensions()['extensions'])
        cls.external_network_id = (CONF.netperf.public_network_id
                                   or CONF.network.public_network_id)
        cls.nodes = access.NodeAccess(
            netperf_config.node_access_settings(CONF.netperf))

    # --- skips ------------------------------------------------------------

    def require(self, mode: topology.RouterMode, computes_needed: int,
                category: str | None = None) -> list[cloud_facts.ComputeHost]:
        """Skip unless the cloud and the options allow this check.

        Returns the computes to pin the VMs to: path-checkable ones, apart
        from the network node (:mod:`openstack_netperf.hosts.cloud_facts`).
        """
        reason = (skip_reason_for_config(CONF.netperf, mode, category)
                  or self.facts.blocker(mode, computes_needed))
        if reason is None and not self.external_network_id:
            reason = ('no external network: set [netperf] '
                      'public_network_id or [network] public_network_id')
        computes = self.facts.usable_computes(mode)[:computes_needed]
        if reason is None:
            nodes = ([CONF.netperf.network_node] if CONF.netperf.network_node
                     else self.facts.central_nodes(mode))
            unreachable = [host for host in nodes + [c.host for c in computes]
                           if not self.nodes.reaches(host)]
            if unreachable:
                reason = ('[netperf] node_access %s cannot reach %s: use ssh '
                          'access for a multi-node cloud'
                          % (CONF.netperf.node_access,
                             ', '.join(unreachable)))
        if reason:
            self.skipTest(reason)
        return computes

    # --- resources --------------------------------------------------------

    def name(self, what: str) -> str:
        return data_utils.rand_name(prefix=CONF.resource_name_prefix,
                                    name='netperf-%s' % what)

    def create_network(self, cidr: str) -> tuple[dict, dict]:
        network = self.networks_client.create_network(
            name=self.name('net'))['network']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.networks_client.delete_network, network['id'])
        subnet = self.subnets_client.create_subnet(
            network_id=network['id'], cidr=cidr, ip_version=4,
            name=self.name('subnet'))['subnet']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.subnets_client.delete_subnet, subnet['id'])
        return network, subnet

    def create_router(self, mode: topology.RouterMode,
                      subnets: list[dict]) -> dict:
        router = self.routers_client.create_router(
            name=self.name('router'), distributed=mode.distributed,
            external_gateway_info={
                'network_id': self.external_network_id})['router']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.routers_client.delete_router, router['id'])
        for subnet in subnets:
            self.routers_client.add_router_interface(
                router['id'], subnet_id=subnet['id'])
            self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                            self.routers_client.remove_router_interface,
                            router['id'], subnet_id=subnet['id'])
        return router

    def access_prerequisites(self) -> tuple[dict, dict]:
        """A key pair and a security group letting ICMP and SSH in.

        From where the tests reach the guests only: the other guests (the
        tenant subnets; across routers, their floating IPs on the external
        subnets), this machine (its address towards the external network)
        and ``[netperf] client_cidrs``.  From anywhere only when this
        machine's side is unknown: no route to the external network and no
        ``client_cidrs``.
        """
        keypair = self.keypairs_client.create_keypair(
            name=self.name('key'))['keypair']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.keypairs_client.delete_keypair, keypair['name'])
        group = self.security_groups_client.create_security_group(
            name=self.name('sg'))['security_group']
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.security_groups_client.delete_security_group,
                        group['id'])
        for source in self.guest_access_sources():
            for rule in ({'protocol': 'icmp'},
                         {'protocol': 'tcp', 'port_range_min': 22,
                          'port_range_max': 22}):
                self.security_group_rules_client.create_security_group_rule(
                    security_group_id=group['id'], direction='ingress',
                    ethertype='IPv4', remote_ip_prefix=source, **rule)
        return keypair, group

    def guest_access_sources(self) -> list[str]:
        """The CIDRs the tests reach the guests from (see above)."""
        external = [ipaddress.ip_network(subnet['cidr']) for subnet in
                    self.subnets_client.list_subnets(
                        network_id=self.external_network_id)['subnets']
                    if subnet['ip_version'] == 4]
        here = [ipaddress.ip_network(cidr) for cidr in
                netperf_config.client_cidrs(CONF.netperf)]
        for network in external:
            address = source_address(str(next(network.hosts())))
            if address:
                here.append(ipaddress.ip_network(address))
        if not here:
            LOG.warning('no route from here to external network %s and no '
                        '[netperf] client_cidrs: the guests admit SSH and '
                        'ICMP from 0.0.0.0/0', self.external_network_id)
            return ['0.0.0.0/0']
        sources = [spec.cidr for spec in topology.REFERENCE_NETWORKS]
        sources += [str(network) for network in external]
        sources += [str(network) for network in here
                    if not any(network.subnet_of(net) for net in external)]
        return list(dict.fromkeys(sources))

    def boot(self, network: dict, compute: cloud_facts.ComputeHost,
             keypair: dict, group: dict,
             floating_ip: bool = False) -> guest_mod.Guest:
        """Boot a guest on ``compute`` (checked), optionally with a FIP."""
        image = CONF.netperf.image_ref or CONF.compute.image_ref
        flavor = CONF.netperf.flavor_ref or CONF.compute.flavor_ref
        extra = {'config_drive': True} if CONF.netperf.config_drive else {}
        server = self.servers_client.create_server(
            name=self.name('vm'), imageRef=image, flavorRef=flavor,
            networks=[{'uuid': network['id']}], key_name=keypair['name'],
            security_groups=[{'name': group['name']}],
            availability_zone=compute.hint, **extra)['server']
        self.addCleanup(waiters.wait_for_server_termination,
                        self.servers_client, server['id'])
        self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                        self.servers_client.delete_server, server['id'])
        waiters.wait_for_server_status(self.servers_client, server['id'],
                                       'ACTIVE')
        server = self.servers_client.show_server(server['id'])['server']
        host = server.get('OS-EXT-SRV-ATTR:host')
        self.assertEqual(compute.host, host,
                         'server %s was pinned to %s but runs on %s'
                         % (server['id'], compute.hint, host))
        port = self.ports_client.list_ports(
            device_id=server['id'])['ports'][0]
        guest = guest_mod.Guest(server['name'], server['id'], host, port)
        if floating_ip:
            fip = self.floating_ips_client.create_floatingip(
                floating_network_id=self.external_network_id,
                port_id=port['id'])['floatingip']
            self.addCleanup(test_utils.call_and_ignore_notfound_exc,
                            self.floating_ips_client.delete_floatingip,
                            fip['id'])
            guest.floating_ip = fip['floating_ip_address']
            guest.floating_ip_id = fip['id']
        return guest

    def login(self, guest: guest_mod.Guest, keypair: dict,
              via: remote.SSHRunner | None = None) -> remote.SSHRunner:
        """An SSH runner into ``guest`` once it answers.

        Through its floating IP, or through ``via`` (another guest) to its
        fixed IP when it has none.
        """
        runner = remote.SSHRunner(
            guest.address, CONF.netperf.guest_user,
            private_key=keypair['private_key'], jump=via,
            connect_timeout=CONF.netperf.connect_timeout,
            command_timeout=CONF.netperf.command_timeout,
            name='guest %s' % guest.address)
        self.addCleanup(runner.close)
        try:
            runner.wait_until_ready(timeout=CONF.netperf.guest_boot_timeout)
        except exceptions.CommandTimeout as exc:
            explanation = self.unreachable_report(guest, exc)
            LOG.error('%s', explanation)
            self.fail(explanation)
        return runner

    def unreachable_report(self, guest: guest_mod.Guest,
                           error: Exception) -> str:
        """Why ``guest`` does not answer: console, port, FIP and tap."""
        return console.unreachable_report(
            error, guest,
            lambda server_id: self.servers_client.get_console_output(
                server_id, length=console.TAIL_LINES * 4)['output'],
            lambda port_id: self.ports_client.show_port(port_id)['port'],
            lambda fip_id: self.floating_ips_client.show_floatingip(
                fip_id)['floatingip']['status'],
            console.tap_reader(getattr(self, 'nodes', None), guest.host,
                               guest.port_id))

    # --- nodes ------------------------------------------------------------

    def network_nodes(self, router: dict,
                      mode: topology.RouterMode) -> list[str]:
        """The configured network node, or the router's central host."""
        if CONF.netperf.network_node:
            return [CONF.netperf.network_node]
        agents = self.routers_client.list_l3_agents_hosting_router(
            router['id'])['agents']
        nodes = cloud_facts.hosting_network_nodes(agents, mode)
        self.assertNotEmpty(nodes, 'no L3 agent in %s mode hosts router %s'
                            % ('/'.join(cloud_facts.CENTRAL_MODES[mode]),
                               router['id']))
        return nodes

    def namespaces(self, host: str) -> set[str]:
        return {ns.name for ns in
                inspect.list_namespaces(self.nodes.runner(host))}

    def wait_for_namespace(self, host: str, name: str,
                           present: bool = True) -> bool:
        """Poll until ``name`` is (or is not) a namespace on ``host``."""
        return test_utils.call_until_true(
            lambda: (name in self.namespaces(host)) == present,
            CONF.netperf.command_timeout, 2)

    # --- the path check ---------------------------------------------------

    def warm_up(self, runner: remote.Runner, target: str) -> None:
        """Wait until ``target`` answers (ARP, flows, a late guest).

        One probe at a time: busybox ping stops after ``-c`` probes even
        with a deadline, so a long single ping is no wait.
        """
        probe_once = ping.command(target, count=1, interval=1, deadline=2)
        last = []

        def answered() -> bool:
            result = runner.run(probe_once, check=False)
            last[:] = [result]
            return result.ok

        self.assertTrue(
            test_utils.call_until_true(
                answered, CONF.netperf.guest_boot_timeout, 1),
            '%s cannot reach %s: %s' % (runner.name, target,
                                        last[0].stdout[-300:] if last
                                        else 'no answer'))

    def check_path(self, traffic: topology.Traffic,
                   mode: topology.RouterMode, sender: remote.Runner,
                   target: str, routers: list[dict],
                   computes: list[str]) -> verdict.Verdict:
        """Warm up, measure noise, send the burst, assert the verdict."""
        self.warm_up(sender, target)
        network = sorted({n for r in routers
                          for n in self.network_nodes(r, mode)})
        opts = CONF.netperf
        burst = probe.PingBurst(sender, target, opts.burst_packets,
                                opts.burst_packet_size, opts.burst_interval)
        result = probe.measure_path(
            self.nodes.runner,
            probe.path_targets(network, computes,
                               [r['id'] for r in routers]),
            burst.send, topology.crosses_network_node(traffic, mode),
            network, computes, quiet_seconds=opts.noise_window,
            noise_factor=opts.noise_factor)
        try:
            pings = burst.result()
            sent = 'burst: %d pings of %d bytes from %s to %s, %d answered' % (
                pings.total_sent, opts.burst_packet_size, sender.name,
                target, pings.total_received)
        except exceptions.ToolError as exc:
            sent = str(exc)
        LOG.info('%s traffic, %s router: %s\n%s', traffic.value, mode.value,
                 sent, result.describe())
        self.assertTrue(result.conclusive,
                        'inconclusive path evidence for %s traffic under a '
                        '%s router (%s):\n%s' % (traffic.value, mode.value,
                                                 sent, result.describe()))
        self.assertTrue(result.as_expected,
                        '%s traffic under a %s router took the wrong path '
                        '(%s):\n%s' % (traffic.value, mode.value, sent,
                                       result.describe()))
        return result
