"""Argument checks shared by the methods (one wording for the same mistake everywhere)."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from ..errors import MethodError


def column_names(names: Sequence[str] | None, m: int) -> list[str]:
    """Indicator names for messages: the given ones, or "column j"."""
    if names is None:
        return [f"column {j}" for j in range(m)]
    names = [str(s) for s in names]
    if len(names) != m:
        raise MethodError(f"{len(names)} names for {m} indicator columns")
    return names


def require_finite(values: np.ndarray, where: str = "") -> None:
    """A matrix for TOPSIS or grey relational analysis must be complete."""
    bad = ~np.isfinite(values)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        raise MethodError(f"value {float(values[i, j])!r} at unit row {i + 1}, indicator column "
                          f"{j + 1} is missing or not finite", where=where or None,
                          fix="impute or drop missing values before aggregation")
