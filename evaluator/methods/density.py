"""Gaussian kernel density of one variable with Scott's bandwidth: the numbers of
``scipy.stats.gaussian_kde(values)(grid)``, to the last bit, without importing
``scipy.stats`` (about 0.6 s of CPU at every start of the report; issue 11).

    f(x) = 1/n Σ_i φ((x − y_i)/h) / h,   h = σ̂ · n^(−1/5)   (Scott 1992),

σ̂ the sample standard deviation (n − 1). The steps are SciPy's (1.17) in its order:
the Cholesky factor of the 1 × 1 covariance is its square root; data and grid are
scaled by the reciprocal of h (LAPACK's triangular solve through OpenBLAS multiplies by
the reciprocal of the diagonal); each kernel value is C's ``exp`` (``math.exp``: NumPy's
vectorised ``exp`` may differ in the last bit) times the normalisation; the weighted
kernels are added point after point, as SciPy's loop adds them.
``tests/test_output_speed.py`` compares the result with SciPy's bit for bit.

Reference: Scott, D. W. (1992) Multivariate Density Estimation: Theory, Practice, and
Visualization. Wiley.
"""
from __future__ import annotations

import math

import numpy as np


def gaussian_kde_1d(values: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """The density of ``values`` (at least two, not all equal) at the points ``grid``;
    a value that is not finite is a ValueError, as in SciPy."""
    y = np.asarray(values, dtype=float)
    x = np.asarray(grid, dtype=float)
    if not np.isfinite(y).all():
        raise ValueError("the values of a kernel density must be finite")
    n = y.size
    weights = np.ones(n) / n
    neff = 1 / np.sum(weights * weights) if not hasattr(np, "vecdot") \
        else 1 / np.vecdot(weights, weights)
    factor = np.power(neff, -1.0 / 5)
    covariance = np.cov(y[None, :], rowvar=1, bias=False, aweights=weights)
    h = float(np.float64(math.sqrt(float(covariance))) * factor)
    inverse = 1.0 / h
    scaled, at = y * inverse, x * inverse
    norm = math.pow(2 * math.pi, -1 / 2.0) / h
    residual = scaled[:, None] - at[None, :]
    exponent = (-(residual * residual) / 2.0).ravel().tolist()
    kernel = np.fromiter(map(math.exp, exponent), dtype=float,
                         count=len(exponent)).reshape(residual.shape) * norm
    terms = weights[:, None] * kernel
    estimate = np.zeros(x.size)
    for row in terms:        # point after point, as SciPy adds them
        estimate += row
    return estimate
