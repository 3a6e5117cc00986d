"""A unit's published record across rounds: for every round and every period it
published, the unit's score, rank, rank change, first-level scores and ranks, traffic
lights (counts of green / yellow / red) and alerts. Rounds of different frequencies
(yearly, quarterly) are listed apart, each in period order."""
from __future__ import annotations

import difflib
import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, func, select

from ..errors import DataError
from . import schema
from .db import Store
from .messages import msg
from .read import round_records, rounds_table

if TYPE_CHECKING:
    import pandas as pd

#: evaluator.model.period.FREQUENCIES, repeated so `evaluator history` needs no numpy or
#: pandas (tests/rounds check the two are equal)
FREQUENCY_ORDER = ("year", "half", "quarter", "month")

FIXED = ["frequency", "period", "round", "label", "status", "year", "score", "rank",
         "rank_change"]


def unit_history_records(store: Store, unit: str, *, valid_only: bool = False
                         ) -> list[dict[str, Any]]:
    """One record per (round, published period) that holds ``unit`` — yearly rounds
    apart from half-yearly, quarterly and monthly ones, each in period order (canonical
    labels sort on the calendar: 2025Q1 < 2025Q2, 2024-09 < 2024-10), then by round.
    Plain Python, so `evaluator history` starts quickly."""
    rk, rp = schema.output_tables["rankings"], schema.round_periods
    rounds = {r["round"]: r for r in round_records(store)}
    with store.read() as conn:
        rows = conn.execute(
            select(rp.c.round_id, rp.c.frequency, rp.c.period, rp.c.year, rk.c.score,
                   rk.c.rank, rk.c.rank_change, rk.c.extra)
            .join(rk, and_(rk.c.round_id == rp.c.round_id, rk.c.year == rp.c.year))
            .where(rk.c.unit == unit)).all()
        if not rows:
            _unknown_unit(conn, unit)
        dg = schema.output_tables["diagnostics"]
        lights = conn.execute(
            select(dg.c.round_id, dg.c.year, dg.c.light, dg.c.extra)
            .where(dg.c.unit == unit, dg.c.light.is_not(None))).all()
        al = schema.output_tables["alerts"]
        alerts = conn.execute(select(al.c.round_id, al.c.year, al.c.rule, al.c.extra)
                              .where(al.c.unit == unit).order_by(al.c.row_no)).all()
    light_of: dict[tuple, dict[str, int]] = {}
    for rid, year, light, extra in lights:
        counts = light_of.setdefault((rid, row_period(year, extra)), {})
        counts[light] = counts.get(light, 0) + 1
    alert_of: dict[tuple, list[str]] = {}
    for rid, year, rule, extra in alerts:
        alert_of.setdefault((rid, row_period(year, extra)), []).append(rule)
    out = []
    for rid, freq, period, year, score, rank, change, extra in rows:
        extra = _json(extra)
        if row_period(year, extra) != period:   # another period of the same year
            continue
        info = rounds[rid]
        if valid_only and info["status"] != "valid":
            continue
        record = {"frequency": freq, "period": period, "round": rid, "label": info["label"],
                  "status": info["status"], "year": year, "score": score, "rank": rank,
                  "rank_change": change}
        record.update({k: v for k, v in extra.items()
                       if not k.startswith("coordination") and k != "period"})
        counts = light_of.get((rid, period), {})
        for light in ("green", "yellow", "red"):
            record[light] = counts.get(light, 0)
        record["alerts"] = ", ".join(alert_of.get((rid, period), []))
        out.append(record)
    order = {f: i for i, f in enumerate(FREQUENCY_ORDER)}
    out.sort(key=lambda r: (order.get(r["frequency"], len(order)), str(r["period"]),
                            r["round"]))
    return out


def history_columns(records: list[dict[str, Any]]) -> list[str]:
    """The columns of :func:`unit_history`, in order of first appearance."""
    return list(dict.fromkeys(k for r in records for k in r)) if records else list(FIXED)


def unit_history(store: Store, unit: str, *, valid_only: bool = False) -> "pd.DataFrame":
    """One row per (round, published period) that holds ``unit``
    (:func:`unit_history_records` as a DataFrame; whole-number columns nullable)."""
    import pandas as pd
    records = unit_history_records(store, unit, valid_only=valid_only)
    frame = pd.DataFrame(records, columns=history_columns(records))
    if frame.empty:
        return pd.DataFrame(columns=FIXED)
    for col in ("rank", "rank_change", "year", "round"):
        frame[col] = frame[col].astype("Int64")
    return frame


def _json(extra) -> dict:
    return json.loads(extra) if isinstance(extra, str) else (extra or {})


def row_period(year, extra) -> str:
    """The period a published row belongs to: its ``period`` column (sub-annual tables),
    else its year."""
    return str(_json(extra).get("period") or year)


def _unknown_unit(conn, unit: str) -> None:
    rk = schema.output_tables["rankings"]
    names = [r[0] for r in conn.execute(select(rk.c.unit).distinct())]
    if not names:
        raise DataError(msg("history.empty"), where="history", fix=msg("history.empty.fix"))
    close = difflib.get_close_matches(unit, names, n=5, cutoff=0.5)
    raise DataError(msg("history.no_unit", unit=unit), where="--unit",
                    fix=msg("history.no_unit.near", names=", ".join(map(repr, close)))
                    if close else msg("history.no_unit.fix"))


def published_trends(store: Store, framework_id: str) -> "pd.DataFrame":
    """Every unit's published score and rank in every valid round of ``framework_id``:
    ``unit, frequency, period, year, round, score, rank`` in period order."""
    import pandas as pd
    rk, rp = schema.output_tables["rankings"], schema.round_periods
    table = rounds_table(store)
    valid = table.loc[(table["status"] == "valid") & (table["framework"] == framework_id),
                      "round"].astype(int).tolist()
    columns = ["unit", "frequency", "period", "year", "round", "score", "rank"]
    if not valid:
        return pd.DataFrame(columns=columns)
    with store.read() as conn:
        rows = conn.execute(
            select(rk.c.unit, rp.c.frequency, rp.c.period, rp.c.year, rp.c.round_id,
                   rk.c.score, rk.c.rank, rk.c.extra)
            .join(rk, and_(rk.c.round_id == rp.c.round_id, rk.c.year == rp.c.year))
            .where(rp.c.round_id.in_(valid))).all()
    rows = [r[:-1] for r in rows if row_period(r.year, r.extra) == r.period]
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["unit", "frequency", "period", "round"],
                             kind="mergesort").reset_index(drop=True)
