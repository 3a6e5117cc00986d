"""The report's overview: the framework tree, the recipe in words, data coverage and
quality flags."""
from __future__ import annotations

from typing import Any

import numpy as np

from ..model.framework import ROOT
from . import fmt

DIRECTION_MARK = {"benefit": "↑", "cost": "↓", "optimum": "◎", "range": "↔"}


def framework_tree(bundle) -> list[dict[str, Any]]:
    """Nested items under the root: label, id, global and relative weight, direction."""
    fw, a = bundle.framework, bundle.assessment
    local = {}
    for parent, nw in a.weights.items():
        for child, w in zip(nw.children, nw.weights):
            local[child] = float(w)

    def item(node: str) -> dict[str, Any]:
        is_ind = fw.is_indicator(node)
        out = {"id": node, "label": bundle.label(node), "indicator": is_ind,
               "global": fmt.pct(a.global_weights.get(node), 2),
               "local": fmt.pct(local.get(node), 1), "children": [], "unit": "",
               "direction": "", "direction_text": ""}
        if is_ind:
            ind = fw.indicator(node)
            out["direction"] = DIRECTION_MARK.get(ind.direction, "")
            out["direction_text"] = direction_text(bundle, ind)
            out["unit"] = ind.unit.get(bundle.lang)
        else:
            out["children"] = [item(c) for c in fw.children(node)]
        return out
    return [item(c) for c in fw.children(ROOT)]


def direction_text(bundle, ind) -> str:
    t = bundle.t
    if ind.direction == "optimum":
        return t("direction.optimum", value=fmt.auto(ind.optimum))
    if ind.direction == "range":
        lo, hi = ind.interval
        return t("direction.range", lo=fmt.auto(lo), hi=fmt.auto(hi))
    return t(f"direction.{ind.direction}")


_FAMILY = {"normalise": "normalisations", "weights": "weights", "aggregate": "aggregations"}


def method_label(bundle, section: str, name: str) -> str:
    """A method's name in the report's language: the catalogue's for a built-in method,
    else the title its plugin declares in the registry (its id without one)."""
    key = f"method.{section}.{name}"
    if bundle.t.has(key):
        return bundle.t(key)
    from .. import registry
    from ..errors import EvaluatorError
    try:
        return registry.get(_FAMILY[section], name).title_in(bundle.lang)
    except (EvaluatorError, KeyError):
        return name


def weight_method_text(bundle, spec: dict) -> str:
    t = bundle.t
    method = spec["method"]
    text = method_label(bundle, "weights", method)
    if method == "combined":
        parts = ", ".join(method_label(bundle, "weights", p["method"])
                          for p in spec["methods"])
        text = t("recipe.combined", parts=parts, how=t(f"method.combine.{spec['how']}"))
    elif method == "ahp":
        text = t("recipe.ahp_file", file=str(spec["file"]))
    return text


def aggregate_text(bundle, spec: dict) -> str:
    return method_label(bundle, "aggregate", spec["method"])


def recipe_in_words(bundle) -> list[str]:
    """One sentence per step, in order, with what the step did to these data."""
    t, a = bundle.t, bundle.assessment
    rc = a.recipe
    rec = {r["step"]: r for r in a.records}
    out = []
    den = rec.get("denominate", {}).get("indicators") or []
    if rc.denominate and den:
        listed = ", ".join(f"{bundle.label(i)} ÷ {a.framework.indicator(i).denominator}"
                           for i in den)
        out.append(t("recipe.denominate", list=listed))
    imp = rec.get("impute", {})
    out.append(t("recipe.impute", method=t(f"method.impute.{rc.impute['method']}"),
                 cells=imp.get("cells_imputed", 0), left=imp.get("cells_missing_after", 0)))
    scr = rec.get("screen", {})
    if rc.screen["min_coverage"] > 0:
        out.append(t("recipe.screen", share=fmt.pct(rc.screen["min_coverage"], 0),
                     dropped=len(scr.get("rows_dropped", []) or [])))
    else:
        out.append(t("recipe.screen_none"))
    treated = []
    for d in rec.get("treat", {}).get("details", []) or []:
        if d.get("action") == "winsorised":
            treated.append(t("treat.winsorised", name=bundle.label(d["indicator"]),
                             points=d.get("points", 0)))
        elif d.get("action") == "log":
            treated.append(t("treat.log", name=bundle.label(d["indicator"])))
    out.append(t("recipe.treat", method=t(f"method.treat.{rc.treat['method']}"),
                 treated="; ".join(treated) if treated else t("none")))
    nm = rc.normalise
    out.append(t("recipe.normalise", method=method_label(bundle, "normalise", nm["method"]),
                 lo=f"{nm['range'][0]:g}", hi=f"{nm['range'][1]:g}",
                 scope=t(f"scope.{nm['scope']}")))
    w = rc.weights
    out.append(t("recipe.weights", indicators=weight_method_text(bundle, w["indicators"]),
                 nodes=weight_method_text(bundle, w["nodes"])))
    for node, spec in w.get("by_node", {}).items():
        out.append(t("recipe.by_node", node=bundle.label(node) if _known(bundle, node) else node,
                     method=weight_method_text(bundle, spec)))
    ag = rc.aggregate
    out.append(t("recipe.aggregate", method=aggregate_text(bundle, ag)))
    for node, spec in ag.get("by_node", {}).items():
        out.append(t("recipe.by_node", node=bundle.label(node) if _known(bundle, node) else node,
                     method=aggregate_text(bundle, spec)))
    dec = rc.rank["decimals"]
    out.append(t("recipe.rank") + ("" if dec is None else " " + t("recipe.rank_decimals",
                                                                   decimals=dec)))
    if a.coordination is not None:
        out.append(t("recipe.coordination", form=t(f"coordination.{a.coordination.form}")))
    p = bundle.diagnosis.params
    out.append(t("recipe.lights", base=p["base_year"],
                 compare=t(f"compare.{p['compare']}")))
    return out


def _known(bundle, node: str) -> bool:
    fw = bundle.framework
    return node == ROOT or node in fw.node_ids or node in fw.indicator_ids


def coverage(bundle) -> dict[str, Any]:
    """Observed share overall and per indicator/year, imputed cells, quality issues."""
    a, t = bundle.assessment, bundle.t
    observed = np.asarray(a.observed, bool)
    imputed = np.asarray(a.imputed, bool)
    out: dict[str, Any] = {
        "units": int(len(np.unique(a.units))), "years": len(bundle.years),
        "first_year": bundle.years[0], "last_year": bundle.years[-1],
        "indicators": len(a.ids), "rows": int(len(a.units)),
        "observed": fmt.pct(observed.mean() if observed.size else np.nan),
        "imputed": int(imputed.sum()), "issues": [], "low": [], "by_year": []}
    q = bundle.quality
    if q is not None:
        low = q.coverage_by_indicator.sort_values("share", kind="mergesort").head(5)
        out["low"] = [{"name": bundle.label(r["indicator"]) if r["indicator"] in a.ids
                       else str(r["indicator"]), "share": fmt.pct(r["share"]),
                       "missing": int(r["n_missing"])} for r in low.to_dict(orient="records")]
        out["by_year"] = [{"year": int(r["year"]), "share": fmt.pct(r["share"])}
                          for r in q.coverage_by_year.to_dict(orient="records")]
        out["issues"] = [{"level": i.level, "level_text": t(f"level.{i.level}"),
                          "text": i.text(bundle.lang)} for i in q.issues]
    out["warnings"] = [t.local(w) for w in a.warnings]
    return out
