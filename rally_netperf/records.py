"""The one codec between typed results and a Rally iteration's output.

An SLA sees nothing of an iteration but its ``output`` dict, and
``netperf-summary`` nothing of a run but Rally's JSON report, so the
results travel through the output as plain JSON.  This module writes
them there and reads them back into the same typed values
(:mod:`openstack_netperf.results`):

* figures: one additive output per chart and category (Rally shows their
  statistics across iterations), each figure a ``[label, value]`` pair;
  the title says the chart and category.  Both are looked up in tables
  built here, never parsed;
* each round's value of every figure, and every kept RTT: one complete
  output whose ``data`` is a record with one row per category and figure
  (category id, summary key or :data:`PROBES`, the list of values),
  shown by the chart plugin named :data:`ROUNDS_PLUGIN`;
* the chart across categories: one additive output per iteration whose
  ``[label, value]`` pairs are every round of the charted figures of every
  category, the path verdicts and the router mode (labels looked up in a
  table built here), drawn by the chart plugin named
  :data:`CATEGORY_CHART_PLUGIN`.  Rally's task result schema allows an
  additive output nothing but such pairs;
* path verdicts: one complete output whose ``data`` is a record with one
  row per checked flow (category id, router mode, expected crossing as
  0/1, :class:`~openstack_netperf.hosts.verdict.PathVerdict` value, ...).
  Rally's HTML report shows it as a table through the
  :mod:`rally_netperf.charts` plugin named :data:`PATH_PLUGIN`;
* the cloud fingerprint (:mod:`openstack_netperf.fingerprint`): one
  complete output whose ``data`` is a record of ``[fact, value]`` rows,
  both text, shown by the plugin named :data:`FINGERPRINT_PLUGIN`.

No Rally import here: ``netperf-summary`` reads reports without Rally.
A value of the wrong shape raises
:class:`~openstack_netperf.exceptions.InvalidInput` naming where it is.
"""

from __future__ import annotations

import statistics
from typing import Any, Iterable, Iterator, Mapping

from openstack_netperf import exceptions
from openstack_netperf import results
from openstack_netperf import topology

# Chart plugins of rally_netperf.charts, named here so that the readers
# need no Rally.
STATS_PLUGIN = 'NetPerfStatsTable'
PATH_PLUGIN = 'NetPerfPathVerdicts'
ROUNDS_PLUGIN = 'NetPerfRounds'
FINGERPRINT_PLUGIN = 'NetPerfFingerprint'
CATEGORY_CHART_PLUGIN = 'NetPerfCategoryChart'

SEPARATOR = ' | '
# Additive charts: (title, ((label, summary key), ...)).
ADDITIVE_CHARTS: tuple[tuple[str, tuple[tuple[str, str], ...]], ...] = (
    ('Throughput, Mbit/s', (
        ('TCP forward', 'tcp_forward_mbps'),
        ('TCP reverse', 'tcp_reverse_mbps'),
        ('UDP forward', 'udp_forward_mbps'),
        ('UDP reverse', 'udp_reverse_mbps'),
    )),
    ('Latency, ms', (
        ('RTT median', 'rtt_median_ms'),
        ('RTT p95', 'rtt_p95_ms'),
    )),
    ('Loss and retransmits', (
        ('ping loss %', 'ping_loss_percent'),
        ('UDP forward loss %', 'udp_forward_loss_percent'),
        ('UDP reverse loss %', 'udp_reverse_loss_percent'),
        ('TCP forward retransmits', 'tcp_forward_retransmits'),
        ('TCP reverse retransmits', 'tcp_reverse_retransmits'),
    )),
    ('Warm-up', (
        ('seconds', 'warmup_seconds'),
        ('settled (1 = yes)', 'warmup_settled'),
    )),
)

PATH_TITLE = 'Path verdicts'
PATH_DESCRIPTION = (
    'Did each flow cross the network node? Counters on the network '
    'node(s) and the computes around the measured flow (method flow) or '
    'around a ping burst from the source guest against a quiet window '
    'before it (method burst); expected: thesis Table 2.1')
# The record's fields, in the order of its rows.  Records written before
# flows were judged lack the last, method: their verdicts are bursts'.
PATH_FIELDS = ('category', 'router_mode', 'expected_crossing', 'verdict',
               'sender', 'target', 'network_nodes', 'burst', 'reason',
               'method')
_BURST_PATH_FIELDS = PATH_FIELDS[:-1]
_METHODS = (results.path_verdict.BURST, results.path_verdict.FLOW)
_NODE_SEPARATOR = ','


