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
from the upstream repositories by ``tools/refresh-gate-upstream.py``.  The
checks live in the ``gatecheck`` package beside this script; this is its
command line.

Usage: ``tools/check-gate-files.py [--root DIR] [--no-shellcheck]``.
Prints one problem a line and exits 1 when there is any.
"""

from __future__ import annotations

import argparse
import pathlib
import shutil
import sys
from typing import Iterable

# The gatecheck package sits beside this script: import it however the
# script is run or loaded (python -P, importlib from the unit tests).
TOOLS = pathlib.Path(__file__).resolve().parent
if str(TOOLS) not in sys.path:
    sys.path.insert(0, str(TOOLS))

from gatecheck import devstack  # noqa: E402
from gatecheck import facts  # noqa: E402
from gatecheck import files  # noqa: E402
from gatecheck import shell  # noqa: E402
from gatecheck import zuul  # noqa: E402


def run_checks(root: pathlib.Path, shellcheck: bool = True) -> list[str]:
    """Every problem found under ``root``."""
    upstream = facts.Upstream.load()
    problems = list(files.check_yaml_parses(root))
    problems.extend(zuul.check_zuul(root, upstream))
    problems.extend(devstack.check_plugin_sh(root, upstream))
    problems.extend(shell.check_shell(root, shellcheck))
    return problems


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--root', type=pathlib.Path, default=TOOLS.parent,
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
