"""Independence weights (复相关系数法): an indicator largely explained by the others
repeats their information and gets less weight.

For each indicator j, R_j is the multiple correlation coefficient of x_j regressed on
all the other indicators (R_j² = 1 − 1/(C⁻¹)_jj with C the correlation matrix); the
weights are proportional to 1/R_j:

    w_j = (1/R_j) / Σ_k (1/R_k).

An indicator unrelated to the others (R_j = 0) would take all the weight; it is an
error naming it. Perfectly collinear indicators (C singular) are an error too.

Reference: 郭亚军 (2002) 综合评价理论与方法. 北京: 科学出版社 (复相关系数法);
SPSSAU "独立性权重" (the same 1/R rule).
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError
from .checks import column_names
from .weighting import WeightResult, _complete_rows, _require_spread
from ..i18n import M


def independence_weights(Z: np.ndarray, *, names: Sequence[str] | None = None) -> WeightResult:
    """Weights ∝ 1/R_j (see the module docstring). Details: ``r`` (R_j), ``r2`` (R_j²)
    and ``inverse_r`` (1/R_j)."""
    V = _complete_rows(Z, "independence")
    n, m = V.shape
    names = column_names(names, m)
    if m < 2:
        raise MethodError(M("weights_independence.independence_weights_need_two"),
                          fix=M("weights_independence.independence_weights_need_two.fix"))
    if n <= m:
        raise MethodError(M("weights_independence.independence_weights_regress_each", value=m - 1, m=m, n=n),
                          fix=M("weights_independence.independence_weights_regress_each.fix"))
    _require_spread(V.std(axis=0, ddof=1), "independence", names)
    C = np.corrcoef(V, rowvar=False)
    if np.linalg.matrix_rank(C) < m:
        raise MethodError(M("weights_independence.independence_weights_indicators_are"),
                          where=M("where.indicators", names=", ".join(map(repr, names))),
                          fix=M("weights_independence.independence_weights_indicators_are.fix"))
    r2 = np.clip(1.0 - 1.0 / np.diag(np.linalg.inv(C)), 0.0, 1.0)
    r = np.sqrt(r2)
    if (r <= 1e-12).any():
        j = int(np.argmin(r))
        raise MethodError(M("weights_independence.independence_weights_are_undefined"),
                          where=M("weights_independence.independence_weights_are_undefined.where", names=names[j]),
                          fix=M("weights_independence.independence_weights_are_undefined.fix"))
    inverse = 1.0 / r
    return WeightResult(inverse / inverse.sum(), "independence",
                        {"r": r, "r2": r2, "inverse_r": inverse}, {}, n)
