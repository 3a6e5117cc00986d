"""The pipeline: Framework + Panel + Recipe → Assessment.

The only place (with :mod:`evaluator.sensitivity`) that knows the order of the steps:
denominate → impute → screen → transform (log) → treat → normalise → weight → aggregate (level
by level up the tree) → rank. Each step is a pure function from :mod:`evaluator.methods`
on arrays of unit-year rows × indicators; every stage's data is kept in the Assessment.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .errors import DataError, MethodError
from .methods import aggregate as agg
from .methods import normalise as norm
from .methods import prepare
from .methods.ranking import competition_rank, rank_change
from .model.assessment import Assessment
from .model.framework import ROOT, Framework
from .model.panel import Panel
from .model.recipe import Recipe
from .stages.ahp_weights import make_ahp_loader
from .stages.coordination import coordination
from .stages.diagnose_params import alert_params, diagnose_params
from .stages.diagnostics import diagnostic_warnings
from .stages.weigh import NodeWeights, compute_weights, global_weights


def default_recipe(framework: Framework) -> Recipe:
    """The framework's own recipe (its ``recipe:`` section), defaults filled in."""
    return Recipe.from_dict(framework.recipe, source=f"{framework.id} (framework recipe)")


def evaluate(framework: Framework, panel: Panel,
             recipe: Recipe | Mapping[str, Any] | None = None, *, ahp_loader=None) -> Assessment:
    """Score every unit and year of ``panel`` on ``framework`` by ``recipe``.

    ``recipe`` defaults to the framework's own recipe; a plain mapping (e.g.
    ``{"weights": {"indicators": "critic"}}``) is laid over the framework's recipe, as a
    recipe file is by the CLI; a :class:`Recipe` is used as it is. Returns an :class:`Assessment`
    holding every stage's data, the weights with their intermediate tables, scores, ranks
    and a manifest; ``Assessment.to_dir(path)`` writes the output tables.
    """
    if recipe is None:
        recipe = default_recipe(framework)
    elif not isinstance(recipe, Recipe):
        recipe = Recipe.from_dict(recipe, base=framework.recipe,
                                  source=f"{framework.id} recipe (API)")
    if ahp_loader is None:  # judgement files resolve beside the recipe file, then weights/
        src = Path(recipe.source) if recipe.source else None
        ahp_loader = make_ahp_loader(
            framework, base_dir=src.parent if src is not None and src.is_file() else None)
    ids = list(framework.indicator_ids)
    df = panel.data.reset_index(drop=True)
    units = df["unit"].astype(str).to_numpy()
    years = df["year"].to_numpy()
    groups = df["group"].astype(str).to_numpy() if "group" in df.columns else None
    labels = np.array([f"{u} {y}" for u, y in zip(units, years)], dtype=object)
    stages: dict[str, np.ndarray] = {}
    records: list[dict[str, Any]] = []
    warnings: list[str] = list(panel.warnings)

    # the diagnose and alerts sections are checked before any work, and recorded as used
    diag = diagnose_params(recipe.diagnose, sorted(int(y) for y in np.unique(years)),
                           source=recipe.source, framework=framework)
    rules = alert_params(recipe.alerts, source=recipe.source)

    X = df[ids].to_numpy(dtype=float)
    stages["raw"] = X.copy()

    # 1. denominate
    if recipe.denominate:
        D = np.full(X.shape, np.nan)
        used = []
        for j, ind in enumerate(framework.indicators):
            if ind.denominator:
                if ind.denominator in df.columns and df[ind.denominator].isna().all():
                    raise DataError(f"denominator column {ind.denominator!r} of indicator "
                                    f"{ind.id!r} is empty", where=panel.source,
                                    fix="fill the denominator column")
                if ind.denominator not in df.columns:
                    raise DataError(f"denominator column {ind.denominator!r} of indicator "
                                    f"{ind.id!r} is not in the data", where=panel.source,
                                    fix=f"add a column {ind.denominator!r} or remove "
                                        f"`denominator:` from the framework")
                D[:, j] = pd.to_numeric(df[ind.denominator], errors="coerce").to_numpy(float)
                used.append(ind.id)
        if used:
            X = prepare.denominate(X, D, names=ids, row_labels=labels)
        records.append({"step": "denominate", "indicators": used})
    stages["denominated"] = X.copy()
    observed = ~np.isnan(X)

    # 2. impute
    imp = recipe.impute
    by = imp.get("by")
    if by is not None and by not in df.columns:
        raise DataError(f"impute.by names column {by!r}, which is not in the data",
                        where=panel.source, fix="name a column of the panel, e.g. group")
    by_labels = None
    if by:  # a missing group label stays missing (not a group called "nan")
        by_labels = df[by].map(lambda v: None if pd.isna(v) else str(v)).to_numpy(object)
    X, imputed = prepare.impute(
        X, imp["method"], blocks=years, groups=by_labels,
        units=units, times=years, k=imp.get("k", 5), names=ids)
    still = int(np.isnan(X).sum())
    records.append({"step": "impute", **imp, "cells_imputed": int(imputed.sum()),
                    "cells_missing_after": still})
    if still and imp["method"] != "none":
        warnings.append(f"{still} cells are still missing after imputation ({imp['method']});"
                        " they are skipped in aggregation")
    stages["imputed"] = X.copy()

    # 3. screen
    keep = prepare.screen(observed, recipe.screen["min_coverage"], row_labels=labels)
    dropped = [str(label) for label in labels[~keep]]
    records.append({"step": "screen", **recipe.screen, "rows_dropped": dropped})
    if dropped:
        warnings.append(f"{len(dropped)} unit-years dropped by screening "
                        f"(own data below {recipe.screen['min_coverage']:.0%})")
    if not keep.any():
        raise DataError("screening dropped every unit-year", where=panel.source,
                        fix="lower screen.min_coverage or add data")
    rows = np.flatnonzero(keep)
    X, observed, imputed = X[rows], observed[rows], imputed[rows]
    for name in stages:
        stages[name] = stages[name][rows]
    units, years, labels = units[rows], years[rows], labels[rows]
    groups = groups[rows] if groups is not None else None
    stages["screened"] = X.copy()

    # 4. transform (log) values and every bound on their scale alike — before the outlier
    # treatment, so skewness is judged (and any log fallback applied) on the scale the
    # framework declares
    goalposts = np.array([i.goalposts if i.goalposts else (np.nan, np.nan)
                          for i in framework.indicators], dtype=float)
    optimum = np.array([np.nan if i.optimum is None else i.optimum
                        for i in framework.indicators], float)
    interval = np.array([i.interval if i.interval else (np.nan, np.nan)
                         for i in framework.indicators], float)
    targets = _normalise_targets(framework, recipe, ids)
    for j, ind in enumerate(framework.indicators):
        if ind.transform == "log":
            col = X[:, j]
            bad = ~np.isnan(col) & (col <= 0)
            if bad.any():
                r = np.flatnonzero(bad)[0]
                raise MethodError(f"log of a non-positive value ({col[r]:g}) for {labels[r]}"
                                  f" ({int(bad.sum())} such value(s))",
                                  where=f"indicator {ind.id!r}",
                                  fix="check the data, or remove `transform: log` from the "
                                      "framework for this indicator")
            with np.errstate(divide="ignore", invalid="ignore"):
                X[:, j] = np.log(col)
                goalposts[j], optimum[j] = np.log(goalposts[j]), np.log(optimum[j])
                interval[j], targets[j] = np.log(interval[j]), np.log(targets[j])
    stages["transformed"] = X.copy()

    # 5. treat outliers (same scope as the normalisation)
    scope_blocks = years if recipe.normalise["scope"] == "per_year" else None
    tr = recipe.treat
    X, treat_details = prepare.treat(X, tr["method"], blocks=scope_blocks, names=ids,
                                     row_labels=labels,
                                     **{k: v for k, v in tr.items() if k != "method"})
    records.append({"step": "treat", **tr, "details": treat_details})
    stages["treated"] = X.copy()
    stages["prepared"] = X.copy()

    # 6. normalise
    nm = recipe.normalise
    params = {k: v for k, v in nm.items() if k not in ("method", "range", "scope")}
    if nm["method"] == "distance_to_target":
        params["targets"] = targets
    Z = norm.normalise(
        X, nm["method"], direction=np.array([i.sign for i in framework.indicators], float),
        goalposts=goalposts, optimum=optimum, interval=interval,
        out_range=tuple(nm["range"]), blocks=scope_blocks, names=ids, **params)
    stages["normalised"] = Z

    # 7–8. weights and aggregation, bottom-up
    scores, local, method_of, agg_details = aggregate_tree(
        framework, recipe, Z, X, ids, labels, ahp_loader, scope_blocks, warnings)
    gw = global_weights(framework, local)
    records.append({"step": "weights", "global": gw,
                    "judgement_files": dict(getattr(ahp_loader, "files", {}) or {})})

    # 9. ranks
    decimals = recipe.rank["decimals"]
    ranks = {item: competition_rank(scores[item], years, decimals=decimals)
             for item in scores}
    group_rank = None
    if groups is not None:
        group_blocks = np.array([f"{y}\x00{g}" for y, g in zip(years, groups)], dtype=object)
        group_rank = competition_rank(scores[ROOT], group_blocks, decimals=decimals)
    change = rank_change(ranks[ROOT], units, years)

    shares = _contribution_shares(framework, scores, local, method_of, Z, ids)
    for node, d in agg_details.items():
        records.append({"step": "aggregate", "node": node, "method": d["method"],
                        "children": d["children"],
                        "params": {k: v for k, v in method_of[node].items()
                                   if k not in ("by_node", "min_coverage")},
                        "per_block": [{k: (None if k == "block" and scope_blocks is None
                                           else v) for k, v in blk.items()}
                                      for blk in d["blocks"]]})
    for node, nw in local.items():
        if nw.details.get("accepted_inconsistent"):
            warnings.append(f"AHP matrix of {node!r} is inconsistent (CR = "
                            f"{nw.details.get('cr', float('nan')):.3f}) and was accepted "
                            "(accept_inconsistent: true)")
    records.append({"step": "diagnose", "params": diag, "alerts": rules})
    if shares is None:
        warnings.append("contributions are not reported: a geometric mean, TOPSIS or grey "
                        "relational grade does not decompose into indicator contributions")
    assessment = Assessment(
        framework=framework, panel=panel, recipe=recipe, ids=ids, units=units, years=years,
        groups=groups, observed=observed, imputed=imputed, stages=stages, scores=scores,
        ranks=ranks, rank_in_group=group_rank, rank_change=change, weights=local,
        global_weights=gw, aggregation_methods=method_of, contribution_shares=shares,
        records=records, warnings=warnings, aggregation_details=agg_details,
        coordination=coordination(framework, recipe, scores, warnings))
    # targets that cannot be resolved (a relative target's base year outside the panel...)
    assessment.warnings.extend(diagnostic_warnings(assessment))
    return assessment


