#!/usr/bin/env python3
"""Print the failed tests of a subunit stream with their tracebacks, short.

The test command prints this digest last, after the stage summary, so
the end of a long CI log (often all a reader gets) says which test failed
and why, not only the captured logging of the last failure.  Read from
standard input: ``stestr last --subunit | failure-digest.py``.
"""

from __future__ import annotations

import argparse
import sys
from typing import BinaryIO, TextIO

import subunit
import testtools

FAILED = ('fail', 'uxsuccess')


def failed_tests(stream: BinaryIO) -> list[dict]:
    """The test dicts (``testtools.StreamToDict``) that failed."""
    failures: list[dict] = []
    result = testtools.StreamToDict(
        lambda test: failures.append(test)
        if test['status'] in FAILED else None)
    source = subunit.ByteStreamToStreamResult(stream,
                                              non_subunit_name='stdout')
    result.startTestRun()
    try:
        source.run(result)
    finally:
        result.stopTestRun()
    return failures


def write_digest(failures: list[dict], out: TextIO, title: str,
                 max_tests: int, max_lines: int) -> None:
    """Each failed test's id and its traceback's last ``max_lines``."""
    if not failures:
        return
    out.write('==> %s: %d failed test(s)\n' % (title, len(failures)))
    for test in failures[:max_tests]:
        out.write('--- %s\n' % test['id'])
        detail = test['details'].get('traceback')
        text = detail.as_text() if detail is not None else (
            '(no traceback recorded; status %s)' % test['status'])
        lines = text.rstrip().splitlines()
        if len(lines) > max_lines:
            out.write('    [... %d lines ...]\n' % (len(lines) - max_lines))
        out.write(''.join('    %s\n' % line for line in lines[-max_lines:]))
    if len(failures) > max_tests:
        out.write('--- and %d more\n' % (len(failures) - max_tests))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--title', default='tests',
                        help='what the stream is, for the heading')
    parser.add_argument('--max-tests', type=int, default=5)
    parser.add_argument('--max-lines', type=int, default=40,
                        help='traceback lines kept per test (its end)')
    args = parser.parse_args(argv)
    write_digest(failed_tests(sys.stdin.buffer), sys.stdout, args.title,
                 args.max_tests, args.max_lines)
    return 0


if __name__ == '__main__':
    sys.exit(main())
