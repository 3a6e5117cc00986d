"""The ranking table of the chosen year for the HTML report: displayed text rounded,
``data-value`` at full precision (as in ``rankings.csv``), alert markers per unit."""
from __future__ import annotations

from typing import Any

import pandas as pd

from . import fmt


def unit_anchors(bundle) -> dict[str, str]:
    """HTML ids of the unit profiles: by position, never from the unit's text."""
    return {str(u): f"u{k}" for k, u in enumerate(bundle.ranking["unit"].tolist())}


def columns(bundle) -> list[dict[str, Any]]:
    t = bundle.t
    cols = [{"key": "rank", "label": t("col.rank"), "num": True},
            {"key": "unit", "label": t("col.unit"), "num": False}]
    if bundle.has_groups:
        cols.append({"key": "group", "label": t("col.group"), "num": False})
    cols += [{"key": "score", "label": t("col.score"), "num": True},
             {"key": "rank_change", "label": t("col.rank_change"), "num": True,
              "title": t("col.rank_change_note")}]
    if bundle.has_groups:
        cols.append({"key": "rank_in_group", "label": t("col.rank_in_group"), "num": True})
    for node in bundle.framework.first_level:
        cols.append({"key": node, "label": bundle.label(node), "num": True, "dim": True})
        cols.append({"key": f"{node}_rank", "label": t("col.rank_short"), "num": True,
                     "title": t("col.rank_of", name=bundle.label(node))})
    if "coordination_D" in bundle.ranking.columns:
        cols.append({"key": "coordination_D", "label": t("col.coordination_D"), "num": True})
        cols.append({"key": "coordination_class", "label": t("col.coordination_class"),
                     "num": False})
    cols.append({"key": "alerts", "label": t("col.alerts"), "num": False})
    for c in cols:
        c.setdefault("dim", False)
        c.setdefault("title", "")
    return cols


def class_labels(bundle) -> dict[str, str]:
    """English coordination class → the report language's (from the assessment)."""
    c = bundle.assessment.coordination
    if c is None:
        return {}
    target = c.class_zh if bundle.lang == "zh" else c.class_en
    return {str(en): str(lab) for en, lab in zip(c.class_en, target) if en is not None}


def alerts_by_unit(bundle) -> dict[str, list[dict[str, str]]]:
    t = bundle.t
    msg = "message_zh" if bundle.lang == "zh" else "message_en"
    out: dict[str, list[dict[str, str]]] = {}
    for row in bundle.alerts.to_dict(orient="records"):
        out.setdefault(str(row["unit"]), []).append({
            "rule": row["rule"], "short": t(f"rule_short.{row['rule']}"),
            "label": t(f"rule.{row['rule']}"), "years": str(row["years"]),
            "message": str(row[msg])})
    return out


def rows(bundle, anchors: dict[str, str], alerts: dict[str, list]) -> list[dict[str, Any]]:
    cols = columns(bundle)
    classes = class_labels(bundle)
    out = []
    for rec in bundle.ranking.to_dict(orient="records"):
        unit = str(rec["unit"])
        cells = []
        for col in cols:
            key = col["key"]
            if key == "alerts":
                marks = alerts.get(unit, [])
                cells.append({"key": key, "marks": marks, "value": str(len(marks) or "")})
                continue
            v = rec.get(key)
            if key == "unit":
                text, value = unit, unit
            elif key == "group":
                text, value = bundle.group_label(v), "" if fmt.is_missing(v) else str(v)
            elif key == "coordination_class":
                value = "" if fmt.is_missing(v) else str(v)
                text = classes.get(value, value) or fmt.DASH
            elif key == "rank_change":
                text, value = fmt.signed(v, 0), fmt.full(v)
            elif key == "coordination_D":
                text, value = fmt.num(v, 3), fmt.full(v)
            elif key.endswith("rank") or key == "rank_in_group":
                text, value = fmt.integer(v), fmt.full(v)
            else:
                text, value = fmt.num(v, 2), fmt.full(v)
            cls = ["n"] if col["num"] else []
            if key == "rank_change" and not fmt.is_missing(v) and v != 0:
                cls.append("up" if v > 0 else "down")
            if col.get("dim"):
                cls.append("dim")
            cell = {"key": key, "text": text, "value": value, "cls": " ".join(cls)}
            cells.append(cell)
        out.append({"unit": unit, "anchor": anchors[unit], "cells": cells})
    return out


def previous_ranks(bundle) -> dict[str, float]:
    prev = bundle.previous
    if prev is None or prev.empty:
        return {}
    return dict(zip(prev["unit"].astype(str), pd.to_numeric(prev["rank"]).astype(float)))
