# Licensed under the Apache License, Version 2.0 (the "License"); you may
# not use this file except in compliance with the License. You may obtain
# a copy of the License at
#
#      http://www.apache.org/licenses/LICENSE-2.0
#
# Unless required by applicable law or agreed to in writing, software
# distributed under the License is distributed on an "AS IS" BASIS, WITHOUT
# WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied. See the
# License for the specific language governing permissions and limitations
# under the License.
"""Run a Rally task from start to verdict (console script
``netperf-rally-task``).

The one sequence behind the README's main command (``tools/run-main.sh``,
against the sandbox) and the gate's Rally job (against devstack): make
sure a Rally environment reaches the cloud, start the task, write its HTML
and JSON reports, print the summary table, write the summary's charts
beside Rally's report and exit with the SLA result.

Rally is driven through its command line, its stable interface; the task's
UUID is asked from Rally's database (``rally task list --uuids-only`` with
a tag unique to this run), never read from Rally's log output.  No Rally
import here, so Rally's plugin loader can import this module cheaply.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from typing import Callable, Sequence, TextIO

from openstack_netperf import exceptions

# Exit codes, those of "rally task start": the task passed, it ran into an
# error, or an SLA failed.
PASSED, ERROR, SLA_FAILED = 0, 1, 2
SUMMARY = 'netperf-summary'


@dataclasses.dataclass
class Options:
    """What one run does; the command line's options."""

    task: str
    report: str
    env: str
    env_spec: str | None = None
    task_args_file: str | None = None
    task_args: str | None = None
    tags: Sequence[str] = ()
    log: str | None = None


def _sibling_or_path(name: str) -> str | None:
    """``name`` next to this Python (its virtualenv), else on PATH."""
    here = os.path.dirname(sys.executable)
    return shutil.which(name, path=os.pathsep.join(
        [here, os.environ.get('PATH', os.defpath)]))


class Rally:
    """The ``rally`` command line, the only way this module uses Rally."""

    def __init__(self, executable: str | None = None):
        found = executable or _sibling_or_path('rally')
        if not found:
            raise exceptions.ToolMissing(
                'rally is not installed: install openstack-netperf with its '
                '"rally" extra (pip install openstack-netperf[rally])')
        self.executable = found

    def run(self, *args: str) -> subprocess.CompletedProcess:
        """Run ``rally ARGS`` quietly, for its exit status and output."""
        return subprocess.run([self.executable, *args], capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)

    def check(self, *args: str) -> str:
        """Run ``rally ARGS``; its output, or ToolError if it failed."""
        result = self.run(*args)
        if result.returncode:
            raise exceptions.ToolError(
                'rally %s exited %d: %s' % (
                    ' '.join(args), result.returncode,
                    (result.stderr or result.stdout).strip()[-1000:]),
                reason=result.stdout)
        return result.stdout

    def stream(self, args: Sequence[str], log: TextIO | None) -> int:
        """Run ``rally ARGS``, its output shown and copied to ``log``."""
        with subprocess.Popen([self.executable, *args], text=True,
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL) as proc:
            assert proc.stdout is not None  # nosec: PIPE was asked for
            for line in proc.stdout:
                sys.stdout.write(line)
                sys.stdout.flush()
                if log is not None:
                    log.write(line)
        return proc.returncode


def stage(name: str, step: Callable[[], int | None]) -> int:
    """Run one named step and print its duration, like tools/stage.sh.

    The step's status, ERROR when it raised (its message printed).
    """
    print('==> stage %s' % name, flush=True)
    start = time.monotonic()
    try:
        status = step() or PASSED
    except exceptions.NetperfError as exc:
        print('netperf-rally-task: %s' % exc, file=sys.stderr, flush=True)
        status = ERROR
    took = int(time.monotonic() - start)
    if status:
        print('==> stage %s: %d s, FAILED (exit %d)' % (name, took, status),
              flush=True)
    else:
        print('==> stage %s: %d s' % (name, took), flush=True)
    return status


