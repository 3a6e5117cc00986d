"""Normalisation: bring indicators measured in different units onto one comparable scale.

One entry point, :func:`normalise`, takes a rows × m matrix (rows are unit-years, NaN is
missing and stays NaN) and returns a matrix of the same shape. Statistics (min, max, mean,
sd, norms, ranks) are computed per column over all rows ("pooled" scope) or within each
block of rows sharing a label in ``blocks`` (e.g. the year: "per_year" scope).

Methods (DESIGN.md §5; cost indicators, ``direction = -1``, are reversed so that a higher
score is always better):

==================== ======================================================= =============
method               score                                                   on out_range
==================== ======================================================= =============
min_max              (x − min)/(max − min); cost (max − x)/(max − min)       yes
goalposts            (clip(x, lo, hi) − lo)/(hi − lo); cost (hi − clip)/(..)  yes
z_score              mean + sd·(x − x̄)/s; sign flipped for cost              no
vector               x/√Σx²; cost 1 − x/√Σx²                                  yes
ratio_max            x/max; cost min/x                                       yes
rank                 competition rank, ties share the lowest rank            no (1..n)
percentile           (rank − 1)/(n − 1)                                      yes
distance_to_target   x/target capped at 1; cost target/x capped at 1         yes
==================== ======================================================= =============

"On out_range" means the [0, 1] score v is reported as lo + (hi − lo)·v.

Moderate indicators — a column with an ``optimum`` or an ``interval`` — always use the
moderate formula whatever ``method`` is, because "more" is not "better" for them:
optimum m: 1 − |x − m|/max|x − m|; interval [q1, q2]: 1 inside, 1 − (q1 − x)/M below,
1 − (x − q2)/M above, M = max(q1 − min, max − q2); the result is mapped onto out_range
(also when ``method`` is z_score or rank, whose other columns are not mapped). When every
value sits at the optimum (or inside the interval) every unit scores the top of the scale.

Zero range (a column, or a column within a block, with no spread: min = max, sd = 0,
norm 0, a single value) raises :class:`MethodError` naming the indicator and block,
unless ``zero_range="mid"`` (every unit gets the middle of the scale: (lo + hi)/2, or
the ``mean`` parameter for z_score) or ``zero_range="max"`` (every unit gets hi; not
defined for z_score). Scores are never silently NaN.

References: OECD/JRC (2008) Handbook on Constructing Composite Indicators, §5 (min–max,
z-scores, ranking, percentiles, distance to a reference, categorical scales); UNDP (2023)
HDR technical notes (goalposts); Hwang & Yoon (1981) Multiple Attribute Decision Making
(vector normalisation for TOPSIS); COINr 1.1.14 (Becker et al. 2022, JOSS 7(78) 4567):
``n_minmax``, ``n_zscore``, ``n_rank`` (ties "min") reproduce exactly.
"""
from __future__ import annotations

import warnings
from typing import Any, Iterator, Sequence

import numpy as np

from .ranking import min_rank
from .. import registry
from ..errors import MethodError
from ..registry import Param, register
from .checks import column_names
from ..i18n import M

METHODS = ("min_max", "goalposts", "z_score", "vector", "ratio_max", "rank", "percentile",
           "distance_to_target")
ZERO_RANGE_CHOICES = ("error", "mid", "max")
# per-method parameters with their defaults; zero_range is common to all
_PARAMS: dict[str, dict[str, Any]] = {
    "min_max": {}, "goalposts": {}, "vector": {}, "ratio_max": {}, "rank": {},
    "percentile": {},
    "z_score": {"mean": 0.0, "sd": 1.0, "ddof": 1},
    "distance_to_target": {"targets": None, "cap": True},
}


