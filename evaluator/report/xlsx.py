"""The formatted workbook ``report.xlsx``: rankings, dimension scores, indicators,
weights, diagnostics, alerts, sensitivity and methods of the chosen year — bilingual
headers, frozen header row, number formats, widths, traffic-light fills. (The complete
tables of every year, e.g. ``diagnostics.csv`` with paths and peers, are written beside
it by ``Assessment.to_dir``.)

Text cells that begin with = + - @ are neutralised (:func:`evaluator.output.neutralise`),
so no input text becomes a formula; the file is written atomically.
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..model.framework import ROOT
from ..output import atomic_write, neutralise
from . import overview, ranking
from .appendix import formulas

SHEETS = ("rankings", "dimension scores", "indicators", "weights", "diagnostics", "alerts",
          "sensitivity", "methods")
LIGHT_FILLS = {"green": "C6EFCE", "yellow": "FFEB9C", "red": "FFC7CE"}
# ranks, years and raw values stay "General" (whole numbers show as such): styling a
# cell costs time in openpyxl, so only scores, shares and lights are formatted
GENERAL = "General"
SCORE, CHANGE, D3, PCT2, PCT1, PROB = "0.00", "+0;-0;0", "0.000", "0.00%", "0.0%", "0.0%"
RANK = INT = GENERAL


@dataclass
class Col:
    header: str                  # already bilingual
    values: Sequence[Any]
    number_format: str = GENERAL
    fills: Sequence[str | None] | None = None   # light names for a fill per row


def _bi(bundle, key: str) -> str:
    return bundle.t.both(f"xl.{key}")


def _names(bundle, item: str) -> str:
    """An item's name in both languages (input text: neutralised when written)."""
    fw = bundle.framework
    if item == ROOT:
        return _bi(bundle, "index")
    first = fw.label(item, bundle.lang)
    second = fw.label(item, "zh" if bundle.lang == "en" else "en")
    return first if first == second else f"{first} / {second}"


def _cell_value(v: Any) -> Any:
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if not math.isfinite(float(v)) else float(v)
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, str):
        return neutralise(v)
    return v


def _width(text: Any) -> int:
    s = "" if text is None else str(text)
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in s)


