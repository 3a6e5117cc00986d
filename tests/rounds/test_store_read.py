"""Reading rounds back: history of a unit, export exactly as published (and into
PostgreSQL with COPY … CSV HEADER) — on SQLite and PostgreSQL."""
from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest

from rounds.helpers import invoke, panel, score_to


def test_history_shows_each_published_period_with_status(db_url, tmp_path):
    r23 = score_to(tmp_path, "r23", panel())
    r23b = score_to(tmp_path, "r23b", panel(seed=7))
    r24 = score_to(tmp_path, "r24", panel(years=(2021, 2022, 2023, 2024)))
    for args in ([r23, "--label", "2023"], [r23b, "--supersedes", 1, "--reason", "fix"],
                 [r24, "--label", "2024"]):
        assert invoke("publish", *args, "--db", db_url).exit_code == 0
    out = invoke("history", "--unit", "City 03", "--db", db_url, "--format", "json")
    assert out.exit_code == 0, out.output
    rows = json.loads(out.output)
    assert [(r["round"], r["period"], r["status"]) for r in rows] == [
        (1, "2023", "superseded by 2"), (2, "2023", "valid"), (3, "2024", "valid")]
    ranks = pd.read_csv(r24 / "rankings.csv", encoding="utf-8-sig")
    mine = ranks[(ranks["unit"] == "City 03") & (ranks["year"] == 2024)].iloc[0]
    assert rows[2]["score"] == mine["score"] and rows[2]["rank"] == mine["rank"]
    assert rows[2]["economy"] == mine["economy"] and rows[2]["green_rank"] == mine["green_rank"]
    diag = pd.read_csv(r24 / "diagnostics.csv", encoding="utf-8-sig")
    lights = diag[(diag["unit"] == "City 03") & (diag["year"] == 2024)]["light"].value_counts()
    assert rows[2]["red"] == lights.get("red", 0) and rows[2]["green"] == lights.get("green", 0)
    valid = json.loads(invoke("history", "-u", "City 03", "--db", db_url, "--valid",
                              "--format", "json").output)
    assert [r["round"] for r in valid] == [2, 3]
    unknown = invoke("history", "--unit", "City 3", "--db", db_url)
    assert unknown.exit_code == 2 and "City 03" in unknown.output


def test_export_is_exactly_what_was_published(db_url, tmp_path):
    folder = score_to(tmp_path, "r", panel())
    assert invoke("publish", folder, "--db", db_url, "--label", "x").exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    out = tmp_path / "export"
    done = invoke("export", "--round", 1, "--out", out, "--db", db_url)
    assert done.exit_code == 0, done.output
    for name, entry in manifest["outputs"].items():
        if name.endswith(".csv"):
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    record = json.loads((out / "round.json").read_text())
    assert record["label"] == "x" and record["status"] == "valid" and record["period"] == "2023"
    plain = tmp_path / "plain"
    assert invoke("export", "--round", 1, "--out", plain, "--db", db_url, "--no-bom").exit_code == 0
    assert (plain / "rankings.csv").read_bytes() == (out / "rankings.csv").read_bytes()[3:]
    book = invoke("export", "--round", 1, "--out", tmp_path / "x", "--db", db_url,
                  "--format", "xlsx")
    assert book.exit_code == 0 and (tmp_path / "x" / "round-1.xlsx").exists()
    missing = invoke("export", "--round", 5, "--out", tmp_path / "y", "--db", db_url)
    assert missing.exit_code == 2 and "no round 5" in missing.output


