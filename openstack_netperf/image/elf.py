"""Just enough ELF reading to assemble a guest without running its code.

The guest's binaries come from another release (or architecture) than the
build host's, so ``ldd`` cannot be trusted to resolve their libraries, and
kernel packages ship no ``modules.dep``.  Both answers are in the files:
``DT_NEEDED`` entries of the dynamic section, and the ``depends=`` field of
a kernel module's ``.modinfo`` section.
"""

from __future__ import annotations

import struct

from openstack_netperf import exceptions

_DT_NULL = 0
_DT_NEEDED = 1
_DT_STRTAB = 5
_PT_LOAD = 1
_PT_DYNAMIC = 2
_PT_INTERP = 3


class _Elf:
    """A parsed 64-bit little-endian ELF file held in memory."""

    def __init__(self, data: bytes, name: str):
        if data[:4] != b'\x7fELF':
            raise exceptions.ImageError('%s is not an ELF file' % name)
        if data[4] != 2 or data[5] != 1:
            raise exceptions.ImageError(
                '%s is not a 64-bit little-endian ELF file; only x86_64 '
                'guests are supported' % name)
        self.data = data
        self.name = name
        (self.phoff, self.shoff, _flags, _ehsize, self.phentsize,
         self.phnum, self.shentsize, self.shnum,
         self.shstrndx) = struct.unpack_from('<QQIHHHHHH', data, 0x20)

    def segments(self) -> list[tuple[int, int, int, int]]:
        """(type, file offset, virtual address, file size) per segment."""
        out = []
        for i in range(self.phnum):
            base = self.phoff + i * self.phentsize
            p_type, _flags, offset, vaddr, _paddr, filesz = struct.unpack_from(
                '<IIQQQQ', self.data, base)
            out.append((p_type, offset, vaddr, filesz))
        return out

    def sections(self) -> dict[str, tuple[int, int]]:
        """Section name -> (file offset, size)."""
        raw = []
        for i in range(self.shnum):
            base = self.shoff + i * self.shentsize
            name, _type, _flags, _addr, offset, size = struct.unpack_from(
                '<IIQQQQ', self.data, base)
            raw.append((name, offset, size))
        if not raw:
            return {}
        _n, str_off, _s = raw[self.shstrndx]
        return {self._cstr(str_off + name): (offset, size)
                for name, offset, size in raw}

    def _cstr(self, offset: int) -> str:
        end = self.data.index(b'\0', offset)
        return self.data[offset:end].decode('utf-8', 'replace')

    def vaddr_to_offset(self, vaddr: int) -> int:
        for p_type, offset, seg_vaddr, filesz in self.segments():
            if p_type == _PT_LOAD and seg_vaddr <= vaddr < seg_vaddr + filesz:
                return offset + vaddr - seg_vaddr
        raise exceptions.ImageError('%s: address %#x is in no loaded segment'
                                    % (self.name, vaddr))


def is_elf(data: bytes) -> bool:
    """True for ELF files (binaries, shared libraries, kernel modules)."""
    return data[:4] == b'\x7fELF'


def needed_libraries(data: bytes, name: str = 'file') -> list[str]:
    """The sonames a dynamically linked binary or library needs."""
    elf = _Elf(data, name)
    dynamic = [(offset, size) for p_type, offset, _v, size in elf.segments()
               if p_type == _PT_DYNAMIC]
    if not dynamic:
        return []  # statically linked
    offset, size = dynamic[0]
    entries = []
    for pos in range(offset, offset + size, 16):
        tag, value = struct.unpack_from('<qQ', data, pos)
        if tag == _DT_NULL:
            break
        entries.append((tag, value))
    strtab = [value for tag, value in entries if tag == _DT_STRTAB]
    if not strtab:
        raise exceptions.ImageError(
            '%s has a dynamic section without a string '
            'table' % name)
    base = elf.vaddr_to_offset(strtab[0])
    return [elf._cstr(base + value) for tag, value in entries
            if tag == _DT_NEEDED]


def interpreter(data: bytes, name: str = 'file') -> str | None:
    """The program interpreter (dynamic loader) path, if any."""
    elf = _Elf(data, name)
    for p_type, offset, _vaddr, size in elf.segments():
        if p_type == _PT_INTERP:
            return data[offset:offset + size].rstrip(b'\0').decode()
    return None


def _modinfo(data: bytes, name: str) -> list[tuple[str, str]]:
    elf = _Elf(data, name)
    section = elf.sections().get('.modinfo')
    if section is None:
        raise exceptions.ImageError('%s has no .modinfo section: not a kernel '
                                    'module' % name)
    offset, size = section
    fields = []
    for field in data[offset:offset + size].split(b'\0'):
        key, sep, value = field.partition(b'=')
        if sep:
            fields.append((key.decode(), value.decode('utf-8', 'replace')))
    return fields


def module_info(data: bytes, name: str = 'module') -> dict[str, str]:
    """The ``key=value`` fields of a kernel module's ``.modinfo``.

    Repeated keys (``alias``, ``parm``) keep their last value; see
    :func:`module_aliases` for all aliases.
    """
    return dict(_modinfo(data, name))


def module_aliases(data: bytes, name: str = 'module') -> list[str]:
    """The device patterns (``pci:v00008086d0000100E...``) a driver binds."""
    return [value for key, value in _modinfo(data, name) if key == 'alias']


def module_depends(data: bytes, name: str = 'module') -> list[str]:
    """Names of the modules that must be loaded before this one."""
    depends = module_info(data, name).get('depends', '')
    return [dep for dep in depends.split(',') if dep]
