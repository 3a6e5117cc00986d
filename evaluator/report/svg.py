"""A tiny SVG writer for the report's charts: every text and attribute is escaped, text
stays text (so Chinese labels render with the reader's fonts), numbers are rounded to a
tenth of a pixel to keep the file small. Styling comes from CSS classes in
``reports/report.css``.
"""
from __future__ import annotations

import math
import re
from typing import Iterable

from markupsafe import Markup, escape

_ESCAPED = re.compile("[&<>\"']")       # what markupsafe's escape changes
_NAMES: dict[str, str] = {}            # class_ → class, text_anchor → text-anchor


def _num(v: float) -> str:
    text = f"{v:.1f}"
    return text[:-2] if text.endswith(".0") else text


def _text(value) -> str:
    """``str(escape(str(value)))``, without making a Markup when nothing changes."""
    text = str(value)
    return str(escape(text)) if _ESCAPED.search(text) else text


def _attrs(attrs: dict) -> str:
    parts = []
    for key, value in attrs.items():
        if value is None:
            continue
        name = _NAMES.get(key)
        if name is None:
            name = _NAMES[key] = key.rstrip("_").replace("_", "-")
        # a number's text (digits, '.', '-', inf, nan) needs no escape
        parts.append(f' {name}="{_num(value) if isinstance(value, float) else _text(value)}"')
    return "".join(parts)


class Svg:
    """Collects elements; :meth:`markup` returns the finished ``<svg>``."""

    def __init__(self, width: float, height: float, *, label: str = "", cls: str = "chart",
                 titled: bool = True):
        self.width, self.height = width, height
        self.label, self.cls, self.titled = label, cls, titled
        self.parts: list[str] = []

    def add(self, tag: str, *, title: str | None = None, **attrs) -> None:
        if title is None:
            self.parts.append(f"<{tag}{_attrs(attrs)}/>")
        else:
            self.parts.append(f"<{tag}{_attrs(attrs)}><title>{escape(title)}</title></{tag}>")

    def _shape(self, head: str, tag: str, title: str | None, attrs: dict) -> None:
        # what add() writes, with the shape's own numbers already in ``head``
        if title is None:
            self.parts.append(f"{head}{_attrs(attrs)}/>")
        else:
            self.parts.append(f"{head}{_attrs(attrs)}><title>{escape(title)}</title></{tag}>")

    def rect(self, x, y, w, h, *, title: str | None = None, **attrs) -> None:
        self._shape(f'<rect x="{_num(float(x))}" y="{_num(float(y))}" '
                    f'width="{_num(float(max(w, 0)))}" height="{_num(float(max(h, 0)))}"',
                    "rect", title, attrs)

    def line(self, x1, y1, x2, y2, *, title: str | None = None, **attrs) -> None:
        self._shape(f'<line x1="{_num(float(x1))}" y1="{_num(float(y1))}" '
                    f'x2="{_num(float(x2))}" y2="{_num(float(y2))}"', "line", title, attrs)

    def circle(self, cx, cy, r, *, title: str | None = None, **attrs) -> None:
        self._shape(f'<circle cx="{_num(float(cx))}" cy="{_num(float(cy))}" '
                    f'r="{_num(float(r))}"', "circle", title, attrs)

    def path(self, points: Iterable[tuple[float, float]], **attrs) -> None:
        d = " ".join(f"{'M' if k == 0 else 'L'}{_num(x)} {_num(y)}"
                     for k, (x, y) in enumerate(points))
        if d:
            self.add("path", d=d, **attrs)

    def text(self, x, y, content, **attrs) -> None:
        self.parts.append(f'<text x="{_num(float(x))}" y="{_num(float(y))}"{_attrs(attrs)}>'
                          f"{_text(content)}</text>")

    def group_open(self, **attrs) -> None:
        self.parts.append(f"<g{_attrs(attrs)}>")

    def group_close(self) -> None:
        self.parts.append("</g>")

    def markup(self) -> Markup:
        # inline SVG in HTML needs no xmlns: the report holds no URL at all
        head = (f'<svg class="{escape(self.cls)}" '
                f'viewBox="0 0 {_num(self.width)} {_num(self.height)}" '
                f'width="{_num(self.width)}" height="{_num(self.height)}" role="img"'
                f' aria-label="{escape(self.label)}">')
        title = f"<title>{escape(self.label)}</title>" if self.label and self.titled else ""
        return Markup(head + title + "".join(self.parts) + "</svg>")


class Scale:
    """Linear map from data [d0, d1] to pixels [p0, p1]."""

    def __init__(self, d0: float, d1: float, p0: float, p1: float):
        if not (math.isfinite(d0) and math.isfinite(d1)) or d1 == d0:
            d0, d1 = (d0 - 1, d0 + 1) if math.isfinite(d0) else (0.0, 1.0)
        self.d0, self.d1, self.p0, self.p1 = d0, d1, p0, p1

    def __call__(self, v: float) -> float:
        return self.p0 + (v - self.d0) * (self.p1 - self.p0) / (self.d1 - self.d0)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values covering [lo, hi] (1, 2, 2.5 or 5 times a power of ten)."""
    if not (math.isfinite(lo) and math.isfinite(hi)) or hi <= lo:
        return [lo] if math.isfinite(lo) else []
    raw = (hi - lo) / max(count, 1)
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step - 1e-9) * step
    ticks, v = [], first
    while v <= hi + step * 1e-9:
        ticks.append(round(v, 10))
        v += step
    return ticks


def nice_domain(lo: float, hi: float, count: int = 5) -> tuple[float, float, list[float]]:
    """[lo, hi] widened to round ticks at both ends, and those ticks."""
    ticks = nice_ticks(lo, hi, count)
    if len(ticks) < 2:
        return lo, hi, ticks
    step = ticks[1] - ticks[0]
    if ticks[0] > lo + 1e-12:
        ticks.insert(0, round(ticks[0] - step, 10))
    if ticks[-1] < hi - 1e-12:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks[0], ticks[-1], ticks


def tick_label(v: float) -> str:
    return f"{v:g}"
