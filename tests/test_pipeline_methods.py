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
    # the pipeline has normalised already: TOPSIS does not normalise again by default
    expected = topsis(V, w, normalisation="none").closeness
    np.testing.assert_allclose(res.scores["index"], 100 * expected, rtol=1e-12)
    table = res.aggregation_table
    topsis_rows = table[table["method"] == "topsis"]
    assert len(topsis_rows) == 24
    assert topsis_rows[["d_plus", "d_minus", "closeness"]].notna().all().all()
    assert "aggregation" in res.tables()


def test_hwang_yoon_fighter_aircraft_through_the_recipe():
    """Hwang & Yoon (1981), the fighter-aircraft example: vector normalisation in the
    recipe, TOPSIS at the root; published closeness .643, .268, .613, .312."""
    fw = Framework.from_dict({"id": "aircraft", "indicators": [
        {"id": "speed"}, {"id": "range"}, {"id": "payload"},
        {"id": "cost", "direction": "cost"}, {"id": "reliability"},
        {"id": "manoeuvrability"}]})
    df = pd.DataFrame({"unit": ["A1", "A2", "A3", "A4"], "year": 1981,
                       "speed": [2.0, 2.5, 1.8, 2.2], "range": [1500, 2700, 2000, 1800],
                       "payload": [20000, 18000, 21000, 20000], "cost": [5.5, 6.5, 4.5, 5.0],
                       "reliability": [5, 3, 7, 5], "manoeuvrability": [9, 5, 7, 5]})
    weights = {"speed": 0.2, "range": 0.1, "payload": 0.1, "cost": 0.1, "reliability": 0.2,
               "manoeuvrability": 0.3}
    recipe = Recipe.from_dict({"normalise": {"method": "vector", "range": [0, 1]},
                               "weights": {"indicators": {"method": "fixed", "values": weights}},
                               "aggregate": "topsis"})
    res = evaluate(fw, Panel.from_frame(df, fw), recipe)
    # the book rounds its intermediate tables, hence agreement to the third decimal
    np.testing.assert_allclose(res.scores["index"], [0.643, 0.268, 0.613, 0.312], atol=1e-3)
    assert res.rankings.set_index("unit")["rank"].to_dict() == {"A1": 1, "A3": 2, "A4": 3,
                                                               "A2": 4}
    step = next(r for r in res.records if r.get("step") == "aggregate")
    assert len(step["per_block"][0]["ideal"]) == 6      # weighted ideal kept for the manifest


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


def test_single_unit_in_a_year_is_named():
    p = panel(6)
    df = p.data[(p.data["year"] == 2022) | (p.data["unit"] == "U0")]
    recipe = Recipe.from_dict({"aggregate": "grey_relational",
                               "normalise": {"method": "min_max", "scope": "per_year",
                                             "zero_range": "mid"}})
    with pytest.raises(MethodError, match="year 2023"):
        evaluate(FW, Panel.from_frame(df, FW), recipe)


def test_coordination_skipped_or_refused_on_unbounded_scores():
    res = evaluate(FW, panel(7), Recipe.from_dict({"normalise": "rank"}))
    assert res.coordination is None
    assert any("coupling coordination" in w for w in res.warnings)
    with pytest.raises(RecipeError, match="bounded"):
        evaluate(FW, panel(7), Recipe.from_dict({"normalise": "rank",
                                                 "coordination": {"nodes": ["a", "b"]}}))


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
