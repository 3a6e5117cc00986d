"""The methods appendix: every indicator with direction, unit, source, normalisation and
weight; each weighting with its intermediate tables (entropy e and d, CRITIC σ and
conflict, AHP matrices with CR …); the formulas and references of the methods used; the
manifest (version, input hashes, seed)."""
from __future__ import annotations

import re
from typing import Any

import numpy as np
import yaml

from ..errors import EvaluatorError
from . import fmt
from .intervals import provenance
from .overview import aggregate_text, direction_text, method_label, weight_method_text


_SOURCE_PAIR = re.compile(r"^(?P<zh>.*[\u4e00-\u9fff].*?)\s*\((?P<en>[^()\u4e00-\u9fff]+)\)$",
                          re.S)


def source_text(source: str, lang: str) -> str:
    """An indicator's data source in the report's language: a source written as
    ``中文名称 (English name)`` (as the built-in frameworks write them) shows its Chinese
    part in Chinese and the part in brackets in English; any other text as written."""
    match = _SOURCE_PAIR.match(source or "")
    if not match:
        return source
    return match.group("zh").strip() if lang == "zh" else match.group("en").strip()


def indicator_rows(bundle) -> list[dict[str, Any]]:
    a, fw, t = bundle.assessment, bundle.framework, bundle.t
    nm = a.recipe.normalise
    method = method_label(bundle, "normalise", nm["method"])
    local = {c: float(w) for nw in a.weights.values() for c, w in zip(nw.children, nw.weights)}
    rows = []
    for ind in fw.indicators:
        parts = [method]
        if ind.goalposts and nm["method"] == "goalposts":
            parts.append(t("goalposts", lo=fmt.auto(ind.goalposts[0]),
                           hi=fmt.auto(ind.goalposts[1])))
        if ind.transform == "log":
            parts.append(t("transform.log"))
        rows.append({
            "id": ind.id, "name": bundle.label(ind.id), "parent": bundle.label(ind.parent),
            "direction": direction_text(bundle, ind), "unit": ind.unit.get(bundle.lang),
            "source": source_text(ind.source, bundle.lang),
            "normalisation": "; ".join(parts), "denominator": ind.denominator or "",
            "local": fmt.pct(local.get(ind.id), 2),
            "global": fmt.pct(a.global_weights.get(ind.id), 2),
            "global_value": fmt.full(a.global_weights.get(ind.id))})
    return rows


def detail_label(bundle, key: str) -> str:
    """A weight detail's name; an unknown key (a future method's) is shown as is."""
    if key.startswith("component_"):
        return bundle.t("detail.component", method=method_name(bundle, key[10:]))
    return bundle.t(f"detail.{key}") if bundle.t.has(f"detail.{key}") else key


def method_name(bundle, method: str) -> str:
    return method_label(bundle, "weights", method)


def _cell(v: Any) -> str:
    if isinstance(v, bool):
        return "✓" if v else "✗"
    if isinstance(v, (int, float, np.floating, np.integer)):
        return fmt.num(v, 4)
    return str(v)


