"""``netperf-compare BASELINE CURRENT``: did it get worse?

Reads two runs (:mod:`rally_netperf.compare`), compares them
(:mod:`openstack_netperf.comparison`) and prints, per category, router
mode and metric, both figures with their spread, the change and a
verdict; as a table or as JSON, and optionally as an offline HTML page
(:mod:`rally_netperf.compare_html`).

Exit status: 0 when nothing regressed, 1 when something did, 2 when an
input cannot be read, the runs share nothing to compare or the HTML page
cannot be written (one line on standard error, no traceback).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from typing import Any

from openstack_netperf import comparison
from openstack_netperf import exceptions
from openstack_netperf.measure import significance
from rally_netperf import compare
from rally_netperf import compare_html

PROG = 'netperf-compare'
Verdict = comparison.Verdict


def _min_effect(text: str) -> tuple[str, float]:
    """``5`` (every metric) or ``tcp_forward=5``, for argparse."""
    name, sep, number = text.rpartition('=')
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(
            'expected PERCENT or METRIC=PERCENT, got %r' % text)
    return (name if sep else comparison.DEFAULT), value


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description='Compare two runs of the NetPerf scenarios, figure by '
                    'figure with their spread: regressed, improved, '
                    'unchanged or inconclusive. Exit status 0: nothing '
                    'regressed; 1: something did; 2: an input cannot be '
                    'read or the runs share nothing.')
    for name, when in (('baseline', 'before'), ('current', 'after')):
        parser.add_argument(
            name, help='the run %s: a file of "rally task report --json", '
                       'of "netperf-summary --format json", or a task '
                       'UUID in the database Rally is configured with' % when)
    parser.add_argument(
        '--min-effect', type=_min_effect, action='append', default=[],
        metavar='[METRIC=]PERCENT',
        help='smallest change that counts, in percent (percentage points '
             'for loss); METRIC is one of %s; repeat for several; default '
             '%s' % (', '.join(comparison.METRIC_NAMES), ', '.join(
                 '%s %g' % (m.name, m.min_effect)
                 for m in comparison.METRICS if m.name in (
                     'tcp_forward', 'loss'))))
    parser.add_argument(
        '--confidence', type=float, default=None,
        help='two-sided confidence of the test, strictly between 0 and 1 '
             '(default %g)' % significance.DEFAULT_CONFIDENCE)
    parser.add_argument(
        '--correction', choices=comparison.CORRECTIONS,
        default=comparison.CORRECTIONS[0],
        help='holm (default): a regressed or improved verdict must also '
             'hold after the Holm-Bonferroni correction for the number of '
             'metrics judged, so that unchanged runs flag nothing by '
             'chance; none: each metric judged alone (more sensitive, '
             'more false alarms)')
    parser.add_argument('--format', choices=('text', 'json'),
                        default='text')
    parser.add_argument('--html', metavar='FILE',
                        help='also write one offline HTML page: per '
                             'category, bar charts of baseline beside '
                             'current with their spread, then the table')
    return parser


def _where(result: Any) -> dict[str, str]:
    return {'category': result.category.id,
            'thesis': result.category.shorthand,
            'router_mode': result.router_mode.value}


def across_lines(runs: tuple[compare.Run, compare.Run]) -> list[str]:
    """The fingerprint's differences, first in the text output."""
    note, items = compare.across_text(runs[0].fingerprint,
                                      runs[1].fingerprint)
    if not items:
        return ['Compared across: ' + note]
    return ['Compared across:'] + ['  ' + item for item in items]


def to_dict(runs: tuple[compare.Run, compare.Run],
            found: comparison.Comparison) -> dict[str, Any]:
    """The comparison as ``--format json`` prints it.

    ``change``, ``change_low`` and ``change_high`` are the estimate and
    confidence interval of current against baseline: a fraction
    (``-0.23`` is 23 % lower) on scale ``ratio``, an amount in ``unit``
    on scale ``absolute``; null when a side had fewer than two values.
    """
    return {
        'fingerprint_differences': [
            {'fact': d.fact, 'baseline': d.before, 'current': d.after,
             'unknown': d.unknown}
            for d in compare.across(runs[0].fingerprint,
                                    runs[1].fingerprint)],
        'baseline': {'source': runs[0].source},
        'current': {'source': runs[1].source},
        'settings': {'min_effect_percent': dict(found.settings.min_effect),
                     'confidence': found.settings.confidence,
                     'correction': found.settings.correction},
        'regressed': found.regressed,
        'counts': {v.value: found.count(v) for v in Verdict},
        'paths': [dict(_where(p), baseline=p.baseline, current=p.current,
                       verdict=p.verdict.value, reason=p.reason)
                  for p in found.paths],
        'metrics': [dict(_where(m), metric=m.metric.name, key=m.metric.key,
                         unit=m.metric.unit,
                         baseline=dataclasses.asdict(m.baseline),
                         current=dataclasses.asdict(m.current),
                         change=m.difference.change,
                         change_low=m.difference.low,
                         change_high=m.difference.high,
                         scale=m.difference.scale,
                         p_value=m.difference.p_value,
                         adjusted_p=m.adjusted_p, held_back=m.held_back,
                         verdict=m.verdict.value,
                         reason=m.difference.reason)
                    for m in found.metrics],
        'only_in_baseline': [{'category': c.id, 'router_mode': m.value}
                             for c, m in found.only_baseline],
        'only_in_current': [{'category': c.id, 'router_mode': m.value}
                            for c, m in found.only_current],
        'notes': list(found.notes),
    }


