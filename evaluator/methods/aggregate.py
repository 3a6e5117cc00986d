"""Aggregation of children scores into a parent score, for one weight vector or a batch.

Every function takes ``V`` (rows × k children values, NaN = missing) and weights ``w``
either as one vector (k,) → result (rows,), or as a batch (S, k) → result (rows, S), so
the Monte Carlo engine reuses exactly these functions (DESIGN.md §6: the weighted sum of
every scenario is one matrix product).

Missing children are skipped and the remaining weights renormalised (COINr's default);
a row whose present children carry less than ``min_coverage`` of the total weight gets
NaN (e.g. the UNDP HDI needs all three dimensions: ``min_coverage: 1``).
"""
from __future__ import annotations

import numpy as np

from ..errors import MethodError
from ..i18n import M


def _as_batch(w: np.ndarray, k: int) -> tuple[np.ndarray, bool]:
    w = np.asarray(w, dtype=float)
    single = w.ndim == 1
    W = w[None, :] if single else w
    if W.shape[1] != k:
        raise ValueError(f"{W.shape[1]} weights for {k} children")
    if np.any(W < 0) or not np.all(np.isfinite(W)):
        raise MethodError(M("aggregate.weights_must_finite_non"))
    return W, single


def _coverage_mask(present: np.ndarray, W: np.ndarray, min_coverage: float,
                   covered: np.ndarray | None = None) -> np.ndarray:
    """Rows × S: True where the present children carry enough of the weight
    (``covered``: the product present @ Wᵀ when the caller has it already)."""
    total = W.sum(axis=1)
    if covered is None:
        covered = present.astype(float) @ W.T
    with np.errstate(invalid="ignore", divide="ignore"):
        share = covered / total[None, :]
    ok = covered > 0
    if min_coverage > 0:
        ok &= share >= min_coverage - 1e-12
    return ok


def weighted_sum(V: np.ndarray, w: np.ndarray, *, min_coverage: float = 0.0) -> np.ndarray:
    """Weighted arithmetic mean Σ w_i v_i / Σ w_i over the present children.

    Reference: OECD/JRC (2008), Handbook on Constructing Composite Indicators, §6.1.
    """
    V = np.asarray(V, dtype=float)
    W, single = _as_batch(w, V.shape[1])
    present = ~np.isnan(V)
    num = np.where(present, V, 0.0) @ W.T
    den = present.astype(float) @ W.T
    ok = _coverage_mask(present, W, min_coverage, den)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ok, num / np.where(ok, den, 1.0), np.nan)
    return out[:, 0] if single else out


def geometric(V: np.ndarray, w: np.ndarray, *, floor: float | None = None,
              min_coverage: float = 0.0, nonpositive: str = "error", names=None,
              row_labels=None) -> np.ndarray:
    """Weighted geometric mean exp(Σ w_i ln v_i / Σ w_i) over the present children.

    Needs every value > 0: a zero (e.g. the worst unit under min–max) is an error that
    suggests a floor (``aggregate: {method: geometric, floor: 0.01}``) or a normalisation
    range starting above zero (COINr normalises to [1, 100] for geometric means).
    Reference: OECD/JRC (2008), Handbook on Constructing Composite Indicators, §6.2;
    UNDP HDI technical notes (geometric mean of the dimension indices).

    ``nonpositive="missing"`` instead leaves such rows without a score (UNDP publishes
    no HDI for a country-year whose life expectancy is below the lower goalpost).
    """
    V = np.asarray(V, dtype=float)
    if floor is not None:
        V = np.where(np.isnan(V), V, np.maximum(V, floor))
    bad = ~np.isnan(V) & (V <= 0)
    if nonpositive == "missing" and bad.any():
        rows_bad = bad.any(axis=1)
        V = V.copy()
        V[bad] = 1.0  # placeholder; the row's result is set to NaN below
        out = geometric(V, w, min_coverage=min_coverage)
        out[rows_bad] = np.nan
        return out
    if bad.any():
        r, c = np.argwhere(bad)[0]
        what = f"child {names[c]!r}" if names is not None else f"child {c}"
        row = f" for {row_labels[r]}" if row_labels is not None else ""
        raise MethodError(
            M("aggregate.geometric_mean_value_such", V=V[r, c], what=what, row=row, sum=int(bad.sum())),
            fix=M("aggregate.geometric_mean_value_such.fix"))
    W, single = _as_batch(w, V.shape[1])
    present = ~np.isnan(V)
    logs = np.where(present, np.log(np.where(present, V, 1.0)), 0.0)
    num = logs @ W.T
    den = present.astype(float) @ W.T
    ok = _coverage_mask(present, W, min_coverage, den)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(ok, np.exp(num / np.where(ok, den, 1.0)), np.nan)
    return out[:, 0] if single else out


def effective_shares(V: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Rows × k: each child's share of its parent's weighted sum weight after missing
    children are skipped (zero where missing). Used for exact contributions."""
    V = np.asarray(V, dtype=float)
    w = np.asarray(w, dtype=float)
    present = ~np.isnan(V)
    weighted = present * w[None, :]
    den = weighted.sum(axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(den > 0, weighted / np.where(den > 0, den, 1.0), 0.0)