def _normalise_targets(framework: Framework, recipe: Recipe, ids: list[str]) -> np.ndarray:
    """Targets for ``distance_to_target``: the recipe's ``normalise.targets``, else the
    indicator's last absolute target in the framework (e.g. its 2035 level)."""
    given = recipe.normalise.get("targets") or {}
    out = np.full(len(ids), np.nan)
    for j, ind in enumerate(framework.indicators):
        if ind.id in given:
            out[j] = given[ind.id]
        else:
            absolute = [t.value for t in ind.targets if not t.is_relative]
            if absolute:
                out[j] = absolute[-1]
    if recipe.normalise["method"] == "distance_to_target" and np.isnan(out).any():
        missing = [i for i, v in zip(ids, out) if np.isnan(v)]
        raise MethodError(f"distance_to_target needs a target for every indicator; "
                          f"none for {', '.join(missing[:8])}"
                          + (f" and {len(missing) - 8} more" if len(missing) > 8 else ""),
                          where="recipe normalise",
                          fix="give absolute targets in the framework (targets: {2035: 50}) "
                              "or in the recipe (normalise: {targets: {indicator: value}})")
    return out


def _weight_spec_for(recipe: Recipe, framework: Framework, parent: str) -> Mapping[str, Any]:
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
        spec = _weight_spec_for(recipe, framework, parent)
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
            from .methods.topsis import topsis
            res = topsis(V[rows], w, normalisation=how["normalisation"],
                         weight_in_root=how["weight_in_root"], where=where)
            closeness[rows] = res.closeness
            keep["d_plus"][rows], keep["d_minus"][rows] = res.d_plus, res.d_minus
            per_block.append({"block": b, "ideal": res.ideal, "anti_ideal": res.anti_ideal})
        elif method == "grey_relational":
            from .methods.grey_relational import grey_relational
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


def _contribution_shares(framework, scores, local, method_of, Z, ids):
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
