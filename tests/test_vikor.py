"""VIKOR (Opricovic & Tzeng 2004) against pymcdm's implementation, through the recipe,
and its conditions and degenerate cases."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from pymcdm.methods import VIKOR

from evaluator.evaluate import evaluate
from evaluator.methods.vikor import vikor
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel




@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10_000), m=st.integers(3, 12), n=st.integers(2, 7),
       v=st.sampled_from([0.0, 0.3, 0.5, 1.0]))
def test_equals_pymcdm_on_random_benefit_and_cost_criteria(seed, m, n, v):
    rng = np.random.default_rng(seed)
    X = rng.uniform(1, 100, (m, n))
    w = rng.dirichlet(np.ones(n))
    types = np.where(rng.random(n) < 0.4, -1, 1)
    types[0] = 1
    body = VIKOR(v=v)
    nm, _, _, S, R, Q = body._method(X.copy(), w, types)
    # the pipeline hands VIKOR benefit-oriented values; pymcdm orients cost by max − x
    ours = vikor(nm, w, v=v)
    np.testing.assert_allclose(ours.s, S, atol=1e-9, rtol=0)
    np.testing.assert_allclose(ours.r, R, atol=1e-9, rtol=0)
    np.testing.assert_allclose(ours.q, Q, atol=1e-9, rtol=0)
    np.testing.assert_allclose(body(X, w, types), ours.q, atol=1e-9)


def test_conditions_and_compromise_set():
    # Opricovic & Tzeng's conditions: C1 Q(a'') − Q(a') ≥ 1/(m − 1); C2 a' best by S or R
    X = np.array([[1.0, 1.0], [0.0, 0.9], [0.2, 0.0], [0.1, 0.3]])
    res = vikor(X, np.array([0.5, 0.5]))
    assert res.compromise[0] == 0 and res.acceptable_stability
    assert res.acceptable_advantage == (np.sort(res.q)[1] - res.q.min() >= 1 / 3)
    X = np.array([[1.0, 0.9], [0.95, 1.0], [0.0, 0.0], [0.5, 0.5], [0.2, 0.1]])
    close = vikor(X, np.array([0.5, 0.5]))
    assert not close.acceptable_advantage          # two leaders within DQ = 1/4
    assert set(close.compromise) == set(np.flatnonzero(close.q - close.q.min() < 0.25))
    assert set(close.compromise) == {0, 1}


def test_all_alternatives_equal_is_a_documented_result():
    res = vikor(np.ones((4, 3)), np.full(3, 1 / 3))
    assert np.all(res.q == 0) and not res.acceptable_advantage
    assert list(res.constant_criteria) == [0, 1, 2]


FW = Framework.from_dict({"id": "vk", "indicators": [
    {"id": "x1"}, {"id": "x2"}, {"id": "x3", "direction": "cost"}]})


def test_through_the_recipe_ranked_by_q_with_s_r_q_in_aggregation_csv(tmp_path):
    rng = np.random.default_rng(4)
    df = pd.DataFrame({"unit": [f"c{i}" for i in range(6)] * 2,
                       "year": [2022] * 6 + [2023] * 6})
    for c in ("x1", "x2", "x3"):
        df[c] = rng.uniform(1, 10, 12)
    res = evaluate(FW, Panel.from_frame(df, FW),
                   {"normalise": {"method": "min_max", "scope": "per_year"},
                    "weights": {"indicators": {"method": "fixed",
                                               "values": {"x1": 2, "x2": 1, "x3": 1}}},
                    "aggregate": {"method": "vikor", "v": 0.5}})
    table = res.aggregation_table
    assert {"s", "r", "q"} <= set(table.columns)
    for year in (2022, 2023):
        rows = (res.years == year)
        Z = res.stages["normalised"][rows]
        expected = vikor(Z, np.array([0.5, 0.25, 0.25]), v=0.5)
        got = table[table["year"] == year].set_index("unit").loc[res.units[rows]]
        np.testing.assert_allclose(got["q"], expected.q, atol=1e-12)
        # ranked by Q: lowest Q is rank 1
        rk = pd.Series(res.ranks["index"][rows], index=res.units[rows])
        assert rk[res.units[rows][np.argmin(expected.q)]] == 1
    res.to_dir(tmp_path)
    csv = pd.read_csv(tmp_path / "aggregation.csv", encoding="utf-8-sig")
    assert {"s", "r", "q"} <= set(csv.columns)
    step = next(r for r in res.records if r.get("step") == "aggregate")
    assert {"acceptable_advantage", "acceptable_stability", "compromise"} <= \
        set(step["per_block"][0])


def test_every_unit_equal_warns_instead_of_nan():
    df = pd.DataFrame({"unit": ["a", "b", "c"], "year": 2020, "x1": [1.0, 2, 3],
                       "x2": [5.0, 5, 5], "x3": [2.0, 2, 2]})
    res = evaluate(FW, Panel.from_frame(df, FW),
                   {"normalise": {"method": "min_max", "zero_range": "mid"},
                    "aggregate": "vikor"})
    assert not np.isnan(res.scores["index"]).any()
    assert any("VIKOR ignores" in w for w in res.warnings)
