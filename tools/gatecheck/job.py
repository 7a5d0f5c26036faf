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
"""Checks of one Zuul job: what it inherits, runs and passes on.

Its parent and nodeset exist, its playbooks exist and have the variables
they use, its devstack vars are devstack's (``devstack.VarsChecker``),
its Tempest plugins reach the nodes and its Rally arguments are the
task's.
"""

from __future__ import annotations

import pathlib
import re
from typing import Iterator

import yaml

from gatecheck import devstack
from gatecheck import facts
from gatecheck import files
from gatecheck import playbooks
from gatecheck import rally

PLAYBOOK_KEYS = ('pre-run', 'run', 'post-run', 'cleanup-run')
TEMPEST_PLUGIN_MODULE = 'tempest_netperf'


class JobChecker:
    """Checks of one job against devstack's and Zuul's vocabularies."""

    def __init__(self, root: pathlib.Path, where: str, job: dict,
                 zuul: files.ZuulConfig, netperf_options: set[str] | None,
                 upstream: facts.Upstream):
        self.root = root
        self.where = '%s: job %s' % (where, job.get('name'))
        self.job = job
        self.zuul = zuul
        self.upstream = upstream
        self.devstack = devstack.VarsChecker(root, netperf_options, upstream)

    def check(self) -> Iterator[str]:
        yield from self._inheritance()
        yield from self._playbooks()
        yield from self._role_defaults()
        for scope, vars_ in self._var_scopes():
            yield from self.devstack.check(
                '%s (%s)' % (self.where, scope), vars_)
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
                for entry in files.as_list(job.get(key)):
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
            for var in sorted(playbooks.playbook_variables(path) - job_vars):
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
                    playbooks.defined_in_playbook(
                        files.load_yaml(self.root / where), found)
                except yaml.YAMLError:
                    continue   # reported by check_yaml_parses
            for name in sorted(playbooks.bare_uses(text)
                               & set(self.upstream.role_defaults)
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

    def _tempest(self) -> Iterator[str]:
        vars_ = self.job.get('vars') or {}
        plugins = files.as_list(vars_.get('tempest_plugins'))
        required = {str(p.get('name') if isinstance(p, dict) else p)
                    .rsplit('/', 1)[-1]
                    for p in files.as_list(self.job.get('required-projects'))}
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
        if devstack.PLUGIN_REPO in plugins and not compiled.search(
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
                    self.where, name, files.rel(self.root, path))
        if task_path.is_file() and args_path.is_file():
            yield from rally.check_task_args(self.root, task_path, args_path)
