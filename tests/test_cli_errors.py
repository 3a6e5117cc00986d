"""Bad input through the CLI: a clear message naming what and where, exit 2, no
traceback, nothing written to --out, the input files untouched."""
from __future__ import annotations

import hashlib
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluator.cli import main

FRAMEWORK = """
id: tiny
name: {zh: 小指数, en: Tiny index}
nodes:
  - {id: econ, name: {zh: 经济, en: Economy}}
  - {id: env, name: {zh: 环境, en: Environment}}
indicators:
  - {id: gdp, name: {zh: 人均GDP, en: GDP per capita}, parent: econ, unit: yuan}
  - {id: jobs, name: {zh: 失业率, en: Unemployment}, parent: econ, direction: cost}
  - {id: pm25, name: {zh: PM2.5浓度, en: PM2.5}, parent: env, direction: cost}
  - {id: green, name: {zh: 绿化覆盖率, en: Green coverage}, parent: env}
"""
PANEL = """unit,year,gdp,jobs,pm25,green
甲市,2022,50000,4.1,40,38
乙市,2022,62000,3.5,35,42
丙市,2022,41000,5.0,55,30
丁市,2022,70000,3.9,28,45
甲市,2023,52000,4.0,38,39
乙市,2023,63000,3.6,33,43
丙市,2023,43000,4.8,50,31
丁市,2023,71000,3.7,27,46
"""


@pytest.fixture
def files(tmp_path):
    fw = tmp_path / "tiny.yaml"
    fw.write_text(textwrap.dedent(FRAMEWORK), encoding="utf-8")
    data = tmp_path / "panel.csv"
    data.write_text(PANEL, encoding="utf-8")
    return tmp_path, fw, data


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""


def run_bad(tmp, args, inputs, *fragments):
    """Run the CLI and check the contract for a user error."""
    before = {p: (digest(p), p.stat().st_mtime_ns) for p in inputs if p.exists()}
    out = tmp / "out"
    res = CliRunner().invoke(main, [*args, "--out", str(out)] if "--out" not in args
                             and args[0] == "score" else args)
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit)
    assert "Traceback" not in res.output
    text = res.output
    assert text.startswith("error: ")
    for f in fragments:
        assert f in text, text
    assert not out.exists(), "nothing may be written to --out on an error"
    for p, (h, m) in before.items():
        assert (digest(p), p.stat().st_mtime_ns) == (h, m), f"{p} was modified"
    return text


def score_args(fw, data, *extra):
    return ["score", "-f", str(fw), "-d", str(data), *extra]


def test_good_run_works(files):
    tmp, fw, data = files
    res = CliRunner().invoke(main, score_args(fw, data, "--out", str(tmp / "ok")))
    assert res.exit_code == 0, res.output
    assert (tmp / "ok" / "rankings.csv").exists()


def test_wrong_encoding(files):
    tmp, fw, data = files
    gbk = tmp / "gbk.csv"
    gbk.write_bytes(PANEL.encode("gbk"))
    run_bad(tmp, score_args(fw, gbk, "--encoding", "utf-8"), [gbk], "utf-8", "gb")


def test_text_in_numeric_column(files):
    tmp, fw, data = files
    bad = tmp / "bad.csv"
    bad.write_text(PANEL.replace("62000", "六万二"), encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "row 3", "gdp", "六万二")


def test_duplicate_unit_year(files):
    tmp, fw, data = files
    bad = tmp / "dup.csv"
    bad.write_text(PANEL + "甲市,2023,1,1,1,1\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "甲市", "2023")


def test_unknown_indicator_in_long_layout(files):
    tmp, fw, data = files
    bad = tmp / "long.csv"
    rows = ["unit,year,indicator,value"]
    for line in PANEL.strip().splitlines()[1:]:
        u, y, *vals = line.split(",")
        for ind, v in zip(["gdp", "jobs", "pm25", "green"], vals):
            rows.append(f"{u},{y},{ind},{v}")
    rows.append("甲市,2022,pm2_5,40")
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "pm2_5", "pm25")


def test_missing_required_column(files):
    tmp, fw, data = files
    bad = tmp / "missing.csv"
    bad.write_text(PANEL.replace(",green", ",greenery"), encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "green")


def test_empty_file(files):
    tmp, fw, data = files
    bad = tmp / "empty.csv"
    bad.write_text("", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "empty")


