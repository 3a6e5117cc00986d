"""σ- and absolute β-convergence of scores over the years.

σ-convergence: the dispersion (coefficient of variation) falls over time; reported per
year in ``disparity.csv`` and summarised by the OLS slope of cv on the year.

Absolute β-convergence: units with a lower initial level grow faster,

    g_i = ln(y_iT / y_i0) / T = α + β ln y_i0 + ε_i,     T = last year − first year,

β < 0 (significant) means convergence; the implied speed is λ = −ln(1 + βT)/T (defined
when 1 + βT > 0). Ordinary least squares with the classical standard errors,
t = β/se(β), two-sided p from Student's t with n − 2 degrees of freedom.

Reference: Barro, R. J. & Sala-i-Martin, X. (1992) Convergence. Journal of Political
Economy 100(2) 223–251; Sala-i-Martin, X. (1996) The classical approach to convergence
analysis. Economic Journal 106(437) 1019–1036.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from ..errors import MethodError
from ..i18n import M


@dataclass(frozen=True)
class Regression:
    slope: float
    se: float
    t: float
    p: float
    intercept: float
    r2: float
    n: int

    def to_dict(self) -> dict:
        return asdict(self)


_WHAT = ("regression", "beta", "sigma")   # what a regression is, in words (catalogue)


def ols(x: np.ndarray, y: np.ndarray, *, what: str = "regression") -> Regression:
    """y = a + b x by least squares, with the classical standard error of b."""
    # Student's t survival function as scipy.stats.t.sf computes it (stdtr(df, -t)),
    # without importing scipy.stats (0.6 s of CPU at every report; issue 11)
    from scipy.special import stdtr

    what = M(f"convergence.what.{what}") if what in _WHAT else what
    x, y = np.asarray(x, float), np.asarray(y, float)
    n = x.size
    if n < 3:
        raise MethodError(M("convergence.needs_three_more_observations", what=what, n=n),
                          fix=M("convergence.needs_three_more_observations.fix"))
    sxx = ((x - x.mean()) ** 2).sum()
    if sxx == 0:
        raise MethodError(M("convergence.every_observation_has_same", what=what), fix=M("convergence.every_observation_has_same.fix"))
    b = ((x - x.mean()) * (y - y.mean())).sum() / sxx
    a = y.mean() - b * x.mean()
    resid = y - a - b * x
    rss, tss = (resid ** 2).sum(), ((y - y.mean()) ** 2).sum()
    se = float(np.sqrt(rss / (n - 2) / sxx))
    t = b / se if se > 0 else (np.inf if b else 0.0) * np.sign(b)
    p = float(2 * stdtr(n - 2, -abs(t))) if np.isfinite(t) else 0.0
    return Regression(float(b), se, float(t), p, float(a),
                      float(1 - rss / tss) if tss > 0 else 1.0, int(n))


def beta_convergence(y0: np.ndarray, y1: np.ndarray, span: int) -> tuple[Regression, float]:
    """Absolute β-convergence of ``y0`` (first year) → ``y1`` (last year) over ``span``
    years: the regression and the speed λ (NaN when 1 + βT ≤ 0)."""
    y0, y1 = np.asarray(y0, float), np.asarray(y1, float)
    if span <= 0:
        raise MethodError(M("convergence.convergence_needs_two_more"), fix=M("convergence.convergence_needs_two_more.fix"))
    if (y0 <= 0).any() or (y1 <= 0).any():
        raise MethodError(M("convergence.convergence_takes_logarithms_scores"),
                          fix=M("convergence.convergence_takes_logarithms_scores.fix"))
    reg = ols(np.log(y0), np.log(y1 / y0) / span, what="beta")
    base = 1 + reg.slope * span
    speed = float(-np.log(base) / span) if base > 0 else float("nan")
    return reg, speed
