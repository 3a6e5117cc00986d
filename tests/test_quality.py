"""Data-quality report: coverage, constant columns, the skew/kurtosis outlier rule.

Independent checks: skewness and kurtosis against the textbook "type 2" formulas of Joanes
& Gill (1998, The Statistician 47(1) 183–189, G1 and G2) written out here, and against
COINr 1.1.14's own values and pass/fail flags for the ASEM example (treat_details.csv in
../shared/reference/asem/coinr_default_build, which records check_SkewKurt on the imputed
data); coverage counts against counts done by hand.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

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


@dataclass(frozen=True)
class Framework:
    indicators: tuple
    groups: dict = field(default_factory=dict)


def framework_of(ids, denominators=None):
    denominators = denominators or {}
    return Framework(tuple(Indicator(i, Name(f"指标{i}", f"Indicator {i}"),
                                     denominators.get(i)) for i in ids))


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
    assert report.errors == ("indicator 'flat' (Indicator flat) has the same value (5) in all "
                             "12 observed unit-years: it cannot be normalised",)
    by_year = report.constant_by_year
    assert set(by_year["indicator"]) == {"flat", "flat2020"}
    row = by_year[by_year["indicator"] == "flat2020"].iloc[0]
    assert (row["year"], row["value"], row["n_observed"]) == (2020, 7.0, 3)
    year_warnings = [w for w in report.warnings if "same value" in w]
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
    assert "unit '空城' has no data at all" in report.errors
    frame = panel.data.copy()
    frame["sparse"] = np.nan
    empty = quality_report(Panel.from_frame(frame, fw), fw)
    assert "indicator 'sparse' (Indicator sparse) has no data at all" in empty.errors
    assert empty.coverage_by_indicator.set_index("indicator").loc["sparse", "share"] == 0


def test_zero_denominator_is_warned_when_the_framework_is_given():
    panel, fw = constructed_panel()
    assert any("denominator 'population' is zero or negative in 1 row (e.g. 太原市 2019)" in w
               for w in quality_report(panel, fw).warnings)
    assert not any("denominator" in w for w in quality_report(panel).warnings)


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
                                                   "low_coverage_indicator", "denominator"}
    assert all(i["message_zh"] for i in out["issues"])


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
    assert "read the first sheet 'x'" in quality_report(warned, fw).warnings


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
