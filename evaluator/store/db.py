"""Opening the database of published rounds: which one (``--db``, else ``EVALUATOR_DB``,
else ``evaluator.db`` in the working folder), connecting, creating the schema on first
use, refusing a newer schema, and turning database failures into clear errors.

SQLite: a write transaction takes the file's write lock at its start (``BEGIN
IMMEDIATE``), so two publishes queue instead of failing half-way; a lock held longer than
``EVALUATOR_DB_TIMEOUT`` seconds (default 30) is an error. PostgreSQL: writers take a
transaction-level advisory lock, with the same effect.
"""
from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event, inspect, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, DBAPIError, NoSuchModuleError, SQLAlchemyError

from .. import __version__
from ..errors import EvaluatorError
from . import schema
from .messages import msg

ENV_DB = "EVALUATOR_DB"
ENV_TIMEOUT = "EVALUATOR_DB_TIMEOUT"
DEFAULT_DB = "evaluator.db"
ADVISORY_LOCK = 0x6576616c   # "eval": serialises writers on PostgreSQL


class StoreError(EvaluatorError):
    """The database of published rounds cannot be used, or refuses an operation."""


def resolve_url(db: str | None = None) -> str:
    """``db`` (a URL or an SQLite file path), else ``EVALUATOR_DB``, else ./evaluator.db,
    as an SQLAlchemy URL (``postgresql://`` is read as ``postgresql+psycopg://``)."""
    value = db or os.environ.get(ENV_DB) or DEFAULT_DB
    if "://" not in value:
        return "sqlite:///" + str(Path(value).expanduser().absolute())
    if value.startswith("postgresql://") or value.startswith("postgres://"):
        value = "postgresql+psycopg://" + value.split("://", 1)[1]
    return value


def _timeout() -> float:
    try:
        return max(0.0, float(os.environ.get(ENV_TIMEOUT, "30")))
    except ValueError:
        raise StoreError(msg("timeout.bad", var=ENV_TIMEOUT, value=os.environ[ENV_TIMEOUT]),
                         fix=msg("timeout.bad.fix", var=ENV_TIMEOUT)) from None


