"""`evaluator compare`: the recipe under several weighting methods, side by side. Ranks
against the pipeline run with each method; correlations against pandas (an independent
implementation of Spearman's ρ and Kendall's τ-b)."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator.errors import DataError
from evaluator.evaluate import evaluate
from evaluator.model.framework import ROOT, load_framework
from evaluator.model.panel import load_panel
from evaluator.model.recipe import Recipe
from evaluator.resources import demo_panel_path, weights_dir
from evaluator.sensitivity import compare_methods


@pytest.fixture(scope="module")
def demo():
    fw = load_framework("resource_city_transition")
    panel = load_panel(demo_panel_path(), fw)
    data = panel.data[panel.data["year"].between(2023, 2024)]
    from evaluator.model.panel import Panel
    return fw, Panel.from_frame(data.reset_index(drop=True), fw), Recipe.from_dict(fw.recipe)


@pytest.fixture(scope="module")
def result(demo):
    fw, panel, rc = demo
    return compare_methods(fw, panel, rc, k=5)


def test_each_method_ranks_as_the_pipeline_with_that_method(demo, result):
    fw, panel, rc = demo
    assert result.methods == ["equal", "entropy", "critic"]
    t = result.table
    for method in result.methods:
        run = evaluate(fw, panel, rc.replace(weights={"indicators": method, "nodes": "equal"}))
        ref = pd.DataFrame({"unit": run.units, "year": run.years, "rank": run.ranks[ROOT],
                            "score": run.scores[ROOT]})
        merged = t.merge(ref, on=["unit", "year"])
        assert len(merged) == len(t) == 2 * 262
        assert (merged[f"rank_{method}"] == merged["rank"]).all()
        assert np.allclose(merged[f"score_{method}"], merged["score"], rtol=0, atol=0)
    # the recipe itself weighs by entropy: no shift for that method
    assert (t["rank_entropy"] == t["rank_recipe"]).all()


def test_shifts_and_moved_units(result):
    t = result.table
    ranks = t[[f"rank_{m}" for m in result.methods]].astype(float).to_numpy()
    shift = np.abs(ranks - t["rank_recipe"].astype(float).to_numpy()[:, None])
    assert (t["max_shift"].astype(float) == shift.max(axis=1)).all()
    assert np.allclose(t["mean_shift"], shift.mean(axis=1))
    assert (t["rank_range"].astype(float) == ranks.max(axis=1) - ranks.min(axis=1)).all()
    assert (t["moved"] == (shift.max(axis=1) > 5)).all()
    moved = result.moved(2024)
    assert len(moved) == int(((t["year"] == 2024) & t["moved"]).sum()) > 0
    assert moved["max_shift"].is_monotonic_decreasing


def test_correlations_equal_pandas(result):
    t = result.table
    for year in (2023, 2024):
        scores = t[t["year"] == year][[f"score_{m}" for m in result.methods]]
        scores.columns = result.methods
        for name in ("spearman", "kendall"):
            got = result.correlations[(result.correlations["year"] == year)
                                      & (result.correlations["statistic"] == name)]
            got = got.set_index("method")[result.methods]
            assert np.allclose(got.to_numpy(), scores.corr(method=name).to_numpy(), atol=1e-12)
    # different methods, highly but not perfectly concordant rankings
    rho = result.correlations.query("statistic == 'spearman' and method == 'equal'")["critic"]
    assert ((rho > 0.5) & (rho < 1)).all()


def test_ahp_and_combined_with_a_judgement_file(demo):
    fw, panel, rc = demo
    judgements = str(weights_dir() / "example_panel.yaml")
    res = compare_methods(fw, panel, rc, ["entropy", "ahp", "combined"], judgements=judgements)
    w = res.weights
    ahp = w[(w["method"] == "ahp") & (w["node"] == "index")]
    assert ahp["weight"].round(6).nunique() > 1           # the experts' unequal priorities
    assert set(w["method"]) == {"entropy", "ahp", "combined"}
    assert res.table["rank_ahp"].notna().all()


def invoke(args):
    from evaluator.cli.sensitivity import compare
    return CliRunner().invoke(compare, args)


def test_cli_writes_tables_and_summarises(tmp_path, demo):
    fw, panel, _ = demo
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)
    res = invoke(["-f", "resource_city_transition", "-d", str(data), "--methods",
                  "equal,critic", "-k", "3", "--out", str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    assert "Spearman ρ" in res.output and "Kendall τ-b" in res.output
    assert "move more than k = 3 places" in res.output
    for name in ("compare.csv", "compare_correlations.csv", "compare_weights.csv"):
        assert (tmp_path / "out" / name).is_file()
    written = pd.read_csv(tmp_path / "out" / "compare.csv", encoding="utf-8-sig")
    assert {"unit", "year", "rank_recipe", "score_equal", "rank_critic", "max_shift",
            "mean_shift", "moved"} <= set(written.columns)


@pytest.mark.parametrize("args, message", [
    (["--methods", "equal,magic"], "unknown weighting method 'magic'"),
    (["--methods", "entropy,ahp"], "need an expert judgement file"),
    (["--methods", "entropy"], "two or more methods"),
    (["--year", "1999"], "year 1999 is not in the data"),
])
def test_cli_bad_inputs_exit_2(tmp_path, demo, args, message):
    fw, panel, _ = demo
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)
    res = invoke(["-f", "resource_city_transition", "-d", str(data), *args])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output


def test_help_shows_an_example():
    res = invoke(["--help"])
    assert res.exit_code == 0 and "evaluator compare -f" in res.output


# -- audit of issue 5 ----------------------------------------------------------------------------
@pytest.fixture
def small_early_year(tmp_path, demo):
    """The demo's 2023 and 2024, plus a 2022 with only two units."""
    fw, panel, _ = demo
    data = panel.data
    early = data[data["year"] == 2023].head(2).assign(year=2022)
    path = tmp_path / "panel.csv"
    pd.concat([early, data], ignore_index=True).to_csv(path, index=False)
    return path


