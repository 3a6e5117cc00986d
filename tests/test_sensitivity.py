"""Sensitivity analysis (issue 5): batched ranks against independent per-scenario
computations, interval statistics, Sobol indices against SALib and the Ishigami function,
determinism, and clear errors for bad inputs."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import rankdata

from evaluator.errors import MethodError, RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods.grey_relational import grey_relational
from evaluator.methods.topsis import topsis
from evaluator.model.framework import ROOT, Framework, load_framework
from evaluator.model.panel import Panel, load_panel
from evaluator.model.recipe import Recipe
from evaluator.resources import demo_panel_path
from evaluator.sensitivity import interval_table, run_sensitivity, sobol_indices
from evaluator.sensitivity.analyse import histogram_quantile, shift_summary
from evaluator.sensitivity.closeness import grey_varying, topsis_varying
from evaluator.sensitivity.design import build_design
from evaluator.sensitivity.ranks import competition_ranks, count_block
from evaluator.sensitivity.sample import Sampler
from evaluator.sensitivity.spec import parse_uncertainty

FLAT = Framework.from_dict({
    "id": "flat", "name": "Flat",
    "indicators": [{"id": f"x{j}", "direction": "cost" if j == 2 else "benefit"}
                   for j in range(6)]})
TREE = Framework.from_dict({
    "id": "tree", "name": "Tree",
    "nodes": [{"id": "a"}, {"id": "b"}],
    "indicators": [{"id": "x1", "parent": "a"}, {"id": "x2", "parent": "a", "direction": "cost"},
                   {"id": "x3", "parent": "a"}, {"id": "x4", "parent": "b"},
                   {"id": "x5", "parent": "b"}]})


def panel_for(fw: Framework, seed: int = 3, units: int = 40, years=(2022, 2023),
              missing: float = 0.0) -> Panel:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame([{"unit": f"U{u:02d}", "year": y} for y in years for u in range(units)])
    for ind in fw.indicator_ids:
        values = rng.lognormal(2, 0.5, len(df))
        values[rng.random(len(df)) < missing] = np.nan
        df[ind] = values
    return Panel.from_frame(df, fw)


def recipe(**sections) -> Recipe:
    return Recipe.from_dict({"weights": {"indicators": "entropy", "nodes": "equal"}, **sections})


def sampled_local_weights(run, design, S):
    """Each scenario's relative weights per node, computed here from the saved draws and
    the pipeline's nominal weights (not by the engine's scorer)."""
    draws = next(Sampler(run.spec, len(design.edges), S, run.sampler.seed).chunks()).draws
    nominal = design.nominal.weights
    edge = {e: i for i, e in enumerate(design.edges)}
    out = []
    for s in range(S):
        local = {}
        for node, nw in nominal.items():
            w = np.array([nw.weights[i] * draws[s, edge[(node, c)]] if len(nw.children) > 1
                          else 1.0 for i, c in enumerate(nw.children)])
            local[node] = dict(zip(nw.children, w / w.sum()))
        out.append(local)
    return out


def histogram_of(ranks_by_scenario: list[np.ndarray], bins: int) -> np.ndarray:
    n = len(ranks_by_scenario[0])
    hist = np.zeros((n, bins), dtype=np.int64)
    for r in ranks_by_scenario:
        r = np.where(np.isnan(r), 0, r).astype(int)
        hist[np.arange(n), r] += 1
    return hist


# -- ranks equal an independent per-scenario computation --------------------------------
def test_flat_weighted_sum_ranks_equal_a_plain_loop_over_scenarios():
    panel = panel_for(FLAT)
    rc = recipe(uncertainty={"weights": {"perturb": 0.4}})
    S = 300
    run = run_sensitivity(FLAT, panel, rc, samples=S, seed=11)
    design = run.design
    weights = sampled_local_weights(run, design, S)
    Z = design.nominal.stages["normalised"]
    years = design.nominal.years
    ranks = []
    for local in weights:
        w = np.array([local[ROOT][i] for i in FLAT.indicator_ids])
        score = pd.Series(Z @ w)
        # pandas ranks within each year: ties share the best rank ("min")
        ranks.append(score.groupby(years).rank(method="min", ascending=False)
                     .to_numpy()[design.analysed])
    assert np.array_equal(histogram_of(ranks, run.hist.shape[1]), run.hist)
    # mean |rank shift| from the loop
    nominal = design.nominal_ranks
    expected = np.mean([np.abs(r - nominal).mean() for r in ranks])
    assert shift_summary(run)["mean"] == pytest.approx(expected, rel=1e-12)


@pytest.mark.parametrize("aggregate", [
    {"method": "weighted_sum"},
    {"method": "weighted_sum", "by_node": {"index": {"method": "geometric"}}},
    {"method": "topsis"},
    {"method": "weighted_sum", "by_node": {"index": {"method": "grey_relational"}}},
    {"method": "geometric"},                       # exp(log Z · Gᵀ), complete data
    {"method": "geometric", "floor": 5.0},         # the floor raising some values
])
def test_hierarchical_ranks_equal_the_pipeline_run_scenario_by_scenario(aggregate):
    """Each scenario re-run through evaluate() with its sampled weights as fixed weights."""
    complete = aggregate["method"] in ("topsis", "geometric") or "by_node" in aggregate
    panel = panel_for(TREE, seed=5, units=25, missing=0.0 if complete else 0.08)
    rc = recipe(normalise={"method": "min_max", "range": [1, 100]}, aggregate=aggregate,
                uncertainty={"weights": {"perturb": 0.5}})
    S = 25
    run = run_sensitivity(TREE, panel, rc, samples=S, seed=2, workers=1)
    design = run.design
    ranks = []
    for local in sampled_local_weights(run, design, S):
        values = {k: v for node in local.values() for k, v in node.items()}
        fixed = {"method": "fixed", "values": values}
        result = evaluate(TREE, panel, rc.replace(weights={"indicators": fixed, "nodes": fixed}))
        ranks.append(result.ranks[ROOT][design.analysed])
    assert np.array_equal(histogram_of(ranks, run.hist.shape[1]), run.hist)


def test_discrete_alternatives_equal_the_pipeline_with_that_choice():
    """With the weights fixed, every scenario is one group: its ranks are the pipeline's
    ranks under that group's choices, counted as many times as it was drawn."""
    panel = panel_for(TREE, seed=8, units=30, missing=0.05)
    rc = recipe(impute={"method": "mean"}, uncertainty={
        "normalise": ["min_max", "rank"], "weight_methods": ["entropy", "equal"],
        "drop_indicator": ["x1", "x4"]})
    run = run_sensitivity(TREE, panel, rc, samples=200, seed=4)
    expected = np.zeros_like(run.hist)
    spec = run.spec
    for flat_index, count in enumerate(run.group_counts):
        codes = np.unravel_index(flat_index, spec.sizes)
        changes = {}
        fw = TREE
        for f, c in zip(spec.factors, codes):
            choice = f.choices[c]
            if f.name == "normalise" and choice.section:
                changes["normalise"] = choice.section
            if f.name == "weight_method" and choice.section:
                changes["weights"] = choice.section
            if f.name == "drop_indicator" and choice.indicator:
                spec_dict = TREE.to_dict()
                spec_dict["indicators"] = [i for i in spec_dict["indicators"]
                                           if i["id"] != choice.indicator]
                fw = Framework.from_dict(spec_dict)
        data = panel.data[["unit", "year", *fw.indicator_ids]]
        result = evaluate(fw, Panel.from_frame(data, fw), rc.replace(**changes))
        r = result.ranks[ROOT][run.design.analysed].astype(int)
        expected[np.arange(len(r)), r] += count
    assert run.group_counts.sum() == 200 and (run.group_counts > 0).sum() == 2 * 2 * 3
    assert np.array_equal(expected, run.hist)


