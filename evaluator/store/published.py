"""Scoring against what was published (``score --against-published``).

For every year of an assessment, the latest valid round (neither superseded nor
withdrawn) of the same framework that published that year gives the score and rank each
unit was told. They replace the recomputed ones wherever the present is compared with
the past:

* ``rank_change`` of a unit-year = the published rank of the previous year − this
  year's rank (when the previous year was published);
* the alert rules (bottom k in consecutive years, yellow cards, rank drops) read the
  published score and rank of published years — a city told it was bottom three in
  2023 stays so for the 2024 rule, even if the 2023 data were later revised;
* ``contribution_change`` (diagnostics.csv) of a unit-year = this year's contribution −
  the published contribution of the previous year, and a traffic light's "improving"
  (``compare: previous``) compares with the previous year's published value.

The rows' own scores are not changed: the output tables hold what this run computed;
the manifest records the database and which round supplied each year.
"""
from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import and_, select

from ..errors import DataError
from . import schema
from .db import Store
from .messages import msg
from .read import rounds_table


def published_years(store: Store, framework_id: str, years: list[int]) -> dict[int, int]:
    """year → the latest valid round of ``framework_id`` that published it."""
    table = rounds_table(store)
    valid = set(table.loc[(table["status"] == "valid") &
                          (table["framework"] == framework_id), "round"].astype(int))
    rp = schema.round_periods.c
    with store.read() as conn:
        rows = conn.execute(select(rp.round_id, rp.year)
                            .where(rp.frequency == "year", rp.year.in_(years))).all()
    out: dict[int, int] = {}
    for round_id, year in rows:
        if round_id in valid and round_id > out.get(year, 0):
            out[year] = round_id
    return out


def published_rankings(store: Store, used: dict[int, int]) -> pd.DataFrame:
    """unit, year, score, rank as published, for each year of ``used``."""
    rk = schema.output_tables["rankings"].c
    parts = []
    with store.read() as conn:
        for year, round_id in sorted(used.items()):
            rows = conn.execute(select(rk.unit, rk.year, rk.score, rk.rank)
                                .where(and_(rk.round_id == round_id, rk.year == year))).all()
            parts.append(pd.DataFrame(rows, columns=["unit", "year", "score", "rank"]))
    if not parts:
        return pd.DataFrame(columns=["unit", "year", "score", "rank"])
    return pd.concat(parts, ignore_index=True)


def published_previous(store: Store, used: dict[int, int]) -> pd.DataFrame:
    """unit, year (the year *after* the published one: the row it is compared with),
    indicator (an indicator or a node), value and contribution as published in
    diagnostics.csv."""
    dg = schema.output_tables["diagnostics"].c
    parts = []
    with store.read() as conn:
        for year, round_id in sorted(used.items()):
            rows = conn.execute(select(dg.unit, dg.year, dg.indicator, dg.value,
                                       dg.contribution)
                                .where(and_(dg.round_id == round_id, dg.year == year))).all()
            parts.append(pd.DataFrame(rows, columns=["unit", "year", "indicator", "value",
                                                     "contribution"]))
    columns = ["unit", "year", "indicator", "value", "contribution"]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=columns)
    frame = frame.astype({"unit": str, "indicator": str})
    frame["year"] = frame["year"].astype(int) + 1
    frame[["value", "contribution"]] = frame[["value", "contribution"]].astype(float)
    return frame


def against_published(assessment, store: Store) -> dict[str, Any]:
    """Read the past from ``store`` into ``assessment`` (rank changes, alert rules) and
    record it in its manifest; returns the record."""
    if "_diagnostics" in assessment.__dict__:
        raise RuntimeError("against_published must run before the diagnostics are built")
    fw_id = assessment.framework.id
    if getattr(assessment, "frequency", "year") != "year":
        raise DataError(msg("against.frequency", frequency=assessment.frequency),
                        where="--against-published", fix=msg("against.frequency.fix"))
    years = sorted(int(y) for y in np.unique(assessment.years))
    wanted = sorted(set(years) | {y - 1 for y in years})
    used = published_years(store, fw_id, wanted)
    if not used:
        raise DataError(msg("against.none", framework=fw_id, first=wanted[0],
                            last=wanted[-1]), where=store.url, fix=msg("against.none.fix"))
    told = published_rankings(store, used)
    told["unit"] = told["unit"].astype(str)
    told["year"] = told["year"].astype(int)
    told[["score", "rank"]] = told[["score", "rank"]].astype(float)
    rows = pd.DataFrame({"unit": assessment.units.astype(str),
                         "year": np.asarray(assessment.years, dtype=int)})
    here = rows.merge(told, on=["unit", "year"], how="left", validate="many_to_one")
    before = rows.assign(year=rows["year"] - 1).merge(told, on=["unit", "year"], how="left",
                                                      validate="many_to_one")
    prior_score = here["score"].to_numpy(float)
    prior_rank = here["rank"].to_numpy(float)
    prev_rank = before["rank"].to_numpy(float)
    assessment.prior = {"score": prior_score, "rank": prior_rank,
                        "previous": published_previous(store, used)}
    rank = np.asarray(assessment.ranks["index"], dtype=float)
    change = np.asarray(assessment.rank_change, dtype=float).copy()
    has = ~np.isnan(prev_rank)
    change[has] = prev_rank[has] - rank[has]
    assessment.rank_change = change
    record = {"step": "against_published", "database": store.url,
              "rounds": {str(y): r for y, r in sorted(used.items())},
              "rank_change_from_published": int(has.sum()),
              "rows_with_published_rank": int((~np.isnan(prior_rank)).sum())}
    in_published = rows["year"].isin(list(used)).to_numpy() & np.isnan(prior_rank)
    missing = sorted(set(rows.loc[in_published, "unit"]))
    if missing:
        assessment.warnings.append(msg(
            "against.missing_units", count=len(missing),
            names=", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")))
    assessment.records.append(record)
    return record
