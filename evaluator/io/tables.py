"""Output tables as columns of text, then as CSV or Parquet bytes: whole columns at once.

pandas' ``to_csv`` formats every cell in Python (7–11 MB per CPU-second on the demo's
tables); here each column is turned into an Arrow array once and Arrow's CSV writer
writes the bytes. The content is what ``to_csv`` wrote before, read back equal by pandas:

* floats at full precision: Arrow's shortest round-trip digits (the same double back),
  with ``.0`` after a whole number as Python writes it (``1.0``, ``-0.0``), so a column of
  whole floats reads back as floats; NaN empty; ``inf``/``-inf`` as Python writes them
  (Arrow may choose an exponent where Python does not, ``1e+15`` for
  ``1000000000000000.0``: the same number);
* booleans ``True``/``False``; missing values empty;
* the formula-injection guard: a text cell (and a header) beginning with ``=``, ``+``,
  ``-``, ``@``, tab or CR gets a leading ``'`` (OWASP "CSV injection"), column by column;
* quoting only where a value needs it: when no cell holds ``"``, ``,``, CR or LF nothing
  is quoted (as pandas writes); otherwise text cells are quoted, as CSV allows;
* UTF-8 with a byte-order mark (Excel then shows Chinese text) and ``\\n`` line ends.

Parquet keeps the types (float64, int64, bool, text) and the same guarded text.
"""
from __future__ import annotations

import csv
import io
import itertools
import re
from pathlib import Path
from typing import BinaryIO

import pandas as pd

from .jobs import checkpoint
from .long_table import LongTable

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = b"\xef\xbb\xbf"
_NEEDS_QUOTES = r'[",\r\n]'
ROWS_PER_SLICE = 200_000        # rows converted to text at once (bounds the writer's memory)


def neutralise(value):
    """Make a text cell inert in Excel/LibreOffice (OWASP 'CSV injection')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _guard(text):
    """The formula-injection guard on an Arrow string array."""
    import pyarrow.compute as pc
    risky = None
    for start in FORMULA_START:
        hit = pc.starts_with(text, start)
        risky = hit if risky is None else pc.or_(risky, hit)
    if not pc.any(risky).as_py():
        return text
    return pc.if_else(risky, pc.binary_join_element_wise("'", text, ""), text)


def _float_text(values, numbers=None):
    """float64 Arrow array → text as Python writes it (``1.0``, not ``1``).

    Arrow writes the shortest round-trip digits, as Python does, in fixed notation for
    1e-6 ≤ |x| < 1e10 and with an exponent elsewhere; Python in fixed notation for
    1e-4 ≤ |x| < 1e16. So a number in [1e-4, 1e10) (or zero) is Arrow's text, with
    ``.0`` after a whole number; any other finite number (an exponent, or a fixed form
    Python writes with one: 1e-5 vs 1e-05, 1e+15 vs 1000000000000000.0) is written by
    Python's ``repr`` — a few cells. Chosen on the numbers, not by matching the text
    (``numbers``: the same values as a float64 NumPy array, NaN where missing)."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc
    text = pc.cast(values, pa.string())
    x = values.to_numpy(zero_copy_only=False) if numbers is None else numbers
    size = np.abs(x)
    with np.errstate(invalid="ignore"):
        plain = ((size >= 1e-4) & (size < 1e10)) | (size == 0)
        whole = plain & (x == np.trunc(x))
        odd = ~plain & np.isfinite(x)
    if whole.any():
        text = pc.replace_with_mask(text, pa.array(whole), pc.binary_join_element_wise(
            text.filter(pa.array(whole)), ".0", ""))
    if odd.any():
        python = [repr(float(v)) for v in x[odd]]
        text = pc.replace_with_mask(text, pa.array(odd), pa.array(python, pa.string()))
    return text


def _bool_text(values):
    import pyarrow as pa
    import pyarrow.compute as pc
    return pc.if_else(values, pa.scalar("True"), pa.scalar("False"))


