"""`evaluator publish | withdraw | rounds | history | export | diff`: published rounds in a
database (thin: the work is in :mod:`evaluator.store`)."""
from __future__ import annotations

import contextlib

import click

from .common import print_frame, print_records, user_errors

DB_HELP = ("Database: an SQLite file or a postgresql+psycopg://user:pw@host/db URL "
           "(default: $EVALUATOR_DB, else ./evaluator.db).")


def db_option(func):
    return click.option("--db", "db", default=None, metavar="URL|FILE", help=DB_HELP)(func)


@contextlib.contextmanager
def opened(db, *, create=False):
    from ..store import open_store
    store = open_store(db, create=create)
    try:
        yield store
    finally:
        store.dispose()


def read_published(result, db) -> None:
    """`score --against-published`: the past as published, from the database."""
    from ..store.published import against_published
    with opened(db) as store:
        record = against_published(result, store)
    from ..store.messages import msg
    years = ", ".join(f"{y} (#{r})" for y, r in record["rounds"].items())
    click.echo(msg("against.used", years=years), err=True)


EPILOG_PUBLISH = """\b
Examples:
  evaluator publish results-2024/ --label "2024 official" --note "board approved 3 March"
  evaluator publish results-2024-fix/ --supersedes 3 --reason "Demo City 007 panel typo"
  evaluator publish results/ --db postgresql+psycopg://ev:pw@db.example/ranks --year 2024
"""


@click.command(epilog=EPILOG_PUBLISH)
@click.argument("results_dir", type=click.Path())
@db_option
@click.option("--label", default=None, help="Short name of the round (e.g. \"2024 official\").")
@click.option("--note", default=None, help="Free text kept with the round.")
@click.option("--year", "years", type=int, multiple=True,
              help="Year the round publishes (repeat for several; default: the latest year "
                   "of the results). Only these years count as published later.")
@click.option("--period", "periods", multiple=True, metavar="LABEL",
              help="Sub-annual results: period the round publishes, as in the tables' "
                   "period column (e.g. 2025Q2; repeat for several; default: the latest "
                   "period, or every period of --year).")
@click.option("--supersedes", type=int, default=None, metavar="N",
              help="This round corrects round N (same framework and years; needs --reason).")
@click.option("--reason", default=None, help="Why round N is corrected.")
@click.option("--by", default=None,
              help="Who publishes (default: $EVALUATOR_PUBLISHER, else the login name).")
@click.option("--at", default=None,
              help="When, ISO 8601 (default: $EVALUATOR_PUBLISHED_AT, else now).")
@user_errors
def publish(results_dir, db, label, note, years, periods, supersedes, reason, by, at):
    """Store a scored results folder as a published round, in one transaction.

    Every file is first checked against the SHA-256 its manifest.json lists (a missing
    or edited file is refused with its name); the same results cannot be published
    twice. A published round never changes: a correction is a new round with
    --supersedes N --reason TEXT, a mistake is withdrawn (`evaluator withdraw`).
    """
    publish_folder(results_dir, db, years=years or None, periods=periods or None, label=label,
                   note=note, by=by, at=at, supersedes=supersedes, reason=reason)


def publish_folder(results_dir, db, **options) -> None:
    """Check ``results_dir`` against its manifest, publish it, say so (also `score
    --publish`)."""
    from ..store import open_results
    from ..store.publish import publish as do_publish
    from ..store.messages import msg

    results = open_results(results_dir)   # checked before the database is opened
    with opened(db, create=True) as store:
        done = do_publish(store, results, **options)
        click.echo(msg("published", round=done.round_id, period=done.period, rows=done.rows,
                       tables=done.tables, url=store.url))


@click.command(epilog="\b\nExample:\n  evaluator withdraw 4 --reason \"wrong panel file\"")
@click.argument("round_id", type=int)
@click.option("--reason", required=True, help="Why the round is withdrawn.")
@db_option
@click.option("--by", default=None, help="Who withdraws it (default: as publish).")
@user_errors
def withdraw(round_id, reason, db, by):
    """Withdraw a published round: it stays in the history, marked withdrawn with the
    reason, and no longer counts as published."""
    from ..store.publish import withdraw as do_withdraw
    from ..store.messages import msg

    with opened(db) as store:
        do_withdraw(store, round_id, reason, by=by)
    click.echo(msg("withdrawn", round=round_id, reason=reason))


@click.command(epilog="\b\nExamples:\n  evaluator rounds\n  evaluator rounds --db "
                      "postgresql+psycopg://ev@localhost/ranks --format json")
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@user_errors
def rounds(db, fmt):
    """List the published rounds: id, label, framework, frequency and period, when and by
    whom, status (valid, superseded by N, withdrawn) and what each supersedes."""
    from ..store.read import ROUND_COLUMNS, round_records

    with opened(db) as store:
        records = round_records(store)
    columns = list(ROUND_COLUMNS)
    if fmt == "table":
        columns.remove("note")
        if not records:
            from ..store.messages import msg
            click.echo(msg("rounds.none"))
            return
    print_records(_in_words(records) if fmt == "table" else records, columns, fmt,
                  integer=("round", "supersedes"))


