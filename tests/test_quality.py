"""Data-quality report: coverage, constant columns, the skew/kurtosis outlier rule, the
robust value rule, the scored scale (denominators, logs) and the fixes.

Independent checks: skewness and kurtosis against the textbook "type 2" formulas of Joanes
& Gill (1998, The Statistician 47(1) 183–189, G1 and G2) written out here, against
``scipy.stats.skew/kurtosis`` (bias=False) on values divided or logged here, and against
COINr 1.1.14's own values and pass/fail flags for the ASEM example (treat_details.csv in
../shared/reference/asem/coinr_default_build, which records check_SkewKurt on the imputed
data); robust z-scores against ``scipy.stats.median_abs_deviation(scale="normal")`` (Leys
et al. 2013's rule); the demo's planted outliers as listed in indicator_sets/DEMO_DATA.md;
coverage counts against counts done by hand.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from scipy import stats

from evaluator.errors import DataError
from evaluator.model.panel import Panel
from evaluator.quality import display_width, quality_report


@dataclass(frozen=True)
class Name:
    zh: str
    en: str


@dataclass(frozen=True)
class Indicator:
    id: str
    name: Name
    denominator: str | None = None
    transform: str = "none"


@dataclass(frozen=True)
class Framework:
    indicators: tuple
    groups: dict = field(default_factory=dict)


def framework_of(ids, denominators=None, logged=()):
    denominators = denominators or {}
    return Framework(tuple(Indicator(i, Name(f"指标{i}", f"Indicator {i}"),
                                     denominators.get(i), "log" if i in logged else "none")
                           for i in ids))


def messages(report, level: str) -> list[str]:
    """The findings of one level without their fixes."""
    return [i.en for i in report.issues if i.level == level]


UNITS = ["太原市", "大同市", "朔州市"]
YEARS = [2019, 2020, 2021, 2022]
SKEWED = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0, 11.0, 1000.0]


def constructed_panel(extra_unit: bool = False) -> tuple[Panel, Framework]:
    """3 units × 4 years (unit-major). `sparse` misses 3 cells, `flat` is constant,
    `skewed` has one huge value (朔州市 2022), `flat2020` is constant in 2020 only."""
    rows = [(u, y) for u in UNITS for y in YEARS]
    frame = pd.DataFrame(rows, columns=["unit", "year"])
    frame["sparse"] = np.arange(12, dtype=float)
    frame.loc[[1, 2, 11], "sparse"] = np.nan       # 太原市 2020, 太原市 2021, 朔州市 2022
    frame["flat"] = 5.0
    frame["skewed"] = SKEWED
    frame["flat2020"] = np.arange(12, dtype=float)
    frame.loc[frame["year"] == 2020, "flat2020"] = 7.0
    frame["population"] = 100.0
    frame.loc[0, "population"] = 0.0
    if extra_unit:
        frame = pd.concat([frame, pd.DataFrame({"unit": ["空城"] * 2, "year": [2019, 2020]})],
                          ignore_index=True)
    ids = ("sparse", "flat", "skewed", "flat2020")
    fw = framework_of(ids, {"sparse": "population"})
    return Panel.from_frame(frame, fw), fw


def joanes_gill(x: np.ndarray) -> tuple[float, float]:
    """G1 and G2 (sample skewness and excess kurtosis, bias-adjusted), Joanes & Gill 1998."""
    n = len(x)
    d = x - x.mean()
    m2, m3, m4 = (d ** 2).mean(), (d ** 3).mean(), (d ** 4).mean()
    g1, g2 = m3 / m2 ** 1.5, m4 / m2 ** 2 - 3
    big_g1 = g1 * np.sqrt(n * (n - 1)) / (n - 2)
    big_g2 = (n - 1) / ((n - 2) * (n - 3)) * ((n + 1) * g2 + 6)
    return big_g1, big_g2


def test_coverage_counts_known_by_construction():
    panel, fw = constructed_panel()
    report = quality_report(panel, fw)
    ind = report.coverage_by_indicator.set_index("indicator")
    assert ind.loc["sparse", "n_observed"] == 9 and ind.loc["sparse", "n_missing"] == 3
    assert ind.loc["sparse", "share"] == pytest.approx(0.75)
    assert ind.loc["flat", "share"] == 1.0
    unit = report.coverage_by_unit.set_index("unit")
    assert unit.loc["太原市", "n_missing"] == 2 and unit.loc["太原市", "n_observed"] == 14
    assert unit.loc["朔州市", "share"] == pytest.approx(15 / 16)
    year = report.coverage_by_year.set_index("year")
    assert list(year["n_missing"]) == [0, 1, 1, 1]
    assert year.loc[2019, "share"] == 1.0
    assert any("indicator 'sparse' (Indicator sparse): 75% of unit-years observed" in w
               for w in report.warnings)
    assert not any("太原市" in w and "cells observed" in w for w in report.warnings)  # 87.5%


def test_constant_column_is_an_error_and_constant_year_a_warning():
    panel, fw = constructed_panel()
    report = quality_report(panel, fw)
    assert list(report.constant["indicator"]) == ["flat"]
    assert report.constant["value"].iat[0] == 5.0 and report.constant["n_observed"].iat[0] == 12
    assert report.has_errors
    constant = [m for m in messages(report, "error") if "same value" in m]
    assert constant == [
        "indicator 'flat' (Indicator flat) has the same value (5) in all 12 observed "
        "unit-years: it cannot be normalised"]
    assert any(e.startswith(constant[0] + ". Fix: check that") for e in report.errors)
    by_year = report.constant_by_year
    assert set(by_year["indicator"]) == {"flat", "flat2020"}
    row = by_year[by_year["indicator"] == "flat2020"].iloc[0]
    assert (row["year"], row["value"], row["n_observed"]) == (2020, 7.0, 3)
    year_warnings = [w for w in messages(report, "warning") if "same value" in w]
    assert year_warnings == ["indicator 'flat2020' (Indicator flat2020) has the same value (7) "
                             "for all 3 units in 2020"]


def test_skewed_column_is_flagged_with_its_extreme_unit_year():
    panel, fw = constructed_panel()
    report = quality_report(panel, fw)
    dist = report.distribution.set_index("indicator")
    g1, g2 = joanes_gill(np.array(SKEWED))
    assert dist.loc["skewed", "skew"] == pytest.approx(g1, rel=1e-12)
    assert dist.loc["skewed", "kurtosis"] == pytest.approx(g2, rel=1e-12)
    assert g1 >= 2 and g2 >= 3.5
    assert dist["outlier"].tolist() == [False, False, True, False]
    assert np.isnan(dist.loc["flat", "skew"])   # constant: no shape, no flag
    top = report.outliers.iloc[0]
    assert (top["indicator"], top["unit"], top["year"], top["value"]) == \
        ("skewed", "朔州市", 2022, 1000.0)
    assert top["z"] == pytest.approx((1000 - np.mean(SKEWED)) / np.std(SKEWED, ddof=1))
    assert len(report.outliers) == 1   # 11 and 10 are within Tukey's far-out fence
    assert any(w.startswith("indicator 'skewed' (Indicator skewed) may have outliers") and
               "朔州市 2022: 1000" in w for w in report.warnings)


def test_extremes_list_at_most_three_far_out_values_on_the_skewed_side():
    values = np.array([1.0] * 3 + [2.0] * 30 + [3.0] * 3 + [500.0, 400.0, 300.0, 200.0,
                                                             -40.0])
    frame = pd.DataFrame({"unit": [f"u{k:02d}" for k in range(len(values))], "year": 2020,
                          "v": values})
    report = quality_report(Panel.from_frame(frame, framework_of(["v"])))
    assert report.distribution["outlier"].iat[0]
    assert list(report.outliers["value"]) == [500.0, 400.0, 300.0]
    assert list(report.outliers["unit"]) == ["u36", "u37", "u38"]


def test_thresholds_are_inclusive_and_configurable():
    panel, fw = constructed_panel()
    g1, g2 = joanes_gill(np.array(SKEWED))
    at_limit = quality_report(panel, fw, outlier_skew=g1, outlier_kurtosis=g2)
    assert at_limit.distribution.set_index("indicator").loc["skewed", "outlier"]
    above = quality_report(panel, fw, outlier_skew=g1 + 1e-9)
    assert not above.distribution["outlier"].any()
    with pytest.raises(DataError, match="min_coverage must be a share"):
        quality_report(panel, fw, min_coverage=80)


def test_empty_unit_and_indicator_without_data_are_errors():
    panel, fw = constructed_panel(extra_unit=True)
    report = quality_report(panel, fw, min_coverage=0.5)
    assert "unit '空城' has no data at all" in messages(report, "error")
    frame = panel.data.copy()
    frame["sparse"] = np.nan
    empty = quality_report(Panel.from_frame(frame, fw), fw)
    assert "indicator 'sparse' (Indicator sparse) has no data at all" in messages(empty, "error")
    assert empty.coverage_by_indicator.set_index("indicator").loc["sparse", "share"] == 0


def test_zero_denominator_is_an_error_when_the_framework_is_given():
    # scoring would stop on it, so validate exits 1 (an error, not a warning)
    panel, fw = constructed_panel()
    assert any("denominator 'population' is zero or negative in 1 row (e.g. 太原市 2019)" in e
               for e in quality_report(panel, fw).errors)
    assert not any(i.code == "denominator" for i in quality_report(panel).issues)


def test_to_dict_is_json_and_complete():
    panel, fw = constructed_panel()
    report = quality_report(panel, fw)
    out = json.loads(json.dumps(report.to_dict(), ensure_ascii=False, allow_nan=False))
    assert out["has_errors"] is True and out["n_units"] == 3 and out["n_years"] == 4
    assert out["errors"] == list(report.errors) and out["warnings"] == list(report.warnings)
    sparse = next(r for r in out["coverage"]["indicators"] if r["indicator"] == "sparse")
    assert sparse == {"indicator": "sparse", "n_observed": 9, "n_missing": 3, "share": 0.75}
    flat = next(r for r in out["distribution"] if r["indicator"] == "flat")
    assert flat["skew"] is None and flat["outlier"] is False
    assert {i["code"] for i in out["issues"]} >= {"constant", "outlier", "constant_in_year",
                                                   "low_coverage_indicator", "denominator",
                                                   "outlier_values"}
    assert all(i["message_zh"] and i["fix_en"] and i["fix_zh"] for i in out["issues"])
    spike = out["outlier_values"][0]
    assert (spike["indicator"], spike["unit"], spike["year"], spike["raw"]) == \
        ("skewed", "朔州市", 2022, 1000.0)
    assert out["scales"]["sparse"] == {"en": "per population", "zh": "除以 population"}


def _table_after(text: str, title: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index(title) + 2
    end = lines.index("", start)
    return lines[start:end]


@pytest.mark.parametrize("lang, title, name", [
    ("en", "Coverage by indicator", "Indicator sparse"), ("zh", "各指标数据覆盖率", "指标sparse")])
def test_text_report_tables_are_aligned(lang, title, name):
    panel, fw = constructed_panel()
    text = quality_report(panel, fw).to_text(lang=lang)
    table = _table_after(text, title)
    assert len(table) == 2 + 4 and any(name in line for line in table)
    # the last column (share) is right-aligned, so every line ends at the same column
    assert len({display_width(line) for line in table}) == 1
    assert ("Errors" if lang == "en" else "错误") in text
    assert ("75%" in text) and ("朔州市" in text)


def test_text_report_in_chinese_carries_chinese_messages():
    panel, fw = constructed_panel()
    text = quality_report(panel, fw).to_text(lang="zh")
    assert "指标 flat（指标flat） 在全部 12 个有数据的单位-年份中取值相同（5），无法标准化" in text
    assert "可能存在异常值" in text


def test_panel_load_warnings_are_carried(tmp_path):
    panel, fw = constructed_panel()
    warned = Panel(panel.data, panel.indicator_ids, warnings=("read the first sheet 'x'",))
    report = quality_report(warned, fw)
    assert "read the first sheet 'x'" in messages(report, "warning")
    load = next(i for i in report.issues if i.code == "load")
    assert "--sheet" in load.fix_en and "--sheet" in load.fix_zh


@pytest.mark.reference
def test_skew_kurtosis_and_flags_match_coinr_on_asem():
    from conftest import reference_path
    imputed = pd.read_csv(reference_path("asem", "coinr_default_build", "dset_Imputed.csv"))
    details = pd.read_csv(reference_path("asem", "coinr_default_build", "treat_details.csv"))
    ids = [c for c in imputed.columns if c != "uCode"]
    frame = imputed.rename(columns={"uCode": "unit"}).assign(year=2018)
    report = quality_report(Panel.from_frame(frame, framework_of(ids)))
    ours = report.distribution.set_index("indicator")
    coinr = details.set_index("iCode").loc[ids]
    np.testing.assert_allclose(ours["skew"], coinr["check_SkewKurt0.Skew"], rtol=1e-9)
    np.testing.assert_allclose(ours["kurtosis"], coinr["check_SkewKurt0.Kurt"], rtol=1e-9)
    assert list(ours["outlier"]) == list(~coinr["check_SkewKurt0.Pass"].astype(bool))
    assert ours["outlier"].sum() == 15


# ---------------------------------------------------------------- the scored scale

def panel_of(columns: dict, units: int = 8, years=(2020, 2021, 2022), fw=None):
    """A unit-major panel u00… × years with the given columns (one value per row)."""
    frame = pd.DataFrame([(f"u{u:02d}", y) for u in range(units) for y in years],
                         columns=["unit", "year"])
    for name, values in columns.items():
        frame[name] = values
    ids = [c for c in columns if c != "population"]
    fw = fw or framework_of(ids)
    return Panel.from_frame(frame, fw), fw


def test_checks_use_the_ratio_to_the_denominator():
    rng = np.random.default_rng(7)
    population = np.exp(rng.normal(7, 1.2, 24))           # very unequal sizes
    doctors = np.round(population * rng.normal(2.5, 0.3, 24))
    fw = framework_of(["doctors", "twice"], {"doctors": "population", "twice": "population"})
    panel, _ = panel_of({"doctors": doctors, "twice": 2 * population,
                         "population": population}, fw=fw)
    report = quality_report(panel, fw)
    dist = report.distribution.set_index("indicator")
    ratio = doctors / population
    assert dist.loc["doctors", "skew"] == pytest.approx(stats.skew(ratio, bias=False))
    assert dist.loc["doctors", "kurtosis"] == pytest.approx(stats.kurtosis(ratio, bias=False))
    assert dist.loc["doctors", "scale"] == "per population"
    # head counts vary with size, the ratio does not: constant per population, an error
    assert list(report.constant["indicator"]) == ["twice"]
    assert ("indicator 'twice' (Indicator twice) has the same value (2, per population) in "
            "all 24 observed unit-years: it cannot be normalised") in messages(report, "error")
    raw = quality_report(panel, fw, denominate=False)
    assert raw.distribution.set_index("indicator").loc["doctors", "skew"] == \
        pytest.approx(stats.skew(doctors, bias=False))
    assert raw.constant.empty and raw.scale("doctors") == "raw"


def test_a_missing_denominator_gap_is_a_missing_value():
    population = np.full(24, 50.0)
    population[[0, 5]] = np.nan
    fw = framework_of(["beds"], {"beds": "population"})
    panel, _ = panel_of({"beds": np.arange(24.0) + 1, "population": population}, fw=fw)
    report = quality_report(panel, fw)
    assert report.coverage_by_indicator["n_observed"].iat[0] == 22
    assert report.distribution["n_observed"].iat[0] == 22


def test_log_transform_is_applied_and_non_positive_values_are_counted():
    rng = np.random.default_rng(3)
    values = np.exp(rng.normal(2, 1, 24))
    values[[4, 9]] = [0.0, -3.0]
    fw = framework_of(["gdp"], logged=("gdp",))
    panel, _ = panel_of({"gdp": values}, fw=fw)
    report = quality_report(panel, fw)
    row = report.distribution.iloc[0]
    positive = values[values > 0]
    assert row["scale"] == "log scale" and row["n_observed"] == 22
    assert row["skew"] == pytest.approx(stats.skew(np.log(positive), bias=False))
    assert report.coverage_by_indicator["n_observed"].iat[0] == 24   # present in the file
    warning = next(i for i in report.issues if i.code == "log_nonpositive")
    assert "has 2 zero or negative values (e.g. u01 2021: 0, u03 2020: -3)" in warning.en
    assert warning.subject["n_values"] == 2 and "transform: log" in warning.fix_en
    assert "2 个零或负值" in warning.zh


def test_a_denominator_column_missing_from_the_data_is_named_once():
    fw = framework_of(["beds"], {"beds": "population"})
    panel, _ = panel_of({"beds": np.arange(24.0) + 1}, fw=fw)
    report = quality_report(panel, fw)
    about = [i for i in report.issues if "population" in i.en]
    assert [i.code for i in about] == ["denominator_missing"]
    assert "add a column 'population'" in about[0].fix_en
    assert report.scale("beds") == "not divided: no column 'population'"


# ---------------------------------------------------------------- the value rule

def robust_z(values: np.ndarray) -> np.ndarray:
    """Leys et al. (2013) with scipy's MAD (scale="normal": MAD / Φ⁻¹(3/4))."""
    return np.abs(values - np.median(values)) / stats.median_abs_deviation(values,
                                                                           scale="normal")


