"""Framework files: the validating loader and its messages (file, key path, fix)."""
from __future__ import annotations

import textwrap

import pytest

from evaluator import FrameworkError, load_framework
from evaluator.model.framework import Framework, list_builtin

GOOD = """
id: small
name: {zh: 小框架, en: Small}
nodes:
  - {id: eco, name: {zh: 经济, en: Economy}}
  - {id: env, name: {zh: 环境, en: Environment}, weight: 2}
  - {id: air, name: Air, parent: env}
indicators:
  - {id: gdp, name: GDP, parent: eco, unit: yuan, direction: benefit, transform: log,
     goalposts: [100, 100000]}
  - {id: jobs, name: Jobs, parent: eco, direction: cost, weight: 2}
  - {id: pm25, name: PM2.5, parent: air, direction: cost,
     targets: {2025: 35, 2035: {change: -0.25, from: 2025}}}
  - {id: ph, name: pH, parent: env, direction: {optimum: 7}}
  - {id: temp, name: Temp, parent: air, direction: {range: [18, 24]}}
groups:
  declining: {name: {zh: 衰退型, en: Declining}, targets: {pm25: {2025: 40}}}
"""


def load_text(write, text):
    return load_framework(write("fw.yaml", textwrap.dedent(text)))


def test_good_framework_tree(write):
    fw = load_text(write, GOOD)
    assert fw.indicator_ids == ("gdp", "jobs", "pm25", "ph", "temp")
    assert fw.first_level == ["eco", "env"]
    assert fw.children("env") == ["air", "ph"]
    assert fw.aggregation_order() == ["eco", "air", "env", "index"]
    assert fw.level("air") == 1 and fw.level("env") == 2 and fw.level("index") == 3
    assert fw.indicator("jobs").sign == -1
    assert fw.indicator("ph").direction == "optimum" and fw.indicator("ph").optimum == 7
    assert fw.indicator("temp").interval == (18.0, 24.0)
    assert fw.node("env").weight == 2
    assert fw.label("eco", "zh") == "经济"
    targets = fw.targets_for("pm25", "declining")
    assert [(t.year, t.value) for t in targets][0] == (2025, 40.0)
    rel = fw.targets_for("pm25")[1]
    assert rel.is_relative and rel.change == -0.25 and rel.base_year == 2025


def test_round_trip(write):
    fw = load_text(write, GOOD)
    again = Framework.from_dict(fw.to_dict())
    assert again.to_dict() == fw.to_dict()


def test_flat_framework(write):
    fw = load_text(write, "id: flat\nindicators: [{id: a}, {id: b, direction: cost}]\n")
    assert fw.first_level == ["a", "b"] and fw.aggregation_order() == ["index"]


@pytest.mark.parametrize("change, expected", [
    (("gdp, name: GDP,", "gdp, nmae: GDP,"), ["indicators[0].nmae", "unknown key", "name"]),
    (("{id: jobs,", "{id: gdp,"), ["indicators[1].id", "duplicate id 'gdp'"]),
    (("parent: air, direction: cost,", "parent: aire, direction: cost,"),
     ["indicators[2].parent", "unknown parent 'aire'", "did you mean 'air'"]),
    (("direction: {optimum: 7}", "direction: up"), ["indicators[3].direction", "bad direction"]),
    (("goalposts: [100, 100000]", "goalposts: [100000, 100]"),
     ["indicators[0].goalposts", "not below"]),
    (("targets: {pm25: {2025: 40}}", "targets: {pm2_5: {2025: 40}}"),
     ["groups.declining.targets.pm2_5", "unknown indicator", "pm25"]),
    (("{id: air, name: Air, parent: env}", "{id: air, name: Air, parent: env}\n  - {id: empty}"),
     ["nodes[3]", "no indicators below it"]),
    (("{id: env, name: {zh: 环境, en: Environment}, weight: 2}", "{id: env, parent: air}"),
     ["cycle in the tree", "air → env"]),
    (("2035: {change: -0.25, from: 2025}", "2035: {change: -0.25, from: 2040}"),
     ["indicators[2].targets.2035", "base year"]),
    (("2025: 35,", "20x5: 35,"), ["targets.20x5", "not a year"]),
])
def test_each_mistake_named_with_path_and_fix(write, change, expected):
    old, new = change
    assert old in GOOD
    with pytest.raises(FrameworkError) as err:
        load_text(write, GOOD.replace(old, new, 1))
    message = str(err.value)
    assert "fw.yaml" in message
    for part in expected:
        assert part in message


def test_cycle_between_two_nodes(write):
    text = """
    id: cyc
    nodes: [{id: a, parent: b}, {id: b, parent: a}]
    indicators: [{id: x, parent: a}]
    """
    with pytest.raises(FrameworkError, match=r"cycle in the tree: .*a.*b"):
        load_text(write, text)


def test_yaml_syntax_error_names_line(write):
    with pytest.raises(FrameworkError, match=r"line \d+, column \d+.*YAML syntax error"):
        load_text(write, "id: x\nindicators: [{id: a}\n  - oops: [\n")


def test_unknown_builtin_suggests(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(FrameworkError, match="resource_city_transition"):
        load_framework("resource_city_transitio")


def test_unreadable_paths(tmp_path):
    with pytest.raises(FrameworkError, match="file not found"):
        load_framework(tmp_path / "nope.yaml")
    with pytest.raises(FrameworkError, match="folder"):
        load_framework(str(tmp_path) + "/")


def test_empty_file(write):
    with pytest.raises(FrameworkError, match="empty"):
        load_text(write, "")


def test_several_problems_reported_together(write):
    bad = GOOD.replace("direction: benefit", "direction: good").replace("nmae", "x")
    bad = bad.replace("{id: jobs,", "{id: gdp,")
    with pytest.raises(FrameworkError, match="2 problems"):
        load_text(write, bad)


def test_builtins_listed():
    names = list_builtin()
    for name in ("resource_city_transition", "policy_effect", "hdi"):
        assert name in names
        assert load_framework(name).id == name


def test_reserved_ids_are_refused(write):
    with pytest.raises(FrameworkError, match=r"(?s)nodes\[0\]\.id.*'rank' is reserved"):
        load_text(write, "id: r\nnodes: [{id: rank}]\nindicators: [{id: a, parent: rank}]\n")