def ensure_env(rally: Rally, name: str, spec: str | None) -> None:
    """A Rally environment ``name`` that authenticates, made current.

    An existing one is kept while ``rally env check`` passes (a sandbox
    brought up afresh has new credentials, so the old one fails and is
    replaced); it is created from ``spec``, or from the OS_* variables of
    this process when ``spec`` is None (``--from-sysenv``).
    """
    rally.check('db', 'ensure')
    if not rally.run('env', 'check', '--env', name).returncode:
        rally.check('env', 'use', '--env', name)
        return
    rally.run('env', 'delete', '--env', name, '--force')
    source = ['--spec', spec] if spec else ['--from-sysenv']
    rally.check('env', 'create', '--name', name, *source)
    try:
        rally.check('env', 'check', '--env', name)
    except exceptions.ToolError as exc:
        raise exceptions.CloudError(
            'Rally environment %s cannot use the cloud (wrong credentials, '
            'or the cloud is down): %s' % (name, exc)) from exc


def start_task(rally: Rally, opts: Options) -> tuple[int, str | None]:
    """Start the task; Rally's exit status and the task's UUID.

    The UUID is None when Rally refused the task before creating it (an
    invalid task file or arguments).
    """
    run_tag = 'netperf-run-%s' % uuid.uuid4().hex
    args = ['task', 'start', '--task', opts.task, '--env', opts.env,
            '--tag', run_tag]
    if opts.task_args_file:
        args += ['--task-args-file', opts.task_args_file]
    if opts.task_args:
        args += ['--task-args', opts.task_args]
    for tag in opts.tags:
        args += ['--tag', tag]
    if opts.log:
        with open(opts.log, 'w') as log:
            status = rally.stream(args, log)
    else:
        status = rally.stream(args, None)
    uuids = rally.check('task', 'list', '--uuids-only', '--env', opts.env,
                        '--tag', run_tag).split()
    if len(uuids) > 1:
        raise exceptions.ToolError('rally task list --tag %s lists %d tasks,'
                                   ' not one: %s' % (run_tag, len(uuids),
                                                     ', '.join(uuids)))
    return status, (uuids[0] if uuids else None)


def report_paths(prefix: str) -> tuple[str, str, str]:
    """Rally's HTML report, its JSON export, and the summary's page."""
    return prefix + '.html', prefix + '.json', prefix + '-summary.html'


def write_reports(rally: Rally, task_uuid: str, prefix: str) -> None:
    """Rally's HTML report (static: it opens offline) and JSON export."""
    html, json_path, _summary = report_paths(prefix)
    os.makedirs(os.path.dirname(os.path.abspath(prefix)), exist_ok=True)
    # --html-static embeds the JavaScript libraries; the default HTML
    # report loads them from CDNs.
    rally.check('task', 'report', '--uuid', task_uuid, '--html-static',
                '--out', html)
    rally.check('task', 'report', '--uuid', task_uuid, '--json',
                '--out', json_path)


def failed_slas(rally: Rally, task_uuid: str) -> list[dict]:
    """The SLA criteria of the task that failed, as Rally judged them.

    ``rally task sla-check --json`` exits non-zero when one failed (or when
    there is no SLA result at all), so its JSON, not its status, is read.
    """
    result = rally.run('task', 'sla-check', '--uuid', task_uuid, '--json')
    try:
        criteria = json.loads(result.stdout)
    except ValueError as exc:
        raise exceptions.ParseError.of_output(
            'rally task sla-check --json', 'not JSON (%s); stderr: %s' % (
                exc, result.stderr.strip()[-500:]), result.stdout) from exc
    if not criteria:
        raise exceptions.ToolError(
            'task %s has no SLA result: no workload ran to its end'
            % task_uuid)
    return [c for c in criteria if c.get('status') != 'PASS']


def summarise(json_path: str, html_path: str) -> None:
    """Print the summary table and write its charts; never fatal."""
    summary = _sibling_or_path(SUMMARY)
    if summary is None:
        print('%s not found: no summary table' % SUMMARY, file=sys.stderr)
        return
    result = subprocess.run([summary, json_path, '--html', html_path],
                            capture_output=True, text=True,
                            stdin=subprocess.DEVNULL)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    if result.returncode:
        print('%s exited %d' % (SUMMARY, result.returncode),
              file=sys.stderr)
    else:
        print('Summary charts: %s' % html_path)