# -- batched pieces against their one-at-a-time counterparts -----------------------------
scores_with_ties = st.lists(st.sampled_from([0.0, -0.0, 1.5, 2.0, 2.0 + 1e-13, np.nan, -3.0,
                                              7.25, 1e300]), min_size=2, max_size=9)


@settings(max_examples=150, deadline=None)
@given(st.lists(scores_with_ties, min_size=1, max_size=6).filter(
    lambda rows: len({len(r) for r in rows}) == 1))
def test_batched_ranks_equal_scipy_min_ranks(rows):
    S = np.array(rows, dtype=float)
    expected = []
    for row in S:
        r = rankdata(np.where(np.isnan(row), np.inf, -row), method="min").astype(int)
        expected.append(np.where(np.isnan(row), 0, r))
    assert np.array_equal(competition_ranks(S, rtol=0), np.array(expected))
    n = S.shape[1]
    hist = np.zeros((n, n + 1), dtype=np.int64)
    bottom = np.zeros(n, dtype=np.int64)
    got = count_block(S, np.ones(n, dtype=int), hist, bottom, bottom_k=2, keep_ranks=True,
                      rtol=0)
    assert np.array_equal(got.ranks, np.array(expected))


def test_packed_path_and_exact_path_agree_on_near_ties():
    rng = np.random.default_rng(0)
    S = rng.normal(50, 10, (400, 37))
    S[::7, 3] = S[::7, 5]                           # exact ties
    S[::11, 8] = np.nextafter(S[::11, 9], np.inf)   # one ulp apart: not a tie at rtol 0
    hist = np.zeros((37, 38), dtype=np.int64)
    got = count_block(S, np.arange(1, 38), hist, np.zeros(37, dtype=np.int64), bottom_k=3,
                      keep_ranks=True, rtol=0)
    expected = np.array([rankdata(-row, method="min") for row in S]).astype(int)
    assert np.array_equal(got.ranks, expected)
    # with the default tolerance (1e-9 of the largest score) one ulp apart is a tie
    got = count_block(S, np.arange(1, 38), hist, np.zeros(37, dtype=np.int64), bottom_k=3,
                      keep_ranks=True)
    S[::11, 8] = S[::11, 9]
    expected = np.array([rankdata(-row, method="min") for row in S]).astype(int)
    assert np.array_equal(got.ranks, expected)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 12), min_size=1, max_size=60),
       st.sampled_from([0.05, 0.5, 0.95, 0.25]))
