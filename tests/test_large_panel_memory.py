"""What keeps large panels within memory (issue 11) gives the same numbers as before:
rows looked up by unit code, block statistics kept per block, stage matrices held once
when a stage changed nothing, the diagnostics' targets resolved once."""
from __future__ import annotations

import numpy as np
import pytest

from evaluator.evaluate import evaluate
from evaluator.methods import diagnose as dg
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.resources import demo_panel_path
from evaluator.stages.diagnose_targets import resolve_targets, shared_targets
from evaluator.stages.diagnostics import diagnose, diagnostic_warnings
from evaluator.stages.diagnose_params import diagnose_params
from evaluator.stages.run import Run, _same_bits


def demo_panel():
    return load_panel(demo_panel_path(), load_framework("resource_city_transition"))


def _panel_keys(seed=3, n_units=40):
    rng = np.random.default_rng(seed)
    units, years = [], []
    for u in range(n_units):
        kept = sorted(rng.choice(np.arange(2010, 2020), size=rng.integers(1, 10),
                                 replace=False))
        units += [f"unit {u:02d}"] * len(kept)
        years += kept
    order = rng.permutation(len(units))   # rows in no particular order
    return np.array(units, dtype=object)[order], np.array(years)[order]


def test_own_rows_is_find_rows_with_each_rows_unit():
    units, years = _panel_keys()
    n, m = len(units), 7
    rng = np.random.default_rng(5)
    query = rng.integers(2008, 2022, size=(n, m)).astype(float)
    query[rng.random((n, m)) < 0.2] = np.nan        # NaN asks for no row
    expected = dg.find_rows(units, years, np.repeat(units, m), query.ravel()).reshape(n, m)
    got = dg.own_rows(units, years, query)
    assert got.shape == (n, m) and got.dtype == expected.dtype
    assert np.array_equal(got, expected)
    assert (got >= 0).any() and (got < 0).any()
    # one query a row (the lag of every row): the same as find_rows too
    previous = dg.previous_year(years)
    assert np.array_equal(dg.own_rows(units, years, previous),
                          dg.find_rows(units, years, units, previous))
    assert np.array_equal(dg.lag_rows(units, years),
                          dg.find_rows(units, years, units, previous))


def test_block_statistics_kept_per_block_are_the_rows_values():
    rng = np.random.default_rng(11)
    n, m = 60, 4
    V = rng.normal(size=(n, m)).round(1)     # rounded: ties within blocks
    V[rng.random((n, m)) < 0.25] = np.nan
    blocks = rng.choice(["2020\x00a", "2020\x00b", "2021\x00a"], size=n)
    V[blocks == "2021\x00a", 2] = np.nan     # a block column without any value
    codes, best, where = dg.block_best_of(V, blocks)
    _, med = dg.block_median_of(V, blocks)
    for i in range(n):                       # worked out row by row
        rows = np.flatnonzero(blocks == blocks[i])
        for j in range(m):
            col = V[rows, j]
            if np.isnan(col).all():
                assert np.isnan(best[codes[i], j]) and where[codes[i], j] == -1
                assert np.isnan(med[codes[i], j])
                continue
            top = np.nanmax(col)
            assert best[codes[i], j] == top
            assert where[codes[i], j] == rows[np.flatnonzero(col == top)[0]]
            assert med[codes[i], j] == np.nanmedian(col)
    whole_best, whole_where = dg.block_best(V, blocks)
    assert np.array_equal(whole_best, best[codes], equal_nan=True)
    assert np.array_equal(whole_where, where[codes])
    assert np.array_equal(dg.block_median(V, blocks), med[codes], equal_nan=True)
    one_best, _ = dg.block_best(V[:, 0], blocks)   # a vector stays a vector
    assert one_best.shape == (n,)


@pytest.fixture(scope="module")
def demo_assessment():
    fw = load_framework("resource_city_transition")
    return evaluate(fw, demo_panel())


def test_stages_that_change_nothing_share_one_matrix(demo_assessment):
    stages = demo_assessment.stages
    assert stages["prepared"] is stages["treated"]
    assert stages["screened"] is stages["imputed"]          # the demo drops no unit-year
    assert stages["denominated"] is not stages["raw"]       # one indicator has a denominator
    assert stages["transformed"] is not stages["screened"]  # two are log-transformed
    assert not np.shares_memory(stages["imputed"], stages["transformed"])


def test_same_bits_tells_signed_zeros_and_nan_payloads_apart():
    a = np.array([[0.0, np.nan, 1.5]])
    assert _same_bits(a, a.copy())
    assert not _same_bits(a, np.array([[-0.0, np.nan, 1.5]]))
    other_nan = a.copy()
    other_nan.view(np.int64)[0, 1] ^= 1      # another NaN payload
    assert not _same_bits(a, other_nan)
    assert not _same_bits(None, a) and not _same_bits(a, a[:, :2].copy())
    assert not _same_bits(a, a.astype(np.float32).astype(np.float64)[:, ::-1])