def item_title(base: str, category: topology.Category) -> str:
    """The title of a per-category output item."""
    return '%s%s%s (%s)' % (base, SEPARATOR, category.shorthand,
                            category.id)


# Title -> (category, {label: summary key}) of every figures chart.
_FIGURE_CHARTS = {item_title(base, category): (category, dict(labels))
                  for base, labels in ADDITIVE_CHARTS
                  for category in topology.CATEGORIES}


def _fail(where: str, what: str) -> exceptions.InvalidInput:
    return exceptions.InvalidInput('%s: %s' % (where, what))


NUMBER = (int, float)
_KINDS = {dict: 'an object', list: 'a list', str: 'a string',
          NUMBER: 'a number'}


def expect(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    """``value`` when it is a ``kind``; else say where the report is off.

    ``None`` (JSON ``null``) is never a ``kind``, nor is a boolean a
    number.
    """
    if isinstance(value, bool) or not isinstance(value, kind):
        raise _fail(where, 'expected %s, got %s' % (
            _KINDS[kind], 'null' if value is None
            else type(value).__name__))
    return value


def encode_figures(figures: results.CategoryFigures,
                   description: str) -> list[dict[str, Any]]:
    """One additive output per chart with a figure, for one category."""
    outputs = []
    for base, labels in ADDITIVE_CHARTS:
        data = [[label, round(figures.values[key], 3)]
                for label, key in labels if key in figures.values]
        if data:
            outputs.append({
                'title': item_title(base, figures.category),
                'description': description,
                'chart_plugin': STATS_PLUGIN,
                'data': data,
            })
    return outputs


def _items(output: Any, kind: str, where: str) -> list[dict[str, Any]]:
    expect(output, dict, where)
    items = expect(output.get(kind, []), list, '%s.%s' % (where, kind))
    for index, item in enumerate(items):
        at = '%s.%s[%d]' % (where, kind, index)
        expect(expect(item, dict, at).get('title'), str, at + '.title')
    return items


def _pairs(data: Any, where: str) -> Iterator[tuple[str, float]]:
    """The ``[label, value]`` pairs of an additive output's data."""
    for number, pair in enumerate(expect(data, list, where)):
        at = '%s[%d]' % (where, number)
        if not isinstance(pair, list) or len(pair) != 2:
            raise _fail(at, 'expected [label, value], got %r' % (pair,))
        yield (expect(pair[0], str, at + '[0]'),
               float(expect(pair[1], NUMBER, at + '[1]')))


def decode_figures(output: Any, where: str = 'output'
                   ) -> list[results.CategoryFigures]:
    """The figures an iteration's ``output`` carries, one per category."""
    values: dict[topology.Category, dict[str, float]] = {}
    for index, item in enumerate(_items(output, 'additive', where)):
        chart = _FIGURE_CHARTS.get(item.get('title'))
        if chart is None:
            continue
        category, keys = chart
        for label, value in _pairs(item.get('data'), '%s.additive[%d].data'
                                   % (where, index)):
            key = keys.get(label)
            if key is not None:
                values.setdefault(category, {})[key] = value
    rounds: dict[topology.Category, Any] = {}
    for index, item in enumerate(_items(output, 'complete', where)):
        if item.get('chart_plugin') == ROUNDS_PLUGIN:
            rounds.update(decode_rounds(item.get('data'),
                                        '%s.complete[%d].data'
                                        % (where, index)))
    return [results.CategoryFigures(c, v, *rounds.get(c, ({}, ())))
            for c, v in values.items()]


ROUNDS_TITLE = 'Per-round figures'
ROUNDS_DESCRIPTION = (
    'Each round\'s value of every figure (the charts above show their '
    'median), and every RTT kept after the discarded probes')
ROUNDS_FIELDS = ('category', 'figure', 'values')
# The figure name of the kept RTTs in the rounds record.
PROBES = 'rtt_probes_ms'


def encode_rounds(figures: results.CategoryFigures) -> dict[str, Any]:
    """The complete output recording the rounds of one category."""
    rows = [[figures.category.id, key, [round(v, 3) for v in values]]
            for key, values in figures.rounds.items()]
    if figures.probes_ms:
        rows.append([figures.category.id, PROBES,
                     [round(v, 3) for v in figures.probes_ms]])
    return {'title': item_title(ROUNDS_TITLE, figures.category),
            'description': ROUNDS_DESCRIPTION,
            'chart_plugin': ROUNDS_PLUGIN,
            'data': {'cols': list(ROUNDS_FIELDS), 'rows': rows}}


def decode_rounds(data: Any, where: str = 'data'
                  ) -> dict[topology.Category,
                            tuple[dict[str, tuple[float, ...]],
                                  tuple[float, ...]]]:
    """Per category: each figure's rounds, and the kept RTTs."""
    found: dict[topology.Category, tuple[dict[str, tuple[float, ...]],
                                         tuple[float, ...]]] = {}
    for cells, at in _table_rows(data, where, ROUNDS_FIELDS, 'the fields'):
        expect(cells, list, at)
        if len(cells) != len(ROUNDS_FIELDS):
            raise _fail(at, 'expected [category, figure, values], got %r'
                        % (cells,))
        try:
            category = topology.get_category(expect(cells[0], str,
                                                    at + '[0]'))
        except exceptions.InvalidInput as exc:
            raise _fail(at + '[0]', str(exc))
        key = expect(cells[1], str, at + '[1]')
        values = tuple(float(expect(v, NUMBER, '%s[2][%d]' % (at, i)))
                       for i, v in enumerate(expect(cells[2], list,
                                                    at + '[2]')))
        rounds, probes = found.setdefault(category, ({}, ()))
        if key == PROBES:
            found[category] = (rounds, values)
        else:
            rounds[key] = values
    return found


def encode_paths(rows: Iterable[results.PathRow]) -> dict[str, Any]:
    """The complete output recording every checked flow's verdict."""
    return {
        'title': PATH_TITLE,
        'description': PATH_DESCRIPTION,
        'chart_plugin': PATH_PLUGIN,
        'data': {'cols': list(PATH_FIELDS), 'rows': [
            [r.category.id, r.router_mode.value, int(r.expected_crossing),
             r.verdict.value, r.sender, r.target,
             _NODE_SEPARATOR.join(r.network_nodes), r.burst, r.reason,
             r.method]
            for r in rows]},
    }


def _enum(kind: type, value: Any, where: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        raise _fail(where, 'unknown %s %r' % (kind.__name__, value))


def _path_row(cells: Any, where: str,
              fields: tuple[str, ...] = PATH_FIELDS) -> results.PathRow:
    expect(cells, list, where)
    if len(cells) != len(fields):
        raise _fail(where, 'expected %d fields (%s), got %d' % (
            len(fields), ', '.join(fields), len(cells)))
    field = dict(zip(fields, cells))
    field.setdefault('method', results.path_verdict.BURST)
    for name in PATH_FIELDS:
        if name != 'expected_crossing':
            expect(field[name], str, '%s.%s' % (where, name))
    if field['method'] not in _METHODS:
        raise _fail('%s.method' % where, 'expected one of %s, got %r'
                    % (', '.join(_METHODS), field['method']))
    if field['expected_crossing'] not in (0, 1) or isinstance(
            field['expected_crossing'], float):
        raise _fail('%s.expected_crossing' % where, 'expected 0 or 1, got '
                    '%r' % (field['expected_crossing'],))
    try:
        category = topology.get_category(field['category'])
    except exceptions.InvalidInput as exc:
        raise _fail('%s.category' % where, str(exc))
    nodes = field['network_nodes']
    return results.PathRow(
        category=category,
        router_mode=_enum(topology.RouterMode, field['router_mode'],
                          '%s.router_mode' % where),
        expected_crossing=bool(field['expected_crossing']),
        verdict=_enum(results.PathVerdict, field['verdict'],
                      '%s.verdict' % where),
        sender=field['sender'], target=field['target'],
        network_nodes=tuple(nodes.split(_NODE_SEPARATOR)) if nodes else (),
        burst=field['burst'], reason=field['reason'],
        method=field['method'])


def _table_rows(data: Any, where: str, cols: tuple[str, ...],
                what: str, older: tuple[tuple[str, ...], ...] = ()
                ) -> list[tuple[Any, str]]:
    """(cells, where) of each row of a ``{cols, rows}`` table.

    :raises InvalidInput: unless the columns are ``cols`` (or one of the
        ``older`` versions of them); ``what`` says what else they could
        have been.
    """
    expect(data, dict, where)
    got = expect(data.get('cols'), list, '%s.cols' % where)
    if tuple(got) != cols and tuple(got) not in older:
        raise _fail('%s.cols' % where, 'expected %s %s, got %s'
                    % (what, list(cols), got))
    rows = expect(data.get('rows'), list, '%s.rows' % where)
    return [(row, '%s.rows[%d]' % (where, index))
            for index, row in enumerate(rows)]


def decode_path_record(data: Any, where: str = 'data'
                       ) -> list[results.PathRow]:
    """The rows of a path verdict record (the ``data`` of its output).

    A record without the method field (written before flows were judged)
    reads as bursts.
    """
    rows = _table_rows(data, where, PATH_FIELDS, 'the fields (was the '
                       'report written by another version of '
                       'openstack-netperf?)', (_BURST_PATH_FIELDS,))
    return [_path_row(cells, at, tuple(data['cols'])) for cells, at in rows]


# The display table that openstack-netperf 1.x wrote instead of the
# record: its rows are read back so a baseline saved by that version
# still summarises (and compares) after an upgrade.
LEGACY_PATH_COLUMNS = ('category', 'thesis', 'router', 'expected', 'verdict',
                       'as expected', 'sender', 'target', 'network nodes',
                       'burst', 'reason')
_LEGACY_EXPECTED = {results.PathVerdict.expected(True).value: 1,
                    results.PathVerdict.expected(False).value: 0}


def decode_legacy_path_table(data: Any, where: str = 'data'
                             ) -> list[results.PathRow]:
    """The rows of a 1.x "Path verdicts" table, as typed rows."""
    record = []
    for cells, at in _table_rows(data, where, LEGACY_PATH_COLUMNS,
                                 'the record of this version or the table '
                                 'of 1.x'):
        expect(cells, list, at)
        if len(cells) != len(LEGACY_PATH_COLUMNS):
            raise _fail(at, 'expected %d cells, got %d'
                        % (len(LEGACY_PATH_COLUMNS), len(cells)))
        old = dict(zip(LEGACY_PATH_COLUMNS, cells))
        expected = _LEGACY_EXPECTED.get(old['expected'])
        if expected is None:
            raise _fail(at + '.expected', 'expected one of %s, got %r'
                        % (sorted(_LEGACY_EXPECTED), old['expected']))
        nodes = expect(old['network nodes'], str, at + '.network nodes')
        record.append(_path_row(
            [old['category'], old['router'], expected, old['verdict'],
             old['sender'], old['target'],
             _NODE_SEPARATOR.join(n.strip() for n in nodes.split(',')
                                  if n.strip()),
             old['burst'], old['reason']], at, _BURST_PATH_FIELDS))
    return record


def decode_paths(output: Any, where: str = 'output'
                 ) -> list[results.PathRow] | None:
    """The path verdicts an iteration recorded; None when none was.

    An iteration without node access carries a note under the same title
    instead of the record: that also gives None.
    """
    for index, item in enumerate(_items(output, 'complete', where)):
        if item.get('title') != PATH_TITLE:
            continue
        at = '%s.complete[%d]' % (where, index)
        if item.get('chart_plugin') == PATH_PLUGIN:
            return decode_path_record(item.get('data'), '%s.data' % at)
        if item.get('chart_plugin') == 'Table':
            return decode_legacy_path_table(item.get('data'),
                                            '%s.data' % at)
        if item.get('chart_plugin') != 'TextArea':
            raise _fail(at, '"%s" is a %r output, neither the record of '
                        'this version nor the table of 1.x' % (
                            PATH_TITLE, item.get('chart_plugin')))
    return None


FINGERPRINT_TITLE = 'Cloud fingerprint'
FINGERPRINT_DESCRIPTION = (
    'What this iteration measured on: Neutron, Nova, the tenant networks, '
    'the nodes, the guests and the methodology settings; "unknown" where '
    'a fact could not be read (no admin, an API error, no node access)')
FINGERPRINT_FIELDS = ('fact', 'value')


def encode_fingerprint(facts: Mapping[str, str]) -> dict[str, Any]:
    """The complete output recording a fingerprint, by fact name."""
    return {'title': FINGERPRINT_TITLE,
            'description': FINGERPRINT_DESCRIPTION,
            'chart_plugin': FINGERPRINT_PLUGIN,
            'data': {'cols': list(FINGERPRINT_FIELDS),
                     'rows': [[k, facts[k]] for k in sorted(facts)]}}


def decode_fingerprint_record(data: Any, where: str = 'data'
                              ) -> dict[str, str]:
    """The facts of a fingerprint record (the ``data`` of its output)."""
    facts = {}
    for cells, at in _table_rows(data, where, FINGERPRINT_FIELDS,
                                 'the fields'):
        if not isinstance(cells, list) or len(cells) != 2:
            raise _fail(at, 'expected [fact, value], got %r' % (cells,))
        facts[expect(cells[0], str, at + '[0]')] = expect(
            cells[1], str, at + '[1]')
    return facts


def decode_fingerprint(output: Any, where: str = 'output'
                       ) -> dict[str, str] | None:
    """The fingerprint an iteration recorded; None when none was."""
    for index, item in enumerate(_items(output, 'complete', where)):
        if item.get('chart_plugin') == FINGERPRINT_PLUGIN:
            return decode_fingerprint_record(
                item.get('data'), '%s.complete[%d].data' % (where, index))
    return None


CATEGORY_CHART_TITLE = 'Throughput and latency by category'
CATEGORY_CHART_DESCRIPTION = (
    'Every category of the workload, as thesis figures 5.8 and 5.9: bars '
    'are the median of every round of every iteration, whiskers the '
    'lowest and highest round; beside each bar, the path verdict (green: '
    'as thesis Table 2.1 expects, red: not as expected, amber: '
    'inconclusive or mixed)')
# (label, summary key) of the figures the chart draws.
CATEGORY_CHART_FIGURES = (('TCP forward', 'tcp_forward_mbps'),
                          ('TCP reverse', 'tcp_reverse_mbps'),
                          ('RTT median', 'rtt_median_ms'),
                          ('RTT p95', 'rtt_p95_ms'))
_ROUTER_LABEL = 'router %s'
# Label -> what it carries, for every label the chart's pairs may have.
_CHART_FIGURES = {'%s %s' % (c.shorthand, label): (c, key)
                  for c in topology.CATEGORIES
                  for label, key in CATEGORY_CHART_FIGURES}
_CHART_VERDICTS = {'%s path %s' % (c.shorthand, v.value): (c, v)
                   for c in topology.CATEGORIES for v in results.PathVerdict}
_CHART_MODES = {_ROUTER_LABEL % m.value: m for m in topology.RouterMode}


def encode_category_chart(
        router_mode: topology.RouterMode,
        figures: Iterable[results.CategoryFigures],
        verdicts: Iterable[tuple[topology.Category, results.PathVerdict]]
) -> dict[str, Any]:
    """The additive output of one iteration for the chart across categories.

    Each round is a pair of its own (a category's label repeats), so
    ``rally task detailed``, which shows any additive output as
    statistics, shows each figure's range over every round.  Figures
    without rounds (read from an older report) give their median.
    """
    data: list[list[Any]] = [[_ROUTER_LABEL % router_mode.value, 1]]
    for found in figures:
        for label, key in CATEGORY_CHART_FIGURES:
            values = found.rounds.get(key) or (
                [found.values[key]] if key in found.values else [])
            data += [['%s %s' % (found.category.shorthand, label),
                      round(v, 3)] for v in values]
    data += [['%s path %s' % (category.shorthand, verdict.value), 1]
             for category, verdict in verdicts]
    return {'title': CATEGORY_CHART_TITLE,
            'description': CATEGORY_CHART_DESCRIPTION,
            'chart_plugin': CATEGORY_CHART_PLUGIN,
            'data': data}


def decode_category_chart(iterations: Iterable[Any], where: str = 'data'
                          ) -> list[results.Row]:
    """The rows the chart draws, from every iteration's pairs.

    One row per category: each figure's rounds, each iteration's median
    of them, and each recorded path verdict.  Labels of no known kind
    are skipped (a later version may chart more).
    """
    rows: dict[topology.Category, results.Row] = {}
    for number, data in enumerate(iterations):
        at = '%s[%d]' % (where, number)
        mode = topology.RouterMode.DVR
        rounds: dict[topology.Category, dict[str, list[float]]] = {}
        verdicts = []
        for label, value in _pairs(data, at):
            if label in _CHART_MODES:
                mode = _CHART_MODES[label]
            elif label in _CHART_FIGURES:
                category, key = _CHART_FIGURES[label]
                rounds.setdefault(category, {}).setdefault(
                    key, []).append(value)
            elif label in _CHART_VERDICTS:
                verdicts.append(_CHART_VERDICTS[label])
        for category, figures in rounds.items():
            row = rows.setdefault(category, results.Row(category, mode))
            for key, values in figures.items():
                row.rounds.setdefault(key, []).extend(values)
                row.samples.setdefault(key, []).append(
                    statistics.median(values))
        for category, verdict in verdicts:
            rows.setdefault(category, results.Row(category, mode)
                            ).verdicts.append(verdict)
    order = list(topology.CATEGORIES)
    return sorted(rows.values(), key=lambda r: order.index(r.category))