def value_panel(spikes: dict) -> tuple[Panel, Framework]:
    """10 units × 6 years of a gently trending indicator, unit u00 ten times the others
    every year, and the given {(unit number, year index): value} spikes."""
    rng = np.random.default_rng(11)
    level = np.repeat(rng.normal(50, 5, 10), 6) + np.tile(np.arange(6.0), 10)
    level += rng.normal(0, 0.5, 60)
    level[:6] *= 10
    for (u, t), v in spikes.items():
        level[u * 6 + t] = v
    return panel_of({"v": level}, units=10, years=tuple(range(2019, 2025)))


def test_a_value_is_listed_only_when_unusual_in_its_year_and_in_its_unit():
    # u03 2021 breaks its series and its year; u05 2020 breaks its series only (a value
    # common among the other units); u00 is far from its peers every year, in line with
    # its own series
    panel, fw = value_panel({(3, 2): 500.0})
    base = panel.data.set_index(["unit", "year"])["v"]
    panel2, _ = value_panel({(3, 2): 500.0, (5, 1): base[("u07", 2020)] + 8})
    for p in (panel, panel2):
        report = quality_report(p, fw)
        listed = report.outlier_values
        assert list(zip(listed["unit"], listed["year"])) == [("u03", 2021)]
    row = listed.iloc[0]
    frame = panel2.data
    year = frame.loc[frame["year"] == 2021, "v"].to_numpy()
    unit = frame.loc[frame["unit"] == "u03", "v"].to_numpy()
    assert row["z_year"] == pytest.approx(robust_z(year)[3])
    assert row["z_unit"] == pytest.approx(robust_z(unit)[2])
    assert report.n_values_screened == 60
    warning = next(i for i in report.issues if i.code == "outlier_values")
    assert warning.en.startswith("indicator 'v' (Indicator v): possible outlier values — "
                                 "u03 2021: 500")