def test_constant_column(files):
    tmp, fw, data = files
    lines = PANEL.strip().splitlines()
    const = [lines[0]] + [",".join(l.split(",")[:-1] + ["40"]) for l in lines[1:]]
    bad = tmp / "const.csv"
    bad.write_text("\n".join(const) + "\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad), [bad], "green")


def test_zero_range_within_a_year_under_per_year_min_max(files):
    tmp, fw, data = files
    lines = PANEL.strip().splitlines()
    rows = [lines[0]] + [",".join(l.split(",")[:-1] + ["40"]) if ",2022," in l else l
                         for l in lines[1:]]
    bad = tmp / "zr.csv"
    bad.write_text("\n".join(rows) + "\n", encoding="utf-8")
    recipe = tmp / "r.yaml"
    recipe.write_text("normalise: {method: min_max, scope: per_year}\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad, "-r", str(recipe)), [bad, recipe], "green", "2022")


def test_log_of_non_positive(files):
    tmp, fw, data = files
    bad = tmp / "zero.csv"
    bad.write_text(PANEL.replace("4.1", "0"), encoding="utf-8")
    recipe = tmp / "r.yaml"
    recipe.write_text("treat: log\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, bad, "-r", str(recipe)), [bad, recipe], "log", "jobs")


def test_geometric_mean_of_zero(files):
    tmp, fw, data = files
    recipe = tmp / "r.yaml"
    recipe.write_text("aggregate: {method: geometric}\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, data, "-r", str(recipe)), [data, recipe], "geometric", "floor")


@pytest.mark.parametrize("text, fragments", [
    ("weights: {indicators: entrophy}\n", ["weights.indicators.method", "entropy"]),
    ("normalise: {method: min_max, ranges: [0, 1]}\n", ["ranges", "range"]),
    ("aggregate: {method: topsis, rho: 0.5}\n", ["rho", "topsis"]),
])
def test_unknown_method_or_parameter_in_recipe(files, text, fragments):
    tmp, fw, data = files
    recipe = tmp / "r.yaml"
    recipe.write_text(text, encoding="utf-8")
    run_bad(tmp, score_args(fw, data, "-r", str(recipe)), [data, recipe], "r.yaml", *fragments)


def test_framework_cycle(files):
    tmp, fw, data = files
    bad = tmp / "cyc.yaml"
    bad.write_text(textwrap.dedent(FRAMEWORK).replace(
        "{id: econ, name: {zh: 经济, en: Economy}}", "{id: econ, parent: env}").replace(
        "{id: env, name: {zh: 环境, en: Environment}}", "{id: env, parent: econ}"),
        encoding="utf-8")
    run_bad(tmp, score_args(bad, data), [bad, data], "cycle", "cyc.yaml")


def test_unreadable_paths(files):
    tmp, fw, data = files
    run_bad(tmp, score_args(fw, tmp / "nope.csv"), [], "nope.csv")
    run_bad(tmp, score_args(tmp / "nope.yaml", data), [data], "nope.yaml")


def test_yaml_syntax_error(files):
    tmp, fw, data = files
    recipe = tmp / "r.yaml"
    recipe.write_text("normalise: {method: [min_max\n", encoding="utf-8")
    run_bad(tmp, score_args(fw, data, "-r", str(recipe)), [recipe], "YAML syntax error", "line")


def test_xlsx_without_the_sheet(files):
    tmp, fw, data = files
    import pandas as pd
    book = tmp / "panel.xlsx"
    pd.read_csv(data).to_excel(book, sheet_name="2023", index=False)
    run_bad(tmp, score_args(fw, book, "--sheet", "数据"), [book], "数据", "2023")


def test_year_not_in_data(files):
    tmp, fw, data = files
    res = CliRunner().invoke(main, score_args(fw, data, "--year", "2030"))
    assert res.exit_code == 2 and "2022, 2023" in res.output


def test_validate_exit_codes(files):
    tmp, fw, data = files
    res = CliRunner().invoke(main, ["validate", "-f", str(fw), "-d", str(data)])
    assert res.exit_code == 0, res.output
    lines = PANEL.strip().splitlines()
    empty = [lines[0]] + [",".join(l.split(",")[:-1] + [""]) for l in lines[1:]]
    bad = tmp / "nogreen.csv"
    bad.write_text("\n".join(empty) + "\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["validate", "-f", str(fw), "-d", str(bad), "--format", "json"])
    assert res.exit_code == 1
    assert "green" in res.output
