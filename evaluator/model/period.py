"""Periods on the calendar: years, half-years, quarters and months (issue 14).

The policy behind the product runs on three clocks — 季度监测、半年通报、年度考核
(quarterly monitoring, half-year bulletins, annual assessment) — so a panel's time column
may hold any one of four frequencies:

========  =========================================================================
year      ``2024``, ``2024年``, ``2024年度``, Excel's ``2024.0``
half      ``2024H1``, ``2024-H2``, ``2024 h1``, ``2024年上半年``, ``2024年下半年``
quarter   ``2024Q2``, ``2024-Q2``, ``2024 q2``, ``2024年第二季度``, ``2024年第2季度``,
          ``2024年二季度``, ``2024年Q2``
month     ``2024-05``, ``2024-5``, ``2024/05``, ``2024年5月``, an Excel date (its year
          and month); never ``2024.05``, which reads as a decimal number
========  =========================================================================

Full-width characters (``２０２４Ｑ２``) read as their half-width forms.

Every period has a calendar **key**, an integer ordinal ``year · p + (k − 1)`` where ``p``
is the number of periods in a year (1, 2, 4, 12) and ``k`` the period's place in its year
(a year's key is the year itself). Consecutive periods differ by one, so "previous" is
``key − 1``, "the same period last year" is ``key − p``, and "N in a row" is a run of
consecutive integers: a missing period breaks it, as a missing year does.

A period's **calendar position** is the moment it ends, in years: ``year − 1 + k / p``
(2024Q4 → 2024.0, 2025Q2 → 2024.5, the year 2025 → 2025.0), so a target "for 2025" is
due at position 2025 — the end of 2025, i.e. the period that ends that year — and 2025Q2
lies halfway on a straight path from a 2024Q4 base to it.
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

FREQUENCIES = ("year", "half", "quarter", "month")
PER_YEAR = {"year": 1, "half": 2, "quarter": 4, "month": 12}
# the period's name in messages, singular and plural (en) and in Chinese
UNIT_NAMES = {"year": ("year", "years", "年"), "half": ("half-year", "half-years", "个半年"),
              "quarter": ("quarter", "quarters", "个季度"),
              "month": ("month", "months", "个月")}
ACCEPTED_FORMS = ("2024, 2024年 (years); 2024H1, 2024年上半年 (half-years); 2024Q2, "
                  "2024-Q2, 2024年第二季度 (quarters); 2024-05, 2024年5月 (months)")


def accepted_forms():
    """:data:`ACCEPTED_FORMS` as a message in the user's language."""
    from ..i18n import M
    return M("period.accepted_forms", years="2024, 2024年", halves="2024H1, 2024年上半年",
             quarters="2024Q2, 2024-Q2, 2024年第二季度", months="2024-05, 2024年5月")


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4}
_CN_QUARTER = ("一", "二", "三", "四")

_PATTERNS = (   # (frequency, regex on the NFKC, case-folded, space-free text)
    ("year", re.compile(r"^(?P<y>\d{4})(?:\.0+)?(?:年度?)?$")),
    ("half", re.compile(r"^(?P<y>\d{4})(?:年)?[-/]?h(?P<k>[12])$")),
    ("half", re.compile(r"^(?P<y>\d{4})年?(?P<cn>上|下)半年(?:度)?$")),
    ("quarter", re.compile(r"^(?P<y>\d{4})(?:年)?[-/]?q(?P<k>[1-4])$")),
    ("quarter", re.compile(r"^(?P<y>\d{4})年?第?(?P<k>[1-4一二三四])季度$")),
    ("month", re.compile(r"^(?P<y>\d{4})[-/](?P<k>0?[1-9]|1[0-2])$")),
    ("month", re.compile(r"^(?P<y>\d{4})年(?P<k>0?[1-9]|1[0-2])月(?:份)?$")),
)


