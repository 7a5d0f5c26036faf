"""A booted guest as every part of the project sees it.

Rally, Tempest and the sandbox boot servers through different clients;
once booted, a guest is the same facts for all of them: which server it
is, the compute host it runs on, its Neutron port (fixed IP, network,
subnet), its floating IP if it has one, and how commands reach it.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from openstack_netperf import remote


@dataclasses.dataclass
class Guest:
    """A booted server: where it runs and how to reach it."""

    name: str
    server_id: str
    host: str
    port: dict[str, Any]
    floating_ip: str | None = None
    floating_ip_id: str | None = None
    runner: remote.Runner | None = None

    @property
    def port_id(self) -> str:
        return self.port['id']

    @property
    def fixed_ip(self) -> str:
        return self.port['fixed_ips'][0]['ip_address']

    @property
    def address(self) -> str:
        """Where this machine reaches it: the floating IP, else the fixed."""
        return self.floating_ip or self.fixed_ip
