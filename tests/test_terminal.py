"""A terminal that helps (issue 13 §5): aligned, rounded tables; --top in every format;
counts that say where the full list is; progress on a terminal only; demo -f checked."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator.cli import main
from evaluator.cli.progress import Steps
from evaluator.cli.tables import display_width, render_table
from evaluator.resources import demo_panel_path

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def two_years(tmp_path_factory):
    data = pd.read_csv(demo_panel_path(), encoding="utf-8")
    path = tmp_path_factory.mktemp("panel") / "panel.csv"
    data[data["year"] >= 2024].to_csv(path, index=False)
    return path


def invoke(*args):
    return CliRunner().invoke(main, [str(a) for a in args])


def test_render_table_aligns_rounds_and_blanks():
    frame = pd.DataFrame({"unit": ["示例市001", "B"], "rank": [150.0, np.nan],
                          "count": pd.array([3, pd.NA], dtype="Int64"),
                          "score": [1.23456, 7.0], "empty": [np.nan, np.nan]})
    lines = render_table(frame).splitlines()
    assert lines[0].split() == ["unit", "rank", "count", "score"]     # empty column left out
    assert lines[1].split() == ["示例市001", "150", "3", "1.235"]
    assert lines[2].split() == ["B", "–", "–", "7.000"]
    assert len({display_width(line) for line in lines}) == 1         # aligned, CJK as 2
    assert "NaN" not in "\n".join(lines) and "<NA>" not in "\n".join(lines)
    assert render_table(frame, per_column={"score": 1}).splitlines()[1].endswith("1.2")


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_top_holds_in_every_format(two_years, fmt):
    res = invoke("score", "-f", FW, "-d", two_years, "--format", fmt, "--top", 2)
    assert res.exit_code == 0, res.output
    if fmt == "csv":
        assert len(pd.read_csv(io.StringIO(res.stdout))) == 2
    elif fmt == "json":
        assert len(json.loads(res.stdout)) == 2
    else:
        assert "(top 2 shown) (all with --format csv" in res.stdout
    # without --top, csv and json give every unit
    if fmt == "csv":
        res = invoke("score", "-f", FW, "-d", two_years, "--format", "csv")
        assert len(pd.read_csv(io.StringIO(res.stdout))) == 262


def test_counts_say_where_the_full_list_is(two_years, tmp_path):
    res = invoke("score", "-f", FW, "-d", two_years, "--out", tmp_path / "s")
    assert f"262 units (top 10 shown) (all in {tmp_path / 's' / 'rankings.csv'})" in res.stdout
    res = invoke("compare", "-f", FW, "-d", two_years, "-k", 20, "--out", tmp_path / "c")
    assert res.exit_code == 0, res.output
    moved = pd.read_csv(tmp_path / "c" / "compare.csv")
    n = int(((moved["year"] == 2025) & moved["moved"]).sum())
    assert n > 15
    assert (f"{n} units move more than 20 places in 2025 (all in "
            f"{tmp_path / 'c' / 'compare.csv'}, column moved); the 15 that move most:"
            in res.stdout)


def test_sensitivity_prints_ranks_as_integers(two_years):
    res = invoke("sensitivity", "-f", FW, "-d", two_years, "--samples", 40, "--seed", 1,
                 "--year", 2025)
    assert res.exit_code == 0, res.output
    table = res.stdout.split("ranks in whole places (all with --format csv")[1].splitlines()[2:7]
    for line in table:
        unit, nominal, median, p05, p95, *_ = line.split()
        assert all(v.lstrip("-").isdigit() for v in (nominal, median, p05, p95)), line


def test_weights_table_has_no_raw_pandas(two_years):
    res = invoke("weights", "-f", FW, "-d", two_years, "--method", "combined",
                 "--combine", "entropy,critic")
    assert res.exit_code == 0, res.output
    assert "NaN" not in res.stdout and "<NA>" not in res.stdout
    first = res.stdout.splitlines()[1].split()
    assert first[:3] == ["index", "structural", "equal"] and first[3] == "0.333333"


def test_demo_refuses_a_framework_it_does_not_carry():
    res = invoke("demo", "-f", "hdi", "--out", "unused")
    assert res.exit_code == 2
    assert "the demo panel has no data for the framework hdi" in res.output
    assert "policy_effect, resource_city_transition" in res.output


class FakeTerminal(io.StringIO):
    def isatty(self):
        return True


def test_steps_show_on_a_terminal_only():
    stream = FakeTerminal()
    with Steps(["reading", "scoring"], stream=stream, quiet=False) as steps:
        steps.next()
    shown = stream.getvalue()
    assert "reading" in shown and "scoring" in shown and "2/2" in shown
    quiet = FakeTerminal()
    with Steps(["reading"], stream=quiet, quiet=True) as steps:
        steps.next()
    assert quiet.getvalue() == ""
    piped = io.StringIO()
    with Steps(["reading"], stream=piped, quiet=False) as steps:
        steps.next()
    assert piped.getvalue() == ""


def test_quiet_is_accepted_by_every_long_command(two_years, tmp_path):
    for args in (["score", "-f", FW, "-d", two_years, "-q"],
                 ["validate", "-f", FW, "-d", two_years, "--quiet"],
                 ["diagnose", "-f", FW, "-d", two_years, "--unit", "示例市001", "-q"],
                 ["demo", "--out", tmp_path / "d", "-q", "--top", 1]):
        res = invoke(*args)
        assert res.exit_code in (0, 1), (args, res.output)
