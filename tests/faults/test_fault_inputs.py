"""Hostile inputs (issue 9, "Must exist" 2 and 3, the input side), replayed from the CLI.

Each case: exit code 2, no traceback, a message that says what is wrong, where (file,
line, key path, option) and how to fix it, and the input files byte-identical afterwards.
Cases: duplicate YAML keys, non-finite numbers, alias bombs, deep nesting, huge and
special files, a missing ``direction``, unknown encodings, a Sobol design too large for
memory, a framework tree too deep, COINr imports, unexpected exceptions.
"""
from __future__ import annotations

import hashlib
import os
import textwrap
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from evaluator.cli import main

FRAMEWORK = """\
id: tiny
name: {zh: 小指数, en: Tiny index}
nodes:
  - {id: econ, name: {zh: 经济, en: Economy}}
  - {id: env, name: {zh: 环境, en: Environment}}
indicators:
  - id: gdp
    parent: econ
    direction: benefit
  - id: jobs
    parent: econ
    direction: cost
  - id: pm25
    parent: env
    direction: cost
  - id: green
    parent: env
    direction: benefit
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


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def panel(tmp_path) -> Path:
    path = tmp_path / "panel.csv"
    path.write_text(PANEL, encoding="utf-8")
    return path


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def refused(args, inputs=(), *fragments, lang: str | None = None, env=None) -> str:
    """Run the CLI; check exit 2, no traceback, the fragments in the message and the
    inputs byte-identical. Returns the output."""
    before = {p: digest(p) for p in inputs}
    extra = ["--lang", lang] if lang else []
    res = CliRunner().invoke(main, [*args, *extra], env=env)
    assert res.exit_code == 2, res.output
    assert isinstance(res.exception, SystemExit), repr(res.exception)
    assert "Traceback" not in res.output
    for fragment in fragments:
        assert fragment in res.output, (fragment, res.output)
    assert {p: digest(p) for p in inputs} == before
    return res.output


def score(fw: Path | str, data: Path, *more: str) -> list[str]:
    return ["score", "-f", str(fw), "-d", str(data), *more]


# -- YAML: duplicate keys ---------------------------------------------------------------------
def test_a_duplicate_direction_names_the_key_path_and_both_lines(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK.replace(
        "    direction: cost\n  - id: pm25", "    direction: benefit\n    direction: cost\n"
        "  - id: pm25", 1))
    out = refused(score(fw, panel), [fw, panel], "fw.yaml, line 13", "'direction'",
                  "indicators[1]", "lines 12 and 13", "fix:")
    zh = refused(score(fw, panel), [fw, panel], "fw.yaml 第 13 行", "第 12 行和第 13 行",
                 lang="zh")
    assert out != zh


def test_two_weights_sections_in_a_recipe_are_refused(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    recipe = write(tmp_path, "recipe.yaml", """\
        weights: {indicators: equal}
        normalise: {method: min_max}
        weights: {indicators: entropy}
        """)
    refused(score(fw, panel, "-r", str(recipe)), [fw, panel, recipe], "recipe.yaml, line 3",
            "'weights'", "the top level", "lines 1 and 3")


def test_two_index_matrices_in_an_ahp_file_are_refused(tmp_path):
    ahp = write(tmp_path, "ahp.yaml", """\
        matrices:
          index:
            items: [a, b]
            judgements: {a: {b: 3}}
          index:
            items: [a, b]
            judgements: {a: {b: 5}}
        """)
    refused(["ahp", str(ahp)], [ahp], "ahp.yaml, line 5", "'index'", "matrices",
            "lines 2 and 5")


def test_a_duplicate_target_year_is_refused(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK.replace(
        "    direction: benefit\n  - id: jobs",
        "    direction: benefit\n    targets: {2025: 1, 2025: 2}\n  - id: jobs"))
    refused(score(fw, panel), [fw, panel], "'2025'", "indicators[0].targets")


# -- YAML: numbers that are not finite ---------------------------------------------------------
@pytest.mark.parametrize("line, path", [
    ("    direction: {optimum: .nan}", "indicators[0].direction.optimum"),
    ("    goalposts: [0, .inf]", "indicators[0].goalposts[1]"),
    ("    targets: {2025: .NaN}", "indicators[0].targets.2025"),
    ("    weight: -.inf", "indicators[0].weight"),
    ("    goalposts: [0, 1.0e+999]", "indicators[0].goalposts[1]"),
])
def test_non_finite_numbers_in_a_framework_are_refused_with_the_key_path(tmp_path, panel,
                                                                          line, path):
    text = FRAMEWORK.replace("    direction: benefit\n  - id: jobs", line + "\n  - id: jobs")
    if "direction" not in line:
        text = text.replace(line, "    direction: benefit\n" + line)
    fw = write(tmp_path, "fw.yaml", text)
    refused(score(fw, panel), [fw, panel], path, "not a finite number", "fw.yaml, line")


def test_non_finite_numbers_in_a_recipe_and_an_ahp_file_are_refused(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    recipe = write(tmp_path, "recipe.yaml", "normalise: {method: min_max, range: [0, .inf]}\n")
    refused(score(fw, panel, "-r", str(recipe)), [recipe], "normalise.range[1]",
            "not a finite number")
    ahp = write(tmp_path, "ahp.yaml", "matrices:\n  index:\n    items: [a, b]\n"
                                      "    judgements: {a: {b: .nan}}\n")
    refused(["ahp", str(ahp)], [ahp], "matrices.index.judgements.a.b", "not a finite number")


# -- YAML: limits --------------------------------------------------------------------------------
BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
id: *i
indicators: *i
"""


