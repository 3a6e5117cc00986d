"""The working state of one pipeline run, passed from stage to stage.

:func:`evaluator.evaluate.evaluate` creates a :class:`Run` with :func:`start` and hands it
to each named stage in turn (:mod:`evaluator.stages.data_steps`,
:mod:`evaluator.stages.tree`, :func:`rank`, :func:`assemble`); a stage reads the fields the
earlier stages filled and fills its own. Only the pipeline knows the order.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from .. import registry
from ..methods.ranking import competition_rank, rank_change
from ..model.assessment import Assessment
from ..model.dropped import DroppedItem, drop_indicators, dropped_warning
from ..model.framework import ROOT, Framework
from ..model.monitoring import monitoring_framework
from ..model.period import PER_YEAR
from ..model.panel import Panel
from ..model.recipe import Recipe
from .ahp_weights import make_ahp_loader
from .coordination import coordination
from .diagnose_params import alert_params, diagnose_params
from .calendar_gaps import gap_warnings
from .diagnostics import diagnostic_warnings, diagnostics_tables
from ..i18n import M


@dataclass
class Run:
    """Everything the stages share: inputs, the rows kept, the current matrix ``X`` and
    every stage's copy, records for the manifest and warnings."""

    framework: Framework
    panel: Panel
    recipe: Recipe
    ahp_loader: Any
    ids: list[str]
    df: pd.DataFrame
    units: np.ndarray
    years: np.ndarray
    groups: np.ndarray | None
    labels: np.ndarray
    X: np.ndarray
    diagnose: dict[str, Any]
    alerts: Any
    stages: dict[str, np.ndarray] = field(default_factory=dict)
    records: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    observed: np.ndarray | None = None
    imputed: np.ndarray | None = None
    bounds: dict[str, np.ndarray] = field(default_factory=dict)   # goalposts, optimum, ...
    scope_blocks: np.ndarray | None = None
    Z: np.ndarray | None = None
    scores: dict[str, np.ndarray] = field(default_factory=dict)
    weights: dict[str, Any] = field(default_factory=dict)
    method_of: dict[str, Mapping[str, Any]] = field(default_factory=dict)
    aggregation_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    global_weights: dict[str, float] = field(default_factory=dict)
    ranks: dict[str, np.ndarray] = field(default_factory=dict)
    rank_in_group: np.ndarray | None = None
    rank_change: np.ndarray | None = None
    rank_change_yoy: np.ndarray | None = None
    dropped: tuple[DroppedItem, ...] = ()   # left out by the recipe (model/dropped.py)

    def keep_rows(self, rows: np.ndarray) -> None:
        """Restrict every per-row array to ``rows`` (after screening)."""
        self.X, self.observed, self.imputed = self.X[rows], self.observed[rows], \
            self.imputed[rows]
        kept: dict[int, np.ndarray] = {}   # a matrix two stages share stays shared
        for name, data in self.stages.items():
            self.stages[name] = kept.setdefault(id(data), data[rows])
        self.units, self.years, self.labels = self.units[rows], self.years[rows], \
            self.labels[rows]
        self.groups = self.groups[rows] if self.groups is not None else None


    def keep_stage(self, name: str, X: np.ndarray, before: str) -> None:
        """Keep stage ``name``'s data: a copy of ``X``, or stage ``before``'s matrix itself
        when ``X`` holds the very same bits (a stage that changed nothing is not held
        twice; stage matrices are never changed in place)."""
        previous = self.stages.get(before)
        self.stages[name] = previous if _same_bits(previous, X) else X.copy()


def _same_bits(a: np.ndarray | None, b: np.ndarray) -> bool:
    """Whether two float matrices hold identical bits (NaN payloads, signed zeros)."""
    if a is None or a.shape != b.shape or a.dtype != b.dtype or a.dtype.itemsize != 8 \
            or not (a.flags.c_contiguous and b.flags.c_contiguous):
        return False
    return bool(np.array_equal(a.view(np.int64), b.view(np.int64)))


def resolve_recipe(framework: Framework,
                   recipe: Recipe | Mapping[str, Any] | None) -> Recipe:
    """The framework's own recipe when ``recipe`` is None; a mapping is laid over it (as a
    recipe file is by the CLI); a :class:`Recipe` is used as it is."""
    if recipe is None:
        return Recipe.from_dict(framework.recipe, source=f"{framework.id} (framework recipe)")
    if isinstance(recipe, Recipe):
        return recipe
    return Recipe.from_dict(recipe, base=framework.recipe, source=f"{framework.id} recipe (API)")


def drop(framework: Framework, panel: Panel, recipe: Recipe
         ) -> tuple[Framework, tuple[DroppedItem, ...]]:
    """The framework without the indicators the recipe's ``screen.drop_indicators`` names
    (and the nodes they leave empty), and what was left out."""
    return drop_indicators(framework, recipe.screen["drop_indicators"], panel,
                           where=recipe.source or "recipe")


