"""Column-wise cell reading (evaluator.model.panel_vector) against the per-cell rules.

The oracle is the per-cell parser of evaluator.model.panel_io (parse_number and
parse_label), applied cell by cell as the loader did before: for every mix of cells the
column-wise reader must give the same values, NaN for the same cells, and leave every
cell it cannot read to the per-cell path (so the same messages name the same cells).
Values are also compared with Python's float() on the cleaned text.
"""
from __future__ import annotations

import datetime as dt
import math

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.model import panel_vector
from evaluator.model.panel_io import (MISSING_MARKERS, Problems, Table, parse_keys,
                                      parse_label, parse_number, parse_numbers,
                                      show_cell)

TRICKY = ["", " ", "1", "+1.5", "-0", "1.", ".5", "1e5", "1E-3", " 12 ", "1,234.5",
          "12,34", "1,234,567", "NA", "n/a", "—", "…", "...", "无", "12%", "#DIV/0!",
          "约5", "１２３", "1e999", "inf", "nan", "1_000", "0x10", "\u00a012", "\x1c1",
          "2020年", "2020.0", " 2020 ", "20 20", "-", "--", "٣", "1.7976931348623157e308"]
cell_values = st.one_of(
    st.sampled_from(TRICKY),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-10 ** 30, max_value=10 ** 30),
    st.integers(min_value=1900, max_value=2100),
    st.integers(min_value=1900, max_value=2100).map(str),
    st.just(None), st.booleans(), st.just(dt.date(2020, 1, 1)),
    st.floats(allow_nan=False).map(np.float64), st.integers(-5, 5).map(np.int64),
    st.text(max_size=6),
)


def per_cell(fn, cell):
    try:
        return ("ok", fn(cell))
    except (ValueError, OverflowError) as exc:
        return ("error", str(exc))


def same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


@settings(max_examples=300, deadline=None)
@given(st.lists(cell_values, max_size=40))
def test_numbers_agree_with_the_per_cell_rules(cells):
    values, careful = panel_vector.numbers(cells, MISSING_MARKERS)
    for cell, value, left in zip(cells, values, careful):
        if left:
            continue   # the per-cell path decides: its result is the oracle itself
        kind, expected = per_cell(parse_number, cell)
        assert kind == "ok", (cell, expected)
        expected = np.nan if expected is None else expected
        assert same(float(value), expected), (cell, value, expected)


@settings(max_examples=200, deadline=None)
@given(st.lists(cell_values, max_size=40))
def test_labels_agree_with_the_per_cell_rules(cells):
    names, careful = panel_vector.labels(cells)
    for cell, name, left in zip(cells, names, careful):
        if not left:
            assert name == parse_label(cell), cell


def _table(rows):
    return Table(header=["unit", "year", "x"], rows=rows,
                 row_names=[f"row {i + 2}" for i in range(len(rows))], where="p.csv",
                 letters=True)


@settings(max_examples=150, deadline=None)
@given(st.lists(cell_values, min_size=1, max_size=30))
def test_parse_numbers_equals_the_cell_by_cell_loader(cells):
    """Values and the problem lines (text and order) equal the old cell-by-cell loop."""
    table = _table([("a", "2020", c) for c in cells])
    problems = Problems(table)
    got = parse_numbers(table, 2, problems)
    expected_lines, expected = [], []
    for row, cell in enumerate(cells):
        kind, value = per_cell(parse_number, cell)
        if kind == "error":
            expected_lines.append(f"row {row + 2}, column C 'x': {show_cell(cell)} "
                                  f"({value})")
            expected.append(np.nan)
        else:
            expected.append(np.nan if value is None else value)
    assert all(same(float(g), e) for g, e in zip(got, expected))
    assert problems.lines == expected_lines


def test_short_rows_and_bad_keys_keep_their_messages():
    table = _table([("a", "2020", "1,5"), (" ", "20x0"), ("b", "2021年", "2")])
    problems = Problems(table)
    values = parse_numbers(table, 2, problems)
    assert np.isnan(values[0]) and np.isnan(values[1]) and values[2] == 2.0
    assert problems.lines == ["row 2, column C 'x': '1,5' (text where a number is expected)"]
    try:
        parse_keys(table, 0, 1)
    except Exception as exc:  # DataError listing both bad cells of row 3, unit first
        text = str(exc)
    assert "row 3, column A 'unit': ' ' (the unit is empty)" in text
    assert "row 3, column B 'year': '20x0'" in text
    assert text.index("column A") < text.index("column B")


def test_a_number_like_missing_marker_is_never_read_as_a_number():
    values, careful = panel_vector.numbers(["-999", "5"], {"", "-999"})
    assert careful.tolist() == [True, False] and values[1] == 5.0
