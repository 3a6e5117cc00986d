"""The findings of the data-quality report (:mod:`evaluator.quality`), each with a short
fix in English and Chinese: what ``evaluator validate`` tells the user to do."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from ..i18n import has, localise, t

VALUES_IN_MESSAGE = 5     # possible outlier values named in one warning (all in the table)
RAW_SCALE = ("raw", "原始值")   # (en, zh) of an indicator checked as the data give it


@dataclass(frozen=True)
class Issue:
    """One finding with its fix, in both languages; ``subject`` names the
    indicator/unit/year."""

    level: str            # "error" | "warning"
    code: str             # no_data, constant, empty_unit, low_coverage_*, constant_in_year,
    en: str               # outlier, outlier_values, denominator, denominator_missing,
    zh: str               # log_nonpositive, load
    fix_en: str
    fix_zh: str
    subject: dict = field(default_factory=dict)

    def text(self, lang: str = "en") -> str:
        """The finding alone (the published report's quality flags)."""
        return self.zh if lang == "zh" else self.en

    def fix(self, lang: str = "en") -> str:
        return self.fix_zh if lang == "zh" else self.fix_en

    def full_text(self, lang: str = "en") -> str:
        """The finding and its fix, for whoever has to act on it."""
        return (f"{self.zh}。处理办法：{self.fix_zh}" if lang == "zh"
                else f"{self.en}. Fix: {self.fix_en}")


def describe(indicator: str, labels: dict, lang: str = "en") -> str:
    """An indicator's id with its name, e.g. ``'pm25' (PM2.5 annual mean)``."""
    zh, en = labels.get(indicator, ("", ""))
    label = (zh if lang == "zh" else en) or zh or en
    if lang == "zh":
        return f"{indicator}（{label}）" if label and label != indicator else indicator
    return f"{indicator!r} ({label})" if label and label != indicator else repr(indicator)


def coverage_issues(by_indicator, by_unit, by_year, min_coverage, labels,
                    framework) -> list[Issue]:
    """No data at all (errors) and low coverage (warnings) of indicators, units, years."""
    issues = []
    below = f"below {min_coverage:.0%}"
    dens = {str(i.id): i.denominator for i in getattr(framework, "indicators", ())
            if getattr(i, "denominator", None)}
    for row in by_indicator.itertuples():
        en, zh = describe(row.indicator, labels), describe(row.indicator, labels, "zh")
        den = dens.get(row.indicator)
        if row.n_observed == 0:
            issues.append(Issue(
                "error", "no_data", f"indicator {en} has no data at all",
                f"指标 {zh} 没有任何数据",
                "check that the column header matches the indicator id or name"
                + (f" and that its denominator column {den!r} is filled" if den else "")
                + "; or remove the indicator from the framework, or drop it in the recipe "
                f"(screen: {{drop_indicators: {{{row.indicator}: reason}}}})",
                "检查列名是否与指标 id 或名称一致" + (f"，分母列 {den} 是否有数据" if den else "")
                + "；或从指标体系中删去该指标，或在配方中剔除它"
                f"（screen: {{drop_indicators: {{{row.indicator}: 原因}}}}）",
                {"indicator": row.indicator}))
        elif row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_indicator",
                f"indicator {en}: {row.share:.0%} of unit-years observed ({below})",
                f"指标 {zh} 的数据覆盖率为 {row.share:.0%}（低于 {min_coverage:.0%}）",
                "fill the gaps from the source, or choose an imputation method in the "
                "recipe (`impute`)", "从数据来源补齐缺失值，或在方案中选择插补方法（`impute`）",
                {"indicator": row.indicator}))
    for row in by_unit.itertuples():
        if row.n_observed == 0:
            issues.append(Issue(
                "error", "empty_unit", f"unit {row.unit!r} has no data at all",
                f"单位 {row.unit} 没有任何数据",
                "check that the unit is spelt the same in every row and its values are "
                "filled in; or remove its rows",
                "检查该单位在各行中的写法是否一致、数据是否已填写；或删去该单位的行",
                {"unit": row.unit}))
        elif row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_unit",
                f"unit {row.unit!r}: {row.share:.0%} of its cells observed ({below})",
                f"单位 {row.unit} 的数据覆盖率为 {row.share:.0%}（低于 {min_coverage:.0%}）",
                "fill the unit's gaps from the source, or let the recipe drop unit-years "
                "with too little data (`screen: {min_coverage: ...}`)",
                "从数据来源补齐该单位的缺失值，或在方案中设置 `screen: {min_coverage: ...}` "
                "剔除数据过少的单位-年份", {"unit": row.unit}))
    for row in by_year.itertuples():
        if row.share < min_coverage:
            issues.append(Issue(
                "warning", "low_coverage_year",
                f"year {row.year}: {row.share:.0%} of cells observed ({below})",
                f"{row.year} 年的数据覆盖率为 {row.share:.0%}（低于 {min_coverage:.0%}）",
                "check whether the year's data are complete (a late release, a missing "
                "sheet); fill them, or leave the year out",
                "检查该年份数据是否完整（发布滞后、缺少工作表）；补齐，或不评价该年份",
                {"year": int(row.year)}))
    return issues


