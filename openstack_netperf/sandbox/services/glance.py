"""Glance with a file store, served by uwsgi."""

from __future__ import annotations

import os

from openstack_netperf.sandbox import services

C = services.CONTROLLER


def conf_dir(ctx: services.Context) -> str:
    return os.path.dirname(ctx.conf.etc(C, 'glance', 'glance-api.conf'))


def configs(ctx: services.Context) -> dict[str, str]:
    state = ctx.conf.state
    return {os.path.join(conf_dir(ctx), 'glance-api.conf'):
            services.render_ini({
                'DEFAULT': dict(services.common_default(ctx, C, 'glance'),
                                enabled_backends='file:file'),
                'database': {'connection': ctx.db_url('glance')},
                'keystone_authtoken': ctx.authtoken('glance'),
                'paste_deploy': {
                    'flavor': 'keystone',
                    'config_file': os.path.join(
                        ctx.conf.venv_dir, 'etc', 'glance',
                        'glance-api-paste.ini')},
                'glance_store': {'default_backend': 'file'},
                'file': {'filesystem_store_datadir': state('glance',
                                                           'images')},
                'os_glance_staging_store': {
                    'filesystem_store_datadir': state('glance', 'staging')},
                'os_glance_tasks_store': {
                    'filesystem_store_datadir': state('glance', 'tasks')},
                'oslo_concurrency': {'lock_path': state('glance', 'lock')},
                'oslo_messaging_notifications': {'driver': 'noop'},
            })}


def bootstrap_commands(ctx: services.Context) -> list[list[str]]:
    return [[ctx.conf.venv_bin('glance-manage'), '--config-file',
             os.path.join(conf_dir(ctx), 'glance-api.conf'), 'db_sync']]


def daemon(ctx: services.Context) -> services.Daemon:
    port = ctx.conf.port('glance')
    return services.Daemon(
        C, 'glance',
        services.uwsgi_argv(ctx, 'glance.wsgi.api:application', port),
        (('OS_GLANCE_CONFIG_DIR', conf_dir(ctx)),), port, http=True)
