"""The synthetic demo panel: shape, determinism, admissible values, planted defects, realism.

Independent anchors: the city-type counts of the national plan for resource-based cities
2013-2020 (31 growing, 141 mature, 67 declining, 23 regenerating; 262 in all), the levels
the policy study reports for resource-based cities in §2.3 (non-resource industry share
38% in 2020 and 45% in 2023; mine-land reclamation 28% at the start and 42% in 2023), and the
goalposts declared in the framework files.
"""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluator import demo_panel
from evaluator.demo_panel import builtin_dir, demo_panel_csv, generate_demo_panel, main

SETS = Path(__file__).resolve().parent.parent / "indicator_sets"
SHIPPED = SETS / "demo_panel.csv"
PLAN_COUNTS = {"growing": 31, "mature": 141, "declining": 67, "regenerating": 23}
ID_COLUMNS = ["unit", "unit_en", "year", "group", "population"]


def framework(name: str) -> dict:
    with open(SETS / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def expected_indicator_ids() -> list[str]:
    ids = [ind["id"] for ind in framework("resource_city_transition")["indicators"]]
    return ids + [ind["id"] for ind in framework("policy_effect")["indicators"] if ind["id"] not in ids]


def goalposts() -> dict[str, tuple[float, float]]:
    bounds = {}
    for name in ("resource_city_transition", "policy_effect"):
        for ind in framework(name)["indicators"]:
            if "goalposts" in ind:
                bounds[ind["id"]] = tuple(ind["goalposts"])
    return bounds


@pytest.fixture(scope="module")
def shipped() -> pd.DataFrame:
    return pd.read_csv(SHIPPED, encoding="utf-8")


@pytest.fixture(scope="module")
def generated() -> pd.DataFrame:
    return generate_demo_panel(2024)


# ---------------------------------------------------------------- file and determinism
def test_shipped_csv_is_exactly_what_the_generator_writes():
    assert SHIPPED.read_bytes() == demo_panel_csv(2024)


def test_plain_utf8_csv_without_comment_or_bom():
    raw = SHIPPED.read_bytes()
    assert not raw.startswith(b"\xef\xbb\xbf") and b"\r" not in raw
    first_line = raw.decode("utf-8").split("\n", 1)[0]
    assert first_line == ",".join(ID_COLUMNS + expected_indicator_ids())


def test_same_seed_same_frame_other_seed_differs(generated):
    again = generate_demo_panel(2024)
    pd.testing.assert_frame_equal(generated, again)
    assert generated.attrs["planted_outliers"] == again.attrs["planted_outliers"]
    other = generate_demo_panel(7)
    indicators = expected_indicator_ids()
    assert not np.allclose(generated[indicators].astype(float).fillna(-1), other[indicators].astype(float).fillna(-1))
    assert demo_panel_csv(7) != demo_panel_csv(2024)


def test_cli_writes_the_same_bytes(tmp_path):
    target = tmp_path / "panel.csv"
    assert main(["--out", str(target), "--seed", "2024"]) == 0
    assert target.read_bytes() == SHIPPED.read_bytes()
    assert not [p for p in tmp_path.iterdir() if p.name != "panel.csv"], "temporary file left behind"


def test_cli_reports_a_missing_output_folder(tmp_path, capsys):
    assert main(["--out", str(tmp_path / "no_such_dir" / "panel.csv")]) == 2
    assert "fix:" in capsys.readouterr().err


def test_builtin_dir_finds_the_frameworks():
    assert builtin_dir() == SETS
    assert (builtin_dir() / "resource_city_transition.yaml").is_file()


def test_missing_spec_is_a_clear_error(monkeypatch):
    specs = dict(demo_panel.SPECS)
    del specs["pm25"]
    monkeypatch.setattr(demo_panel, "SPECS", specs)
    with pytest.raises(demo_panel.FrameworkError, match="pm25"):
        generate_demo_panel()


def test_the_data_is_declared_synthetic():
    note = (SETS / "DEMO_DATA.md").read_text(encoding="utf-8")
    assert "synthetic" in note and "invented" in note and "not real cities" in note
    assert "SYNTHETIC" in demo_panel.__doc__ and "no real" in demo_panel.__doc__
    assert "invented" in generate_demo_panel.__doc__
    for outlier in generate_demo_panel(2024).attrs["planted_outliers"]:
        assert f"| {outlier['unit']} | {outlier['year']} | {outlier['indicator']} |" in note


# ---------------------------------------------------------------- shape
def test_shape_units_years_groups(shipped):
    assert list(shipped.columns) == ID_COLUMNS + expected_indicator_ids()
    assert shipped.shape == (262 * 10, len(ID_COLUMNS) + 32)
    assert shipped["unit"].nunique() == 262 and shipped["unit_en"].nunique() == 262
    assert sorted(shipped["year"].unique()) == list(range(2016, 2026))
    assert not shipped.duplicated(["unit", "year"]).any()
    assert shipped["unit"].iloc[0] == "示例市001" and shipped["unit_en"].iloc[0] == "Demo City 001"
    assert (shipped.groupby("unit")["group"].nunique() == 1).all(), "a city keeps its type"
    for _, per_year in shipped.groupby("year"):
        assert per_year["group"].value_counts().to_dict() == PLAN_COUNTS


def test_identity_columns_complete_and_population_positive(shipped):
    assert shipped[ID_COLUMNS].notna().all().all()
    assert (shipped["population"] > 0).all()
    assert shipped["population"].between(50, 30000).all()   # thousands


def test_missing_share_about_three_percent(shipped):
    share = shipped[expected_indicator_ids()].isna().to_numpy().mean()
    assert 0.02 <= share <= 0.04
    assert share == pytest.approx(0.03, abs=1e-4)
    assert shipped[expected_indicator_ids()].isna().any().all(), "gaps spread over all indicators"


def test_values_inside_goalposts_and_counts_integral(shipped):
    for indicator_id, (lo, hi) in goalposts().items():
        column = shipped[indicator_id].dropna()
        assert column.between(lo, hi).all(), indicator_id
    doctors = shipped["licensed_doctors"].dropna()
    assert (doctors == doctors.round()).all() and (doctors > 0).all()
    positive = ["labour_productivity", "energy_intensity", "co2_intensity", "pm25",
                "water_use_intensity", "urban_income_rel", "gdp_per_capita_rel", "hospital_beds_per_1000"]
    for indicator_id in positive:
        assert (shipped[indicator_id].dropna() > 0).all(), indicator_id
    assert (shipped["urban_rural_income_ratio"].dropna() >= 1).all()


def test_doctors_per_thousand_after_denomination_is_plausible(shipped):
    per_thousand = shipped["licensed_doctors"] / shipped["population"]
    assert 1.5 < per_thousand.median() < 4.5
    assert per_thousand.quantile(0.99) < 10


# ---------------------------------------------------------------- planted outliers
def test_ten_planted_outliers_extreme_but_admissible(generated):
    outliers = generated.attrs["planted_outliers"]
    assert len(outliers) == 10 and len({o["indicator"] for o in outliers}) == 10
    bounds = goalposts()
    for outlier in outliers:
        column = generated[outlier["indicator"]].astype(float)
        cell = generated.loc[(generated["unit"] == outlier["unit"]) & (generated["year"] == outlier["year"]),
                             outlier["indicator"]]
        value = float(cell.iloc[0])
        assert not np.isnan(value), "an outlier is never blanked"
        median = column.median()
        robust_sd = 1.4826 * (column - median).abs().median()
        assert abs(value - median) / robust_sd > 3.5, outlier
        if outlier["indicator"] in bounds:
            lo, hi = bounds[outlier["indicator"]]
            assert lo <= value <= hi


# ---------------------------------------------------------------- realism
def test_plausible_correlations(shipped):
    corr = shipped[expected_indicator_ids()].corr()
    assert corr.loc["gdp_per_capita_rel", "rd_intensity"] > 0.3
    assert corr.loc["gdp_per_capita_rel", "urban_income_rel"] > 0.3
    assert corr.loc["mining_share", "non_resource_share"] < -0.2
    assert corr.loc["gdp_per_capita_rel", "mining_share"] < 0
    assert corr.loc["pm25", "good_air_days_share"] < -0.5
    assert corr.loc["energy_intensity", "co2_intensity"] > 0.5


def test_trends_over_the_decade(shipped):
    median = shipped.groupby("year")[expected_indicator_ids()].median()
    rising = ["non_resource_share", "tertiary_share", "strategic_emerging_share", "rd_intensity",
              "mine_reclamation_rate", "good_air_days_share", "non_fossil_power_share", "pension_coverage"]
    falling = ["mining_share", "traditional_industry_share", "pm25", "energy_intensity",
               "co2_intensity", "water_use_intensity", "urban_rural_income_ratio"]
    assert (median.loc[2025, rising] > median.loc[2016, rising]).all()
    assert (median.loc[2025, falling] < median.loc[2016, falling]).all()


def test_levels_near_the_study_figures(shipped):
    """§2.3: non-resource share 38% (2020) -> 45% (2023); reclamation 28% (first year) -> 42% (2023)."""
    mean = shipped.groupby("year")[["non_resource_share", "mine_reclamation_rate"]].mean()
    assert mean.loc[2020, "non_resource_share"] == pytest.approx(38, abs=4)
    assert mean.loc[2023, "non_resource_share"] == pytest.approx(45, abs=4)
    assert mean.loc[2016, "mine_reclamation_rate"] == pytest.approx(28, abs=4)
    assert mean.loc[2023, "mine_reclamation_rate"] == pytest.approx(42, abs=4)


def test_group_profiles(shipped):
    by_group = shipped.groupby("group").median(numeric_only=True)
    assert by_group.loc["regenerating", "non_resource_share"] > by_group.loc["mature", "non_resource_share"]
    assert by_group.loc["regenerating", "mining_share"] < by_group.loc["mature", "mining_share"]
    assert by_group.loc["declining", "unemployment_rate"] > by_group.loc["mature", "unemployment_rate"]
    assert by_group.loc["declining", "fiscal_self_sufficiency"] < by_group.loc["mature", "fiscal_self_sufficiency"]
    assert by_group.loc["declining", "population"] < by_group.loc["regenerating", "population"] * 5  # sane scale
    growth = shipped.pivot(index="unit", columns="year", values="population")
    declining_units = shipped.loc[shipped["group"] == "declining", "unit"].unique()
    assert (growth.loc[declining_units, 2025] < growth.loc[declining_units, 2016]).mean() > 0.8


# ---------------------------------------------------------------- invariants for any seed
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(min_value=0, max_value=2**32 - 1))
def test_invariants_hold_for_any_seed(seed):
    frame = generate_demo_panel(seed)
    indicators = expected_indicator_ids()
    assert frame.shape == (2620, len(ID_COLUMNS) + len(indicators))
    assert frame.loc[frame["year"] == 2016, "group"].value_counts().to_dict() == PLAN_COUNTS
    assert frame[indicators].isna().to_numpy().mean() == pytest.approx(0.03, abs=1e-4)
    for indicator_id, (lo, hi) in goalposts().items():
        assert frame[indicator_id].dropna().between(lo, hi).all(), (seed, indicator_id)
    assert len({o["indicator"] for o in frame.attrs["planted_outliers"]}) == 10
    assert frame[indicators].corr().loc["gdp_per_capita_rel", "rd_intensity"] > 0
    assert demo_panel_csv(seed) == demo_panel_csv(seed)


def test_every_relative_target_has_its_base_value(shipped):
    """No blank where a relative target is measured from (energy intensity in 2025), for
    any seed too, so every target of the built-in frameworks resolves on the demo."""
    cells = demo_panel.target_base_cells()
    assert ("energy_intensity", 2025) in cells
    for frame in (shipped, generate_demo_panel(7)):
        for indicator, year in cells:
            assert frame.loc[frame["year"] == year, indicator].notna().all(), (indicator, year)
