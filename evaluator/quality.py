"""Data-quality report of a panel: coverage, constant columns, skewed indicators.

What ``evaluator validate`` prints before anything is scored. Errors make scoring
impossible or meaningless (an indicator without any data, an indicator with one value for
every unit-year — zero range, nothing to normalise —, a unit without any data); warnings
deserve a look (low coverage, constant within a year, outliers).

Outlier rule (COINr's default ``check_SkewKurt``, Becker et al. 2022, "COINr: An R package
for developing composite indicators", JOSS 7(78) 4567; the thresholds follow the JRC's
practice, OECD/JRC Handbook on Constructing Composite Indicators 2008): an indicator is
flagged when |skewness| ≥ 2 and excess kurtosis ≥ 3.5, both the bias-corrected sample
statistics ("type 2", as Excel's SKEW and KURT; ``scipy.stats.skew/kurtosis`` with
``bias=False``). They are computed over all observed unit-years of the indicator (pooled,
like the default pooled normalisation).
"""
from __future__ import annotations

import math
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from evaluator.errors import DataError
from evaluator.methods.treat import skewness_and_kurtosis

_EXTREMES_SHOWN = 3        # most extreme unit-years listed per flagged indicator
_RELATIVE_TOLERANCE = 1e-12  # a column whose range is this small relative to its size is constant
_MIN_FOR_SHAPE = 4         # bias-corrected kurtosis needs n ≥ 4


@dataclass(frozen=True)
class Issue:
    """One finding, in both languages; ``subject`` names the indicator/unit/year."""

    level: str            # "error" | "warning"
    code: str             # no_data, constant, empty_unit, low_coverage_*, constant_in_year,
    en: str               # outlier, denominator, load
    zh: str
    subject: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en


@dataclass(frozen=True, eq=False)
class QualityReport:
    """Tables (DataFrames) and findings; see :func:`quality_report`."""

    coverage_by_indicator: pd.DataFrame   # indicator, n_observed, n_missing, share
    coverage_by_unit: pd.DataFrame        # unit, n_observed, n_missing, share
    coverage_by_year: pd.DataFrame        # year, n_observed, n_missing, share
    constant: pd.DataFrame                # indicator, value, n_observed
    constant_by_year: pd.DataFrame        # indicator, year, value, n_observed
    distribution: pd.DataFrame            # indicator, n_observed, skew, kurtosis, outlier
    outliers: pd.DataFrame                # indicator, unit, year, value, z
    issues: tuple[Issue, ...]
    settings: dict
    labels: dict = field(default_factory=dict)   # indicator id → (zh, en)
    n_units: int = 0
    n_years: int = 0

    @property
    def errors(self) -> tuple[str, ...]:
        return tuple(i.en for i in self.issues if i.level == "error")

    @property
    def warnings(self) -> tuple[str, ...]:
        return tuple(i.en for i in self.issues if i.level == "warning")

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
            "n_indicators": len(self.coverage_by_indicator),
            "has_errors": self.has_errors,
            "errors": list(self.errors), "warnings": list(self.warnings),
            "issues": [{"level": i.level, "code": i.code, "message_en": i.en,
                        "message_zh": i.zh, **{k: _plain(v) for k, v in i.subject.items()}}
                       for i in self.issues],
            "coverage": {"indicators": records(self.coverage_by_indicator),
                         "units": records(self.coverage_by_unit),
                         "years": records(self.coverage_by_year)},
            "constant": records(self.constant),
            "constant_by_year": records(self.constant_by_year),
            "distribution": records(self.distribution),
            "outliers": records(self.outliers),
        }

    def to_text(self, lang: str = "en") -> str:
        """A readable report with aligned tables, in English or Chinese."""
        return _render(self, "zh" if lang == "zh" else "en")

    def label(self, indicator: str, lang: str = "en") -> str:
        zh, en = self.labels.get(indicator, ("", ""))
        return (zh if lang == "zh" else en) or zh or en


