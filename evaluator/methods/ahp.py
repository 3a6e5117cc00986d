"""Analytic Hierarchy Process: judgements, priorities and consistency.

References
----------
Saaty, T.L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill, New York.
    Principal-eigenvector priorities, λmax, CI = (λmax − n)/(n − 1), CR = CI/RI, and the
    random index RI as the mean CI of random reciprocal matrices on the 1/9–9 scale.
Saaty, T.L. (2005). *Theory and Applications of the Analytic Network Process*. RWS
    Publications, Pittsburgh, p. 31 (second random-index table).
Donegan, H.A. & Dodd, F.J. (1991). A note on Saaty's random indexes. *Mathematical and
    Computer Modelling* 15(10), 135–137 (random-index table up to n = 100).
许树柏 (1988). 《实用决策方法：层次分析法原理》. 天津大学出版社 (RI for n = 1…15, 1000
    samples) and 洪志国, 李焱, 范植华, 聂淑媛 (2002). 层次分析法中高阶平均随机一致性指标(RI)
    的计算. 计算机工程与应用 38(12), 45–47 (n = 16…30): together the "Chinese" table that
    SPSSAU and most Chinese literature use.
Harker, P.T. (1987). Incomplete pairwise comparisons in the analytic hierarchy process.
    *Mathematical Modelling* 9(11), 837–848 (completion of missing judgements).
Crawford, G. & Williams, C. (1985). A note on the analysis of subjective judgment
    matrices. *Journal of Mathematical Psychology* 29, 387–405 (geometric-mean method).

Group judgements, global weights and revision hints live in :mod:`ahp_group` and
:mod:`ahp_repair`.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Hashable, Mapping, NamedTuple, Sequence

import numpy as np

from evaluator.errors import MethodError
from ..i18n import M

#: Saaty's fundamental scale: 1/9 … 1/2, 1, 2 … 9.
SAATY_SCALE: tuple[float, ...] = tuple([1.0 / k for k in range(9, 1, -1)] + [float(k) for k in range(1, 10)])

PRIORITY_METHODS = ("eigenvector", "geometric_mean", "column_mean")

# A judgement typed as a rounded reciprocal (0.111 for 1/9) is admitted at the ends of
# the scale; anything further out is an error.
_SCALE_SLACK = 5e-3
_RECIPROCAL_RTOL = 1e-6

#: Random-index tables, n → RI. Values for n = 1, 2 are 0 by definition.
RI_TABLES: dict[str, dict[int, float]] = {
    # Saaty (1980), random-index table, n = 1…15 (the dip to 1.48 at n = 12 is as published).
    "saaty1980": {1: 0.0, 2: 0.0, 3: 0.58, 4: 0.90, 5: 1.12, 6: 1.24, 7: 1.32, 8: 1.41,
                  9: 1.45, 10: 1.49, 11: 1.51, 12: 1.48, 13: 1.56, 14: 1.57, 15: 1.59},
    # Saaty (2005), p. 31.
    "saaty2005": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.11, 6: 1.25, 7: 1.35, 8: 1.40,
                  9: 1.45, 10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59},
    # 许树柏 (1988) for n ≤ 15, 洪志国 et al. (2002) for 16…30.
    "chinese": {1: 0.0, 2: 0.0, 3: 0.52, 4: 0.89, 5: 1.12, 6: 1.26, 7: 1.36, 8: 1.41,
                9: 1.46, 10: 1.49, 11: 1.52, 12: 1.54, 13: 1.56, 14: 1.58, 15: 1.59,
                16: 1.5943, 17: 1.6064, 18: 1.6133, 19: 1.6207, 20: 1.6292, 21: 1.6358,
                22: 1.6403, 23: 1.6462, 24: 1.6497, 25: 1.6556, 26: 1.6587, 27: 1.6631,
                28: 1.6670, 29: 1.6693, 30: 1.6724},
    # Donegan & Dodd (1991): dense to n = 20, then at 25, 30, 40, …, 100 (linear
    # interpolation in between, as for any sparse published table).
    "donegan_dodd": {1: 0.0, 2: 0.0, 3: 0.4914, 4: 0.8286, 5: 1.0591, 6: 1.1797, 7: 1.2519,
                     8: 1.3171, 9: 1.3733, 10: 1.4055, 11: 1.4213, 12: 1.4497, 13: 1.4643,
                     14: 1.4822, 15: 1.4969, 16: 1.5078, 17: 1.5153, 18: 1.5262, 19: 1.5313,
                     20: 1.5371, 25: 1.5619, 30: 1.5772, 40: 1.5976, 50: 1.6102, 60: 1.6178,
                     70: 1.6237, 80: 1.6277, 90: 1.6213, 100: 1.6339},
}

#: Beyond a table's last n the RI is simulated as Saaty (1980) did: the mean CI of random
#: reciprocal matrices whose upper-triangle entries are drawn uniformly from the 17 values
#: of the 1/9–9 scale. The seed and sample size are fixed so the value is reproducible.
RI_SIMULATION_SAMPLES = 2000
RI_SIMULATION_SEED = 1980

#: Tables whose last published value is held beyond the table instead. Donegan & Dodd's
#: (1991) values sit ~0.1 below Saaty-convention simulations at n = 100 (1.6339 against
#: ~1.73) and change by less than 0.025 from n = 50 to n = 100, so switching to the
#: simulation would make the RI jump at n = 101; holding RI(100) keeps it continuous.
RI_HELD_BEYOND_TABLE = frozenset({"donegan_dodd"})


class RandomIndex(NamedTuple):
    """A random index and where it came from (a table entry, an interpolation or a
    simulation), so the choice can be recorded next to every consistency ratio."""

    value: float
    source: str


class CompletedMatrix(NamedTuple):
    """A pairwise matrix with missing judgements filled, and the (i, j), i < j, cells
    that were filled (0-based)."""

    matrix: np.ndarray
    completed_cells: tuple[tuple[int, int], ...]


@dataclass(frozen=True, eq=False)
class AHPResult:
    """Priorities of one comparison matrix with its consistency statistics.

    ``lambda_max`` is the principal eigenvalue for ``method="eigenvector"``; for the two
    approximate methods it is estimated the usual way, as the mean of (A w)_i / w_i.
    ``ri_source`` says which table entry, interpolation or simulation gave ``ri``.
    ``matrix`` is the matrix the priorities were derived from (completed if needed).
    """

    priorities: np.ndarray
    lambda_max: float
    ci: float
    ri: float
    cr: float
    consistent: bool
    method: str
    ri_table: str
    n: int
    completed_cells: tuple[tuple[int, int], ...]
    ri_source: str
    matrix: np.ndarray
    max_cr: float


# ----------------------------------------------------------------------------- judgements
def parse_judgement(value: Any, *, where: str = "") -> float:
    """Read one pairwise judgement: ``3``, ``0.5``, ``"3"`` or ``"1/3"`` → float.

    The value must be positive and on Saaty's (1980) 1/9–9 scale (a rounded reciprocal
    such as 0.111 for 1/9 is admitted). Errors name ``where``.
    """
    shown = _show(value)
    if isinstance(value, bool) or value is None:
        raise MethodError(M("ahp.judgement_not_number", shown=shown), where=where or None,
                          fix=M("ahp.judgement_not_number.fix"))
    if isinstance(value, numbers.Real):
        number = float(value)
    elif isinstance(value, str):
        number = _parse_text_judgement(value, where)
    else:
        raise MethodError(M("ahp.judgement_not_number_2", shown=shown), where=where or None,
                          fix=M("ahp.judgement_not_number_2.fix"))
    if not math.isfinite(number):
        raise MethodError(M("ahp.judgement_not_finite_number", shown=shown), where=where or None,
                          fix=M("ahp.judgement_not_finite_number.fix"))
    if number <= 0:
        raise MethodError(M("ahp.judgement_not_positive", shown=shown), where=where or None,
                          fix=M("ahp.judgement_not_positive.fix"))
    if number < (1.0 / 9.0) * (1 - _SCALE_SLACK) or number > 9.0 * (1 + _SCALE_SLACK):
        raise MethodError(M("ahp.judgement_outside_saaty_s", shown=shown),
                          where=where or None,
                          fix=M("ahp.judgement_outside_saaty_s.fix"))
    return number


def _show(value: Any) -> str:
    """A value as the user wrote it: text quoted, numbers plain (no numpy repr)."""
    if isinstance(value, numbers.Real) and not isinstance(value, bool):
        return f"{float(value):g}"
    return repr(value)


def _parse_text_judgement(text: str, where: str) -> float:
    cleaned = text.strip()
    try:
        if "/" in cleaned:
            numerator, denominator = (part.strip() for part in cleaned.split("/", 1))
            return float(numerator) / float(denominator)
        return float(cleaned)
    except (ValueError, ZeroDivisionError):
        raise MethodError(M("ahp.cannot_read_judgement", text=text), where=where or None,
                          fix=M("ahp.cannot_read_judgement.fix")) from None


def _is_missing(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return value.strip() == ""
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isnan(value)


def _cell_name(items: Sequence[Hashable] | None, i: int, j: int) -> str:
    if items is None:
        return f"row {i + 1}, column {j + 1}"
    return f"row {i + 1} ({items[i]!r}), column {j + 1} ({items[j]!r})"


def _join_where(where: str, detail: str) -> str:
    return f"{where}, {detail}" if where else detail


def build_matrix(items: Sequence[Hashable], judgements: Mapping[Hashable, Mapping[Hashable, Any]] | None = None,
                 matrix: Sequence[Sequence[Any]] | np.ndarray | None = None, *, where: str = "") -> np.ndarray:
    """Build the n × n pairwise comparison matrix over ``items``.

    Give exactly one of

    * ``matrix`` — a full matrix; cells may be numbers or text fractions. It must be
      positive, with ones on the diagonal and a_ji = 1/a_ij (relative tolerance 1e-6).
      A cell left empty (None, "" or NaN) takes the reciprocal of its mirror; if both
      mirrors are empty the judgement is missing (NaN).
    * ``judgements`` — ``{a: {b: value}}`` meaning "a compared with b is value"; the
      reciprocals are implied and pairs not given are missing (NaN).

    Missing judgements can be filled by :func:`complete_matrix` (Harker 1987).
    """
    names = list(items)
    if not names:
        raise MethodError(M("ahp.no_items_compare"), where=where or None, fix=M("ahp.no_items_compare.fix"))
    if len(set(names)) != len(names):
        duplicated = sorted({str(x) for x in names if names.count(x) > 1})
        raise MethodError(M("ahp.items_are_listed_more", duplicated=', '.join(duplicated)),
                          where=where or None, fix=M("ahp.items_are_listed_more.fix"))
    if (judgements is None) == (matrix is None):
        raise MethodError(M("ahp.give_either_full_matrix"),
                          where=where or None, fix=M("ahp.give_either_full_matrix.fix"))
    if matrix is not None:
        return _matrix_from_cells(names, matrix, where)
    return _matrix_from_judgements(names, judgements, where)


def _matrix_from_cells(names: list, matrix: Any, where: str) -> np.ndarray:
    n = len(names)
    rows = list(matrix)
    if len(rows) != n or any(len(list(row)) != n for row in rows):
        raise MethodError(M("ahp.matrix_must_match_its", n=n),
                          where=where or None, fix=M("ahp.matrix_must_match_its.fix"))
    values = np.full((n, n), np.nan)
    for i, row in enumerate(rows):
        for j, cell in enumerate(row):
            if not _is_missing(cell):
                values[i, j] = parse_judgement(cell, where=_join_where(where, _cell_name(names, i, j)))
    for i in range(n):
        if not math.isnan(values[i, i]) and abs(values[i, i] - 1.0) > 1e-9:
            raise MethodError(M("ahp.diagonal_cell_not_2", values=values[i, i]),
                              where=_join_where(where, _cell_name(names, i, i)),
                              fix=M("ahp.diagonal_cell_not_2.fix"))
        values[i, i] = 1.0
    upper_i, upper_j = np.triu_indices(n, 1)
    for i, j in zip(upper_i, upper_j):
        a, b = values[i, j], values[j, i]
        if math.isnan(a) and not math.isnan(b):
            values[i, j] = 1.0 / b
        elif math.isnan(b) and not math.isnan(a):
            values[j, i] = 1.0 / a
        elif not math.isnan(a) and abs(a * b - 1.0) > _RECIPROCAL_RTOL:
            raise MethodError(M("ahp.its_mirror_are_not_2", a=a, b=b),
                              where=_join_where(where, _cell_name(names, int(i), int(j))),
                              fix=M("ahp.its_mirror_are_not_2.fix", cell_name=_cell_name(names, int(j), int(i)), a=a))
    return values


def _matrix_from_judgements(names: list, judgements: Mapping, where: str) -> np.ndarray:
    n = len(names)
    position = {name: k for k, name in enumerate(names)}
    values = np.full((n, n), np.nan)
    np.fill_diagonal(values, 1.0)

    def locate(name: Hashable) -> int:
        if name not in position:
            raise MethodError(M("ahp.not_one_items_being", name=name),
                              where=where or None,
                              fix=M("ahp.not_one_items_being.fix", map=', '.join(map(str, names))))
        return position[name]

    for row_name, row in judgements.items():
        i = locate(row_name)
        if not isinstance(row, Mapping):
            raise MethodError(M("ahp.judgements_must_map_other", row_name=row_name),
                              where=where or None, fix=M("ahp.judgements_must_map_other.fix", row_name=row_name))
        for column_name, raw in row.items():
            j = locate(column_name)
            cell = _join_where(where, f"judgement {row_name!r} vs {column_name!r}")
            value = parse_judgement(raw, where=cell)
            if i == j:
                if abs(value - 1.0) > 1e-9:
                    raise MethodError(M("ahp.item_compared_with_itself", value=value),
                                      where=cell, fix=M("ahp.item_compared_with_itself.fix"))
                continue
            if not math.isnan(values[i, j]) and abs(values[i, j] * (1.0 / value) - 1.0) > _RECIPROCAL_RTOL:
                raise MethodError(M("ahp.given_as_but_reverse", value=value, values=values[i, j]),
                                  where=cell, fix=M("ahp.given_as_but_reverse.fix"))
            values[i, j] = value
            values[j, i] = 1.0 / value
    return values


# ----------------------------------------------------------------------------- checking
def _as_square(A: Any, where: str) -> np.ndarray:
    try:
        values = np.array(A, dtype=float)
    except (TypeError, ValueError):
        raise MethodError(M("ahp.pairwise_matrix_must_numeric"), where=where or None,
                          fix=M("ahp.pairwise_matrix_must_numeric.fix")) from None
    if values.ndim != 2 or values.shape[0] != values.shape[1] or values.shape[0] == 0:
        raise MethodError(M("ahp.pairwise_matrix_must_square", shape=values.shape),
                          where=where or None, fix=M("ahp.pairwise_matrix_must_square.fix"))
    return values


def check_pairwise_matrix(A: Any, *, items: Sequence[Hashable] | None = None, where: str = "",
                          allow_missing: bool = True) -> np.ndarray:
    """Return ``A`` as a float array after checking that it is a positive reciprocal
    matrix with a unit diagonal (NaN marks a missing judgement when allowed; its mirror
    must be missing too). Errors name the offending cell."""
    values = _as_square(A, where)
    n = values.shape[0]
    if items is not None and len(items) != n:
        raise MethodError(M("ahp.items_but_matrix", n_items=len(items), n=n), where=where or None,
                          fix=M("ahp.items_but_matrix.fix"))
    missing = np.isnan(values)
    bad = (~missing & (~np.isfinite(values) | (values <= 0)))
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise MethodError(M("ahp.judgement_not_positive_finite", values=values[i, j]),
                          where=_join_where(where, _cell_name(items, i, j)),
                          fix=M("ahp.judgement_not_positive_finite.fix"))
    if missing.any() and not allow_missing:
        i, j = map(int, np.argwhere(missing)[0])
        raise MethodError(M("ahp.judgement_missing"), where=_join_where(where, _cell_name(items, i, j)),
                          fix=M("ahp.judgement_missing.fix"))
    diagonal = np.diag(values)
    off_unit = np.isnan(diagonal) | (np.abs(diagonal - 1.0) > 1e-9)
    if off_unit.any():
        i = int(np.argmax(off_unit))
        raise MethodError(M("ahp.diagonal_cell_not", diagonal=diagonal[i]),
                          where=_join_where(where, _cell_name(items, i, i)),
                          fix=M("ahp.diagonal_cell_not.fix"))
    half_missing = missing != missing.T
    if half_missing.any():
        i, j = map(int, np.argwhere(half_missing)[0])
        raise MethodError(M("ahp.judgement_missing_but_its"),
                          where=_join_where(where, _cell_name(items, i, j)),
                          fix=M("ahp.judgement_missing_but_its.fix"))
    with np.errstate(invalid="ignore"):
        not_reciprocal = ~missing & (np.abs(values * values.T - 1.0) > _RECIPROCAL_RTOL)
    if not_reciprocal.any():
        i, j = map(int, np.argwhere(np.triu(not_reciprocal, 1))[0])
        raise MethodError(M("ahp.its_mirror_are_not", values=values[i, j], values2=values[j, i]),
                          where=_join_where(where, _cell_name(items, i, j)),
                          fix=M("ahp.its_mirror_are_not.fix", values=values[i, j]))
    return values


# ----------------------------------------------------------------------------- completion
def _principal_eigenpair(M: np.ndarray) -> tuple[float, np.ndarray]:
    """Perron root and its eigenvector (positive, summing to 1) of a non-negative
    irreducible matrix."""
    eigenvalues, eigenvectors = np.linalg.eig(M)
    k = int(np.argmax(eigenvalues.real))
    vector = np.abs(eigenvectors[:, k].real)
    return float(eigenvalues[k].real), vector / vector.sum()


def complete_matrix(A: Any, *, items: Sequence[Hashable] | None = None, where: str = "") -> CompletedMatrix:
    """Fill missing judgements (NaN) by Harker's (1987) method.

    Harker replaces each missing a_ij by 0 and adds to each diagonal entry the number of
    judgements missing in its row; the principal eigenvector w of that matrix is taken as
    the priorities and each missing a_ij becomes w_i / w_j. The priorities of the completed
    matrix equal Harker's w. Completed values may fall outside 1/9–9; they are derived, not
    judged. The graph of known judgements must be connected, otherwise the relative
    priority of the separate groups is undetermined.
    """
    values = check_pairwise_matrix(A, items=items, where=where, allow_missing=True)
    missing = np.isnan(values)
    if not missing.any():
        return CompletedMatrix(values, ())
    n = values.shape[0]
    from scipy.sparse.csgraph import connected_components  # loaded only when needed

    count, labels = connected_components(~missing, directed=False)
    if count > 1:
        groups = [[(items[k] if items is not None else f"item {k + 1}") for k in range(n) if labels[k] == g]
                  for g in range(count)]
        described = " | ".join("{" + ", ".join(map(str, group)) + "}" for group in groups)
        raise MethodError(M("ahp.known_judgements_fall_into", count=count, described=described),
                          where=where or None,
                          fix=M("ahp.known_judgements_fall_into.fix"))
    harker = np.where(missing, 0.0, values)
    harker[np.diag_indices(n)] += missing.sum(axis=1)
    _, weights = _principal_eigenpair(harker)
    completed = np.where(missing, weights[:, None] / weights[None, :], values)
    rows, columns = np.nonzero(np.triu(missing, 1))
    return CompletedMatrix(completed, tuple((int(i), int(j)) for i, j in zip(rows, columns)))


# ----------------------------------------------------------------------------- random index
@lru_cache(maxsize=64)
def _simulate_random_index(n: int, samples: int = RI_SIMULATION_SAMPLES, seed: int = RI_SIMULATION_SEED) -> float:
    """Mean CI of ``samples`` random reciprocal n × n matrices on the 1/9–9 scale."""
    scale = np.asarray(SAATY_SCALE)
    upper_i, upper_j = np.triu_indices(n, 1)
    rng = np.random.default_rng(seed)
    chunk = max(1, min(samples, 4_000_000 // (n * n)))  # keep each block near 32 MB
    total = 0.0
    done = 0
    while done < samples:
        size = min(chunk, samples - done)
        draws = scale[rng.integers(0, scale.size, size=(size, upper_i.size))]
        block = np.ones((size, n, n))
        block[:, upper_i, upper_j] = draws
        block[:, upper_j, upper_i] = 1.0 / draws
        total += float(np.sum(_batched_perron_root(block) - n) / (n - 1))
        done += size
    return total / samples


def _batched_perron_root(block: np.ndarray, rtol: float = 1e-12, max_iter: int = 1000) -> np.ndarray:
    """Perron roots of a stack of positive matrices by power iteration, stopped by the
    Collatz–Wielandt bounds min_i (Ax)_i/x_i ≤ λ ≤ max_i (Ax)_i/x_i."""
    x = np.full(block.shape[:2], 1.0 / block.shape[1])
    lower = upper = np.zeros(block.shape[0])
    for _ in range(max_iter):
        y = np.einsum("sij,sj->si", block, x)
        ratios = y / x
        lower, upper = ratios.min(axis=1), ratios.max(axis=1)
        x = y / y.sum(axis=1, keepdims=True)
        if np.all(upper - lower <= rtol * upper):
            break
    return 0.5 * (lower + upper)


def random_index(n: int, table: str = "saaty1980") -> RandomIndex:
    """Random index RI(n) from a published table, with its source.

    Tables: ``saaty1980``, ``saaty2005``, ``chinese``, ``donegan_dodd`` (see the module
    references). Between two published entries of a sparse table the RI is interpolated
    linearly. Beyond a table's last n it is simulated by Saaty's (1980) own procedure —
    the mean CI of ``RI_SIMULATION_SAMPLES`` random reciprocal matrices on the 17-value
    1/9–9 scale, numpy PCG64 seed ``RI_SIMULATION_SEED`` — so any n works and the value is
    reproducible (it agrees with the large-sample tables to about 0.005 at n = 15–30).
    The tables in ``RI_HELD_BEYOND_TABLE`` (Donegan & Dodd) follow another convention than
    that simulation; beyond n = 100 they hold their last published value, RI(100) = 1.6339.
    """
    if table not in RI_TABLES:
        raise MethodError(M("ahp.unknown_random_index_table", table=table),
                          fix=M("ahp.unknown_random_index_table.fix", RI_TABLES=', '.join(RI_TABLES)))
    if not isinstance(n, (int, np.integer)) or n < 1:
        raise MethodError(M("ahp.matrix_order_must_positive", n=n))
    n = int(n)
    if n <= 2:
        return RandomIndex(0.0, "n ≤ 2: every reciprocal matrix of this order is consistent")
    entries = RI_TABLES[table]
    if n in entries:
        return RandomIndex(entries[n], f"{table} table, n = {n}")
    orders = sorted(entries)
    if n < orders[-1]:
        below = max(k for k in orders if k < n)
        above = min(k for k in orders if k > n)
        share = (n - below) / (above - below)
        value = entries[below] + share * (entries[above] - entries[below])
        return RandomIndex(value, f"{table} table, linear interpolation between n = {below} and n = {above}")
    if table in RI_HELD_BEYOND_TABLE:
        return RandomIndex(entries[orders[-1]], f"{table} table, last published value (n = {orders[-1]}) "
                                                f"held for n = {n}, as the table's values level off")
    value = _simulate_random_index(n)
    return RandomIndex(value, f"simulated beyond the {table} table (last n = {orders[-1]}): mean CI of "
                              f"{RI_SIMULATION_SAMPLES} random reciprocal {n}×{n} matrices on the "
                              f"1/9–9 scale, seed {RI_SIMULATION_SEED} (Saaty 1980 procedure)")


# ----------------------------------------------------------------------------- priorities
def _priority_vector(values: np.ndarray, method: str) -> tuple[np.ndarray, float]:
    n = values.shape[0]
    if method == "eigenvector":
        lambda_max, weights = _principal_eigenpair(values)
        return weights, lambda_max
    if method == "geometric_mean":
        weights = np.exp(np.log(values).mean(axis=1))
    else:  # column_mean: normalise each column to sum 1, average across each row
        weights = (values / values.sum(axis=0)).mean(axis=1)
    weights = weights / weights.sum()
    # Usual estimate of λmax for the approximate methods: mean of (A w)_i / w_i.
    lambda_max = float(np.mean(values @ weights / weights)) if n > 1 else 1.0
    return weights, lambda_max


def priorities(A: Any, method: str = "eigenvector", ri_table: str = "saaty1980", max_cr: float = 0.10, *,
               items: Sequence[Hashable] | None = None, where: str = "") -> AHPResult:
    """Priorities and consistency of a pairwise comparison matrix (Saaty 1980).

    ``method``: ``"eigenvector"`` (principal right eigenvector, Saaty 1980),
    ``"geometric_mean"`` (normalised row geometric means, Crawford & Williams 1985) or
    ``"column_mean"`` (average of the column-normalised rows, Saaty's approximation, the
    和积法 of SPSSAU). For the two approximations λmax = mean_i (A w)_i / w_i.
    CI = (λmax − n)/(n − 1) (clipped at 0 against round-off), CR = CI/RI with RI from
    ``ri_table`` (see :func:`random_index`); CR is 0 for n ≤ 2. ``consistent`` is
    CR < ``max_cr``. Missing judgements (NaN) are first completed by Harker's method.
    """
    if method not in PRIORITY_METHODS:
        raise MethodError(M("ahp.unknown_priority_method", method=method), where=where or None,
                          fix=M("ahp.unknown_priority_method.fix", PRIORITY_METHODS=', '.join(PRIORITY_METHODS)))
    if ri_table not in RI_TABLES:
        raise MethodError(M("ahp.unknown_random_index_table_2", ri_table=ri_table), where=where or None,
                          fix=M("ahp.unknown_random_index_table_2.fix", RI_TABLES=', '.join(RI_TABLES)))
    if not (isinstance(max_cr, numbers.Real) and 0 < max_cr <= 1):
        raise MethodError(M("ahp.max_cr_must_between", max_cr=max_cr), where=where or None,
                          fix=M("ahp.max_cr_must_between.fix"))
    completed, completed_cells = complete_matrix(A, items=items, where=where)
    n = completed.shape[0]
    weights, lambda_max = _priority_vector(completed, method)
    ri = random_index(n, ri_table)
    ci = max((lambda_max - n) / (n - 1), 0.0) if n > 2 else 0.0
    cr = ci / ri.value if n > 2 else 0.0
    return AHPResult(priorities=weights, lambda_max=float(lambda_max), ci=float(ci), ri=float(ri.value),
                     cr=float(cr), consistent=bool(cr < max_cr), method=method, ri_table=ri_table, n=n,
                     completed_cells=completed_cells, ri_source=ri.source, matrix=completed,
                     max_cr=float(max_cr))
