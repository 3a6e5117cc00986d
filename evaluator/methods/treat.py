"""Outlier treatment of indicator columns: none, plain log, or COINr's winsorise rule.

The ``winsorise`` rule is the default data treatment of COINr (Becker W. et al., "COINr:
An R package for developing composite indicators", Journal of Open Source Software 7(78),
4567, 2022; behaviour of version 1.1.14), which in turn follows the JRC/COIN practice
described in the OECD/JRC *Handbook on Constructing Composite Indicators* (2008), step 3:

1. An indicator *passes* when ``|skewness| < skew`` **or** ``kurtosis < kurtosis``, with the
   sample ("type 2", Excel) skewness G1 and excess kurtosis G2 (Joanes & Gill 1998,
   *The Statistician* 47(1), 183-189).
2. While it fails and fewer than ``max_points`` points are winsorised: if the current
   skewness is >= 0, every value tied at the current maximum is set to the largest value
   below it; otherwise every value tied at the minimum is set to the smallest value above
   it. The number of winsorised points is the number of values moved by the latest step at
   the top plus the number moved by the latest step at the bottom (moved values stay tied
   at the extreme, so the latest step moves them all again).
3. If it still fails, the winsorised values are discarded and the *untreated* values are
   replaced by ``log(x - min + 0.01 * (max - min))`` (COINr's ``log_CT``).

Everything here works on one column of observed values at a time; missing cells (NaN)
stay missing and take no part in the statistics.
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from evaluator.errors import MethodError
from ..i18n import M

TREAT_METHODS = ("none", "winsorise", "log")

# Sample skewness needs 3 values and sample kurtosis 4; below that nothing is judged.
MIN_VALUES_FOR_TREATMENT = 4


# ---------------------------------------------------------------- shared argument checks
def as_matrix(X: Any, what: str = "X") -> np.ndarray:
    """Return ``X`` as a new 2-D float array; NaN is missing, ±inf is an error."""
    try:
        matrix = np.array(X, dtype=float)
    except (TypeError, ValueError) as exc:
        raise MethodError(M("treat.must_numeric", what=what, exc=exc),
                          fix=M("treat.must_numeric.fix")) from exc
    if matrix.ndim == 1:
        matrix = matrix[:, None]
    if matrix.ndim != 2:
        raise MethodError(M("treat.must_d_array_rows", what=what, ndim=matrix.ndim))
    if np.isinf(matrix).any():
        i, j = np.argwhere(np.isinf(matrix))[0]
        raise MethodError(M("treat.holds_infinite_value_row", what=what, i=i, j=j),
                          fix=M("treat.holds_infinite_value_row.fix"))
    return matrix


def label_of(labels: Sequence[Any] | None, index: int, kind: str) -> str:
    """Human label of row/column ``index``: the caller's label if given, else its position."""
    if labels is None:
        return f"{kind} {index}"
    return str(labels[index])


def cell_where(names: Sequence[Any] | None, row_labels: Sequence[Any] | None,
               row: int, column: int) -> str:
    """``"indicator 'pm25', row 示例市001 2020"`` for error messages."""
    return f"indicator '{label_of(names, column, 'column')}', row {label_of(row_labels, row, 'row')}"


def check_length(labels: Sequence[Any] | None, n_rows: int, what: str) -> None:
    """One label per row (or column): anything else is the caller's mistake, said clearly."""
    if labels is not None and len(labels) != n_rows:
        raise MethodError(M("treat.has_entries_but_data", what=what, n_labels=len(labels), n_rows=n_rows),
                          fix=M("treat.has_entries_but_data.fix", what=what))


def block_indices(blocks: Sequence[Any]) -> list[tuple[Any, np.ndarray]]:
    """``[(label, row positions)]`` per distinct label, in order of first appearance (so
    records follow the user's row order); a missing label forms a block of its own."""
    codes, uniques = pd.factorize(pd.Series(list(blocks), dtype=object), use_na_sentinel=False)
    order = np.argsort(codes, kind="stable")
    bounds = np.flatnonzero(np.diff(codes[order])) + 1
    return list(zip(uniques.tolist(), np.split(order, bounds)))


