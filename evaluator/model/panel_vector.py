"""Column-wise reading of panel cells: the common cells of a whole column at once.

A yearbook column is mostly plain numbers (``1234.5``, ``-0.3``, ``1.2e5``, ``1,234.5``),
empty cells and numbers Excel already stored as numbers. These are converted here for the
whole column in one pass (pyarrow's RE2 matching and its correctly rounded string → float
cast, numpy comparisons); every other cell — ``NA``, full-width digits, a
date, ``12%`` — is marked for the careful per-cell rules of :mod:`evaluator.model.panel_io`,
which keep their exact messages. A cell is taken here only when the per-cell rules would
give it the same value, so the result never depends on which path read a cell:

* a text cell whose ASCII-trimmed text fully matches the plain-number grammar of
  :func:`evaluator.model.panel_io.parse_number` (or its thousands-separated form) and is
  finite is that number (Python's ``float`` and Arrow's cast are both correctly rounded,
  so they give the same double); an empty or blank text is missing;
* a ``float``/``int`` cell (numpy's too, never a bool) is its value; NaN is missing;
  ``None`` is missing;
* anything else, any text that is one of the missing markers and also looks like a number,
  and any non-finite number goes to the per-cell path.
"""
from __future__ import annotations

import functools
import re
from typing import Collection, Sequence

import numpy as np

_NUMBER = r"^[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?$"
_THOUSANDS = r"^[+-]?[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]*)?$"
_TRIM = " \t\n\r\f\v"
_FLOATS = (float, np.float64, np.float32, np.float16)
_INTS = (int, np.int64, np.int32, np.int16, np.int8, np.uint64, np.uint32, np.uint16,
         np.uint8)


def as_objects(cells: Sequence) -> np.ndarray:
    """Cells as a 1-D object array (never broadcast: a list cell stays one cell)."""
    return np.fromiter(cells, dtype=object, count=len(cells))


_KIND_OF = {str: 1, type(None): 4, **{t: 2 for t in _FLOATS}, **{t: 3 for t in _INTS}}
_kind_codes = np.frompyfunc(lambda cell: _KIND_OF.get(type(cell), 0), 1, 1)


def _kinds(col: np.ndarray) -> dict[str, np.ndarray]:
    """Masks of text, float, int and None cells (by exact type: bools are neither)."""
    import pandas as pd
    whole = pd.api.types.infer_dtype(col, skipna=False) if len(col) else "empty"
    if whole == "string":   # every cell text (a CSV column): one C pass decides
        codes = np.ones(len(col), dtype=np.int8)
    else:
        codes = _kind_codes(col).astype(np.int8) if len(col) else np.zeros(0, np.int8)
    return {kind: codes == code for kind, code in
            (("str", 1), ("float", 2), ("int", 3), ("none", 4))}


def _trimmed_text(values: np.ndarray):
    """The text cells as an Arrow array with ASCII blanks trimmed, or None when Arrow
    cannot hold them (lone surrogates): then every text cell takes the per-cell path."""
    import pyarrow as pa
    import pyarrow.compute as pc
    try:
        text = pa.array(values, type=pa.string())
    except (pa.ArrowException, UnicodeError):
        return None
    return pc.utf8_trim(text, _TRIM)


@functools.lru_cache(maxsize=8)
def _number_like(markers: frozenset) -> list[str]:
    """The missing markers that look like numbers (none of the built-in ones do)."""
    return sorted(m for m in markers if re.fullmatch(_NUMBER[1:-1], m) or
                  re.fullmatch(_THOUSANDS[1:-1], m))


def numbers(cells: Sequence, markers: Collection[str]) -> tuple[np.ndarray, np.ndarray]:
    """``(values, careful)``: floats (NaN = missing) of the cells read here, and the mask
    of cells left to the per-cell rules. ``markers`` are the missing markers (compared
    after NFKC + casefold): a marker that looks like a number is never read as one here."""
    import pyarrow as pa
    import pyarrow.compute as pc

    col = as_objects(cells)
    n = len(col)
    out = np.full(n, np.nan)
    kinds = _kinds(col)
    careful = ~(kinds["str"] | kinds["float"] | kinds["int"] | kinds["none"])
    for kind in ("float", "int"):
        idx = np.flatnonzero(kinds[kind])
        try:
            vals = col[idx].astype(float)
        except OverflowError:  # an int beyond float's range: the per-cell path says so
            careful[idx] = True
            continue
        bad = np.isinf(vals)
        out[idx[~bad]] = vals[~bad]            # NaN stays NaN: missing
        careful[idx[bad]] = True
    idx = np.flatnonzero(kinds["str"])
    if idx.size:
        text = _trimmed_text(col[idx])
        if text is None:
            careful[idx] = True
            return out, careful
        plain = pc.match_substring_regex(text, _NUMBER)
        grouped = pc.match_substring_regex(text, _THOUSANDS)
        numeric = pc.or_(plain, grouped)
        number_markers = _number_like(frozenset(markers))
        if number_markers:
            numeric = pc.and_(numeric, pc.invert(pc.is_in(pc.utf8_lower(text),
                                                          pa.array(number_markers))))
        blank = pc.equal(text, "").to_numpy(zero_copy_only=False)
        numeric = numeric.to_numpy(zero_copy_only=False)
        chosen = pc.filter(pc.if_else(grouped, pc.replace_substring(text, ",", ""), text),
                           pa.array(numeric))
        vals = pc.cast(chosen, pa.float64()).to_numpy(zero_copy_only=False)
        finite = np.isfinite(vals)
        taken = idx[numeric]
        out[taken[finite]] = vals[finite]
        careful[taken[~finite]] = True
        careful[idx[~numeric & ~blank]] = True
    return out, careful


def labels(cells: Sequence) -> tuple[np.ndarray, np.ndarray]:
    """``(names, careful)``: text cells stripped (None when blank), as Python's
    ``str.strip`` does; other cells are left to the per-cell rules."""
    col = as_objects(cells)
    out = np.full(len(col), None, dtype=object)
    is_text = _kinds(col)["str"]
    idx = np.flatnonzero(is_text)
    if idx.size:
        stripped = np.frompyfunc(str.strip, 1, 1)(col[idx])
        blank = stripped == ""
        stripped[blank] = None
        out[idx] = stripped
    return out, ~is_text
