"""Fuzzy comprehensive evaluation (模糊综合评价).

Factors (indicators) j = 1..m with weights a_j (Σ a = 1), grades (评语) k = 1..K. Each
factor's membership row r_j = (r_j1, …, r_jK) comes either

* from grade thresholds on the factor's (normalised) value x — *triangular*: grade
  centres c_1 < … < c_K; x ≤ c_1 belongs wholly to grade 1, x ≥ c_K to grade K, and
  between c_k and c_(k+1) r_k = (c_(k+1) − x)/(c_(k+1) − c_k), r_(k+1) = 1 − r_k;
  *trapezoidal*: boundaries t_1 < … < t_(K−1) between grades with a transition half-width
  h: full membership inside a grade, linear across [t_k − h, t_k + h];
* or from survey grade counts: r_jk = n_jk / Σ_k n_jk (the share of respondents giving
  factor j grade k).

The evaluation vector B = A ∘ R with the operator

* M(·, ⊕) (weighted average, 加权平均型): b_k = Σ_j a_j r_jk;
* M(∧, ∨) (main factor decides, 主因素决定型): b_k = max_j min(a_j, r_jk);

B is normalised to sum 1; the grade is the one of maximum membership (the lower grade on
a tie) and the weighted grade score is Σ_k b_k s_k with grade scores s_k (default
equally spaced on [0, 1]).

References: 汪培庄 (1983) 模糊集合论及其应用. 上海科学技术出版社 (the clothing example:
factors 花色, 式样, 耐穿程度, 价格; grades 很欢迎 … 不欢迎); 司守奎, 孙玺菁 (2011)
数学建模算法与应用. 北京: 国防工业出版社, 模糊综合评判 (the same example, M(∧,∨)
results (0.2, 0.3, 0.4, 0.1) and (0.35, 0.4, 0.2, 0.1)).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import MethodError
from ..i18n import M

OPERATORS = ("weighted_average", "min_max")


@dataclass(frozen=True, eq=False)
class FuzzyResult:
    raw: np.ndarray            # (n, K) A ∘ R before normalising
    membership: np.ndarray     # (n, K) normalised evaluation vectors B
    grade: np.ndarray          # (n,) 1-based grade of maximum membership
    score: np.ndarray          # (n,) weighted grade score Σ b_k s_k
    relation: np.ndarray       # (n, m, K) membership of every factor


def _increasing(values: Sequence[float], what: str, where: str) -> np.ndarray:
    t = np.asarray(values, dtype=float)
    if t.ndim != 1 or t.size < 1 or not np.isfinite(t).all() or np.any(np.diff(t) <= 0):
        shown = "[" + ", ".join(f"{float(v):g}" for v in np.ravel(values)) + "]"
        what = M(f"fuzzy.what.{what}")
        raise MethodError(M("fuzzy.fuzzy_grade_must_increasing", what=what, ravel=shown),
                          where=where or None,
                          fix=M("fuzzy.fuzzy_grade_must_increasing.fix", what=what))
    return t


def triangular(X: np.ndarray, centres: Sequence[float], *, where: str = "") -> np.ndarray:
    """Membership (…, K) of values ``X`` in grades centred at ``centres``."""
    c = _increasing(centres, "centres", where)
    if c.size < 2:
        raise MethodError(M("fuzzy.fuzzy_evaluation_needs_two"), where=where or None)
    x = np.clip(np.asarray(X, float)[..., None], c[0], c[-1])
    left, right = c[:-1], c[1:]
    # position within each interval: 0 at its left centre, 1 at its right
    t = np.clip((x - left) / (right - left), 0.0, 1.0)
    inside = (x >= left) & (x <= right)
    up = np.where(inside, t, 0.0)                 # share going to the right centre
    R = np.zeros(x.shape[:-1] + (c.size,))
    R[..., 1:] += up
    R[..., :-1] += np.where(inside, 1 - t, 0.0)
    return R / R.sum(axis=-1, keepdims=True)      # a value on a centre counts once


def trapezoidal(X: np.ndarray, boundaries: Sequence[float], width: float, *,
                where: str = "") -> np.ndarray:
    """Membership (…, K) with full membership inside each grade and a linear transition
    of half-width ``width`` around each boundary."""
    t = _increasing(boundaries, "thresholds", where)
    if width < 0 or (t.size > 1 and np.any(np.diff(t) < 2 * width)):
        raise MethodError(M("fuzzy.transition_half_width_overlaps", width=width, tolist=t.tolist()),
                          where=where or None, fix=M("fuzzy.transition_half_width_overlaps.fix"))
    x = np.asarray(X, float)[..., None]
    if width == 0:
        above = (x >= t).astype(float)
    else:
        above = np.clip((x - (t - width)) / (2 * width), 0.0, 1.0)   # P(beyond boundary k)
    cum = np.concatenate([np.ones(x.shape[:-1] + (1,)), above,
                          np.zeros(x.shape[:-1] + (1,))], axis=-1)
    return cum[..., :-1] - cum[..., 1:]


def from_counts(counts: np.ndarray) -> np.ndarray:
    """Membership (m, K) from survey grade counts (m factors × K grades)."""
    n = np.asarray(counts, float)
    if n.ndim != 2 or (n < 0).any() or not np.isfinite(n).all():
        raise MethodError(M("fuzzy.survey_grade_counts_must"))
    total = n.sum(axis=1, keepdims=True)
    if (total == 0).any():
        raise MethodError(M("fuzzy.factor_has_no_answers", value=int(np.flatnonzero(total[:, 0] == 0)[0]) + 1), fix=M("fuzzy.factor_has_no_answers.fix"))
    return n / total


def evaluate(R: np.ndarray, weights: Sequence[float], *, operator: str = "weighted_average",
             grade_scores: Sequence[float] | None = None) -> FuzzyResult:
    """B = A ∘ R for membership ``R`` (m, K) or a batch (n, m, K)."""
    R = np.asarray(R, float)
    single = R.ndim == 2
    R3 = R[None] if single else R
    a = np.asarray(weights, float)
    a = a / a.sum()
    if operator == "weighted_average":
        B = np.einsum("j,njk->nk", a, R3)
    elif operator == "min_max":
        B = np.minimum(a[None, :, None], R3).max(axis=1)
    else:
        raise MethodError(M("fuzzy.unknown_fuzzy_operator", operator=operator),
                          fix=M("hint.operator", values=" | ".join(OPERATORS)))
    raw = B
    total = B.sum(axis=1, keepdims=True)
    B = np.where(total > 0, B / np.where(total > 0, total, 1.0), 1.0 / B.shape[1])
    K = B.shape[1]
    s = np.linspace(0.0, 1.0, K) if grade_scores is None else np.asarray(grade_scores, float)
    if s.shape != (K,):
        raise MethodError(M("fuzzy.grade_scores_grades", size=s.size, K=K),
                          fix=M("fuzzy.grade_scores_grades.fix"))
    grade = B.argmax(axis=1) + 1
    if single:
        return FuzzyResult(raw[0], B[0], grade[:1], B[0] @ s, R)
    return FuzzyResult(raw, B, grade, B @ s, R3)
