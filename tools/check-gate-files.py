#!/usr/bin/env python3
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
"""Static checks of the gate files: Zuul jobs, playbooks, devstack plugin.

A gate job that fails because a devstack variable or a job parent is
misspelled fails after an hour of devstack; these checks fail in seconds:

* every YAML file of the gate parses;
* job parents, nodesets (with nodes), project templates and pipeline jobs
  are defined here or upstream; no template publishes only governed
  repositories; setup.cfg declares every Python the templates test;
* playbooks named by jobs exist, and neither they nor job vars use an
  upstream role's default outside that role without setting or
  defaulting it;
* devstack variables, services, local.conf phases and config files are
  spelled as devstack expects, DVR settings have valid values, and the
  ``[netperf]`` options written to tempest.conf are ones the Tempest plugin
  registers;
* Tempest plugins are required projects and the test regex selects them;
* the Rally task args of a job are arguments the task takes;
* the shell passes ``bash -n`` and shellcheck.

What "upstream" defines comes from ``tools/gate-upstream.yaml``, extracted
from the upstream repositories by ``tools/refresh-gate-upstream.py``.

Usage: ``tools/check-gate-files.py [--root DIR] [--no-shellcheck]``.
Prints one problem a line and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import pathlib
import re
import shutil
import subprocess
import sys
from typing import Any, Iterable, Iterator

import yaml

# What upstream defines (jobs, nodesets, project templates, devstack
# variables, services and phases, role defaults, ...) is read from
# gate-upstream.yaml, which tools/refresh-gate-upstream.py extracts from
# the upstream repositories' files, citing each (repository, path, commit).
UPSTREAM_FILE = pathlib.Path(__file__).resolve().parent / 'gate-upstream.yaml'


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

# Jinja expressions of job vars and playbooks, and a variable in one used
# with a default.
JINJA = re.compile(r'\{\{(.*?)\}\}', re.S)
IDENTIFIER = re.compile(r'(?<![.\w])([a-z_][a-z0-9_]*)')
STRING = re.compile(r"'[^']*'|\"[^\"]*\"")
# A job's repository is outside openstack/governance (x/ namespace).
GOVERNED_NAMESPACES = ('openstack/',)
PROJECT_NAME = 'x/openstack-netperf'
CLASSIFIER = re.compile(r'Programming Language :: Python :: (3\.\d+)$', re.M)

ZUUL_FILES = ('.zuul.yaml', 'zuul.yaml')
ZUUL_DIRS = ('.zuul.d', 'zuul.d')
YAML_DIRS = ('playbooks', 'roles', 'devstack')
SHELL_FILES = ('devstack/settings', 'devstack/plugin.sh')
SHELL_DIRS = ('devstack/lib', 'playbooks', 'roles')
PLAYBOOK_KEYS = ('pre-run', 'run', 'post-run', 'cleanup-run')
ZUUL_ITEMS = frozenset({'job', 'project', 'project-template', 'nodeset',
                        'secret', 'semaphore', 'pragma', 'queue'})
PLUGIN_REPO = 'openstack-netperf'
TEMPEST_PLUGIN_MODULE = 'tempest_netperf'


class _GateLoader(yaml.SafeLoader):
    """SafeLoader that keeps Zuul and Ansible tags, as Zuul reads YAML.

    Tags such as ``!encrypted/pkcs1-oaep`` and ``!unsafe`` load as plain
    values; like Zuul, duplicate keys are refused (``<<`` merges are fine).
    """

    def construct_mapping(self, node, deep=False):
        seen = set()
        for key_node, _ in node.value:
            key = key_node.value
            if key == '<<' or not isinstance(key, str):
                continue
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, 'duplicate key %r' % key, key_node.start_mark)
            seen.add(key)
        return super().construct_mapping(node, deep)


_GateLoader.add_multi_constructor(
    '!', lambda loader, suffix, node: (
        loader.construct_scalar(node) if isinstance(node, yaml.ScalarNode)
        else None))


def load_yaml(path: pathlib.Path) -> Any:
    with path.open() as f:
        return yaml.load(f, Loader=_GateLoader)  # nosec: safe loader


def _rel(root: pathlib.Path, path: pathlib.Path) -> str:
    return str(path.relative_to(root))


def zuul_files(root: pathlib.Path) -> list[pathlib.Path]:
    files = [root / n for n in ZUUL_FILES if (root / n).is_file()]
    for d in ZUUL_DIRS:
        if (root / d).is_dir():
            files.extend(sorted((root / d).glob('*.yaml')))
    return files


def yaml_files(root: pathlib.Path) -> list[pathlib.Path]:
    files = zuul_files(root)
    for d in YAML_DIRS:
        if (root / d).is_dir():
            files.extend(sorted(p for p in (root / d).rglob('*')
                                if p.suffix in ('.yaml', '.yml')))
    return files


def shell_files(root: pathlib.Path) -> list[pathlib.Path]:
    files = [root / n for n in SHELL_FILES if (root / n).is_file()]
    for d in SHELL_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for p in sorted(base.rglob('*')):
            if p.is_file() and (p.suffix == '.sh' or d == 'devstack/lib'):
                files.append(p)
    return files


def check_yaml_parses(root: pathlib.Path) -> Iterator[str]:
    for path in yaml_files(root):
        try:
            load_yaml(path)
        except yaml.YAMLError as e:
            yield '%s: YAML does not parse: %s' % (
                _rel(root, path), str(e).replace('\n', ' '))


class ZuulConfig:
    """The Zuul items of a repository, by kind."""

    def __init__(self, root: pathlib.Path):
        self.root = root
        self.items: list[tuple[str, str, dict]] = []
        for path in zuul_files(root):
            try:
                data = load_yaml(path) or []
            except yaml.YAMLError:
                continue   # reported by check_yaml_parses
            for item in data if isinstance(data, list) else [data]:
                if isinstance(item, dict) and len(item) == 1:
                    kind, body = next(iter(item.items()))
                    self.items.append((_rel(root, path), kind, body or {}))
                else:
                    self.items.append((_rel(root, path), '', {}))

    def of_kind(self, kind: str) -> list[tuple[str, dict]]:
        return [(where, body) for where, k, body in self.items if k == kind]

    @property
    def jobs(self) -> dict[str, dict]:
        return {b.get('name'): b for _, b in self.of_kind('job')}

    def names(self, kind: str) -> set[str]:
        return {b.get('name') for _, b in self.of_kind(kind)}


def _as_list(value: Any) -> list:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


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


class JobChecker:
    """Checks of one job against devstack's and Zuul's vocabularies."""

    def __init__(self, root: pathlib.Path, where: str, job: dict,
                 zuul: ZuulConfig, netperf_options: set[str] | None,
                 upstream: Upstream):
        self.root = root
        self.where = '%s: job %s' % (where, job.get('name'))
        self.job = job
        self.zuul = zuul
        self.netperf_options = netperf_options
        self.upstream = upstream
        self.variables = upstream.variables | settings_variables(root)
        self.services = upstream.services | settings_services(root)

    def check(self) -> Iterator[str]:
        yield from self._inheritance()
        yield from self._playbooks()
        yield from self._role_defaults()
        for scope, vars_ in self._var_scopes():
            yield from self._devstack_vars(scope, vars_)
        yield from self._tempest()
        yield from self._rally()

    def _inheritance(self) -> Iterator[str]:
        parent = self.job.get('parent')
        if parent and parent not in self.upstream.jobs | self.zuul.names(
                'job'):
            yield '%s: unknown parent job %r' % (self.where, parent)
        nodeset = self.job.get('nodeset')
        if not isinstance(nodeset, str) or nodeset in self.zuul.names(
                'nodeset'):
            return
        known = self.upstream.nodesets.get(nodeset)
        if known is None:
            yield ('%s: unknown nodeset %r: no upstream repository in '
                   'gate-upstream.yaml defines it' % (self.where, nodeset))
        elif not known['nodes']:
            yield ('%s: nodeset %r has no nodes (%s)' % (
                self.where, nodeset, known['source']))

    def _lineage(self) -> list[dict]:
        """This job and its ancestors defined in this repository."""
        jobs, lineage, job = self.zuul.jobs, [], self.job
        while job is not None and job not in lineage:
            lineage.append(job)
            job = jobs.get(job.get('parent'))
        return lineage

    def _job_vars(self) -> set[str]:
        """Names the vars of this job and its local ancestors set."""
        return {name for job in self._lineage()
                for name in (job.get('vars') or {})}

    def _playbook_entries(self) -> Iterator[tuple[dict, str, str]]:
        """(job, key, playbook) of this job and its local ancestors."""
        for job in self._lineage():
            for key in PLAYBOOK_KEYS:
                for entry in _as_list(job.get(key)):
                    yield job, key, (entry.get('name')
                                     if isinstance(entry, dict) else entry)

    def _playbooks(self) -> Iterator[str]:
        job_vars = self._job_vars()
        for job, key, name in self._playbook_entries():
            path = self.root / name
            if not path.is_file():
                if job is self.job:
                    yield '%s: %s playbook %s does not exist' % (
                        self.where, key, name)
                continue
            for var in sorted(playbook_variables(path) - job_vars):
                yield ('%s: %s uses %s, which neither the job nor the '
                       'playbook defines' % (self.where, name, var))

    def _role_defaults(self) -> Iterator[str]:
        """Upstream role defaults the job's vars or playbooks use bare.

        A role's defaults exist only inside that role: a job variable or
        a playbook outside it that uses one must set it or default it.
        """
        defined = self._job_vars()
        texts = [('vars', yaml.safe_dump(job.get('vars') or {}))
                 for job in self._lineage()]
        texts += [(name, (self.root / name).read_text())
                  for _, _, name in self._playbook_entries()
                  if (self.root / name).is_file()]
        for where, text in texts:
            found: set[str] = set()
            if where != 'vars':
                try:
                    _defined_in_playbook(load_yaml(self.root / where), found)
                except yaml.YAMLError:
                    continue   # reported by check_yaml_parses
            for name in sorted(bare_uses(text) & set(self.upstream
                                                     .role_defaults)
                               - defined - found):
                sources = self.upstream.role_defaults[name]
                yield ('%s: %s uses %s, which is only a default of upstream '
                       'roles (%s and %d more): set it in the job or use '
                       '"%s | default(...)"' % (
                           self.where, where, name, sources[0],
                           len(sources) - 1, name))

    def _var_scopes(self) -> Iterator[tuple[str, dict]]:
        yield 'vars', self.job.get('vars') or {}
        for group, vars_ in (self.job.get('group-vars') or {}).items():
            yield 'group-vars %s' % group, vars_ or {}
        for host, vars_ in (self.job.get('host-vars') or {}).items():
            yield 'host-vars %s' % host, vars_ or {}

    def _devstack_vars(self, scope: str, vars_: dict) -> Iterator[str]:
        where = '%s (%s)' % (self.where, scope)
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
        for phase, files in local_conf.items():
            if phase not in self.upstream.local_conf_phases:
                yield '%s: unknown local.conf phase %s' % (where, phase)
                continue
            for name, sections in (files or {}).items():
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

    def _tempest(self) -> Iterator[str]:
        vars_ = self.job.get('vars') or {}
        plugins = _as_list(vars_.get('tempest_plugins'))
        required = {str(p.get('name') if isinstance(p, dict) else p)
                    .rsplit('/', 1)[-1]
                    for p in _as_list(self.job.get('required-projects'))}
        for plugin in plugins:
            if plugin not in required:
                yield ('%s: tempest plugin %s is not a required project, so '
                       'it is not on the nodes' % (self.where, plugin))
        regex = vars_.get('tempest_test_regex')
        if regex is None:
            return
        try:
            compiled = re.compile(regex)
        except re.error as e:
            yield '%s: tempest_test_regex %r: %s' % (self.where, regex, e)
            return
        if PLUGIN_REPO in plugins and not compiled.search(
                TEMPEST_PLUGIN_MODULE + '.tests.'):
            yield ('%s: tempest_test_regex %r selects none of the %s tests'
                   % (self.where, regex, TEMPEST_PLUGIN_MODULE))

    def _rally(self) -> Iterator[str]:
        vars_ = self.job.get('vars') or {}
        task, args = (vars_.get('netperf_rally_task'),
                      vars_.get('netperf_rally_task_args'))
        if not task and not args:
            return
        if str(task).startswith('/') or str(args).startswith('/'):
            return   # files of another tree, on the node
        task_path, args_path = self.root / str(task), self.root / str(args)
        for name, path in (('netperf_rally_task', task_path),
                           ('netperf_rally_task_args', args_path)):
            if not path.is_file():
                yield '%s: %s %s does not exist' % (
                    self.where, name, _rel(self.root, path))
        if task_path.is_file() and args_path.is_file():
            yield from check_task_args(self.root, task_path, args_path)


def _defined_in_playbook(node: Any, found: set[str]) -> None:
    """Collect names a playbook defines: vars, register, set_fact."""
    if isinstance(node, list):
        for item in node:
            _defined_in_playbook(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == 'vars' and isinstance(value, dict):
                found.update(value)
            elif key == 'register':
                found.add(value)
            elif key == 'set_fact' and isinstance(value, dict):
                found.update(value)
            _defined_in_playbook(value, found)


def playbook_variables(path: pathlib.Path) -> set[str]:
    """This project's variables (netperf_*) a playbook uses undefined."""
    defined: set[str] = set()
    try:
        _defined_in_playbook(load_yaml(path), defined)
    except yaml.YAMLError:
        return set()   # reported by check_yaml_parses
    used = set(re.findall(r'\b(netperf_[a-z0-9_]+)', path.read_text()))
    return used - defined


