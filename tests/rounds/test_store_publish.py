"""Publishing results folders as rounds, reading them back, immutability, corrections and
withdrawals — on SQLite and on a real PostgreSQL server (see conftest.py)."""
from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import create_engine, text

from evaluator.store import open_store, read_round_table, resolve_url, rounds_table
from evaluator.store.schema import IMMUTABLE, OUTPUT_TABLES
from rounds.helpers import invoke, panel, score_to


def csv_cells(path) -> tuple[list[str], list[list[str]]]:
    """The header and text cells of a CSV the tool wrote (read without pandas)."""
    with open(path, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def same_cell(published, written: str) -> bool:
    """A published value equals the written text: missing ↔ empty, text ↔ the same text,
    a number ↔ the text's float() exactly."""
    if published is None or published is pd.NA or (
            isinstance(published, float) and np.isnan(published)):
        return written == ""
    if isinstance(published, str):
        return published == written
    if isinstance(published, (bool, np.bool_)):
        return str(bool(published)) == written
    return float(published) == float(written)


def assert_same_as_csv(store, round_id: int, folder) -> list[str]:
    names = []
    for name in OUTPUT_TABLES:
        path = folder / f"{name}.csv"
        if not path.exists():
            continue
        names.append(name)
        published = read_round_table(store, round_id, name)
        header, written = csv_cells(path)
        assert list(published.columns) == header, name
        assert len(published) == len(written), name
        for r, (got, want) in enumerate(zip(published.itertuples(index=False, name=None),
                                            written)):
            assert all(same_cell(a, b) for a, b in zip(got, want)), (name, r, got, want)
    return names


def test_a_published_round_reads_back_exactly(db_url, tmp_path):
    folder = score_to(tmp_path, "r2023", panel())
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "rankings.csv" in manifest["outputs"] and "manifest.json" not in manifest["outputs"]
    done = invoke("publish", folder, "--db", db_url, "--label", "2023 official",
                  "--note", "board approved", "--by", "Li Lei", "--at", "2024-03-01T09:00:00+08:00")
    assert done.exit_code == 0, done.output
    assert "published round 1 (2023" in done.output
    store = open_store(db_url)
    try:
        names = assert_same_as_csv(store, 1, folder)
        assert {"rankings", "nodes", "indicators", "weights", "diagnostics", "alerts"} <= set(names)
        t = rounds_table(store)
        row = t.iloc[0]
        assert (row["label"], row["framework"], row["version"], row["frequency"], row["period"],
                row["published_by"], row["published_at"], row["status"]) == (
            "2023 official", "store_demo", "1.0", "year", "2023", "Li Lei",
            "2024-03-01T01:00:00+00:00", "valid")
    finally:
        store.dispose()
    again = invoke("publish", folder, "--db", db_url)
    assert again.exit_code == 2
    assert "already published as round 1" in again.output and "Traceback" not in again.output


def test_the_demo_publishes_whole_and_reads_back(db_url, demo_results):
    done = invoke("publish", demo_results, "--db", db_url, "--year", 2023, "--year", 2024)
    assert done.exit_code == 0, done.output
    store = open_store(db_url)
    try:
        names = assert_same_as_csv(store, 1, demo_results)
        assert "coordination" in names and "diagnostics" in names
    finally:
        store.dispose()
    listed = invoke("rounds", "--db", db_url, "--format", "json")
    assert json.loads(listed.output)[0]["period"] == "2023,2024"
    assert invoke("publish", demo_results, "--db", db_url).exit_code == 2


def _engine(db_url):
    return create_engine(resolve_url(db_url))


def test_the_database_refuses_raw_updates_and_deletes(db_url, tmp_path):
    folder = score_to(tmp_path, "r", panel())
    assert invoke("publish", folder, "--db", db_url).exit_code == 0
    assert invoke("withdraw", 1, "--reason", "test", "--db", db_url).exit_code == 0
    engine = _engine(db_url)
    tried = []
    try:
        for table in IMMUTABLE:
            with engine.connect() as conn:
                before = conn.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar()
            if before == 0:   # a row trigger has nothing to refuse (aggregation, intervals)
                continue
            tried.append(table.name)
            col = next(c.name for c in table.columns
                   if not c.primary_key and c.name not in ("round_id", "row_no"))
            for sql in (f"UPDATE {table.name} SET {col} = NULL",
                        f"DELETE FROM {table.name}"):
                with pytest.raises(Exception, match="immutable"):
                    with engine.begin() as conn:
                        conn.execute(text(sql))
            with engine.connect() as conn:
                assert conn.execute(text(f"SELECT COUNT(*) FROM {table.name}")).scalar() == before
        assert {"ev_rounds", "ev_withdrawals", "ev_rankings", "ev_diagnostics"} <= set(tried)
        if engine.dialect.name == "postgresql":
            with pytest.raises(Exception, match="immutable"):
                with engine.begin() as conn:
                    conn.execute(text("TRUNCATE ev_rankings"))
    finally:
        engine.dispose()


def test_corrections_supersede_and_withdrawals_stay_in_the_history(db_url, tmp_path):
    first = score_to(tmp_path, "first", panel())
    fixed = score_to(tmp_path, "fixed", panel(tweak=lambda f: f.loc[0, "gdp"].__class__))
    fixed = score_to(tmp_path, "fixed", panel(seed=2))
    third = score_to(tmp_path, "third", panel(seed=3))
    assert invoke("publish", first, "--db", db_url, "--label", "2023").exit_code == 0
    no_reason = invoke("publish", fixed, "--db", db_url, "--supersedes", 1)
    assert no_reason.exit_code == 2 and "--reason" in no_reason.output
    ok = invoke("publish", fixed, "--db", db_url, "--supersedes", 1, "--reason", "typo in gdp")
    assert ok.exit_code == 0, ok.output
    twice = invoke("publish", third, "--db", db_url, "--supersedes", 1, "--reason", "x")
    assert twice.exit_code == 2 and "already superseded by round 2" in twice.output
    assert "--supersedes 2" in twice.output
    missing = invoke("publish", third, "--db", db_url, "--supersedes", 9, "--reason", "x")
    assert missing.exit_code == 2 and "no round 9" in missing.output
    assert invoke("withdraw", 2, "--db", db_url, "--reason", "wrong file").exit_code == 0
    into_withdrawn = invoke("publish", third, "--db", db_url, "--supersedes", 2,
                            "--reason", "x")
    assert into_withdrawn.exit_code == 2 and "withdrawn" in into_withdrawn.output
    assert "without --supersedes" in into_withdrawn.output
    again = invoke("withdraw", 2, "--db", db_url, "--reason", "again")
    assert again.exit_code == 2 and "already withdrawn" in again.output
    table = json.loads(invoke("rounds", "--db", db_url, "--format", "json").output)
    assert [r["status"] for r in table] == ["superseded by 2", "withdrawn: wrong file"]
    assert table[1]["supersedes"] == 1 and table[1]["reason"] == "typo in gdp"


def test_a_correction_keeps_the_framework_and_years(db_url, tmp_path):
    first = score_to(tmp_path, "first", panel())
    assert invoke("publish", first, "--db", db_url).exit_code == 0
    other_years = score_to(tmp_path, "other", panel(seed=5))
    wrong = invoke("publish", other_years, "--db", db_url, "--year", 2022,
                   "--supersedes", 1, "--reason", "x")
    assert wrong.exit_code == 2 and "published 2023" in wrong.output
    fw = tmp_path / "other_fw.yaml"
    fw.write_text((tmp_path / "store_demo.yaml").read_text().replace("id: store_demo",
                                                                     "id: other_fw"))
    data = tmp_path / "other.csv"
    out = tmp_path / "other-fw-out"
    assert invoke("score", "-f", fw, "-d", data, "--out", out).exit_code == 0
    refused = invoke("publish", out, "--db", db_url, "--supersedes", 1, "--reason", "x")
    assert refused.exit_code == 2 and "'other_fw'" in refused.output
    assert "Traceback" not in refused.output


def test_score_publish_publishes_the_out_folder(db_url, tmp_path):
    from rounds.helpers import FRAMEWORK
    fw = tmp_path / "fw.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    data = tmp_path / "p.csv"
    panel().to_csv(data, index=False)
    no_out = invoke("score", "-f", fw, "-d", data, "--publish", "--db", db_url)
    assert no_out.exit_code == 2 and "--publish needs --out" in no_out.output
    done = invoke("score", "-f", fw, "-d", data, "--out", tmp_path / "o", "--publish",
                  "--db", db_url)
    assert done.exit_code == 0, done.output
    assert "published round 1 (2023" in done.output
    listed = json.loads(invoke("rounds", "--db", db_url, "--format", "json").output)
    assert listed[0]["framework"] == "store_demo"
