"""The monitoring bulletin of one period (issue 14): 季度监测、半年通报 beside the yearly
report's full assessment.

``build_bulletin(assessment, "2025Q2", lang)`` gathers, for that period only: every
unit's rank and score with its change since the previous period and since the same
period a year earlier, its lights (green / yellow / red counts) and cards (yellow card,
talks due); the movers since the previous period; the units whose indicators turned red
(red now, not red in the previous period); and each target's progress — where the
straight path to the target stands at this period's calendar fraction and how many units
are on it. ``render_bulletin`` fills ``reports/bulletin.html.j2`` (its own template and
stylesheet, inlined: one file that opens from disk). A previous period the panel lacks is
said so — never bridged.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from markupsafe import Markup

from ..errors import EvaluatorError
from ..model.framework import ROOT
from ..i18n import M
from ..model.period import PER_YEAR, accepted_forms, UNIT_NAMES, Period, period_labels
from ..stages.diagnostics import diagnose
from . import fmt
from .html import environment
from .i18n import Messages
from ..resources import reports_dir

TEMPLATE = "bulletin.html.j2"
ZH_FREQUENCY = {"year": "年度", "half": "半年度", "quarter": "季度", "month": "月度"}
MOVERS = 5


def choose_period(assessment, text) -> Period:
    """The period ``text`` names (any accepted form, either language), checked against
    the panel's frequency and periods."""
    frequency = assessment.frequency
    try:
        period = Period.parse(text)
    except ValueError:
        raise EvaluatorError(M("bulletin.err.not_a_period", text=str(text),
                               forms=accepted_forms()), where="--period",
                             fix=M("bulletin.err.not_a_period.fix")) from None
    present = np.unique(assessment.years)
    shown = ", ".join(period_labels(present, frequency))
    if period.frequency != frequency:
        raise EvaluatorError(M("bulletin.err.frequency", text=str(text),
                               given=f"{UNIT_NAMES[period.frequency][0]} / "
                                     f"{ZH_FREQUENCY[period.frequency]}",
                               panel=f"{UNIT_NAMES[frequency][1]} / {ZH_FREQUENCY[frequency]}"),
                             where="--period", fix=M("bulletin.err.fix", periods=shown))
    if period.key not in present:
        raise EvaluatorError(M("bulletin.err.absent", period=period.label()),
                             where="--period", fix=M("bulletin.err.fix", periods=shown))
    return period


def build_bulletin(assessment, period, lang: str = "en") -> dict[str, Any]:
    """The bulletin's context for :func:`render_bulletin` (see the module docstring)."""
    a, t = assessment, Messages(lang)
    p = choose_period(a, period) if not isinstance(period, Period) else period
    key, freq = p.key, p.frequency
    present = set(int(k) for k in np.unique(a.years))
    label = p.label(lang)
    d = diagnose(a)
    units = np.asarray(a.units).astype(str)
    years = np.asarray(a.years).astype(np.int64)
    now = years == key
    rank = np.asarray(a.ranks[ROOT], float)
    yoy = a.rank_change_yoy if a.rank_change_yoy is not None else np.full(len(units), np.nan)
    lights = d.lights[(d.lights["year"] == key) & (d.lights["node"] == ROOT)] \
        .set_index("unit")
    alerts = d.alerts[d.alerts["year"] == key]
    rows = []
    for i in np.flatnonzero(now)[np.argsort(rank[now], kind="stable")]:
        u = units[i]
        mine = alerts[alerts["unit"] == u]
        lit = lights.loc[u] if u in lights.index else None
        rows.append({
            "unit": u, "rank": fmt.num(rank[i], 0), "score": fmt.num(a.scores[ROOT][i]),
            "change": fmt.signed(a.rank_change[i], 0), "change_cls": _cls(a.rank_change[i]),
            "change_value": float(a.rank_change[i]),
            "yoy": fmt.signed(yoy[i], 0), "yoy_cls": _cls(yoy[i]),
            "green": int(lit["green"]) if lit is not None else 0,
            "yellow": int(lit["yellow"]) if lit is not None else 0,
            "red": int(lit["red"]) if lit is not None else 0,
            "cards": [t(f"rule.{r}") for r in mine["rule"]],
            "talks": bool(mine["rule"].isin(["yellow_card_talks",
                                              "bottom_k_consecutive"]).any())})
    previous = key - 1
    same = key - PER_YEAR[freq]
    return {
        "lang": lang, "html_lang": "zh-CN" if lang == "zh" else "en", "t": t,
        "title": t("bulletin.title", name=a.framework.name.get(lang), period=label),
        "period": label, "frequency": t(f"bulletin.frequency.{freq}"),
        "n_units": len(rows), "n_indicators": len(a.ids), "rows": rows,
        "n_red": sum(r["red"] for r in rows),
        "n_cards": int((alerts["rule"] == "yellow_card").sum()),
        "n_talks": sum(r["talks"] for r in rows),
        "previous": _label(previous, freq, lang) if previous in present else None,
        "previous_missing": _previous_note(t, key, previous, present, freq, lang),
        "same_period": _label(same, freq, lang) if same in present else None,
        "movers": _movers(rows),
        "turned_red": _turned_red(a, d, units, years, key, previous, present, lang),
        "targets": _targets(a, d, key, freq, lang),
        "css": Markup(_css()),
    }


