"""Long tables kept as matrices (evaluator/io/long_table.py, issue 11): the rows a block
of wide rows gives are the rows of the whole frame, built the way the tables were built
before (long frames concatenated, then sorted by year and unit); the writers give the
same CSV bytes and the same Parquet content block by block as from the whole frame; and
``score --out`` writes the long tables without ever making them whole."""
from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

import evaluator
from evaluator.io.long_table import Codes, LongTable, Part
from evaluator.io.tables import write_csv_stream, write_parquet_file
from evaluator.resources import demo_panel_path

RNG = np.random.default_rng(3)
UNITS = np.array(["b-town", "=a", "c", "a,b", "示例市", "d"] * 2)
YEARS = np.repeat([2021, 2020], 6)
IDS, NODES = ["x1", "x2", "x3"], ["dim", "index"]


def matrices(n=12):
    value = RNG.normal(size=(n, 3))
    value[1, 2] = np.nan
    light = np.array(["green", "", "red"])[RNG.integers(0, 3, size=(n, 3))]
    rank = RNG.integers(1, 5, size=(n, 3)).astype(float)
    rank[0, 0] = np.nan
    return value, light, rank, RNG.normal(size=(n, 2))


def old_way(value, light, rank, score):
    """The long table as the diagnostics built it before: a frame per part, then concat
    and a stable sort by year, unit and position."""
    n = len(UNITS)
    parts = []
    for position, (labels, data) in enumerate([
            (IDS, {"kind": "indicator", "value": value, "light": light, "rank": rank}),
            (NODES, {"kind": "node", "value": score, "light": "", "rank": score})]):
        k = len(labels)
        t = pd.DataFrame({"unit": np.repeat(UNITS, k), "year": np.repeat(YEARS, k),
                          "indicator": np.tile(np.asarray(labels, dtype=object), n),
                          "_position": np.tile(np.arange(k) + 3 * position, n),
                          **{c: v.ravel() if isinstance(v, np.ndarray) else v
                             for c, v in data.items()}})
        if "gap" not in t:
            t["gap"] = np.nan
        t["rank"] = pd.array(t["rank"], dtype="Float64").astype("Int64")
        parts.append(t)
    t = pd.concat(parts, ignore_index=True).sort_values(["year", "unit", "_position"],
                                                        kind="mergesort")
    return t.drop(columns="_position").reset_index(drop=True)


def long_table(value, light, rank, score):
    parts = (Part(IDS, {"kind": "indicator", "value": value,
                        "light": Codes.of(light, ["", "green", "red"]),
                        "rank": lambda r: rank[r], "gap": np.nan}),
             Part(NODES, {"kind": "node", "value": score, "light": "", "rank": score}))
    return LongTable(np.lexsort((UNITS, YEARS)), {"unit": UNITS, "year": YEARS},
                     "indicator", parts, ("unit", "year", "indicator", "kind", "value",
                                          "light", "rank", "gap"), integers=("rank",))


def test_the_whole_frame_is_the_frame_built_before():
    data = matrices()
    expected = old_way(*data)[["unit", "year", "indicator", "kind", "value", "light",
                               "rank", "gap"]]
    pd.testing.assert_frame_equal(long_table(*data).to_frame(), expected, check_exact=True)


@pytest.mark.parametrize("block", [1, 5, 7, 1000])
def test_blocks_give_the_whole_frames_rows(block):
    table = long_table(*matrices())
    chunks = list(table.chunks(block))
    assert len(chunks) == (1 if block == 1000 else -(-12 // max(1, block // 5)))
    pd.testing.assert_frame_equal(pd.concat(chunks, ignore_index=True), table.to_frame(),
                                  check_exact=True)


@pytest.mark.parametrize("units", [UNITS, np.array([u.replace(",", ";") for u in UNITS])])
def test_csv_written_by_blocks_is_the_whole_frames_file(units):
    """Quoted (a unit holds a comma) or not, by blocks of one wide row or all at once."""
    global UNITS
    saved, UNITS = UNITS, units
    try:
        table = long_table(*matrices())
    finally:
        UNITS = saved
    whole, blocks = io.BytesIO(), io.BytesIO()
    write_csv_stream(table.to_frame(), whole)
    write_csv_stream(table, blocks, rows_per_slice=5)
    assert blocks.getvalue() == whole.getvalue()
    assert (b'"a,b"' in whole.getvalue()) == ("a,b" in units)
    assert b"'=a" in whole.getvalue()     # the formula guard, block by block too


def test_parquet_written_by_blocks_reads_back_as_the_whole_frame(tmp_path):
    table = long_table(*matrices())
    write_parquet_file(table, tmp_path / "t.parquet", rows_per_slice=5)
    write_parquet_file(table.to_frame(), tmp_path / "whole.parquet")
    back = pd.read_parquet(tmp_path / "t.parquet")
    pd.testing.assert_frame_equal(back, pd.read_parquet(tmp_path / "whole.parquet"),
                                  check_exact=True)
    assert back["unit"].iloc[0] == "'=a" and back["light"].isin(["", "green", "red"]).all()


@pytest.fixture(scope="module")
def demo():
    fw = evaluator.load_framework("resource_city_transition")
    return evaluator.evaluate(fw, evaluator.load_panel(demo_panel_path(), fw))


def test_score_writes_the_long_tables_without_making_them_whole(demo, tmp_path,
                                                                monkeypatch):
    expected = {name: demo.tables()[name] for name in ("indicators", "diagnostics")}

    def refuse(self):
        raise AssertionError("a long table was made whole for writing")
    blocks = []
    chunks = LongTable.chunks

    def small_blocks(self, long_rows=0):   # several blocks even on the demo
        for part in chunks(self, 7_000):
            blocks.append(len(part))
            yield part
    monkeypatch.setattr(LongTable, "to_frame", refuse)
    monkeypatch.setattr(LongTable, "chunks", small_blocks)
    demo.write_files(tmp_path, xlsx=False)
    assert len(blocks) > 10 and max(blocks) <= 7_000
    monkeypatch.undo()
    for name, frame in expected.items():
        whole = io.BytesIO()
        write_csv_stream(frame, whole)
        assert (tmp_path / f"{name}.csv").read_bytes() == whole.getvalue()


def test_the_python_api_still_gives_frames(demo):
    d = evaluator.diagnose(demo)
    assert isinstance(d.table, pd.DataFrame) and isinstance(
        demo.diagnostics()["diagnostics"], pd.DataFrame)
    pd.testing.assert_frame_equal(d.tables()["diagnostics"],
                                  demo.diagnostics()["diagnostics"], check_exact=True)
    assert len(d.table) == len(demo.units) * (len(demo.ids) + len(
        demo.framework.aggregation_order()))
    assert isinstance(demo.indicators_table, pd.DataFrame)


def test_the_table_names_are_those_written(demo):
    assert demo.table_names() == list(demo.output_tables())
