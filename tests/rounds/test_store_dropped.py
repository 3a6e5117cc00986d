"""A round whose recipe dropped an indicator (issue 9): published and exported byte for
byte, its report rebuilt, and a frozen scale that would keep the dropped indicator at
weight 0 refused."""
from __future__ import annotations

import hashlib
import json

from rounds.helpers import invoke, panel, score_to


def _no_forest(frame):
    frame["forest"] = float("nan")


def test_a_round_with_a_dropped_indicator_publishes_and_freezes_openly(db_url, tmp_path):
    drop = tmp_path / "drop.yaml"
    drop.write_text('screen: {drop_indicators: {forest: "survey stopped"}}\n')
    folder = score_to(tmp_path, "r", panel(tweak=_no_forest), "--recipe", drop)
    assert invoke("publish", folder, "--db", db_url).exit_code == 0
    out = tmp_path / "export"
    assert invoke("export", "--round", 1, "--out", out, "--db", db_url).exit_code == 0
    manifest = json.loads((folder / "manifest.json").read_text())
    for name, entry in manifest["outputs"].items():
        if name.endswith(".csv"):
            assert hashlib.sha256((out / name).read_bytes()).hexdigest() == entry["sha256"]
    assert "forest,dropped,0.0,0.0,dropped by the recipe" in \
        (out / "weights.csv").read_text("utf-8-sig")
    report = invoke("report", "--round", 1, "--db", db_url, "-o", tmp_path / "rep", "-q")
    assert report.exit_code == 0, report.output
    # a frozen scale with the same drop works; without it forest would stay at weight 0
    frozen = tmp_path / "frozen.yaml"
    frozen.write_text(f"freeze: {{round: 1, db: '{db_url}'}}\n"
                      "screen: {drop_indicators: [forest]}\n")
    again = score_to(tmp_path, "again", panel(tweak=_no_forest), "--recipe", frozen)
    assert (again / "weights.csv").read_text("utf-8-sig").count(",dropped,") == 1
    refused = tmp_path / "refused.yaml"
    refused.write_text(f"freeze: {{round: 1, db: '{db_url}'}}\n")
    (tmp_path / "full.csv").write_text(panel().to_csv(index=False))
    res = invoke("score", "-f", tmp_path / "store_demo.yaml", "-d", tmp_path / "full.csv",
                 "--recipe", refused)
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert "'forest'" in res.output and "dropped in round 1" in res.output
    assert "screen: {drop_indicators: [forest]}" in res.output
