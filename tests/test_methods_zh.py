"""`evaluator methods` and the registry's errors in Chinese hold no English word except
identifiers (method, parameter and value names, symbols), references and formula
functions: every word the user reads comes from the catalogue in their language."""
from __future__ import annotations

import re

import pytest
import yaml
from click.testing import CliRunner

from evaluator import registry
from evaluator.cli.main import main

from test_registry import plugins  # noqa: F401  (a real dist-info plugin)

# symbols and functions of the formulas, YAML words a recipe writes, acronyms
ALLOWED_WORDS = {"max", "min", "ln", "argmax", "null", "true", "false", "clip", "CV",
                 "WRSR", "RSR", "CR", "CI", "RI", "TOPSIS", "VIKOR", "CRITIC", "AHP", "PCA",
                 "OECD", "JRC", "SPSSAU", "UNDP", "HDI", "Dagum", "Z", "lo", "hi", "CSV", "Excel", "csv",
                 "evaluator", "recipe", "yaml",
                 # recipe sections and keys of the key paths
                 "aggregate", "method", "by_node", "weights", "normalise"}
_WORD = re.compile(r"[A-Za-z][A-Za-z_]*[A-Za-z0-9_]*")


def identifiers() -> set[str]:
    """What the user types or reads as a name: families, methods, parameters, values,
    declared quantities and their symbols."""
    out = set(registry.FAMILIES)
    for family in registry.FAMILIES:
        for name, m in registry.methods(family).items():
            out.add(name)
            for p in m.params:
                out.add(p.name)
                out.update(map(str, p.choices))
            for tb in m.tables:
                out.update({tb.name, tb.symbol})
    return out


def english_words(text: str, *, remove=()) -> list[str]:
    """ASCII words of ``text`` that are not identifiers or allowed, after removing the
    whole strings ``remove`` (references cited as published)."""
    for chunk in sorted(remove, key=len, reverse=True):
        text = text.replace(chunk, " ")
    known = identifiers() | ALLOWED_WORDS
    words = set()
    for word in _WORD.findall(text):
        parts = [word] + word.split("_")
        symbol = len(word) <= 2 or len(word.split("_")[0]) <= 2   # x, CR, w_j, p_ij
        if not any(p in known for p in parts) and not symbol:
            words.add(word)
    return sorted(words)


def references() -> list[str]:
    refs = []
    for family in registry.FAMILIES:
        for m in registry.methods(family).values():
            refs.append(m.reference)
            refs += [p.reference for p in m.params if p.reference]
    return [r for r in refs if r]


@pytest.fixture(scope="module")
def small_demo(tmp_path_factory):
    import pandas as pd
    from evaluator.resources import demo_panel_path
    panel = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    keep = sorted(panel["unit"].unique())[:12]
    path = tmp_path_factory.mktemp("zh") / "panel.csv"
    panel[panel["unit"].isin(keep)].to_csv(path, index=False, encoding="utf-8-sig")
    return path, panel


def zh(*args: str):
    res = CliRunner().invoke(main, [*args, "--lang", "zh"])
    assert "Traceback" not in res.output, res.output
    return res


def test_the_chinese_listing_of_methods_holds_no_english_word():
    res = zh("methods")
    assert res.exit_code == 0
    assert english_words(res.output, remove=references()) == []


@pytest.mark.parametrize("family", list(registry.FAMILIES))
def test_every_method_in_full_in_chinese_holds_no_english_word(family):
    found = {}
    for name in registry.methods(family):
        res = zh("methods", family, name)
        assert res.exit_code == 0, res.output
        assert "内置" in res.output   # the origin, in words
        words = english_words(res.output, remove=references())
        if words:
            found[name] = words
    assert found == {}


@pytest.mark.parametrize("aggregate", [
    {"method": "vikor", "v": 2},                       # outside the allowed range
    {"method": "vikor", "v": "half"},                  # not a number
    {"method": "vikor", "vv": 0.5},                    # unknown parameter: did you mean
    {"method": "rsr", "variant": "integr"},            # unknown value: did you mean
    {"method": "rsr", "tiers": 3.5},                   # not a whole number
    {"method": "topsis", "weight_in_root": "yes"},     # not true/false
    {"method": "vikr"},                                # unknown method
    {"method": "fuzzy", "thresholds": [60, 40, 80]},   # thresholds out of order
    {"method": "fuzzy", "membership": "survey"},       # no counts file
])
def test_a_bad_parameter_is_explained_in_chinese(aggregate, small_demo, tmp_path):
    path, _ = small_demo
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"aggregate": aggregate}), encoding="utf-8")
    res = zh("score", "-f", "resource_city_transition", "-d", str(path), "-r", str(recipe),
             "--out", str(tmp_path / "out"))
    assert res.exit_code == 2, res.output
    assert "aggregate." in res.output or "节点 '" in res.output  # the key path or node
    assert re.search(r"[\u4e00-\u9fff]", res.output)
    given = [str(v) for v in aggregate.values()]   # the user's own (wrong) values
    from evaluator.model.framework import load_framework
    fw = load_framework("resource_city_transition")
    ids = [*fw.node_ids, *(i.id for i in fw.indicators)]
    assert english_words(res.output, remove=[str(recipe), str(path), *given, *ids]) == []


def test_the_same_error_in_english_keeps_its_words(small_demo, tmp_path):
    path, _ = small_demo
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(yaml.safe_dump({"aggregate": {"method": "vikor", "vv": 1}}),
                      encoding="utf-8")
    res = CliRunner().invoke(main, ["score", "-f", "resource_city_transition", "-d",
                                    str(path), "-r", str(recipe), "--out",
                                    str(tmp_path / "o"), "--lang", "en"])
    assert res.exit_code == 2
    assert "did you mean 'v'? valid parameters of vikor: v" in res.output


def test_an_unknown_method_name_on_the_command_line_in_chinese():
    res = zh("methods", "aggregations", "vicor")
    assert res.exit_code == 2
    assert "是否想用 'vikor'" in res.output
    assert english_words(res.output, remove=["vicor"]) == []


def test_a_plugin_method_in_chinese_names_its_origin(plugins):  # noqa: F811
    res = zh("methods", "aggregations", "weakest_link")
    assert res.exit_code == 0, res.output
    assert "短板法" in res.output and "来源：插件 tiny_evaluator_plugin" in res.output
    assert "[取值 [−∞, ∞] 内的数；默认 0]" in res.output
    listing = zh("methods")
    assert "weakest_link" in listing.output and "插件 'broken_evaluator_plugin' 加载失败" \
        in listing.output
