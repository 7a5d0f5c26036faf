"""``netperf-summary --html``: one run drawn the way the thesis draws it.

The thesis shows its results as bar charts, one group per placement
category and one bar per router mode (Figures 5.3-5.9).  This page does
the same for every figure measured, with each bar's spread over the
rounds as a whisker and its path verdict beside it, then lists the
findings and the summary table.  One file, no script, nothing loaded
from elsewhere: it opens offline, attached to a ticket or years later.

No Rally import (the summary runs where Rally is not installed).
"""

from __future__ import annotations

import html
from typing import Callable, Sequence

from openstack_netperf import results
from openstack_netperf import topology
from rally_netperf import svg

# (figure key, chart title, unit); a chart is drawn when a row has it.
CHARTS = (
    ('tcp_forward_mbps', 'TCP throughput, forward', 'Mbit/s'),
    ('tcp_reverse_mbps', 'TCP throughput, reverse', 'Mbit/s'),
    ('udp_forward_mbps', 'UDP throughput, forward', 'Mbit/s'),
    ('udp_reverse_mbps', 'UDP throughput, reverse', 'Mbit/s'),
    ('rtt_median_ms', 'Round-trip time, median', 'ms'),
    ('rtt_p95_ms', 'Round-trip time, 95th percentile', 'ms'),
    ('udp_forward_loss_percent', 'UDP loss, forward', '%'),
    ('udp_reverse_loss_percent', 'UDP loss, reverse', '%'),
    ('ping_loss_percent', 'Ping loss', '%'),
)
# Losses are drawn only when something was lost: a chart of zeros says
# less than the one line that replaces it.
LOSS_UNIT = '%'
MODE_LABELS = {topology.RouterMode.LEGACY: 'legacy',
               topology.RouterMode.DVR: 'DVR'}
STATUS_TONES = {results.Status.HOLDS: 'good',
                results.Status.DOES_NOT_HOLD: 'bad',
                results.Status.INCONCLUSIVE: 'unsure',
                results.Status.NOT_MEASURED: 'neutral'}
# Charts side by side as far as the window is wide (forward beside
# reverse); Rally's report gives its embedded page the window's height
# and no scroll bar, so there it also keeps the page short.
SIDE_BY_SIDE = ('<div style="display: flex; flex-wrap: wrap; gap: 2em">'
                '%s</div>')
LEGEND = ('Bars: median of every round; whiskers: lowest to highest round. '
          'Beside each bar: the path verdict, whether its traffic crossed '
          'the network node (green: as thesis Table 2.1 expects, red: not '
          'as expected, amber: inconclusive or mixed).')


def path_mark(row: results.Row) -> tuple[str, str]:
    """A row's path verdict as a bar's mark and tone."""
    if not row.verdicts:
        return results.NOT_CHECKED, 'neutral'
    if row.verdict is row.expected:
        return row.verdict_text(), 'good'
    if row.verdict in (None, results.PathVerdict.INCONCLUSIVE):
        return row.verdict_text(), 'unsure'
    return '%s (expected %s)' % (row.verdict_text(),
                                 row.expected.value), 'bad'


def _bar(label: str, row: results.Row | None, key: str,
         checked: bool) -> svg.Bar:
    found = row.spread(key) if row is not None else None
    if row is None or found is None:
        return svg.Bar(label, None)
    mark, tone = path_mark(row) if checked else ('', 'neutral')
    if found.count < 2:
        return svg.Bar(label, found.median, mark=mark, tone=tone)
    return svg.Bar(label, found.median, found.low, found.high, mark, tone)


def _groups(rows: Sequence[results.Row],
            bars: Callable[[topology.Category],
                           list[tuple[str, results.Row | None, str]]]
            ) -> list[svg.Group]:
    """One group per measured category, in the thesis's order.

    ``bars`` gives a category's (label, row, figure key) of each bar.
    Marks are left out when no row was path-checked at all.
    """
    checked = any(r.verdicts for r in rows)
    return [svg.Group(category.shorthand,
                      [_bar(label, row, key, checked)
                       for label, row, key in bars(category)])
            for category in topology.CATEGORIES
            if any(r.category is category for r in rows)]