def quality_report(panel, framework=None, *, outlier_skew: float = 2.0,
                   outlier_kurtosis: float = 3.5, min_coverage: float = 0.8) -> QualityReport:
    """Check a :class:`~evaluator.model.panel.Panel` before scoring.

    ``framework`` (optional) supplies indicator names for the report and the denominator
    columns to check. ``min_coverage`` is the share of observed cells below which an
    indicator, unit or year gets a warning.
    """
    if not 0 <= min_coverage <= 1:
        raise DataError(f"min_coverage must be a share between 0 and 1, not {min_coverage}",
                        where="quality_report", fix="e.g. min_coverage=0.8")
    ids = list(panel.indicator_ids)
    labels = _labels(ids, framework)
    data = panel.data
    X = panel.values(ids)
    observed = ~np.isnan(X)
    issues: list[Issue] = [Issue("warning", "load", w, w) for w in panel.warnings]

    by_indicator = _coverage(pd.Series(ids, name="indicator"), observed.sum(axis=0),
                             np.full(len(ids), X.shape[0]))
    cells = pd.DataFrame({"unit": data["unit"].to_numpy(), "year": data["year"].to_numpy(),
                          "n": observed.sum(axis=1), "cells": len(ids)})
    by_unit = _grouped_coverage(cells, "unit")
    by_year = _grouped_coverage(cells, "year")

    constant = _constant(ids, X, observed)
    constant_by_year = _constant_by_year(ids, data, X)
    distribution, flagged = _distribution(ids, X, observed, constant, outlier_skew,
                                          outlier_kurtosis)
    outliers = _extremes(ids, data, X, distribution, flagged)

    def name(indicator, lang="en"):
        return _describe(indicator, labels, lang)

    for row in by_indicator.itertuples():
        if row.n_observed == 0:
            issues.append(Issue("error", "no_data", f"indicator {name(row.indicator)} has no "
                                "data at all", f"指标 {name(row.indicator, 'zh')} 没有任何数据",
                                {"indicator": row.indicator}))
        elif row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_indicator",
                f"indicator {name(row.indicator)}: {row.share:.0%} of unit-years observed "
                f"(below {min_coverage:.0%})",
                f"指标 {name(row.indicator, 'zh')} 的数据覆盖率为 {row.share:.0%}"
                f"（低于 {min_coverage:.0%}）", {"indicator": row.indicator}))
    for row in constant.itertuples():
        issues.append(Issue(
            "error", "constant",
            f"indicator {name(row.indicator)} has the same value ({row.value:g}) in all "
            f"{row.n_observed} observed unit-years: it cannot be normalised",
            f"指标 {name(row.indicator, 'zh')} 在全部 {row.n_observed} 个有数据的单位-年份中取值"
            f"相同（{row.value:g}），无法标准化", {"indicator": row.indicator}))
    for row in by_unit.itertuples():
        if row.n_observed == 0:
            issues.append(Issue("error", "empty_unit", f"unit {row.unit!r} has no data at all",
                                f"单位 {row.unit} 没有任何数据", {"unit": row.unit}))
        elif row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_unit",
                f"unit {row.unit!r}: {row.share:.0%} of its cells observed "
                f"(below {min_coverage:.0%})",
                f"单位 {row.unit} 的数据覆盖率为 {row.share:.0%}（低于 {min_coverage:.0%}）",
                {"unit": row.unit}))
    for row in by_year.itertuples():
        if row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_year",
                f"year {row.year}: {row.share:.0%} of cells observed (below {min_coverage:.0%})",
                f"{row.year} 年的数据覆盖率为 {row.share:.0%}（低于 {min_coverage:.0%}）",
                {"year": int(row.year)}))
    overall = set(constant["indicator"])
    for row in constant_by_year.itertuples():
        if row.indicator not in overall:
            issues.append(Issue(
                "warning", "constant_in_year",
                f"indicator {name(row.indicator)} has the same value ({row.value:g}) for all "
                f"{row.n_observed} units in {row.year}",
                f"指标 {name(row.indicator, 'zh')} 在 {row.year} 年全部 {row.n_observed} 个单位"
                f"取值相同（{row.value:g}）",
                {"indicator": row.indicator, "year": int(row.year)}))
    for row in distribution[distribution["outlier"]].itertuples():
        ext = outliers[outliers["indicator"] == row.indicator]
        where = "; ".join(f"{u} {y}: {v:g}" for u, y, v in
                          zip(ext["unit"], ext["year"], ext["value"]))
        issues.append(Issue(
            "warning", "outlier",
            f"indicator {name(row.indicator)} may have outliers (skewness {row.skew:.2f}, "
            f"kurtosis {row.kurtosis:.2f}); most extreme: {where}",
            f"指标 {name(row.indicator, 'zh')} 可能存在异常值（偏度 {row.skew:.2f}，峰度 "
            f"{row.kurtosis:.2f}）；最极端：{where}", {"indicator": row.indicator}))
    if framework is not None:
        issues += _denominator_issues(framework, data)
    settings = {"min_coverage": min_coverage, "outlier_skew": outlier_skew,
                "outlier_kurtosis": outlier_kurtosis}
    return QualityReport(by_indicator, by_unit, by_year, constant, constant_by_year,
                         distribution, outliers, tuple(issues), settings, labels,
                         n_units=int(data["unit"].nunique()),
                         n_years=int(data["year"].nunique()))


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
    out = pd.DataFrame({"indicator": np.asarray(ids, dtype=object)[cols],
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


def _extremes(ids, data, X, distribution, flagged) -> pd.DataFrame:
    """For each flagged indicator, the unit-years on the side of the skew (the long tail)
    beyond Tukey's far-out fence (Q3 + 3·IQR, or Q1 − 3·IQR for a negative skew; Tukey
    1977, Exploratory Data Analysis), most extreme first, at most three; the single most
    extreme one when none is that far out. With their z-scores."""
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
            "z": (values[pick] - values.mean()) / values.std(ddof=1)}))
    columns = ["indicator", "unit", "year", "value", "z"]
    return (pd.concat(parts, ignore_index=True) if parts
            else pd.DataFrame({c: pd.Series(dtype=object if c in ("indicator", "unit")
                                            else float) for c in columns}))