def test_a_small_year_only_stops_the_comparison_when_it_is_compared(small_early_year, demo):
    fw, _, rc = demo
    panel = load_panel(small_early_year, fw)
    result = compare_methods(fw, panel, rc, ["equal", "critic"])
    assert sorted(result.correlations["year"].unique()) == [2023, 2024]
    assert any(n.startswith("2022: only 2 unit(s)") for n in result.notes)
    assert set(result.table["year"]) == {2022, 2023, 2024}
    with pytest.raises(DataError, match="year 2022: fewer than 3 units"):
        compare_methods(fw, panel, rc, ["equal", "critic"], years=[2022])
    ok = invoke(["-f", "resource_city_transition", "-d", str(small_early_year), "--methods",
                 "equal,critic", "--year", "2023"])
    assert ok.exit_code == 0, ok.output
    assert "Spearman ρ" in ok.output and "2022: only 2 unit(s)" in ok.output
    bad = invoke(["-f", "resource_city_transition", "-d", str(small_early_year), "--methods",
                  "equal,critic", "--year", "2022"])
    assert bad.exit_code == 2 and "fewer than 3 units" in bad.output


def test_compare_json_traces_the_run(tmp_path, demo):
    import hashlib
    import json
    from evaluator import __version__
    fw, panel, _ = demo
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)
    judgements = weights_dir() / "example_panel.yaml"
    out = tmp_path / "out"
    out.mkdir()
    (out / "compare_old_extra.csv").write_text("mine", encoding="utf-8")
    res = invoke(["-f", "resource_city_transition", "-d", str(data), "--methods",
                  "entropy,ahp", "--judgements", str(judgements), "--out", str(out)])
    assert res.exit_code == 0, res.output
    summary = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    assert summary["version"] == __version__ and summary["methods"] == ["entropy", "ahp"]
    assert summary["judgements"]["sha256"] == hashlib.sha256(judgements.read_bytes()).hexdigest()
    assert summary["inputs"]["data"]["sha256"] == hashlib.sha256(data.read_bytes()).hexdigest()
    assert summary["inputs"]["framework"]["sha256"] == hashlib.sha256(
        open(fw.source, "rb").read()).hexdigest()
    assert summary["recipe"]["weights"]["indicators"]["method"] == "entropy"
    assert summary["years_compared"] == [2023, 2024]
    assert (out / "compare_old_extra.csv").is_file()       # not ours: kept


def test_nothing_is_created_when_the_checks_fail(tmp_path, demo):
    fw, panel, _ = demo
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)
    res = invoke(["-f", "resource_city_transition", "-d", str(data), "--methods", "equal",
                  "--out", str(tmp_path / "new")])
    assert res.exit_code == 2 and not (tmp_path / "new").exists()
