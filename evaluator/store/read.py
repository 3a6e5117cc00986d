"""Reading published rounds back: the list of rounds with their status, and a round's
tables exactly as published (rows in the file's order, columns in the file's order,
numbers to full precision)."""
from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from . import schema
from .db import Store, StoreError
from .messages import msg

if TYPE_CHECKING:
    import pandas as pd

ROUND_COLUMNS = ["round", "label", "framework", "version", "frequency", "period",
                 "published_at", "published_by", "status", "supersedes", "reason", "note"]


def round_records(store: Store) -> list[dict[str, Any]]:
    """Every round as a plain record (:data:`ROUND_COLUMNS`), in id order — without
    pandas, so `evaluator rounds` starts quickly."""
    r, w = schema.rounds.c, schema.withdrawals.c
    with store.read() as conn:
        rows = conn.execute(select(r.id, r.label, r.framework_id, r.framework_version,
                                   r.frequency, r.period, r.published_at, r.published_by,
                                   r.supersedes, r.reason, r.note).order_by(r.id)).all()
        gone = dict(conn.execute(select(w.round_id, w.reason)).all())
    later = {row.supersedes: row.id for row in rows if row.supersedes is not None}
    out = []
    for row in rows:
        if row.id in gone:
            status = f"withdrawn: {gone[row.id]}"
        elif row.id in later:
            status = f"superseded by {later[row.id]}"
        else:
            status = "valid"
        out.append({"round": row.id, "label": row.label or "", "framework": row.framework_id,
                    "version": row.framework_version or "", "frequency": row.frequency,
                    "period": row.period, "published_at": row.published_at,
                    "published_by": row.published_by, "status": status,
                    "supersedes": row.supersedes, "reason": row.reason or "",
                    "note": row.note or ""})
    return out


def rounds_table(store: Store) -> "pd.DataFrame":
    """Every round: id, label, framework, frequency, period(s), who/when, status
    (``valid``, ``superseded by N``, ``withdrawn: reason``), what it supersedes and why."""
    import pandas as pd
    frame = pd.DataFrame(round_records(store), columns=ROUND_COLUMNS)
    frame["supersedes"] = frame["supersedes"].astype("Int64")
    return frame


def valid_round_ids(store: Store) -> set[int]:
    """Rounds neither withdrawn nor superseded by a round that is itself in force."""
    t = rounds_table(store)
    return set(t.loc[t["status"] == "valid", "round"].astype(int))


def round_info(store: Store, round_id: int) -> dict[str, Any]:
    r = schema.rounds.c
    with store.read() as conn:
        row = conn.execute(select(schema.rounds).where(r.id == round_id)).mappings().first()
        if row is None:
            raise StoreError(msg("publish.no_round", round=round_id, url=store.url),
                             fix=msg("publish.no_round.fix", url=store.url))
        tables = conn.execute(select(schema.round_tables)
                              .where(schema.round_tables.c.round_id == round_id)).mappings().all()
    info = dict(row)
    info["tables"] = {t["name"]: {"columns": _json(t["columns"]), "rows": t["rows"],
                                  "sha256": t["sha256"]} for t in tables}
    for key in ("recipe", "inputs", "manifest"):
        info[key] = _json(info[key])
    return info


def _json(value):
    return json.loads(value) if isinstance(value, str) else value


def read_round_table(store: Store, round_id: int, name: str,
                     info: dict[str, Any] | None = None) -> "pd.DataFrame":
    """Table ``name`` of round ``round_id`` as it was published."""
    import pandas as pd
    info = info or round_info(store, round_id)
    if name not in info["tables"]:
        raise StoreError(msg("round.no_table", round=round_id, name=name),
                         fix=msg("round.no_table.fix", tables=", ".join(info["tables"])))
    columns = info["tables"][name]["columns"]
    table = schema.output_tables[name]
    known = [c for c in schema.TABLE_COLUMNS[name] if c in columns]
    with store.read() as conn:
        result = conn.execute(select(*[table.c[c] for c in known], table.c.extra)
                              .where(table.c.round_id == round_id).order_by(table.c.row_no))
        rows = result.all()
    frame = pd.DataFrame(rows, columns=[*known, "extra"])
    extra_cols = [c for c in columns if c not in schema.TABLE_COLUMNS[name]]
    if extra_cols:
        # object cells, so a whole-number column with gaps stays whole (not 0.0)
        extras = pd.DataFrame([_json(e) or {} for e in frame["extra"]], columns=extra_cols,
                              dtype=object)
        frame = pd.concat([frame.drop(columns="extra"), extras], axis=1)
    else:
        frame = frame.drop(columns="extra")
    for col in columns:
        kind = schema.TABLE_COLUMNS[name].get(col)
        if kind is schema.Integer or (kind is None and _whole(frame[col])):
            frame[col] = frame[col].astype("Int64")
        elif kind is schema.Float or (kind is None and _numbers(frame[col])):
            frame[col] = frame[col].astype(float)
    return frame[columns]


def _whole(values: "pd.Series") -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, int) and not isinstance(v, bool)
                                    for v in present.tolist())


def _numbers(values: "pd.Series") -> bool:
    present = values.dropna()
    return len(present) > 0 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                    for v in present.tolist())
