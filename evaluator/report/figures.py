"""The report's overview charts from a :class:`ReportBundle` (data selection here, the
drawing in :mod:`evaluator.report.charts`)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..methods.coordination import COORDINATION_CLASSES
from ..model.framework import ROOT
from . import charts

TOP_N = 10


def _by_group(bundle, frame: pd.DataFrame, column: str) -> list[tuple[str, np.ndarray]]:
    rows = [(bundle.t("all_units"), frame[column].to_numpy(float))]
    if bundle.has_groups:
        for g in _group_order(bundle, frame):
            rows.append((bundle.group_label(g),
                         frame.loc[frame["group"].astype(str) == g, column].to_numpy(float)))
    return rows


def _group_order(bundle, frame: pd.DataFrame) -> list[str]:
    present = set(frame["group"].dropna().astype(str))
    declared = [g for g in bundle.framework.groups if g in present]
    return declared + sorted(present - set(declared))


def distribution(bundle) -> Markup:
    r = bundle.ranking
    panels = [(bundle.t("index"), _by_group(bundle, r, "score"))]
    panels += [(bundle.label(n), _by_group(bundle, r, n)) for n in bundle.framework.first_level]
    lo, hi = value_range(bundle, [r["score"]] + [r[n] for n in bundle.framework.first_level])
    # the tooltip's {placeholders} are filled per box by the chart
    return charts.distribution(panels, lo, hi, label=bundle.t("chart.distribution"),
                               tooltip=bundle.t("chart.box_tooltip"))


def value_range(bundle, series) -> tuple[float, float]:
    """The recipe's score range, widened to the values when they leave it (z-scores,
    for instance, are not confined to a range)."""
    lo, hi = bundle.score_range
    values = np.concatenate([np.asarray(s, float) for s in series])
    values = values[np.isfinite(values)]
    if values.size and (values.min() < lo or values.max() > hi):
        return float(values.min()), float(values.max())   # e.g. z-scores
    return lo, hi


def top_bottom(bundle) -> Markup:
    scored = bundle.ranking[bundle.ranking["score"].notna()]
    n = min(TOP_N, max(len(scored) // 2, 1))

    def items(frame):
        return [(bundle.unit_name(u), float(s), f"{int(k)}") for u, s, k in
                zip(frame["unit"], frame["score"], frame["rank"])]
    lo, hi = value_range(bundle, [scored["score"]])
    return charts.ranked_bars([(bundle.t("chart.top", n=n), items(scored.head(n))),
                               (bundle.t("chart.bottom", n=n), items(scored.tail(n)))],
                              lo, hi, label=bundle.t("chart.top_bottom"))


def intervals(bundle) -> Markup | None:
    iv = bundle.intervals
    if iv is None or iv.empty:
        return None
    iv = iv.sort_values(["nominal_rank", "median_rank", "unit"], kind="mergesort")
    rows = [(bundle.unit_name(u), float(a), float(b), float(c), float(d)) for u, a, b, c, d in
            zip(iv["unit"], iv["nominal_rank"], iv["median_rank"], iv["p05"], iv["p95"])]
    t = bundle.t
    return charts.rank_intervals(rows, label=t("chart.intervals"),
                                 legend=(t("legend.interval"), t("legend.median_rank"),
                                         t("legend.nominal_rank")))


def coordination(bundle) -> Markup | None:
    a = bundle.assessment
    if a.coordination is None:
        return None
    level = np.asarray(a.coordination.level, float)
    years = np.asarray(a.years).astype(int)
    now = level[years == bundle.year]
    before = level[years == bundle.previous_year] if bundle.previous_year else None
    rows = []
    for c in reversed(COORDINATION_CLASSES):
        rows.append((c.zh if bundle.lang == "zh" else c.en, int((now == c.level).sum()),
                     None if before is None else int((before == c.level).sum())))
    t = bundle.t
    prev = str(bundle.previous_year) if bundle.previous_year else ""
    return charts.class_counts(rows, label=t("chart.coordination"),
                               legend=(str(bundle.year), prev))


def movement(bundle) -> Markup | None:
    prev = bundle.previous
    if prev is None or prev.empty:
        return None
    before = dict(zip(prev["unit"].astype(str), prev["rank"].astype(float)))
    points = [(str(u), before.get(str(u), math.nan), float(r) if pd.notna(r) else math.nan)
              for u, r in zip(bundle.ranking["unit"], bundle.ranking["rank"])]
    t = bundle.t
    n = int(max(bundle.ranking["rank"].max(skipna=True) or 1,
                prev["rank"].max(skipna=True) or 1))
    return charts.movement(points, n, label=t("chart.movement"),
                           axes=(t("axis.rank_before", year=bundle.previous_year),
                                 t("axis.gained", year=bundle.previous_year)))


def trend(bundle) -> Markup | None:
    a = bundle.assessment
    if len(bundle.years) < 2:
        return None
    frame = pd.DataFrame({"year": np.asarray(a.years).astype(int),
                          "score": np.asarray(a.scores[ROOT], float)})
    if bundle.has_groups:
        frame["group"] = np.asarray(a.groups).astype(str)
    years = bundle.years
    series = [(bundle.t("all_units"), frame.groupby("year")["score"].median()
               .reindex(years).tolist())]
    if bundle.has_groups:
        med = frame.groupby(["group", "year"])["score"].median()
        for g in _group_order(bundle, frame):
            series.append((bundle.group_label(g), med.loc[g].reindex(years).tolist()))
    lo, hi = value_range(bundle, [values for _, values in series])
    return charts.trend(years, series, lo, hi, label=bundle.t("chart.trend"))


def all_figures(bundle) -> dict[str, Any]:
    return {"distribution": distribution(bundle), "top_bottom": top_bottom(bundle),
            "intervals": intervals(bundle), "coordination": coordination(bundle),
            "movement": movement(bundle), "trend": trend(bundle)}
