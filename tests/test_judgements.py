"""Expert judgement files: loading, checks with file + key path, analysis, loader, template.

Sources:
* Wikipedia, "Analytic hierarchy process – leader example", with AHPy's published output
  (Griffith, AHPy README, Saaty 2005 RI): criteria priorities .548 .127 .270 .056,
  CR 0.044; experience .217 .717 .066, CR 0.035; goal Nell .493, Moll .358, Sue .150.
* Saaty, T.L. (1990). How to make a decision: the AHP. EJOR 48, 9–26 — house example,
  8 criteria, CR 0.169 with the Saaty 1980 RI (inconsistent at 0.10).
* scipy.stats.gmean for the experts' geometric means (AIJ and AIP).
The leader example's candidates are alternatives under every criterion; a framework is a
tree, so each candidate appears once per criterion as an indicator `<criterion>_<name>`,
and a candidate's goal weight is the sum of its four global weights (Saaty's
distributive synthesis).
"""
from __future__ import annotations

import textwrap

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy.stats import gmean

from evaluator.errors import FrameworkError, MethodError
from evaluator.methods import ahp as ahp_methods
from evaluator.methods.ahp import build_matrix, priorities
from evaluator.model import judgements as jmodel
from evaluator.model.framework import Framework, list_builtin, load_framework
from evaluator.model.judgements import (judgements_from_dict, load_judgements,
                                        resolve_judgement_path, template)
from evaluator.resources import weights_dir
from evaluator.stages.ahp_weights import analyse_judgements, make_ahp_loader

CRITERIA = ["experience", "education", "charisma", "age"]
CANDIDATES = ["moll", "nell", "sue"]

LEADER_FILE = """
method: eigenvector
ri_table: saaty2005
matrices:
  index:
    items: [experience, education, charisma, age]
    judgements:
      experience: {education: 4, charisma: 3, age: 7}
      education: {charisma: "1/3", age: 3}
      charisma: {age: 5}
  experience:
    items: [experience_moll, experience_nell, experience_sue]
    judgements: {experience_moll: {experience_nell: "1/4", experience_sue: 4},
                 experience_nell: {experience_sue: 9}}
  education:
    items: [education_moll, education_nell, education_sue]
    judgements: {education_moll: {education_nell: 3, education_sue: "1/5"},
                 education_nell: {education_sue: "1/7"}}
  charisma:
    items: [charisma_moll, charisma_nell, charisma_sue]
    judgements: {charisma_moll: {charisma_nell: 5, charisma_sue: 9},
                 charisma_nell: {charisma_sue: 4}}
  age:
    items: [age_moll, age_nell, age_sue]
    judgements: {age_moll: {age_nell: "1/3", age_sue: 5}, age_nell: {age_sue: 9}}
"""


def leader_framework() -> Framework:
    return Framework.from_dict({
        "id": "leader", "name": {"zh": "选领导", "en": "Choose a leader"},
        "nodes": [{"id": c, "name": c.title()} for c in CRITERIA],
        "indicators": [{"id": f"{c}_{n}", "parent": c} for c in CRITERIA for n in CANDIDATES]})


SMALL = Framework.from_dict({
    "id": "small", "name": {"zh": "小框架", "en": "Small"},
    "nodes": [{"id": "eco", "name": {"zh": "经济", "en": "Economy"}},
              {"id": "env", "name": {"zh": "环境", "en": "Environment"}}],
    "indicators": [{"id": "gdp", "parent": "eco", "name": {"zh": "人均GDP", "en": "GDP"}},
                   {"id": "jobs", "parent": "eco"}, {"id": "wages", "parent": "eco"},
                   {"id": "pm25", "parent": "env"}, {"id": "water", "parent": "env"}]})

SMALL_FILE = """
matrices:
  index:
    items: [eco, env]
    judgements: {eco: {env: 2}}
  eco:
    items: [gdp, jobs, wages]
    judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}
  env:
    items: [pm25, water]
    matrix: [[1, 3], ["1/3", 1]]
"""


def write_file(write, text, name="panel.yaml"):
    return write(name, textwrap.dedent(text))


def load(write, text, framework=SMALL, name="panel.yaml"):
    return load_judgements(write_file(write, text, name), framework)


def analyse(write, text, framework=SMALL, name="panel.yaml"):
    return analyse_judgements(load(write, text, framework, name), framework)


