"""The sandbox's one generated password and what is built on it.

Every service user, the database, the broker and the admin share one
random password, written once (root-only) in the state directory; it goes
with the state on ``down``, so the next ``up`` makes a new one.
"""

from __future__ import annotations

import os
import secrets
import string

from openstack_netperf.sandbox import api
from openstack_netperf.sandbox import services
from openstack_netperf.sandbox import settings as settings_mod
from openstack_netperf.sandbox import system


class Secret:
    """The password (made on first use), its service context, the API."""

    def __init__(self, conf: settings_mod.SandboxSettings):
        self.conf = conf
        self._ctx: services.Context | None = None

    @property
    def path(self) -> str:
        return self.conf.state('secret')

    def exists(self) -> bool:
        return os.path.exists(self.path)

    def context(self) -> services.Context:
        if self._ctx is None:
            if not self.exists():
                alphabet = string.ascii_letters + string.digits
                system.write_file(self.path, ''.join(
                    secrets.choice(alphabet) for _ in range(24)), 0o600)
            with open(self.path) as handle:
                self._ctx = services.Context(self.conf, handle.read().strip())
        return self._ctx

    def forget(self) -> None:
        """Drop the cached password (its file was removed)."""
        self._ctx = None

    def cloud(self) -> api.Cloud:
        """Admin access to the sandbox's APIs."""
        return api.Cloud(self.conf, self.context().password)
