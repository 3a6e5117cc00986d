"""Normalisation against independent sources.

- COINr 1.1.14's ASEM build (reference/asem): min–max [0, 100] and [1, 100], z-scores and
  ranks, from the treated data set with the directions of ASEM_iMeta.csv, to 1e-9.
- UNDP HDI 2022 (reference/hdi): goalposts (LE 20–85, EYS 0–18, MYS 0–15, ln GNI
  ln 100–ln 75,000) reproduce all 193 published HDI values at 3 decimals.
- pymcdm 1.4 normalisations (minmax, vector, linear = our ratio_max) on random data.
- Hand-computed examples for moderate indicators, percentile and distance to target.
- Hypothesis properties of min–max.
"""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra.numpy import arrays

from evaluator.errors import MethodError
from evaluator.methods.normalise import METHODS, normalise


# ---------------------------------------------------------------- reference data
def reference_file(*parts: str) -> Path:
    root = os.environ.get("EVALUATOR_REFERENCE_DATA")
    if not root:
        pytest.skip("EVALUATOR_REFERENCE_DATA is not set (point it at ../shared/reference)")
    path = Path(root, *parts)
    assert path.is_file(), f"reference file missing: {path}"
    return path


def asem_treated():
    """COINr's treated ASEM data (51 units × 49 indicators) and the indicator directions."""
    treated = pd.read_csv(reference_file("asem", "coinr_default_build", "dset_Treated.csv"),
                          index_col="uCode")
    meta = pd.read_csv(reference_file("asem", "ASEM_iMeta.csv"))
    direction = meta[meta["Type"] == "Indicator"].set_index("iCode")["Direction"]
    return treated, direction.reindex(treated.columns).to_numpy()


COINR_CASES = [
    # (file, our call) — COINr multiplies by Direction, then normalises each indicator
    (("coinr_default_build", "dset_Normalised.csv"), {"method": "min_max"}),
    (("coinr_variants", "variant_minmax_gmean_Normalised.csv"),
     {"method": "min_max", "out_range": (1.0, 100.0)}),
    (("coinr_variants", "variant_zscore_amean_Normalised.csv"), {"method": "z_score"}),
    (("coinr_variants", "variant_rank_amean_Normalised.csv"), {"method": "rank"}),
]


@pytest.mark.parametrize("parts, call", COINR_CASES, ids=lambda v: str(v))
def test_matches_coinr_asem(parts, call):
    treated, direction = asem_treated()
    expected = pd.read_csv(reference_file("asem", *parts), index_col="uCode")
    expected = expected.loc[treated.index, treated.columns].to_numpy()
    got = normalise(treated.to_numpy(), direction=direction, names=list(treated.columns), **call)
    assert got.shape == expected.shape
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-9)


def test_per_year_blocks_match_coinr_for_each_year():
    """Two 'years': the second is an affine rescaling of the first. Per-year min–max gives
    COINr's result in both blocks; pooled does not."""
    treated, direction = asem_treated()
    expected = pd.read_csv(reference_file("asem", "coinr_default_build", "dset_Normalised.csv"),
                           index_col="uCode").loc[treated.index, treated.columns].to_numpy()
    X = treated.to_numpy()
    stacked = np.vstack([X, 3.0 * X + 7.0])
    years = np.repeat([2021, 2022], X.shape[0])
    got = normalise(stacked, "min_max", direction=direction, blocks=years)
    np.testing.assert_allclose(got[: X.shape[0]], expected, atol=1e-9)
    np.testing.assert_allclose(got[X.shape[0]:], expected, atol=1e-9)
    pooled = normalise(stacked, "min_max", direction=direction)
    assert np.abs(pooled - np.vstack([expected, expected])).max() > 1.0


def hdi_goalposts_inputs():
    inputs = pd.read_csv(reference_file("hdi", "hdi2022_inputs.csv"))
    X = np.column_stack([inputs["le"], inputs["eys"], inputs["mys"], np.log(inputs["gnipc"])])
    posts = np.array([[20, 85], [0, 18], [0, 15], [np.log(100), np.log(75_000)]])
    return inputs, X, posts


def test_hdi_life_expectancy_goalposts():
    inputs, X, posts = hdi_goalposts_inputs()
    Z = normalise(X, "goalposts", goalposts=posts, out_range=(0, 1),
                  names=["le", "eys", "mys", "gni"])
    afg = np.flatnonzero(inputs["iso3"] == "AFG")[0]
    assert inputs["le"][afg] == pytest.approx(62.879)
    assert Z[afg, 0] == pytest.approx((62.879 - 20) / 65, abs=1e-15)
    # EYS above the upper goalpost (18 years) is capped at 1
    capped = inputs["eys"].to_numpy() > 18
    assert capped.any() and np.all(Z[capped, 1] == 1.0)