@dataclass(frozen=True)
class Period:
    """One period of a frequency, identified by its calendar key (see the module
    docstring). Periods of one frequency order on the calendar; comparing periods of two
    frequencies is an error."""

    key: int
    frequency: str = "year"

    def __post_init__(self):
        if self.frequency not in PER_YEAR:
            raise ValueError(f"frequency must be one of {FREQUENCIES}, not "
                             f"{self.frequency!r}")
        object.__setattr__(self, "key", int(self.key))

    @classmethod
    def of(cls, year: int, index: int = 1, frequency: str = "year") -> "Period":
        """The ``index``-th period (1-based) of ``year``."""
        p = PER_YEAR[frequency]
        if not 1 <= index <= p:
            raise ValueError(f"a {frequency} index runs from 1 to {p}, not {index}")
        return cls(int(year) * p + index - 1, frequency)

    @classmethod
    def parse(cls, text) -> "Period":
        """One label (any accepted form); ValueError naming the accepted forms."""
        keys, freqs, ok = parse_periods([text])
        if not ok[0]:
            raise ValueError(f"{text!r} is not a period; accepted forms: {ACCEPTED_FORMS}")
        return cls(int(keys[0]), str(freqs[0]))

    @property
    def per_year(self) -> int:
        return PER_YEAR[self.frequency]

    @property
    def year(self) -> int:
        return self.key // self.per_year

    @property
    def index(self) -> int:
        """The period's place in its year, 1-based (a year: 1)."""
        return self.key % self.per_year + 1

    def previous(self) -> "Period":
        return Period(self.key - 1, self.frequency)

    def same_period_last_year(self) -> "Period":
        return Period(self.key - self.per_year, self.frequency)

    @property
    def position(self) -> float:
        """Calendar position of the period's end, in years: year − 1 + index / per_year
        (a year Y ends at Y; 2025Q2 at 2024.5)."""
        return float(period_position(np.array([self.key]), self.frequency)[0])

    @property
    def fraction(self) -> float:
        """The share of its calendar year elapsed at the period's end (2025Q2: 0.5)."""
        return self.index / self.per_year

    def label(self, lang: str = "en") -> str:
        """``2025Q2`` / ``2025年第二季度``, ``2025H1`` / ``2025年上半年``, ``2025-05`` /
        ``2025年5月``, ``2025`` / ``2025年``."""
        return str(period_labels(np.array([self.key]), self.frequency, lang)[0])

    def __str__(self) -> str:
        return self.label()

    def _check(self, other):
        if not isinstance(other, Period):
            return NotImplemented
        if other.frequency != self.frequency:
            raise ValueError(f"cannot compare a {self.frequency} ({self}) with a "
                             f"{other.frequency} ({other})")
        return None

    def __lt__(self, other):
        return self._check(other) or self.key < other.key

    def __le__(self, other):
        return self._check(other) or self.key <= other.key

    def __gt__(self, other):
        return self._check(other) or self.key > other.key

    def __ge__(self, other):
        return self._check(other) or self.key >= other.key


