"""The guest image and flavor a task names, looked up in Glance and Nova.

Each look-up returns what the caller needs or raises
:class:`openstack_netperf.exceptions.InvalidInput` with a message that says
what to change, so validation and a running iteration fail the same way.
"""

from __future__ import annotations

from typing import Any

from openstack_netperf import exceptions


def _get(obj: Any, key: str, default: Any = None) -> Any:
    """Read a field of a client resource or of a plain dict."""
    if isinstance(obj, dict):
        return obj.get(key, default)
    return getattr(obj, key, default)


def find_image(glance: Any, ref: str) -> tuple[str, str]:
    """The (id, name) of the image called or identified by ``ref``."""
    images = [img for img in glance.images.list()
              if ref in (_get(img, 'id'), _get(img, 'name'))]
    if not images:
        raise exceptions.InvalidInput(
            'Image %r not found in Glance: upload a guest image with iperf3, '
            'ping and an SSH server under that name (e.g. "netperf-image '
            'build" then "netperf-image upload"), or set the image argument '
            '(--task-args image_name=...) to an existing image' % ref)
    if len(images) > 1:
        raise exceptions.InvalidInput(
            'Image name %r is ambiguous (%d images): set the image argument '
            'to one of the ids %s' % (ref, len(images), ', '.join(
                sorted(_get(i, 'id') for i in images))))
    return _get(images[0], 'id'), _get(images[0], 'name') or ref


def find_flavor(nova: Any, ref: str) -> str:
    """The id of the flavor called or identified by ``ref``."""
    flavors = nova.flavors.list()
    for flavor in flavors:
        if ref in (_get(flavor, 'id'), _get(flavor, 'name')):
            return _get(flavor, 'id')
    raise exceptions.InvalidInput(
        'Flavor %r not found: create it or set the flavor argument to one of '
        '%s' % (ref, ', '.join(sorted(str(_get(f, 'name')) for f in flavors))
                or '(no flavors visible)'))