# ----------------------------------------------------------------------------- contract names
def test_model_names_match_the_methods():
    assert jmodel.PRIORITY_METHODS == ahp_methods.PRIORITY_METHODS
    assert set(jmodel.RI_TABLE_NAMES) == set(ahp_methods.RI_TABLES)


# ----------------------------------------------------------------------------- published example
def test_leader_example_global_weights_through_the_file(write):
    fw = leader_framework()
    analysis = analyse(write, LEADER_FILE, fw)
    index = analysis.matrices["index"].result
    assert np.round(index.priorities, 3).tolist() == [0.548, 0.127, 0.270, 0.056]
    assert index.cr == pytest.approx(0.044, abs=5e-4) and index.ri_table == "saaty2005"
    experience = analysis.matrices["experience"].result
    assert np.round(experience.priorities, 3).tolist() == [0.217, 0.717, 0.066]
    assert experience.cr == pytest.approx(0.035, abs=5e-4)
    goal = {n: sum(analysis.global_weights[f"{c}_{n}"] for c in CRITERIA) for n in CANDIDATES}
    # AHPy rounds local weights to 3 decimals before composing: tolerance 0.0015.
    assert goal["nell"] == pytest.approx(0.493, abs=1.5e-3)
    assert goal["moll"] == pytest.approx(0.358, abs=1.5e-3)
    assert goal["sue"] == pytest.approx(0.150, abs=1.5e-3)
    assert list(analysis.global_weights) == list(fw.indicator_ids)
    assert sum(analysis.global_weights.values()) == pytest.approx(1)
    assert analysis.consistent and analysis.consistency.consistent
    assert analysis.equal_weight_nodes == ()


def test_leader_example_without_framework_reads_the_tree_off_the_matrices(write):
    analysis = analyse_judgements(load_judgements(write_file(write, LEADER_FILE)))
    assert analysis.root == "index"
    with_fw = analyse(write, LEADER_FILE, leader_framework(), name="again.yaml")
    assert analysis.global_weights == pytest.approx(with_fw.global_weights)


def test_json_has_the_contract_keys_then_global_weights(write):
    out = analyse(write, LEADER_FILE, leader_framework()).to_json()
    assert [o["node"] for o in out[:-1]] == ["index"] + CRITERIA
    for obj in out[:-1]:
        assert {"node", "items", "priorities", "lambda_max", "ci", "ri", "cr", "consistent"} <= set(obj)
        assert isinstance(obj["priorities"], list) and isinstance(obj["consistent"], bool)
    last = out[-1]
    assert "node" not in last and set(last["global_weights"]) == {
        f"{c}_{n}" for c in CRITERIA for n in CANDIDATES}
    assert last["cr_total"] == pytest.approx(analysis_cr(out))
    yaml.safe_dump(out)   # plain Python types only


def analysis_cr(out):
    """Saaty's hierarchic CR recomputed from the JSON: Σ w·CI / Σ w·RI over the matrices."""
    weights = out[-1]["node_weights"]
    num = sum(weights[o["node"]] * o["ci"] for o in out[:-1])
    den = sum(weights[o["node"]] * o["ri"] for o in out[:-1])
    return num / den


# ----------------------------------------------------------------------------- the example file
def test_example_panel_is_consistent_and_covers_the_builtin_framework():
    fw = load_framework("resource_city_transition")
    analysis = analyse_judgements(load_judgements("weights/example_panel.yaml", fw), fw)
    assert list(analysis.matrices) == ["index", "structural", "ecological", "livelihood"]
    assert analysis.consistent and analysis.equal_weight_nodes == ()
    assert set(analysis.global_weights) == set(fw.indicator_ids)
    index = analysis.matrices["index"]
    assert index.pooling == "aij" and [e.name for e in index.experts] == ["E1", "E2"]
    # AIJ: the pooled matrix is the cell-wise geometric mean of the two experts' matrices.
    e1 = np.array([[1, 2, 3], [1 / 2, 1, 2], [1 / 3, 1 / 2, 1]])
    e2 = np.array([[1, 1 / 2, 1], [2, 1, 2], [1, 1 / 2, 1]])
    pooled = gmean(np.stack([e1, e2]), axis=0)
    assert index.result.priorities == pytest.approx(priorities(pooled, ri_table="chinese").priorities)


