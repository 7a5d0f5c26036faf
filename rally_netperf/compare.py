"""The runs ``netperf-compare`` and the ``netperf_baseline`` SLA compare.

A run is read from a Rally JSON report (``rally task report --json``),
from what ``netperf-summary --format json`` printed, or, given a task
UUID, from the database Rally is configured with (sqlite by default,
MySQL or PostgreSQL where a team shares one): Rally's own ``json``
exporter turns the task into the same report, which
:func:`rally_netperf.summary.collect` reads.  Rally is imported only for
a UUID, so files compare where Rally is not installed.

Whatever it was read from, a run is rows of
:class:`openstack_netperf.results.Row` with every round's values;
:mod:`openstack_netperf.comparison` decides on them.  An input that
cannot be compared (unreadable, empty, every iteration failed, written
before rounds were recorded) is one :class:`InvalidInput` naming it.

Both also say first what differs between the two clouds
(:func:`across_text`), from the runs' fingerprints.
"""

from __future__ import annotations

import dataclasses
import functools
import json
import os
import re
from typing import Any, Callable, Mapping, TypeVar

from openstack_netperf import exceptions
from openstack_netperf import fingerprint
from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import records
from rally_netperf import summary

_expect = records.expect
T = TypeVar('T')
_UUID = re.compile(r'^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$', re.I)


@dataclasses.dataclass
class Run:
    """One side of a comparison: its source, rows and cloud fingerprint.

    The fingerprint is empty for a run recorded before fingerprints.
    """

    source: str
    rows: list[results.Row]
    fingerprint: dict[str, str] = dataclasses.field(default_factory=dict)


def _numbers(values: Any, where: str) -> list[float]:
    return [float(_expect(v, records.NUMBER, '%s[%d]' % (where, i)))
            for i, v in enumerate(_expect(values, list, where))]


def _parsed(parse: Callable[[str], T], value: Any, where: str) -> T:
    """``parse(value)`` of a string; InvalidInput naming ``where``."""
    text = _expect(value, str, where)
    try:
        return parse(text)
    except ValueError as exc:
        raise exceptions.InvalidInput('%s: %s' % (where, exc))


def _summary_row(data: Any, where: str) -> results.Row:
    """A row of ``netperf-summary --format json`` back as a typed row."""
    _expect(data, dict, where)

    def series(name: str) -> dict[str, list[float]]:
        at = '%s.%s' % (where, name)
        return {key: _numbers(values, '%s.%s' % (at, key))
                for key, values in _expect(data.get(name, {}), dict,
                                           at).items()}

    verdicts = _expect(data.get('path_verdicts', []), list,
                       where + '.path_verdicts')
    # A summary written before flows were judged holds bursts' verdicts.
    methods = _expect(data.get('path_methods', [results.path_verdict.BURST]
                               * len(verdicts)), list,
                      where + '.path_methods')
    return results.Row(
        _parsed(topology.get_category, data.get('category'),
                where + '.category'),
        _parsed(topology.parse_router_mode, data.get('router_mode'),
                where + '.router_mode'),
        samples=series('samples'), rounds=series('rounds'),
        probes_ms=_numbers(data.get('rtt_probes_ms', []),
                           where + '.rtt_probes_ms'),
        verdicts=[_parsed(results.PathVerdict, v, '%s.path_verdicts[%d]'
                          % (where, i)) for i, v in enumerate(verdicts)],
        methods=[_expect(m, str, '%s.path_methods[%d]' % (where, i))
                 for i, m in enumerate(methods)])


def from_document(document: Any, source: str) -> Run:
    """A run from a parsed Rally JSON report or summary JSON.

    :raises InvalidInput: a document of neither shape; a run without a
        NetPerf row (saying when every iteration failed); a run written
        before rounds were recorded.
    """
    if isinstance(document, dict) and 'rows' in document:
        rows = [_summary_row(row, 'rows[%d]' % index) for index, row in
                enumerate(_expect(document['rows'], list, 'rows'))]
        if not rows:
            raise exceptions.InvalidInput('no NetPerf row in this summary')
        facts = _expect(document.get('fingerprint', {}), dict, 'fingerprint')
        prints = {_expect(k, str, 'fingerprint'): _expect(
            v, str, 'fingerprint[%r]' % k) for k, v in facts.items()}
    elif isinstance(document, dict) and 'tasks' in document:
        contents = summary.collect(document)
        if not contents.rows:
            raise exceptions.InvalidInput(
                summary.empty_note(contents).strip('()'))
        rows = contents.rows
        prints = contents.fingerprint
    else:
        raise exceptions.InvalidInput(
            'neither a Rally JSON report (no "tasks" list: write one with '
            '"rally task report --json --out FILE") nor the output of '
            '"netperf-summary --format json" (no "rows" list)')
    if not any(row.rounds for row in rows):
        raise exceptions.InvalidInput(
            'this run predates per-round figures (openstack-netperf 1.x): '
            'it has one median per iteration and no spread, so it cannot '
            'be compared with a stated confidence; measure the baseline '
            'again with this version')
    return Run(source, rows, prints)


