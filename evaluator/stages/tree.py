"""Weights and aggregation over the framework's tree, bottom-up: each parent's children
are weighted (:mod:`.weigh`) and aggregated by the recipe's method for that node; the
intermediate results of TOPSIS and grey relational analysis are kept per node. Also the
indicators' shares of the composite (contributions) when every node is a weighted sum.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..errors import MethodError
from .. import registry
from ..methods import aggregate as agg
from ..methods.aggregation_methods import AggregationContext
from ..model.framework import ROOT
from ..model.recipe import Recipe
from .run import Run
from .weigh import NodeWeights, compute_weights, global_weights
from ..i18n import M


def weigh_and_aggregate(run: Run) -> None:
    """Weights of every parent's children and every node's score, bottom-up."""
    run.scores, run.weights, run.method_of, run.aggregation_details = aggregate_tree(
        run.framework, run.recipe, run.Z, run.X, run.ids, run.labels, run.ahp_loader,
        run.scope_blocks, run.warnings)
    run.global_weights = global_weights(run.framework, run.weights)
    run.records.append({"step": "weights", "global": run.global_weights,
                        "judgement_files": dict(getattr(run.ahp_loader, "files", {}) or {})})


def contributions(run: Run) -> np.ndarray | None:
    """Each indicator's share of the composite (None when some node does not decompose)."""
    return contribution_shares(run.framework, run.scores, run.weights, run.method_of, run.Z,
                               run.ids)


def weight_spec_for(recipe: Recipe, framework, parent: str) -> Mapping[str, Any]:
    w = recipe.weights
    if parent in w["by_node"]:
        return w["by_node"][parent]
    kids = framework.children(parent)
    return w["indicators"] if all(framework.is_indicator(k) for k in kids) else w["nodes"]


def aggregate_tree(framework, recipe, Z, X, ids, labels, ahp_loader, blocks, warnings, *,
                   weigh=compute_weights):
    """Every node's weights (``weigh``: :func:`.weigh.compute_weights`, or the same
    remembered, as the sensitivity design does) and score, bottom-up."""
    details: dict[str, dict[str, Any]] = {}
    scores: dict[str, np.ndarray] = {i: Z[:, j] for j, i in enumerate(ids)}
    prepared: dict[str, np.ndarray] = {i: X[:, j] for j, i in enumerate(ids)}
    fixed = {i.id: i.weight for i in framework.indicators}
    fixed.update({n.id: n.weight for n in framework.nodes})
    local: dict[str, NodeWeights] = {}
    method_of: dict[str, Mapping[str, Any]] = {}
    wspec = recipe.weights
    ind_spec = wspec["indicators"]
    pooled: np.ndarray | None = None
    pooled_nodes = registry.get("weights", wspec["nodes"]["method"]).has("pooled")
    if wspec["scope"] == "all" or pooled_nodes:
        # one weight vector over all indicators (the usual entropy/CRITIC practice)
        pooled = weigh(ind_spec, children=ids, node=ROOT, normalised=Z, raw=X,
                       fixed=fixed, ahp_weights=ahp_loader).weights
    pooled_of = dict(zip(ids, pooled)) if pooled is not None else {}
    agg_spec = recipe.aggregate
    for parent in framework.aggregation_order():
        kids = framework.children(parent)
        V = np.column_stack([scores[k] for k in kids])
        spec = weight_spec_for(recipe, framework, parent)
        if registry.get("weights", spec["method"]).has("pooled") or (
                pooled is not None and spec is ind_spec):
            if pooled is None:
                raise MethodError(M("tree.nodes_from_indicators_needs"), where=M("tree.nodes_from_indicators_needs.where"))
            w = np.array([sum(pooled_of[i] for i in ([k] if framework.is_indicator(k) else
                                                     framework.indicators_under(k)))
                          for k in kids])
            nw = NodeWeights(parent, kids, f"{ind_spec['method']} (over all indicators)",
                             w / w.sum())
        else:
            raw = np.column_stack([prepared.get(k, scores[k]) for k in kids])
            nw = weigh(spec, children=kids, node=parent, normalised=V, raw=raw,
                       fixed=fixed, ahp_weights=ahp_loader)
        local[parent] = nw
        how = agg_spec["by_node"].get(parent, agg_spec)
        method_of[parent] = how
        scores[parent] = _aggregate(how, V, nw.weights, agg_spec["min_coverage"], kids,
                                    labels, recipe, blocks, details, parent, warnings)
    return scores, local, method_of, details


