import configparser
import os

import testtools

from openstack_netperf.sandbox import ovs
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox.services import keystone
from openstack_netperf.sandbox.services import mariadb
from openstack_netperf.sandbox.services import neutron
from openstack_netperf.sandbox.services import nova
from openstack_netperf.sandbox.services import rabbitmq
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import settings


def parse(text):
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(text)
    return parser


class TestRenderIni(testtools.TestCase):

    def test_booleans_lists_and_order(self):
        text = services.render_ini({'b': {'x': True, 'y': [1, 2]},
                                    'a': {'z': 'v'}})
        self.assertEqual('[b]\nx = true\ny = 1,2\n\n[a]\nz = v\n', text)


class ServiceTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings(state_dir='/s', log_dir='/l')
        self.ctx = services.Context(self.conf, 'pw')


class TestControllerServices(ServiceTest):

    def test_everything_binds_the_management_address(self):
        daemons = ([mariadb.daemon(self.ctx), keystone.daemon(self.ctx)]
                   + nova.controller_daemons(self.ctx)
                   + neutron.server_daemons(self.ctx))
        argv = ' '.join(' '.join(d.argv) for d in daemons)
        self.assertIn('--bind-address=198.18.0.1', argv)
        for daemon in daemons:
            if '--http-socket' in daemon.argv:
                where = daemon.argv[daemon.argv.index('--http-socket') + 1]
                self.assertEqual('198.18.0.1:%d' % daemon.port, where)
                self.assertTrue(daemon.http)
                # uwsgi keep-alive otherwise resets client connections.
                self.assertIn('Connection: close', daemon.argv)
        env = dict(rabbitmq.environment(self.ctx))
        self.assertEqual('198.18.0.1', env['RABBITMQ_NODE_IP_ADDRESS'])
        self.assertEqual('127.0.0.1', env['ERL_EPMD_ADDRESS'])

    def test_keystone_uses_fernet_and_the_mgmt_catalogue(self):
        (path, text), = keystone.configs(self.ctx).items()
        self.assertEqual('/s/etc/controller/keystone/keystone.conf', path)
        ini = parse(text)
        self.assertEqual('fernet', ini['token']['provider'])
        self.assertEqual('/l/controller/keystone.log',
                         ini['DEFAULT']['log_file'])
        commands = keystone.bootstrap_commands(self.ctx)
        self.assertIn('http://198.18.0.1:5000/v3', commands[-1])

    def test_neutron_server_is_dvr_with_nova_notifications(self):
        files = neutron.server_configs(self.ctx)
        server = parse(files['/s/etc/controller/neutron/neutron.conf'])
        default = server['DEFAULT']
        self.assertEqual('true', default['router_distributed'])
        self.assertEqual('true',
                         default['notify_nova_on_port_status_changes'])
        self.assertEqual('nova', server['nova']['username'])
        self.assertEqual(
            'mysql+pymysql://netperf:pw@198.18.0.1/neutron?charset=utf8',
            server['database']['connection'])
        ml2 = parse(files['/s/etc/controller/neutron/ml2_conf.ini'])
        self.assertEqual('openvswitch,l2population',
                         ml2['ml2']['mechanism_drivers'])
        self.assertEqual('physnet1', ml2['ml2_type_flat']['flat_networks'])

    def test_nova_api_gets_paste_first(self):
        api = {d.service: d for d in
               nova.controller_daemons(self.ctx)}['nova-api']
        files = dict(api.env)['OS_NOVA_CONFIG_FILES'].split(';')
        self.assertTrue(files[0].endswith('api-paste.ini'))
        self.assertEqual(['nova.conf', 'nova-api.conf'], files[1:])


