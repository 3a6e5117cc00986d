"""Disparity between groups of units (family ``disparity`` of :mod:`evaluator.registry`):
the Dagum Gini decomposition, the Theil index with its within/between split, and the
coefficient of variation. Each takes one cross-section — ``y`` (n,) scores, ``groups``
(n,) labels — and returns a :class:`DisparityResult`: the columns it adds to
``disparity.csv``, per-group and per-pair rows, and notes for results that are undefined.

Dagum (1997) Gini decomposition. Groups j = 1..k with n_j units, mean Ȳ_j, population
share p_j = n_j/n and score share s_j = n_j Ȳ_j/(n Ȳ):

    G    = Σ_j Σ_h Σ_i Σ_r |y_ji − y_hr| / (2 n² Ȳ)            (= the pooled Gini)
    G_jj = Σ_i Σ_r |y_ji − y_jr| / (2 n_j² Ȳ_j)                 (within group j)
    G_jh = Σ_i Σ_r |y_ji − y_hr| / (n_j n_h (Ȳ_j + Ȳ_h))        (between j and h)
    D_jh = (d_jh − p_jh)/(d_jh + p_jh), with Ȳ_j ≥ Ȳ_h,
           d_jh = ΣΣ (y_ji − y_hr)₊ /(n_j n_h),  p_jh = ΣΣ (y_hr − y_ji)₊ /(n_j n_h)
    G_w  = Σ_j G_jj p_j s_j
    G_nb = Σ_{j>h} G_jh (p_j s_h + p_h s_j) D_jh                (net between groups)
    G_t  = Σ_{j>h} G_jh (p_j s_h + p_h s_j)(1 − D_jh)           (transvariation)
    G    = G_w + G_nb + G_t

Reference: Dagum, C. (1997) A new approach to the decomposition of the Gini income
inequality ratio. Empirical Economics 22(4) 515–531.

Theil T index and its decomposition by groups (y ≥ 0, 0·ln 0 = 0):

    T   = (1/n) Σ_i (y_i/Ȳ) ln(y_i/Ȳ)
    T_j = (1/n_j) Σ_i (y_ji/Ȳ_j) ln(y_ji/Ȳ_j)
    T_w = Σ_j s_j T_j,    T_b = Σ_j s_j ln(Ȳ_j/Ȳ),    T = T_w + T_b

Reference: Theil, H. (1967) Economics and Information Theory; Shorrocks, A. F. (1980)
The class of additively decomposable inequality measures. Econometrica 48(3) 613–625.

Coefficient of variation: cv = s/Ȳ with the sample standard deviation (ddof = 1); its
path over the years is σ-convergence (:mod:`.convergence`).

Undefined results (a mean ≤ 0; a negative score for the Theil index) are NaN with a
note saying why — never a silent NaN. A group of one unit has G_jj = T_j = 0 (no
dispersion within it), also noted.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..i18n import M
from ..registry import Table, register


@dataclass
class DisparityResult:
    columns: dict[str, float]
    groups: list[dict[str, Any]] = field(default_factory=list)
    pairs: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _codes(groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    names, codes = np.unique(np.asarray(groups, dtype=str), return_inverse=True)
    return np.array(names.tolist(), dtype=object), codes


def _single_notes(names, counts) -> list[str]:
    return [M("disparity.note.single_group", group=g)
            for g, c in zip(names, counts) if c == 1]


@register("disparity", "dagum_gini", title=("Dagum Gini decomposition", "Dagum 基尼系数分解"),
          formula="G = G_w + G_nb + G_t (within, net between, transvariation)",
          reference="Dagum (1997) Empirical Economics 22(4) 515–531",
          tables=[Table("gini", "Gini coefficient G", "总体基尼系数 G", "G"),
                  Table("within", "within-group part G_w", "组内差异贡献 G_w", "G_w"),
                  Table("between", "net between-group part G_nb", "组间净差异贡献 G_nb", "G_nb"),
                  Table("transvariation", "transvariation part G_t", "超变密度贡献 G_t", "G_t"),
                  Table("gini_group", "Gini within each group G_jj", "组内基尼系数 G_jj",
                        "G_jj", "group"),
                  Table("gini_pair", "Gini between two groups G_jh", "组间基尼系数 G_jh",
                        "G_jh", "pair")])
def dagum_gini(y: np.ndarray, groups: np.ndarray) -> DisparityResult:
    y = np.asarray(y, dtype=float)
    names, codes = _codes(groups)
    n, k = y.size, names.size
    A = np.zeros((n, k))
    A[np.arange(n), codes] = 1.0
    counts = A.sum(axis=0)
    means = (A.T @ y) / counts
    mean = y.mean()
    nan = {"gini": np.nan, "within": np.nan, "between": np.nan, "transvariation": np.nan}
    if not mean > 0 or not np.all(means > 0):
        return DisparityResult(nan, notes=["the Gini coefficient needs a positive mean in "
                                           "every group (scores on a z-score scale are not "
                                           "ratio-scaled): not computed"])
    diff = y[:, None] - y[None, :]
    absolute = A.T @ np.abs(diff) @ A            # k × k sums of |y_ji − y_hr|
    positive = A.T @ np.maximum(diff, 0.0) @ A   # k × k sums of (y_ji − y_hr)₊
    total = absolute.sum() / (2 * n * n * mean)
    p, s = counts / n, counts * means / (n * mean)
    g_within = np.diag(absolute) / (2 * counts ** 2 * means)
    pair_n = np.outer(counts, counts)
    g_pair = absolute / (pair_n * (means[:, None] + means[None, :]))
    d, q = positive / pair_n, positive.T / pair_n
    with np.errstate(invalid="ignore", divide="ignore"):
        D = np.where(d + q > 0, np.abs(d - q) / (d + q), 0.0)
    weight = np.outer(p, s) + np.outer(p, s).T   # p_j s_h + p_h s_j
    upper = np.triu(np.ones((k, k), bool), 1)
    G_w = float((g_within * p * s).sum())
    G_nb = float((g_pair * weight * D)[upper].sum())
    G_t = float((g_pair * weight * (1 - D))[upper].sum())
    rows = [{"group": g, "n": int(c), "mean": float(m), "gini_group": float(gw),
             "population_share": float(pj), "score_share": float(sj)}
            for g, c, m, gw, pj, sj in zip(names, counts, means, g_within, p, s)]
    pairs = []
    for j, h in zip(*np.nonzero(upper)):
        hi, lo = (j, h) if means[j] >= means[h] else (h, j)
        pairs.append({"group_a": names[hi], "group_b": names[lo],
                      "gini_pair": float(g_pair[j, h]), "relative_impact": float(D[j, h]),
                      "between_part": float(g_pair[j, h] * weight[j, h] * D[j, h]),
                      "transvariation_part": float(g_pair[j, h] * weight[j, h] * (1 - D[j, h]))})
    return DisparityResult({"gini": float(total), "within": G_w, "between": G_nb,
                            "transvariation": G_t}, rows, pairs,
                           _single_notes(names, counts))


@register("disparity", "theil", title=("Theil index", "泰尔指数"),
          formula="T = (1/n) Σ (y/Ȳ) ln(y/Ȳ) = Σ s_j T_j + Σ s_j ln(Ȳ_j/Ȳ)",
          reference="Theil (1967); Shorrocks (1980) Econometrica 48(3) 613–625",
          tables=[Table("theil", "Theil index T", "泰尔指数 T", "T"),
                  Table("theil_within", "within-group part T_w", "组内差异 T_w", "T_w"),
                  Table("theil_between", "between-group part T_b", "组间差异 T_b", "T_b"),
                  Table("theil_group", "Theil index within each group T_j", "组内泰尔指数",
                        "T_j", "group")])
def theil(y: np.ndarray, groups: np.ndarray) -> DisparityResult:
    y = np.asarray(y, dtype=float)
    names, codes = _codes(groups)
    nan = {"theil": np.nan, "theil_within": np.nan, "theil_between": np.nan}
    if (y < 0).any() or not y.mean() > 0:
        return DisparityResult(nan, notes=["the Theil index needs non-negative scores with a "
                                           "positive mean (choose a normalisation onto a "
                                           "range from 0, such as min_max): not computed"])
    k = names.size
    counts = np.bincount(codes, minlength=k).astype(float)
    means = np.bincount(codes, weights=y, minlength=k) / counts
    mean = y.mean()

    def xlogx(ratio):
        return np.where(ratio > 0, ratio * np.log(np.where(ratio > 0, ratio, 1.0)), 0.0)

    total = float(xlogx(y / mean).mean())
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(means[codes] > 0, y / means[codes], 0.0)
    t_group = np.bincount(codes, weights=xlogx(ratio), minlength=k) / counts
    share = counts * means / (y.size * mean)
    between = float((share * np.log(np.where(means > 0, means / mean, 1.0)))
                    [means > 0].sum())
    within = float((share * t_group).sum())
    rows = [{"group": g, "theil_group": float(t)} for g, t in zip(names, t_group)]
    return DisparityResult({"theil": total, "theil_within": within,
                            "theil_between": between}, rows,
                           notes=_single_notes(names, counts))


@register("disparity", "cv", title=("Coefficient of variation", "变异系数"),
          formula="cv = s/Ȳ (sample standard deviation)",
          reference="Barro & Sala-i-Martin (1992) J. Polit. Econ. 100(2) (σ-convergence)",
          tables=[Table("cv", "coefficient of variation", "变异系数", "CV")])
def cv(y: np.ndarray, groups: np.ndarray) -> DisparityResult:
    y = np.asarray(y, dtype=float)
    if y.size < 2 or not y.mean() > 0:
        return DisparityResult({"cv": np.nan}, notes=["the coefficient of variation needs "
                                                      "two or more units and a positive mean"])
    return DisparityResult({"cv": float(y.std(ddof=1) / y.mean())})
