"""A synthetic framework of many indicators (10 dimensions × k/10 indicators each) and a
panel for it: the "1,000 indicators × 100 units × 5 years" benchmark's inputs.

    python benchmarks/wide_framework.py --indicators 1000 --units 100 --years 5 --out DIR
writes DIR/framework.yaml and DIR/panel.csv.
"""
from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import yaml


def framework_dict(n_indicators: int, n_dims: int = 10) -> dict:
    nodes = [{"id": f"d{d:02d}", "name": {"zh": f"维度{d}", "en": f"Dimension {d}"}}
             for d in range(n_dims)]
    indicators = [{"id": f"x{j:04d}", "name": {"zh": f"指标{j}", "en": f"Indicator {j}"},
                   "parent": f"d{j % n_dims:02d}", "unit": "1",
                   "direction": "cost" if j % 7 == 0 else "benefit"}
                  for j in range(n_indicators)]
    return {"id": "wide", "name": {"zh": "宽框架", "en": "Wide framework"},
            "nodes": nodes, "indicators": indicators,
            "recipe": {"impute": "linear", "normalise": "min_max",
                       "weights": {"indicators": "equal"}}}


def panel_frame(n_indicators: int, n_units: int, n_years: int, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = np.repeat([f"U{u:05d}" for u in range(n_units)], n_years)
    years = np.tile(np.arange(2020, 2020 + n_years), n_units)
    values = rng.uniform(1, 100, (len(units), n_indicators)).round(3)
    values[rng.random(values.shape) < 0.02] = np.nan
    frame = pd.DataFrame(values, columns=[f"x{j:04d}" for j in range(n_indicators)])
    frame.insert(0, "year", years)
    frame.insert(0, "unit", units)
    return frame


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--indicators", type=int, default=1000)
    ap.add_argument("--units", type=int, default=100)
    ap.add_argument("--years", type=int, default=5)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "framework.yaml").write_text(
        yaml.safe_dump(framework_dict(args.indicators), allow_unicode=True, sort_keys=False),
        encoding="utf-8")
    panel_frame(args.indicators, args.units, args.years).to_csv(args.out / "panel.csv",
                                                                index=False)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
