"""Preparing the raw panel for scoring: denominate, impute, screen (and treat, see treat.py).

The steps and their defaults follow the OECD/JRC *Handbook on Constructing Composite
Indicators* (2008), steps 3 (imputation of missing data) and 4 (multivariate analysis and
data treatment), as implemented in COINr (Becker et al. 2022, JOSS 7(78) 4567):
``Denominate``, ``Impute`` and ``Screen``. Every function takes a rows × indicators float
array (rows are unit-years, NaN is missing) and returns new arrays; nothing is modified in
place.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from evaluator.errors import MethodError
from evaluator.i18n import M
from evaluator.methods.treat import (TREAT_METHODS, as_matrix, block_indices, cell_where,
                                     check_length, label_of, treat)

__all__ = ["denominate", "impute", "screen", "treat", "IMPUTE_METHODS", "TREAT_METHODS"]

CROSS_SECTION_METHODS = ("mean", "median", "group_mean", "group_median")
TIME_METHODS = ("linear", "carry_forward")
IMPUTE_METHODS = ("none", *CROSS_SECTION_METHODS, *TIME_METHODS, "knn")


# ---------------------------------------------------------------- denominate
def denominate(X: Any, D: Any, *, names: Sequence[str] | None = None,
               row_labels: Sequence[Any] | None = None) -> np.ndarray:
    """Divide each indicator by its denominator, cell by cell (e.g. GDP per capita).

    ``D`` has the shape of ``X``; a column of ``D`` that is entirely NaN means "no
    denominator" and leaves that indicator unchanged. Where an indicator value is present
    but its denominator is missing, the result is missing (NaN) and is later imputed or
    reported like any other gap. A denominator <= 0 next to a present value is an error:
    a ratio to a zero or negative size is meaningless.

    Reference: OECD/JRC Handbook (2008), section 1.2 (scaling by size); COINr ``Denominate``.
    """
    values = as_matrix(X)
    denominators = as_matrix(D, "D")
    if denominators.shape != values.shape:
        raise MethodError(M("prepare.denominators_have_shape_but", shape=denominators.shape, shape2=values.shape),
                          fix=M("prepare.denominators_have_shape_but.fix"))
    check_length(names, values.shape[1], "names")
    check_length(row_labels, values.shape[0], "row_labels")

    has_denominator = ~np.isnan(denominators).all(axis=0)
    present = ~np.isnan(values) & has_denominator
    invalid = present & (denominators <= 0)
    if invalid.any():
        i, j = np.argwhere(invalid)[0]
        raise MethodError(M("prepare.denominator_indicator_cannot_divided", denominators=denominators[i, j], sum=int(invalid.sum())),
                          where=cell_where(names, row_labels, i, j),
                          fix=M("prepare.denominator_indicator_cannot_divided.fix"))
    result = values.copy()
    with np.errstate(invalid="ignore"):
        # NaN denominators give NaN ratios: the ratio is missing, not the raw value
        result[:, has_denominator] = values[:, has_denominator] / denominators[:, has_denominator]
    return result


# ---------------------------------------------------------------- impute
def impute(X: Any, method: str, *, blocks: Sequence[Any] | None = None,
           groups: Sequence[Any] | None = None, units: Sequence[Any] | None = None,
           times: Sequence[Any] | None = None, k: int = 5,
           names: Sequence[str] | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Fill missing cells; returns ``(X_imputed, imputed_mask)``.

    Methods (Handbook 2008, step 3; Little & Rubin, *Statistical Analysis with Missing
    Data*, 2nd ed. 2002, ch. 4 for the single-imputation methods):

    * ``"none"``: nothing is filled.
    * ``"mean"`` / ``"median"``: the column's mean/median over the rows of the same block
      (``blocks``: one label per row, e.g. the year; ``None``: all rows form one block).
    * ``"group_mean"`` / ``"group_median"``: the same within block *and* group (``groups``:
      one label per row, e.g. the city type; rows without a group label are not filled).
      COINr's default ASEM build uses ``group_mean`` by ``EurAsia_group``.
    * ``"linear"``: within each unit along ``times``, gaps between two observed years are
      interpolated linearly in time; gaps before the first or after the last observation
      take the unit's nearest observed value (constant extrapolation, never a trend
      extrapolated beyond the data).
    * ``"carry_forward"``: the unit's last observation carried forward in time (LOCF);
      gaps before the unit's first observation stay missing. ``units`` and ``times`` (one
      per row, one row per unit and time) are required by both in-time methods, which
      ignore ``blocks`` and ``groups``.
    * ``"knn"``: scikit-learn's ``KNNImputer`` (Troyanskaya et al. 2001, *Bioinformatics*
      17(6) 520-525) with ``k`` neighbours, within each block, on the columns standardised by
      their block mean and standard deviation (ddof 0) and back-transformed, so that no
      indicator dominates the distance by its unit of measure.

    Cells that cannot be filled (e.g. a block or group where the column has no observed
    value) stay NaN; the caller reports them. Observed cells are never changed.
    """
    values = as_matrix(X)
    n_rows, n_columns = values.shape
    if method not in IMPUTE_METHODS:
        raise MethodError(M("prepare.unknown_imputation_method", method=method),
                          fix=M("prepare.unknown_imputation_method.fix", IMPUTE_METHODS=', '.join(IMPUTE_METHODS)))
    check_length(names, n_columns, "names")
    for labels, what in ((blocks, "blocks"), (groups, "groups"), (units, "units"), (times, "times")):
        check_length(labels, n_rows, what)
    # argument checks come first so that a wrong recipe fails even on complete data
    if method.startswith("group_") and groups is None:
        raise MethodError(M("prepare.imputation_needs_group_every", method=method),
                          fix=M("prepare.imputation_needs_group_every.fix"))
    if method in TIME_METHODS and (units is None or times is None):
        raise MethodError(M("prepare.imputation_needs_unit_year", method=method),
                          fix=M("prepare.imputation_needs_unit_year.fix"))
    if method == "knn" and (isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1):
        raise MethodError(M("prepare.knn_imputation_needs_k", k=k),
                          fix=M("prepare.knn_imputation_needs_k.fix"))

    missing = np.isnan(values)
    if method == "none" or not missing.any():
        return values, np.zeros_like(missing)
    if method in CROSS_SECTION_METHODS:
        filled = _fill_cross_section(values, method, blocks, groups)
    elif method in TIME_METHODS:
        filled = _fill_in_time(values, method, units, times)
    else:
        filled = _fill_knn(values, blocks, k)
    result = np.where(missing, filled, values)  # observed cells are kept bit for bit
    return result, missing & ~np.isnan(result)


