"""Weights and aggregation over the framework's tree, bottom-up: each parent's children
are weighted (:mod:`.weigh`) and aggregated by the recipe's method for that node; the
intermediate results of TOPSIS and grey relational analysis are kept per node. Also the
indicators' shares of the composite (contributions) when every node is a weighted sum.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..errors import MethodError
from ..methods import aggregate as agg
from ..model.framework import ROOT
from ..model.recipe import Recipe
from .run import Run
from .weigh import NodeWeights, compute_weights, global_weights


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


def aggregate_tree(framework, recipe, Z, X, ids, labels, ahp_loader, blocks, warnings):
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
    if wspec["scope"] == "all" or wspec["nodes"]["method"] == "from_indicators":
        # one weight vector over all indicators (the usual entropy/CRITIC practice)
        pooled = compute_weights(ind_spec, children=ids, node=ROOT, normalised=Z, raw=X,
                                 fixed=fixed, ahp_weights=ahp_loader).weights
    pooled_of = dict(zip(ids, pooled)) if pooled is not None else {}
    agg_spec = recipe.aggregate
    for parent in framework.aggregation_order():
        kids = framework.children(parent)
        V = np.column_stack([scores[k] for k in kids])
        spec = weight_spec_for(recipe, framework, parent)
        if spec["method"] == "from_indicators" or (pooled is not None and spec is ind_spec):
            if pooled is None:
                raise MethodError("nodes: from_indicators needs indicator weights computed "
                                  "over all indicators", where="recipe weights")
            w = np.array([sum(pooled_of[i] for i in ([k] if framework.is_indicator(k) else
                                                     framework.indicators_under(k)))
                          for k in kids])
            nw = NodeWeights(parent, kids, f"{ind_spec['method']} (over all indicators)",
                             w / w.sum())
        else:
            raw = np.column_stack([prepared.get(k, scores[k]) for k in kids])
            nw = compute_weights(spec, children=kids, node=parent, normalised=V, raw=raw,
                                 fixed=fixed, ahp_weights=ahp_loader)
        local[parent] = nw
        how = agg_spec["by_node"].get(parent, agg_spec)
        method_of[parent] = how
        scores[parent] = _aggregate(how, V, nw.weights, agg_spec["min_coverage"], kids,
                                    labels, recipe, blocks, details, parent, warnings)
    return scores, local, method_of, details


def _aggregate(how, V, w, min_coverage, kids, labels, recipe, blocks, details, parent,
               warnings):
    """One node's score from its children; TOPSIS and grey relational keep their
    intermediate results (D⁺, D⁻, C; coefficients, grade) in ``details[parent]``."""
    method = how["method"]
    if method == "weighted_sum":
        return agg.weighted_sum(V, w, min_coverage=min_coverage)
    if method == "geometric":
        out = agg.geometric(V, w, floor=how.get("floor"), min_coverage=min_coverage,
                            nonpositive=how.get("nonpositive", "error"), names=kids,
                            row_labels=labels)
        if how.get("nonpositive") == "missing":
            lost = (~np.isnan(V) & (V <= 0)).any(axis=1)
            if lost.any():
                warnings.append(f"node {parent!r}: no score for {int(lost.sum())} unit-year(s) "
                                f"with a child ≤ 0 (geometric, nonpositive: missing): "
                                + ", ".join(map(str, labels[lost][:10])))
        return out
    lo, hi = recipe.normalise["range"]
    if np.isnan(V).any():
        r, c = np.argwhere(np.isnan(V))[0]
        raise MethodError(f"{method} needs complete data: {kids[c]!r} is missing for "
                          f"{labels[r]} ({int(np.isnan(V).sum())} missing values in all)",
                          where=f"node {parent!r}",
                          fix="impute missing values first (impute: {method: linear})")
    # the ideal is taken over the rows compared: all unit-years (pooled) or each year
    block_ids = np.zeros(len(V), dtype=int) if blocks is None else blocks
    closeness = np.empty(len(V))
    keep = {name: np.empty(len(V)) for name in ("d_plus", "d_minus")} \
        if method == "topsis" else {"coefficients": np.empty(V.shape)}
    per_block = []   # the intermediate results users compare with SPSSAU, per block
    for b in np.unique(block_ids):
        rows = block_ids == b
        where = f"node {parent!r}" + (f", year {b}" if blocks is not None else "")
        if rows.sum() < 2:
            raise MethodError(f"{method} compares units with each other, but only "
                              f"{int(rows.sum())} unit is scored", where=where,
                              fix="score two or more units, or use weighted_sum")
        if method == "topsis":
            from ..methods.topsis import topsis
            res = topsis(V[rows], w, normalisation=how["normalisation"],
                         weight_in_root=how["weight_in_root"], where=where)
            closeness[rows] = res.closeness
            keep["d_plus"][rows], keep["d_minus"][rows] = res.d_plus, res.d_minus
            per_block.append({"block": b, "ideal": res.ideal, "anti_ideal": res.anti_ideal})
        elif method == "grey_relational":
            from ..methods.grey_relational import grey_relational
            res = grey_relational(V[rows], w, rho=how["rho"], where=where)
            closeness[rows] = res.grade
            keep["coefficients"][rows] = res.coefficients
            per_block.append({"block": b, "reference": res.reference,
                              "delta_min": res.delta_min, "delta_max": res.delta_max,
                              "rho": res.rho})
        else:
            raise MethodError(f"unknown aggregation {method!r}")
    details[parent] = {"method": method, "children": list(kids), "blocks": per_block,
                       ("closeness" if method == "topsis" else "grade"): closeness, **keep}
    # reported on the normalisation range like every other score
    return lo + (hi - lo) * closeness


def contribution_shares(framework, scores, local, method_of, Z, ids):
    """Rows × indicators: each indicator's share of the composite, so that
    contribution = share × normalised value sums exactly to the score. Only defined when
    every node is a weighted sum (else None: a geometric mean does not decompose)."""
    if any(m["method"] != "weighted_sum" for m in method_of.values()):
        return None
    share: dict[str, np.ndarray] = {ROOT: np.ones(Z.shape[0])}
    for parent in reversed(framework.aggregation_order()):
        nw = local[parent]
        V = np.column_stack([scores[k] for k in nw.children])
        eff = agg.effective_shares(V, nw.weights)
        for c, child in enumerate(nw.children):
            share[child] = share[parent] * eff[:, c]
    return np.column_stack([share[i] for i in ids])