def weight_sections(bundle) -> list[dict[str, Any]]:
    """Top-down, one section per parent: method, weights and intermediate tables."""
    a = bundle.assessment
    sections = []
    from .profiles import node_tree
    for node in [q for q, _ in node_tree(a.framework) if q in a.weights]:   # tree order
        # the NodeWeights itself, not weight_details(): there a detail named "method"
        # (AHP's priority method) would hide the weighting method
        nw = a.weights[node]
        children = list(nw.children)
        k = len(children)
        columns, vectors, scalars, matrices = [], [], [], []
        extra = {key: (v.tolist() if isinstance(v, np.ndarray) else v)
                 for key, v in nw.details.items()}
        if nw.method == "ahp" and "matrix" not in extra:
            matrix = _ahp_matrix(bundle, node, children, extra.get("file"))
            if matrix is not None:
                extra["matrix"] = matrix
        elif "matrix" in extra:
            # the judgement matrix is in the file's item order: shown in the children's
            extra["matrix"] = in_child_order(extra["matrix"], extra.get("matrix_items"),
                                             children)
        for key, value in extra.items():
            if value is None or key == "matrix_items":   # rows are labelled instead
                continue
            arr = np.asarray(value, dtype=object)
            numeric = numeric_detail(value)
            if numeric is not None and numeric.ndim == 1 and numeric.size == k and k > 1:
                columns.append(detail_label(bundle, key))
                vectors.append([fmt.num(v, 4) for v in numeric])
            elif numeric is not None and numeric.ndim == 2 and k > 1 and k in numeric.shape:
                m = numeric if numeric.shape[0] == k else numeric.T
                # columns numbered (long names would not fit), rows numbered to match
                heads = [str(j + 1) for j in range(m.shape[1])]
                show = _judgement if key == "matrix" else (lambda v: fmt.num(v, 4))
                matrices.append({"label": detail_label(bundle, key), "heads": heads,
                                 "rows": [{"label": f"{j + 1}. {bundle.label(c)}",
                                           "cells": [show(v) for v in row]}
                                          for j, (c, row) in enumerate(zip(children, m))]})
            elif arr.ndim == 0:
                scalars.append((detail_label(bundle, key), _cell(value)))
            else:
                flat = [_cell(v) for v in np.ravel(arr) if v is not None and str(v) != ""]
                if flat:
                    scalars.append((detail_label(bundle, key), ", ".join(flat)))
        rows = [{"label": bundle.label(c), "weight": fmt.num(w, 4),
                 "global": fmt.pct(a.global_weights.get(c), 2),
                 "cells": [vec[j] for vec in vectors]}
                for j, (c, w) in enumerate(zip(children, nw.weights))]
        spec = _spec_for(a.recipe, a.framework, node)
        sections.append({"node": node, "label": bundle.label(node),
                         "method": weight_method_text(bundle, spec) if spec else nw.method,
                         "aggregation": aggregate_text(bundle, a.aggregation_methods[node])
                         if node in a.aggregation_methods else "",
                         "rows_used": nw.rows_used, "columns": columns, "rows": rows,
                         "scalars": scalars, "matrices": matrices})
    return sections


def in_child_order(matrix: Any, items: Any, children: list[str]) -> Any:
    """A square matrix over ``items`` reordered to ``children`` (unchanged when the
    items are not given or are not the children)."""
    if not items or sorted(map(str, items)) != sorted(children):
        return matrix
    items = [str(i) for i in items]
    order = [items.index(c) for c in children]
    return np.asarray(matrix, dtype=float)[np.ix_(order, order)].tolist()


def _judgement(v: float) -> str:
    """A pairwise judgement as written on Saaty's scale: 3, 1/3, or decimals when the
    matrix was pooled from several experts."""
    if not np.isfinite(v) or v <= 0:
        return fmt.num(v, 3)
    for value, text in ((v, "{:.0f}"), (1 / v, "1/{:.0f}")):
        if abs(value - round(value)) < 1e-9:
            return text.format(round(value))
    return fmt.num(v, 3)


def numeric_detail(value: Any) -> np.ndarray | None:
    """A weight detail as a float vector or matrix, or None (text, scalars …)."""
    try:
        arr = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return None
    return arr if arr.ndim in (1, 2) else None


def _spec_for(recipe, framework, parent: str) -> dict | None:
    w = recipe.weights
    if parent in w.get("by_node", {}):
        return w["by_node"][parent]
    kids = framework.children(parent)
    return w["indicators"] if kids and framework.is_indicator(kids[0]) else w["nodes"]


def _ahp_matrix(bundle, node: str, children: list[str], file: Any) -> list | None:
    """The pairwise comparison matrix of an AHP node, read back from the judgement file
    the weights came from (the weights record λmax and CR but not the matrix)."""
    if not file:
        return None
    try:
        from ..model.judgements import load_judgements
        from ..stages.ahp_weights import analyse_judgements
        analysis = analyse_judgements(load_judgements(file, bundle.framework),
                                      bundle.framework)
        m = analysis.matrices.get(node)
        if m is None:
            return None
        order = [list(m.items).index(c) for c in children]
        return np.asarray(m.result.matrix)[np.ix_(order, order)].tolist()
    except (EvaluatorError, OSError, ValueError):
        return None