def test_value_rule_cutoff_is_strict_and_configurable():
    panel, fw = value_panel({(3, 2): 500.0})
    listed = quality_report(panel, fw).outlier_values.iloc[0]
    at = min(listed["z_year"], listed["z_unit"])
    assert quality_report(panel, fw, outlier_robust_z=at).outlier_values.empty
    assert len(quality_report(panel, fw, outlier_robust_z=at * (1 - 1e-9)).outlier_values) >= 1
    with pytest.raises(DataError, match="outlier_robust_z must be a positive"):
        quality_report(panel, fw, outlier_robust_z=0)


def test_a_zero_mad_falls_back_to_the_mean_absolute_deviation():
    # 8 units × 3 years, all 10 except u00 (11 every year) and u05 (1, 10, 10.5): in 2020
    # six of the eight values are 10, so the year's MAD is 0 and 1.2533 × the mean
    # absolute deviation stands in; u05's own series has a MAD of 0.5
    values = np.full(24, 10.0)
    values[0:3] = 11.0
    values[15:18] = [1.0, 10.0, 10.5]
    panel, fw = panel_of({"v": values})
    listed = quality_report(panel, fw).outlier_values
    assert list(zip(listed["unit"], listed["year"])) == [("u05", 2020)]
    year = values[0::3]
    assert stats.median_abs_deviation(year) == 0
    mean_ad = np.mean(np.abs(year - np.median(year)))          # 10 / 8
    assert listed["z_year"].iat[0] == pytest.approx(9 / (np.sqrt(np.pi / 2) * mean_ad))
    assert listed["z_unit"].iat[0] == pytest.approx(robust_z(values[15:18])[0])


