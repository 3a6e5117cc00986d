"""Publishing a results folder as a round, in one transaction, and withdrawing a round.

A round is never changed after it is stored (the database's triggers refuse UPDATE and
DELETE): a correction is a new round that names the one it supersedes and why; a
withdrawal is a row of its own. Both stay visible in the history.
"""
from __future__ import annotations

import datetime as _dt
import getpass
import os
from dataclasses import dataclass
from typing import Any, Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.exc import IntegrityError

from .. import __version__
from ..errors import DataError
from ..model.period import parse_periods, period_years
from . import schema
from .db import Store, StoreError
from .messages import msg
from .bulk import insert_rows
from .results import ResultsFolder, typed_rows

ENV_BY = "EVALUATOR_PUBLISHER"
ENV_AT = "EVALUATOR_PUBLISHED_AT"


def who(by: str | None = None) -> str:
    """The publisher: ``by``, else ``EVALUATOR_PUBLISHER``, else the login name."""
    if by:
        return by
    if os.environ.get(ENV_BY):
        return os.environ[ENV_BY]
    try:
        return getpass.getuser()
    except (KeyError, OSError):   # no login name (e.g. a container without a passwd entry)
        return "unknown"


def when(at: str | None = None) -> str:
    """The time of publication (ISO 8601, UTC): ``at``, else ``EVALUATOR_PUBLISHED_AT``,
    else now."""
    value = at or os.environ.get(ENV_AT)
    if value:
        try:
            stamp = _dt.datetime.fromisoformat(value)
        except ValueError:
            raise DataError(msg("at.bad", value=value), where=f"--at / {ENV_AT}",
                            fix=msg("at.bad.fix")) from None
        if stamp.tzinfo is None:
            stamp = stamp.replace(tzinfo=_dt.timezone.utc)
        return stamp.astimezone(_dt.timezone.utc).isoformat(timespec="seconds")
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds")


@dataclass
class Published:
    round_id: int
    period: str
    rows: int
    tables: int


def periods_of(results: ResultsFolder, years: Iterable[int] | None,
               periods: Iterable[str] | None = None) -> tuple[str, list[tuple[str, int]]]:
    """The results' frequency and the periods a round publishes, ``(label, year)`` in
    calendar order. Yearly results: the years asked for (each must be in the results),
    else the latest year. Sub-annual results (``rows.frequency`` quarter/half/month):
    the periods asked for (labels as in the tables' ``period`` column, e.g. ``2025Q2``),
    else every period of the years asked for, else the latest period."""
    rows = results.manifest.get("rows") or {}
    frequency = str(rows.get("frequency", "year"))
    have = results.years
    if not have:
        raise DataError(msg("results.no_years"), where=str(results.path),
                        fix=msg("results.rescore.fix", path=results.path))
    for y in sorted(set(int(y) for y in years or ())):
        if y not in have:
            raise DataError(msg("results.no_year", year=y, years=", ".join(map(str, have))),
                            where=str(results.path), fix=msg("results.no_year.fix"))
    if frequency == "year":
        if periods:
            raise DataError(msg("publish.period_yearly"), where="--period",
                            fix=msg("publish.period_yearly.fix"))
        chosen = sorted(set(int(y) for y in years)) if years else [max(have)]
        return frequency, [(str(y), y) for y in chosen]
    labels = [str(p) for p in rows.get("periods") or []]
    keys, freqs, ok = parse_periods(labels)
    if not labels or not ok.all() or set(freqs) != {frequency}:
        raise DataError(msg("publish.no_periods", frequency=frequency), where=str(results.path),
                        fix=msg("results.rescore.fix", path=results.path))
    year_of = dict(zip(labels, (int(y) for y in period_years(keys, frequency))))
    order = {label: k for label, k in zip(labels, keys.tolist())}
    if periods:
        chosen = sorted(set(str(p) for p in periods), key=lambda p: order.get(p, -1))
        for p in chosen:
            if p not in order:
                raise DataError(msg("publish.no_period", period=p, periods=", ".join(labels)),
                                where="--period", fix=msg("publish.no_period.fix"))
        if years:
            wanted = set(int(y) for y in years)
            chosen = [p for p in chosen if year_of[p] in wanted]
    elif years:
        wanted = set(int(y) for y in years)
        chosen = sorted((p for p in labels if year_of[p] in wanted), key=order.get)
    else:
        chosen = [max(labels, key=order.get)]
    if not chosen:
        raise DataError(msg("publish.no_period", period=", ".join(map(str, years or ())),
                            periods=", ".join(labels)), where="--year / --period",
                        fix=msg("publish.no_period.fix"))
    return frequency, [(p, year_of[p]) for p in chosen]