def test_histogram_percentiles_equal_numpy_percentiles(sample, q):
    hist = np.bincount(sample, minlength=13)[None, :]
    assert histogram_quantile(hist, q)[0] == np.percentile(sample, 100 * q)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from(["vector", "min_max", "none"]),
       st.booleans())
def test_topsis_over_varying_children_equals_topsis_per_scenario(seed, normalisation, root):
    rng = np.random.default_rng(seed)
    kids = [rng.uniform(0, 10, (9, 4)) for _ in range(3)]
    W = rng.dirichlet(np.ones(3), 4)
    got = topsis_varying(kids, W, normalisation=normalisation, weight_in_root=root)
    for s in range(4):
        X = np.column_stack([k[:, s] for k in kids])
        ref = topsis(X, W[s], normalisation=normalisation, weight_in_root=root).closeness
        assert np.allclose(got[:, s], ref, rtol=1e-12, atol=1e-14)
    grey = grey_varying(kids, W, rho=0.5)
    for s in range(4):
        X = np.column_stack([k[:, s] for k in kids])
        assert np.allclose(grey[:, s], grey_relational(X, W[s]).grade, rtol=1e-12)


# -- interval statistics -----------------------------------------------------------------
@pytest.fixture(scope="module")
def demo():
    fw = load_framework("resource_city_transition")
    return fw, load_panel(demo_panel_path(), fw)


def test_small_perturbation_keeps_the_nominal_rank_inside_every_interval(demo):
    fw, panel = demo
    rc = Recipe.from_dict({**fw.recipe, "uncertainty": {"weights": {"perturb": 0.01}}})
    run = run_sensitivity(fw, panel, rc, samples=400, seed=1, years=[2024])
    t = interval_table(run)
    assert len(t) == 262
    assert ((t["p05"] <= t["nominal_rank"]) & (t["nominal_rank"] <= t["p95"])).all()
    assert t[["p_top_k", "p_bottom_k"]].stack().between(0, 1).all()
    top = t[t["nominal_rank"] <= 3]
    assert (top["p_top_k"] > 0.5).all()


