"""Ranks compare scores with a tolerance (issue 9): numerically equal scores tie, in the
composite, every node, indicator ranks, the alert rules and the sensitivity engine."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.errors import RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods import alerts as al
from evaluator.methods.ranking import RTOL, competition_rank, min_rank
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.sensitivity.ranks import competition_ranks, count_block


def test_numerically_equal_scores_tie():
    x = np.array([37.5, 37.49999999999999, 20.0, 37.5 + 1e-6])
    assert competition_rank(x).tolist() == [2, 2, 4, 1]
    assert competition_rank(x, rtol=0).tolist() == [2, 3, 4, 1]
    assert RTOL == 1e-9


def test_the_tolerance_is_relative_to_the_blocks_largest_score():
    # scores near 0 (z-scores): 1e-17 and -1e-17 are the same number at a scale of 2
    x = np.array([1e-17, -1e-17, 2.0, -2.0])
    assert competition_rank(x).tolist() == [2, 2, 1, 4]
    # each year has its own scale: 1e-8 apart is a tie at scale 100, not at scale 1
    x = np.array([100.0, 0.5, 0.5 + 1e-8, 1.0, 0.5, 0.5 + 1e-8])
    years = np.array([1, 1, 1, 2, 2, 2])
    assert competition_rank(x, years).tolist() == [1, 2, 2, 1, 3, 2]


def test_tolerance_keeps_nan_and_infinity():
    x = np.array([np.nan, np.inf, np.inf, 1.0, 1.0 + 1e-12])
    r = competition_rank(x)
    assert np.isnan(r[0]) and r[1:].tolist() == [1, 1, 3, 3]


def test_min_rank_batch_with_tolerance():
    X = np.array([[1.0, 5.0], [1.0 + 1e-12, 5.0], [3.0, 5.0 - 1e-13]])
    assert min_rank(X, axis=0, rtol=1e-9).tolist() == [[1, 1], [1, 1], [3, 1]]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.floats(-1e6, 1e6), min_size=1, max_size=25), st.integers(0, 10_000))
def test_permuting_units_permutes_ranks_with_tolerance(values, seed):
    x = np.array(values)
    perm = np.random.default_rng(seed).permutation(len(x))
    assert np.array_equal(competition_rank(x)[perm], competition_rank(x[perm]))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-1e3, 1e3), min_size=2, max_size=12), st.integers(0, 9))
def test_sensitivity_ranks_equal_the_pipelines(values, noise):
    """The engine's exact and packed paths rank as competition_rank does, noise and all."""
    base = np.array(values)
    rows = np.stack([base, base[::-1], base * (1 + noise * 1e-16), base + 1.0])
    expected = np.stack([competition_rank(r) for r in rows]).astype(np.int32)
    assert np.array_equal(competition_ranks(rows), expected)
    hist = np.zeros((len(base), len(base) + 1), dtype=np.int64)
    bottom = np.zeros(len(base), dtype=np.int64)
    out = count_block(rows, expected[0], hist, bottom, bottom_k=1, keep_ranks=True)
    assert np.array_equal(out.ranks, expected)


def test_the_engine_sends_near_ties_to_the_exact_path():
    rows = np.array([[37.5, 37.49999999999999, 10.0, 5.0]])
    hist = np.zeros((4, 5), dtype=np.int64)
    bottom = np.zeros(4, dtype=np.int64)
    out = count_block(rows, np.array([1, 1, 3, 4]), hist, bottom, bottom_k=1,
                      keep_ranks=True, want_shift=True)
    assert out.ranks.tolist() == [[1, 1, 3, 4]] and out.shift.tolist() == [0]
    out = count_block(rows, np.array([1, 1, 3, 4]), hist, bottom, bottom_k=1,
                      keep_ranks=True, rtol=0.0)
    assert out.ranks.tolist() == [[1, 2, 3, 4]]


def test_bottom_k_uses_the_tolerance():
    scores = np.array([9.0, 8.0, 5.0, 5.0 - 1e-14, 1.0])
    # the two 5s are one place (3rd): with k = 2 neither is in the bottom two (ranks 3, 3, 5)
    assert al.bottom_k(scores, np.zeros(5), 2).tolist() == [False] * 4 + [True]


# -- the pipeline ----------------------------------------------------------------------------
FRAMEWORK = {"id": "ties", "name": "Ties",
             "indicators": [{"id": f"x{k}", "direction": "benefit"} for k in range(4)]}
# six permutations of four values in which every column holds the smallest and the largest
# value: min-max gives each column the same scores, so every composite is the same number
PERMS = [(0, 1, 2, 3), (1, 0, 2, 3), (0, 1, 3, 2), (2, 3, 0, 1), (3, 2, 1, 0), (1, 3, 2, 0)]


def permuted_panel(values=(1.0, 2.0, 3.0, 4.0), years=(2023, 2024)):
    v = sorted(values)
    rows = [(f"U{u}", y, *(v[i] for i in p)) for y in years for u, p in enumerate(PERMS)]
    return pd.DataFrame(rows, columns=["unit", "year", *(f"x{k}" for k in range(4))])


def score(df, **rank):
    fw = Framework.from_dict(FRAMEWORK)
    recipe = {"normalise": {"method": "min_max"}, "weights": "equal",
              **({"rank": rank} if rank else {})}
    return evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(recipe))


def test_permuted_values_under_equal_weights_all_rank_first():
    a = score(permuted_panel())
    scores = a.rankings["score"].to_numpy()
    assert set(scores.tolist()) == {50.0, 49.99999999999999}   # the sums' last bit differs
    assert a.rankings["rank"].tolist() == [1] * 12
    assert a.rankings["rank_change"].dropna().tolist() == [0] * 6
    exact = score(permuted_panel(), tolerance=0)
    assert exact.rankings["rank"].max() == 4          # what issue 9 saw: 1 and 4
    assert exact.recipe.rank == {"decimals": None, "tolerance": 0.0}
    assert a.recipe.rank == {"decimals": None, "tolerance": 1e-9}


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4, allow_subnormal=False), min_size=4, max_size=4,
                unique=True), st.integers(0, 10_000))
def test_property_permutations_tie_and_unit_order_changes_nothing(values, seed):
    df = permuted_panel(values)
    a = score(df)
    assert (a.rankings["rank"] == 1).all()
    assert (a.nodes_table["rank"] == 1).all()
    order = np.random.default_rng(seed).permutation(len(df))
    b = score(df.iloc[order].reset_index(drop=True))
    pd.testing.assert_frame_equal(a.rankings, b.rankings)
    pd.testing.assert_frame_equal(a.nodes_table, b.nodes_table)


def test_rank_tolerance_is_checked():
    with pytest.raises(RecipeError, match="tolerance"):
        Recipe.from_dict({"rank": {"tolerance": -1}})
    with pytest.raises(RecipeError, match="tolerance"):
        Recipe.from_dict({"rank": {"tolerance": 0.5}})
    with pytest.raises(RecipeError, match="tolerance"):
        Recipe.from_dict({"rank": {"tolrance": 1e-9}})