def publish(store: Store, results: ResultsFolder, *, years: Iterable[int] | None = None,
            periods: Iterable[str] | None = None, label: str | None = None,
            note: str | None = None, by: str | None = None, at: str | None = None,
            supersedes: int | None = None, reason: str | None = None) -> Published:
    """Store ``results`` as a new round — all of it in one transaction, or nothing."""
    frequency, chosen = periods_of(results, years, periods)
    if supersedes is not None and not (reason or "").strip():
        raise DataError(msg("publish.need_reason", round=supersedes),
                        fix=msg("publish.need_reason.fix"))
    fw = results.framework
    period = ",".join(label for label, _ in chosen)
    where = str(results.path)
    frames = {name: results.read_table(name) for name in results.tables}
    rows_of = {name: typed_rows(name, frame, where=str(results.path / f"{name}.csv"))
               for name, frame in frames.items()}
    inputs = results.manifest.get("inputs") or {}
    record = {
        "label": label, "note": note, "frequency": frequency, "period": period,
        "framework_id": str(fw.get("id", "")), "framework_version": fw.get("version"),
        "framework_sha256": (inputs.get("framework") or {}).get("sha256"),
        "recipe": results.manifest.get("recipe") or {}, "inputs": inputs,
        "seed": results.manifest.get("seed"),
        "code_version": str(results.manifest.get("version", "")),
        "content_sha256": results.content_sha256, "published_by": who(by),
        "published_at": when(at), "source": where, "supersedes": supersedes,
        "reason": reason if supersedes is not None else None,
        "manifest": results.manifest}
    total = 0
    try:
        with store.write() as conn:
            _check_duplicate(conn, results)
            if supersedes is not None:
                _check_supersedes(conn, store, supersedes, record, chosen)
            round_id = conn.execute(insert(schema.rounds).values(**record)
                                    .returning(schema.rounds.c.id)).scalar_one()
            conn.execute(insert(schema.round_periods),
                         [{"round_id": round_id, "frequency": frequency, "period": label,
                           "year": year} for label, year in chosen])
            for name, (names, rows) in rows_of.items():
                header = [str(c) for c in frames[name].columns]
                conn.execute(insert(schema.round_tables).values(
                    round_id=round_id, name=name, columns=header, rows=len(rows),
                    sha256=results.outputs[f"{name}.csv"]))
                table = schema.output_tables[name]
                insert_rows(conn, table, ["round_id", *names],
                            [(round_id, *row) for row in rows])
                total += len(rows)
    except IntegrityError as exc:   # a concurrent publish of the same content, or supersede
        with store.read() as conn:
            _check_duplicate(conn, results)
            if supersedes is not None:
                _check_supersedes(conn, store, supersedes, record, chosen)
        raise store.translate(exc) from None
    return Published(round_id, period, total, len(rows_of))


def _check_duplicate(conn, results: ResultsFolder) -> None:
    r = schema.rounds.c
    row = conn.execute(select(r.id, r.label, r.published_at)
                       .where(r.content_sha256 == results.content_sha256)).first()
    if row is not None:
        raise StoreError(msg("publish.duplicate", round=row.id, label=row.label or "-",
                             at=row.published_at), where=str(results.path),
                         fix=msg("publish.duplicate.fix", round=row.id))


def _check_supersedes(conn, store: Store, old: int, record: dict[str, Any],
                      years: list[int]) -> None:
    r = schema.rounds.c
    row = conn.execute(select(r.id, r.framework_id, r.period).where(r.id == old)).first()
    if row is None:
        raise StoreError(msg("publish.no_round", round=old, url=store.url),
                         fix=msg("publish.no_round.fix", url=store.url))
    w = schema.withdrawals.c
    gone = conn.execute(select(w.reason).where(w.round_id == old)).first()
    if gone is not None:
        raise StoreError(msg("publish.withdrawn", round=old, reason=gone.reason),
                         fix=msg("publish.withdrawn.fix"))
    later = conn.execute(select(r.id).where(r.supersedes == old)).first()
    if later is not None:
        raise StoreError(msg("publish.superseded", round=old, by=later.id),
                         fix=msg("publish.superseded.fix", by=later.id))
    if row.framework_id != record["framework_id"]:
        raise StoreError(msg("publish.other_framework", found=record["framework_id"],
                             expected=row.framework_id, round=old),
                         where=record["source"],
                         fix=msg("publish.other_framework.fix", expected=row.framework_id))
    if row.period != record["period"]:
        raise StoreError(msg("publish.other_periods", round=old, expected=row.period,
                             found=record["period"]), where=record["source"],
                         fix=msg("publish.other_periods.fix"))


def withdraw(store: Store, round_id: int, reason: str, *, by: str | None = None,
             at: str | None = None) -> None:
    """Record that ``round_id`` is withdrawn (it stays in the history, marked)."""
    if not (reason or "").strip():
        raise DataError(msg("withdraw.need_reason"), fix=msg("withdraw.need_reason.fix"))
    r, w = schema.rounds.c, schema.withdrawals.c
    with store.write() as conn:
        if conn.execute(select(func.count()).where(r.id == round_id)).scalar() == 0:
            raise StoreError(msg("publish.no_round", round=round_id, url=store.url),
                             fix=msg("publish.no_round.fix", url=store.url))
        gone = conn.execute(select(w.reason).where(w.round_id == round_id)).first()
        if gone is not None:
            raise StoreError(msg("withdraw.already", round=round_id, reason=gone.reason),
                             fix=msg("withdraw.already.fix"))
        conn.execute(insert(schema.withdrawals).values(
            round_id=round_id, reason=reason, withdrawn_by=who(by), withdrawn_at=when(at)))