def _object_array(series: pd.Series):
    """An object column as one Arrow array; a column mixing kinds (numbers and text) is
    written as pandas wrote it: each value's ``str``, missing values empty."""
    import pyarrow as pa
    if isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow":
        # text already held by Arrow (pandas' "str" columns): the same strings, no copy
        # through Python objects; as ``string``, the type the path below gives
        return pa.array(series).cast(pa.string())
    try:
        return pa.array(series.to_numpy(dtype=object), from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError, OverflowError):
        missing = series.isna().to_numpy()
        text = series.astype(str).to_numpy(dtype=object)
        text[missing] = None
        return pa.array(text, type=pa.string())


def column_array(series: pd.Series, *, as_text: bool):
    """One column as an Arrow array: text for CSV (``as_text``), typed for Parquet; text
    cells guarded either way."""
    import pyarrow as pa
    if isinstance(series.dtype, pd.CategoricalDtype):
        series = series.astype(object)
    numbers = None
    if pd.api.types.is_bool_dtype(series.dtype) or pd.api.types.is_numeric_dtype(series.dtype):
        if isinstance(series.dtype, pd.api.extensions.ExtensionDtype):
            values = pa.array(series, from_pandas=True)
        else:
            numbers = series.to_numpy()
            values = pa.array(numbers, from_pandas=True)
    elif series.dtype == object or pd.api.types.is_string_dtype(series.dtype):
        values = _object_array(series)
    else:  # dates, periods, intervals …: their text, as pandas wrote them
        values = _object_array(series.astype(str).where(series.notna(), None))
    kind = values.type
    if pa.types.is_string(kind) or pa.types.is_large_string(kind):
        return _guard(values)
    if pa.types.is_null(kind):
        return pa.nulls(len(values), pa.string()) if as_text else values
    if not as_text:
        return values
    if pa.types.is_floating(kind):
        if numbers is None or numbers.dtype != "float64":
            numbers = None
        return _float_text(values.cast(pa.float64()), numbers)
    if pa.types.is_boolean(kind):
        return _bool_text(values)
    return values


def arrow_table(frame: pd.DataFrame, *, as_text: bool):
    """The frame as an Arrow table with guarded header and cells."""
    import pyarrow as pa
    names = [neutralise(str(c)) for c in frame.columns]
    arrays = [column_array(frame.iloc[:, k], as_text=as_text)
              for k in range(frame.shape[1])]
    return pa.Table.from_arrays(arrays, names=names)


def _mixed_as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns mixing kinds (numbers and text) turned into text for the whole
    table first, so every slice writes them alike (a slice of only numbers would
    otherwise be written unquoted where the rest is quoted text)."""
    mixed = [k for k in range(frame.shape[1]) if frame.iloc[:, k].dtype == object and
             pd.api.types.infer_dtype(frame.iloc[:, k], skipna=True) not in
             ("string", "floating", "integer", "boolean", "empty")]
    if not mixed:
        return frame
    frame = frame.copy(deep=False)
    for k in mixed:
        series = frame.iloc[:, k]
        frame.isetitem(k, series.astype(str).where(series.notna(), None).astype(object))
    return frame


def _needs_quotes(frame: pd.DataFrame) -> bool:
    """Whether a header or text cell holds a quote, comma, CR or LF (numbers never do)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    if any(any(ch in str(name) for ch in '",\r\n') for name in frame.columns):
        return True
    for k in range(frame.shape[1]):
        series = frame.iloc[:, k]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(
                series.dtype):
            continue
        values = column_array(series, as_text=True)
        if pa.types.is_string(values.type) and pc.any(
                pc.match_substring_regex(values, _NEEDS_QUOTES)).as_py():
            return True
    return False


