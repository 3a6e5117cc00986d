"""Method registries: declared parameters checked with key paths, unknown names with near
matches, `evaluator methods`, and third-party plugins through the `evaluator.methods`
entry-point group (a real dist-info on sys.path, found by importlib.metadata)."""
from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator import registry
from evaluator.cli.main import main
from evaluator.errors import RecipeError
from evaluator.evaluate import evaluate
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe

FW = Framework.from_dict({"id": "reg", "indicators": [
    {"id": "x1", "parent": "a"}, {"id": "x2", "parent": "a"},
    {"id": "x3", "parent": "b"}, {"id": "x4", "parent": "b", "direction": "cost"}],
    "nodes": [{"id": "a"}, {"id": "b"}]})


def panel(n=8, seed=1):
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(n)] * 2, "year": [2020] * n + [2021] * n})
    for c in ("x1", "x2", "x3", "x4"):
        df[c] = rng.uniform(1, 50, 2 * n)
    return Panel.from_frame(df, FW)


def test_every_family_declares_its_methods_with_titles_and_references():
    for family in registry.FAMILIES:
        for name, m in registry.methods(family).items():
            if m.origin != "built-in":
                continue
            assert m.title[0] and m.title[1], (family, name)
            assert m.reference, (family, name)
            for p in m.params:
                assert p.en and p.zh, (family, name, p.name)


def test_unknown_method_lists_the_known_ones_and_near_matches():
    with pytest.raises(RecipeError) as info:
        Recipe.from_dict({"aggregate": {"method": "vikr"}})
    text = str(info.value)
    assert "aggregate.method" in text and "did you mean 'vikor'" in text
    assert "weighted_sum, geometric, topsis" in text


@pytest.mark.parametrize("section, path, allowed", [
    ({"aggregate": {"method": "vikor", "v": "half"}}, "aggregate.v", "number in [0, 1]"),
    ({"aggregate": {"method": "vikor", "v": 1.5}}, "aggregate.v", "number in [0, 1]"),
    ({"aggregate": {"by_node": {"a": {"method": "grey_relational", "rho": 2}}}},
     "aggregate.by_node.a.rho", "number in [0, 1]"),
    ({"weights": {"indicators": {"method": "entropy", "basis": "rows"}}},
     "weights.indicators.basis", "valid: normalised, raw"),
])
def test_a_wrong_parameter_names_its_key_path_and_the_allowed_values(section, path, allowed):
    with pytest.raises(RecipeError) as info:
        Recipe.from_dict(section)
    assert path in str(info.value) and allowed in str(info.value)


def test_methods_command_lists_families_and_one_method_in_both_languages():
    runner = CliRunner()
    listing = runner.invoke(main, ["methods"])
    assert listing.exit_code == 0
    for name in ("min_max", "entropy", "vikor", "topsis"):
        assert name in listing.output
    one = runner.invoke(main, ["methods", "aggregations", "vikor", "--lang", "zh"])
    assert one.exit_code == 0 and "折衷值 Q" in one.output and "Opricovic" in one.output
    bad = runner.invoke(main, ["methods", "aggregations", "vicor"])
    assert bad.exit_code == 2 and "did you mean 'vikor'" in bad.output
    assert "Traceback" not in bad.output


PLUGIN = '''
import numpy as np
from evaluator.registry import Param, Table, register
from evaluator.methods.aggregation_methods import AggregationResult


@register("aggregations", "weakest_link", title=("Weakest link", "短板法"),
          formula="y = min_j x_j + bonus", reference="a test plugin",
          params=[Param("bonus", "number", 0.0, "added to the minimum", "加在最小值上")],
          tables=[Table("argmin", "weakest child position", "短板位置")])
def weakest_link(V, w, *, context, bonus=0.0):
    """Reference: a test plugin."""
    return AggregationResult(np.nanmin(V, axis=1) + bonus)
'''


def _install(tmp_path, name, module_source, target):
    """A package with a dist-info announcing ``target`` in the entry-point group, on a
    folder that is put on sys.path: what pip would leave in site-packages."""
    (tmp_path / f"{name}.py").write_text(textwrap.dedent(module_source), encoding="utf-8")
    info = tmp_path / f"{name}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: 0.1\n")
    (info / "entry_points.txt").write_text(f"[evaluator.methods]\n{name} = {target}\n")


@pytest.fixture
def plugins(tmp_path, monkeypatch):
    _install(tmp_path, "tiny_evaluator_plugin", PLUGIN, "tiny_evaluator_plugin")
    _install(tmp_path, "broken_evaluator_plugin", "raise ImportError('no numpy here')\n",
             "broken_evaluator_plugin")
    monkeypatch.syspath_prepend(str(tmp_path))
    registry.reload_plugins()
    yield tmp_path
    monkeypatch.undo()
    for mod in ("tiny_evaluator_plugin", "broken_evaluator_plugin"):
        sys.modules.pop(mod, None)
    registry.reload_plugins()


def test_a_plugin_method_is_listed_and_scores_from_a_recipe(plugins):
    m = registry.get("aggregations", "weakest_link")
    assert m.origin == "plugin tiny_evaluator_plugin"
    errors = registry.plugin_errors()
    assert list(errors) == ["broken_evaluator_plugin"] and "no numpy here" in \
        errors["broken_evaluator_plugin"]
    recipe = Recipe.from_dict({"aggregate": {"method": "weighted_sum", "by_node": {
        "index": {"method": "weakest_link", "bonus": 1.0}}}})
    res = evaluate(FW, panel(), recipe)
    expected = np.minimum(res.scores["a"], res.scores["b"]) + 1.0
    np.testing.assert_allclose(res.scores["index"], expected)
    # the built-in methods keep working beside the broken plugin
    assert evaluate(FW, panel(), {"aggregate": "vikor"}).scores["index"].shape == (16,)
    with pytest.raises(RecipeError, match="bonus"):
        Recipe.from_dict({"aggregate": {"method": "weakest_link", "bonus": "x"}})


def test_the_methods_command_of_a_fresh_process_finds_the_plugin(plugins):
    env = {**os.environ, "PYTHONPATH": str(plugins)}
    out = subprocess.run([sys.executable, "-m", "evaluator", "methods", "aggregations"],
                         capture_output=True, text=True, env=env, check=True)
    assert "weakest_link" in out.stdout and "Weakest link" in out.stdout
    assert "broken_evaluator_plugin" in out.stdout and "no numpy here" in out.stdout
    assert "vikor" in out.stdout
