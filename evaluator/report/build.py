"""``build_report``: an assessment → a :class:`ReportBundle` holding everything the
HTML, workbook and Markdown writers need, computed once."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Sequence

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import EvaluatorError
from ..model.period import period_labels
from ..stages.diagnostics import diagnose
from . import appendix, figures, fmt, overview, profiles, ranking
from .bundle import (ReportBundle, alert_table, check_intervals, choose_year,
                     main_findings)
from .disparity_section import disparity_context
from .i18n import Messages
from .details import aggregation_by_node, aggregation_sections, read_sobol, sobol_section
from .mapfigure import map_figure
from .selection import select_units, split_spec
from .intervals import (IntervalSource, check_belongs, match_units, provenance, read_intervals,
                        varied_text)
from ..i18n import M


def build_report(assessment, *, lang: str = "en", year: int | None = None,
                 rank_intervals: pd.DataFrame | None = None,
                 sensitivity_summary: dict | None = None,
                 intervals_file: str | Path | None = None,
                 published_trends: pd.DataFrame | None = None,
                 profiles: Sequence[str] | str | None = None,
                 geo: str | Path | dict | None = None, geo_colour: str = "score"
                 ) -> ReportBundle:
    """Everything a report of ``assessment`` for ``year`` (default: the latest) shows,
    in ``lang`` ("en" or "zh").

    The robustness section needs the sensitivity run's rank intervals (``unit, year,
    nominal_rank, mean_rank, median_rank, p05, p95, p_top_k, p_bottom_k``): either
    ``intervals_file`` (its rank_intervals.csv; the sensitivity.json beside it is read
    too, and both files are named with their SHA-256 in the report) or the tables
    themselves, ``rank_intervals`` and optionally ``sensitivity_summary`` (the run's
    sensitivity.json: seed, samples, ``top_k``, ``scenarios``, ``varied_labels``).
    Intervals of another assessment (units, years, framework or nominal ranks that
    differ) are a :class:`DataError`. Without intervals the section says how to
    produce them.

    ``profiles`` chooses the unit profiles that print (:mod:`evaluator.report.selection`:
    ``all``, ``top:N``, ``bottom:N``, ``alerts``, ``none`` or unit names; default the top
    and bottom ten); the HTML file keeps every profile for the screen.

    ``geo`` (a GeoJSON file or its parsed FeatureCollection) adds a map of the units
    coloured by ``geo_colour``: ``score``, ``tier`` (fifths of the ranking) or ``light``
    (:mod:`evaluator.report.mapfigure`)."""
    if getattr(assessment, "frequency", "year") != "year":   # quarters, halves, months
        shown = ", ".join(period_labels(np.unique(assessment.years), assessment.frequency))
        raise EvaluatorError(M(f"cli.report.needs_period.{assessment.frequency}"),
                             where="report", fix=M("cli.report.needs_period.fix",
                                                   periods=shown))
    t = Messages(lang)
    year, previous_year, years = choose_year(assessment, year)
    source = None
    if intervals_file is not None:
        if rank_intervals is not None:
            raise EvaluatorError(M("build.both_rank_interval_file"),
                                 fix=M("build.both_rank_interval_file.fix"))
        rank_intervals, summary, source = read_intervals(intervals_file)
        if sensitivity_summary is None:
            sensitivity_summary = summary
    elif rank_intervals is not None:
        source = IntervalSource()
    intervals = check_intervals(rank_intervals,
                                where=source.where if source else M("where.rank_intervals"))
    if intervals is not None:
        intervals["unit"] = match_units(intervals["unit"], assessment.rankings["unit"])
        check_belongs(intervals, assessment, sensitivity_summary, source)
        intervals = intervals[intervals["year"] == year].reset_index(drop=True)
    diagnosis = diagnose(assessment)
    rankings = assessment.rankings
    this_year = rankings[rankings["year"] == year].reset_index(drop=True)
    before = (rankings[rankings["year"] == previous_year].reset_index(drop=True)
              if previous_year is not None else rankings.iloc[0:0])
    bundle = ReportBundle(
        assessment=assessment, lang=lang, year=year, previous_year=previous_year,
        years=years, t=t, diagnosis=diagnosis, ranking=this_year, previous=before,
        alerts=alert_table(diagnosis, year), intervals=intervals,
        manifest=assessment.manifest, quality=_quality(assessment))
    bundle.sensitivity = dict(sensitivity_summary or {})
    # each unit's published score and rank across rounds (`report --round N`)
    bundle.published_trends = published_trends
    bundle.interval_source = source
    bundle.findings = main_findings(this_year, bundle.alerts)
    bundle.profile_spec = split_spec(profiles)
    bundle.printed = set(select_units(bundle.profile_spec, this_year, bundle.alerts, year))
    sobol, sobol_source = read_sobol(intervals_file) if intervals_file is not None \
        else (None, None)
    bundle.sobol = sobol_section(bundle, sobol, sobol_source) if bundle.intervals is not None \
        else None
    bundle.aggregation = aggregation_by_node(bundle)
    bundle.geo = _geo_units(assessment, this_year, geo, geo_colour)
    bundle.geo_colour = geo_colour
    bundle.context = html_context(bundle, given_intervals=source is not None)
    return bundle


def _geo_units(assessment, ranking: pd.DataFrame, geo, colouring: str):
    """The GeoJSON's shapes matched to the year's units (by name, or a unit_en / unit_zh
    name), or None without ``geo``."""
    if geo is None:
        return None
    from .geo import match_units, read_geojson
    from .mapfigure import COLOURINGS
    if colouring not in COLOURINGS:
        raise EvaluatorError(M("report.geo.colouring", value=str(colouring)),
                             where="--geo-colour", fix=M("report.geo.colouring.fix",
                                                         options=", ".join(COLOURINGS)))
    data, source = (geo, "GeoJSON") if isinstance(geo, dict) else (read_geojson(geo), str(geo))
    panel = assessment.panel.data
    aliases = {}
    for col in ("unit_en", "unit_zh"):
        if col in panel.columns:
            pairs = panel[["unit", col]].dropna().astype(str).drop_duplicates()
            aliases.update(dict(zip(pairs[col], pairs["unit"])))
    return match_units(data, ranking["unit"].astype(str), aliases, source=source)


def _quality(assessment):
    from ..quality import quality_report
    try:
        return quality_report(assessment.panel, assessment.framework)
    except EvaluatorError:
        return None   # the report still shows the coverage of the scored rows


def _unit_items(bundle, frame: pd.DataFrame, anchors: dict[str, str]) -> list[dict[str, Any]]:
    return [{"unit": bundle.unit_name(r["unit"]), "anchor": anchors.get(str(r["unit"]), ""),
             "score": fmt.num(r["score"]), "rank": fmt.integer(r["rank"]),
             "change": fmt.signed(r["rank_change"], 0)}
            for r in frame.to_dict(orient="records")]


def _robustness(bundle, given: bool) -> dict[str, Any]:
    iv = bundle.intervals
    summary = bundle.sensitivity
    out: dict[str, Any] = {"given": given, "has_rows": iv is not None and not iv.empty,
                           "scenarios": summary.get("scenarios"),
                           "source": provenance(bundle),
                           "varied": varied_text(summary, bundle.t),
                           "command": "evaluator sensitivity -f FRAMEWORK -d DATA "
                                      "[-r RECIPE] --out DIR",
                           "report_command": "evaluator report -f FRAMEWORK -d DATA "
                                             "--intervals DIR/rank_intervals.csv --out DIR"}
    if out["has_rows"]:
        width = (iv["p95"] - iv["p05"]).to_numpy(float)
        outside = ((iv["nominal_rank"] < iv["p05"]) | (iv["nominal_rank"] > iv["p95"])).sum()
        widest = iv.assign(width=width).sort_values(["width", "nominal_rank"],
                                                    ascending=[False, True],
                                                    kind="mergesort").head(10)
        out.update(median_width=fmt.num(np.nanmedian(width), 1),
                   max_width=fmt.num(np.nanmax(width), 1), outside=int(outside),
                   n=int(len(iv)),
                   widest=[{"unit": bundle.unit_name(r["unit"]), "nominal": fmt.integer(r["nominal_rank"]),
                            "median": fmt.num(r["median_rank"], 1),
                            "p05": fmt.num(r["p05"], 1), "p95": fmt.num(r["p95"], 1),
                            "p_top": fmt.pct(r["p_top_k"]), "p_bottom": fmt.pct(r["p_bottom_k"])}
                           for r in widest.to_dict(orient="records")])
    return out


def _spec_in_words(bundle) -> str:
    """The --profiles choice in the report's language (unit names as they are)."""
    t, words = bundle.t, []
    for token in bundle.profile_spec:
        kind, _, n = token.lower().partition(":")
        if kind in ("top", "bottom") and n.strip().isdigit():
            words.append(t(f"profiles.{kind}", n=int(n)))
        elif token.lower() in ("all", "none", "alerts"):
            words.append(t(f"profiles.{token.lower()}"))
        else:
            words.append(token)
    return t("list_sep").join(words)


