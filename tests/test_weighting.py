"""Objective and combined weights against independent sources.

- pymcdm 1.4 (entropy, CRITIC, standard deviation) and scikit-criteria 0.10 (entropy,
  CRITIC, standard deviation) on random matrices, to 1e-12; scipy.stats.variation for the
  coefficient of variation.
- Published worked examples: entropy — Xu (2004) and Zavadskas & Podvezko (2016); CRITIC —
  Tuş & Aytaç Adalı (2019); standard deviation — Sałabun, Wątróbski & Shekhovtsov (2020).
- PCA: an example whose weights follow analytically from its correlation matrix, and an
  independent implementation of the OECD/JRC Handbook steps (numpy eigh + scikit-learn's
  varimax routine) on random data.
- Game theory: two published worked examples — 侯克鹏, 王黎蝶 et al. (2021) 基于改进的
  FAHP-CRITIC法与云理论的露天矿边坡危险性评估模型, 安全与环境学报 21(6) 2443–2451,
  doi:10.13637/j.issn.1009-6094.2020.1302, §4.1.3 (FAHP w1 and CRITIC w2 of 11 slope
  indicators; w1·w1 = 0.13187272, w1·w2 = 0.07394352, w2·w2 = 0.13443172; α* = (0.4953,
  0.5047); w* = .0943 .0628 .0695 .0461 .1400 .1259 .1269 .1232 .0379 .0669 .1054) and
  苏广全, 吕海深, 朱永华, 陈庭兴, 花佳程, 基于博弈论组合赋权的洪水风险评价——以武威地区为例
  (Arid Zone Research / 干旱区研究), Table 1 (entropy and AHP weights of 7 flood
  indicators, β = (0.525, 0.475)) — and a two-component example worked by hand.
- Combination inside the pipeline: two parts of the same method keep their own details.
- Hypothesis properties: weights ≥ 0 summing to 1; row order irrelevant; permuting
  columns permutes the weights.
"""
from __future__ import annotations

import numpy as np
import pytest
from hypothesis import assume, given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import MethodError
from evaluator.methods.combine import (combine_game_theory, combine_linear,
                                       combine_multiplicative)
from evaluator.methods.weighting import (WeightResult, critic_weights, cv_weights,
                                         entropy_weights, equal_weights, pca_weights,
                                         std_weights, varimax)


def min_max(X):
    return (X - X.min(axis=0)) / (X.max(axis=0) - X.min(axis=0))


def random_positive(seed, n=25, m=6):
    return np.random.default_rng(seed).uniform(0.5, 20.0, size=(n, m))


# ---------------------------------------------------------------- entropy
@pytest.mark.parametrize("seed", range(5))
def test_entropy_matches_pymcdm(seed):
    """pymcdm divides each column by its sum (sum_normalization) and then applies the same
    formula, so the raw matrix goes to both unchanged. Strictly positive values only:
    pymcdm sets the entropy of a column containing a 0 to 0 instead of using 0 ln 0 = 0."""
    from pymcdm.weights import entropy_weights as pymcdm_entropy

    X = random_positive(seed)
    np.testing.assert_allclose(entropy_weights(X).weights, pymcdm_entropy(X), rtol=0, atol=1e-12)


def test_entropy_matches_scikit_criteria_with_zeros():
    """scikit-criteria uses scipy.stats.entropy (0 ln 0 = 0, base n): min–max scores with
    their zeros can go in directly."""
    from skcriteria.preprocessing.weighters import entropy_weights as skc_entropy

    Z = min_max(random_positive(11, n=30, m=5))
    np.testing.assert_allclose(entropy_weights(Z).weights, skc_entropy(Z), rtol=0, atol=1e-12)


def test_entropy_xu_2004_example():
    """Xu, X. (2004) A note on the subjective and objective integrated approach to determine
    attribute weights. EJOR 156(2) 530–532: entropy weights on the raw values (column
    sums), reported to 4 decimals."""
    X = np.array([[30, 30, 38, 29], [19, 54, 86, 29], [19, 15, 85, 28.9], [68, 70, 60, 29]])
    result = entropy_weights(X, basis="raw")
    np.testing.assert_array_equal(np.round(result.weights, 4), [0.4630, 0.3992, 0.1378, 0.0])
    assert result.params == {"shift": 0.0, "basis": "raw"}
    np.testing.assert_allclose(result.details["d"], 1 - result.details["e"], atol=1e-15)


