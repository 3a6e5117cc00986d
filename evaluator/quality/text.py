"""The text form of the data-quality report (:mod:`evaluator.quality`): aligned tables in
English or Chinese, CJK characters counted as two columns."""
from __future__ import annotations

import math
import unicodedata
from ..i18n import words


def display_width(text: str) -> int:
    """Columns a string takes in a terminal: CJK characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in str(text))


_UNITS_SHOWN = 20


def render(report, lang: str) -> str:
    w = words("quality.text", lang)
    cfg = report.settings
    issues_of = lambda level: [i for i in report.issues if i.level == level]  # noqa: E731
    errors, warnings = issues_of("error"), issues_of("warning")
    out = [w["title"], "=" * display_width(w["title"]),
           w["summary" if report.frequency == "year" else "summary_periods"].format(
               u=report.n_units, y=report.n_years,
                               m=len(report.coverage_by_indicator), e=len(errors),
                               w=len(warnings))]
    if report.periods:
        out.append(w["periods"].format(f=w["freq"][report.frequency], first=report.periods[0],
                                       last=report.periods[-1], n=len(report.periods)))
    out.append("")
    for key, items in (("errors", errors), ("warnings", warnings)):
        out += _section(w[key], [line for i in items for line in
                                 (f"- {i.text(lang)}", f"  {w['fix']} {i.fix(lang)}")]
                        or [w["none"]])
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
                    _table([w["indicator"], w["n"], w["skew"], w["kurtosis"], w["outlier"],
                            w["scale"]],
                           [[i, n, _num(s), _num(k), w["yes"] if f else "",
                             report.scale(i, lang)] for i, n, s, k, f in
                            dist[["indicator", "n_observed", "skew", "kurtosis", "outlier"]]
                            .itertuples(index=False)]))
    if not report.outliers.empty:   # value as in the data file, then on the checked scale
        out += _section(w["extremes"], _table(
            [w["indicator"], w["unit"], w["year"], w["value"], w["checked"], w["z"]],
            [[i, u, y, f"{r:g}", f"{v:.4g}", f"{z:.2f}"] for i, u, y, v, z, r in
             report.outliers[["indicator", "unit", "year", "value", "z", "raw"]]
             .itertuples(index=False)]))
    values = report.outlier_values
    out += _section(w["values"].format(c=cfg["outlier_robust_z"], n=report.n_values_screened),
                    _table([w["indicator"], w["unit"], w["year"], w["value"], w["checked"],
                            w["z_year"], w["z_unit"]],
                           [[i, u, y, f"{r:g}", f"{v:.4g}", _num(zy), _num(zu)]
                            for i, u, y, v, r, zy, zu in values[
                                ["indicator", "unit", "year", "value", "raw", "z_year", "z_unit"]]
                            .itertuples(index=False)])
                    or [w["none"] if report.n_values_screened else w["unscreened"]])
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
