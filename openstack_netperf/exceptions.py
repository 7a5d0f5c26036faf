"""Errors the core raises, each with a message a user can act on."""


class NetperfError(Exception):
    """Base class of every error raised by openstack-netperf."""


class InvalidInput(NetperfError, ValueError):
    """User input (task arguments, options) that cannot be used as given."""
