"""The groups of discrete choices are set up sharing work (issue 11): one recipe per
combination of the other choices, each parent's weights computed once per data and
weighting method. Every group must still be exactly what the pipeline's own tree step
gives for that group's recipe and framework."""
from __future__ import annotations

import dataclasses
from itertools import product

import numpy as np

from evaluator.model.framework import ROOT
from evaluator.sensitivity.design import build_design
from evaluator.sensitivity.spec import parse_uncertainty, recipe_with
from evaluator.stages.tree import aggregate_tree

from test_sensitivity import TREE, panel_for, recipe

README_LIKE = {"weights": {"perturb": 0.2},
               "weight_methods": ["entropy", "critic", "equal"],
               "normalise": ["min_max", "rank"],
               "aggregate": ["weighted_sum", {"method": "geometric", "floor": 0.01}],
               "impute": ["mean", "linear"], "drop_indicator": True}


def test_every_group_equals_the_pipelines_tree_for_its_choices_bit_for_bit():
    panel = panel_for(TREE, seed=11, units=25, missing=0.05)
    rc = recipe(uncertainty=README_LIKE)
    spec = parse_uncertainty(rc, TREE)
    design = build_design(TREE, panel, rc, spec)
    assert len(design.plans) == int(np.prod(spec.sizes)) == 3 * 2 * 2 * 2 * 6
    ids = list(TREE.indicator_ids)
    labels = np.array([f"{u} {y}" for u, y in zip(design.nominal.units, design.nominal.years)],
                      dtype=object)
    data = {}
    for codes in product(*[range(s) for s in spec.sizes]):
        sections, dropped = {}, None
        for f, c in zip(spec.factors, codes):
            if f.name == "drop_indicator":
                dropped = f.choices[c].indicator
            else:
                sections[f.name] = f.choices[c].section
        rc_group = recipe_with(rc, sections)
        key = (codes[0], codes[1])   # impute, normalise
        if key not in data:
            from evaluator.evaluate import evaluate
            run = evaluate(TREE, panel, rc_group)
            data[key] = (run.stages["normalised"], run.stages["prepared"])
        Z, X = data[key]
        cols = [j for j, i in enumerate(ids) if i != dropped]
        fw = dataclasses.replace(TREE, indicators=tuple(i for i in TREE.indicators
                                                        if i.id != dropped))
        blocks = design.nominal.years if rc_group.normalise["scope"] == "per_year" else None
        scores, local, method_of, _ = aggregate_tree(
            fw, rc_group, Z[:, cols], X[:, cols], [ids[j] for j in cols], labels, None,
            blocks, [])
        plan = design.plans[codes]
        assert plan.labels["weight_method"] == spec.factors[2].choices[codes[2]].label
        for node in plan.nodes:
            assert node.children == list(local[node.name].children)
            assert np.array_equal(node.weights, local[node.name].weights)
            assert node.how == method_of[node.name]
        assert np.array_equal(plan.nominal, scores[ROOT][design.rows], equal_nan=True)


def test_leaving_out_an_indicator_keeps_the_weights_of_the_other_parents():
    panel = panel_for(TREE, seed=12, units=15)
    rc = recipe(uncertainty={"weight_methods": ["entropy", "equal"], "drop_indicator": True})
    spec = parse_uncertainty(rc, TREE)
    design = build_design(TREE, panel, rc, spec)
    weights = {codes: design.edge_weights[codes] for codes in design.plans}
    # leaving out x4 (under b) keeps the weights of a's children as with nothing left out
    names = [c.label for c in spec.factors[-1].choices]
    none, x4 = names.index("none"), names.index("x4")
    a_edges = [i for i, (p, _) in enumerate(design.edges) if p == "a"]
    methods = set()
    for m in range(spec.sizes[2]):
        kept, left_out = (0, 0, m, 0, none), (0, 0, m, 0, x4)
        assert np.array_equal(weights[kept][a_edges], weights[left_out][a_edges])
        assert not np.array_equal(weights[kept], weights[left_out])
        methods.add(design.plans[kept].labels["weight_method"])
    assert methods == {"entropy", "equal"}


def test_the_data_stages_alone_give_the_pipelines_prepared_and_normalised_data():
    from evaluator.evaluate import evaluate, prepare
    panel = panel_for(TREE, seed=13, units=20, missing=0.1)
    for sections in ({}, {"impute": {"method": "mean"}, "normalise": {"method": "rank"}},
                     {"screen": {"drop_indicators": ["x5"]}}):
        rc = recipe(**sections)
        full, run = evaluate(TREE, panel, rc), prepare(TREE, panel, rc)
        assert run.ids == full.ids
        assert np.array_equal(run.units, full.units) and np.array_equal(run.years, full.years)
        for stage in ("prepared", "normalised"):
            assert np.array_equal(run.stages[stage], full.stages[stage], equal_nan=True)


