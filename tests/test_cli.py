"""The everyday commands: frameworks, show, import-coinr, demo, validate, --help."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from evaluator.cli import main


def invoke(*args):
    return CliRunner().invoke(main, list(args))


def test_frameworks_lists_the_builtins():
    res = invoke("frameworks")
    assert res.exit_code == 0
    for name, count in (("resource_city_transition", 30), ("policy_effect", 20), ("hdi", 4)):
        line = next(l for l in res.output.splitlines() if l.startswith(name))
        assert f"{count} indicators" in line


def test_frameworks_show_prints_tree_with_targets_in_both_languages():
    en = invoke("frameworks", "show", "resource_city_transition")
    zh = invoke("frameworks", "show", "resource_city_transition", "--lang", "zh")
    assert en.exit_code == 0 and zh.exit_code == 0
    assert "Structural upgrading" in en.output and "产业高级化" in zh.output
    assert "cost" in en.output and "targets" in en.output
    assert "[Declining]" in en.output and "[衰退型]" in zh.output   # group targets shown
    assert "policy study" in en.output          # where each target comes from
    assert "正向" in zh.output and "目标" in zh.output
    hdi = invoke("frameworks", "show", "hdi")
    assert "goalposts 20–85" in hdi.output and "log" in hdi.output


def test_frameworks_show_unknown_name():
    res = invoke("frameworks", "show", "resource_city")
    assert res.exit_code == 2 and "resource_city_transition" in res.output


def test_import_coinr_round_trip(tmp_path):
    meta = tmp_path / "iMeta.csv"
    meta.write_text(
        "Level,iCode,iName,Direction,Weight,Unit,Target,Denominator,Parent,Type\n"
        "1,a,Alpha,1,1,%,,,P,Indicator\n1,b,Beta,-1,2,,,Pop,P,Indicator\n"
        "1,c,Gamma,1,1,,,,Q,Indicator\n2,P,Pillar P,1,1,,,,Idx,Aggregate\n"
        "2,Q,Pillar Q,1,3,,,,Idx,Aggregate\n3,Idx,The index,1,1,,,,,Aggregate\n"
        ",Pop,Population,,,,,,,Denominator\n", encoding="utf-8")
    out = tmp_path / "fw.yaml"
    res = invoke("frameworks", "import-coinr", str(meta), "-o", str(out))
    assert res.exit_code == 0, res.output
    from evaluator import load_framework
    fw = load_framework(out)
    assert fw.name.en == "The index" and fw.first_level == ["P", "Q"]
    b = fw.indicator("b")
    assert b.direction == "cost" and b.weight == 2 and b.denominator == "Pop"
    assert fw.node("Q").weight == 3


def test_import_coinr_bad_table(tmp_path):
    meta = tmp_path / "bad.csv"
    meta.write_text("x,y\n1,2\n", encoding="utf-8")
    res = invoke("frameworks", "import-coinr", str(meta), "-o", str(tmp_path / "o.yaml"))
    assert res.exit_code == 2 and "iCode" in res.output
    assert not (tmp_path / "o.yaml").exists()


def test_validate_demo_panel_json():
    from evaluator.resources import demo_panel_path
    res = invoke("validate", "-f", "resource_city_transition", "-d", str(demo_panel_path()),
                 "--format", "json")
    assert res.exit_code == 0, res.output
    report = json.loads(res.output)
    assert report["errors"] == []


@pytest.mark.parametrize("command", ["score", "demo", "validate", "diagnose", "frameworks"])
def test_every_command_has_help_with_an_example(command):
    res = invoke(command, "--help")
    assert res.exit_code == 0
    assert "evaluator " + command in res.output or "Example" in res.output


def test_import_coinr_names_a_bad_code_and_notes_targets(tmp_path):
    meta = tmp_path / "iMeta.csv"
    meta.write_text("Level,iCode,iName,Direction,Weight,Target,Parent,Type\n"
                    "1,GDP.pc,GDP pc,1,1,,Idx,Indicator\n2,Idx,Index,1,1,,,Aggregate\n",
                    encoding="utf-8")
    res = invoke("frameworks", "import-coinr", str(meta), "-o", str(tmp_path / "f.yaml"))
    assert res.exit_code == 2 and "row 2" in res.output and "'GDP_pc'" in res.output
    meta.write_text("Level,iCode,iName,Direction,Weight,Target,Parent,Type\n"
                    "1,a,A,1,1,5,Idx,Indicator\n1,b,B,1,1,,Idx,Indicator\n"
                    "2,Idx,Index,1,1,,,Aggregate\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["frameworks", "import-coinr", str(meta), "-o",
                                    str(tmp_path / "f.yaml")])
    assert res.exit_code == 0 and "distance_to_target" in res.output


def test_the_files_written_are_listed_with_the_languages_separator(tmp_path):
    from click.testing import CliRunner
    from evaluator.cli import main
    out = tmp_path / "demo"
    zh = CliRunner().invoke(main, ["demo", "--out", str(out), "--lang", "zh"])
    assert zh.exit_code == 0, zh.output
    line = [x for x in zh.output.splitlines() if x.startswith("已写入")][-1]
    assert "rankings.csv、nodes.csv" in line and ", " not in line
    en = CliRunner().invoke(main, ["demo", "--out", str(out)])
    assert "(rankings.csv, nodes.csv," in en.output
