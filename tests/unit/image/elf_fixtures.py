"""Tiny ELF files built in memory, so tests need no kernel or toolchain."""

import struct


def module(depends: str, name: str = 'mod',
           aliases: tuple[str, ...] = ()) -> bytes:
    """A 64-bit ELF with only a .modinfo and a section name table."""
    modinfo = b'license=GPL\0depends=%s\0name=%s\0' % (
        depends.encode(), name.encode())
    modinfo += b''.join(b'alias=%s\0' % a.encode() for a in aliases)
    shstrtab = b'\0.modinfo\0.shstrtab\0'
    header_size = 64
    modinfo_off = header_size
    shstr_off = modinfo_off + len(modinfo)
    sh_off = shstr_off + len(shstrtab)
    sh_off += -sh_off % 8
    header = b'\x7fELF' + bytes([2, 1, 1]) + b'\0' * 9
    header += struct.pack('<HHIQQQIHHHHHH', 1, 62, 1, 0, 0, sh_off, 0, 64,
                          0, 0, 64, 3, 2)
    sections = b'\0' * 64
    sections += struct.pack('<IIQQQQIIQQ', 1, 1, 0, 0, modinfo_off,
                            len(modinfo), 0, 0, 1, 0)
    sections += struct.pack('<IIQQQQIIQQ', 10, 3, 0, 0, shstr_off,
                            len(shstrtab), 0, 0, 1, 0)
    body = header + modinfo + shstrtab
    return body + b'\0' * (sh_off - len(body)) + sections