def test_a_single_year_is_not_screened_value_by_value():
    frame = pd.DataFrame({"unit": [f"u{k}" for k in range(12)], "year": 2020,
                          "v": SKEWED})
    fw = framework_of(["v"])
    report = quality_report(Panel.from_frame(frame, fw), fw)
    assert report.n_values_screened == 0 and report.outlier_values.empty
    assert "not screened: a value needs at least 3 units" in report.to_text()
    assert report.distribution["outlier"].iat[0]    # the indicator rule still applies


DEMO_DATA = Path(__file__).resolve().parents[1] / "indicator_sets" / "DEMO_DATA.md"


def planted_outliers() -> set[tuple[str, int, str]]:
    """The (unit, year, indicator) rows of the table in DEMO_DATA.md."""
    rows = re.findall(r"^\| (示例市\d{3}) \| (\d{4}) \| ([a-z0-9_]+) \|$",
                      DEMO_DATA.read_text(encoding="utf-8"), flags=re.M)
    return {(u, int(y), i) for u, y, i in rows}


def test_demo_planted_outliers_are_found_on_the_scored_scale():
    from evaluator.model.framework import load_framework
    from evaluator.model.panel import load_panel
    from evaluator.resources import demo_panel_path

    planted = planted_outliers()
    assert len(planted) == 10
    fw = load_framework("resource_city_transition")
    report = quality_report(load_panel(demo_panel_path(), fw), fw)
    listed = report.outlier_values
    found = set(zip(listed["unit"], listed["year"].astype(int), listed["indicator"]))
    assert planted <= found
    assert len(listed) < 40                           # 20 for seed 2024: no flood
    assert not report.has_errors
    # licensed doctors are checked per 1,000 people, not as head counts
    raw = pd.read_csv(demo_panel_path())
    per_1000 = (raw["licensed_doctors"] / raw["population"]).dropna().to_numpy()
    dist = report.distribution.set_index("indicator")
    assert dist.loc["licensed_doctors", "scale"] == "per population"
    assert dist.loc["licensed_doctors", "skew"] == pytest.approx(stats.skew(per_1000,
                                                                            bias=False))
    logged = raw["labour_productivity"].dropna().to_numpy()
    assert dist.loc["labour_productivity", "scale"] == "log scale"
    assert dist.loc["labour_productivity", "kurtosis"] == pytest.approx(
        stats.kurtosis(np.log(logged), bias=False))
    assert "licensed_doctors" not in set(report.outliers["indicator"])


