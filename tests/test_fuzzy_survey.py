"""Fuzzy comprehensive evaluation from survey grade counts given as a file (CSV or
Excel) from the command line: 汪培庄 (1983)'s clothing example (as in 司守奎 & 孙玺菁
2011) — ten respondents' grades of 花色, 式样, 耐穿程度 and 价格 give the membership
matrix R, and the two customer groups' weights give B = (0.2, 0.3, 0.4, 0.1) (不太欢迎)
and B = (0.35, 0.4, 0.2, 0.1) (比较欢迎) with M(∧,∨)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
import yaml
from click.testing import CliRunner

from evaluator.cli.main import main
from evaluator.errors import DataError, MethodError
from evaluator.evaluate import evaluate
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.sensitivity import run_sensitivity

GRADES = ["很欢迎", "比较欢迎", "不太欢迎", "不欢迎"]
FACTORS = ["colour", "style", "durability", "price"]
COUNTS = np.array([[2, 5, 2, 1], [7, 2, 1, 0], [0, 4, 5, 1], [2, 3, 5, 0]])  # 10 answers
FRAMEWORK = {"id": "clothing", "indicators": [{"id": f} for f in FACTORS]}


def write_case(tmp_path, weights, *, counts_file="survey.csv", operator="min_max",
               counts=None):
    folder = tmp_path / "case"
    folder.mkdir(exist_ok=True)
    (folder / "framework.yaml").write_text(yaml.safe_dump(FRAMEWORK), encoding="utf-8")
    pd.DataFrame({"unit": ["shop", "market"], "year": [2024, 2024],   # one survey: both
                  **{f: [float(i + 1), float(i + 2)] for i, f in enumerate(FACTORS)}}).to_csv(
        folder / "panel.csv", index=False)
    table = counts if counts is not None else pd.DataFrame(COUNTS, columns=GRADES).assign(
        indicator=FACTORS)[["indicator", *GRADES]]
    if counts_file.endswith(".xlsx"):
        table.to_excel(folder / counts_file, index=False)
    else:
        table.to_csv(folder / counts_file, index=False, encoding="utf-8-sig")
    recipe = {"weights": {"indicators": {"method": "fixed", "values": dict(zip(FACTORS,
                                                                            weights))}},
              "aggregate": {"method": "fuzzy", "membership": "survey",
                            "counts": counts_file, "operator": operator}}
    (folder / "recipe.yaml").write_text(yaml.safe_dump(recipe, allow_unicode=True),
                                        encoding="utf-8")
    return folder


def score(folder, tmp_path, lang="en"):
    out = tmp_path / "out"
    res = CliRunner().invoke(main, ["score", "-f", str(folder / "framework.yaml"), "-d",
                                    str(folder / "panel.csv"), "-r",
                                    str(folder / "recipe.yaml"), "--out", str(out),
                                    "--lang", lang])
    assert "Traceback" not in res.output, res.output
    return res, out


@pytest.mark.parametrize("weights, expected, grade, counts_file", [
    ([0.1, 0.2, 0.3, 0.4], [0.2, 0.3, 0.4, 0.1], 3, "survey.csv"),
    ([0.4, 0.35, 0.15, 0.1], [0.35, 0.4, 0.2, 0.1], 2, "survey.xlsx"),
])
def test_the_clothing_example_from_a_counts_file(tmp_path, monkeypatch, weights, expected,
                                                 grade, counts_file):
    folder = write_case(tmp_path, weights, counts_file=counts_file)
    monkeypatch.chdir(tmp_path)            # the counts file is found beside the recipe
    res, out = score(folder, tmp_path)
    assert res.exit_code == 0, res.output
    import hashlib
    import json
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    step = next(s for s in manifest["steps"] if s.get("step") == "aggregate")
    block = step["per_block"][0]
    assert block["grades"] == GRADES and block["counts_file"].endswith(counts_file)
    assert block["counts_sha256"] == hashlib.sha256(
        (folder / counts_file).read_bytes()).hexdigest()
    table = pd.read_csv(out / "aggregation.csv", encoding="utf-8-sig")
    for r in range(2):
        got = [table[f"membership_{g}"].iloc[r] for g in GRADES]
        # B as published (A ∘ R), normalised to sum 1 as the method reports it
        np.testing.assert_allclose(got, np.divide(expected, sum(expected)), atol=1e-12)
        assert table["fuzzy_grade"].iloc[r] == grade


def test_counts_per_unit_and_year_and_the_weighted_average_operator(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame({"unit": ["a", "a", "b"], "year": [2023, 2024, 2024],
                       **{f: [1.0, 2.0, 3.0] for f in FACTORS}})
    rows = []
    for unit, year, scale in (("a", 2023, COUNTS), ("a", 2024, COUNTS[::-1]),
                              ("b", 2024, np.ones((4, 4), int))):
        for f, c in zip(FACTORS, scale):
            rows.append({"对象": unit, "年份": year, "指标": f, **dict(zip(GRADES, c))})
    path = tmp_path / "counts.csv"
    pd.DataFrame(rows).to_csv(path, index=False, encoding="gb18030")
    w = np.array([0.1, 0.2, 0.3, 0.4])
    res = evaluate(fw, Panel.from_frame(df, fw), {
        "weights": {"indicators": {"method": "fixed", "values": dict(zip(FACTORS, w))}},
        "aggregate": {"method": "fuzzy", "membership": "survey", "counts": str(path)}})
    table = res.aggregation_table
    R = COUNTS / COUNTS.sum(axis=1, keepdims=True)
    expected = {("a", 2023): w @ R, ("a", 2024): w @ R[::-1], ("b", 2024): np.full(4, 0.25)}
    for _, row in table.iterrows():
        got = [row[f"membership_{g}"] for g in GRADES]
        np.testing.assert_allclose(got, expected[(row["unit"], row["year"])], atol=1e-12)
    scores = np.linspace(0, 1, 4)
    np.testing.assert_allclose(res.scores["index"][-1], 100 * 0.25 * scores.sum())


def test_sensitivity_runs_with_survey_membership(tmp_path):
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame({"unit": list("abcdef"), "year": 2024,
                       **{f: np.arange(6.0) + i for i, f in enumerate(FACTORS)}})
    rng = np.random.default_rng(1)
    rows = [{"unit": u, "indicator": f, **dict(zip(GRADES, rng.integers(0, 9, 4) + 1))}
            for u in "abcdef" for f in FACTORS]
    path = tmp_path / "counts.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    rc = {"aggregate": {"method": "fuzzy", "membership": "survey", "counts": str(path)},
          "uncertainty": {"weights": {"perturb": 0.3}}}
    from evaluator.model.recipe import Recipe
    run = run_sensitivity(fw, Panel.from_frame(df, fw), Recipe.from_dict(rc), samples=30,
                          seed=2, workers=1)
    assert run.hist.sum() == 30 * 6


@pytest.mark.parametrize("change, message", [
    (lambda t: t.drop(columns="indicator"), "no `indicator` column"),
    (lambda t: t.iloc[:3], "no survey grade counts for 'price'"),
    (lambda t: t.assign(很欢迎=[2, -1, 0, 2]), "is not a non-negative number"),
    (lambda t: t.assign(很欢迎=[0, 0, 0, 0], 比较欢迎=0, 不太欢迎=0, 不欢迎=[1, 1, 1, 0]),
     "has no answers"),
    (lambda t: pd.concat([t, t.iloc[:1]]), "counted twice"),
    (lambda t: t[["indicator", "很欢迎"]], "1 grade column"),
])
def test_a_bad_counts_file_is_a_clear_error(tmp_path, change, message):
    table = pd.DataFrame(COUNTS, columns=GRADES).assign(indicator=FACTORS)[
        ["indicator", *GRADES]]
    folder = write_case(tmp_path, [1, 1, 1, 1], counts=change(table))
    res, _ = score(folder, tmp_path)
    assert res.exit_code == 2 and message in res.output, res.output
    assert "survey.csv" in res.output


def test_a_missing_counts_file_and_a_missing_counts_parameter(tmp_path):
    folder = write_case(tmp_path, [1, 1, 1, 1])
    (folder / "survey.csv").unlink()
    res, _ = score(folder, tmp_path, lang="zh")
    assert res.exit_code == 2 and "无法读取调查等级计数文件" in res.output
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame({"unit": ["a", "b"], "year": [2024, 2024],
                       **{f: [1.0, 2.0] for f in FACTORS}})
    with pytest.raises(MethodError, match="membership: survey"):
        evaluate(fw, Panel.from_frame(df, fw), {"aggregate": {"method": "fuzzy",
                                                              "membership": "survey"}})
    with pytest.raises(DataError):
        evaluate(fw, Panel.from_frame(df, fw), {"aggregate": {
            "method": "fuzzy", "membership": "survey", "counts": str(tmp_path / "no.csv")}})


def test_a_counts_file_that_is_not_a_regular_file_is_refused_unread(tmp_path):
    import os
    fifo = tmp_path / "counts.csv"
    os.mkfifo(fifo)
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame({"unit": ["a", "b"], "year": [2024, 2024],
                       **{f: [1.0, 2.0] for f in FACTORS}})
    with pytest.raises(DataError) as info:
        evaluate(fw, Panel.from_frame(df, fw), {"aggregate": {
            "method": "fuzzy", "membership": "survey", "counts": str(fifo)}})
    assert "counts.csv" in str(info.value)


def test_the_contributions_warning_names_the_method_that_does_not_decompose():
    fw = Framework.from_dict(FRAMEWORK)
    df = pd.DataFrame({"unit": ["a", "b"], "year": [2024, 2024],
                       **{f: [1.0, 2.0] for f in FACTORS}})
    res = evaluate(fw, Panel.from_frame(df, fw), {"aggregate": {
        "method": "fuzzy", "thresholds": [0, 50, 100]}})
    from evaluator.i18n import localise
    text = [localise(w, "en") for w in res.warnings if "contributions" in localise(w, "en")]
    assert text and "fuzzy does not decompose" in text[0]
