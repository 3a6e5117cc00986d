"""`evaluator rounds` and `evaluator history` read and print without pandas (they should
start at once): the plain records equal the DataFrames the Python API returns."""
from __future__ import annotations

import json
import math

from evaluator.model.period import FREQUENCIES
from evaluator.store import open_store
from evaluator.store.history import FREQUENCY_ORDER, unit_history, unit_history_records
from evaluator.store.read import round_records, rounds_table
from rounds.helpers import invoke, panel, score_to


def test_the_frequency_order_is_the_models():
    assert FREQUENCY_ORDER == tuple(FREQUENCIES)


def _same(a, b) -> bool:
    missing = lambda v: v is None or (isinstance(v, float) and math.isnan(v)) \
        or type(v).__name__ == "NAType"   # noqa: E731
    return (missing(a) and missing(b)) or a == b


def test_plain_records_equal_the_frames_and_print_alike(db_url, tmp_path):
    first = score_to(tmp_path, "first", panel())
    assert invoke("publish", first, "--db", db_url, "--year", 2023, "--label", "a,b").exit_code == 0
    second = score_to(tmp_path, "second", panel(seed=2))
    assert invoke("publish", second, "--db", db_url, "--year", 2023, "--supersedes", 1,
                  "--reason", "fix").exit_code == 0
    store = open_store(db_url)
    try:
        frame, records = rounds_table(store), round_records(store)
        assert list(frame.columns) == list(records[0])
        for row, record in zip(frame.to_dict(orient="records"), records):
            assert all(_same(row[k], record[k]) for k in record)
        hist = unit_history(store, "City 03")
        plain = unit_history_records(store, "City 03")
        assert list(hist.columns) == list(plain[0]) and len(hist) == len(plain) == 2
        for row, record in zip(hist.to_dict(orient="records"), plain):
            assert all(_same(row[k], record[k]) for k in record)
    finally:
        store.dispose()
    as_json = json.loads(invoke("history", "--unit", "City 03", "--db", db_url,
                                "--format", "json").output)
    assert [r["round"] for r in as_json] == [1, 2] and as_json[0]["status"] == "superseded by 2"
    assert isinstance(as_json[0]["rank"], int) and isinstance(as_json[0]["score"], float)
    csv_text = invoke("rounds", "--db", db_url, "--format", "csv").output
    lines = csv_text.splitlines()
    assert lines[0].startswith("round,label,framework") and lines[1].startswith('1,"a,b",')
    assert lines[2].split(",")[9] == "1"           # supersedes, a whole number
    table = invoke("rounds", "--db", db_url).output
    assert "superseded by 2" in table and "note" not in table.splitlines()[0]


def test_rounds_and_history_import_no_numeric_library(tmp_path):
    """The read commands a user runs most start at once: a fresh `evaluator rounds` and
    `evaluator history` on a SQLite database load neither pandas nor numpy."""
    import subprocess
    import sys
    from pathlib import Path

    first = score_to(tmp_path, "first", panel())
    db = str(tmp_path / "rounds.db")
    assert invoke("publish", first, "--db", db, "--year", 2023).exit_code == 0
    root = Path(__file__).resolve().parents[2]
    for args in (["rounds", "--db", db], ["history", "--unit", "City 03", "--db", db],
                 ["history", "--unit", "City 03", "--db", db, "--format", "csv"]):
        probe = ("import sys, runpy\n"
                 f"sys.argv = ['evaluator', *{args!r}]\n"
                 "try:\n    runpy.run_module('evaluator', run_name='__main__')\n"
                 "except SystemExit as e:\n    assert not e.code, e.code\n"
                 "print('LOADED', [m for m in ('pandas', 'numpy') if m in sys.modules])")
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                              cwd=root, timeout=120)
        assert done.returncode == 0, done.stderr
        assert done.stdout.strip().splitlines()[-1] == "LOADED []", args
