"""Survey grade counts for fuzzy comprehensive evaluation, read from a CSV or Excel file.

The file has one row per factor (a child of the node: an indicator or a dimension id) in a
column ``indicator`` (or ``指标``), optionally per evaluated unit (``unit`` / ``对象``) and
period (``year`` / ``年份``), and one column per grade, lowest grade first, holding how
many respondents gave the factor that grade::

    unit,indicator,差,中,良
    Taiyuan,x1,2,5,3
    Taiyuan,x2,1,4,5

Without a ``unit`` column the counts describe the one object evaluated and apply to every
row; without ``year`` they apply to every period of the unit. The membership of factor j
in grade k is n_jk / Σ_k n_jk (:func:`evaluator.methods.fuzzy.from_counts`).
"""
from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import M
from ..io.infile import check_regular

MAX_BYTES = 64 * 2**20     # survey counts: far beyond a real survey table
KEY_COLUMNS = {"indicator": ("indicator", "指标"), "unit": ("unit", "对象", "单位"),
               "year": ("year", "年份", "period", "期间")}


@dataclass(frozen=True, eq=False)
class SurveyCounts:
    source: str
    sha256: str                                     # of the file read (the manifest's)
    grades: tuple[str, ...]
    keyed_by: tuple[str, ...]                       # which of unit, year the rows carry
    table: dict[tuple[str, ...], tuple[int, np.ndarray]]   # key → (file row, counts)

    def membership(self, child: str, units: Sequence[str], periods: Sequence[str],
                   where: str) -> np.ndarray:
        """(rows, K) membership of ``child`` for each row (unit, period)."""
        out = np.empty((len(units), len(self.grades)))
        for i, (u, p) in enumerate(zip(units, periods)):
            key = tuple({"unit": u, "year": p}[k] for k in self.keyed_by) + (child,)
            found = self.table.get(key)
            if found is None:
                raise DataError(M("fuzzy_counts.missing", child=child,
                                  row=" ".join(key[:-1]) or "-"),
                                where=self.source,
                                fix=M("fuzzy_counts.missing.fix", child=child,
                                      where=where))
            out[i] = found[1]
        return out


def _column(frame: pd.DataFrame, names: Sequence[str]) -> str | None:
    lowered = {str(c).strip().lower(): c for c in frame.columns}
    return next((lowered[n] for n in names if n in lowered), None)


def read_counts(path: str | Path) -> SurveyCounts:
    """The survey counts of ``path`` (cached while the file is unchanged)."""
    p = Path(path)
    try:
        info = p.stat()
    except OSError as exc:
        raise DataError(M("fuzzy_counts.unreadable", reason=exc.strerror or str(exc)),
                        where=str(p), fix=M("fuzzy_counts.unreadable.fix")) from None
    # a pipe or device would hang or fill memory; a folder or a huge file is no table
    check_regular(p, DataError, limit=MAX_BYTES)
    return _read(str(p.resolve()), info.st_mtime_ns, info.st_size)


@functools.lru_cache(maxsize=16)
def _read(path: str, mtime: int, size: int) -> SurveyCounts:
    frame = _frame(Path(path))
    ind = _column(frame, KEY_COLUMNS["indicator"])
    if ind is None:
        raise DataError(M("fuzzy_counts.no_indicator",
                          columns=", ".join(map(str, frame.columns))),
                        where=path, fix=M("fuzzy_counts.no_indicator.fix"))
    keys = {k: _column(frame, KEY_COLUMNS[k]) for k in ("unit", "year")}
    keyed_by = tuple(k for k in ("unit", "year") if keys[k] is not None)
    id_cols = {ind, *(c for c in keys.values() if c is not None)}
    grades = [c for c in frame.columns if c not in id_cols]
    if len(grades) < 2:
        raise DataError(M("fuzzy_counts.too_few_grades", n=len(grades)), where=path,
                        fix=M("fuzzy_counts.no_indicator.fix"))
    table: dict[tuple[str, ...], tuple[int, np.ndarray]] = {}
    for pos, row in enumerate(frame.itertuples(index=False), start=2):
        record = dict(zip(frame.columns, row))
        key = tuple(_text(record[keys[k]]) for k in keyed_by) + (_text(record[ind]),)
        counts = []
        for g in grades:
            v = pd.to_numeric(pd.Series([record[g]]), errors="coerce").iloc[0]
            if not np.isfinite(v) or v < 0:
                raise DataError(M("fuzzy_counts.bad_count", value=record[g], grade=g),
                                where=M("fuzzy_counts.where", path=path, row=pos),
                                fix=M("fuzzy_counts.bad_count.fix"))
            counts.append(float(v))
        counts = np.asarray(counts)
        if counts.sum() == 0:
            raise DataError(M("fuzzy_counts.no_answers", factor=key[-1]),
                            where=M("fuzzy_counts.where", path=path, row=pos), fix=M("fuzzy_counts.no_answers.fix"))
        if key in table:
            raise DataError(M("fuzzy_counts.duplicate", entry=" ".join(key),
                              first=table[key][0]), where=M("fuzzy_counts.where", path=path, row=pos),
                            fix=M("fuzzy_counts.duplicate.fix"))
        table[key] = (pos, counts / counts.sum())
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    return SurveyCounts(path, digest, tuple(map(str, grades)), keyed_by, table)


def _text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _frame(path: Path) -> pd.DataFrame:
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            return pd.read_excel(path, dtype=object)
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=object, encoding=encoding)
            except UnicodeDecodeError:
                continue
        raise UnicodeDecodeError("utf-8", b"", 0, 1, "neither UTF-8 nor GB18030")
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise DataError(M("fuzzy_counts.unreadable", reason=str(exc)), where=str(path),
                        fix=M("fuzzy_counts.unreadable.fix")) from None
