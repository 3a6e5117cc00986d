"""Gap diagnostics on arrays (DESIGN.md §5 "Diagnostics"): targets and straight-line
trajectories, traffic lights, obstacle degree, peers, strengths and weaknesses, and the
bookkeeping across years they need.

Every function works on rows (unit-years) × indicators at once; the only loops run over
the few blocks (years, year × group) or over columns.

References
----------
* Obstacle degree (障碍度 model): factor contribution F_j (the indicator's weight)
  times its deviation I_ij = 1 − z_ij, as a share of the unit-year's total,
  O_ij = F_j I_ij / Σ_j F_j I_ij, as used throughout the Chinese regional-evaluation
  literature; the R package ``mathmodels`` (Zhang Jingxian, function
  ``obstacle_degree``, ``scaled = TRUE`` for the shares) implements the same formula and
  publishes a worked example that the tests reproduce.
* Traffic lights against a straight path from a base year to the target year: the
  "on track / improving / not improving" reading of SDG trend dashboards (Sachs et al.,
  Sustainable Development Report, trend dashboards: progress judged against the linear
  pace needed to reach the goal) and Eurostat's assessment of progress towards
  quantified targets (actual pace against the pace the target requires).
* Strengths and weaknesses as the unit's best and worst indicator ranks, skipping
  indicators on which many units share a value: COINr ``get_str_weak`` (Becker et al.,
  COINr 1.1.14, 2024), whose ``unq_discard`` threshold is here a "most units tie" rule.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import MethodError
from ..i18n import M

LIGHTS = ("green", "yellow", "red")
NOT_JUDGED = ""
# comparisons allow this relative tolerance, so floating-point noise decides nothing
REL_TOL = 1e-9


# -- orientation and bookkeeping across years ----------------------------------------------
def orient(X: np.ndarray, sign: np.ndarray, optimum: np.ndarray | None = None,
           interval: np.ndarray | None = None) -> np.ndarray:
    """Values turned so that higher is better, still in the indicator's own units.

    ``sign`` (m,) is +1 for benefit, −1 for cost; where ``optimum`` (m,) is finite the
    value becomes −|x − optimum|, and where ``interval`` (m, 2) is finite,
    −(distance to the interval). Differences of oriented values are shortfalls in raw
    units (e.g. a cost indicator 45 against a ceiling of 35 is 10 short)."""
    X = np.asarray(X, dtype=float)
    m = X.shape[1]
    sign = np.asarray(sign, dtype=float).reshape(m)
    out = X * sign
    if optimum is not None:
        opt = np.asarray(optimum, dtype=float).reshape(m)
        has = np.isfinite(opt)
        out[:, has] = -np.abs(X[:, has] - opt[has])
    if interval is not None:
        iv = np.asarray(interval, dtype=float).reshape(m, 2)
        has = np.isfinite(iv).all(axis=1)
        lo, hi = iv[has, 0], iv[has, 1]
        sub = X[:, has]
        out[:, has] = -np.maximum(np.maximum(lo - sub, sub - hi), 0.0)   # NaN stays NaN
    return out


def find_rows(units: np.ndarray, years: np.ndarray, query_units: np.ndarray,
              query_years: np.ndarray) -> np.ndarray:
    """Index of the row holding (query unit, query year), −1 where there is none."""
    units = np.asarray(units).astype(str)
    years = np.asarray(years).astype(np.int64)
    qu = np.asarray(query_units).astype(str)
    qy = np.asarray(query_years)
    qy = np.where(np.isfinite(qy.astype(float)), qy, -1).astype(np.int64)
    names, codes = np.unique(np.concatenate([units, qu]), return_inverse=True)
    span = int(max(years.max(initial=0), qy.max(initial=0))) + 2
    keys = codes[:len(units)].astype(np.int64) * span + years
    qkeys = codes[len(units):].astype(np.int64) * span + np.where(qy < 0, span - 1, qy)
    order = np.argsort(keys, kind="stable")
    pos = np.searchsorted(keys[order], qkeys)
    pos = np.clip(pos, 0, len(keys) - 1)
    hit = keys[order][pos] == qkeys
    return np.where(hit, order[pos], -1)


def own_rows(units: np.ndarray, years: np.ndarray, query_years: np.ndarray) -> np.ndarray:
    """:func:`find_rows` where every query asks for its own row's unit: the row of
    (``units[i]``, ``query_years[i, …]``), −1 where there is none (NaN asks for none).
    ``query_years`` has one row per row of the panel and any trailing shape. The same
    answer as ``find_rows(units, years, units repeated, query_years)``, with the units
    coded once instead of one text per query (an n × m query costs n·m integers)."""
    units = np.asarray(units).astype(str)
    years = np.asarray(years).astype(np.int64)
    qy = np.asarray(query_years)
    qy = np.where(np.isfinite(qy.astype(float)), qy, -1).astype(np.int64)
    _, codes = np.unique(units, return_inverse=True)
    codes = codes.reshape(-1).astype(np.int64)
    span = int(max(years.max(initial=0), qy.max(initial=0))) + 2
    keys = codes * span + years
    qkeys = codes.reshape((-1,) + (1,) * (qy.ndim - 1)) * span + \
        np.where(qy < 0, span - 1, qy)
    order = np.argsort(keys, kind="stable")
    ordered = keys[order]
    pos = np.clip(np.searchsorted(ordered, qkeys), 0, len(keys) - 1)
    return np.where(ordered[pos] == qkeys, order[pos], -1)


def previous_year(years: np.ndarray, lag: int = 1) -> np.ndarray:
    """The calendar period ``lag`` steps before each row's period: ``years − lag``.

    ``years`` are calendar-ordered period keys (a year, or the ordinal of a half-year,
    quarter or month, see :mod:`evaluator.model.period`), so consecutive periods differ
    by 1: "the previous year" is the calendar year before, whether or not the panel has
    it (issue 9: a missing year is a gap, never silently bridged). ``lag`` = periods per
    year gives the same period a year earlier."""
    return np.asarray(years).astype(np.int64) - int(lag)


def lag_rows(units: np.ndarray, years: np.ndarray, lag: int = 1) -> np.ndarray:
    """For every row, the row of the same unit ``lag`` calendar periods earlier (−1: the
    panel has no such row, e.g. a missing year)."""
    return own_rows(units, years, previous_year(years, lag))


def take_rows(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``values[rows]`` with NaN where ``rows`` is −1 (row-wise, any trailing shape)."""
    values = np.asarray(values, dtype=float)
    out = values[np.maximum(rows, 0)].copy()
    out[rows < 0] = np.nan
    return out


