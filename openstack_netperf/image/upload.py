"""Put a built guest into Glance, reusing what is already there.

Two ways to boot it: ``qcow2`` is one disk image any flavor boots (BIOS,
virtio); ``kernel`` is the aki/ari/ami triple whose ami carries
``kernel_id``, ``ramdisk_id`` and ``os_command_line`` (what the sandbox
uses, and what lets a cloud pass ``netperf.virtio_csum=0``).  Every image
carries ``netperf_sha256``: an image of the same name, the same content
and the same boot properties is reused instead of uploaded again.
"""

from __future__ import annotations

import dataclasses
import hashlib
import pathlib
import tempfile
from typing import Any

from openstack_netperf import exceptions

MIN_RAM_MIB = 128
ROOT_DISK_BYTES = 1024 * 1024  # the ami's disk: unused, but Nova wants one


def connect(cloud: str | None = None) -> Any:
    """An openstacksdk connection from clouds.yaml or the OS_* variables."""
    try:
        import openstack
        from openstack import exceptions as sdk_exceptions
    except ImportError:
        raise exceptions.ImageError(
            'openstacksdk is not installed: pip install '
            'openstacksdk')
    try:
        conn = openstack.connect(cloud=cloud)
        conn.authorize()
    except sdk_exceptions.SDKException as exc:
        raise exceptions.ImageError(
            'cannot connect to the cloud (%s). Set the OS_* variables '
            '(source an openrc file) or name a clouds.yaml entry with '
            '--os-cloud / OS_CLOUD.' % exc)
    return conn


@dataclasses.dataclass
class UploadRequest:
    """What to upload and how the images should boot."""

    directory: pathlib.Path
    manifest: dict
    name: str
    disk_format: str = 'qcow2'
    cmdline: str | None = None
    vif_model: str | None = None
    public: bool = False

    def check_vif_model(self) -> None:
        """The image has a driver for the NIC model it asks Nova for."""
        if not self.vif_model:
            return
        family = 'e1000' if self.vif_model.startswith('e1000') else 'virtio'
        if family not in self.manifest['modules']:
            raise exceptions.ImageError(
                'the build in %s has no %s driver (--nic-mode %s, kernel '
                '%s): upload it without --vif-model %s, or build with a '
                'kernel that has it and --nic-mode auto'
                % (self.directory, family, self.manifest['nic_mode'],
                   self.manifest['kernel_version'], self.vif_model))

    def path(self, role: str) -> pathlib.Path:
        entry = self.manifest['files'].get(role)
        if entry is None:
            raise exceptions.ImageError(
                'the build in %s has no %s file; build it again%s'
                % (self.directory, role,
                   ' without --no-disk' if role == 'qcow2' else ''))
        path = self.directory / entry['name']
        if not path.is_file():
            raise exceptions.ImageError(
                '%s is missing: run netperf-image build '
                '--output %s' % (path, self.directory))
        return path


@dataclasses.dataclass
class Uploaded:
    """One image the upload created or found."""

    role: str
    name: str
    image_id: str
    reused: bool


@dataclasses.dataclass
class UploadResult:
    images: list[Uploaded]

    def image_id(self, role: str) -> str:
        return next(i.image_id for i in self.images if i.role == role)

    def report(self) -> list[str]:
        return ['%-7s %s %s (%s)' % (
            image.role, image.image_id, image.name,
            'reused: same content and properties already in Glance'
            if image.reused else 'uploaded') for image in self.images]


def _field(image: Any, key: str) -> Any:
    value = getattr(image, key, None)
    if value is None:
        value = (getattr(image, 'properties', None) or {}).get(key)
    return value


def _sha256(path: pathlib.Path) -> str:
    digest = hashlib.sha256()
    with open(path, 'rb') as source:
        for block in iter(lambda: source.read(1 << 20), b''):
            digest.update(block)
    return digest.hexdigest()


class Uploader:
    """Creates or reuses the Glance images of a build."""

    def __init__(self, conn: Any):
        self.conn = conn

    def upload(self, request: UploadRequest) -> UploadResult:
        request.check_vif_model()
        if request.disk_format == 'qcow2':
            return UploadResult([self._qcow2(request)])
        if request.disk_format == 'kernel':
            return UploadResult(self._kernel_triple(request))
        raise exceptions.ImageError('--format must be qcow2 or kernel, not %r'
                                    % request.disk_format)

    def _common(self, request: UploadRequest) -> dict[str, Any]:
        props: dict[str, Any] = {
            'min_ram': MIN_RAM_MIB,
            'visibility': 'public' if request.public else 'private',
            'os_distro': 'debian',
            'netperf_kernel': request.manifest['kernel_version'],
        }
        if request.vif_model:
            props['hw_vif_model'] = request.vif_model
        return props

    def _qcow2(self, request: UploadRequest) -> Uploaded:
        return self._ensure('qcow2', request.name, request.path('qcow2'),
                            'qcow2', 'bare', dict(self._common(request),
                                                  min_disk=1))

    def _kernel_triple(self, request: UploadRequest) -> list[Uploaded]:
        visibility = self._common(request)['visibility']
        kernel = self._ensure('kernel', request.name + '-kernel',
                              request.path('kernel'), 'aki', 'aki',
                              {'visibility': visibility})
        ramdisk = self._ensure('ramdisk', request.name + '-ramdisk',
                               request.path('initrd'), 'ari', 'ari',
                               {'visibility': visibility})
        props = dict(self._common(request),
                     kernel_id=kernel.image_id, ramdisk_id=ramdisk.image_id,
                     os_command_line=request.cmdline
                     or request.manifest['cmdline'])
        with tempfile.TemporaryDirectory(prefix='netperf-ami-') as tmp:
            root = pathlib.Path(tmp) / 'root.img'
            with open(root, 'wb') as disk:
                disk.truncate(ROOT_DISK_BYTES)
            machine = self._ensure('machine', request.name, root, 'ami',
                                   'ami', props)
        return [kernel, ramdisk, machine]

    def _ensure(self, role: str, name: str, path: pathlib.Path,
                disk_format: str, container_format: str,
                props: dict[str, Any]) -> Uploaded:
        sha256 = _sha256(path)
        wanted = dict(props, netperf_sha256=sha256)
        for image in self.conn.image.images(name=name):
            if (_field(image, 'status') == 'active'
                    and _field(image, 'disk_format') == disk_format
                    and all(str(_field(image, key)) == str(value)
                            for key, value in wanted.items())):
                return Uploaded(role, name, image.id, True)
        image = self.conn.image.create_image(
            name, filename=str(path), disk_format=disk_format,
            container_format=container_format, allow_duplicates=True,
            wait=True, **wanted)
        return Uploaded(role, name, image.id, False)