@pytest.mark.parametrize("kind", ["framework", "recipe", "ahp"])
def test_an_alias_bomb_is_refused_quickly(tmp_path, panel, kind):
    bomb = write(tmp_path, "bomb.yaml", BILLION_LAUGHS)
    assert len(bomb.read_bytes()) < 1400
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    args = {"framework": score(bomb, panel), "recipe": score(fw, panel, "-r", str(bomb)),
            "ahp": ["ahp", str(bomb)]}[kind]
    start = time.perf_counter()
    out = refused(args, [bomb], "bomb.yaml, line", "1,000,000 values", "aliases")
    assert time.perf_counter() - start < 5
    assert len(out) < 2000


def test_a_recursive_alias_is_refused(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", "id: &a [x, *a]\nindicators: [{id: a}]\n")
    refused(score(fw, panel), [fw], "contains itself")


def test_nesting_beyond_the_limit_is_refused(tmp_path, panel):
    for text in ("id: " + "[" * 70 + "]" * 70 + "\n",     # beyond our limit (64)
                 "id: " + "[" * 2000 + "]" * 2000 + "\n",  # beyond libyaml's (1000)
                 "id:\n" + "".join("  " * k + "- \n" for k in range(1, 70))):
        fw = write(tmp_path, "deep.yaml", text)
        refused(score(fw, panel), [fw], "deep.yaml", "nested more than 64 levels")


def test_a_file_over_the_size_limit_is_refused_before_reading(tmp_path, panel):
    fw = tmp_path / "big.yaml"
    with open(fw, "wb") as handle:
        handle.truncate(11 * 1024 * 1024)   # sparse: 11 MB of nothing
    refused(score(fw, panel), [], "big.yaml", "11.0 MB", "10.0 MB")


@pytest.mark.parametrize("kind", ["framework", "recipe", "ahp"])
def test_devices_and_pipes_are_not_read_as_yaml(tmp_path, panel, kind):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    for special, word in (("/dev/zero", "device"), (str(fifo), "pipe")):
        args = {"framework": score(special, panel),
                "recipe": score(fw, panel, "-r", special),
                "ahp": ["ahp", special]}[kind]
        refused(args, [], special, "not a regular file", word)


def test_a_value_quoted_in_a_message_is_cut_short(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK.replace("id: tiny", "id: " + "x-" * 5000))
    out = refused(score(fw, panel), [fw], "'x-x-x-", "…'")
    assert "x-" * 60 not in out and len(out) < 3000


# -- the framework: a direction left out, the tree's depth and size ------------------------------
def test_a_missing_direction_is_a_stated_warning_once_per_framework(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK.replace("    direction: benefit\n", ""))
    res = CliRunner().invoke(main, ["validate", "-f", str(fw), "-d", str(panel)])
    assert res.exit_code == 0, res.output
    assert res.output.count("have no `direction`") == 1
    assert "2 indicator(s) have no `direction` and are read as benefit" in res.output
    assert "gdp, green" in res.output and "write direction: benefit or direction: cost" in res.output
    out = tmp_path / "out"
    res = CliRunner().invoke(main, score(fw, panel, "--out", str(out)))
    assert res.exit_code == 0, res.output
    assert res.output.count("have no `direction`") == 1
    import json
    warnings = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["warnings"]
    assert sum("have no `direction`" in w for w in warnings) == 1
    zh = CliRunner().invoke(main, ["validate", "-f", str(fw), "-d", str(panel), "--lang", "zh"])
    assert "2 个指标未写 `direction`，按正向（越大越好）处理：gdp、green" in zh.output
    # every direction written: no warning
    full = write(tmp_path, "full.yaml", FRAMEWORK)
    res = CliRunner().invoke(main, ["validate", "-f", str(full), "-d", str(panel)])
    assert "direction" not in res.output


def chain_framework(depth: int) -> str:
    nodes = "".join(f"  - {{id: n{k}{', parent: n%d' % (k - 1) if k else ''}}}\n"
                    for k in range(depth))
    return (f"id: deep\nnodes:\n{nodes}indicators:\n"
            f"  - {{id: gdp, parent: n{depth - 1}, direction: benefit}}\n")


def test_a_tree_330_levels_deep_is_refused_with_the_limit(tmp_path, panel):
    fw = write(tmp_path, "deep.yaml", chain_framework(330))
    refused(score(fw, panel), [fw, panel], "deep.yaml", "indicators[0].parent",
            "more than 32 levels below the root", "fix:")
    refused(["frameworks", "show", str(fw)], [fw], "more than 32 levels")
    ok = write(tmp_path, "ok.yaml", chain_framework(31))     # 32 levels with the indicator
    res = CliRunner().invoke(main, ["frameworks", "show", str(ok)])
    assert res.exit_code == 0, res.output


def test_a_framework_with_too_many_indicators_is_refused(tmp_path, panel):
    items = "".join(f"  - {{id: x{k}, direction: benefit}}\n" for k in range(10_001))
    fw = write(tmp_path, "many.yaml", "id: many\nindicators:\n" + items)
    refused(score(fw, panel), [fw], "10,001 indicators", "limit of 10,000")


# -- the command line's boundary: every exception class a clear exit 2 ---------------------------
@pytest.mark.parametrize("encoding", ["rot13", "latin-9x", "zlib"])
def test_an_unusable_encoding_names_the_option_and_valid_ones(tmp_path, panel, encoding):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    refused(score(fw, panel, "--encoding", encoding), [fw, panel], "--encoding",
            f"unknown encoding '{encoding}'", "utf-8", "gb18030", "gbk")
    refused(["validate", "-f", str(fw), "-d", str(panel), "--encoding", encoding],
            [fw, panel], "--encoding", "文本编码", "gb18030", lang="zh")


def test_a_real_encoding_still_reads(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    res = CliRunner().invoke(main, score(fw, panel, "--encoding", "UTF-8"))
    assert res.exit_code == 0, res.output


@pytest.mark.parametrize("special", ["/dev/zero", "fifo", "folder"])
def test_a_panel_that_is_no_regular_file_is_refused_unread(tmp_path, special):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    if special == "fifo":
        special = tmp_path / "panel.csv"
        os.mkfifo(special)
        words = ["not a regular file", "pipe"]
    elif special == "folder":
        special = tmp_path / "data"
        special.mkdir()
        words = ["is a directory"]
    else:
        words = ["not a regular file", "device"]
    for command in ("score", "validate"):
        refused([command, "-f", str(fw), "-d", str(special)], [fw], str(special), *words)


def test_a_panel_over_the_size_limit_is_refused(tmp_path, monkeypatch):
    from evaluator.model import panel_io
    monkeypatch.setattr(panel_io, "MAX_DATA_BYTES", 100)
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    data = write(tmp_path, "panel.csv", PANEL)
    refused(score(fw, data), [data], "panel.csv", "over the limit")


def test_dev_zero_does_not_hang_a_real_process(tmp_path):
    import subprocess
    import sys
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    env = {**os.environ, "EVALUATOR_LANG": "en"}
    proc = subprocess.run([sys.executable, "-m", "evaluator", "score", "-f", str(fw), "-d",
                           "/dev/zero"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert "/dev/zero" in proc.stderr and "not a regular file" in proc.stderr
    proc = subprocess.run([sys.executable, "-m", "evaluator", "score", "-f", "/dev/zero", "-d",
                           "/dev/zero"], capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr


SOBOL_RECIPE = "uncertainty:\n  weights: {perturb: 0.2}\n  normalise: [min_max, rank]\n"


def test_a_sobol_design_too_large_for_memory_is_refused_before_allocating(tmp_path, panel):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    recipe = write(tmp_path, "recipe.yaml", SOBOL_RECIPE)
    start = time.perf_counter()
    out = refused(["sensitivity", "-f", str(fw), "-d", str(panel), "-r", str(recipe), "--sobol",
                   "--samples", "1000000000"], [fw, panel, recipe], "--samples",
                  "N = 1,000,000,000", "GB of memory", "fix: use a smaller --samples: at most")
    assert time.perf_counter() - start < 60
    largest = int(out.split("at most ")[1].split(" ")[0].replace(",", ""))
    assert largest & (largest - 1) == 0 and largest >= 1024    # a power of 2 that fits
    zh = refused(["sensitivity", "-f", str(fw), "-d", str(panel), "-r", str(recipe), "--sobol",
                  "--samples", "1000000000"], [], "内存", "--samples", lang="zh")
    assert "GB" in zh


def test_memory_and_stack_exhaustion_are_clear_messages(tmp_path, panel, monkeypatch):
    import sys
    evaluate_module = sys.modules["evaluator.evaluate"]
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    for exc, words in ((MemoryError(), ["score` ran out of memory", "fix:"]),
                       (RecursionError("maximum recursion depth exceeded"),
                        ["nested too deeply", "fix:"])):
        def boom(*args, exc=exc, **kwargs):
            raise exc
        monkeypatch.setattr(evaluate_module, "evaluate", boom)
        refused(score(fw, panel), [fw, panel], *words)


def test_an_unexpected_exception_is_reported_without_a_traceback(tmp_path, panel, monkeypatch):
    import sys
    evaluate_module = sys.modules["evaluator.evaluate"]
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)

    def boom(*args, **kwargs):
        raise ValueError("x" * 5000)
    monkeypatch.setattr(evaluate_module, "evaluate", boom)
    out = refused(score(fw, panel), [fw, panel], "score` failed on an unexpected ValueError",
                  "EVALUATOR_DEBUG=1", "report it")
    assert "x" * 100 not in out
    refused(score(fw, panel), [], "意外的 ValueError", lang="zh")
    res = CliRunner().invoke(main, score(fw, panel), env={"EVALUATOR_DEBUG": "1"})
    assert isinstance(res.exception, ValueError)    # the traceback, for a bug report


def test_every_command_turns_errors_into_messages():
    def commands(group, prefix=()):
        for name, command in group.commands.items():
            yield (*prefix, name), command
            if hasattr(command, "commands"):
                yield from commands(command, (*prefix, name))
    unwrapped = [" ".join(path) for path, command in commands(main)
                 if not hasattr(command, "commands")
                 and not hasattr(command.callback, "__wrapped__")]
    assert not unwrapped


# -- COINr import ---------------------------------------------------------------------------------
IMETA = ("Level,iCode,iName,Direction,Weight,Parent,Type\n"
         "1,a,Alpha,1,1,P,Indicator\n1,b,Beta,{direction},1,P,Indicator\n"
         "2,P,Pillar,1,1,Idx,Aggregate\n3,Idx,Index,1,1,,Aggregate\n")


@pytest.mark.parametrize("direction, words", [
    ("high", ["row 3", "'b'", "Direction", "'high'", "1 (higher is better) or -1"]),
    ("0.5", ["row 3", "'b'", "Direction", "0.5"]),
    ("", ["row 3", "'b'", "has no Direction"]),
])
def test_import_coinr_refuses_a_direction_that_is_not_plus_or_minus_one(tmp_path, direction,
                                                                        words):
    meta = write(tmp_path, "iMeta.csv", IMETA.format(direction=direction))
    out = tmp_path / "fw.yaml"
    refused(["frameworks", "import-coinr", str(meta), "-o", str(out)], [meta], *words)
    assert not out.exists()


def test_import_coinr_refuses_a_non_numeric_weight_or_level(tmp_path):
    meta = write(tmp_path, "iMeta.csv", IMETA.format(direction=-1).replace(
        "1,a,Alpha,1,1,", "1,a,Alpha,1,heavy,"))
    refused(["frameworks", "import-coinr", str(meta), "-o", str(tmp_path / "f.yaml")], [meta],
            "row 2", "Weight", "'heavy'")
    meta = write(tmp_path, "iMeta.csv", IMETA.format(direction=-1).replace(
        "3,Idx", "top,Idx"))
    refused(["frameworks", "import-coinr", str(meta), "-o", str(tmp_path / "f.yaml")], [meta],
            "row 5", "Level", "'top'")


def test_import_coinr_keeps_an_existing_file_unless_forced(tmp_path):
    meta = write(tmp_path, "iMeta.csv", IMETA.format(direction=-1))
    out = write(tmp_path, "mine.yaml", "# my edited framework\n")
    refused(["frameworks", "import-coinr", str(meta), "-o", str(out)], [meta, out],
            "mine.yaml", "exists", "--force")
    res = CliRunner().invoke(main, ["frameworks", "import-coinr", str(meta), "-o", str(out),
                                    "--force"])
    assert res.exit_code == 0, res.output
    assert "direction: cost" in out.read_text(encoding="utf-8")
    refused(["frameworks", "import-coinr", "/dev/zero", "-o", str(tmp_path / "new.yaml")], [],
            "not a regular file")


# -- the messages in Chinese ----------------------------------------------------------------------
def test_framework_problems_read_in_chinese_without_english_sentences(tmp_path, panel):
    from i18n_scan import english_runs
    fw = write(tmp_path, "bad.yaml", """\
        id: bad
        nodes:
          - {id: econ}
          - {id: lonely}
        indicators:
          - {id: gdp, parent: econ, direction: sideways, colour: red}
          - {id: jobs, parent: nowhere, direction: cost, goalposts: [5, 1]}
          - {id: pm25, parent: econ, direction: cost, targets: {20x5: 3, 2030: {change: 1}}}
          - {id: rank, parent: econ, direction: benefit, transform: square}
        """)
    out = refused(score(fw, panel), [fw], "bad.yaml", "指标体系文件中有", "修改方法", lang="zh")
    assert not english_runs(out, allow=["bad.yaml", str(fw), "nowhere", "sideways", "lonely"]), out
    en = refused(score(fw, panel), [fw], "problems in the framework file",
                 "indicators[0].direction: bad direction 'sideways'")
    assert en.count("\n  indicators[") + en.count("\n  nodes[") >= 6


@pytest.mark.parametrize("option", ["--geo", "--intervals", "counts"])
def test_other_input_files_are_never_read_from_a_device_or_a_pipe(tmp_path, panel, option):
    fw = write(tmp_path, "fw.yaml", FRAMEWORK)
    fifo = tmp_path / "pipe.csv"
    os.mkfifo(fifo)
    for special, word in (("/dev/zero", "device"), (str(fifo), "pipe")):
        if option == "counts":
            recipe = write(tmp_path, "recipe.yaml", "aggregate: {method: fuzzy, membership: "
                                                    f"survey, counts: '{special}'}}\n")
            args = score(fw, panel, "-r", str(recipe))
        else:
            args = ["report", "-f", str(fw), "-d", str(panel), "--out", str(tmp_path / "out"),
                    option, special]
        refused(args, [fw, panel], special, "not a regular file", word)


@pytest.mark.parametrize("text, words", [
    ("id: t\nindicators: [{id: a}]\nx: !custom [1, 2]\n", ["line 3", "!custom"]),
    ("id: t\n? [a, b]\n: 1\nindicators: [{id: a}]\n", ["cannot be read as plain data"]),
    ("id: t\nindicators: [{id: a}]\nx: !!python/name:os.system\n", ["line 3", "python/name:os.system"]),
])
def test_tags_and_unhashable_keys_are_clear_errors(tmp_path, panel, text, words):
    fw = write(tmp_path, "fw.yaml", text)
    refused(["frameworks", "show", str(fw)], [fw], "fw.yaml", *words)


def test_a_merge_key_is_not_a_duplicate_and_still_reads(tmp_path):
    fw = write(tmp_path, "fw.yaml", "base: &b {direction: cost}\nid: t\nindicators:\n"
                                    "  - {<<: *b, id: a}\n")
    res = CliRunner().invoke(main, ["frameworks", "show", str(fw)])
    assert "unknown key" in res.output and "base" in res.output   # the anchor's holder
    fw = write(tmp_path, "fw.yaml", "id: t\nindicators:\n  - &b {id: a, direction: cost}\n"
                                    "  - {<<: *b, id: b}\n")
    res = CliRunner().invoke(main, ["frameworks", "show", str(fw)])
    assert res.exit_code == 0, res.output
    assert "b:" in res.output and res.output.count("cost") == 2