def formulas(bundle) -> list[dict[str, str]]:
    """The formulas (with their references) of the methods this assessment used, then
    those of ranking, coordination and the diagnostics."""
    a, t = bundle.assessment, bundle.t
    rc = a.recipe
    used: list[str] = [f"formula.normalise.{rc.normalise['method']}"]
    weight_methods = []
    for spec in [rc.weights["indicators"], rc.weights["nodes"], *rc.weights["by_node"].values()]:
        weight_methods.append(spec["method"])
        if spec["method"] == "combined":
            weight_methods += [p["method"] for p in spec["methods"]]
            used.append(f"formula.combine.{spec['how']}")
    used += [f"formula.weights.{m}" for m in dict.fromkeys(weight_methods)]
    agg_methods = [rc.aggregate["method"]] + [s["method"] for s in
                                              rc.aggregate["by_node"].values()]
    used += [f"formula.aggregate.{m}" for m in dict.fromkeys(agg_methods)]
    if rc.treat["method"] != "none":
        used.append(f"formula.treat.{rc.treat['method']}")
    used.append("formula.rank")
    if a.coordination is not None:
        used.append(f"formula.coordination.{a.coordination.form}")
    used += ["formula.obstacle", "formula.lights"]
    out = []
    for key in dict.fromkeys(used):
        if t.has(f"{key}.title"):
            out.append({"title": t(f"{key}.title"), "formula": t(f"{key}.text"),
                        "reference": t(f"{key}.ref")})
        else:   # a plugin's method: what it declares in the registry
            out.append(_declared_formula(bundle, *key.split(".")[1:3]))
    return out


def _declared_formula(bundle, section: str, name: str) -> dict[str, str]:
    from .. import registry
    from ..errors import EvaluatorError
    from .overview import _FAMILY
    try:
        m = registry.get(_FAMILY[section], name)
    except (EvaluatorError, KeyError):
        return {"title": name, "formula": "", "reference": ""}
    return {"title": m.title_in(bundle.lang), "formula": m.formula_in(bundle.lang),
            "reference": m.reference}


def _input_kind(bundle, kind: str) -> str:
    """data, framework, recipe, judgements_1 … in words (an unknown kind as it is)."""
    base, _, number = kind.partition("_")
    key = f"input.{base}"
    if not bundle.t.has(key):
        return kind
    return bundle.t(key) + (f" {number}" if number else "")


def manifest(bundle) -> dict[str, Any]:
    m = bundle.manifest
    inputs = [{"kind": _input_kind(bundle, kind), "path": str(v.get("path", "")),
               "sha256": str(v.get("sha256") or "")}
              for kind, v in m["inputs"].items() if isinstance(v, dict)]
    run = provenance(bundle)
    if run is not None:   # the robustness section's numbers come from these files
        inputs.append({"kind": bundle.t("input.intervals"), "path": run["path"],
                       "sha256": run["sha256"]})
        if run["summary_path"]:
            inputs.append({"kind": bundle.t("input.sensitivity_summary"),
                           "path": run["summary_path"], "sha256": run["summary_sha256"]})
    recipe_yaml = yaml.safe_dump(m["recipe"], allow_unicode=True, sort_keys=False)
    return {"tool": m["tool"], "version": m["version"], "seed": m["seed"],
            "synthetic": bool(m.get("synthetic_demo_data")), "inputs": inputs,
            "rows": m["rows"], "warnings": [bundle.t.local(w) for w in m["warnings"]],
            "recipe_yaml": recipe_yaml,
            "framework": f"{bundle.framework.id} {bundle.framework.version}".strip(),
            "framework_name": bundle.framework.name.get(bundle.lang),
            "reference": bundle.framework.reference, "sensitivity": run}