def task_variables(task_path: pathlib.Path) -> set[str]:
    """Variables a Rally task template reads."""
    import jinja2
    from jinja2 import meta
    env = jinja2.Environment(autoescape=False)  # nosec: renders YAML
    return meta.find_undeclared_variables(env.parse(task_path.read_text()))


def check_task_args(root: pathlib.Path, task_path: pathlib.Path,
                    args_path: pathlib.Path) -> Iterator[str]:
    args = load_yaml(args_path) or {}
    if not isinstance(args, dict):
        yield '%s: task args must be a mapping' % _rel(root, args_path)
        return
    taken = task_variables(task_path)
    for name in sorted(set(args) - taken):
        yield '%s: %s is not an argument of %s (it takes: %s)' % (
            _rel(root, args_path), name, _rel(root, task_path),
            ', '.join(sorted(taken)))


def bare_uses(text: str) -> set[str]:
    """Names a text's Jinja expressions use without ``| default(...)``."""
    names = set()
    for expression in JINJA.findall(text):
        expression = STRING.sub("''", expression)
        for m in IDENTIFIER.finditer(expression):
            if expression[:m.start()].rstrip().endswith('|'):
                continue   # a filter's name
            if not re.match(r'\s*\|\s*default\b', expression[m.end():]):
                names.add(m.group(1))
    return names


