"""Run a command line's main() in a test, its output captured."""

import io
from typing import Callable, Sequence

import fixtures
import testtools


def run_main(test: testtools.TestCase, main: Callable[[list], int],
             argv: Sequence[str]) -> tuple[int, str, str]:
    """``main(argv)``'s exit status, and what it printed to each stream."""
    out = test.useFixture(fixtures.MonkeyPatch('sys.stdout',
                                               io.StringIO())).new_value
    err = test.useFixture(fixtures.MonkeyPatch('sys.stderr',
                                               io.StringIO())).new_value
    return main(list(argv)), out.getvalue(), err.getvalue()