def test_zero_perturbation_gives_zero_width_intervals(demo):
    fw, panel = demo
    rc = Recipe.from_dict({**fw.recipe, "uncertainty": {"weights": {"perturb": 1e-12}}})
    run = run_sensitivity(fw, panel, rc, samples=50, seed=3, years=[2023, 2024])
    t = interval_table(run)
    nominal = t["nominal_rank"].astype(float)
    for col in ("mean_rank", "median_rank", "p05", "p95"):
        assert np.array_equal(t[col].to_numpy(), nominal.to_numpy())
    assert shift_summary(run)["mean"] == 0
    assert set(t["p_top_k"]) <= {0.0, 1.0} and set(t["p_bottom_k"]) <= {0.0, 1.0}
    assert t["p_bottom_k"].sum() == 3 * 2          # k = 3 of the alert rule, two years


def test_dirichlet_weights_average_to_the_nominal_weights():
    panel = panel_for(TREE)
    rc = recipe(uncertainty={"weights": {"dirichlet": 40}})
    spec = parse_uncertainty(rc, TREE)
    design = build_design(TREE, panel, rc, spec)
    alpha = 40 * np.array([design.edge_weights[(0,) * len(spec.factors)]])
    sampler = Sampler(spec, len(design.edges), 4000, 9, group_index=design.group_index,
                      edge_alpha=alpha)
    draws = next(sampler.chunks()).draws
    plan = design.plan_list()[0]
    for node in plan.nodes:
        W = plan.local_weights(node, draws)
        assert np.allclose(W.sum(axis=1), 1)
        assert np.allclose(W.mean(axis=0), node.weights, atol=0.01)
    run = run_sensitivity(TREE, panel, rc, samples=300, seed=9)
    assert interval_table(run)["mean_rank"].notna().all()


def test_workers_do_not_change_the_counts():
    panel = panel_for(TREE, units=30)
    rc = recipe(uncertainty={"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"],
                             "weight_methods": ["critic", "equal"]})
    one = run_sensitivity(TREE, panel, rc, samples=3000, seed=5, workers=1)
    two = run_sensitivity(TREE, panel, rc, samples=3000, seed=5, workers=3)
    assert np.array_equal(one.hist, two.hist) and np.array_equal(one.bottom, two.bottom)


# -- Sobol ----------------------------------------------------------------------------------
def test_sobol_estimator_recovers_the_ishigami_indices_and_equals_salib():
    """Ishigami (a = 7, b = 0.1): S1 = (0.3139, 0.4424, 0), ST = (0.5576, 0.4424, 0.2437)
    (Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.9; SALib's
    test function). Our per-target estimator equals SALib.analyze.sobol.analyze."""
    from SALib.analyze import sobol as salib_sobol
    from SALib.sample import sobol as salib_sample
    from SALib.test_functions import Ishigami

    problem = {"num_vars": 3, "names": ["x1", "x2", "x3"], "bounds": [[-np.pi, np.pi]] * 3}
    X = salib_sample.sample(problem, 4096, calc_second_order=False, seed=1)
    Y = Ishigami.evaluate(X)
    # two targets at once: Ishigami and a rescaled copy (indices are scale-free)
    got = sobol_indices(np.column_stack([Y, 3 * Y + 7]), 3, seed=42)
    ref = salib_sobol.analyze(problem, Y, calc_second_order=False, seed=42)
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.allclose(got[key][:, 0], ref[key], rtol=1e-9, atol=1e-12)
        assert np.allclose(got[key][:, 1], got[key][:, 0], rtol=1e-9, atol=1e-12)
    s1_true, st_true = np.array([0.3139, 0.4424, 0.0]), np.array([0.5576, 0.4424, 0.2437])
    assert np.all(np.abs(got["S1"][:, 0] - s1_true) <= got["S1_conf"][:, 0] + 0.01)
    assert np.all(np.abs(got["ST"][:, 0] - st_true) <= got["ST_conf"][:, 0] + 0.01)
    assert np.all(got["ST"][:, 0] + got["ST_conf"][:, 0] >= got["S1"][:, 0] - got["S1_conf"][:, 0])