# ---------------------------------------------------------------- statistics
def skewness_and_kurtosis(values: np.ndarray) -> tuple[float, float]:
    """Bias-corrected sample skewness G1 and excess kurtosis G2 (Joanes & Gill 1998).

    The estimators of Excel's SKEW/KURT, e1071's type 2 and ``scipy.stats.skew/kurtosis``
    with ``bias=False``, written out in numpy because the winsorising loop calls this many
    times. G1 needs 3 values and G2 4 (NaN otherwise); both are NaN when the values are
    equal to within rounding (as scipy does), since their spread is then only noise.
    """
    n = values.size
    if n < 3:
        return float("nan"), float("nan")
    mean = values.mean()
    deviations = values - mean
    squared = deviations * deviations
    m2 = squared.mean()
    if m2 <= (np.finfo(float).resolution * mean) ** 2:
        return float("nan"), float("nan")
    with np.errstate(all="ignore"):  # tiny spreads can underflow; reported as NaN below
        g1 = (squared * deviations).mean() / m2 ** 1.5
        g2 = (squared * squared).mean() / (m2 * m2) - 3.0
    skewness = g1 * np.sqrt(n * (n - 1.0)) / (n - 2.0) if np.isfinite(g1) else np.nan
    if n < 4 or not np.isfinite(g2):
        return float(skewness), float("nan")
    kurtosis = ((n + 1.0) * g2 + 6.0) * (n - 1.0) / ((n - 2.0) * (n - 3.0))
    return float(skewness), float(kurtosis)


def passes_check(skewness: float, kurtosis: float, skew_limit: float, kurtosis_limit: float) -> bool:
    """COINr's ``check_SkewKurt``: a column is acceptable if either measure is within its limit."""
    return bool(abs(skewness) < skew_limit or kurtosis < kurtosis_limit)


# ---------------------------------------------------------------- one column
def winsorise_values(values: np.ndarray, *, max_points: int, skew_limit: float,
                     kurtosis_limit: float) -> tuple[np.ndarray, int, bool]:
    """Winsorise observed ``values`` step by step (module docstring, step 2).

    Returns the winsorised copy, the number of winsorised points and whether the final
    values pass the check.
    """
    current = values.copy()
    moved_at_top = moved_at_bottom = 0
    points = 0
    skewness, kurtosis = skewness_and_kurtosis(current)
    passed = passes_check(skewness, kurtosis, skew_limit, kurtosis_limit)
    while not passed and points < max_points:
        if skewness >= 0:
            at_extreme = current == current.max()
            if at_extreme.all():
                break  # all values tied: nothing left to move
            current[at_extreme] = current[~at_extreme].max()
            moved_at_top = int(at_extreme.sum())
        else:
            at_extreme = current == current.min()
            if at_extreme.all():
                break
            current[at_extreme] = current[~at_extreme].min()
            moved_at_bottom = int(at_extreme.sum())
        points = moved_at_top + moved_at_bottom
        skewness, kurtosis = skewness_and_kurtosis(current)
        passed = passes_check(skewness, kurtosis, skew_limit, kurtosis_limit)
    return current, points, passed


