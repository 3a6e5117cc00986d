"""Freezing the scale from a published round: its bounds and weights reused, so the
round's own data score exactly as published and a new year sits on the same scale."""
from __future__ import annotations

import json

import numpy as np
import pandas as pd

from rounds.helpers import invoke, panel, score_to


def _read(folder, name):
    return pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig")


def test_a_frozen_scale_reproduces_the_round_and_caps_a_new_year(db_url, tmp_path):
    entropy = tmp_path / "entropy.yaml"
    entropy.write_text("weights: {indicators: entropy, nodes: equal}\n")
    first = score_to(tmp_path, "first", panel(), "--recipe", entropy)
    assert invoke("publish", first, "--db", db_url).exit_code == 0
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text(f"freeze: {{round: 1, db: '{db_url}'}}\n")
    again = score_to(tmp_path, "again", panel(), "--recipe", frozen)
    a, b = _read(first, "rankings"), _read(again, "rankings")
    assert np.allclose(a["score"], b["score"], rtol=0, atol=1e-9)
    assert (a["rank"] == b["rank"]).all()
    wa, wb = _read(first, "weights"), _read(again, "weights")
    assert np.allclose(wa["weight"], wb["weight"], rtol=0, atol=1e-12)
    recipe = json.loads((again / "manifest.json").read_text())["recipe"]
    assert recipe["freeze"]["round"] == 1 and recipe["freeze"]["applied"] is True
    assert recipe["normalise"]["method"] == "goalposts"
    # a new year with values beyond the round's range: on the same scale, capped at 100
    base = panel()
    new = base[base["year"] == 2023].assign(year=2024)
    new["gdp"] *= 3
    grown = pd.concat([base, new], ignore_index=True)
    later = score_to(tmp_path, "later", grown, "--recipe", frozen)
    ind = _read(later, "indicators")
    gdp24 = ind[(ind["indicator"] == "gdp") & (ind["year"] == 2024)]["normalised"]
    assert gdp24.max() == 100.0
    old = _read(first, "indicators")
    same = ind[ind["year"] <= 2023].sort_values(["unit", "year", "indicator"])
    old = old.sort_values(["unit", "year", "indicator"])
    assert np.allclose(same["normalised"], old["normalised"], atol=1e-9)


def test_freezing_from_a_withdrawn_or_foreign_round_is_refused(db_url, tmp_path):
    first = score_to(tmp_path, "first", panel())
    assert invoke("publish", first, "--db", db_url).exit_code == 0
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text(f"freeze: {{round: 1, db: '{db_url}'}}\n")
    assert invoke("withdraw", 1, "--reason", "x", "--db", db_url).exit_code == 0
    out = invoke("score", "-f", tmp_path / "store_demo.yaml", "-d", tmp_path / "first.csv",
                 "--recipe", frozen)
    assert out.exit_code == 2 and "withdrawn" in out.output and "Traceback" not in out.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("freeze: {round: zero}\n")
    out = invoke("score", "-f", tmp_path / "store_demo.yaml", "-d", tmp_path / "first.csv",
                 "--recipe", bad)
    assert out.exit_code == 2 and "freeze.round" in out.output