def constant_issues(constant, constant_by_year, labels, scales) -> list[Issue]:
    """Constant over all unit-years (errors) or within one year (warnings)."""
    issues = []
    for row in constant.itertuples():
        en, zh = _value_on_scale(row.value, scales[row.indicator])
        issues.append(Issue(
            "error", "constant",
            f"indicator {describe(row.indicator, labels)} has the same value ({en}) in "
            f"all {row.n_observed} observed unit-years: it cannot be normalised",
            f"指标 {describe(row.indicator, labels, 'zh')} 在全部 {row.n_observed} 个有数据的"
            f"单位-年份中取值相同（{zh}），无法标准化",
            "check that the column holds the intended data (not one copied or default "
            "value); if the indicator really does not vary, remove it from the framework",
            "检查该列是否为应有的数据（而非复制或默认的同一个值）；若该指标确实没有差异，"
            "请从指标体系中删去", {"indicator": row.indicator}))
    overall = set(constant["indicator"])
    for row in constant_by_year.itertuples():
        if row.indicator in overall:
            continue
        en, zh = _value_on_scale(row.value, scales[row.indicator])
        issues.append(Issue(
            "warning", "constant_in_year",
            f"indicator {describe(row.indicator, labels)} has the same value ({en}) for all "
            f"{row.n_observed} units in {row.year}",
            f"指标 {describe(row.indicator, labels, 'zh')} 在 {row.year} 年全部 "
            f"{row.n_observed} 个单位取值相同（{zh}）",
            "check that the year's values were not copied from one cell; normalise pooled "
            "over the years (the default), as per-year normalisation cannot score this year",
            "检查该年的数值是否由同一单元格复制而来；请跨年份汇总标准化（默认），"
            "按年标准化无法计算该年", {"indicator": row.indicator, "year": int(row.year)}))
    return issues


def outlier_issues(distribution, outliers, outlier_values, labels, scales,
                   framework) -> list[Issue]:
    """Indicators failing the skew/kurtosis rule; values failing the robust value rule."""
    issues = []
    logged = {str(i.id) for i in getattr(framework, "indicators", ())
              if getattr(i, "transform", "none") == "log"}
    for row in distribution[distribution["outlier"]].itertuples():
        ext = outliers[outliers["indicator"] == row.indicator]
        where = "; ".join(f"{u} {y}: {v:g}" for u, y, v in
                          zip(ext["unit"], ext["year"], ext["raw"]))
        scale_en, scale_zh = _scale_note(scales[row.indicator], inside=True)
        issues.append(Issue(
            "warning", "outlier",
            f"indicator {describe(row.indicator, labels)} may have outliers (skewness "
            f"{row.skew:.2f}, kurtosis {row.kurtosis:.2f}{scale_en}); most extreme: {where}",
            f"指标 {describe(row.indicator, labels, 'zh')} 可能存在异常值（偏度 {row.skew:.2f}，"
            f"峰度 {row.kurtosis:.2f}{scale_zh}）；最极端：{where}",
            "check the most extreme values in the source; if they are real, limit their "
            "influence with the recipe's outlier treatment (`treat: {method: winsorise}`)"
            + ("" if row.indicator in logged else " or `transform: log` in the framework"),
            "请到数据来源核对最极端的数值；若属实，可在方案中使用异常值处理"
            "（`treat: {method: winsorise}`）"
            + ("" if row.indicator in logged else "，或在指标体系中设置 `transform: log`"),
            {"indicator": row.indicator}))
    for indicator, rows in outlier_values.groupby("indicator", sort=False):
        first = rows.head(VALUES_IN_MESSAGE)
        shown = "; ".join(f"{u} {y}: {v:g}" for u, y, v in
                          zip(first["unit"], first["year"], first["raw"]))
        more_en = more_zh = ""
        if len(rows) > VALUES_IN_MESSAGE:
            more_en = f" and {len(rows) - VALUES_IN_MESSAGE} more (see the table)"
            more_zh = f" 等，另有 {len(rows) - VALUES_IN_MESSAGE} 个（见表）"
        scale_en, scale_zh = _scale_note(scales[indicator], inside=False)
        issues.append(Issue(
            "warning", "outlier_values",
            f"indicator {describe(indicator, labels)}: possible outlier values{scale_en} — "
            f"{shown}{more_en}",
            f"指标 {describe(indicator, labels, 'zh')} 存在疑似异常值{scale_zh}：{shown}{more_zh}",
            "check these values in the source (a typing slip, a change of unit or of "
            "definition); correct them, or keep them if they are real",
            "请到数据来源核对这些数值（录入错误、计量单位或统计口径变化）；有误则更正，属实则保留",
            {"indicator": indicator, "n_values": len(rows)}))
    return issues


