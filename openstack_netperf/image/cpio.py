"""A file tree held in memory, written as a reproducible initramfs.

Writing the ``newc`` archive here rather than with ``cpio`` lets the
build set owners, device nodes and modes without root, and makes the
bytes depend on the content only: entries sorted, one fixed mtime, inode
numbers in order, gzip header without a time or a file name.
"""

from __future__ import annotations

import dataclasses
import gzip
import io
import stat

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
        """The tree as a gzip-compressed initramfs, byte-reproducible."""
        return gzip.compress(self.newc(mtime), compresslevel=9, mtime=0)


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
