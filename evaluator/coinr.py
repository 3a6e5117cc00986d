"""Import from COINr (Becker et al., JRC): an iMeta table → our framework file.

COINr's iMeta has one row per indicator, aggregate, group and denominator: ``Level``,
``iCode``, ``iName``, ``Direction`` (±1), ``Weight``, ``Unit``, ``Target``,
``Denominator``, ``Parent``, ``Type`` (Indicator | Aggregate | Group | Denominator | Other).
The single top aggregate becomes our root ``index``; its children are top-level nodes.
"""
from __future__ import annotations

import io
import math
from pathlib import Path

import pandas as pd
import yaml

from .errors import FrameworkError
from .i18n import M
from .io.infile import read_bounded

REQUIRED = ("iCode", "Type", "Parent", "Level")
#: An iMeta table is read only up to this size (COINr's largest examples are ~20 KB).
MAX_IMETA_BYTES = 50 * 1024 * 1024


def _clean(value):
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return None
    return value


def read_imeta(path: Path) -> pd.DataFrame:
    """The iMeta table: a regular CSV file of bounded size, or a clear error."""
    content = read_bounded(path, FrameworkError, limit=MAX_IMETA_BYTES)
    try:
        return pd.read_csv(io.BytesIO(content), encoding="utf-8-sig")
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise FrameworkError(M("coinr.not_readable_csv_table", exc=exc), where=str(path)) from None


def _number(meta: pd.DataFrame, row, column: str, path: Path, *, signs: bool = False):
    """A numeric cell of an Indicator or Aggregate row (None when empty); ``signs``: the
    Direction, 1 or -1."""
    value = _clean(meta.loc[row, column]) if column in meta.columns else None
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        number = float("nan")
    if not math.isfinite(number) or (signs and number not in (1.0, -1.0)):
        raise FrameworkError(
            M("coinr.bad_number", column=column, value=value, code=str(meta.loc[row, "iCode"])),
            where=M("coinr.icode_not_valid_id.where", path=path, value=row + 2),
            fix=M("coinr.direction.fix" if signs else "coinr.bad_number.fix", column=column))
    return number


def imeta_to_framework(path: Path, framework_id: str | None = None) -> dict:
    meta = read_imeta(path)
    missing = [c for c in REQUIRED if c not in meta.columns]
    if missing:
        raise FrameworkError(M("coinr.missing_coinr_imeta_column", missing=missing), where=str(path),
                             fix=M("coinr.missing_coinr_imeta_column.fix"))
    import re
    for row, code in zip(meta.index, meta["iCode"]):
        if meta.loc[row, "Type"] in ("Indicator", "Aggregate") and \
                not re.fullmatch(r"[A-Za-z0-9_]+", str(code)):
            raise FrameworkError(M("coinr.icode_not_valid_id", code=code), where=M("coinr.icode_not_valid_id.where", path=path, value=row + 2),
                                 fix=M("coinr.icode_not_valid_id.fix", sub=re.sub(r'[^A-Za-z0-9_]', '_', str(code))))
    aggs = meta[meta["Type"] == "Aggregate"]
    inds = meta[meta["Type"] == "Indicator"]
    if inds.empty:
        raise FrameworkError(M("coinr.no_rows_with_type"), where=str(path))
    for row in aggs.index.union(inds.index):   # every number read below, checked first
        _number(meta, row, "Level", path)
        _number(meta, row, "Weight", path)
    for row in inds.index:
        if _number(meta, row, "Direction", path, signs=True) is None:
            raise FrameworkError(
                M("coinr.no_direction", code=str(meta.loc[row, "iCode"])),
                where=M("coinr.icode_not_valid_id.where", path=path, value=row + 2),
                fix=M("coinr.direction.fix", column="Direction"))
    meta = meta.assign(Level=pd.to_numeric(meta["Level"], errors="coerce"))
    aggs = meta[meta["Type"] == "Aggregate"]
    top_level = aggs["Level"].max() if not aggs.empty else None
    tops = aggs[aggs["Level"] == top_level]["iCode"].tolist() if top_level is not None else []
    if len(tops) > 1:
        raise FrameworkError(M("coinr.several_top_level_aggregates", tops=tops), where=str(path),
                             fix=M("coinr.several_top_level_aggregates.fix"))
    root = tops[0] if tops else None

    def parent_of(row) -> str | None:
        p = _clean(row.get("Parent"))
        return None if p is None or p == root else str(p)

    def item(row, kind: str) -> dict:
        d: dict = {"id": str(row["iCode"])}
        name = _clean(row.get("iName"))
        if name is not None:
            d["name"] = str(name)
        parent = parent_of(row)
        if parent is not None:
            d["parent"] = parent
        weight = _clean(row.get("Weight"))
        if weight is not None:
            d["weight"] = float(weight)
        if kind == "indicator":
            unit = _clean(row.get("Unit"))
            if unit is not None:
                d["unit"] = str(unit)
            direction = _clean(row.get("Direction"))
            d["direction"] = "cost" if direction is not None and float(direction) < 0 else "benefit"
            den = _clean(row.get("Denominator"))
            if den is not None:
                d["denominator"] = str(den)
        return d

    # nodes ordered from the top down so parents come first
    nodes = [item(r, "node") for _, r in aggs.sort_values("Level", ascending=False,
                                                            kind="mergesort").iterrows()
             if r["iCode"] != root]
    indicators = [item(r, "indicator") for _, r in inds.iterrows()]
    root_name = None
    if root is not None:
        root_row = aggs[aggs["iCode"] == root].iloc[0]
        root_name = _clean(root_row.get("iName"))
    fid = framework_id or Path(path).stem.lower().replace("-", "_").replace(" ", "_")
    spec = {"id": "".join(c if c.isalnum() or c == "_" else "_" for c in fid),
            "name": str(root_name or fid),
            "description": f"Imported from COINr iMeta table {Path(path).name}",
            "nodes": nodes, "indicators": indicators}
    return spec


def import_notes(path: Path) -> list[str]:
    """What the import leaves out, for the user to know."""
    meta = read_imeta(path)
    notes = []
    if "Target" in meta.columns:
        targets = meta[(meta["Type"] == "Indicator") & meta["Target"].notna()]
        if len(targets):
            notes.append(M("warn.coinr.coinr_s_target_column", n_targets=len(targets)))
    return notes


def imeta_to_framework_yaml(path: Path, framework_id: str | None = None) -> str:
    from .model.framework import Framework
    spec = imeta_to_framework(path, framework_id)
    Framework.from_dict(spec, source=str(path))  # validate before writing
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False)
