"""The formatted workbook ``report.xlsx``: rankings, dimension scores, indicators,
weights, the weighting's intermediate tables, diagnostics, alerts, sensitivity and
methods of the chosen year — headers in the report's language, frozen header row, number formats,
widths, traffic-light fills. (The complete tables of every year, e.g. ``diagnostics.csv``
with paths and peers, are written beside it by ``Assessment.to_dir``.)

What the sheets hold is decided here; how cells are written (styles, text that looks
like a formula kept as text) in :mod:`evaluator.report.sheets`.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from ..model.framework import ROOT
from . import overview, ranking
from .appendix import detail_label, formulas, method_name, numeric_detail, source_text
from .disparity_section import disparity_sheet
from .intervals import provenance
from .profiles import node_tree
from .publish import write_atomically
from .sheets import GENERAL, Col, workbook_bytes as _workbook_bytes

SHEETS = ("rankings", "dimension scores", "indicators", "weights", "weighting",
          "diagnostics", "alerts", "sensitivity", "disparity", "methods")   # disparity:
#                                                         only with groups to compare
# raw values (indicators in their own units) stay "General"
SCORE, CHANGE, D3, PCT2, PCT1, PROB = "0.00", "+0;-0;0", "0.000", "0.00%", "0.0%", "0.0%"
RANK = INT = "0"


def _bi(bundle, key: str) -> str:
    """A column header in the report's language (the CSV tables keep the column ids)."""
    return bundle.t(f"xl.{key}")


def _names(bundle, item: str) -> str:
    """An item's name in the report's language (input text, written as text)."""
    if item == ROOT:
        return _bi(bundle, "index")
    fw = bundle.framework
    if not (fw.is_indicator(item) or item in fw.node_ids):
        return item   # dropped by the recipe: the weights sheet's note says why
    return fw.label(item, bundle.lang)


# -- sheets ----------------------------------------------------------------------------------
def _rankings(bundle) -> list[Col]:
    r = bundle.ranking
    alerts = ranking.alerts_by_unit(bundle)
    classes = ranking.class_labels(bundle)
    cols = [Col(_bi(bundle, "rank"), r["rank"].tolist(), RANK),
            Col(_bi(bundle, "unit"), r["unit"].astype(str).tolist())]
    if bundle.unit_names:   # the unit's name in the report's language (unit_en / unit_zh)
        cols.append(Col(_bi(bundle, "unit_name"), [bundle.unit_name(u) for u in r["unit"]]))
    cols.append(Col(_bi(bundle, "year"), r["year"].tolist(), INT))
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
    for node, _ in node_tree(fw):     # the framework's order: the index, then depth first
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
                    "unit_of_measure": ind.unit.get(bundle.lang),
                    "source": source_text(ind.source, bundle.lang),
                    "normalisation": norm,
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
            Col(_bi(bundle, "global_weight"), w["global_weight"].tolist(), "0.0000"),
            *([Col(_bi(bundle, "note"), w["note"].fillna("").tolist())]
              if "note" in w.columns else [])]


def _weighting(bundle) -> list[Col]:
    """The weighting's intermediate tables, one row per number (long format, so every
    method fits one sheet): each parent's weights, then its vectors (entropy e and d,
    CRITIC σ, conflict and information …), matrices cell by cell (AHP judgements in the
    file's item order, correlations …) and scalars (λmax, CI, RI, CR …)."""
    a = bundle.assessment
    rows: list[tuple[str, str, str, str | None, str | None, Any]] = []
    for node in [q for q, _ in node_tree(a.framework) if q in a.weights]:
        nw = a.weights[node]
        children = [str(c) for c in nw.children]
        k = len(children)
        rows += [(node, nw.method, "weight", c, None, float(w))
                 for c, w in zip(children, nw.weights)]
        for key, value in nw.details.items():
            if value is None or key == "matrix_items":   # the matrix rows name them
                continue
            rows += _detail_rows(node, nw.method, key, value, children, k,
                                 nw.details.get("matrix_items"))
    weight_label = bundle.t("xl.local_weight")
    fw = bundle.framework
    known = {ROOT, *fw.node_ids, *fw.indicator_ids}
    return [Col(_bi(bundle, "node"), [r[0] for r in rows]),
            Col(_bi(bundle, "node_name"), [_names(bundle, r[0]) for r in rows]),
            Col(_bi(bundle, "method"), [method_name(bundle, r[1]) for r in rows]),
            Col(_bi(bundle, "quantity"), [weight_label if r[2] == "weight"
                                          else detail_label(bundle, r[2]) for r in rows]),
            Col(_bi(bundle, "key"), [r[2] for r in rows]),
            Col(_bi(bundle, "child"), [r[3] for r in rows]),
            Col(_bi(bundle, "name"), [_names(bundle, r[3]) if r[3] in known else None
                                      for r in rows]),
            Col(_bi(bundle, "column_item"), [r[4] for r in rows]),
            Col(_bi(bundle, "value"), [r[5] for r in rows])]


