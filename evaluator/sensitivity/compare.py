"""The recipe re-run with several weighting methods, side by side (``evaluator compare``).

Each method replaces the indicator weights of the recipe (node weights, scope and every
other choice stay), exactly as an alternative of ``uncertainty.weight_methods`` does;
``ahp`` and ``combined`` use an expert judgement file for the indicators and the nodes
(combined = the linear mean of AHP and entropy weights, the usual subjective–objective
pairing). For each unit-year: every method's score and rank, the shift of each rank from
the recipe's own ranking (largest and mean absolute shift, and the range of ranks across
methods), and whether it moves by more than k places; per year compared, Spearman's ρ and
Kendall's τ-b between the methods' scores (a year needs three units scored by every
method; by default years with fewer are skipped with a note).

References: Spearman, C. (1904), *American Journal of Psychology* 15(1), 72–101; Kendall,
M.G. (1945), The treatment of ties in ranking problems, *Biometrika* 33(3), 239–251
(τ-b); computed by :func:`scipy.stats.spearmanr` and :func:`scipy.stats.kendalltau`.
"""
from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..evaluate import evaluate
from ..errors import DataError, MethodError, RecipeError
from ..model.framework import ROOT, Framework
from ..model.panel import Panel
from ..model.period import period_frame, period_labels
from ..model.recipe import Recipe, weight_method_names
from ..registry import near_matches, valid_fix
from .spec import section_for
from ..i18n import M, t as t_

DEFAULT_METHODS = ("equal", "entropy", "critic")
NEEDS_JUDGEMENTS = ("ahp", "combined")


@dataclass
class CompareResult:
    """``table``: unit, year, group, rank_recipe, then ``score_<m>``, ``rank_<m>`` per
    method, ``max_shift``, ``mean_shift``, ``rank_range``, ``moved``;
    ``correlations``: year, statistic (spearman | kendall), method, one column per method;
    ``weights``: method, node, indicator, weight, global_weight; ``notes``: e.g. years
    left out of the correlations; ``summary``: what ``compare.json`` records (methods, k,
    the base recipe as used, the input files with their SHA-256)."""

    methods: list[str]
    table: pd.DataFrame
    correlations: pd.DataFrame
    weights: pd.DataFrame
    k: int
    notes: list[str] = field(default_factory=list)
    summary: dict[str, Any] = field(default_factory=dict)
    frequency: str = "year"   # a sub-annual panel: ``year`` holds calendar keys inside

    def moved(self, year: int) -> pd.DataFrame:
        t = self.table[(self.table["year"] == year) & self.table["moved"]]
        return t.sort_values(["max_shift", "unit"], ascending=[False, True], kind="mergesort")

    def tables(self) -> dict[str, pd.DataFrame]:
        return {"compare": period_frame(self.table, self.frequency),
                "compare_correlations": period_frame(self.correlations, self.frequency),
                "compare_weights": self.weights}

    def _repr_html_(self) -> str:
        from ..model.notebook import html_card

        latest = int(self.table["year"].max())
        moved = self.moved(latest)
        facts = [t_("nb.compare.facts", methods=", ".join(self.methods), n=len(moved),
                    k=self.k, year=latest), *self.notes]
        corr = self.correlations[self.correlations["year"] == latest]
        return html_card(t_("nb.compare.title"), facts,
                         [(t_("nb.correlations", year=latest), corr),
                          (t_("nb.moved", year=latest), moved)])


def weight_section(recipe: Recipe, method: str, judgements: str | None) -> dict[str, Any]:
    """The recipe ``weights`` section for comparing ``method``."""
    valid = weight_method_names()
    if method not in valid:
        raise RecipeError(M("sens.compare.unknown_weighting_method", method=method),
                          where="--methods",
                          fix=valid_fix(valid, near_matches(str(method), valid)))
    if method in NEEDS_JUDGEMENTS:
        if not judgements:
            raise RecipeError(M("sens.compare.weights_need_expert_judgement", method=method),
                              where="--methods",
                              fix=M("sens.compare.weights_need_expert_judgement.fix"))
        ahp = {"method": "ahp", "file": str(judgements)}
        indicators = ahp if method == "ahp" else {
            "method": "combined", "methods": [ahp, {"method": "entropy"}], "how": "linear"}
        return {**section_for(recipe, "weight_method", indicators), "nodes": ahp}
    return section_for(recipe, "weight_method", method)


