import configparser
import json

import testtools

from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings


class TestEnvFiles(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.conf = settings.SandboxSettings(state_dir='/s')
        self.ctx = services.Context(self.conf, 'secret pw')

    def test_openrc_quotes_values(self):
        text = envfiles.openrc(self.ctx)
        self.assertIn("export OS_PASSWORD='secret pw'\n", text)
        self.assertIn('export OS_AUTH_URL=http://198.18.0.1:5000/v3\n',
                      text)

    def test_rally_spec_is_an_existing_cloud(self):
        spec = json.loads(envfiles.rally_spec(self.ctx))
        cloud = spec['openstack']
        self.assertEqual('http://198.18.0.1:5000/v3', cloud['auth_url'])
        self.assertEqual('admin', cloud['admin']['username'])
        self.assertEqual('secret pw', cloud['admin']['password'])

    def test_tempest_conf_reaches_nodes_over_ssh(self):
        ids = envfiles.CloudIds('flavor-1', 'image-1', 'net-1')
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(envfiles.tempest_conf(self.ctx, ids))
        netperf = ini['netperf']
        self.assertEqual('ssh', netperf['node_access'])
        self.assertEqual('root', netperf['node_user'])
        self.assertEqual('false', netperf['node_sudo'])
        self.assertEqual('/s/ssh/id_ed25519', netperf['node_key_file'])
        self.assertEqual('network:198.18.0.10,compute-01:198.18.0.11,'
                         'compute-02:198.18.0.12',
                         netperf['node_address_map'])
        self.assertEqual('network', netperf['network_node'])
        self.assertEqual('1000', netperf['burst_packets'])
        self.assertEqual('image-1', ini['compute']['image_ref'])
        self.assertEqual('flavor-1', netperf['flavor_ref'])
        self.assertEqual('net-1', ini['network']['public_network_id'])
        self.assertEqual('2', ini['compute']['min_compute_nodes'])

    def test_absent_ids_are_left_out(self):
        ini = configparser.ConfigParser(interpolation=None)
        ini.read_string(envfiles.tempest_conf(self.ctx,
                                              envfiles.CloudIds()))
        self.assertNotIn('image_ref', ini['compute'])
        self.assertNotIn('public_network_id', ini['netperf'])

    def test_files_live_in_the_state_dir(self):
        paths = sorted(envfiles.files(self.ctx, envfiles.CloudIds()))
        self.assertEqual(['/s/env/openrc', '/s/env/rally-env.json',
                          '/s/env/tempest.conf'], paths)
