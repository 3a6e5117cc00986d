"""TOPSIS and grey relational grades when every scenario has its own children values.

Above the first level of a tree the children of a node are scores that change with the
weights, so the batched :func:`evaluator.methods.topsis.topsis` (one matrix, many weight
vectors) does not apply. These functions take the children as a list of (rows × S)
arrays, one per child, and compute, for every scenario at once, exactly what that function
computes for one matrix and one weight vector (the tests check them against it scenario by
scenario).

References: Hwang, C.L. & Yoon, K. (1981), *Multiple Attribute Decision Making*, Springer
(TOPSIS; vector normalisation, D⁺, D⁻, C = D⁻/(D⁺ + D⁻)); Deng, Yeh & Willis (2000),
*Computers & Operations Research* 27(10) (weights inside the root); Deng, J.L. (1982),
Control problems of grey systems, *Systems & Control Letters* 1(5), 288–294 (grey
relational coefficient (Δmin + ρΔmax)/(Δ + ρΔmax) and grade).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError
from ..i18n import M


def _complete(kids: Sequence[np.ndarray], names, where: str) -> None:
    for i, v in enumerate(kids):
        if np.isnan(v).any():
            raise MethodError(M("sens.closeness.topsis_grey_relational_need", names=names[i]), where=where,
                              fix=M("sens.closeness.topsis_grey_relational_need.fix"))


def topsis_varying(kids: Sequence[np.ndarray], W: np.ndarray, *, normalisation: str = "vector",
                   weight_in_root: bool = False, where: str = "",
                   names: Sequence[str] = ()) -> np.ndarray:
    """Closeness (rows × S) with child i's values ``kids[i]`` (rows × S) and relative
    weights ``W`` (S × k, rows summing to 1)."""
    _complete(kids, names, where)
    W = W / W.sum(axis=1, keepdims=True)
    d_plus = 0.0
    d_minus = 0.0
    for i, v in enumerate(kids):
        if normalisation == "vector":
            norm = np.sqrt((v ** 2).sum(axis=0, keepdims=True))
            r = np.divide(v, norm, out=np.zeros(v.shape), where=norm > 0)
        elif normalisation == "min_max":
            low, high = v.min(axis=0, keepdims=True), v.max(axis=0, keepdims=True)
            spread = high - low
            r = np.divide(v - low, spread, out=np.ones(v.shape), where=spread > 0)
        else:
            r = v
        best, worst = r.max(axis=0, keepdims=True), r.min(axis=0, keepdims=True)
        dw = (W[:, i] if weight_in_root else W[:, i] ** 2)[None, :]
        d_plus = d_plus + dw * (r - best) ** 2
        d_minus = d_minus + dw * (r - worst) ** 2
    d_plus = np.sqrt(np.maximum(d_plus, 0.0))
    d_minus = np.sqrt(np.maximum(d_minus, 0.0))
    total = d_plus + d_minus
    if np.any(total == 0):
        raise MethodError(M("sens.closeness.under_some_sampled_weights"),
                          where=where or None,
                          fix=M("sens.closeness.under_some_sampled_weights.fix"))
    return d_minus / total


def grey_varying(kids: Sequence[np.ndarray], W: np.ndarray, *, rho: float = 0.5,
                 where: str = "", names: Sequence[str] = ()) -> np.ndarray:
    """Grey relational grade (rows × S) against the ideal reference (column maxima),
    Δmin and Δmax over the whole matrix of each scenario."""
    _complete(kids, names, where)
    W = W / W.sum(axis=1, keepdims=True)
    deltas = [np.abs(v.max(axis=0, keepdims=True) - v) for v in kids]
    d_min = np.min([d.min(axis=0) for d in deltas], axis=0)[None, :]
    d_max = np.max([d.max(axis=0) for d in deltas], axis=0)[None, :]
    grade = 0.0
    for i, d in enumerate(deltas):
        with np.errstate(invalid="ignore", divide="ignore"):
            coef = np.where(d_max == 0, 1.0, (d_min + rho * d_max) / (d + rho * d_max))
        grade = grade + coef * W[:, i][None, :]
    return grade
