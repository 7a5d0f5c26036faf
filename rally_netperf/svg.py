"""Bar charts as inline SVG and the offline HTML page that carries them.

The thesis shows its results as bar charts per placement category, one
bar per router mode (Figures 5.3-5.9).  ``netperf-summary --html`` and
``netperf-compare --html`` draw the same kind of chart, with each bar's
spread as a whisker and a short mark beside it (a path verdict, a
comparison verdict).  The charts are written by hand, not by a plotting
library: the file must open offline, anywhere, years later, and the
plugin must not pull in a dependency for a few rectangles.

Bars run horizontally, one row per bar, grouped by category, so that the
marks (``via network node``) sit in a column of their own and never
overlap a neighbouring bar.  Every text is escaped.  Nothing here loads
a script, a font or any other external resource.
"""

from __future__ import annotations

import dataclasses
import html
import math
from typing import Iterable, Sequence


@dataclasses.dataclass(frozen=True)
class Bar:
    """One bar: a value, its spread and a mark.

    ``value`` None means not measured: the chart shows a labelled gap.
    ``low`` and ``high`` (both or neither) draw the spread as a whisker.
    ``tone`` colours the mark: ``good``, ``bad``, ``neutral`` or
    ``unsure``.
    """

    label: str
    value: float | None
    low: float | None = None
    high: float | None = None
    mark: str = ''
    tone: str = 'neutral'


@dataclasses.dataclass(frozen=True)
class Group:
    """The bars of one category, drawn together."""

    label: str
    bars: Sequence[Bar]


# Colours of the bars by label (in order of first appearance) and of the
# marks by tone; dark enough to read on white, distinct in grey scale.
PALETTE = ('#4e79a7', '#f28e2b', '#59a14f', '#b07aa1', '#9c755f',
           '#e15759')
TONES = {'good': '#1a7f37', 'bad': '#c62828', 'unsure': '#a15c00',
         'neutral': '#444444'}

_ROW = 18           # height of one bar's row
_BAR = 12           # height of a bar within its row
_GROUP_GAP = 10     # space between two groups
_PLOT = 360         # width of the plotting area
_CHAR = 6.6         # rough width of a character at font-size 11
_TITLE = 24         # height of the title line
_LEGEND = 20        # height of the legend line
_AXIS = 38          # height of the axis below the bars: ticks and unit


def _text(value: str) -> str:
    return html.escape(value, quote=True)


def _number(value: float) -> str:
    """A figure as the charts write it: three significant digits."""
    if value != 0 and abs(value) < 10:
        return '%.2f' % value
    return '%.1f' % value if abs(value) < 1000 else '%.0f' % value


def _ticks(top: float) -> list[float]:
    """Round tick values from 0 to at least ``top`` (about 5 steps)."""
    if top <= 0:
        top = 1.0
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    count = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(count + 1)]


def _extent(groups: Iterable[Group]) -> float:
    values = [v for g in groups for b in g.bars
              for v in (b.value, b.high) if v is not None]
    return max(values, default=0.0)