# ---------------------------------------------------------------- fixes

def test_every_finding_carries_a_fix_in_both_languages():
    panel, fw = constructed_panel(extra_unit=True)
    frame = panel.data.copy()
    frame["sparse"] = np.nan                                   # no data
    frame.loc[frame["unit"] == "大同市", "skewed"] = np.nan      # low coverage
    fw_log = Framework(fw.indicators + (Indicator("logged", Name("对数", "Logged"),
                                                  "area", "log"),))
    frame["logged"] = np.linspace(-1, 5, len(frame))          # non-positive, no 'area'
    frame.loc[frame["unit"] == "空城", "logged"] = np.nan        # a unit without data
    noted = Panel.from_frame(frame, fw_log)
    report = quality_report(Panel(noted.data, noted.indicator_ids,
                                  warnings=noted.warnings + ("a note",)), fw_log)
    codes = {i.code for i in report.issues}
    assert codes >= {"no_data", "constant", "empty_unit", "low_coverage_indicator",
                     "low_coverage_unit", "low_coverage_year", "constant_in_year",
                     "denominator", "denominator_missing", "log_nonpositive", "load"}
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for issue in report.issues:
        assert issue.fix_en and cjk.search(issue.fix_zh), issue.code
    no_data = next(i for i in report.issues if i.code == "no_data")
    assert "column header matches the indicator id or name" in no_data.fix_en
    assert "remove the indicator from the framework" in no_data.fix_en
    assert "denominator column 'population'" in no_data.fix_en
    constant = next(i for i in report.issues if i.code == "constant")
    assert "remove it from the framework" in constant.fix_en
    for lang, word in (("en", "  fix: "), ("zh", "  处理办法：")):
        text = report.to_text(lang)
        assert text.count(word) == len(report.issues)
    assert all(". Fix: " in e for e in report.errors + report.warnings)


