"""Combined weights: one weight vector from two or more (e.g. AHP and entropy).

Each function takes a list of weight vectors — arrays (m,) or :class:`WeightResult` — each
non-negative and summing to 1, and returns a :class:`WeightResult` whose ``details`` keep
the components (``components``, K × m, one row per input) and the combination
coefficients; ``params["components"]`` names the component methods where known.

References: linear — Ma, Fan & Huang (1999) EJOR 112(2) 397–404 (subjective–objective
integration); multiplicative — Zavadskas & Podvezko (2016) IJITDM 15(2) 267–283
(IDOCRIW multiplies entropy and CILOS weights); game theory — e.g. Lai et al. (2015)
Natural Hazards 77(2) 1243–1259 (combination weights by a cooperative game: minimise the
deviation of the combined vector from every component).
"""
from __future__ import annotations

from typing import Sequence, Union

import numpy as np

from ..errors import MethodError
from .weighting import WeightResult
from ..i18n import M

WeightLike = Union[np.ndarray, Sequence[float], WeightResult]


def _components(weight_list: Sequence[WeightLike], how: str) -> tuple[np.ndarray, list[str], int]:
    """Stack the components (K × m) after checking each is a proper weight vector."""
    if isinstance(weight_list, WeightResult) or len(weight_list) < 2:
        raise MethodError(M("combine.combination_needs_two_more", how=how),
                          fix=M("combine.combination_needs_two_more.fix"))
    rows, labels, rows_used = [], [], 0
    for k, item in enumerate(weight_list):
        if isinstance(item, WeightResult):
            rows.append(np.asarray(item.weights, dtype=float))
            labels.append(item.method)
            rows_used = max(rows_used, item.rows_used)
        else:
            rows.append(np.asarray(item, dtype=float))
            labels.append(f"component {k}")
    sizes = {r.shape for r in rows}
    if len(sizes) != 1 or rows[0].ndim != 1:
        raise MethodError(M("combine.combination_weight_vectors_differ", how=how, sizes=sorted(sizes)), fix=M("combine.combination_weight_vectors_differ.fix"))
    U = np.vstack(rows)
    for k, u in enumerate(U):
        if not np.all(np.isfinite(u)) or np.any(u < 0) or abs(u.sum() - 1.0) > 1e-8:
            raise MethodError(M("combine.combination_each_weight_vector", how=how, sum=u.sum()),
                              where=labels[k], fix=M("combine.combination_each_weight_vector.fix"))
    return U, labels, rows_used


def combine_linear(weight_list: Sequence[WeightLike], alpha: Sequence[float]) -> WeightResult:
    """w = Σ_k α_k u_k with α ≥ 0 summing to 1 (two components: α·u + (1 − α)·v)."""
    U, labels, rows_used = _components(weight_list, "linear")
    a = np.asarray(alpha, dtype=float).reshape(-1)
    if a.size != U.shape[0] or np.any(a < 0) or not np.all(np.isfinite(a)) \
            or abs(a.sum() - 1.0) > 1e-9:
        raise MethodError(M("combine.alpha_must_non_negative", tolist=a.tolist(), shape=U.shape[0]), fix=M("combine.alpha_must_non_negative.fix"))
    w = a @ U
    return WeightResult(w / w.sum(), "combined_linear", {"components": U, "alpha": a},
                        {"components": labels, "alpha": a.tolist()}, rows_used)


def combine_multiplicative(weight_list: Sequence[WeightLike]) -> WeightResult:
    """w_j ∝ Π_k u_kj, normalised to sum 1."""
    U, labels, rows_used = _components(weight_list, "multiplicative")
    product = U.prod(axis=0)
    if not product.sum() > 0:
        raise MethodError(M("combine.multiplicative_combination_no_indicator"),
                          fix=M("combine.multiplicative_combination_no_indicator.fix"))
    return WeightResult(product / product.sum(), "combined_multiplicative",
                        {"components": U, "product": product}, {"components": labels},
                        rows_used)


def combine_game_theory(weight_list: Sequence[WeightLike]) -> WeightResult:
    """Game-theory combination: find α minimising ‖Σ_k α_k u_k − u_i‖ for every i, i.e.
    solve the K × K linear system Σ_j α_j (u_i·u_j) = u_i·u_i; then α* = |α|/Σ|α| and
    w = Σ_k α*_k u_k. Details: ``alpha`` (α*), ``alpha_raw`` (α), ``components``.

    When components are linearly dependent (e.g. two identical vectors) the system is
    singular; the minimum-norm least-squares solution is used, which gives equal α to
    identical components.
    """
    U, labels, rows_used = _components(weight_list, "game theory")
    gram = U @ U.T
    rhs = np.diag(gram).copy()
    if np.linalg.matrix_rank(gram) == gram.shape[0]:
        alpha_raw = np.linalg.solve(gram, rhs)
    else:
        alpha_raw = np.linalg.lstsq(gram, rhs, rcond=None)[0]
    alpha = np.abs(alpha_raw) / np.abs(alpha_raw).sum()
    w = alpha @ U
    return WeightResult(w / w.sum(), "combined_game_theory",
                        {"components": U, "alpha": alpha, "alpha_raw": alpha_raw},
                        {"components": labels}, rows_used)
