import io
import json
import urllib.error

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import api
from openstack_netperf.sandbox import settings


class Response(io.BytesIO):
    def __init__(self, body, status=200, headers=None):
        super().__init__(json.dumps(body).encode() if body is not None
                         else b'')
        self.status = status
        self.headers = headers or {}


class FakeKeystone:
    """Answers the identity calls from a dict of existing objects."""

    def __init__(self, existing):
        self.existing = existing
        self.created = []

    def __call__(self, request, timeout):
        url, method = request.full_url, request.get_method()
        path = url.split(':5000', 1)[-1].split(':9696', 1)[-1]
        if path == '/v3/auth/tokens':
            return Response({}, 201, {'X-Subject-Token': 'tok'})
        assert request.headers['X-auth-token'] == 'tok'
        body = json.loads(request.data) if request.data else None
        if method == 'GET':
            collection = path.split('?')[0].rsplit('/', 1)[-1]
            return Response({collection: self.existing.get(collection, [])})
        if method == 'PUT':
            self.created.append(('grant', path))
            return Response(None, 204)
        kind = next(iter(body))
        obj = dict(body[kind], id='%s-%d' % (kind, len(self.created)))
        self.created.append((kind, body[kind].get('name')
                             or body[kind].get('interface')))
        return Response({kind: obj}, 201)


class TestCloud(testtools.TestCase):

    def cloud(self, fake):
        return api.Cloud(settings.SandboxSettings(), 'pw', urlopen=fake)

    def test_setup_identity_from_scratch(self):
        fake = FakeKeystone({})
        self.cloud(fake).setup_identity()
        kinds = [k for k, _ in fake.created]
        self.assertEqual(4, kinds.count('user'))
        self.assertEqual(8, kinds.count('grant'))
        self.assertEqual(4, kinds.count('service'))
        self.assertEqual(12, kinds.count('endpoint'))

    def test_setup_identity_creates_only_what_is_missing(self):
        fake = FakeKeystone({
            'projects': [{'id': 'p', 'name': 'service'}],
            'roles': [{'id': 'r1', 'name': 'admin'},
                      {'id': 'r2', 'name': 'service'}],
            'users': [{'id': 'u', 'name': n}
                      for n in api.SERVICE_USERS],
            'services': [{'id': 's', 'name': n}
                         for n, _t, _p, _s in api.CATALOG],
            'endpoints': [{'interface': i}
                          for i in ('public', 'internal', 'admin')],
        })
        self.cloud(fake).setup_identity()
        self.assertEqual({'grant'}, {k for k, _ in fake.created})

    def test_errors_carry_status_and_body(self):
        def refuse(request, timeout):
            raise urllib.error.HTTPError(request.full_url, 401, 'no', {},
                                         io.BytesIO(b'bad password'))
        error = self.assertRaises(
            exceptions.APIError, self.cloud(refuse).token)
        self.assertEqual(401, error.status)
        self.assertIn('bad password', str(error))

    def test_external_network_gets_the_floating_pool(self):
        fake = FakeKeystone({})
        self.cloud(fake).ensure_external_network()
        self.assertEqual([('network', 'public'), ('subnet', 'public-subnet')],
                         fake.created)

    def test_dvr_network_is_routed_to_the_external_network(self):
        fake = FakeKeystone({})
        net, router = self.cloud(fake).create_dvr_network(
            'bench', '198.19.11.0/24', 'ext-id')
        self.assertEqual('bench', net['name'])
        self.assertTrue(router['distributed'])
        self.assertEqual('ext-id',
                         router['external_gateway_info']['network_id'])
        self.assertEqual(
            [('network', 'bench'), ('subnet', None),
             ('router', 'bench-router'),
             ('grant', '/v2.0/routers/%s/add_router_interface'
              % router['id'])], fake.created)


class Recorder:
    """A cloud whose ``call`` records requests and knows one network."""

    def __init__(self):
        self.calls = []

    def call(self, method, service, path, body=None):
        self.calls.append((method, path, body))
        if method == 'GET':
            return {'network': {'subnets': ['s1']}}
        return None


class TestDeleteDvrNetwork(testtools.TestCase):

    def test_interface_router_network_in_order(self):
        recorder = Recorder()
        api.Cloud.delete_dvr_network(recorder, {'id': 'n'}, {'id': 'r'})
        self.assertEqual(
            [('GET', '/v2.0/networks/n', None),
             ('PUT', '/v2.0/routers/r/remove_router_interface',
              {'subnet_id': 's1'}),
             ('DELETE', '/v2.0/routers/r', None),
             ('DELETE', '/v2.0/networks/n', None)], recorder.calls)