def test_entropy_zavadskas_podvezko_2016_example():
    """Zavadskas, E.K. & Podvezko, V. (2016) Integrated determination of objective criteria
    weights in MCDM. IJITDM 15(2) 267–283, entropy weights of its 4 × 4 example."""
    X = np.array([[3.0, 100, 10, 7], [2.5, 80, 8, 5], [1.8, 50, 20, 11], [2.2, 70, 12, 9]])
    np.testing.assert_array_equal(np.round(entropy_weights(X).weights, 4),
                                  [0.1146, 0.1981, 0.4185, 0.2689])


def test_entropy_shift_and_errors():
    Z = min_max(random_positive(3))
    shifted = entropy_weights(Z, shift=1e-4)
    np.testing.assert_allclose(shifted.weights, entropy_weights(Z + 1e-4).weights, atol=1e-15)
    with pytest.raises(MethodError, match="min_max"):
        entropy_weights(Z - 0.5)
    with pytest.raises(MethodError, match="'b'"):
        entropy_weights(np.column_stack([Z[:, 0], np.zeros(len(Z))]), names=["a", "b"])
    with pytest.raises(MethodError, match="uniform"):
        entropy_weights(np.ones((5, 3)))
    with pytest.raises(MethodError, match="basis"):
        entropy_weights(Z, basis="logs")


# ---------------------------------------------------------------- CRITIC
@pytest.mark.parametrize("seed", range(5))
def test_critic_matches_pymcdm(seed):
    """pymcdm min–max normalises inside critic_weights (all columns as benefit when no types
    are given), so ours gets the min–max scores and pymcdm the raw matrix. Both use the
    sample standard deviation (ddof = 1)."""
    from pymcdm.weights import critic_weights as pymcdm_critic

    X = random_positive(seed)
    np.testing.assert_allclose(critic_weights(min_max(X)).weights, pymcdm_critic(X),
                               rtol=0, atol=1e-12)


def test_critic_matches_scikit_criteria_unscaled():
    """scikit-criteria with scale=False applies CRITIC to the matrix as given (ddof = 0,
    which cancels in the weights)."""
    from skcriteria.preprocessing.weighters import critic_weights as skc_critic

    Z = np.random.default_rng(5).normal(size=(30, 5))
    np.testing.assert_allclose(critic_weights(Z).weights,
                               skc_critic(Z, objectives=np.ones(5), scale=False),
                               rtol=0, atol=1e-12)


def test_critic_tus_aytac_adali_2019_example():
    """Tuş, A. & Aytaç Adalı, E. (2019) The new combination with CRITIC and WASPAS methods
    for the time and attendance software selection problem. Opsearch 56(2) 528–538.
    Its published weights (3 decimals) follow from min–max normalising every column in its
    raw orientation (the price column is not reversed); reversing it would give
    0.184, 0.213, ... instead."""
    X = np.array([[5000, 3, 3, 4, 3, 2], [680, 5, 3, 2, 2, 1], [2000, 3, 2, 3, 4, 3],
                  [600, 4, 3, 1, 2, 2], [800, 2, 4, 3, 3, 4]], dtype=float)
    result = critic_weights(min_max(X))
    np.testing.assert_array_equal(np.round(result.weights, 3),
                                  [0.157, 0.249, 0.168, 0.121, 0.154, 0.151])
    info = result.details["sigma"] * result.details["conflict"]
    np.testing.assert_allclose(result.details["information"], info)


def test_critic_constant_indicator_is_named():
    Z = np.column_stack([np.arange(5.0), np.full(5, 2.0), np.arange(5.0) ** 2])
    with pytest.raises(MethodError, match="'flat'"):
        critic_weights(Z, names=["a", "flat", "c"])


