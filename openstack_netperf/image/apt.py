"""Fetch Debian packages with apt, without touching the host's apt state.

apt runs with a private configuration, state and cache directory, so the
guest's release and architecture need not be the host's, the host's
installed-package database is never read or written, and no root is
needed beyond what ``apt-get download`` itself needs.  The host's own apt
sources only suggest the default mirror.
"""

from __future__ import annotations

import dataclasses
import hashlib
import logging
import os
import pathlib
import re
import subprocess

from openstack_netperf import exceptions

LOG = logging.getLogger(__name__)

DEBIAN_MIRROR = 'http://deb.debian.org/debian'
DEBIAN_KEYRING = '/usr/share/keyrings/debian-archive-keyring.gpg'
HOST_SOURCES = ('/etc/apt/sources.list', '/etc/apt/sources.list.d')


@dataclasses.dataclass(frozen=True)
class Package:
    """One binary package as the archive describes it."""

    name: str
    version: str
    architecture: str
    sha256: str
    depends: tuple[str, ...]
    section: str = ''

    @property
    def is_library(self) -> bool:
        return self.section.rsplit('/', 1)[-1] in ('libs', 'oldlibs')

    @property
    def filename(self) -> str:
        """The file name ``apt-get download`` gives the package."""
        # apt escapes the epoch colon, in lower case.
        return '%s_%s_%s.deb' % (self.name, self.version.replace(':', '%3a'),
                                 self.architecture)


def host_mirrors(paths: tuple[str, ...] = HOST_SOURCES) -> list[
        tuple[str, list[str]]]:
    """(URI, suites) of every ``deb`` source configured on this host.

    Reads both the one-line format and deb822 ``.sources`` files.
    """
    files: list[pathlib.Path] = []
    for path in map(pathlib.Path, paths):
        if path.is_dir():
            files.extend(sorted(p for p in path.iterdir()
                                if p.suffix in ('.list', '.sources')))
        elif path.is_file():
            files.append(path)
    found = []
    for path in files:
        try:
            text = path.read_text()
        except OSError:
            continue
        if path.suffix == '.sources':
            found.extend(_parse_deb822(text))
        else:
            found.extend(_parse_one_line(text))
    return found


def _parse_one_line(text: str) -> list[tuple[str, list[str]]]:
    found = []
    for line in text.splitlines():
        line = re.sub(r'\[[^]]*\]', ' ', line.split('#', 1)[0]).split()
        if len(line) >= 3 and line[0] == 'deb':
            found.append((line[1].rstrip('/'), [line[2]]))
    return found


def _parse_deb822(text: str) -> list[tuple[str, list[str]]]:
    found = []
    for stanza in re.split(r'\n\s*\n', text):
        fields = {}
        for line in stanza.splitlines():
            if line.startswith('#') or ':' not in line:
                continue
            key, value = line.split(':', 1)
            fields[key.strip().lower()] = value.split()
        if 'deb' not in fields.get('types', []):
            continue
        if fields.get('enabled', ['yes'])[0].lower() == 'no':
            continue
        for uri in fields.get('uris', []):
            found.append((uri.rstrip('/'), fields.get('suites', [])))
    return found


def default_mirrors(release: str,
                    sources: list[tuple[str, list[str]]]) -> tuple[
                        str, str | None]:
    """The main and security mirror to use for ``release``.

    The host's source for that very suite wins (it is known to be
    reachable from here); then the host's first Debian mirror; then
    deb.debian.org.
    """
    def serving(suite: str) -> str | None:
        for uri, suites in sources:
            if suite in suites:
                return uri
        return None

    mirror = serving(release)
    if mirror is None:
        debian = [uri for uri, _s in sources
                  if uri.endswith('/debian')]
        mirror = debian[0] if debian else DEBIAN_MIRROR
    return mirror, serving(release + '-security') or security_for(mirror)


def security_for(mirror: str) -> str | None:
    """The conventional security mirror next to a Debian mirror."""
    return mirror + '-security' if mirror.endswith('/debian') else None


