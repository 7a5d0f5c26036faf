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
"""Extract the upstream facts the gate checker relies on.

``tools/check-gate-files.py`` must not trust a list typed from memory (it
once accepted the nodeset ``openstack-three-node-noble``, which no
repository defines).  This tool reads the upstream repositories' own files
at a commit and writes ``tools/gate-upstream.yaml``, each fact with the
repository and path it comes from and each repository with its commit.

Refresh it with git clones (bare or not) of the upstream repositories::

    tools/refresh-gate-upstream.py \\
        --repo openstack/devstack=../devstack \\
        --repo openstack/tempest=../tempest \\
        --repo openstack/neutron=../neutron \\
        --repo openstack/neutron-tempest-plugin=../neutron-tempest-plugin \\
        --repo openstack/rally-openstack=../rally-openstack \\
        --repo openstack/openstack-zuul-jobs=../openstack-zuul-jobs \\
        --repo openstack/project-config=../project-config

Every clone is read at its ``HEAD`` (``--rev`` to choose another).  Then
run the checker and the gate unit tests.
"""

from __future__ import annotations

import argparse
import datetime
import pathlib
import re
import subprocess
import sys
from typing import Any, Iterable, Iterator

import yaml

OUTPUT = pathlib.Path(__file__).resolve().parent / 'gate-upstream.yaml'

# Where each kind of fact lives in a repository (git path globs).
ZUUL_PATHS = ('.zuul.yaml', 'zuul.yaml', '.zuul.d/*.yaml', 'zuul.d/*.yaml')
ROLE_DEFAULTS = ('roles/*/defaults/main.yaml', 'roles/*/defaults/main.yml')
DEVSTACK_SHELL = ('stackrc', 'stack.sh', 'unstack.sh', 'clean.sh',
                  'functions', 'functions-common', 'lib/*', 'lib/*/*',
                  'inc/*')
PLUGIN_SHELL = ('devstack/plugin.sh', 'devstack/settings', 'devstack/lib/*')
NEUTRON_L3_CONFIG = 'neutron/conf/agent/l3/config.py'
TEMPEST_TOX = 'tox.ini'
GOVERNANCE_NOTE = 'openstack/governance'
PY_JOB = re.compile(r'^openstack-tox-py3(\d+)$')

SHELL_ASSIGN = re.compile(r'^\s*(?:export\s+)?([A-Z][A-Z0-9_]*)\+?=', re.M)
SHELL_DEFAULT_READ = re.compile(r'\$\{([A-Z][A-Z0-9_]*):?[-=]')
TRUEORFALSE = re.compile(
    r'^\s*([A-Z][A-Z0-9_]*)=\$\(trueorfalse\s+(\w+)\s+\1\)', re.M)
SERVICE_CALL = re.compile(
    r'\b(?:is_service_enabled|enable_service|disable_service)'
    r'((?:[ \t]+[a-z][a-z0-9_-]*)+)')
ENABLED_SERVICES = re.compile(r'ENABLED_SERVICES\+?=["\']?,?([a-z0-9_,-]+)')
RUN_PHASE = re.compile(r'^run_phase\s+([\w-]+)(?:\s+([\w-]+))?', re.M)
MERGE_GROUP = re.compile(r'^merge_config_group\s+\S+\s+([\w-]+)', re.M)
L3_MODE = re.compile(r'constants\.L3_AGENT_MODE_([A-Z_]+)')
OS_TEST_TIMEOUT = re.compile(r'OS_TEST_TIMEOUT=\{env:OS_TEST_TIMEOUT:(\d+)\}')


class Repo:
    """One upstream repository, read through git at one revision."""

    def __init__(self, name: str, path: str, rev: str):
        self.name, self.path, self.rev = name, path, rev
        self.commit = self._git('rev-parse', rev + '^{commit}').strip()
        self.date = self._git('show', '-s', '--format=%cI',
                              self.commit).strip()
        self.files = self._git('ls-tree', '-r', '--name-only',
                               self.commit).splitlines()

    def _git(self, *args: str) -> str:
        return subprocess.run(['git', '-C', self.path, *args], check=True,
                              capture_output=True, text=True).stdout

    def glob(self, patterns: Iterable[str]) -> list[str]:
        return sorted({f for f in self.files for p in patterns
                       if pathlib.PurePosixPath(f).match(p)
                       and f.count('/') == p.count('/')})

    def read(self, path: str) -> str:
        return self._git('show', '%s:%s' % (self.commit, path))

    def source(self, path: str) -> str:
        return '%s:%s' % (self.name, path)


