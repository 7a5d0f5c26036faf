"""Whether a sandbox daemon is ready, and the pre-checks of ``up``.

Waiting with a liveness check (so a daemon that died is reported with its
log instead of a timeout), HTTP and TCP probes, and the pure checks
``up`` makes on what it finds: which daemons read a changed file, which
root-namespace addresses clash with the sandbox's networks.  (Not to be
confused with ``openstack_netperf.hosts.probe``, which sends the bursts
that prove a tenant path.)
"""

from __future__ import annotations

import http.client
import ipaddress
import os
import socket
from typing import Callable
import urllib.error
import urllib.request

from openstack_netperf import exceptions
from openstack_netperf import polling
from openstack_netperf.sandbox import nodes as nodes_mod
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod


def wait_for(what: str, ready: Callable[[], bool], timeout: float,
             alive: Callable[[], None] = lambda: None,
             interval: float = 1.0, log: str | None = None) -> None:
    """Poll ``ready`` until it holds; ``alive`` raises if a daemon died.

    :raises ServiceError: naming ``log`` once ``timeout`` has passed.
    """
    def check() -> bool:
        alive()
        return ready()

    try:
        polling.poll(check, timeout, what, interval=interval)
    except exceptions.WaitTimeout as exc:
        raise exceptions.ServiceError('%s not ready after %.0f s'
                                      % (what, timeout), log) from exc


def http_answers(address: str, port: int) -> bool:
    """Any HTTP status (even 401) means the application is loaded."""
    try:
        with urllib.request.urlopen('http://%s:%d/' % (address, port),
                                    timeout=5):
            return True
    except urllib.error.HTTPError:
        return True
    except (OSError, http.client.HTTPException):
        return False


def port_open(address: str, port: int) -> bool:
    try:
        with socket.create_connection((address, port), timeout=1):
            return True
    except OSError:
        return False


def reads_any(daemon: services.Daemon, paths: list[str]) -> bool:
    """Whether a daemon reads one of these files.

    A daemon names its files in its arguments or environment, either
    directly or through their directory (``OS_*_CONFIG_DIR``).
    """
    words = list(daemon.argv) + [value for _k, value in daemon.env]
    for path in paths:
        if path in words or os.path.dirname(path) in words:
            return True
        if any(path in word.split(';') for word in words):
            return True
    return False


def address_clashes(conf: settings_mod.SandboxSettings,
                    ip_addr_output: str) -> list[str]:
    """Root-namespace devices, not the sandbox's, on its networks.

    ``ip_addr_output`` is the output of ``ip -o -4 addr show``.
    """
    planes = [ipaddress.ip_network(c) for c in (
        conf.mgmt_cidr, conf.tunnel_cidr, conf.external_cidr)]
    ours = {conf.bridge(p) for p in nodes_mod.PLANES}
    clashes = []
    for line in ip_addr_output.splitlines():
        fields = line.split()
        if len(fields) < 4 or fields[2] != 'inet':
            continue
        device, address = fields[1], fields[3]
        if device in ours:
            continue
        network = ipaddress.ip_interface(address).network
        if any(network.overlaps(plane) for plane in planes):
            clashes.append('%s on %s' % (address, device))
    return clashes