def _row_keys(n_rows: int, blocks: Sequence[Any] | None, groups: Sequence[Any] | None) -> list[pd.Series]:
    keys = [pd.Series(np.zeros(n_rows, dtype=int)) if blocks is None
            else pd.Series(list(blocks), dtype=object)]
    if groups is not None:
        keys.append(pd.Series(list(groups), dtype=object))
    return keys


def _fill_cross_section(values: np.ndarray, method: str, blocks: Sequence[Any] | None,
                        groups: Sequence[Any] | None) -> np.ndarray:
    """Each cell's column statistic over its block (and group); NaN where there is none."""
    statistic = "median" if method.endswith("median") else "mean"
    frame = pd.DataFrame(values)
    # dropna=True: rows whose block or group label is missing get no statistic (stay NaN)
    grouped = frame.groupby(_row_keys(len(frame), blocks, groups if method.startswith("group_") else None),
                            dropna=True, sort=False)
    return grouped.transform(statistic).reindex(frame.index).to_numpy(dtype=float)


def _time_order(units: Sequence[Any], times: Sequence[Any],
                method: str, numeric_times: bool) -> tuple[np.ndarray, pd.Series, np.ndarray]:
    """Rows sorted by (unit, time): the permutation, the sorted unit codes and times."""
    if pd.isna(pd.Series(list(times), dtype=object)).any() or pd.isna(pd.Series(list(units), dtype=object)).any():
        raise MethodError(M("prepare.imputation_needs_unit_time", method=method),
                          fix=M("prepare.imputation_needs_unit_time.fix"))
    unit_codes = pd.Series(pd.factorize(pd.Series(list(units), dtype=object))[0])
    if numeric_times:
        try:
            time_values = np.asarray(times, dtype=float)
        except (TypeError, ValueError) as exc:
            raise MethodError(M("prepare.imputation_needs_numeric_times", method=method, exc=exc),
                              fix=M("prepare.imputation_needs_numeric_times.fix")) from exc
        time_codes = time_values
    else:
        time_codes = pd.Series(list(times)).rank(method="dense").to_numpy()
    duplicated = pd.DataFrame({"u": unit_codes, "t": time_codes}).duplicated()
    if duplicated.any():
        i = int(np.flatnonzero(duplicated.to_numpy())[0])
        raise MethodError(M("prepare.same_unit_appears_twice"),
                          where=M("prepare.same_unit_appears_twice.where", i=i, units=list(units)[i], times=list(times)[i]),
                          fix=M("prepare.same_unit_appears_twice.fix"))
    order = np.lexsort((time_codes, unit_codes.to_numpy()))
    return order, unit_codes.iloc[order].reset_index(drop=True), np.asarray(time_codes, dtype=float)[order]


