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
"""Devstack's vocabulary: the variables, services, local.conf phases and
config files a job's vars name, and the modes and phases plugin.sh uses.

Devstack ignores a misspelled variable or service and fails, if at all,
an hour later; these checks name the misspelling.
"""

from __future__ import annotations

import pathlib
import re
import sys
from typing import Iterator

from gatecheck import facts
from gatecheck import files

# Values devstack accepts for the variables the jobs depend on.  Q_AGENT:
# the agents devstack has a lib/neutron_plugins/<agent>_agent for
# (openstack/devstack) plus macvtap (openstack/neutron devstack/lib/
# macvtap_agent); tenant network types: neutron's ML2 type drivers
# (openstack/neutron neutron/plugins/ml2/drivers/type_*.py); Q_DVR_MODE is
# written as the L3 agent's agent_mode (openstack/devstack lib/neutron),
# whose choices gate-upstream.yaml has.
DEVSTACK_VALUES = {
    'Q_AGENT': {'openvswitch', 'ovn', 'macvtap'},
    'Q_ML2_TENANT_NETWORK_TYPE': {'vxlan', 'gre', 'geneve', 'vlan', 'flat',
                                  'local'},
    # this project's plugin (devstack/lib/netperf)
    'NETPERF_NODE_ACCESS': {'auto', 'ssh', 'local', 'none'},
}
AGENT_MODE_VARIABLE = 'Q_DVR_MODE'
AGENT_MODE_OPTION = ('DEFAULT', 'agent_mode')

# Boolean options the DVR wiring sets, by (section, option): neutron's
# router_distributed and the OVS agent's enable_distributed_routing and
# l2_population are BoolOpts (openstack/neutron neutron/conf/).
CONFIG_VALUES = {
    ('DEFAULT', 'router_distributed'): {True, False},
    ('agent', 'enable_distributed_routing'): {True, False},
    ('agent', 'l2_population'): {True, False},
}

# The devstack plugin's repository: devstack clones it into $DEST/<name>.
PLUGIN_REPO = 'openstack-netperf'


def settings_variables(root: pathlib.Path) -> set[str]:
    """Variables and services devstack/settings defines."""
    path = root / 'devstack' / 'settings'
    if not path.is_file():
        return set()
    text = path.read_text()
    return set(re.findall(r'^([A-Z][A-Z0-9_]*)=', text, re.M))


def settings_services(root: pathlib.Path) -> set[str]:
    path = root / 'devstack' / 'settings'
    if not path.is_file():
        return set()
    found = re.findall(r'^\s*enable_service\s+(.+)$', path.read_text(), re.M)
    return {s for line in found for s in line.split()}


def tempest_plugin_options(root: pathlib.Path) -> set[str] | None:
    """Names of the [netperf] options, or None if they cannot be read."""
    sys.path.insert(0, str(root))
    try:
        from tempest_netperf import config
    except ImportError:
        return None
    finally:
        sys.path.remove(str(root))
    return {opt.dest for opt in config.NetperfGroup}


def _config_file_variable(name: str) -> str | None:
    """The devstack variable a local.conf file key names, if any."""
    m = re.fullmatch(r'/?\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?', name)
    return m.group(1) if m else None


