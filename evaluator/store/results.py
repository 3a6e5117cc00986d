"""A results folder as it is published: its manifest, its files checked against the
SHA-256 the manifest lists, and its tables typed for the database.

Nothing is trusted that the manifest does not vouch for: a listed file that is missing or
whose SHA-256 differs is refused with its name, before anything is stored.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from . import schema
from ..output import file_sha256
from .messages import msg

MANIFEST = "manifest.json"
# pandas 3 parses floats exactly by default (and deprecates the option); pandas 2 needs
# round_trip, else the last digit can differ from what was written
EXACT_FLOATS = {} if int(pd.__version__.split(".")[0]) >= 3 else {"float_precision": "round_trip"}


def manifest_outputs(manifest: dict[str, Any]) -> dict[str, str] | None:
    """The output files a manifest lists, ``name → sha256``, or None when it lists none.
    Accepts ``outputs``/``files`` as a mapping (name → sha256 or → {sha256: …}) or a
    list of ``{name|file|path, sha256}``."""
    listed = manifest.get("outputs", manifest.get("files"))
    if not listed:
        return None
    out: dict[str, str] = {}
    if isinstance(listed, dict):
        for name, value in listed.items():
            digest = value.get("sha256") if isinstance(value, dict) else value
            out[str(name)] = str(digest)
    elif isinstance(listed, list):
        for item in listed:
            if not isinstance(item, dict):
                return None
            name = item.get("name") or item.get("file") or item.get("path")
            if name is None or "sha256" not in item:
                return None
            out[str(name)] = str(item["sha256"])
    else:
        return None
    return out


@dataclass
class ResultsFolder:
    path: Path
    manifest: dict[str, Any]
    outputs: dict[str, str]          # file name → SHA-256, as checked
    content_sha256: str              # of the sorted (name, SHA-256) list of the outputs
    tables: list[str] = field(default_factory=list)   # output tables present, in order

    @property
    def years(self) -> list[int]:
        return [int(y) for y in (self.manifest.get("rows") or {}).get("years", [])]

    @property
    def framework(self) -> dict[str, Any]:
        return self.manifest.get("framework") or {}

    def read_table(self, name: str) -> pd.DataFrame:
        """The table as written: contract columns typed (numbers parsed exactly, as
        Python's float() does), every other column as text; empty cells missing."""
        return read_output_csv(self.path / f"{name}.csv", name)


def open_results(path: str | Path) -> ResultsFolder:
    """Read ``path``'s manifest and check every file it lists (present, same SHA-256)."""
    folder = Path(path)
    if not folder.is_dir():
        raise DataError(msg("results.not_dir", path=folder), fix=msg("results.not_dir.fix"))
    mpath = folder / MANIFEST
    fix = msg("results.rescore.fix", path=folder)
    if not mpath.is_file():
        raise DataError(msg("results.no_manifest", path=folder), where=str(mpath), fix=fix)
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (OSError, UnicodeError, ValueError) as exc:
        raise DataError(msg("results.bad_manifest", reason=exc), where=str(mpath),
                        fix=fix) from None
    outputs = manifest_outputs(manifest) if isinstance(manifest, dict) else None
    if outputs is None:
        raise DataError(msg("results.no_outputs"), where=str(mpath), fix=fix)
    for name, expected in outputs.items():
        file = folder / name
        if not file.is_file():
            raise DataError(msg("results.missing_file", name=name), where=str(file),
                            fix=msg("results.edited.fix"))
        found = file_sha256(file)
        if found != expected:
            raise DataError(msg("results.edited_file", name=name, found=found[:12],
                                expected=expected[:12]), where=str(file),
                            fix=msg("results.edited.fix"))
    listing = "".join(f"{n}\t{outputs[n]}\n" for n in sorted(outputs))
    content = hashlib.sha256(listing.encode("utf-8")).hexdigest()
    tables = [t for t in schema.OUTPUT_TABLES if f"{t}.csv" in outputs]
    return ResultsFolder(folder, manifest, outputs, content, tables)


# -- typing a table for the database -------------------------------------------------------
def read_output_csv(path: Path, name: str) -> pd.DataFrame:
    known = schema.TABLE_COLUMNS[name]
    header = [str(c) for c in pd.read_csv(path, nrows=0, encoding="utf-8-sig").columns]
    numeric = [c for c in header if known.get(c, schema.Text) is not schema.Text]
    frame = pd.read_csv(path, encoding="utf-8-sig", keep_default_na=False,
                        na_values={c: [""] for c in numeric},
                        dtype={c: str for c in header if c not in numeric},
                        **EXACT_FLOATS)
    for col in numeric:
        if frame[col].dtype == object:   # a cell that is not a number
            _bad_number(frame[col], col, str(path))
    return frame


def _bad_number(cells: pd.Series, column: str, where: str):
    for row, value in enumerate(cells.tolist()):
        try:
            float(value)
        except (TypeError, ValueError):
            raise DataError(msg("results.bad_value", column=column, value=value, row=row + 2,
                                kind=msg("results.kind.number")), where=where,
                            fix=msg("results.edited.fix")) from None


def _typed(values: pd.Series, kind, column: str, where: str) -> list:
    """Python values for the database: int / float / str, None where missing."""
    if kind is schema.Text:
        arr = values.to_numpy(dtype=object)
        arr[values.to_numpy(dtype=str) == ""] = None
        return arr.tolist()
    numbers = values.to_numpy(dtype=float)
    missing = np.isnan(numbers)
    if kind is schema.Integer:
        bad = ~missing & (numbers != np.round(numbers))
        if bad.any():
            row = int(np.flatnonzero(bad)[0])
            raise DataError(msg("results.bad_value", column=column, value=numbers[row],
                                row=row + 2, kind=msg("results.kind.whole_number")), where=where,
                            fix=msg("results.edited.fix"))
        arr = np.where(missing, 0, numbers).astype(np.int64).astype(object)
    else:
        arr = numbers.astype(object)
    arr[missing] = None
    return arr.tolist()


def _extra_kind(cells: pd.Series):
    """The type an unknown (text-read) column's cells share: whole numbers, numbers or
    text — parsed with float(), so every number reads back exactly."""
    filled = [c for c in cells.tolist() if c != ""]
    try:
        values = [float(c) for c in filled]
    except ValueError:
        return schema.Text, cells
    parsed = pd.Series([float(c) if c != "" else np.nan for c in cells.tolist()])
    if all(v == int(v) and "." not in c and "e" not in c.lower() and "n" not in c.lower()
           for v, c in zip(values, filled)):
        return schema.Integer, parsed
    return schema.Float, parsed


def typed_rows(name: str, frame: pd.DataFrame, *, where: str) -> tuple[list[str], list[tuple]]:
    """Columns and rows for the ``ev_<name>`` table: ``row_no`` (the file's order), the
    contract columns typed, every other column of the file in ``extra`` (JSON, typed
    the same way)."""
    known = schema.TABLE_COLUMNS[name]
    n = len(frame)
    columns: dict[str, list] = {"row_no": list(range(n))}
    for col, kind in known.items():
        if col in frame.columns:
            columns[col] = _typed(frame[col], kind, col, where)
    extra_cols = [c for c in frame.columns if c not in known]
    if extra_cols:
        parts = {}
        for col in extra_cols:
            kind, values = _extra_kind(frame[col].astype(str))
            parts[col] = _typed(values, kind, col, where)
        columns["extra"] = [json.dumps(dict(zip(extra_cols, vals)), ensure_ascii=False,
                                       allow_nan=False) for vals in zip(*parts.values())]
    return list(columns), list(zip(*columns.values()))
