"""tools/failure-digest.py: failed tests and their tracebacks, short."""

from __future__ import annotations

import io

import subunit
import testtools
from testtools import content

from tests.unit import tools

digest = tools.load('failure-digest.py')


class _Sample(testtools.TestCase):

    def case_passes(self):
        pass

    def case_fails(self):
        for line in range(60):
            self.addDetail('log %d' % line, content.text_content(
                'noise'))
        self.fail('guest 198.19.1.5: not reachable over SSH\n'
                  'console: the guest reported ready')

    def case_skips(self):
        self.skipTest('no second compute')


def stream_of(*names: str) -> io.BytesIO:
    """A subunit v2 stream of running the named sample tests."""
    buffer = io.BytesIO()
    result = testtools.ExtendedToStreamDecorator(
        subunit.StreamResultToBytes(buffer))
    result.startTestRun()
    for name in names:
        _Sample(name).run(result)
    result.stopTestRun()
    buffer.seek(0)
    return buffer


class FailureDigestTest(testtools.TestCase):

    def digest_of(self, *names: str, **limits: int) -> str:
        out = io.StringIO()
        digest.write_digest(digest.failed_tests(stream_of(*names)), out,
                            'tempest', limits.get('max_tests', 5),
                            limits.get('max_lines', 40))
        return out.getvalue()

    def test_only_failures_with_the_end_of_their_traceback(self):
        text = self.digest_of('case_passes', 'case_fails', 'case_skips')
        lines = text.splitlines()
        self.assertEqual('==> tempest: 1 failed test(s)', lines[0])
        self.assertTrue(lines[1].startswith('--- '))
        self.assertTrue(lines[1].endswith('_Sample.case_fails'))
        self.assertIn('not reachable over SSH', text)
        self.assertEqual('    console: the guest reported ready', lines[-1])
        self.assertNotIn('case_passes', text)
        self.assertNotIn('noise', text)

    def test_long_tracebacks_keep_their_end(self):
        text = self.digest_of('case_fails', max_lines=2)
        lines = text.splitlines()
        self.assertRegex(lines[2], r'^    \[\.\.\. \d+ lines \.\.\.\]$')
        self.assertEqual(5, len(lines))
        self.assertEqual('    console: the guest reported ready', lines[-1])

    def test_at_most_max_tests(self):
        text = self.digest_of('case_fails', 'case_fails', 'case_fails',
                              max_tests=2)
        self.assertEqual(2, text.count('--- tests.unit'))
        self.assertIn('--- and 1 more', text)
        self.assertIn('3 failed test(s)', text)

    def test_nothing_failed_prints_nothing(self):
        self.assertEqual('', self.digest_of('case_passes', 'case_skips'))