def write_csv_stream(frame, stream: BinaryIO, *, bom: bool = True,
                     rows_per_slice: int = ROWS_PER_SLICE) -> None:
    """``frame`` as CSV bytes on ``stream`` (see the module docstring), converted and
    written ``rows_per_slice`` rows at a time, so the text of a large table is never
    held whole. ``frame`` may be a :class:`~evaluator.io.long_table.LongTable`: its rows
    are then made a block at a time too."""
    import pyarrow.csv as pcsv
    if bom:
        stream.write(BOM)
    if isinstance(frame, LongTable):
        _write_long_csv(frame, stream, rows_per_slice)
        return
    names = [neutralise(str(c)) for c in frame.columns]
    if frame.shape[1] == 0 or (frame.shape[1] == 1 and frame.iloc[:, 0].isna().any()):
        # no columns, or one with empty cells: a row would be a blank line, which readers
        # skip; written as the csv module writes it (an empty cell as "")
        table = arrow_table(frame, as_text=True)
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(names)
        if table.num_columns:
            writer.writerows([v] for v in table.column(0).to_pylist())
        stream.write(text.getvalue().encode("utf-8"))
        return
    frame = _mixed_as_text(frame)
    options = pcsv.WriteOptions(include_header=False, batch_size=65536,
                                quoting_style="needed" if _needs_quotes(frame) else "none")
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow(names)  # quoted as pandas quotes
    stream.write(header.getvalue().encode("utf-8"))
    for start in range(0, len(frame), rows_per_slice):
        checkpoint()
        part = frame.iloc[start:start + rows_per_slice]
        pcsv.write_csv(arrow_table(part, as_text=True), stream, options)


def _write_long_csv(table: LongTable, stream: BinaryIO, rows_per_slice: int) -> None:
    """A long table's CSV: the quoting chosen once from every text it can hold, then its
    rows a block at a time (the bytes the whole frame gives)."""
    import pyarrow.csv as pcsv
    # blocks of a quarter of the slice: two long tables are written at once (the bytes
    # do not depend on where the blocks end)
    chunks = table.chunks(max(1, rows_per_slice // 4))
    first = next(chunks)
    names = [str(c) for c in first.columns]
    special = re.compile(_NEEDS_QUOTES)
    quote = any(special.search(v) for v in (*names, *table.text_values()))
    options = pcsv.WriteOptions(include_header=False, batch_size=65536,
                                quoting_style="needed" if quote else "none")
    header = io.StringIO()
    csv.writer(header, lineterminator="\n").writerow([neutralise(n) for n in names])
    stream.write(header.getvalue().encode("utf-8"))
    for part in itertools.chain([first], chunks):
        checkpoint()
        pcsv.write_csv(arrow_table(part, as_text=True), stream, options)


def write_csv_file(frame: pd.DataFrame, path: Path, *, bom: bool = True) -> None:
    with open(path, "wb") as stream:
        write_csv_stream(frame, stream, bom=bom)


def write_parquet_file(frame: pd.DataFrame, path: Path, *,
                       rows_per_slice: int = ROWS_PER_SLICE) -> None:
    """``frame`` as a Parquet file (zstd-compressed, no creation time, no pandas index),
    the same bytes for the same table; a :class:`~evaluator.io.long_table.LongTable`
    one row group per ``rows_per_slice`` rows or so."""
    import pyarrow.parquet as pq
    if isinstance(frame, LongTable):
        _write_long_parquet(frame, path, rows_per_slice)
        return
    table = arrow_table(frame, as_text=False)
    pq.write_table(table.replace_schema_metadata(None), path, compression="zstd",
                   store_schema=False)


def _write_long_parquet(table: LongTable, path: Path, rows_per_slice: int) -> None:
    """A long table's Parquet file: one row group per block of rows, every block in the
    first block's schema."""
    import pyarrow.parquet as pq
    writer = None
    try:
        for part in table.chunks(rows_per_slice):
            checkpoint()
            arrow = arrow_table(part, as_text=False).replace_schema_metadata(None)
            if writer is None:
                schema = arrow.schema
                writer = pq.ParquetWriter(path, schema, compression="zstd",
                                          store_schema=False)
            writer.write_table(arrow.cast(schema))
    finally:
        if writer is not None:
            writer.close()