def check_python_versions(root: pathlib.Path, where: str, template: str,
                          upstream: Upstream) -> Iterator[str]:
    """setup.cfg classifiers name every Python a template tests on master.

    The voting and periodic jobs count: those are the versions the
    project is held to.
    """
    versions = upstream.templates.get(template, {}).get('python_on_master')
    setup_cfg = root / 'setup.cfg'
    if not versions or not setup_cfg.is_file():
        return
    declared = set(CLASSIFIER.findall(setup_cfg.read_text()))
    for version in versions['voting'] + versions['periodic']:
        if version not in declared:
            yield ('%s: template %s tests Python %s (%s), which setup.cfg '
                   'has no classifier for' % (
                       where, template, version,
                       upstream.templates[template]['source']))


def check_zuul(root: pathlib.Path,
               upstream: Upstream | None = None) -> Iterator[str]:
    upstream = upstream or Upstream.load()
    zuul = ZuulConfig(root)
    options = tempest_plugin_options(root)
    seen: set[str] = set()
    for where, kind, body in zuul.items:
        if kind not in ZUUL_ITEMS:
            yield '%s: not a Zuul configuration item: %r' % (where, kind)
            continue
        if kind != 'job':
            continue
        name = body.get('name')
        if name in seen:
            yield '%s: job %s defined twice' % (where, name)
        seen.add(name)
        yield from JobChecker(root, where, body, zuul, options,
                              upstream).check()
    jobs = upstream.jobs | zuul.names('job')
    for where, project in zuul.of_kind('project'):
        for template in _as_list(project.get('templates')):
            known = upstream.templates.get(template)
            if known is None and template not in zuul.names(
                    'project-template'):
                yield '%s: unknown project template %s' % (where, template)
            elif (known and known['governance_only']
                  and not PROJECT_NAME.startswith(GOVERNED_NAMESPACES)):
                yield ('%s: template %s publishes only repositories in '
                       'openstack/governance (%s); %s is not one' % (
                           where, template, known['source'], PROJECT_NAME))
            yield from check_python_versions(root, where, template,
                                             upstream)
        for pipeline, body in project.items():
            if not isinstance(body, dict) or 'jobs' not in body:
                continue
            for entry in _as_list(body['jobs']):
                name = next(iter(entry)) if isinstance(entry, dict) else entry
                if name not in jobs:
                    yield '%s: %s pipeline runs unknown job %s' % (
                        where, pipeline, name)


