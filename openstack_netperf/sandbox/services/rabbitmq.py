"""RabbitMQ: AMQP on the management address, Erlang plumbing on loopback.

The broker runs as the ``rabbitmq`` user (``setpriv`` keeps the
environment that ``su`` would drop); ``epmd`` is started as a daemon of
its own so that ``down`` can stop it by PID.
"""

from __future__ import annotations

from openstack_netperf.sandbox import services

USER = 'rabbitmq'


def base(ctx: services.Context, *parts: str) -> str:
    return ctx.conf.state('rabbitmq', *parts)


def config(ctx: services.Context) -> str:
    return '\n'.join([
        'loopback_users = none',
        'default_user = netperf',
        'default_pass = %s' % ctx.password,
        'log.console = false',
        'log.file.level = warning',
    ]) + '\n'


def environment(ctx: services.Context) -> tuple[tuple[str, str], ...]:
    conf = ctx.conf
    return (
        ('HOME', base(ctx)),
        ('RABBITMQ_NODENAME', 'netperf@localhost'),
        ('RABBITMQ_NODE_IP_ADDRESS', conf.controller_ip),
        ('RABBITMQ_NODE_PORT', str(conf.port('rabbitmq'))),
        ('RABBITMQ_DIST_PORT', '25673'),
        ('RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS',
         '-kernel inet_dist_use_interface {127,0,0,1}'),
        ('ERL_EPMD_ADDRESS', '127.0.0.1'),
        ('ERL_EPMD_PORT', '4369'),
        ('RABBITMQ_MNESIA_BASE', base(ctx, 'mnesia')),
        ('RABBITMQ_LOG_BASE', base(ctx, 'log')),
        ('RABBITMQ_CONFIG_FILE', base(ctx, 'rabbitmq.conf')),
        ('RABBITMQ_ENABLED_PLUGINS_FILE', base(ctx, 'enabled_plugins')),
        ('RABBITMQ_PID_FILE', base(ctx, 'rabbitmq.pid')),
        ('PATH', '/usr/lib/rabbitmq/bin:/usr/sbin:/usr/bin:/sbin:/bin'),
    )


def _as_user(argv: tuple[str, ...]) -> tuple[str, ...]:
    return ('setpriv', '--reuid', USER, '--regid', USER, '--init-groups',
            '--') + argv


def epmd(ctx: services.Context) -> services.Daemon:
    """Erlang's port mapper, which the broker needs first."""
    return services.Daemon(services.CONTROLLER, 'epmd',
                           _as_user(('epmd', '-address', '127.0.0.1')),
                           environment(ctx))


def broker(ctx: services.Context) -> services.Daemon:
    return services.Daemon(
        services.CONTROLLER, 'rabbitmq',
        _as_user(('/usr/lib/rabbitmq/bin/rabbitmq-server',)),
        environment(ctx), port=ctx.conf.port('rabbitmq'))


def daemons(ctx: services.Context) -> list[services.Daemon]:
    """epmd, then the broker: the order they start in."""
    return [epmd(ctx), broker(ctx)]