def test_sobol_run_gives_indices_per_factor_and_unit():
    panel = panel_for(TREE, units=20)
    rc = recipe(uncertainty={"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"],
                             "aggregate": ["weighted_sum", "topsis"]})
    from evaluator.sensitivity import sobol_table
    run = run_sensitivity(TREE, panel, rc, samples=256, seed=2, sobol=True)
    assert run.scenarios == 256 * 5
    table, notes = sobol_table(run)
    assert list(table.columns) == ["target", "factor", "S1", "S1_conf", "ST", "ST_conf"]
    assert list(table["target"].unique()[:2]) == ["mean_rank_shift", "U00"]
    assert set(table["factor"]) == {"weights", "normalise", "aggregate"}
    assert len(table) == 3 * 21
    assert np.isfinite(table[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy()).all()
    ok = table["ST"] + table["ST_conf"] >= table["S1"] - table["S1_conf"] - 1e-9
    assert ok.all()
    assert any("N = 256 is small" in n for n in notes)


# -- errors ------------------------------------------------------------------------------------
@pytest.mark.parametrize("section, message", [
    ({"weights": {"perturb": 1.5}}, "outside (0, 1)"),
    ({"weights": {"perturb": 0}}, "outside (0, 1)"),
    ({"weights": {"dirichlet": -2}}, "positive concentration"),
    ({"weights": {"perturb": 0.2}, "normalise": []}, "empty"),
    ({"weights": {"perturb": 0.2}, "aggregate": ["weighted_sum", "mean"]}, "unknown aggregation method"),
    ({"wieghts": {"perturb": 0.2}}, "did you mean 'weights'"),
    ({"drop_indicator": ["nope"]}, "not an indicator"),
])
def test_bad_uncertainty_sections_are_recipe_errors(section, message):
    rc = recipe(uncertainty=section)
    with pytest.raises(RecipeError, match=None) as info:
        parse_uncertainty(rc, TREE)
    assert message in str(info.value) and "uncertainty" in str(info.value)


def test_an_alternative_invalid_on_the_data_is_named_before_sampling():
    panel = panel_for(TREE)
    rc = recipe(uncertainty={"aggregate": ["weighted_sum", "geometric"]})
    with pytest.raises(MethodError) as info:
        run_sensitivity(TREE, panel, rc, samples=100)
    text = str(info.value)
    assert "aggregate=geometric" in text and "≤ 0" in text and "uncertainty.aggregate[1]" in text
    assert "floor" in text


def test_too_few_samples_and_single_sobol_factor_fail_fast():
    panel = panel_for(TREE)
    rc = recipe(uncertainty={"weights": {"perturb": 0.2}})
    with pytest.raises(RecipeError, match="too few"):
        run_sensitivity(TREE, panel, rc, samples=1)
    with pytest.raises(RecipeError, match="two or more uncertain factors"):
        run_sensitivity(TREE, panel, rc, samples=64, sobol=True)


# -- the command line ---------------------------------------------------------------------------
@pytest.fixture
def cli_inputs(tmp_path):
    panel = panel_for(TREE, units=30)
    fw_path = tmp_path / "tree.yaml"
    import yaml
    fw_path.write_text(yaml.safe_dump(TREE.to_dict(), allow_unicode=True), encoding="utf-8")
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)

    def write_recipe(uncertainty) -> str:
        path = tmp_path / "recipe.yaml"
        path.write_text(yaml.safe_dump({"weights": {"indicators": "entropy", "nodes": "equal"},
                                        "uncertainty": uncertainty}), encoding="utf-8")
        return str(path)
    return tmp_path, ["-f", str(fw_path), "-d", str(data)], write_recipe


def invoke(args):
    from evaluator.cli.sensitivity import sensitivity
    return CliRunner().invoke(sensitivity, args)


