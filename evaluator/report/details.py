"""The numbers behind two parts of the report that are more than a weighted sum:

* the aggregation's intermediate results of every node aggregated by TOPSIS, grey
  relational analysis or another method that records them (D⁺, D⁻ and closeness C; the
  grade and each child's relational coefficient …), from ``aggregation.csv``
  (:attr:`Assessment.aggregation_table`) — for the methods appendix and each profile;
* the Sobol indices of the sensitivity run (``sobol.csv`` beside ``rank_intervals.csv``:
  first-order S1 and total ST per uncertain factor, with their bootstrap half-widths) —
  for the robustness section, drawn as paired bars.

Selection and formatting only: the numbers are the assessment's and the run's.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..errors import DataError
from ..i18n import M
from . import fmt
from .svg import Scale, Svg, nice_ticks, tick_label

KEYS = ("unit", "year", "node", "method", "child")
SOBOL_COLUMNS = ("target", "factor", "S1", "S1_conf", "ST", "ST_conf")
MEAN_SHIFT = "mean_rank_shift"


# -- aggregation ---------------------------------------------------------------------------------
def _label(t, name: str, method: str = "") -> str:
    """A quantity's caption: the one its method declares in the registry (as pymcdm's
    tables do), else the report's words, else its name."""
    from ..errors import RecipeError
    from ..registry import get
    try:
        for table in get("aggregations", method).tables:
            if table.name == name:
                caption = table.zh if t.lang == "zh" else table.en
                return f"{caption} {table.symbol}".strip() if table.symbol and \
                    table.symbol not in caption else caption
    except RecipeError:   # an unknown method (e.g. a plugin since removed): our own words
        pass
    return t(f"agg.{name}") if t.has(f"agg.{name}") else name


def aggregation_by_node(bundle) -> dict[str, dict[str, Any]]:
    """Per node with recorded details, the year's values per unit: columns (labels) and
    rows keyed by unit, in rank order of the node. Child coefficients become one column
    per child."""
    table = bundle.assessment.aggregation_table
    if table is None or table.empty:
        return {}
    t = bundle.t
    year = table[table["year"] == bundle.year]
    out: dict[str, dict[str, Any]] = {}
    top_down = list(reversed(bundle.framework.aggregation_order()))   # the root first
    nodes = sorted(year["node"].astype(str).unique(),
                   key=lambda n: top_down.index(n) if n in top_down else len(top_down))
    for node in nodes:
        part = year[year["node"].astype(str) == node]
        own = part[part["child"].fillna("") == ""]
        kids = part[part["child"].fillna("") != ""]
        method = str(part["method"].iloc[0])
        values = [c for c in part.columns if c not in KEYS and own[c].notna().any()]
        wide = own.set_index(own["unit"].astype(str))[values]
        columns = [(c, _label(t, c, method)) for c in values]
        for col in [c for c in part.columns if c not in KEYS and kids[c].notna().any()]:
            piv = kids.pivot_table(index=kids["unit"].astype(str), columns="child",
                                   values=col, aggfunc="first")
            for child in piv.columns:
                key = f"{col}:{child}"
                wide[key] = piv[child]
                columns.append((key, f"{_label(t, col, method)} · {bundle.label(str(child))}"))
        out[str(node)] = {"node": str(node), "label": bundle.label(str(node)),
                          "method": t(f"method.aggregate.{method}")
                          if t.has(f"method.aggregate.{method}") else method,
                          "columns": columns, "values": wide}
    return out