def _colours(groups: Sequence[Group]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for group in groups:
        for bar in group.bars:
            labels.setdefault(bar.label,
                              PALETTE[len(labels) % len(PALETTE)])
    return labels


def _bar_svg(bar: Bar, y: float, left: float, scale: float,
             colour: str, notes_x: float) -> list[str]:
    """The elements of one bar's row whose top is ``y``."""
    middle = y + _ROW / 2
    parts = ['<text x="%.1f" y="%.1f" text-anchor="end" class="bar-label">'
             '%s</text>' % (left - 6, middle + 4, _text(bar.label))]
    if bar.value is None:
        parts.append('<rect x="%.1f" y="%.1f" width="%d" height="%d" '
                     'fill="none" stroke="#999999" stroke-dasharray="3 3"/>'
                     % (left, y + (_ROW - _BAR) / 2, _PLOT, _BAR))
        parts.append('<text x="%.1f" y="%.1f" class="gap" fill="#777777" '
                     'font-style="italic">not measured</text>'
                     % (left + 6, middle + 4))
        note = ''
    else:
        width = max(bar.value, 0.0) * scale
        parts.append('<rect x="%.1f" y="%.1f" width="%.1f" height="%d" '
                     'fill="%s"><title>%s: %s</title></rect>'
                     % (left, y + (_ROW - _BAR) / 2, width, _BAR, colour,
                        _text(bar.label), _number(bar.value)))
        note = _number(bar.value)
    if bar.value is not None and bar.low is not None \
            and bar.high is not None:
        x1, x2 = left + bar.low * scale, left + bar.high * scale
        parts.append('<g class="whisker" stroke="#222222" '
                     'stroke-width="1.2">'
                     '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>'
                     '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>'
                     '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f"/>'
                     '<title>%s-%s</title></g>'
                     % (x1, middle, x2, middle,
                        x1, middle - 4, x1, middle + 4,
                        x2, middle - 4, x2, middle + 4,
                        _number(bar.low), _number(bar.high)))
        note += ' (%s-%s)' % (_number(bar.low), _number(bar.high))
    tone = TONES.get(bar.tone, TONES['neutral'])
    parts.append('<text x="%.1f" y="%.1f" class="note">'
                 '<tspan fill="#222222">%s</tspan>'
                 '<tspan dx="6" fill="%s" font-weight="bold">%s</tspan>'
                 '</text>' % (notes_x, middle + 4, _text(note), tone,
                              _text(bar.mark)))
    return parts


def _note_chars(bar: Bar) -> int:
    note = '' if bar.value is None else _number(bar.value)
    if bar.low is not None and bar.high is not None:
        note += ' (%s-%s)' % (_number(bar.low), _number(bar.high))
    return len(note) + len(bar.mark) + 2


def bar_chart(title: str, unit: str, groups: Sequence[Group]) -> str:
    """One ``<svg>`` element: a horizontal bar chart grouped by category.

    The axis starts at zero and ends at a round tick above the largest
    value or whisker; each bar's value, spread and mark are written in a
    column to the right of the plot.
    """
    colours = _colours(groups)
    ticks = _ticks(_extent(groups))
    scale = _PLOT / ticks[-1]
    bars = [b for g in groups for b in g.bars]
    group_w = max([len(g.label) for g in groups] + [4]) * _CHAR + 12
    label_w = max([len(b.label) for b in bars] + [4]) * _CHAR + 12
    left = group_w + label_w
    notes_x = left + _PLOT + 12
    width = notes_x + max([_note_chars(b) for b in bars] + [10]) * _CHAR
    top = _TITLE + _LEGEND + 6
    body: list[str] = []
    y = top
    for group in groups:
        rows = max(len(group.bars), 1)
        body.append('<text x="4" y="%.1f" class="group" font-weight="bold">'
                    '%s</text>' % (y + rows * _ROW / 2 + 4,
                                   _text(group.label)))
        for bar in group.bars:
            body += _bar_svg(bar, y, left, scale, colours[bar.label],
                             notes_x)
            y += _ROW
        if not group.bars:
            y += _ROW
        y += _GROUP_GAP
    bottom = y - _GROUP_GAP + 4
    axis = ['<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
            'stroke="#222222"/>' % (left, top - 4, left, bottom),
            '<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
            'stroke="#222222"/>' % (left, bottom, left + _PLOT, bottom)]
    for tick in ticks:
        x = left + tick * scale
        axis.append('<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" '
                    'stroke="#dddddd"/>' % (x, top - 4, x, bottom))
        axis.append('<text x="%.1f" y="%.1f" text-anchor="middle" '
                    'class="tick">%g</text>' % (x, bottom + 14, tick))
    axis.append('<text x="%.1f" y="%.1f" text-anchor="middle" '
                'class="unit">%s</text>'
                % (left + _PLOT / 2, bottom + 30, _text(unit)))
    legend = []
    x = left
    for label, colour in colours.items():
        legend.append('<rect x="%.1f" y="%d" width="10" height="10" '
                      'fill="%s"/><text x="%.1f" y="%d">%s</text>'
                      % (x, _TITLE + 4, colour, x + 14, _TITLE + 13,
                         _text(label)))
        x += 14 + len(label) * _CHAR + 16
    height = bottom + _AXIS
    return ('<svg class="chart" width="%d" height="%d" '
            'viewBox="0 0 %d %d" role="img" '
            'font-family="sans-serif" font-size="11">'
            '<title>%s</title>'
            '<text x="4" y="16" font-size="13" font-weight="bold">%s</text>'
            '%s%s%s</svg>'
            % (math.ceil(width), height, math.ceil(width), height,
               _text(title), _text(title), ''.join(legend), ''.join(axis),
               ''.join(body)))


_STYLE = """
body { font-family: sans-serif; margin: 1.5em; color: #222; }
h1 { font-size: 1.4em; }
h2 { font-size: 1.15em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; font-size: 0.9em; }
th, td { border: 1px solid #ccc; padding: 0.2em 0.5em; text-align: left; }
th { background: #f3f3f3; }
pre { background: #f7f7f7; padding: 0.6em; overflow-x: auto; }
svg.chart { display: block; margin: 0.8em 0; max-width: 100%; height: auto; }
"""


def page(title: str, sections: Sequence[tuple[str, str]]) -> str:
    """A complete offline HTML5 document of (heading, HTML fragment).

    The fragments are inserted as they are (the caller escapes its text);
    the headings are escaped here.  The style is inline; there is no
    script and no reference to anything outside the file.
    """
    body = ''.join('<section><h2>%s</h2>\n%s\n</section>\n'
                   % (_text(heading), fragment)
                   for heading, fragment in sections)
    return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n'
            '<meta charset="utf-8">\n<title>%s</title>\n'
            '<style>%s</style>\n</head>\n<body>\n<h1>%s</h1>\n%s'
            '</body>\n</html>\n'
            % (_text(title), _STYLE, _text(title), body))


def table(cells: Sequence[Sequence[str]], notes: Sequence[str]) -> str:
    """An HTML table of text cells, its head first, and notes under it."""
    head, *body = cells
    lines = ['<table>', '<tr>%s</tr>' % ''.join(
        '<th>%s</th>' % html.escape(c) for c in head)]
    lines += ['<tr>%s</tr>' % ''.join('<td>%s</td>' % html.escape(c)
                                      for c in line) for line in body]
    lines.append('</table>')
    lines += ['<p>%s</p>' % html.escape(n) for n in notes]
    return '\n'.join(lines)
