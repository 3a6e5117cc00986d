"""G1 order-relation weights and independence (multiple-correlation) weights, each checked
by an independent computation: G1 by solving its defining linear equations, independence
weights by regressing each indicator on the others with scikit-learn."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from sklearn.linear_model import LinearRegression

from evaluator.errors import MethodError, RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods.weights_g1 import g1_weights
from evaluator.methods.weights_independence import independence_weights
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe


@settings(max_examples=50, deadline=None)
@given(m=st.integers(2, 8), seed=st.integers(0, 1000))
def test_g1_solves_its_defining_equations(m, seed):
    rng = np.random.default_rng(seed)
    names = [f"x{i}" for i in range(m)]
    order = list(rng.permutation(names))
    r = rng.choice([1.0, 1.2, 1.4, 1.6, 1.8], m - 1)
    # w_(k-1) − r_k w_k = 0 for k = 2..m, Σ w = 1, in the expert's order
    A = np.zeros((m, m))
    for k in range(1, m):
        A[k - 1, k - 1], A[k - 1, k] = 1.0, -r[k - 1]
    A[-1] = 1.0
    expected = np.linalg.solve(A, np.r_[np.zeros(m - 1), 1.0])
    res = g1_weights(order, r, names)
    got = np.array([res.weights[names.index(o)] for o in order])
    np.testing.assert_allclose(got, expected, atol=1e-12)
    assert res.details["position"][names.index(order[0])] == 1


@pytest.mark.parametrize("order, problem", [
    (["a", "b"], "misses 'c'"), (["a", "b", "b", "c"], "repeats 'b'"),
    (["a", "b", "c", "z"], "names 'z'")])
def test_g1_order_that_misses_or_repeats_is_an_error(order, problem):
    with pytest.raises(MethodError, match=problem):
        g1_weights(order, [1.2] * (len(order) - 1), ["a", "b", "c"])


def test_g1_ratios_of_the_wrong_length_or_below_one():
    with pytest.raises(MethodError, match="2 adjacent ratios"):
        g1_weights(["a", "b", "c"], [1.2], ["a", "b", "c"])
    with pytest.raises(MethodError, match="≥ 1"):
        g1_weights(["a", "b", "c"], [1.2, 0.8], ["a", "b", "c"])


def test_independence_weights_match_regressions_on_the_others():
    rng = np.random.default_rng(5)
    base = rng.normal(size=(60, 2))
    Z = np.column_stack([base[:, 0], base[:, 0] + 0.5 * rng.normal(size=60),
                         base[:, 1], base @ [0.3, 0.7] + rng.normal(size=60)])
    res = independence_weights(Z)
    r2 = []
    for j in range(Z.shape[1]):
        others = np.delete(Z, j, axis=1)
        r2.append(LinearRegression().fit(others, Z[:, j]).score(others, Z[:, j]))
    np.testing.assert_allclose(res.details["r2"], r2, atol=1e-10)
    inv = 1 / np.sqrt(r2)
    np.testing.assert_allclose(res.weights, inv / inv.sum(), atol=1e-10)


def test_independence_weights_refuse_collinear_or_isolated_indicators():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(30, 2))
    with pytest.raises(MethodError, match="collinear"):
        independence_weights(np.column_stack([x, x.sum(axis=1)]))


FW = Framework.from_dict({"id": "g1", "indicators": [
    {"id": "x1"}, {"id": "x2"}, {"id": "x3"}]})


def _panel():
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"unit": [f"u{i}" for i in range(10)], "year": 2024})
    for c in ("x1", "x2", "x3"):
        df[c] = rng.uniform(1, 9, 10)
    return Panel.from_frame(df, FW)


def test_g1_from_a_recipe_and_its_errors():
    res = evaluate(FW, _panel(), {"weights": {"indicators": {
        "method": "g1", "order": ["x2", "x1", "x3"], "ratios": [1.4, 1.2]}}})
    w = dict(zip(res.weights["index"].children, res.weights["index"].weights))
    assert w["x2"] == pytest.approx(1.4 * w["x1"]) and w["x1"] == pytest.approx(1.2 * w["x3"])
    with pytest.raises(MethodError, match="misses 'x3'"):
        evaluate(FW, _panel(), {"weights": {"indicators": {
            "method": "g1", "order": ["x2", "x1"], "ratios": [1.4]}}})
    with pytest.raises(RecipeError, match="weights.indicators.ratios"):
        Recipe.from_dict({"weights": {"indicators": {"method": "g1", "order": ["x1"],
                                                     "ratios": "big"}}})


def test_independence_from_a_recipe():
    res = evaluate(FW, _panel(), {"weights": {"indicators": "independence"}})
    assert res.weights["index"].method == "independence"
    assert "r2" in res.weights["index"].details


def test_pca_spssau_weights_match_scikit_learn_components():
    from sklearn.decomposition import PCA

    from evaluator.methods.weights_pca_spssau import pca_spssau_weights

    rng = np.random.default_rng(11)
    f = rng.normal(size=(80, 2))
    Z = np.column_stack([f[:, 0] + 0.3 * rng.normal(size=80), f[:, 0] + 0.4 * rng.normal(size=80),
                         f[:, 1] + 0.3 * rng.normal(size=80), f @ [0.5, 0.5] + 0.5 * rng.normal(size=80),
                         f[:, 1] + 0.6 * rng.normal(size=80)]) + 10
    res = pca_spssau_weights(Z)
    std = (Z - Z.mean(axis=0)) / Z.std(axis=0, ddof=1)
    pca = PCA().fit(std)
    k = int((pca.explained_variance_ > 1).sum())
    u = pca.components_[:k].T
    u = u * np.where(u.sum(axis=0) < 0, -1, 1)
    v = pca.explained_variance_ratio_[:k]
    c = u @ v / v.sum()
    np.testing.assert_allclose(res.weights, c / c.sum(), atol=1e-10)
    np.testing.assert_allclose(res.details["eigenvalues"], pca.explained_variance_, atol=1e-10)
    two = pca_spssau_weights(Z, n_components=2)
    assert two.params["n_components"] == 2


def test_pca_spssau_refuses_an_indicator_against_the_components():
    from evaluator.methods.weights_pca_spssau import pca_spssau_weights

    rng = np.random.default_rng(2)
    x = rng.normal(size=60)
    Z = np.column_stack([x, x + 0.1 * rng.normal(size=60), -x + 0.1 * rng.normal(size=60)])
    with pytest.raises(MethodError, match="coefficient ≤ 0"):
        pca_spssau_weights(Z)
