"""Aggregation and ranking, against independent computations (scipy, pandas) and
property tests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy.stats import gmean

from evaluator.errors import MethodError
from evaluator.methods.aggregate import effective_shares, geometric, weighted_sum
from evaluator.methods.ranking import competition_rank, rank_change

values = arrays(float, st.tuples(st.integers(2, 12), st.integers(1, 6)),
                elements=st.floats(0, 100, allow_nan=False))


def test_weighted_sum_skips_missing_and_renormalises():
    V = np.array([[10.0, 20.0, 30.0], [10.0, np.nan, 30.0], [np.nan] * 3])
    w = np.array([0.5, 0.25, 0.25])
    out = weighted_sum(V, w)
    assert out[0] == pytest.approx(17.5)
    assert out[1] == pytest.approx((5 + 7.5) / 0.75)
    assert np.isnan(out[2])
    # HDI-style: all children required
    assert np.isnan(weighted_sum(V, w, min_coverage=1.0)[1])


def test_geometric_matches_scipy_weighted_gmean():
    rng = np.random.default_rng(1)
    V = rng.uniform(0.1, 1, (20, 4))
    w = rng.uniform(0.1, 1, 4)
    assert np.allclose(geometric(V, w), gmean(V, axis=1, weights=np.tile(w, (20, 1))),
                       rtol=1e-12)


def test_geometric_of_zero_is_an_error_suggesting_a_floor():
    V = np.array([[0.0, 1.0], [0.5, 0.5]])
    with pytest.raises(MethodError, match="floor"):
        geometric(V, np.array([0.5, 0.5]), names=["a", "b"], row_labels=["X 2020", "Y 2020"])
    out = geometric(V, np.array([0.5, 0.5]), floor=0.01)
    assert out[0] == pytest.approx(np.sqrt(0.01))


@settings(max_examples=60, deadline=None)
@given(values, st.integers(0, 10_000))
def test_batch_equals_one_by_one(V, seed):
    rng = np.random.default_rng(seed)
    W = rng.dirichlet(np.ones(V.shape[1]), size=5)
    batch = weighted_sum(V, W)
    for s in range(5):
        assert np.allclose(batch[:, s], weighted_sum(V, W[s]), rtol=1e-12, atol=1e-12)
    Vp = V + 1.0
    gb = geometric(Vp, W)
    for s in range(5):
        assert np.allclose(gb[:, s], geometric(Vp, W[s]), rtol=1e-12)


@settings(max_examples=60, deadline=None)
@given(values, st.integers(0, 10_000), st.floats(0.1, 50))
def test_scores_in_range_and_monotone(V, seed, bump):
    rng = np.random.default_rng(seed)
    w = rng.dirichlet(np.ones(V.shape[1]))
    s = weighted_sum(V, w)
    assert np.all(s >= V.min(axis=1) - 1e-9) and np.all(s <= V.max(axis=1) + 1e-9)
    j = int(rng.integers(V.shape[1]))
    V2 = V.copy()
    V2[0, j] += bump
    assert weighted_sum(V2, w)[0] >= s[0] - 1e-12


@settings(max_examples=40, deadline=None)
@given(values, st.integers(0, 10_000))
def test_effective_shares_decompose_the_weighted_sum(V, seed):
    rng = np.random.default_rng(seed)
    V = V.copy()
    V[rng.random(V.shape) < 0.2] = np.nan
    w = rng.dirichlet(np.ones(V.shape[1]))
    shares = effective_shares(V, w)
    s = weighted_sum(V, w)
    ok = ~np.isnan(s)
    assert np.allclose((shares * np.nan_to_num(V)).sum(axis=1)[ok], s[ok])


def test_competition_rank_matches_pandas_min_method():
    rng = np.random.default_rng(3)
    x = rng.integers(0, 5, 40).astype(float)
    x[[3, 7]] = np.nan
    years = np.repeat([2020, 2021], 20)
    ours = competition_rank(x, years)
    theirs = pd.Series(x).groupby(years).rank(method="min", ascending=False).to_numpy()
    assert np.array_equal(np.isnan(ours), np.isnan(theirs))
    assert np.array_equal(ours[~np.isnan(ours)], theirs[~np.isnan(theirs)])


def test_ties_after_rounding_share_the_best_rank():
    x = np.array([0.7894, 0.7886, 0.7891, 0.5])
    assert competition_rank(x, decimals=3).tolist() == [1, 1, 1, 4]
    assert competition_rank(x).tolist() == [1, 3, 2, 4]


def test_rank_change_against_previous_year():
    units = np.array(["a", "b", "a", "b"])
    years = np.array([2020, 2020, 2021, 2021])
    ranks = np.array([1.0, 2.0, 2.0, 1.0])
    out = rank_change(ranks, units, years)
    assert np.isnan(out[0]) and np.isnan(out[1])
    assert out[2] == -1 and out[3] == 1


@settings(max_examples=40, deadline=None)
@given(values, st.integers(0, 10_000))
def test_permuting_units_only_permutes_ranks(V, seed):
    x = V[:, 0]
    perm = np.random.default_rng(seed).permutation(len(x))
    assert np.array_equal(competition_rank(x)[perm], competition_rank(x[perm]))
