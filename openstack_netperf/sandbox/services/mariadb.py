"""MariaDB for every service's database, on the management address."""

from __future__ import annotations

from openstack_netperf.sandbox import services

DATABASES = ('keystone', 'glance', 'placement', 'nova_api', 'nova',
             'nova_cell0', 'neutron')


def datadir(ctx: services.Context) -> str:
    return ctx.conf.state('mysql', 'data')


def socket(ctx: services.Context) -> str:
    return ctx.conf.state('mysql', 'mysqld.sock')


def init_argv(ctx: services.Context) -> list[str]:
    return ['mariadb-install-db', '--no-defaults', '--user=mysql',
            '--datadir=%s' % datadir(ctx), '--skip-test-db',
            '--auth-root-authentication-method=socket']


def daemon(ctx: services.Context) -> services.Daemon:
    conf = ctx.conf
    return services.Daemon(
        services.CONTROLLER, 'mariadb',
        ('mariadbd', '--no-defaults', '--user=mysql',
         '--datadir=%s' % datadir(ctx), '--socket=%s' % socket(ctx),
         '--bind-address=%s' % conf.controller_ip,
         '--port=%d' % conf.port('mysql'),
         '--pid-file=%s' % conf.state('mysql', 'mysqld.pid'),
         '--log-error=%s' % conf.log(services.CONTROLLER, 'mariadb'),
         '--skip-name-resolve', '--max-connections=1000',
         '--innodb-buffer-pool-size=256M',
         '--innodb-flush-log-at-trx-commit=2',
         '--character-set-server=utf8mb3'),
        port=conf.port('mysql'))


def setup_sql(ctx: services.Context) -> str:
    """Databases and the one sandbox user (any host on the mgmt plane)."""
    statements = ['CREATE DATABASE IF NOT EXISTS %s' % name
                  for name in DATABASES]
    statements.append("CREATE USER IF NOT EXISTS '%s'@'%%' IDENTIFIED BY "
                      "'%s'" % (ctx.db_user, ctx.password))
    statements.append("GRANT ALL PRIVILEGES ON *.* TO '%s'@'%%'"
                      % ctx.db_user)
    return ';\n'.join(statements) + ';\n'


def client_argv(ctx: services.Context) -> list[str]:
    return ['mariadb', '--no-defaults', '--socket=%s' % socket(ctx),
            '-u', 'root']
