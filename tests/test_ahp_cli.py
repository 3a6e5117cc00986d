"""`evaluator ahp` and `evaluator weights` through click's test runner.

Independent checks: entropy weights against pymcdm 1.4's entropy_weights (Shekhovtsov)
on the raw panel (x/max normalisation leaves the shares p_ij unchanged) and against our
entropy_weights on min–max scores computed here with numpy; AHP priorities against the
leader example published with AHPy (Wikipedia "Analytic hierarchy process – leader
example", Saaty 2005 RI: criteria .548 .127 .270 .056, CR 0.044).
"""
from __future__ import annotations

import io
import json
import textwrap

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner
from pymcdm.weights import entropy_weights as pymcdm_entropy

from evaluator.cli.weights import ahp, weights
from evaluator.methods.weighting import critic_weights, entropy_weights

FLAT = """
id: flat
name: {zh: 平框架, en: Flat}
indicators:
  - {id: a, name: {zh: 甲, en: A}}
  - {id: b, name: {zh: 乙, en: B}}
  - {id: c, name: {zh: 丙, en: C}}
recipe: {normalise: {method: min_max}, weights: {indicators: equal}}
"""

RAW = np.array([[3.0, 10.0, 0.5], [5.0, 12.0, 0.7], [4.0, 30.0, 0.6], [8.0, 11.0, 0.9],
                [6.0, 25.0, 0.4], [7.0, 14.0, 0.8]])

CRITERIA_FILE = """
ri_table: saaty2005
matrices:
  index:
    items: [experience, education, charisma, age]
    judgements:
      experience: {education: 4, charisma: 3, age: 7}
      education: {charisma: "1/3", age: 3}
      charisma: {age: 5}
"""
LEADER_FW = """
id: leader
indicators: [{id: experience}, {id: education}, {id: charisma}, {id: age}]
"""


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def flat_inputs(write):
    framework = write("flat.yaml", textwrap.dedent(FLAT))
    rows = ["unit,year,a,b,c"] + [f"U{k},2024,{x},{y},{z}" for k, (x, y, z) in enumerate(RAW)]
    data = write("panel.csv", "\n".join(rows) + "\n")
    return str(framework), str(data)