def normalise(X: np.ndarray, method: str, *, direction: Sequence[float] | None = None,
              goalposts: np.ndarray | None = None, optimum: Sequence[float] | None = None,
              interval: np.ndarray | None = None,
              out_range: tuple[float, float] = (0.0, 100.0), blocks: Sequence | None = None,
              names: Sequence[str] | None = None, **params: Any) -> np.ndarray:
    """Normalise each column of ``X`` (rows × m, NaN = missing) with ``method``.

    ``direction`` (m,) of +1 benefit / −1 cost (default all +1); ``goalposts`` (m, 2)
    [lower, upper] with NaN rows where none; ``optimum`` (m,) and ``interval`` (m, 2)
    mark moderate indicators (see the module docstring); ``blocks`` per-row labels within
    which statistics are computed (None: all rows pooled); ``names`` the indicator names
    used in error messages. Parameters: ``zero_range`` ("error" | "mid" | "max", all
    methods); z_score ``mean`` (0), ``sd`` (1), ``ddof`` (1); distance_to_target
    ``targets`` (m,) (required; NaN allowed only for moderate columns) and ``cap`` (True:
    scores above the target are capped at 1).

    Returns a float array of X's shape. Raises :class:`MethodError` for an unknown method
    or parameter, a zero range, missing goalposts or targets, or values a ratio method
    cannot take (negative, or zero under a cost ratio).
    """
    X = np.array(X, dtype=float)
    if X.ndim != 2:
        raise MethodError(M("normalise.normalise_needs_rows_indicators", ndim=X.ndim),
                          fix=M("normalise.normalise_needs_rows_indicators.fix"))
    n, m = X.shape
    names = column_names(names, m)
    settings = _settings(method, params)
    signs = _direction(direction, m, names)
    posts = _pairs(goalposts, m, "goalposts", names)
    opt = _vector(optimum, m, "optimum")
    band = _pairs(interval, m, "interval", names)
    lo, hi = _out_range(out_range)
    has_opt, has_band = ~np.isnan(opt), ~np.isnan(band).any(axis=1)
    for j in np.flatnonzero(has_opt & has_band):
        raise MethodError(M("normalise.indicator_has_both_optimum"),
                          where=M("normalise.indicator_has_both_optimum.where", names=names[j]), fix=M("normalise.indicator_has_both_optimum.fix"))
    moderate = has_opt | has_band
    regular = np.flatnonzero(~moderate)
    if np.isinf(X).any():
        j = int(np.flatnonzero(np.isinf(X).any(axis=0))[0])
        raise MethodError(M("normalise.infinite_value"), where=M("normalise.infinite_value.where", names=names[j]),
                          fix=M("normalise.infinite_value.fix"))
    if method == "goalposts":
        for j in regular[np.isnan(posts[regular]).any(axis=1)]:
            raise MethodError(M("normalise.method_goalposts_needs_goalposts"),
                              where=M("normalise.method_goalposts_needs_goalposts.where", names=names[j]),
                              fix=M("normalise.method_goalposts_needs_goalposts.fix"))
    if method == "distance_to_target":
        settings["targets"] = _targets(settings["targets"], m, regular, names)

    columns = {"goalposts": posts[regular],
               "targets": settings["targets"][regular] if method == "distance_to_target" else None}
    out = np.full((n, m), np.nan)
    for label, rows in _blocks(blocks, n):
        where = "" if label is None else f", block {label!r}"
        Xb = X[rows]
        if regular.size:
            ctx = _Context(names=[names[j] for j in regular], where=where, lo=lo, hi=hi,
                           zero_range=settings["zero_range"])
            out[np.ix_(rows, regular)] = registry.get("normalisations", method).func(
                Xb[:, regular], signs[regular], columns, settings, ctx)
        for j in np.flatnonzero(moderate):
            ctx = _Context(names=[names[j]], where=where, lo=lo, hi=hi,
                           zero_range=settings["zero_range"])
            out[rows, j] = _moderate(Xb[:, j], opt[j], band[j], ctx)
    return out


# ---------------------------------------------------------------- argument checks
def _settings(method: str, params: dict[str, Any]) -> dict[str, Any]:
    known = registry.methods("normalisations")
    if method not in known:
        raise MethodError(M("normalise.unknown_normalisation_method", method=method),
                          fix=M("hint.valid_methods", values=", ".join(known)))
    valid = {"zero_range": "error", **_PARAMS.get(method, {
        p.name: p.default for p in known[method].params if p.name not in ("range", "scope")})}
    unknown = sorted(set(params) - set(valid))
    if unknown:
        raise MethodError(M("normalise.unknown_parameter_s_method", unknown=unknown, method=method),
                          fix=M("hint.valid_parameters", values=", ".join(valid)))
    settings = {**valid, **params}
    if settings["zero_range"] not in ZERO_RANGE_CHOICES:
        raise MethodError(M("normalise.zero_range_not_valid", settings=settings['zero_range']),
                          fix=M("hint.valid", values=", ".join(ZERO_RANGE_CHOICES)))
    if method == "z_score":
        if settings["zero_range"] == "max":
            raise MethodError(M("normalise.zero_range_max_not"),
                              fix=M("normalise.zero_range_max_not.fix"))
        if not float(settings["sd"]) > 0:
            raise MethodError(M("normalise.z_score_sd_must", settings=settings['sd']))
        if settings["ddof"] not in (0, 1):
            raise MethodError(M("normalise.z_score_ddof_must", settings=settings['ddof']))
    return settings