def denominator_issues(framework, data: pd.DataFrame) -> list[Issue]:
    """Denominator columns with zero or negative values (``evaluate`` stops on them)."""
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
                "error", "denominator",
                f"denominator {den!r} is zero or negative in {len(bad)} "
                f"{'row' if len(bad) == 1 else 'rows'} (e.g. {examples}): scoring stops "
                "where an indicator divided by it has a value",
                f"分母 {den} 在 {len(bad)} 行中为零或负数（如 {examples}），以其为分母的指标"
                "在这些行有数据时评价将中止",
                "correct the denominator in those rows, or leave it empty so that the ratio "
                "counts as missing", "更正这些行的分母，或将其留空，使比值按缺失处理",
                {"denominator": den}))
    return issues


def denominator_missing(indicator, den, labels) -> Issue:
    """An indicator's denominator column is not in the data."""
    return Issue(
        "error", "denominator_missing",
        f"indicator {describe(indicator, labels)} is divided by {den!r}, but the data have "
        "no such column: it was checked undivided, and scoring will stop",
        f"指标 {describe(indicator, labels, 'zh')} 以 {den} 为分母，但数据中没有该列：已按未除以"
        "分母的数值检查，评价将中止",
        f"add a column {den!r} to the data, or remove `denominator: {den}` from the "
        "indicator in the framework",
        f"在数据中补上 {den} 列，或在指标体系中删去该指标的 `denominator: {den}`",
        {"indicator": indicator, "denominator": den})


def log_nonpositive(indicator, rows, data, raw, labels) -> Issue:
    """Values at ``rows`` are zero or negative where the framework asks for a log."""
    n = len(rows)
    examples = ", ".join(f"{data['unit'].iat[r]} {data['year'].iat[r]}: {raw[r]:g}"
                         for r in rows[:3])
    return Issue(
        "error", "log_nonpositive",
        f"indicator {describe(indicator, labels)} has {n} zero or negative "
        f"{'value' if n == 1 else 'values'} (e.g. {examples}) but `transform: log`: "
        f"{'it was' if n == 1 else 'they were'} left out of the checks, and scoring will stop",
        f"指标 {describe(indicator, labels, 'zh')} 设置了 `transform: log`，但有 {n} 个零或负值"
        f"（如 {examples}）：已从检查中略去，评价将中止",
        "correct the values, or remove `transform: log` from the indicator in the framework",
        "更正这些数值，或在指标体系中删去该指标的 `transform: log`",
        {"indicator": indicator, "n_values": n})


def load_issue(note: str) -> Issue:
    """A note from reading the panel (a guessed column, a filled group...)."""
    return Issue("warning", "load", localise(note, "en"), localise(note, "zh"),
                 "if this is not what you meant, correct the data file (headers, values) or "
                 "the reading options (--sheet, --encoding) and validate again",
                 "如与预期不符，请修改数据文件（表头、数值）或读取选项（--sheet、--encoding）后重新检查")


def framework_issue(note) -> Issue:
    """A warning about the framework file itself (an indicator without a direction)."""
    key = getattr(note, "key", "") + ".fix"
    fix = (t(key, "en"), t(key, "zh")) if has(key) else ("", "")
    return Issue("warning", "framework", localise(note, "en"), localise(note, "zh"), *fix)


def about_missing_denominator(note: str, dens: set, data: pd.DataFrame) -> bool:
    """The panel's note on a missing denominator column, which has its own finding."""
    note = localise(note, "en")
    return any(den not in data.columns and note.startswith(
        (f"no column for the denominator {den!r}", f"no rows for the denominator {den!r}"))
        for den in dens)


def _value_on_scale(value, scale) -> tuple[str, str]:
    if scale == RAW_SCALE:
        return f"{value:g}", f"{value:g}"
    return f"{value:g}, {scale[0]}", f"{value:g}，{scale[1]}"


def _scale_note(scale, inside: bool) -> tuple[str, str]:
    """Which scale a check used, to append to a message (nothing for the raw scale)."""
    if scale == RAW_SCALE:
        return "", ""
    if inside:
        return f"; checked as: {scale[0]}", f"；检查口径：{scale[1]}"
    return f" (checked as: {scale[0]})", f"（检查口径：{scale[1]}）"
