"""Tests of the reproducible initramfs writer."""

import stat
import subprocess

import testtools

from openstack_netperf.image import cpio


def parse_newc(data: bytes) -> list[tuple[str, int, int, bytes, int, int]]:
    """(name, mode, mtime, data, rdevmajor, rdevminor) of each member."""
    members = []
    pos = 0
    while True:
        header = data[pos:pos + 110].decode()
        assert header[:6] == '070701', header[:6]
        fields = [int(header[6 + 8 * i:14 + 8 * i], 16) for i in range(13)]
        namesize, filesize = fields[11], fields[6]
        pos += 110
        name = data[pos:pos + namesize - 1].decode()
        pos += namesize
        pos += -pos % 4
        body = data[pos:pos + filesize]
        pos += filesize
        pos += -pos % 4
        if name == 'TRAILER!!!':
            return members
        members.append((name, fields[1], fields[5], body, fields[9],
                        fields[10]))


class TreeTest(testtools.TestCase):

    def _tree(self, reverse=False):
        tree = cpio.Tree()
        items = [('usr/bin/busybox', b'\x7fELF...'), ('etc/passwd', b'r\n')]
        for path, data in (reversed(items) if reverse else items):
            tree.file(path, data, 0o755)
        tree.symlink('bin', 'usr/bin')
        tree.chardev('dev/console', 5, 1)
        return tree

    def test_members_sorted_with_parents_and_fixed_mtime(self):
        members = parse_newc(self._tree().newc(mtime=1234))
        names = [m[0] for m in members]
        self.assertEqual(sorted(names), names)
        self.assertEqual(['bin', 'dev', 'dev/console', 'etc', 'etc/passwd',
                          'usr', 'usr/bin', 'usr/bin/busybox'], names)
        self.assertEqual({1234}, {m[2] for m in members})
        by_name = {m[0]: m for m in members}
        self.assertTrue(stat.S_ISDIR(by_name['usr/bin'][1]))
        self.assertTrue(stat.S_ISLNK(by_name['bin'][1]))
        self.assertEqual(b'usr/bin', by_name['bin'][3])
        self.assertTrue(stat.S_ISCHR(by_name['dev/console'][1]))
        self.assertEqual((5, 1), by_name['dev/console'][4:])
        self.assertEqual(0o755, stat.S_IMODE(by_name['usr/bin/busybox'][1]))

    def test_same_content_same_bytes_whatever_the_order(self):
        first = self._tree().initramfs(mtime=1)
        second = self._tree(reverse=True).initramfs(mtime=1)
        self.assertEqual(first, second)
        # The legacy LZ4 frame (what the kernel reads), no time in it.
        self.assertEqual(b'\x02\x21\x4c\x18', first[:4])
        unpacked = subprocess.run(['lz4', '-d', '-c'], input=first,
                                  capture_output=True, check=True).stdout
        self.assertEqual(self._tree().newc(1), unpacked)

    def test_archive_is_padded_to_512(self):
        self.assertEqual(0, len(self._tree().newc(0)) % 512)

    def test_size_counts_file_content(self):
        self.assertEqual(len(b'\x7fELF...') + 2, self._tree().size())

    def test_bad_paths_are_refused(self):
        tree = cpio.Tree()
        self.assertRaises(ValueError, tree.file, '../etc/passwd', b'')
        self.assertRaises(ValueError, tree.file, '/', b'')
