"""Issue 9, "silently wrong numbers": each case replayed from the command line on a small
constructed framework and panel, asserting the documented result or the clear error
(exit 2, what / where / fix, no traceback)."""
from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from evaluator.cli import main

# six permutations of 1, 2, 3, 4 in which every column holds both 1 and 4: min-max gives
# every unit the same composite, computed as 50.0 or 49.99999999999999
PERMS = [(1, 2, 3, 4), (2, 1, 3, 4), (1, 2, 4, 3), (3, 4, 1, 2), (4, 3, 2, 1), (2, 4, 3, 1)]
FLAT4 = """
id: flat4
name: Flat four
indicators:
  - {id: x0, name: X0, direction: benefit}
  - {id: x1, name: X1, direction: benefit}
  - {id: x2, name: X2, direction: benefit}
  - {id: x3, name: X3, direction: benefit}
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(*args: str, lang: str = "en"):
    res = CliRunner().invoke(main, [*args, "--lang", lang])
    assert "Traceback" not in res.output
    if res.exception is not None:   # a clean exit, never an exception escaping
        assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert res.exit_code in (0, 1, 2), res.output
    return res


def table(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def panel(rows, header) -> str:
    return "\n".join([",".join(header), *(",".join(map(str, r)) for r in rows)]) + "\n"


# -- tied composites ---------------------------------------------------------------------------
def test_numerically_equal_composites_share_rank_one(tmp_path):
    fw = write(tmp_path, "fw.yaml", FLAT4)
    rows = [(f"U{u}", y, *p) for y in (2023, 2024) for u, p in enumerate(PERMS)]
    data = write(tmp_path, "p.csv", panel(rows, ["unit", "year", "x0", "x1", "x2", "x3"]))
    recipe = write(tmp_path, "r.yaml", "weights: equal\nnormalise: min_max\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o",
              str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
    ranking = table(tmp_path / "out", "rankings.csv")
    assert {r["score"] for r in ranking} == {"50.0", "49.99999999999999"}
    assert {r["rank"] for r in ranking} == {"1"}
    assert {r["rank_change"] for r in ranking if r["year"] == "2024"} == {"0"}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["recipe"]["rank"] == {"decimals": None, "tolerance": 1e-9}
    # tolerance 0 ranks on exact equality: what issue 9 saw
    exact = write(tmp_path, "exact.yaml", "weights: equal\nrank: {tolerance: 0}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(exact), "-o",
              str(tmp_path / "exact"), "-q")
    assert res.exit_code == 0, res.output
    assert {r["rank"] for r in table(tmp_path / "exact", "rankings.csv")} == {"1", "4"}


def test_a_bad_rank_tolerance_is_a_clear_error(tmp_path):
    fw = write(tmp_path, "fw.yaml", FLAT4)
    rows = [(f"U{u}", 2024, *p) for u, p in enumerate(PERMS)]
    data = write(tmp_path, "p.csv", panel(rows, ["unit", "year", "x0", "x1", "x2", "x3"]))
    recipe = write(tmp_path, "r.yaml", "rank: {tolerance: 0.5}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe))
    assert res.exit_code == 2
    assert "rank.tolerance" in res.output and "r.yaml" in res.output


# -- the yellow card's share of red lights ------------------------------------------------------
SEVEN = "id: seven\nname: Seven\nindicators:\n" + "".join(
    f"  - {{id: x{k}, name: X{k}, direction: benefit, targets: {{2026: 200}}}}\n"
    for k in range(7))


def seven_panel() -> str:
    """12 units, all seven indicators at 10·i in 2023 and 10·i + 5 in 2024; U09 (4th of 12
    in 2024) lets x0 fall (a red light), improves x1 (yellow) and has no 2024 value for
    the other five (no light): 1 red of 2 judged indicators."""
    rows = []
    for y in (2023, 2024):
        for i in range(1, 13):
            v = [10 * i + (5 if y == 2024 else 0)] * 7
            if i == 9 and y == 2024:
                v = [80, 95] + [""] * 5
            rows.append((f"U{i:02d}", y, *v))
    return panel(rows, ["unit", "year", *(f"x{k}" for k in range(7))])


def cards(folder: Path) -> set[tuple[str, str, str]]:
    return {(r["unit"], r["year"], r["rule"]) for r in table(folder, "alerts.csv")
            if r["rule"].startswith("yellow")}


def test_one_red_of_two_judged_is_no_card_on_a_seven_indicator_framework(tmp_path):
    fw = write(tmp_path, "fw.yaml", SEVEN)
    data = write(tmp_path, "p.csv", seven_panel())
    res = run("score", "-f", str(fw), "-d", str(data), "-o", str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
    ranking = {(r["unit"], r["year"]): r["rank"] for r in table(tmp_path / "out",
                                                                 "rankings.csv")}
    assert ranking[("U09", "2024")] == "4"
    # the bottom 10 % of 12 is one unit (U01): the only cards
    assert cards(tmp_path / "out") == {("U01", "2023", "yellow_card"),
                                       ("U01", "2024", "yellow_card"),
                                       ("U01", "2024", "yellow_card_talks")}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    (diagnose,) = [s for s in manifest["steps"] if s["step"] == "diagnose"]
    assert diagnose["alerts"]["yellow_card"]["min_judged"] == 3
    assert not any("min_judged" in w for w in manifest["warnings"])
    # asked for explicitly, two judged indicators are enough: U09 gets its card
    recipe = write(tmp_path, "r.yaml", "alerts: {yellow_card: {min_judged: 2}}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o",
              str(tmp_path / "two"), "-q")
    assert res.exit_code == 0, res.output
    assert ("U09", "2024", "yellow_card") in cards(tmp_path / "two")
    (msg,) = [r["message_en"] for r in table(tmp_path / "two", "alerts.csv")
              if r["unit"] == "U09"]
    assert "red lights on 1 of 2 judged indicators" in msg


def test_a_framework_with_fewer_targets_than_min_judged_says_so(tmp_path):
    fw = write(tmp_path, "fw.yaml", SEVEN.replace(", targets: {2026: 200}", "", 5))
    data = write(tmp_path, "p.csv", seven_panel())
    res = run("score", "-f", str(fw), "-d", str(data), "-o", str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
    assert ("U09", "2024", "yellow_card") not in cards(tmp_path / "out")
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert any("only 2 indicator(s) of the framework have targets, fewer than min_judged "
               "(3)" in w for w in manifest["warnings"])
    assert "min_judged" in res.output          # the warning is printed too
    res = run("validate", "-f", str(fw), "-d", str(data))
    assert "Traceback" not in res.output


# -- coefficient-of-variation weights ------------------------------------------------------------
def test_cv_weights_under_z_scores_are_refused_and_basis_raw_works(tmp_path):
    fw = write(tmp_path, "fw.yaml", FLAT4)
    rows = [(f"U{u}", 2024, 10 + u, 20 + 3 * u * u, 5 + (u % 3), 100 - u) for u in range(8)]
    data = write(tmp_path, "p.csv", panel(rows, ["unit", "year", "x0", "x1", "x2", "x3"]))
    recipe = write(tmp_path, "z.yaml", "normalise: z_score\nweights: cv\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o",
              str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "indicator 'x0'" in res.output and "standard error of zero" in res.output
    assert "standard deviation 1, n = 8" in res.output and "basis: raw" in res.output
    assert not (tmp_path / "out").exists()
    zh = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), lang="zh")
    assert zh.exit_code == 2 and "变异系数法" in zh.output and "标准误" in zh.output
    raw = write(tmp_path, "raw.yaml",
                "normalise: z_score\nweights: {indicators: {method: cv, basis: raw}}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(raw), "-o",
              str(tmp_path / "raw"), "-q")
    assert res.exit_code == 0, res.output
    weights = {r["indicator"]: float(r["weight"]) for r in table(tmp_path / "raw",
                                                                   "weights.csv")}
    cols = list(zip(*[r[2:] for r in rows]))
    cv = [__import__("statistics").stdev(c) / (sum(c) / len(c)) for c in cols]
    for k in range(4):
        assert abs(weights[f"x{k}"] - cv[k] / sum(cv)) < 1e-12
    manifest = json.loads((tmp_path / "raw" / "manifest.json").read_text("utf-8"))
    assert manifest["recipe"]["weights"]["indicators"] == {"method": "cv", "basis": "raw"}
    res = run("methods", "weights", "cv")
    assert "basis" in res.output and "raw" in res.output


# -- an indicator without any data ---------------------------------------------------------------
TREE = """
id: tree4
name: Tree four
nodes:
  - {id: a, name: A}
  - {id: b, name: B}
