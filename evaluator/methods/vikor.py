"""VIKOR: compromise ranking by the group utility S, the individual regret R and Q.

For m alternatives (rows) and n benefit criteria (columns) with weights w (Σ w = 1):

    f*_j = max_i f_ij,  f⁻_j = min_i f_ij   (cost criteria are oriented before: the
                                              pipeline's values are benefit-oriented)
    S_i = Σ_j w_j (f*_j − f_ij)/(f*_j − f⁻_j)
    R_i = max_j w_j (f*_j − f_ij)/(f*_j − f⁻_j)
    Q_i = v (S_i − S*)/(S⁻ − S*) + (1 − v)(R_i − R*)/(R⁻ − R*)

with S* = min S, S⁻ = max S, R* = min R, R⁻ = max R; lower Q is better. The compromise
solution a′ (lowest Q) is accepted when

* C1 acceptable advantage: Q(a″) − Q(a′) ≥ DQ = 1/(m − 1), a″ the second in Q;
* C2 acceptable stability: a′ is also best by S or by R.

If C1 fails, the compromise set is every a⁽ᵏ⁾ with Q(a⁽ᵏ⁾) − Q(a′) < DQ; if only C2
fails, it is a′ and a″. A criterion on which every alternative is equal carries no
information (f* = f⁻): its term is 0 (pymcdm refuses such a column; the stage notes it).
When all S are equal (or all R), that part of Q is 0 — with every alternative equal on
every criterion Q is 0 for all and no compromise is advantaged (C1 fails, documented).

Reference: Opricovic, S. & Tzeng, G.-H. (2004) Compromise solution by MCDM methods: a
comparative analysis of VIKOR and TOPSIS. European Journal of Operational Research 156(2)
445–455. Reproduces ``pymcdm.methods.VIKOR`` (S, R, Q) exactly.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MethodError
from ..i18n import M


@dataclass(frozen=True, eq=False)
class VikorResult:
    s: np.ndarray
    r: np.ndarray
    q: np.ndarray
    f_best: np.ndarray
    f_worst: np.ndarray
    v: float
    acceptable_advantage: bool
    acceptable_stability: bool
    compromise: np.ndarray          # row indices of the compromise set, best Q first
    constant_criteria: np.ndarray   # column indices with f* = f⁻


def vikor(X: np.ndarray, weights: np.ndarray, *, v: float = 0.5,
          where: str = "") -> VikorResult:
    """VIKOR on benefit-oriented values ``X`` (m × n, complete) with ``weights`` (n,)."""
    X = np.asarray(X, dtype=float)
    w = np.asarray(weights, dtype=float)
    if X.ndim != 2 or X.shape[0] < 2:
        raise MethodError(M("vikor.vikor_compares_two_more"), where=where or None)
    if np.isnan(X).any() or not np.isfinite(X).all():
        raise MethodError(M("vikor.vikor_needs_complete_finite"), where=where or None,
                          fix=M("vikor.vikor_needs_complete_finite.fix"))
    if not 0 <= v <= 1:
        raise MethodError(M("vikor.v_outside", v=v), where=where or None)
    m = X.shape[0]
    f_best, f_worst = X.max(axis=0), X.min(axis=0)
    span = f_best - f_worst
    constant = np.flatnonzero(span == 0)
    with np.errstate(invalid="ignore", divide="ignore"):
        regret = np.where(span > 0, w * (f_best - X) / np.where(span > 0, span, 1.0), 0.0)
    s, r = regret.sum(axis=1), regret.max(axis=1)
    q = v * _scaled(s) + (1 - v) * _scaled(r)
    order = np.lexsort((np.arange(m), q))
    best, second = order[0], order[1]
    dq = 1.0 / (m - 1)
    advantage = bool(q[second] - q[best] >= dq)
    stability = bool(s[best] == s.min() or r[best] == r.min())
    if not advantage:
        compromise = order[q[order] - q[best] < dq]
    elif not stability:
        compromise = order[:2]
    else:
        compromise = order[:1]
    return VikorResult(s, r, q, f_best, f_worst, float(v), advantage, stability,
                       compromise, constant)


def _scaled(x: np.ndarray) -> np.ndarray:
    lo, hi = x.min(), x.max()
    return np.zeros_like(x) if hi == lo else (x - lo) / (hi - lo)