def _denominator_issues(framework, data: pd.DataFrame) -> list[Issue]:
    issues = []
    names = dict.fromkeys(str(i.denominator) for i in framework.indicators
                          if getattr(i, "denominator", None))
    for den in names:
        if den not in data.columns:
            continue
        values = pd.to_numeric(data[den], errors="coerce").to_numpy(dtype=float)
        bad = np.flatnonzero(values <= 0)
        if len(bad):
            examples = ", ".join(f"{data['unit'].iat[r]} {data['year'].iat[r]}"
                                 for r in bad[:3])
            issues.append(Issue(
                "warning", "denominator",
                f"denominator {den!r} is zero or negative in {len(bad)} "
                f"{'row' if len(bad) == 1 else 'rows'} (e.g. "
                f"{examples}): indicators divided by it get no value there",
                f"分母 {den} 在 {len(bad)} 行中为零或负数（如 {examples}），以其为分母的指标"
                "在这些行无法计算", {"denominator": den}))
    return issues


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


def _describe(indicator: str, labels: dict, lang: str = "en") -> str:
    zh, en = labels.get(indicator, ("", ""))
    label = (zh if lang == "zh" else en) or zh or en
    if lang == "zh":
        return f"{indicator}（{label}）" if label and label != indicator else indicator
    return f"{indicator!r} ({label})" if label and label != indicator else repr(indicator)


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


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


# ---------------------------------------------------------------- text report

_WORDS = {
    "en": dict(title="Data quality report", errors="Errors", warnings="Warnings", none="none",
               summary="{u} units, {y} years, {m} indicators: {e} errors, {w} warnings",
               by_indicator="Coverage by indicator", by_year="Coverage by year",
               by_unit="Units below {c} coverage", units_ok="Every unit has at least {c} "
               "of its cells observed.", constant="Constant indicators (all unit-years)",
               constant_year="Constant within a year",
               shape="Skewness and kurtosis (outlier: |skew| >= {s} and kurtosis >= {k})",
               extremes="Most extreme values of flagged indicators",
               indicator="indicator", name="name", observed="observed", missing="missing",
               share="share", year="year", unit="unit", value="value", n="n", skew="skew",
               kurtosis="kurtosis", outlier="outlier", z="z", yes="yes", more="… {n} more"),
    "zh": dict(title="数据质量报告", errors="错误", warnings="警告", none="无",
               summary="{u} 个单位，{y} 个年份，{m} 个指标：{e} 个错误，{w} 个警告",
               by_indicator="各指标数据覆盖率", by_year="各年份数据覆盖率",
               by_unit="数据覆盖率低于 {c} 的单位", units_ok="所有单位的数据覆盖率均不低于 {c}。",
               constant="取值恒定的指标（全部单位-年份）", constant_year="某年内取值恒定的指标",
               shape="偏度与峰度（异常值判据：|偏度| >= {s} 且峰度 >= {k}）",
               extremes="疑似异常指标的最极端值",
               indicator="指标", name="名称", observed="有数据", missing="缺失",
               share="覆盖率", year="年份", unit="单位", value="取值", n="样本数", skew="偏度",
               kurtosis="峰度", outlier="异常", z="标准分", yes="是", more="… 另有 {n} 项"),
}
_UNITS_SHOWN = 20


