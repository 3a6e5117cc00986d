"""A profile for every unit of the chosen year: scores and ranks against last year and
the group, a bar chart of the dimensions, the traffic lights against targets, the top
obstacles, strengths and weaknesses, alerts and (when given) the rank interval.

Everything comes from the diagnosis (:func:`evaluator.stages.diagnostics.diagnose`);
here it is only selected, grouped by unit and formatted."""
from __future__ import annotations

import math
from collections import defaultdict
from typing import Any

import pandas as pd

import numpy as np

from ..model.framework import ROOT
from . import figures, fmt
from .details import aggregation_for_unit
from .profile_charts import unit_dots, unit_trend

LIGHT_ORDER = ("green", "yellow", "red", "not_judged")


def node_tree(framework) -> list[tuple[str, int]]:
    """Root, then the nodes depth first (indicators left out), with their depth."""
    out: list[tuple[str, int]] = []

    def walk(node: str, depth: int) -> None:
        out.append((node, depth))
        for child in framework.children(node):
            if not framework.is_indicator(child):
                walk(child, depth + 1)
    walk(ROOT, 0)
    return out


def _records_by_unit(frame: pd.DataFrame) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = defaultdict(list)
    for rec in frame.to_dict(orient="records"):
        out[str(rec["unit"])].append(rec)
    return out


def _float(v: Any) -> float:
    return math.nan if fmt.is_missing(v) else float(v)


