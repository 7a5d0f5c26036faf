"""The real outputs kept for a parser and the figures recorded for them."""

import json
import os


def load(folder, suffix, ignore=()):
    """(names, expected): every output in ``folder`` and ``external/``.

    Names are relative to ``folder``; ``expected`` is its
    ``expected.json``.  The caller checks that both hold the same names,
    so an output added without figures fails the test.
    """
    with open(os.path.join(folder, 'expected.json')) as f:
        expected = json.load(f)
    names = sorted(
        os.path.relpath(os.path.join(where, name), folder)
        for where in (folder, os.path.join(folder, 'external'))
        for name in os.listdir(where)
        if name.endswith(suffix) and name not in ('expected.json', *ignore))
    return names, expected