@dataclasses.dataclass
class Apt:
    """apt-get and apt-cache over a private directory."""

    root: pathlib.Path
    release: str
    arch: str
    mirror: str
    security_mirror: str | None
    keyring: str = DEBIAN_KEYRING
    _packages: dict[str, Package] = dataclasses.field(
        default_factory=dict, init=False, repr=False)

    def sources(self) -> str:
        """The sources.list the private apt uses."""
        opts = '[arch=%s signed-by=%s]' % (self.arch, self.keyring)
        lines = ['deb %s %s %s main' % (opts, self.mirror, suite)
                 for suite in (self.release, self.release + '-updates')]
        if self.security_mirror:
            lines.append('deb %s %s %s-security main'
                         % (opts, self.security_mirror, self.release))
        return '\n'.join(lines) + '\n'

    def _options(self) -> list[str]:
        etc = self.root / 'etc'
        state = self.root / 'state'
        settings = {
            'Dir::Etc': etc,
            'Dir::Etc::SourceList': etc / 'sources.list',
            'Dir::Etc::SourceParts': etc / 'sources.list.d',
            'Dir::Etc::Preferences': etc / 'preferences',
            'Dir::Etc::PreferencesParts': etc / 'preferences.d',
            'Dir::Etc::Parts': etc / 'apt.conf.d',
            'Dir::State': state,
            'Dir::State::status': state / 'status',
            'Dir::Cache': self.root / 'cache',
            'APT::Architecture': self.arch,
            'APT::Architectures': self.arch,
            'Acquire::Languages': 'none',
            'Debug::NoLocking': 'true',
            # Files land in directories _apt cannot write: say it is meant.
            'APT::Sandbox::User': 'root',
        }
        opts = []
        for key, value in settings.items():
            opts += ['-o', '%s=%s' % (key, value)]
        return opts

    def _run(self, tool: str, args: list[str],
             cwd: pathlib.Path | None = None) -> str:
        argv = [tool] + self._options() + args
        LOG.debug('running %s', ' '.join(argv))
        try:
            proc = subprocess.run(argv, capture_output=True, text=True,
                                  cwd=cwd, env=dict(os.environ,
                                                    LC_ALL='C.UTF-8'))
        except FileNotFoundError:
            raise exceptions.ToolMissing.on_host(tool, ['apt'])
        if proc.returncode != 0:
            raise exceptions.ImageError(
                '%s %s failed: %s' % (tool, ' '.join(args),
                                      proc.stderr.strip()[-800:]))
        return proc.stdout

    def update(self) -> None:
        """Create the private apt directory and fetch the package lists."""
        if not os.path.exists(self.keyring):
            raise exceptions.ToolMissing.on_host('the archive keyring %s'
                                                 % self.keyring,
                                                 ['debian-archive-keyring'])
        for sub in ('etc/sources.list.d', 'etc/preferences.d',
                    'etc/apt.conf.d', 'state/lists/partial',
                    'cache/archives/partial'):
            (self.root / sub).mkdir(parents=True, exist_ok=True)
        (self.root / 'etc' / 'sources.list').write_text(self.sources())
        (self.root / 'state' / 'status').touch()
        try:
            out = self._run('apt-get', ['update'])
        except exceptions.ToolMissing:
            raise
        except exceptions.ImageError as exc:
            raise exceptions.ImageError(
                'Cannot read the package lists of %s %s from %s: %s. Pass '
                '--mirror with a Debian mirror this host can reach (the '
                'one in /etc/apt/sources.list or sources.list.d).'
                % (self.release, self.arch, self.mirror, exc))
        # apt-get update may exit 0 when a source failed; the reason is
        # on the line after each Err: line.
        lines = out.splitlines() + ['']
        failed = [line.strip() + ' ' + lines[i + 1].strip()
                  for i, line in enumerate(lines[:-1])
                  if line.startswith(('Err:', 'E:', 'W: Failed'))]
        if failed:
            raise exceptions.ImageError(
                'Cannot read the package lists of %s %s from %s: %s. Pass '
                '--mirror with a Debian mirror this host can reach.'
                % (self.release, self.arch, self.mirror,
                   '; '.join(failed)))

    def show(self, names: list[str],
             required: bool = True) -> list[Package]:
        """The candidate version of each named package.

        Unless ``required``, names of virtual or unknown packages are
        left out instead of raising.
        """
        missing = [name for name in names if name not in self._packages]
        if missing:
            try:
                out = self._run('apt-cache',
                                ['show', '--no-all-versions'] + missing)
            except exceptions.ToolMissing:
                raise
            except exceptions.ImageError as exc:
                if not required:
                    return [self._packages[name] for name in names
                            if name in self._packages]
                raise exceptions.ImageError(
                    'Package(s) %s not found in %s %s from %s (%s). Check '
                    'the release and mirror, or the package names.'
                    % (', '.join(missing), self.release, self.arch,
                       self.mirror, exc))
            for package in parse_packages(out):
                self._packages[package.name] = package
        lost = [name for name in names if name not in self._packages]
        if lost and required:
            raise exceptions.ImageError('Package(s) %s not found in %s %s'
                                        % (', '.join(lost), self.release,
                                           self.arch))
        return [self._packages[name] for name in names
                if name in self._packages]

    def download(self, names: list[str],
                 into: pathlib.Path) -> dict[str, pathlib.Path]:
        """Download packages (reusing verified copies) into ``into``."""
        into.mkdir(parents=True, exist_ok=True)
        packages = self.show(names)
        wanted = [p for p in packages
                  if not _verified(into / p.filename, p.sha256)]
        if wanted:
            self._run('apt-get', ['download'] + [
                '%s=%s' % (p.name, p.version) for p in wanted], cwd=into)
        paths = {}
        for package in packages:
            path = into / package.filename
            if not _verified(path, package.sha256):
                raise exceptions.ImageError(
                    'apt-get download did not leave %s with the archive\'s '
                    'checksum in %s' % (package.filename, into))
            paths[package.name] = path
        return paths


def _verified(path: pathlib.Path, sha256: str) -> bool:
    if not path.is_file():
        return False
    return hashlib.sha256(path.read_bytes()).hexdigest() == sha256


def parse_packages(text: str) -> list[Package]:
    """Packages from ``apt-cache show`` output (Packages-file stanzas)."""
    packages = []
    for stanza in re.split(r'\n\s*\n', text.strip()):
        fields: dict[str, str] = {}
        key = None
        for line in stanza.splitlines():
            if line[:1] in (' ', '\t') and key:
                fields[key] += ' ' + line.strip()
            elif ':' in line:
                key, value = line.split(':', 1)
                fields[key] = value.strip()
        if 'Package' not in fields:
            continue
        depends = []
        for field in ('Pre-Depends', 'Depends'):
            depends += parse_depends(fields.get(field, ''))
        packages.append(Package(fields['Package'], fields['Version'],
                                fields['Architecture'],
                                fields.get('SHA256', ''), tuple(depends),
                                fields.get('Section', '')))
    return packages


def parse_depends(value: str) -> list[str]:
    """Package names of a Depends field (first of each alternative)."""
    names = []
    for clause in value.split(','):
        first = clause.split('|')[0].strip()
        name = re.split(r'[\s(:\[]', first, maxsplit=1)[0]
        if name:
            names.append(name)
    return names
