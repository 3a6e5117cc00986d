"""Sensitivity analysis, audit of issue 5: bounded memory for Sobol runs (compact ranks,
memory-mapped beyond a size, analysis by blocks of units), unit-years without a score in
some scenarios, set-up progress, a compact and self-contained samples.npz, the output
folder, too small Dirichlet concentrations, the bound on k, Sobol indices through the
engine's own path, traceability of sensitivity.json."""
from __future__ import annotations

import hashlib
import io
import json
import tracemalloc

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator.errors import RecipeError
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.sensitivity import (interval_table, run_sensitivity, sampled_weights,
                                   sobol_indices, sobol_table)
from evaluator.sensitivity.analyse import interval_notes
from evaluator.sensitivity.sample import Sampler
from evaluator.sensitivity.spec import Choice, Factor, UncertaintySpec, parse_uncertainty
from evaluator.sensitivity.store import RankStore, rank_dtype

from tests.test_sensitivity import FLAT, TREE, panel_for as _shared_panel_for  # noqa: E402


def panel_for(fw: Framework, seed: int = 3, units: int = 30, years=(2022, 2023)) -> Panel:
    """The sensitivity tests' panel, a little smaller."""
    return _shared_panel_for(fw, seed=seed, units=units, years=years)


def recipe(**sections) -> Recipe:
    return Recipe.from_dict({"weights": {"indicators": "entropy", "nodes": "equal"}, **sections})


# -- 1. Sobol ranks: compact, memory-mapped beyond a size, analysed by blocks --------------
def test_ranks_are_stored_as_int16_below_32767_units():
    assert rank_dtype(300) == np.int16 and rank_dtype(32_766) == np.int16
    assert rank_dtype(32_767) == np.int32
    with RankStore(10, 5) as store:
        assert store.array.dtype == np.int16 and not store.mapped


