"""Placement served by uwsgi."""

from __future__ import annotations

import os

from openstack_netperf.sandbox import services

C = services.CONTROLLER


def conf_file(ctx: services.Context) -> str:
    return ctx.conf.etc(C, 'placement', 'placement.conf')


def configs(ctx: services.Context) -> dict[str, str]:
    return services.no_messaging_ini(ctx, 'placement', conf_file(ctx), {
        'placement_database': {'connection': ctx.db_url('placement')},
        'api': {'auth_strategy': 'keystone'},
        'keystone_authtoken': ctx.authtoken('placement'),
    })


def bootstrap_commands(ctx: services.Context) -> list[list[str]]:
    return [[ctx.conf.venv_bin('placement-manage'), '--config-file',
             conf_file(ctx), 'db', 'sync']]


def daemon(ctx: services.Context) -> services.Daemon:
    port = ctx.conf.port('placement')
    return services.Daemon(
        C, 'placement',
        services.uwsgi_argv(ctx, 'placement.wsgi.api:application', port),
        (('OS_PLACEMENT_CONFIG_DIR', os.path.dirname(conf_file(ctx))),),
        port, http=True)
