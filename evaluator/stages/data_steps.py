"""The data stages of a run, one function each: denominate → impute → screen → transform
(log) → treat → normalise. Each reads and replaces ``run.X``, keeps a copy in
``run.stages`` (or the previous stage's matrix itself when it changed nothing: see
:meth:`~evaluator.stages.run.Run.keep_stage`) and records what it did; the pure work is done by :mod:`evaluator.methods`.
"""
from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import DataError, MethodError
from ..methods import normalise as norm
from ..methods import prepare
from ..model.dropped import check_every_indicator_has_data
from ..model.framework import Framework
from ..model.recipe import Recipe
from .run import Run
from ..i18n import M, compose


def denominate(run: Run) -> None:
    """Divide each indicator that names a ``denominator:`` column by it."""
    X, df, panel = run.X, run.df, run.panel
    if run.recipe.denominate:
        D = np.full(X.shape, np.nan)
        used = []
        for j, ind in enumerate(run.framework.indicators):
            if ind.denominator:
                if ind.denominator in df.columns and df[ind.denominator].isna().all():
                    raise DataError(M("data_steps.denominator_column_indicator_empty", denominator=ind.denominator, id=ind.id), where=panel.source,
                                    fix=M("data_steps.denominator_column_indicator_empty.fix"))
                if ind.denominator not in df.columns:
                    raise DataError(M("data_steps.denominator_column_indicator_not", denominator=ind.denominator, id=ind.id), where=panel.source,
                                    fix=M("data_steps.denominator_column_indicator_not.fix", denominator=ind.denominator))
                D[:, j] = pd.to_numeric(df[ind.denominator], errors="coerce").to_numpy(float)
                used.append(ind.id)
        if used:
            X = prepare.denominate(X, D, names=run.ids, row_labels=run.labels)
        run.records.append({"step": "denominate", "indicators": used})
    run.X = X
    run.keep_stage("denominated", X, "raw")
    run.observed = ~np.isnan(X)


def require_data(run: Run) -> None:
    """Every indicator needs a value somewhere: one without any (after its denominator)
    is an error naming it and the file, unless the recipe drops it (issue 9)."""
    check_every_indicator_has_data(run.ids, run.observed, run.framework, run.panel.source)


def impute(run: Run) -> None:
    """Fill missing cells by the recipe's ``impute`` method (within years, optionally by
    a grouping column)."""
    df, imp = run.df, run.recipe.impute
    by = imp.get("by")
    if by is not None and by not in df.columns:
        raise DataError(M("data_steps.impute_by_names_column", by=by),
                        where=run.panel.source, fix=M("data_steps.impute_by_names_column.fix"))
    by_labels = None
    if by:  # a missing group label stays missing (not a group called "nan")
        by_labels = df[by].map(lambda v: None if pd.isna(v) else str(v)).to_numpy(object)
    run.X, run.imputed = prepare.impute(
        run.X, imp["method"], blocks=run.years, groups=by_labels,
        units=run.units, times=run.years, k=imp.get("k", 5), names=run.ids)
    still = int(np.isnan(run.X).sum())
    run.records.append({"step": "impute", **imp, "cells_imputed": int(run.imputed.sum()),
                        "cells_missing_after": still})
    if still and imp["method"] != "none":
        run.warnings.append(M("warn.data_steps.cells_are_still_missing", still=still, imp=imp['method']))
    run.keep_stage("imputed", run.X, "denominated")


def screen(run: Run) -> None:
    """Drop unit-years whose own data cover less than ``screen.min_coverage``."""
    spec = run.recipe.screen
    keep = prepare.screen(run.observed, spec["min_coverage"], row_labels=run.labels)
    dropped = [str(label) for label in run.labels[~keep]]
    run.records.append({"step": "screen", **spec, "rows_dropped": dropped})
    if dropped:
        run.warnings.append(M("warn.data_steps.unit_years_dropped_by", n_dropped=len(dropped), spec=spec['min_coverage']))
    if not keep.any():
        raise DataError(M("data_steps.screening_dropped_every_unit"), where=run.panel.source,
                        fix=M("data_steps.screening_dropped_every_unit.fix"))
    run.keep_rows(np.flatnonzero(keep))
    run.keep_stage("screened", run.X, "imputed")


def transform(run: Run) -> None:
    """Log-transform values and every bound on their scale alike (goalposts, optimum,
    interval, targets) — before the outlier treatment, so skewness is judged (and any log
    fallback applied) on the scale the framework declares."""
    framework, X, labels = run.framework, run.X, run.labels
    goalposts = np.array([i.goalposts if i.goalposts else (np.nan, np.nan)
                          for i in framework.indicators], dtype=float)
    optimum = np.array([np.nan if i.optimum is None else i.optimum
                        for i in framework.indicators], float)
    interval = np.array([i.interval if i.interval else (np.nan, np.nan)
                         for i in framework.indicators], float)
    targets = normalise_targets(framework, run.recipe, run.ids)
    for j, ind in enumerate(framework.indicators):
        if ind.transform == "log":
            col = X[:, j]
            bad = ~np.isnan(col) & (col <= 0)
            if bad.any():
                r = np.flatnonzero(bad)[0]
                raise MethodError(M("data_steps.log_non_positive_value", col=col[r], labels=labels[r], sum=int(bad.sum())),
                                  where=M("data_steps.log_non_positive_value.where", id=ind.id),
                                  fix=M("data_steps.log_non_positive_value.fix"))
            with np.errstate(divide="ignore", invalid="ignore"):
                X[:, j] = np.log(col)
                goalposts[j], optimum[j] = np.log(goalposts[j]), np.log(optimum[j])
                interval[j], targets[j] = np.log(interval[j]), np.log(targets[j])
    run.bounds = {"goalposts": goalposts, "optimum": optimum, "interval": interval,
                  "targets": targets}
    run.keep_stage("transformed", X, "screened")


def treat(run: Run) -> None:
    """Outlier treatment, in the same scope (per year or pooled) as the normalisation."""
    run.scope_blocks = run.years if run.recipe.normalise["scope"] == "per_year" else None
    tr = run.recipe.treat
    run.X, treat_details = prepare.treat(run.X, tr["method"], blocks=run.scope_blocks,
                                         names=run.ids, row_labels=run.labels,
                                         **{k: v for k, v in tr.items() if k != "method"})
    run.records.append({"step": "treat", **tr, "details": treat_details})
    run.keep_stage("treated", run.X, "transformed")
    run.stages["prepared"] = run.stages["treated"]   # the same data, held once


def normalise(run: Run) -> None:
    """Normalise and orient every indicator onto the recipe's range."""
    nm, b = run.recipe.normalise, run.bounds
    params = {k: v for k, v in nm.items() if k not in ("method", "range", "scope")}
    if nm["method"] == "distance_to_target":
        params["targets"] = b["targets"]
    run.Z = norm.normalise(
        run.X, nm["method"],
        direction=np.array([i.sign for i in run.framework.indicators], float),
        goalposts=b["goalposts"], optimum=b["optimum"], interval=b["interval"],
        out_range=tuple(nm["range"]), blocks=run.scope_blocks, names=run.ids, **params)
    run.stages["normalised"] = run.Z


def normalise_targets(framework: Framework, recipe: Recipe, ids: list[str]) -> np.ndarray:
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
        more = M("data_steps.and_more", n=len(missing) - 8) if len(missing) > 8 else ""
        raise MethodError(M("data_steps.distance_needs_targets",
                            ids=compose(", ".join(missing[:8]), more)),
                          where=M("data_steps.recipe_normalise"),
                          fix=M("data_steps.give_absolute_targets_framework"))
    return out
