"""The report's disparity section: the composite's Dagum Gini decomposition, Theil split
and cv per year, σ- and β-convergence in words, and the kernel densities of the scores
as a chart. Computed by :mod:`evaluator.disparity` (this module only lays it out); shown
when the panel has two or more groups."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from . import fmt
from .svg import Scale, Svg, nice_domain, nice_ticks, tick_label

COLUMNS = ("gini", "within", "between", "transvariation", "theil", "theil_within",
           "theil_between", "cv")


def density_chart(density: pd.DataFrame, years: list[int], *, label: str) -> Markup:
    """One curve per year (at most the first, a middle and the last year)."""
    width, height, left, top, bottom = 560.0, 280.0, 48.0, 16.0, 220.0
    x0, x1 = float(density["x"].min()), float(density["x"].max())
    d0, d1, ticks = nice_domain(0.0, float(density["density"].max()), 4)
    x, y = Scale(x0, x1, left, width - 20), Scale(d0, d1, bottom, top)
    svg = Svg(width, height, label=label)
    for v in ticks:
        svg.line(left, y(v), width - 20, y(v), class_="grid")
        svg.text(left - 5, y(v) + 4, tick_label(v), class_="tick", text_anchor="end")
    for v in nice_ticks(x0, x1, 5):
        if x0 <= v <= x1:
            svg.text(x(v), bottom + 16, tick_label(v), class_="tick", text_anchor="middle")
    for k, year in enumerate(years):
        part = density[density["year"] == year]
        svg.path(list(zip(map(x, part["x"]), map(y, part["density"]))),
                 class_=f"trend s{k % 6}")
        lx, ly = left + 120 * k, bottom + 40
        svg.line(lx, ly - 4, lx + 16, ly - 4, class_=f"trend s{k % 6}")
        svg.text(lx + 20, ly, str(year), class_="lbl")
    return svg.markup()


def disparity_context(bundle) -> dict[str, Any] | None:
    """What the partial shows, or None when the panel has no groups to compare."""
    a = bundle.assessment
    if a.groups is None or len(np.unique(a.groups)) < 2:
        return None
    from ..disparity import disparity_tables
    t = bundle.t
    tables = disparity_tables(a)
    main = tables["disparity"]
    root = main[main["node"] == "index"]
    rows = [{"year": int(r["year"]), **{c: fmt.num(r[c], 4) for c in COLUMNS}}
            for r in root.to_dict(orient="records")]
    conv = tables["convergence"]
    conv = conv[(conv["node"] == "index") & (conv["scope"] == "all")].set_index("test")
    sentences = []
    if "sigma" in conv.index:
        s = conv.loc["sigma"]
        sentences.append(t("disparity.sigma", slope=fmt.num(s["slope"], 4),
                           se=fmt.num(s["se"], 4), p=fmt.num(s["p"], 3)))
    if "beta" in conv.index:
        b = conv.loc["beta"]
        sentences.append(t("disparity.beta", slope=fmt.num(b["slope"], 4),
                           se=fmt.num(b["se"], 4), p=fmt.num(b["p"], 3), n=int(b["n"]),
                           speed=fmt.pct(b["speed"]) if math.isfinite(b["speed"]) else "–"))
    density = tables["density"]
    density = density[density["node"] == "index"]
    years = sorted(int(y) for y in density["year"].unique())
    shown = sorted({years[0], years[len(years) // 2], years[-1]}) if years else []
    notes = tables["disparity_notes"]
    return {"rows": rows, "columns": list(COLUMNS), "sentences": sentences,
            "chart": density_chart(density, shown, label=t("chart.density"))
            if shown else None,
            "notes": [str(t.local(n)) for n in notes[notes["node"] == "index"]["note"]]}
