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
"""Checks of the gate files, run by ``tools/check-gate-files.py``.

A repository check, not a product feature: it lives under tools/ and is
not installed.  One module per kind of file or fact:

* ``facts``: what upstream defines, from ``tools/gate-upstream.yaml``;
* ``files``: finding and reading the gate's YAML as Zuul does;
* ``zuul``: the Zuul configuration (items, projects, templates);
* ``job``: one Zuul job (parents, nodesets, playbooks, Tempest, Rally);
* ``devstack``: devstack variables, services, local.conf and plugin.sh;
* ``playbooks``: variables playbooks and job vars define and use;
* ``rally``: the Rally task arguments a job passes;
* ``shell``: ``bash -n`` and shellcheck of the shell.
"""
