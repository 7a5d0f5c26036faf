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
"""Variables playbooks and job vars define and use.

A playbook that uses a variable no one sets fails on the node; these
helpers find such uses statically, in the YAML and in its Jinja.
"""

from __future__ import annotations

import pathlib
import re
from typing import Any

import yaml

from gatecheck import files

# Jinja expressions of job vars and playbooks, and a variable in one used
# with a default.
JINJA = re.compile(r'\{\{(.*?)\}\}', re.S)
IDENTIFIER = re.compile(r'(?<![.\w])([a-z_][a-z0-9_]*)')
STRING = re.compile(r"'[^']*'|\"[^\"]*\"")


def defined_in_playbook(node: Any, found: set[str]) -> None:
    """Collect names a playbook defines: vars, register, set_fact."""
    if isinstance(node, list):
        for item in node:
            defined_in_playbook(item, found)
    elif isinstance(node, dict):
        for key, value in node.items():
            if key == 'vars' and isinstance(value, dict):
                found.update(value)
            elif key == 'register':
                found.add(value)
            elif key == 'set_fact' and isinstance(value, dict):
                found.update(value)
            defined_in_playbook(value, found)


def playbook_variables(path: pathlib.Path) -> set[str]:
    """This project's variables (netperf_*) a playbook uses undefined."""
    defined: set[str] = set()
    try:
        defined_in_playbook(files.load_yaml(path), defined)
    except yaml.YAMLError:
        return set()   # reported by check_yaml_parses
    used = set(re.findall(r'\b(netperf_[a-z0-9_]+)', path.read_text()))
    return used - defined


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
