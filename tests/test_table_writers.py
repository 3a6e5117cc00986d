"""Per-table writers: the columnar CSV writer, Parquet and the XlsxWriter workbook.

Independent oracles: pandas' own ``to_csv`` of the guarded frame (the previous writer)
read back by ``pandas.read_csv``; openpyxl reading the workbook; pandas reading Parquet.
"""
from __future__ import annotations

import io

import numpy as np
import openpyxl
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.output import safe_frame, write_csv, write_parquet, write_xlsx
from evaluator.io.tables import write_csv_stream


def old_bytes(frame: pd.DataFrame) -> bytes:
    return safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")


def new_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    write_csv_stream(frame, buffer)
    return buffer.getvalue()


def read_back(blob: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(blob), encoding="utf-8-sig")


MIXED = pd.DataFrame({
    "unit": ["示例市001", "=cmd|' /C calc'!A0", "+1", "-x", "@SUM(A1)", "\tTab", "a,b",
             'say "hi"', "two\nlines", None],
    "year": np.arange(2015, 2025),
    "score": [0.1, 1.0, -0.0, 1e-05, 1.5e-07, 1e15, 1e16, np.nan, np.inf, -np.inf],
    "rank": pd.array([1, 2, None, 4, 5, 6, 7, 8, 9, 10], dtype="Int64"),
    "met": [True, False, True, True, False, True, True, False, True, True],
    "light": pd.Series(["green", None, "red", "yellow", None, "green", "red", "red", "", "x"],
                       dtype=object),
    "mixed": pd.Series([1, "a", 2.5, None, True, "=1", 3, 4, 5, 6], dtype=object),
    "=formula header": np.linspace(0, 1, 10),
})


def test_the_columnar_csv_reads_back_as_the_pandas_csv():
    pd.testing.assert_frame_equal(read_back(new_bytes(MIXED)), read_back(old_bytes(MIXED)),
                                  check_exact=True)


def test_the_guard_and_the_bom():
    blob = new_bytes(MIXED)
    assert blob.startswith(b"\xef\xbb\xbf")
    back = read_back(blob)
    assert back.columns[-1] == "'=formula header"
    assert back["unit"].iloc[1] == "'=cmd|' /C calc'!A0" and back["unit"].iloc[2] == "'+1"
    assert back["unit"].iloc[5] == "'\tTab" and back["mixed"].iloc[5] == "'=1"


def test_a_table_needing_no_quotes_is_byte_identical_to_pandas():
    frame = MIXED.drop(columns=["unit"]).iloc[:, :4]
    assert new_bytes(frame) == old_bytes(frame)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True), min_size=1, max_size=60),
       st.lists(st.text(max_size=8), min_size=1, max_size=60))
def test_any_floats_and_text_are_written_as_pandas_wrote_them(floats, texts):
    n = min(len(floats), len(texts))
    frame = pd.DataFrame({"x": floats[:n], "t": texts[:n], "k": np.arange(n)})
    frame_no_text = frame[["x", "k"]]
    assert new_bytes(frame_no_text) == old_bytes(frame_no_text)   # floats: same bytes
    clean = frame["t"].str.contains(r'[",\r\n]', regex=True).sum() == 0
    if clean:
        assert new_bytes(frame) == old_bytes(frame)
    new = pd.read_csv(io.BytesIO(new_bytes(frame)), encoding="utf-8-sig", dtype={"t": str},
                      keep_default_na=False)
    assert len(new) == n      # a bare CR is quoted: pandas' writer left it bare (a new row)
    if not frame["t"].str.contains("\r").any():
        old = pd.read_csv(io.BytesIO(old_bytes(frame)), encoding="utf-8-sig",
                          dtype={"t": str}, keep_default_na=False)
        pd.testing.assert_frame_equal(new, old, check_exact=True)


def test_single_column_with_empty_cells_keeps_its_rows():
    frame = pd.DataFrame({"x": [1.0, np.nan, 2.0]})
    assert new_bytes(frame) == old_bytes(frame)
    assert len(read_back(new_bytes(frame))) == 3


def test_files_are_byte_identical_across_reruns(tmp_path):
    paths = {}
    for run in ("a", "b"):
        folder = tmp_path / run
        folder.mkdir()
        write_csv(MIXED, folder / "t.csv")
        write_parquet(MIXED, folder / "t.parquet")
        write_xlsx({"t": MIXED, "about": pd.DataFrame({"note": ["模拟"]})}, folder / "t.xlsx")
        paths[run] = folder
    for name in ("t.csv", "t.parquet", "t.xlsx"):
        assert (paths["a"] / name).read_bytes() == (paths["b"] / name).read_bytes(), name


def test_parquet_keeps_types_and_guarded_text(tmp_path):
    write_parquet(MIXED, tmp_path / "t.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    assert list(back.columns) == list(safe_frame(MIXED).columns)
    np.testing.assert_array_equal(back["score"].to_numpy(), MIXED["score"].to_numpy())
    assert back["year"].dtype == np.int64 and back["met"].dtype == bool
    assert back["unit"].iloc[1] == "'=cmd|' /C calc'!A0"
    assert back["rank"].isna().tolist() == MIXED["rank"].isna().tolist()


def test_workbook_cells_are_the_guarded_values(tmp_path):
    write_xlsx({"t": MIXED}, tmp_path / "t.xlsx")
    ws = openpyxl.load_workbook(tmp_path / "t.xlsx")["t"]
    rows = list(ws.iter_rows(values_only=True))
    assert ws.freeze_panes == "A2"
    assert rows[0][-1] == "'=formula header"
    expected = safe_frame(MIXED)
    for r, row in enumerate(rows[1:]):
        for c, cell in enumerate(row):
            want = expected.iat[r, c]
            if want is None or want is pd.NA or (isinstance(want, float) and
                                                 not np.isfinite(want)):
                assert cell is None
            elif isinstance(want, (bool, np.bool_)):
                assert cell is bool(want)
            elif isinstance(want, str):
                assert cell == want          # text, never a formula
            else:
                assert cell == pytest.approx(float(want), rel=0, abs=0)


def test_a_table_written_in_slices_is_the_same_file():
    frame = pd.concat([MIXED] * 7, ignore_index=True)
    whole, sliced = io.BytesIO(), io.BytesIO()
    write_csv_stream(frame, whole)
    write_csv_stream(frame, sliced, rows_per_slice=3)
    assert whole.getvalue() == sliced.getvalue()
    plain = frame[["year", "score", "met"]]
    assert new_bytes(plain) == old_bytes(plain)
