"""Benchmark: evaluate() on 300 units × 30 indicators × 20 years (target: under 1 s on
the 2-core machine). Prints the timings of each phase; exit 0.

    python benchmarks/bench_evaluate.py [--units 300] [--years 20] [--repeat 5]
"""
from __future__ import annotations

import argparse
import statistics
import time
import tracemalloc

import numpy as np
import pandas as pd

import evaluator
from evaluator import Panel, Recipe, evaluate

TARGET_SECONDS = 1.0


def synthetic_panel(fw, n_units: int, n_years: int, seed: int = 7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    units = [f"Unit {u:03d}" for u in range(n_units)]
    years = list(range(2005, 2005 + n_years))
    df = pd.DataFrame([(u, y) for y in years for u in units], columns=["unit", "year"])
    groups = np.array(list(fw.groups) or ["all"])
    df["group"] = np.repeat(rng.choice(groups, n_units)[None, :], n_years, axis=0).ravel()
    for ind in fw.indicators:
        lo, hi = ind.goalposts if ind.goalposts else (1.0, 100.0)
        lo = max(lo, 1e-3) if ind.transform == "log" else lo
        values = rng.uniform(lo + 0.05 * (hi - lo), hi - 0.05 * (hi - lo), len(df))
        values[rng.random(len(df)) < 0.03] = np.nan
        df[ind.id] = values
        if ind.denominator and ind.denominator not in df:
            df[ind.denominator] = rng.uniform(100, 5000, len(df))
    return df


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--units", type=int, default=300)
    ap.add_argument("--years", type=int, default=20)
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    fw = evaluator.load_framework("resource_city_transition")
    df = synthetic_panel(fw, args.units, args.years)
    panel = Panel.from_frame(df, fw)
    recipes = {
        "framework recipe (linear impute, entropy, weighted sum)": None,
        "winsorise + CRITIC + geometric index": Recipe.from_dict({
            "impute": "linear", "treat": "winsorise", "normalise": {"range": [1, 100]},
            "weights": {"indicators": "critic"},
            "aggregate": {"method": "weighted_sum", "by_node": {"index": "geometric"}}}),
        "entropy–TOPSIS at every node": Recipe.from_dict({
            "impute": "linear", "weights": {"indicators": "entropy"},
            "aggregate": {"method": "topsis"}}),
    }
    print(f"evaluate() on {args.units} units × {len(fw.indicators)} indicators × "
          f"{args.years} years ({len(df):,} unit-years); best and median of {args.repeat}")
    print(f"{'recipe':58s} {'best s':>8s} {'median s':>9s} {'peak MB':>8s}  target")
    worst = 0.0
    for name, recipe in recipes.items():
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            evaluate(fw, panel, recipe)
            times.append(time.perf_counter() - t0)
        tracemalloc.start()
        evaluate(fw, panel, recipe)
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        best, med = min(times), statistics.median(times)
        worst = max(worst, med)
        ok = "ok" if med < TARGET_SECONDS else "MISSED"
        print(f"{name:58s} {best:8.3f} {med:9.3f} {peak:8.1f}  < {TARGET_SECONDS:g} s {ok}")
    t0 = time.perf_counter()
    res = evaluate(fw, panel)
    res.diagnostics()
    print(f"{'diagnostics (targets, lights, obstacles, alerts)':58s} "
          f"{time.perf_counter() - t0:8.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
