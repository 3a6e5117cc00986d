"""The sensitivity engine takes every registered aggregation through the registry: VIKOR,
RSR and fuzzy evaluation by their batched forms (all scenarios at once), a plugin's method
without one scenario by scenario. Each is checked against the pipeline re-run with every
scenario's sampled weights as fixed weights (the same check as the original methods')."""
from __future__ import annotations

import numpy as np
import pytest

from evaluator import registry
from evaluator.evaluate import evaluate
from evaluator.methods import batched
from evaluator.methods.aggregation_methods import AggregationContext
from evaluator.methods.rsr import rsr
from evaluator.methods.vikor import vikor
from evaluator.model.framework import ROOT
from evaluator.sensitivity import run_sensitivity

from test_registry import plugins  # noqa: F401  (the fixture: a real dist-info plugin)
from test_sensitivity import TREE, histogram_of, panel_for, recipe, sampled_local_weights


def pipeline_histogram(run, panel, rc, S):
    design = run.design
    ranks = []
    for local in sampled_local_weights(run, design, S):
        values = {k: v for node in local.values() for k, v in node.items()}
        fixed = {"method": "fixed", "values": values}
        result = evaluate(TREE, panel, rc.replace(weights={"indicators": fixed,
                                                            "nodes": fixed}))
        ranks.append(result.ranks[ROOT][design.analysed])
    return histogram_of(ranks, run.hist.shape[1])


@pytest.mark.parametrize("aggregate", [
    {"method": "vikor"},                                                  # every node
    {"method": "weighted_sum", "by_node": {"index": {"method": "vikor", "v": 0.3}}},
    {"method": "rsr"},
    {"method": "weighted_sum", "by_node": {"index": {"method": "rsr",
                                                     "variant": "non_integer"}}},
    {"method": "fuzzy", "thresholds": [1, 40, 70, 100]},
    {"method": "weighted_sum", "by_node": {"index": {
        "method": "fuzzy", "membership": "trapezoidal", "thresholds": [30, 60],
        "width": 5, "operator": "min_max"}}},
])
def test_new_methods_ranks_equal_the_pipeline_run_scenario_by_scenario(aggregate):
    panel = panel_for(TREE, seed=7, units=20)
    rc = recipe(normalise={"method": "min_max", "range": [1, 100]}, aggregate=aggregate,
                uncertainty={"weights": {"perturb": 0.5}})
    S = 20
    run = run_sensitivity(TREE, panel, rc, samples=S, seed=3, workers=1)
    assert np.array_equal(pipeline_histogram(run, panel, rc, S), run.hist)


def test_a_plugin_aggregation_is_scored_scenario_by_scenario(plugins):  # noqa: F811
    assert "batch" not in registry.get("aggregations", "weakest_link").extra
    panel = panel_for(TREE, seed=8, units=15)
    rc = recipe(aggregate={"method": "weighted_sum", "by_node": {
        "index": {"method": "weakest_link", "bonus": 2.0}}},
        uncertainty={"weights": {"perturb": 0.5}})
    S = 15
    run = run_sensitivity(TREE, panel, rc, samples=S, seed=4, workers=1)
    assert np.array_equal(pipeline_histogram(run, panel, rc, S), run.hist)


def test_vikor_and_alternative_aggregations_as_uncertainty_choices():
    panel = panel_for(TREE, seed=9, units=12)
    rc = recipe(uncertainty={"aggregate": ["weighted_sum", "vikor", "rsr",
                                           {"method": "fuzzy", "thresholds": [0, 50, 100]}]})
    run = run_sensitivity(TREE, panel, rc, samples=40, seed=1, workers=1)
    assert run.hist.sum() > 0 and len(run.design.plans) >= 4


def _context(n):
    return AggregationContext([f"c{j}" for j in range(3)], np.array([f"u{i} 2020"
                                                                     for i in range(n)]),
                              "index", "node 'index'")


@pytest.mark.parametrize("seed", range(5))
def test_batched_vikor_and_rsr_equal_the_methods_scenario_by_scenario(seed):
    rng = np.random.default_rng(seed)
    n, S = 9, 6
    kids = [rng.uniform(0, 1, (n, S)), rng.uniform(0, 1, (n, 1)), rng.uniform(0, 1, (n, S))]
    W = rng.dirichlet(np.ones(3), S)
    got_v = batched.vikor(kids, W, context=_context(n), v=0.4)
    got_r = batched.rsr(kids, W, context=_context(n))
    for s in range(S):
        V = np.column_stack([k[:, min(s, k.shape[1] - 1)] for k in kids])
        np.testing.assert_allclose(got_v[:, s], 1 - vikor(V, W[s], v=0.4).q, atol=1e-12)
        np.testing.assert_allclose(got_r[:, s], rsr(V, W[s]).rsr, atol=1e-12)


def test_a_method_spec_with_its_defaults_validates_again():
    """Sensitivity and the report re-read recipes: a spec with every optional parameter
    at its default (None included) must validate again unchanged."""
    from evaluator.model.recipe import Recipe
    rc = Recipe.from_dict({"aggregate": {"method": "fuzzy", "thresholds": [0, 50, 100]}})
    again = Recipe.from_dict(rc.to_dict())
    assert again.aggregate == rc.aggregate and again.aggregate["grades"] is None
