"""Writing output files safely: atomically, deterministically, and with spreadsheet
formula injection neutralised (a text cell beginning with = + - @ is prefixed with ')."""
from __future__ import annotations

import functools
import hashlib
import os
import tempfile
from pathlib import Path
from typing import Mapping

import pandas as pd

from .errors import EvaluatorError
from .i18n import M
from .io.jobs import run_all
from .io.long_table import LongTable
from .io.tables import FORMULA_START, neutralise, write_csv_file, write_parquet_file

_UMASK = os.umask(0)
os.umask(_UMASK)
CSV_ENCODING = "utf-8-sig"   # with a BOM, so Excel shows Chinese text correctly
TABLE_FORMATS = ("csv", "parquet")


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """The guarded copy pandas' writer wrote (the previous writer; kept for the benchmark
    that compares it with the columnar one and for tests of equal content)."""
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """One table as CSV (UTF-8 with BOM), written column-wise: see :mod:`evaluator.io.tables`."""
    atomic_write(path, lambda p: write_csv_file(frame, p))


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    """One table as Parquet (typed columns, same guarded text as the CSV)."""
    atomic_write(path, lambda p: write_parquet_file(frame, p))


def write_text(text: str, path: Path) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path) -> None:
    """A plain workbook: one sheet per table, frozen header row, readable widths; written
    by XlsxWriter in constant-memory mode (see :mod:`evaluator.io.workbook`)."""
    from .io.workbook import write_frames
    atomic_write(path, lambda p: write_frames(sheets, p))


def prepare_out_dir(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EvaluatorError(M("output.exists_not_folder", out=out), fix=M("output.exists_not_folder.fix"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvaluatorError(M("output.cannot_create_output_folder", strerror=exc.strerror), where=str(out),
                             fix=M("output.cannot_create_output_folder.fix")) from None
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_tables(out: Path, tables: Mapping[str, pd.DataFrame], *,
                 xlsx: Mapping[str, pd.DataFrame] | None = None,
                 xlsx_name: str = "tables.xlsx", table_format: str = "csv") -> list[Path]:
    """Write the tables (CSV, or Parquet with ``table_format="parquet"``) and a workbook
    into ``out`` — the staging folder of an :class:`~evaluator.output_set.OutputSet`,
    which moves them into ``--out`` whole, with ``manifest.json``, and removes only the
    tool's own earlier files."""
    if table_format not in TABLE_FORMATS:
        raise EvaluatorError(M("output.unknown_table_format", format=table_format),
                             fix=M("output.unknown_table_format.fix",
                                   formats=", ".join(TABLE_FORMATS)))
    out = prepare_out_dir(out)
    writer = write_parquet if table_format == "parquet" else write_csv
    jobs = [(_cells(frame), functools.partial(writer, frame, out / f"{name}.{table_format}"),
             out / f"{name}.{table_format}") for name, frame in tables.items()]
    if xlsx:
        jobs.append((sum(_cells(f) for f in xlsx.values()),
                     functools.partial(write_xlsx, xlsx, out / xlsx_name), out / xlsx_name))
    # the largest files first, two at a time (evaluator.io.jobs): each file's bytes are
    # its own thread's, the same whatever the timing
    order = sorted(range(len(jobs)), key=lambda k: -jobs[k][0])
    run_all([jobs[k][1] for k in order])
    return [path for _, _, path in jobs]


def _cells(frame) -> int:
    """A table's size in cells (a long table's too), to start the largest first."""
    if isinstance(frame, LongTable):
        return len(frame) * len(frame.columns)
    return int(frame.size)
