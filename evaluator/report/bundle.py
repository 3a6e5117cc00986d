"""What a report is made of: the assessment, the chosen year, its diagnosis and the
tables every output (HTML, workbook, Markdown) draws on — computed once."""
from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EvaluatorError
from ..model.framework import ROOT
from .i18n import Messages
from ..i18n import M

INTERVAL_COLUMNS = ["unit", "year", "nominal_rank", "mean_rank", "median_rank", "p05", "p95",
                    "p_top_k", "p_bottom_k"]
ALERT_RULES = ("bottom_k_consecutive", "yellow_card", "yellow_card_talks", "rank_drop")


@dataclass
class ReportBundle:
    """Inputs of the writers. ``ranking`` is the chosen year's ``rankings`` rows in rank
    order (the contract columns, nothing rounded); ``previous`` the year before's;
    ``alerts`` the year's alerts; ``intervals`` the year's rank intervals or None."""

    assessment: Any
    lang: str
    year: int
    previous_year: int | None
    years: list[int]
    t: Messages
    diagnosis: Any
    ranking: pd.DataFrame
    previous: pd.DataFrame
    alerts: pd.DataFrame
    intervals: pd.DataFrame | None
    manifest: dict[str, Any] = field(default_factory=dict)
    quality: Any = None
    sensitivity: dict[str, Any] = field(default_factory=dict)   # sensitivity.json, if given
    interval_source: Any = None   # intervals.IntervalSource of the intervals, if given
    findings: dict[str, Any] = field(default_factory=dict)
    context: dict[str, Any] = field(default_factory=dict)
    printed: set[str] | None = None    # units whose profiles print (None: all)
    profile_spec: list[str] = field(default_factory=list)   # the --profiles tokens
    geo: Any = None                    # geo.GeoUnits of --geo, if given
    sobol: Any = None                  # details.sobol_section of sobol.csv, if given
    aggregation: dict[str, Any] = field(default_factory=dict)   # details by node
    geo_colour: str = "score"

    # -- labels ---------------------------------------------------------------------------
    @property
    def framework(self):
        return self.assessment.framework

    def label(self, item: str) -> str:
        """A node's or indicator's name in the report's language (the root: the index)."""
        if item == ROOT:
            return self.t("index")
        return self.framework.label(item, self.lang)

    @functools.cached_property
    def unit_names(self) -> dict[str, str]:
        """Each unit's name in the report's language, from a panel column ``unit_en`` /
        ``unit_zh`` (the demo panel has ``unit_en``); units without one keep their id."""
        data = self.assessment.panel.data
        col = f"unit_{self.lang}"
        if col not in data.columns:
            return {}
        pairs = data[["unit", col]].dropna().astype(str).drop_duplicates("unit")
        return {u: n.strip() for u, n in zip(pairs["unit"], pairs[col])
                if n.strip() and n.strip() != u}

    def unit_name(self, unit: Any) -> str:
        """How ``unit`` is shown in this report's language (its id without a name)."""
        return self.unit_names.get(str(unit), str(unit))

    def group_label(self, group: Any) -> str:
        if group is None or (isinstance(group, float) and np.isnan(group)):
            return ""
        group = str(group)
        g = self.framework.groups.get(group)
        return g.name.get(self.lang) if g is not None else group

    @property
    def top_k(self) -> str:
        """k of P(top k) / P(bottom k): from the sensitivity summary, else "k"."""
        k = self.sensitivity.get("top_k")
        return str(int(k)) if isinstance(k, (int, float)) and k == k else "k"

    @property
    def has_groups(self) -> bool:
        return self.assessment.groups is not None

    @property
    def score_range(self) -> tuple[float, float]:
        lo, hi = self.assessment.recipe.normalise["range"]
        return float(lo), float(hi)

    @property
    def synthetic(self) -> bool:
        return bool(self.manifest.get("synthetic_demo_data"))


def choose_year(assessment, year: int | None) -> tuple[int, int | None, list[int]]:
    """(year, the calendar year before it when the panel has it — else None —, the
    panel's years). A missing year is never bridged: with 2023 absent, 2024's report
    shows no movement rather than changes "since 2023" that are really since 2022."""
    years = sorted(int(y) for y in np.unique(assessment.years))
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise EvaluatorError(M("bundle.year_not_data", year=year),
                             fix=M("bundle.year_not_data.fix", map=', '.join(map(str, years))))
    year = int(year)
    return year, (year - 1 if year - 1 in years else None), years


def check_intervals(frame: pd.DataFrame | None, where: str = "rank intervals"
                    ) -> pd.DataFrame | None:
    """The sensitivity run's ``rank_intervals`` table, checked: the contract columns
    (``unit, year, nominal_rank, mean_rank, median_rank, p05, p95, p_top_k,
    p_bottom_k``), numbers where numbers belong."""
    if frame is None:
        return None
    missing = [c for c in INTERVAL_COLUMNS if c not in frame.columns]
    if missing:
        raise DataError(M("bundle.rank_interval_table_lacks", missing=', '.join(missing)),
                        where=where, fix=M("bundle.rank_interval_table_lacks.fix"))
    out = frame.copy()
    out["unit"] = out["unit"].astype(str)
    for col in INTERVAL_COLUMNS[1:]:
        converted = pd.to_numeric(out[col], errors="coerce")
        bad = converted.isna() & out[col].notna()
        if bad.any():
            row = int(np.flatnonzero(bad.to_numpy())[0])
            raise DataError(M("bundle.column_holds_non_number", col=col, iloc=out[col].iloc[row]),
                            where=M("bundle.column_holds_non_number.where", where=where, value=row + 2),
                            fix=M("bundle.column_holds_non_number.fix"))
        out[col] = converted
    return out


def alert_table(diagnosis, year: int) -> pd.DataFrame:
    al = diagnosis.alerts
    return al[al["year"] == year].reset_index(drop=True)


def main_findings(ranking: pd.DataFrame, alerts: pd.DataFrame, k: int = 3,
                  movers: int = 5) -> dict[str, Any]:
    """Top and bottom units, biggest movers, the units scored without a rank change
    (no rank the year before: a missing row, a first year — issue 9), alert counts
    (plain values)."""
    scored = ranking[ranking["score"].notna()]
    change = scored[scored["rank_change"].notna()].copy()
    change["rank_change"] = change["rank_change"].astype(int)
    up = change[change["rank_change"] > 0].sort_values(
        ["rank_change", "rank"], ascending=[False, True], kind="mergesort").head(movers)
    down = change[change["rank_change"] < 0].sort_values(
        ["rank_change", "rank"], ascending=[True, True], kind="mergesort").head(movers)
    return {
        "n": int(len(scored)),
        "top": scored.head(k), "bottom": scored.tail(k),
        "up": up, "down": down,
        "not_compared": scored[scored["rank_change"].isna()],
        "alert_counts": {r: int((alerts["rule"] == r).sum()) for r in ALERT_RULES},
        "alert_units": int(alerts["unit"].nunique()),
        "median": float(scored["score"].median()) if len(scored) else float("nan"),
    }
