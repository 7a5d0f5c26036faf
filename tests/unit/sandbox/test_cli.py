import io
from unittest import mock

import testtools

from openstack_netperf import exceptions
from openstack_netperf.sandbox import cli


class TestCli(testtools.TestCase):

    def run_cli(self, argv, **box_methods):
        box = mock.Mock(**box_methods)
        err = io.StringIO()
        with mock.patch.object(cli.sandbox_mod, 'Sandbox',
                               return_value=box), \
                mock.patch('sys.stderr', err):
            code = cli.main(argv)
        return code, box, err.getvalue()

    def test_status_exit_code_follows_health(self):
        code, _box, _err = self.run_cli(['status'],
                                        **{'status.return_value': True})
        self.assertEqual(0, code)
        code, _box, _err = self.run_cli(['status'],
                                        **{'status.return_value': False})
        self.assertEqual(1, code)

    def test_failed_up_prints_the_report(self):
        failure = exceptions.StepFailed('MariaDB', 'mariadbd exited', '/l.log',
                                        'last words')
        code, _box, err = self.run_cli(['up'],
                                       **{'up.side_effect': failure})
        self.assertEqual(1, code)
        self.assertIn('FAILED: MariaDB', err)
        self.assertIn('log: /l.log', err)
        self.assertIn('last words', err)

    def test_down_keeps_logs_on_request(self):
        _code, box, _err = self.run_cli(['down', '--keep-logs'])
        box.down.assert_called_once_with(keep_logs=True)

    def test_unknown_log_is_a_clear_error(self):
        error = exceptions.ServiceError('no node %r' % 'nowhere')
        code, _box, err = self.run_cli(
            ['logs', 'nowhere', 'x'], **{'log_path.side_effect': error})
        self.assertEqual(1, code)
        self.assertIn("no node 'nowhere'", err)