def _direction(direction: Sequence[float] | None, m: int, names: list[str]) -> np.ndarray:
    if direction is None:
        return np.ones(m)
    signs = np.asarray(direction, dtype=float).reshape(-1)
    if signs.size != m:
        raise MethodError(M("normalise.directions_indicator_columns", size=signs.size, m=m))
    for j in np.flatnonzero((signs != 1) & (signs != -1)):
        raise MethodError(M("normalise.direction_must_benefit_cost", signs=signs[j]),
                          where=M("normalise.direction_must_benefit_cost.where", names=names[j]))
    return signs


def _vector(values: Sequence[float] | None, m: int, what: str) -> np.ndarray:
    if values is None:
        return np.full(m, np.nan)
    v = np.asarray(values, dtype=float).reshape(-1)
    if v.size != m:
        raise MethodError(M("normalise.values_indicator_columns", size=v.size, what=what, m=m),
                          fix=M("normalise.values_indicator_columns.fix"))
    return v


def _pairs(values: np.ndarray | None, m: int, what: str, names: list[str]) -> np.ndarray:
    if values is None:
        return np.full((m, 2), np.nan)
    v = np.asarray(values, dtype=float)
    if v.shape != (m, 2):
        raise MethodError(M("normalise.must_have_shape_got", what=what, m=m, shape=v.shape),
                          fix=M("normalise.must_have_shape_got.fix"))
    full = ~np.isnan(v).any(axis=1)
    for j in np.flatnonzero(np.isnan(v).any(axis=1) & ~np.isnan(v).all(axis=1)):
        raise MethodError(M("normalise.has_only_one_its", what=what), where=M("normalise.has_only_one_its.where", names=names[j]))
    bad = full & ~(v[:, 0] < v[:, 1]) if what == "goalposts" else full & (v[:, 0] > v[:, 1])
    for j in np.flatnonzero(bad):
        raise MethodError(M("normalise.must_lower_upper_with", what=what, tolist=v[j].tolist(), value='<' if what == 'goalposts' else '<='),
                          where=M("normalise.must_lower_upper_with.where", names=names[j]))
    return v


def _out_range(out_range: tuple[float, float]) -> tuple[float, float]:
    lo, hi = (float(v) for v in out_range)
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise MethodError(M("normalise.out_range_must_low", out_range=list(out_range)),
                          fix="e.g. [0, 100]")
    return lo, hi


def _targets(targets: Any, m: int, regular: np.ndarray, names: list[str]) -> np.ndarray:
    if targets is None:
        raise MethodError(M("normalise.distance_target_needs_targets"),
                          fix=M("normalise.distance_target_needs_targets.fix"))
    t = _vector(targets, m, "target")
    for j in regular[~(t[regular] > 0)]:
        problem = (M("normalise.target_missing") if np.isnan(t[j]) else
                   M("normalise.target_not_positive", value=f"{t[j]:g}"))
        raise MethodError(problem, where=M("normalise.indicator", names=names[j]),
                          fix=M("normalise.set_positive_target_use"))
    return t


def _blocks(blocks: Sequence | None, n: int) -> Iterator[tuple[Any, np.ndarray]]:
    if blocks is None:
        yield None, np.arange(n)
        return
    labels = np.asarray(blocks)
    if labels.shape != (n,):
        raise MethodError(M("normalise.blocks_must_give_one", n=n, shape=labels.shape))
    uniques, inverse = np.unique(labels, return_inverse=True)
    for k, label in enumerate(uniques):   # a handful of years: a loop is fine
        yield label.item() if hasattr(label, "item") else label, np.flatnonzero(inverse == k)


