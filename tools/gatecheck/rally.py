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
"""The Rally task arguments a job passes: each is one the task takes.

Rally renders a task template with its arguments and ignores extra ones,
so a misspelled argument silently leaves the task's default in place.
"""

from __future__ import annotations

import pathlib
from typing import Iterator

from gatecheck import files


def task_variables(task_path: pathlib.Path) -> set[str]:
    """Variables a Rally task template reads."""
    import jinja2
    from jinja2 import meta
    env = jinja2.Environment(autoescape=False)  # nosec: renders YAML
    return meta.find_undeclared_variables(env.parse(task_path.read_text()))


def check_task_args(root: pathlib.Path, task_path: pathlib.Path,
                    args_path: pathlib.Path) -> Iterator[str]:
    args = files.load_yaml(args_path) or {}
    if not isinstance(args, dict):
        yield '%s: task args must be a mapping' % files.rel(root, args_path)
        return
    taken = task_variables(task_path)
    for name in sorted(set(args) - taken):
        yield '%s: %s is not an argument of %s (it takes: %s)' % (
            files.rel(root, args_path), name, files.rel(root, task_path),
            ', '.join(sorted(taken)))