# ---------------------------------------------------------------- std and cv
def test_std_matches_pymcdm_and_scikit_criteria():
    from pymcdm.weights import standard_deviation_weights
    from skcriteria.preprocessing.weighters import std_weights as skc_std

    Z = min_max(random_positive(8))
    ours = std_weights(Z).weights
    np.testing.assert_allclose(ours, standard_deviation_weights(Z), rtol=0, atol=1e-12)
    np.testing.assert_allclose(ours, skc_std(Z), rtol=0, atol=1e-12)


def test_std_salabun_2020_example():
    """Sałabun, W., Wątróbski, J. & Shekhovtsov, A. (2020) Are MCDA methods benchmarkable?
    Symmetry 12(9) 1549: standard-deviation weights of its 5 × 3 example."""
    Z = np.array([[0.619, 0.449, 0.447], [0.862, 0.466, 0.006], [0.458, 0.698, 0.771],
                  [0.777, 0.631, 0.491], [0.567, 0.992, 0.968]])
    np.testing.assert_array_equal(np.round(std_weights(Z).weights, 3), [0.217, 0.294, 0.488])


def test_cv_matches_scipy_variation():
    from scipy.stats import variation

    X = random_positive(9)
    cv = variation(X, axis=0, ddof=1)
    np.testing.assert_allclose(cv_weights(X).weights, cv / cv.sum(), rtol=0, atol=1e-12)
    with pytest.raises(MethodError, match="within one standard error of zero"):
        cv_weights(np.array([[-1.0, 1.0], [1.0, 2.0]]))
    with pytest.raises(MethodError, match="mean is 0"):
        cv_weights(np.array([[0.0, 1.0], [0.0, 2.0]]))


def test_cv_refuses_centred_data_naming_the_indicator_mean_and_spread():
    """Issue 9: z-scores have means of 1e-16; their CVs (1e16) took all the weight."""
    X = random_positive(9, n=9)
    Z = (X - X.mean(axis=0)) / X.std(axis=0, ddof=1)
    with pytest.raises(MethodError) as err:
        cv_weights(Z, names=["gdp", "jobs", "pm25", "a", "b", "c"])
    text = str(err.value)
    assert "'gdp'" in text and "standard deviation 1" in text and "n = 9" in text
    assert "basis: raw" in err.value.fix
    # values of both signs whose mean stands clear of zero (more than one standard error)
    # are kept: 2.6 against 2.3 / √5
    w = cv_weights(np.array([[-1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 5.0], [5.0, 4.0]]))
    assert w.details["mean"][0] == pytest.approx(2.6)


@settings(max_examples=60, deadline=None)
@given(arrays(np.float64, st.tuples(st.integers(2, 30), st.integers(1, 4)),
              elements=st.floats(0, 1e6)), st.booleans())
def test_cv_never_refuses_data_of_one_sign(X, negative):
    """For values ≥ 0 the CV is at most √n (one non-zero value among n), the bound."""
    assume((X.sum(axis=0) > 0).all() and (X.std(axis=0) > 0).any())
    X = -X if negative else X
    w = cv_weights(X).weights
    assert w.sum() == pytest.approx(1.0)
    one = np.zeros((7, 2))
    one[3, 0], one[:, 1] = 5.0, np.arange(7.0)
    cv_weights(one)   # exactly √n: allowed


# ---------------------------------------------------------------- listwise deletion
def test_missing_rows_dropped_listwise_and_recorded():
    Z = min_max(random_positive(4, n=12, m=3))
    holed = Z.copy()
    holed[[2, 7], [0, 2]] = np.nan
    result = entropy_weights(holed)
    assert result.rows_used == 10
    complete = np.delete(Z, [2, 7], axis=0)
    np.testing.assert_allclose(result.weights, entropy_weights(complete).weights)
    with pytest.raises(MethodError, match="at least 2 rows"):
        critic_weights(np.array([[1.0, np.nan], [2.0, 3.0], [np.nan, 1.0]]))


def test_equal_weights():
    result = equal_weights(4)
    assert isinstance(result, WeightResult)
    np.testing.assert_array_equal(result.weights, [0.25] * 4)