def run(opts: Options, rally: Rally) -> int:
    """The whole sequence; PASSED, ERROR or SLA_FAILED."""
    if stage('rally-env', lambda: ensure_env(rally, opts.env,
                                             opts.env_spec)):
        return ERROR
    started: list[tuple[int, str | None]] = []

    def start() -> int:
        started.append(start_task(rally, opts))
        return started[0][0]

    stage('rally-task', start)
    if not started or started[0][1] is None:
        print('No task to report on: Rally did not create one (see the '
              'messages above)', file=sys.stderr)
        return ERROR
    status, task_uuid = started[0]
    if stage('rally-report', lambda: write_reports(rally, task_uuid,
                                                   opts.report)):
        return ERROR
    html, json_path, summary_html = report_paths(opts.report)
    print('HTML report: %s' % html)
    print('JSON export: %s' % json_path)
    summarise(json_path, summary_html)
    try:
        failed = failed_slas(rally, task_uuid)
    except exceptions.NetperfError as exc:
        print('netperf-rally-task: %s' % exc, file=sys.stderr)
        return ERROR
    for criterion in failed:
        print('SLA failed: %s #%s %s: %s' % (
            criterion.get('benchmark'), criterion.get('pos'),
            criterion.get('criterion'), criterion.get('detail')))
    if status not in (PASSED, SLA_FAILED):
        return ERROR
    return SLA_FAILED if failed or status == SLA_FAILED else PASSED


def parse_args(argv: Sequence[str] | None) -> tuple[Options, str | None]:
    parser = argparse.ArgumentParser(
        prog='netperf-rally-task',
        description='Run a Rally task against a cloud: reuse or create the '
                    'Rally environment, start the task, write the HTML '
                    'report and JSON export, print the summary table and '
                    'write its charts (PREFIX-summary.html). '
                    'Exits 0 when every SLA passed, 2 when one failed, 1 '
                    'on an error.')
    parser.add_argument('--task', required=True, help='Rally task file')
    parser.add_argument('--task-args-file', help='task arguments file')
    parser.add_argument('--task-args',
                        help='task arguments (YAML or JSON) that override '
                             'those of --task-args-file')
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument('--env-spec', metavar='FILE',
                        help='create the environment from this Rally env '
                             'spec (netperf-sandbox env writes one)')
    source.add_argument('--from-sysenv', action='store_true',
                        help='create the environment from the OS_* '
                             'variables (an openrc sourced)')
    parser.add_argument('--env', required=True,
                        help='name of the Rally environment')
    parser.add_argument('--report', required=True, metavar='PREFIX',
                        help='write PREFIX.html, PREFIX.json and '
                             'PREFIX-summary.html')
    parser.add_argument('--tag', action='append', default=[],
                        dest='tags', help='also tag the task (repeatable)')
    parser.add_argument('--log', help='copy the output of "rally task '
                                      'start" to this file')
    parser.add_argument('--rally', help='rally executable (default: next '
                                        'to this Python, else on PATH)')
    args = parser.parse_args(argv)
    for name in ('task', 'task_args_file', 'env_spec'):
        path = getattr(args, name)
        if path and not os.access(path, os.R_OK):
            parser.error('cannot read --%s %s' % (name.replace('_', '-'),
                                                  path))
    return Options(task=args.task, report=args.report, env=args.env,
                   env_spec=args.env_spec,
                   task_args_file=args.task_args_file,
                   task_args=args.task_args, tags=args.tags,
                   log=args.log), args.rally


def main(argv: Sequence[str] | None = None) -> int:
    opts, executable = parse_args(argv)
    try:
        return run(opts, Rally(executable))
    except exceptions.NetperfError as exc:
        print('netperf-rally-task: %s' % exc, file=sys.stderr)
        return ERROR


if __name__ == '__main__':
    sys.exit(main())
