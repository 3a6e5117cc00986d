"""Rank-sum ratio (RSR, 秩和比法, 田凤调 1988) with probit-based grading into tiers.

For n units and m indicators (benefit-oriented; the pipeline has oriented cost ones):

* integer RSR: R_ij is the rank of unit i on indicator j (smallest = 1, ties share the
  mean rank);
* non-integer RSR: R_ij = 1 + (n − 1)(x_ij − min_j)/(max_j − min_j), which keeps the
  distances between values;

    WRSR_i = Σ_j w_j R_ij / n    (Σ w = 1; equal weights give RSR_i = Σ_j R_ij/(m n)).

Distribution and grading (the textbook procedure): the distinct RSR values are sorted
upwards with their frequencies f; a value's cumulative frequency is cf, its mean rank
R̄ = cf − (f − 1)/2, its percentile p = R̄/n (the last one corrected to 1 − 1/(4n)) and
its probit Y = 5 + Φ⁻¹(p). The regression RSR = a + b·Y (least squares over the distinct
values) gives each unit a fitted RSR̂ = a + b·Y_i, and the tiers are cut at the fitted
RSR of the probit thresholds: 3 tiers at Y = 4, 6; 4 tiers at 3.5, 5, 6.5; 5 tiers at
3.2, 4.4, 5.6, 6.8 (or thresholds given explicitly). Tier 1 is the best.

References: 田凤调 proposed the method in 1988 (秩和比法及其应用, 中国统计出版社 1993;
秩和比法的应用, 人民卫生出版社 2002); the non-integer ranks are 戈早川 & 徐春华's
(非整秩次秩和比法初探, 江西医学院, 1999), R = 1 + (n − 1)(x − min)/(max − min), whose
hospital example (1983–1992) the tests reproduce; the probit steps (the last cumulative
frequency set to 1 − 1/(4n), Y = 5 + Φ⁻¹(p), WRSR regressed on Y) as in 司守奎 & 孙玺菁
(2011) 数学建模算法与应用, 例 14.7. The integer example the tests use (ten areas A–J:
antenatal care, maternal and perinatal mortality) is the one Chinese RSR tutorials and
open implementations reproduce; its usual attribution to 孙振球 (ed.) 医学统计学 could not
be checked against the book (see docs/design-notes.md).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

from ..errors import MethodError
from ..i18n import M

#: probit thresholds for 3, 4 and 5 tiers (田凤调's table)
TIER_THRESHOLDS = {3: (4.0, 6.0), 4: (3.5, 5.0, 6.5), 5: (3.2, 4.4, 5.6, 6.8)}


@dataclass(frozen=True, eq=False)
class RsrResult:
    rsr: np.ndarray            # (n,) WRSR
    ranks: np.ndarray          # (n, m) R_ij
    probit: np.ndarray         # (n,) probit of each unit's RSR value
    fitted: np.ndarray         # (n,) a + b·probit (NaN when the regression is undefined)
    tier: np.ndarray           # (n,) 1 = best (0 when not graded)
    intercept: float
    slope: float
    r2: float
    cut_points: np.ndarray     # fitted RSR at the probit thresholds
    distribution: dict         # distinct values: rsr, f, cf, mean_rank, percentile, probit


def _mean_ranks(V: np.ndarray) -> np.ndarray:
    """Column-wise ranks from 1, ties sharing the mean rank (vectorised via scipy)."""
    from scipy.stats import rankdata
    return rankdata(V, method="average", axis=0)


def rsr(V: np.ndarray, weights: np.ndarray, *, variant: str = "integer",
        thresholds: Sequence[float] | None = None, tiers: int = 3,
        where: str = "") -> RsrResult:
    """RSR of the rows of ``V`` (n × m, complete, benefit-oriented) with ``weights`` (m,)."""
    from scipy.stats import norm

    V = np.asarray(V, dtype=float)
    w = np.asarray(weights, dtype=float)
    n, m = V.shape
    if n < 2:
        raise MethodError(M("rsr.rsr_ranks_units_against", n=n),
                          where=where or None, fix=M("rsr.rsr_ranks_units_against.fix"))
    if np.isnan(V).any():
        raise MethodError(M("rsr.rsr_needs_complete_data"), where=where or None,
                          fix=M("rsr.rsr_needs_complete_data.fix"))
    w = w / w.sum()
    if variant == "integer":
        R = _mean_ranks(V)
    elif variant == "non_integer":
        lo, hi = V.min(axis=0), V.max(axis=0)
        span = np.where(hi > lo, hi - lo, 1.0)
        # an indicator without spread gives every unit the mean rank (n + 1)/2
        R = np.where(hi > lo, 1 + (n - 1) * (V - lo) / span, (n + 1) / 2)
    else:
        raise MethodError(M("rsr.unknown_rsr_variant", variant=variant), where=where or None,
                          fix=M("rsr.unknown_rsr_variant.fix"))
    value = (R * w).sum(axis=1) / n
    # the distribution of the distinct values
    distinct, inverse, f = np.unique(np.round(value, 12), return_inverse=True,
                                     return_counts=True)
    cf = np.cumsum(f)
    mean_rank = cf - (f - 1) / 2
    percentile = mean_rank / n
    percentile[-1] = 1 - 1 / (4 * n)
    probit_distinct = 5 + norm.ppf(percentile)
    probit = probit_distinct[inverse]
    cut = np.asarray(thresholds if thresholds is not None else TIER_THRESHOLDS[tiers], float)
    if distinct.size >= 3:
        b, a = np.polyfit(probit_distinct, distinct, 1)
        resid = distinct - (a + b * probit_distinct)
        tss = ((distinct - distinct.mean()) ** 2).sum()
        r2 = float(1 - (resid ** 2).sum() / tss) if tss > 0 else 1.0
        fitted = a + b * probit
        cut_points = a + b * cut
        # tier 1 = best: count the cut points above the fitted value
        tier = 1 + (fitted[:, None] < cut_points[None, :]).sum(axis=1)
    else:   # too few distinct values to fit the regression: not graded (noted)
        a = b = r2 = float("nan")
        fitted = np.full(n, np.nan)
        cut_points = np.full(cut.size, np.nan)
        tier = np.zeros(n, dtype=int)
    return RsrResult(value, R, probit, fitted, tier.astype(int), float(a), float(b),
                     float(r2), cut_points,
                     {"rsr": distinct, "f": f, "cf": cf, "mean_rank": mean_rank,
                      "percentile": percentile, "probit": probit_distinct})
