"""The database schema of published rounds (SQLAlchemy Core), its version and the
triggers that make every published row immutable.

One ``ev_rounds`` row per round (who/when/label/note, frequency and period, framework,
recipe, input hashes, seed, code version, content hash, the round it supersedes); the
periods it publishes (``ev_round_periods``); the column list, row count and SHA-256 of
every table it holds (``ev_round_tables``); withdrawals (``ev_withdrawals``); and one
table per output table (``ev_rankings`` …) keyed by round. Columns of an output file
that the schema does not know (a framework's first-level nodes in rankings.csv, columns
a later version adds) are kept, typed, in the row's ``extra`` JSON, so a table reads
back exactly as published.

Versioning: ``ev_schema`` holds the schema version; :data:`SCHEMA_VERSION` is the one
this code writes. A database of a newer version is refused on open (see
:mod:`evaluator.store.db`); an older one is migrated by :data:`MIGRATIONS` (none yet:
version 1 is the first).
"""
from __future__ import annotations

from sqlalchemy import (JSON, Column, Float, ForeignKey, Index, Integer, MetaData,
                        PrimaryKeyConstraint, Table, Text, UniqueConstraint)

SCHEMA_VERSION = 1
PREFIX = "ev_"
metadata = MetaData()

schema_version = Table(
    "ev_schema", metadata,
    Column("version", Integer, nullable=False))

rounds = Table(
    "ev_rounds", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("label", Text),
    Column("note", Text),
    Column("frequency", Text, nullable=False, server_default="year"),
    Column("period", Text, nullable=False),          # e.g. "2024" or "2023,2024"
    Column("framework_id", Text, nullable=False),
    Column("framework_version", Text),
    Column("framework_sha256", Text),
    Column("recipe", JSON, nullable=False),
    Column("inputs", JSON, nullable=False),
    Column("seed", Integer),
    Column("code_version", Text),
    Column("content_sha256", Text, nullable=False),
    Column("published_by", Text, nullable=False),
    Column("published_at", Text, nullable=False),    # ISO 8601, UTC
    Column("source", Text),                          # the results folder published
    Column("supersedes", Integer, ForeignKey("ev_rounds.id")),
    Column("reason", Text),                          # why it supersedes
    Column("manifest", JSON, nullable=False),
    UniqueConstraint("content_sha256", name="ev_rounds_content_unique"),
    UniqueConstraint("supersedes", name="ev_rounds_supersedes_unique"),
    sqlite_autoincrement=True)

round_periods = Table(
    "ev_round_periods", metadata,
    Column("round_id", Integer, ForeignKey("ev_rounds.id"), nullable=False),
    Column("frequency", Text, nullable=False),
    Column("period", Text, nullable=False),
    Column("year", Integer, nullable=False),
    PrimaryKeyConstraint("round_id", "period"),
    Index("ev_round_periods_by_period", "frequency", "period"))

round_tables = Table(
    "ev_round_tables", metadata,
    Column("round_id", Integer, ForeignKey("ev_rounds.id"), nullable=False),
    Column("name", Text, nullable=False),
    Column("columns", JSON, nullable=False),
    Column("rows", Integer, nullable=False),
    Column("sha256", Text, nullable=False),
    PrimaryKeyConstraint("round_id", "name"))

withdrawals = Table(
    "ev_withdrawals", metadata,
    Column("round_id", Integer, ForeignKey("ev_rounds.id"), primary_key=True,
           autoincrement=False),
    Column("reason", Text, nullable=False),
    Column("withdrawn_by", Text, nullable=False),
    Column("withdrawn_at", Text, nullable=False))

