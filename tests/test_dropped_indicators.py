"""An indicator without any data is an error; the recipe may drop indicators openly
(``screen.drop_indicators``): weight 0 and the reason in the weights table, a warning,
the parent computed from the other children (issue 9)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from evaluator.errors import DataError, RecipeError
from evaluator.evaluate import evaluate
from evaluator.model.dropped import drop_indicators
from evaluator.model.framework import Framework
from evaluator.model.monitoring import framework_for_panel
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.quality import quality_report
from evaluator.store.from_results import assessment_from_tables

FRAMEWORK = {
    "id": "drops", "name": "Drops",
    "nodes": [{"id": "a", "name": "A"}, {"id": "b", "name": "B"},
              {"id": "b1", "name": "B1", "parent": "b"}],
    "indicators": [{"id": "x1", "parent": "a", "direction": "benefit"},
                   {"id": "x2", "parent": "a", "direction": "cost"},
                   {"id": "x3", "parent": "b", "direction": "benefit"},
                   {"id": "x4", "parent": "b1", "direction": "benefit",
                    "targets": {2030: 10}}],
    "recipe": {"weights": {"indicators": "equal", "nodes": "equal"}}}


def make_panel(fw, empty=("x4",)):
    rng = np.random.default_rng(1)
    rows = [(u, y, *rng.uniform(1, 10, 4)) for y in (2022, 2023) for u in "ABCDE"]
    df = pd.DataFrame(rows, columns=["unit", "year", "x1", "x2", "x3", "x4"])
    for c in empty:
        df[c] = np.nan
    return Panel.from_frame(df, fw, source="panel.csv")


def test_no_data_is_an_error_naming_every_empty_indicator_and_the_file():
    fw = Framework.from_dict(FRAMEWORK)
    with pytest.raises(DataError) as err:
        evaluate(fw, make_panel(fw, empty=("x2", "x4")))
    assert "2 indicator(s) have no data at all" in str(err.value)
    assert "x2 (x2), x4 (x4)" in str(err.value) and err.value.where == "panel.csv"
    assert "drop_indicators: {x2:" in err.value.fix


def test_a_dropped_indicator_is_absent_from_the_scores_and_weight_0_in_the_table():
    fw = Framework.from_dict(FRAMEWORK)
    panel = make_panel(fw)
    a = evaluate(fw, panel, {"screen": {"drop_indicators": {"x4": "not collected"}}})
    # b1 had only x4: it leaves too, and b is x3 alone
    assert a.ids == ["x1", "x2", "x3"] and "b1" not in a.framework.node_ids
    np.testing.assert_array_equal(a.scores["b"], a.scores["x3"])
    w = a.weights_table
    dropped = w[w.method == "dropped"]
    assert dropped[["node", "indicator"]].values.tolist() == [["b1", "x4"], ["b", "b1"]]
    assert (dropped[["weight", "global_weight"]] == 0).all().all()
    assert dropped.note.tolist() == [
        "dropped by the recipe (screen.drop_indicators); no data in the panel; not collected",
        "left without indicators by screen.drop_indicators"]
    assert w.loc[w.method != "dropped", "note"].isna().all()
    assert w.loc[(w.node == "b") & (w.indicator == "x3"), "weight"].item() == 1.0
    assert sum("dropped by the recipe" in x for x in a.warnings) == 1
    assert any("nodes left without indicators and dropped too (weight 0): b1" in x
               for x in a.warnings)
    # the same as scoring the framework without x4 and b1, apart from the listing
    spec = {**FRAMEWORK, "nodes": FRAMEWORK["nodes"][:2],
            "indicators": FRAMEWORK["indicators"][:3]}
    fw3 = Framework.from_dict(spec)
    b = evaluate(fw3, Panel.from_frame(panel.data.drop(columns="x4"), fw3))
    np.testing.assert_array_equal(a.scores["index"], b.scores["index"])
    # without anything dropped the weights table keeps its five columns
    assert list(b.weights_table.columns) == ["node", "indicator", "method", "weight",
                                             "global_weight"]


def test_an_indicator_with_data_may_be_dropped_too():
    fw = Framework.from_dict(FRAMEWORK)
    a = evaluate(fw, make_panel(fw, empty=()), {"screen": {"drop_indicators": ["x2"]}})
    w = a.weights_table.set_index("indicator")
    assert w.loc["x2", "note"] == "dropped by the recipe (screen.drop_indicators)"
    np.testing.assert_array_equal(a.scores["a"], a.scores["x1"])


def test_the_tables_read_back_with_what_was_dropped(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    a = evaluate(fw, make_panel(fw), {"screen": {"drop_indicators": {"x4": "later"}}})
    a.to_dir(tmp_path / "out", xlsx=False)
    tables = {k: v for k, v in a.tables().items()}
    back = assessment_from_tables(a.manifest, tables, source=str(tmp_path / "out"))
    assert back.weights["b"].children == ["x3"]
    assert [d.id for d in back.dropped] == ["x4", "b1"]
    pd.testing.assert_frame_equal(back.weights_table, a.weights_table)


def test_the_sensitivity_tree_and_validate_know_the_drop():
    fw = Framework.from_dict(FRAMEWORK)
    panel = make_panel(fw)
    recipe = Recipe.from_dict({"screen": {"drop_indicators": {"x4": ""}}})
    assert framework_for_panel(fw, panel, recipe).indicator_ids == ("x1", "x2", "x3")
    # an already reduced framework is left as it is (the panel still names x4)
    reduced = framework_for_panel(fw, panel, recipe)
    assert drop_indicators(reduced, {"x4": ""}, panel)[0] is reduced
    report = quality_report(panel, fw, dropped={"x4": ""})
    (issue,) = [i for i in report.issues if i.subject.get("indicator") == "x4"
                and i.code.startswith("no_data")]
    assert issue.level == "warning" and "the recipe drops it" in issue.en
    assert "配方已剔除该指标" in issue.zh
    plain = quality_report(panel, fw)
    (issue,) = [i for i in plain.issues if i.code == "no_data"]
    assert issue.level == "error" and "drop_indicators: {x4: reason}" in issue.fix_en


def test_the_drop_spec_is_checked():
    for bad in (3, [""], {"x1": 5}):
        with pytest.raises(RecipeError, match="screen.drop_indicators"):
            Recipe.from_dict({"screen": {"drop_indicators": bad}})
    with pytest.raises(RecipeError, match="valid: min_coverage, drop_indicators"):
        Recipe.from_dict({"screen": {"drop": ["x1"]}})
    assert Recipe.from_dict({"screen": {"drop_indicators": {"x1": None}}}).screen[
        "drop_indicators"] == {"x1": ""}
