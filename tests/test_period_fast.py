"""parse_periods' column-wise path for plain years (issue 11) reads every cell as the
careful cell-by-cell path does, on columns mixing plain years with everything else."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from evaluator.model.period import _parse_careful, parse_periods
import pandas as pd

OTHERS = ["2024年", "2024H1", "２０２４", "٢٠٢٤", "2024.0", " 2024 ", "2024Q3", "2024-07",
          "0999", "999", "12345", "", "x", None, np.nan, 2024.0, 999, 10_000, True,
          np.int64(2030), dt.date(2024, 3, 1), "2024年第三季度", 2**70, "2024\n"]


def careful(cells):
    return _parse_careful(pd.Series(list(cells), dtype=object))


@pytest.mark.parametrize("seed", range(20))
def test_mixed_columns_read_as_the_careful_path_reads_them(seed):
    rng = np.random.default_rng(seed)
    years = [str(y) for y in rng.integers(0, 10_000, 30)] + \
        [int(y) for y in rng.integers(0, 12_000, 30)]
    pool = years + OTHERS
    for size in (1, 5, 40):
        picks = rng.integers(0, len(pool), size)
        kind = rng.integers(0, 3)         # only text, only integers, or anything
        cells = [pool[k] for k in picks]
        if kind == 0:
            cells = [c for c in cells if isinstance(c, str)] or ["2024"]
        elif kind == 1:
            cells = [c for c in cells if type(c) is int] or [2024]
        fast, slow = parse_periods(cells), careful(cells)
        for a, b in zip(fast, slow):
            assert a.dtype == b.dtype and np.array_equal(a, b), cells


def test_plain_years_take_the_column_wise_path(monkeypatch):
    """Plain years never reach the careful path; only the cells they are not do (the
    speed itself is benchmarks/'s to show, not a timed test's)."""
    from evaluator.model import period
    seen = []

    def spy(values):
        seen.append(len(values))
        return _parse_careful(values)
    monkeypatch.setattr(period, "_parse_careful", spy)
    cells = tuple(str(2000 + k % 25) for k in range(300_000))
    keys, freqs, ok = parse_periods(cells)
    assert seen == []
    assert ok.all() and (freqs == "year").all() and keys[:3].tolist() == [2000, 2001, 2002]
    keys, freqs, ok = parse_periods(cells[:10] + ("2024H2", "oops"))
    assert ok.tolist() == [True] * 11 + [False]
    assert seen == [2]                      # the two cells that are not plain years
    assert keys[10] == 2024 * 2 + 1 and freqs[10] == "half" and freqs[11] == ""