def aggregation_sections(bundle, details: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """The appendix tables: every unit of the year, in the ranking's order."""
    order = bundle.ranking["unit"].astype(str).tolist()
    sections = []
    for d in details.values():
        wide = d["values"].reindex(order)
        rows = [{"unit": u, "cells": [fmt.num(v, 4) for v in wide.loc[u, [c for c, _ in
                                                                        d["columns"]]]]}
                for u in order]
        sections.append({"label": d["label"], "method": d["method"],
                         "heads": [label for _, label in d["columns"]], "rows": rows})
    return sections


def aggregation_for_unit(details: dict[str, dict[str, Any]], unit: str) -> list[dict[str, Any]]:
    out = []
    for d in details.values():
        if unit not in d["values"].index:
            continue
        row = d["values"].loc[unit]
        out.append({"label": d["label"], "method": d["method"],
                    "pairs": [(label, fmt.num(row[c], 4)) for c, label in d["columns"]]})
    return out


# -- Sobol indices -------------------------------------------------------------------------------
def read_sobol(intervals_path: str | Path | None) -> tuple[pd.DataFrame | None, str | None]:
    """``sobol.csv`` beside the rank intervals (None when the run had no --sobol)."""
    if intervals_path is None:
        return None, None
    path = Path(intervals_path).with_name("sobol.csv")
    if not path.is_file():
        return None, None
    try:
        frame = pd.read_csv(io.BytesIO(path.read_bytes()), encoding="utf-8-sig",
                            dtype={"target": str, "factor": str})
    except (OSError, ValueError, UnicodeError) as exc:
        raise DataError(M("report.sobol.unreadable", reason=str(exc)), where=str(path),
                        fix=M("report.sobol.fix")) from None
    missing = [c for c in SOBOL_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(M("report.sobol.columns", columns=", ".join(missing)), where=str(path),
                        fix=M("report.sobol.fix"))
    for c in SOBOL_COLUMNS[2:]:
        frame[c] = pd.to_numeric(frame[c], errors="coerce")
    return frame, str(path)


def factor_label(t, factor: str) -> str:
    return t(f"sobol.factor.{factor}") if t.has(f"sobol.factor.{factor}") else factor


def sobol_section(bundle, frame: pd.DataFrame | None, source: str | None) -> dict[str, Any] | None:
    """The mean rank shift's indices as a table and a chart, and for each unit the
    factor with the largest total index on its rank."""
    if frame is None:
        return None
    t = bundle.t
    mean = frame[frame["target"] == MEAN_SHIFT]
    rows = [{"factor": factor_label(t, f), "s1": fmt.num(a, 3), "s1_conf": fmt.num(b, 3),
             "st": fmt.num(c, 3), "st_conf": fmt.num(d, 3)}
            for f, a, b, c, d in zip(mean["factor"], mean["S1"], mean["S1_conf"],
                                     mean["ST"], mean["ST_conf"])]
    chart = sobol_chart([(factor_label(t, f), float(a), float(c), float(b), float(d))
                         for f, a, b, c, d in zip(mean["factor"], mean["S1"],
                                                  mean["S1_conf"], mean["ST"],
                                                  mean["ST_conf"])],
                        label=t("sobol.title"), legend=(t("sobol.s1"), t("sobol.st")))
    per_unit = frame[frame["target"] != MEAN_SHIFT].dropna(subset=["ST"])
    top = (per_unit.sort_values(["target", "ST"], ascending=[True, False], kind="mergesort")
           .drop_duplicates("target"))
    leading = {str(u): {"factor": factor_label(t, f), "st": fmt.num(s, 2)}
               for u, f, s in zip(top["target"], top["factor"], top["ST"])}
    return {"rows": rows, "chart": chart, "source": source, "leading": leading,
            "units": int(per_unit["target"].nunique())}


def sobol_chart(rows: list[tuple[str, float, float, float, float]], *, label: str,
                legend: tuple[str, str]) -> Markup:
    """Paired horizontal bars per factor: S1 (filled) and ST (outlined) with their
    bootstrap half-widths as whiskers. ``rows``: (factor, S1, ST, S1_conf, ST_conf)."""
    lab, row_h, width = 170.0, 30.0, 560.0
    peak = max([1.0] + [v for r in rows for v in (r[1] + r[3], r[2] + r[4]) if np.isfinite(v)])
    x = Scale(0, peak, lab, width - 30)
    top = 26.0
    svg = Svg(width, top + row_h * len(rows) + 22, label=label)
    for v in nice_ticks(0, peak, 4):
        svg.line(x(v), top, x(v), top + row_h * len(rows), class_="grid")
        svg.text(x(v), top + row_h * len(rows) + 14, tick_label(v), class_="tick",
                 text_anchor="middle")
    svg.rect(lab, 6, 12, 10, class_="bar c0")
    svg.text(lab + 16, 15, legend[0], class_="lbl")
    svg.rect(lab + 150, 6, 12, 10, class_="st")
    svg.text(lab + 166, 15, legend[1], class_="lbl")
    for r, (name, s1, st, c1, ct) in enumerate(rows):
        y0 = top + row_h * r
        svg.text(lab - 6, y0 + 18, name, class_="lbl", text_anchor="end")
        for k, (v, c, cls) in enumerate(((s1, c1, "bar c0"), (st, ct, "st"))):
            if not np.isfinite(v):
                continue
            y = y0 + 4 + k * 12
            svg.rect(lab, y, max(x(max(v, 0)) - lab, 0), 10, class_=cls,
                     title=f"{name}: {legend[k]} {v:.3f} ± {c:.3f}")
            if np.isfinite(c) and c > 0:
                svg.line(x(max(v - c, 0)), y + 5, x(v + c), y + 5, class_="whisker")
    return svg.markup()