# ---------------------------------------------------------------- PCA
def two_block_data(r, s, n=60, seed=0):
    """Columns whose sample correlations are exactly: r within block 1 (cols 0, 1), s within
    block 2 (cols 2, 3), 0 across blocks (built from orthonormal centred vectors)."""
    E = np.random.default_rng(seed).normal(size=(n, 4))
    Q, _ = np.linalg.qr(E - E.mean(axis=0))
    return np.column_stack([Q[:, 0], r * Q[:, 0] + np.sqrt(1 - r * r) * Q[:, 1],
                            Q[:, 2], s * Q[:, 2] + np.sqrt(1 - s * s) * Q[:, 3]])


def test_pca_weights_analytic_two_block_example():
    """Correlation matrix blockdiag([[1, r], [r, 1]], [[1, s], [s, 1]]) with r = .8, s = .4:
    eigenvalues 1 + r, 1 + s, 1 − s, 1 − r = 1.8, 1.4, 0.6, 0.2; two factors kept (both > 1,
    45% and 35%, 80% together); loadings √((1 + r)/2) on block 1 and √((1 + s)/2) on block 2
    (already simple, varimax keeps them); scaled squared loadings 1/2 each; factor shares
    1.8/3.2 and 1.4/3.2; weights (1 + r)/(2(2 + r + s)) = 0.28125 and 0.21875."""
    X = two_block_data(0.8, 0.4) * [1.0, 2.0, 30.0, 0.5] + 7.0    # units do not matter
    result = pca_weights(X)
    np.testing.assert_allclose(result.weights, [0.28125, 0.28125, 0.21875, 0.21875], atol=1e-12)
    np.testing.assert_allclose(result.details["eigenvalues"], [1.8, 1.4, 0.6, 0.2], atol=1e-12)
    np.testing.assert_allclose(result.details["explained"], [0.45, 0.35, 0.15, 0.05], atol=1e-12)
    assert result.params["n_factors"] == 2
    np.testing.assert_allclose(np.abs(result.details["loadings"]).max(axis=1),
                               np.sqrt([0.9, 0.9, 0.7, 0.7]), atol=1e-12)


def test_pca_retention_extends_to_reach_the_cumulative_share():
    X = two_block_data(0.8, 0.4)
    # only the first factor explains more than 40%, but 45% < 60%: a second is added
    assert pca_weights(X, min_variance_share=0.4).params["n_factors"] == 2
    assert pca_weights(X, min_variance_share=0.4, min_cumulative=0.4).params["n_factors"] == 1
    assert pca_weights(X, n_factors=3).params["n_factors"] == 3


def sklearn_varimax():
    """scikit-learn's varimax routine (private API: skip, don't fail, if it moves)."""
    try:
        from sklearn.decomposition._factor_analysis import _ortho_rotation
    except ImportError:  # pragma: no cover
        pytest.skip("scikit-learn's private _ortho_rotation is not available")
    return _ortho_rotation


def handbook_pca_weights(X, k):
    """The Handbook's steps written independently: eigen-decomposition of the correlation
    matrix with numpy, varimax by scikit-learn's routine wrapped in Kaiser normalisation."""
    _ortho_rotation = sklearn_varimax()

    values, vectors = np.linalg.eigh(np.corrcoef(X, rowvar=False))
    order = np.argsort(values)[::-1][:k]
    L = vectors[:, order] * np.sqrt(values[order])
    h = np.sqrt((L ** 2).sum(axis=1))
    rotated = _ortho_rotation(L / h[:, None], tol=1e-14, max_iter=100_000).T * h[:, None]
    squared = rotated ** 2
    variance = squared.sum(axis=0)
    scaled = squared / variance
    best = scaled.argmax(axis=1)
    raw = scaled[np.arange(X.shape[1]), best] * (variance / variance.sum())[best]
    return raw / raw.sum()


