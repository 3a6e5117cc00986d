"""Unit names per language from a names file (``--names FILE``, ``load_panel(...,
names=FILE)``), for panels that carry only codes or one language.

The file is a CSV or XLSX table (read like a panel: encodings detected, title rows
skipped) with a unit column (the panel's unit headers: ``unit``, 城市, 地区, ``code`` …)
and a name column per language: ``unit_en`` / ``name_en`` / 英文名称 / ``English`` and
``unit_zh`` / ``name_zh`` / 中文名称 / ``Chinese``. Its names become the panel's
``unit_en`` / ``unit_zh`` columns, which the report, its workbook and its charts show
(:meth:`evaluator.report.bundle.Bundle.unit_names`); the ids stay the keys of every
table. A name column of the panel itself is replaced, with a warning; units the panel
does not have, and panel units the file does not name, are listed in warnings; a unit
named twice with different names is an error naming both rows. The file's SHA-256 goes
to the manifest (``inputs.names``).
"""
from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from evaluator.errors import DataError
from evaluator.i18n import M, joined
from evaluator.model.panel import Panel
from evaluator.model.panel_checks import check_control_characters
from evaluator.model.panel_columns import UNIT_ALIASES, find_role
from evaluator.model.panel_io import (RowNames, Table, is_blank, label_key, listing,
                                      parse_label, read_grid)

NAME_ALIASES = {"en": ("unit_en", "name_en", "英文名称", "英文名", "english", "en"),
                "zh": ("unit_zh", "name_zh", "中文名称", "中文名", "chinese", "zh")}
UNIT_KEYS = (*UNIT_ALIASES, "code", "id", "代码", "编码")
SHOWN = 10


def names_fix():
    return M("names.fix", units="unit, 城市, code",
             en_names=f"{NAME_ALIASES['en'][0]} ({', '.join(NAME_ALIASES['en'][1:3])})",
             zh_names=f"{NAME_ALIASES['zh'][0]} ({', '.join(NAME_ALIASES['zh'][1:3])})")


def read_names(path, *, encoding: str | None = None) -> tuple[pd.DataFrame, dict]:
    """(``unit``, ``unit_en`` and/or ``unit_zh`` per unit, the file's record)."""
    grid = read_grid(path, encoding=encoding)
    if not grid.rows:
        raise DataError(M("panel.no_rows"), where=grid.location, fix=names_fix())
    start = next((k for k, (_, cells) in enumerate(grid.rows[:10])
                  if find_role([label_key(c) if not is_blank(c) else "\0" for c in cells],
                               UNIT_KEYS) is not None), None)
    if start is None:
        raise DataError(M("names.no_unit_column"), where=grid.location, fix=names_fix())
    number, header = grid.rows[start]
    body = grid.rows[start + 1:]
    table = Table(header=[parse_label(c) or "" for c in header], rows=[c for _, c in body],
                  row_names=RowNames(n for n, _ in body), where=grid.location, letters=True)
    keys = [label_key(h) if h else "\0" for h in table.header]
    unit_pos = find_role(keys, UNIT_KEYS)
    name_pos = {lang: find_role(keys, aliases, {unit_pos})
                for lang, aliases in NAME_ALIASES.items()}
    name_pos = {lang: p for lang, p in name_pos.items() if p is not None}
    if not name_pos:
        raise DataError(M("names.no_name_column"), where=grid.location, fix=names_fix())
    check_control_characters(table, [unit_pos, *name_pos.values()])
    frame = pd.DataFrame({"unit": [parse_label(c) for c in table.cells(unit_pos)],
                          "_row": range(len(table.rows)),
                          **{f"unit_{lang}": [parse_label(c) for c in table.cells(p)]
                             for lang, p in name_pos.items()}})
    frame = frame.dropna(subset=["unit"])
    _check_twice(frame, table, name_pos)
    record = {"path": str(path), "sha256": grid.sha256, "encoding": grid.encoding}
    return frame.drop_duplicates("unit").drop(columns="_row"), record


def _check_twice(frame: pd.DataFrame, table: Table, name_pos: dict) -> None:
    columns = [f"unit_{lang}" for lang in name_pos]
    distinct = frame.drop_duplicates(["unit", *columns])
    clash = distinct[distinct.duplicated("unit", keep=False)]
    if clash.empty:
        return
    lines = [M("error.where", where=repr(unit),
               problem=joined(table.row_names[r] for r in rows["_row"]))
             for unit, rows in clash.groupby("unit", sort=False)]
    raise DataError(listing(M("names.named_twice", n=len(lines)), lines),
                    where=table.where, fix=M("names.named_twice.fix"))


def with_names(panel: Panel, path, *, encoding: str | None = None) -> Panel:
    """``panel`` with the names of the file at ``path`` as its ``unit_en``/``unit_zh``
    columns (see the module docstring)."""
    names, record = read_names(path, encoding=encoding)
    data = panel.data.copy()
    by_key = {label_key(u): u for u in pd.unique(data["unit"])}
    names["unit"] = names["unit"].map(lambda u: by_key.get(label_key(u), u))
    notes = list(panel.warnings)
    unknown = [u for u in names["unit"] if u not in set(by_key.values())]
    if unknown:
        notes.append(M("names.unknown_units", file=Path(path).name, n=len(unknown),
                       units=", ".join(map(repr, unknown[:SHOWN]))
                       + (" …" if len(unknown) > SHOWN else "")))
    unnamed = sorted(set(by_key.values()) - set(names["unit"]))
    if unnamed:
        notes.append(M("names.unnamed_units", file=Path(path).name, n=len(unnamed),
                       units=", ".join(map(repr, unnamed[:SHOWN]))
                       + (" …" if len(unnamed) > SHOWN else "")))
    for column in [c for c in names.columns if c != "unit"]:
        if column in data.columns:
            notes.append(M("names.replaced", column=column, file=Path(path).name))
        mapping = dict(zip(names["unit"], names[column]))
        data[column] = data["unit"].map(mapping).astype(object)
    return replace(panel, data=data, warnings=tuple(notes), names_file=record)