def test_builtin_folder_is_the_fallback_for_relative_paths(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert resolve_judgement_path("weights/example_panel.yaml") == weights_dir() / "example_panel.yaml"
    assert resolve_judgement_path("example_panel.yaml") == weights_dir() / "example_panel.yaml"
    (tmp_path / "example_panel.yaml").write_text("matrices: {}\n", encoding="utf-8")
    assert resolve_judgement_path("example_panel.yaml") == tmp_path / "example_panel.yaml"


def test_base_dir_is_searched_after_the_current_folder(tmp_path, monkeypatch):
    recipes = tmp_path / "recipes"
    recipes.mkdir()
    (recipes / "mine.yaml").write_text("matrices: {}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert resolve_judgement_path("mine.yaml", base_dir=recipes) == recipes / "mine.yaml"


def test_missing_file_lists_where_it_looked_and_the_builtin_files(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError) as err:
        resolve_judgement_path("nowhere.yaml")
    assert "nowhere.yaml" in str(err.value) and "example_panel.yaml" in str(err.value)
    assert "evaluator ahp template" in str(err.value)


# ----------------------------------------------------------------------------- bad files
def test_unknown_node_is_named_with_near_matches(write):
    with pytest.raises(FrameworkError) as err:
        load(write, SMALL_FILE.replace("  env:\n", "  envv:\n"))
    text = str(err.value)
    assert "panel.yaml" in text and "matrices.envv" in text and "unknown node 'envv'" in text
    assert "did you mean 'env'" in text


def test_unknown_indicator_in_items_is_named_with_near_matches(write):
    with pytest.raises(FrameworkError) as err:
        load(write, SMALL_FILE.replace("items: [gdp, jobs, wages]", "items: [gdp, jobs, wagess]"))
    text = str(err.value)
    assert "panel.yaml" in text and "matrices.eco.items" in text
    assert "unknown indicator 'wagess'" in text and "did you mean 'wages'" in text


def test_unknown_item_inside_the_judgements_is_named(write):
    with pytest.raises(FrameworkError) as err:
        load(write, SMALL_FILE.replace("jobs: {wages: 2}", "jobs: {wagez: 2}"))
    text = str(err.value)
    assert "matrices.eco.judgements.jobs.wagez" in text and "did you mean 'wages'" in text


def test_item_from_another_node_says_where_it_belongs(write):
    with pytest.raises(FrameworkError, match=r"indicator 'pm25' sits under 'env', not under 'eco'"):
        load(write, SMALL_FILE.replace("items: [gdp, jobs, wages]", "items: [gdp, jobs, wages, pm25]"))


def test_matrix_not_covering_its_nodes_children_is_an_error(write):
    text = SMALL_FILE.replace("items: [gdp, jobs, wages]", "items: [gdp, jobs]").replace(
        "judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}", "judgements: {gdp: {jobs: 2}}")
    with pytest.raises(FrameworkError) as err:
        load(write, text)
    assert "panel.yaml" in str(err.value) and "matrices.eco.items" in str(err.value)
    assert "does not cover 'wages'" in str(err.value)


def test_an_indicator_has_no_matrix(write):
    with pytest.raises(FrameworkError, match="'gdp' is an indicator.*matrices.eco"):
        load(write, SMALL_FILE + "  gdp:\n    items: [a, b]\n    judgements: {a: {b: 2}}\n")


def test_non_reciprocal_matrix_names_the_file_expert_and_cell(write):
    text = SMALL_FILE.replace('matrix: [[1, 3], ["1/3", 1]]', "matrix: [[1, 3], [3, 1]]")
    with pytest.raises(MethodError) as err:
        analyse(write, text)
    message = str(err.value)
    assert "panel.yaml: matrices.env" in message and "'pm25'" in message and "'water'" in message
    assert "not reciprocal" in message


def test_judgement_outside_the_scale_names_the_file_and_judgement(write):
    with pytest.raises(MethodError) as err:
        analyse(write, SMALL_FILE.replace("gdp: {jobs: 2, wages: 4}", "gdp: {jobs: 12, wages: 4}"))
    message = str(err.value)
    assert "panel.yaml: matrices.eco" in message and "judgement 'gdp' vs 'jobs'" in message
    assert "outside Saaty's 1/9–9 scale" in message


@pytest.mark.parametrize("bad", ["0", "-3", '"1/0"', '"three"'])
def test_non_positive_or_unreadable_judgement_is_named(write, bad):
    with pytest.raises(MethodError) as err:
        analyse(write, SMALL_FILE.replace("jobs: {wages: 2}", f"jobs: {{wages: {bad}}}"))
    assert "panel.yaml: matrices.eco" in str(err.value) and "'jobs' vs 'wages'" in str(err.value)


def test_expert_of_several_is_named_in_errors(write):
    text = SMALL_FILE.replace(
        "    items: [eco, env]\n    judgements: {eco: {env: 2}}",
        "    items: [eco, env]\n    experts:\n      - {name: 张三, judgements: {eco: {env: 2}}}\n"
        "      - {name: 李四, matrix: [[1, 10], [0.1, 1]]}")
    with pytest.raises(MethodError) as err:
        analyse(write, text)
    assert "panel.yaml: matrices.index.experts[1] (李四)" in str(err.value)


def test_every_bad_judgement_of_a_file_is_reported_at_once(write):
    text = SMALL_FILE.replace(
        "    items: [eco, env]\n    judgements: {eco: {env: 2}}",
        "    items: [eco, env]\n    experts:\n      - {name: 张三, judgements: {eco: {env: 12}}}\n"
        "      - {name: 李四, matrix: [[1, 10], [0.1, 1]]}").replace(
        "gdp: {jobs: 2, wages: 4}", "gdp: {jobs: 0, wages: \"1/12\"}").replace(
        'matrix: [[1, 3], ["1/3", 1]]', "matrix: [[1, 3], [3, 1]]")
    with pytest.raises(MethodError) as err:
        analyse(write, text)
    message = str(err.value)
    assert "6 judgements cannot be used" in message
    for expected in ("panel.yaml: matrices.index.experts[0] (张三), judgement 'eco' vs 'env': "
                     "judgement 12 is outside Saaty's 1/9–9 scale",
                     "panel.yaml: matrices.index.experts[1] (李四), row 1 ('eco'), column 2 ('env')",
                     "panel.yaml: matrices.index.experts[1] (李四), row 2 ('env'), column 1 ('eco')",
                     "panel.yaml: matrices.eco, judgement 'gdp' vs 'jobs': judgement 0 is not positive",
                     "panel.yaml: matrices.eco, judgement 'gdp' vs 'wages'",
                     "panel.yaml: matrices.env, row 1 ('pm25'), column 2 ('water'): 3 and its mirror 3 "
                     "are not reciprocal"):
        assert expected in message
    assert message.count("\n  - ") == 6 and "fix:" in message


def test_a_long_list_of_bad_judgements_is_cut_at_twenty(write):
    items = [f"i{k}" for k in range(9)]
    fw = Framework.from_dict({"id": "wide", "indicators": [{"id": i} for i in items]})
    pairs = {a: {b: 10 for b in items[k + 1:]} for k, a in enumerate(items[:-1])}     # 36 bad
    path = write("wide.yaml", yaml.safe_dump({"matrices": {"index": {"items": items, "judgements": pairs}}}))
    with pytest.raises(MethodError) as err:
        analyse_judgements(load_judgements(path, fw), fw)
    message = str(err.value)
    assert "36 judgements cannot be used" in message and "… and 16 more" in message
    assert message.count("outside Saaty's 1/9–9 scale") == 20


def test_yaml_syntax_error_names_file_and_line(write):
    with pytest.raises(FrameworkError) as err:
        load(write, "matrices:\n  index:\n    items: [eco, env\n")
    assert "panel.yaml, line" in str(err.value) and "YAML syntax error" in str(err.value)


def test_every_structural_problem_is_reported_at_once(write):
    text = "metod: eigenvector\nri_table: saaty2015\nmax_cr: 2\n" + SMALL_FILE.replace(
        "  envv", "  env").replace("items: [pm25, water]", "items: [pm25]")
    with pytest.raises(FrameworkError) as err:
        load(write, text)
    message = str(err.value)
    assert "problems in the judgement file" in message
    assert "metod: unknown key" in message and "did you mean 'method'" in message
    assert "ri_table: unknown value 'saaty2015'" in message and "saaty2005" in message
    assert "max_cr" in message and "matrices.env" in message


def test_wrong_matrix_shape_and_two_forms_are_errors(write):
    with pytest.raises(FrameworkError, match=r"matrices.env.matrix: must be 2 rows of 2 values"):
        load(write, SMALL_FILE.replace('matrix: [[1, 3], ["1/3", 1]]', "matrix: [[1, 3, 1], [1, 1, 1]]"))
    with pytest.raises(FrameworkError, match="exactly one of `experts`, `matrix` or `judgements`"):
        load(write, SMALL_FILE.replace('matrix: [[1, 3], ["1/3", 1]]',
                                       'matrix: [[1, 3], ["1/3", 1]]\n    judgements: {pm25: {water: 3}}'))


def test_file_for_another_framework_is_refused(write):
    with pytest.raises(FrameworkError, match="for framework 'other'.*use --framework other"):
        load(write, "framework: other\n" + SMALL_FILE)


def test_yaml_boolean_key_is_explained(write):
    fw = Framework.from_dict({"id": "yn", "indicators": [{"id": "no"}, {"id": "yes_share"}]})
    with pytest.raises(FrameworkError, match="read by YAML as a bool"):
        load(write, "matrices:\n  index:\n    items: ['no', yes_share]\n"
                    "    judgements: {no: {yes_share: 2}}\n", fw)
    ok = load(write, "matrices:\n  index:\n    items: ['no', yes_share]\n"
                     "    judgements: {'no': {yes_share: 2}}\n", fw, name="ok.yaml")
    assert ok.matrices["index"].items == ("no", "yes_share")


# ----------------------------------------------------------------------------- analysis
HOUSE = [[1, 5, 3, 7, 6, 6, "1/3", "1/4"], ["1/5", 1, "1/3", 5, 3, 3, "1/5", "1/7"],
         ["1/3", 3, 1, 6, 3, 4, 6, "1/5"], ["1/7", "1/5", "1/6", 1, "1/3", "1/4", "1/7", "1/8"],
         ["1/6", "1/3", "1/3", 3, 1, "1/2", "1/5", "1/6"], ["1/6", "1/3", "1/4", 4, 2, 1, "1/5", "1/6"],
         [3, 5, "1/6", 7, 5, 5, 1, "1/2"], [4, 7, 5, 8, 6, 6, 2, 1]]
HOUSE_ITEMS = ["size", "transport", "neighbourhood", "age", "yard", "facilities", "condition", "finance"]
HOUSE_FW = Framework.from_dict({"id": "house", "indicators": [{"id": i} for i in HOUSE_ITEMS]})


def house_file(write, extra=""):
    spec = {"matrices": {"index": {"items": HOUSE_ITEMS, "matrix": HOUSE}}}
    return write("house.yaml", extra + yaml.safe_dump(spec))


def test_inconsistent_matrix_gets_revision_hints(write):
    analysis = analyse_judgements(load_judgements(house_file(write), HOUSE_FW), HOUSE_FW)
    house = analysis.matrices["index"]
    assert house.result.cr == pytest.approx(0.169, abs=1e-3) and not house.consistent
    assert not analysis.consistent and analysis.inconsistent_nodes == ["index"]
    assert len(house.hints) == 3
    first = house.hints[0]
    # the suggested value is the one the other judgements imply, w_i / w_j, on the scale
    w = house.result.priorities
    assert first.suggested_raw == pytest.approx(w[first.row] / w[first.column])
    revised = build_matrix(HOUSE_ITEMS, matrix=HOUSE)
    revised[first.row, first.column] = first.suggested
    revised[first.column, first.row] = 1 / first.suggested
    assert first.cr_after == pytest.approx(priorities(revised).cr) and first.cr_after < house.result.cr
    text = analysis.to_text()
    assert "INCONSISTENT" in text and f"{first.row_item} vs {first.column_item}" in text


def test_loader_refuses_an_inconsistent_matrix_unless_accepted(write):
    path = house_file(write)
    loader = make_ahp_loader(HOUSE_FW)
    with pytest.raises(MethodError) as err:
        loader(str(path), "index", HOUSE_ITEMS)
    message = str(err.value)
    analysis = analyse_judgements(load_judgements(path, HOUSE_FW), HOUSE_FW)
    hint = analysis.matrices["index"].hints[0]
    assert "house.yaml: matrices.index" in message and "'index'" in message
    assert f"revise {hint.row_item!r} vs {hint.column_item!r}" in message
    assert f"CR would become {hint.cr_after:.3f}" in message and "accept_inconsistent" in message
    weights, details = loader(str(path), "index", HOUSE_ITEMS, accept_inconsistent=True)
    assert details["cr"] == pytest.approx(0.169, abs=1e-3) and details["accepted_inconsistent"]
    assert make_ahp_loader(HOUSE_FW, accept_inconsistent=True)(str(path), "index", HOUSE_ITEMS)[0] \
        == pytest.approx(weights)


def test_loader_aligns_with_the_callers_children_and_reports_details(write):
    path = write_file(write, SMALL_FILE)
    loader = make_ahp_loader(SMALL)
    weights, details = loader(str(path), "eco", ["wages", "gdp", "jobs"])
    direct = priorities(build_matrix(["gdp", "jobs", "wages"],
                                     judgements={"gdp": {"jobs": 2, "wages": 4}, "jobs": {"wages": 2}}))
    assert weights == pytest.approx(direct.priorities[[2, 0, 1]])
    assert {"lambda_max", "ci", "ri", "cr", "ri_table", "priority_method"} <= set(details)
    assert details["ri_table"] == "saaty1980" and details["priority_method"] == "eigenvector"


def test_node_without_matrix_gets_equal_weights_but_the_loader_names_it(write):
    text = SMALL_FILE.split("  env:")[0]
    analysis = analyse(write, text)
    assert analysis.equal_weight_nodes == ("env",)
    assert analysis.global_weights["pm25"] == pytest.approx(analysis.node_weights["env"] / 2)
    assert any("'env'" in note and "equal weights" in note for note in analysis.notes)
    with pytest.raises(MethodError) as err:
        make_ahp_loader(SMALL)(str(write_file(write, text)), "env", ["pm25", "water"])
    assert "no judgement matrix for node 'env'" in str(err.value)
    assert "matrices: {env: {items: [pm25, water]" in str(err.value)


def test_missing_judgement_is_completed_and_reported(write):
    analysis = analyse(write, SMALL_FILE.replace("jobs: {wages: 2}", "jobs: {}"))
    eco = analysis.matrices["eco"]
    assert [(a, b) for a, b, _ in eco.completed] == [("jobs", "wages")]
    # gdp:jobs = 2 and gdp:wages = 4 imply jobs:wages = 2 (Harker: the consistent value)
    assert eco.completed[0][2] == pytest.approx(2.0)
    assert analysis.to_json()[1]["completed"] == [{"row": "jobs", "column": "wages", "value": eco.completed[0][2]}]


def test_aip_pools_priorities_and_reports_the_least_consistent_expert(write):
    text = "aggregation: aip\n" + SMALL_FILE.replace(
        "    judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}",
        "    experts:\n      - {name: A, weight: 1, judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}}\n"
        "      - {name: B, weight: 3, judgements: {gdp: {jobs: 3, wages: 1}, jobs: {wages: \"1/2\"}}}")
    eco = analyse(write, text).matrices["eco"]
    a = priorities(build_matrix(["gdp", "jobs", "wages"], judgements={"gdp": {"jobs": 2, "wages": 4}, "jobs": {"wages": 2}}))
    b = priorities(build_matrix(["gdp", "jobs", "wages"], judgements={"gdp": {"jobs": 3, "wages": 1}, "jobs": {"wages": 0.5}}))
    expected = gmean(np.vstack([a.priorities, b.priorities]), axis=0, weights=np.array([[0.25], [0.75]]) * np.ones((2, 3)))
    assert eco.result.priorities == pytest.approx(expected / expected.sum())
    worst = max((a, "A"), (b, "B"), key=lambda pair: pair[0].cr)
    assert eco.result.cr == pytest.approx(worst[0].cr) and worst[1] in eco.consistency_of


GROUP_ECO = ("    experts:\n"
             "      - {name: E1, judgements: {gdp: {jobs: 9, wages: 1}, jobs: {wages: 1}}}\n"
             "      - {name: E2, judgements: {gdp: {jobs: 7, wages: 1}, jobs: {wages: 1}}}")


def test_group_hints_name_each_experts_own_judgement(write):
    text = SMALL_FILE.replace("    judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}", GROUP_ECO)
    eco = analyse(write, text).matrices["eco"]
    assert eco.pooling == "aij" and not eco.consistent
    first = eco.hints[0]
    # the pooled value is the geometric mean nobody wrote (scipy's gmean, not our code)
    assert (first.row_item, first.column_item) == ("gdp", "jobs")
    assert first.current == pytest.approx(gmean([9, 7]))
    assert first.by_expert == (("E1", 9.0), ("E2", 7.0))
    assert first.suggested == 4
    path = write_file(write, text)
    with pytest.raises(MethodError) as err:
        make_ahp_loader(SMALL)(str(path), "eco", ["gdp", "jobs", "wages"])
    message = str(err.value)
    assert "revise 'gdp' vs 'jobs': E1 wrote 9, E2 wrote 7 (pooled 7.94); a value near 4 would " \
           "agree with the other judgements" in message
    assert "E1 wrote 9, E2 wrote 7" in analyse(write, text).to_text()
    assert analyse(write, text).to_json()[1]["revisions"][0]["by_expert"] == [
        {"expert": "E1", "value": 9.0}, {"expert": "E2", "value": 7.0}]


def test_group_hint_says_when_an_expert_left_the_pair_blank(write):
    text = SMALL_FILE.replace("    judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}",
                              GROUP_ECO.replace("gdp: {jobs: 7, wages: 1}", "gdp: {wages: 1}"))
    hints = analyse(write, text).matrices["eco"].hints
    hint = next(h for h in hints if (h.row_item, h.column_item) == ("gdp", "jobs"))
    assert hint.by_expert == (("E1", 9.0), ("E2", None)) and hint.current == pytest.approx(9.0)
    assert "E1 wrote 9, E2 left it blank" in analyse(write, text).to_text()


def test_aip_reports_every_experts_completed_judgements(write):
    text = "aggregation: aip\n" + SMALL_FILE.replace(
        "    judgements: {gdp: {jobs: 2, wages: 4}, jobs: {wages: 2}}",
        "    experts:\n      - {name: A, judgements: {gdp: {jobs: 2, wages: 4}}}\n"
        "      - {name: B, judgements: {gdp: {jobs: 3}, jobs: {wages: \"1/2\"}}}")
    analysis = analyse(write, text)
    eco = analysis.matrices["eco"]
    # each expert's missing pair is the one their other two judgements imply (Harker 1987):
    # A: jobs:wages = 4/2 = 2; B: gdp:wages = 3 × 1/2 = 1.5
    assert [(e, a, b) for e, a, b, _ in eco.completed_by_expert] == [("A", "jobs", "wages"),
                                                                      ("B", "gdp", "wages")]
    assert [v for *_, v in eco.completed_by_expert] == pytest.approx([2.0, 1.5])
    assert eco.completed == ()
    assert "A: jobs vs wages = 2; B: gdp vs wages = 1.5" in analysis.to_text()
    assert analysis.to_json()[1]["completed"] == [
        {"expert": "A", "row": "jobs", "column": "wages", "value": pytest.approx(2.0)},
        {"expert": "B", "row": "gdp", "column": "wages", "value": pytest.approx(1.5)}]
    _, details = make_ahp_loader(SMALL)(str(write_file(write, text)), "eco", ["gdp", "jobs", "wages"])
    assert len(details["completed"]) == 2 and details["completed"][1].startswith("B: gdp vs wages")


def test_readme_example_parses():
    text = (weights_dir() / "README.md").read_text(encoding="utf-8")
    block = text.split("```yaml\n", 1)[1].split("```", 1)[0]
    analysis = analyse_judgements(judgements_from_dict(yaml.safe_load(block), source="README"))
    assert set(analysis.matrices) == {"index", "structural"}
    assert analysis.matrices["index"].pooling == "aij"


# ----------------------------------------------------------------------------- template
def test_template_round_trip_gives_equal_weights_and_zero_cr(write):
    fw = load_framework("resource_city_transition")
    text = template(fw)
    assert "资源型城市转型评价 / Resource-based city transition" in text
    assert "采矿业增加值占GDP比重 / Mining share of value added" in text
    analysis = analyse_judgements(load_judgements(write("blank.yaml", text), fw), fw)
    assert list(analysis.matrices) == ["index", "structural", "ecological", "livelihood"]
    for m in analysis.matrices.values():
        assert m.result.cr == 0 and m.result.priorities == pytest.approx(np.full(len(m.items), 1 / len(m.items)))
    assert all(w == pytest.approx(1 / 30) for w in analysis.global_weights.values())
    assert analysis.consistency.overall == 0


def test_template_quotes_ids_yaml_would_misread_and_skips_single_children(write):
    fw = Framework.from_dict({"id": "odd", "nodes": [{"id": "on"}, {"id": "solo"}],
                              "indicators": [{"id": "no", "parent": "on"}, {"id": "1e3", "parent": "on"},
                                             {"id": "x", "parent": "on"}, {"id": "only", "parent": "solo"}]})
    text = template(fw, lang_both=False)
    analysis = analyse_judgements(load_judgements(write("odd.yaml", text), fw), fw)
    assert analysis.matrices["on"].items == ("no", "1e3", "x")
    assert "solo" not in analysis.matrices and analysis.global_weights["only"] == pytest.approx(0.5)


def test_template_in_one_language(write):
    text = template(SMALL, lang_both=False, lang="zh")
    assert "# 人均GDP" in text and "/ GDP" not in text


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.integers(1, 3), min_size=2, max_size=2), st.lists(st.integers(1, 3), min_size=3, max_size=3),
       st.lists(st.integers(1, 3), min_size=2, max_size=2))
