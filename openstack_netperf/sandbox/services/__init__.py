"""What runs in the sandbox: config files and daemon command lines.

Each module renders the configuration of one service from the settings
and returns its daemons; nothing here starts a process, so the rendering
is unit-tested without root.
"""

from __future__ import annotations

import dataclasses
from typing import Mapping

from openstack_netperf.sandbox import settings as settings_mod

CONTROLLER = 'controller'

Ini = Mapping[str, Mapping[str, object]]


@dataclasses.dataclass(frozen=True)
class Context:
    """Settings plus the secrets generated for this sandbox."""

    conf: settings_mod.SandboxSettings
    password: str

    @property
    def db_user(self) -> str:
        return 'netperf'

    def db_url(self, database: str) -> str:
        return 'mysql+pymysql://%s:%s@%s/%s?charset=utf8' % (
            self.db_user, self.password, self.conf.controller_ip, database)

    @property
    def transport_url(self) -> str:
        return 'rabbit://netperf:%s@%s:%d/' % (
            self.password, self.conf.controller_ip,
            self.conf.port('rabbitmq'))

    def auth_section(self, username: str) -> dict[str, object]:
        """keystoneauth password options for a service user."""
        return {
            'auth_type': 'password',
            'auth_url': self.conf.keystone_url,
            'username': username,
            'password': self.password,
            'project_name': 'service',
            'user_domain_name': 'Default',
            'project_domain_name': 'Default',
            'region_name': self.conf.region,
        }

    def authtoken(self, username: str) -> dict[str, object]:
        section = self.auth_section(username)
        section.update({'www_authenticate_uri': self.conf.keystone_url,
                        'service_token_roles_required': True})
        return section


@dataclasses.dataclass(frozen=True)
class Daemon:
    """A long-running process of the sandbox.

    :param node: ``controller`` (root namespace) or a node name.
    :param service: short name; the log is ``<log_dir>/<node>/<service>``.
    :param port: TCP port on the node's management address that answers
        once the daemon is ready (None: no port to wait for).
    :param http: the port serves HTTP; ready once any HTTP answer comes
        (uwsgi listens before the application is loaded).
    """

    node: str
    service: str
    argv: tuple[str, ...]
    env: tuple[tuple[str, str], ...] = ()
    port: int | None = None
    http: bool = False

    @property
    def name(self) -> str:
        return '%s-%s' % (self.node, self.service)


def render_ini(sections: Ini) -> str:
    """INI text in a stable order; booleans as ``true``/``false``."""
    lines: list[str] = []
    for section, options in sections.items():
        if lines:
            lines.append('')
        lines.append('[%s]' % section)
        for key, value in options.items():
            if isinstance(value, bool):
                value = 'true' if value else 'false'
            elif isinstance(value, (list, tuple)):
                value = ','.join(str(v) for v in value)
            lines.append('%s = %s' % (key, value))
    return '\n'.join(lines) + '\n'


def common_default(ctx: Context, node: str, service: str,
                   messaging: bool = True) -> dict[str, object]:
    """[DEFAULT] options every OpenStack service of the sandbox shares.

    ``messaging``: the service talks over RabbitMQ (Keystone and Placement
    do not).
    """
    default: dict[str, object] = {
        'debug': False,
        'log_file': ctx.conf.log(node, service),
        'use_stderr': False,
    }
    if messaging:
        default['transport_url'] = ctx.transport_url
    return default


def no_messaging_ini(ctx: Context, service: str, path: str,
                     sections: dict[str, dict[str, object]]
                     ) -> dict[str, str]:
    """The config file of a controller API that uses no RabbitMQ."""
    return {path: render_ini(dict(
        DEFAULT=common_default(ctx, CONTROLLER, service, messaging=False),
        **sections))}


def uwsgi_argv(ctx: Context, module: str, port: int,
               processes: int = 1) -> tuple[str, ...]:
    """uwsgi serving a WSGI module on the management address only."""
    conf = ctx.conf
    return (conf.venv_bin('uwsgi'),
            '--http-socket', '%s:%d' % (conf.controller_ip, port),
            '--virtualenv', conf.venv_dir,
            '--module', module,
            '--master', '--die-on-term', '--need-app',
            '--processes', str(processes), '--threads', '4',
            '--enable-threads', '--lazy-apps',
            '--buffer-size', '65535',
            # Without it clients see reset connections (keep-alive).
            '--add-header', 'Connection: close',
            '--disable-logging')