I, F, T = Integer, Float, Text
# the contract columns of every output table (DESIGN §4 and docs/design-notes.md)
TABLE_COLUMNS: dict[str, dict[str, type]] = {
    "rankings": {"unit": T, "year": I, "group": T, "score": F, "rank": I,
                 "rank_in_group": I, "rank_change": I, "coordination_D": F,
                 "coordination_class": T},
    "nodes": {"unit": T, "year": I, "node": T, "level": I, "score": F, "rank": I},
    "indicators": {"unit": T, "year": I, "indicator": T, "raw": F, "prepared": F,
                   "normalised": F, "contribution": F},
    "weights": {"node": T, "indicator": T, "method": T, "weight": F, "global_weight": F},
    "diagnostics": {"unit": T, "year": I, "indicator": T, "value": F, "target": F,
                    "target_year": I, "gap": F, "relative_gap": F, "expected_now": F,
                    "light": T, "obstacle": F, "rank": I, "best": F, "gap_to_best": F,
                    "group_best": F, "gap_to_group_best": F, "contribution": F,
                    "contribution_change": F, "met": T, "gap_normalised": F,
                    "group_median": F, "gap_to_group_median": F},
    "alerts": {"unit": T, "year": I, "rule": T, "years": T, "message_zh": T,
               "message_en": T},
    "coordination": {"unit": T, "year": I, "C": F, "T": F, "D": F, "class": T,
                     "class_zh": T, "level": I},
    "aggregation": {"unit": T, "year": I, "node": T, "method": T, "child": T, "d_plus": F,
                    "d_minus": F, "closeness": F, "grade": F, "coefficient": F},
    "rank_intervals": {"unit": T, "year": I, "nominal_rank": F, "mean_rank": F,
                       "median_rank": F, "p05": F, "p95": F, "p_top_k": F,
                       "p_bottom_k": F, "share_ranked": F},
}
OUTPUT_TABLES = tuple(TABLE_COLUMNS)
# the tables `history --unit` reads (an index costs about a third of a table's insert time)
UNIT_INDEXED = ("rankings", "nodes", "diagnostics", "alerts")


def _output_table(name: str, columns: dict[str, type]) -> Table:
    cols = [Column("round_id", Integer, ForeignKey("ev_rounds.id"), nullable=False),
            Column("row_no", Integer, nullable=False)]   # the row's place in the file
    cols += [Column(c, kind) for c, kind in columns.items()]
    cols.append(Column("extra", JSON(none_as_null=True)))
    indexes = [PrimaryKeyConstraint("round_id", "row_no")]
    if name in UNIT_INDEXED:   # history --unit reads one unit across rounds
        indexes.append(Index(f"ev_{name}_by_unit", "unit", "round_id"))
    return Table(f"ev_{name}", metadata, *cols, *indexes)


output_tables: dict[str, Table] = {name: _output_table(name, cols)
                                   for name, cols in TABLE_COLUMNS.items()}

# every table whose rows are a published record: no UPDATE, no DELETE, ever
IMMUTABLE = [rounds, round_periods, round_tables, withdrawals, *output_tables.values()]

IMMUTABLE_MESSAGE = "published rounds are immutable"


def trigger_statements(dialect: str) -> list[str]:
    """DDL of the triggers that refuse UPDATE and DELETE (and TRUNCATE on PostgreSQL)
    on every table of :data:`IMMUTABLE`."""
    out: list[str] = []
    if dialect == "postgresql":
        out.append(
            "CREATE OR REPLACE FUNCTION ev_refuse_change() RETURNS trigger AS $$ BEGIN "
            f"RAISE EXCEPTION '{IMMUTABLE_MESSAGE}: % on %', TG_OP, TG_TABLE_NAME "
            "USING ERRCODE = 'integrity_constraint_violation'; END $$ LANGUAGE plpgsql")
        for t in IMMUTABLE:
            out.append(f"CREATE TRIGGER {t.name}_immutable BEFORE UPDATE OR DELETE ON "
                       f"{t.name} FOR EACH ROW EXECUTE FUNCTION ev_refuse_change()")
            out.append(f"CREATE TRIGGER {t.name}_no_truncate BEFORE TRUNCATE ON {t.name} "
                       "FOR EACH STATEMENT EXECUTE FUNCTION ev_refuse_change()")
    else:   # SQLite
        for t in IMMUTABLE:
            for op in ("UPDATE", "DELETE"):
                out.append(f"CREATE TRIGGER {t.name}_no_{op.lower()} BEFORE {op} ON {t.name} "
                           f"BEGIN SELECT RAISE(ABORT, '{IMMUTABLE_MESSAGE}: {op} on "
                           f"{t.name}'); END")
    return out


# version → list of DDL statements that bring the previous version up to it
MIGRATIONS: dict[int, list[str]] = {}