def start(framework: Framework, panel: Panel, recipe: Recipe, ahp_loader=None, *,
          dropped: tuple[DroppedItem, ...] = ()) -> Run:
    """Rows, labels and the raw matrix; the diagnose and alerts sections are checked before
    any work, and recorded as used. AHP judgement files resolve beside the recipe file,
    then in weights/."""
    warnings = list(framework.warnings)   # of the file as given (not the monitoring sub-index)
    if ahp_loader is None:
        src = Path(recipe.source) if recipe.source else None
        ahp_loader = make_ahp_loader(
            framework, base_dir=src.parent if src is not None and src.is_file() else None)
    df = panel.data.reset_index(drop=True)
    monitoring = None
    if panel.frequency != "year":   # the monitoring sub-index (model/monitoring.py)
        monitoring = monitoring_framework(
            framework, panel.frequency, carry=recipe.periods["annual"] == "carry",
            available=panel.indicator_ids, where=panel.source or "panel")
        framework = monitoring.framework
        df = carry_annual(df, monitoring.carried)
    ids = list(framework.indicator_ids)
    units = df["unit"].astype(str).to_numpy()
    years = panel.keys   # calendar keys: the years, or the periods' ordinals
    groups = df["group"].astype(str).to_numpy() if "group" in df.columns else None
    shown = df["period"].astype(str).to_numpy() if monitoring else years
    labels = np.array([f"{u} {y}" for u, y in zip(units, shown)], dtype=object)
    diag = diagnose_params(recipe.diagnose, sorted(int(y) for y in np.unique(years)),
                           source=recipe.source, framework=framework,
                           frequency=panel.frequency)
    rules = alert_params(recipe.alerts, source=recipe.source)
    X = df[ids].to_numpy(dtype=float)
    run = Run(framework=framework, panel=panel, recipe=recipe, ahp_loader=ahp_loader, ids=ids,
              df=df, units=units, years=years, groups=groups, labels=labels, X=X,
              diagnose=diag, alerts=rules, warnings=[*warnings, *panel.warnings],
              dropped=dropped)
    if dropped:
        run.records.append({"step": "drop", "items": [
            {"id": d.id, "parent": d.parent, "kind": d.kind, "reason": d.reason,
             "no_data": d.no_data} for d in dropped]})
        run.warnings += dropped_warning(dropped)
    if monitoring is not None:
        run.records.append(monitoring.record())
        run.warnings += monitoring.warnings()
    run.stages["raw"] = X.copy()
    return run


def carry_annual(df: pd.DataFrame, ids) -> pd.DataFrame:
    """Annual indicators in a sub-annual panel: each unit's value of a calendar year
    (the last one the year's periods give) copied into every period of that year."""
    if not ids:
        return df
    out = df.copy()
    by = [out["unit"], out["year"]]
    for i in ids:
        out[i] = out[i].groupby(by, sort=False).transform("last")
    return out


def rank(run: Run) -> None:
    """Competition ranks of every node per year, the composite's rank within each group
    and its change from the previous year."""
    decimals, rtol = run.recipe.rank["decimals"], run.recipe.rank["tolerance"]
    run.ranks = {item: competition_rank(run.scores[item], run.years, decimals=decimals,
                                        rtol=rtol)
                 for item in run.scores}
    if run.groups is not None:
        group_blocks = np.array([f"{y}\x00{g}" for y, g in zip(run.years, run.groups)],
                                dtype=object)
        run.rank_in_group = competition_rank(run.scores[ROOT], group_blocks,
                                             decimals=decimals, rtol=rtol)
    run.rank_change = rank_change(run.ranks[ROOT], run.units, run.years)
    if run.panel.frequency != "year":   # and against the same period a year earlier
        run.rank_change_yoy = rank_change(run.ranks[ROOT], run.units, run.years,
                                          lag=PER_YEAR[run.panel.frequency])


def assemble(run: Run, shares: np.ndarray | None) -> Assessment:
    """The :class:`Assessment`: records of the aggregation, warnings (accepted inconsistent
    AHP matrices, contributions that do not decompose, unresolvable targets), coupling
    coordination; the diagnostics are built on first use by :mod:`.diagnostics`."""
    records, warnings = run.records, run.warnings
    for node, d in run.aggregation_details.items():
        records.append({"step": "aggregate", "node": node, "method": d["method"],
                        "children": d["children"],
                        "params": {k: v for k, v in run.method_of[node].items()
                                   if k not in ("by_node", "min_coverage")},
                        "per_block": [{k: (None if k == "block" and run.scope_blocks is None
                                           else v) for k, v in blk.items()}
                                      for blk in d["blocks"]]})
    for node, nw in run.weights.items():
        if nw.details.get("accepted_inconsistent"):
            warnings.append(M("warn.run.ahp_matrix_inconsistent_cr", node=node, get=nw.details.get('cr', float('nan'))))
    records.append({"step": "diagnose", "params": run.diagnose, "alerts": run.alerts})
    if shares is None:
        undecomposed = sorted({m["method"] for m in run.method_of.values()
                               if not registry.get("aggregations", m["method"]).has("decomposes")})
        warnings.append(M("warn.run.contributions_are_not_reported",
                          methods=", ".join(undecomposed)))
    assessment = Assessment(
        framework=run.framework, panel=run.panel, recipe=run.recipe, ids=run.ids,
        units=run.units, years=run.years, groups=run.groups, observed=run.observed,
        imputed=run.imputed, stages=run.stages, scores=run.scores, ranks=run.ranks,
        rank_in_group=run.rank_in_group, rank_change=run.rank_change, weights=run.weights,
        global_weights=run.global_weights, aggregation_methods=run.method_of,
        contribution_shares=shares, records=records, warnings=warnings,
        aggregation_details=run.aggregation_details,
        coordination=coordination(run.framework, run.recipe, run.scores, warnings),
        diagnostics_builder=diagnostics_tables, frequency=run.panel.frequency,
        rank_change_yoy=run.rank_change_yoy, dropped=run.dropped)
    # targets that cannot be resolved (a relative target's base year outside the panel...)
    assessment.warnings.extend(diagnostic_warnings(assessment))
    # gaps on the calendar: changes across them are empty, runs break there (issue 9)
    assessment.warnings.extend(gap_warnings(run.units, run.years, run.panel.frequency))
    return assessment
