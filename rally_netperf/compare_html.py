"""``netperf-compare --html``: baseline beside current, per category.

In the spirit of the thesis's Figures 5.8 and 5.9: per placement
category, a chart per kind of figure (throughput, round-trip time, loss)
with one group per router mode and metric, the baseline's bar beside the
current run's, each with its spread over the rounds as a whisker; the
current bar carries the verdict and the change.  Then the table the
console prints.  One offline file (:mod:`rally_netperf.svg`).

No Rally import (the comparison runs where Rally is not installed).
"""

from __future__ import annotations

import html
from typing import Sequence

from openstack_netperf import comparison
from openstack_netperf.measure import significance
from openstack_netperf import topology
from rally_netperf import svg

Verdict = comparison.Verdict
TONES = {Verdict.REGRESSED: 'bad', Verdict.IMPROVED: 'good',
         Verdict.UNCHANGED: 'neutral', Verdict.INCONCLUSIVE: 'unsure'}
# (title, unit, metric names): one chart each per category.
CHARTS = (
    ('Throughput', 'Mbit/s', ('tcp_forward', 'tcp_reverse', 'udp_forward',
                              'udp_reverse')),
    ('Round-trip time', 'ms', ('rtt_median', 'rtt_p95')),
    ('Ping loss', '%', ('loss',)),
)
LEGEND = ('Bars: median of every round; whiskers: lowest to highest '
          'round. Beside the current bar: the verdict and the change '
          '(red: regressed, green: improved, amber: inconclusive).')


def _bar(label: str, found: significance.Spread, mark: str = '',
         tone: str = 'neutral') -> svg.Bar:
    if found.count < 2:
        return svg.Bar(label, found.median, mark=mark, tone=tone)
    return svg.Bar(label, found.median, found.low, found.high, mark, tone)


def group(result: comparison.MetricResult) -> svg.Group:
    """Baseline and current of one metric, the verdict on the latter."""
    return svg.Group(
        '%s %s' % (result.router_mode.value, result.metric.label),
        [_bar('baseline', result.baseline),
         _bar('current', result.current, '%s %s' % (
             result.verdict.value, result.change_text()),
             TONES[result.verdict])])


def _category(results: Sequence[comparison.MetricResult],
              paths: Sequence[comparison.PathResult]) -> str:
    parts = ['<p style="color: %s"><b>path, %s: %s</b> (%s)</p>' % (
        svg.TONES[TONES[p.verdict]], html.escape(p.router_mode.value),
        html.escape(p.verdict.value), html.escape(p.reason)) for p in paths]
    for title, unit, names in CHARTS:
        shown = [r for r in results if r.metric.name in names]
        if not shown:
            continue
        if unit == '%' and not any(
                r.baseline.high or r.current.high for r in shown):
            parts.append('<p>%s: 0 %% in both runs.</p>' % title)
            continue
        parts.append(svg.bar_chart(title, unit, [group(r) for r in shown]))
    return '\n'.join(parts)


def render(sources: tuple[str, str], found: comparison.Comparison,
           cells: Sequence[Sequence[str]], notes: Sequence[str],
           result: str) -> str:
    """The whole page.

    :param cells: the console's table, its head first; ``notes`` the
        lines under it and ``result`` its last line.
    """
    changed = found.with_verdict(Verdict.REGRESSED, Verdict.IMPROVED)
    sections = [('Result', '<p><b>%s</b></p>\n<p>baseline: %s<br>current: '
                 '%s</p>\n<p>%s</p>\n<ul>%s</ul>' % (
                     html.escape(result), html.escape(sources[0]),
                     html.escape(sources[1]), html.escape(LEGEND),
                     ''.join('<li style="color: %s">%s</li>' % (
                         svg.TONES[TONES[r.verdict]],
                         html.escape(r.describe())) for r in changed)))]
    for category in topology.CATEGORIES:
        results = [r for r in found.metrics if r.category is category]
        paths = [p for p in found.paths if p.category is category]
        if results or paths:
            sections.append(('%s (%s)' % (category.shorthand, category.id),
                             _category(results, paths)))
    sections.append(('Every comparison', svg.table(cells, notes)))
    return svg.page('NetPerf comparison: %s against %s' % (
        sources[1], sources[0]), sections)
