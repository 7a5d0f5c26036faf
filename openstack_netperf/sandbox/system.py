"""Run setup commands (ip, ovs-vsctl, *-manage) with useful errors."""

from __future__ import annotations

import os
import subprocess
from typing import Mapping, Sequence

from openstack_netperf import exceptions


def run(argv: Sequence[str], check: bool = True, log: str | None = None,
        env: Mapping[str, str] | None = None, timeout: float = 600.0,
        input_text: str | None = None) -> subprocess.CompletedProcess:
    """Run a command; on failure raise ServiceError naming ``log``.

    With ``log`` the output is appended there (long-running setup tools
    such as ``nova-manage``); otherwise it is captured and quoted in the
    error.
    """
    argv = [str(a) for a in argv]
    if log:
        os.makedirs(os.path.dirname(log), exist_ok=True)
        with open(log, 'ab') as out:
            out.write(('--- netperf-sandbox runs: %s\n'
                       % ' '.join(argv)).encode())
            out.flush()
            proc = subprocess.run(argv, stdout=out, stderr=subprocess.STDOUT,
                                  env=dict(env) if env else None,
                                  timeout=timeout, input=(
                                      input_text.encode() if input_text
                                      else None))
        output = ''
    else:
        proc = subprocess.run(argv, capture_output=True, text=True,
                              env=dict(env) if env else None,
                              timeout=timeout, input=input_text)
        output = (proc.stderr or proc.stdout or '').strip()
    if check and proc.returncode != 0:
        raise exceptions.ServiceError(
            '%s exited %d%s' % (' '.join(argv), proc.returncode,
                                ': %s' % output[-800:] if output else ''),
            log)
    return proc


def output(argv: Sequence[str], check: bool = True) -> str:
    """A command's standard output (stripped)."""
    return run(argv, check=check).stdout.strip()


def write_file(path: str, text: str, mode: int = 0o644) -> bool:
    """Write a file if its content differs; True when it changed."""
    try:
        with open(path) as handle:
            if handle.read() == text:
                return False
    except FileNotFoundError:
        pass
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as handle:
        handle.write(text)
    os.chmod(tmp, mode)
    os.replace(tmp, path)
    return True
