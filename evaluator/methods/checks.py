"""Argument checks shared by the methods (one wording for the same mistake everywhere)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError
from ..i18n import M


def column_names(names: Sequence[str] | None, m: int) -> list[str]:
    """Indicator names for messages: the given ones, or "column j"."""
    if names is None:
        return [f"column {j}" for j in range(m)]
    names = [str(s) for s in names]
    if len(names) != m:
        raise MethodError(M("checks.names_indicator_columns", n_names=len(names), m=m))
    return names


def require_finite(values: np.ndarray, where: str = "") -> None:
    """A matrix for TOPSIS or grey relational analysis must be complete."""
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise MethodError(M("checks.value_unit_row_indicator", values=float(values[i, j]), value=i + 1, value2=j + 1), where=where or None,
                          fix=M("checks.value_unit_row_indicator.fix"))