def unit_profiles(bundle, anchors: dict[str, str], alerts: dict[str, list]
                  ) -> list[dict[str, Any]]:
    a, d, t, fw = bundle.assessment, bundle.diagnosis, bundle.t, bundle.framework
    published = _published(getattr(bundle, "published_trends", None))
    year, prev_year = bundle.year, bundle.previous_year
    table = d.table
    now = table[table["year"] == year]
    nodes_now = now[now["kind"] == "node"]
    inds_now = now[(now["kind"] == "indicator") & now["target"].notna()]
    before = table[(table["year"] == prev_year) & (table["kind"] == "node")] \
        if prev_year else table.iloc[0:0]
    prev_nodes = {(str(u), q): (v, r) for u, q, v, r in
                  zip(before["unit"], before["indicator"], before["value"], before["rank"])}
    medians = nodes_now.groupby("indicator")["value"].median().to_dict()
    best = nodes_now.groupby("indicator")["value"].max().to_dict()
    counts = nodes_now.groupby("indicator")["value"].count().to_dict()
    group_medians = (nodes_now.groupby(["group", "indicator"])["value"].median().to_dict()
                     if bundle.has_groups else {})
    tree = node_tree(fw)
    first = [ROOT] + list(fw.first_level)
    node_by_unit = _records_by_unit(nodes_now)
    ind_by_unit = _records_by_unit(inds_now)
    lights = d.lights[(d.lights["year"] == year) & d.lights["node"].isin(first)]
    lights_by_unit = _records_by_unit(lights)
    obstacles = _records_by_unit(d.obstacles[d.obstacles["year"] == year])
    strengths = _records_by_unit(d.strengths[d.strengths["year"] == year])
    intervals = ({} if bundle.intervals is None else
                 {str(r["unit"]): r for r in bundle.intervals.to_dict(orient="records")})
    ranking = {str(r["unit"]): r for r in bundle.ranking.to_dict(orient="records")}
    alias = _aliases(bundle)
    ind_order = {i: k for k, i in enumerate(a.ids)}
    dim_of = {i: _dimension(fw, i) for i in a.ids}
    # the bars' scale: the score range, or the values' own when they leave it (z-scores)
    shown = [frame[c] for frame in (bundle.ranking, bundle.previous)
             for c in ["score", *fw.first_level] if c in frame.columns]
    lo, hi = figures.value_range(bundle, shown)
    n_year = int(counts.get(ROOT, 0))
    node_label = {q: bundle.label(q) for q, _ in tree}
    ind_label = {i: bundle.label(i) for i in a.ids}
    ind_unit = {i: fw.indicator(i).unit.get(bundle.lang) for i in a.ids}
    light_text = {k: t(f"light.{k}") for k in LIGHT_ORDER}
    trends = _trends(bundle, lo, hi)
    printed = getattr(bundle, "printed", None)

    profiles = []
    for unit, rec in ranking.items():
        group = str(rec["group"]) if bundle.has_groups else ""
        mine = {r["indicator"]: r for r in node_by_unit.get(unit, [])}
        node_rows, chart_rows = [], []
        for q, depth in tree:
            r = mine.get(q)
            score = _float(r["value"]) if r else math.nan
            rank = _float(r["rank"]) if r else math.nan
            pv, pr = prev_nodes.get((unit, q), (math.nan, math.nan))
            pv, pr = _float(pv), _float(pr)
            gmed = _float(group_medians.get((group, q), math.nan))
            node_rows.append({
                "label": node_label[q], "depth": depth, "score": fmt.num(score),
                "change": fmt.signed(score - pv), "rank": fmt.integer(rank),
                "of": int(counts.get(q, 0)),
                "rank_change": fmt.signed(pr - rank, 0),
                "rank_cls": _direction(pr - rank),
                "group_median": fmt.num(gmed), "median": fmt.num(medians.get(q))})
            if q in first:
                chart_rows.append((node_label[q], score, pv, gmed, _float(best.get(q))))
        light_rows = sorted(ind_by_unit.get(unit, []), key=lambda r: ind_order[r["indicator"]])
        profile = {
            "unit": unit, "anchor": anchors[unit], "alias": alias.get(unit, ""),
            "group": bundle.group_label(rec.get("group")) if bundle.has_groups else "",
            "rank": fmt.integer(rec["rank"]), "of": n_year, "score": fmt.num(rec["score"]),
            "rank_change": fmt.signed(rec["rank_change"], 0),
            "rank_cls": _direction(_float(rec["rank_change"])),
            # no rank the year before (its row missing): a gap is never bridged
            "not_compared": prev_year is not None and math.isnan(_float(rec["rank_change"])),
            "rank_in_group": fmt.integer(rec.get("rank_in_group")),
            "nodes": node_rows,
            "chart": unit_dots(chart_rows, lo, hi, label=t("chart.unit", unit=unit)),
            "trend": trends.get(unit),
            "printed": printed is None or unit in printed,
            "light_counts": _light_counts(bundle, lights_by_unit.get(unit, []), first),
            "lights": [{
                "name": ind_label[r["indicator"]], "unit": ind_unit[r["indicator"]],
                "dimension": node_label.get(dim_of[r["indicator"]], ""),
                "value": fmt.auto(r["value"]), "target": fmt.auto(r["target"]),
                "target_year": fmt.integer(r["target_year"]),
                "expected": fmt.auto(r["expected_now"]), "gap": fmt.auto(r["gap"]),
                "light": r["light"] or "not_judged",
                "light_text": light_text[r["light"] or "not_judged"]} for r in light_rows],
            "obstacles": _obstacles(obstacles.get(unit, []), ind_label, node_label, dim_of),
            "strengths": _sw(strengths.get(unit, []), "strength", ind_label, ind_unit, n_year),
            "weaknesses": _sw(strengths.get(unit, []), "weakness", ind_label, ind_unit, n_year),
            "alerts": alerts.get(unit, []),
            "interval": _interval(intervals.get(unit)),
            "sobol": (bundle.sobol or {}).get("leading", {}).get(unit),
            "aggregation": aggregation_for_unit(getattr(bundle, "aggregation", {}), unit),
            "published": published.get(unit, []),
        }
        profiles.append(profile)
    return profiles