# ---------------------------------------------------------------- methods
class _Context:
    """What a method needs besides the data: names for messages and the output scale."""

    def __init__(self, *, names: list[str], where: str, lo: float, hi: float,
                 zero_range: str):
        self.names, self.where, self.lo, self.hi, self.zero_range = names, where, lo, hi, zero_range

    def scale(self, v: np.ndarray) -> np.ndarray:
        return self.lo + (self.hi - self.lo) * v

    def constant(self, mid: float | None = None) -> float:
        if self.zero_range == "max":
            return self.hi
        return (self.lo + self.hi) / 2 if mid is None else mid

    def fill_zero_range(self, out: np.ndarray, zero: np.ndarray, what: str,
                        mid: float | None = None) -> np.ndarray:
        """Columns flagged ``zero`` get the documented constant, or raise."""
        if not zero.any():
            return out
        if self.zero_range == "error":
            bad = ", ".join(repr(self.names[j]) for j in np.flatnonzero(zero))
            raise MethodError(M("normalise.zero_range_so_scores", what=what),
                              where=M("normalise.zero_range_so_scores.where", bad=bad, where=self.where),
                              fix=M("normalise.zero_range_so_scores.fix"))
        out[:, zero] = self.constant(mid)
        return out

    def require(self, ok: np.ndarray, problem: str, fix: str) -> None:
        for j in np.flatnonzero(~ok):
            raise MethodError(problem, where=M("normalise.indicator_2", names=self.names[j], where=self.where), fix=fix)


def _count(X: np.ndarray) -> np.ndarray:
    return (~np.isnan(X)).sum(axis=0)


def _keep_missing(out: np.ndarray, X: np.ndarray) -> np.ndarray:
    out[np.isnan(X)] = np.nan
    return out