def _aligned(lines: list[list[str]]) -> list[str]:
    widths = [max(len(line[i]) for line in lines)
              for i in range(len(lines[0]))]
    return ['  '.join(cell.ljust(w) for cell, w in zip(line, widths))
            .rstrip() for line in lines]


def table(found: comparison.Comparison) -> list[list[str]]:
    """The table's cells, its head first: paths, then metrics."""
    cells = [['category', 'router', 'metric', 'baseline', 'current',
              'change', 'verdict']]
    cells += [[p.category.shorthand, p.router_mode.value, 'path',
               p.baseline, p.current, '', p.verdict.value.upper()]
              for p in found.paths]
    cells += [[m.category.shorthand, m.router_mode.value,
               '%s %s' % (m.metric.label, m.metric.unit),
               comparison.spread_text(m.baseline),
               comparison.spread_text(m.current), m.change_text(),
               m.verdict.value.upper()] for m in found.metrics]
    return cells


TABLE_NOTE = ('(median of every round, lowest-highest round and count in '
              'brackets; change: of the geometric means, in percentage '
              'points (pt) for loss)')


def _pairs(pairs: list[Any]) -> str:
    return ', '.join('%s %s' % (c.shorthand, m.value) for c, m in pairs)


def notes(found: comparison.Comparison) -> list[str]:
    """What only one run has, and the settings the test used."""
    lines = ['%s: %s' % (label, _pairs(pairs)) for label, pairs in (
        ('Only in the baseline', found.only_baseline),
        ('Only in the current run', found.only_current)) if pairs]
    lines += ['Note: %s' % note for note in found.notes]
    lines.append('Minimum effect: %s; confidence %g %%; %s' % (
        ', '.join('%s %g' % item
                  for item in found.settings.min_effect.items()),
        100 * found.settings.confidence, correction_text(found)))
    return lines


def correction_text(found: comparison.Comparison) -> str:
    """Which correction the verdicts were held to, over how many tests."""
    if found.settings.correction == 'none':
        return 'no correction for the number of metrics'
    return 'Holm correction over the %d metrics tested' % found.tested


def result_line(found: comparison.Comparison) -> str:
    return 'Result: %s' % ', '.join('%d %s' % (found.count(v), v.value)
                                    for v in Verdict)


def render_text(runs: tuple[compare.Run, compare.Run],
                found: comparison.Comparison) -> str:
    """The table, what only one run has, and why each change counted."""
    lines = ['baseline: %s' % runs[0].source, 'current:  %s' % runs[1].source]
    lines += across_lines(runs) + ['']
    lines += _aligned(table(found))
    lines.append(TABLE_NOTE)
    lines += notes(found)
    changed = found.with_verdict(Verdict.REGRESSED, Verdict.IMPROVED)
    if changed:
        lines += ['', 'Why:'] + ['  ' + r.describe() for r in changed]
    held = [m for m in found.metrics if m.held_back]
    if held:
        lines += ['', 'Flagged alone, not after the correction (measure '
                  'more rounds to tell):']
        lines += ['  ' + m.describe() for m in held]
    lines += ['', result_line(found)]
    return '\n'.join(lines) + '\n'


def render_json(runs: tuple[compare.Run, compare.Run],
                found: comparison.Comparison) -> str:
    return json.dumps(to_dict(runs, found), indent=2) + '\n'


def main(argv: list[str] | None = None) -> int:
    """Compare; 0 nothing regressed, 1 something did, 2 cannot compare."""
    args = _parser().parse_args(argv)
    try:
        settings = comparison.Settings.build(dict(args.min_effect),
                                             args.confidence, args.correction)
    except exceptions.InvalidInput as exc:
        print('%s: %s' % (PROG, exc), file=sys.stderr)
        return 2
    runs = []
    for source in (args.baseline, args.current):
        try:
            runs.append(compare.read(source))
        except exceptions.InvalidInput as exc:
            print('%s: %s: %s' % (PROG, source, exc), file=sys.stderr)
            return 2
    pair = (runs[0], runs[1])
    try:
        found = comparison.compare(pair[0].rows, pair[1].rows, settings)
    except exceptions.InvalidInput as exc:
        print('%s: nothing to compare: %s' % (PROG, exc), file=sys.stderr)
        return 2
    render = render_json if args.format == 'json' else render_text
    sys.stdout.write(render(pair, found))
    if args.html:
        page = compare_html.render(
            (pair[0].source, pair[1].source), found, table(found),
            [TABLE_NOTE] + notes(found), result_line(found))
        try:
            with open(args.html, 'w', encoding='utf-8') as handle:
                handle.write(page)
        except OSError as exc:
            print('%s: cannot write --html %s: %s'
                  % (PROG, args.html, exc.strerror or exc), file=sys.stderr)
            return 2
    return 1 if found.regressed else 0


if __name__ == '__main__':
    sys.exit(main())