def change_since(values: np.ndarray, lag: np.ndarray, rows: np.ndarray | None = None
                 ) -> np.ndarray:
    """Change of each row's values since the row ``lag`` points at (NaN where none); of
    the rows at positions ``rows`` only, when given (the same numbers)."""
    values = np.asarray(values, dtype=float)
    if rows is None:
        return values - take_rows(values, lag)
    return values[rows] - take_rows(values, np.asarray(lag)[rows])


def take_cells(values: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Per cell (i, j), ``values[rows[i, j], j]``; NaN where ``rows`` is −1."""
    V = np.asarray(values, dtype=float)
    rows = np.asarray(rows)
    cols = np.broadcast_to(np.arange(V.shape[1]), rows.shape)
    return np.where(rows >= 0, V[np.maximum(rows, 0), cols], np.nan)


def latest_earlier_rows(values: np.ndarray, units: np.ndarray, years: np.ndarray
                        ) -> np.ndarray:
    """Per cell, the row of the same unit's latest earlier year that has a value in the
    cell's column (−1: none). Unlike :func:`lag_rows` it looks past a missing or
    screened-out year: the value to beat is the last one the unit reported."""
    V = np.asarray(values, dtype=float).reshape(len(values), -1)
    n = len(V)
    units = np.asarray(units).astype(str)
    years = np.asarray(years).astype(np.int64)
    out = np.full(V.shape, -1, dtype=np.int64)
    if n == 0:
        return out
    order = np.lexsort((years, units))            # by unit, then year
    u = units[order]
    new_unit = np.r_[True, u[1:] != u[:-1]]
    unit_start = np.maximum.accumulate(np.where(new_unit, np.arange(n), 0))
    position = np.arange(n)[:, None]
    latest = np.maximum.accumulate(np.where(~np.isnan(V[order]), position, -1), axis=0)
    before = np.vstack([np.full((1, V.shape[1]), -1), latest[:-1]])   # strictly earlier
    before = np.where(before >= unit_start[:, None], before, -1)       # same unit only
    out[order] = np.where(before >= 0, order[np.maximum(before, 0)], -1)
    return out


def first_year_with_value(values: np.ndarray, units: np.ndarray, years: np.ndarray,
                          from_year: int) -> np.ndarray:
    """Per cell, the first year ≥ ``from_year`` in which the row's unit has a value in
    the cell's column (NaN: none) — where a unit's path starts when it enters the panel
    after the base year or lacks the base year's value."""
    V = np.asarray(values, dtype=float)
    years = np.asarray(years).astype(np.int64)
    _, codes = np.unique(np.asarray(units).astype(str), return_inverse=True)
    codes = codes.reshape(-1)
    candidate = np.where(~np.isnan(V) & (years >= from_year)[:, None],
                         years[:, None].astype(float), np.inf)
    first = np.full((codes.max(initial=-1) + 1, V.shape[1]), np.inf)
    np.minimum.at(first, codes, candidate)
    out = first[codes]
    out[np.isinf(out)] = np.nan
    return out


# -- targets, paths, lights --------------------------------------------------------------
def trajectory(start_value: np.ndarray, target: np.ndarray, start_year: np.ndarray,
               target_year: np.ndarray, year: np.ndarray) -> np.ndarray:
    """The value a straight path from ``start_value`` in ``start_year`` to ``target`` in
    ``target_year`` expects in ``year``:

        e(y) = v_s + (t − v_s) · min(1, (y − s) / (T − s))     for y ≥ s,

    the target itself once the target year is reached, NaN before the start year (no
    path yet). Arrays broadcast against each other."""
    v0, t, s, T, y = np.broadcast_arrays(*(np.asarray(a, dtype=float) for a in
                                           (start_value, target, start_year, target_year,
                                            year)))
    span = T - s
    with np.errstate(invalid="ignore", divide="ignore"):
        frac = np.where(span > 0, (y - s) / np.where(span > 0, span, 1.0), 1.0)
    frac = np.clip(frac, 0.0, 1.0)
    out = v0 + (t - v0) * frac
    return np.where(y >= s, out, np.nan)


def target_gaps(value: np.ndarray, target: np.ndarray, target_raw: np.ndarray,
                ) -> tuple[np.ndarray, np.ndarray]:
    """Shortfall to the target and its share of the target.

    ``value`` and ``target`` are oriented (higher is better, see :func:`orient`), so
    ``gap = target − value`` is what is still missing in the indicator's units: positive
    while behind, zero or negative once met. ``relative_gap = gap / |target_raw|`` (NaN
    for a target of zero)."""
    gap = np.asarray(target, dtype=float) - np.asarray(value, dtype=float)
    scale = np.abs(np.asarray(target_raw, dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.where(scale > 0, gap / np.where(scale > 0, scale, 1.0), np.nan)
    return gap, rel


def meets(value: np.ndarray, level: np.ndarray, slack: np.ndarray | float = 0.0, *,
          rtol: float = REL_TOL) -> np.ndarray:
    """``value ≥ level − slack`` (oriented), allowing floating-point noise: a relative
    tolerance ``rtol`` of the larger magnitude compared. False where either is NaN."""
    v, lvl = np.asarray(value, dtype=float), np.asarray(level, dtype=float)
    noise = rtol * np.maximum(np.abs(v), np.abs(lvl))
    with np.errstate(invalid="ignore"):
        return v >= lvl - np.asarray(slack, dtype=float) - noise


def traffic_lights(value: np.ndarray, target: np.ndarray, expected: np.ndarray,
                   reference: np.ndarray, *, slack: np.ndarray | float = 0.0,
                   min_gain: np.ndarray | float = 0.0, rtol: float = REL_TOL) -> np.ndarray:
    """Green / yellow / red per cell; all inputs oriented (higher is better).

    * green — target met (value ≥ target − slack) or on the path
      (value ≥ expected − slack);
    * yellow — behind the path but improving: value − reference > min_gain;
    * red — behind the path and not improving (no better than the reference, which is
      the previous value or the path's start);
    * ``""`` (not judged) — no value or no target; not met while there is no path yet
      (``expected`` NaN: the base year itself, or a year before the unit's path starts,
      where a path would only restate the value); behind the path with no reference.

    ``slack`` and ``min_gain`` are absolute, in the indicator's units (the recipe's
    relative ``tolerance`` and ``min_improvement`` times the target's and the
    reference's size). Every comparison allows a relative tolerance ``rtol`` (1e−9) of
    the magnitudes compared, so floating-point noise never decides a light: 2.0 → 1.9 is
    exactly a 5 % gain, not a hair more."""
    v, t, e, r = (np.asarray(a, dtype=float) for a in (value, target, expected, reference))
    slack = np.asarray(slack, dtype=float)
    min_gain = np.asarray(min_gain, dtype=float)
    if (slack < 0).any() or (min_gain < 0).any():
        raise MethodError(M("diagnose.negative_slack_minimum_gain"), where=M("diagnose.negative_slack_minimum_gain.where"),
                          fix=M("diagnose.negative_slack_minimum_gain.fix"))
    judged = ~np.isnan(v) & ~np.isnan(t)
    green = judged & (meets(v, t, slack, rtol=rtol) | meets(v, e, slack, rtol=rtol))
    known = judged & ~green & ~np.isnan(e) & ~np.isnan(r)
    with np.errstate(invalid="ignore"):
        gain = v - r
        noise = rtol * np.maximum(np.abs(v), np.abs(r))
        improving = known & (gain > min_gain + noise)
    out = np.full(v.shape, NOT_JUDGED, dtype="<U6")
    out[known] = "red"
    out[improving] = "yellow"
    out[green] = "green"
    return out


# -- obstacle degree ---------------------------------------------------------------------------
@dataclass(frozen=True)
class ObstacleDegree:
    """``deviation`` I = 1 − z; ``weighted`` F·I (the "unscaled" obstacle degree);
    ``share`` O = F·I / Σ F·I per row (sums to 1, or all zero for a unit at the ideal).
    NaN where z is missing: a missing indicator is left out of the row's total."""

    deviation: np.ndarray
    weighted: np.ndarray
    share: np.ndarray


def obstacle_degree(z: np.ndarray, weights: np.ndarray, *, tol: float = 1e-9
                    ) -> ObstacleDegree:
    """Obstacle degree O_ij = W_j (1 − z_ij) / Σ_j W_j (1 − z_ij).

    ``z`` rows × m normalised to [0, 1] (1 = ideal), ``weights`` (m,) the indicators'
    global weights. A row with no shortfall at all gets zeros, not NaN."""
    z = np.asarray(z, dtype=float)
    w = np.asarray(weights, dtype=float)
    if z.ndim != 2 or w.shape != (z.shape[1],):
        raise MethodError(M("diagnose.obstacle_degree_needs_rows", size=w.size, shape=z.shape, shape2=w.shape), where=M("diagnose.obstacle_degree_needs_rows.where"))
    if (w < 0).any() or not np.isfinite(w).all():
        raise MethodError(M("diagnose.weights_must_finite_non"), where=M("diagnose.weights_must_finite_non.where"))
    present = ~np.isnan(z)
    if (z[present] < -tol).any() or (z[present] > 1 + tol).any():
        raise MethodError(M("diagnose.normalised_values_must_lie"),
                          where=M("diagnose.normalised_values_must_lie.where"),
                          fix=M("diagnose.normalised_values_must_lie.fix"))
    deviation = 1.0 - np.clip(z, 0.0, 1.0)
    weighted = deviation * w[None, :]
    total = np.nansum(weighted, axis=1, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(total > 0, weighted / np.where(total > 0, total, 1.0), 0.0)
    share[~present] = np.nan
    return ObstacleDegree(deviation, weighted, share)


def top_k(values: np.ndarray, k: int, *, positive_only: bool = True
          ) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the ``k`` largest values (ties: earlier column first):
    indices rows × k (−1 where fewer qualify) and their values (NaN there). NaN never
    qualifies; nor does a value ≤ 0 when ``positive_only``."""
    V = np.asarray(values, dtype=float)
    k = min(int(k), V.shape[1])
    ok = ~np.isnan(V) & ((V > 0) if positive_only else True)
    key = np.where(ok, -V, np.inf)
    idx = np.argsort(key, axis=1, kind="stable")[:, :k].copy()   # not a view of all m
    valid = np.take_along_axis(ok, idx, axis=1)
    vals = np.where(valid, np.take_along_axis(V, idx, axis=1), np.nan)
    return np.where(valid, idx, -1), vals


def group_sums(values: np.ndarray, membership: np.ndarray) -> np.ndarray:
    """Rows × groups: the sum of each row's values over the columns in each group
    (``membership`` m × d of 0/1, e.g. indicators × dimensions); NaN counts as 0, and a
    group with no value in the row gives NaN (nothing to sum, not a sum of zero)."""
    V = np.asarray(values, dtype=float)
    M = np.asarray(membership, dtype=float)
    out = np.nan_to_num(V) @ M
    out[(~np.isnan(V)).astype(float) @ M == 0] = np.nan
    return out


# -- peers ---------------------------------------------------------------------------------------
def block_best(values: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row and column, the best (largest) value in the row's block and the row that
    holds it (first such row; −1 and NaN for an all-missing block column). ``values``
    oriented rows × m; ``blocks`` one label per row (year, or year × group)."""
    V = np.asarray(values, dtype=float)
    codes, best, where = block_best_of(V, blocks)
    return best[codes].reshape(V.shape), where[codes].reshape(V.shape)


def block_best_of(values: np.ndarray, blocks: np.ndarray
                  ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`block_best` kept per block: ``(codes, best, where)`` — each row's block
    number, and per block (blocks × m) the best value and the row holding it, so
    ``best[codes]`` is :func:`block_best`'s matrix (a row's value is its block's)."""
    V2 = np.asarray(values, dtype=float)
    V2 = V2.reshape(len(V2), -1)
    _, codes = np.unique(np.asarray(blocks), return_inverse=True)
    codes = codes.reshape(-1)
    k, cols = int(codes.max(initial=-1)) + 1, np.arange(V2.shape[1])
    best = np.full((k, V2.shape[1]), np.nan)
    where = np.full((k, V2.shape[1]), -1, dtype=np.int64)
    for block in range(k):
        rows = np.flatnonzero(codes == block)
        sub = V2[rows]
        has = ~np.isnan(sub).all(axis=0)
        arg = np.argmax(np.where(np.isnan(sub), -np.inf, sub), axis=0)
        best[block] = np.where(has, sub[arg, cols], np.nan)
        where[block] = np.where(has, rows[arg], -1)
    return codes, best, where


def block_median(values: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Per row and column, the median of the row's block (NaN ignored)."""
    V = np.asarray(values, dtype=float)
    codes, med = block_median_of(V, blocks)
    return med[codes].reshape(V.shape)


def block_median_of(values: np.ndarray, blocks: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """:func:`block_median` kept per block: ``(codes, medians)`` (blocks × m)."""
    V2 = np.asarray(values, dtype=float)
    V2 = V2.reshape(len(V2), -1)
    _, codes = np.unique(np.asarray(blocks), return_inverse=True)
    codes = codes.reshape(-1)
    out = np.full((int(codes.max(initial=-1)) + 1, V2.shape[1]), np.nan)
    for block in range(len(out)):
        sub = V2[codes == block]
        has = ~np.isnan(sub).all(axis=0)
        if has.any():
            out[block, has] = np.nanmedian(sub[:, has], axis=0)
    return codes, out


# -- strengths and weaknesses -----------------------------------------------------------------
def largest_tie_share(values: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Per row and column: the share of the block's units (with data) that hold the
    block's most common value — 1/n when all differ, 1 when all tie."""
    V = np.asarray(values, dtype=float)
    out = np.full(V.shape, np.nan)
    labels = np.asarray(blocks)
    for block in np.unique(labels):
        rows = labels == block
        for j in range(V.shape[1]):   # a handful of columns
            col = V[rows, j]
            col = col[~np.isnan(col)]
            if col.size:
                out[rows, j] = np.unique(col, return_counts=True)[1].max() / col.size
    return out


def strengths_weaknesses(ranks: np.ndarray, eligible: np.ndarray, worst_rank: np.ndarray,
                         k: int) -> tuple[np.ndarray, np.ndarray]:
    """Per row, the columns of the ``k`` best ranks (strengths) and the ``k`` worst
    (weaknesses), as index arrays rows × k padded with −1.

    Only ``eligible`` cells count (the caller drops indicators where most units tie); a
    unit's last place (rank == ``worst_rank``) is never a strength and its first place
    never a weakness, and no indicator is both (the strengths are chosen first). Ties
    between a unit's ranks go to the earlier column."""
    R = np.asarray(ranks, dtype=float)
    ok = np.asarray(eligible, dtype=bool) & ~np.isnan(R)
    k = min(int(k), R.shape[1])
    can_s = ok & (R < np.asarray(worst_rank, dtype=float))
    key = np.where(can_s, R, np.inf)
    s_idx = np.argsort(key, axis=1, kind="stable")[:, :k].copy()   # not a view of all m
    s_ok = np.take_along_axis(can_s, s_idx, axis=1)
    strengths = np.where(s_ok, s_idx, -1)
    chosen = np.zeros(R.shape, dtype=bool)
    rows = np.repeat(np.arange(R.shape[0]), k)
    chosen[rows[s_ok.ravel()], s_idx.ravel()[s_ok.ravel()]] = True
    can_w = ok & (R > 1) & ~chosen
    key = np.where(can_w, -R, np.inf)
    w_idx = np.argsort(key, axis=1, kind="stable")[:, :k].copy()
    w_ok = np.take_along_axis(can_w, w_idx, axis=1)
    return strengths, np.where(w_ok, w_idx, -1)


# -- gaps on the normalised scale --------------------------------------------------------------
def scale_map(known_value: np.ndarray, known_z: np.ndarray, query: np.ndarray, *,
              anchors_value: np.ndarray | None = None, anchors_z: np.ndarray | None = None
              ) -> np.ndarray:
    """Normalised value of each ``query`` (oriented, higher is better) read off the
    pairs (oriented value → normalised value) observed in one normalisation block, by
    linear interpolation between the sorted distinct values (their mean z where one
    value occurs with several), flat beyond the outermost ones.

    Every normalisation the engine offers (min–max, goalposts, z-scores, ranks, ...,
    after a log transform or winsorising) is monotone in the oriented value, so this
    maps a target onto the scale the scores use, whatever the method. ``anchors_*`` add
    known points beyond the data (e.g. the goalposts, which map to the range's ends).
    NaN where the query is NaN or nothing is known."""
    x = np.asarray(known_value, dtype=float).ravel()
    z = np.asarray(known_z, dtype=float).ravel()
    if anchors_value is not None:
        x = np.concatenate([x, np.asarray(anchors_value, dtype=float).ravel()])
        z = np.concatenate([z, np.asarray(anchors_z, dtype=float).ravel()])
    q = np.asarray(query, dtype=float)
    ok = np.isfinite(x) & np.isfinite(z)
    if not ok.any():
        return np.full(q.shape, np.nan)
    xs, inverse = np.unique(x[ok], return_inverse=True)
    zs = np.bincount(inverse, weights=z[ok]) / np.bincount(inverse)
    out = np.interp(np.nan_to_num(q), xs, zs)
    return np.where(np.isnan(q), np.nan, out)


def normalised_gap(value: np.ndarray, target: np.ndarray, z: np.ndarray,
                   blocks: np.ndarray | None = None, *,
                   anchors_value: np.ndarray | None = None,
                   anchors_z: np.ndarray | None = None) -> np.ndarray:
    """Gap to the target on the normalised scale, z(target) − z(value) (positive =
    behind), per cell; ``value``, ``target`` oriented rows × m, ``z`` the normalised
    values, ``blocks`` the normalisation blocks (None: pooled; the year: per_year).
    The map from values to z is :func:`scale_map` within the cell's block and column;
    ``anchors_*`` (m × a) are extra points per column (NaN: none)."""
    V, T, Z = (np.asarray(a, dtype=float) for a in (value, target, z))
    labels = np.zeros(len(V), dtype=int) if blocks is None else np.asarray(blocks)
    out = np.full(V.shape, np.nan)
    for block in np.unique(labels):            # the blocks (years) ...
        rows = np.flatnonzero(labels == block)
        for j in range(V.shape[1]):            # ... and the columns, a handful each
            query = np.concatenate([T[rows, j], V[rows, j]])
            mapped = scale_map(V[rows, j], Z[rows, j], query,
                               anchors_value=None if anchors_value is None
                               else anchors_value[j],
                               anchors_z=None if anchors_z is None else anchors_z[j])
            out[rows, j] = mapped[:rows.size] - mapped[rows.size:]
    return out