@click.command(epilog="\b\nExamples:\n  evaluator history --unit 示例市007\n"
                      "  evaluator history --unit \"Demo City 007\" --format csv --valid")
@click.option("--unit", "-u", required=True, help="The unit, as named in rankings.csv.")
@db_option
@click.option("--valid", "valid_only", is_flag=True,
              help="Only rounds in force (not superseded, not withdrawn).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@user_errors
def history(unit, db, valid_only, fmt):
    """A unit's published record across rounds: per round and published period its
    score, rank, rank change, dimension scores and ranks, traffic lights (counts of
    green / yellow / red) and alerts. Yearly and quarterly rounds are listed apart."""
    from ..store.history import history_columns, unit_history_records

    with opened(db) as store:
        records = unit_history_records(store, unit, valid_only=valid_only)
    print_records(_in_words(records) if fmt == "table" else records,
                  history_columns(records), fmt,
                  integer=("round", "year", "rank", "rank_change"))


def _in_words(records: list[dict]) -> list[dict]:
    """A printed table's status and frequency in the user's language (the CSV and JSON
    formats keep the stored values)."""
    import re

    from ..i18n import get_lang, t
    if get_lang() == "en":
        return records

    def status(value):
        text = str(value)
        if text == "valid":
            return t("store.status.valid")
        if (m := re.fullmatch(r"superseded by (\d+)", text)):
            return t("store.status.superseded", n=m.group(1))
        if text.startswith("withdrawn: "):
            return t("store.status.withdrawn", reason=text[len("withdrawn: "):])
        return text

    def frequency(value):
        return (t(f"panel.period.freq.{value}") if value in ("year", "half", "quarter", "month")
                else value)
    return [{**r, **({"status": status(r["status"])} if "status" in r else {}),
             **({"frequency": frequency(r["frequency"])} if "frequency" in r else {})}
            for r in records]


@click.command(epilog="\b\nExamples:\n  evaluator export --round 3 --out round-3/\n"
                      "  evaluator export --round 3 --out load/ --no-bom   # for PostgreSQL COPY")
@click.option("--round", "round_id", type=int, required=True, help="The round to export.")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for the tables and round.json.")
@db_option
@click.option("--format", "fmt", type=click.Choice(["csv", "xlsx", "parquet"]), default="csv",
              show_default=True)
@click.option("--bom/--no-bom", default=True, show_default=True,
              help="CSV with a UTF-8 byte-order mark (Excel shows Chinese) or without "
                   "(PostgreSQL COPY … CSV HEADER and other loaders).")
@user_errors
def export(round_id, out, db, fmt, bom):
    """Write a round's tables exactly as published (with the BOM, each CSV is
    byte-identical to the published file) and round.json with its record."""
    from ..store.export import export_round

    with opened(db) as store:
        written = export_round(store, round_id, out, fmt=fmt, bom=bom)
    from ..store.messages import msg
    click.echo(msg("export.wrote", count=len(written), out=out,
                   names=", ".join(p.name for p in written)))


@click.command(epilog="\b\nExample:\n  evaluator diff 3 4\n  evaluator diff 3 4 --format json")
@click.argument("round_a", type=int)
@click.argument("round_b", type=int)
@db_option
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@user_errors
def diff(round_a, round_b, db, fmt):
    """Per unit the score and rank change from round A's published period to round B's,
    and why: the input files, framework and recipe that changed; when B's panel file is
    still in place, each unit's change split into the part from the data (B's panel
    scored with A's method) and the part from the method."""
    import json

    from ..store.diff import diff_rounds
    from .common import frame_json

    with opened(db) as store:
        table, summary = diff_rounds(store, round_a, round_b)
    if fmt == "json":
        click.echo(json.dumps({**summary, "units": json.loads(frame_json(table))},
                              ensure_ascii=False, indent=2))
        return
    if fmt == "table":
        from ..store.messages import msg
        a, b = summary["a"], summary["b"]
        click.echo(msg("diff.heading", a=a["round"], year_a=a["year"], b=b["round"],
                       year_b=b["year"]))
        for part in ("inputs", "framework", "recipe"):
            for line in summary["why"][part] or [msg("diff.unchanged")]:
                click.echo(f"  {msg('diff.part.' + part)}: {line}")
        if not summary["decomposed"]:
            click.echo("  " + msg("diff.no_split", reason=summary["not_decomposed_because"]))
    print_frame(table, fmt)


STORE_COMMANDS = (publish, withdraw, rounds, history, export, diff)
