"""Issue-3 methods inside the pipeline: TOPSIS and grey relational at a node, entropy–
TOPSIS, combined weights, coupling coordination tables."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluator import Framework, MethodError, Panel, Recipe, RecipeError, evaluate
from evaluator.methods.coordination import coupling_coordination
from evaluator.methods.grey_relational import grey_relational
from evaluator.methods.topsis import topsis
from evaluator.methods.weighting import critic_weights, entropy_weights

FW = Framework.from_dict({
    "id": "m", "nodes": [{"id": "a"}, {"id": "b"}],
    "indicators": [{"id": "x1", "parent": "a"}, {"id": "x2", "parent": "a", "direction": "cost"},
                   {"id": "x3", "parent": "b"}, {"id": "x4", "parent": "b"}]})


def panel(seed=0, n=12):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": [f"U{i}" for i in range(n)] * 2,
                       "year": [2022] * n + [2023] * n})
    for c in ("x1", "x2", "x3", "x4"):
        df[c] = rng.uniform(1, 50, 2 * n)
    return Panel.from_frame(df, FW)


def test_entropy_topsis_at_the_root_equals_topsis_on_the_dimension_scores():
    recipe = Recipe.from_dict({"weights": {"indicators": "entropy", "nodes": "entropy"},
                               "aggregate": {"method": "weighted_sum",
                                             "by_node": {"index": "topsis"}}})
    res = evaluate(FW, panel(), recipe)
    V = np.column_stack([res.scores["a"], res.scores["b"]])
    w = entropy_weights(V).weights
    expected = topsis(V, w, normalisation="vector").closeness
    np.testing.assert_allclose(res.scores["index"], 100 * expected, rtol=1e-12)
    table = res.aggregation_table
    topsis_rows = table[table["method"] == "topsis"]
    assert len(topsis_rows) == 24
    assert topsis_rows[["d_plus", "d_minus", "closeness"]].notna().all().all()
    assert "aggregation" in res.tables()


def test_grey_relational_at_every_node_keeps_coefficients():
    recipe = Recipe.from_dict({"weights": {"indicators": "critic"},
                               "normalise": {"method": "min_max", "scope": "per_year"},
                               "aggregate": {"method": "grey_relational", "rho": 0.5}})
    res = evaluate(FW, panel(1), recipe)
    Z = res.stages["normalised"]
    rows = res.years == 2022
    w = critic_weights(Z[:, :2]).weights
    expected = grey_relational(Z[rows][:, :2], w, rho=0.5).grade
    np.testing.assert_allclose(res.scores["a"][rows], 100 * expected, rtol=1e-12)
    coeff = res.aggregation_table.dropna(subset=["coefficient"])
    assert set(coeff["child"]) == {"x1", "x2", "x3", "x4", "a", "b"}


def test_topsis_needs_complete_data():
    p = panel(2)
    df = p.data.copy()
    df.loc[0, "x1"] = np.nan
    with pytest.raises(MethodError, match=r"(?s)x1.*impute"):
        evaluate(FW, Panel.from_frame(df, FW), Recipe.from_dict({"aggregate": "topsis"}))


def test_combined_game_theory_weights_keep_components():
    recipe = Recipe.from_dict({"weights": {"indicators": {
        "method": "combined", "methods": ["entropy", "critic"], "how": "game_theory"}}})
    res = evaluate(FW, panel(3), recipe)
    nw = res.weights["a"]
    assert nw.weights.sum() == pytest.approx(1)
    assert "component_entropy" in nw.details and "component_critic" in nw.details
    assert "alpha" in nw.details


def test_coordination_table_and_rankings_column():
    res = evaluate(FW, panel(4), Recipe())
    t = res.coordination_table
    assert list(t.columns[:6]) == ["unit", "year", "C", "T", "D", "class"]
    U = np.column_stack([res.scores["a"], res.scores["b"]]) / 100
    expected = coupling_coordination(U)
    np.testing.assert_allclose(res.coordination.D, expected.D, rtol=1e-12)
    r = res.rankings
    assert {"coordination_D", "coordination_class"} <= set(r.columns)
    assert t["C"].between(0, 1).all() and t["D"].between(0, 1).all()


def test_coordination_options():
    res = evaluate(FW, panel(5), Recipe.from_dict({"coordination": {"form": "normative"}}))
    U = np.column_stack([res.scores["a"], res.scores["b"]]) / 100
    np.testing.assert_allclose(res.coordination.C,
                               coupling_coordination(U, form="normative").C, rtol=1e-12)
    off = evaluate(FW, panel(5), Recipe.from_dict({"coordination": {"enabled": False}}))
    assert off.coordination is None and "coordination" not in off.tables()
    with pytest.raises(RecipeError, match="valid"):
        evaluate(FW, panel(5), Recipe.from_dict({"coordination": {"from": "x"}}))