@pytest.mark.parametrize("seed", range(4))
def test_pca_weights_match_independent_handbook_computation(seed):
    rng = np.random.default_rng(seed)
    factors = rng.normal(size=(80, 2))
    mixing = rng.uniform(-1, 1, size=(2, 7))
    X = factors @ mixing + 0.6 * rng.normal(size=(80, 7))
    result = pca_weights(X)
    k = result.params["n_factors"]
    np.testing.assert_allclose(result.weights, handbook_pca_weights(X, k), atol=1e-7)


def test_varimax_recovers_a_rotated_simple_structure():
    """A loading matrix with perfect simple structure is the varimax optimum: rotating it
    by 30° and back must be undone (up to the order and sign of the factors)."""
    simple = np.array([[0.9, 0.0], [0.8, 0.0], [0.7, 0.0], [0.0, 0.85], [0.0, 0.6]])
    t = np.deg2rad(30)
    turn = np.array([[np.cos(t), -np.sin(t)], [np.sin(t), np.cos(t)]])
    for normalize in (True, False):
        rotated, T = varimax(simple @ turn, normalize=normalize)
        np.testing.assert_allclose(T @ T.T, np.eye(2), atol=1e-12)
        np.testing.assert_allclose(np.abs(rotated), simple, atol=1e-9)


def test_varimax_matches_scikit_learn_without_normalisation():
    _ortho_rotation = sklearn_varimax()

    L = np.random.default_rng(3).uniform(-1, 1, size=(8, 3))
    ours, _ = varimax(L, normalize=False)
    theirs = _ortho_rotation(L, tol=1e-14, max_iter=100_000).T
    # same solution up to column order and sign
    match = np.abs(ours.T @ theirs) / np.outer(np.linalg.norm(ours, axis=0),
                                                np.linalg.norm(theirs, axis=0))
    perm = match.argmax(axis=1)
    signs = np.sign(np.sum(ours * theirs[:, perm], axis=0))
    np.testing.assert_allclose(ours, theirs[:, perm] * signs, atol=1e-8)


# ---------------------------------------------------------------- combinations
def test_game_theory_two_component_example_by_hand():
    """u1 = (.6, .4), u2 = (.2, .8): u1·u1 = .52, u1·u2 = .44, u2·u2 = .68. Solving
    [[.52, .44], [.44, .68]] α = [.52, .68]: det = .16, α1 = (.52·.68 − .44·.68)/.16 = .34,
    α2 = (.52·.68 − .44·.52)/.16 = .78; α* = (.34, .78)/1.12; w = α*1 u1 + α*2 u2 =
    (.36/1.12, .76/1.12) = (0.3214285714, 0.6785714286)."""
    result = combine_game_theory([np.array([0.6, 0.4]), np.array([0.2, 0.8])])
    np.testing.assert_allclose(result.details["alpha_raw"], [0.34, 0.78], atol=1e-14)
    np.testing.assert_allclose(result.details["alpha"], [0.34 / 1.12, 0.78 / 1.12], atol=1e-14)
    np.testing.assert_allclose(result.weights, [0.36 / 1.12, 0.76 / 1.12], atol=1e-14)
    np.testing.assert_array_equal(result.details["components"], [[0.6, 0.4], [0.2, 0.8]])


# 侯克鹏 et al. (2021), §4.1.3: FAHP (subjective) and CRITIC (objective) weights as printed.
# The printed w1 sums to 0.998 (x4 = 0.0533 where the primary weights imply 0.0553); the
# printed products w1·w1 etc. were computed from it, so it is used as printed.
SLOPE_FAHP = np.array([0.1691, 0.0764, 0.0828, 0.0533, 0.2469, 0.0828, 0.0763, 0.0553, 0.0553,
                       0.0111, 0.0887])
SLOPE_CRITIC = np.array([0.0209, 0.0495, 0.0565, 0.0390, 0.0351, 0.1682, 0.1766, 0.1899, 0.0209,
                         0.1217, 0.1217])