def _trends(bundle, lo: float, hi: float) -> dict[str, Any]:
    """Each unit's score-and-rank chart over every panel year (none for one year)."""
    years = bundle.years
    if len(years) < 2:
        return {}
    r = bundle.assessment.rankings
    units = bundle.ranking["unit"].astype(str).tolist()
    scores = (r.assign(unit=r["unit"].astype(str))
              .pivot_table(index="unit", columns="year", values="score", aggfunc="first",
                           dropna=False).reindex(index=units, columns=years))
    ranks = (r.assign(unit=r["unit"].astype(str))
             .pivot_table(index="unit", columns="year", values="rank", aggfunc="first",
                          dropna=False).reindex(index=units, columns=years))
    of = r.groupby("year")["rank"].count().reindex(years).fillna(0).astype(int).tolist()
    s, k = scores.to_numpy(float), ranks.to_numpy(float)
    finite = s[np.isfinite(s)]
    if finite.size and (finite.min() < lo or finite.max() > hi):
        lo, hi = float(finite.min()), float(finite.max())
    t = bundle.t
    titles = (t("chart.unit_trend_score"), t("chart.unit_trend_rank"))
    return {u: unit_trend(years, s[j].tolist(), k[j].tolist(), of, lo, hi,
                          label=t("chart.unit_trend", unit=u), titles=titles)
            for j, u in enumerate(units)}


def _published(trends: pd.DataFrame | None) -> dict[str, list[dict[str, Any]]]:
    """unit → its published score and rank per round and period, in period order."""
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    if trends is None or trends.empty:
        return out
    for rec in trends.to_dict(orient="records"):
        out[str(rec["unit"])].append({"period": rec["period"], "round": int(rec["round"]),
                                      "score": fmt.num(rec["score"]),
                                      "rank": fmt.integer(rec["rank"])})
    return out


def _obstacles(rows, ind_label, node_label, dim_of) -> list[dict[str, Any]]:
    """Top obstacles; bar widths relative to the largest, so the bars compare them."""
    peak = max([_float(r["obstacle"]) for r in rows if not fmt.is_missing(r["obstacle"])]
               + [0.0])
    return [{"order": int(r["order"]), "name": ind_label[r["indicator"]],
             "dimension": node_label.get(dim_of[r["indicator"]], ""),
             "share": fmt.pct(r["obstacle"]),
             "width": f"{_float(r['obstacle']) / peak * 100 if peak > 0 and not fmt.is_missing(r['obstacle']) else 0:.0f}"}
            for r in rows]


def _direction(change: float) -> str:
    if not math.isfinite(change) or change == 0:
        return ""
    return "up" if change > 0 else "down"


def _light_counts(bundle, rows: list[dict], first: list[str]) -> list[dict[str, Any]]:
    by_node = {r["node"]: r for r in rows}
    out = []
    for q in first:
        r = by_node.get(q)
        if r is None:
            continue
        out.append({"label": bundle.t("all_indicators") if q == ROOT else bundle.label(q),
                    **{k: int(r[k]) for k in LIGHT_ORDER}})
    return out


def _sw(rows, kind, ind_label, ind_unit, n_year) -> list[dict[str, Any]]:
    return [{"name": ind_label[r["indicator"]], "rank": int(r["rank"]), "of": n_year,
             "value": fmt.auto(r["value"]), "unit": ind_unit[r["indicator"]]}
            for r in rows if r["kind"] == kind]


def _interval(rec: dict | None) -> dict[str, str] | None:
    if rec is None:
        return None
    return {"nominal": fmt.integer(rec["nominal_rank"]), "median": fmt.num(rec["median_rank"], 1),
            "mean": fmt.num(rec["mean_rank"], 1), "p05": fmt.num(rec["p05"], 1),
            "p95": fmt.num(rec["p95"], 1), "p_top": fmt.pct(rec["p_top_k"]),
            "p_bottom": fmt.pct(rec["p_bottom_k"])}


def _dimension(fw, item: str) -> str:
    while fw.parent_of(item) != ROOT:
        item = fw.parent_of(item)
    return item


def _aliases(bundle) -> dict[str, str]:
    """Another name of each unit in the report's language, from a panel column named
    ``unit_en`` / ``unit_zh`` (the demo panel has ``unit_en``)."""
    return bundle.unit_names