def _zuul_items(repo: Repo) -> Iterator[tuple[str, str, dict]]:
    for path in repo.glob(ZUUL_PATHS):
        try:
            data = yaml.load(repo.read(path), Loader=_ZuulLoader)
        except yaml.YAMLError as e:
            print('%s: skipped, does not parse: %s' % (repo.source(path), e),
                  file=sys.stderr)
            continue
        for item in data or []:
            if isinstance(item, dict) and len(item) == 1:
                kind, body = next(iter(item.items()))
                if isinstance(body, dict):
                    yield path, kind, body


class _ZuulLoader(yaml.SafeLoader):
    """SafeLoader that reads Zuul's ``!encrypted`` and Ansible's tags."""


_ZuulLoader.add_multi_constructor('!', lambda loader, suffix, node: None)


def _job_vars(body: dict) -> Iterator[dict]:
    yield body.get('vars') or {}
    for key in ('group-vars', 'host-vars'):
        for vars_ in (body.get(key) or {}).values():
            yield vars_ or {}


def _python_versions(body: dict) -> dict[str, list[str]]:
    """Python versions of a template's py jobs on master, by kind."""
    found: dict[str, set[str]] = {'voting': set(), 'non_voting': set(),
                                  'periodic': set()}
    for pipeline in ('check', 'gate', 'periodic'):
        for entry in (body.get(pipeline) or {}).get('jobs') or []:
            name, opts = ((next(iter(entry.items())) if isinstance(entry,
                                                                   dict)
                           else (entry, {})))
            m = PY_JOB.match(name)
            branches = (opts or {}).get('branches')
            if not m or (branches and 'master' not in branches):
                continue
            version = '3.' + m.group(1)
            if pipeline == 'periodic':
                found['periodic'].add(version)
            elif (opts or {}).get('voting', True) is False:
                found['non_voting'].add(version)
            else:
                found['voting'].add(version)
    found['non_voting'] -= found['voting']
    return {k: sorted(v, key=lambda s: int(s.split('.')[1]))
            for k, v in found.items()}


def zuul_facts(repos: list[Repo], facts: dict) -> None:
    localrc_keys: dict[str, str] = {}
    service_keys: dict[str, str] = {}
    job_var_names: set[str] = set()
    for repo in repos:
        for path, kind, body in _zuul_items(repo):
            name, source = body.get('name'), repo.source(path)
            if kind == 'job' and name:
                entry = facts['jobs'].setdefault(name, {'sources': []})
                if source not in entry['sources']:
                    entry['sources'].append(source)
                for vars_ in _job_vars(body):
                    job_var_names.update(vars_)
                    for key in vars_.get('devstack_localrc') or {}:
                        localrc_keys.setdefault(key, source)
                    for key in vars_.get('devstack_services') or {}:
                        service_keys.setdefault(key, source)
            elif kind == 'nodeset' and name:
                facts['nodesets'][name] = {
                    'source': source,
                    'nodes': [n.get('label') for n in body.get('nodes')
                              or []]}
            elif kind == 'project-template' and name:
                entry = {'source': source,
                         'governance_only': GOVERNANCE_NOTE in str(
                             body.get('description') or '')}
                versions = _python_versions(body)
                if any(versions.values()):
                    entry['python_on_master'] = versions
                facts['project_templates'][name] = entry
    facts['_job_var_names'] = job_var_names
    facts['_localrc_keys'] = localrc_keys
    facts['_service_keys'] = service_keys


def role_facts(repos: list[Repo], facts: dict) -> None:
    """Variables that only upstream roles' defaults set.

    A playbook outside the role must set them or use ``| default()``.
    """
    defaults: dict[str, list[str]] = {}
    for repo in repos:
        for path in repo.glob(ROLE_DEFAULTS):
            data = yaml.safe_load(repo.read(path)) or {}
            for name in data if isinstance(data, dict) else ():
                defaults.setdefault(name, []).append(repo.source(path))
    facts['role_default_only_variables'] = {
        name: sorted(sources) for name, sources in sorted(defaults.items())
        if name not in facts['_job_var_names']}