def test_consistent_judgements_from_the_file_give_their_weights(write, top, eco, env):
    """Judgements a_ij = s_i/s_j (all within 1/9–9) are perfectly consistent: the file's
    analysis returns the generating weights, their products as global weights, CR 0."""
    def pairs(items, s):
        return {items[i]: {items[j]: f"{s[i]}/{s[j]}" for j in range(i + 1, len(items))}
                for i in range(len(items) - 1)}

    local = {"index": (["eco", "env"], top), "eco": (["gdp", "jobs", "wages"], eco), "env": (["pm25", "water"], env)}
    spec = {"matrices": {node: {"items": items, "judgements": pairs(items, s)} for node, (items, s) in local.items()}}
    analysis = analyse_judgements(load_judgements(write("gen.yaml", yaml.safe_dump(spec)), SMALL), SMALL)
    share = {node: np.array(s) / sum(s) for node, (_, s) in local.items()}
    expected = {"gdp": share["index"][0] * share["eco"][0], "jobs": share["index"][0] * share["eco"][1],
                "wages": share["index"][0] * share["eco"][2], "pm25": share["index"][1] * share["env"][0],
                "water": share["index"][1] * share["env"][1]}
    assert analysis.global_weights == pytest.approx(expected, abs=1e-12)
    assert all(m.result.cr == pytest.approx(0, abs=1e-9) for m in analysis.matrices.values())


