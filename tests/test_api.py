"""Python functions for every command (issue 13 §6): they take and return pandas objects
and reproduce the files the commands write, byte for byte."""
from __future__ import annotations

import json

import pandas as pd
import pytest
from click.testing import CliRunner

import evaluator
from evaluator.cli import main
from evaluator.output import write_tables
from evaluator.resources import demo_panel_path

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def frame():
    data = pd.read_csv(demo_panel_path(), encoding="utf-8")
    return data[data["year"] >= 2023].reset_index(drop=True)


@pytest.fixture(scope="module")
def csv(frame, tmp_path_factory):
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    frame.to_csv(path, index=False)
    return path


@pytest.fixture(scope="module")
def result(csv):
    return evaluator.evaluate(FW, csv)


def run(*args):
    res = CliRunner().invoke(main, [str(a) for a in args])
    assert res.exit_code in (0, 1), res.output
    return res


def same_files(left, right, names):
    for name in names:
        assert (left / name).read_bytes() == (right / name).read_bytes(), name


def test_evaluate_takes_a_dataframe_and_names(frame, csv, result):
    from_frame = evaluator.evaluate(FW, frame)
    pd.testing.assert_frame_equal(from_frame.rankings, result.rankings)
    fw = evaluator.load_framework(FW)
    mapped = evaluator.evaluate(fw, frame, {"weights": {"indicators": "critic"}})
    assert mapped.recipe.weights["indicators"]["method"] == "critic"


def test_score_files_are_the_cli_files(tmp_path, csv, result):
    run("score", "-f", FW, "-d", csv, "--out", tmp_path / "cli")
    written = result.to_dir(tmp_path / "py")
    names = sorted(p.name for p in written)
    assert "rankings.csv" in names and "manifest.json" in names
    assert sorted(p.name for p in (tmp_path / "cli").iterdir()) == names
    same_files(tmp_path / "cli", tmp_path / "py", names)


def test_validate_is_the_cli_json(csv):
    report = evaluator.validate(FW, csv)
    res = run("validate", "-f", FW, "-d", csv, "--format", "json")
    assert json.loads(res.output) == json.loads(json.dumps(report.to_dict(),
                                                           ensure_ascii=False))
    assert res.exit_code == (1 if report.has_errors else 0)
    assert "<table" in report._repr_html_()


def test_diagnose_tables_are_the_score_files(tmp_path, csv, result):
    run("score", "-f", FW, "-d", csv, "--out", tmp_path / "cli")
    diagnosis = evaluator.diagnose(result)
    assert diagnosis is not None and not diagnosis.table.empty
    write_tables(tmp_path / "py", diagnosis.tables())
    same_files(tmp_path / "cli", tmp_path / "py", ["diagnostics.csv", "alerts.csv"])
    again = evaluator.diagnose(FW, csv)            # from a framework and panel too
    pd.testing.assert_frame_equal(again.table, diagnosis.table)
    unit = result.rankings["unit"].iloc[0]
    res = run("diagnose", "-f", FW, "-d", csv, "--unit", unit, "--lang", "zh")
    assert res.output == evaluator.profile(result, unit, lang="zh") + "\n"
    assert "<table" in diagnosis._repr_html_()


def test_compare_tables_are_the_cli_files(tmp_path, csv):
    run("compare", "-f", FW, "-d", csv, "--methods", "equal,critic", "-k", "3",
        "--out", tmp_path / "cli")
    result = evaluator.compare(FW, csv, methods="equal,critic", k=3)
    write_tables(tmp_path / "py", result.tables())
    same_files(tmp_path / "cli", tmp_path / "py",
               ["compare.csv", "compare_correlations.csv", "compare_weights.csv"])
    cli_summary = json.loads((tmp_path / "cli" / "compare.json").read_text(encoding="utf-8"))
    assert cli_summary == json.loads(json.dumps(result.summary, ensure_ascii=False))
    assert "<table" in result._repr_html_()


def test_sensitivity_tables_are_the_cli_files(tmp_path, csv):
    run("sensitivity", "-f", FW, "-d", csv, "--samples", 64, "--seed", 5, "--year", 2025,
        "--out", tmp_path / "cli")
    result = evaluator.sensitivity(FW, csv, samples=64, seed=5, years=2025)
    assert isinstance(result.intervals, pd.DataFrame)
    write_tables(tmp_path / "py", result.tables())
    same_files(tmp_path / "cli", tmp_path / "py", ["rank_intervals.csv"])
    cli_summary = json.loads((tmp_path / "cli" / "sensitivity.json")
                             .read_text(encoding="utf-8"))
    assert cli_summary == json.loads(json.dumps(result.summary, ensure_ascii=False))
    assert "<table" in result._repr_html_()


def test_report_files_are_the_cli_files(tmp_path, csv, result):
    run("report", "-f", FW, "-d", csv, "--lang", "zh", "--out", tmp_path / "cli")
    bundle = evaluator.report(result, lang="zh", out=tmp_path / "py")
    assert bundle.year == 2025
    names = sorted(p.name for p in (tmp_path / "cli").iterdir())
    assert "report-2025-zh.html" in names
    assert sorted(p.name for p in (tmp_path / "py").iterdir()) == names
    same_files(tmp_path / "cli", tmp_path / "py", names)   # the workbooks too, byte for byte


def test_report_and_sensitivity_stay_callable_after_their_packages_are_imported():
    import evaluator.report as report_package
    import evaluator.sensitivity as sensitivity_package

    assert callable(evaluator.report) and callable(evaluator.sensitivity)
    assert report_package.build_report and sensitivity_package.run_sensitivity


def test_results_show_as_tables_in_a_notebook(result, csv):
    html = result._repr_html_()
    assert "<table" in html and "ranking 2025" in html and "weights" in html
    panel = evaluator.load_panel(csv, result.framework)
    assert "<table" in panel._repr_html_() and "2023–2025" in panel._repr_html_()


def test_notebook_cards_speak_the_current_language(result, csv):
    """Titles, facts and captions in Chinese under zh (the tables keep their column ids,
    as the CSV files do)."""
    import re

    from evaluator.i18n import set_lang
    from i18n_scan import english_runs
    fw = result.framework
    allow = [fw.id, *(i.id for i in fw.indicators), *fw.node_ids, "DataFrame",
             str(csv), result.recipe.normalise["method"], result.recipe.aggregate["method"],
             result.recipe.weights["indicators"]["method"]]
    cards = {"assessment": result, "panel": evaluator.load_panel(csv, fw),
             "diagnosis": evaluator.diagnose(result), "quality": evaluator.validate(FW, csv)}
    try:
        set_lang("zh")
        shown = {name: obj._repr_html_() for name, obj in cards.items()}
    finally:
        set_lang("en")
    for name, html in shown.items():
        words = re.sub(r"<[^>]+>", " ", re.sub(r"<table.*?</table>", " ", html, flags=re.S))
        assert not english_runs(words, allow=allow), (name, english_runs(words, allow=allow))
        assert re.search(r"[\u4e00-\u9fff]", words), name
