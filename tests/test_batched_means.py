"""The batched weighted and geometric means of the sensitivity engine (issue 11: fewer
passes over the scenarios' scores) give, bit for bit, what the general formulas give —
the formulas as they stood before (kept here as the reference) — and agree with the
pipeline's own aggregation (:mod:`evaluator.methods.aggregate`) scenario by scenario."""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.errors import MethodError
from evaluator.methods import aggregate as agg
from evaluator.methods import batched
from evaluator.methods.aggregation_methods import AggregationContext


def _context(k, n, min_coverage=0.0):
    return AggregationContext([f"c{j}" for j in range(k)],
                              np.array([f"u{i} 2020" for i in range(n)]), "index",
                              "node 'index'", min_coverage, cache={})


# -- the formulas before issue 11, operation for operation --------------------------------
def reference_geometric(kids, W, min_coverage, floor):
    logs = []
    missing_rows = None
    for v in kids:
        if floor is not None:
            v = np.where(np.isnan(v), v, np.maximum(v, floor))
        bad = ~np.isnan(v) & (v <= 0)
        if bad.any():
            raise MethodError("≤ 0")
        logs.append(v)
    num = 0.0
    den = 0.0
    for i, v in enumerate(logs):
        present = ~np.isnan(v)
        w = W[:, i][None, :]
        num = num + np.where(present, np.log(np.where(present, v, 1.0)), 0.0) * w
        den = den + present * w
    ok = np.broadcast_to(den > 0, np.broadcast_shapes(np.shape(num), np.shape(den))).copy()
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if min_coverage > 0:
            ok &= den / W.sum(axis=1)[None, :] >= min_coverage - 1e-12
        out = np.where(ok, np.exp(num / np.where(ok, den, 1.0)), np.nan)
    if missing_rows is not None:
        out = np.where(missing_rows, np.nan, out)
    return out


def reference_fixed_mean(V, W, min_coverage, geometric, floor):
    if geometric and floor is not None:
        V = np.where(np.isnan(V), V, np.maximum(V, floor))
    if geometric and (~np.isnan(V) & (V <= 0)).any():
        raise MethodError("≤ 0")
    present = ~np.isnan(V)
    if geometric:
        terms = np.where(present, np.log(np.where(present, V, 1.0)), 0.0)
    else:
        terms = np.where(present, V, 0.0)
    num = terms @ W.T
    den = present.astype(float) @ W.T
    ok = den > 0
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        if min_coverage > 0:
            ok &= den / W.sum(axis=1)[None, :] >= min_coverage - 1e-12
        mean = num / np.where(ok, den, 1.0)
        return np.where(ok, np.exp(mean) if geometric else mean, np.nan)


@st.composite
def batches(draw):
    n = draw(st.integers(1, 12))
    S = draw(st.integers(2, 7))
    k = draw(st.integers(1, 5))
    seed = draw(st.integers(0, 2 ** 32 - 1))
    rng = np.random.default_rng(seed)
    varying = draw(st.lists(st.booleans(), min_size=k, max_size=k))
    kids = []
    for vary in varying:
        v = rng.uniform(0, 100, (n, S if vary else 1))
        v[rng.random(v.shape) < draw(st.sampled_from([0.0, 0.0, 0.2]))] = np.nan
        v[rng.random(v.shape) < draw(st.sampled_from([0.0, 0.0, 0.1]))] = 0.0
        kids.append(v)
    W = rng.dirichlet(np.ones(k), S)
    W[rng.random(W.shape) < draw(st.sampled_from([0.0, 0.3]))] = 0.0
    floor = draw(st.sampled_from([None, 0.01, 5.0]))
    coverage = draw(st.sampled_from([0.0, 0.5, 1.0]))
    return kids, W, floor, coverage


def _outcome(f):
    try:
        return f()
    except MethodError:
        return "error"


@settings(max_examples=300, deadline=None)
@given(batches())
def test_geometric_over_varying_children_is_the_general_formula_bit_for_bit(batch):
    kids, W, floor, coverage = batch
    if all(k.shape[1] == 1 for k in kids):   # one child at least varies with the scenario
        kids[0] = np.repeat(kids[0], W.shape[0], axis=1)
    got = _outcome(lambda: batched.geometric(kids, W, context=_context(len(kids), len(
        kids[0]), coverage), floor=floor))
    want = _outcome(lambda: reference_geometric(kids, W, coverage, floor))
    if isinstance(want, str):
        assert got == "error"
    else:
        assert np.array_equal(np.broadcast_to(got, want.shape), want, equal_nan=True)


@settings(max_examples=300, deadline=None)
@given(batches(), st.booleans())
def test_means_of_indicator_columns_are_the_general_formula_bit_for_bit(batch, geometric):
    kids, W, floor, coverage = batch
    kids = [k[:, :1] for k in kids]
    W = W[:1] if len(kids) % 2 else W     # one scenario too (the pipeline's nominal check)
    V = np.column_stack(kids)
    context = _context(len(kids), len(V), coverage)
    if geometric:
        run = lambda: batched.geometric(kids, W, context=context, floor=floor)  # noqa: E731
    else:
        run = lambda: batched.weighted_sum(kids, W, context=context)  # noqa: E731
    got = _outcome(run)
    want = _outcome(lambda: reference_fixed_mean(V, W, coverage, geometric, floor))
    if isinstance(want, str):
        assert got == "error"
    else:
        assert np.array_equal(got, want, equal_nan=True)
        again = run()                        # the prepared columns, kept in the cache
        assert np.array_equal(again, want, equal_nan=True)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("floor", [None, 0.01])
def test_batched_geometric_equals_the_pipelines_geometric_scenario_by_scenario(seed, floor):
    rng = np.random.default_rng(seed)
    n, S = 40, 9
    kids = [rng.uniform(0, 100, (n, S)), rng.uniform(0, 100, (n, 1)),
            rng.uniform(0, 100, (n, S))]
    kids[1][3] = 0.0 if floor else 7.0
    W = rng.dirichlet(np.ones(3), S)
    got = batched.geometric(kids, W, context=_context(3, n), floor=floor)
    for s in range(S):
        V = np.column_stack([k[:, min(s, k.shape[1] - 1)] for k in kids])
        np.testing.assert_allclose(got[:, s], agg.geometric(V, W[s], floor=floor),
                                   rtol=1e-13)


def test_a_value_at_or_below_zero_without_a_floor_is_still_the_named_error():
    kids = [np.full((3, 2), 50.0), np.array([[1.0, 2.0], [0.0, 3.0], [4.0, 5.0]])]
    W = np.array([[0.5, 0.5], [0.3, 0.7]])
    with pytest.raises(MethodError) as info:
        batched.geometric(kids, W, context=_context(2, 3))
    assert "c1" in str(info.value) and "u1 2020" in str(info.value)