indicators:
  - {id: x1, name: X1, parent: a, direction: benefit}
  - {id: x2, name: X2, parent: a, direction: benefit}
  - {id: x3, name: X3, parent: b, direction: benefit}
  - {id: x4, name: {en: Four, zh: 第四}, parent: b, direction: benefit}
recipe: {weights: {indicators: equal, nodes: equal}}
"""


def empty_x4_panel() -> str:
    rows = [(u, y, 10 + i + y % 2, 20 - i, 30 + 2 * i * i, "")
            for y in (2022, 2023) for i, u in enumerate("ABCDEF")]
    return panel(rows, ["unit", "year", "x1", "x2", "x3", "x4"])


def test_an_indicator_without_data_is_an_error_naming_it_and_the_file(tmp_path):
    fw = write(tmp_path, "fw.yaml", TREE)
    data = write(tmp_path, "empty_x4.csv", empty_x4_panel())
    before = data.read_bytes()
    res = run("score", "-f", str(fw), "-d", str(data), "-o", str(tmp_path / "out"))
    assert res.exit_code == 2
    assert "empty_x4.csv" in res.output and "x4 (Four)" in res.output
    assert "no data at all" in res.output and "drop_indicators" in res.output
    assert not (tmp_path / "out").exists() and data.read_bytes() == before
    zh = run("score", "-f", str(fw), "-d", str(data), lang="zh")
    assert zh.exit_code == 2 and "x4 (第四)" in zh.output and "完全没有数据" in zh.output
    for command in ("report", "diagnose", "weights"):
        extra = ["--unit", "A"] if command == "diagnose" else \
            ["-o", str(tmp_path / "rep")] if command == "report" else []
        res = run(command, "-f", str(fw), "-d", str(data), *extra)
        assert res.exit_code == 2 and "x4 (Four)" in res.output, (command, res.output)


def test_an_indicator_dropped_by_the_recipe_is_listed_with_weight_0_and_why(tmp_path):
    fw = write(tmp_path, "fw.yaml", TREE)
    data = write(tmp_path, "empty_x4.csv", empty_x4_panel())
    recipe = write(tmp_path, "r.yaml",
                   'screen: {drop_indicators: {x4: "not collected until 2025"}}\n')
    out = tmp_path / "out"
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o", str(out),
              "-q")
    assert res.exit_code == 0, res.output
    assert "1 indicator(s) dropped by the recipe" in res.output
    weights = {(r["node"], r["indicator"]): r for r in table(out, "weights.csv")}
    x4 = weights[("b", "x4")]
    assert (x4["method"], x4["weight"], x4["global_weight"]) == ("dropped", "0.0", "0.0")
    assert x4["note"] == ("dropped by the recipe (screen.drop_indicators); no data in the "
                          "panel; not collected until 2025")
    assert weights[("b", "x3")]["weight"] == "1.0"           # b is x3 alone, openly
    assert weights[("b", "x3")]["global_weight"] == "0.5"
    assert {r["indicator"] for r in table(out, "indicators.csv")} == {"x1", "x2", "x3"}
    nodes = [r for r in table(out, "nodes.csv") if r["node"] == "b"]
    x3 = {(r["unit"], r["year"]): float(r["normalised"]) for r in table(out, "indicators.csv")
          if r["indicator"] == "x3"}
    assert all(float(r["score"]) == x3[(r["unit"], r["year"])] for r in nodes)
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert manifest["recipe"]["screen"]["drop_indicators"] == {
        "x4": "not collected until 2025"}
    assert any("x4 (dropped by the recipe" in w and "their parents (b)" in w
               for w in manifest["warnings"])
    res = run("weights", "-f", str(fw), "-d", str(data), "-r", str(recipe), "--format",
              "csv")
    assert res.exit_code == 0, res.output
    assert "b,x4,dropped,0.0,0.0,,dropped by the recipe (screen.drop_indicators); no data " \
        "in the panel; not collected until 2025" in res.output
    # the report rebuilt from the folder, and a sensitivity run, work on the same tree
    res = run("report", "--from", str(out), "-o", str(tmp_path / "rep"), "-q")
    assert res.exit_code == 0, res.output
    html = next((tmp_path / "rep").glob("report-*-en.html")).read_text("utf-8")
    assert "1 indicator(s) dropped by the recipe" in html
    res = run("sensitivity", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-n", "20",
              "-o", str(tmp_path / "sens"), "-q")
    assert res.exit_code == 0, res.output


def test_dropping_a_nodes_every_indicator_drops_the_node_openly(tmp_path):
    fw = write(tmp_path, "fw.yaml", TREE)
    data = write(tmp_path, "empty_x4.csv", empty_x4_panel())
    recipe = write(tmp_path, "r.yaml", "screen: {drop_indicators: [x3, x4]}\n")
    out = tmp_path / "out"
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o", str(out),
              "-q")
    assert res.exit_code == 0, res.output
    weights = {(r["node"], r["indicator"]): r for r in table(out, "weights.csv")}
    assert weights[("index", "a")]["weight"] == "1.0"
    assert weights[("index", "b")]["method"] == "dropped"
    assert weights[("index", "b")]["note"] == "left without indicators by " \
        "screen.drop_indicators"
    assert weights[("b", "x3")]["note"] == "dropped by the recipe (screen.drop_indicators)"
    assert "nodes left without indicators and dropped too (weight 0): b" in res.output


def test_a_drop_naming_no_indicator_is_a_clear_error(tmp_path):
    fw = write(tmp_path, "fw.yaml", TREE)
    data = write(tmp_path, "empty_x4.csv", empty_x4_panel())
    for text, expected in (("screen: {drop_indicators: [x5]}\n", "x1, x2, x3, x4"),
                           ("screen: {drop_indicators: 3}\n", "drop_indicators"),
                           ("screen: {drop_indicators: [x1, x2, x3, x4]}\n",
                            "every indicator")):
        recipe = write(tmp_path, "r.yaml", text)
        res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe))
        assert res.exit_code == 2 and expected in res.output, res.output
        assert "screen.drop_indicators" in res.output and "r.yaml" in res.output


# -- calendar years -----------------------------------------------------------------------------
GAPS = """
id: gaps
name: Gaps
indicators:
  - {id: x, name: X, direction: benefit, targets: {2026: 200}}