class TestNodeServices(ServiceTest):

    def agent_ini(self, node_name, name):
        node = self.conf.node(node_name)
        files = neutron.agent_configs(self.ctx, node)
        return parse(files['/s/etc/%s/neutron/%s' % (node_name, name)])

    def test_l3_agent_modes(self):
        self.assertEqual('dvr_snat', self.agent_ini(
            'network', 'l3_agent.ini')['DEFAULT']['agent_mode'])
        self.assertEqual('dvr', self.agent_ini(
            'compute-01', 'l3_agent.ini')['DEFAULT']['agent_mode'])

    def test_ovs_agent_userspace_vxlan_dvr(self):
        ini = self.agent_ini('compute-02', 'openvswitch_agent.ini')
        self.assertEqual('netdev', ini['ovs']['datapath_type'])
        self.assertEqual('198.18.1.12', ini['ovs']['local_ip'])
        self.assertEqual('physnet1:br-ex', ini['ovs']['bridge_mappings'])
        self.assertEqual('true', ini['agent']['enable_distributed_routing'])
        self.assertEqual('vxlan', ini['agent']['tunnel_types'])

    def test_dhcp_agent_only_on_the_network_node(self):
        names = {d.service for d in neutron.agent_daemons(
            self.ctx, self.conf.node('network'))}
        self.assertIn('neutron-dhcp-agent', names)
        self.assertIn('neutron-metadata-agent', names)
        names = {d.service for d in neutron.agent_daemons(
            self.ctx, self.conf.node('compute-01'))}
        self.assertNotIn('neutron-dhcp-agent', names)

    def test_ovs_agent_runs_through_the_wrapper(self):
        daemons = {d.service: d for d in neutron.agent_daemons(
            self.ctx, self.conf.node('compute-01'))}
        argv = daemons['neutron-openvswitch-agent'].argv
        self.assertEqual(self.conf.venv_bin('python3'), argv[0])
        self.assertEqual('-P', argv[1])
        self.assertTrue(argv[2].endswith(
            '/openstack_netperf/sandbox/ovs_agent.py'))
        self.assertTrue(os.path.isabs(argv[2]))
        self.assertTrue(os.path.isfile(argv[2]))
        self.assertEqual((
            '--config-file', '/s/etc/compute-01/neutron/neutron.conf',
            '--config-file', '/s/etc/compute-01/neutron/'
            'openvswitch_agent.ini',
            '--log-file', '/l/compute-01/neutron-openvswitch-agent.log'),
            argv[3:])
        l3 = daemons['neutron-l3-agent'].argv
        self.assertEqual(self.conf.venv_bin('neutron-l3-agent'), l3[0])

    def test_dnsmasq_logs_dhcp_per_network(self):
        dhcp = self.agent_ini('network', 'dhcp_agent.ini')['DEFAULT']
        self.assertEqual('/l/network/dnsmasq', dhcp['dnsmasq_base_log_dir'])

    def test_metadata_through_the_dhcp_namespace(self):
        dhcp = self.agent_ini('network', 'dhcp_agent.ini')['DEFAULT']
        self.assertEqual('true', dhcp['force_metadata'])
        metadata = self.agent_ini('network', 'metadata_agent.ini')['DEFAULT']
        self.assertEqual('198.18.0.1', metadata['nova_metadata_host'])
        self.assertEqual('8775', metadata['nova_metadata_port'])
        self.assertEqual('pw', metadata['metadata_proxy_shared_secret'])
        for node in ('network', 'compute-01'):
            self.assertEqual('false', self.agent_ini(
                node, 'l3_agent.ini')['DEFAULT']['enable_metadata_proxy'])
        nova_conf = parse(nova.controller_configs(self.ctx)[
            '/s/etc/controller/nova/nova.conf'])
        self.assertEqual('true',
                         nova_conf['neutron']['service_metadata_proxy'])
        self.assertEqual('pw',
                         nova_conf['neutron']['metadata_proxy_shared_secret'])
        services_ = {d.service: d for d in nova.controller_daemons(self.ctx)}
        self.assertEqual(8775, services_['nova-metadata'].port)

    def test_agents_are_named_after_their_node(self):
        ini = self.agent_ini('compute-01', 'neutron.conf')
        self.assertEqual('compute-01', ini['DEFAULT']['host'])

    def test_nova_compute(self):
        node = self.conf.node('compute-01')
        (path, text), = nova.compute_configs(self.ctx, node).items()
        ini = parse(text)
        self.assertEqual('compute-01', ini['DEFAULT']['host'])
        self.assertEqual('198.18.0.11', ini['DEFAULT']['my_ip'])
        self.assertEqual('qemu', ini['libvirt']['virt_type'])
        self.assertEqual('none', ini['libvirt']['cpu_mode'])
        self.assertEqual('true', ini['workarounds']['disable_rootwrap'])
        self.assertEqual('/s/nodes/compute-01/nova/instances',
                         ini['DEFAULT']['instances_path'])

    def test_sshd_listens_on_the_node_only(self):
        node = self.conf.node('network')
        text = sshd.config(self.conf, node)
        self.assertIn('ListenAddress 198.18.0.10\n', text)
        self.assertIn('PasswordAuthentication no', text)
        self.assertIn('AuthorizedKeysFile /s/ssh/id_ed25519.pub', text)

    def test_br_phy_carries_the_tunnel_ip(self):
        node = self.conf.node('compute-01')
        commands = [' '.join(c) for c in ovs.bridge_commands(
            node, 'aa:bb:cc:dd:ee:ff', 24)]
        self.assertIn('ip addr replace 198.18.1.11/24 dev br-phy', commands)
        self.assertTrue(any('datapath_type=netdev' in c
                            and 'hwaddr="aa:bb:cc:dd:ee:ff"' in c
                            for c in commands))
        self.assertTrue(any(c.endswith('add-port br-ex ext0')
                            for c in commands))
