"""Which judgements of an inconsistent AHP matrix most need revising.

Reference
---------
Saaty, T.L. (2003). Decision-making with the AHP: Why is the principal eigenvector
    necessary. *European Journal of Operational Research* 145(1), 85–91. With w the
    priorities, the judgement a_ij deviates from the rest by ε_ij = a_ij·w_j/w_i; the
    judgement with the largest deviation is the one to reconsider first, and w_i/w_j is
    the value that would agree with the other judgements.

We rank the judgements by |ln ε_ij| (a judgement three times too high and one three times
too low count alike), suggest w_i/w_j both raw and rounded (in log space) to the nearest
value of Saaty's 1/9–9 scale, and report the CR after that single change.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Hashable, Sequence

import numpy as np

from evaluator.errors import MethodError
from evaluator.methods.ahp import SAATY_SCALE, priorities
from ..i18n import M


@dataclass(frozen=True)
class RevisionHint:
    """One judgement worth revising: cell (row, column) of the matrix (0-based, row <
    column), its item names if known, the current value, the value consistent with the
    other judgements (raw and on the Saaty scale), the deviation |ln ε| and the CR
    before and after replacing the judgement (and its reciprocal) by ``suggested``.

    For a pooled (group) matrix ``current`` is a geometric mean nobody wrote: ``by_expert``
    then holds each expert's own judgement of the same pair, (name, value), value None
    where the expert left the pair blank (see :func:`with_expert_judgements`)."""

    row: int
    column: int
    row_item: Hashable | None
    column_item: Hashable | None
    current: float
    suggested: float
    suggested_raw: float
    deviation: float
    cr_before: float
    cr_after: float
    by_expert: tuple[tuple[str, float | None], ...] = ()


def nearest_scale_value(ratio: float | np.ndarray) -> float | np.ndarray:
    """Nearest value of Saaty's 1/9–9 scale in log space (so 1/3 and 3 are treated alike);
    ratios beyond the ends go to 1/9 or 9."""
    scale = np.asarray(SAATY_SCALE)
    logs = np.log(np.asarray(ratio, dtype=float))
    index = np.abs(logs[..., None] - np.log(scale)).argmin(axis=-1)
    nearest = scale[index]
    return float(nearest) if np.ndim(nearest) == 0 else nearest


def revision_hints(A: Any, k: int = 3, *, method: str = "eigenvector", ri_table: str = "saaty1980",
                   items: Sequence[Hashable] | None = None, where: str = "") -> list[RevisionHint]:
    """The ``k`` judgements that most need revising, most deviant first (Saaty 2003).

    Judgements filled by completion (missing in ``A``) are never suggested. Works on any
    matrix; for a consistent one every deviation is ~0 and the CR does not change.
    """
    if not isinstance(k, (int, np.integer)) or k < 1:
        raise MethodError(M("ahp_repair.k_must_positive_integer", k=k), where=where or None,
                          fix=M("ahp_repair.k_must_positive_integer.fix"))
    base = priorities(A, method=method, ri_table=ri_table, items=items, where=where)
    matrix, weights, n = base.matrix, base.priorities, base.n
    rows, columns = np.triu_indices(n, 1)
    judged = np.ones(rows.size, dtype=bool)
    for i, j in base.completed_cells:
        judged &= ~((rows == i) & (columns == j))
    rows, columns = rows[judged], columns[judged]
    deviation = np.abs(np.log(matrix[rows, columns] * weights[columns] / weights[rows]))
    order = np.argsort(-deviation, kind="stable")[:k]
    hints = []
    for position in order:
        i, j = int(rows[position]), int(columns[position])
        raw = float(weights[i] / weights[j])
        suggested = float(nearest_scale_value(raw))
        revised = matrix.copy()
        revised[i, j], revised[j, i] = suggested, 1.0 / suggested
        after = priorities(revised, method=method, ri_table=ri_table, items=items, where=where)
        hints.append(RevisionHint(row=i, column=j, row_item=items[i] if items is not None else None,
                                  column_item=items[j] if items is not None else None,
                                  current=float(matrix[i, j]), suggested=suggested, suggested_raw=raw,
                                  deviation=float(deviation[position]), cr_before=base.cr, cr_after=after.cr))
    return hints


def with_expert_judgements(hints: Sequence[RevisionHint], names: Sequence[str],
                           matrices: Sequence[np.ndarray]) -> list[RevisionHint]:
    """The hints with each expert's own judgement of the hinted pair attached, so a hint on
    a pooled matrix can say who wrote what (``matrices`` are the experts' matrices in the
    pooled matrix's item order, NaN where a judgement was left out)."""
    if len(names) != len(matrices):
        raise MethodError(M("ahp_repair.expert_names_matrices", n_names=len(names), n_matrices=len(matrices)),
                          fix=M("ahp_repair.expert_names_matrices.fix"))
    out = []
    for hint in hints:
        values = tuple((str(name), None if np.isnan(m[hint.row, hint.column]) else float(m[hint.row, hint.column]))
                       for name, m in zip(names, matrices))
        out.append(replace(hint, by_expert=values))
    return out
