"""G1 order-relation weights (序关系分析法, 郭亚军).

An expert orders the m indicators by importance, x₁* ≻ x₂* ≻ … ≻ x_m*, and gives for each
adjacent pair the ratio r_k = w_{k−1}*/w_k* (k = m, m−1, …, 2) — on Guo's scale 1.0 (as
important), 1.2 (slightly), 1.4 (clearly), 1.6 (strongly), 1.8 (extremely more
important). Then

    w_m* = (1 + Σ_{k=2}^{m} Π_{i=k}^{m} r_i)^(−1),     w_{k−1}* = r_k w_k*,

and the weights sum to 1. Unlike AHP no consistency check is needed: m − 1 judgements
define the weights.

Reference: 郭亚军 (2002) 综合评价理论与方法. 北京: 科学出版社, §3 (G1 法);
郭亚军 (2007) 综合评价理论、方法及应用. 北京: 科学出版社.
"""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError
from .weighting import WeightResult
from ..i18n import M, joined


def g1_weights(order: Sequence[str], ratios: Sequence[float], names: Sequence[str],
               *, where: str = "") -> WeightResult:
    """Weights of ``names`` (in their own order) from the expert's ``order`` (most
    important first) and the adjacent ratios ``ratios`` = [r_2, …, r_m] (r_k =
    w_{k−1}/w_k of the ordered indicators). Details: ``position`` (1 = most important)
    and ``ratio`` (r_k of each indicator against the next more important one; 1 for the
    first)."""
    names, order = list(names), list(order or [])
    missing = [n for n in names if n not in order]
    extra = [n for n in order if n not in names]
    repeated = sorted({n for n in order if order.count(n) > 1})
    if missing or extra or repeated:
        parts = ([M("g1.misses", names=", ".join(map(repr, missing)))] if missing else []) \
            + ([M("g1.not_children", names=", ".join(map(repr, extra)))] if extra else []) \
            + ([M("g1.repeats", names=", ".join(map(repr, repeated)))] if repeated else [])
        raise MethodError(M("g1.order_wrong", parts=joined(parts, M("list.semicolon"))),
                          where=where or None,
                          fix=M("g1.order_wrong.fix", names=", ".join(names)))
    r = np.asarray(ratios if ratios is not None else [], dtype=float)
    m = len(names)
    if r.shape != (m - 1,):
        raise MethodError(M("weights_g1.g_needs_adjacent_ratios", value=m - 1, m=m, size=r.size), where=where or None,
                          fix=M("weights_g1.g_needs_adjacent_ratios.fix"))
    if (r < 1).any() or not np.isfinite(r).all():
        raise MethodError(M("weights_g1.g_ratios_must_order", tolist=r.tolist()), where=where or None,
                          fix=M("weights_g1.g_ratios_must_order.fix"))
    # products Π_{i=k}^{m} r_i for k = 2..m, from the back
    tail = np.cumprod(r[::-1])[::-1]
    w_ordered = np.empty(m)
    w_ordered[-1] = 1.0 / (1.0 + tail.sum())
    w_ordered[:-1] = w_ordered[-1] * tail
    position = np.array([order.index(n) for n in names])
    ratio = np.concatenate([[1.0], r])[position]
    return WeightResult(w_ordered[position], "g1", {"position": position + 1, "ratio": ratio},
                        {"order": order, "ratios": r.tolist()}, 0)
