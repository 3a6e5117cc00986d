"""Panel: unit × year × indicator data from CSV/XLSX (wide or long) or a DataFrame.

Contract: DESIGN.md §4 "Panel data". Whatever the file looks like, ``Panel.data`` is wide,
one row per unit and year, sorted by unit then year, with the columns ``unit`` (str),
``year`` (int), ``group`` (str, when the file has one), the indicators (float, NaN =
missing) in framework order, the denominator columns the framework names, then any other
columns of the file kept as read. A sub-annual panel (half-years, quarters or months:
:mod:`evaluator.model.period`; ``Panel.frequency``) has one row per unit and period and a
``period`` column (``2025Q2``) after ``year`` (the calendar year); it needs columns only
for the indicators observed at its frequency (``frequency:`` in the framework), and
``Panel.keys`` gives every row's calendar key.

Recognised headers (compared ignoring case, spaces and full-/half-width forms):

* unit: ``unit``, 城市, 地区, 单位, 单位名称, 城市名称, ``region``, ``city``
* year: ``year``, 年份, 年度, 年, ``time``, 时间, ``period``, 期间, 时期, 统计期
* group: ``group``, 城市类型, 类型, 分组, ``type``
* long layout: indicator column ``indicator``, 指标, 指标名称; value column ``value``, 数值,
  值, 指标值
* indicators: the id, the Chinese name or the English name; a trailing unit in brackets
  (``GDP（亿元）``) is tolerated when nothing else matches.

When several headers are aliases of the same role the earlier alias in these lists wins
(a file with ``unit`` codes and 城市 names uses ``unit``; 城市 is kept as an extra column).
The framework is duck-typed: ``indicators`` (each with ``id``, ``name.zh``, ``name.en``,
``denominator``) and ``groups`` (id → object with ``name.zh``, ``name.en``).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from evaluator.errors import DataError
from evaluator.model.panel_columns import (GROUP_ALIASES, INDICATOR_ALIASES, UNIT_ALIASES,
                                           VALUE_ALIASES, YEAR_ALIASES, FrameworkNames,
                                           display_names, find_role,
                                           raise_missing_columns, raise_no_roles,
                                           usable_columns)
from evaluator.model.period import PER_YEAR, parse_periods, period_frame, period_labels
from evaluator.model.panel_checks import check_control_characters
from evaluator.model.panel_io import (Problems, RowNames, Table,
                                      counted, is_blank, label_key, listing, parse_keys,
                                      parse_label, parse_numbers)
from ..i18n import M, compose, joined

LAYOUTS = ("auto", "wide", "long")


@dataclass(frozen=True, eq=False)
class Panel:
    """Panel data, always wide; see the module docstring for the columns.

    Treat ``data`` as read-only: every step of the pipeline copies before changing.
    """

    data: pd.DataFrame
    indicator_ids: tuple[str, ...]
    source: str | None = None
    sha256: str | None = None
    encoding: str | None = None
    layout: str = "wide"
    sheet: str | None = None
    warnings: tuple[str, ...] = field(default=())
    frequency: str = "year"    # year | half | quarter | month (see model/period.py)
    files: tuple[dict, ...] = field(default=())   # several files: path, sha256, … of each
    names_file: dict | None = None   # a names file (model/panel_names.py): path, sha256

    def __post_init__(self):
        if not isinstance(self.data, pd.DataFrame):
            raise TypeError(M("panel.api.data_not_frame"))
        missing = [c for c in ("unit", "year", *self.indicator_ids) if c not in self.data]
        if missing:
            raise DataError(M("panel.api.lacks_columns", columns=", ".join(map(repr, missing))),
                            where=self.source or "panel", fix=M("panel.api.build.fix"))
        if self.frequency not in PER_YEAR:
            raise ValueError(M("panel.api.frequency", allowed=", ".join(PER_YEAR),
                               value=repr(self.frequency)))
        if self.frequency != "year" and "period" not in self.data:
            raise DataError(M("panel.api.no_period"), where=self.source or "panel",
                            fix=M("panel.api.build.fix"))
        if self.layout not in ("wide", "long"):
            raise ValueError(M("panel.api.layout", value=repr(self.layout)))
        object.__setattr__(self, "indicator_ids", tuple(self.indicator_ids))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "files", tuple(self.files))

    def __eq__(self, other):
        if not isinstance(other, Panel):
            return NotImplemented
        same_meta = all(getattr(self, name) == getattr(other, name) for name in
                        ("indicator_ids", "source", "sha256", "encoding", "layout", "sheet",
                         "warnings", "frequency"))
        return same_meta and self.data.equals(other.data)

    __hash__ = None  # holds a mutable DataFrame

    def _repr_html_(self) -> str:
        from ..i18n import localise, t
        from .notebook import html_card

        years = self.years
        facts = [t("nb.panel.facts", units=len(self.units), years=len(years), first=years[0],
                   last=years[-1], indicators=len(self.indicator_ids),
                   layout=t(f"nb.layout.{self.layout}")),
                 t("nb.source", source=self.source or "DataFrame"),
                 *(localise(w) for w in self.warnings)]
        return html_card(t("nb.panel.title"), facts, [(t("nb.data"), self.data)])

    @property
    def units(self) -> tuple[str, ...]:
        """Distinct units, sorted."""
        return tuple(sorted(self.data["unit"].unique()))

    @property
    def years(self) -> tuple[int, ...]:
        """Distinct years, ascending."""
        return tuple(int(y) for y in sorted(self.data["year"].unique()))

    @property
    def keys(self) -> np.ndarray:
        """Each row's calendar key (the year itself for a yearly panel; see
        :mod:`evaluator.model.period`): consecutive periods differ by one."""
        if self.frequency == "year":
            return self.data["year"].to_numpy().astype(np.int64)
        return parse_periods(self.data["period"])[0]

    @property
    def periods(self) -> tuple[str, ...]:
        """Distinct period labels in calendar order (``2024``, or ``2024Q1``…)."""
        keys = np.unique(self.keys)
        return tuple(period_labels(keys, self.frequency))

    @property
    def has_groups(self) -> bool:
        return "group" in self.data.columns

    @property
    def extra_columns(self) -> tuple[str, ...]:
        """Denominators and other columns beyond unit, year, group and the indicators."""
        core = {"unit", "year", "period", "group", *self.indicator_ids}
        return tuple(c for c in self.data.columns if c not in core)

    def values(self, ids: Sequence[str] | None = None) -> np.ndarray:
        """Rows (unit-years, in ``data`` order) × the given columns as floats, NaN = missing.

        ``ids`` defaults to all indicators; denominator columns may be named too.
        """
        columns = list(self.indicator_ids if ids is None else ([ids] if isinstance(ids, str)
                                                               else ids))
        unknown = [c for c in columns if c not in self.data.columns]
        if unknown:
            raise DataError(M("panel.api.no_column", columns=", ".join(map(repr, unknown))),
                            where=self.source or "panel",
                            fix=M("hint.use_one_of", values=", ".join(
                                self.indicator_ids + self.extra_columns)))
        try:
            return self.data.loc[:, columns].to_numpy(dtype=float)
        except (TypeError, ValueError):
            raise DataError(M("panel.api.not_numeric", columns=", ".join(map(repr, columns))),
                            where=self.source or "panel",
                            fix=M("panel.api.not_numeric.fix")) from None

    @classmethod
    def from_frame(cls, df: pd.DataFrame, framework, source: str | None = None, *,
                   layout: str = "auto") -> "Panel":
        """Build a Panel from an in-memory DataFrame (wide or long), with the same rules
        and error messages as :func:`load_panel`; rows are named by their index label."""
        _check_layout(layout)
        if not isinstance(df, pd.DataFrame):
            raise DataError(M("panel.api.expected_frame", type=type(df).__name__),
                            where=source or "DataFrame", fix=M("panel.api.expected_frame.fix"))
        table = Table(header=[parse_label(c) or "" for c in df.columns],
                       rows=[tuple(r) for r in df.to_numpy(dtype=object)],
                       row_names=RowNames(df.index, "where.index"),
                       where=source or "DataFrame", letters=False)
        if not table.rows:
            raise DataError(M("panel.api.no_rows"), where=table.where,
                            fix=M("panel.api.no_rows.fix"))
        return _assemble(table, framework, layout, dict(source=source, warnings=()))


def load_panel(path, framework, *, encoding: str | None = None,
               sheet: str | int | None = None, layout: str = "auto",
               missing: Sequence[str] = (), names=None) -> Panel:
    """Read a panel from CSV or XLSX/XLSM files and match its columns to the framework.

    ``path`` is a file, a list of files of the same layout (stacked; a unit-year in two
    files is an error naming both rows) or a DataFrame. ``encoding`` overrides detection
    (UTF-8 with BOM, UTF-8, GB18030/GBK); ``sheet`` is a sheet name or a 0-based position
    (default: the first sheet, or every sheet named by a year — "2022", "2023年" — with
    the year taken from the sheet's name); ``layout`` is ``auto`` (long when there are
    indicator and value columns), ``wide`` or ``long``; ``missing`` names missing markers
    beyond the built-in ones; ``names`` is a names file giving units their names per
    language (:mod:`evaluator.model.panel_names`). Title rows above the header and note rows under the table
    are skipped with a warning. Raises :class:`DataError` naming the file, row (header =
    row 1), column and a fix. Files are read once and never written; their SHA-256 are
    recorded.
    """
    if isinstance(path, pd.DataFrame):  # an in-memory table: same checks, no file
        panel = Panel.from_frame(path, framework, layout=layout)
    else:
        from evaluator.model.panel_sources import read_table

        _check_layout(layout)
        table, meta = read_table(path, framework, encoding=encoding, sheet=sheet,
                                 missing=missing)
        panel = _assemble(table, framework, layout, meta)
    if names is not None:
        from evaluator.model.panel_names import with_names
        panel = with_names(panel, names)
    return panel


# ---------------------------------------------------------------- header and roles

def _check_layout(layout):
    if layout not in LAYOUTS:
        raise DataError(M("panel.unknown_layout", value=repr(layout)), where="layout",
                        fix=M("hint.use_one_of", values=", ".join(LAYOUTS)))


# ---------------------------------------------------------------- assembly

def _assemble(table: Table, framework, layout: str, meta: dict) -> Panel:
    names = FrameworkNames(framework)
    keep, notes = usable_columns(table)
    check_control_characters(table, keep)
    keys = {p: label_key(table.header[p]) for p in keep}
    key_list = [keys.get(p, "\0") for p in range(len(table.header))]
    unit_pos = find_role(key_list, UNIT_ALIASES)
    year_pos = find_role(key_list, YEAR_ALIASES)
    if unit_pos is None or year_pos is None:
        raise_no_roles([table.header[p] for p in keep], "header", table.where)
    calendar_year_pos = _period_beside_year(table, key_list, year_pos)
    if calendar_year_pos is not None:   # our own tables: `year` beside `period` 2025Q2
        year_pos, keep = key_list.index("period"), [p for p in keep if p != calendar_year_pos]
    group_pos = find_role(key_list, GROUP_ALIASES, taken=(unit_pos, year_pos))
    taken = {unit_pos, year_pos, group_pos} - {None}
    indicator_pos = find_role(key_list, INDICATOR_ALIASES, taken)
    value_pos = find_role(key_list, VALUE_ALIASES, taken | {indicator_pos})
    is_long = indicator_pos is not None and value_pos is not None
    if layout == "long" and not is_long:
        raise DataError(M("panel.long_needs_columns"), where=table.where,
                        fix=M("panel.long_needs_columns.fix",
                              indicators=", ".join(INDICATOR_ALIASES),
                              values=", ".join(VALUE_ALIASES)))
    is_long = is_long and layout != "wide"
    units, years, frequency = parse_keys(table, unit_pos, year_pos)
    if frequency != "year":   # a sub-annual panel needs only its frequency's indicators
        names.optional = {str(i.id) for i in names.indicators
                          if getattr(i, "frequency", "year") != frequency}
    frame = {"_row": np.arange(len(table.rows)), "unit": units, "year": years}
    if group_pos is not None:
        frame["group"] = [parse_label(c) for c in table.cells(group_pos)]
    rest = [p for p in keep if p not in taken]
    if is_long:
        rest = [p for p in rest if p not in (indicator_pos, value_pos)]
        data, long_notes = _long(table, names, frame, indicator_pos, value_pos, rest)
        notes += long_notes
    else:
        data, wide_notes = _wide(table, names, frame, rest)
        notes += wide_notes
    if "group" in data.columns:
        data, group_notes = _resolve_groups(data, names, table, group_pos)
        notes += group_notes
    _check_duplicates(data, table, ["unit", "year"], frequency)
    data = (data.sort_values(["unit", "year"], kind="stable").drop(columns="_row")
            .reset_index(drop=True))
    data = period_frame(data, frequency)
    present = tuple(i for i in names.ids if i in data.columns)
    return Panel(data=data, indicator_ids=present, layout="long" if is_long else "wide",
                 frequency=frequency,
                 **{**meta, "warnings": tuple(meta.get("warnings", ())) + tuple(notes)})


def _wide(table, names: FrameworkNames, frame: dict, rest: list[int]):
    notes, targets, extras = [], {}, []
    for position in rest:
        target, guessed = names.match(table.header[position])
        if target is None:
            extras.append(position)
            continue
        if target in targets:
            raise DataError(M("panel.both_hold", first=table.column(targets[target]),
                              second=table.column(position), what=names.describe(target)),
                            where=table.where, fix=M("panel.both_hold.fix"))
        targets[target] = position
        if guessed:
            notes.append(M("panel.note.read_as", column=table.column(position),
                           target=names.describe(target)))
    missing = [i for i in names.ids if i not in targets and i not in names.optional]
    if missing:
        raise_missing_columns(table, names, missing, extras)
    notes += [M("panel.note.no_denominator_column", den=den)
              for den in names.denominators if den not in targets]
    problems = Problems(table)
    for target in (*names.ids, *names.denominators):
        if target in targets:  # (an optional indicator without a column stays absent)
            frame[target] = parse_numbers(table, targets[target], problems)
    problems.raise_if_any("panel.cells_not_numbers", M("panel.cells_not_numbers.fix"))
    _keep_extras(table, frame, extras)
    return pd.DataFrame(frame), notes


def _long(table, names: FrameworkNames, frame: dict, indicator_pos: int, value_pos: int, rest):
    """unit, year, indicator, value rows → one row per unit-year."""
    problems, targets, unknown, guessed = Problems(table), [], {}, {}
    for row, cell in enumerate(table.cells(indicator_pos)):
        label = parse_label(cell)
        target, is_guess = names.match(label) if label is not None else (None, False)
        if label is None:
            problems.add(row, indicator_pos, cell, M("panel.cell.indicator_empty"))
        elif target is None:
            unknown.setdefault(label, []).append(table.row_names[row])
        elif is_guess:
            guessed[label] = target
        targets.append(target)
    problems.raise_if_any("panel.rows_lack_indicator", M("panel.rows_lack_indicator.fix"))
    if unknown:
        lines = []
        for label, rows in unknown.items():
            near = names.near(label, names.lookup)
            shown = joined([*rows[:3], *(["…"] if len(rows) > 3 else [])])
            line = M("panel.unknown_name_line", label=repr(label), rows=shown)
            if near:
                line = compose(line, M("panel.did_you_mean", names=joined(
                    [names.describe(t) for t in near], M("panel.or"))))
            lines.append(line)
        raise DataError(listing(counted("panel.names_not_in_framework", len(unknown),
                                        column=table.column(indicator_pos)), lines),
                        where=table.where,
                        fix=M("panel.names_not_in_framework.fix",
                              ids=", ".join(names.ids[:20])))
    values = parse_numbers(table, value_pos, problems)
    problems.raise_if_any("panel.cells_not_numbers", M("panel.cells_not_numbers.fix"))
    long = pd.DataFrame({**frame, "indicator": targets, "_value": values})
    _check_duplicates(long, table, ["unit", "year", "indicator"])
    present = set(targets)
    missing = [names.describe(i) for i in names.ids
               if i not in present and i not in names.optional]
    if missing:
        raise DataError(listing(counted("panel.indicators_no_rows", len(missing)), missing),
                        where=table.where, fix=M("panel.indicators_no_rows.fix"))
    notes = [M("panel.note.read_as", column=repr(label), target=names.describe(t))
             for label, t in guessed.items()]
    notes += [M("panel.note.no_denominator_rows", den=den)
              for den in names.denominators if den not in present]
    columns = [*(i for i in names.ids if i in present or i not in names.optional),
               *(d for d in names.denominators if d in present)]
    keys = ["unit", "year"]
    wide = (long.pivot(index=keys, columns="indicator", values="_value")
            .reindex(columns=columns).reset_index())
    wide.columns.name = None
    first = long.groupby(keys, sort=False)
    frame_out = first["_row"].first().reset_index()
    if "group" in long.columns:
        groups = long.dropna(subset=["group"]).drop_duplicates([*keys, "group"])
        clash = groups[groups.duplicated(keys, keep=False)]
        if not clash.empty:
            lines = [M("panel.unit_year_groups", unit=repr(u), year=y,
                       groups=", ".join(map(repr, g["group"])))
                     for (u, y), g in clash.groupby(keys, sort=False)]
            raise DataError(listing(counted("panel.several_groups", len(lines)), lines),
                            where=table.where, fix=M("panel.several_groups.fix"))
        frame_out["group"] = first["group"].first().to_numpy(dtype=object)
    for position in rest:
        name = table.header[position]
        if name in frame_out.columns or name in columns:
            raise DataError(M("panel.same_name_as", column=table.column(position),
                              other=M("panel.another_column")),
                            where=table.where, fix=M("panel.same_name_as.fix"))
        cells = pd.Series([None if is_blank(c) else c for c in table.cells(position)],
                          dtype=object)
        per_key = cells.groupby([long["unit"], long["year"]], sort=False)
        if (per_key.nunique() > 1).any():
            notes.append(M("panel.note.dropped_differs", column=table.column(position)))
            continue
        frame_out[name] = per_key.first().to_numpy(dtype=object)
    data = frame_out.merge(wide, on=keys, how="left", validate="one_to_one")
    ordered = ["_row", *keys, *(["group"] if "group" in data else []), *columns]
    return data[ordered + [c for c in data.columns if c not in ordered]], notes


def _keep_extras(table, frame: dict, extras: list[int]):
    seen: dict[str, int] = {name: -1 for name in frame}
    for position in extras:
        name = table.header[position]
        if name in seen:
            first = (M("panel.a_column_it_produces") if seen[name] < 0
                     else table.column(seen[name]))
            raise DataError(M("panel.same_name_as", column=table.column(position), other=first),
                            where=table.where, fix=M("panel.same_name_as.fix"))
        seen[name] = position
        frame[name] = pd.Series([None if is_blank(c) else c for c in table.cells(position)],
                                dtype=object)


def _resolve_groups(data: pd.DataFrame, names: FrameworkNames, table: Table, position: int):
    """Group names → framework group ids; a unit's empty group cells take the unit's one
    group when it has exactly one."""
    notes, groups = [], data["group"].astype(object)
    if names.groups:
        problems = Problems(table)
        resolved = []
        for row, label in zip(data["_row"], groups):
            present = not pd.isna(label)
            gid = names.group_lookup.get(label_key(label)) if present else None
            if present and gid is None:
                problems.add(row, position, label, M("panel.cell.not_a_group"))
            resolved.append(gid)
        valid = ", ".join(f"{gid} ({display_names(g)[0] or display_names(g)[1]})"
                          for gid, g in names.groups.items())
        problems.raise_if_any("panel.unknown_groups", M("hint.use_one_of", values=valid))
        groups = pd.Series(resolved, index=data.index, dtype=object)
    known = groups.dropna()
    by_unit = known.groupby(data.loc[known.index, "unit"])
    single = by_unit.first()[by_unit.nunique() == 1]
    per_unit = data["unit"].map(single).astype(object)
    fill = groups.isna() & per_unit.notna()
    if fill.any():
        notes.append(M("panel.note.groups_filled", n=int(fill.sum())))
    groups = groups.where(~fill, per_unit)
    if groups.isna().any():
        rows = [table.row_names[r] for r in data.loc[groups.isna(), "_row"]]
        raise DataError(listing(counted("panel.rows_no_group", len(rows)), rows),
                        where=table.where, fix=M("panel.rows_no_group.fix"))
    return data.assign(group=groups.astype(str)), notes


def _period_beside_year(table: Table, key_list: list[str], year_pos: int) -> int | None:
    """The position of a ``year`` column that only restates a sub-annual ``period``
    column beside it (the tables this tool writes: ``unit, year, period, …``), else
    None. The period column is then the time column and that year column is dropped."""
    if "period" not in key_list or key_list[year_pos] == "period":
        return None
    keys, freqs, ok = parse_periods(table.cells(key_list.index("period")))
    if not ok.all() or not len(freqs) or (freqs == "year").any():
        return None
    years = np.array([str(c).strip().removesuffix(".0") for c in table.cells(year_pos)])
    if (years == (keys // PER_YEAR[str(freqs[0])]).astype(str)).all():
        return year_pos
    return None


def _check_duplicates(data: pd.DataFrame, table: Table, keys: list[str],
                      frequency: str = "year"):
    dup = data[data.duplicated(keys, keep=False)]
    if dup.empty:
        return
    lines = []
    for key, rows in dup.groupby(keys, sort=False)["_row"]:
        parts = joined([M(f"panel.key.{k}" if k != "year" else
                          ("panel.key.year" if frequency == "year" else "panel.key.period"),
                          value=repr(v) if k != "year" else period_labels([v], frequency)[0])
                        for k, v in zip(keys, key)])
        lines.append(M("error.where", where=parts,
                       problem=joined(table.row_names[r] for r in rows)))
    raise DataError(listing(counted(f"panel.duplicates.{'_'.join(keys)}", len(lines)), lines),
                    where=table.where, fix=M("panel.duplicates.fix"))
