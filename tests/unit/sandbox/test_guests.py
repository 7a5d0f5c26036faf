import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import guests


class FakeCloud:
    """Answers the calls guests.py makes; servers turn ACTIVE on poll N."""

    def __init__(self, active_after=1, fail=None, existing_rules=False,
                 keypair_exists=False):
        self.calls = []
        self.polls = {}
        self.active_after = active_after
        self.fail = fail
        self.existing_rules = existing_rules
        self.keypair_exists = keypair_exists
        self.deleted = []

    def call(self, method, service, path, body=None):
        self.calls.append((method, path, body))
        if path == '/v2.1/servers' and method == 'POST':
            name = body['server']['name']
            return {'server': {'id': 'id-' + name}}
        if path.startswith('/v2.1/servers/') and method == 'GET':
            if path in self.deleted:
                raise exceptions.APIError(method, path, 404, 'gone')
            server_id = path.rsplit('/', 1)[1]
            self.polls[server_id] = self.polls.get(server_id, 0) + 1
            status = 'BUILD'
            if server_id == self.fail:
                status = 'ERROR'
            elif self.polls[server_id] >= self.active_after:
                status = 'ACTIVE'
            return {'server': {
                'id': server_id, 'name': server_id[3:], 'status': status,
                'fault': {'message': 'No valid host'},
                'OS-EXT-SRV-ATTR:host': 'compute-0%s'
                % (int(server_id[-1]) + 1)}}
        if path.startswith('/v2.0/ports'):
            server_id = path.rsplit('=', 1)[1]
            return {'ports': [{'id': 'port-' + server_id, 'fixed_ips': [
                {'ip_address': '198.19.1.%s' % server_id[-1]}]}]}
        if path == '/v2.0/floatingips':
            return {'floatingip': {'id': 'fip%d' % len(self.calls),
                                   'floating_ip_address': '198.18.100.%d'
                                   % len(self.calls)}}
        if path.startswith('/v2.0/security-groups'):
            return {'security_groups': [{'id': 'sg1'}, {'id': 'sg2'}]}
        if path == '/v2.0/security-group-rules':
            if self.existing_rules:
                raise exceptions.APIError(method, path, 409, 'exists')
            return {}
        if path.startswith('/v2.1/os-keypairs/'):
            if not self.keypair_exists:
                raise exceptions.APIError(method, path, 404, 'no such key')
            return {}
        if path == '/v2.1/os-keypairs':
            return {}
        if method == 'DELETE':
            self.deleted.append(path)
            return None
        raise AssertionError('unexpected call %s %s' % (method, path))


IDS = envfiles.CloudIds(flavor_id='f', image_id='i', public_network_id='p')
NET = {'id': 'n', 'name': 'net'}