# ---------------------------------------------------------------- properties

@settings(max_examples=50, deadline=None)
@given(X=arrays(np.float64, st.tuples(st.integers(1, 8), st.integers(1, 5)).map(
    lambda s: (s[0] * 3, s[1])),
    elements=st.one_of(st.just(np.nan), st.floats(-1e6, 1e6, allow_nan=False))))
def test_coverage_counts_add_up(X):
    n, m = X.shape
    ids = [f"i{j}" for j in range(m)]
    frame = pd.DataFrame(X, columns=ids)
    frame.insert(0, "unit", [f"u{r // 3}" for r in range(n)])
    frame.insert(1, "year", [2000 + r % 3 for r in range(n)])
    report = quality_report(Panel.from_frame(frame, framework_of(ids)))
    total = int((~np.isnan(X)).sum())
    for table in (report.coverage_by_indicator, report.coverage_by_unit,
                  report.coverage_by_year):
        assert table["n_observed"].sum() == total
        assert (table["n_observed"] + table["n_missing"]).sum() == n * m
    np.testing.assert_array_equal(report.coverage_by_indicator["n_observed"],
                                  (~np.isnan(X)).sum(axis=0))


@settings(max_examples=50, deadline=None)
@given(x=arrays(np.float64, st.integers(4, 40), elements=st.floats(-1e3, 1e3)),
       scale=st.floats(0.01, 100), shift=st.floats(-1e3, 1e3))
