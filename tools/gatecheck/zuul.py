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
"""Checks of the Zuul configuration as a whole.

Every item is a Zuul item and each job is defined once (and checked by
``job.JobChecker``); the project's templates exist, none publishes only
governed repositories, setup.cfg declares every Python they test; the
pipelines run jobs that exist.
"""

from __future__ import annotations

import pathlib
import re
from typing import Iterator

from gatecheck import devstack
from gatecheck import facts
from gatecheck import files
from gatecheck import job

# A job's repository is outside openstack/governance (x/ namespace).
GOVERNED_NAMESPACES = ('openstack/',)
PROJECT_NAME = 'x/openstack-netperf'
CLASSIFIER = re.compile(r'Programming Language :: Python :: (3\.\d+)$', re.M)

ZUUL_ITEMS = frozenset({'job', 'project', 'project-template', 'nodeset',
                        'secret', 'semaphore', 'pragma', 'queue'})


def check_python_versions(root: pathlib.Path, where: str, template: str,
                          upstream: facts.Upstream) -> Iterator[str]:
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
               upstream: facts.Upstream | None = None) -> Iterator[str]:
    upstream = upstream or facts.Upstream.load()
    zuul = files.ZuulConfig(root)
    options = devstack.tempest_plugin_options(root)
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
        yield from job.JobChecker(root, where, body, zuul, options,
                                  upstream).check()
    jobs = upstream.jobs | zuul.names('job')
    for where, project in zuul.of_kind('project'):
        for template in files.as_list(project.get('templates')):
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
            for entry in files.as_list(body['jobs']):
                name = next(iter(entry)) if isinstance(entry, dict) else entry
                if name not in jobs:
                    yield '%s: %s pipeline runs unknown job %s' % (
                        where, pipeline, name)
