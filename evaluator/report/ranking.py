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
    """The ranking table's columns. ``key`` identifies a column and never clashes with
    another: the fixed columns' keys contain no ":" and a dimension's are ``score:<id>``
    and ``rank:<id>`` (ids are letters, digits and _). ``col`` is its column in
    rankings.csv (``data-col``; the alert markers, not in rankings.csv, are
    ``alert-marks``); ``kind`` says how a cell is shown."""
    t = bundle.t

    def col(key: str, kind: str, name: str, label: str, num: bool, **extra) -> dict:
        return {"key": key, "kind": kind, "col": name, "label": label, "num": num,
                "dim": False, "title": "", **extra}
    cols = [col("rank", "rank", "rank", t("col.rank"), True),
            col("unit", "unit", "unit", t("col.unit"), False)]
    if bundle.has_groups:
        cols.append(col("group", "group", "group", t("col.group"), False))
    cols += [col("score", "score", "score", t("col.score"), True),
             col("rank_change", "rank_change", "rank_change", t("col.rank_change"), True,
                 title=t("col.rank_change_note"))]
    if bundle.has_groups:
        cols.append(col("rank_in_group", "rank", "rank_in_group", t("col.rank_in_group"), True))
    for node in bundle.framework.first_level:
        cols.append(col(f"score:{node}", "score", node, bundle.label(node), True, dim=True))
        cols.append(col(f"rank:{node}", "node_rank", f"{node}_rank", t("col.rank_short"), True,
                        title=t("col.rank_of", name=bundle.label(node))))
    if "coordination_D" in bundle.ranking.columns:
        cols.append(col("coordination_D", "coordination_D", "coordination_D",
                        t("col.coordination_D"), True))
        cols.append(col("coordination_class", "coordination_class", "coordination_class",
                        t("col.coordination_class"), False))
    cols.append(col("alerts", "alerts", "alert-marks", t("col.alerts"), False))
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
            kind = col["kind"]
            base = {"key": col["key"], "kind": kind, "col": col["col"]}
            if kind == "alerts":
                marks = alerts.get(unit, [])
                cells.append({**base, "marks": marks, "value": str(len(marks) or "")})
                continue
            v = rec.get(col["col"])
            if kind == "unit":
                text, value = bundle.unit_name(unit), unit
            elif kind == "group":
                text, value = bundle.group_label(v), "" if fmt.is_missing(v) else str(v)
            elif kind == "coordination_class":
                value = "" if fmt.is_missing(v) else str(v)
                text = classes.get(value, value) or fmt.DASH
            elif kind == "rank_change":
                text, value = fmt.signed(v, 0), fmt.full(v)
            elif kind == "coordination_D":
                text, value = fmt.num(v, 3), fmt.full(v)
            elif kind in ("rank", "node_rank"):
                text, value = fmt.integer(v), fmt.full(v)
            else:
                text, value = fmt.num(v, 2), fmt.full(v)
            cls = ["n"] if col["num"] else []
            if kind == "rank_change" and not fmt.is_missing(v) and v != 0:
                cls.append("up" if v > 0 else "down")
            if col.get("dim"):
                cls.append("dim")
            cells.append({**base, "text": text, "value": value, "cls": " ".join(cls)})
        out.append({"unit": unit, "anchor": anchors[unit], "cells": cells})
    return out


def previous_ranks(bundle) -> dict[str, float]:
    prev = bundle.previous
    if prev is None or prev.empty:
        return {}
    return dict(zip(prev["unit"].astype(str), pd.to_numeric(prev["rank"]).astype(float)))
