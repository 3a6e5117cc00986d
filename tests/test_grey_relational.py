"""Grey relational analysis against a published worked example.

Yıldırım, B.F. & Önder, E. (eds.) (2015). İşletmeciler, Mühendisler ve Yöneticiler için
Operasyonel, Yönetsel ve Stratejik Problemlerin Çözümünde Çok Kriterli Karar Verme
Yöntemleri, 2nd ed., Dora, ISBN 978-605-9929-44-8 — GRA example of 5 candidates × 6
criteria (directions min, max, min, max, max, min; weights .05 .20 .10 .15 .10 .40;
ζ = 0.5), reproduced with its grades (0.525, 0.7007142857, 0.5464285714, 0.5762820513,
0.6509523810) in the documentation of the JMcDM Julia package (Satman, Altunkaynak &
Özkan 2021, `grey`). The example min–max normalises with the directions first; ours
expects normalised, benefit-oriented data, so the test normalises before the call.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import MethodError
from evaluator.methods.grey_relational import grey_relational

CANDIDATES = np.array([
    [105000.0, 105, 10, 4, 300, 10],
    [120000.0, 110, 15, 4, 500, 8],
    [150000.0, 120, 12, 3, 550, 12],
    [115000.0, 105, 20, 4, 600, 9],
    [135000.0, 115, 15, 5, 400, 9],
])
BENEFIT = np.array([False, True, False, True, True, False])
WEIGHTS = np.array([0.05, 0.20, 0.10, 0.15, 0.10, 0.40])


def min_max_benefit(X, benefit):
    low, high = X.min(axis=0), X.max(axis=0)
    return np.where(benefit, (X - low) / (high - low), (high - X) / (high - low))


def test_published_example_grades():
    Z = min_max_benefit(CANDIDATES, BENEFIT)
    result = grey_relational(Z, WEIGHTS, rho=0.5)
    expected = [0.525, 0.7007142857142857, 0.5464285714285715, 0.5762820512820512, 0.650952380952381]
    assert np.allclose(result.grade, expected, rtol=0, atol=1e-12)
    assert int(np.argmax(result.grade)) == 1
    assert result.reference == pytest.approx(np.ones(6))
    assert (result.delta_min, result.delta_max) == (0.0, 1.0)


def test_coefficients_follow_deng_formula():
    Z = min_max_benefit(CANDIDATES, BENEFIT)
    result = grey_relational(Z, WEIGHTS, rho=0.3)
    delta = np.abs(Z.max(axis=0) - Z)
    expected = (delta.min() + 0.3 * delta.max()) / (delta + 0.3 * delta.max())
    assert np.allclose(result.coefficients, expected)


def test_explicit_reference_sequence():
    Z = np.array([[0.2, 0.4], [0.6, 0.8], [1.0, 0.0]])
    result = grey_relational(Z, [0.5, 0.5], reference=[1.0, 1.0])
    delta = np.abs(1.0 - Z)
    assert np.allclose(result.coefficients, (delta.min() + 0.5 * delta.max()) / (delta + 0.5 * delta.max()))


def test_constant_column_gets_coefficient_one():
    Z = np.array([[0.2, 0.5], [0.9, 0.5], [0.4, 0.5]])
    result = grey_relational(Z, [0.5, 0.5])
    assert np.all(result.coefficients[:, 1] == 1.0)


def test_all_units_identical_gives_coefficients_one_not_nan():
    result = grey_relational(np.full((3, 2), 0.7), [0.5, 0.5])
    assert np.all(result.coefficients == 1.0) and np.all(result.grade == 1.0)


def test_batch_weights():
    Z = min_max_benefit(CANDIDATES, BENEFIT)
    W = np.vstack([WEIGHTS, np.full(6, 1 / 6)])
    result = grey_relational(Z, W)
    assert result.grade.shape == (5, 2)
    assert np.allclose(result.grade[:, 1], result.coefficients.mean(axis=1))


@pytest.mark.parametrize("kwargs, message", [({"rho": 0}, "rho"), ({"rho": 1.5}, "rho"),
                                             ({"reference": "mean"}, "reference"),
                                             ({"reference": [1.0]}, "reference")])
def test_bad_parameters(kwargs, message):
    with pytest.raises(MethodError, match=message):
        grey_relational(np.eye(3), np.ones(3), **kwargs)


def test_nan_names_the_cell():
    Z = np.eye(3)
    Z[1, 2] = np.nan
    with pytest.raises(MethodError, match="unit row 2, indicator column 3"):
        grey_relational(Z, np.ones(3))


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 8).flatmap(lambda n: st.integers(1, 5).flatmap(
    lambda m: arrays(float, (n, m), elements=st.floats(0, 1)))), st.data())
def test_grades_in_unit_interval_and_batch_equals_one_by_one(Z, data):
    m = Z.shape[1]
    W = np.array(data.draw(st.lists(st.lists(st.floats(0.01, 1.0), min_size=m, max_size=m),
                                    min_size=1, max_size=3)))
    batch = grey_relational(Z, W)
    assert np.all(batch.coefficients > 0) and np.all(batch.coefficients <= 1 + 1e-12)
    for s in range(W.shape[0]):
        assert np.allclose(batch.grade[:, s], grey_relational(Z, W[s]).grade, rtol=1e-12)