def read_file(path: str) -> Run:
    """The run saved in ``path`` (a Rally JSON report or summary JSON)."""
    try:
        with open(path) as handle:
            text = handle.read()
    except (OSError, UnicodeDecodeError) as exc:
        raise exceptions.InvalidInput('cannot read it: %s' % exc)
    if not text.strip():
        raise exceptions.InvalidInput('the file is empty')
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise exceptions.InvalidInput('not JSON, or cut short (%s)' % exc)
    return from_document(document, path)


@functools.lru_cache(maxsize=8)
def _read_unchanged(path: str, stamp: tuple[int, int]) -> Run:
    """:func:`read_file` once per file version (path, mtime and size)."""
    return read_file(path)


def read_baseline(path: str, mode: topology.RouterMode) -> Run:
    """The ``netperf_baseline`` SLA's baseline: its rows under ``mode``.

    Rally's validator and the SLA itself both need it, in one process
    (``rally task start`` validates, then runs): the file is parsed once
    while it is unchanged.

    :raises InvalidInput: ``baseline PATH: why``, for a file that cannot
        be compared or has no row under ``mode``.
    """
    try:
        info = os.stat(path)
        run = _read_unchanged(os.path.abspath(path),
                              (info.st_mtime_ns, info.st_size))
        rows = [row for row in run.rows if row.router_mode is mode]
        if not rows:
            raise exceptions.InvalidInput('no result under a %s router in '
                                          'it' % mode.value)
    except OSError as exc:
        raise exceptions.InvalidInput('baseline %s: cannot read it: %s'
                                      % (path, exc))
    except exceptions.InvalidInput as exc:
        raise exceptions.InvalidInput('baseline %s: %s' % (path, exc))
    return Run(path, rows, run.fingerprint)


def read_task(uuid: str) -> Run:
    """The run of Rally task ``uuid``, from Rally's configured database."""
    try:
        from rally import api as rally_api
    except ImportError:
        raise exceptions.InvalidInput(
            'looks like a Rally task UUID, but Rally is not installed here: '
            'install it (pip install "openstack-netperf[rally]") or give '
            'the file "rally task report %s --json --out FILE" writes'
            % uuid)
    try:
        exported = rally_api.API().task.export(tasks=[uuid],
                                               output_type='json')
    except Exception as exc:  # its database, config or task: say which
        raise exceptions.InvalidInput('Rally cannot give this task: %s: %s'
                                      % (type(exc).__name__, exc))
    return from_document(json.loads(exported['print']), 'task ' + uuid)


def read(source: str) -> Run:
    """The run in file ``source``, or of the Rally task it names."""
    if not os.path.exists(source) and _UUID.match(source):
        return read_task(source)
    return read_file(source)


def across(baseline: Mapping[str, str], current: Mapping[str, str]
           ) -> list[fingerprint.Difference]:
    """What differs between two runs' clouds, by their fingerprints.

    Nothing when either run has no fingerprint (recorded before them).
    """
    if not (baseline and current):
        return []
    return fingerprint.differences(baseline, current)


def across_text(baseline: Mapping[str, str], current: Mapping[str, str]
                ) -> tuple[str, list[str]]:
    """What "Compared across" says: a note, or one item per difference.

    The note is empty when there are items: ``netperf-compare`` prints
    them one a line, the ``netperf_baseline`` SLA on one line.
    """
    missing = [side for side, facts in (('baseline', baseline),
                                        ('current', current)) if not facts]
    if missing:
        return ('not known (no cloud fingerprint in the %s)'
                % ' and the '.join(missing)), []
    found = across(baseline, current)
    if not found:
        return 'nothing (the same cloud fingerprint)', []
    return '', ['%s%s' % (d, ' (unknown on one side)' if d.unknown else '')
                for d in found]
