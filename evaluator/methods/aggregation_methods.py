"""The built-in aggregation methods, registered by name (family ``aggregations`` of
:mod:`evaluator.registry`) with their parameters and the intermediate quantities they
explain (written to ``aggregation.csv`` and the manifest).

A registered function takes the children's values ``V`` (rows × k, benefit-oriented),
their weights ``w`` (k,), an :class:`AggregationContext` and the recipe's parameters, and
returns an :class:`AggregationResult`. Traits the tree stage reads instead of names:

* ``compares_units`` — the score is relative to the other rows (TOPSIS, grey relational,
  VIKOR): the stage calls it per block (each year, or pooled), requires complete data and
  two or more rows, and maps the [0, 1] result onto the normalisation range;
* ``decomposes`` — the score is a weighted mean, so indicator contributions add up to it;
* ``batched`` — the sensitivity engine scores it for a batch of weight draws at once.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..registry import Param, Table, register
from . import aggregate as agg


@dataclass
class AggregationContext:
    names: Sequence[str]                 # the children
    labels: np.ndarray                   # "unit year" of each row
    node: str
    where: str
    min_coverage: float = 0.0
    warn: Callable[[str], None] = field(default=lambda text: None)


@dataclass
class AggregationResult:
    """``score`` per row (on [0, 1] for ``compares_units`` methods, else on the children's
    scale); ``rows``: per-row intermediate quantities; ``per_child``: rows × k ones;
    ``block``: what the manifest keeps for the block (ideal, reference, f*, …)."""

    score: np.ndarray
    rows: dict[str, np.ndarray] = field(default_factory=dict)
    per_child: dict[str, np.ndarray] = field(default_factory=dict)
    block: dict[str, Any] = field(default_factory=dict)


@register("aggregations", "weighted_sum", title=("Weighted arithmetic mean", "线性加权综合"),
          formula="y = Σ w_j x_j / Σ_present w_j", traits={"decomposes", "batched"},
          reference="OECD/JRC (2008) Handbook §6.2")
def weighted_sum(V, w, *, context: AggregationContext) -> AggregationResult:
    return AggregationResult(agg.weighted_sum(V, w, min_coverage=context.min_coverage))


@register("aggregations", "geometric", title=("Weighted geometric mean", "加权几何平均"),
          formula="y = Π x_j^(w_j/Σ w)", reference="OECD/JRC (2008) Handbook §6.2; UNDP HDI",
          params=[Param("floor", "number", None, "values below it are raised to it",
                        "低于此值按此值计", lo=0, nullable=True),
                  Param("nonpositive", "choice", "error", "a child ≤ 0: error, or no score "
                        "for that row", "子项 ≤ 0 时报错或该行不计分",
                        choices=("error", "missing"))],
          traits={"batched"})
def geometric(V, w, *, context: AggregationContext, floor: float | None = None,
              nonpositive: str = "error") -> AggregationResult:
    out = agg.geometric(V, w, floor=floor, min_coverage=context.min_coverage,
                        nonpositive=nonpositive, names=list(context.names),
                        row_labels=context.labels)
    if nonpositive == "missing":
        lost = (~np.isnan(V) & (V <= 0)).any(axis=1)
        if lost.any():
            context.warn(f"node {context.node!r}: no score for {int(lost.sum())} unit-year(s) "
                         f"with a child ≤ 0 (geometric, nonpositive: missing): "
                         + ", ".join(map(str, context.labels[lost][:10])))
    return AggregationResult(out)


@register("aggregations", "topsis", title=("TOPSIS", "TOPSIS 法（优劣解距离法）"),
          formula="C = D⁻/(D⁺ + D⁻), distances to the weighted ideal and anti-ideal",
          reference="Hwang & Yoon (1981) Multiple Attribute Decision Making",
          params=[Param("normalisation", "choice", "none", "normalise again inside TOPSIS "
                        "(the pipeline has normalised already)", "TOPSIS 内部再标准化",
                        choices=("vector", "min_max", "none")),
                  Param("weight_in_root", "boolean", False, "weights inside the square root "
                        "(SPSSAU) instead of on the values", "权重置于根号内（SPSSAU）")],
          tables=[Table("d_plus", "distance to the ideal D⁺", "与正理想解距离 D⁺", "D⁺"),
                  Table("d_minus", "distance to the anti-ideal D⁻", "与负理想解距离 D⁻", "D⁻"),
                  Table("closeness", "relative closeness C", "相对贴近度 C", "C")],
          traits={"compares_units", "batched"})
def topsis(V, w, *, context: AggregationContext, normalisation: str = "none",
           weight_in_root: bool = False) -> AggregationResult:
    from .topsis import topsis as run
    res = run(V, w, normalisation=normalisation, weight_in_root=weight_in_root,
              where=context.where)
    return AggregationResult(res.closeness, {"d_plus": res.d_plus, "d_minus": res.d_minus,
                                             "closeness": res.closeness},
                             block={"ideal": res.ideal, "anti_ideal": res.anti_ideal})


@register("aggregations", "grey_relational", title=("Grey relational analysis", "灰色关联分析"),
          formula="ξ_ij = (Δmin + ρΔmax)/(Δ_ij + ρΔmax); grade = Σ w_j ξ_ij",
          reference="Deng (1982) Systems & Control Letters 1(5)",
          params=[Param("rho", "number", 0.5, "distinguishing coefficient ρ", "分辨系数 ρ",
                        lo=0, hi=1)],
          tables=[Table("grade", "grey relational grade", "灰色关联度", "γ"),
                  Table("coefficient", "relational coefficient ξ", "关联系数 ξ", "ξ", "child")],
          traits={"compares_units", "batched"})
def grey_relational(V, w, *, context: AggregationContext, rho: float = 0.5) -> AggregationResult:
    from .grey_relational import grey_relational as run
    res = run(V, w, rho=rho, where=context.where)
    return AggregationResult(res.grade, {"grade": res.grade},
                             {"coefficient": res.coefficients},
                             {"reference": res.reference, "delta_min": res.delta_min,
                              "delta_max": res.delta_max, "rho": res.rho})


@register("aggregations", "vikor", title=("VIKOR", "VIKOR 法（多准则妥协排序）"),
          formula="S = Σ w(f*−f)/(f*−f⁻); R = max w(f*−f)/(f*−f⁻); "
                  "Q = v(S−S*)/(S⁻−S*) + (1−v)(R−R*)/(R⁻−R*); score = 1 − Q",
          reference="Opricovic & Tzeng (2004) EJOR 156(2) 445–455",
          params=[Param("v", "number", 0.5, "weight of the group utility S (vs the regret R)",
                        "“多数准则”策略权重 v", lo=0, hi=1)],
          tables=[Table("s", "group utility S", "群体效用值 S", "S"),
                  Table("r", "individual regret R", "个体遗憾值 R", "R"),
                  Table("q", "compromise index Q (lower is better)", "折衷值 Q（越小越优）", "Q")],
          traits={"compares_units"})
def vikor(V, w, *, context: AggregationContext, v: float = 0.5) -> AggregationResult:
    from .vikor import vikor as run
    res = run(V, w, v=v, where=context.where)
    if res.constant_criteria.size:
        context.warn(f"{context.where}: VIKOR ignores "
                     + ", ".join(repr(context.names[j]) for j in res.constant_criteria)
                     + " (every unit has the same value: f* = f⁻)")
    if np.all(res.q == 0):
        context.warn(f"{context.where}: VIKOR found every unit equal (Q = 0 for all); "
                     "no compromise solution is advantaged")
    return AggregationResult(1.0 - res.q, {"s": res.s, "r": res.r, "q": res.q},
                             block={"f_best": res.f_best, "f_worst": res.f_worst,
                                    "acceptable_advantage": res.acceptable_advantage,
                                    "acceptable_stability": res.acceptable_stability,
                                    "compromise": [str(x) for x in
                                                   context.labels[res.compromise]]})
