"""The two small charts of a unit profile, as inline SVG from plain numbers and labels:

* :func:`unit_trend` — the unit's composite score and its rank over every panel year
  (two aligned panels: score above, rank below with rank 1 at the top);
* :func:`unit_dots` — a dot plot of the unit's dimensions against its group's median
  and the best unit of the year (and, faintly, its own score the year before).

Text stays SVG text (escaped by :mod:`evaluator.report.svg`); colours come from CSS
classes (the Okabe–Ito palette of ``reports/report.css``), and every series also differs
in shape, so the charts read in grey and for colour-blind readers.
"""
from __future__ import annotations

import math
from typing import Sequence

from markupsafe import Markup

from .svg import Scale, Svg, nice_ticks, tick_label


def _finite(v) -> bool:
    return v is not None and math.isfinite(v)


def _value(v: float) -> str:
    return f"{v:.1f}"


def unit_trend(years: Sequence[int], scores: Sequence[float], ranks: Sequence[float],
               of: Sequence[int], lo: float, hi: float, *, label: str,
               titles: tuple[str, str]) -> Markup:
    """Score (upper panel, on [lo, hi]) and rank (lower panel, 1 at the top, down to the
    most units ranked in any year) per year; a missing year leaves a gap in the line.
    ``of``: units ranked per year (for the tooltips); ``titles``: the panels' names."""
    width, left, right = 400.0, 40.0, 14.0
    top1, h1, gap, h2 = 20.0, 62.0, 34.0, 52.0
    top2 = top1 + h1 + gap
    height = top2 + h2 + 22
    svg = Svg(width, height, label=label, cls="chart unit trendline", titled=False)
    span = (min(years), max(years)) if len(years) > 1 else (years[0] - 1, years[0] + 1)
    x = Scale(span[0], span[1], left + 8, width - right - 8)
    y1 = Scale(lo, hi, top1 + h1, top1)
    worst = max([int(n) for n in of if n] + [int(r) for r in ranks if _finite(r)] + [2])
    y2 = Scale(1, worst, top2, top2 + h2)
    svg.text(left - 34, top1 - 8, titles[0], class_="ptitle")
    svg.text(left - 34, top2 - 8, titles[1], class_="ptitle")
    for v in nice_ticks(lo, hi, 3):
        svg.line(left, y1(v), width - right, y1(v), class_="grid")
        svg.text(left - 5, y1(v) + 4, tick_label(v), class_="tick", text_anchor="end")
    for v in [1.0] + [v for v in nice_ticks(1, worst, 3) if v > 1]:
        svg.line(left, y2(v), width - right, y2(v), class_="grid")
        svg.text(left - 5, y2(v) + 4, tick_label(v), class_="tick", text_anchor="end")
    every = max(1, math.ceil(len(years) / 6))
    for k, yr in enumerate(years):
        if k % every == 0 or k == len(years) - 1:
            svg.text(x(yr), top2 + h2 + 16, str(yr), class_="tick", text_anchor="middle")
    for values, y, cls, show in ((scores, y1, "s0", _value),
                                 (ranks, y2, "s5", lambda v: f"{v:.0f}")):
        runs: list[list[tuple[float, float]]] = [[]]
        for yr, v in zip(years, values):
            if _finite(v):
                runs[-1].append((x(yr), y(v)))
            elif runs[-1]:
                runs.append([])     # a year without a score breaks the line
        for run in runs:
            if len(run) > 1:
                svg.path(run, class_=f"trend {cls}")
        points = [(yr, v) for yr, v in zip(years, values) if _finite(v)]
        for k, (yr, v) in enumerate(points):
            n = of[list(years).index(yr)]
            tip = f"{yr}: {show(v)}" + (f" / {n}" if cls == "s5" and n else "")
            svg.circle(x(yr), y(v), 2.8, class_=f"pt {cls}", title=tip)
            if k == len(points) - 1:
                svg.text(x(yr), y(v) - 6, show(v), class_="val", text_anchor="middle")
    return svg.markup()


def unit_dots(rows: Sequence[tuple[str, float, float, float, float]], lo: float, hi: float,
              *, label: str) -> Markup:
    """One row per dimension (the composite first): a line from the unit's score to the
    best score of the year (the distance to the best), the unit as a filled circle, its
    group's median as a hollow diamond, the best as a triangle, last year's score as a
    faint tick. ``rows``: (label, score, score before, group median, best)."""
    lab, row_h, width = 132.0, 22.0, 400.0
    x = Scale(lo, hi, lab, width - 44)
    top = 4.0
    svg = Svg(width, top + row_h * len(rows) + 20, label=label, cls="chart unit dots",
              titled=False)
    for v in nice_ticks(lo, hi, 4):
        svg.line(x(v), top, x(v), top + row_h * len(rows), class_="grid")
        svg.text(x(v), top + row_h * len(rows) + 14, tick_label(v), class_="tick",
                 text_anchor="middle")
    for r, (name, value, before, gmed, best) in enumerate(rows):
        cy = top + row_h * r + row_h / 2
        svg.text(lab - 8, cy + 4, name, class_="lbl" + (" strong" if r == 0 else ""),
                 text_anchor="end")
        if _finite(value) and _finite(best):
            svg.line(x(value), cy, x(best), cy, class_="tobest")
        if _finite(before):
            svg.line(x(before), cy - 6, x(before), cy + 6, class_="pv")
        if _finite(gmed):
            gx = x(gmed)
            svg.path([(gx, cy - 5), (gx + 5, cy), (gx, cy + 5), (gx - 5, cy), (gx, cy - 5)],
                     class_="gm")
        if _finite(best):
            bx = x(best)
            svg.path([(bx, cy - 5), (bx + 5, cy + 4), (bx - 5, cy + 4), (bx, cy - 5)],
                     class_="best")
        if _finite(value):
            svg.circle(x(value), cy, 4.5, class_="me")
            svg.text(x(hi) + 6, cy + 4, _value(value), class_="val")
    return svg.markup()
