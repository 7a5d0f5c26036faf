"""The local three-node sandbox, assembled: ``up``, ``down``, ``status``.

Each part has a module of its own: the secret (``secret``), what runs
where (``inventory``), starting and stopping daemons (``supervision``),
the controller (``controller``), each node's switch and SSH server
(``nodebase``), the cloud objects (``cloudsetup``), the step lists of
``up`` (``plan``) and ``down`` (``teardown``), ``status`` and ``logs``
(``status``).  This class wires them to one configuration and output.
"""

from __future__ import annotations

import os
import sys
from typing import TextIO

from openstack_netperf import exceptions
from openstack_netperf.sandbox import api
from openstack_netperf.sandbox import cloudsetup
from openstack_netperf.sandbox import controller
from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import inventory
from openstack_netperf.sandbox import nodebase
from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import plan
from openstack_netperf.sandbox import procs
from openstack_netperf.sandbox import secret as secret_mod
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import status as status_mod
from openstack_netperf.sandbox import steps
from openstack_netperf.sandbox import supervision
from openstack_netperf.sandbox import system
from openstack_netperf.sandbox import teardown


class Sandbox:
    """The local three-node cloud."""

    def __init__(self, conf: settings_mod.SandboxSettings | None = None,
                 out: TextIO | None = None):
        self.conf = conf or settings_mod.SandboxSettings()
        self.out = out or sys.stdout
        self.supervisor = procs.Supervisor(self.conf.state('run'))
        self.nodes = nodes_mod.Nodes(self.conf, self.supervisor)
        self.secret = secret_mod.Secret(self.conf)
        self.inventory = inventory.Inventory(self.secret, self.nodes)
        self.daemons = supervision.Daemons(
            self.conf, self.supervisor,
            lambda name: self.nodes.prefix(self.conf.node(name)))
        parts = (self.secret, self.inventory, self.daemons)
        self.controller = controller.Controller(*parts)
        self.node_base = nodebase.NodeBase(*parts)
        self.cloud_setup = cloudsetup.CloudSetup(*parts)

    def context(self) -> services.Context:
        return self.secret.context()

    def cloud(self) -> api.Cloud:
        return self.secret.cloud()

    def up(self) -> None:
        plan.preflight(self.conf)
        steps.StepRunner(self.out).run(plan.up_steps(self))

    def down(self, keep_logs: bool = False) -> None:
        if os.geteuid() != 0:
            raise exceptions.StepFailed('preflight', 'netperf-sandbox down '
                                        'must run as root')
        steps.StepRunner(self.out).run(teardown.down_steps(self, keep_logs))

    def status(self) -> bool:
        """Print what runs; True when every daemon and agent is alive."""
        return status_mod.report(self)

    def cloud_ids(self) -> envfiles.CloudIds:
        """Flavor, guest image and external network ids, when present."""
        return self.cloud_setup.ids()

    def write_env(self) -> dict[str, str]:
        """Write openrc, the Rally spec and tempest.conf; return them."""
        if not self.secret.exists():
            raise exceptions.ServiceError('no sandbox here: run '
                                          'netperf-sandbox up first')
        written = envfiles.files(self.context(), self.cloud_ids())
        for path, text in written.items():
            system.write_file(path, text, 0o600)
        return written

    def log_path(self, node: str, service: str) -> str:
        """The log of a service on a node, with a helpful error."""
        return status_mod.log_path(self.conf, node, service)