def test_same_seed_same_bytes_other_seed_other_results(cli_inputs):
    tmp, base, write_recipe = cli_inputs
    rc = write_recipe({"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]})
    outs = {}
    for name, seed in (("a", 7), ("b", 7), ("c", 8)):
        res = invoke([*base, "-r", rc, "--samples", "128", "--seed", str(seed), "--sobol",
                      "--save-samples", "--out", str(tmp / name)])
        assert res.exit_code == 0, res.output
        outs[name] = {f: (tmp / name / f).read_bytes()
                      for f in ("rank_intervals.csv", "sobol.csv", "sensitivity.json")}
    assert outs["a"] == outs["b"]
    assert outs["a"]["rank_intervals.csv"] != outs["c"]["rank_intervals.csv"]
    assert outs["a"]["sobol.csv"] != outs["c"]["sobol.csv"]
    saved = np.load(tmp / "a" / "samples.npz")
    legend = json.loads(str(saved["legend"]))
    assert saved["codes"].shape == (128 * 4, 5)
    assert saved["weight_draws"].shape == (128 * 4, len(legend["edges"]))
    assert legend["design"] == "sobol" and legend["factors"][1]["choices"] == ["min_max", "rank"]
    header = (tmp / "a" / "rank_intervals.csv").read_text(encoding="utf-8-sig").splitlines()[0]
    assert header == ("unit,year,nominal_rank,mean_rank,median_rank,p05,p95,p_top_k,p_bottom_k,"
                      "share_ranked")


@pytest.mark.parametrize("uncertainty, extra, message", [
    ({"weights": {"perturb": 0.2}}, ["--samples", "1"], "too few"),
    ({"weights": {"perturb": 1.2}}, [], "outside (0, 1)"),
    ({"weights": {"perturb": 0.2}, "impute": []}, [], "empty"),
    ({"aggregate": ["weighted_sum", "geometric"]}, [], "aggregate=geometric"),
    ({"weights": {"perturb": 0.2}}, ["--sobol"], "two or more uncertain factors"),
    ({"weights": {"perturb": 0.2}}, ["--save-samples"], "needs --out"),
])
def test_bad_inputs_exit_2_with_a_message(cli_inputs, uncertainty, extra, message):
    _, base, write_recipe = cli_inputs
    res = invoke([*base, "-r", write_recipe(uncertainty), "--samples", "64", *extra])
    assert res.exit_code == 2, res.output
    assert message in res.output and "Traceback" not in res.output
    assert res.exception is None or isinstance(res.exception, SystemExit)


def test_help_shows_an_example():
    res = invoke(["--help"])
    assert res.exit_code == 0 and "evaluator sensitivity -f" in res.output
    assert "--sobol" in res.output and "uncertainty:" in res.output


def test_table_output_summarises(cli_inputs):
    tmp, base, write_recipe = cli_inputs
    res = invoke([*base, "-r", write_recipe({"weights": {"perturb": 0.2}}), "--samples", "500",
                  "--year", "2023", "--out", str(tmp / "o")])
    assert res.exit_code == 0, res.output
    assert "500 scenarios" in res.output and "mean absolute rank shift" in res.output
    t = pd.read_csv(tmp / "o" / "rank_intervals.csv", encoding="utf-8-sig")
    assert set(t["year"]) == {2023} and len(t) == 30
    assert not (Path(tmp / "o") / "sobol.csv").exists()


def test_a_section_varying_nothing_names_the_section_without_a_stray_dot():
    rc = recipe(uncertainty={"weights": None})
    with pytest.raises(RecipeError) as info:
        parse_uncertainty(rc, TREE)
    assert info.value.where == "recipe: uncertainty" and "uncertainty.:" not in str(info.value)


def test_sobol_notes_do_not_point_below_a_table_they_follow():
    panel = panel_for(TREE, units=12)
    rc = recipe(uncertainty={"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]})
    from evaluator.sensitivity import sobol_table
    with run_sensitivity(TREE, panel, rc, samples=64, seed=2, sobol=True) as run:
        _, notes = sobol_table(run)
    assert any("N = 64 is small" in n for n in notes)
    assert not any("below" in n for n in notes)


def test_a_dict_alternative_is_accepted_by_the_parser():
    rc = recipe(uncertainty={"aggregate": ["weighted_sum",
                                           {"method": "geometric", "floor": 0.01}]})
    spec = parse_uncertainty(rc, TREE)
    choices = spec.factor("aggregate").choices
    assert choices[1].section["method"] == "geometric" and choices[1].section["floor"] == 0.01