class TestBoot(testtools.TestCase):

    def test_one_guest_per_host_with_floating_ips(self):
        cloud = FakeCloud(active_after=3)
        sleeps = []
        booted = guests.boot(cloud, IDS, NET, ['compute-01', 'compute-02'],
                             'bench', key_name='k', sleep=sleeps.append)
        self.assertEqual(['compute-01', 'compute-02'],
                         [g.host for g in booted])
        self.assertEqual(['198.19.1.0', '198.19.1.1'],
                         [g.fixed_ip for g in booted])
        self.assertTrue(all(g.floating_ip for g in booted))
        posted = [b['server'] for m, p, b in cloud.calls
                  if p == '/v2.1/servers']
        self.assertEqual(['nova:compute-01', 'nova:compute-02'],
                         [s['availability_zone'] for s in posted])
        self.assertTrue(all(s['config_drive'] and s['key_name'] == 'k'
                            for s in posted))
        self.assertEqual([2, 2], sleeps)

    def test_without_floating_ips_or_key(self):
        cloud = FakeCloud()
        booted = guests.boot(cloud, IDS, NET, ['compute-01'], 'x',
                             floating=False, sleep=lambda s: None)
        self.assertIsNone(booted[0].floating_ip)
        self.assertNotIn('key_name', cloud.calls[0][2]['server'])
        self.assertFalse(any(p == '/v2.0/floatingips'
                             for _m, p, _b in cloud.calls))

    def test_error_is_reported_with_the_fault(self):
        cloud = FakeCloud(fail='id-x-0')
        exc = self.assertRaises(exceptions.BootFailed, guests.boot, cloud, IDS,
                                NET, ['compute-01'], 'x',
                                sleep=lambda s: None)
        self.assertIn('No valid host', str(exc))

    def test_a_failed_boot_deletes_the_servers_it_posted(self):
        cloud = FakeCloud(fail='id-x-1')
        self.assertRaises(exceptions.BootFailed, guests.boot, cloud, IDS, NET,
                          ['compute-01', 'compute-02'], 'x',
                          sleep=lambda s: None)
        self.assertEqual(['/v2.1/servers/id-x-0', '/v2.1/servers/id-x-1'],
                         sorted(cloud.deleted))

    def test_delete_guests_and_floating_ips(self):
        cloud = FakeCloud()
        booted = guests.boot(cloud, IDS, NET, ['compute-01'], 'x',
                             sleep=lambda s: None)
        guests.delete(cloud, booted, sleep=lambda s: None)
        self.assertEqual(['/v2.0/floatingips/%s' % booted[0].floating_ip_id,
                          '/v2.1/servers/id-x-0'], cloud.deleted)

    def test_timeout(self):
        cloud = FakeCloud(active_after=100)
        now = [0.0]

        def sleep(seconds):
            now[0] += seconds

        exc = self.assertRaises(exceptions.BootFailed, guests.wait_active,
                                cloud, ['id-a-0'], 10, sleep,
                                lambda: now[0])
        self.assertIn('guests id-a-0 becoming ACTIVE: still waiting after '
                      '10 s', str(exc))

    def test_deleted_guests_are_waited_for(self):
        cloud = FakeCloud()
        booted = guests.boot(cloud, IDS, NET, ['compute-01'], 'x',
                             floating=False, sleep=lambda s: None)
        lingering = iter([True, True, False])
        real_call = cloud.call

        def call(method, service, path, body=None):
            if method == 'GET' and path == '/v2.1/servers/id-x-0':
                if next(lingering):
                    return {'server': {'status': 'DELETED'}}
                raise exceptions.APIError(method, path, 404, 'gone')
            return real_call(method, service, path, body)

        cloud.call = call
        sleeps = []
        guests.delete(cloud, booted, sleep=sleeps.append)
        self.assertEqual([2, 2], sleeps)
        now = [0.0]

        def sleep(seconds):
            now[0] += seconds

        cloud.call = lambda *args, **kwargs: {'server': {}}
        exc = self.assertRaises(exceptions.WaitTimeout, guests.delete, cloud,
                                booted, timeout=5, sleep=sleep,
                                clock=lambda: now[0])
        self.assertIn('deleting guests id-x-0', str(exc))


class NetworkCloud(FakeCloud):
    """A FakeCloud that also makes and unmakes the DVR network."""

    def create_dvr_network(self, name, cidr, public_network_id):
        self.deleted_network = None
        return dict(NET, name=name), {'id': 'r'}

    def delete_dvr_network(self, net, router):
        self.deleted_network = (net['id'], router['id'])


class TestBehindDvrRouter(testtools.TestCase):
    # Servers turn ACTIVE on the first poll and go at once: no sleep.

    def test_everything_goes_when_the_block_fails(self):
        cloud = NetworkCloud()
        with testtools.ExpectedException(RuntimeError):
            with guests.behind_dvr_router(cloud, IDS, 'net', '198.19.9.0/24',
                                          ['compute-01'], 'x') as booted:
                self.assertEqual(1, len(booted))
                raise RuntimeError('measurement failed')
        self.assertIn('/v2.1/servers/id-x-0', cloud.deleted)
        self.assertEqual(('n', 'r'), cloud.deleted_network)

    def test_the_network_goes_when_the_boot_fails(self):
        cloud = NetworkCloud(fail='id-x-0')
        with testtools.ExpectedException(exceptions.BootFailed):
            with guests.behind_dvr_router(cloud, IDS, 'net', '198.19.9.0/24',
                                          ['compute-01'], 'x'):
                self.fail('the block must not run')
        self.assertEqual(['/v2.1/servers/id-x-0'], cloud.deleted)
        self.assertEqual(('n', 'r'), cloud.deleted_network)


class TestAccess(testtools.TestCase):

    def test_open_default_groups(self):
        cloud = FakeCloud()
        guests.open_default_groups(cloud)
        rules = [b['security_group_rule'] for m, p, b in cloud.calls
                 if p == '/v2.0/security-group-rules']
        self.assertEqual({('sg1', 'icmp'), ('sg1', 'tcp'), ('sg2', 'icmp'),
                          ('sg2', 'tcp')},
                         {(r['security_group_id'], r['protocol'])
                          for r in rules})

    def test_open_default_groups_twice(self):
        guests.open_default_groups(FakeCloud(existing_rules=True))

    def test_keypair_created_once(self):
        cloud = FakeCloud()
        guests.ensure_keypair(cloud, 'k', 'ssh-ed25519 AAA')
        self.assertEqual(('POST', '/v2.1/os-keypairs'), cloud.calls[-1][:2])
        cloud = FakeCloud(keypair_exists=True)
        guests.ensure_keypair(cloud, 'k', 'ssh-ed25519 AAA')
        self.assertEqual(1, len(cloud.calls))
