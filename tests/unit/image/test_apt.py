"""Tests of the private apt: sources, package stanzas, errors."""

import hashlib
import os
import pathlib
import subprocess

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import apt

SHOW = """Package: iperf3
Version: 3.12-1+deb12u2
Architecture: amd64
Section: net
Pre-Depends: init-system-helpers (>= 1.54~)
Depends: libc6 (>= 2.34), libiperf0 (= 3.12-1+deb12u2),
 adduser | foo, perl:any
SHA256: abc

Package: busybox-static
Version: 1:1.35.0-4+deb12u1+b1
Architecture: amd64
Section: shells
SHA256: def

Package: zlib1g
Version: 1:1.2.13.dfsg-1
Architecture: amd64
Section: libs
SHA256: 123
"""


class ParseTest(testtools.TestCase):

    def test_packages_fields_and_dependencies(self):
        iperf3, busybox, zlib = apt.parse_packages(SHOW)
        self.assertEqual('iperf3', iperf3.name)
        self.assertEqual(('init-system-helpers', 'libc6', 'libiperf0',
                          'adduser', 'perl'), iperf3.depends)
        self.assertFalse(iperf3.is_library)
        self.assertTrue(zlib.is_library)
        self.assertEqual((), busybox.depends)

    def test_file_name_escapes_the_epoch_like_apt(self):
        busybox = apt.parse_packages(SHOW)[1]
        self.assertEqual('busybox-static_1%3a1.35.0-4+deb12u1+b1_amd64.deb',
                         busybox.filename)


class MirrorTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = pathlib.Path(self.useFixture(fixtures.TempDir()).path)

    def test_host_sources_in_both_formats(self):
        (self.dir / 'sources.list').write_text(
            'deb [arch=amd64] http://mirror.example/debian/ bookworm main\n'
            '# deb http://old.example/debian buster main\n'
            'deb-src http://src.example/debian bookworm main\n')
        parts = self.dir / 'sources.list.d'
        parts.mkdir()
        (parts / 'debian.sources').write_text(
            'Types: deb\nURIs: http://deb.example/debian\n'
            'Suites: bookworm bookworm-updates\nComponents: main\n\n'
            'Types: deb\nURIs: http://deb.example/debian-security\n'
            'Suites: bookworm-security\nComponents: main\n\n'
            'Types: deb\nEnabled: no\nURIs: http://off.example/debian\n'
            'Suites: trixie\n')
        (parts / 'ignored.disabled').write_text('deb http://x/ y z\n')
        found = apt.host_mirrors((str(self.dir / 'sources.list'),
                                  str(parts)))
        self.assertEqual([
            ('http://mirror.example/debian', ['bookworm']),
            ('http://deb.example/debian', ['bookworm', 'bookworm-updates']),
            ('http://deb.example/debian-security', ['bookworm-security'])],
            found)

    def test_default_mirrors(self):
        sources = [('http://deb.example/debian', ['bookworm']),
                   ('http://sec.example/debian-security',
                    ['bookworm-security'])]
        self.assertEqual(('http://deb.example/debian',
                          'http://sec.example/debian-security'),
                         apt.default_mirrors('bookworm', sources))
        # Another release: the host's Debian mirror, security next to it.
        self.assertEqual(('http://deb.example/debian',
                          'http://deb.example/debian-security'),
                         apt.default_mirrors('trixie', sources))
        # An Ubuntu host: deb.debian.org.
        self.assertEqual((apt.DEBIAN_MIRROR, apt.DEBIAN_MIRROR + '-security'),
                         apt.default_mirrors('bookworm', [
                             ('http://archive.ubuntu.com/ubuntu',
                              ['noble'])]))


class AptTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.root = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        keyring = self.root / 'keyring.gpg'
        keyring.write_bytes(b'')
        self.apt = apt.Apt(self.root / 'apt', 'bookworm', 'amd64',
                           'http://deb.example/debian',
                           'http://deb.example/debian-security',
                           keyring=str(keyring))
        self.calls = []
        self.replies = []
        self.useFixture(fixtures.MockPatch('subprocess.run',
                                           side_effect=self._run))

    def _run(self, argv, **kwargs):
        self.calls.append(argv)
        code, out, err = self.replies.pop(0)
        return subprocess.CompletedProcess(argv, code, out, err)

    def test_sources_pin_arch_and_keyring(self):
        lines = self.apt.sources().splitlines()
        self.assertEqual(3, len(lines))
        self.assertIn('[arch=amd64 signed-by=%s]' % self.apt.keyring,
                      lines[0])
        self.assertTrue(lines[1].endswith('bookworm-updates main'))
        self.assertTrue(lines[2].endswith(
            'debian-security bookworm-security main'))

    def test_update_uses_private_state(self):
        self.replies.append((0, 'Hit:1 http://deb.example/debian\n', ''))
        self.apt.update()
        argv = self.calls[0]
        self.assertEqual('apt-get', argv[0])
        self.assertEqual('update', argv[-1])
        self.assertIn('Dir::State::status=%s' % (
            self.root / 'apt' / 'state' / 'status'), argv)
        self.assertTrue((self.root / 'apt/etc/sources.list').is_file())

    def test_unreachable_mirror_is_a_clear_error(self):
        self.replies.append((0, 'Err:1 http://deb.example/debian bookworm '
                                'InRelease\n  Could not resolve', ''))
        exc = self.assertRaises(exceptions.ImageError, self.apt.update)
        self.assertIn('Cannot read the package lists of bookworm amd64 '
                      'from http://deb.example/debian', str(exc))
        self.assertIn('--mirror', str(exc))

    def test_missing_keyring(self):
        self.apt.keyring = '/nonexistent.gpg'
        exc = self.assertRaises(exceptions.ToolMissing, self.apt.update)
        self.assertIn('apt-get install -y debian-archive-keyring', str(exc))

    def test_unknown_package(self):
        self.replies.append((100, '', 'E: No packages found'))
        exc = self.assertRaises(exceptions.ImageError, self.apt.show,
                                ['iperf4'])
        self.assertIn('Package(s) iperf4 not found in bookworm amd64',
                      str(exc))

    def test_optional_lookup_skips_virtual_packages(self):
        self.replies.append((100, '', 'E: No packages found'))
        self.assertEqual([], self.apt.show(['debconf-2.0'], required=False))

    def test_download_reuses_verified_files(self):
        content = b'deb content'
        stanza = ('Package: zlib1g\nVersion: 1:1.3\nArchitecture: amd64\n'
                  'Section: libs\nSHA256: %s\n')
        self.replies.append((0, stanza % hashlib.sha256(content).hexdigest(),
                             ''))
        into = self.root / 'debs'
        into.mkdir()
        (into / 'zlib1g_1%3a1.3_amd64.deb').write_bytes(content)
        paths = self.apt.download(['zlib1g'], into)
        self.assertEqual({'zlib1g': into / 'zlib1g_1%3a1.3_amd64.deb'},
                         paths)
        self.assertEqual(1, len(self.calls))  # apt-cache show, no download

    def test_apt_missing(self):
        self.useFixture(fixtures.MockPatch('subprocess.run',
                                           side_effect=FileNotFoundError))
        exc = self.assertRaises(exceptions.ToolMissing, self.apt.show,
                                ['x'])
        self.assertIn('apt-get install -y apt', str(exc))
        self.assertFalse(os.path.exists(self.root / 'apt' / 'etc'))