def test_hdi_reproduces_all_published_values():
    """HDI = geometric mean of health, education (mean of EYS and MYS indices) and income
    (UNDP HDR 2023/24 technical notes); the published value has 3 decimals."""
    inputs, X, posts = hdi_goalposts_inputs()
    Z = normalise(X, "goalposts", goalposts=posts, out_range=(0, 1))
    hdi = np.cbrt(Z[:, 0] * (Z[:, 1] + Z[:, 2]) / 2 * Z[:, 3])
    published = pd.read_csv(reference_file("hdi", "hdi2022_published.csv"), index_col="iso3")
    expected = published.loc[inputs["iso3"], "hdi_published"].to_numpy()
    assert len(expected) == 193
    np.testing.assert_array_equal(np.round(hdi, 3), expected)


# ---------------------------------------------------------------- pymcdm cross-checks
@pytest.mark.parametrize("ours, theirs", [("min_max", "minmax_normalization"),
                                          ("vector", "vector_normalization"),
                                          ("ratio_max", "linear_normalization")])
def test_matches_pymcdm_normalisations(ours, theirs):
    """pymcdm's linear_normalization is x/max (benefit) and min/x (cost): our ratio_max."""
    import pymcdm.normalizations as pn

    rng = np.random.default_rng(7)
    X = rng.uniform(0.5, 50.0, size=(40, 6))
    direction = np.array([1, -1, 1, -1, 1, 1])
    got = normalise(X, ours, direction=direction, out_range=(0, 1))
    func = getattr(pn, theirs)
    expected = np.column_stack([func(X[:, j], cost=direction[j] < 0) for j in range(6)])
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-13)


# ---------------------------------------------------------------- hand-worked examples
def test_min_max_cost_and_out_range_by_hand():
    X = np.array([[1.0, 10.0], [3.0, 20.0], [5.0, 30.0]])
    got = normalise(X, "min_max", direction=[1, -1], out_range=(0, 10))
    np.testing.assert_allclose(got, [[0, 10], [5, 5], [10, 0]])


def test_z_score_parameters_and_cost_sign():
    x = np.array([[2.0], [4.0], [6.0]])        # mean 4, sample sd 2
    np.testing.assert_allclose(normalise(x, "z_score").ravel(), [-1, 0, 1])
    np.testing.assert_allclose(normalise(x, "z_score", direction=[-1]).ravel(), [1, 0, -1])
    np.testing.assert_allclose(normalise(x, "z_score", mean=50, sd=10).ravel(), [40, 50, 60])
    pop_sd = np.sqrt(8 / 3)
    np.testing.assert_allclose(normalise(x, "z_score", ddof=0).ravel(),
                               [-2 / pop_sd, 0, 2 / pop_sd])


def test_vector_by_hand():
    x = np.array([[3.0], [4.0]])            # norm 5
    np.testing.assert_allclose(normalise(x, "vector").ravel(), [60, 80])
    np.testing.assert_allclose(normalise(x, "vector", direction=[-1]).ravel(), [40, 20])


def test_rank_and_percentile_ties_share_lowest_rank():
    x = np.array([[10.0], [20.0], [20.0], [5.0], [np.nan]])
    np.testing.assert_array_equal(normalise(x, "rank").ravel()[:4], [2, 3, 3, 1])
    assert np.isnan(normalise(x, "rank")[4, 0])
    np.testing.assert_array_equal(normalise(x, "rank", direction=[-1]).ravel()[:4], [3, 1, 1, 4])
    # percentile (rank − 1)/(n − 1) with n = 4 present values
    np.testing.assert_allclose(normalise(x, "percentile", out_range=(0, 1)).ravel()[:4],
                               [1 / 3, 2 / 3, 2 / 3, 0])


def test_distance_to_target_by_hand():
    """OECD/JRC (2008) Handbook §5.2 'distance to a reference': x/target (benefit),
    target/x (cost), capped at 1 by default."""
    X = np.array([[25.0, 10.0], [50.0, 40.0], [80.0, 20.0]])
    got = normalise(X, "distance_to_target", direction=[1, -1], targets=[50, 20],
                    out_range=(0, 1))
    np.testing.assert_allclose(got, [[0.5, 1.0], [1.0, 0.5], [1.0, 1.0]])
    uncapped = normalise(X, "distance_to_target", direction=[1, -1], targets=[50, 20],
                         out_range=(0, 1), cap=False)
    np.testing.assert_allclose(uncapped, [[0.5, 2.0], [1.0, 0.5], [1.6, 1.0]])


def test_moderate_indicators_use_their_formula_whatever_the_method():
    X = np.array([[4.0, 1.0, 7.0], [5.0, 5.0, 3.0], [8.0, 9.0, 5.0], [6.0, 2.0, 4.0]])
    optimum = [5.0, np.nan, np.nan]
    interval = [[np.nan, np.nan], [4.0, 6.0], [np.nan, np.nan]]
    for method in ("min_max", "z_score", "rank"):
        got = normalise(X, method, optimum=optimum, interval=interval, out_range=(0, 1))
        # optimum 5: gaps 1, 0, 3, 1 → 1 − gap/3
        np.testing.assert_allclose(got[:, 0], [2 / 3, 1, 0, 2 / 3])
        # interval [4, 6], M = max(4 − 1, 9 − 6) = 3: below 1 − 3/3, inside 1, above 1 − 3/3
        np.testing.assert_allclose(got[:, 1], [0, 1, 0, 1 - 2 / 3])
    # the regular column follows the method
    np.testing.assert_allclose(normalise(X, "min_max", optimum=optimum, interval=interval,
                                         out_range=(0, 1))[:, 2], [1, 0, 0.5, 0.25])


