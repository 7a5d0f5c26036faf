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
"""The gate's shell: which files it is, ``bash -n`` and shellcheck."""

from __future__ import annotations

import pathlib
import subprocess
from typing import Iterator

from gatecheck import files

SHELL_FILES = ('devstack/settings', 'devstack/plugin.sh')
SHELL_DIRS = ('devstack/lib', 'playbooks', 'roles')


def shell_files(root: pathlib.Path) -> list[pathlib.Path]:
    paths = [root / n for n in SHELL_FILES if (root / n).is_file()]
    for d in SHELL_DIRS:
        base = root / d
        if not base.is_dir():
            continue
        for p in sorted(base.rglob('*')):
            if p.is_file() and (p.suffix == '.sh' or d == 'devstack/lib'):
                paths.append(p)
    return paths


def check_shell(root: pathlib.Path, shellcheck: bool = True
                ) -> Iterator[str]:
    paths = shell_files(root)
    for path in paths:
        proc = subprocess.run(['bash', '-n', str(path)], capture_output=True,
                              text=True)
        if proc.returncode:
            yield '%s: bash -n: %s' % (files.rel(root, path),
                                       proc.stderr.strip())
    if not shellcheck or not paths:
        return
    proc = subprocess.run(
        ['shellcheck', '--shell=bash', '--external-sources',
         '--format=gcc'] + [files.rel(root, p) for p in paths],
        cwd=root, capture_output=True, text=True)
    for line in proc.stdout.splitlines():
        yield 'shellcheck: %s' % line
