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
"""The gate's YAML files: where they are and how Zuul reads them.

Also the one check that needs nothing but the files: that they parse.
"""

from __future__ import annotations

import pathlib
from typing import Any, Iterator

import yaml

ZUUL_FILES = ('.zuul.yaml', 'zuul.yaml')
ZUUL_DIRS = ('.zuul.d', 'zuul.d')
YAML_DIRS = ('playbooks', 'roles', 'devstack')


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


def rel(root: pathlib.Path, path: pathlib.Path) -> str:
    """``path`` as problems name it: relative to the repository."""
    return str(path.relative_to(root))


def as_list(value: Any) -> list:
    """A YAML value that may be one item, a list or absent, as a list."""
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


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


def check_yaml_parses(root: pathlib.Path) -> Iterator[str]:
    for path in yaml_files(root):
        try:
            load_yaml(path)
        except yaml.YAMLError as e:
            yield '%s: YAML does not parse: %s' % (
                rel(root, path), str(e).replace('\n', ' '))


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
                    self.items.append((rel(root, path), kind, body or {}))
                else:
                    self.items.append((rel(root, path), '', {}))

    def of_kind(self, kind: str) -> list[tuple[str, dict]]:
        return [(where, body) for where, k, body in self.items if k == kind]

    @property
    def jobs(self) -> dict[str, dict]:
        return {b.get('name'): b for _, b in self.of_kind('job')}

    def names(self, kind: str) -> set[str]:
        return {b.get('name') for _, b in self.of_kind(kind)}
