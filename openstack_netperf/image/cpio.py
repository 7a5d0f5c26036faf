"""A file tree held in memory, written as a reproducible initramfs.

Writing the ``newc`` archive here rather than with ``cpio`` lets the
build set owners, device nodes and modes without root, and makes the
bytes depend on the content only: entries sorted, one fixed mtime, inode
numbers in order.  It is compressed with ``lz4 -l`` (the legacy frame
the kernel reads, no time or name in it): under TCG the kernel unpacks
LZ4 about half a second sooner than gzip.
"""

from __future__ import annotations

import dataclasses
import io
import stat
import subprocess

from openstack_netperf import exceptions
from openstack_netperf.image import host

_TRAILER = 'TRAILER!!!'


@dataclasses.dataclass
class Entry:
    """One file, directory, symlink or device node of the tree."""

    mode: int
    data: bytes = b''
    rdev: tuple[int, int] = (0, 0)


class Tree:
    """Paths (relative, no leading slash) to entries; parents implied."""

    def __init__(self) -> None:
        self.entries: dict[str, Entry] = {}

    @staticmethod
    def _norm(path: str) -> str:
        path = path.strip('/')
        if not path or '..' in path.split('/'):
            raise ValueError('bad path in guest tree: %r' % path)
        return path

    def _parents(self, path: str) -> None:
        parts = path.split('/')[:-1]
        for i in range(1, len(parts) + 1):
            parent = '/'.join(parts[:i])
            if parent not in self.entries:
                self.entries[parent] = Entry(stat.S_IFDIR | 0o755)

    def dir(self, path: str, mode: int = 0o755) -> None:
        path = self._norm(path)
        self._parents(path)
        self.entries[path] = Entry(stat.S_IFDIR | mode)

    def file(self, path: str, data: bytes, mode: int = 0o644) -> None:
        path = self._norm(path)
        self._parents(path)
        self.entries[path] = Entry(stat.S_IFREG | mode, data)

    def symlink(self, path: str, target: str) -> None:
        path = self._norm(path)
        self._parents(path)
        self.entries[path] = Entry(stat.S_IFLNK | 0o777, target.encode())

    def chardev(self, path: str, major: int, minor: int,
                mode: int = 0o600) -> None:
        path = self._norm(path)
        self._parents(path)
        self.entries[path] = Entry(stat.S_IFCHR | mode, rdev=(major, minor))

    def size(self) -> int:
        """Bytes of file content (what the guest's RAM has to hold)."""
        return sum(len(e.data) for e in self.entries.values()
                   if stat.S_ISREG(e.mode))

    def newc(self, mtime: int) -> bytes:
        """The tree as an uncompressed ``newc`` cpio archive."""
        out = io.BytesIO()
        for ino, path in enumerate(sorted(self.entries), start=1):
            entry = self.entries[path]
            nlink = 2 if stat.S_ISDIR(entry.mode) else 1
            _write_member(out, path, entry.mode, entry.data, ino, nlink,
                          mtime, entry.rdev)
        _write_member(out, _TRAILER, 0, b'', 0, 1, 0, (0, 0))
        # Pad to 512 bytes like cpio(1) does.
        out.write(b'\0' * (-out.tell() % 512))
        return out.getvalue()

    def initramfs(self, mtime: int) -> bytes:
        """The tree as an LZ4-compressed initramfs, byte-reproducible."""
        argv = [host.which('lz4'), '-l', '-9', '-q', '-c']
        proc = subprocess.run(argv, input=self.newc(mtime),
                              capture_output=True)
        if proc.returncode != 0:
            raise exceptions.ImageError('%s failed: %s' % (
                ' '.join(argv), proc.stderr.decode(errors='replace')))
        return proc.stdout


def _write_member(out: io.BytesIO, name: str, mode: int, data: bytes,
                  ino: int, nlink: int, mtime: int,
                  rdev: tuple[int, int]) -> None:
    encoded = name.encode() + b'\0'
    header = '070701' + ''.join('%08X' % value for value in (
        ino, mode, 0, 0, nlink, mtime, len(data), 0, 0, rdev[0], rdev[1],
        len(encoded), 0))
    out.write(header.encode())
    out.write(encoded)
    out.write(b'\0' * (-out.tell() % 4))
    out.write(data)
    out.write(b'\0' * (-out.tell() % 4))
