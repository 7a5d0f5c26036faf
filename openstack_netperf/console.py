"""What a guest's serial console says about why SSH cannot reach it.

When a guest never answers over SSH, the failure says whether it booted,
whether it got an address from DHCP, whether its init script reported
ready (so the SSH server runs and the network path is the suspect) or
failed, with the console's last lines and, where the nodes can be
reached, the link state of the guest's tap: an operator or a gate log
reader sees the cause without a second run.
"""

from __future__ import annotations

import re
from typing import Callable

from openstack_netperf import guest as guest_mod
from openstack_netperf.hosts import access as access_mod
from openstack_netperf import remote

PREFIX = 'netperf-guest: '
BOOTING_LINE = PREFIX + 'booting'
READY_LINE = PREFIX + 'ready'
FAILED_LINE = PREFIX + 'failed'
# The guest's DHCP hook prints "<interface> bound <address>" per lease;
# busybox udhcpc prints "no lease, forking to background" when it gives up.
LEASE_LINE = re.compile(re.escape(PREFIX) + r'\S+ bound ')
NO_LEASE = re.compile(r'udhcpc.*no lease', re.IGNORECASE)
# A ready line without addresses: no DHCP lease on any NIC.
READY_WITHOUT_ADDRESS = re.compile(r'addresses=(\s|$)')
# Nova and os-vif name a port's host device "tap" + its id, cut to 14.
TAP_NAME_LENGTH = 14

TAIL_LINES = 15


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def _no_lease(lines: list[str]) -> bool:
    """Whether the guest says DHCP gave it no address."""
    if any(LEASE_LINE.search(line) for line in lines):
        return False
    return any(NO_LEASE.search(line) or (
        READY_LINE in line and READY_WITHOUT_ADDRESS.search(line))
        for line in lines)


def diagnosis(text: str) -> str:
    """One sentence on the guest's state, from its console output."""
    lines = _lines(text)
    if not lines:
        return ('the console is empty: the guest did not start, or the '
                'hypervisor keeps no console log')
    if _no_lease(lines):
        return ('the guest got no DHCP lease ("no lease" or a ready line '
                'without addresses): it has no address at all, so SSH and '
                'its floating IP cannot work whatever runs in it; the fault '
                'is between its NIC and the DHCP server (its tap on the '
                'compute, the port in br-int, the tunnel, the DHCP agent)')
    for line in reversed(lines):
        if FAILED_LINE in line:
            return 'the guest reported a failure: "%s"' % line[
                line.index(PREFIX):]
        if READY_LINE in line:
            return ('the guest reported ready ("%s"): its SSH server runs, '
                    'so the network path to it is the suspect (port, '
                    'flows, router, floating IP)' % line[line.index(PREFIX):])
    if any(BOOTING_LINE in line for line in lines):
        return ('the guest booted but never reported ready: it is still '
                'waiting for a DHCP lease or its SSH keys')
    return ('the console shows no line of the netperf guest: another '
            'image, or a kernel that did not reach its init')


def tail(text: str, count: int = TAIL_LINES) -> str:
    """The last ``count`` non-empty lines, indented for a log message."""
    return '\n'.join('    ' + line for line in _lines(text)[-count:])


def port_state(port: dict) -> str:
    """A Neutron port's status and binding, for a report's facts."""
    return '%s, bound to %s (vif type %s)' % (
        port.get('status'), port.get('binding:host_id') or 'no host',
        port.get('binding:vif_type'))


def tap_name(port_id: str) -> str:
    """The host device of a Neutron port plugged by Nova and os-vif."""
    return ('tap' + port_id)[:TAP_NAME_LENGTH]


def tap_link_state(runner: remote.Runner, port_id: str) -> str:
    """``ip -o link show`` of the port's tap, on the node ``runner`` reaches.

    An admin-down tap (no ``UP`` flag) passes no frame between the guest
    and the bridge, whatever the port's status in Neutron says.
    """
    result = runner.run(['ip', '-o', 'link', 'show', tap_name(port_id)],
                        check=False)
    line = ' '.join((result.stdout or result.stderr).split())
    if not result.ok:
        return 'not found on %s: %s' % (runner.name, line)
    flags = re.search(r'<([^>]*)>', line)
    if flags and 'UP' not in flags.group(1).split(','):
        return 'ADMIN DOWN (no frame passes): %s' % line
    return line


def tap_reader(access: access_mod.NodeAccess | None, host: str | None,
               port_id: str) -> Callable[[], str] | None:
    """A reader of the port's tap state for :func:`unreachable_report`.

    ``None`` (nothing to read) unless node access is configured and
    reaches ``host``.
    """
    if access is None or not host or not access.reaches(host):
        return None
    return lambda: tap_link_state(access.runner(host), port_id)


def report(error: object, text: str | None,
           facts: dict[str, object] | None = None) -> str:
    """A multi-line explanation of why a guest is unreachable.

    ``text`` is the console output (``None`` when it could not be read);
    ``facts`` are extra observations such as port and floating IP status.
    """
    parts = ['%s' % error]
    for key, value in (facts or {}).items():
        parts.append('%s: %s' % (key, value))
    if text is None:
        parts.append('console: could not be read')
    else:
        parts.append('console: %s' % diagnosis(text))
        if _lines(text):
            parts.append('console, last lines:\n%s' % tail(text))
    return '\n'.join(parts)


def unreachable_report(error: object, guest: guest_mod.Guest,
                       read_console: Callable[[str], str],
                       read_port: Callable[[str], dict],
                       read_floating_ip_status: Callable[[str], str],
                       read_tap: Callable[[], str] | None = None) -> str:
    """:func:`report` on ``guest`` from the cloud's answers.

    Rally and Tempest pass their own clients' calls: ``read_console``
    takes the server id, ``read_port`` the port id and
    ``read_floating_ip_status`` the floating IP id; ``read_tap`` (see
    :func:`tap_reader`) adds the tap's link state on its node.  Each read
    is attempted; one that fails becomes a fact, so the report never
    hides the failure it explains.
    """
    facts: dict[str, object] = {
        'server': '%s on %s' % (guest.server_id, guest.host)}
    text = None
    try:
        text = read_console(guest.server_id)
    except Exception as exc:
        facts['console error'] = exc
    try:
        facts['port %s' % guest.port_id] = port_state(
            read_port(guest.port_id))
        if guest.floating_ip_id:
            facts['floating IP %s' % guest.floating_ip] = \
                read_floating_ip_status(guest.floating_ip_id)
    except Exception as exc:
        facts['neutron error'] = exc
    if read_tap is not None:
        try:
            facts['tap link state'] = read_tap()
        except Exception as exc:
            facts['tap link state error'] = exc
    return report(error, text, facts)
