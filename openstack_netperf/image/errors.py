"""Errors of the guest image builder: each says what to do about it."""

from openstack_netperf import exceptions


class ImageError(exceptions.NetperfError):
    """The guest image cannot be built or uploaded as asked."""


class MissingHostTool(ImageError):
    """A program or file the build needs is not installed on this host."""

    def __init__(self, what: str, packages: list[str]):
        self.packages = sorted(set(packages))
        super().__init__(
            '%s is missing on this host; install it with: '
            'apt-get install -y %s' % (what, ' '.join(self.packages)))