# -- whole columns ---------------------------------------------------------------------------
def parse_periods(cells) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Read a column of period labels at once: (keys int64, frequency per cell as str,
    readable mask). Numbers must be whole four-digit years; datetimes read as their
    month; text is matched (NFKC, case and spaces ignored) against the forms of the
    module docstring. Unreadable cells have ``ok`` False (key 0, frequency "")."""
    values = pd.Series(list(cells) if not isinstance(cells, pd.Series) else cells,
                       dtype=object).reset_index(drop=True)
    plain, years = _plain_years(values.to_numpy())
    if plain is None or not plain.any():
        return _parse_careful(values)
    n = len(values)
    keys = np.where(plain, years, 0).astype(np.int64)
    freqs = np.where(plain, "year", "").astype(object)
    ok = plain.copy()
    if not plain.all():
        rest = np.flatnonzero(~plain)
        keys[rest], freqs[rest], ok[rest] = _parse_careful(
            values.iloc[rest].reset_index(drop=True))
    return keys, freqs.astype(str), ok


def _plain_years(cells: np.ndarray) -> tuple[np.ndarray | None, np.ndarray | None]:
    """The fast path of :func:`parse_periods` (issue 11): which cells are plain years —
    four ASCII digits as text, or whole numbers 1000–9999 as integers — and their years,
    read column-wise; (None, None) when the column holds other kinds of cells (then
    every cell takes the careful path). The careful path reads these cells alike."""
    import pyarrow as pa
    import pyarrow.compute as pc
    kind = pd.api.types.infer_dtype(cells, skipna=False) if len(cells) else "empty"
    if kind == "integer":
        try:
            years = cells.astype(np.int64)
        except OverflowError:
            return None, None
        return (years >= 1000) & (years <= 9999), years
    if kind != "string":
        return None, None
    text = pa.array(cells, type=pa.string())
    plain = pc.match_substring_regex(text, "^[0-9]{4}$")
    plain = plain.to_numpy(zero_copy_only=False).astype(bool)
    years = np.zeros(len(cells), dtype=np.int64)
    if plain.any():
        years[plain] = pc.cast(text.filter(pa.array(plain)), pa.int64()).to_numpy()
    return plain, years


def _parse_careful(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """:func:`parse_periods` cell by cell kind: dates, numbers, then text forms."""
    n = len(values)
    keys = np.zeros(n, dtype=np.int64)
    freqs = np.full(n, "", dtype=object)
    ok = np.zeros(n, dtype=bool)
    is_date = values.map(lambda v: isinstance(v, (_dt.date, pd.Timestamp))).to_numpy(bool)
    is_number = values.map(lambda v: isinstance(v, (int, float, np.integer, np.floating))
                           and not isinstance(v, (bool, np.bool_))).to_numpy(bool)
    if is_date.any():
        dates = pd.to_datetime(values[is_date], errors="coerce")
        good = dates.notna().to_numpy()
        rows = np.flatnonzero(is_date)[good]
        keys[rows] = (dates[good].dt.year * 12 + dates[good].dt.month - 1).to_numpy()
        freqs[rows], ok[rows] = "month", True
    if is_number.any():
        numbers = pd.to_numeric(values[is_number], errors="coerce").to_numpy(float)
        whole = np.isfinite(numbers) & (numbers == np.round(numbers)) & \
            (numbers >= 1000) & (numbers <= 9999)
        rows = np.flatnonzero(is_number)[whole]
        keys[rows] = numbers[whole].astype(np.int64)
        freqs[rows], ok[rows] = "year", True
    is_text = ~(is_date | is_number) & values.map(lambda v: isinstance(v, str)).to_numpy(bool)
    if is_text.any():
        text = values[is_text].map(lambda v: "".join(
            unicodedata.normalize("NFKC", v).casefold().split()))
        text_rows = np.flatnonzero(is_text)
        for frequency, pattern in _PATTERNS:
            found = text.str.extract(pattern)
            hit = found["y"].notna().to_numpy() & ~ok[text_rows]
            if not hit.any():
                continue
            year = found.loc[hit, "y"].astype(np.int64).to_numpy()
            if "cn" in found:
                index = np.where(found.loc[hit, "cn"].to_numpy() == "上", 1, 2)
            elif "k" in found:
                index = found.loc[hit, "k"].map(
                    lambda k: _CN_DIGITS.get(k) or int(k)).to_numpy(np.int64)
            else:
                index = np.ones(int(hit.sum()), dtype=np.int64)
            rows = text_rows[hit]
            keys[rows] = year * PER_YEAR[frequency] + index - 1
            freqs[rows], ok[rows] = frequency, True
    return keys, freqs.astype(str), ok


def period_labels(keys: np.ndarray, frequency: str, lang: str = "en") -> np.ndarray:
    """Canonical labels of calendar keys (see :meth:`Period.label`), as an object array."""
    keys = np.asarray(keys).astype(np.int64)
    p = PER_YEAR[frequency]
    year, index = keys // p, keys % p + 1
    ys = year.astype(str).astype(object)
    if frequency == "year":
        return ys + ("年" if lang == "zh" else "")
    if frequency == "half":
        if lang == "zh":
            return ys + np.where(index == 1, "年上半年", "年下半年").astype(object)
        return ys + "H" + index.astype(str).astype(object)
    if frequency == "quarter":
        if lang == "zh":
            names = np.asarray(_CN_QUARTER, dtype=object)[index - 1]
            return ys + "年第" + names + "季度"
        return ys + "Q" + index.astype(str).astype(object)
    if lang == "zh":
        return ys + "年" + index.astype(str).astype(object) + "月"
    return ys + "-" + np.char.zfill(index.astype(str), 2).astype(object)


def period_position(keys: np.ndarray, frequency: str) -> np.ndarray:
    """Calendar position of each period's end, in years (see the module docstring)."""
    keys = np.asarray(keys, dtype=float)
    p = PER_YEAR[frequency]
    return (keys - (p - 1)) / p if p > 1 else keys


def period_years(keys: np.ndarray, frequency: str) -> np.ndarray:
    """The calendar year of each period key."""
    return np.asarray(keys).astype(np.int64) // PER_YEAR[frequency]


def year_end_key(year, frequency: str):
    """The key of the period that ends ``year`` (its last quarter, half or month)."""
    p = PER_YEAR[frequency]
    return np.asarray(year).astype(np.int64) * p + p - 1


def span_text(first: int, last: int, frequency: str, lang: str = "en") -> str:
    """``2024Q3-2025Q1`` / ``2024年第三季度至2025年第一季度``; one period alone when equal."""
    a, b = period_labels(np.array([first, last]), frequency, lang)
    if first == last:
        return str(a)
    if frequency == "year" and lang == "zh":
        return f"{first}-{last}"
    return f"{a}至{b}" if lang == "zh" else f"{a}-{b}"


def count_text(n: int, frequency: str, lang: str = "en") -> str:
    """``2 quarters`` / ``2个季度``; ``2 years`` / ``2年``."""
    one, many, zh = UNIT_NAMES[frequency]
    if lang == "zh":
        return f"{n}{zh}"
    return f"{n} {one if n == 1 else many}"


def period_frame(frame: pd.DataFrame, frequency: str) -> pd.DataFrame:
    """A table whose ``year`` column holds calendar keys, as users read it: unchanged
    for a yearly panel; for a sub-annual one ``year`` becomes the calendar year and a
    ``period`` column with the label (``2025Q2``) follows it."""
    if frequency == "year" or "year" not in frame.columns:
        return frame
    keys = frame["year"].to_numpy().astype(np.int64)
    out = frame.copy()
    out["year"] = keys // PER_YEAR[frequency]
    out.insert(out.columns.get_loc("year") + 1, "period",
               pd.Series(period_labels(keys, frequency), index=out.index, dtype=object))
    return out
