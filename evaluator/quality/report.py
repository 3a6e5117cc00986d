"""Data-quality report of a panel: coverage, constant columns, skewed indicators, outliers.

What ``evaluator validate`` prints before anything is scored. Errors make scoring
impossible or meaningless (an indicator without any data, an indicator with one value for
every unit-year — zero range, nothing to normalise —, a unit without any data); warnings
deserve a look (low coverage, constant within a year, outliers). Every finding carries a
short fix, in English and Chinese.

Scale. With a framework, the constant, distribution and outlier checks look at the values
the pipeline scores (``evaluate``): each indicator divided by its ``denominator`` column,
then ``np.log`` where ``transform: log``; the tables say which scale was checked. Coverage
counts the cells the pipeline gets a value for (a missing denominator leaves the ratio
missing).

Indicator rule (COINr's default ``check_SkewKurt``, Becker et al. 2022, "COINr: An R
package for developing composite indicators", JOSS 7(78) 4567; the thresholds follow the
JRC's practice, OECD/JRC Handbook on Constructing Composite Indicators 2008): an indicator
is flagged when |skewness| ≥ 2 and excess kurtosis ≥ 3.5, both the bias-corrected sample
statistics ("type 2", as Excel's SKEW and KURT; ``scipy.stats.skew/kurtosis`` with
``bias=False``), computed over all observed unit-years (pooled, like the default pooled
normalisation). It judges a column's shape, not a value: one wild value among 2,600 can
pass it, and a naturally long-tailed indicator can fail it with no wrong value at all.

Value rule (the median-absolute-deviation rule of Leys, Ley, Klein, Bernard & Licata
2013, "Detecting outliers: Do not use standard deviation around the mean, use absolute
deviation around the median", J. Exp. Soc. Psychol. 49(4) 764–766): the robust z of a
value in a group is |x − median| / (1.4826·MAD), 1.4826 = 1/Φ⁻¹(3/4) making the MAD a
standard deviation for normal data (when more than half the group is one value, MAD = 0
and 1.2533·mean absolute deviation, √(π/2) for normal data, stands in). A panel gives each
value two groups: the units of its year, and its own unit's years. A value is listed as a
possible outlier when its robust z exceeds 3 (Leys et al.'s "very conservative" cut-off)
in both: unusual among its peers that year *and* a break in its own series, the mark of a
typing slip or a change of unit. Either group alone flags far too much: a rich city's
R&D intensity is extreme every year (far from its peers, in line with its own series), a
city on a steep trend drifts from its own median (in line with its peers), and skewed
indicators have long natural tails. On the demo panel a year-only rule at 5 lists ~150
values and still misses two of the ten planted outliers (shares squeezed near their
bounds), while the two-group rule at 3 lists 20, all ten among them
(tests/test_quality.py). A value whose year has fewer than three units, or whose unit has
fewer than three observed years (a single-year panel), is not screened: the indicator
rule above still covers it.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Mapping

import numpy as np
import pandas as pd

from evaluator.errors import DataError
from evaluator.methods.treat import skewness_and_kurtosis
from evaluator.quality.findings import (
    RAW_SCALE, Issue, about_missing_denominator, constant_issues,
    framework_issue, coverage_issues,
    denominator_issues, denominator_missing, load_issue, log_nonpositive,
    outlier_issues)
from evaluator.model.period import period_labels
from evaluator.stages.calendar_gaps import gap_findings
from evaluator.quality.text import display_width, render
from ..i18n import M, t

__all__ = ["Issue", "QualityReport", "display_width", "quality_report"]

_EXTREMES_SHOWN = 3        # most extreme unit-years listed per flagged indicator
_RELATIVE_TOLERANCE = 1e-12  # a column whose range is this small relative to its size is constant
_MIN_FOR_SHAPE = 4         # bias-corrected kurtosis needs n ≥ 4
_MIN_FOR_ROBUST = 3        # values a group needs before its median and MAD mean anything
_MAD_TO_SD = 1 / 0.6744897501960817      # 1/Φ⁻¹(3/4) ≈ 1.4826 (Leys et al. 2013)
_MEAN_AD_TO_SD = math.sqrt(math.pi / 2)  # ≈ 1.2533, for a group whose MAD is 0

@dataclass(frozen=True, eq=False)
class QualityReport:
    """Tables (DataFrames) and findings; see :func:`quality_report`."""

    coverage_by_indicator: pd.DataFrame   # indicator, n_observed, n_missing, share
    coverage_by_unit: pd.DataFrame        # unit, n_observed, n_missing, share
    coverage_by_year: pd.DataFrame        # year, n_observed, n_missing, share
    constant: pd.DataFrame                # indicator, value, n_observed
    constant_by_year: pd.DataFrame        # indicator, year, value, n_observed
    distribution: pd.DataFrame            # indicator, n_observed, skew, kurtosis, outlier, scale
    outliers: pd.DataFrame                # indicator, unit, year, value, z, raw
    outlier_values: pd.DataFrame          # indicator, unit, year, value, raw, z_year, z_unit
    issues: tuple[Issue, ...]
    settings: dict
    labels: dict = field(default_factory=dict)   # indicator id → (zh, en)
    scales: dict = field(default_factory=dict)   # indicator id → (en, zh) of the checked scale
    n_units: int = 0
    n_years: int = 0
    n_values_screened: int = 0   # values the value rule could judge (both groups big enough)
    frequency: str = "year"      # the panel's time axis: year | half | quarter | month
    periods: tuple = ()          # its periods, labelled, in calendar order

    @property
    def errors(self) -> tuple[str, ...]:
        """English errors, each with its fix."""
        return tuple(i.full_text() for i in self.issues if i.level == "error")

    @property
    def warnings(self) -> tuple[str, ...]:
        """English warnings, each with its fix."""
        return tuple(i.full_text() for i in self.issues if i.level == "warning")

    @property
    def has_errors(self) -> bool:
        return any(i.level == "error" for i in self.issues)

    def to_dict(self) -> dict:
        """JSON-serialisable: NaN → None, numpy scalars → Python numbers."""
        def records(frame: pd.DataFrame) -> list[dict]:
            return [{k: _plain(v) for k, v in row.items()}
                    for row in frame.to_dict(orient="records")]
        return {
            "settings": {k: _plain(v) for k, v in self.settings.items()},
            "n_units": self.n_units, "n_years": self.n_years,
            "n_values_screened": self.n_values_screened,
            "n_indicators": len(self.coverage_by_indicator),
            "frequency": self.frequency, "periods": list(self.periods),
            "has_errors": self.has_errors,
            "errors": list(self.errors), "warnings": list(self.warnings),
            "issues": [{"level": i.level, "code": i.code, "message_en": i.en,
                        "message_zh": i.zh, "fix_en": i.fix_en, "fix_zh": i.fix_zh,
                        **{k: _plain(v) for k, v in i.subject.items()}}
                       for i in self.issues],
            "coverage": {"indicators": records(self.coverage_by_indicator),
                         "units": records(self.coverage_by_unit),
                         "years": records(self.coverage_by_year)},
            "constant": records(self.constant),
            "constant_by_year": records(self.constant_by_year),
            "distribution": records(self.distribution),
            "outliers": records(self.outliers),
            "outlier_values": records(self.outlier_values),
            "scales": {k: {"en": en, "zh": zh} for k, (en, zh) in self.scales.items()},
        }

    def _repr_html_(self) -> str:
        from ..i18n import get_lang, t
        from ..model.notebook import html_card

        lang = get_lang()
        issues = pd.DataFrame([{"level": i.level, "message": i.full_text(lang)}
                               for i in self.issues], columns=["level", "message"])
        facts = [t("nb.quality.facts", units=self.n_units, years=self.n_years,
                   errors=len(self.errors), warnings=len(self.warnings))]
        return html_card(t("nb.quality.title"), facts,
                         [(t("nb.issues"), issues), (t("nb.coverage"),
                                                     self.coverage_by_indicator),
                          (t("nb.outliers"), self.outliers)], max_rows=20)

    def to_text(self, lang: str = "en") -> str:
        """A readable report with aligned tables, in English or Chinese."""
        return render(self, "zh" if lang == "zh" else "en")

    def label(self, indicator: str, lang: str = "en") -> str:
        zh, en = self.labels.get(indicator, ("", ""))
        return (zh if lang == "zh" else en) or zh or en

    def scale(self, indicator: str, lang: str = "en") -> str:
        en, zh = self.scales.get(indicator, RAW_SCALE)
        return zh if lang == "zh" else en


def quality_report(panel, framework=None, *, outlier_skew: float = 2.0,
                   outlier_kurtosis: float = 3.5, min_coverage: float = 0.8,
                   outlier_robust_z: float = 3.0, denominate: bool = True,
                   dropped: Mapping[str, str] | None = None) -> QualityReport:
    """Check a :class:`~evaluator.model.panel.Panel` before scoring.

    ``framework`` (optional) supplies indicator names, denominators and log transforms:
    the checks then run on the scale the pipeline scores (``denominate=False`` when the
    recipe turns denominators off). ``min_coverage`` is the share of observed cells below
    which an indicator, unit or year gets a warning. ``outlier_robust_z`` is the robust z
    a value must exceed both within its year and within its unit to be listed as a
    possible outlier (see the module docstring). ``dropped``: the indicators the recipe
    drops (``screen.drop_indicators``) — having no data is then a warning, not an error.
    """
    if not 0 <= min_coverage <= 1:
        raise DataError(M("quality.min_coverage_must_share", min_coverage=min_coverage),
                        where="quality_report", fix="e.g. min_coverage=0.8")
    if not outlier_robust_z > 0:
        raise DataError(M("quality.outlier_robust_z_must", outlier_robust_z=outlier_robust_z), where="quality_report",
                        fix="e.g. outlier_robust_z=3")
    ids = list(panel.indicator_ids)
    labels = _labels(ids, framework)
    data = panel.data
    frequency = getattr(panel, "frequency", "year")
    if frequency != "year":   # checks per period: the calendar keys stand in for years
        data = data.assign(year=panel.keys)
    raw = panel.values(ids)
    scored = _scored_values(ids, data, raw, framework, denominate, labels)
    X, usable = scored.values, ~np.isnan(scored.values)
    den_names = {str(i.denominator) for i in getattr(framework, "indicators", ())
                 if denominate and getattr(i, "denominator", None)}
    issues: list[Issue] = [framework_issue(w) for w in getattr(framework, "warnings", ())]
    issues += [load_issue(w) for w in panel.warnings
               if not about_missing_denominator(w, den_names, data)]

    by_indicator = _coverage(pd.Series(ids, name="indicator"), scored.observed.sum(axis=0),
                             np.full(len(ids), X.shape[0]))
    cells = pd.DataFrame({"unit": data["unit"].to_numpy(), "year": data["year"].to_numpy(),
                          "n": scored.observed.sum(axis=1), "cells": len(ids)})
    by_unit = _grouped_coverage(cells, "unit")
    by_year = _grouped_coverage(cells, "year")

    constant = _constant(ids, X, usable)
    constant_by_year = _constant_by_year(ids, data, X)
    distribution, flagged = _distribution(ids, X, usable, constant, outlier_skew,
                                          outlier_kurtosis)
    distribution["scale"] = [scored.scales[i][0] for i in ids]
    outliers = _extremes(ids, data, X, raw, distribution, flagged)
    outlier_values, n_screened = _robust_screen(ids, data, X, raw, outlier_robust_z)
    if frequency != "year":   # shown by their labels (2024Q2) from here on
        by_year, constant_by_year, outliers, outlier_values = (
            _labelled(t, frequency) for t in (by_year, constant_by_year, outliers,
                                              outlier_values))

    issues += coverage_issues(by_indicator, by_unit, by_year, min_coverage, labels,
                              framework if denominate else None)
    issues += constant_issues(constant, constant_by_year, labels, scored.scales)
    issues += outlier_issues(distribution, outliers, outlier_values, labels, scored.scales,
                             framework)
    issues += scored.issues
    if framework is not None and denominate:
        issues += denominator_issues(framework, data)
    issues += [Issue("warning", f["code"], f["en"], f["zh"], f["fix_en"], f["fix_zh"],
                     f["subject"]) for f in gap_findings(data["unit"], data["year"],
                                                         frequency)]
    if dropped:   # no data, but the recipe drops it openly (model/dropped.py)
        issues = [_dropped_issue(i) if i.code == "no_data"
                  and i.subject.get("indicator") in dropped else i for i in issues]
    settings = {"min_coverage": min_coverage, "outlier_skew": outlier_skew,
                "outlier_kurtosis": outlier_kurtosis, "outlier_robust_z": outlier_robust_z,
                "denominate": denominate}
    return QualityReport(by_indicator, by_unit, by_year, constant, constant_by_year,
                         distribution, outliers, outlier_values, tuple(issues), settings,
                         labels, scored.scales, n_units=int(data["unit"].nunique()),
                         n_years=int(data["year"].nunique()), n_values_screened=n_screened,
                         frequency=frequency, periods=tuple(period_labels(
                             np.unique(data["year"].to_numpy()), frequency)))


def _dropped_issue(issue: Issue) -> Issue:
    return dataclasses.replace(
        issue, level="warning", code="no_data_dropped",
        en=f"{issue.en}; {t('numbers.validate.dropped', 'en')}",
        zh=f"{issue.zh}；{t('numbers.validate.dropped', 'zh')}",
        fix_en=t("numbers.validate.dropped.fix", "en"),
        fix_zh=t("numbers.validate.dropped.fix", "zh"))


def _labelled(frame: pd.DataFrame, frequency: str) -> pd.DataFrame:
    if "year" not in frame.columns:
        return frame
    return frame.assign(year=period_labels(frame["year"].to_numpy(), frequency))


# ---------------------------------------------------------------- the scored scale

@dataclass(frozen=True)
class _Scored:
    values: np.ndarray     # on the scored scale; NaN where the pipeline has no usable value
    observed: np.ndarray   # the pipeline gets a value (the value and its denominator given)
    scales: dict           # indicator id → (en, zh)
    issues: list


def _scored_values(ids, data, raw, framework, denominate, labels) -> _Scored:
    """Divide by the denominator, then take logs, as ``evaluate`` does (a loop over
    columns). Zero or negative denominators and non-positive values under a log leave a
    gap here (``evaluate`` stops on them; the issues say so)."""
    values, observed = raw.copy(), ~np.isnan(raw)
    scales = {i: RAW_SCALE for i in ids}
    issues: list[Issue] = []
    indicators = {str(i.id): i for i in getattr(framework, "indicators", ())}
    for j, indicator_id in enumerate(ids):
        ind = indicators.get(indicator_id)
        if ind is None:
            continue
        en, zh = [], []
        den = getattr(ind, "denominator", None) if denominate else None
        if den and den in data.columns:
            size = pd.to_numeric(data[den], errors="coerce").to_numpy(dtype=float)
            observed[:, j] &= ~np.isnan(size)
            with np.errstate(invalid="ignore", divide="ignore"):
                values[:, j] = np.where(size > 0, values[:, j] / size, np.nan)
            en.append(f"per {den}")
            zh.append(f"除以 {den}")
        elif den:
            en.append(f"not divided: no column {den!r}")
            zh.append(f"未除以分母：缺少列 {den}")
            issues.append(denominator_missing(indicator_id, den, labels))
        if getattr(ind, "transform", "none") == "log":
            column = values[:, j]
            bad = np.flatnonzero(~np.isnan(column) & (column <= 0))
            if len(bad):
                issues.append(log_nonpositive(indicator_id, bad, data, raw[:, j], labels))
            with np.errstate(invalid="ignore", divide="ignore"):
                values[:, j] = np.where(column > 0, np.log(column), np.nan)
            en.insert(0, "log scale")
            zh.append("对数尺度")
        if en:
            scales[indicator_id] = (", ".join(en), "，".join(zh))
    return _Scored(values, observed, scales, issues)


# ---------------------------------------------------------------- tables

def _coverage(keys: pd.Series, n_observed, n_cells) -> pd.DataFrame:
    n_observed = np.asarray(n_observed, dtype=np.int64)
    n_cells = np.asarray(n_cells, dtype=np.int64)
    with np.errstate(invalid="ignore", divide="ignore"):
        share = np.where(n_cells > 0, n_observed / np.maximum(n_cells, 1), np.nan)
    return pd.DataFrame({keys.name: keys.to_numpy(), "n_observed": n_observed,
                         "n_missing": n_cells - n_observed, "share": share})


def _grouped_coverage(cells: pd.DataFrame, key: str) -> pd.DataFrame:
    sums = cells.groupby(key, sort=True)[["n", "cells"]].sum()
    return _coverage(pd.Series(sums.index.to_numpy(), name=key), sums["n"], sums["cells"])


def _is_constant(low, high) -> np.ndarray:
    scale = np.maximum(np.abs(low), np.abs(high))
    return (high - low) <= _RELATIVE_TOLERANCE * scale


def _constant(ids, X, observed) -> pd.DataFrame:
    n = observed.sum(axis=0)
    filled_low = np.where(observed, X, np.inf).min(axis=0)
    filled_high = np.where(observed, X, -np.inf).max(axis=0)
    with np.errstate(invalid="ignore"):
        mask = (n > 0) & _is_constant(filled_low, filled_high)
    return pd.DataFrame({"indicator": np.asarray(ids, dtype=object)[mask],
                         "value": filled_low[mask], "n_observed": n[mask].astype(np.int64)})


def _constant_by_year(ids, data, X) -> pd.DataFrame:
    frame = pd.DataFrame(X, columns=ids)
    grouped = frame.groupby(data["year"].to_numpy(), sort=True)
    low, high, count = grouped.min(), grouped.max(), grouped.count()
    with np.errstate(invalid="ignore"):
        mask = (count.to_numpy() >= 2) & _is_constant(low.to_numpy(), high.to_numpy())
    years, cols = np.nonzero(mask)
    out = pd.DataFrame({"position": cols, "indicator": np.asarray(ids, dtype=object)[cols],
                        "year": low.index.to_numpy()[years].astype(np.int64),
                        "value": low.to_numpy()[years, cols],
                        "n_observed": count.to_numpy()[years, cols].astype(np.int64)})
    return out.sort_values(["indicator", "year"], kind="stable").reset_index(drop=True)


def _distribution(ids, X, observed, constant, skew_limit, kurt_limit):
    """Bias-corrected skewness and excess kurtosis per indicator (a loop over columns)."""
    skews = np.full(len(ids), np.nan)
    kurts = np.full(len(ids), np.nan)
    constant_ids = set(constant["indicator"])
    for j, indicator in enumerate(ids):
        values = X[observed[:, j], j]
        if len(values) >= _MIN_FOR_SHAPE and indicator not in constant_ids:
            # the same bias-corrected estimators as the outlier treatment (COINr's rule)
            skews[j], kurts[j] = skewness_and_kurtosis(values)
    with np.errstate(invalid="ignore"):
        flagged = (np.abs(skews) >= skew_limit) & (kurts >= kurt_limit)
    table = pd.DataFrame({"indicator": ids, "n_observed": observed.sum(axis=0),
                          "skew": skews, "kurtosis": kurts, "outlier": flagged})
    return table, flagged


def _extremes(ids, data, X, raw, distribution, flagged) -> pd.DataFrame:
    """For each flagged indicator, the unit-years on the side of the skew (the long tail)
    beyond Tukey's far-out fence (Q3 + 3·IQR, or Q1 − 3·IQR for a negative skew; Tukey
    1977, Exploratory Data Analysis), most extreme first, at most three; the single most
    extreme one when none is that far out. With their z-scores on the checked scale and
    their values as the data file has them (``raw``)."""
    parts = []
    for j in np.flatnonzero(flagged):
        column = X[:, j]
        ok = ~np.isnan(column)
        values = column[ok]
        side = np.sign(distribution["skew"].iat[j]) or 1.0
        q1, q3 = np.percentile(values, [25, 75])
        fence = q3 + 3 * (q3 - q1) if side > 0 else q1 - 3 * (q3 - q1)
        order = np.argsort(-side * values, kind="stable")
        far_out = int((side * (values - fence) > 0).sum())
        pick = order[:min(max(far_out, 1), _EXTREMES_SHOWN)]
        rows = np.flatnonzero(ok)[pick]
        parts.append(pd.DataFrame({
            "indicator": ids[j], "unit": data["unit"].to_numpy()[rows],
            "year": data["year"].to_numpy()[rows].astype(np.int64), "value": values[pick],
            "z": (values[pick] - values.mean()) / values.std(ddof=1), "raw": raw[rows, j]}))
    return _frame(parts, ["indicator", "unit", "year", "value", "z", "raw"])


def _robust_screen(ids, data, X, raw, cutoff) -> tuple[pd.DataFrame, int]:
    """Values whose robust z exceeds ``cutoff`` both among the units of their year and
    within their unit's series (Leys et al. 2013; see the module docstring), sorted by
    indicator, unit, year; and the number of values both groups could judge."""
    frame = pd.DataFrame(X, columns=range(len(ids)))
    z_year = _robust_z(frame, data["year"].to_numpy())
    z_unit = _robust_z(frame, data["unit"].to_numpy())
    with np.errstate(invalid="ignore"):
        judged = ~np.isnan(z_year) & ~np.isnan(z_unit)
        flagged = judged & (z_year > cutoff) & (z_unit > cutoff)
    cols, rows = np.nonzero(flagged.T)   # indicator-major, rows in data order
    out = pd.DataFrame({"position": cols, "indicator": np.asarray(ids, dtype=object)[cols],
                        "unit": data["unit"].to_numpy()[rows],
                        "year": data["year"].to_numpy()[rows].astype(np.int64),
                        "value": X[rows, cols], "raw": raw[rows, cols],
                        "z_year": z_year[rows, cols], "z_unit": z_unit[rows, cols]})
    return (out.sort_values(["position", "unit", "year"], kind="stable")
            .drop(columns="position").reset_index(drop=True), int(judged.sum()))


def _robust_z(frame: pd.DataFrame, keys) -> np.ndarray:
    """|x − median| / (1.4826·MAD) within each group of rows (``keys``), column by column;
    1.2533·mean absolute deviation where the MAD is 0; NaN where the group has fewer than
    ``_MIN_FOR_ROBUST`` values or no spread at all."""
    grouped = frame.groupby(keys, sort=False)
    deviation = (frame - grouped.transform("median")).abs()
    spread = deviation.groupby(keys, sort=False)
    mad = spread.transform("median").to_numpy()
    mean_ad = spread.transform("mean").to_numpy()
    count = grouped.transform("count").to_numpy()
    scale = np.where(mad > 0, _MAD_TO_SD * mad, _MEAN_AD_TO_SD * mean_ad)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where((count >= _MIN_FOR_ROBUST) & (scale > 0),
                        deviation.to_numpy() / scale, np.nan)


def _frame(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    if parts:
        return pd.concat(parts, ignore_index=True)
    return pd.DataFrame({c: pd.Series(dtype=object if c in ("indicator", "unit") else float)
                         for c in columns})


# ---------------------------------------------------------------- helpers

def _labels(ids, framework) -> dict:
    labels = {i: ("", "") for i in ids}
    if framework is None:
        return labels
    for indicator in framework.indicators:
        name = getattr(indicator, "name", None)
        if isinstance(name, str) or name is None:
            labels[str(indicator.id)] = (name or "", name or "")
        else:
            labels[str(indicator.id)] = (getattr(name, "zh", "") or "",
                                         getattr(name, "en", "") or "")
    return labels


def _plain(value):
    if isinstance(value, (np.bool_, bool)):
        return bool(value)
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if math.isnan(value) else float(value)
    if value is None or value is pd.NA:
        return None
    return value if isinstance(value, (int, str)) else str(value)