def html_context(bundle, *, given_intervals: bool = False) -> dict[str, Any]:
    t, fw = bundle.t, bundle.framework
    anchors = ranking.unit_anchors(bundle)
    alerts = ranking.alerts_by_unit(bundle)
    f = bundle.findings
    title = fw.name.get(bundle.lang)
    return {
        "title": title, "year": bundle.year, "previous_year": bundle.previous_year,
        "years": bundle.years,
        "version": __version__, "synthetic": bundle.synthetic,
        "has_groups": bundle.has_groups,
        "html_lang": "zh-CN" if bundle.lang == "zh" else "en",
        "figures": {"n": f["n"], "median": fmt.num(f["median"]),
                    "units": len(bundle.ranking), "indicators": len(bundle.assessment.ids),
                    "dimensions": len(fw.first_level), "alerts": int(len(bundle.alerts)),
                    "alert_units": f["alert_units"]},
        "findings": {"top": _unit_items(bundle, f["top"], anchors),
                     "bottom": _unit_items(bundle, f["bottom"], anchors),
                     "up": _unit_items(bundle, f["up"], anchors),
                     "down": _unit_items(bundle, f["down"], anchors),
                     "not_compared": _unit_items(bundle, f["not_compared"], anchors),
                     "alerts": [{"label": t(f"rule.{r}"), "count": c}
                                for r, c in f["alert_counts"].items() if c]},
        "tree": overview.framework_tree(bundle),
        "recipe": overview.recipe_in_words(bundle),
        "coverage": overview.coverage(bundle),
        "charts": figures.all_figures(bundle),
        "columns": ranking.columns(bundle),
        "rows": ranking.rows(bundle, anchors, alerts),
        "robustness": _robustness(bundle, given_intervals),
        "disparity": disparity_context(bundle),
        "profiles": profiles.unit_profiles(bundle, anchors, alerts),
        "sobol": bundle.sobol,
        "aggregation": aggregation_sections(bundle, bundle.aggregation),
        "map": (map_figure(bundle, bundle.geo, bundle.geo_colour)
                if bundle.geo is not None else None),
        "printed": {"n": len(bundle.printed or ()), "spec": _spec_in_words(bundle)},
        "indicators": appendix.indicator_rows(bundle),
        "weights": appendix.weight_sections(bundle),
        "formulas": appendix.formulas(bundle),
        "manifest": appendix.manifest(bundle),
        "decomposable": bool(bundle.diagnosis.decomposable),
        "top_k": bundle.top_k,
    }