def _nanstat(func, X: np.ndarray, **kw) -> np.ndarray:
    """Column statistic, NaN without a warning for an all-missing column: such columns are
    handled explicitly (missing stays missing; a single value is a zero range)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return func(X, axis=0, **kw)


def _min_max(X, signs, columns, settings, ctx):
    Y = X * signs                      # cost reversed: (max − x) = (−x − min(−x))
    low, high = _nanstat(np.nanmin, Y), _nanstat(np.nanmax, Y)
    span = high - low
    zero = (_count(X) > 0) & (span == 0)
    with np.errstate(all="ignore"):
        out = ctx.scale((Y - low) / span)
    return _keep_missing(ctx.fill_zero_range(out, zero, "all values are equal"), X)


def _goalposts(X, signs, columns, settings, ctx):
    lower, upper = columns["goalposts"][:, 0], columns["goalposts"][:, 1]
    v = (np.clip(X, lower, upper) - lower) / (upper - lower)
    v = np.where(signs < 0, 1.0 - v, v)
    return _keep_missing(ctx.scale(v), X)


def _z_score(X, signs, columns, settings, ctx):
    ddof = int(settings["ddof"])
    mean, sd = _nanstat(np.nanmean, X), _nanstat(np.nanstd, X, ddof=ddof)
    count = _count(X)
    zero = (count > 0) & ((count <= ddof) | (sd == 0))
    with np.errstate(all="ignore"):
        z = signs * (X - mean) / sd
    out = float(settings["mean"]) + float(settings["sd"]) * z
    out = ctx.fill_zero_range(out, zero, "the standard deviation is 0",
                              mid=float(settings["mean"]))
    return _keep_missing(out, X)


def _vector_norm(X, signs, columns, settings, ctx):
    ctx.require(~(X < 0).any(axis=0), "vector normalisation needs non-negative values",
                "shift the indicator to non-negative values or use min_max")
    norm = np.sqrt(np.nansum(X * X, axis=0))
    zero = (_count(X) > 0) & (norm == 0)
    with np.errstate(all="ignore"):
        v = X / norm
    out = ctx.scale(np.where(signs < 0, 1.0 - v, v))
    return _keep_missing(ctx.fill_zero_range(out, zero, "all values are 0"), X)


def _ratio_max(X, signs, columns, settings, ctx):
    ctx.require(~(X < 0).any(axis=0), "ratio_max needs non-negative values",
                "use min_max, or goalposts for a fixed scale")
    cost = signs < 0
    ctx.require(~(cost & (X == 0).any(axis=0)), "ratio_max of a cost indicator (min/x) "
                "needs positive values, but a value is 0", "use min_max instead")
    high, low = _nanstat(np.nanmax, X), _nanstat(np.nanmin, X)
    zero = (_count(X) > 0) & ~cost & (high == 0)
    with np.errstate(all="ignore"):
        v = np.where(cost, low / X, X / high)
    out = ctx.scale(v)
    return _keep_missing(ctx.fill_zero_range(out, zero, "all values are 0"), X)


def _competition_rank(X: np.ndarray, signs: np.ndarray) -> np.ndarray:
    """1 = lowest (worst); ties share the lowest rank (COINr n_rank, ties "min")."""
    if X.shape[0] == 0:
        return X.copy()
    return min_rank(X * signs, axis=0)


def _rank(X, signs, columns, settings, ctx):
    return _keep_missing(_competition_rank(X, signs).astype(float), X)


def _percentile(X, signs, columns, settings, ctx):
    ranks = _competition_rank(X, signs)
    count = _count(X)
    top = _nanstat(np.nanmax, ranks)
    zero = (count > 0) & (top == 1)    # a single value, or all tied
    with np.errstate(all="ignore"):
        out = ctx.scale((ranks - 1) / (count - 1))
    return _keep_missing(ctx.fill_zero_range(out, zero, "all values are equal"), X)


def _distance_to_target(X, signs, columns, settings, ctx):
    targets = columns["targets"]
    cost = signs < 0
    ctx.require(~(X < 0).any(axis=0), "distance_to_target needs non-negative values",
                "use goalposts for indicators that can be negative")
    ctx.require(~(cost & (X == 0).any(axis=0)), "distance_to_target of a cost indicator "
                "(target/x) needs positive values, but a value is 0",
                "use goalposts instead")
    with np.errstate(all="ignore"):
        v = np.where(cost, targets / X, X / targets)
    if settings["cap"]:
        v = np.minimum(v, 1.0)
    return _keep_missing(ctx.scale(v), X)


_OECD = "OECD/JRC (2008) Handbook on Constructing Composite Indicators §5"
_COMMON = (
    Param("range", "pair", [0.0, 100.0], "the score range", "得分区间"),
    Param("scope", "choice", "pooled", "statistics over all years or within each year",
          "统计量按全部年份或逐年计算", choices=("pooled", "per_year")),
    Param("zero_range", "choice", "error", "a column without spread: error, middle or top",
          "无差异列：报错、取中值或取最高值", choices=ZERO_RANGE_CHOICES))
for _name, _func, _title, _formula, _extra in (
        ("min_max", _min_max, ("Min–max", "极差标准化"), "(x − min)/(max − min)", ()),
        ("goalposts", _goalposts, ("Goalposts", "目标值（门槛）标准化"),
         "(clip(x, lo, hi) − lo)/(hi − lo)", ()),
        ("z_score", _z_score, ("Z-score", "Z 分数标准化"), "mean + sd·(x − x̄)/s",
         (Param("mean", "number", 0.0, "mean of the scores", "得分均值"),
          Param("sd", "number", 1.0, "standard deviation of the scores", "得分标准差", lo=0),
          Param("ddof", "integer", 1, "delta degrees of freedom of s", "自由度修正", lo=0,
                hi=1))),
        ("vector", _vector_norm, ("Vector", "向量归一化"), "x/√Σx²", ()),
        ("ratio_max", _ratio_max, ("Ratio to the maximum", "比重（最大值）法"), "x/max", ()),
        ("rank", _rank, ("Rank", "排序"), "competition rank (ties share the lowest)", ()),
        ("percentile", _percentile, ("Percentile", "百分位"), "(rank − 1)/(n − 1)", ()),
        ("distance_to_target", _distance_to_target, ("Distance to target", "目标距离法"),
         "x/target capped at 1",
         (Param("targets", "numbers_by_id", {}, "target of each indicator (else the "
                "framework's last absolute target)", "各指标目标值"),))):
    register("normalisations", _name, params=_COMMON + _extra, title=_title,
             formula=_formula, reference=_OECD)(_func)


def _moderate(x: np.ndarray, optimum: float, interval: np.ndarray, ctx: _Context) -> np.ndarray:
    """Moderate indicator (best at an optimum or inside an interval), mapped to out_range."""
    present = ~np.isnan(x)
    if not present.any():
        return x.copy()
    if not np.isnan(optimum):
        gap = np.abs(x - optimum)
        worst = np.nanmax(gap)
        if worst == 0:                  # every unit sits at the optimum: all are best
            return np.where(present, ctx.hi, np.nan)
        return ctx.scale(1.0 - gap / worst)
    q1, q2 = interval
    reach = max(q1 - np.nanmin(x), np.nanmax(x) - q2)
    below = np.maximum(q1 - x, 0.0)
    above = np.maximum(x - q2, 0.0)
    with np.errstate(all="ignore"):      # reach <= 0 means every value is inside: all 1
        v = np.where((below > 0) | (above > 0), 1.0 - (below + above) / reach, 1.0)
    return np.where(present, ctx.scale(v), np.nan)