def _detail_rows(node, method, key, value, children, k, matrix_items) -> list[tuple]:
    numeric = numeric_detail(value)
    if numeric is not None and numeric.ndim == 1 and numeric.size == k and k > 1:
        return [(node, method, key, c, None, float(v)) for c, v in zip(children, numeric)]
    if numeric is not None and numeric.ndim == 2:
        m = numeric
        if key == "matrix" and matrix_items and len(matrix_items) == m.shape[0] == m.shape[1]:
            heads = rows_ = [str(i) for i in matrix_items]
        else:
            if m.shape[0] != k and m.shape[1] == k:
                m = m.T      # items down the rows, as everywhere else
            rows_ = children if m.shape[0] == k else [str(j + 1) for j in range(m.shape[0])]
            heads = children if m.shape[1] == k else [str(j + 1) for j in range(m.shape[1])]
        return [(node, method, key, r, c, float(v))
                for r, line in zip(rows_, m) for c, v in zip(heads, line)]
    if np.ndim(value) == 0:
        v = value.item() if isinstance(value, np.generic) else value
        return [(node, method, key, None, None, v if isinstance(v, (int, float, bool))
                 else str(v))]
    flat = [str(v) for v in np.ravel(np.asarray(value, dtype=object)) if v is not None]
    return [(node, method, key, None, None, "; ".join(flat))] if flat else []


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
                                           else "message_en"].tolist())]


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
    run = provenance(bundle)
    if run is not None:   # the sensitivity sheet's numbers come from these files
        items.append((_bi(bundle, "intervals_file"), f"{run['path']}  sha256 {run['sha256']}"))
        if run["summary_path"]:
            items.append((_bi(bundle, "sensitivity_summary"),
                          f"{run['summary_path']}  sha256 {run['summary_sha256']}"))
        items.append((_bi(bundle, "sensitivity_run"), t(
            "manifest.sensitivity_text", design=run["design"], seed=run["seed"],
            samples=run["samples"], scenarios=run["scenarios"], varied=run["varied"],
            version=run["version"])))
    for k, sentence in enumerate(overview.recipe_in_words(bundle), start=1):
        items.append((f"{_bi(bundle, 'step')} {k}", sentence))
    for f in formulas(bundle):
        items.append((f["title"], f"{f['formula']}  — {f['reference']}"))
    for w in m["warnings"]:
        items.append((_bi(bundle, "warning"), bundle.t.local(w)))
    return [Col(_bi(bundle, "item"), [k for k, _ in items]),
            Col(_bi(bundle, "content"), [v for _, v in items])]


def workbook_sheets(bundle) -> list[tuple[str, list[Col], str | None]]:
    sens, note = _sensitivity(bundle)
    sheets = [("rankings", _rankings(bundle), None),
              ("dimension_scores", _dimension_scores(bundle), None),
              ("indicators", _indicators(bundle), None),
              ("weights", _weights(bundle), None),
              ("weighting", _weighting(bundle), None),
              ("diagnostics", _diagnostics(bundle), None),
              ("alerts", _alerts(bundle), None),
              ("sensitivity", sens, note)]
    disparity = disparity_sheet(bundle)   # with groups to compare: as in the HTML report
    if disparity is not None:
        sheets.append(("disparity", *disparity))
    sheets.append(("methods", _methods(bundle), None))
    return [(bundle.t(f"sheet.{key}"), cols, note) for key, cols, note in sheets]


def workbook_bytes(bundle) -> bytes:
    """The whole workbook in memory (every table built first)."""
    return _workbook_bytes(workbook_sheets(bundle))


def write_xlsx_report(bundle, path: str | Path) -> Path:
    """Write ``report.xlsx`` atomically (rendered in memory first); an
    :class:`EvaluatorError` naming ``path`` when it cannot be written."""
    blob = workbook_bytes(bundle)
    return write_atomically(path, lambda p: p.write_bytes(blob))