def test_game_theory_against_the_published_slope_hazard_example():
    u1, u2 = SLOPE_FAHP / SLOPE_FAHP.sum(), SLOPE_CRITIC / SLOPE_CRITIC.sum()
    # the system the paper solves, from its printed vectors: exact to the printed 8 decimals
    assert SLOPE_FAHP @ SLOPE_FAHP == pytest.approx(0.13187272, abs=5e-9)
    assert SLOPE_FAHP @ SLOPE_CRITIC == pytest.approx(0.07394352, abs=5e-9)
    assert SLOPE_CRITIC @ SLOPE_CRITIC == pytest.approx(0.13443172, abs=5e-9)
    result = combine_game_theory([u1, u2])
    # printed α* = (0.4953, 0.5047); solving the printed 4-decimal system gives 0.4941, so
    # the paper's α carries a slip of ~0.001 — checked to that size, w* to 5e-4.
    np.testing.assert_allclose(result.details["alpha"], [0.4953, 0.5047], atol=2e-3)
    published = [0.0943, 0.0628, 0.0695, 0.0461, 0.1400, 0.1259, 0.1269, 0.1232, 0.0379, 0.0669,
                 0.1054]
    np.testing.assert_allclose(result.weights, published, atol=5e-4)


def test_game_theory_against_the_published_flood_risk_example():
    # 苏广全 et al., Table 1: RF, RFT, DEM, NDVI, DR, POP, GDP; β1 (entropy) = 0.525.
    entropy = np.array([0.070, 0.197, 0.009, 0.071, 0.011, 0.306, 0.336])
    ahp = np.array([0.413, 0.131, 0.113, 0.067, 0.073, 0.138, 0.067])
    result = combine_game_theory([entropy, ahp / ahp.sum()])
    np.testing.assert_allclose(result.details["alpha"], [0.525, 0.475], atol=2e-3)
    # the printed combined weights of RF, RFT, DEM, POP and GDP; the NDVI and DR cells of
    # the table (0.038, 0.072) are not β-combinations of their rows (they read as swapped
    # and mistyped), so they are left out
    rows = [0, 1, 2, 5, 6]
    np.testing.assert_allclose(result.weights[rows], [0.233, 0.166, 0.058, 0.226, 0.208], atol=1.5e-3)


def test_game_theory_identical_components_and_disjoint_ones():
    u = np.array([0.5, 0.3, 0.2])
    np.testing.assert_allclose(combine_game_theory([u, u]).weights, u, atol=1e-14)
    # orthogonal components: α = (1, 1), so an equal mix
    result = combine_game_theory([np.array([0.5, 0.5, 0, 0]), np.array([0, 0, 0.5, 0.5])])
    np.testing.assert_allclose(result.weights, [0.25] * 4, atol=1e-14)


def test_linear_and_multiplicative_combinations():
    entropy = WeightResult(np.array([0.5, 0.3, 0.2]), "entropy", {}, {}, 30)
    ahp = np.array([0.2, 0.2, 0.6])
    linear = combine_linear([entropy, ahp], [0.25, 0.75])
    np.testing.assert_allclose(linear.weights, [0.275, 0.225, 0.5])
    assert linear.params["components"] == ["entropy", "component 1"]
    assert linear.rows_used == 30
    multiplied = combine_multiplicative([entropy, ahp])
    np.testing.assert_allclose(multiplied.weights, np.array([0.1, 0.06, 0.12]) / 0.28)
    with pytest.raises(MethodError, match="summing to 1"):
        combine_linear([entropy, ahp], [0.5, 0.6])
    with pytest.raises(MethodError, match="two or more"):
        combine_game_theory([ahp])
    with pytest.raises(MethodError, match="sum to 1"):
        combine_multiplicative([ahp, np.array([1.0, 1.0, 1.0])])


# ---------------------------------------------------------------- properties
matrices = arrays(np.float64, st.tuples(st.integers(5, 14), st.integers(2, 5)),
                  elements=st.integers(0, 100).map(float))
WEIGHTERS = {"entropy": entropy_weights, "critic": critic_weights, "cv": cv_weights,
             "std": std_weights, "pca": pca_weights}


def weights_or_skip(func, X):
    assume(np.all(X.std(axis=0) > 0))
    try:
        return func(X).weights
    except MethodError:
        assume(False)