def run_json(runner, command, args):
    result = runner.invoke(command, args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


# ----------------------------------------------------------------------------- ahp FILE
def test_ahp_json_keys_and_published_priorities(runner, write):
    path = write("leader.yaml", textwrap.dedent(CRITERIA_FILE))
    fw = write("leader_fw.yaml", textwrap.dedent(LEADER_FW))
    out = run_json(runner, ahp, [str(path), "--framework", str(fw), "--format", "json"])
    matrix, summary = out[0], out[-1]
    assert {"node", "items", "priorities", "lambda_max", "ci", "ri", "cr", "consistent"} <= set(matrix)
    assert np.round(matrix["priorities"], 3).tolist() == [0.548, 0.127, 0.270, 0.056]
    assert matrix["cr"] == pytest.approx(0.044, abs=5e-4) and matrix["ri"] == 0.89
    assert matrix["lambda_max"] == pytest.approx(4 + 3 * matrix["ci"])
    assert summary["global_weights"] == pytest.approx(dict(zip(matrix["items"], matrix["priorities"])))
    assert summary["consistent"] is True


def test_ahp_check_is_the_same_as_ahp_file(runner, write):
    path = str(write("leader.yaml", textwrap.dedent(CRITERIA_FILE)))
    plain = runner.invoke(ahp, [path, "--format", "json"])
    explicit = runner.invoke(ahp, ["check", path, "--format", "json"])
    options_first = runner.invoke(ahp, ["--format", "json", path])
    assert plain.exit_code == explicit.exit_code == options_first.exit_code == 0
    assert plain.output == explicit.output == options_first.output


def test_ahp_table_in_chinese_uses_the_framework_the_file_names(runner):
    result = runner.invoke(ahp, ["weights/example_panel.yaml", "--lang", "zh"])
    assert result.exit_code == 0, result.output
    assert "通过一致性检验" in result.output and "产业高级化" in result.output
    assert "层次总排序权重" in result.output and "非资源型产业增加值占比" in result.output


def test_inconsistent_file_exits_1_with_revision_hints(runner, write):
    path = write("bad.yaml", "matrices:\n  index:\n    items: [a, b, c]\n"
                             "    judgements: {a: {b: 5, c: '1/3'}, b: {c: 4}}\n")
    result = runner.invoke(ahp, [str(path)])
    assert result.exit_code == 1
    assert "INCONSISTENT" in result.output and "judgements to revise first" in result.output
    assert "CR after the change" in result.output
    out = json.loads(runner.invoke(ahp, [str(path), "--format", "json"]).output)
    assert out[0]["consistent"] is False and len(out[0]["revisions"]) == 3


def test_bad_file_is_a_message_and_exit_2_without_traceback(runner, write, tmp_path):
    fw = write("flat.yaml", textwrap.dedent(FLAT))
    path = write("bad.yaml", "matrices:\n  index:\n    items: [a, b, d]\n    judgements: {a: {b: 2}}\n")
    result = runner.invoke(ahp, [str(path), "-f", str(fw)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "bad.yaml" in result.output and "unknown indicator 'd'" in result.output
    assert "does not cover 'c'" in result.output
    missing = runner.invoke(ahp, [str(tmp_path / "nowhere.yaml")])
    assert missing.exit_code == 2 and "not found" in missing.output


def test_help_has_examples(runner):
    for command, args in ((ahp, ["--help"]), (ahp, ["template", "--help"]), (ahp, ["check", "--help"]),
                          (weights, ["--help"])):
        result = runner.invoke(command, args)
        assert result.exit_code == 0 and "Example" in result.output


# ----------------------------------------------------------------------------- ahp template
def test_template_writes_a_file_that_loads_with_equal_weights(runner, tmp_path):
    out = tmp_path / "weights" / "panel.yaml"
    result = runner.invoke(ahp, ["template", "--framework", "resource_city_transition", "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "4 matrices" in result.output and out.is_file()
    assert [p.name for p in out.parent.iterdir()] == ["panel.yaml"]   # no temporary left over
    report = run_json(runner, ahp, [str(out), "-f", "resource_city_transition", "--format", "json"])
    assert all(m["cr"] == 0 for m in report[:-1])
    assert set(np.round(list(report[-1]["global_weights"].values()), 12)) == {round(1 / 30, 12)}


def test_template_refuses_to_overwrite_without_force(runner, tmp_path):
    out = tmp_path / "panel.yaml"
    out.write_text("filled: true\n", encoding="utf-8")
    refused = runner.invoke(ahp, ["template", "-f", "resource_city_transition", "-o", str(out)])
    assert refused.exit_code == 2 and "--force" in refused.output
    assert out.read_text(encoding="utf-8") == "filled: true\n"
    forced = runner.invoke(ahp, ["template", "-f", "resource_city_transition", "-o", str(out), "--force"])
    assert forced.exit_code == 0 and "matrices:" in out.read_text(encoding="utf-8")


def test_template_prints_without_out(runner):
    result = runner.invoke(ahp, ["template", "-f", "resource_city_transition", "--lang", "zh"])
    assert result.exit_code == 0 and "# 产业高级化" in result.output
    assert "Structural upgrading" not in result.output
    assert yaml.safe_load(result.output)["framework"] == "resource_city_transition"


# ----------------------------------------------------------------------------- weights
def test_weights_entropy_json_matches_entropy_weights_and_pymcdm(runner, flat_inputs):
    framework, data = flat_inputs
    rows = run_json(runner, weights, ["-f", framework, "-d", data, "--method", "entropy", "--format", "json"])
    assert [r["indicator"] for r in rows] == ["a", "b", "c"] and {r["node"] for r in rows} == {"index"}
    z = (RAW - RAW.min(axis=0)) / (RAW.max(axis=0) - RAW.min(axis=0))
    direct = entropy_weights(z)
    assert [r["weight"] for r in rows] == pytest.approx(direct.weights, abs=1e-12)
    assert [r["e"] for r in rows] == pytest.approx(direct.details["e"], abs=1e-12)
    assert [r["d"] for r in rows] == pytest.approx(direct.details["d"], abs=1e-12)
    assert [r["global_weight"] for r in rows] == pytest.approx(direct.weights, abs=1e-12)
    assert all(r["rows_used"] == len(RAW) and r["method"] == "entropy" for r in rows)


def test_weights_entropy_on_ratio_scores_matches_pymcdm(runner, flat_inputs, write):
    framework, data = flat_inputs
    recipe = write("recipe.yaml", "normalise: {method: ratio_max}\n")
    rows = run_json(runner, weights, ["-f", framework, "-d", data, "-r", str(recipe),
                                      "--method", "entropy", "--format", "json"])
    assert [r["weight"] for r in rows] == pytest.approx(pymcdm_entropy(RAW), abs=1e-12)


def test_weights_critic_csv_has_sigma_conflict_information(runner, flat_inputs):
    framework, data = flat_inputs
    result = runner.invoke(weights, ["-f", framework, "-d", data, "--method", "critic", "--format", "csv"])
    assert result.exit_code == 0, result.output
    table = pd.read_csv(io.StringIO(result.output))
    z = (RAW - RAW.min(axis=0)) / (RAW.max(axis=0) - RAW.min(axis=0))
    direct = critic_weights(z)
    # CRITIC by hand (Diakoulaki et al. 1995): C_j = σ_j Σ_k (1 − r_jk)
    sigma = z.std(axis=0, ddof=1)
    information = sigma * (1 - np.corrcoef(z, rowvar=False)).sum(axis=0)
    assert table["weight"].to_numpy() == pytest.approx(information / information.sum(), abs=1e-12)
    # the pipeline's scores are on the recipe's range [0, 100]: σ is 100 times that of z
    assert table["sigma"].to_numpy() == pytest.approx(100 * direct.details["sigma"], rel=1e-12)
    assert {"conflict", "information"} <= set(table.columns)


def test_weights_ahp_shows_priorities_and_cr(runner, write):
    fw = write("leader_fw.yaml", textwrap.dedent(LEADER_FW))
    judgements = write("leader.yaml", textwrap.dedent(CRITERIA_FILE))
    rows = ["unit,year,experience,education,charisma,age", "A,2024,1,2,3,4", "B,2024,4,3,2,1",
            "C,2024,2,2,2,2"]
    data = write("panel.csv", "\n".join(rows) + "\n")
    out = run_json(runner, weights, ["-f", str(fw), "-d", str(data), "--method", "ahp",
                                     "--file", str(judgements), "--format", "json"])
    assert np.round([r["weight"] for r in out], 3).tolist() == [0.548, 0.127, 0.270, 0.056]
    assert out[0]["cr"] == pytest.approx(0.044, abs=5e-4) and out[0]["method"] == "ahp"
    assert {"lambda_max", "ci", "ri", "consistent"} <= set(out[0])


def test_weights_ahp_inconsistent_is_an_error_unless_accepted(runner, flat_inputs, write):
    framework, data = flat_inputs
    bad = write("bad.yaml", "matrices:\n  index:\n    items: [a, b, c]\n"
                            "    judgements: {a: {b: 5, c: '1/3'}, b: {c: 4}}\n")
    refused = runner.invoke(weights, ["-f", framework, "-d", data, "--method", "ahp", "--file", str(bad)])
    assert refused.exit_code == 2 and "inconsistent" in refused.output
    assert "bad.yaml: matrices.index" in refused.output and "revise" in refused.output
    accepted = runner.invoke(weights, ["-f", framework, "-d", data, "--method", "ahp", "--file", str(bad),
                                       "--accept-inconsistent", "--format", "json"])
    assert accepted.exit_code == 0, accepted.output
    assert json.loads(accepted.output)[0]["cr"] > 0.1
    no_file = runner.invoke(weights, ["-f", framework, "-d", data, "--method", "ahp"])
    assert no_file.exit_code == 2 and "--file" in no_file.output


def test_weights_combined_keeps_components_and_alpha(runner, flat_inputs):
    framework, data = flat_inputs
    rows = run_json(runner, weights, ["-f", framework, "-d", data, "--method", "combined",
                                      "--combine", "entropy,critic", "--alpha", "0.3,0.7",
                                      "--format", "json"])
    z = (RAW - RAW.min(axis=0)) / (RAW.max(axis=0) - RAW.min(axis=0))
    expected = 0.3 * entropy_weights(z).weights + 0.7 * critic_weights(z).weights
    assert [r["weight"] for r in rows] == pytest.approx(expected, abs=1e-12)
    assert [r["component_entropy"] for r in rows] == pytest.approx(entropy_weights(z).weights, abs=1e-12)
    assert rows[0]["alpha_entropy"] == 0.3 and rows[0]["alpha_critic"] == 0.7


def test_bad_alpha_is_blamed_on_the_option_not_the_recipe(runner, flat_inputs):
    framework, data = flat_inputs
    base = ["-f", framework, "-d", data, "--method", "combined", "--combine", "entropy,critic"]
    for alpha in ("0.3,0.6", "0.3,0.6,0.1", "-0.2,1.2"):
        result = runner.invoke(weights, base + ["--alpha", alpha])
        assert result.exit_code == 2 and "Traceback" not in result.output
        assert "--alpha:" in result.output and "weights.indicators.alpha" not in result.output
        assert "framework recipe" not in result.output and "e.g. --combine ahp,entropy --alpha" in result.output
    unknown = runner.invoke(weights, ["-f", framework, "-d", data, "--method", "combined",
                                      "--combine", "entropy,bogus"])
    assert unknown.exit_code == 2 and "--combine: unknown weighting method 'bogus'" in unknown.output
    assert "entropy, critic" in unknown.output          # the valid methods are still listed


def test_group_revisions_in_json_name_each_expert(runner, write):
    path = write("group.yaml", textwrap.dedent("""
        matrices:
          index:
            items: [a, b, c]
            experts:
              - {name: E1, judgements: {a: {b: 9, c: 1}, b: {c: 1}}}
              - {name: E2, judgements: {a: {b: 7, c: 1}, b: {c: 1}}}
        """))
    result = runner.invoke(ahp, [str(path), "--format", "json"])
    assert result.exit_code == 1
    first = json.loads(result.output)[0]["revisions"][0]
    assert (first["row"], first["column"]) == ("a", "b") and first["suggested"] == 4
    assert first["by_expert"] == [{"expert": "E1", "value": 9.0}, {"expert": "E2", "value": 7.0}]
    table = runner.invoke(ahp, [str(path)]).output
    assert "a vs b: E1 wrote 9, E2 wrote 7 (pooled 7.94)" in table