def test_groups_on_the_same_data_share_their_prepared_indicator_columns():
    panel = panel_for(TREE, seed=14, units=20, missing=0.05)
    rc = recipe(uncertainty={"weights": {"perturb": 0.3},
                             "weight_methods": ["entropy", "critic", "equal"],
                             "aggregate": [{"method": "geometric", "floor": 0.01}]})
    spec = parse_uncertainty(rc, TREE)
    design = build_design(TREE, panel, rc, spec)
    draws = np.random.default_rng(2).uniform(0.7, 1.3, (16, len(design.edges)))
    plans = list(design.plans.values())
    assert len(plans) == 3 and all(p.shared is plans[0].shared for p in plans)
    assert all(p.logs is None for p in plans)      # missing values: node by node
    for plan in plans:
        alone = dataclasses.replace(plan, shared=None, _prepared={})
        assert np.array_equal(plan.batched(draws), alone.batched(draws), equal_nan=True)
    # the indicator columns of a and b prepared once for the three weighting methods
    assert sum(1 for v in plans[0].shared.values() if v) == 2


def test_a_tree_of_one_geometric_mean_is_exp_of_one_product_of_logs():
    """README example's geometric groups: min–max zeros raised to the floor, every node
    the same geometric mean: the composite exp(G · log Zᵀ) equals the node-by-node
    formula up to rounding, and ranks the same."""
    from evaluator.sensitivity.ranks import competition_ranks
    panel = panel_for(TREE, seed=15, units=60)
    rc = recipe(uncertainty=README_LIKE)
    spec = parse_uncertainty(rc, TREE)
    design = build_design(TREE, panel, rc, spec)
    draws = np.random.default_rng(3).uniform(0.8, 1.2, (500, len(design.edges)))
    geometric = [p for p in design.plans.values() if p.nodes[-1].how["method"] == "geometric"]
    summed = [p for p in design.plans.values() if p.nodes[-1].how["method"] != "geometric"]
    assert len(geometric) == len(summed) == len(design.plans) // 2
    assert all(p.logs is not None and p.filled is None for p in geometric)
    assert all(p.logs is None and p.filled is not None for p in summed)
    assert (np.asarray(geometric[0].data) == 0).any()       # the floor has work to do
    for plan in geometric:
        fast = plan.batched(draws)
        slow = dataclasses.replace(plan, logs=None, _prepared={}).batched(draws)
        np.testing.assert_allclose(fast, slow, rtol=1e-13, atol=0)
        for a, b in design.blocks[0][1:], design.blocks[1][1:]:
            assert np.array_equal(competition_ranks(fast[:, a:b], design.rtol),
                                  competition_ranks(slow[:, a:b], design.rtol))


def test_a_tree_of_geometric_means_with_a_gap_or_other_parameters_goes_node_by_node():
    panel = panel_for(TREE, seed=16, units=20)
    for aggregate in ({"method": "geometric", "floor": 0.01,
                       "by_node": {"index": {"method": "geometric"}}},
                      {"method": "weighted_sum", "by_node": {"index": {"method": "geometric"}}}):
        rc = recipe(aggregate=aggregate, uncertainty={"weights": {"perturb": 0.2}})
        design = build_design(TREE, panel, rc, parse_uncertainty(rc, TREE))
        assert all(p.logs is None for p in design.plans.values())


def test_one_scenario_after_another_is_scored_with_its_own_weights():
    """A batch of one scenario makes every child a single column, as indicator columns
    are: the node must not keep what it prepared from one batch's children for the next
    (it did: every later one-scenario batch of the group got the first one's scores)."""
    panel = panel_for(TREE, seed=17, units=20)
    rc = recipe(aggregate={"method": "weighted_sum",
                           "by_node": {"index": {"method": "geometric"}}},
                uncertainty={"weights": {"perturb": 0.4}})
    design = build_design(TREE, panel, rc, parse_uncertainty(rc, TREE))
    plan = next(iter(design.plans.values()))
    assert plan.filled is None and plan.logs is None       # node by node
    draws = np.random.default_rng(4).uniform(0.6, 1.4, (3, len(design.edges)))
    together = plan.batched(draws)
    nominal = plan.batched(None)             # as the design's check does first
    np.testing.assert_allclose(nominal[0], design.plans[next(iter(design.plans))].nominal,
                               rtol=1e-12)
    for s in range(3):
        np.testing.assert_allclose(plan.batched(draws[s:s + 1])[0], together[s], rtol=1e-12)
