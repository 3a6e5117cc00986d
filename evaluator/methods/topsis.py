"""TOPSIS: closeness to the ideal solution, batched over weight vectors.

References
----------
Hwang, C.L. & Yoon, K. (1981). *Multiple Attribute Decision Making: Methods and
    Applications*. Lecture Notes in Economics and Mathematical Systems 186, Springer
    (TOPSIS): vector normalisation r_ij = x_ij/√Σ_i x_ij², weighted matrix
    v_ij = w_j r_ij, ideal A⁺ (best of each column) and anti-ideal A⁻ (worst),
    D_i^± = √Σ_j (v_ij − v_j^±)², closeness C_i = D_i⁻/(D_i⁺ + D_i⁻).
Deng, H., Yeh, C.-H. & Willis, R.J. (2000). Inter-company comparison using modified
    TOPSIS with objective weights. *Computers & Operations Research* 27(10), 963–973:
    the weighted Euclidean distance D_i^± = √Σ_j w_j (r_ij − r_j^±)² (``weight_in_root``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from evaluator.errors import MethodError
from evaluator.methods.checks import require_finite
from ..i18n import M

NORMALISATIONS = ("vector", "min_max", "none")


@dataclass(frozen=True, eq=False)
class TopsisResult:
    """TOPSIS output. With one weight vector ``closeness``, ``d_plus`` and ``d_minus``
    are (n,) and ``ideal``/``anti_ideal`` (m,); with a batch of S weight vectors they are
    (n, S) and (S, m). ``ideal`` and ``anti_ideal`` are on the weighted scale
    (w_j·best_j, Hwang & Yoon's A⁺ and A⁻; with ``weight_in_root`` the weights enter the
    distance instead, so they are the unweighted best and worst). ``normalised`` is the
    (n, m) matrix before weighting; cost columns are reversed there (1 − r for vector,
    (max − x)/(max − min) for min–max) so larger is better, except with
    ``normalisation="none"``, where the data are kept as given and the ideal of a cost
    column is its minimum."""

    closeness: np.ndarray
    d_plus: np.ndarray
    d_minus: np.ndarray
    ideal: np.ndarray
    anti_ideal: np.ndarray
    normalised: np.ndarray
    normalisation: str
    weight_in_root: bool


def _decision_matrix(X: np.ndarray, where: str) -> np.ndarray:
    try:
        values = np.array(X, dtype=float)
    except (TypeError, ValueError):
        raise MethodError(M("topsis.decision_matrix_must_numeric"), where=where or None,
                          fix=M("topsis.decision_matrix_must_numeric.fix")) from None
    if values.ndim != 2:
        raise MethodError(M("topsis.decision_matrix_must_d", shape=values.shape),
                          where=where or None, fix=M("topsis.decision_matrix_must_d.fix"))
    if values.shape[0] < 2:
        raise MethodError(M("topsis.topsis_needs_least_units", shape=values.shape[0]), where=where or None,
                          fix=M("topsis.topsis_needs_least_units.fix"))
    if values.shape[1] < 1:
        raise MethodError(M("topsis.decision_matrix_has_no"), where=where or None,
                          fix=M("topsis.decision_matrix_has_no.fix"))
    require_finite(values, where)
    return values


def weight_batch(weights: Sequence[float] | np.ndarray, m: int, where: str = "") -> tuple[np.ndarray, bool]:
    """Weights as an (S, m) array with each row normalised to sum 1, and whether a
    single vector was given. Rows must be finite, non-negative and not all zero."""
    values = np.array(weights, dtype=float)
    single = values.ndim == 1
    batch = values[None, :] if single else values
    if batch.ndim != 2 or batch.shape[1] != m:
        raise MethodError(M("topsis.weights_shape_do_not", shape=values.shape, m=m),
                          where=where or None, fix=M("topsis.weights_shape_do_not.fix", m=m))
    invalid = ~np.all(np.isfinite(batch), axis=1) | np.any(batch < 0, axis=1) | (batch.sum(axis=1) <= 0)
    if invalid.any():
        s = int(np.argmax(invalid))
        label = M("topsis.label.weights") if single else M("topsis.label.vector", n=s + 1)
        raise MethodError(M("topsis.must_finite_non_negative", label=label, tolist=batch[s].tolist()),
                          where=where or None, fix=M("topsis.must_finite_non_negative.fix"))
    return batch / batch.sum(axis=1, keepdims=True), single


def _types(types: Sequence[int] | None, m: int, where: str) -> np.ndarray:
    if types is None:
        return np.ones(m)
    values = np.asarray(types, dtype=float)
    if values.shape != (m,) or not np.all(np.isin(values, (-1, 1))):
        raise MethodError(M("topsis.types_must_values_benefit", m=m, ravel=list(np.ravel(types))),
                          where=where or None, fix=M("topsis.types_must_values_benefit.fix"))
    return values


def _normalise(values: np.ndarray, types: np.ndarray, normalisation: str) -> tuple[np.ndarray, np.ndarray]:
    """Normalised matrix and the direction (+1: larger is better) of each of its columns."""
    if normalisation == "none":
        return values.copy(), types
    if normalisation == "vector":
        norm = np.sqrt((values ** 2).sum(axis=0))
        # An all-zero column is constant: leave it at 0, it moves no distance.
        r = np.divide(values, norm, out=np.zeros_like(values), where=norm > 0)
        return np.where(types > 0, r, 1.0 - r), np.ones_like(types)
    low, high = values.min(axis=0), values.max(axis=0)
    spread = high - low
    # A constant column is set to 1 (as pymcdm does): it adds nothing to either distance.
    benefit = np.divide(values - low, spread, out=np.ones_like(values), where=spread > 0)
    cost = np.divide(high - values, spread, out=np.ones_like(values), where=spread > 0)
    return np.where(types > 0, benefit, cost), np.ones_like(types)


def topsis(X: np.ndarray, weights: Sequence[float] | np.ndarray, *, types: Sequence[int] | None = None,
           normalisation: str = "vector", weight_in_root: bool = False, where: str = "") -> TopsisResult:
    """Closeness of each unit to the ideal solution (Hwang & Yoon 1981).

    ``X`` is n units × m indicators (no NaN), ``weights`` (m,) or a batch (S, m) —
    each row is normalised to sum 1 (closeness does not depend on the scale of the
    weights; D⁺ and D⁻ are then on the scale of weights summing to 1). ``types`` gives
    +1 (benefit, default) or −1 (cost) per column. ``normalisation``: ``"vector"``
    (Hwang & Yoon), ``"min_max"``, or ``"none"`` for data already normalised.

    All scenarios are computed by matrix algebra without a loop over S: with V the
    normalised matrix and V⁺/V⁻ its best/worst rows (the best of w_j·v_ij is w_j·best_j
    since w ≥ 0), D⁺² = (V − V⁺)² @ (W²)ᵀ and D⁻² likewise; with ``weight_in_root``
    (Deng, Yeh & Willis 2000) D⁺² = (V − V⁺)² @ Wᵀ.
    """
    if normalisation not in NORMALISATIONS:
        raise MethodError(M("topsis.unknown_topsis_normalisation", normalisation=normalisation), where=where or None,
                          fix=M("topsis.unknown_topsis_normalisation.fix", NORMALISATIONS=', '.join(NORMALISATIONS)))
    values = _decision_matrix(X, where)
    m = values.shape[1]
    direction = _types(types, m, where)
    W, single = weight_batch(weights, m, where)
    V, orientation = _normalise(values, direction, normalisation)
    best = np.where(orientation > 0, V.max(axis=0), V.min(axis=0))
    worst = np.where(orientation > 0, V.min(axis=0), V.max(axis=0))
    distance_weights = W if weight_in_root else W ** 2
    d_plus = np.sqrt(np.maximum((V - best) ** 2 @ distance_weights.T, 0.0))      # (n, S)
    d_minus = np.sqrt(np.maximum((V - worst) ** 2 @ distance_weights.T, 0.0))
    total = d_plus + d_minus
    undefined = np.any(total == 0, axis=0)  # all-or-nothing: D⁺ = D⁻ = 0 means constant columns
    if undefined.any():
        s = int(np.argmax(undefined))
        label = M("topsis.label.weights") if single else M("topsis.label.vector", n=s + 1)
        raise MethodError(M("topsis.every_indicator_with_positive", label=label),
                          where=where or None, fix=M("topsis.every_indicator_with_positive.fix"))
    closeness = d_minus / total
    if weight_in_root:
        ideal, anti_ideal = np.broadcast_to(best, W.shape).copy(), np.broadcast_to(worst, W.shape).copy()
    else:
        ideal, anti_ideal = W * best, W * worst
    if single:
        return TopsisResult(closeness[:, 0], d_plus[:, 0], d_minus[:, 0], ideal[0], anti_ideal[0], V,
                            normalisation, weight_in_root)
    return TopsisResult(closeness, d_plus, d_minus, ideal, anti_ideal, V, normalisation, weight_in_root)
