"""A long table kept as its wide matrices, made into rows a block at a time (issue 11).

The long output tables (``indicators``, ``diagnostics``) have one row per unit-year and
indicator (or node): at 300,000 unit-years that is ~11 million rows, several GB as a
pandas frame with text columns. :class:`LongTable` keeps what they are made of — one
value per wide row (``unit``, ``year`` …), the labels of the long rows (indicator ids,
node ids) and, per column, an n × k matrix (or one value, or a function of the wide rows)
per part — and builds the rows of a block of wide rows on demand: the writers
(:mod:`evaluator.io.tables`) write it block by block, so memory stays bounded by a block;
:meth:`LongTable.to_frame` gives the whole table when a caller asks for it. A block's
rows are exactly the rows the whole frame holds there (same values, same dtypes).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

WIDE_ROWS_PER_BLOCK_CELLS = 200_000   # long rows built at once (about 30–60 MB of frame)


@dataclass(frozen=True)
class Codes:
    """A text matrix kept as small integer codes into ``labels`` (1 byte a cell instead
    of 4 per character)."""

    codes: np.ndarray
    labels: np.ndarray

    @classmethod
    def of(cls, text: np.ndarray, labels) -> "Codes":
        """``text`` (every cell one of ``labels``) as codes."""
        labels = np.asarray(labels)
        codes = np.zeros(text.shape, dtype=np.int8)
        for c, label in enumerate(labels):
            codes[text == label] = c
        return cls(codes, labels)


@dataclass(frozen=True)
class Part:
    """The long rows each wide row gives for one set of columns of the wide matrices:
    ``labels`` names them (the value of the label column), ``data`` maps an output
    column to an n × k matrix (or :class:`Codes`), a single value for every row, or a
    function of the wide row positions returning the n' × k matrix of those rows.
    Columns missing here are NaN in this part's rows."""

    labels: list[str]
    data: dict[str, Any]


@dataclass(frozen=True)
class LongTable:
    """A long table: for each wide row (in ``order``), the rows of every part in turn.

    ``keys`` are per-wide-row columns repeated on each long row (``unit``, ``year``),
    ``label`` the column holding the part's labels, ``columns`` the output columns in
    their order, ``integers`` the columns shown as nullable integers (``Int64``) and
    ``finish`` a function applied to every built frame (after the columns are chosen)."""

    order: np.ndarray
    keys: dict[str, Any]
    label: str
    parts: tuple[Part, ...]
    columns: tuple[str, ...]
    integers: tuple[str, ...] = ()
    finish: Callable[[pd.DataFrame], pd.DataFrame] | None = None

    @property
    def width(self) -> int:
        """Long rows per wide row."""
        return sum(len(p.labels) for p in self.parts)

    def __len__(self) -> int:
        return len(self.order) * self.width

    def select(self, columns, finish=None) -> "LongTable":
        """The same rows with only ``columns`` (in that order), then ``finish``."""
        return replace(self, columns=tuple(columns), finish=finish)

    def frame(self, rows: np.ndarray) -> pd.DataFrame:
        """The long rows of the wide rows ``rows`` (positions, in their order)."""
        k = self.width
        count = len(rows)
        out: dict[str, Any] = {}
        for col in self.columns:
            if col in self.keys:
                value = self.keys[col]
                out[col] = np.repeat(value[rows], k) if isinstance(value, np.ndarray) \
                    else value
            elif col == self.label:
                labels = np.asarray([x for p in self.parts for x in p.labels], dtype=object)
                out[col] = np.tile(labels, count)
            else:
                out[col] = np.hstack([_block(p, col, rows, count) for p in self.parts]
                                     ).ravel()
        t = pd.DataFrame(out, columns=list(self.columns))
        for col in self.integers:
            if col in t.columns:
                t[col] = pd.array(t[col], dtype="Float64").astype("Int64")
        return self.finish(t) if self.finish is not None else t

    def wide_blocks(self, long_rows: int = WIDE_ROWS_PER_BLOCK_CELLS) -> Iterator[np.ndarray]:
        """The wide row positions, in order, a block at a time (about ``long_rows``
        long rows each)."""
        step = max(1, long_rows // max(self.width, 1))
        for start in range(0, len(self.order), step):
            yield self.order[start:start + step]

    def chunks(self, long_rows: int = WIDE_ROWS_PER_BLOCK_CELLS) -> Iterator[pd.DataFrame]:
        """The table as consecutive frames (at least one, perhaps empty)."""
        if len(self.order) == 0:
            yield self.frame(self.order)
            return
        for rows in self.wide_blocks(long_rows):
            yield self.frame(rows)

    def to_frame(self) -> pd.DataFrame:
        """The whole table as one frame (index 0 … n−1)."""
        return self.frame(self.order)

    def text_values(self) -> Iterator[str]:
        """Every distinct text a cell of the table can hold (for the writer's quoting
        choice, made once for the whole table): keys, labels and text data."""
        for col in self.columns:
            if col in self.keys:
                value = self.keys[col]
                values = np.unique(np.asarray(value).astype(str)) \
                    if isinstance(value, np.ndarray) else [value]
            elif col == self.label:
                values = [x for p in self.parts for x in p.labels]
            else:
                values = [v for p in self.parts for v in _texts(p.data.get(col))]
            yield from (v for v in values if isinstance(v, str))


def _block(part: Part, col: str, rows: np.ndarray, count: int) -> np.ndarray:
    k = len(part.labels)
    value = part.data.get(col, np.nan)
    if isinstance(value, Codes):
        return value.labels[value.codes[rows]]
    if callable(value):
        return np.asarray(value(rows)).reshape(count, k)
    if isinstance(value, np.ndarray):
        return value[rows]
    return np.full((count, k), value, dtype=object if isinstance(value, str) else float)


def _texts(value) -> list:
    if isinstance(value, str):
        return [value]
    if isinstance(value, Codes):
        return [str(v) for v in value.labels]
    if isinstance(value, np.ndarray) and value.dtype.kind in "OUS":
        return [str(v) for v in np.unique(value.astype(str))]
    return []