@dataclass
class Store:
    """An open database of published rounds."""
    engine: Engine
    url: str          # for messages: the password hidden
    dialect: str
    timeout: float

    @contextlib.contextmanager
    def write(self) -> Iterator[Connection]:
        """One write transaction: committed whole, or rolled back whole."""
        with self.errors(), self.engine.connect() as conn:
            conn = conn.execution_options(ev_write=True)
            with conn.begin():
                if self.dialect == "postgresql":
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": ADVISORY_LOCK})
                yield conn

    @contextlib.contextmanager
    def read(self) -> Iterator[Connection]:
        with self.errors(), self.engine.connect() as conn:
            with conn.begin():
                yield conn

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Database failures → :class:`StoreError` with what, where and how to fix."""
        try:
            yield
        except EvaluatorError:
            raise
        except DBAPIError as exc:
            raise self.translate(exc) from None
        except SQLAlchemyError as exc:
            raise StoreError(msg("db.failed", url=self.url, reason=_first_line(exc)),
                             fix=msg("db.failed.fix")) from None

    def translate(self, exc: DBAPIError) -> StoreError:
        reason = _first_line(exc.orig if exc.orig is not None else exc)
        if "locked" in reason or "busy" in reason:
            return StoreError(msg("db.locked", url=self.url, seconds=self.timeout),
                              fix=msg("db.locked.fix"))
        if exc.connection_invalidated or "connect" in reason.lower() and not _ran(exc):
            return StoreError(msg("db.unreachable", url=self.url, reason=reason),
                              fix=msg("db.unreachable.fix"))
        return StoreError(msg("db.failed", url=self.url, reason=reason),
                          fix=msg("db.failed.fix"))

    def dispose(self) -> None:
        self.engine.dispose()


def _ran(exc: DBAPIError) -> bool:
    return bool(exc.statement) and not exc.statement.startswith("SELECT pg_")


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def open_store(db: str | None = None, *, create: bool = False) -> Store:
    """Open (with ``create``, create on first use) the database ``db`` names; check its
    schema version. Errors: :class:`StoreError` (exit 2)."""
    raw = resolve_url(db)
    try:
        url = make_url(raw)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(msg("db.bad_url", url=raw, reason=_first_line(exc)),
                         fix=msg("db.bad_url.fix")) from None
    shown = url.render_as_string(hide_password=True)
    backend = url.get_backend_name()
    if backend not in ("sqlite", "postgresql"):
        raise StoreError(msg("db.bad_url", url=shown, reason=f"{backend} is not supported"),
                         fix=msg("db.bad_url.fix"))
    if backend == "postgresql" and url.drivername != "postgresql+psycopg":
        url = url.set(drivername="postgresql+psycopg")
    timeout = _timeout()
    if backend == "sqlite":
        path = Path(url.database or "")
        if not url.database or url.database == ":memory:":
            raise StoreError(msg("db.bad_url", url=shown, reason="no file"),
                             fix=msg("db.bad_url.fix"))
        if not create and not path.is_file():
            raise StoreError(msg("db.missing", path=path), fix=msg("db.missing.fix", path=path))
        if create and not path.parent.is_dir():
            raise StoreError(msg("db.bad_url", url=shown, reason=f"no folder {path.parent}"),
                             fix=msg("db.bad_url.fix"))
    try:
        engine = _engine(url, backend, timeout)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise StoreError(msg("db.bad_url", url=shown, reason=_first_line(exc)),
                         fix=msg("db.bad_url.fix")) from None
    store = Store(engine=engine, url=shown, dialect=backend, timeout=timeout)
    try:
        _check_schema(store, create)
    except BaseException:
        engine.dispose()
        raise
    return store


def _engine(url, backend: str, timeout: float) -> Engine:
    if backend == "sqlite":
        engine = create_engine(url, connect_args={"timeout": timeout})

        @event.listens_for(engine, "connect")
        def _connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None   # we issue BEGIN ourselves (below)
            dbapi_conn.execute("PRAGMA foreign_keys = ON")

        @event.listens_for(engine, "begin")
        def _begin(conn):
            # a writer takes the lock at once: two publishes queue, neither fails half-way
            immediate = conn.get_execution_options().get("ev_write")
            conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")
        return engine
    return create_engine(url, connect_args={"connect_timeout": max(1, int(timeout))},
                         pool_pre_ping=False)


def _check_schema(store: Store, create: bool) -> None:
    """Create the schema on first use (with ``create``); refuse a newer one; migrate an
    older one."""
    with store.errors(), store.engine.connect() as probe:
        names = set(inspect(probe).get_table_names())
    if schema.schema_version.name not in names:
        ours = {t.name for t in schema.metadata.sorted_tables}
        if names & ours:
            raise StoreError(msg("db.not_ours", url=store.url), fix=msg("db.not_ours.fix"))
        if not create:
            raise StoreError(msg("db.missing", path=store.url),
                             fix=msg("db.missing.fix", path=store.url))
        with store.write() as conn:
            # another process may have created it while we waited for the lock
            raced = schema.schema_version.name in set(inspect(conn).get_table_names())
            if not raced:
                schema.metadata.create_all(conn)
                for ddl in schema.trigger_statements(store.dialect):
                    # psycopg reads % as a placeholder
                    conn.exec_driver_sql(ddl.replace("%", "%%") if store.dialect ==
                                         "postgresql" else ddl)
                conn.execute(schema.schema_version.insert().values(
                    version=schema.SCHEMA_VERSION))
        if not raced:
            return
    with store.read() as conn:
        found = conn.execute(select(schema.schema_version.c.version)).scalar()
    if found is None or found > schema.SCHEMA_VERSION:
        raise StoreError(msg("db.newer", url=store.url, found=found, version=__version__,
                             ours=schema.SCHEMA_VERSION), fix=msg("db.newer.fix"))
    if found < schema.SCHEMA_VERSION:
        with store.write() as conn:
            for version in range(found + 1, schema.SCHEMA_VERSION + 1):
                for ddl in schema.MIGRATIONS.get(version, []):
                    conn.exec_driver_sql(ddl)
            conn.execute(schema.schema_version.update().values(version=schema.SCHEMA_VERSION))