def groups(rows: Sequence[results.Row], key: str) -> list[svg.Group]:
    """One figure: a bar per router mode of the run in every category.

    A mode of the run that lacks the category gets a 'not measured' gap,
    so legacy and DVR stay side by side in every group.
    """
    modes = [m for m in topology.RouterMode
             if any(r.router_mode is m for r in rows)]
    by_key = {(r.category.id, r.router_mode): r for r in rows}
    return _groups(rows, lambda category: [
        (MODE_LABELS[m], by_key.get((category.id, m)), key) for m in modes])


def figure_groups(rows: Sequence[results.Row],
                  figures: Sequence[tuple[str, str]]) -> list[svg.Group]:
    """Rows of one router mode: a bar per (label, key) of ``figures``."""
    by_category = {r.category.id: r for r in rows}
    return _groups(rows, lambda category: [
        (label, by_category.get(category.id), key)
        for label, key in figures])


def _charts(rows: Sequence[results.Row]) -> str:
    notes = ['<p>%s</p>' % html.escape(LEGEND)]
    if not any(r.verdicts for r in rows):
        notes.append('<p>No path verdict recorded (node access not '
                     'configured): the bars carry no mark.</p>')
    drawn = []
    for key, title, unit in CHARTS:
        values = [v for r in rows for v in r.values(key)]
        if not values:
            continue
        if unit == LOSS_UNIT and not any(values):
            notes.append('<p>%s: 0 %% in every category and router '
                         'mode.</p>' % html.escape(title))
            continue
        drawn.append(svg.bar_chart(title, unit, groups(rows, key)))
    return '\n'.join(notes + [SIDE_BY_SIDE % ''.join(drawn)])


def _findings(found: Sequence[results.Finding]) -> str:
    items = ['<li><b style="color: %s">%s</b> %s<br><small>%s</small></li>'
             % (svg.TONES[STATUS_TONES[f.status]],
                html.escape(f.status.value.upper()), html.escape(f.claim),
                html.escape(f.detail))
             for f in found]
    return '<ul>\n%s\n</ul>' % '\n'.join(items)


def render(source: str, rows: Sequence[results.Row],
           found: Sequence[results.Finding],
           cells: Sequence[Sequence[str]], notes: Sequence[str]) -> str:
    """The whole page for the report ``source``.

    :param cells: the summary table, its head first (as the text output
        prints it); ``notes`` the lines under it.
    """
    sections = []
    if rows:
        sections.append(('Throughput and latency by category',
                         _charts(rows)))
    sections += [('Thesis findings', _findings(found)),
                 ('Summary table', svg.table(cells, notes))]
    return svg.page('NetPerf summary: %s' % source, sections)


# The charts of Rally's report: (title, unit, (bar label, key) ...).
RALLY_CHARTS = (
    ('Throughput', 'Mbit/s', (('TCP forward', 'tcp_forward_mbps'),
                              ('TCP reverse', 'tcp_reverse_mbps'))),
    ('Round-trip time', 'ms', (('median', 'rtt_median_ms'),
                               ('p95', 'rtt_p95_ms'))),
)
RALLY_HEADING = ('Median of every round, whiskers from the lowest to the '
                 'highest round, the path verdict beside each bar')


def rally_page(title: str, rows: Sequence[results.Row]) -> str:
    """The page Rally's report embeds: one workload, every category.

    A workload has one router mode, so each category has a bar per
    figure (forward beside reverse, median beside p95) rather than
    legacy beside DVR; ``netperf-summary --html`` puts the modes side by
    side.
    """
    if not rows:
        return svg.page(title, [('No figures', '<p>No iteration recorded '
                                 'figures for this chart.</p>')])
    charts = ''.join(svg.bar_chart('%s, %s' % (chart, unit), unit,
                                   figure_groups(rows, figures))
                     for chart, unit, figures in RALLY_CHARTS)
    # The legend is in the output's description, above the page.
    return svg.page('%s, %s routers' % (title, MODE_LABELS[
        rows[0].router_mode]), [(RALLY_HEADING, SIDE_BY_SIDE % charts)])
