"""Boot a built guest directly under QEMU, without OpenStack.

The benchmark and the functional tests use this to check what a cloud
would see: the guest boots from its kernel + initramfs (the aki/ari way)
or from its qcow2 disk, reads its keys from a config drive and prints its
ready line on the serial console.
"""

from __future__ import annotations

import dataclasses
import json
import pathlib
import shutil
import signal
import subprocess
import tempfile
import time
from typing import Sequence

from openstack_netperf import console
from openstack_netperf import exceptions

BOOT_MODES = ('kernel', 'disk')


def config_drive(path: pathlib.Path, hostname: str,
                 public_keys: Sequence[str],
                 uuid: str = '00000000-0000-4000-8000-6e6574706572') -> None:
    """Write an ISO 9660 config drive (label config-2) as Nova does."""
    tool = shutil.which('genisoimage') or shutil.which('xorriso')
    if tool is None:
        raise exceptions.ToolMissing.on_host('genisoimage (or xorriso)',
                                             ['genisoimage'])
    meta = {'uuid': uuid, 'hostname': hostname, 'name': hostname,
            'launch_index': 0, 'availability_zone': 'nova',
            'public_keys': {'key-%d' % i: key.strip() + '\n'
                            for i, key in enumerate(public_keys)}}
    with tempfile.TemporaryDirectory(prefix='netperf-cd-') as tmp:
        latest = pathlib.Path(tmp) / 'openstack' / 'latest'
        latest.mkdir(parents=True)
        (latest / 'meta_data.json').write_text(json.dumps(meta))
        argv = [tool] + (['-as', 'mkisofs'] if tool.endswith('xorriso')
                         else []) + ['-quiet', '-o', str(path), '-V',
                                     'config-2', '-r', '-J', tmp]
        proc = subprocess.run(argv, capture_output=True, text=True)
        if proc.returncode != 0:
            raise exceptions.ImageError('%s failed: %s' % (
                ' '.join(argv), proc.stderr.strip()))


@dataclasses.dataclass
class BootSpec:
    """How to boot: from which files, with what NIC and memory."""

    image_dir: pathlib.Path
    mode: str = 'kernel'
    memory_mib: int = 128
    nic_model: str = 'virtio-net-pci'
    netdev: str = 'user,id=n0,restrict=on'
    mac: str = '52:54:00:6e:70:01'
    cdrom: pathlib.Path | None = None
    cmdline: str | None = None

    def argv(self, console: pathlib.Path) -> list[str]:
        if self.mode not in BOOT_MODES:
            raise exceptions.ImageError('boot mode must be one of %s'
                                        % ', '.join(BOOT_MODES))
        qemu = shutil.which('qemu-system-x86_64')
        if qemu is None:
            raise exceptions.ToolMissing.on_host('qemu-system-x86_64',
                                                 ['qemu-system-x86'])
        manifest = json.loads((self.image_dir / 'manifest.json').read_text())
        files = manifest['files']
        argv = [qemu, '-machine', 'pc,accel=tcg', '-m', str(self.memory_mib),
                '-smp', '1', '-nodefaults', '-no-user-config',
                '-display', 'none', '-monitor', 'none', '-no-reboot',
                '-serial', 'file:%s' % console,
                '-netdev', self.netdev,
                '-device', '%s,netdev=n0,mac=%s' % (self.nic_model,
                                                    self.mac)]
        if self.mode == 'kernel':
            argv += ['-kernel', str(self.image_dir / files['kernel']['name']),
                     '-initrd', str(self.image_dir / files['initrd']['name']),
                     '-append', self.cmdline or manifest['cmdline']]
        else:
            argv += ['-drive', 'file=%s,if=virtio,format=qcow2,snapshot=on'
                     % (self.image_dir / files['qcow2']['name'])]
        if self.cdrom is not None:
            argv += ['-drive', 'file=%s,media=cdrom,readonly=on,format=raw'
                     % self.cdrom]
        return argv


class QemuProcess:
    """One QEMU process; stopped by its PID, never by name."""

    def __init__(self, spec: BootSpec, workdir: pathlib.Path,
                 prefix: Sequence[str] = ()):
        self.spec = spec
        self.console = workdir / 'console.log'
        self.argv = list(prefix) + spec.argv(self.console)
        self.process: subprocess.Popen | None = None
        self.started = 0.0

    def start(self) -> None:
        self.console.write_text('')
        self.started = time.monotonic()
        self.process = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                        stdout=subprocess.DEVNULL,
                                        stderr=subprocess.PIPE)

    def console_text(self) -> str:
        return self.console.read_text(errors='replace')

    def wait_ready(self, timeout: float = 120.0) -> float:
        """Seconds from start to the guest's ready line."""
        assert self.process is not None
        while True:
            text = self.console_text()
            elapsed = time.monotonic() - self.started
            if console.READY_LINE in text:
                return elapsed
            if console.FAILED_LINE in text:
                raise exceptions.ImageError('guest failed to boot: %s'
                                            % text[-1500:])
            if self.process.poll() is not None:
                raise exceptions.ImageError(
                    'QEMU exited with %s: %s\nconsole: %s' % (
                        self.process.returncode,
                        self.process.stderr.read().decode()[-1000:],
                        text[-1500:]))
            if elapsed > timeout:
                raise exceptions.ImageError(
                    'no ready line after %.0fs; console: '
                    '%s' % (elapsed, text[-1500:]))
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
