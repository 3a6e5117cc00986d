"""Sub-annual rounds: a quarterly results folder is published with its frequency and
periods, exported back byte for byte, and `history` lists a unit's quarterly rounds
apart from its yearly ones — on SQLite and on a real PostgreSQL server."""
from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd

from rounds.helpers import FRAMEWORK, invoke, panel, score_to
from rounds.test_store_errors import refused

QUARTERS = ("2022Q3", "2022Q4", "2023Q1", "2023Q2", "2023Q3", "2023Q4")


def quarterly(tmp, name="q", seed=3):
    """The store framework with every indicator observed quarterly, scored on a
    quarterly panel of six quarters (2022Q3–2023Q4)."""
    fw = tmp / "store_demo_q.yaml"
    fw.write_text(FRAMEWORK.replace("direction: benefit", "direction: benefit, frequency: quarter")
                  .replace("direction: cost", "direction: cost, frequency: quarter"),
                  encoding="utf-8")
    frame = panel(years=QUARTERS, seed=seed)
    data = tmp / f"{name}.csv"
    frame.to_csv(data, index=False)
    out = tmp / name
    result = invoke("score", "-f", fw, "-d", data, "--out", out)
    assert result.exit_code == 0, result.output
    return out


def rounds(db):
    done = invoke("rounds", "--db", db, "--format", "json")
    assert done.exit_code == 0, done.output
    return json.loads(done.output)


def test_quarterly_results_publish_with_frequency_and_export_exactly(db_url, tmp_path):
    folder = quarterly(tmp_path)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rows"]["frequency"] == "quarter"
    ranking = pd.read_csv(folder / "rankings.csv", encoding="utf-8-sig")
    assert list(ranking.columns[:3]) == ["unit", "year", "period"]
    done = invoke("publish", folder, "--db", db_url, "--label", "Q4")
    assert done.exit_code == 0, done.output
    assert "2023Q4" in done.output
    assert [(r["frequency"], r["period"]) for r in rounds(db_url)] == [("quarter", "2023Q4")]
    out = tmp_path / "export"
    assert invoke("export", "--round", 1, "--out", out, "--db", db_url).exit_code == 0
    csvs = sorted(p.name for p in folder.glob("*.csv"))
    assert csvs == sorted(p.name for p in out.glob("*.csv"))
    for name in csvs:   # byte for byte, period column included
        assert (out / name).read_bytes() == (folder / name).read_bytes(), name
    record = json.loads((out / "round.json").read_text(encoding="utf-8"))
    assert (record["frequency"], record["period"]) == ("quarter", "2023Q4")


def test_periods_chosen_by_label_or_year(db_url, tmp_path):
    folder = quarterly(tmp_path)
    assert invoke("publish", folder, "--db", db_url, "--period", "2023Q3",
                  "--period", "2023Q1").exit_code == 0
    again = quarterly(tmp_path, "q2", seed=4)
    assert invoke("publish", again, "--db", db_url, "--year", 2022).exit_code == 0
    assert [r["period"] for r in rounds(db_url)] == ["2023Q1,2023Q3", "2022Q3,2022Q4"]
    refused(invoke("publish", quarterly(tmp_path, "q3", seed=5), "--db", db_url,
                   "--period", "2024Q1"), "period 2024Q1 is not in the results", "2023Q4")
    refused(invoke("publish", score_to(tmp_path, "y", panel()), "--db", db_url,
                   "--period", "2023Q1"), "--period picks periods of sub-annual results")


def test_history_lists_quarterly_and_yearly_rounds_apart(db_url, tmp_path):
    q_first = quarterly(tmp_path, "qa", seed=3)
    q_second = quarterly(tmp_path, "qb", seed=6)
    yearly = score_to(tmp_path, "y", panel())
    assert invoke("publish", q_second, "--db", db_url, "--year", 2023).exit_code == 0   # 1
    assert invoke("publish", yearly, "--db", db_url).exit_code == 0                     # 2
    assert invoke("publish", q_first, "--db", db_url, "--period", "2022Q4").exit_code == 0  # 3
    done = invoke("history", "--unit", "City 03", "--db", db_url, "--format", "csv")
    assert done.exit_code == 0, done.output
    table = pd.read_csv(io.StringIO(done.output))
    assert table[["frequency", "period", "round"]].values.tolist() == [
        ["year", "2023", 2], ["quarter", "2022Q4", 3], ["quarter", "2023Q1", 1],
        ["quarter", "2023Q2", 1], ["quarter", "2023Q3", 1], ["quarter", "2023Q4", 1]]
    # each row is the unit's published row of that period, read from the folder
    for folder, round_id in ((q_second, 1), (q_first, 3)):
        written = pd.read_csv(folder / "rankings.csv", encoding="utf-8-sig")
        written = written[written["unit"] == "City 03"].set_index("period")
        mine = table[table["round"] == round_id].set_index("period")
        assert np.array_equal(mine["score"].to_numpy(float),
                              written.loc[mine.index, "score"].to_numpy(float))
        assert np.array_equal(mine["rank"].to_numpy(int),
                              written.loc[mine.index, "rank"].to_numpy(int))
        if (folder / "diagnostics.csv").exists():
            diag = pd.read_csv(folder / "diagnostics.csv", encoding="utf-8-sig")
            diag = diag[diag["unit"] == "City 03"]
            for period in mine.index:
                lights = diag.loc[diag["period"] == period, "light"].value_counts()
                assert mine.loc[period, "green"] == lights.get("green", 0)
                assert mine.loc[period, "red"] == lights.get("red", 0)
    as_json = json.loads(invoke("history", "--unit", "City 03", "--db", db_url,
                                "--format", "json").output)
    assert [(r["frequency"], r["period"]) for r in as_json] == \
        [tuple(x) for x in table[["frequency", "period"]].values.tolist()]
    shown = invoke("history", "--unit", "City 03", "--db", db_url)
    assert shown.exit_code == 0 and "2023Q2" in shown.output


def test_against_published_on_a_quarterly_panel_is_refused_clearly(db_url, tmp_path):
    folder = quarterly(tmp_path)
    assert invoke("publish", folder, "--db", db_url).exit_code == 0
    fw, data = tmp_path / "store_demo_q.yaml", tmp_path / "q.csv"
    refused(invoke("score", "-f", fw, "-d", data, "--out", tmp_path / "again", "--db", db_url,
                   "--against-published"), "--against-published reads yearly rounds only")
