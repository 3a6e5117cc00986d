"""Grey relational analysis (GRA) as an aggregation method, batched over weights.

Reference
---------
Deng, J.-L. (1982). Control problems of grey systems. *Systems & Control Letters* 1(5),
    288–294; Deng, J.-L. (1989). Introduction to grey system theory. *The Journal of Grey
    System* 1(1), 1–24. Grey relational coefficient of unit i on indicator j with the
    reference sequence x₀:
        ξ_ij = (Δmin + ρ·Δmax) / (Δ_ij + ρ·Δmax),   Δ_ij = |x₀_j − x_ij|,
    Δmin and Δmax the two-level minimum and maximum of Δ over all units and indicators,
    ρ the distinguishing coefficient (0.5 by convention); the grade is Σ_j w_j ξ_ij.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from evaluator.errors import MethodError
from evaluator.methods.checks import require_finite
from evaluator.methods.topsis import weight_batch
from ..i18n import M


@dataclass(frozen=True, eq=False)
class GreyRelationalResult:
    """``grade`` is (n,) for one weight vector or (n, S) for a batch; ``coefficients``
    (n, m) do not depend on the weights; ``reference`` is the (m,) reference sequence."""

    grade: np.ndarray
    coefficients: np.ndarray
    reference: np.ndarray
    delta_min: float
    delta_max: float
    rho: float


def grey_relational(X: np.ndarray, weights: Sequence[float] | np.ndarray, *, rho: float = 0.5,
                    reference: str | Sequence[float] | np.ndarray = "ideal", where: str = "") -> GreyRelationalResult:
    """Grey relational grade of each unit (Deng 1982).

    ``X`` (n units × m indicators) must already be normalised and benefit-oriented (as
    after the normalise step); nothing is rescaled here. ``reference="ideal"`` takes the
    column maxima as the reference sequence; an explicit (m,) sequence may be given
    instead. Δmin and Δmax are taken over the whole matrix (the two-level min/max).
    ``weights`` (m,) or (S, m) are normalised to sum 1 per row and applied to the
    coefficients as one matrix product.

    Constant columns: a column equal to the reference for every unit has Δ = 0, so every
    unit gets ξ = (Δmin + ρΔmax)/(ρΔmax), i.e. 1 with the ideal reference (where
    Δmin = 0): it does not separate the units. If every Δ is 0 (all units coincide with
    the reference) the formula is 0/0 and every coefficient is set to 1 — each unit is
    identical to the reference.
    """
    if not (isinstance(rho, (int, float, np.floating)) and 0 < rho <= 1):
        raise MethodError(M("grey_relational.distinguishing_coefficient_rho_must", rho=rho),
                          where=where or None, fix=M("grey_relational.distinguishing_coefficient_rho_must.fix"))
    try:
        values = np.array(X, dtype=float)
    except (TypeError, ValueError):
        raise MethodError(M("grey_relational.data_matrix_must_numeric"), where=where or None,
                          fix=M("grey_relational.data_matrix_must_numeric.fix")) from None
    if values.ndim != 2 or values.shape[0] < 1 or values.shape[1] < 1:
        raise MethodError(M("grey_relational.data_matrix_must_d", shape=values.shape),
                          where=where or None, fix=M("grey_relational.data_matrix_must_d.fix"))
    require_finite(values, where)
    m = values.shape[1]
    if isinstance(reference, str):
        if reference != "ideal":
            raise MethodError(M("grey_relational.unknown_reference", reference=reference), where=where or None,
                              fix=M("grey_relational.unknown_reference.fix"))
        sequence = values.max(axis=0)
    else:
        sequence = np.array(reference, dtype=float)
        if sequence.shape != (m,) or not np.all(np.isfinite(sequence)):
            raise MethodError(M("grey_relational.reference_must_finite_values", m=m, tolist=sequence.tolist()),
                              where=where or None, fix=M("grey_relational.reference_must_finite_values.fix"))
    W, single = weight_batch(weights, m, where)
    delta = np.abs(sequence - values)
    delta_min, delta_max = float(delta.min()), float(delta.max())
    if rho * delta_max == 0:   # no spread (or one below floating-point resolution)
        coefficients = np.ones_like(values)
    else:
        coefficients = (delta_min + rho * delta_max) / (delta + rho * delta_max)
    grade = coefficients @ W.T
    return GreyRelationalResult(grade[:, 0] if single else grade, coefficients, sequence,
                                delta_min, delta_max, float(rho))