class VarsChecker:
    """Checks of a job's devstack_* vars against devstack's vocabulary.

    The vocabulary is upstream's plus what this repository's
    devstack/settings defines.
    """

    def __init__(self, root: pathlib.Path, netperf_options: set[str] | None,
                 upstream: facts.Upstream):
        self.netperf_options = netperf_options
        self.upstream = upstream
        self.variables = upstream.variables | settings_variables(root)
        self.services = upstream.services | settings_services(root)

    def check(self, where: str, vars_: dict) -> Iterator[str]:
        """Problems of one scope of vars (vars, group-vars, host-vars)."""
        for name, value in (vars_.get('devstack_localrc') or {}).items():
            if name not in self.variables:
                yield ('%s: unknown devstack variable %s: not one devstack '
                       'reads nor one devstack/settings defines' % (
                           where, name))
            allowed = (self.upstream.agent_modes
                       if name == AGENT_MODE_VARIABLE
                       else DEVSTACK_VALUES.get(name))
            if allowed and str(value) not in allowed:
                yield '%s: %s=%s; devstack accepts %s' % (
                    where, name, value, ', '.join(sorted(allowed)))
        for name, value in (vars_.get('devstack_services') or {}).items():
            if name not in self.services:
                yield '%s: unknown devstack service %s' % (where, name)
            if not isinstance(value, bool):
                yield '%s: service %s must be true or false, not %r' % (
                    where, name, value)
        for name, url in (vars_.get('devstack_plugins') or {}).items():
            if not re.match(r'https?://', str(url or '')):
                yield '%s: plugin %s needs a git URL, not %r' % (
                    where, name, url)
            elif (str(url).rstrip('/').removesuffix('.git')
                  .endswith('/' + PLUGIN_REPO) and name != PLUGIN_REPO):
                yield ('%s: plugin name %s: devstack clones the plugin '
                       'into $DEST/<name> and devstack/settings expects '
                       '%s' % (where, name, PLUGIN_REPO))
        yield from self._local_conf(where, vars_.get('devstack_local_conf')
                                    or {})

    def _local_conf(self, where: str, local_conf: dict) -> Iterator[str]:
        for phase, conf_files in local_conf.items():
            if phase not in self.upstream.local_conf_phases:
                yield '%s: unknown local.conf phase %s' % (where, phase)
                continue
            for name, sections in (conf_files or {}).items():
                variable = _config_file_variable(name)
                if variable and variable not in self.upstream.variables:
                    yield '%s: unknown devstack config file %s' % (
                        where, name)
                elif not variable and not name.startswith('/'):
                    yield ('%s: config file %s is neither a devstack '
                           'variable nor an absolute path' % (where, name))
                for section, options in (sections or {}).items():
                    yield from self._options(where, variable, section,
                                             options or {})

    def _options(self, where: str, variable: str | None, section: str,
                 options: dict) -> Iterator[str]:
        for option, value in options.items():
            allowed = (self.upstream.agent_modes
                       if (section, option) == AGENT_MODE_OPTION
                       else CONFIG_VALUES.get((section, option)))
            if allowed is not None and value not in allowed:
                yield '%s: [%s] %s = %r; expected one of %s' % (
                    where, section, option, value,
                    ', '.join(sorted(map(str, allowed))))
            if (variable == 'TEMPEST_CONFIG' and section == 'netperf'
                    and self.netperf_options is not None
                    and option not in self.netperf_options):
                yield ('%s: tempest.conf [netperf] %s is not an option of '
                       'the Tempest plugin' % (where, option))


def check_plugin_sh(root: pathlib.Path,
                    upstream: facts.Upstream | None = None
                    ) -> Iterator[str]:
    """Phases and tempest.conf options the devstack plugin uses."""
    upstream = upstream or facts.Upstream.load()
    plugin = root / 'devstack' / 'plugin.sh'
    if not plugin.is_file():
        if (root / 'devstack').is_dir():
            yield 'devstack/plugin.sh: missing'
        return
    if not (root / 'devstack' / 'settings').is_file():
        yield 'devstack/settings: missing'
    text = plugin.read_text()
    for mode in re.findall(r'\$1\s*==\s*"?([\w-]+)', text):
        if mode not in upstream.plugin_modes:
            yield 'devstack/plugin.sh: devstack has no mode %s' % mode
    for phase in re.findall(r'\$2\s*==\s*"?([\w-]+)', text):
        if phase not in upstream.plugin_phases:
            yield 'devstack/plugin.sh: devstack has no stack phase %s' % phase
    options = tempest_plugin_options(root)
    if options is None:
        return
    for path in [plugin] + sorted((root / 'devstack' / 'lib').glob('*')):
        for option in re.findall(
                r'iniset\s+"?\$\{?TEMPEST_CONFIG\}?"?\s+netperf\s+(\w+)',
                path.read_text()):
            if option not in options:
                yield ('%s: tempest.conf [netperf] %s is not an option of '
                       'the Tempest plugin' % (files.rel(root, path), option))