def test_example_panel_drives_evaluate_through_the_loader():
    from evaluator.evaluate import default_recipe, evaluate
    from evaluator.model.panel import load_panel
    from evaluator.resources import demo_panel_path

    fw = load_framework("resource_city_transition")
    spec = {"method": "ahp", "file": "weights/example_panel.yaml"}
    recipe = default_recipe(fw).replace(weights={"indicators": spec, "nodes": spec})
    loader = make_ahp_loader(fw)
    result = evaluate(fw, load_panel(demo_panel_path(), fw), recipe, ahp_loader=loader)
    analysis = analyse_judgements(load_judgements("weights/example_panel.yaml", fw), fw)
    for indicator, weight in analysis.global_weights.items():
        assert result.global_weights[indicator] == pytest.approx(weight, abs=1e-12)
    assert result.weights["index"].details["cr"] == pytest.approx(analysis.matrices["index"].result.cr)
    assert list(loader.files) == [str((weights_dir() / "example_panel.yaml").resolve())]


@pytest.mark.parametrize("name", list_builtin())
def test_template_of_every_builtin_framework_loads_with_equal_local_weights(write, name):
    fw = load_framework(name)
    analysis = analyse_judgements(load_judgements(write(f"{name}.yaml", template(fw)), fw), fw)
    assert analysis.consistent and analysis.equal_weight_nodes == ()
    for parent, local in analysis.local_weights.items():
        assert local == pytest.approx(np.full(len(fw.children(parent)), 1 / len(fw.children(parent))))
    assert sum(analysis.global_weights.values()) == pytest.approx(1)
