"""Aggregation methods for a batch of weight scenarios at once (the sensitivity engine).

Every built-in aggregation declares its batched form here (``register(..., batch=f)``);
the engine dispatches through the registry only.

A batched form takes the children's values as a list ``kids`` of k arrays, each
(rows × S) — a child whose values change with the scenario (a node below) — or (rows × 1)
— an indicator column, the same in every scenario — and the scenarios' relative weights
``W`` (S × k), and returns the (rows × S) scores of every scenario at once, exactly what
the method's own function returns for one weight vector (the sensitivity design checks
each group's nominal scenario against the pipeline). A method registers it as
``register(..., batch=function)``; the engine calls it per block (each year, or pooled)
for a method that compares units, as the tree stage does.

Weighted arithmetic and geometric means: over indicator columns (every child rows × 1)
one product per batch, the per-column part (values or logs with missing → 0, presence,
the floor and the ≤ 0 check) prepared once and kept in ``context.cache``; over varying
children the same formulas element-wise (the geometric mean of children none of which is
missing or ≤ 0 without the passes for presence and coverage, which are then per scenario,
and its terms formed in place: the same operations in the same order). Missing children are skipped and their weights
renormalised exactly as in :mod:`.aggregate`. TOPSIS and grey relational analysis: over
indicator columns :func:`.topsis.topsis` / :func:`.grey_relational.grey_relational`
batched over the weights, else :mod:`.closeness`.

VIKOR: S, R and Q over the rows of each scenario (Opricovic & Tzeng 2004; see
:mod:`.vikor`); RSR: the weighted rank-sum ratio of each scenario — integer ranks of a
child that changes with the scenario are taken per scenario (:mod:`.rsr`; the probit
regression and tiers do not change the score and are not recomputed); fuzzy evaluation:
B = A ∘ R with the memberships of each child (:mod:`.fuzzy`).
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from . import aggregate as agg
from . import fuzzy as fz
from .closeness import grey_varying, topsis_varying
from ..errors import MethodError
from ..i18n import M


def _shares(W: np.ndarray) -> np.ndarray:
    return W / W.sum(axis=1, keepdims=True)


def vikor(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any,
          v: float = 0.5) -> np.ndarray:
    """1 − Q (rows × S) of every scenario (the score of :func:`.aggregation_methods.vikor`)."""
    W = _shares(W)
    s = 0.0
    r = None
    for j, f in enumerate(kids):
        best, worst = f.max(axis=0, keepdims=True), f.min(axis=0, keepdims=True)
        span = best - worst
        with np.errstate(invalid="ignore", divide="ignore"):
            term = np.where(span > 0, W[:, j][None, :] * (best - f)
                            / np.where(span > 0, span, 1.0), 0.0)
        s = s + term
        r = term if r is None else np.maximum(r, term)
    s, r = np.broadcast_arrays(s, r)
    q = v * _scaled(s) + (1 - v) * _scaled(r)
    return 1.0 - q


def _scaled(x: np.ndarray) -> np.ndarray:
    """(x − min)/(max − min) over the rows of each scenario (0 where all are equal)."""
    lo, hi = x.min(axis=0, keepdims=True), x.max(axis=0, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(hi > lo, (x - lo) / np.where(hi > lo, hi - lo, 1.0), 0.0)


def rsr(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any, variant: str = "integer",
        tiers: int = 3, thresholds=None) -> np.ndarray:
    """Weighted rank-sum ratio (rows × S) of every scenario."""
    from scipy.stats import rankdata
    W = _shares(W)
    n = kids[0].shape[0]
    out = 0.0
    for j, f in enumerate(kids):
        if variant == "integer":
            R = rankdata(f, method="average", axis=0)
        else:
            lo, hi = f.min(axis=0, keepdims=True), f.max(axis=0, keepdims=True)
            R = np.where(hi > lo, 1 + (n - 1) * (f - lo) / np.where(hi > lo, hi - lo, 1.0),
                         (n + 1) / 2)
        out = out + R * W[:, j][None, :]
    return np.asarray(out) / n


def memberships(kids: Sequence[np.ndarray], context: Any, *, membership: str,
                thresholds, width: float, counts) -> tuple[list[np.ndarray], Any]:
    """Each child's membership of the grades, (rows, S|1, K), and the survey counts read
    (:class:`.fuzzy_counts.SurveyCounts`: its grades, file and SHA-256; None for
    thresholds): from grade thresholds on the child's values, or (``membership:
    survey``) from the survey grade counts of each unit and period."""
    if membership == "survey":
        from .fuzzy_counts import read_counts
        if counts is None:
            raise MethodError(M("fuzzy_counts.needs_file"), where=context.where,
                              fix=M("fuzzy_counts.needs_file.fix"))
        table = read_counts(counts)
        units, periods = zip(*(str(label).rsplit(" ", 1) for label in context.labels)) \
            if len(context.labels) else ((), ())
        return [table.membership(str(name), units, periods, context.where)[:, None, :]
                for name in context.names], table
    if thresholds is None:
        raise MethodError(M("aggregation_methods.fuzzy_evaluation_needs_grade"),
                          where=context.where,
                          fix=M("aggregation_methods.fuzzy_evaluation_needs_grade.fix"))
    if membership == "triangular":
        return [fz.triangular(f, thresholds, where=context.where) for f in kids], None
    return [fz.trapezoidal(f, thresholds, width, where=context.where) for f in kids], None


def fuzzy(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any,
          membership: str = "triangular", thresholds=None, width: float = 0.0,
          operator: str = "weighted_average", grades=None, grade_scores=None,
          counts=None) -> np.ndarray:
    """Weighted grade score Σ b_k s_k (rows × S) of every scenario, on [0, 1]."""
    A = _shares(W)                                               # (S, k)
    R, _ = memberships(kids, context, membership=membership, thresholds=thresholds,
                       width=width, counts=counts)               # each (rows, S|1, K)
    if operator == "weighted_average":
        B = sum(A[:, j][None, :, None] * Rj for j, Rj in enumerate(R))
    else:
        B = None
        for j, Rj in enumerate(R):
            part = np.minimum(A[:, j][None, :, None], Rj)
            B = part if B is None else np.maximum(B, part)
    B = np.broadcast_to(B, (kids[0].shape[0], W.shape[0], B.shape[-1]))
    total = B.sum(axis=-1, keepdims=True)
    B = np.where(total > 0, B / np.where(total > 0, total, 1.0), 1.0 / B.shape[-1])
    K = B.shape[-1]
    s = np.linspace(0.0, 1.0, K) if grade_scores is None else np.asarray(grade_scores, float)
    if s.shape != (K,):
        raise MethodError(M("fuzzy.grade_scores_grades", size=s.size, K=K),
                          fix=M("fuzzy.grade_scores_grades.fix"))
    return B @ s


# -- weighted means ----------------------------------------------------------------------------
def _fixed(kids: Sequence[np.ndarray]) -> bool:
    return all(k.shape[1] == 1 for k in kids)


def weighted_sum(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any) -> np.ndarray:
    if _fixed(kids):
        return _fixed_mean(kids, W, context, geometric=False)
    num = 0.0
    den = 0.0
    for i, v in enumerate(kids):
        present = ~np.isnan(v)
        w = W[:, i][None, :]
        num = num + np.where(present, v, 0.0) * w
        den = den + present * w
    num = np.broadcast_to(num, np.broadcast_shapes(np.shape(num), np.shape(den)))
    ok = den > 0
    if context.min_coverage > 0:
        ok &= den / W.sum(axis=1)[None, :] >= context.min_coverage - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def geometric(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any,
              floor: float | None = None, nonpositive: str = "error") -> np.ndarray:
    if _fixed(kids):
        return _fixed_mean(kids, W, context, geometric=True, floor=floor,
                           nonpositive=nonpositive)
    fast = _geometric_complete(kids, W, context, floor)
    if fast is not None:
        return fast
    missing_rows = None
    logs = []
    for i, v in enumerate(kids):
        if floor is not None:
            v = np.where(np.isnan(v), v, np.maximum(v, floor))
        bad = ~np.isnan(v) & (v <= 0)
        if bad.any():
            if nonpositive != "missing":
                r = int(np.argwhere(bad)[0][0])
                raise MethodError(
                    M("sens.scoring.geometric_mean_value_child", children=context.names[i],
                      row_labels=context.labels[r]),
                    where=M("sens.scoring.geometric_mean_value_child.where",
                            name=context.node),
                    fix=M("sens.scoring.geometric_mean_value_child.fix"))
            missing_rows = bad if missing_rows is None else (missing_rows | bad)
            v = np.where(bad, 1.0, v)
        logs.append(v)
    num = 0.0
    den = 0.0
    for i, v in enumerate(logs):
        present = ~np.isnan(v)
        w = W[:, i][None, :]
        num = num + np.where(present, np.log(np.where(present, v, 1.0)), 0.0) * w
        den = den + present * w
    ok = np.broadcast_to(den > 0, np.broadcast_shapes(np.shape(num), np.shape(den))).copy()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if context.min_coverage > 0:
            ok &= den / W.sum(axis=1)[None, :] >= context.min_coverage - 1e-12
        out = np.where(ok, np.exp(num / np.where(ok, den, 1.0)), np.nan)
    if missing_rows is not None:
        out = np.where(missing_rows, np.nan, out)
    return out


def _geometric_complete(kids, W, context, floor):
    """The geometric mean of varying children when no child is missing and none is ≤ 0
    (after the floor), else None (the general formula then runs). The general formula's
    operations in its order, without the passes that cannot change anything here: every
    child is present, so the weight the present children carry (``den``) and the coverage
    are the same for every row — computed once per scenario, by the same sums in the same
    order — and each child's term ``log(max(v, floor)) · w`` is formed in place. The one
    difference, the sign of a zero sum of logs (−0.0 instead of +0.0), does not reach the
    result: exp(±0) = 1."""
    for v in kids:
        if np.isnan(np.add.reduce(v, axis=None)):   # a NaN (or ±inf) somewhere
            return None
    shape = (kids[0].shape[0], W.shape[0])
    num = None
    for i, v in enumerate(kids):
        t = np.maximum(v, floor) if floor is not None else v
        if t.size and t.min() <= 0:
            return None
        w = W[:, i][None, :]
        if t is not v and t.shape == shape:
            term = np.log(t, out=t)
            term *= w
        else:
            term = np.log(t) * w
        if num is None:
            num = term if term.shape == shape else np.broadcast_to(term, shape).copy()
        else:
            num += term
    den = 0.0 + W[:, 0]
    for i in range(1, W.shape[1]):
        den = den + W[:, i]
    ok = den > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if context.min_coverage > 0:
            ok &= den / W.sum(axis=1) >= context.min_coverage - 1e-12
        num /= np.where(ok, den, 1.0)[None, :]
        np.exp(num, out=num)
    if not ok.all():
        num[:, ~ok] = np.nan
    return num


def _fixed_mean(kids, W, context, *, geometric: bool, floor: float | None = None,
                nonpositive: str = "error") -> np.ndarray:
    """A weighted or geometric mean of indicator columns for a batch of weights: the
    formula of :func:`.aggregate.weighted_sum` / ``geometric`` with the per-column part
    prepared once (``context.cache``), and the weight each row's present children carry
    computed by one product, not two."""
    cache = context.cache if getattr(context, "cache", None) is not None else {}
    prepared = cache.get("mean")
    if prepared is None:
        prepared = cache["mean"] = _prepare_mean(np.column_stack(kids), W, context,
                                                 geometric, floor, nonpositive)
    terms, present, dropped = prepared
    num = terms @ W.T
    den = present @ W.T
    ok = den > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if context.min_coverage > 0:
            ok &= den / W.sum(axis=1)[None, :] >= context.min_coverage - 1e-12
        every = ok.all()
        num /= den if every else np.where(ok, den, 1.0)
        if geometric:
            np.exp(num, out=num)
    if not every:
        num[~ok] = np.nan
    if dropped is not None:
        num[dropped] = np.nan
    return num


def _prepare_mean(V, W, context, geometric, floor, nonpositive):
    """(terms, presence, rows without a score) of indicator columns ``V``; a value ≤ 0
    under a geometric mean raises the method's own error, naming the cell."""
    dropped = None
    if geometric:
        if floor is not None:
            V = np.where(np.isnan(V), V, np.maximum(V, floor))
        bad = ~np.isnan(V) & (V <= 0)
        if bad.any():
            if nonpositive != "missing":
                agg.geometric(V, W[0], floor=floor, names=list(context.names),
                              row_labels=context.labels)   # raises, naming the cell
            dropped = bad.any(axis=1)
            V = np.where(bad, 1.0, V)
    present = ~np.isnan(V)
    if geometric:
        terms = np.where(present, np.log(np.where(present, V, 1.0)), 0.0)
    else:
        terms = np.where(present, V, 0.0)
    return terms, present.astype(float), dropped


# -- closeness to an ideal -----------------------------------------------------------------------
def topsis(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any,
           normalisation: str = "none", weight_in_root: bool = False) -> np.ndarray:
    """Relative closeness C (rows × S) on [0, 1]."""
    if _fixed(kids):
        from .topsis import topsis as run
        return run(np.column_stack(kids), W, normalisation=normalisation,
                   weight_in_root=weight_in_root, where=context.where).closeness
    part = [np.broadcast_to(k, (k.shape[0], W.shape[0])) for k in kids]
    return topsis_varying(part, W, normalisation=normalisation,
                          weight_in_root=weight_in_root, where=context.where,
                          names=context.names)


def grey_relational(kids: Sequence[np.ndarray], W: np.ndarray, *, context: Any,
                    rho: float = 0.5) -> np.ndarray:
    """Grey relational grade (rows × S) on [0, 1]."""
    if _fixed(kids):
        from .grey_relational import grey_relational as run
        return run(np.column_stack(kids), W, rho=rho, where=context.where).grade
    part = [np.broadcast_to(k, (k.shape[0], W.shape[0])) for k in kids]
    return grey_varying(part, W, rho=rho, where=context.where, names=context.names)
