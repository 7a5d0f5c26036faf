"""Start the sandbox's daemons where they belong and wait until they serve.

A daemon of a node is started inside the node (its argv prefixed by the
command that enters it); one with a port is ready once the port answers,
one without must at least survive its first second.  Logs are named by
node and service, so a failure always points at the file that explains it.
"""

from __future__ import annotations

import concurrent.futures
from typing import Callable

from openstack_netperf.sandbox import packages
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod

# Seconds a daemon gets between SIGTERM and SIGKILL on down: nova-compute
# and the agents ignore SIGTERM for long, and the state is deleted anyway.
STOP_GRACE = 5.0
# Seconds a started daemon must stay alive to count as started.
SETTLE = 1.0


class Daemons:
    """Starts, checks and stops daemons through one PID-file supervisor.

    :param enter: the argv prefix that runs a command inside a node, by
        node name (``[]`` where the caller already is inside it).
    """

    def __init__(self, conf: settings_mod.SandboxSettings,
                 supervisor: procs.Supervisor,
                 enter: Callable[[str], list[str]]):
        self.conf = conf
        self.supervisor = supervisor
        self.enter = enter

    def log(self, daemon: services.Daemon) -> str:
        return self.conf.log(daemon.node, daemon.service)

    def address(self, daemon: services.Daemon) -> str:
        if daemon.node == services.CONTROLLER:
            return self.conf.controller_ip
        return self.conf.node(daemon.node).mgmt_ip

    def alive(self, daemon: services.Daemon) -> bool:
        return self.supervisor.pid(daemon.name) is not None

    def all_alive(self, daemons: list[services.Daemon]) -> bool:
        return all(self.alive(d) for d in daemons)

    def check_alive(self, daemon: services.Daemon) -> None:
        """Raise ServiceError, naming the daemon's log, unless it runs."""
        self.supervisor.check_alive(daemon.name, self.log(daemon))

    def start(self, daemon: services.Daemon) -> None:
        env = {'PATH': packages.service_path(self.conf), 'HOME': '/root',
               'LANG': 'C.UTF-8'}
        env.update(dict(daemon.env))
        argv = list(daemon.argv)
        if daemon.node != services.CONTROLLER:
            argv = self.enter(daemon.node) + argv
        self.supervisor.start(daemon.name, argv, self.log(daemon), env)

    def start_and_wait(self, daemons: list[services.Daemon],
                       timeout: float = 120.0) -> None:
        """Start daemons not yet running; wait for their ports."""
        for daemon in daemons:
            if not self.alive(daemon):
                self.start(daemon)
        for daemon in daemons:
            if daemon.port is None:
                # No port: it must at least survive its first second.
                continue
            probe = (readiness.http_answers if daemon.http
                     else readiness.port_open)
            readiness.wait_for(
                '%s on %s:%d' % (daemon.name, self.address(daemon),
                                 daemon.port),
                lambda d=daemon, p=probe: p(self.address(d), d.port),
                timeout, lambda d=daemon: self.check_alive(d),
                interval=0.5, log=self.log(daemon))
        self.supervisor.sleep(SETTLE)
        for daemon in daemons:
            self.check_alive(daemon)

    def stop_all(self, daemons: list[services.Daemon],
                 grace: float = STOP_GRACE) -> None:
        """Stop daemons in parallel, each with ``grace`` before SIGKILL."""
        with concurrent.futures.ThreadPoolExecutor(8) as pool:
            list(pool.map(lambda d: self.supervisor.stop(d.name, grace),
                          daemons))
