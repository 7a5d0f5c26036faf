"""Keystone (fernet tokens) served by uwsgi."""

from __future__ import annotations

from openstack_netperf.sandbox import services

C = services.CONTROLLER


def conf_file(ctx: services.Context) -> str:
    return ctx.conf.etc(C, 'keystone', 'keystone.conf')


def configs(ctx: services.Context) -> dict[str, str]:
    return services.no_messaging_ini(ctx, 'keystone', conf_file(ctx), {
        'database': {'connection': ctx.db_url('keystone')},
        'token': {'provider': 'fernet'},
        'fernet_tokens': {
            'key_repository': ctx.conf.state('keystone', 'fernet-keys')},
        'credential': {
            'key_repository': ctx.conf.state('keystone', 'credential-keys')},
        'oslo_messaging_notifications': {'driver': 'noop'},
    })


def manage(ctx: services.Context, *args: str) -> list[str]:
    return [ctx.conf.venv_bin('keystone-manage'), '--config-file',
            conf_file(ctx)] + list(args)


def bootstrap_commands(ctx: services.Context) -> list[list[str]]:
    url = ctx.conf.keystone_url
    return [
        manage(ctx, 'db_sync'),
        manage(ctx, 'fernet_setup', '--keystone-user', 'root',
               '--keystone-group', 'root'),
        manage(ctx, 'credential_setup', '--keystone-user', 'root',
               '--keystone-group', 'root'),
        manage(ctx, 'bootstrap', '--bootstrap-password', ctx.password,
               '--bootstrap-admin-url', url,
               '--bootstrap-internal-url', url,
               '--bootstrap-public-url', url,
               '--bootstrap-region-id', ctx.conf.region),
    ]


def daemon(ctx: services.Context) -> services.Daemon:
    port = ctx.conf.port('keystone')
    return services.Daemon(
        C, 'keystone',
        services.uwsgi_argv(ctx, 'keystone.wsgi.api:application', port, 2),
        (('OS_KEYSTONE_CONFIG_FILES', conf_file(ctx)),), port, http=True)
