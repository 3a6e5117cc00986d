"""The panel's time column, read at once: one frequency per panel (issue 14).

:func:`read_time_column` turns the cells of the year/period column into calendar keys
(:mod:`evaluator.model.period`) and the panel's frequency, or raises one
:class:`DataError` that lists the unreadable rows with the accepted forms, or names a row
of each frequency when a panel mixes them (``2024`` beside ``2024Q1``).
"""
from __future__ import annotations

import numpy as np

from evaluator.errors import DataError
from evaluator.i18n import M, joined
from evaluator.model.panel_io import Problems, Table, is_missing
from evaluator.model.period import FREQUENCIES, parse_periods



def read_time_column(table: Table, position: int, problems: Problems
                     ) -> tuple[np.ndarray, str]:
    """(calendar keys int64, frequency) of the column at ``position``; unreadable cells
    go to ``problems`` (the caller raises them with the unit column's), a mixture of
    frequencies is raised here."""
    cells = table.cells(position)
    keys, freqs, ok = parse_periods(cells)
    for row in np.flatnonzero(~ok):
        cell = cells[row]
        reason = M("panel.period.empty") if is_missing(cell) else \
            M("panel.period.unreadable")
        problems.add(int(row), position, cell, reason)
    present = [f for f in FREQUENCIES if (ok & (freqs == f)).any()]
    if len(present) > 1:
        firsts = [int(np.flatnonzero(ok & (freqs == f))[0]) for f in present]
        lines = [M("panel.period.is_kind", row=table.row_names[r], cell=repr(cells[r]),
                   kind=M(f"panel.period.kind.{f}")) for f, r in zip(present, firsts)]
        raise DataError(M("panel.period.mixed", column=table.column(position),
                          kinds=joined([M(f"panel.period.freq.{f}") for f in present], " + "),
                          rows=joined(lines, "; ")),
                        where=table.where, fix=M("panel.period.mixed.fix"))
    return keys, (present[0] if present else "year")