def test_the_memmap_path_gives_identical_results_and_leaves_nothing(tmp_path):
    panel = panel_for(TREE, units=25)
    rc = recipe(uncertainty={"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]})
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    with run_sensitivity(TREE, panel, rc, samples=128, seed=4, sobol=True) as in_memory:
        assert not in_memory.rank_store.mapped
        expected, expected_notes = sobol_table(in_memory)
        ranks = np.array(in_memory.sobol_ranks)
    mapped = run_sensitivity(TREE, panel, rc, samples=128, seed=4, sobol=True,
                             memmap_bytes=0, scratch_dir=scratch)
    try:
        assert mapped.rank_store.mapped and isinstance(mapped.sobol_ranks, np.memmap)
        assert mapped.sobol_ranks.dtype == np.int16
        assert np.array_equal(np.asarray(mapped.sobol_ranks), ranks)
        got, notes = sobol_table(mapped)
    finally:
        mapped.close()
    pd.testing.assert_frame_equal(got, expected)
    assert notes == expected_notes
    assert list(scratch.iterdir()) == []          # the temporary folder is gone
    assert mapped.sobol_ranks is None


def test_sobol_analysis_by_blocks_equals_all_at_once_in_a_fraction_of_the_memory():
    rng = np.random.default_rng(0)
    N, G, units = 512, 3, 600
    Y = rng.integers(1, units + 1, size=(N * (G + 2), units)).astype(np.int16)
    whole = sobol_indices(Y.astype(float), G, seed=3, chunk_elements=Y.size)
    tracemalloc.start()
    blocks = sobol_indices(Y, G, seed=3, chunk_elements=1 << 16)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    for key in ("S1", "S1_conf", "ST", "ST_conf"):
        assert np.allclose(blocks[key], whole[key], rtol=1e-12, atol=1e-14)
    assert peak < 0.25 * Y.size * 8              # a float copy of every target: 4× this


def test_a_sobol_run_on_many_scenarios_stays_small():
    """The run keeps 2 bytes per scenario and unit (not 8, as float ranks did)."""
    panel = panel_for(FLAT, units=40, years=(2023,))
    rc = recipe(uncertainty={"weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]})
    with run_sensitivity(FLAT, panel, rc, samples=2048, seed=1, sobol=True) as run:
        assert run.sobol_ranks.nbytes == 2048 * 4 * 40 * 2


@pytest.mark.parametrize("N", [256, 100])
def test_the_sobol_design_built_by_blocks_is_salibs(monkeypatch, N):
    """Our block-by-block Saltelli design equals SALib.sample.sobol.sample exactly, for
    any block size (here blocks of 37 base points) and N not a power of 2 too."""
    import warnings

    from SALib.sample import sobol as salib_sample

    import evaluator.sensitivity.sample as sample_module
    rc = recipe(uncertainty={"weights": {"perturb": 0.2}, "normalise": ["min_max", "rank"],
                             "aggregate": ["weighted_sum", "topsis"]})
    spec = parse_uncertainty(rc, TREE)
    sampler = Sampler(spec, 7, N, 13, sobol=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        expected = salib_sample.sample(sampler.problem, N, calc_second_order=False,
                                       scramble=True, seed=13)
    monkeypatch.setattr(sample_module, "SOBOL_BLOCK_VALUES", 37 * 9 * 5)
    blocks = list(sampler._sobol_blocks())
    assert len(blocks) > 1 and blocks[1][0] == 37 * 5
    assert np.array_equal(np.concatenate([X for _, X in blocks]), expected)


def test_help_states_the_memory_a_sobol_run_needs():
    from evaluator.cli.sensitivity import sensitivity
    res = CliRunner().invoke(sensitivity, ["--help"])
    text = " ".join(res.output.split())
    assert "N × (factors + 2) × units × 2 bytes" in text and "256 MB" in text
    assert "weight_draws" in text and "nominal_weights" in text


# -- 2. unit-years without a score in some scenarios ---------------------------------------
@pytest.fixture
def patchy():
    """U00 has a value for x1 only: leaving x1 out leaves it without a score."""
    panel = panel_for(FLAT, units=20, years=(2023,))
    data = panel.data.copy()
    for ind in ("x0", "x2", "x3", "x4", "x5"):
        data.loc[data["unit"] == "U00", ind] = np.nan
    rc = Recipe.from_dict({"weights": {"indicators": "equal"},
                           "uncertainty": {"weights": {"perturb": 0.2},
                                           "drop_indicator": ["x1", "x3"]}})
    return Panel.from_frame(data, FLAT), rc


def test_share_ranked_counts_the_scenarios_that_rank_the_unit(patchy):
    panel, rc = patchy
    run = run_sensitivity(FLAT, panel, rc, samples=300, seed=2)
    t = interval_table(run)
    assert list(t.columns)[-1] == "share_ranked" and list(t.columns)[:9] == [
        "unit", "year", "nominal_rank", "mean_rank", "median_rank", "p05", "p95", "p_top_k",
        "p_bottom_k"]
    spec = run.spec
    drop = [f.name for f in spec.factors].index("drop_indicator")
    dropped_x1 = sum(c for g, c in enumerate(run.group_counts)
                     if spec.factor("drop_indicator").choices[
                         np.unravel_index(g, spec.sizes)[drop]].indicator == "x1")
    u00 = t[t["unit"] == "U00"].iloc[0]
    assert 0 < dropped_x1 < 300
    assert u00["share_ranked"] == (300 - dropped_x1) / 300
    assert (t.loc[t["unit"] != "U00", "share_ranked"] == 1).all()
    notes = interval_notes(t)
    assert len(notes) == 1 and "U00 2023" in notes[0] and "share_ranked < 1" in notes[0]


def test_sobol_leaves_out_units_unranked_in_some_scenarios(patchy):
    panel, rc = patchy
    with run_sensitivity(FLAT, panel, rc, samples=64, seed=2, sobol=True) as run:
        table, notes = sobol_table(run)
    assert "U00" not in set(table["target"])
    assert set(table["target"]) == {"mean_rank_shift"} | {f"U{u:02d}" for u in range(1, 20)}
    assert any("left out of sobol.csv" in n and "U00" in n for n in notes)


# -- 3. progress of the set-up -------------------------------------------------------------
class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_set_up_progress_is_reported_before_the_scenarios():
    panel = panel_for(TREE, units=20)
    rc = recipe(uncertainty={"weights": {"perturb": 0.2}, "normalise": ["min_max", "rank"],
                             "weight_methods": ["entropy", "equal"]})
    events = []
    run_sensitivity(TREE, panel, rc, samples=100, seed=1,
                    setup_progress=lambda d, t: events.append(("setup", d, t)),
                    progress=lambda n, t: events.append(("scenarios", n, t)))
    setup = [e for e in events if e[0] == "setup"]
    # the 4 listed alternatives each checked alone, then 4 groups checked and built
    total = setup[0][2]
    assert total == 4 + 2 * 4
    assert [d for _, d, _ in setup] == list(range(total + 1))
    last_setup = max(i for i, e in enumerate(events) if e[0] == "setup")
    assert all(e[0] == "scenarios" for e in events[last_setup + 1:])
    assert sum(n for kind, n, _ in events if kind == "scenarios") == 100


def test_the_progress_bar_shows_both_phases_on_a_terminal_only():
    from evaluator.cli.sensitivity import _ProgressBar
    tty = FakeTerminal()
    bar = _ProgressBar(stream=tty, delay=0)
    bar.setup(0, 12)
    bar.setup(6, 12)
    bar(500, 1000)
    bar.close()
    bar.status("computing Sobol indices …")
    text = tty.getvalue()
    assert "building groups of choices" in text and "scenarios" in text
    assert "computing Sobol indices" in text
    plain = io.StringIO()
    quiet = _ProgressBar(stream=plain, delay=0)
    quiet.setup(3, 12)
    quiet(500, 1000)
    quiet.close()
    quiet.status("computing Sobol indices …")
    assert plain.getvalue() == ""


# -- 4. samples.npz ------------------------------------------------------------------------
@pytest.mark.parametrize("weights", [{"perturb": 0.4}, {"dirichlet": 30}])
def test_samples_file_rebuilds_the_weights_the_engine_scored(tmp_path, weights):
    panel = panel_for(TREE, units=20)
    rc = recipe(uncertainty={"weights": weights, "normalise": ["min_max", "rank"],
                             "drop_indicator": ["x1", "x4"]})
    path = tmp_path / "samples.npz"
    run = run_sensitivity(TREE, panel, rc, samples=400, seed=6, samples_path=path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["samples.npz"]   # no temporaries
    saved = np.load(path)
    legend = json.loads(str(saved["legend"]))
    n_groups = int(np.prod(run.spec.sizes))
    assert set(saved.files) == {"codes", "weight_draws", "nominal_weights", "legend"}
    assert saved["codes"].dtype == np.uint8 and saved["codes"].shape == (400, 5)
    assert saved["weight_draws"].dtype == np.float32
    assert saved["weight_draws"].shape == (400, len(run.design.edges))
    assert saved["nominal_weights"].shape == (n_groups, len(run.design.edges))
    assert legend["sizes"] == list(run.spec.sizes) and legend["weights"] == next(iter(weights))
    assert path.stat().st_size < 400 * (4 * len(run.design.edges) + 5) + 8192   # compact
    # the engine's own scenarios: same sampler, same seed
    chunk = next(run.sampler.chunks())
    assert np.array_equal(saved["weight_draws"].astype(np.float64), chunk.draws)
    assert np.array_equal(saved["codes"], chunk.codes)
    picks = [0, 1, 57, 199, 398]
    rebuilt = sampled_weights(path, picks)
    plans = run.design.plan_list()
    for row, s in enumerate(picks):
        plan = plans[int(run.design.group_index(chunk.codes[s:s + 1])[0])]
        for node in plan.nodes:
            if node.edges[0] < 0:
                continue
            engine = plan.local_weights(node, chunk.draws[s:s + 1])[0]
            assert np.array_equal(rebuilt[row, node.edges], engine)
    # an edge left out of the group weighs nothing
    dropped = run.spec.factor("drop_indicator").choices[1].indicator
    edge = [c for _, c in run.design.edges].index(dropped)
    drop_col = [f.name for f in run.spec.factors].index("drop_indicator")
    rows = np.flatnonzero(saved["codes"][:, drop_col] == 1)
    assert len(rows) and (sampled_weights(path, rows)[:, edge] == 0).all()


# -- 5. the output folder ------------------------------------------------------------------
@pytest.fixture
def cli_files(tmp_path):
    import yaml
    panel = panel_for(TREE, units=12)
    fw_path = tmp_path / "tree.yaml"
    fw_path.write_text(yaml.safe_dump(TREE.to_dict(), allow_unicode=True), encoding="utf-8")
    data = tmp_path / "panel.csv"
    panel.data.to_csv(data, index=False)

    def write_recipe(uncertainty, name="recipe.yaml") -> str:
        path = tmp_path / name
        path.write_text(yaml.safe_dump({"weights": {"indicators": "entropy", "nodes": "equal"},
                                        "uncertainty": uncertainty}), encoding="utf-8")
        return str(path)
    return tmp_path, ["-f", str(fw_path), "-d", str(data)], write_recipe


def invoke(args):
    from evaluator.cli.sensitivity import sensitivity
    return CliRunner().invoke(sensitivity, args)


@pytest.mark.parametrize("uncertainty, extra, message", [
    ({"weights": {"perturb": 0.2}}, ["--samples", "1"], "too few"),
    ({"weights": {"perturb": 0.2}}, ["--sobol"], "two or more uncertain factors"),
    ({"weights": {"perturb": 0.2}}, ["--top-k", "12", "--save-samples"], "top k = 12"),
    ({"weights": {"dirichlet": 0.01}}, ["--save-samples"], "too small a concentration"),
])
def test_a_failed_check_leaves_no_new_folder(cli_files, uncertainty, extra, message):
    tmp, base, write_recipe = cli_files
    out = tmp / "new" / "out"
    res = invoke([*base, "-r", write_recipe(uncertainty), "--samples", "64", "--out", str(out),
                  *extra])
    assert res.exit_code == 2, res.output
    assert message in res.output and not (tmp / "new").exists()


def test_a_rerun_removes_the_outputs_it_does_not_write(cli_files):
    tmp, base, write_recipe = cli_files
    out = tmp / "out"
    rc = write_recipe({"weights": {"perturb": 0.2}, "normalise": ["min_max", "rank"]})
    first = invoke([*base, "-r", rc, "--samples", "64", "--sobol", "--save-samples",
                    "--out", str(out)])
    assert first.exit_code == 0, first.output
    (out / "my_notes.txt").write_text("kept", encoding="utf-8")
    assert {p.name for p in out.iterdir()} == {"rank_intervals.csv", "sobol.csv",
                                              "sensitivity.json", "samples.npz",
                                              "manifest.json", "my_notes.txt"}
    second = invoke([*base, "-r", rc, "--samples", "100", "--out", str(out)])
    assert second.exit_code == 0, second.output
    assert {p.name for p in out.iterdir()} == {"rank_intervals.csv", "sensitivity.json",
                                              "manifest.json", "my_notes.txt"}
    assert json.loads((out / "sensitivity.json").read_text(encoding="utf-8"))["samples"] == 100


# -- 6. too small a Dirichlet concentration ------------------------------------------------
def test_a_tiny_dirichlet_concentration_is_refused_when_parsed():
    rc = Recipe.from_dict({"uncertainty": {"weights": {"dirichlet": 0.01}}},
                          source="recipe.yaml")
    with pytest.raises(RecipeError) as info:
        parse_uncertainty(rc, TREE)
    text = str(info.value)
    assert "recipe.yaml: uncertainty.weights.dirichlet" in text
    assert "too small a concentration" in text and "dirichlet: 1 or more" in text


def test_a_concentration_too_small_for_the_smallest_weight_fails_before_sampling():
    """1/3 (the bound known from the framework) passes, the real smallest weight does
    not: refused after the groups are built, before any scenario."""
    panel = panel_for(TREE, units=20)
    rc = recipe(weights={"indicators": {"method": "fixed", "values": {
        "x1": 1, "x2": 1, "x3": 0.001, "x4": 1, "x5": 1}}, "nodes": "equal"},
        uncertainty={"weights": {"dirichlet": 2}})
    parse_uncertainty(rc, TREE)
    seen = []
    with pytest.raises(RecipeError, match="too small a concentration") as info:
        run_sensitivity(TREE, panel, rc, samples=100, progress=lambda n, t: seen.append(n))
    assert seen == [] and "dirichlet: 101 or more" in str(info.value)


# -- 7. the bound on k ---------------------------------------------------------------------
def test_top_k_must_be_below_the_units_scored_in_each_year(cli_files):
    panel = panel_for(TREE, units=12)
    rc = recipe(uncertainty={"weights": {"perturb": 0.2}})
    with pytest.raises(RecipeError, match="top k = 12 is not smaller than the 12 unit"):
        run_sensitivity(TREE, panel, rc, samples=10, top_k=12)
    assert run_sensitivity(TREE, panel, rc, samples=10, top_k=11).top_k == 11
    tmp, base, write_recipe = cli_files
    res = invoke([*base, "-r", write_recipe({"weights": {"perturb": 0.2}}), "--top-k", "40"])
    assert res.exit_code == 2 and "choose k < 12" in res.output


def test_the_default_k_only_notes_a_year_with_too_few_units():
    """The alert rule's k = 3 with a year of 3 units: a note, not an error."""
    from evaluator.sensitivity.analyse import run_summary
    panel = panel_for(TREE, units=12)
    data = panel.data
    small = data[(data["year"] == 2023) | (data["unit"].isin(["U00", "U01", "U02"]))]
    rc = recipe(uncertainty={"weights": {"perturb": 0.2}})
    run = run_sensitivity(TREE, Panel.from_frame(small.reset_index(drop=True), TREE), rc,
                          samples=20)
    notes = run_summary(run)["notes"]
    assert any(n.startswith("2022: k = 3") for n in notes)


# -- 8. Sobol indices through the engine's own path ----------------------------------------
def test_sobol_through_the_engine_a_factor_without_effect_gets_zero():
    """Leaving out an indicator of weight 0 changes no score: its S1 and ST are exactly 0
    for every target, and the weights, the only other factor, explain all the variance
    (S1 = ST = 1 up to the estimator's error; Saltelli et al. 2010, Table 2 estimators)."""
    panel = panel_for(FLAT, units=20, years=(2023,))
    rc = Recipe.from_dict({"weights": {"indicators": {"method": "fixed", "values": {
        "x0": 1, "x1": 2, "x2": 1, "x3": 1, "x4": 3, "x5": 0}}},
        "uncertainty": {"weights": {"perturb": 0.5}, "drop_indicator": ["x5"]}})
    with run_sensitivity(FLAT, panel, rc, samples=512, seed=3, sobol=True) as run:
        table, _ = sobol_table(run)
    null = table[table["factor"] == "drop_indicator"]
    assert (null[["S1", "S1_conf", "ST", "ST_conf"]].to_numpy() == 0).all()
    weights = table[table["factor"] == "weights"].set_index("target")
    shift = weights.loc["mean_rank_shift"]
    assert abs(shift["S1"] - 1) <= shift["S1_conf"] + 0.05
    assert abs(shift["ST"] - 1) <= shift["ST_conf"] + 0.05
    moving = weights[weights["ST"] > 0]
    assert len(moving) >= 10
    assert abs(moving["S1"].median() - 1) < 0.05 and abs(moving["ST"].median() - 1) < 0.05


def test_ishigami_through_our_sampler_and_estimator():
    """The Ishigami function (a = 7, b = 0.1; S1 = 0.3139, 0.4424, 0; ST = 0.5576,
    0.4424, 0.2437: Saltelli et al. 2008, Global Sensitivity Analysis: The Primer, §4.9)
    evaluated on the scenarios of our Sampler — x1 from a weight multiplier, x2 and x3
    from two discrete factors of 4,096 alternatives (mid-points) — and analysed by
    sobol_indices in the order the Sampler yields them."""
    K = 4096
    many = tuple(Choice(str(i), section={"method": "min_max"}) for i in range(K))
    spec = UncertaintySpec("perturb", 0.5, (
        Factor("impute", (Choice("recipe"),)), Factor("normalise", many),
        Factor("weight_method", (Choice("recipe"),)), Factor("aggregate", many),
        Factor("drop_indicator", (Choice("none"),))))
    sampler = Sampler(spec, 1, 4096, 11, sobol=True)
    assert list(dict.fromkeys(sampler.problem["groups"])) == ["weights", "normalise",
                                                              "aggregate"]
    parts = []
    for chunk in sampler.chunks():
        u1 = chunk.draws[:, 0] - 0.5                      # multiplier 1 − f + 2f·u, f = ½
        x1 = -np.pi + 2 * np.pi * u1
        x2 = -np.pi + 2 * np.pi * (chunk.codes[:, 1] + 0.5) / K
        x3 = -np.pi + 2 * np.pi * (chunk.codes[:, 3] + 0.5) / K
        parts.append(np.sin(x1) + 7 * np.sin(x2) ** 2 + 0.1 * x3 ** 4 * np.sin(x1))
    Y = np.concatenate(parts)
    assert len(Y) == sampler.total == 4096 * 5
    got = sobol_indices(Y, 3, seed=2)
    s1_true, st_true = np.array([0.3139, 0.4424, 0.0]), np.array([0.5576, 0.4424, 0.2437])
    assert np.all(np.abs(got["S1"][:, 0] - s1_true) <= got["S1_conf"][:, 0] + 0.01)
    assert np.all(np.abs(got["ST"][:, 0] - st_true) <= got["ST_conf"][:, 0] + 0.01)
    assert np.all(got["ST"][:, 0] + got["ST_conf"][:, 0] >= got["S1"][:, 0] - got["S1_conf"][:, 0])


# -- 9. traceability -----------------------------------------------------------------------
def test_sensitivity_json_records_recipe_inputs_and_version(cli_files):
    from evaluator import __version__
    tmp, base, write_recipe = cli_files
    rc = write_recipe({"weights": {"perturb": 0.2}})
    res = invoke([*base, "-r", rc, "--samples", "50", "--out", str(tmp / "o")])
    assert res.exit_code == 0, res.output
    summary = json.loads((tmp / "o" / "sensitivity.json").read_text(encoding="utf-8"))
    assert summary["version"] == __version__ and summary["tool"] == "evaluator"
    assert summary["recipe"]["weights"]["indicators"]["method"] == "entropy"
    assert summary["recipe"]["uncertainty"] == {"weights": {"perturb": 0.2}}
    for key, path in (("framework", tmp / "tree.yaml"), ("data", tmp / "panel.csv"),
                      ("recipe", tmp / "recipe.yaml")):
        assert summary["inputs"][key]["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
