"""TOPSIS against Hwang & Yoon's published example and against pymcdm.

Hwang, C.L. & Yoon, K. (1981). Multiple Attribute Decision Making, Springer LNEMS 186,
TOPSIS section — fighter-aircraft example: 4 aircraft × 6 attributes (maximum speed,
ferry range, maximum payload, acquisition cost [cost], reliability, manoeuvrability),
weights (.2, .1, .1, .1, .2, .3), vector normalisation; published weighted ideal
(.1168, .0659, .0531, .0414, .1347, .2012), S* = (.0545, .1197, .0580, .1009),
S⁻ = (.0983, .0439, .0920, .0458), C* = (.643, .268, .613, .312) — computed in the book
from 4-decimal intermediates, hence the tolerances below.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import MethodError
from evaluator.methods.topsis import topsis

AIRCRAFT = np.array([
    [2.0, 1500, 20000, 5.5, 5, 9],
    [2.5, 2700, 18000, 6.5, 3, 5],
    [1.8, 2000, 21000, 4.5, 7, 7],
    [2.2, 1800, 20000, 5.0, 5, 5],
])
AIRCRAFT_WEIGHTS = np.array([0.2, 0.1, 0.1, 0.1, 0.2, 0.3])
AIRCRAFT_TYPES = [1, 1, 1, -1, 1, 1]


def test_hwang_yoon_fighter_aircraft_example():
    result = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, types=AIRCRAFT_TYPES, normalisation="vector")
    assert result.closeness == pytest.approx([0.643, 0.268, 0.613, 0.312], abs=1e-3)
    assert result.d_plus == pytest.approx([0.0545, 0.1197, 0.0580, 0.1009], abs=2e-4)
    assert result.d_minus == pytest.approx([0.0983, 0.0439, 0.0920, 0.0458], abs=2e-4)
    assert list(np.argsort(-result.closeness)) == [0, 2, 3, 1]          # A1 > A3 > A4 > A2
    benefit = [0, 1, 2, 4, 5]
    assert result.ideal[benefit] == pytest.approx([0.1168, 0.0659, 0.0531, 0.1347, 0.2012], abs=1e-4)
    # The cost column is reversed (1 − r), so its weighted ideal is w·(1 − min r):
    assert AIRCRAFT_WEIGHTS[3] - result.ideal[3] == pytest.approx(0.0414, abs=1e-4)


@pytest.mark.parametrize("normalisation, pymcdm_name", [("vector", "vector_normalization"),
                                                         ("min_max", "minmax_normalization")])
def test_matches_pymcdm_on_random_matrices(normalisation, pymcdm_name):
    from pymcdm import normalizations
    from pymcdm.methods import TOPSIS

    reference = TOPSIS(normalization_function=getattr(normalizations, pymcdm_name))
    rng = np.random.default_rng(2024)
    for _ in range(25):
        n, m = rng.integers(2, 40), rng.integers(1, 12)
        X = rng.uniform(0.5, 100.0, (n, m))
        weights = rng.dirichlet(np.ones(m))
        types = rng.choice([-1, 1], m)
        ours = topsis(X, weights, types=types, normalisation=normalisation).closeness
        assert np.allclose(ours, reference(X, weights, types), rtol=0, atol=1e-12)


def test_min_max_equals_none_on_min_max_normalised_data():
    rng = np.random.default_rng(3)
    X = rng.uniform(0, 10, (30, 5))
    Z = (X - X.min(0)) / (X.max(0) - X.min(0))
    w = rng.dirichlet(np.ones(5))
    assert np.allclose(topsis(X, w, normalisation="min_max").closeness, topsis(Z, w, normalisation="none").closeness)


def test_none_normalisation_uses_minimum_as_ideal_for_cost_columns():
    X = np.array([[1.0, 10.0], [3.0, 30.0], [2.0, 20.0]])
    result = topsis(X, [0.5, 0.5], types=[1, -1], normalisation="none")
    assert result.ideal == pytest.approx([1.5, 5.0]) and result.anti_ideal == pytest.approx([0.5, 15.0])


def test_weight_in_root_variant():
    # Deng, Yeh & Willis (2000): D = √Σ w_j (r_ij − r_j^±)²; checked on the aircraft data.
    result = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, types=AIRCRAFT_TYPES, weight_in_root=True)
    R = AIRCRAFT / np.sqrt((AIRCRAFT ** 2).sum(0))
    best = np.where(np.array(AIRCRAFT_TYPES) > 0, R.max(0), R.min(0))
    worst = np.where(np.array(AIRCRAFT_TYPES) > 0, R.min(0), R.max(0))
    d_plus = np.sqrt(((R - best) ** 2 * AIRCRAFT_WEIGHTS).sum(1))
    d_minus = np.sqrt(((R - worst) ** 2 * AIRCRAFT_WEIGHTS).sum(1))
    assert np.allclose(result.closeness, d_minus / (d_plus + d_minus), atol=1e-14)
    assert np.allclose(result.d_plus, d_plus, atol=1e-14)


def test_batch_shapes():
    W = np.random.default_rng(1).dirichlet(np.ones(6), size=7)
    result = topsis(AIRCRAFT, W, types=AIRCRAFT_TYPES)
    assert result.closeness.shape == (4, 7) and result.d_plus.shape == (4, 7)
    assert result.ideal.shape == (7, 6) and result.normalised.shape == (4, 6)


def test_weights_are_relative():
    a = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, types=AIRCRAFT_TYPES)
    b = topsis(AIRCRAFT, AIRCRAFT_WEIGHTS * 10, types=AIRCRAFT_TYPES)
    assert np.allclose(a.closeness, b.closeness) and np.allclose(a.d_plus, b.d_plus)


def test_constant_column_does_not_change_closeness():
    X = np.column_stack([AIRCRAFT, np.full(4, 7.0)])
    w = np.append(AIRCRAFT_WEIGHTS, 0.25)
    for normalisation in ("vector", "min_max", "none"):
        with_constant = topsis(X, w, types=AIRCRAFT_TYPES + [1], normalisation=normalisation)
        assert np.all(np.isfinite(with_constant.closeness))


# ----------------------------------------------------------------------------- errors
def test_single_unit_is_an_error():
    with pytest.raises(MethodError, match="at least 2 units"):
        topsis(AIRCRAFT[:1], AIRCRAFT_WEIGHTS)


def test_nan_is_an_error_naming_the_cell():
    X = AIRCRAFT.copy()
    X[2, 4] = np.nan
    with pytest.raises(MethodError, match="unit row 3, indicator column 5"):
        topsis(X, AIRCRAFT_WEIGHTS, where="year 2024")


@pytest.mark.parametrize("weights", [[0.5, 0.5], [-0.1, 0.3, 0.2, 0.2, 0.2, 0.2], [0, 0, 0, 0, 0, 0],
                                     [np.nan, 1, 1, 1, 1, 1]])
def test_bad_weights_are_errors(weights):
    with pytest.raises(MethodError):
        topsis(AIRCRAFT, weights)


def test_bad_options_are_errors():
    with pytest.raises(MethodError, match="vector, min_max, none"):
        topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, normalisation="sum")
    with pytest.raises(MethodError, match="benefit"):
        topsis(AIRCRAFT, AIRCRAFT_WEIGHTS, types=[1, 1, 1, 0, 1, 1])


def test_all_weighted_columns_constant_is_an_error_not_nan():
    X = np.array([[1.0, 5.0], [1.0, 6.0], [1.0, 7.0]])
    with pytest.raises(MethodError, match="constant"):
        topsis(X, [1.0, 0.0])


# ----------------------------------------------------------------------------- properties
# Two-decimal values: realistic data, and no subnormal numbers whose squares underflow.
cents = st.integers(-5000, 5000).map(lambda k: k / 100)
matrices = st.integers(2, 8).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda m: arrays(float, (n, m), elements=cents)))


@settings(max_examples=80, deadline=None)
@given(matrices, st.data(), st.sampled_from(["vector", "min_max", "none"]), st.booleans())
def test_closeness_in_unit_interval_and_batch_equals_one_by_one(X, data, normalisation, in_root):
    n, m = X.shape
    if np.all(np.ptp(X, axis=0) == 0):
        return
    W = np.array(data.draw(st.lists(st.lists(st.floats(0.05, 1.0), min_size=m, max_size=m),
                                    min_size=1, max_size=4)))
    types = data.draw(st.lists(st.sampled_from([-1, 1]), min_size=m, max_size=m))
    batch = topsis(X, W, types=types, normalisation=normalisation, weight_in_root=in_root)
    assert np.all(batch.closeness >= 0) and np.all(batch.closeness <= 1)
    for s in range(W.shape[0]):
        single = topsis(X, W[s], types=types, normalisation=normalisation, weight_in_root=in_root)
        assert np.allclose(batch.closeness[:, s], single.closeness, rtol=1e-12, atol=1e-12)
        assert np.allclose(batch.d_plus[:, s], single.d_plus, rtol=1e-12, atol=1e-15)


@settings(max_examples=60, deadline=None)
@given(matrices, st.data(), st.sampled_from(["vector", "min_max", "none"]))
def test_unit_best_on_every_indicator_has_closeness_one(X, data, normalisation):
    n, m = X.shape
    types = np.array(data.draw(st.lists(st.sampled_from([-1, 1]), min_size=m, max_size=m)))
    best = np.where(types > 0, X.max(axis=0) + 1.0, X.min(axis=0) - 1.0)
    Y = np.vstack([X, best])
    w = np.array(data.draw(st.lists(st.floats(0.05, 1.0), min_size=m, max_size=m)))
    result = topsis(Y, w, types=types, normalisation=normalisation)
    assert result.closeness[-1] == pytest.approx(1.0, abs=1e-12)
