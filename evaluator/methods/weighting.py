"""Objective indicator weights from the data, and the result record they share.

Every function takes a rows × m matrix (rows = units or unit-years; usually normalised
scores), drops rows with any missing value (listwise: every weight is computed from the
same units) and returns a :class:`WeightResult` whose ``weights`` are ≥ 0 and sum to 1,
with the intermediate quantities in ``details`` for the log and the weights table.
Fewer than two complete rows is a :class:`MethodError`.

Methods (DESIGN.md §5): equal; entropy (Shannon 1948, as used for attribute weights by
Hwang & Yoon 1981 and Zeleny 1982); CRITIC (Diakoulaki, Mavrotas & Papayannakis 1995);
coefficient of variation; standard deviation; PCA / factor analysis weights (OECD/JRC
2008 Handbook §6.1, after Nicoletti, Scarpetta & Boylaud 2000). Combinations of weight
vectors are in :mod:`evaluator.methods.combine`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from ..errors import MethodError
from .checks import column_names
from ..i18n import M


@dataclass(frozen=True)
class WeightResult:
    """Weights (m,) summing to 1, the method that made them, its intermediate results,
    the parameters used, and how many complete rows the data had."""

    weights: np.ndarray
    method: str
    details: dict[str, np.ndarray] = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    rows_used: int = 0


# ---------------------------------------------------------------- shared helpers
def _complete_rows(Z: np.ndarray, method: str) -> np.ndarray:
    """The rows without a missing value; at least two of them."""
    Z = np.array(Z, dtype=float)
    if Z.ndim != 2 or Z.shape[1] == 0:
        raise MethodError(M("weighting.weights_need_rows_indicators", method=method, shape=Z.shape))
    if np.isinf(Z).any():
        raise MethodError(M("weighting.weights_data_contain_infinite", method=method),
                          fix=M("weighting.weights_data_contain_infinite.fix"))
    complete = Z[~np.isnan(Z).any(axis=1)]
    if complete.shape[0] < 2:
        raise MethodError(M("weighting.weights_need_least_rows", method=method, shape=complete.shape[0], shape2=Z.shape[0]),
                          fix=M("weighting.weights_need_least_rows.fix"))
    return complete


def _share(score: np.ndarray, method: str, names: list[str], what: str) -> np.ndarray:
    total = score.sum()
    if not total > 0:
        raise MethodError(M("weighting.weights_are_undefined_every", method=method, what=what),
                          where=M("where.indicators", names=", ".join(repr(s) for s in names)),
                          fix=M("weighting.weights_are_undefined_every.fix"))
    return score / total


def _require_spread(sd: np.ndarray, method: str, names: list[str]) -> None:
    for j in np.flatnonzero(~(sd > 0)):
        raise MethodError(M("weighting.weights_indicator_has_same", method=method), where=M("weighting.weights_indicator_has_same.where", names=names[j]),
                          fix=M("weighting.weights_indicator_has_same.fix"))


# ---------------------------------------------------------------- the methods
def equal_weights(m: int) -> WeightResult:
    """w_j = 1/m (OECD/JRC 2008 Handbook §6: the default when no better basis exists)."""
    if int(m) != m or m < 1:
        raise MethodError(M("weighting.equal_weights_need_positive", m=m))
    return WeightResult(np.full(int(m), 1.0 / m), "equal", {}, {}, 0)


def entropy_weights(Z: np.ndarray, *, shift: float = 0.0, basis: str = "normalised",
                    names: Sequence[str] | None = None) -> WeightResult:
    """Entropy weights: p_ij = z_ij/Σ_i z_ij (z + ``shift``), e_j = −Σ_i p ln p / ln n with
    0 ln 0 = 0, d_j = 1 − e_j, w_j = d_j/Σ d.

    ``shift`` is added to every value first (papers often add 0.0001 so that min–max
    zeros do not vanish); ``basis`` ("normalised" | "raw") only records what the caller
    passed — the pipeline passes raw values for the column-sum convention of Xu (2004,
    EJOR 156(2) 530–532). Details: ``e`` (entropy), ``d`` (diversity).

    References: Shannon (1948) Bell System Technical Journal 27; Hwang & Yoon (1981)
    Multiple Attribute Decision Making (Springer); Zeleny (1982) Multiple Criteria
    Decision Making (McGraw-Hill).
    """
    if basis not in ("normalised", "raw"):
        raise MethodError(M("weighting.entropy_basis_not_valid", basis=basis), fix=M("weighting.entropy_basis_not_valid.fix"))
    shift = float(shift)
    if not (np.isfinite(shift) and shift >= 0):
        raise MethodError(M("weighting.entropy_shift_must_finite", shift=shift))
    V = _complete_rows(Z, "entropy") + shift
    n, m = V.shape
    names = column_names(names, m)
    for j in np.flatnonzero((V < 0).any(axis=0)):
        raise MethodError(M("weighting.entropy_weights_need_non"),
                          where=M("weighting.entropy_weights_need_non.where", names=names[j]),
                          fix=M("weighting.entropy_weights_need_non.fix"))
    totals = V.sum(axis=0)
    for j in np.flatnonzero(totals == 0):
        raise MethodError(M("weighting.entropy_weights_indicator_every"), where=M("weighting.entropy_weights_indicator_every.where", names=names[j]),
                          fix=M("weighting.entropy_weights_indicator_every.fix"))
    p = V / totals
    with np.errstate(divide="ignore", invalid="ignore"):
        plogp = np.where(p > 0, p * np.log(p), 0.0)
    e = -plogp.sum(axis=0) / np.log(n)
    d = np.clip(1.0 - e, 0.0, None)     # e ≤ 1 in exact arithmetic; drop rounding noise
    d = np.where(d < 1e-14, 0.0, d)
    w = _share(d, "entropy", names, "the diversity 1 − e (all indicators are uniform)")
    return WeightResult(w, "entropy", {"e": e, "d": d}, {"shift": shift, "basis": basis}, n)


def critic_weights(Z: np.ndarray, *, names: Sequence[str] | None = None) -> WeightResult:
    """CRITIC: C_j = σ_j Σ_k (1 − r_jk), w_j = C_j/Σ C.

    σ_j is the sample standard deviation (ddof = 1, as pymcdm uses; the factor is common to
    all columns and cancels, so ddof does not change the weights) and r the Pearson
    correlation. Pass min–max normalised scores, as Diakoulaki et al. do. Details:
    ``sigma``, ``conflict`` (Σ_k (1 − r_jk)), ``information`` (C_j).

    Reference: Diakoulaki, Mavrotas & Papayannakis (1995) Determining objective weights in
    multiple criteria problems: the CRITIC method. Computers & Operations Research 22(7)
    763–770.
    """
    V = _complete_rows(Z, "CRITIC")
    n, m = V.shape
    names = column_names(names, m)
    if m < 2:
        raise MethodError(M("weighting.critic_weights_need_least"), fix=M("weighting.critic_weights_need_least.fix"))
    sigma = V.std(axis=0, ddof=1)
    _require_spread(sigma, "CRITIC", names)
    r = np.corrcoef(V, rowvar=False)
    conflict = (1.0 - r).sum(axis=0)
    information = sigma * conflict
    w = _share(information, "CRITIC", names,
               "the information σ·Σ(1 − r) (the indicators are perfectly correlated)")
    return WeightResult(w, "critic", {"sigma": sigma, "conflict": conflict,
                                      "information": information, "correlation": r}, {}, n)


def cv_weights(Z: np.ndarray, *, names: Sequence[str] | None = None,
               basis: str = "normalised") -> WeightResult:
    """Coefficient of variation: v_j = s_j/|mean_j|, w_j = v_j/Σ v (s with ddof = 1; the
    weights do not depend on ddof). Use on data with a meaningful zero (raw values or
    ratio-scale scores). Details: ``sd``, ``mean``, ``cv``. ``basis`` ("normalised" |
    "raw") only records what the caller passed (the registered ``cv`` passes the prepared
    raw values for ``basis: raw``).

    Refused, naming the indicator, its mean and spread, when |mean_j| < s_j/√n — the mean
    lies within one standard error of zero, so v_j measures where zero happens to be, not
    dispersion (z-scores have a mean of 1e-16 and would take all the weight). The bound
    never refuses data of one sign: for values ≥ 0 the largest possible v is exactly √n
    (one non-zero value among n).

    Reference: the coefficient of variation is Pearson's (1896) relative dispersion; as a
    weighting rule ("变异系数法") it is the scale-free member of the dispersion family
    that Diakoulaki et al. (1995) build on. scipy.stats.variation computes the statistic.
    """
    V = _complete_rows(Z, "coefficient of variation")
    n = V.shape[0]
    names = column_names(names, V.shape[1])
    sd, mean = V.std(axis=0, ddof=1), V.mean(axis=0)
    for j in np.flatnonzero(np.abs(mean) * np.sqrt(n) * (1 + 1e-9) < sd):
        raise MethodError(M("numbers.cv.mean_near_zero", mean=float(mean[j]),
                            sd=float(sd[j]), n=n, basis=basis),
                          where=M("weighting.coefficient_variation_weights_indicator.where",
                                  names=names[j]),
                          fix=M("numbers.cv.mean_near_zero.fix"))
    for j in np.flatnonzero(mean == 0):   # every value 0 (sd 0 too)
        raise MethodError(M("weighting.coefficient_variation_weights_indicator"),
                          where=M("weighting.coefficient_variation_weights_indicator.where", names=names[j]),
                          fix=M("weighting.coefficient_variation_weights_indicator.fix"))
    cv = sd / np.abs(mean)
    w = _share(cv, "coefficient of variation", names, "the coefficient of variation")
    return WeightResult(w, "cv", {"sd": sd, "mean": mean, "cv": cv}, {"basis": basis}, n)


def std_weights(Z: np.ndarray, *, names: Sequence[str] | None = None) -> WeightResult:
    """Standard deviation: w_j = s_j/Σ s (ddof = 1, as scikit-criteria; ddof cancels).
    Only meaningful on normalised scores (it is unit-dependent). Details: ``sd``.

    Reference: Diakoulaki et al. (1995) (the standard-deviation method that CRITIC
    extends); Wang & Luo (2010) Mathematical and Computer Modelling 51(1–2) 1–12.
    """
    V = _complete_rows(Z, "standard deviation")
    names = column_names(names, V.shape[1])
    sd = V.std(axis=0, ddof=1)
    w = _share(sd, "standard deviation", names, "the standard deviation")
    return WeightResult(w, "std", {"sd": sd}, {}, V.shape[0])


# ---------------------------------------------------------------- PCA / factor analysis
def varimax(loadings: np.ndarray, *, normalize: bool = True, tol: float = 1e-13,
            max_sweeps: int = 1000) -> tuple[np.ndarray, np.ndarray]:
    """Varimax rotation (Kaiser 1958) of an m × k loading matrix.

    Maximises the variance of the squared loadings within each factor. Kaiser's original
    pairwise scheme: for each pair of factors, rotate by the closed-form angle φ with
    tan 4φ = (D − 2AB/m)/(C − (A² − B²)/m) (u = x² − y², v = 2xy, A = Σu, B = Σv,
    C = Σ(u² − v²), D = 2Σuv); sweep over all pairs until no angle exceeds ``tol``. Each
    step cannot lower the criterion, unlike the SVD fixed-point iteration, which can cycle
    on exactly simple structures. With ``normalize`` (Kaiser normalisation, the default of
    SPSS and of R's ``stats::varimax``) each row is scaled to unit length before rotating
    and back after. Returns (rotated loadings, rotation matrix T), rotated = loadings @ T.
    """
    L = np.array(loadings, dtype=float)
    m, k = L.shape
    if k < 2:
        return L.copy(), np.eye(k)
    scale = np.sqrt((L * L).sum(axis=1)) if normalize else np.ones(m)
    scale = np.where(scale > 0, scale, 1.0)
    A = L / scale[:, None]
    T = np.eye(k)
    for _ in range(max_sweeps):     # loops over the k(k − 1)/2 factor pairs, not over rows
        largest = 0.0
        for p in range(k - 1):
            for q in range(p + 1, k):
                x, y = A[:, p], A[:, q]
                u, v = x * x - y * y, 2.0 * x * y
                numerator = 2.0 * (m * np.dot(u, v) - u.sum() * v.sum())
                denominator = m * (np.dot(u, u) - np.dot(v, v)) - (u.sum() ** 2 - v.sum() ** 2)
                phi = np.arctan2(numerator, denominator) / 4.0
                largest = max(largest, abs(phi))
                if abs(phi) > tol:
                    turn = np.array([[np.cos(phi), -np.sin(phi)], [np.sin(phi), np.cos(phi)]])
                    A[:, [p, q]] = A[:, [p, q]] @ turn
                    T[:, [p, q]] = T[:, [p, q]] @ turn
        if largest <= tol:
            break
    return A * scale[:, None], T


def pca_weights(Z: np.ndarray, *, min_eigenvalue: float = 1.0, min_variance_share: float = 0.1,
                min_cumulative: float = 0.6, n_factors: int | None = None,
                names: Sequence[str] | None = None) -> WeightResult:
    """Weights from principal components with varimax rotation (OECD/JRC 2008 §6.1).

    Steps, following the Handbook's description of Nicoletti et al. (2000):

    1. standardise the indicators (mean 0, sd 1) and extract the principal components
       of their correlation matrix (scikit-learn ``PCA``);
    2. retain the leading factors whose eigenvalue exceeds ``min_eigenvalue`` (Kaiser
       criterion) and which each explain more than ``min_variance_share`` of the total
       variance; if together they explain less than ``min_cumulative``, add the next
       factors until they do (at least one factor; ``n_factors`` overrides the rule);
    3. rotate the retained loadings (correlations of indicators with factors) by varimax;
    4. square the rotated loadings and scale each factor's column to unit sum; the
       factor's explained variance is its column sum of squared loadings, and its share is
       that over the sum for all retained factors;
    5. each indicator goes to the factor on which its scaled squared loading is largest;
       its weight is that scaled squared loading times the factor's share, and the
       weights are normalised to sum to 1.

    Details: ``loadings`` (rotated, m × k), ``unrotated_loadings``, ``eigenvalues`` (all m),
    ``explained`` (each eigenvalue's share of the total variance), ``factor_share``,
    ``squared_scaled`` (m × k), ``factor`` (the factor each indicator was assigned to).

    References: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §6.1 (the
    TAI example, Tables 16–18); Nicoletti, Scarpetta & Boylaud (2000) OECD Economics
    Department Working Paper 226; Kaiser (1958) Psychometrika 23 187–200 (varimax).
    """
    from sklearn.decomposition import PCA

    V = _complete_rows(Z, "PCA")
    n, m = V.shape
    names = column_names(names, m)
    if m < 2:
        raise MethodError(M("weighting.pca_weights_need_least"), fix=M("weighting.pca_weights_need_least.fix"))
    if n < 3:
        raise MethodError(M("weighting.pca_weights_need_least_2", n=n),
                          fix=M("weighting.pca_weights_need_least_2.fix"))
    sd = V.std(axis=0, ddof=1)
    _require_spread(sd, "PCA", names)
    standard = (V - V.mean(axis=0)) / sd
    pca = PCA(svd_solver="full").fit(standard)
    eigenvalues = np.zeros(m)
    eigenvalues[: pca.n_components_] = pca.explained_variance_
    explained = eigenvalues / m          # the total variance of m standardised indicators
    k = _retained(eigenvalues, explained, min_eigenvalue, min_variance_share, min_cumulative,
                  n_factors, m)
    unrotated = pca.components_[:k].T * np.sqrt(eigenvalues[:k])
    rotated, _ = varimax(unrotated)
    rotated = rotated * np.where(rotated.sum(axis=0) < 0, -1.0, 1.0)   # sign is arbitrary
    squared = rotated ** 2
    factor_variance = squared.sum(axis=0)
    squared_scaled = squared / factor_variance
    factor_share = factor_variance / factor_variance.sum()
    factor = squared_scaled.argmax(axis=1)
    raw = squared_scaled[np.arange(m), factor] * factor_share[factor]
    w = _share(raw, "PCA", names, "every scaled squared loading")
    details = {"loadings": rotated, "unrotated_loadings": unrotated, "eigenvalues": eigenvalues,
               "explained": explained, "factor_share": factor_share,
               "squared_scaled": squared_scaled, "factor": factor}
    params = {"min_eigenvalue": min_eigenvalue, "min_variance_share": min_variance_share,
              "min_cumulative": min_cumulative, "n_factors": k}
    return WeightResult(w, "pca", details, params, n)


def _retained(eigenvalues: np.ndarray, explained: np.ndarray, min_eigenvalue: float,
              min_variance_share: float, min_cumulative: float, n_factors: int | None,
              m: int) -> int:
    if n_factors is not None:
        if int(n_factors) != n_factors or not 1 <= n_factors <= m:
            raise MethodError(M("weighting.n_factors_must_integer", m=m, n_factors=n_factors))
        return int(n_factors)
    # Eigenvalues are sorted, so the factors passing both thresholds are a leading run.
    # A value within rounding of a threshold counts as on it (an uncorrelated indicator
    # has eigenvalue exactly 1, computed as 1 ± 1e-16 depending on the column order).
    fuzz = 1e-10
    passing = (eigenvalues > min_eigenvalue + fuzz) & (explained > min_variance_share + fuzz)
    k = int(np.argmin(passing)) if not passing.all() else m
    k = max(k, 1)
    cumulative = np.cumsum(explained)
    while k < m and cumulative[k - 1] < min_cumulative - fuzz:
        k += 1
    return k


_COMBINERS = ("combine_linear", "combine_multiplicative", "combine_game_theory")


def __getattr__(name: str) -> Any:
    """The combinations live in :mod:`evaluator.methods.combine`; they are reachable from
    here too (imported lazily, since combine imports :class:`WeightResult` from here)."""
    if name in _COMBINERS:
        from . import combine
        return getattr(combine, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
