"""Which column is what: header aliases, indicator/group names, near-match hints.

Headers and names are compared by :func:`~evaluator.model.panel_io.label_key` (case,
spaces and full-/half-width forms ignored). The alias lists are documented for users in
:mod:`evaluator.model.panel`; when several headers are aliases of one role, the earlier
alias wins.
"""
from __future__ import annotations

import difflib
import re

from evaluator.errors import DataError
from evaluator.model.panel_io import (Table, column_letter, counted, is_blank, label_key,
                                      listing, parse_label)
from ..i18n import M, bilingual, joined

UNIT_ALIASES = ("unit", "城市", "地区", "单位", "单位名称", "城市名称", "region", "city",
                "ucode")  # ucode: COINr's unit code column (uCode)
YEAR_ALIASES = ("year", "年份", "年度", "年", "time", "时间", "period", "期间", "时期",
                "统计期")
GROUP_ALIASES = ("group", "城市类型", "类型", "分组", "type")
INDICATOR_ALIASES = ("indicator", "指标", "指标名称")
VALUE_ALIASES = ("value", "数值", "值", "指标值")
NEAR_MATCH_CUTOFF = 0.8
HEADER_SEARCH_ROWS = 10   # title rows a yearbook sheet may have above its header
TRAILING_BRACKETS = re.compile(r"\([^()]*\)$")


def alias_keys(aliases):
    return {label_key(a) for a in aliases}


def find_role(keys: list[str], aliases, taken=()) -> int | None:
    for alias in aliases:
        target = label_key(alias)
        for position, key in enumerate(keys):
            if key == target and position not in taken:
                return position
    return None


def find_header(grid):
    """The first of the first rows naming both a unit and a year column; title rows above
    it (common in yearbook sheets) are skipped with a warning."""
    unit_keys, year_keys = alias_keys(UNIT_ALIASES), alias_keys(YEAR_ALIASES)
    for position, (number, cells) in enumerate(grid.rows[:HEADER_SEARCH_ROWS]):
        keys = {label_key(c) for c in cells if not is_blank(c)}
        if keys & unit_keys and keys & year_keys:
            notes = ()
            if position:
                notes = (M("panel.titles_skipped_here", row=number),)
            return position, notes
    first_number, first = grid.rows[0]
    raise_no_roles([parse_label(c) or "" for c in first], f"row {first_number}",
                    grid.location, grid.warnings)


def raise_no_roles(header, where_header, where, notes=()):
    keys = [label_key(h) for h in header]
    lacking = [role for role, aliases in (("unit", UNIT_ALIASES), ("year", YEAR_ALIASES))
               if find_role(keys, aliases) is None]
    fixes = [M(f"panel.name_the_column.{role}", aliases=", ".join(aliases))
             for role, aliases in (("unit", UNIT_ALIASES), ("year", YEAR_ALIASES))
             if role in lacking]
    if sum(bool(re.fullmatch(r"\d{4}(年)?", h)) for h in header) >= 2:
        fixes.append(M("panel.headers_look_like_years"))
    fixes += [M("panel.header_note", note=note) for note in notes]
    fix = joined(fixes, M("list.semicolon"))
    shown = ", ".join(repr(h) for h in header[:15] if h) or M("panel.none")
    roles = [M(f"panel.role.{role}") for role in lacking]
    raise DataError(M("panel.no_column_header",
                      lacking=M("panel.either", a=roles[0], b=roles[1]) if len(roles) == 2
                      else roles[0],
                      where_header=where_header, shown=shown), where=where, fix=fix)


def display_names(obj) -> tuple[str, str]:
    """(zh, en) of an indicator or group; a plain-string name serves both."""
    name = getattr(obj, "name", None)
    if name is None or isinstance(name, str):
        return name or "", name or ""
    return getattr(name, "zh", "") or "", getattr(name, "en", "") or ""


class FrameworkNames:
    """Every way a file may name an indicator, a denominator or a group."""

    def __init__(self, framework):
        self.indicators = list(framework.indicators)
        self.ids = tuple(str(ind.id) for ind in self.indicators)
        self.optional: set[str] = set()   # indicators a sub-annual panel may leave out
        self.lookup: dict[str, str] = {}
        for ind in self.indicators:
            for label in (ind.id, *display_names(ind)):
                if label:
                    self.lookup.setdefault(label_key(label), str(ind.id))
        for ind in self.indicators:    # aliases: headers that differ from year to year
            for label in getattr(ind, "aliases", ()) or ():
                self.lookup.setdefault(label_key(label), str(ind.id))
        self.denominators: tuple[str, ...] = tuple(dict.fromkeys(
            str(ind.denominator) for ind in self.indicators
            if getattr(ind, "denominator", None) and str(ind.denominator) not in self.ids))
        for den in self.denominators:
            self.lookup.setdefault(label_key(den), den)
        self.groups = dict(getattr(framework, "groups", None) or {})
        self.group_lookup = {}
        for gid, group in self.groups.items():
            for label in (gid, *display_names(group)):
                if label:
                    self.group_lookup.setdefault(label_key(label), str(gid))

    def match(self, label) -> tuple[str | None, bool]:
        """(target id, guessed?): exact key first, then without a trailing (unit)."""
        key = label_key(label)
        if key in self.lookup:
            return self.lookup[key], False
        stripped = TRAILING_BRACKETS.sub("", key)
        if stripped != key and stripped in self.lookup:
            return self.lookup[stripped], True
        return None, False

    def describe(self, target: str) -> str:
        for ind in self.indicators:
            if str(ind.id) == target:
                zh, en = display_names(ind)
                return (bilingual(f"{target} ({en or zh})", f"{target} ({zh or en})")
                        if (zh or en) else target)
        return target

    def near(self, label, candidates: dict[str, str]) -> list[str]:
        """Candidate targets whose key is close to ``label``'s key."""
        close = difflib.get_close_matches(label_key(label), list(candidates), n=3,
                                          cutoff=NEAR_MATCH_CUTOFF)
        return list(dict.fromkeys(candidates[c] for c in close))


def raise_missing_columns(table: Table, names: FrameworkNames, missing: list[str],
                          extras: list[int]):
    lines = [names.describe(i) for i in missing]
    candidates = {}
    for ind in names.indicators:
        if str(ind.id) in missing:
            for label in (ind.id, *display_names(ind)):
                if label:
                    candidates[label_key(label)] = str(ind.id)
    for position in extras:
        for target in names.near(table.header[position], candidates):
            lines.append(M("panel.looks_like", column=table.column(position),
                           target=names.describe(target)))
    unknown = ", ".join(repr(table.header[p]) for p in extras[:15]) or M("panel.none")
    raise DataError(listing(counted("panel.indicators_no_column", len(missing)), lines),
                    where=table.where,
                    fix=M("panel.name_each_indicator_s", unknown=unknown))


def usable_columns(table: Table):
    """Header positions to use: blank headers over empty columns are dropped, blank
    headers over data are named after their column letter."""
    width = max([len(table.header)] + [len(r) for r in table.rows])
    table.header = list(table.header) + [""] * (width - len(table.header))
    notes, keep = [], []
    for position in range(width):
        if table.header[position]:
            keep.append(position)
        elif any(not is_blank(c) for c in table.cells(position)):
            table.header[position] = f"column_{column_letter(position)}"
            notes.append(M("panel.has_values_but_no", column=table.column(position)))
            keep.append(position)
    return keep, notes
