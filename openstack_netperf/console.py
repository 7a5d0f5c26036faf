"""What a guest's serial console says about why SSH cannot reach it.

When a guest never answers over SSH, the failure says whether it booted,
whether its init script reported ready (so the SSH server runs and the
network path is the suspect) or failed, with the console's last lines:
an operator or a gate log reader sees the cause without a second run.
"""

from __future__ import annotations

from typing import Callable

from openstack_netperf import guest as guest_mod

PREFIX = 'netperf-guest: '
BOOTING_LINE = PREFIX + 'booting'
READY_LINE = PREFIX + 'ready'
FAILED_LINE = PREFIX + 'failed'

TAIL_LINES = 15


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.splitlines() if line.strip()]


def diagnosis(text: str) -> str:
    """One sentence on the guest's state, from its console output."""
    lines = _lines(text)
    if not lines:
        return ('the console is empty: the guest did not start, or the '
                'hypervisor keeps no console log')
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
                       read_floating_ip_status: Callable[[str], str]) -> str:
    """:func:`report` on ``guest`` from the cloud's answers.

    Rally and Tempest pass their own clients' calls: ``read_console``
    takes the server id, ``read_port`` the port id and
    ``read_floating_ip_status`` the floating IP id.  Each read is
    attempted; one that fails becomes a fact, so the report never hides
    the failure it explains.
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
    return report(error, text, facts)
