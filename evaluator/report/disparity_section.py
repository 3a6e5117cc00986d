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


def _tables(bundle) -> dict[str, pd.DataFrame]:
    """:func:`evaluator.disparity.disparity_tables` of the bundle's assessment for the
    composite (the section shows no other node), computed once for the three reports
    (html, xlsx, md show the same numbers)."""
    if "_disparity_tables" not in bundle.__dict__:
        from ..disparity import disparity_tables
        from ..model.framework import ROOT
        bundle.__dict__["_disparity_tables"] = disparity_tables(bundle.assessment,
                                                                nodes=[ROOT])
    return bundle.__dict__["_disparity_tables"]


def disparity_context(bundle) -> dict[str, Any] | None:
    """What the partial shows, or None when the panel has no groups to compare."""
    a = bundle.assessment
    if a.groups is None or len(np.unique(a.groups)) < 2:
        return None
    t = bundle.t
    tables = _tables(bundle)
    main = tables["disparity"]
    root = main[main["node"] == "index"]
    values = [{"year": int(r["year"]), **{c: float(r[c]) for c in COLUMNS}}
              for r in root.to_dict(orient="records")]
    rows = [{"year": v["year"], **{c: fmt.num(v[c], 4) for c in COLUMNS}} for v in values]
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
    return {"rows": rows, "values": values, "columns": list(COLUMNS), "sentences": sentences,
            "chart": density_chart(density, shown, label=t("chart.density"))
            if shown else None,
            "notes": [str(t.local(n)) for n in notes[notes["node"] == "index"]["note"]]}


def disparity_markdown(bundle, escape) -> list[str]:
    """The section in ``report.md``: the same table (4 decimals, as in the HTML report),
    the convergence sentences and the notes; nothing without groups."""
    d = disparity_context(bundle)
    if d is None:
        return []
    t = bundle.t
    cols = ["year", *d["columns"]]
    lines = ["", f"## {t('disparity.title')}", "", t("disparity.intro"), "",
             "| " + " | ".join(escape(t(f"disparity.col.{c}")) for c in cols) + " |",
             "| " + " | ".join("---:" for _ in cols) + " |"]
    lines += ["| " + " | ".join(str(r[c]) for c in cols) + " |" for r in d["rows"]]
    for paragraph in [*d["sentences"], *d["notes"]]:
        lines += ["", escape(paragraph)]
    return lines + ["", t("disparity.more")]


def disparity_sheet(bundle):
    """The workbook's disparity sheet (columns, note under the table: the convergence
    sentences and the notes), or None without groups. Full precision, shown to 4
    decimals like the HTML table."""
    from .sheets import Col
    d = disparity_context(bundle)
    if d is None:
        return None
    t = bundle.t
    cols = [Col(t("disparity.col.year"), [v["year"] for v in d["values"]])]
    cols += [Col(t(f"disparity.col.{c}"), [v[c] for v in d["values"]], "0.0000")
             for c in d["columns"]]
    note = " ".join([t("disparity.intro"), *d["sentences"], *d["notes"], t("disparity.more")])
    return cols, note