def _write_sheet(wb, name: str, cols: list[Col], note: str | None = None) -> None:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title=name[:31])
    ws.freeze_panes = "B2" if len(cols) > 2 else "A2"
    head_font = Font(bold=True, color="1D2733")
    head_fill = PatternFill("solid", fgColor="E9EEF4")
    head_border = Border(bottom=Side(style="medium", color="1D2733"))
    wrap = Alignment(wrap_text=True, vertical="top")
    fills = {k: PatternFill("solid", fgColor=v) for k, v in LIGHT_FILLS.items()}
    n = max((len(c.values) for c in cols), default=0)
    for k, col in enumerate(cols, start=1):
        sample = [_width(v) for v in list(col.values[:200])]
        width = max([_width(col.header) // 2 + 2] + [min(w, 60) for w in sample] + [6])
        if col.number_format != GENERAL:
            width = max(width, 9)
        ws.column_dimensions[get_column_letter(k)].width = min(width + 2, 62)
    header = []
    for col in cols:
        c = WriteOnlyCell(ws, value=neutralise(col.header))
        c.font, c.fill, c.border, c.alignment = head_font, head_fill, head_border, wrap
        header.append(c)
    ws.append(header)
    plain = [c.number_format == GENERAL and c.fills is None for c in cols]
    for r in range(n):
        row = []
        for col, is_plain in zip(cols, plain):
            v = _cell_value(col.values[r])
            if is_plain:
                row.append(v)
                continue
            c = WriteOnlyCell(ws, value=v)
            if col.number_format != GENERAL and isinstance(v, (int, float)):
                c.number_format = col.number_format
            if col.fills is not None and col.fills[r] in fills:
                c.fill = fills[col.fills[r]]
            row.append(c)
        ws.append(row)
    if note:
        ws.append([])
        ws.append([neutralise(note)])


# -- sheets ----------------------------------------------------------------------------------
def _rankings(bundle) -> list[Col]:
    r = bundle.ranking
    alerts = ranking.alerts_by_unit(bundle)
    classes = ranking.class_labels(bundle)
    cols = [Col(_bi(bundle, "rank"), r["rank"].tolist(), RANK),
            Col(_bi(bundle, "unit"), r["unit"].astype(str).tolist()),
            Col(_bi(bundle, "year"), r["year"].tolist(), INT)]
    if bundle.has_groups:
        cols.append(Col(_bi(bundle, "group"), [bundle.group_label(g) for g in r["group"]]))
    cols += [Col(_bi(bundle, "score"), r["score"].tolist(), SCORE),
             Col(_bi(bundle, "rank_change"), r["rank_change"].tolist(), CHANGE)]
    if bundle.has_groups:
        cols.append(Col(_bi(bundle, "rank_in_group"), r["rank_in_group"].tolist(), RANK))
    for node in bundle.framework.first_level:
        cols.append(Col(_names(bundle, node), r[node].tolist(), SCORE))
        cols.append(Col(f"{_names(bundle, node)} — {_bi(bundle, 'rank')}",
                        r[f"{node}_rank"].tolist(), RANK))
    if "coordination_D" in r.columns:
        cols.append(Col(_bi(bundle, "coordination_D"), r["coordination_D"].tolist(), D3))
        cols.append(Col(_bi(bundle, "coordination_class"),
                        [classes.get(str(c), "") if isinstance(c, str) else None
                         for c in r["coordination_class"]]))
    cols.append(Col(_bi(bundle, "alerts"),
                    ["; ".join(m["label"] for m in alerts.get(str(u), [])) or None
                     for u in r["unit"]]))
    return cols


def _dimension_scores(bundle) -> list[Col]:
    a = bundle.assessment
    fw = bundle.framework
    years = np.asarray(a.years).astype(int)
    units = np.asarray(a.units).astype(str)
    order = list(bundle.ranking["unit"].astype(str))
    now = {u: k for k, u in zip(np.flatnonzero(years == bundle.year),
                                units[years == bundle.year])}
    before = ({u: k for k, u in zip(np.flatnonzero(years == bundle.previous_year),
                                    units[years == bundle.previous_year])}
              if bundle.previous_year else {})
    rows = [now[u] for u in order]
    prev_rows = [before.get(u, -1) for u in order]
    cols = [Col(_bi(bundle, "unit"), order)]
    if bundle.has_groups:
        cols.append(Col(_bi(bundle, "group"), [bundle.group_label(g) for g in
                                              bundle.ranking["group"]]))
    for node in reversed(fw.aggregation_order()):
        s, rk = np.asarray(a.scores[node], float), np.asarray(a.ranks[node], float)
        score = s[rows]
        prev = np.array([s[p] if p >= 0 else np.nan for p in prev_rows])
        name = _names(bundle, node)
        cols += [Col(f"{name} — {_bi(bundle, 'score')}", score.tolist(), SCORE),
                 Col(f"{name} — {_bi(bundle, 'rank')}", rk[rows].tolist(), RANK),
                 Col(f"{name} — {_bi(bundle, 'change')}", (score - prev).tolist(), "+0.00;-0.00;0.00")]
    return cols


def _indicators(bundle) -> list[Col]:
    rows = _indicator_meta(bundle)
    keys = ["indicator", "name", "dimension", "direction", "unit_of_measure", "source",
            "normalisation", "denominator", "target", "local_weight", "global_weight"]
    formats = {"local_weight": PCT2, "global_weight": PCT2}
    return [Col(_bi(bundle, k), [r[k] for r in rows], formats.get(k, GENERAL)) for k in keys]


def _indicator_meta(bundle) -> list[dict[str, Any]]:
    a, fw = bundle.assessment, bundle.framework
    nm = a.recipe.normalise
    local = {c: float(w) for nw in a.weights.values() for c, w in zip(nw.children, nw.weights)}
    out = []
    for ind in fw.indicators:
        norm = bundle.t(f"method.normalise.{nm['method']}")
        if ind.goalposts and nm["method"] == "goalposts":
            norm += f" [{ind.goalposts[0]:g}, {ind.goalposts[1]:g}]"
        if ind.transform == "log":
            norm += "; " + bundle.t("transform.log")
        out.append({"indicator": ind.id, "name": _names(bundle, ind.id),
                    "dimension": _names(bundle, ind.parent),
                    "direction": overview.direction_text(bundle, ind),
                    "unit_of_measure": ind.unit, "source": ind.source, "normalisation": norm,
                    "denominator": ind.denominator or None,
                    "target": "; ".join(f"{t.year}: {_target(bundle, t)}"
                                        for t in ind.targets) or None,
                    "local_weight": local.get(ind.id), "global_weight": a.global_weights[ind.id]})
    return out


def _target(bundle, target) -> str:
    if target.is_relative:
        return bundle.t("target.relative", change=f"{target.change:+.0%}",
                        base=target.base_year)
    return f"{target.value:g}"


def _weights(bundle) -> list[Col]:
    w = bundle.assessment.weights_table
    return [Col(_bi(bundle, "node"), w["node"].tolist()),
            Col(_bi(bundle, "node_name"), [_names(bundle, n) for n in w["node"]]),
            Col(_bi(bundle, "child"), w["indicator"].tolist()),
            Col(_bi(bundle, "name"), [_names(bundle, c) for c in w["indicator"]]),
            Col(_bi(bundle, "method"), w["method"].tolist()),
            Col(_bi(bundle, "local_weight"), w["weight"].tolist(), "0.0000"),
            Col(_bi(bundle, "global_weight"), w["global_weight"].tolist(), "0.0000")]


def _diagnostics(bundle) -> list[Col]:
    a, d = bundle.assessment, bundle.diagnosis
    tab = d.table[(d.table["year"] == bundle.year) & (d.table["kind"] == "indicator")]
    ind = a.indicators_table
    ind = ind[ind["year"] == bundle.year][["unit", "indicator", "normalised"]]
    tab = tab.merge(ind, on=["unit", "indicator"], how="left", sort=False)
    order = {u: k for k, u in enumerate(bundle.ranking["unit"].astype(str))}
    pos = {i: k for k, i in enumerate(a.ids)}
    tab = tab.assign(_u=tab["unit"].astype(str).map(order), _i=tab["indicator"].map(pos))
    tab = tab.sort_values(["_u", "_i"], kind="mergesort")
    names = {i: _names(bundle, i) for i in a.ids}
    lights = tab["light"].fillna("").tolist()
    light_text = [bundle.t(f"light.{x}") if x else None for x in lights]

    def c(key, col, fmt=GENERAL):
        return Col(_bi(bundle, key), tab[col].tolist(), fmt)
    return [c("unit", "unit"), c("indicator", "indicator"),
            Col(_bi(bundle, "name"), [names[i] for i in tab["indicator"]]),
            c("value", "value"), c("normalised", "normalised", "0.00"),
            c("contribution", "contribution"), c("target", "target"),
            c("target_year", "target_year", INT), c("gap", "gap"),
            Col(_bi(bundle, "light"), light_text, GENERAL, fills=lights),
            c("obstacle", "obstacle", PCT1), c("rank", "rank", RANK)]


def _alerts(bundle) -> list[Col]:
    al = bundle.diagnosis.alerts
    al = al[al["year"] <= bundle.year].sort_values(["year", "unit"], ascending=[False, True],
                                                   kind="mergesort")
    return [Col(_bi(bundle, "unit"), al["unit"].astype(str).tolist()),
            Col(_bi(bundle, "year"), al["year"].tolist(), INT),
            Col(_bi(bundle, "rule"), [bundle.t(f"rule.{r}") for r in al["rule"]]),
            Col(_bi(bundle, "years"), al["years"].astype(str).tolist()),
            Col(_bi(bundle, "message"), al["message_zh" if bundle.lang == "zh"
                                           else "message_en"].tolist()),
            Col(_bi(bundle, "message_other"), al["message_en" if bundle.lang == "zh"
                                                 else "message_zh"].tolist())]


def _sensitivity(bundle) -> tuple[list[Col], str | None]:
    iv = bundle.intervals
    if iv is None or iv.empty:
        cols = [Col(_bi(bundle, "note"), [bundle.t("robustness.not_run") if iv is None else
                                          bundle.t("robustness.no_year", year=bundle.year)])]
        return cols, "evaluator sensitivity -f FRAMEWORK -d DATA --out DIR"
    iv = iv.sort_values(["nominal_rank", "unit"], kind="mergesort")
    spec = [("unit", "unit", GENERAL), ("nominal_rank", "nominal_rank", RANK),
            ("mean_rank", "mean_rank", "0.0"), ("median_rank", "median_rank", "0.0"),
            ("p05", "p05", "0.0"), ("p95", "p95", "0.0"), ("p_top_k", "p_top_k", PROB),
            ("p_bottom_k", "p_bottom_k", PROB)]
    return [Col(_bi(bundle, k), iv[c].tolist(), f) for k, c, f in spec], None


def _methods(bundle) -> list[Col]:
    t, m = bundle.t, bundle.manifest
    items: list[tuple[str, str]] = [
        (_bi(bundle, "framework"), f"{bundle.framework.name.get(bundle.lang)} "
                                   f"({bundle.framework.id} {bundle.framework.version})"),
        (_bi(bundle, "year"), str(bundle.year)),
        (_bi(bundle, "version"), f"{m['tool']} {m['version']}"),
        (_bi(bundle, "seed"), str(m["seed"])),
        (_bi(bundle, "synthetic"), t("answer.yes") if m.get("synthetic_demo_data") else t("answer.no"))]
    for kind, v in m["inputs"].items():
        if not isinstance(v, dict):
            continue
        items.append((f"{_bi(bundle, 'input')}: {kind}", f"{v.get('path')}  sha256 {v.get('sha256')}"))
    for k, sentence in enumerate(overview.recipe_in_words(bundle), start=1):
        items.append((f"{_bi(bundle, 'step')} {k}", sentence))
    for f in formulas(bundle):
        items.append((f["title"], f"{f['formula']}  — {f['reference']}"))
    for w in m["warnings"]:
        items.append((_bi(bundle, "warning"), w))
    return [Col(_bi(bundle, "item"), [k for k, _ in items]),
            Col(_bi(bundle, "content"), [v for _, v in items])]


def workbook_sheets(bundle) -> list[tuple[str, list[Col], str | None]]:
    sens, note = _sensitivity(bundle)
    return [("rankings", _rankings(bundle), None),
            ("dimension scores", _dimension_scores(bundle), None),
            ("indicators", _indicators(bundle), None),
            ("weights", _weights(bundle), None),
            ("diagnostics", _diagnostics(bundle), None),
            ("alerts", _alerts(bundle), None),
            ("sensitivity", sens, note),
            ("methods", _methods(bundle), None)]


def write_xlsx_report(bundle, path: str | Path) -> Path:
    """Write ``report.xlsx`` atomically; every table is built before the file is opened."""
    from openpyxl import Workbook
    path = Path(path)
    sheets = workbook_sheets(bundle)

    def write(p: Path) -> None:
        wb = Workbook(write_only=True)
        for name, cols, note in sheets:
            _write_sheet(wb, name, cols, note)
        wb.save(p)
    atomic_write(path, write)
    return path

