"""The report's map (``--geo FILE``): every unit's shape coloured by its composite score
(five quantile classes of the year), its rank tier (fifths of the ranking) or its
traffic light (the light most of its judged indicators show; a tie goes to the worse
light), drawn as inline SVG with a legend as text. Units without a shape are listed under
the map; shapes that are no unit are drawn grey.

Colours: ColorBrewer's sequential "Blues" for scores and tiers (readable in grey and by
colour-blind readers; Harrower & Brewer 2003), the Okabe–Ito lights of the report."""
from __future__ import annotations

from typing import Any

import numpy as np
from markupsafe import Markup

from ..model.framework import ROOT
from . import fmt
from .geo import GeoUnits, project, simplify
from .svg import Svg, _num

COLOURINGS = ("score", "tier", "light")
CLASSES = 5
LIGHTS = ("green", "yellow", "red")


def _d(rings: list[np.ndarray]) -> str:
    parts = []
    for ring in rings:
        ring = simplify(ring)
        if len(ring) < 3:
            continue
        pts = " L".join(f"{_num(x)} {_num(y)}" for x, y in ring)
        parts.append(f"M{pts}Z")
    return "".join(parts)


def _unit_classes(bundle, colouring: str) -> tuple[dict[str, str], list[tuple[str, str]]]:
    """unit → CSS class, and the legend (class, text)."""
    r = bundle.ranking[bundle.ranking["score"].notna()]
    units = r["unit"].astype(str).to_numpy()
    t = bundle.t
    if colouring == "light":
        d = bundle.diagnosis.lights
        mine = d[(d["year"] == bundle.year) & (d["node"] == ROOT)]
        counts = mine[list(LIGHTS)].to_numpy(float)
        # the most frequent light; ties to the worse (red before yellow before green)
        order = counts[:, ::-1]
        pick = np.array(LIGHTS[::-1])[np.argmax(order, axis=1)]
        pick = np.where(counts.sum(axis=1) > 0, pick, "nodata")
        classes = {str(u): f"lt-{p}" if p != "nodata" else "nodata"
                   for u, p in zip(mine["unit"], pick)}
        legend = [(f"lt-{k}", t(f"light.{k}")) for k in LIGHTS]
        return classes, legend
    if colouring == "tier":
        ranks = r["rank"].to_numpy(float)
        n = len(ranks)
        tier = np.minimum((ranks - 1) * CLASSES // max(n, 1), CLASSES - 1).astype(int)
        classes = {u: f"q{CLASSES - 1 - k}" for u, k in zip(units, tier)}
        edges = [int(k * n // CLASSES) + 1 for k in range(CLASSES)] + [n + 1]
        legend = [(f"q{CLASSES - 1 - k}", t("map.tier", a=edges[k], b=edges[k + 1] - 1))
                  for k in range(CLASSES)]
        return classes, legend
    scores = r["score"].to_numpy(float)
    cuts = np.quantile(scores, np.linspace(0, 1, CLASSES + 1)) if scores.size else np.zeros(6)
    k = np.clip(np.searchsorted(cuts[1:-1], scores, side="right"), 0, CLASSES - 1)
    classes = {u: f"q{c}" for u, c in zip(units, k)}
    legend = [(f"q{c}", f"{fmt.num(cuts[c], 1)}–{fmt.num(cuts[c + 1], 1)}")
              for c in range(CLASSES)]
    return classes, legend


def map_figure(bundle, geo: GeoUnits, colouring: str = "score") -> dict[str, Any]:
    """The map's SVG, its legend and the units it could not place."""
    classes, legend = _unit_classes(bundle, colouring)
    rank = dict(zip(bundle.ranking["unit"].astype(str), bundle.ranking["rank"]))
    score = dict(zip(bundle.ranking["unit"].astype(str), bundle.ranking["score"]))
    width = 760.0
    rings, points, height = project(geo.shapes, width, 620.0)
    legend_h = 26.0
    svg = Svg(width, height + legend_h, label=bundle.t("map.title"), cls="chart map")
    for shape, rs, ps in zip(geo.shapes, rings, points):
        unit = shape.unit
        cls = classes.get(unit, "nodata") if unit is not None else "nodata other"
        title = (f"{unit}: {fmt.num(score.get(unit))} · {bundle.t('col.rank')} "
                 f"{fmt.integer(rank.get(unit))}" if unit is not None else shape.label)
        attrs = {"data-unit": unit} if unit is not None else {}
        d = _d(rs)
        if d:
            svg.add("path", d=d, class_=f"area {cls}", title=title, **attrs)
        for part in ps:
            for x, y in part:
                svg.circle(x, y, 5, class_=f"area {cls}", title=title, **attrs)
    x = 6.0
    y = height + 16
    for cls, text in legend:
        svg.rect(x, y - 10, 14, 12, class_=f"area {cls}")
        svg.text(x + 18, y, text, class_="lbl")
        x += 26 + 7 * len(text) * (1.7 if any(ord(c) > 0x2e80 for c in text) else 1)
    return {"svg": Markup(svg.markup()), "colouring": colouring,
            "caption": bundle.t(f"map.by_{colouring}"),
            "unmatched": geo.unmatched_units, "other": len(geo.unmatched_features),
            "source": geo.source, "placed": len(bundle.ranking) - len(geo.unmatched_units)}