def test_a_no_bom_export_loads_into_postgresql_with_copy(postgres_server, tmp_path):
    import psycopg
    db = str(tmp_path / "rounds.db")
    folder = score_to(tmp_path, "r", panel())
    assert invoke("publish", folder, "--db", db).exit_code == 0
    for flag in ("--no-bom", "--bom"):
        assert invoke("export", "--round", 1, "--out", tmp_path / flag, "--db", db,
                      flag).exit_code == 0
    url = postgres_server.replace("postgresql+psycopg", "postgresql") + "postgres"
    header = (tmp_path / "--no-bom" / "rankings.csv").read_text().splitlines()[0].split(",")
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS loaded")
        conn.execute("CREATE TABLE loaded (" + ", ".join(
            f'"{c}" double precision' if c not in ("unit", "group", "coordination_class")
            else f'"{c}" text' for c in header) + ")")
        match = "MATCH" if conn.info.server_version >= 150000 else "true"

        def copy(path):
            with conn.cursor() as cur:
                with cur.copy(f"COPY loaded FROM STDIN WITH (FORMAT csv, HEADER {match})") as cp:
                    cp.write(path.read_bytes())
        copy(tmp_path / "--no-bom" / "rankings.csv")
        if match == "MATCH":   # with a BOM the first header name does not match
            with pytest.raises(psycopg.Error):
                copy(tmp_path / "--bom" / "rankings.csv")
        loaded = conn.execute('SELECT unit, year, score, rank FROM loaded '
                              'ORDER BY year, rank, unit').fetchall()
    written = pd.read_csv(folder / "rankings.csv", encoding="utf-8-sig")
    assert len(loaded) == len(written)
    assert [(u, int(y), s, int(r)) for u, y, s, r in loaded] == list(
        written[["unit", "year", "score", "rank"]].itertuples(index=False, name=None))


def test_diff_names_what_changed_and_splits_data_from_method(db_url, tmp_path):
    r23 = score_to(tmp_path, "r23", panel())
    p24 = panel(years=(2021, 2022, 2023, 2024))
    r24 = score_to(tmp_path, "r24", p24)
    recipe = tmp_path / "critic.yaml"
    recipe.write_text("weights: {indicators: critic}\n")
    r24c = score_to(tmp_path, "r24c", p24, "--recipe", recipe)
    for folder in (r23, r24, r24c):
        assert invoke("publish", folder, "--db", db_url).exit_code == 0
    same_method = json.loads(invoke("diff", 1, 2, "--db", db_url, "--format", "json").output)
    assert same_method["a"]["year"] == 2023 and same_method["b"]["year"] == 2024
    assert any(line.startswith("data:") for line in same_method["why"]["inputs"])
    assert same_method["why"]["recipe"] == [] and same_method["decomposed"]
    units = pd.DataFrame(same_method["units"])
    assert units["from_method"].abs().max() < 1e-9   # same method: all from the data
    b = pd.read_csv(r24 / "rankings.csv", encoding="utf-8-sig")
    a = pd.read_csv(r23 / "rankings.csv", encoding="utf-8-sig")
    one = units[units["unit"] == "City 05"].iloc[0]
    assert one["score_b"] == b[(b.unit == "City 05") & (b.year == 2024)]["score"].item()
    assert one["rank_change"] == (a[(a.unit == "City 05") & (a.year == 2023)]["rank"].item()
                                  - b[(b.unit == "City 05") & (b.year == 2024)]["rank"].item())
    method = json.loads(invoke("diff", 2, 3, "--db", db_url, "--format", "json").output)
    assert any("critic" in line for line in method["why"]["recipe"])
    units = pd.DataFrame(method["units"])
    assert units["from_data"].abs().max() < 1e-9 and units["from_method"].abs().max() > 0
    total = units["from_data"] + units["from_method"]
    assert (total - units["score_change"]).abs().max() < 1e-9
    (tmp_path / "r24c.csv").unlink()
    gone = json.loads(invoke("diff", 2, 3, "--db", db_url, "--format", "json").output)
    assert not gone["decomposed"] and "is not there" in gone["not_decomposed_because"]
    shown = invoke("diff", 1, 2, "--db", db_url)
    assert shown.exit_code == 0 and "round 1 (2023) → round 2 (2024)" in shown.output
