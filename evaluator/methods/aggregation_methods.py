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
* ``decomposes_in_logs`` — the score is exp of a weighted mean of the children's logs
  (raised to the ``floor`` parameter first, if any), so a tree of such nodes with one set
  of parameters over complete data is exp of one weighted sum of the indicators' logs
  (the sensitivity engine scores it so);
* (not a trait) ``batch=`` — the method's form for a batch of weight scenarios at once,
  which the sensitivity engine calls (see :mod:`.batched`); a method without one (a
  plugin) is scored one scenario at a time;
* ``needs_complete`` — refuses missing children (the stage says so, naming the first);
* ``unit_scale`` — a row-by-row score on [0, 1], mapped onto the normalisation range.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from ..registry import Param, Table, register
from . import aggregate as agg
from . import batched
from ..i18n import M


@dataclass
class AggregationContext:
    names: Sequence[str]                 # the children
    labels: np.ndarray                   # "unit year" of each row
    node: str
    where: str
    min_coverage: float = 0.0
    warn: Callable[[str], None] = field(default=lambda text: None)
    cache: dict | None = None            # the sensitivity engine's per-node cache


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
          formula="y = Σ w_j x_j / Σ_present w_j", traits={"decomposes"},
          batch=batched.weighted_sum,
          reference="OECD/JRC (2008) Handbook §6.2")
def weighted_sum(V, w, *, context: AggregationContext) -> AggregationResult:
    return AggregationResult(agg.weighted_sum(V, w, min_coverage=context.min_coverage))


@register("aggregations", "geometric", title=("Weighted geometric mean", "加权几何平均"),
          formula="y = Π x_j^(w_j/Σ w)", reference="OECD/JRC (2008) Handbook §6.2; UNDP HDI",
          traits={"decomposes_in_logs"},
          params=[Param("floor", "number", None, "values below it are raised to it",
                        "低于此值按此值计", lo=0, nullable=True),
                  Param("nonpositive", "choice", "error", "a child ≤ 0: error, or no score "
                        "for that row", "子项 ≤ 0 时报错或该行不计分",
                        choices=("error", "missing"))],
          batch=batched.geometric)
def geometric(V, w, *, context: AggregationContext, floor: float | None = None,
              nonpositive: str = "error") -> AggregationResult:
    out = agg.geometric(V, w, floor=floor, min_coverage=context.min_coverage,
                        nonpositive=nonpositive, names=list(context.names),
                        row_labels=context.labels)
    if nonpositive == "missing":
        lost = (~np.isnan(V) & (V <= 0)).any(axis=1)
        if lost.any():
            context.warn(M("warn.aggregation.no_score_geometric", node=context.node,
                           n=int(lost.sum()),
                           units=", ".join(map(str, context.labels[lost][:10]))))
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
          traits={"compares_units"}, batch=batched.topsis)
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
          traits={"compares_units"}, batch=batched.grey_relational)
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
          traits={"compares_units"}, batch=batched.vikor)
def vikor(V, w, *, context: AggregationContext, v: float = 0.5) -> AggregationResult:
    from .vikor import vikor as run
    res = run(V, w, v=v, where=context.where)
    if res.constant_criteria.size:
        context.warn(M("warn.aggregation.vikor_ignores", where=context.where,
                       names=", ".join(repr(context.names[j]) for j in res.constant_criteria)))
    if np.all(res.q == 0):
        context.warn(M("warn.aggregation_methods.vikor_found_every_unit", where=context.where))
    return AggregationResult(1.0 - res.q, {"s": res.s, "r": res.r, "q": res.q},
                             block={"f_best": res.f_best, "f_worst": res.f_worst,
                                    "acceptable_advantage": res.acceptable_advantage,
                                    "acceptable_stability": res.acceptable_stability,
                                    "compromise": [str(x) for x in
                                                   context.labels[res.compromise]]})


def _tier_thresholds(value, path):
    return None if value is None else Param("thresholds", "numbers").validate(value, path)


@register("aggregations", "rsr", title=("Rank-sum ratio (RSR)", "秩和比法（RSR）"),
          formula="WRSR = Σ w_j R_ij / n; probit Y = 5 + Φ⁻¹(R̄/n); RSR = a + bY; tiers "
                  "cut at the fitted RSR of probit thresholds",
          reference="田凤调 (1993) 秩和比法及其应用; 戈早川 & 徐春华 (1999) 非整秩次秩和比法初探",
          params=[Param("variant", "choice", "integer", "integer ranks or non-integer "
                        "(distance-keeping) ranks", "整秩或非整秩", choices=("integer",
                                                                          "non_integer")),
                  Param("tiers", "integer", 3, "number of tiers (3, 4 or 5)", "分档数",
                        lo=3, hi=5),
                  Param("thresholds", "numbers", None, "probit thresholds instead of the "
                        "table's", "自定义概率单位分档界值", nullable=True,
                        check=_tier_thresholds)],
          tables=[Table("rsr", "rank-sum ratio RSR", "秩和比 RSR", "RSR"),
                  Table("probit", "probit Y", "概率单位 Y", "Y"),
                  Table("rsr_fitted", "fitted RSR from the probit", "RSR 估计值", "RSR̂"),
                  Table("tier", "tier (1 = best)", "分档等级（1 为最优）", "")],
          traits={"compares_units"}, batch=batched.rsr)