def check_plugin_sh(root: pathlib.Path,
                    upstream: Upstream | None = None) -> Iterator[str]:
    """Phases and tempest.conf options the devstack plugin uses."""
    upstream = upstream or Upstream.load()
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
                       'the Tempest plugin' % (_rel(root, path), option))


def check_shell(root: pathlib.Path, shellcheck: bool = True
                ) -> Iterator[str]:
    files = shell_files(root)
    for path in files:
        proc = subprocess.run(['bash', '-n', str(path)], capture_output=True,
                              text=True)
        if proc.returncode:
            yield '%s: bash -n: %s' % (_rel(root, path),
                                       proc.stderr.strip())
    if not shellcheck or not files:
        return
    proc = subprocess.run(
        ['shellcheck', '--shell=bash', '--external-sources',
         '--format=gcc'] + [_rel(root, p) for p in files],
        cwd=root, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        yield 'shellcheck: %s' % line


def run_checks(root: pathlib.Path, shellcheck: bool = True) -> list[str]:
    """Every problem found under ``root``."""
    upstream = Upstream.load()
    problems = list(check_yaml_parses(root))
    problems.extend(check_zuul(root, upstream))
    problems.extend(check_plugin_sh(root, upstream))
    problems.extend(check_shell(root, shellcheck))
    return problems


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', type=pathlib.Path,
                        default=pathlib.Path(__file__).resolve().parent.parent,
                        help='repository to check (default: this one)')
    parser.add_argument('--no-shellcheck', action='store_true',
                        help='skip shellcheck (bash -n still runs)')
    args = parser.parse_args(argv)
    shellcheck = not args.no_shellcheck
    if shellcheck and shutil.which('shellcheck') is None:
        print('shellcheck not found: install it (apt-get install '
              'shellcheck) or pass --no-shellcheck', file=sys.stderr)
        return 2
    problems = run_checks(args.root.resolve(), shellcheck)
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == '__main__':
    sys.exit(main())