@settings(max_examples=40, deadline=None)
@given(X=matrices, name=st.sampled_from(sorted(WEIGHTERS)))
def test_weights_are_non_negative_and_sum_to_one(X, name):
    w = weights_or_skip(WEIGHTERS[name], X)
    assert np.all(w >= 0)
    assert w.sum() == pytest.approx(1.0, abs=1e-12)


@settings(max_examples=40, deadline=None)
@given(X=matrices, seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(WEIGHTERS)))
def test_permuting_rows_changes_nothing(X, seed, name):
    w = weights_or_skip(WEIGHTERS[name], X)
    order = np.random.default_rng(seed).permutation(X.shape[0])
    np.testing.assert_allclose(WEIGHTERS[name](X[order]).weights, w, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(X=matrices, seed=st.integers(0, 2**32 - 1), name=st.sampled_from(sorted(WEIGHTERS)))
def test_permuting_columns_permutes_weights(X, seed, name):
    w = weights_or_skip(WEIGHTERS[name], X)
    order = np.random.default_rng(seed).permutation(X.shape[1])
    np.testing.assert_allclose(WEIGHTERS[name](X[:, order]).weights, w[order], atol=1e-9)


def test_combinations_are_reachable_from_the_weighting_module():
    from evaluator.methods import combine, weighting

    assert weighting.combine_game_theory is combine.combine_game_theory
    with pytest.raises(AttributeError):
        weighting.combine_nothing  # noqa: B018


# ---------------------------------------------------------------- combined inside the pipeline
def test_two_parts_of_the_same_method_keep_their_own_components_and_details():
    from evaluator.stages.weigh import compute_weights

    Z = min_max(random_positive(3, n=30, m=4))
    spec = {"method": "combined", "how": "linear", "alpha": [0.25, 0.25, 0.5],
            "methods": [{"method": "entropy", "shift": 0.0}, {"method": "entropy", "shift": 1.0},
                        {"method": "critic"}]}
    nw = compute_weights(spec, children=list("abcd"), node="index", normalised=Z, raw=None,
                         fixed={})
    plain, shifted = entropy_weights(Z).weights, entropy_weights(Z, shift=1.0).weights
    assert not np.allclose(plain, shifted)
    np.testing.assert_allclose(nw.details["component_1_entropy"], plain, atol=1e-12)
    np.testing.assert_allclose(nw.details["component_2_entropy"], shifted, atol=1e-12)
    np.testing.assert_allclose(nw.details["component_critic"], critic_weights(Z).weights, atol=1e-12)
    np.testing.assert_allclose(nw.details["1_entropy_e"], entropy_weights(Z).details["e"], atol=1e-12)
    np.testing.assert_allclose(nw.details["2_entropy_e"], entropy_weights(Z, shift=1.0).details["e"],
                               atol=1e-12)
    assert "component_entropy" not in nw.details
    np.testing.assert_allclose(nw.weights, 0.25 * plain + 0.25 * shifted
                               + 0.5 * critic_weights(Z).weights, atol=1e-12)


def test_two_judgement_files_keep_their_own_cr():
    from evaluator.stages.weigh import compute_weights

    files = {"a.yaml": (np.array([0.6, 0.4]), {"cr": 0.01}), "b.yaml": (np.array([0.2, 0.8]), {"cr": 0.05})}

    def loader(file, node, children, *, accept_inconsistent=False):
        return files[file]

    spec = {"method": "combined", "how": "game_theory",
            "methods": [{"method": "ahp", "file": "a.yaml"}, {"method": "ahp", "file": "b.yaml"}]}
    nw = compute_weights(spec, children=["x", "y"], node="index", normalised=np.ones((3, 2)),
                         raw=None, fixed={}, ahp_weights=loader)
    assert nw.details["1_ahp_cr"] == 0.01 and nw.details["2_ahp_cr"] == 0.05
    np.testing.assert_allclose(nw.details["component_1_ahp"], [0.6, 0.4])
    np.testing.assert_allclose(nw.details["component_2_ahp"], [0.2, 0.8])
    # the published-by-hand example above: w = (0.36, 0.76)/1.12
    np.testing.assert_allclose(nw.weights, [0.36 / 1.12, 0.76 / 1.12], atol=1e-12)
