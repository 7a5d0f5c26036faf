"""Bring up the controller: MariaDB, RabbitMQ, schemas, Keystone, the rest.

One-time commands (database creation, each service's schema chain, the
identity set-up) leave a marker file when they succeed, so a re-run of
``up`` skips them and a failed chain resumes at the command that failed.
"""

from __future__ import annotations

import concurrent.futures
import os

from openstack_netperf.sandbox import inventory as inventory_mod
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox.services import glance
from openstack_netperf.sandbox.services import keystone
from openstack_netperf.sandbox.services import mariadb
from openstack_netperf.sandbox.services import neutron
from openstack_netperf.sandbox.services import nova
from openstack_netperf.sandbox.services import placement
from openstack_netperf.sandbox.services import rabbitmq
from openstack_netperf.sandbox import system

C = services.CONTROLLER


class Controller(inventory_mod.Part):
    """The steps that start the controller's services, and their checks."""

    # One-time commands -------------------------------------------------
    def marker(self, name: str) -> str:
        return self.conf.state('markers', name)

    def run_once(self, name: str, argv: list[str], log: str,
                 **kwargs) -> None:
        if os.path.exists(self.marker(name)):
            return
        system.run(argv, log=log, **kwargs)
        system.write_file(self.marker(name), '')

    def bootstrap_chains(self) -> dict[str, list[list[str]]]:
        ctx = self.secret.context()
        return {
            'keystone': keystone.bootstrap_commands(ctx),
            'glance': glance.bootstrap_commands(ctx),
            'placement': placement.bootstrap_commands(ctx),
            'nova': nova.bootstrap_commands(ctx),
            'neutron': [neutron.db_sync_command(ctx)],
        }

    def bootstrap_done(self) -> bool:
        return all(os.path.exists(self.marker('%s-%d' % (name, index)))
                   for name, chain in self.bootstrap_chains().items()
                   for index in range(len(chain)))

    def bootstrap(self) -> None:
        """Schemas of every service, one thread per service."""
        def chain(name: str, commands: list[list[str]]) -> None:
            log = self.conf.log(C, '%s-manage' % name)
            for index, argv in enumerate(commands):
                self.run_once('%s-%d' % (name, index), argv, log)

        with concurrent.futures.ThreadPoolExecutor(5) as pool:
            futures = [pool.submit(chain, name, commands) for name, commands
                       in self.bootstrap_chains().items()]
            for future in futures:
                future.result()

    # MariaDB and RabbitMQ --------------------------------------------
    def start_mariadb(self) -> None:
        ctx = self.secret.context()
        data = mariadb.datadir(ctx)
        if not os.path.isdir(os.path.join(data, 'mysql')):
            os.makedirs(data, exist_ok=True)
            system.run(['chown', '-R', 'mysql:mysql',
                        os.path.dirname(data)])
            system.run(mariadb.init_argv(ctx),
                       log=self.conf.log(C, 'mariadb-init'))
        self.daemons.start_and_wait([mariadb.daemon(ctx)], timeout=60)
        self.run_once('mariadb-databases', mariadb.client_argv(ctx),
                      self.conf.log(C, 'mariadb-init'),
                      input_text=mariadb.setup_sql(ctx))

    def mariadb_done(self) -> bool:
        return (self.daemons.alive(mariadb.daemon(self.secret.context()))
                and os.path.exists(self.marker('mariadb-databases')))

    def start_rabbitmq(self) -> None:
        ctx = self.secret.context()
        os.makedirs(rabbitmq.base(ctx, 'mnesia'), exist_ok=True)
        os.makedirs(rabbitmq.base(ctx, 'log'), exist_ok=True)
        system.run(['chown', '-R', 'rabbitmq:rabbitmq', rabbitmq.base(ctx)])
        self.daemons.start_and_wait([rabbitmq.epmd(ctx)], timeout=10)
        self.daemons.start_and_wait([rabbitmq.broker(ctx)], timeout=120)

    def rabbitmq_done(self) -> bool:
        return self.daemons.all_alive(rabbitmq.daemons(self.secret.context()))

    # Keystone, then the services it knows ------------------------------
    def start_keystone(self) -> None:
        self.daemons.start_and_wait([keystone.daemon(self.secret.context())],
                                    60)

    def keystone_done(self) -> bool:
        return self.daemons.alive(keystone.daemon(self.secret.context()))

    def setup_identity(self) -> None:
        self.secret.cloud().setup_identity()
        system.write_file(self.marker('identity'), '')

    def identity_done(self) -> bool:
        return os.path.exists(self.marker('identity'))

    def start_openstack(self) -> None:
        self.daemons.start_and_wait(self.inventory.openstack_daemons(),
                                    timeout=180)

    def openstack_done(self) -> bool:
        return self.daemons.all_alive(self.inventory.openstack_daemons())