def test_keep_stage_copies_a_changed_matrix_and_shares_an_unchanged_one():
    run = Run.__new__(Run)
    run.stages = {"raw": np.array([[1.0, 2.0]])}
    X = np.array([[1.0, 2.0]])
    run.keep_stage("same", X, "raw")
    assert run.stages["same"] is run.stages["raw"]
    X[0, 0] = 5.0                            # the working matrix changes afterwards
    assert run.stages["same"][0, 0] == 1.0
    run.keep_stage("changed", X, "same")
    assert run.stages["changed"] is not X and run.stages["changed"][0, 0] == 5.0
    X[0, 1] = 7.0
    assert run.stages["changed"][0, 1] == 2.0


def test_screening_keeps_shared_stages_shared():
    fw = load_framework("resource_city_transition")
    panel = demo_panel()
    a = evaluate(fw, panel, {"screen": {"min_coverage": 0.99}})
    assert len(a.units) < len(panel.data)    # some unit-years were dropped
    assert a.stages["prepared"] is a.stages["treated"]
    assert a.stages["raw"].shape == a.stages["normalised"].shape == (len(a.units), len(a.ids))


def test_targets_resolved_once_and_shared_with_the_diagnosis():
    fw = load_framework("resource_city_transition")
    a = evaluate(fw, demo_panel())
    params, kept, warnings = a.__dict__["_targets"]
    d = diagnose(a)
    assert "_targets" not in a.__dict__      # taken by the diagnosis: held once
    indicator_part = d.long.parts[0]
    assert indicator_part.data["target"] is kept["target"]
    assert indicator_part.data["expected_now"].shape == kept["target"].shape
    # the same numbers and warnings as resolving them anew
    units = np.asarray(a.units).astype(str)
    years = np.asarray(a.years).astype(np.int64)
    groups = np.asarray(a.groups).astype(str)
    fresh, fresh_warnings = resolve_targets(a, params, a.stages["denominated"], units,
                                            years, groups)
    assert np.array_equal(fresh["target"], kept["target"], equal_nan=True)
    assert np.array_equal(fresh["start_year"], kept["start_year"], equal_nan=True)
    assert fresh_warnings == warnings and all(w in d.warnings for w in warnings)
    assert diagnostic_warnings(a) == diagnostic_warnings(a)


def test_kept_targets_of_other_parameters_are_not_used():
    fw = load_framework("resource_city_transition")
    a = evaluate(fw, demo_panel())
    params, kept, _ = a.__dict__["_targets"]
    years = np.asarray(a.years).astype(np.int64)
    other = diagnose_params({"base_year": int(years.min()) + 2},
                            sorted(set(years.tolist())), framework=a.framework)
    assert other != params
    units, groups = np.asarray(a.units).astype(str), np.asarray(a.groups).astype(str)
    got, _ = shared_targets(a, other, a.stages["denominated"], units, years, groups)
    fresh, _ = resolve_targets(a, other, a.stages["denominated"], units, years, groups)
    assert np.array_equal(got["start_year"], fresh["start_year"], equal_nan=True)
    assert not np.array_equal(got["start_year"], kept["start_year"], equal_nan=True)


def test_columns_made_with_the_rows_are_the_whole_matrices(demo_assessment):
    a = demo_assessment
    d = diagnose(a)
    part = d.long.parts[0]
    n, m = len(a.units), len(a.ids)
    score = np.asarray(a.scores["index"], float)
    contrib = a.contribution_shares * np.nan_to_num(a.stages["normalised"])
    contrib[np.isnan(score)] = np.nan
    units = np.asarray(a.units).astype(str)
    change = dg.change_since(contrib, dg.lag_rows(units, a.years))
    rows = np.random.default_rng(2).permutation(n)[: n // 3]   # any rows, any order
    assert np.array_equal(part.data["contribution"](rows), contrib[rows], equal_nan=True)
    assert np.array_equal(part.data["contribution_change"](rows), change[rows],
                          equal_nan=True)
    assert np.isfinite(change).any() and np.isnan(change).any()
    G = dg.orient(a.stages["denominated"], np.array(
        [a.framework.indicator(i).sign for i in a.ids], float))
    best, best_row = dg.block_best(G, a.years)
    assert np.array_equal(part.data["gap_to_best"](rows), (best - G)[rows], equal_nan=True)
    assert np.array_equal(part.data["best"](rows),
                          dg.take_cells(a.stages["denominated"], best_row)[rows],
                          equal_nan=True)
    assert part.data["target_year"](rows).shape == (len(rows), m)


def test_obstacles_and_strengths_are_made_on_first_use_only():
    fw = load_framework("resource_city_transition")
    a = evaluate(fw, demo_panel())
    d = diagnose(a)
    assert "obstacles" not in d.__dict__ and "strengths" not in d.__dict__
    assert set(d.makers) == {"obstacles", "strengths"}
    strengths = d.strengths
    assert d.strengths is strengths and "strengths" not in d.makers   # made once, kept
    assert list(strengths.columns) == ["unit", "year", "kind", "order", "indicator", "rank",
                                       "value"]
    assert set(strengths["kind"]) == {"strength", "weakness"}
    top = d.obstacles
    assert list(top.columns) == ["unit", "year", "order", "indicator", "obstacle"]
    assert (top["obstacle"] > 0).all() and not d.makers
