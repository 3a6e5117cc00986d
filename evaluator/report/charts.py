"""The report's charts as inline SVG, from plain numbers and labels (no assessment here).

Every chart takes already-translated labels; text is SVG text (escaped by
:mod:`evaluator.report.svg`). Colours come from CSS classes (``c0``…``c5`` for
series, ``up``/``down`` for movements).
"""
from __future__ import annotations

import math
from typing import Sequence

import numpy as np
from markupsafe import Markup

from .svg import Scale, Svg, nice_domain, nice_ticks, tick_label

FONT_PX = 12


def _fmt(v: float, digits: int = 2) -> str:
    return "–" if v is None or not math.isfinite(v) else f"{v:.{digits}f}"


def _x_axis(svg: Svg, scale: Scale, y: float, top: float, lo: float, hi: float,
            count: int = 5) -> None:
    for v in nice_ticks(lo, hi, count):
        x = scale(v)
        svg.line(x, top, x, y, class_="grid")
        svg.text(x, y + 13, tick_label(v), class_="tick", text_anchor="middle")


def distribution(panels: Sequence[tuple[str, Sequence[tuple[str, np.ndarray]]]],
                 lo: float, hi: float, *, label: str, columns: int = 2,
                 tooltip: str = "{name}: n = {n}; P5 {p05}, Q1 {q1}, {med}, Q3 {q3}, P95 {p95}"
                 ) -> Markup:
    """Box plots (quartiles, median, 5–95 % whiskers) of scores by group, one panel per
    dimension. ``panels``: (title, [(row label, values)]); ``tooltip`` a format with
    name, n, p05, q1, med, q3, p95."""
    pw, lab, row_h = 565.0, 118.0, 22.0
    heights = [28 + row_h * len(rows) + 22 for _, rows in panels]
    n_rows = math.ceil(len(panels) / columns)
    row_heights = [max(heights[r * columns:(r + 1) * columns]) for r in range(n_rows)]
    svg = Svg(pw * min(columns, len(panels)), sum(row_heights) + 4, label=label)
    for k, (title, rows) in enumerate(panels):
        ox = (k % columns) * pw
        oy = sum(row_heights[:k // columns])
        x = Scale(lo, hi, ox + lab, ox + pw - 18)
        svg.text(ox + 4, oy + 16, title, class_="ptitle")
        top, bottom = oy + 24, oy + 24 + row_h * len(rows)
        _x_axis(svg, x, bottom, top, lo, hi)
        for r, (name, values) in enumerate(rows):
            v = np.asarray(values, float)
            v = v[np.isfinite(v)]
            cy = top + row_h * r + row_h / 2
            svg.text(ox + lab - 6, cy + 4, name, class_="lbl", text_anchor="end")
            if not v.size:
                continue
            p05, q1, med, q3, p95 = np.percentile(v, [5, 25, 50, 75, 95])
            cls = "c0" if r == 0 else f"c{(k % 5) + 1}"
            svg.line(x(p05), cy, x(p95), cy, class_="whisker")
            svg.rect(x(q1), cy - 7, x(q3) - x(q1), 14, class_=f"box {cls}",
                     title=tooltip.format(name=name, n=v.size, p05=f"{p05:.1f}",
                                          q1=f"{q1:.1f}", med=f"{med:.1f}", q3=f"{q3:.1f}",
                                          p95=f"{p95:.1f}"))
            svg.line(x(med), cy - 8, x(med), cy + 8, class_="median")
    return svg.markup()


def ranked_bars(panels: Sequence[tuple[str, Sequence[tuple[str, float, str]]]],
                lo: float, hi: float, *, label: str) -> Markup:
    """Horizontal bars side by side, e.g. the top ten and the bottom ten units.
    ``panels``: (title, [(unit label, score, rank text)])."""
    pw, lab, row_h = 565.0, 150.0, 20.0
    n = max((len(rows) for _, rows in panels), default=0)
    svg = Svg(pw * len(panels), 30 + row_h * n + 20, label=label)
    for k, (title, rows) in enumerate(panels):
        ox = k * pw
        x = Scale(lo, hi, ox + lab, ox + pw - 48)
        svg.text(ox + 4, 16, title, class_="ptitle")
        top = 26.0
        _x_axis(svg, x, top + row_h * n, top, lo, hi)
        for r, (name, value, rank) in enumerate(rows):
            y = top + row_h * r
            svg.text(ox + 4, y + 13, rank, class_="tick")
            svg.text(ox + lab - 6, y + 13, name, class_="lbl", text_anchor="end")
            if value is not None and math.isfinite(value):
                svg.rect(x(lo), y + 3, x(value) - x(lo), row_h - 6, class_=f"bar c{k + 1}")
                svg.text(x(value) + 4, y + 13, _fmt(value), class_="val")
    return svg.markup()


def rank_intervals(rows: Sequence[tuple[str, float, float, float, float]], *, label: str,
                   legend: tuple[str, str, str]) -> Markup:
    """Uncertainty of the ranks (as in JRC audits): units along x in nominal order, the
    5–95 % interval as a bar, the median rank as a dot and the nominal rank as a dash.
    ``rows``: (unit, nominal, median, p05, p95); rank 1 is drawn at the top."""
    n = len(rows)
    width, height, left, top, bottom = 1130.0, 360.0, 44.0, 30.0, 340.0
    worst = max([r[4] for r in rows if math.isfinite(r[4])] + [r[1] for r in rows
                                                                if math.isfinite(r[1])] + [1])
    y = Scale(1, worst, top, bottom)
    x = Scale(0, max(n, 1), left, width - 10)
    svg = Svg(width, height, label=label)
    for v in [1.0] + [v for v in nice_ticks(1, worst, 6) if v > 1]:
        svg.line(left, y(v), width - 10, y(v), class_="grid")
        svg.text(left - 6, y(v) + 4, tick_label(v), class_="tick", text_anchor="end")
    step = (width - 10 - left) / max(n, 1)
    for k, (unit, nominal, median, p05, p95) in enumerate(rows):
        cx = x(k + 0.5)
        svg.parts.append("<g>")
        svg.parts.append(f"<title>{_escape(unit)}: {_fmt(nominal, 0)} · {_fmt(median, 1)} · "
                         f"[{_fmt(p05, 1)}, {_fmt(p95, 1)}]</title>")
        if math.isfinite(p05) and math.isfinite(p95):
            svg.line(cx, y(p05), cx, y(p95), class_="interval")
        if math.isfinite(median):
            svg.circle(cx, y(median), min(2.6, max(1.2, step / 2.2)), class_="med")
        if math.isfinite(nominal):
            svg.line(cx - max(step / 2, 1.5), y(nominal), cx + max(step / 2, 1.5), y(nominal),
                     class_="nominal")
        svg.parts.append("</g>")
    lx = left
    for cls, text in zip(("interval", "med", "nominal"), legend):
        if cls == "med":
            svg.circle(lx + 6, 14, 3, class_=cls)
        else:
            svg.line(lx, 14, lx + 12, 14, class_=cls)
        svg.text(lx + 17, 18, text, class_="lbl")
        lx += 30 + 7.5 * len(text) * (1.7 if any(ord(c) > 0x2e80 for c in text) else 1)
    return svg.markup()


def class_counts(rows: Sequence[tuple[str, int, int | None]], *, label: str,
                 legend: tuple[str, str]) -> Markup:
    """Units per coordination class, this year (filled) and the previous (outlined).
    ``rows``: (class label, count now, count before or None)."""
    lab, row_h, width = 170.0, 20.0, 560.0
    peak = max([c for _, c, _ in rows] + [p or 0 for _, _, p in rows] + [1])
    x = Scale(0, peak, lab, width - 40)
    top = 28.0
    svg = Svg(width, top + row_h * len(rows) + 22, label=label)
    _x_axis(svg, x, top + row_h * len(rows), top, 0, peak, 4)
    svg.rect(lab, 6, 12, 10, class_="bar c1")
    svg.text(lab + 16, 15, legend[0], class_="lbl")
    svg.rect(lab + 120, 6, 12, 10, class_="prev")
    svg.text(lab + 136, 15, legend[1], class_="lbl")
    for r, (name, now, before) in enumerate(rows):
        y0 = top + row_h * r
        svg.text(lab - 6, y0 + 14, name, class_="lbl", text_anchor="end")
        svg.rect(lab, y0 + 3, x(now) - lab, row_h - 10, class_="bar c1")
        if before is not None:
            svg.rect(lab, y0 + row_h - 7, x(before) - lab, 4, class_="prev")
        svg.text(x(now) + 4, y0 + 13, str(now), class_="val")
    return svg.markup()


def movement(points: Sequence[tuple[str, float, float]], n: int, *, label: str,
             axes: tuple[str, str]) -> Markup:
    """Places gained (y, up is better) against last year's rank (x): how much the
    ranking moved, and where. ``points``: (unit, rank before, rank now)."""
    width, height, left, top, bottom = 560.0, 300.0, 46.0, 24.0, 268.0
    moves = [(u, b, b - r) for u, b, r in points if math.isfinite(b) and math.isfinite(r)]
    peak = max([abs(m) for _, _, m in moves] + [1.0])
    lo, hi, ticks = nice_domain(-peak, peak, 6)
    y = Scale(lo, hi, bottom, top)
    x = Scale(1, max(n, 2), left + 4, width - 12)
    svg = Svg(width, height + 4, label=label)
    for v in ticks:
        svg.line(left, y(v), width - 12, y(v), class_="grid" if v else "zero")
        svg.text(left - 5, y(v) + 4, f"{v:+g}" if v else "0", class_="tick", text_anchor="end")
    for v in nice_ticks(1, max(n, 2), 6):
        svg.text(x(v), bottom + 16, tick_label(v), class_="tick", text_anchor="middle")
    svg.text(left, 14, axes[1], class_="lbl")
    svg.text(width - 12, height, axes[0], class_="lbl", text_anchor="end")
    for unit, before, gained in moves:
        cls = "up" if gained > 0 else "down" if gained < 0 else "same"
        svg.circle(x(before), y(gained), 2.6, class_=f"pt {cls}",
                   title=f"{unit}: {before:.0f} → {before - gained:.0f} ({gained:+.0f})")
    return svg.markup()


def trend(years: Sequence[int], series: Sequence[tuple[str, Sequence[float]]],
          lo: float, hi: float, *, label: str) -> Markup:
    """Median score per year, one line per series (all units, then each group)."""
    width, height, left, top, bottom = 560.0, 300.0, 40.0, 16.0, 230.0
    data = [v for _, vals in series for v in vals if v is not None and math.isfinite(v)]
    vlo, vhi = (min(data), max(data)) if data else (lo, hi)
    d0, d1, ticks = nice_domain(vlo, vhi, 5)
    y = Scale(d0, d1, bottom, top)
    x = Scale(years[0], years[-1], left + 10, width - 20) if len(years) > 1 else \
        Scale(years[0] - 1, years[0] + 1, left + 10, width - 20)
    svg = Svg(width, height, label=label)
    for v in ticks:
        svg.line(left, y(v), width - 20, y(v), class_="grid")
        svg.text(left - 5, y(v) + 4, tick_label(v), class_="tick", text_anchor="end")
    label_every = max(1, math.ceil(len(years) / 10))
    for k, yr in enumerate(years):
        if k % label_every == 0 or k == len(years) - 1:
            svg.text(x(yr), bottom + 16, str(yr), class_="tick", text_anchor="middle")
    for k, (name, vals) in enumerate(series):
        pts = [(x(yr), y(v)) for yr, v in zip(years, vals) if v is not None and math.isfinite(v)]
        svg.path(pts, class_=f"trend s{k % 6}" + (" all" if k == 0 else ""))
        ly = bottom + 34 + 16 * (k // 3)
        lx = left + 170 * (k % 3)
        svg.line(lx, ly - 4, lx + 16, ly - 4, class_=f"trend s{k % 6}" + (" all" if k == 0 else ""))
        svg.text(lx + 20, ly, name, class_="lbl")
    return svg.markup()


def unit_bars(rows: Sequence[tuple[str, float, float, float, float]], lo: float, hi: float,
              *, label: str) -> Markup:
    """One unit's scores as bars, with last year (hollow tick), its group's median
    (diamond) and all units' median (thin line) — small, as there is one per unit.
    ``rows``: (node label, score, score before, group median, median)."""
    lab, row_h, width = 132.0, 20.0, 400.0
    x = Scale(lo, hi, lab, width - 44)
    svg = Svg(width, row_h * len(rows) + 6, label=label, cls="chart unit", titled=False)
    for r, (name, value, before, gmed, med) in enumerate(rows):
        y0 = 3 + row_h * r
        cy = y0 + row_h / 2
        svg.text(lab - 6, cy + 4, name, class_="lbl" + (" strong" if r == 0 else ""),
                 text_anchor="end")
        svg.rect(lab, y0 + 3, x(hi) - lab, row_h - 6, class_="track")
        if math.isfinite(value):
            svg.rect(lab, y0 + 3, x(value) - lab, row_h - 6, class_=f"bar c{0 if r == 0 else r}")
            svg.text(x(hi) + 4, cy + 4, _fmt(value), class_="val")
        if math.isfinite(med):
            svg.line(x(med), y0 + 1, x(med), y0 + row_h - 1, class_="am")
        if math.isfinite(gmed):
            gx = x(gmed)
            svg.path([(gx, cy - 4), (gx + 4, cy), (gx, cy + 4), (gx - 4, cy), (gx, cy - 4)],
                     class_="gm")
        if math.isfinite(before):
            svg.line(x(before), y0 + 2, x(before), y0 + row_h - 2, class_="pv")
    return svg.markup()


def _escape(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))
