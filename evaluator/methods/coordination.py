"""Coupling coordination degree of the first-level scores of each unit.

References
----------
王淑佳, 孔伟, 任亮, 治丹丹, 戴彬婷 (2021). 国内耦合协调度模型的误区及修正. 自然资源学报
    36(3), 793–810. doi:10.31497/zrzyxb.20210319. (Wang S., Kong W., Ren L., Zhi D., Dai B.
    Research on misuses and modification of coupling coordination degree model in China.
    Journal of Natural Resources.) It sets out the normative coupling degree
        C = n·(Π U_i)^(1/n) / Σ U_i
    and, because that C crowds near 1 for social-science data, the corrected form
        C = √{ [1 − Σ_{i>j} |U_i − U_j| / Σ_{m=1}^{n−1} m] × [Π_i (U_i / max_i U_i)]^(1/(n−1)) },
    with T = Σ a_i U_i (Σ a_i = 1) and D = √(C·T). The "capped" form that raises the
    normative C to a power (often written with the wrong exponent) is not offered.
The ten coordination classes at 0.1 steps of D (极度失调 … 优质协调) are those used
throughout the Chinese literature, e.g. 田深圳 et al. (2021) 地理学报 76(4), Table 1. That
table closes each interval on the right, (0.1, 0.2]; we close it on the left, [0.1, 0.2),
so only a D lying exactly on a boundary is classed differently.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple, Sequence

import numpy as np

from evaluator.errors import MethodError
from ..i18n import M

FORMS = ("wang2021", "normative")


class CoordinationClass(NamedTuple):
    level: int
    lower: float
    upper: float
    zh: str
    en: str


#: Level k covers lower ≤ D < upper (the top class includes D = 1).
COORDINATION_CLASSES: tuple[CoordinationClass, ...] = tuple(
    CoordinationClass(level, level / 10, (level + 1) / 10, zh, en)
    for level, (zh, en) in enumerate([
        ("极度失调", "Extreme imbalance"),
        ("严重失调", "Severe imbalance"),
        ("中度失调", "Moderate imbalance"),
        ("轻度失调", "Mild imbalance"),
        ("濒临失调", "Verge of imbalance"),
        ("勉强协调", "Barely coordinated"),
        ("初级协调", "Primary coordination"),
        ("中级协调", "Intermediate coordination"),
        ("良好协调", "Good coordination"),
        ("优质协调", "High-quality coordination"),
    ])
)


@dataclass(frozen=True, eq=False)
class CouplingResult:
    """Per unit: coupling degree C, comprehensive index T, coupling coordination degree
    D = √(C·T), the class level 0–9 and its Chinese and English names."""

    C: np.ndarray
    T: np.ndarray
    D: np.ndarray
    level: np.ndarray
    class_zh: np.ndarray
    class_en: np.ndarray
    form: str
    coefficients: np.ndarray


def coordination_level(D: np.ndarray) -> np.ndarray:
    """Class level 0–9 of each D: ⌊10·D⌋, with D = 1 in the top class. 10·D is rounded to
    9 decimals first so that a D of 0.3 computed as 0.29999999999999993 is not demoted."""
    scaled = np.round(np.asarray(D, dtype=float) * 10, 9)
    return np.clip(np.floor(scaled), 0, 9).astype(int)


def coupling_coordination(U: np.ndarray, *, form: str = "wang2021",
                          coefficients: Sequence[float] | np.ndarray | None = None,
                          where: str = "") -> CouplingResult:
    """Coupling coordination degree of k ≥ 2 subsystem scores per unit.

    ``U`` is n units × k subsystem scores in [0, 1]. ``form``: ``"wang2021"`` (the
    corrected C of 王淑佳 et al. 2021, default) or ``"normative"``
    (C = k·(ΠU)^(1/k)/ΣU). ``coefficients`` a_i for T = Σ a_i U_i, equal by default,
    must be non-negative and sum to 1. A unit whose scores are all 0 has no development
    to couple: C = 0 there (both formulas are 0/0), and D = 0.
    """
    if form not in FORMS:
        raise MethodError(M("coordination.unknown_coupling_form", form=form), where=where or None,
                          fix=M("coordination.unknown_coupling_form.fix", FORMS=', '.join(FORMS)))
    try:
        scores = np.array(U, dtype=float)
    except (TypeError, ValueError):
        raise MethodError(M("coordination.subsystem_scores_must_numeric"), where=where or None,
                          fix=M("coordination.subsystem_scores_must_numeric.fix")) from None
    if scores.ndim != 2 or scores.shape[0] < 1:
        raise MethodError(M("coordination.subsystem_scores_must_d", shape=scores.shape),
                          where=where or None, fix=M("coordination.subsystem_scores_must_d.fix"))
    n, k = scores.shape
    if k < 2:
        raise MethodError(M("coordination.coupling_needs_least_subsystems", k=k), where=where or None,
                          fix=M("coordination.coupling_needs_least_subsystems.fix"))
    outside = ~np.isfinite(scores) | (scores < 0) | (scores > 1)
    if outside.any():
        i, j = map(int, np.argwhere(outside)[0])
        raise MethodError(M("coordination.score_unit_row_subsystem", scores=float(scores[i, j]), value=i + 1, value2=j + 1),
                          where=where or None,
                          fix=M("coordination.score_unit_row_subsystem.fix"))
    if coefficients is None:
        a = np.full(k, 1.0 / k)
    else:
        a = np.array(coefficients, dtype=float)
        if a.shape != (k,) or not np.all(np.isfinite(a)) or np.any(a < 0) or abs(a.sum() - 1.0) > 1e-9:
            raise MethodError(M("coordination.coefficients_must_non_negative", tolist=np.ravel(coefficients).tolist(), k=k), where=where or None,
                              fix=M("coordination.coefficients_must_non_negative.fix"))
    top = scores.max(axis=1)
    alive = top > 0
    safe = np.where(alive[:, None], scores, 1.0)   # placeholder rows for all-zero units
    if form == "normative":
        geometric = np.exp(np.log(np.maximum(safe, np.finfo(float).tiny)).mean(axis=1))
        geometric = np.where(np.any(safe == 0, axis=1), 0.0, geometric)
        C = k * geometric / safe.sum(axis=1)
    else:
        i_idx, j_idx = np.triu_indices(k, 1)
        spread = np.abs(safe[:, i_idx] - safe[:, j_idx]).sum(axis=1) / i_idx.size   # Σ_{m=1}^{k−1} m pairs
        balance = np.prod(safe / safe.max(axis=1, keepdims=True), axis=1) ** (1.0 / (k - 1))
        C = np.sqrt(np.clip((1.0 - spread) * balance, 0.0, 1.0))
    C = np.where(alive, np.clip(C, 0.0, 1.0), 0.0)
    T = scores @ a
    D = np.sqrt(C * T)
    level = coordination_level(D)
    names_zh = np.array([c.zh for c in COORDINATION_CLASSES])
    names_en = np.array([c.en for c in COORDINATION_CLASSES])
    return CouplingResult(C=C, T=T, D=D, level=level, class_zh=names_zh[level], class_en=names_en[level],
                          form=form, coefficients=a)
