"""Freezing the scale from a published round (recipe ``freeze: {round: N, db: URL}``).

Round N's normalisation bounds and weights are reused, so this year's scores sit on the
scale last year's were published on — the way UNDP's fixed goalposts keep the HDI
comparable across years:

* bounds: a round normalised by ``min_max`` gives each indicator the minimum and maximum
  of its prepared values over the rows it normalised (all rows when pooled, its latest
  published year when per year); a round normalised by ``goalposts`` gives its goalposts.
  This run then normalises by ``goalposts`` with those bounds (values outside are capped
  at 0 or 100, as goalposts do), on the range the round used;
* weights: every parent's children get the round's weights as fixed weights.

The framework and recipe are rewritten before scoring (the treatment, imputation and
aggregation choices stay this recipe's); the manifest's recipe keeps ``freeze`` with the
round and database, ``applied: true``.
"""
from __future__ import annotations

import math
from typing import Any

from ..errors import RecipeError
from .messages import msg
from ..model.framework import ROOT, Framework
from ..model.recipe import Recipe
from ..i18n import M


def apply_freeze(framework: Framework, recipe: Recipe) -> tuple[Framework, Recipe]:
    """``(framework, recipe)`` with round N's bounds and weights when the recipe says
    ``freeze: {round: N}`` (not yet applied); unchanged otherwise."""
    spec = dict(recipe.freeze)
    if not spec or spec.get("applied"):
        return framework, recipe
    from .db import open_store
    from .read import read_round_table, round_info, rounds_table
    rid, where = spec["round"], f"{recipe.source or 'recipe'}: freeze"
    store = open_store(spec.get("db"))
    try:
        info = round_info(store, rid)
        status = rounds_table(store).set_index("round").loc[rid, "status"]
        weights = read_round_table(store, rid, "weights", info)
        indicators = read_round_table(store, rid, "indicators", info)
        url = store.url
    finally:
        store.dispose()
    if status != "valid":
        raise RecipeError(M("freeze.round_its_scale_not", rid=rid, status=status), where=where,
                          fix=M("freeze.round_its_scale_not.fix"))
    if info["framework_id"] != framework.id:
        raise RecipeError(M("freeze.round_was_scored_framework", rid=rid, info=info['framework_id'], id=framework.id), where=where,
                          fix=M("freeze.round_was_scored_framework.fix"))
    norm = info["recipe"]["normalise"]
    bounds = _bounds(norm, info, indicators, where)
    w = {(row.node, row.indicator): float(row.weight)
         for row in weights.itertuples(index=False)}
    # what the round's recipe dropped has weight 0 there: freezing would keep it at 0
    was_dropped = set(weights.loc[weights["method"].astype(str) == "dropped", "indicator"]
                      .astype(str))
    for item in [*framework.indicator_ids, *framework.node_ids]:
        if item in was_dropped:
            raise RecipeError(M("numbers.freeze.dropped", id=item, rid=rid), where=where,
                              fix=M("numbers.freeze.dropped.fix", id=item))
    spec_fw = framework.to_dict()
    for ind in spec_fw["indicators"]:
        parent = ind.get("parent") or ROOT
        if ind["id"] not in bounds or (parent, ind["id"]) not in w:
            raise RecipeError(M("freeze.indicator_not_round", ind=ind['id'], rid=rid), where=where,
                              fix=M("freeze.indicator_not_round.fix"))
        if isinstance(ind.get("direction"), dict):
            raise RecipeError(M("freeze.indicator_has_moderate_direction", ind=ind['id']), where=where)
        lo, hi = bounds[ind["id"]]
        if ind.get("transform") == "log":   # the bounds are on the log scale
            lo, hi = math.exp(lo), math.exp(hi)
        ind["goalposts"] = [lo, hi]
        ind["weight"] = w[(parent, ind["id"])]
    for node in spec_fw.get("nodes") or []:
        parent = node.get("parent") or ROOT
        node["weight"] = w[(parent, node["id"])]
    frozen_fw = Framework.from_dict(spec_fw, source=framework.source)
    frozen = recipe.replace(
        normalise={"method": "goalposts", "range": list(norm["range"]), "scope": "pooled"},
        weights={"indicators": "fixed", "nodes": "fixed"},
        freeze={"round": rid, "db": url, "applied": True})
    return frozen_fw, frozen


def _bounds(norm: dict[str, Any], info: dict[str, Any], indicators, where: str
            ) -> dict[str, tuple[float, float]]:
    method = norm["method"]
    if method == "goalposts":
        return {i["id"]: tuple(i["goalposts"]) for i in
                info["manifest"]["framework"]["indicators"] if i.get("goalposts")}
    if method != "min_max":
        raise RecipeError(M("freeze.round_was_normalised_by", info=info['id'], method=method), where=where,
                          fix=M("freeze.round_was_normalised_by.fix"))
    rows = indicators
    if norm.get("scope") == "per_year":
        if info.get("frequency", "year") != "year":
            raise RecipeError(msg("freeze.frequency", round=info["id"],
                                  frequency=info["frequency"]), where=where,
                              fix=msg("freeze.frequency.fix"))
        latest = max(int(p) for p in str(info["period"]).split(","))
        rows = rows[rows["year"] == latest]
    agg = rows.groupby("indicator")["prepared"].agg(["min", "max"])
    return {k: (float(v["min"]), float(v["max"])) for k, v in agg.iterrows()}
