"""The steps of ``up``, in order, each with the check that it is done.

Packages and the service venv, the host, the bridges and nodes, the
configuration, the controller services, each node's switch and agents,
then the cloud objects.  Step names and logs are what ``up`` prints and
what a failure report names; tools and tests read them.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from openstack_netperf import exceptions
from openstack_netperf.sandbox import cloudsetup
from openstack_netperf.sandbox import envfiles
from openstack_netperf.sandbox import host_setup
from openstack_netperf.sandbox import nodebase
from openstack_netperf.sandbox import packages
from openstack_netperf.sandbox import readiness
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import steps
from openstack_netperf.sandbox import system

if TYPE_CHECKING:
    from openstack_netperf.sandbox import sandbox

C = services.CONTROLLER


def preflight(conf: settings_mod.SandboxSettings) -> None:
    """Refuse to start where the sandbox cannot work or would clash."""
    if os.geteuid() != 0:
        raise exceptions.StepFailed('preflight', 'netperf-sandbox up must '
                                    'run as root (namespaces, OVS, apt)')
    clash = readiness.address_clashes(conf, system.output(
        ['ip', '-o', '-4', 'addr', 'show']))
    if clash:
        raise exceptions.StepFailed(
            'preflight', 'the root namespace already uses the '
            'sandbox networks on devices it did not create: %s; remove '
            'those addresses or the sandbox cannot route its planes'
            % ', '.join(clash))


def write_configs(box: sandbox.Sandbox) -> None:
    """Write the configuration; stop running daemons it changed.

    The steps after this one start them again with the new files.
    """
    changed = [path for path, text in box.inventory.configs().items()
               if system.write_file(path, text, 0o644)]
    # They hold the sandbox's password; only root reads them.
    os.chmod(box.conf.state('etc'), 0o700)
    stale = [d for d in box.inventory.all_daemons()
             if box.daemons.alive(d) and readiness.reads_any(d, changed)]
    box.daemons.stop_all(stale)


def up_steps(box: sandbox.Sandbox) -> list[steps.Step]:
    conf = box.conf
    ctrl, cloud, base = box.controller, box.cloud_setup, box.node_base
    ctx_log = conf.log(C, 'setup')
    result = [
        steps.Step('Debian packages',
                   lambda: packages.install_packages(conf.log(C, 'apt')),
                   lambda: not packages.missing_packages(),
                   conf.log(C, 'apt')),
        steps.Step('service virtualenv (%s)' % conf.venv_dir,
                   lambda: packages.install_venv(conf, conf.log(C, 'pip')),
                   lambda: packages.venv_ready(conf), conf.log(C, 'pip')),
        steps.Step('secret, SSH keys, sudo shim',
                   lambda: host_setup.prepare(box.secret),
                   lambda: host_setup.prepared(box.secret), ctx_log),
        steps.Step('root-namespace bridges', box.nodes.create_bridges,
                   box.nodes.bridges_ready, ctx_log),
    ]
    for node in conf.nodes:
        result.append(steps.Step(
            'node %s: namespaces and links' % node.name,
            lambda n=node: box.nodes.create(n),
            lambda n=node: box.nodes.ready(n), conf.log(node.name, 'node')))
    result += [
        steps.Step('configuration files', lambda: write_configs(box),
                   box.inventory.configs_current, ctx_log),
        steps.Step('MariaDB', ctrl.start_mariadb, ctrl.mariadb_done,
                   conf.log(C, 'mariadb')),
        steps.Step('RabbitMQ', ctrl.start_rabbitmq, ctrl.rabbitmq_done,
                   conf.log(C, 'rabbitmq')),
        steps.Step('database schemas', ctrl.bootstrap, ctrl.bootstrap_done,
                   conf.log(C, 'nova-manage')),
        steps.Step('Keystone', ctrl.start_keystone, ctrl.keystone_done,
                   conf.log(C, 'keystone')),
        steps.Step('service users and catalogue', ctrl.setup_identity,
                   ctrl.identity_done, conf.log(C, 'keystone')),
        steps.Step('controller services', ctrl.start_openstack,
                   ctrl.openstack_done),
        steps.Step('nodes: Open vSwitch and SSH servers',
                   lambda: nodebase.for_each_node(conf, base.start),
                   lambda: all(base.done(n) for n in conf.nodes)),
        steps.Step('nodes: agents, libvirtd, nova-compute',
                   lambda: box.daemons.start_and_wait(
                       box.inventory.all_agent_daemons(), 30),
                   lambda: box.daemons.all_alive(
                       box.inventory.all_agent_daemons())),
        steps.Step('agents and computes alive', cloud.wait_agents,
                   cloud.agents_alive),
        steps.Step('compute hosts mapped to cell1', cloud.discover_hosts,
                   cloud.hosts_discovered, conf.log(C, 'nova-manage')),
        steps.Step('external network "public"',
                   cloud.ensure_external_network, cloud.external_done,
                   conf.log(C, 'neutron-api')),
        steps.Step('flavor %s' % cloudsetup.FLAVOR[0], cloud.ensure_flavor,
                   cloud.flavor_done, conf.log(C, 'nova-api')),
        steps.Step('guest image %s' % envfiles.IMAGE_NAME,
                   cloud.upload_image, cloud.image_done,
                   conf.log(C, 'image')),
    ]
    return result