def rank_sum_ratio(V, w, *, context: AggregationContext, variant: str = "integer",
                   tiers: int = 3, thresholds=None) -> AggregationResult:
    from .rsr import rsr
    res = rsr(V, w, variant=variant, tiers=tiers, thresholds=thresholds, where=context.where)
    if not np.isfinite(res.slope):
        context.warn(M("warn.aggregation.rsr_has_fewer_than", where=context.where))
    return AggregationResult(res.rsr, {"rsr": res.rsr, "probit": res.probit,
                                       "rsr_fitted": res.fitted, "tier": res.tier},
                             block={"intercept": res.intercept, "slope": res.slope,
                                    "r2": res.r2, "cut_points": res.cut_points,
                                    "distribution": res.distribution})


@register("aggregations", "fuzzy", title=("Fuzzy comprehensive evaluation", "模糊综合评价"),
          formula="r_jk from grade thresholds or survey counts; B = A ∘ R (M(·,⊕) or M(∧,∨)), "
                  "normalised; grade = argmax b_k; score = Σ b_k s_k",
          reference="汪培庄 (1983) 模糊集合论及其应用; 司守奎, 孙玺菁 (2011) 数学建模算法与应用",
          params=[Param("membership", "choice", "triangular", "membership functions from "
                        "the thresholds, or the shares of survey grade counts",
                        "隶属函数类型，或按调查等级计数的比例（survey）",
                        choices=("triangular", "trapezoidal", "survey")),
                  Param("thresholds", "numbers", None, "grade centres (triangular) or "
                        "boundaries (trapezoidal), on the normalised scale",
                        "各等级中心值（三角形）或等级界值（梯形），按标准化后的尺度",
                        nullable=True),
                  Param("width", "number", 0.0, "trapezoidal transition half-width",
                        "梯形隶属函数过渡区半宽", lo=0),
                  Param("operator", "choice", "weighted_average", "M(·,⊕) weighted "
                        "average or M(∧,∨) main factor", "合成算子：加权平均型或主因素决定型",
                        choices=("weighted_average", "min_max")),
                  Param("grades", "list", None, "grade names, lowest first",
                        "评语等级名称（从低到高）", nullable=True),
                  Param("grade_scores", "numbers", None, "score of each grade on [0, 1] "
                        "(default equally spaced)", "各等级分值（默认在 [0,1] 上等距）",
                        nullable=True),
                  Param("counts", "file", None, "survey grade counts (CSV or Excel: "
                        "indicator × grade, optionally per unit and year) for membership: "
                        "survey", "调查等级计数文件（CSV 或 Excel：指标 × 等级，可按对象和年份），"
                        "用于 membership: survey", nullable=True)],
          tables=[Table("fuzzy_grade", "grade of maximum membership", "最大隶属度等级", ""),
                  Table("grade_score", "weighted grade score", "加权等级得分", ""),
                  Table("membership", "membership of each grade b_k", "各等级隶属度 b_k",
                        "b_k", "grade")],
          traits={"needs_complete", "unit_scale"}, batch=batched.fuzzy)
def fuzzy(V, w, *, context: AggregationContext, membership: str = "triangular",
          thresholds=None, width: float = 0.0, operator: str = "weighted_average",
          grades=None, grade_scores=None, counts=None) -> AggregationResult:
    from . import fuzzy as fz
    R, survey = batched.memberships([V[:, j:j + 1] for j in range(V.shape[1])], context,
                                         membership=membership, thresholds=thresholds,
                                         width=width, counts=counts)
    res = fz.evaluate(np.concatenate(R, axis=1), w, operator=operator,
                      grade_scores=grade_scores)
    file_grades = list(survey.grades) if survey is not None else None
    if grades and file_grades and len(grades) != len(file_grades):
        from ..errors import MethodError
        raise MethodError(M("fuzzy_counts.grades_differ", n_names=len(grades),
                            n_file=len(file_grades), file_grades=", ".join(file_grades)),
                          where=context.where, fix=M("fuzzy_counts.grades_differ.fix"))
    names = [str(g) for g in grades] if grades else file_grades or \
        [str(k + 1) for k in range(res.membership.shape[1])]
    if len(names) != res.membership.shape[1]:
        from ..errors import MethodError
        raise MethodError(M("aggregation_methods.grade_names_grades", n_names=len(names), shape=res.membership.shape[1]),
                          where=context.where, fix=M("aggregation_methods.grade_names_grades.fix"))
    rows = {"fuzzy_grade": res.grade.astype(float), "grade_score": res.score}
    rows.update({f"membership_{g}": res.membership[:, k] for k, g in enumerate(names)})
    block: dict = {"grades": names}
    if survey is not None:   # the counts file is an input: named and hashed in the manifest
        block.update(counts_file=survey.source, counts_sha256=survey.sha256)
    return AggregationResult(res.score, rows, block=block)