def compare_methods(framework: Framework, panel: Panel, recipe: Recipe,
                    methods: Sequence[str] | None = None, *, judgements: str | None = None,
                    k: int = 5, ahp_loader: Callable | None = None,
                    years: Sequence[int] | None = None) -> CompareResult:
    """Score the panel under each weighting method (default: equal, entropy, CRITIC, plus
    AHP and combined when ``judgements`` is given) and compare the rankings.

    ``years``: the years whose rankings are correlated — each needs three or more units
    scored by every method (an error otherwise); by default every year, skipping (with a
    note) those with fewer than three."""
    if methods is None:
        methods = list(DEFAULT_METHODS) + (list(NEEDS_JUDGEMENTS) if judgements else [])
    methods = [m.strip() for m in methods if m and m.strip()]
    if len(methods) < 2:
        raise RecipeError(M("sens.compare.comparing_needs_two_more", value=methods or M("hint.none")),
                          where="--methods", fix=M("sens.compare.comparing_needs_two_more.fix"))
    if len(set(methods)) != len(methods):
        raise RecipeError(M("sens.compare.method_listed_twice"), where="--methods")
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 0:
        raise RecipeError(M("sens.compare.k_not_non_negative", k=k), where="-k")
    reference = evaluate(framework, panel, recipe, ahp_loader=ahp_loader)
    runs = {}
    for m in methods:
        section = weight_section(recipe, m, judgements)
        try:
            runs[m] = evaluate(framework, panel, recipe.replace(weights=section),
                                        ahp_loader=ahp_loader)
        except (MethodError, DataError) as exc:
            detail = f"{exc.where}: {exc.problem}" if exc.where else exc.problem
            raise MethodError(M("sens.compare.weighting_method_cannot_applied", m=m, detail=detail), where="--methods",
                              fix=M("hint.or_leave_out_methods", fix=exc.fix) if exc.fix
                              else M("hint.leave_out_methods")) from None
        except RecipeError as exc:
            raise RecipeError(M("sens.compare.weighting_method", m=m, problem=exc.problem), where="--methods",
                              fix=exc.fix) from None
    table = pd.DataFrame({"unit": reference.units, "year": reference.years})
    table["group"] = reference.groups if reference.groups is not None else ""
    table["rank_recipe"] = reference.ranks[ROOT]
    ranks = np.column_stack([runs[m].ranks[ROOT] for m in methods])
    for i, m in enumerate(methods):
        table[f"score_{m}"] = runs[m].scores[ROOT]
        table[f"rank_{m}"] = ranks[:, i]
    shift = np.abs(ranks - reference.ranks[ROOT][:, None])
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)   # all-NaN rows: unit unscored
        table["max_shift"] = np.nanmax(shift, axis=1)
        table["mean_shift"] = np.nanmean(shift, axis=1)
        table["rank_range"] = np.nanmax(ranks, axis=1) - np.nanmin(ranks, axis=1)
    table["moved"] = table["max_shift"] > k
    for col in ["rank_recipe", "max_shift", "rank_range"] + [f"rank_{m}" for m in methods]:
        table[col] = pd.array(table[col], dtype="Float64").astype("Int64")
    table = table.sort_values(["year", "rank_recipe", "unit"], kind="mergesort",
                              na_position="last").reset_index(drop=True)
    scores = {m: runs[m].scores[ROOT] for m in methods}
    present = sorted(int(y) for y in np.unique(reference.years))
    if years is not None:
        missing = [int(y) for y in years if int(y) not in present]
        if missing:
            raise DataError(M("sens.compare.year_s_not_scored", map=', '.join(map(str, missing))),
                            where="--year", fix=M("hint.years_present", years=", ".join(map(str, present))))
    notes: list[str] = []
    correlations = _correlations(scores, reference.years, methods,
                                 present if years is None else sorted(set(map(int, years))),
                                 strict=years is not None, notes=notes)
    from .analyse import traceability
    from .. import __version__
    summary = {"tool": "evaluator", "version": __version__, "framework": framework.id,
               "methods": methods, "k": int(k),
               "judgements": _file_record(judgements) if judgements else None,
               "years_compared": sorted(int(y) for y in correlations["year"].unique()),
               "notes": notes, **traceability(reference)}
    return CompareResult(methods, table, correlations, _weights(runs, methods), int(k),
                         notes, summary, frequency=reference.frequency)