def _fill_in_time(values: np.ndarray, method: str, units: Sequence[Any] | None,
                  times: Sequence[Any] | None) -> np.ndarray:
    """LOCF or linear interpolation within units, vectorised with grouped forward/back fills."""
    order, unit_of_row, time_of_row = _time_order(units, times, method, method == "linear")
    ordered = pd.DataFrame(values[order])
    by_unit = ordered.groupby(unit_of_row, sort=False)
    previous_value = by_unit.ffill().to_numpy(dtype=float)
    if method == "carry_forward":
        filled_sorted = previous_value
    else:
        # the time of each observation, spread to the gaps before and after it
        observed_time = pd.DataFrame(np.where(ordered.notna(), time_of_row[:, None], np.nan))
        times_by_unit = observed_time.groupby(unit_of_row, sort=False)
        previous_time = times_by_unit.ffill().to_numpy(dtype=float)
        next_time = times_by_unit.bfill().to_numpy(dtype=float)
        next_value = by_unit.bfill().to_numpy(dtype=float)
        span = next_time - previous_time
        with np.errstate(invalid="ignore", divide="ignore"):
            share = (time_of_row[:, None] - previous_time) / span
        interpolated = previous_value + share * (next_value - previous_value)
        # outside the observed years: the nearest observation (NaN only if the unit has none)
        filled_sorted = np.where(np.isnan(previous_value), next_value,
                                 np.where(np.isnan(next_value), previous_value, interpolated))
    filled = np.empty_like(filled_sorted)
    filled[order] = filled_sorted
    return filled


def _fill_knn(values: np.ndarray, blocks: Sequence[Any] | None, k: int) -> np.ndarray:
    """KNN imputation per block on block-standardised columns (see :func:`impute`)."""
    filled = values.copy()
    block_rows = [(None, np.arange(values.shape[0]))] if blocks is None else block_indices(blocks)
    for _, rows in block_rows:
        block = values[rows]
        usable = ~np.isnan(block).all(axis=0)  # a column with no value in the block cannot be filled
        if not np.isnan(block[:, usable]).any():
            continue
        filled[rows[:, None], np.flatnonzero(usable)] = knn_standardised(block[:, usable], k)
    return filled


def knn_standardised(block: np.ndarray, k: int) -> np.ndarray:
    """``KNNImputer(k)`` on z-scores of ``block`` (columns need one observed value each)."""
    centre = np.nanmean(block, axis=0)
    spread = np.nanstd(block, axis=0)
    spread[spread == 0] = 1.0  # a constant column: any scale gives the same fill
    scores = (block - centre) / spread
    from sklearn.impute import KNNImputer  # imported here: scikit-learn loads slowly

    imputed = KNNImputer(n_neighbors=k).fit_transform(scores)
    return imputed * spread + centre


# ---------------------------------------------------------------- screen
def screen(observed: Any, min_coverage: float, *, row_labels: Sequence[Any] | None = None) -> np.ndarray:
    """Rows to keep: those whose share of own (observed, not imputed) indicator values is
    at least ``min_coverage`` (0 keeps every row, 1 only complete rows).

    Reference: COINr ``Screen`` with ``dat_thresh`` (Becker et al. 2022); the Handbook (2008)
    advises excluding units with too little own data rather than imputing most of it.
    Dropping every row is an error, as nothing would be left to score.
    """
    mask = np.asarray(observed)
    if mask.ndim != 2 or mask.dtype != bool:
        raise MethodError(M("prepare.screen_needs_d_boolean"))
    is_number = isinstance(min_coverage, (int, float, np.integer, np.floating)) and not isinstance(min_coverage, bool)
    if not is_number or not 0 <= float(min_coverage) <= 1:
        raise MethodError(M("prepare.min_coverage_must_share", min_coverage=min_coverage),
                          fix=M("prepare.min_coverage_must_share.fix"))
    check_length(row_labels, mask.shape[0], "row_labels")
    if mask.shape[1] == 0:
        return np.ones(mask.shape[0], dtype=bool)
    coverage = mask.mean(axis=1)
    keep = coverage >= float(min_coverage)
    if mask.shape[0] and not keep.any():
        best = int(np.argmax(coverage))
        raise MethodError(M("prepare.screening_with_min_coverage", min_coverage=min_coverage, coverage=coverage[best]),
                          where=M("prepare.screening_with_min_coverage.where", label_of=label_of(row_labels, best, 'row')),
                          fix=M("prepare.screening_with_min_coverage.fix"))
    return keep