def test_shape_is_invariant_to_positive_affine_rescaling(x, scale, shift):
    if np.ptp(x) < 1e-3 * max(1.0, np.abs(x).max()):
        return   # (near-)constant: no shape to compare
    frames = [pd.DataFrame({"unit": [f"u{k}" for k in range(len(x))], "year": 2020, "v": v})
              for v in (x, scale * x + shift)]
    fw = framework_of(["v"])
    a, b = (quality_report(Panel.from_frame(f, fw)).distribution.iloc[0] for f in frames)
    assert b["skew"] == pytest.approx(a["skew"], rel=1e-6, abs=1e-6)
    assert b["kurtosis"] == pytest.approx(a["kurtosis"], rel=1e-6, abs=1e-6)


@settings(max_examples=40, deadline=None)
@given(values=arrays(np.float64, 24, elements=st.integers(-50, 50).map(float)),
       scale=st.sampled_from([0.25, 2.0, 8.0]), shift=st.integers(-100, 100),
       order=st.permutations(range(24)))
def test_value_rule_is_invariant_to_rescaling_and_row_order(values, scale, shift, order):
    """Powers of two and integer shifts keep medians and MADs exact, so the robust z and
    the list of flagged values must not change; nor may the order of the rows. A tiny
    cut-off lists (nearly) every value, so every z is compared."""
    def listed(v, rows=range(24)):
        frame = pd.DataFrame({"unit": [f"u{r // 3}" for r in range(24)],
                              "year": [2000 + r % 3 for r in range(24)], "v": v})
        frame = frame.iloc[list(rows)]
        out = quality_report(Panel.from_frame(frame, framework_of(["v"])),
                             outlier_robust_z=1e-9).outlier_values
        return {(u, y): (zy, zu) for u, y, zy, zu in
                out[["unit", "year", "z_year", "z_unit"]].itertuples(index=False)}
    base = listed(values)
    moved = listed(values * scale + shift)
    assert moved.keys() == base.keys()
    for key, (zy, zu) in base.items():
        assert moved[key] == pytest.approx((zy, zu), rel=1e-12)
    assert listed(values, order).keys() == base.keys()