def _file_record(path: str) -> dict[str, Any]:
    import hashlib
    from pathlib import Path
    try:
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        digest = None
    return {"path": str(path), "sha256": digest}


def _correlations(scores: dict[str, np.ndarray], years: np.ndarray, methods: list[str],
                  compared: list[int], *, strict: bool, notes: list[str]) -> pd.DataFrame:
    from scipy.stats import kendalltau, spearmanr

    rows = []
    for year in compared:
        in_year = years == year
        S = np.column_stack([scores[m][in_year] for m in methods])
        S = S[~np.isnan(S).any(axis=1)]
        if len(S) < 3:
            if not strict:
                notes.append(M("sens.compare.note_too_few", year=year, n=len(S)))
                continue
            raise DataError(M("sens.compare.year_fewer_than_units_2", year=year),
                            fix=M("sens.compare.year_fewer_than_units_2.fix"))
        rho = np.array([[1.0 if i == j else spearmanr(S[:, i], S[:, j]).statistic
                         for j in range(len(methods))] for i in range(len(methods))])
        tau = np.array([[1.0 if i == j else kendalltau(S[:, i], S[:, j]).statistic
                         for j in range(len(methods))] for i in range(len(methods))])
        for name, mat in (("spearman", rho), ("kendall", tau)):
            for i, m in enumerate(methods):
                rows.append({"year": int(year), "statistic": name, "method": m,
                             **{other: float(mat[i, j]) for j, other in enumerate(methods)}})
    return pd.DataFrame(rows, columns=["year", "statistic", "method", *methods])


def _weights(runs: dict, methods: list[str]) -> pd.DataFrame:
    parts = []
    for m in methods:
        w = runs[m].weights_table.copy()
        w.insert(0, "compared", m)
        parts.append(w)
    out = pd.concat(parts, ignore_index=True)
    return out.rename(columns={"method": "weight_method"}).rename(
        columns={"compared": "method"})


def summary_lines(result: CompareResult, year: int) -> list[str]:
    """A few lines for the screen: how far apart the rankings are in ``year``."""
    corr = result.correlations[result.correlations["year"] == year]
    if not len(corr):
        raise DataError(M("sens.compare.year_fewer_than_units", year=year), where="--year",
                        fix=M("sens.compare.year_fewer_than_units.fix"))
    rho = corr[corr["statistic"] == "spearman"][result.methods].to_numpy()
    off = rho[~np.eye(len(rho), dtype=bool)]
    moved = result.moved(year)
    t = result.table[result.table["year"] == year]
    shown = period_labels([year], result.frequency)[0]
    lines = [t_("sens.compare.summary", methods=len(result.methods), units=len(t), year=shown,
                lo=off.min(), hi=off.max()),
             t_("sens.compare.summary_moved", moved=len(moved), k=result.k,
                largest=int(t["max_shift"].max()) if len(t) else 0)]
    return lines


__all__ = ["compare_methods", "CompareResult", "DEFAULT_METHODS", "weight_section",
           "summary_lines"]