"""
# A is always last, B second last; C jumps about (ranks 3, 1, 4, 1)
GAP_X = {2021: dict(A=10, B=20, C=30, D=40, E=50), 2022: dict(A=11, B=21, C=60, D=41, E=51),
         2023: dict(A=12, B=22, C=31, D=42, E=52), 2024: dict(A=13, B=23, C=70, D=43, E=53)}
GAP_RECIPE = "alerts: {bottom_k_consecutive: {k: 2, years: 2}, rank_drop: {places: 2}}\n"


def gap_files(tmp_path, keep) -> tuple[Path, Path, Path]:
    rows = [(u, y, v) for y, vals in GAP_X.items() for u, v in vals.items() if keep(u, y)]
    return (write(tmp_path, "fw.yaml", GAPS),
            write(tmp_path, "gaps.csv", panel(rows, ["unit", "year", "x"])),
            write(tmp_path, "r.yaml", GAP_RECIPE))


def test_a_citys_missing_year_is_never_bridged_and_the_report_says_so(tmp_path):
    fw, data, recipe = gap_files(tmp_path, lambda u, y: (u, y) != ("C", 2023))
    out = tmp_path / "out"
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o", str(out),
              "-q", "--report", "en")
    assert res.exit_code == 0, res.output
    change = {(r["unit"], r["year"]): r["rank_change"] for r in table(out, "rankings.csv")}
    assert change[("C", "2024")] == ""                  # not against 2022
    assert [change[(u, "2024")] for u in "EDBA"] == ["-1"] * 4
    assert "C (2023)" in res.output                      # the warning, printed
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert any("lack a year inside their own span: C (2023)" in w
               for w in manifest["warnings"])
    assert not [r for r in table(out, "alerts.csv") if r["rule"] == "rank_drop"]
    md = (out / "report-2024-en.md").read_text("utf-8")
    assert "Moved down most since 2023**: E (−1), D (−1), B (−1), A (−1)" in md
    assert "Not compared with 2023 (no rank in 2023: a missing row is never bridged; " \
        "Δ rank –)**: C" in md
    assert "| 1 | C | 100.00 | – |" in md
    html = (out / "report-2024-en.html").read_text("utf-8")
    assert "Not compared with 2023" in html and "C (2023)" in html
    assert html.count("no 2023 rank for this unit: its rank change is not taken across "
                      "the gap") == 1                    # C's profile, no one else's
    res = run("diagnose", "-f", str(fw), "-d", str(data), "-r", str(recipe), "--unit", "C",
              "--year", "2024")
    assert "rank 1 of 5 (–)" in res.output
    assert "(no 2023 row for this unit: changes are not taken across the gap)" in res.output
    res = run("validate", "-f", str(fw), "-d", str(data))
    assert res.exit_code == 0 and "C (2023)" in res.output
    zh = run("validate", "-f", str(fw), "-d", str(data), lang="zh")
    assert "C（2023年）" in zh.output


def test_a_year_missing_for_everyone_breaks_runs_and_changes(tmp_path):
    fw, data, recipe = gap_files(tmp_path, lambda u, y: y != 2023)
    out = tmp_path / "out"
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o", str(out),
              "-q", "--report", "zh")
    assert res.exit_code == 0, res.output
    talks = {(r["unit"], r["year"], r["years"]) for r in table(out, "alerts.csv")
             if r["rule"] == "bottom_k_consecutive"}
    # A and B are the bottom two in 2021, 2022 and 2024: 2022 and 2024 are not consecutive
    assert talks == {("A", "2022", "2021-2022"), ("B", "2022", "2021-2022")}
    assert not [r for r in table(out, "alerts.csv") if r["rule"] == "rank_drop"]
    assert {r["rank_change"] for r in table(out, "rankings.csv") if r["year"] == "2024"} \
        == {""}
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    assert any("no rows for 2023 (between 2022 and 2024)" in w for w in manifest["warnings"])
    md = (out / "report-2024-zh.md").read_text("utf-8")
    assert "面板缺少2023年数据：2024年不显示变化（不跨越缺失年份比较）。" in md
    assert "较2023年" not in md and "较2022年" not in md and "约谈整改" not in md
    html = (out / "report-2024-zh.html").read_text("utf-8")
    assert "面板缺少2023年数据" in html and "较2022年" not in html
    en = run("report", "--from", str(out), "-o", str(tmp_path / "en"), "-q", "--lang", "en")
    assert en.exit_code == 0, en.output
    md = next((tmp_path / "en").glob("*.md")).read_text("utf-8")
    assert "The panel has no 2023: no changes are shown for 2024" in md
    assert "since 2022" not in md and "since 2023" not in md
    res = run("validate", "-f", str(fw), "-d", str(data))
    assert res.exit_code == 0 and "no rows for 2023" in res.output
