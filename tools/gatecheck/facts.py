# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""What upstream defines, as recorded in tools/gate-upstream.yaml.

Jobs, nodesets, project templates, devstack variables, services and
phases, role defaults, ...: tools/refresh-gate-upstream.py extracts them
from the upstream repositories' files, citing each (repository, path,
commit), so no check trusts a list typed from memory.
"""

from __future__ import annotations

import pathlib

import yaml

UPSTREAM_FILE = (pathlib.Path(__file__).resolve().parent.parent
                 / 'gate-upstream.yaml')


class Upstream:
    """The facts of gate-upstream.yaml, as sets and mappings."""

    def __init__(self, data: dict):
        self.sources = data['sources']
        self.jobs = frozenset(data['jobs'])
        self.nodesets: dict[str, dict] = data['nodesets']
        self.templates: dict[str, dict] = data['project_templates']
        self.variables = frozenset(data['devstack_variables'])
        self.services = frozenset(data['devstack_services'])
        self.local_conf_phases = frozenset(data['local_conf_phases'])
        self.plugin_modes = frozenset(data['plugin_modes'])
        self.plugin_phases = frozenset(data['plugin_phases'])
        self.role_defaults: dict[str, list[str]] = data[
            'role_default_only_variables']
        self.agent_modes = frozenset(
            data.get('l3_agent_modes', {}).get('values', ()))

    @classmethod
    def load(cls, path: pathlib.Path = UPSTREAM_FILE) -> 'Upstream':
        with path.open() as f:
            return cls(yaml.safe_load(f))