def _render(report: QualityReport, lang: str) -> str:
    w = _WORDS[lang]
    cfg = report.settings
    issues_of = lambda level: [i.text(lang) for i in report.issues  # noqa: E731
                               if i.level == level]
    errors, warnings = issues_of("error"), issues_of("warning")
    out = [w["title"], "=" * display_width(w["title"]),
           w["summary"].format(u=report.n_units, y=report.n_years,
                               m=len(report.coverage_by_indicator), e=len(errors),
                               w=len(warnings)), ""]
    for key, items in (("errors", errors), ("warnings", warnings)):
        out += _section(w[key], [f"- {m}" for m in items] or [w["none"]])
    ind = report.coverage_by_indicator
    out += _section(w["by_indicator"], _table(
        [w["indicator"], w["name"], w["observed"], w["missing"], w["share"]],
        [[i, report.label(i, lang), o, m, _pct(s)] for i, o, m, s in
         zip(ind["indicator"], ind["n_observed"], ind["n_missing"], ind["share"])]))
    yr = report.coverage_by_year
    out += _section(w["by_year"], _table(
        [w["year"], w["observed"], w["missing"], w["share"]],
        [[y, o, m, _pct(s)] for y, o, m, s in
         zip(yr["year"], yr["n_observed"], yr["n_missing"], yr["share"])]))
    low = report.coverage_by_unit[report.coverage_by_unit["share"] < cfg["min_coverage"]]
    low = low.sort_values(["share", "unit"], kind="stable")
    title = w["by_unit"].format(c=_pct(cfg["min_coverage"]))
    if low.empty:
        out += _section(title, [w["units_ok"].format(c=_pct(cfg["min_coverage"]))])
    else:
        lines = _table([w["unit"], w["observed"], w["missing"], w["share"]],
                       [[u, o, m, _pct(s)] for u, o, m, s in
                        zip(low["unit"], low["n_observed"], low["n_missing"], low["share"])
                        ][:_UNITS_SHOWN])
        if len(low) > _UNITS_SHOWN:
            lines.append(w["more"].format(n=len(low) - _UNITS_SHOWN))
        out += _section(title, lines)
    out += _section(w["constant"], _table(
        [w["indicator"], w["value"], w["n"]],
        [[i, f"{v:g}", n] for i, v, n in report.constant[["indicator", "value", "n_observed"]]
         .itertuples(index=False)]) or [w["none"]])
    overall = set(report.constant["indicator"])   # already listed above
    out += _section(w["constant_year"], _table(
        [w["indicator"], w["year"], w["value"], w["n"]],
        [list(r[:2]) + [f"{r[2]:g}", r[3]] for r in report.constant_by_year.itertuples(
            index=False) if r[0] not in overall]) or [w["none"]])
    dist = report.distribution
    out += _section(w["shape"].format(s=cfg["outlier_skew"], k=cfg["outlier_kurtosis"]),
                    _table([w["indicator"], w["n"], w["skew"], w["kurtosis"], w["outlier"]],
                           [[i, n, _num(s), _num(k), w["yes"] if f else ""] for i, n, s, k, f
                            in dist.itertuples(index=False)]))
    if not report.outliers.empty:
        out += _section(w["extremes"], _table(
            [w["indicator"], w["unit"], w["year"], w["value"], w["z"]],
            [[i, u, y, f"{v:g}", f"{z:.2f}"] for i, u, y, v, z in
             report.outliers.itertuples(index=False)]))
    return "\n".join(out).rstrip() + "\n"


def _section(title: str, lines: list[str]) -> list[str]:
    return [title, "-" * display_width(title), *lines, ""]


def _table(headers: list[str], rows: list[list]) -> list[str]:
    """Columns padded to the widest cell (CJK counted double); numbers right-aligned."""
    if not rows:
        return []
    cells = [[str(c) for c in row] for row in rows]
    numeric = [all(_looks_numeric(r[k]) for r in cells) for k in range(len(headers))]
    widths = [max(display_width(x) for x in [headers[k]] + [r[k] for r in cells])
              for k in range(len(headers))]

    def line(row):
        parts = []
        for k, text in enumerate(row):
            pad = " " * (widths[k] - display_width(text))
            parts.append(pad + text if numeric[k] else text + pad)
        return "  ".join(parts).rstrip()
    return [line(headers), line(["-" * wd for wd in widths])] + [line(r) for r in cells]


def _looks_numeric(text: str) -> bool:
    stripped = text.rstrip("%")
    try:
        float(stripped)
    except ValueError:
        return stripped in ("", "-")
    return True


def _pct(share) -> str:
    if share is None or math.isnan(share):
        return "-"
    return f"{share:.0%}" if float(share * 100).is_integer() else f"{share:.1%}"


def _num(value) -> str:
    return "-" if value is None or math.isnan(value) else f"{value:.2f}"
