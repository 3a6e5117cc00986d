"""Diagnostics of an Assessment (issue 4, DESIGN.md §5): gaps to targets with traffic
lights, obstacle degree, peers, strengths and weaknesses, contributions, alerts.

``build_diagnostics(assessment)`` returns the two contract tables:

``diagnostics`` — one row per unit, year and indicator, then per unit, year and node
(the dimensions and the root ``index``):

* ``value`` the indicator's value on the raw scale (after denomination, before
  imputation: a missing value is judged nowhere) — for a node, its score;
* ``target``, ``target_year`` the next target (the first with a year ≥ the row's year;
  past the last target, the last one), group overrides applied and relative targets
  resolved from the unit's own value in their ``from`` year; both empty where the target
  cannot be resolved (see :func:`diagnostic_warnings`);
* ``gap`` what is still missing, in the indicator's units (positive = behind, ≤ 0 = met;
  for a cost indicator, how far above its ceiling), ``relative_gap`` = gap / |target|;
* ``expected_now`` the value a straight path expects this year — from the unit's value
  where its path starts (the base year, or the unit's first year with a value after it;
  for a relative target its ``from`` year: see :mod:`.diagnose_targets`) to the target
  in the target year; NaN before the path starts;
* ``light`` green (met, or on/above the path) · yellow (behind the path but better than
  the unit's latest earlier value — looking past a missing year — or, with
  ``compare: base``, than the path's start) · red (behind and not better) · empty (no
  target, no value, or nothing to compare with). In the year the path starts and before
  it there is no trajectory yet, so only "met" is judged: green when the target is met,
  otherwise empty;
* ``obstacle`` the obstacle degree O = W(1−z)/ΣW(1−z) as a fraction (a unit-year's
  indicators sum to 1, or all 0 at the ideal); for a node, the share of its indicators;
* ``rank`` among the units of the year (competition ranking, 1 = best), ``best`` the best
  unit's value of the year, ``gap_to_best`` how far behind it (≥ 0, indicator's units),
  ``group_best``/``gap_to_group_best`` the same within the unit's group (empty without
  groups);
* ``contribution`` the part of the composite score due to this indicator (they sum to
  the score) and ``contribution_change`` its change since the calendar year before (they
  sum to the score's change). Exact when every node is a weighted sum; empty otherwise
  (a geometric mean or TOPSIS does not decompose additively). With ``scope: per_year``
  normalisation the sum still holds, but a change then also reflects other units.

Then, after the contract columns: ``met`` (true/false, empty without a value or a
target), ``gap_normalised`` the gap on the normalised scale, z(target) − z(value)
(positive = behind), where z maps a value onto the scores' scale by interpolating the
indicator's observed (value, normalised value) pairs of the same normalisation block
(all rows when pooled, the year when per_year) — so it honours the method, log
transform and outlier treatment actually used; beyond the observed values the scale is
flat, except that goalposts (and the target of ``distance_to_target``) are known points
— ``group_median`` the median of the unit's group in the year (indicator's units, or
the node's score) and ``gap_to_group_median`` how far behind it (oriented, positive =
behind).

``alerts`` — ``unit, year, rule, years, message_zh, message_en`` (see
:mod:`evaluator.methods.alerts`; ``yellow_card_talks`` is raised by the ``yellow_card``
rule for consecutive cards).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..io.long_table import Codes, LongTable, Part
from ..methods import alerts as al
from ..methods import diagnose as dg
from ..methods.ranking import competition_rank
from ..model.framework import ROOT
from ..model.period import PER_YEAR, UNIT_NAMES, period_frame, period_labels
from .diagnose_params import alert_params, alert_warnings, diagnose_params
from .diagnose_published import change_since_published as _change, published_previous
from .diagnose_rows import row_contributions, rows_change, spread
from .diagnose_targets import keep_targets, resolve_targets, scale_anchors, shared_targets

DIAGNOSTIC_COLUMNS = ["unit", "year", "indicator", "value", "target", "target_year", "gap",
                      "relative_gap", "expected_now", "light", "obstacle", "rank", "best",
                      "gap_to_best", "group_best", "gap_to_group_best", "contribution",
                      "contribution_change"]
# written after the contract columns of diagnostics.csv, in this order
EXTRA_COLUMNS = ["met", "gap_normalised", "group_median", "gap_to_group_median"]
ALERT_COLUMNS = ["unit", "year", "rule", "years", "message_zh", "message_en"]
# Diagnosis.table: the contract columns with kind, group and path_start
TABLE_COLUMNS = ("unit", "year", "indicator", "group", "kind", *DIAGNOSTIC_COLUMNS[3:],
                 *EXTRA_COLUMNS, "path_start")


@dataclass
class Diagnosis:
    """Everything the diagnostics computed; ``table`` holds the contract columns and a
    few more (``kind``, ``group``, ``met``, ``gap_normalised``, ``group_median``,
    ``gap_to_group_median``, ``path_start``), made from ``long`` (its matrices) when first
    asked for; the writers take ``long`` a block of rows at a time."""

    params: dict[str, Any]
    alert_params: dict[str, Any]
    long: LongTable
    lights: pd.DataFrame         # unit, year, node, green, yellow, red, not_judged
    alerts: pd.DataFrame
    decomposable: bool
    warnings: list[str]          # see diagnostic_warnings()
    frequency: str = "year"      # of the panel: sub-annual tables carry a period column
    makers: dict[str, Any] = field(default_factory=dict, repr=False)   # made on first use

    @property
    def obstacles(self) -> pd.DataFrame:
        """unit, year, order, indicator, obstacle (the top k of each unit-year)."""
        return self._made("obstacles")

    @property
    def strengths(self) -> pd.DataFrame:
        """unit, year, kind, order, indicator, rank, value."""
        return self._made("strengths")

    def _made(self, name: str) -> pd.DataFrame:
        if name not in self.__dict__:
            self.__dict__[name] = self.makers.pop(name)()
        return self.__dict__[name]

    @property
    def table(self) -> pd.DataFrame:
        """The whole long table (one frame, made on first use and kept)."""
        if "_table" not in self.__dict__:
            self.__dict__["_table"] = self.long.to_frame()
        return self.__dict__["_table"]

    def tables(self) -> dict[str, pd.DataFrame]:
        """``diagnostics.csv`` and ``alerts.csv`` as ``score --out`` writes them: the
        contract columns first and in their order, then :data:`EXTRA_COLUMNS` (``met`` as
        true/false/empty)."""
        return {name: t.to_frame() if isinstance(t, LongTable) else t
                for name, t in self.output_tables().items()}

    def output_tables(self) -> dict[str, Any]:
        """:meth:`tables` with ``diagnostics`` as a :class:`LongTable` the writers take a
        block of rows at a time (the whole frame is never made)."""
        frequency = self.frequency

        def finish(t: pd.DataFrame) -> pd.DataFrame:
            t["met"] = t["met"].astype("boolean")
            return period_frame(t, frequency)

        alerts = self.alerts[ALERT_COLUMNS].reset_index(drop=True)
        return {"diagnostics": self.long.select(DIAGNOSTIC_COLUMNS + EXTRA_COLUMNS, finish),
                "alerts": period_frame(alerts, frequency)}

    def _repr_html_(self) -> str:
        from ..i18n import localise, t
        from ..model.notebook import html_card

        lights = self.lights[self.lights["node"] == "index"] if "node" in self.lights else \
            self.lights
        return html_card(t("nb.diagnosis.title"),
                         [t("nb.alerts_n", n=len(self.alerts)),
                          *(localise(w) for w in self.warnings)],
                         [(t("nb.alerts"), self.alerts[ALERT_COLUMNS]), (t("nb.lights"), lights),
                          (t("nb.obstacles"), self.obstacles),
                          (t("nb.diagnostics"), self.table)])


def build_diagnostics(assessment) -> dict[str, pd.DataFrame]:
    """``{"diagnostics": ..., "alerts": ...}``: the contract columns first and in their
    order, then :data:`EXTRA_COLUMNS` in diagnostics (``met`` as true/false/empty)."""
    return diagnose(assessment).tables()


def diagnostics_tables(assessment) -> dict[str, Any]:
    """:func:`build_diagnostics` with ``diagnostics`` as a :class:`LongTable`, for the
    writers (the assessment's ``diagnostics_builder``)."""
    return diagnose(assessment).output_tables()


def diagnose(assessment) -> Diagnosis:
    """The assessment's diagnosis, computed once and shared: the tables
    (:func:`build_diagnostics`), the report and the unit profiles all read the same
    object (kept on the assessment, whose results do not change after ``evaluate``)."""
    cached = getattr(assessment, "__dict__", {}).get("_diagnosis")
    if cached is None:
        cached = _diagnose(assessment)
        if hasattr(assessment, "__dict__"):
            assessment.__dict__["_diagnosis"] = cached
    return cached


def _diagnose(assessment) -> Diagnosis:
    a = assessment
    fw = a.framework
    panel_years = sorted(int(y) for y in np.unique(a.years))
    frequency = getattr(a, "frequency", "year")
    params = diagnose_params(a.recipe.diagnose, panel_years, source=a.recipe.source,
                             framework=fw, frequency=frequency)
    rules = alert_params(a.recipe.alerts, source=a.recipe.source)
    ids = list(a.ids)
    n, m = len(a.units), len(ids)
    units = np.asarray(a.units).astype(str)
    years = np.asarray(a.years).astype(np.int64)
    groups = None if a.groups is None else np.asarray(a.groups).astype(str)
    inds = [fw.indicator(i) for i in ids]
    sign = np.array([i.sign for i in inds], float)
    optimum = np.array([np.nan if i.optimum is None else i.optimum for i in inds], float)
    interval = np.array([i.interval or (np.nan, np.nan) for i in inds], float)
    nodes = fw.aggregation_order()
    told = published_previous(a, units, years, [*ids, *nodes])   # --against-published

    def orient(X):
        return dg.orient(X, sign, optimum, interval)

    V = np.asarray(a.stages["denominated"], dtype=float)
    G = orient(V)
    lag = dg.lag_rows(units, years)

    # targets, paths, lights (resolved once: by diagnostic_warnings when evaluate ran)
    tgt, warnings = shared_targets(a, params, V, units, years, groups)
    expected = dg.trajectory(tgt["start_value"], tgt["target"], tgt["start_year"],
                             tgt["target_year"], years[:, None])
    # no trajectory until the path has begun: in its start year it only restates the value
    with np.errstate(invalid="ignore"):
        path_begun = years[:, None] > tgt["start_year"]
    Tg, Eg = orient(tgt["target"]), orient(np.where(path_begun, expected, np.nan))
    if params["compare"] == "previous":
        # the unit's latest earlier value, looking past a missing or screened-out year;
        # --against-published: the previous year's value as published, where it was
        reference = dg.take_cells(V, dg.latest_earlier_rows(V, units, years))
        if told is not None:
            reference = np.where(np.isnan(told["value"][:, :m]), reference,
                                 told["value"][:, :m])
    else:
        # the value where the unit's path starts, only for the years after it
        reference = np.where(path_begun, tgt["start_value"], np.nan)
    slack = params["tolerance"] * np.abs(tgt["target"])
    # kept as one byte a cell (the text matrix is three times a float one)
    lights = Codes.of(dg.traffic_lights(G, Tg, Eg, orient(reference), slack=slack,
                                        min_gain=params["min_improvement"] *
                                        np.abs(reference)), (dg.NOT_JUDGED, *dg.LIGHTS))
    del Eg, reference, slack, path_begun
    tgt.pop("start_value", None)
    target = tgt["target"]

    # gap, relative gap and met are made with the rows that are written (elementwise from
    # the value and the target: the same numbers as for the whole matrix)
    def gaps(r):
        return dg.target_gaps(G[r], orient(target[r]), target[r])

    def met(r):
        g, t = G[r], orient(target[r])
        slack_r = params["tolerance"] * np.abs(target[r])
        return np.where(np.isnan(g) | np.isnan(t), np.nan,
                        dg.meets(g, t, slack_r).astype(float))

    lo, hi = a.recipe.normalise["range"]
    anchors_value, anchors_z = scale_anchors(a)
    scope_blocks = years if a.recipe.normalise["scope"] == "per_year" else None
    gap_norm = dg.normalised_gap(G, Tg, np.asarray(a.stages["normalised"], float),
                                 scope_blocks, anchors_value=anchors_value,
                                 anchors_z=anchors_z)
    del Tg

    # obstacle degree on z in [0, 1]
    z = _unit_interval(np.asarray(a.stages["normalised"], float), lo, hi)
    W = np.array([a.global_weights[i] for i in ids], float)
    obstacle = dg.obstacle_degree(z, W).share
    del z

    # peers and ranks
    ranks = competition_rank(G, years, rtol=a.recipe.rank["tolerance"])
    # the best and the median of a block (year, year × group) are kept per block and
    # given to each row as its rows are written (the same numbers as whole matrices)
    ycodes, best, best_row = dg.block_best_of(G, years)
    best_raw = spread(dg.take_cells(V, best_row), ycodes)
    del best_row
    gblocks = None if groups is None else np.char.add(np.char.add(years.astype(str), "\x00"),
                                                      groups)
    if gblocks is not None:
        gcodes, gbest, gbest_row = dg.block_best_of(G, gblocks)
        gbest_raw, gap_gbest = (spread(dg.take_cells(V, gbest_row), gcodes),
                                spread(gbest, gcodes, minus=G))
        gap_gmed = spread(dg.block_median_of(G, gblocks)[1], gcodes, minus=G)
        gmed_raw = spread(dg.block_median_of(V, gblocks)[1], gcodes)
        del gbest, gbest_row
    else:
        gbest_raw = gap_gbest = gmed_raw = gap_gmed = np.nan

    # contributions, made with the rows written (a node's are summed here once)
    score = np.asarray(a.scores[ROOT], float)
    decomposable = a.contribution_shares is not None
    contrib = row_contributions(a, score, n, m)
    node_contrib = dg.group_sums(contrib(np.arange(n)), _membership(fw, ids, nodes))
    if told is not None:   # the published contributions take part: whole matrices
        contrib = contrib(np.arange(n))
        contrib_change = _change(contrib, lag, told, slice(0, m))
    else:
        contrib_change = rows_change(contrib, lag)

    nan = np.nan
    ind_part = Part(list(ids), {
        "kind": "indicator", "value": V, "target": target,
        # a sub-annual target is due in the period that ends its year: show the year
        "target_year": lambda r: np.floor_divide(tgt["target_year"][r], PER_YEAR[frequency]),
        "gap": lambda r: gaps(r)[0], "relative_gap": lambda r: gaps(r)[1], "expected_now": expected,
        "light": lights, "obstacle": obstacle,
        "rank": ranks, "best": best_raw, "gap_to_best": spread(best, ycodes, minus=G),
        "group_best": gbest_raw, "gap_to_group_best": gap_gbest, "contribution": contrib,
        "contribution_change": contrib_change, "met": met, "gap_normalised": gap_norm,
        "group_median": gmed_raw, "gap_to_group_median": gap_gmed,
        "path_start": tgt["start_year"]})

    # nodes: scores, ranks, peers, obstacle and contribution shares of their indicators
    M = _membership(fw, ids, nodes)
    S = np.column_stack([np.asarray(a.scores[q], float) for q in nodes])
    node_best, _ = dg.block_best(S, years)
    if gblocks is not None:
        node_gbest, _ = dg.block_best(S, gblocks)
        node_gmed = dg.block_median(S, gblocks)
        gap_node_gbest, gap_node_gmed = node_gbest - S, node_gmed - S
    else:
        node_gbest = node_gmed = gap_node_gbest = gap_node_gmed = nan
    node_part = Part(list(nodes), {
        "kind": "node", "value": S, "light": dg.NOT_JUDGED,
        "obstacle": dg.group_sums(obstacle, M),
        "rank": np.column_stack([np.asarray(a.ranks[q], float) for q in nodes]),
        "best": node_best, "gap_to_best": node_best - S, "group_best": node_gbest,
        "gap_to_group_best": gap_node_gbest, "contribution": node_contrib,
        "contribution_change": _change(node_contrib, lag, told, slice(m, None)),
        "group_median": node_gmed, "gap_to_group_median": gap_node_gmed})
    # one row per unit-year and indicator, then node; by year, unit (kept as matrices,
    # made into rows a block at a time: evaluator/io/long_table.py)
    table = LongTable(np.lexsort((units, years)), {
        "unit": units, "year": years, "group": groups if groups is not None else ""},
        "indicator", (ind_part, node_part), TABLE_COLUMNS, integers=("target_year", "rank"))

    light_counts = _light_counts(units, years, lights, M, nodes, fw)
    alerts = _alerts(a, rules, units, years, lag, light_counts)
    warnings += _contribution_warnings(a, decomposable)
    makers = {"obstacles": lambda: _top_obstacles(units, years, ids, obstacle, params["top_k"]),
              "strengths": lambda: _strengths(units, years, ids, V, ranks, G, params)}
    return Diagnosis(params, rules, table, light_counts, alerts, decomposable, warnings,
                     getattr(a, "frequency", "year"), makers)


# -- warnings ----------------------------------------------------------------------------------
def _contribution_warnings(a, decomposable: bool) -> list[str]:
    if decomposable and a.recipe.normalise["scope"] == "per_year" and \
            len(np.unique(a.years)) > 1:
        return ["normalisation scope per_year: contribution_change (diagnostics.csv) also "
                "reflects other units' movement, since each year is rescaled on that "
                "year's units; use scope: pooled for changes due to the unit alone"]
    return []


def diagnostic_warnings(assessment) -> list[str]:
    """What the diagnostics leave out or qualify, for ``assessment.warnings``: relative
    targets that cannot be resolved (which indicator, target year, missing ``from`` year,
    which units), targets before the first panel year ignored, group targets ignored
    without a group column, contribution changes under per-year normalisation. Cheap:
    resolves the targets only. Raises the RecipeError of a target before an explicit
    base year."""
    a = assessment
    params = diagnose_params(a.recipe.diagnose, sorted(int(y) for y in np.unique(a.years)),
                             source=a.recipe.source, framework=a.framework,
                             frequency=getattr(a, "frequency", "year"))
    groups = None if a.groups is None else np.asarray(a.groups).astype(str)
    tgt, warnings = resolve_targets(a, params, np.asarray(a.stages["denominated"], float),
                                    np.asarray(a.units).astype(str),
                                    np.asarray(a.years).astype(np.int64), groups)
    keep_targets(a, params, tgt, warnings)   # for the diagnosis, which takes them
    return (warnings + _contribution_warnings(a, a.contribution_shares is not None)
            + alert_warnings(alert_params(a.recipe.alerts, source=a.recipe.source),
                             a.framework))


# -- helpers -------------------------------------------------------------------------------------
def _membership(fw, ids: list[str], nodes: list[str]) -> np.ndarray:
    """indicators × nodes: 1 where the indicator lies under the node (by index look-up)."""
    position = {i: k for k, i in enumerate(ids)}
    M = np.zeros((len(ids), len(nodes)))
    for c, node in enumerate(nodes):
        rows = [position[i] for i in fw.indicators_under(node) if i in position]
        M[rows, c] = 1.0
    return M


def _unit_interval(Z: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """Normalised values mapped to [0, 1] by the normalisation range; a column that
    leaves the range (z-scores, for instance) is min–max rescaled over all rows."""
    z = (Z - lo) / (hi - lo)
    eps = 1e-9
    for j in range(z.shape[1]):   # columns only
        col = z[:, j]
        if np.nanmin(col, initial=0) < -eps or np.nanmax(col, initial=1) > 1 + eps:
            span = np.nanmax(col) - np.nanmin(col)
            z[:, j] = (col - np.nanmin(col)) / span if span > 0 else 1.0
    return np.clip(z, 0.0, 1.0)


def _light_counts(units, years, lights, M, nodes, fw) -> pd.DataFrame:
    """Green/yellow/red/not-judged counts per unit-year, for the whole framework
    (node ``index``) and for each node."""
    parts = []
    code = {label: k for k, label in enumerate(lights.labels)}   # lights: Codes
    counts = {c: (lights.codes == code[c]).astype(float) @ M for c in dg.LIGHTS}
    counts["not_judged"] = (lights.codes == code[dg.NOT_JUDGED]).astype(float) @ M
    for q, node in enumerate(nodes):
        frame = {"unit": units, "year": years, "node": node,
                 "level": fw.depth(node) if node != ROOT else 0}
        for c, arr in counts.items():
            frame[c] = arr[:, q].astype(int)
        parts.append(pd.DataFrame(frame))
    t = pd.concat(parts, ignore_index=True)
    return t.sort_values(["year", "unit", "level"], kind="mergesort").reset_index(drop=True)


def _top_obstacles(units, years, ids, share, k) -> pd.DataFrame:
    idx, vals = dg.top_k(share, k)
    n, kk = idx.shape
    keep = (idx >= 0).ravel()
    names = np.asarray(ids, dtype=object)[np.maximum(idx, 0)].ravel()
    t = pd.DataFrame({"unit": np.repeat(units, kk), "year": np.repeat(years, kk),
                      "order": np.tile(np.arange(1, kk + 1), n), "indicator": names,
                      "obstacle": vals.ravel()})
    return t[keep].reset_index(drop=True)


def _strengths(units, years, ids, V, ranks, G, params) -> pd.DataFrame:
    eligible = dg.largest_tie_share(G, years) <= params["tie_share"]
    codes, worst, _ = dg.block_best_of(ranks, years)
    worst = worst[codes]
    s_idx, w_idx = dg.strengths_weaknesses(ranks, eligible, worst, params["strengths_k"])
    parts = []
    for kind, idx in (("strength", s_idx), ("weakness", w_idx)):
        n, k = idx.shape
        keep = (idx >= 0).ravel()
        cols = np.maximum(idx, 0)
        rows = np.repeat(np.arange(n), k)
        parts.append(pd.DataFrame({
            "unit": np.repeat(units, k), "year": np.repeat(years, k), "kind": kind,
            "order": np.tile(np.arange(1, k + 1), n),
            "indicator": np.asarray(ids, dtype=object)[cols].ravel(),
            "rank": ranks[rows, cols.ravel()], "value": V[rows, cols.ravel()]})[keep])
    t = pd.concat(parts, ignore_index=True)
    t["rank"] = t["rank"].astype(int)
    return t.sort_values(["year", "unit", "kind", "order"], kind="mergesort"
                         ).reset_index(drop=True)


# -- alerts ----------------------------------------------------------------------------------
def _alerts(a, rules, units, years, lag, light_counts) -> pd.DataFrame:
    score = np.asarray(a.scores[ROOT], float)
    rank = np.asarray(a.ranks[ROOT], float)
    if a.prior is not None:   # past years as they were published (--against-published)
        told = ~np.isnan(a.prior["rank"])
        score = np.where(told, a.prior["score"], score)
        rank = np.where(told, a.prior["rank"], rank)
    n_year = al.block_counts(score, years)
    decimals, rtol = a.recipe.rank["decimals"], a.recipe.rank["tolerance"]
    rows_out: dict[str, list] = {c: [] for c in ALERT_COLUMNS}   # a list per column

    def history(i: int, length: int) -> list[int]:
        chain = [i]
        while len(chain) < length:
            chain.append(int(lag[chain[-1]]))
        return chain[::-1]

    def add(i: int, rule: str, span: str, msgs: tuple[str, str]) -> None:
        for column, value in zip(ALERT_COLUMNS, (units[i], int(years[i]), rule, span,
                                                 msgs[0], msgs[1])):
            rows_out[column].append(value)

    frequency = getattr(a, "frequency", "year")
    words = al.YEARS if frequency == "year" else UNIT_NAMES[frequency][1:]

    def period(key):   # a year as an int; a sub-annual period as its (en, zh) labels
        key = int(key)
        if frequency == "year":
            return key
        return (str(period_labels([key], frequency, "en")[0]),
                str(period_labels([key], frequency, "zh")[0]))

    p = rules["bottom_k_consecutive"]
    if p is not None:
        flag = al.bottom_k(score, years, p["k"], ties=p["ties"], decimals=decimals,
                           rtol=rtol)
        run = al.run_lengths(flag, units, years)
        for i in np.flatnonzero(run >= p["years"]):
            chain = history(int(i), int(run[i]))
            hist = [(period(years[r]), int(rank[r]), int(n_year[r])) for r in chain]
            add(int(i), "bottom_k_consecutive", al.year_span(hist[0][0], hist[-1][0]),
                al.bottom_k_message(units[i], p["k"], hist, words))

    p = rules["yellow_card"]
    if p is not None:
        k = al.bottom_share_k(n_year, p["bottom_share"])
        in_bottom = al.bottom_k(score, years, k, ties=p["ties"], decimals=decimals,
                           rtol=rtol)
        overall = light_counts[light_counts["node"] == ROOT]
        key = pd.MultiIndex.from_arrays([units, years])
        overall = overall.set_index(["unit", "year"]).reindex(key)
        red = overall["red"].to_numpy(float)
        lit = (overall["green"] + overall["yellow"] + overall["red"]).to_numpy(float)
        # the share's denominator: indicators with a light (judged) or every indicator
        out_of = lit if p["red_share_of"] == "judged" else \
            (lit + overall["not_judged"].to_numpy(float))
        # a share of fewer than min_judged lights is no proportion (issue 9)
        red_trigger = al.red_share_exceeded(red, out_of, p["red_share"]) & \
            (lit >= p["min_judged"])
        card = in_bottom | red_trigger
        for i in np.flatnonzero(card):
            add(int(i), "yellow_card", al.year_span(period(years[i]), period(years[i])),
                al.yellow_card_message(
                units[i], period(years[i]), rank=None if np.isnan(rank[i]) else int(rank[i]),
                n=int(n_year[i]), bottom_share=p["bottom_share"],
                in_bottom=bool(in_bottom[i]), red=int(red[i]), lit=int(out_of[i]),
                red_share=p["red_share"], red_trigger=bool(red_trigger[i]),
                red_share_of=p["red_share_of"]))
        run = al.run_lengths(card, units, years)
        for i in np.flatnonzero(run >= p["years"]):
            yrs = [period(years[r]) for r in history(int(i), int(run[i]))]
            add(int(i), "yellow_card_talks", al.year_span(yrs[0], yrs[-1]),
                al.yellow_talks_message(units[i], yrs, words))

    p = rules["rank_drop"]
    if p is not None:
        before = dg.take_rows(rank, lag)
        for i in np.flatnonzero(al.rank_drops(before - rank, p["places"])):
            j = int(lag[i])
            add(int(i), "rank_drop", al.year_span(period(years[j]), period(years[i])),
                al.rank_drop_message(units[i], period(years[j]), int(rank[j]),
                                     period(years[i]), int(rank[i]), p["places"]))

    order = {r: k for k, r in enumerate(["bottom_k_consecutive", "yellow_card",
                                         "yellow_card_talks", "rank_drop"])}
    t = pd.DataFrame(rows_out if rows_out["unit"] else [], columns=ALERT_COLUMNS)
    t["year"] = t["year"].astype("int64")
    t = t.assign(_o=t["rule"].map(order)).sort_values(["year", "unit", "_o"],
                                                      kind="mergesort")
    return t.drop(columns="_o").reset_index(drop=True)


# -- the CLI's helpers (text lives in unit_profile.py) ---------------------------------------
def resolve_unit(assessment, text: str) -> str:
    """The panel's unit named by ``text`` (exact, then ignoring case, spaces and
    full-width forms, then by a name column of the panel such as ``unit_en``); a
    DataError listing near matches otherwise."""
    from .unit_profile import resolve_unit as _resolve
    return _resolve(assessment, text)


def unit_profile(assessment, unit: str, year: int | None = None, lang: str = "en", *,
                 diagnosis: Diagnosis | None = None) -> str:
    """One unit's profile as text: scores and ranks with their change, lights by
    dimension, top obstacles, strengths and weaknesses, alerts."""
    from .unit_profile import render_profile
    d = diagnosis if diagnosis is not None else diagnose(assessment)
    return render_profile(assessment, d, resolve_unit(assessment, unit), year, lang)
