"""Every Tempest test is a literal method with a literal, unique id.

Tempest's ``check-uuid`` reads the source: a test made at run time (a
``setattr`` loop) is invisible to it and passes unchecked, so the ids are
checked here against the tests the loader really finds.
"""

import contextlib
import io
import os
import sys
import tempfile
import textwrap
import unittest
import uuid

from tempest.lib.cmd import check_uuid
import testtools

from openstack_netperf import topology
from tempest_netperf import tests as netperf_tests
from tempest_netperf.tests.scenario import test_paths

# The path tests' ids were derived from their names with this namespace
# when the tests were generated; Tempest's result history is keyed on them.
PATH_ID_NAMESPACE = uuid.UUID('8a3e5d0c-6f1b-4e27-9c4a-2b7d1e0f5a63')


def id_problems(package) -> list[str]:
    """What ``check-uuid`` and the loader find wrong with the test ids."""
    checker = check_uuid.TestChecker(package)
    tests = checker.get_tests()
    literal = {'%s.%s' % (module, name)
               for module, found in tests.items() for name in found['tests']}
    loaded = set()
    for module in tests:
        for case in _cases(unittest.defaultTestLoader.loadTestsFromModule(
                sys.modules[module])):
            if type(case).__module__ == module:
                loaded.add('%s.%s.%s' % (module, type(case).__name__,
                                         case._testMethodName))
    problems = ['%s is not a literal test method' % name
                for name in sorted(loaded - literal)]
    if not loaded:
        problems.append('no tests in %s' % package.__name__)
    untagged = checker.find_untagged(tests)
    problems += ['%s.%s has no literal idempotent_id' % (module, name)
                 for module, found in sorted(untagged.items())
                 for name in sorted(found['tests'])]
    report = io.StringIO()
    with contextlib.redirect_stdout(report):
        if checker.report_collisions(tests):
            problems.append(report.getvalue().strip())
    return problems


def _cases(suite):
    for item in suite:
        if isinstance(item, unittest.TestSuite):
            yield from _cases(item)
        else:
            yield item


class IdempotentIdTest(testtools.TestCase):

    def test_the_plugin_tests(self):
        self.assertEqual([], id_problems(netperf_tests))

    def test_path_test_names_and_ids_never_change(self):
        modes = [mode.value for mode in topology.RouterMode]
        for test_class, kinds in (
                (test_paths.EastWestPathTest,
                 [c.id for c in topology.CATEGORIES]),
                (test_paths.NorthSouthPathTest, ('snat', 'dnat'))):
            names = {n for n in vars(test_class) if n.startswith('test_')}
            self.assertEqual({'test_%s_%s' % (kind, mode)
                              for kind in kinds for mode in modes}, names)
            for name in names:
                self.assertIn(
                    'id-%s' % uuid.uuid5(PATH_ID_NAMESPACE, name),
                    getattr(getattr(test_class, name), '__testtools_attrs'))

    def test_generated_untagged_and_shared_ids_are_found(self):
        source = textwrap.dedent('''\
            import testtools

            from tempest.lib import decorators


            class SomeTest(testtools.TestCase):

                @decorators.idempotent_id(
                    '11111111-2222-4333-8444-555555555555')
                def test_one(self):
                    pass

                @decorators.idempotent_id(
                    '11111111-2222-4333-8444-555555555555')
                def test_same_id(self):
                    pass

                def test_untagged(self):
                    pass


            setattr(SomeTest, 'test_generated', decorators.idempotent_id(
                '66666666-7777-4888-8999-000000000000')(lambda self: None))
        ''')
        with tempfile.TemporaryDirectory() as top:
            package = os.path.join(top, 'netperf_bad_ids')
            os.mkdir(package)
            open(os.path.join(package, '__init__.py'), 'w').close()
            with open(os.path.join(package, 'test_bad.py'), 'w') as f:
                f.write(source)
            sys.path.insert(0, top)
            self.addCleanup(sys.path.remove, top)
            for name in ('netperf_bad_ids', 'netperf_bad_ids.test_bad'):
                self.addCleanup(sys.modules.pop, name, None)
            problems = id_problems(__import__('netperf_bad_ids'))
        module = 'netperf_bad_ids.test_bad.SomeTest.'
        self.assertEqual(3, len(problems), problems)
        self.assertEqual(module + 'test_generated is not a literal test '
                         'method', problems[0])
        self.assertEqual(module + 'test_untagged has no literal '
                         'idempotent_id', problems[1])
        self.assertIn('uuid 11111111-2222-4333-8444-555555555555 collision: '
                      'SomeTest.test_same_id<->SomeTest.test_one',
                      problems[2])
