"""Scoring against what was published: 2023 published from one panel, the 2023 data
then revised, 2024 scored --against-published — rank_change and the two-years-running
alert follow the published 2023 ranks, not the revised ones (SQLite and PostgreSQL)."""
from __future__ import annotations

import json

import pandas as pd

from rounds.helpers import invoke, score_to

BASE = {f"City {k:02d}": 10.0 * k for k in range(1, 9)}   # City 01 lowest … City 08 highest


def levels_panel(levels: dict[tuple[str, int], float]) -> pd.DataFrame:
    """Every indicator follows one level per unit-year (pm25, a cost, mirrors it), so the
    composite ranks the units by their level."""
    rows = []
    for (unit, year), v in sorted(levels.items()):
        rows.append({"unit": unit, "year": year, "gdp": v, "jobs": v + 1, "pm25": 100 - v,
                     "forest": v + 2})
    return pd.DataFrame(rows)


def levels(years, overrides):
    out = {(u, y): b for u in BASE for y, b in ((y, BASE[u]) for y in years)}
    out.update(overrides)
    return out


def test_rank_change_and_alerts_follow_the_published_year(db_url, tmp_path):
    # published 2023: City 01 fell to the bottom (level 5): bottom three with City 02, 03
    first = levels_panel(levels((2022, 2023), {("City 01", 2022): 55, ("City 01", 2023): 5}))
    r2023 = score_to(tmp_path, "r2023", first)
    ranks = pd.read_csv(r2023 / "rankings.csv", encoding="utf-8-sig")
    assert ranks[(ranks.unit == "City 01") & (ranks.year == 2023)]["rank"].item() == 8
    assert invoke("publish", r2023, "--db", db_url, "--label", "2023").exit_code == 0
    # 2023 revised (City 01 was in fact mid-table), and 2024 puts it at the bottom
    revised = levels_panel(levels((2022, 2023, 2024), {
        ("City 01", 2022): 55, ("City 01", 2023): 55, ("City 01", 2024): 1}))
    plain = score_to(tmp_path, "plain", revised)
    told = score_to(tmp_path, "told", revised, "--db", db_url, "--against-published")

    def row(folder, table, **where):
        t = pd.read_csv(folder / f"{table}.csv", encoding="utf-8-sig")
        for k, v in where.items():
            t = t[t[k] == v]
        return t

    recomputed_2023 = row(plain, "rankings", unit="City 01", year=2023)["rank"].item()
    assert recomputed_2023 == 4
    assert row(plain, "rankings", unit="City 01", year=2024)["rank_change"].item() == 4 - 8
    assert row(told, "rankings", unit="City 01", year=2024)["rank_change"].item() == 8 - 8
    # the rows' own scores are what this run computed
    assert row(told, "rankings", unit="City 01", year=2023)["rank"].item() == 4
    # bottom three in 2023 as published + 2024 → two years running, only against published
    plain_alerts = row(plain, "alerts", unit="City 01", year=2024)
    told_alerts = row(told, "alerts", unit="City 01", year=2024)
    assert "bottom_k_consecutive" not in set(plain_alerts["rule"])
    hit = told_alerts[told_alerts["rule"] == "bottom_k_consecutive"]
    assert len(hit) == 1 and hit["years"].item().startswith("2023")
    # City 04 was bottom three in 2022 and in the revised 2023, not in the published 2023
    assert "bottom_k_consecutive" in set(row(plain, "alerts", unit="City 04", year=2023)["rule"])
    assert "bottom_k_consecutive" not in set(row(told, "alerts", unit="City 04",
                                                 year=2023)["rule"])
    manifest = json.loads((told / "manifest.json").read_text())
    step = next(s for s in manifest["steps"] if s["step"] == "against_published")
    assert step["rounds"] == {"2023": 1}


def test_against_published_needs_a_round(db_url, tmp_path):
    from rounds.helpers import panel
    first = score_to(tmp_path, "first", panel())
    assert invoke("publish", first, "--db", db_url, "--year", 2021).exit_code == 0
    assert invoke("withdraw", 1, "--reason", "wrong", "--db", db_url).exit_code == 0
    fw, data = tmp_path / "store_demo.yaml", tmp_path / "first.csv"
    out = invoke("score", "-f", fw, "-d", data, "--db", db_url, "--against-published")
    assert out.exit_code == 2 and "no valid published round" in out.output


def test_contribution_change_and_improving_follow_the_published_year(db_url, tmp_path):
    """City 03's 2023 gdp was published as 20 and later revised to 60; in 2024 it is 40.
    Against the published year it improved (and its contributions changed from the
    published ones); against the revised year it fell back."""
    first = levels_panel(levels((2022, 2023), {("City 03", 2023): 20}))
    r2023 = score_to(tmp_path, "r2023", first)
    assert invoke("publish", r2023, "--db", db_url, "--label", "2023").exit_code == 0
    revised = levels_panel(levels((2022, 2023, 2024), {("City 03", 2023): 60,
                                                       ("City 03", 2024): 40}))
    plain = score_to(tmp_path, "plain", revised)
    told = score_to(tmp_path, "told", revised, "--db", db_url, "--against-published")

    def diag(folder, year, unit="City 03"):
        t = pd.read_csv(folder / "diagnostics.csv", encoding="utf-8-sig")
        return t[(t.unit == unit) & (t.year == year)].set_index("indicator")

    published, now = diag(r2023, 2023), diag(told, 2024)
    recomputed = diag(plain, 2023)
    for item in ("gdp", "jobs", "pm25", "forest", "economy", "green"):
        assert abs(now.loc[item, "contribution_change"] - (
            now.loc[item, "contribution"] - published.loc[item, "contribution"])) < 1e-9
        assert abs(diag(plain, 2024).loc[item, "contribution_change"] - (
            now.loc[item, "contribution"] - recomputed.loc[item, "contribution"])) < 1e-9
    assert published.loc["gdp", "value"] == 20 and recomputed.loc["gdp", "value"] == 60
    # gdp has a 2030 target of 90: 40 is behind its path; better than the published 20
    # (improving: yellow), worse than the revised 60 (red)
    assert now.loc["gdp", "light"] == "yellow"
    assert diag(plain, 2024).loc["gdp", "light"] == "red"
    # a unit whose published year equals the recomputed one is read the same either way
    assert diag(told, 2024, "City 05").loc["gdp", "light"] == \
        diag(plain, 2024, "City 05").loc["gdp", "light"]
