"""Bad input to the store: each gets what, where and how to fix, exit 2, no traceback, and
nothing half-written — on SQLite and PostgreSQL where the case applies to both."""
from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from sqlalchemy import create_engine, text

from evaluator.store import resolve_url
from evaluator.store.schema import OUTPUT_TABLES
from rounds.helpers import invoke, panel, score_to


def refused(result, *needles):
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output and "fix:" in result.output
    for needle in needles:
        assert needle in result.output, result.output


def test_edited_or_missing_files_are_refused_by_name(db_url, tmp_path):
    folder = score_to(tmp_path, "r", panel())
    nodes = folder / "nodes.csv"
    nodes.write_text(nodes.read_text(encoding="utf-8-sig").replace("City 01", "City 99"),
                     encoding="utf-8-sig")
    refused(invoke("publish", folder, "--db", db_url), "nodes.csv was changed", "SHA-256")
    nodes.unlink()
    refused(invoke("publish", folder, "--db", db_url), "nodes.csv is listed",
            "missing from the folder")
    (folder / "manifest.json").unlink()
    refused(invoke("publish", folder, "--db", db_url), "no manifest.json")
    refused(invoke("publish", tmp_path / "nowhere", "--db", db_url), "not a folder")
    if db_url.endswith(".db"):   # nothing was created for a refused publish
        assert not os.path.exists(db_url)


def test_a_manifest_without_output_hashes_is_refused(tmp_path):
    folder = score_to(tmp_path, "r", panel())
    manifest = json.loads((folder / "manifest.json").read_text())
    del manifest["outputs"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    refused(invoke("publish", folder, "--db", tmp_path / "x.db"), "lists no output files")


def test_unreachable_or_wrong_database_urls(tmp_path):
    folder = score_to(tmp_path, "r", panel())
    refused(invoke("publish", folder, "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x"),
            "cannot connect", "127.0.0.1:1")
    out = invoke("publish", folder, "--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x")
    assert "secret" not in out.output
    refused(invoke("publish", folder, "--db", "mysql://u@h/x"), "not supported")
    refused(invoke("publish", folder, "--db", "postgresql+psycopg://u@h:notaport/x"),
            "cannot use the database address")
    refused(invoke("rounds", "--db", tmp_path / "none.db"), "no database at")
    refused(invoke("publish", folder, "--db", tmp_path / "no" / "folder.db"), "no folder")


def test_a_newer_schema_is_refused(db_url, tmp_path):
    folder = score_to(tmp_path, "r", panel())
    assert invoke("publish", folder, "--db", db_url).exit_code == 0
    engine = create_engine(resolve_url(db_url))
    with engine.begin() as conn:
        conn.execute(text("UPDATE ev_schema SET version = 99"))
    engine.dispose()
    refused(invoke("rounds", "--db", db_url), "schema version 99", "upgrade evaluator")


def test_a_locked_sqlite_file(tmp_path, monkeypatch):
    folder = score_to(tmp_path, "r", panel())
    db = tmp_path / "rounds.db"
    assert invoke("publish", folder, "--db", db, "--year", 2022).exit_code == 0
    holder = sqlite3.connect(db, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        monkeypatch.setenv("EVALUATOR_DB_TIMEOUT", "0.3")
        refused(invoke("publish", folder, "--db", db), "is locked by another program",
                "EVALUATOR_DB_TIMEOUT")
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def _cli(*args, env=None):
    return subprocess.Popen([sys.executable, "-m", "evaluator", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, **(env or {})})


def _consistent(db_url) -> list[int]:
    """Round ids, after checking every round holds every table it lists, whole."""
    engine = create_engine(resolve_url(db_url))
    try:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM ev_rounds ORDER BY id"))]
            listed = conn.execute(text("SELECT round_id, name, rows FROM ev_round_tables")).all()
            for round_id, name, rows in listed:
                n = conn.execute(text(f"SELECT COUNT(*) FROM ev_{name} WHERE round_id = :r"),
                                 {"r": round_id}).scalar()
                assert n == rows, (round_id, name)
            for name in OUTPUT_TABLES:   # no orphan rows of a round that is not there
                orphans = conn.execute(text(
                    f"SELECT COUNT(*) FROM ev_{name} WHERE round_id NOT IN "
                    "(SELECT id FROM ev_rounds)")).scalar()
                assert orphans == 0
    finally:
        engine.dispose()
    return ids


def test_two_publishes_at_the_same_moment(db_url, tmp_path):
    one = score_to(tmp_path, "one", panel(seed=1))
    two = score_to(tmp_path, "two", panel(seed=2))
    assert invoke("rounds", "--db", db_url).exit_code == 2 or True
    procs = [_cli("publish", folder, "--db", db_url) for folder in (one, two, one)]
    results = [(p.wait(timeout=120), p.stdout.read() + p.stderr.read()) for p in procs]
    codes = sorted(code for code, _ in results)
    assert codes == [0, 0, 2], results
    loser = next(out for code, out in results if code == 2)
    assert "already published as round" in loser and "Traceback" not in loser
    assert len(_consistent(db_url)) == 2


def test_a_killed_publish_leaves_nothing(db_url, demo_results):
    """SIGKILL in the middle of the transaction: the database holds the whole round or
    none of it (and usually none, since the kill comes while rows are being written)."""
    proc = _cli("publish", demo_results, "--db", db_url)
    time.sleep(0.5)
    deadline = time.time() + 60
    journal = db_url + "-journal"
    while time.time() < deadline and proc.poll() is None:
        if not db_url.endswith(".db") or os.path.exists(journal):
            break
        time.sleep(0.005)
    if not db_url.endswith(".db"):
        time.sleep(1.5)   # the PostgreSQL transaction is under way by then
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    proc.stdout.close()
    proc.stderr.close()
    if os.path.exists(db_url) or not db_url.endswith(".db"):
        try:
            ids = _consistent(db_url)
        except Exception as exc:   # the schema itself was not yet created: nothing stored
            assert "ev_rounds" in str(exc) or "no such table" in str(exc)
            ids = []
        assert ids in ([], [1])
    # and the next publish works and stores the round whole
    done = invoke("publish", demo_results, "--db", db_url)
    assert done.exit_code in (0, 2), done.output
    # one whole round; its id need not be 1: a PostgreSQL sequence does not roll back, so
    # a transaction killed after taking an id leaves a gap
    assert len(_consistent(db_url)) == 1


def test_the_database_comes_from_db_then_the_environment_then_the_working_folder(
        tmp_path, monkeypatch):
    folder = score_to(tmp_path, "r", panel())
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("EVALUATOR_DB", raising=False)
    assert invoke("publish", folder, "--year", 2021).exit_code == 0
    assert (tmp_path / "evaluator.db").is_file()                  # ./evaluator.db
    monkeypatch.setenv("EVALUATOR_DB", str(tmp_path / "env.db"))
    assert invoke("publish", folder, "--year", 2022).exit_code == 0
    assert (tmp_path / "env.db").is_file()
    explicit = invoke("rounds", "--db", tmp_path / "evaluator.db", "--format", "json")
    assert [r["period"] for r in json.loads(explicit.output)] == ["2021"]
    from_env = invoke("rounds", "--format", "json")
    assert [r["period"] for r in json.loads(from_env.output)] == ["2022"]
