"""A BIOS-bootable disk holding the guest kernel and initramfs.

One FAT partition with syslinux, made without mounting anything (no loop
devices, no root): ``mkfs.fat`` on a file, ``syslinux --install`` and
``mcopy`` from mtools, syslinux's MBR code and a partition table written
here, then ``qemu-img convert`` to qcow2.  Fixed volume id, disk
signature and SOURCE_DATE_EPOCH make the bytes reproducible.
"""

from __future__ import annotations

import os
import pathlib
import struct
import subprocess

from openstack_netperf import exceptions
from openstack_netperf.image import host

MIB = 1024 * 1024
SECTOR = 512
PARTITION_START = 2048  # sectors: the usual 1 MiB alignment
DISK_SIGNATURE = 0x4E504731  # "NPG1"
VOLUME_ID = '4e505031'
FAT16_LBA = 0x0E
MAX_FAT16_CLUSTERS = 65524


def syslinux_config(cmdline: str) -> str:
    """Boot the one entry at once, no menu, no prompt."""
    return ('DEFAULT netperf\nPROMPT 0\nTIMEOUT 0\n'
            'LABEL netperf\n  LINUX /vmlinuz\n  INITRD /initrd\n'
            '  APPEND %s\n' % cmdline)


def master_boot_record(boot_code: bytes, start: int, sectors: int) -> bytes:
    """An MBR: boot code, fixed signature, one active LBA partition."""
    if len(boot_code) > 440:
        raise exceptions.ImageError(
            'MBR boot code is %d bytes, at most 440 fit'
            % len(boot_code))
    # CHS fields say "use LBA" (0xFE/0xFF/0xFF), as large disks do.
    entry = struct.pack('<B3sB3sII', 0x80, b'\xfe\xff\xff', FAT16_LBA,
                        b'\xfe\xff\xff', start, sectors)
    return (boot_code.ljust(440, b'\0') + struct.pack('<IH', DISK_SIGNATURE,
                                                      0)
            + entry + b'\0' * 48 + b'\x55\xaa')


def _run(argv: list[str], env: dict[str, str] | None = None) -> None:
    proc = subprocess.run(argv, capture_output=True, text=True, env=env)
    if proc.returncode != 0:
        raise exceptions.ImageError('%s failed: %s' % (
            ' '.join(argv), (proc.stderr or proc.stdout).strip()[-800:]))


def fat_partition(path: pathlib.Path, files: dict[str, bytes],
                  epoch: int) -> None:
    """A FAT16 file system image with syslinux installed and ``files``."""
    payload = sum(len(data) for data in files.values())
    size = -(-(payload + 2 * MIB) // MIB) * MIB
    cluster = 1
    while size // SECTOR // cluster > MAX_FAT16_CLUSTERS:
        cluster *= 2
    with open(path, 'wb') as image:
        image.truncate(size)
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(epoch), MTOOLS_SKIP_CHECK='1',
               LC_ALL='C.UTF-8')
    _run([host.which('mkfs.fat'), '--invariant', '-F', '16', '-s',
          str(cluster), '-h', str(PARTITION_START), '-i', VOLUME_ID,
          '-n', 'NETPERF', str(path)], env)
    _run([host.which('syslinux'), '--install', str(path)], env)
    staging = path.parent / 'fat-files'
    staging.mkdir(exist_ok=True)
    for name in sorted(files):
        source = staging / name
        source.write_bytes(files[name])
        os.utime(source, (epoch, epoch))
        _run([host.which('mcopy'), '-m', '-o', '-i', str(path), str(source),
              '::' + name], env)


def build_disk(work: pathlib.Path, qcow2: pathlib.Path, kernel: bytes,
               initrd: bytes, cmdline: str, epoch: int) -> None:
    """Write the bootable qcow2 disk image."""
    host.check_tools(['mkfs.fat', 'syslinux', 'mcopy', 'qemu-img'])
    boot_code = pathlib.Path(host.syslinux_mbr()).read_bytes()[:440]
    partition = work / 'partition.img'
    fat_partition(partition, {
        'vmlinuz': kernel, 'initrd': initrd,
        'syslinux.cfg': syslinux_config(cmdline).encode()}, epoch)
    part_bytes = partition.read_bytes()
    raw = work / 'disk.raw'
    with open(raw, 'wb') as disk:
        disk.write(master_boot_record(boot_code, PARTITION_START,
                                      len(part_bytes) // SECTOR))
        disk.seek(PARTITION_START * SECTOR)
        disk.write(part_bytes)
    if qcow2.exists():
        qcow2.unlink()
    _run([host.which('qemu-img'), 'convert', '-q', '-f', 'raw', '-O',
          'qcow2', str(raw), str(qcow2)])
