"""The built-in weighting methods, registered by name with their declared parameters and
intermediate quantities (family ``weights`` of :mod:`evaluator.registry`).

Every registered function takes a :class:`WeightData` (what the tree stage knows about
one parent's children) and the recipe's parameters, and returns a
:class:`~evaluator.methods.weighting.WeightResult` (or a plain weight vector). The
formulas and references are in :mod:`.weighting`, :mod:`.combine`, :mod:`.weights_g1`
and the functions below.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import MethodError, RecipeError
from ..registry import Param, Table, register
from . import combine, weighting
from ..i18n import M

SHARED = ("normalised",)


@dataclass
class WeightData:
    """One parent's children: their normalised values (rows × k, pooled over the years),
    prepared raw values, names, the framework's fixed weights (None = 1), the AHP
    judgement loader and ``weigh`` (a sub-spec → its weights, for combinations)."""

    normalised: np.ndarray
    raw: np.ndarray | None
    names: list[str]
    node: str
    fixed: Mapping[str, float | None] = field(default_factory=dict)
    ahp: Callable[..., tuple[np.ndarray, dict]] | None = None
    weigh: Callable[[Mapping[str, Any]], Any] | None = None


_E = ("Shannon entropy e_j", "信息熵 e_j")


@register("weights", "equal", title=("Equal weights", "等权法"), formula="w_j = 1/m",
          reference="OECD/JRC (2008) Handbook on Constructing Composite Indicators §6")
def equal(data: WeightData) -> np.ndarray:
    k = len(data.names)
    return np.full(k, 1.0 / k)


def _fixed_values(value: Any, path: str) -> dict | None:
    return None if value is None else Param("values", "numbers_by_id").validate(value, path)


@register("weights", "fixed", title=("Fixed weights", "给定权重"),
          formula="w_j = v_j / Σ v (the recipe's values, else the framework's weight:, else 1)",
          reference="OECD/JRC (2008) Handbook §6 (participatory and expert weights)",
          params=[Param("values", "numbers_by_id", None, "weight of each child by id",
                        "各子项权重（按编号）", nullable=True)])
def fixed(data: WeightData, values: Mapping[str, float] | None = None) -> np.ndarray:
    values = values or {}
    w = np.array([float(values.get(c, data.fixed.get(c) if data.fixed.get(c) is not None
                                   else 1.0)) for c in data.names])
    if w.sum() <= 0:
        raise MethodError(M("weight_methods.all_fixed_weights_are"),
                          fix=M("weight_methods.all_fixed_weights_are.fix"))
    return w


@register("weights", "entropy", title=("Entropy weights", "熵值法"),
          formula="p_ij = x_ij/Σ_i x_ij; e_j = −Σ p ln p / ln n; d_j = 1 − e_j; w_j = d_j/Σ d",
          reference="Shannon (1948); Zeleny (1982) Multiple Criteria Decision Making",
          params=[Param("shift", "number", 0.0, "constant added before the proportions",
                        "计算比重前的平移量", lo=0),
                  Param("basis", "choice", "normalised", "normalised scores or prepared raw "
                        "values", "基于标准化值或原始值", choices=("normalised", "raw"))],
          tables=[Table("e", *_E, "e_j", "item"),
                  Table("d", "diversity 1 − e_j", "差异系数 d_j", "d_j", "item")])
def entropy(data: WeightData, shift: float = 0.0, basis: str = "normalised"):
    values = data.raw if basis == "raw" else data.normalised
    return weighting.entropy_weights(values, shift=shift, basis=basis, names=data.names)


@register("weights", "critic", title=("CRITIC", "CRITIC 法"),
          formula="C_j = σ_j Σ_k (1 − r_jk); w_j = C_j/Σ C",
          reference="Diakoulaki, Mavrotas & Papayannakis (1995) Comput. Oper. Res. 22(7)",
          tables=[Table("sigma", "standard deviation σ_j", "标准差 σ_j", "σ_j", "item"),
                  Table("conflict", "conflict Σ(1 − r)", "冲突性 Σ(1 − r)", "", "item"),
                  Table("information", "information C_j", "信息量 C_j", "C_j", "item")])
def critic(data: WeightData):
    return weighting.critic_weights(data.normalised, names=data.names)


@register("weights", "cv", title=("Coefficient of variation", "变异系数法"),
          formula="w_j = (σ_j/|x̄_j|) / Σ (σ/|x̄|); refused when |x̄_j| < σ_j/√n",
          reference="OECD/JRC (2008) Handbook §6",
          params=[Param("basis", "choice", "normalised", "normalised scores or prepared raw "
                        "values (ratio scale)", "基于标准化值或原始值（比率尺度）",
                        choices=("normalised", "raw"))],
          tables=[Table("mean", "mean x̄_j", "均值 x̄_j", "x̄_j", "item"),
                  Table("sd", "standard deviation σ_j", "标准差 σ_j", "σ_j", "item"),
                  Table("cv", "coefficient of variation σ_j/|x̄_j|", "变异系数 σ_j/|x̄_j|",
                        "v_j", "item")])
def cv(data: WeightData, basis: str = "normalised"):
    values = data.raw if basis == "raw" and data.raw is not None else data.normalised
    return weighting.cv_weights(values, names=data.names, basis=basis)


@register("weights", "std", title=("Standard deviation", "标准离差法"),
          formula="w_j = σ_j / Σ σ", reference="OECD/JRC (2008) Handbook §6")
def std(data: WeightData):
    return weighting.std_weights(data.normalised)


@register("weights", "pca", title=("PCA / factor analysis (OECD/JRC)", "主成分/因子分析（OECD/JRC）"),
          formula="varimax-rotated loadings², scaled per factor, × factor share",
          reference="OECD/JRC (2008) Handbook §6.1; Nicoletti, Scarpetta & Boylaud (2000)",
          params=[Param("min_eigenvalue", "number", 1.0, "Kaiser criterion", "特征根下限",
                        lo=0),
                  Param("min_variance_share", "number", 0.1, "least variance a factor "
                        "explains", "单个因子最小方差贡献", lo=0, hi=1),
                  Param("min_cumulative", "number", 0.6, "least cumulative variance",
                        "最小累计方差贡献", lo=0, hi=1)],
          tables=[Table("eigenvalues", "eigenvalues", "特征根", "λ", "component"),
                  Table("explained", "explained variance share", "方差贡献率", "",
                        "component"),
                  Table("factor_share", "factor share", "因子权重", "", "component")])
def pca(data: WeightData, min_eigenvalue: float = 1.0, min_variance_share: float = 0.1,
        min_cumulative: float = 0.6):
    return weighting.pca_weights(data.normalised, min_eigenvalue=min_eigenvalue,
                                 min_variance_share=min_variance_share,
                                 min_cumulative=min_cumulative)


def _order(value: Any, path: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise RecipeError(M("weight_methods.not_list_child_ids", value=value), where=path,
                          fix=M("weight_methods.not_list_child_ids.fix"))
    return list(value)


@register("weights", "g1", title=("G1 order relation", "G1 序关系分析法"),
          formula="w_m = (1 + Σ_k Π_{i≥k} r_i)⁻¹, w_(k−1) = r_k w_k",
          reference="郭亚军 (2002) 综合评价理论与方法, 科学出版社",
          params=[Param("order", "list", None, "children, most important first",
                        "按重要性从高到低排列的子项", check=_order),
                  Param("ratios", "numbers", None, "adjacent ratios r_k = w_(k−1)/w_k "
                        "(1.0–1.8)", "相邻指标重要性之比 r_k（1.0–1.8）")],
          tables=[Table("position", "place in the order", "序关系位次", "k", "item"),
                  Table("ratio", "ratio to the next more important", "与前一指标之比",
                        "r_k", "item")])
def g1(data: WeightData, order: Sequence[str] | None = None,
       ratios: Sequence[float] | None = None):
    from .weights_g1 import g1_weights
    return g1_weights(order, ratios, data.names)


@register("weights", "independence", title=("Independence (multiple correlation)",
                                            "独立性权重（复相关系数法）"),
          formula="R_j² = 1 − 1/(C⁻¹)_jj; w_j = (1/R_j)/Σ(1/R)",
          reference="郭亚军 (2002) 综合评价理论与方法, 科学出版社; SPSSAU 独立性权重",
          tables=[Table("r", "multiple correlation R_j", "复相关系数 R_j", "R_j", "item"),
                  Table("inverse_r", "1/R_j", "复相关系数倒数 1/R_j", "1/R_j", "item")])
def independence(data: WeightData):
    from .weights_independence import independence_weights
    return independence_weights(data.normalised, names=data.names)


@register("weights", "pca_spssau", title=("PCA weights (SPSSAU)", "主成分分析法权重（SPSSAU）"),
          formula="u = loading/√λ; c_j = Σ_k u_jk v_k / Σ v_k; w = c/Σ c",
          reference="SPSSAU 用户手册 权重计算（主成分分析法）; Jolliffe (2002)",
          params=[Param("min_eigenvalue", "number", 1.0, "keep components with a larger "
                        "eigenvalue", "保留特征根大于此值的主成分", lo=0),
                  Param("n_components", "integer", None, "number of components instead",
                        "指定主成分个数", lo=1, nullable=True)],
          tables=[Table("score_coefficient", "comprehensive-score coefficient c_j",
                        "综合得分系数 c_j", "c_j", "item"),
                  Table("eigenvalues", "eigenvalues", "特征根", "λ", "component"),
                  Table("explained", "variance share", "方差解释率", "v", "component")])
def pca_spssau(data: WeightData, min_eigenvalue: float = 1.0, n_components: int | None = None):
    from .weights_pca_spssau import pca_spssau_weights
    return pca_spssau_weights(data.normalised, min_eigenvalue=min_eigenvalue,
                              n_components=n_components, names=data.names)


@register("weights", "ahp", title=("AHP (judgement file)", "层次分析法（判断矩阵文件）"),
          formula="principal eigenvector (or the file's priority method); CR = CI/RI",
          reference="Saaty (1980) The Analytic Hierarchy Process",
          params=[Param("file", "string", None, "judgement file (see `evaluator ahp`)",
                        "判断矩阵文件"),
                  Param("accept_inconsistent", "boolean", False, "use matrices with CR ≥ "
                        "max_cr", "接受一致性检验未通过的矩阵")],
          tables=[Table("cr", "consistency ratio CR", "一致性比率 CR", "CR", "node")],
          traits={"judgements"})
def ahp(data: WeightData, file: str | None = None, accept_inconsistent: bool = False):
    if data.ahp is None:
        raise MethodError(M("weight_methods.ahp_weights_need_judgement"))
    w, details = data.ahp(file, data.node, list(data.names),
                          accept_inconsistent=accept_inconsistent)
    return weighting.WeightResult(np.asarray(w, float), "ahp", dict(details), {}, None)


def component_labels(methods: Sequence[str]) -> list[str]:
    """Names for the parts of a combination: the method when it occurs once (``entropy``),
    else its 1-based position and method (``1_ahp``, ``2_ahp``), so two parts of the same
    method (two judgement files, entropy with two shifts) keep their own details."""
    return [m if list(methods).count(m) == 1 else f"{k}_{m}" for k, m in enumerate(methods, 1)]


def _combined_methods(value: Any, path: str) -> list:
    if not isinstance(value, list) or len(value) < 2:
        raise RecipeError(M("weight_methods.combined_weights_need_list"), where=path,
                          fix=M("weight_methods.combined_weights_need_list.fix"))
    return value


@register("weights", "combined", title=("Combined weights", "组合赋权"),
          formula="linear Σ α_k w_k; multiplicative Π w_k/ΣΠ; game theory min Σ‖Σα w − w_k‖",
          reference="Ma, Fan & Huang (1999) EJOR 112(2); Lai et al. (2015) Nat. Hazards 77(2)",
          params=[Param("methods", "list", None, "the weighting methods combined",
                        "参与组合的赋权方法", check=_combined_methods),
                  Param("how", "choice", "linear", "how they are combined", "组合方式",
                        choices=("linear", "multiplicative", "game_theory")),
                  Param("alpha", "any", None, "linear coefficients summing to 1",
                        "线性组合系数（和为 1）")],
          traits={"composite"})
def combined(data: WeightData, methods: Sequence[Mapping[str, Any]] = (),
             how: str = "linear", alpha: Sequence[float] | None = None):
    parts = [data.weigh(p) for p in methods]
    vectors = [p.weights for p in parts]
    res = {"linear": lambda: combine.combine_linear(vectors, alpha),
           "multiplicative": lambda: combine.combine_multiplicative(vectors),
           "game_theory": lambda: combine.combine_game_theory(vectors)}[how]()
    details = dict(res.details)
    for label, p in zip(component_labels([p.method for p in parts]), parts):
        # keep each component and its intermediate table (e.g. AHP CR)
        details[f"component_{label}"] = p.weights
        for key, value in p.details.items():
            details[f"{label}_{key}"] = value
    return weighting.WeightResult(res.weights, "combined", details, {}, None)


@register("weights", "from_indicators", title=("Sum of the indicators' weights",
                                               "指标权重之和"),
          formula="w_node = Σ of its indicators' global weights (indicators weighed at once)",
          reference="OECD/JRC (2008) Handbook §6", traits={"pooled", "nodes_only"})
def from_indicators(data: WeightData):
    raise MethodError(M("weight_methods.from_indicators_resolved_over"),
                      fix=M("weight_methods.from_indicators_resolved_over.fix"))
