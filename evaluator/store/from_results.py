"""An :class:`Assessment` rebuilt from its output tables — a results folder or a
published round — so the report is rendered from what was written or published, never
re-scored (``report --from DIR``, ``report --round N``).

Rows are the rankings' unit-years. The stages kept in the tables are read back exactly:
raw, prepared and normalised (indicators.csv), denominated (diagnostics.csv's ``value``),
every node's score and rank (nodes.csv), group ranks and rank changes (rankings.csv),
weights with their intermediate tables (weights.csv and the manifest), coupling
coordination (coordination.csv), the diagnostics and alerts tables as written, the
manifest as written. Indicator ranks are the competition ranks of the normalised values
per year, as scoring makes them. Stages no table keeps (imputed, screened, transformed)
are the nearest kept stage.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np
import pandas as pd

from ..methods.coordination import CouplingResult
from ..methods.ranking import competition_rank
from ..model.assessment import Assessment
from ..model.dropped import DroppedItem
from ..model.framework import ROOT, Framework
from ..model.panel import Panel
from ..model.recipe import Recipe
from ..stages.weigh import NodeWeights


class PublishedAssessment(Assessment):
    """An assessment read from tables: its manifest is the one written with them."""

    @property
    def manifest(self) -> dict[str, Any]:   # type: ignore[override]
        return self.__dict__["_written_manifest"]


def _wide(long: pd.DataFrame, keys: pd.DataFrame, column: str, items: list[str],
          key: str) -> np.ndarray:
    table = long.pivot_table(index=["unit", "year"], columns=key, values=column,
                             aggfunc="first", dropna=False)
    table = table.reindex(columns=items)
    index = pd.MultiIndex.from_frame(keys[["unit", "year"]])
    return table.reindex(index).to_numpy(dtype=float)


def assessment_from_tables(manifest: Mapping[str, Any], tables: Mapping[str, pd.DataFrame],
                           *, source: str) -> Assessment:
    fw = Framework.from_dict(manifest["framework"], source=(manifest.get("inputs") or {})
                             .get("framework", {}).get("path"))
    recipe = Recipe.from_dict(manifest["recipe"], source=(manifest.get("inputs") or {})
                              .get("recipe", {}).get("path"))
    ranking = tables["rankings"].copy()
    ranking["unit"] = ranking["unit"].astype(str)
    ranking["year"] = ranking["year"].astype(int)
    keys = ranking.sort_values(["unit", "year"], kind="mergesort").reset_index(drop=True)
    units = keys["unit"].to_numpy(dtype=object)
    years = keys["year"].to_numpy(dtype=np.int64)
    has_groups = keys["group"].notna().any() and (keys["group"].astype(str) != "").any()
    groups = keys["group"].astype(str).to_numpy(dtype=object) if has_groups else None
    ids = list(fw.indicator_ids)
    ind = tables["indicators"].assign(unit=lambda t: t["unit"].astype(str),
                                      year=lambda t: t["year"].astype(int))
    stages = {name: _wide(ind, keys, col, ids, "indicator")
              for name, col in (("raw", "raw"), ("prepared", "prepared"),
                                ("normalised", "normalised"))}
    diag = tables.get("diagnostics")
    if diag is not None:
        rows = diag[diag["indicator"].isin(ids)].assign(
            unit=lambda t: t["unit"].astype(str), year=lambda t: t["year"].astype(int))
        stages["denominated"] = _wide(rows, keys, "value", ids, "indicator")
    else:
        stages["denominated"] = stages["raw"].copy()
    for name, like in (("imputed", "denominated"), ("screened", "denominated"),
                       ("transformed", "prepared"), ("treated", "prepared")):
        stages[name] = stages[like].copy()
    nodes = tables["nodes"].assign(unit=lambda t: t["unit"].astype(str),
                                   year=lambda t: t["year"].astype(int))
    order = list(fw.aggregation_order())
    node_scores = _wide(nodes, keys, "score", order, "node")
    node_ranks = _wide(nodes, keys, "rank", order, "node")
    scores = {i: stages["normalised"][:, j] for j, i in enumerate(ids)}
    ranks = {i: competition_rank(stages["normalised"][:, j], years,
                                 decimals=recipe.rank["decimals"],
                                 rtol=recipe.rank["tolerance"]) for j, i in enumerate(ids)}
    for q, node in enumerate(order):
        scores[node] = node_scores[:, q]
        ranks[node] = node_ranks[:, q]
    weights_t = tables["weights"]
    dropped = _dropped(manifest)   # listed with method "dropped" and weight 0: not children
    if "method" in weights_t.columns:
        weights_t = weights_t[weights_t["method"].astype(str) != "dropped"]
    details = manifest.get("weights") or {}
    weights = {}
    for node, part in weights_t.groupby("node", sort=False):
        extra = {k: v for k, v in (details.get(node) or {}).items()
                 if k not in ("children", "method", "weights", "rows_used")}
        weights[node] = NodeWeights(node=node, children=part["indicator"].astype(str).tolist(),
                                    method=str(part["method"].iloc[0]),
                                    weights=part["weight"].to_numpy(float), details=extra,
                                    rows_used=(details.get(node) or {}).get("rows_used"))
    global_weights = dict(zip(weights_t["indicator"].astype(str),
                              weights_t["global_weight"].astype(float)))
    coord = None
    if tables.get("coordination") is not None:
        c = tables["coordination"].assign(unit=lambda t: t["unit"].astype(str),
                                          year=lambda t: t["year"].astype(int))
        c = c.set_index(["unit", "year"]).reindex(pd.MultiIndex.from_frame(keys[["unit",
                                                                                   "year"]]))
        coord = CouplingResult(C=c["C"].to_numpy(float), T=c["T"].to_numpy(float),
                               D=c["D"].to_numpy(float), level=c["level"].to_numpy(),
                               class_zh=c["class_zh"].to_numpy(object),
                               class_en=c["class"].to_numpy(object),
                               form=recipe.coordination.get("form", "wang2021"),
                               coefficients=np.asarray(recipe.coordination.get("coefficients")
                                                       or [], float))
    contrib = _wide(ind, keys, "contribution", ids, "indicator")
    shares = None
    if not np.isnan(contrib).all():
        with np.errstate(divide="ignore", invalid="ignore"):
            shares = np.where(stages["normalised"] != 0,
                              contrib / np.nan_to_num(stages["normalised"]), 0.0)
    data_in = (manifest.get("inputs") or {}).get("data") or {}
    raw_frame = pd.DataFrame(stages["raw"], columns=ids)
    for j, indicator in enumerate(fw.indicators):   # denominators, as raw ÷ denominated
        if indicator.denominator and indicator.denominator not in raw_frame:
            with np.errstate(divide="ignore", invalid="ignore"):
                raw_frame[indicator.denominator] = stages["raw"][:, j] / \
                    stages["denominated"][:, j]
    panel_frame = pd.concat([keys[["unit", "year"]]] + (
        [keys[["group"]]] if has_groups else []) + [raw_frame], axis=1)
    panel = Panel(data=panel_frame, indicator_ids=tuple(ids), source=data_in.get("path"),
                  sha256=data_in.get("sha256"), encoding=data_in.get("encoding"))
    observed = ~np.isnan(stages["raw"])
    a = PublishedAssessment(
        framework=fw, panel=panel, recipe=recipe, ids=ids, units=units, years=years,
        groups=groups, observed=observed,
        imputed=~observed & ~np.isnan(stages["prepared"]), stages=stages, scores=scores,
        ranks=ranks,
        rank_in_group=keys["rank_in_group"].to_numpy(float) if has_groups else None,
        rank_change=keys["rank_change"].to_numpy(float), weights=weights,
        global_weights=global_weights,
        aggregation_methods={n: recipe.aggregate["by_node"].get(n, recipe.aggregate)
                             for n in order},
        contribution_shares=shares, records=list(manifest.get("steps") or []),
        warnings=list(manifest.get("warnings") or []), coordination=coord, dropped=dropped)
    a.__dict__["_written_manifest"] = dict(manifest)
    a.__dict__["_diagnostics"] = {k: tables[k] for k in ("diagnostics", "alerts")
                                  if k in tables}
    a.__dict__["_source"] = source
    return a


def _dropped(manifest: Mapping[str, Any]) -> tuple[DroppedItem, ...]:
    """What the recipe dropped, from the manifest's ``drop`` step (model/dropped.py)."""
    for step in manifest.get("steps") or []:
        if step.get("step") == "drop":
            return tuple(DroppedItem(str(d["id"]), str(d["parent"]), str(d["kind"]),
                                     str(d.get("reason") or ""), bool(d.get("no_data")))
                         for d in step.get("items") or [])
    return ()