def devstack_facts(repos: list[Repo], facts: dict) -> None:
    variables: dict[str, str] = {}
    services: dict[str, str] = {}
    for repo in repos:
        patterns = (DEVSTACK_SHELL if repo.name == 'openstack/devstack'
                    else PLUGIN_SHELL)
        for path in repo.glob(patterns):
            text, source = repo.read(path), repo.source(path)
            for name in (SHELL_ASSIGN.findall(text)
                         + SHELL_DEFAULT_READ.findall(text)):
                variables.setdefault(name, source)
            for name, default in TRUEORFALSE.findall(text):
                facts['devstack_boolean_defaults'].setdefault(
                    name, {'default': default == 'True', 'source': source})
            for args in SERVICE_CALL.findall(text):
                for name in args.split():
                    services.setdefault(name, source)
            for names in ENABLED_SERVICES.findall(text):
                for name in names.split(','):
                    if name:
                        services.setdefault(name, source)
            if repo.name == 'openstack/devstack' and path == 'stack.sh':
                for mode, phase in RUN_PHASE.findall(text):
                    facts['plugin_modes'].add(mode)
                    if phase:
                        facts['plugin_phases'].add(phase)
                facts['local_conf_phases'].update(MERGE_GROUP.findall(text))
            if repo.name == 'openstack/devstack' and path in ('clean.sh',
                                                              'unstack.sh'):
                facts['plugin_modes'].update(
                    m for m, _ in RUN_PHASE.findall(text))
    for name, source in facts.pop('_localrc_keys').items():
        variables.setdefault(name, source)
    for name, source in facts.pop('_service_keys').items():
        services.setdefault(name, source)
    facts['devstack_variables'] = dict(sorted(variables.items()))
    facts['devstack_services'] = dict(sorted(services.items()))


def neutron_facts(repo: Repo, facts: dict) -> None:
    if NEUTRON_L3_CONFIG in repo.files:
        # neutron-lib names each mode's constant after its value
        # (L3_AGENT_MODE_DVR_SNAT = 'dvr_snat').
        modes = L3_MODE.findall(repo.read(NEUTRON_L3_CONFIG))
        facts['l3_agent_modes'] = {
            'values': sorted({m.lower() for m in modes}),
            'source': repo.source(NEUTRON_L3_CONFIG)}


def tempest_facts(repo: Repo, facts: dict) -> None:
    m = OS_TEST_TIMEOUT.search(repo.read(TEMPEST_TOX))
    if m:
        facts['tempest_default_test_timeout'] = {
            'seconds': int(m.group(1)), 'source': repo.source(TEMPEST_TOX)}


def collect(repos: list[Repo]) -> dict[str, Any]:
    facts: dict[str, Any] = {
        'sources': {r.name: {'commit': r.commit, 'date': r.date}
                    for r in repos},
        'jobs': {}, 'nodesets': {}, 'project_templates': {},
        'devstack_boolean_defaults': {}, 'plugin_modes': set(),
        'plugin_phases': set(), 'local_conf_phases': set()}
    zuul_facts(repos, facts)
    role_facts(repos, facts)
    devstack = [r for r in repos if r.name == 'openstack/devstack'
                or any(f.startswith('devstack/') for f in r.files)]
    devstack_facts(devstack, facts)
    facts.pop('_job_var_names')
    for repo in repos:
        if repo.name == 'openstack/neutron':
            neutron_facts(repo, facts)
        if repo.name == 'openstack/tempest':
            tempest_facts(repo, facts)
    for key in ('plugin_modes', 'plugin_phases', 'local_conf_phases'):
        facts[key] = sorted(facts[key])
    for key in ('jobs', 'nodesets', 'project_templates',
                'devstack_boolean_defaults'):
        facts[key] = dict(sorted(facts[key].items()))
    return facts


HEADER = '''\
# Upstream facts for tools/check-gate-files.py, extracted from the
# upstream repositories' own files by tools/refresh-gate-upstream.py on
# {today}: every entry names the repository and path it comes from, and
# "sources" the commit each repository was read at.  Do not edit by hand:
# refresh it (see that tool's docstring).
'''


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--repo', action='append', required=True,
                        metavar='OWNER/NAME=PATH',
                        help='an upstream repository and its git clone')
    parser.add_argument('--rev', default='HEAD',
                        help='revision to read in every clone (HEAD)')
    parser.add_argument('--output', type=pathlib.Path, default=OUTPUT)
    args = parser.parse_args(argv)
    repos = []
    for spec in args.repo:
        name, sep, path = spec.partition('=')
        if not sep or name.count('/') != 1:
            parser.error('--repo takes OWNER/NAME=PATH, not %r' % spec)
        try:
            repos.append(Repo(name, path, args.rev))
        except subprocess.CalledProcessError as e:
            parser.error('%s: not a git clone with %s: %s'
                         % (path, args.rev, e.stderr.strip()))
    facts = collect(repos)
    args.output.write_text(
        HEADER.format(today=datetime.date.today().isoformat())
        + yaml.safe_dump(facts, sort_keys=False, width=78))
    print('wrote %s' % args.output)
    return 0


if __name__ == '__main__':
    sys.exit(main())