def _aggregate(how, V, w, min_coverage, kids, labels, recipe, blocks, details, parent,
               warnings):
    """One node's score from its children by the method registered under ``how``'s name.
    A method that compares units (TOPSIS, grey relational, VIKOR) runs per block on
    complete data and keeps its declared intermediate quantities in ``details[parent]``."""
    method = how["method"]
    entry = registry.get("aggregations", method,
                         where=M("registry.where.node_method", node=parent))
    params = {k: v for k, v in how.items() if k not in ("method", "by_node", "min_coverage")}
    context = AggregationContext(kids, labels, parent, M("registry.where.node", node=parent),
                                 min_coverage,
                                 warnings.append)
    lo, hi = recipe.normalise["range"]
    complete = entry.has("compares_units") or entry.has("needs_complete")
    if complete and np.isnan(V).any():
        r, c = np.argwhere(np.isnan(V))[0]
        raise MethodError(M("tree.needs_complete_data_missing", method=method, kids=kids[c], labels=labels[r], sum=int(np.isnan(V).sum())),
                          where=M("tree.needs_complete_data_missing.where", parent=parent),
                          fix=M("tree.needs_complete_data_missing.fix"))
    if not entry.has("compares_units"):   # row by row: one call over all rows
        res = entry.func(V, w, context=context, **params)
        if res.rows or res.per_child:
            details[parent] = {"method": method, "children": list(kids),
                               "blocks": [{"block": None, **res.block}], "rows": res.rows,
                               "per_child": res.per_child}
        return lo + (hi - lo) * res.score if entry.has("unit_scale") else res.score
    # the ideal is taken over the rows compared: all unit-years (pooled) or each year
    block_ids = np.zeros(len(V), dtype=int) if blocks is None else blocks
    score = np.empty(len(V))
    rows_out: dict[str, np.ndarray] = {}
    child_out: dict[str, np.ndarray] = {}
    per_block = []   # the intermediate results users compare with SPSSAU, per block
    for b in np.unique(block_ids):
        rows = block_ids == b
        where = M("registry.where.node_year", node=parent, year=b) if blocks is not None \
            else M("registry.where.node", node=parent)
        if rows.sum() < 2:
            raise MethodError(M("tree.compares_units_with_each", method=method, sum=int(rows.sum())), where=where,
                              fix=M("tree.compares_units_with_each.fix"))
        context.where, context.labels = where, labels[rows]
        res = entry.func(V[rows], w, context=context, **params)
        score[rows] = res.score
        for name, values in res.rows.items():
            rows_out.setdefault(name, np.full(len(V), np.nan))[rows] = values
        for name, values in res.per_child.items():
            child_out.setdefault(name, np.full(V.shape, np.nan))[rows] = values
        per_block.append({"block": b, **res.block})
    details[parent] = {"method": method, "children": list(kids), "blocks": per_block,
                       "rows": rows_out, "per_child": child_out}
    # reported on the normalisation range like every other score
    return lo + (hi - lo) * score


def contribution_shares(framework, scores, local, method_of, Z, ids):
    """Rows × indicators: each indicator's share of the composite, so that
    contribution = share × normalised value sums exactly to the score. Only defined when
    every node is a weighted sum (else None: a geometric mean does not decompose)."""
    if not all(registry.get("aggregations", m["method"]).has("decomposes")
               for m in method_of.values()):
        return None
    share: dict[str, np.ndarray] = {ROOT: np.ones(Z.shape[0])}
    for parent in reversed(framework.aggregation_order()):
        nw = local[parent]
        V = np.column_stack([scores[k] for k in nw.children])
        eff = agg.effective_shares(V, nw.weights)
        for c, child in enumerate(nw.children):
            share[child] = share[parent] * eff[:, c]
    return np.column_stack([share[i] for i in ids])
