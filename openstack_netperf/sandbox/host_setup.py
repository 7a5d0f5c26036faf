"""What the host needs before any node or service: secret, keys, dirs.

The client key reaches every node's sshd (and guests); each node has a
host key of its own.  The sudo shim goes first on the services' PATH.
"""

from __future__ import annotations

import os

from openstack_netperf.sandbox import packages
from openstack_netperf.sandbox import secret as secret_mod
from openstack_netperf.sandbox.services import sshd
from openstack_netperf.sandbox import system


def _keygen(path: str, comment: str) -> None:
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        system.run(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C',
                    comment, '-f', path])


def prepare(secret: secret_mod.Secret) -> None:
    """Secret, SSH keys, the sudo shim, directories owned right."""
    conf = secret.conf
    secret.context()
    packages.install_tools(conf)
    _keygen(sshd.key_path(conf), 'netperf-sandbox')
    for node in conf.nodes:
        _keygen(sshd.host_key(conf, node), node.name)
    for node in conf.nodes:
        os.makedirs(conf.state('nodes', node.name, 'nova', 'instances'),
                    exist_ok=True)
        os.makedirs(conf.state('nodes', node.name, 'ovs'), exist_ok=True)


def prepared(secret: secret_mod.Secret) -> bool:
    conf = secret.conf
    paths = [secret.path, sshd.key_path(conf),
             os.path.join(packages.tools_dir(conf), 'sudo')]
    paths += [sshd.host_key(conf, n) for n in conf.nodes]
    return all(os.path.exists(p) for p in paths)