def test_moderate_all_at_optimum_scores_the_top():
    X = np.array([[5.0], [5.0], [np.nan]])
    got = normalise(X, "min_max", optimum=[5.0])
    np.testing.assert_array_equal(got[:2, 0], [100.0, 100.0])
    assert np.isnan(got[2, 0])


def test_missing_values_pass_through():
    X = np.array([[1.0, np.nan], [2.0, 5.0], [np.nan, 7.0], [4.0, 6.0]])
    for method in ("min_max", "z_score", "vector", "ratio_max", "rank", "percentile"):
        got = normalise(X, method)
        np.testing.assert_array_equal(np.isnan(got), np.isnan(X))


# ---------------------------------------------------------------- errors and constants
def test_zero_range_names_indicator_and_block():
    X = np.array([[1.0, 3.0], [2.0, 3.0], [1.0, 4.0], [2.0, 5.0]])
    with pytest.raises(MethodError, match="pm25.*block 2020"):
        normalise(X, "min_max", names=["gdp", "pm25"], blocks=[2020, 2020, 2021, 2021])
    with pytest.raises(MethodError, match="'pm25'"):
        normalise(X[:2], "z_score", names=["gdp", "pm25"])


@pytest.mark.parametrize("method", ["min_max", "vector", "percentile", "z_score"])
def test_zero_range_constants_never_nan(method):
    X = np.array([[0.0, 1.0], [0.0, 2.0], [0.0, 4.0]])
    mid = normalise(X, method, zero_range="mid")
    assert not np.isnan(mid).any()
    assert np.all(mid[:, 0] == (0.0 if method == "z_score" else 50.0))
    if method != "z_score":
        assert np.all(normalise(X, method, zero_range="max")[:, 0] == 100.0)


def test_zero_range_max_is_rejected_for_z_score():
    with pytest.raises(MethodError, match="mid"):
        normalise(np.ones((3, 1)), "z_score", zero_range="max")


def test_unknown_method_and_parameter_list_valid_ones():
    with pytest.raises(MethodError) as err:
        normalise(np.ones((3, 1)), "minmax")
    assert all(m in str(err.value) for m in METHODS)
    with pytest.raises(MethodError, match="zero_range.*mean.*sd.*ddof"):
        normalise(np.ones((3, 1)), "z_score", scale=2)


def test_goalposts_missing_for_an_indicator_is_named():
    posts = np.array([[0, 10], [np.nan, np.nan]])
    with pytest.raises(MethodError, match="'forest'"):
        normalise(np.ones((3, 2)), "goalposts", goalposts=posts, names=["gdp", "forest"])


def test_ratio_methods_reject_values_they_cannot_take():
    with pytest.raises(MethodError, match="non-negative"):
        normalise(np.array([[-1.0], [2.0]]), "ratio_max")
    with pytest.raises(MethodError, match="positive values"):
        normalise(np.array([[0.0], [2.0]]), "ratio_max", direction=[-1])
    with pytest.raises(MethodError, match="targets"):
        normalise(np.ones((2, 1)), "distance_to_target")


# ---------------------------------------------------------------- properties
columns = arrays(np.float64, st.tuples(st.integers(3, 15), st.integers(1, 4)),
                 elements=st.integers(-1000, 1000).map(float))


def _has_spread(X):
    return bool(np.all(X.max(axis=0) > X.min(axis=0)))


@settings(max_examples=60, deadline=None)
@given(X=columns, a=st.floats(0.01, 100), b=st.floats(-1e3, 1e3))
def test_min_max_invariant_to_positive_affine_change_of_units(X, a, b):
    if not _has_spread(X):
        return
    np.testing.assert_allclose(normalise(a * X + b, "min_max"), normalise(X, "min_max"),
                               atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(X=columns, row=st.integers(0, 14), raise_by=st.integers(1, 500))
def test_raising_a_benefit_value_never_lowers_its_min_max_score(X, row, raise_by):
    if not _has_spread(X):
        return
    row %= X.shape[0]
    higher = X.copy()
    higher[row] += raise_by
    assert np.all(normalise(higher, "min_max")[row] >= normalise(X, "min_max")[row] - 1e-12)


@settings(max_examples=40, deadline=None)
@given(X=columns, seed=st.integers(0, 2**32 - 1),
       method=st.sampled_from(["min_max", "z_score", "rank", "percentile"]))
def test_permuting_rows_permutes_scores(X, seed, method):
    if not _has_spread(X):
        return
    order = np.random.default_rng(seed).permutation(X.shape[0])
    np.testing.assert_allclose(normalise(X[order], method), normalise(X, method)[order],
                               atol=1e-9)
