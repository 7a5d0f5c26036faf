"""Tests of the Glance upload with a fake openstacksdk connection."""

import pathlib
import types

import fixtures
import testtools

from openstack_netperf import exceptions
from openstack_netperf.image import upload


class FakeImageProxy:
    """Just the part of conn.image the uploader uses."""

    def __init__(self):
        self.images_by_id = {}
        self.created = []

    def images(self, name=None):
        return [i for i in self.images_by_id.values() if i.name == name]

    def create_image(self, name, filename, disk_format, container_format,
                     allow_duplicates, wait, **props):
        image_id = 'img-%d' % (len(self.images_by_id) + 1)
        known = {k: props.pop(k) for k in list(props)
                 if k in ('min_ram', 'min_disk', 'visibility', 'kernel_id',
                          'ramdisk_id', 'os_command_line', 'hw_vif_model',
                          'os_distro')}
        # Glance returns every property as a string but min_ram/min_disk.
        image = types.SimpleNamespace(
            id=image_id, name=name, status='active', disk_format=disk_format,
            container_format=container_format,
            properties={k: str(v) for k, v in props.items()}, **known)
        with open(filename, 'rb') as source:
            image.data = source.read()
        self.images_by_id[image_id] = image
        self.created.append(image)
        return image


class UploadTest(testtools.TestCase):

    def setUp(self):
        super().setUp()
        self.dir = pathlib.Path(self.useFixture(fixtures.TempDir()).path)
        files = {}
        for role, name, data in (('kernel', 'g.vmlinuz', b'K'),
                                 ('initrd', 'g.initrd', b'I'),
                                 ('qcow2', 'g.qcow2', b'Q')):
            (self.dir / name).write_bytes(data)
            files[role] = {'name': name}
        self.manifest = {'files': files, 'kernel_version': '6.1.0-9-amd64',
                         'cmdline': 'console=ttyS0 netperf.nic=auto',
                         'nic_mode': 'auto',
                         'modules': {'virtio': ['virtio_net'],
                                     'e1000': ['e1000', 'e1000e']}}
        self.proxy = FakeImageProxy()
        self.uploader = upload.Uploader(types.SimpleNamespace(
            image=self.proxy))

    def request(self, **kwargs):
        return upload.UploadRequest(directory=self.dir,
                                    manifest=self.manifest,
                                    name='netperf-guest', **kwargs)

    def test_qcow2_uploaded_then_reused(self):
        first = self.uploader.upload(self.request(vif_model='e1000'))
        (image,) = self.proxy.created
        self.assertEqual(('qcow2', 'bare', 128, 1, 'e1000', 'private'),
                         (image.disk_format, image.container_format,
                          image.min_ram, image.min_disk, image.hw_vif_model,
                          image.visibility))
        self.assertEqual(b'Q', image.data)
        self.assertFalse(first.images[0].reused)
        second = self.uploader.upload(self.request(vif_model='e1000'))
        self.assertEqual(1, len(self.proxy.created))
        self.assertTrue(second.images[0].reused)
        self.assertEqual(image.id, second.image_id('qcow2'))
        self.assertIn('reused', second.report()[0])

    def test_no_e1000_vif_model_for_a_virtio_only_build(self):
        # A --nic-mode virtio build (the cloud kernel has no e1000).
        del self.manifest['modules']['e1000']
        self.manifest['nic_mode'] = 'virtio'
        exc = self.assertRaises(exceptions.ImageError, self.uploader.upload,
                                self.request(vif_model='e1000e'))
        self.assertIn('has no e1000 driver (--nic-mode virtio', str(exc))
        self.assertIn('without --vif-model e1000e', str(exc))
        self.assertEqual([], self.proxy.created)
        self.uploader.upload(self.request(vif_model='virtio'))
        self.assertEqual('virtio', self.proxy.created[0].hw_vif_model)

    def test_changed_content_or_property_uploads_again(self):
        self.uploader.upload(self.request())
        self.uploader.upload(self.request(vif_model='e1000'))
        (self.dir / 'g.qcow2').write_bytes(b'Q2')
        self.uploader.upload(self.request(vif_model='e1000'))
        self.assertEqual(3, len(self.proxy.created))

    def test_kernel_triple(self):
        result = self.uploader.upload(self.request(
            disk_format='kernel',
            cmdline='console=ttyS0 netperf.nic=virtio netperf.virtio_csum=0'))
        kernel, ramdisk, machine = self.proxy.created
        self.assertEqual(('aki', 'aki', b'K', 'netperf-guest-kernel'),
                         (kernel.disk_format, kernel.container_format,
                          kernel.data, kernel.name))
        self.assertEqual(('ari', 'ari', b'I'),
                         (ramdisk.disk_format, ramdisk.container_format,
                          ramdisk.data))
        self.assertEqual(('ami', 'ami', 'netperf-guest'),
                         (machine.disk_format, machine.container_format,
                          machine.name))
        self.assertEqual((kernel.id, ramdisk.id, 128),
                         (machine.kernel_id, machine.ramdisk_id,
                          machine.min_ram))
        self.assertEqual(
            'console=ttyS0 netperf.nic=virtio netperf.virtio_csum=0',
            machine.os_command_line)
        self.assertEqual(machine.id, result.image_id('machine'))
        again = self.uploader.upload(self.request(
            disk_format='kernel',
            cmdline='console=ttyS0 netperf.nic=virtio netperf.virtio_csum=0'))
        self.assertEqual(3, len(self.proxy.created))
        self.assertTrue(all(image.reused for image in again.images))
        # The build's own command line is another ami, same aki/ari.
        self.uploader.upload(self.request(disk_format='kernel'))
        self.assertEqual(4, len(self.proxy.created))
        self.assertEqual('console=ttyS0 netperf.nic=auto',
                         self.proxy.created[-1].os_command_line)

    def test_missing_disk_in_build(self):
        del self.manifest['files']['qcow2']
        exc = self.assertRaises(exceptions.ImageError, self.uploader.upload,
                                self.request())
        self.assertIn('has no qcow2 file', str(exc))
        self.assertIn('without --no-disk', str(exc))

    def test_missing_file(self):
        (self.dir / 'g.initrd').unlink()
        exc = self.assertRaises(exceptions.ImageError, self.uploader.upload,
                                self.request(disk_format='kernel'))
        self.assertIn('g.initrd is missing', str(exc))
