"""Recipe: validation with helpful messages, defaults, YAML round trip, replace()."""
from __future__ import annotations

import pytest

from evaluator import Recipe, RecipeError, load_recipe


def test_defaults_filled_and_round_trip():
    r = Recipe()
    assert r.normalise == {"method": "min_max", "range": [0.0, 100.0], "scope": "pooled",
                           "zero_range": "error"}
    assert r.weights["indicators"]["method"] == "fixed"
    assert r.aggregate["method"] == "weighted_sum" and r.aggregate["min_coverage"] == 0.0
    again = Recipe.from_dict(r.to_dict())
    assert again == r


def test_yaml_round_trip(tmp_path):
    r = Recipe.from_dict({"impute": {"method": "group_mean", "by": "EurAsia_group"},
                          "treat": "winsorise",
                          "weights": {"indicators": {"method": "combined",
                                                     "methods": ["entropy", "critic"],
                                                     "alpha": [0.3, 0.7]}},
                          "aggregate": {"method": "weighted_sum",
                                        "by_node": {"index": "geometric"}},
                          "rank": {"decimals": 3}})
    path = tmp_path / "r.yaml"
    path.write_text(r.to_yaml(), encoding="utf-8")
    assert load_recipe(path) == r
    assert r.treat["max_points"] == 5
    assert r.weights["indicators"]["methods"][1]["method"] == "critic"


def test_replace_changes_one_choice():
    r = Recipe.from_dict({"normalise": {"method": "goalposts", "range": [0, 1]}})
    z = r.replace(normalise={"method": "z_score"})
    assert z.normalise["method"] == "z_score" and r.normalise["method"] == "goalposts"
    assert z.weights == r.weights


@pytest.mark.parametrize("spec, fragments", [
    ({"normalise": {"method": "minmax"}}, ["normalise.method", "did you mean 'min_max'"]),
    ({"normalize": {}}, ["unknown recipe section", "did you mean 'normalise'"]),
    ({"normalise": {"method": "min_max", "rnage": [0, 1]}},
     ["unknown parameter 'rnage'", "range"]),
    ({"normalise": {"range": [1, 0]}}, ["normalise.range", "increasing pair"]),
    ({"weights": {"indicators": "entrpy"}}, ["weights.indicators.method", "entropy"]),
    ({"weights": {"indicators": {"method": "ahp"}}}, ["judgement file"]),
    ({"weights": {"indicators": {"method": "combined", "methods": ["entropy"]}}},
     ["two or more"]),
    ({"weights": {"indicators": {"method": "combined", "methods": ["entropy", "critic"],
                                 "alpha": [0.5, 0.6]}}}, ["alpha", "summing to 1"]),
    ({"aggregate": {"method": "mean"}}, ["aggregate.method", "weighted_sum"]),
    ({"screen": {"min_coverage": 1.5}}, ["screen.min_coverage", "outside"]),
    ({"rank": {"decimals": 2.5}}, ["rank.decimals", "whole number"]),
    ({"seed": -1}, ["seed"]),
])
def test_bad_recipes_say_what_and_where(spec, fragments):
    with pytest.raises(RecipeError) as err:
        Recipe.from_dict(spec)
    for f in fragments:
        assert f in str(err.value)


def test_recipe_file_errors(tmp_path):
    with pytest.raises(RecipeError, match="file not found"):
        load_recipe(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("normalise: {method: [\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="YAML syntax error"):
        load_recipe(bad)
    lst = tmp_path / "list.yaml"
    lst.write_text("- a\n- b\n", encoding="utf-8")
    with pytest.raises(RecipeError, match="mapping"):
        load_recipe(lst)


def test_file_sections_override_framework_defaults(tmp_path):
    path = tmp_path / "r.yaml"
    path.write_text("weights: {indicators: critic}\n", encoding="utf-8")
    r = load_recipe(path, base={"normalise": {"method": "goalposts"},
                                "weights": {"indicators": "entropy"}})
    assert r.normalise["method"] == "goalposts"
    assert r.weights["indicators"]["method"] == "critic"


def test_merge_keeps_base_keys_unless_the_method_changes():
    base = {"weights": {"indicators": "entropy", "nodes": "equal"},
            "normalise": {"method": "goalposts", "range": [0, 1]}, "treat": "winsorise"}
    r = Recipe.from_dict({"weights": {"indicators": "critic"},
                          "normalise": {"scope": "per_year"}}, base=base)
    assert r.weights["nodes"]["method"] == "equal"
    assert r.weights["indicators"]["method"] == "critic"
    assert r.normalise["range"] == [0.0, 1.0] and r.normalise["scope"] == "per_year"
    assert r.treat["method"] == "winsorise"
    z = Recipe.from_dict({"normalise": {"method": "z_score"}},
                         base={"normalise": {"method": "distance_to_target", "targets": {"a": 1}}})
    assert z.normalise["method"] == "z_score" and "targets" not in z.normalise


def test_api_mapping_and_cli_file_give_the_same_numbers(tmp_path):
    import evaluator
    from evaluator.resources import demo_panel_path
    fw = evaluator.load_framework("resource_city_transition")
    panel = evaluator.load_panel(demo_panel_path(), fw)
    path = tmp_path / "r.yaml"
    path.write_text("weights: {indicators: critic}\n", encoding="utf-8")
    api = evaluator.evaluate(fw, panel, {"weights": {"indicators": "critic"}})
    cli = evaluator.evaluate(fw, panel, load_recipe(path, base=fw.recipe))
    assert api.recipe.to_dict() == cli.recipe.to_dict()
    assert api.recipe.treat["method"] == "winsorise"
    assert (api.scores["index"] == cli.scores["index"]).all()