def shifted_log(values: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: log(x − min + 0.01·(max − min)), defined for any non-constant column."""
    low, high = values.min(), values.max()
    return np.log(values - low + 0.01 * (high - low))


def _column_record(indicator: str, block: Any, observed: np.ndarray, skew_limit: float,
                   kurtosis_limit: float) -> dict[str, Any]:
    skewness, kurtosis = skewness_and_kurtosis(observed)
    reason = None
    if observed.size < MIN_VALUES_FOR_TREATMENT:
        reason = f"only {observed.size} observed values (at least {MIN_VALUES_FOR_TREATMENT} needed)"
    elif np.ptp(observed) == 0:
        reason = "all observed values are equal (zero variance)"
    elif np.isnan(skewness) or np.isnan(kurtosis):
        reason = "the values are too nearly equal for skewness and kurtosis to be computed"
    passed = None if reason else passes_check(skewness, kurtosis, skew_limit, kurtosis_limit)
    return {"indicator": indicator, "block": block, "skew": skewness, "kurtosis": kurtosis,
            "passed_before": passed, "action": "none", "points": 0,
            "skew_after": skewness, "kurtosis_after": kurtosis, "passed_after": passed,
            "reason": reason}


def _treat_column(values: np.ndarray, method: str, record: dict[str, Any], *, max_points: int,
                  skew_limit: float, kurtosis_limit: float) -> np.ndarray:
    """Treat one column's observed values in place of ``record``; returns the new values."""
    if method == "log":
        result = np.log(values)
        record.update(action="log", reason=None)  # applied whatever the column's shape
    elif method == "winsorise" and record["reason"] is None and not record["passed_before"]:
        result, points, passed = winsorise_values(values, max_points=max_points, skew_limit=skew_limit,
                                                  kurtosis_limit=kurtosis_limit)
        if passed:
            record.update(action="winsorised", points=points)
        else:
            result = shifted_log(values)  # COINr default: the log starts from the untreated values
            record.update(action="log", reason=f"still failing after winsorising {points} point(s)")
    else:
        return values
    skewness, kurtosis = skewness_and_kurtosis(result)
    if np.isnan(kurtosis):
        # statistics undefined after treatment (values equal within rounding): for a
        # winsorised column the step-wise check already passed on these values
        passed_after = True if record["action"] == "winsorised" else None
    else:
        passed_after = passes_check(skewness, kurtosis, skew_limit, kurtosis_limit)
    record.update(skew_after=skewness, kurtosis_after=kurtosis, passed_after=passed_after)
    return result


# ---------------------------------------------------------------- public
def treat(X: Any, method: str, *, blocks: Sequence[Any] | None = None,
          names: Sequence[str] | None = None, row_labels: Sequence[Any] | None = None,
          max_points: int = 5, skew: float = 2.0, kurtosis: float = 3.5
          ) -> tuple[np.ndarray, list[dict[str, Any]]]:
    """Treat outliers column by column (and block by block, e.g. per year).

    Methods:

    * ``"none"``: values unchanged; the details still report skewness and kurtosis.
    * ``"winsorise"``: COINr 1.1.14's default rule (see the module docstring), with
      ``max_points`` points at most and the thresholds ``skew`` and ``kurtosis``; a column
      that still fails is log-transformed instead with ``log(x − min + 0.01·(max − min))``.
      Columns with fewer than 4 observed values or zero variance are left as they are
      (action ``"none"`` and a ``reason``).
    * ``"log"``: natural log of every value, in every column and block alike (skipping a
      column would mix scales across years); a value <= 0 is an error.

    ``blocks``: per-row labels; each block is treated on its own (``None``: all rows at once).
    ``names`` and ``row_labels`` only label the records and error messages.
    Returns the treated copy of ``X`` and one record per block and column, in block order
    then column order: ``{indicator, block, skew, kurtosis, passed_before, action, points,
    skew_after, kurtosis_after, passed_after, reason}``; ``passed_*`` is ``None`` where the
    check cannot be computed.
    """
    matrix = as_matrix(X)
    n_rows, n_columns = matrix.shape
    if method not in TREAT_METHODS:
        raise MethodError(M("treat.unknown_outlier_treatment", method=method),
                          fix=M("treat.unknown_outlier_treatment.fix", TREAT_METHODS=', '.join(TREAT_METHODS)))
    check_length(names, n_columns, "names")
    check_length(row_labels, n_rows, "row_labels")
    check_length(blocks, n_rows, "blocks")
    if isinstance(max_points, bool) or not isinstance(max_points, (int, np.integer)) or max_points < 0:
        raise MethodError(M("treat.max_points_must_whole", max_points=max_points),
                          fix=M("treat.max_points_must_whole.fix"))
    if method == "log":
        bad = ~np.isnan(matrix) & (matrix <= 0)
        if bad.any():
            i, j = np.argwhere(bad)[0]
            raise MethodError(M("treat.cannot_take_log_value", matrix=matrix[i, j], sum=int(bad.sum())),
                              where=cell_where(names, row_labels, i, j),
                              fix=M("treat.cannot_take_log_value.fix"))

    treated = matrix.copy()
    details: list[dict[str, Any]] = []
    if blocks is None:
        block_rows = [(None, np.arange(n_rows))]
    else:
        block_rows = block_indices(blocks)
    for block, rows in block_rows:
        for j in range(n_columns):
            column = matrix[rows, j]
            present = ~np.isnan(column)
            observed = column[present]
            record = _column_record(label_of(names, j, "column"), block, observed, skew, kurtosis)
            new_values = _treat_column(observed, method, record, max_points=int(max_points),
                                       skew_limit=skew, kurtosis_limit=kurtosis)
            treated[rows[present], j] = new_values
            details.append(record)
    return treated, details
