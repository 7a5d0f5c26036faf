#!/usr/bin/env python3
"""The headline figures of tools/bench-all.sh, against their goals.

Reads the JSON files that bench-sandbox.py, bench-fidelity.py and
bench-overhead.py wrote into one directory and prints one line per
figure: sandbox ``up`` time, memory with the reference topology's guests,
fidelity per direction and tool overhead.  A figure whose file is missing
(its benchmark failed) is reported as missing.

    tools/bench-headline.py output/bench
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

UP_GOAL_S = 180.0
MEMORY_GOAL_MIB = 8192.0
FIDELITY_GOAL = 0.97
OVERHEAD_GOAL_PERCENT = 10.0


def _read(directory: str, name: str) -> dict[str, Any] | None:
    try:
        with open(os.path.join(directory, name)) as handle:
            return json.load(handle)
    except FileNotFoundError:
        return None


def _line(label: str, value: str, met: bool | None, goal: str) -> str:
    verdict = {True: 'met', False: 'NOT met', None: ''}[met]
    return '%-34s %-26s goal %s %s' % (label, value, goal, verdict)


def headline(directory: str) -> list[str]:
    """One line per figure, saying whether its goal is met."""
    lines = []
    sandbox = _read(directory, 'sandbox.json')
    if sandbox is None:
        lines.append('sandbox: missing (bench-sandbox.py failed?)')
    else:
        up = sandbox['up from scratch']
        lines.append(_line('sandbox up from scratch', '%.1f s' % up,
                           up <= UP_GOAL_S, '<= %.0f s' % UP_GOAL_S))
        memory = sandbox.get('memory_with_guests')
        if memory:
            lines.append(_line('memory with guests (PSS)',
                               '%.0f MiB' % memory['total_mib'],
                               memory['total_mib'] <= MEMORY_GOAL_MIB,
                               '<= %.0f MiB' % MEMORY_GOAL_MIB))
    fidelity = _read(directory, 'fidelity.json')
    if fidelity is None:
        lines.append('fidelity: missing (bench-fidelity.py failed?)')
    else:
        for direction in ('forward', 'reverse'):
            ratio = fidelity[direction]['fidelity']
            lines.append(_line('fidelity %s' % direction, '%.3f' % ratio,
                               ratio >= FIDELITY_GOAL,
                               '>= %.2f' % FIDELITY_GOAL))
    overhead = _read(directory, 'overhead.json')
    if overhead is None:
        lines.append('overhead: missing (the task or bench-overhead.py '
                     'failed?)')
    else:
        total = overhead['total']
        share = total['overhead_percent']
        lines.append(_line(
            'tool overhead', '%.1f %% (%.0f of %.0f s)' % (
                share, total['overhead'], total['wall']),
            share <= OVERHEAD_GOAL_PERCENT,
            '<= %.0f %%' % OVERHEAD_GOAL_PERCENT))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('directory', help='where the benchmarks wrote JSON')
    args = parser.parse_args(argv)
    print('\n'.join(headline(args.directory)))
    return 0


if __name__ == '__main__':
    sys.exit(main())
