"""A small framework and panel for the store tests, scored through the CLI."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from click.testing import CliRunner

from evaluator.cli import main

FRAMEWORK = """\
id: store_demo
name: {zh: 存储测试, en: Store test}
version: "1.0"
nodes:
  - {id: economy, name: {zh: 经济, en: Economy}}
  - {id: green, name: {zh: 绿色, en: Green}}
indicators:
  - {id: gdp, name: GDP, parent: economy, direction: benefit, targets: {2030: 90}}
  - {id: jobs, name: Jobs, parent: economy, direction: benefit}
  - {id: pm25, name: PM2.5, parent: green, direction: cost}
  - {id: forest, name: Forest, parent: green, direction: benefit}
recipe: {weights: {indicators: equal, nodes: equal}}
"""


def panel(years=(2021, 2022, 2023), units=8, seed=1, tweak=None) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for u in range(units):
        base = rng.uniform(20, 80, 4)
        for k, y in enumerate(years):
            vals = base + rng.normal(0, 5, 4) + k
            rows.append({"unit": f"City {u + 1:02d}", "year": y, "gdp": vals[0],
                         "jobs": vals[1], "pm25": vals[2], "forest": vals[3]})
    frame = pd.DataFrame(rows)
    if tweak:
        tweak(frame)
    return frame


def invoke(*args, **kw):
    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False, **kw)


def score_to(tmp: Path, name: str, frame: pd.DataFrame, *extra) -> Path:
    """Write the framework and ``frame``, score them into tmp/name; return that folder."""
    fw = tmp / "store_demo.yaml"
    if not fw.exists():
        fw.write_text(FRAMEWORK, encoding="utf-8")
    data = tmp / f"{name}.csv"
    frame.to_csv(data, index=False)
    out = tmp / name
    result = invoke("score", "-f", fw, "-d", data, "--out", out, *extra)
    assert result.exit_code == 0, result.output
    return out