def render_bulletin(context: dict[str, Any]) -> str:
    return environment().get_template(TEMPLATE).render(**context)


# -- parts ---------------------------------------------------------------------------------
def _label(key: int, freq: str, lang: str) -> str:
    return str(period_labels([key], freq, lang)[0])


def _cls(value) -> str:
    if value is None or pd.isna(value) or value == 0:
        return ""
    return "up" if value > 0 else "down"


def _previous_note(t, key, previous, present, freq, lang) -> str | None:
    if previous in present:
        return None
    if key == min(present):
        return t("bulletin.first_period")
    return t("bulletin.gap", previous=_label(previous, freq, lang))


def _movers(rows) -> dict[str, list]:
    """The units that gained (lost) most places since the previous period; ties keep
    the ranking's order (sorted is stable)."""
    up = sorted((r for r in rows if r["change_cls"] == "up"), key=lambda r: -r["change_value"])
    down = sorted((r for r in rows if r["change_cls"] == "down"),
                  key=lambda r: r["change_value"])
    return {"up": up[:MOVERS], "down": down[:MOVERS]}


def _turned_red(a, d, units, years, key, previous, present, lang) -> list[dict]:
    """Units with indicators red in this period that were not red in the previous one
    (empty when the panel lacks the previous period: nothing is compared across a gap)."""
    if previous not in present:
        return []
    ind = d.table[d.table["kind"] == "indicator"]
    now = ind[ind["year"] == key].set_index(["unit", "indicator"])["light"]
    before = ind[ind["year"] == previous].set_index(["unit", "indicator"])["light"]
    before = before.reindex(now.index).fillna("")
    turned = now[(now == "red") & (before != "red")]
    out = []
    for unit, group in turned.groupby(level=0, sort=True):
        names = [a.framework.label(i, lang) for i in group.index.get_level_values(1)]
        out.append({"unit": unit, "indicators": names})
    return out


def _targets(a, d, key, freq, lang) -> list[dict]:
    """Per indicator with a target now: target year, the share of the way from the path's
    start that the straight path expects by this period (its calendar fraction), and the
    units green / yellow / red."""
    ind = d.table[(d.table["kind"] == "indicator") & (d.table["year"] == key)]
    ind = ind[ind["target"].notna()]
    out = []
    p = PER_YEAR[freq]
    for indicator, g in ind.groupby("indicator", sort=False):
        start = g["path_start"].dropna()
        target_key = int(g["target_year"].dropna().iloc[0]) * p + p - 1 \
            if g["target_year"].notna().any() else None
        share = None
        if target_key is not None and len(start):
            s = float(start.median())
            share = 1.0 if target_key <= s else min(max((key - s) / (target_key - s), 0), 1)
        counts = g["light"].value_counts()
        out.append({"indicator": a.framework.label(indicator, lang),
                    "target_year": int(g["target_year"].dropna().iloc[0])
                    if g["target_year"].notna().any() else "",
                    "path": fmt.pct(share) if share is not None else "–",
                    "green": int(counts.get("green", 0)), "yellow": int(counts.get("yellow", 0)),
                    "red": int(counts.get("red", 0)),
                    "met": int(g["met"].fillna(0).astype(float).sum())})
    return out


def _css() -> str:
    text = (reports_dir() / "bulletin.css").read_text(encoding="utf-8")
    if "</style" in text.lower():
        raise ValueError("reports/bulletin.css must not contain </style")
    return text
