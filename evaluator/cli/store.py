"""`evaluator publish | withdraw | rounds | history | export | diff`: published rounds in a
database (thin: the work is in :mod:`evaluator.store`)."""
from __future__ import annotations

import contextlib

import click

from .common import print_frame, user_errors

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
@click.option("--supersedes", type=int, default=None, metavar="N",
              help="This round corrects round N (same framework and years; needs --reason).")
@click.option("--reason", default=None, help="Why round N is corrected.")
@click.option("--by", default=None,
              help="Who publishes (default: $EVALUATOR_PUBLISHER, else the login name).")
@click.option("--at", default=None,
              help="When, ISO 8601 (default: $EVALUATOR_PUBLISHED_AT, else now).")
@user_errors
def publish(results_dir, db, label, note, years, supersedes, reason, by, at):
    """Store a scored results folder as a published round, in one transaction.

    Every file is first checked against the SHA-256 its manifest.json lists (a missing
    or edited file is refused with its name); the same results cannot be published
    twice. A published round never changes: a correction is a new round with
    --supersedes N --reason TEXT, a mistake is withdrawn (`evaluator withdraw`).
    """
    publish_folder(results_dir, db, years=years or None, label=label, note=note, by=by,
                   at=at, supersedes=supersedes, reason=reason)


def publish_folder(results_dir, db, **options) -> None:
    """Check ``results_dir`` against its manifest, publish it, say so (also `score
    --publish`)."""
    from ..store import open_results
    from ..store import publish as do_publish
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
    from ..store import withdraw as do_withdraw
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
    from ..store import rounds_table

    with opened(db) as store:
        table = rounds_table(store)
    if fmt == "table":
        table = table.drop(columns=["note"])
        if table.empty:
            click.echo("no rounds published yet")
            return
    print_frame(table, fmt)
STORE_COMMANDS = (publish, withdraw, rounds)
