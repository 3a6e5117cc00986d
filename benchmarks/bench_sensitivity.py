"""Benchmark: the sensitivity engine against per-scenario loops over pymcdm and
scikit-criteria, on the same 300 units × 30 indicators and the same sampled weights.

Prints a table of time and peak memory with the ratios and the targets of issue 5:

* 100,000 weight scenarios, weighted sum, ranks and interval statistics: ≤ 2 s and
  ≤ 300 MB for the whole ``evaluator sensitivity`` command as a user runs it (timed in a
  subprocess, Python start-up and imports included; bytecode cached as after
  ``pip install``), and ≥ 100× faster than the pymcdm per-scenario loop;
* 100,000 TOPSIS scenarios ≤ 8 s;
* Sobol with N = 1,024 over 5 factor groups ≤ 10 s.

The per-scenario loops are timed on a subset (``--loop-scenarios``, default 2,000) and
extrapolated linearly to 100,000 (said so in the table); on that subset their ranks are
checked against ours. The pymcdm weighted-sum loop normalises the raw matrix in every
scenario, as a user of pymcdm does (its ``WSM`` method normalises on each call); a second
pymcdm loop normalises once and only weighs and ranks per scenario (the fair comparison
of the scoring alone); both ratios and a met/MISSED verdict for each are printed. TOPSIS
loops use the same TOPSIS normalisation as the recipe's (none: the min–max scores as
they are). Benchmark-only dependencies: pymcdm, scikit-criteria (a failure of either is
reported, not fatal). The temporary folder is removed at the end. Exit 0.

    python benchmarks/bench_sensitivity.py [--scenarios 100000] [--loop-scenarios 2000]
"""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from evaluator.model.framework import load_framework  # noqa: E402
from evaluator.model.panel import load_panel  # noqa: E402
from evaluator.model.recipe import load_recipe  # noqa: E402
from evaluator.sensitivity import interval_table, run_sensitivity  # noqa: E402
from evaluator.sensitivity.design import build_design  # noqa: E402
from evaluator.sensitivity.sample import Sampler  # noqa: E402
from evaluator.sensitivity.spec import parse_uncertainty  # noqa: E402

N_UNITS, N_INDICATORS = 300, 30
PYMCDM_USER = "pymcdm weighted sum, min–max normalisation in every scenario (as a user does)"
PYMCDM_ONCE = "pymcdm weighted sum, normalised once (fair: weigh and rank per scenario)"

# runs the real CLI; registers the two commands if cli.py does not (yet)
LAUNCHER = ("import sys; from evaluator.cli import main\n"
            "from evaluator.cli.sensitivity import compare, sensitivity\n"
            "for c in (compare, sensitivity):\n"
            "    main.commands.get(c.name) or main.add_command(c)\n"
            "sys.argv[0] = 'evaluator'; main()\n")
MEASURE = ("import resource, subprocess, sys, time\n"
           "t = time.perf_counter(); r = subprocess.run(sys.argv[1:], capture_output=True)\n"
           "dt = time.perf_counter() - t\n"
           "kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
           "print(r.returncode, dt, kb); sys.stderr.write(r.stderr.decode()[-2000:])\n")


def write_inputs(folder: Path, seed: int = 11) -> dict[str, Path]:
    """A flat framework of 30 indicators (a third are costs), one year of 300 units with
    2 % missing values, and the recipes of the benchmark."""
    rng = np.random.default_rng(seed)
    ids = [f"ind_{j:02d}" for j in range(N_INDICATORS)]
    lines = ["id: bench", "name: Benchmark index", "indicators:"]
    for j, i in enumerate(ids):
        lines.append(f"  - {{id: {i}, name: Indicator {j}, "
                     f"direction: {'cost' if j % 3 == 0 else 'benefit'}}}")
    (folder / "framework.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    X = rng.lognormal(3.0, 0.6, (N_UNITS, N_INDICATORS))
    X[rng.random(X.shape) < 0.02] = np.nan
    df = pd.DataFrame(X, columns=ids)
    df.insert(0, "year", 2024)
    df.insert(0, "unit", [f"U{u:03d}" for u in range(N_UNITS)])
    df.to_csv(folder / "panel.csv", index=False)
    base = ("impute: {method: mean}\nnormalise: {method: min_max, range: [0, 100]}\n"
            "weights: {indicators: entropy}\n")
    recipes = {
        "sum": base + "aggregate: {method: weighted_sum}\n"
                      "uncertainty: {weights: {perturb: 0.2}}\n",
        "topsis": base + "aggregate: {method: topsis}\n"
                         "uncertainty: {weights: {perturb: 0.2}}\n",
        "sobol": base + "aggregate: {method: weighted_sum}\nuncertainty:\n"
                        "  weights: {perturb: 0.2}\n"
                        "  weight_methods: [entropy, critic, equal]\n"
                        "  normalise: [min_max, rank]\n"
                        "  aggregate: [weighted_sum, topsis]\n"
                        "  impute: [mean, median]\n",
    }
    paths = {"framework": folder / "framework.yaml", "panel": folder / "panel.csv"}
    for name, text in recipes.items():
        paths[name] = folder / f"recipe_{name}.yaml"
        paths[name].write_text(text, encoding="utf-8")
    return paths


def run_cli(args: list[str], env: dict) -> tuple[float, float, int]:
    """Wall time (s) and peak RSS (MB) of one `evaluator …` run in a fresh process."""
    cmd = [sys.executable, "-c", MEASURE, sys.executable, "-c", LAUNCHER, *args]
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT)
    code, seconds, kb = out.stdout.split()
    if int(code) != 0:
        print(out.stderr, file=sys.stderr)
    return float(seconds), int(kb) / 1024, int(code)


def in_process(func, repeat: int = 1):
    """Best time (s) of ``repeat`` plain runs, then the tracemalloc peak (MB) of one more
    run (tracing slows numpy's allocations, so it is not timed)."""
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        result = func()
        best = min(best, time.perf_counter() - t)
    tracemalloc.start()
    func()
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return result, best, peak


def timed_loop(func):
    """Time (s) and tracemalloc peak (MB) of one run of a slow per-scenario loop."""
    tracemalloc.start()
    t = time.perf_counter()
    result = func()
    seconds = time.perf_counter() - t
    peak = tracemalloc.get_traced_memory()[1] / 2 ** 20
    tracemalloc.stop()
    return result, seconds, peak


def sampled_weights(fw, panel, recipe, scenarios: int, seed: int):
    """The normalised matrix and the first ``scenarios`` weight vectors our engine scores
    (same seed, same sampler): a flat framework, so local weights are global weights."""
    spec = parse_uncertainty(recipe, fw)
    design = build_design(fw, panel, recipe, spec)
    plan = design.plan_list()[0]
    sampler = Sampler(spec, len(design.edges), scenarios, seed)
    draws = next(sampler.chunks()).draws[:scenarios]
    W = plan.local_weights(plan.nodes[-1], draws)
    return design.nominal, W


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenarios", type=int, default=100_000)
    ap.add_argument("--loop-scenarios", type=int, default=2_000)
    ap.add_argument("--sobol-n", type=int, default=1024)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="bench_sensitivity_"))
    try:
        return run_benchmark(args, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def run_benchmark(args, work: Path) -> int:
    S, L = args.scenarios, args.loop_scenarios
    rows: list[tuple] = []
    paths = write_inputs(work)
    fw = load_framework(paths["framework"])
    panel = load_panel(paths["panel"], fw)
    recipes = {k: load_recipe(paths[k], base=fw.recipe) for k in ("sum", "topsis", "sobol")}
    seed = 5

    # -- our engine, in process ------------------------------------------------------
    engine = {}
    for name in ("sum", "topsis"):
        _, sec, peak = in_process(lambda: interval_table(run_sensitivity(
            fw, panel, recipes[name], samples=S, seed=seed)), repeat=3)
        engine[f"ours_{name}"] = sec
        rows.append((f"engine in-process (best of 3), {S:,} "
                     f"{'weighted-sum' if name == 'sum' else 'TOPSIS'} scenarios + intervals",
                     sec, peak, ""))

    # -- the CLI as a user runs it ----------------------------------------------------
    env = dict(os.environ, PYTHONPATH=str(ROOT),
               PYTHONPYCACHEPREFIX=str(work / "pycache"))
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    base_args = ["-f", str(paths["framework"]), "-d", str(paths["panel"])]
    run_cli(["--help"], env)                                   # compile bytecode once
    imp_sec, imp_mb, _ = run_cli(["--version"], env)
    cli = {}
    for name, extra in (("sum", []), ("topsis", []),
                        ("sobol", ["--sobol"])):
        n = args.sobol_n if name == "sobol" else S
        cli[name] = run_cli(["sensitivity", *base_args, "-r", str(paths[name]), "--samples",
                             str(n), "--seed", str(seed), "--out", str(work / name),
                             "--format", "csv"], env)
    rows.append(("`evaluator --version` (start-up + imports only)", imp_sec, imp_mb, ""))
    rows.append((f"`evaluator sensitivity`, {S:,} weighted-sum scenarios", cli["sum"][0],
                 cli["sum"][1], "target ≤ 2 s, ≤ 300 MB"))
    rows.append(("  of which after start-up and imports", cli["sum"][0] - imp_sec,
                 float("nan"), ""))
    rows.append((f"`evaluator sensitivity`, {S:,} TOPSIS scenarios", cli["topsis"][0],
                 cli["topsis"][1], "target ≤ 8 s"))
    groups = 5
    rows.append((f"`evaluator sensitivity --sobol`, N = {args.sobol_n}, {groups} factor groups "
                 f"({args.sobol_n * (groups + 2):,} scenarios)", cli["sobol"][0],
                 cli["sobol"][1], "target ≤ 10 s"))

    # -- per-scenario loops on the same data and weights ------------------------------
    nominal, W = sampled_weights(fw, panel, recipes["sum"], L, seed)
    Z = nominal.stages["normalised"]                 # min–max [0, 100], cost reversed
    X = nominal.stages["prepared"]                   # imputed raw values
    types = np.array([-1 if i.direction == "cost" else 1 for i in fw.indicators])
    # our engine on the same first L scenarios: its rank histograms must equal the loops'
    ours = {"ours_sum": run_sensitivity(fw, panel, recipes["sum"], samples=L, seed=seed),
            "ours_topsis": run_sensitivity(fw, panel, recipes["topsis"], samples=L, seed=seed)}
    loops = {}
    topsis_norm = build_design(fw, panel, recipes["topsis"], parse_uncertainty(
        recipes["topsis"], fw)).plan_list()[0].nodes[-1].how["normalisation"]
    try:
        from pymcdm import methods as pm
        from pymcdm.helpers import normalize_matrix, rrankdata
        from pymcdm.normalizations import minmax_normalization, vector_normalization

        def pymcdm_sum():
            out = np.empty((len(W), N_UNITS), dtype=int)
            for s, w in enumerate(W):
                Zs = normalize_matrix(X, minmax_normalization, types)
                out[s] = rrankdata(Zs @ w)
            return out

        def pymcdm_sum_once():
            Zs = normalize_matrix(X, minmax_normalization, types)
            out = np.empty((len(W), N_UNITS), dtype=int)
            for s, w in enumerate(W):
                out[s] = rrankdata(Zs @ w)
            return out

        def as_given(x, cost=False):
            return np.asarray(x, dtype=float)

        def pymcdm_topsis():
            method = pm.TOPSIS(normalization_function=(
                vector_normalization if topsis_norm == "vector" else as_given))
            ones = np.ones(N_INDICATORS)
            out = np.empty((len(W), N_UNITS), dtype=int)
            for s, w in enumerate(W):
                out[s] = rrankdata(method(Z, w, ones))
            return out
        loops[PYMCDM_USER] = (pymcdm_sum, "ours_sum")
        loops[PYMCDM_ONCE] = (pymcdm_sum_once, "ours_sum")
        loops[f"pymcdm TOPSIS (normalisation: {topsis_norm})"] = (pymcdm_topsis, "ours_topsis")
    except Exception as exc:                                   # noqa: BLE001
        rows.append((f"pymcdm unavailable: {exc}", float("nan"), float("nan"), ""))
    try:
        import warnings
        warnings.simplefilter("ignore")
        import skcriteria as skc
        from skcriteria.agg.simple import WeightedSumModel
        from skcriteria.agg.topsis import TOPSIS as SkTopsis
        from skcriteria.pipelines import mkpipe
        from skcriteria.preprocessing.invert_objectives import NegateMinimize
        from skcriteria.preprocessing.scalers import MinMaxScaler, VectorScaler

        objectives = [max if t > 0 else min for t in types]

        def sk_sum():
            pipe = mkpipe(NegateMinimize(), MinMaxScaler(target="matrix"), WeightedSumModel())
            out = np.empty((len(W), N_UNITS), dtype=int)
            for s, w in enumerate(W):
                out[s] = pipe.evaluate(skc.mkdm(X, objectives, weights=w)).rank_
            return out

        def sk_topsis():
            scaler = VectorScaler(target="matrix") if topsis_norm == "vector" else None
            method = SkTopsis()
            out = np.empty((len(W), N_UNITS), dtype=int)
            for s, w in enumerate(W):
                dm = skc.mkdm(Z, [max] * N_INDICATORS, weights=w)
                out[s] = method.evaluate(scaler.transform(dm) if scaler else dm).rank_
            return out
        loops["scikit-criteria weighted sum (negate costs, min–max)"] = (sk_sum, "ours_sum")
        loops[f"scikit-criteria TOPSIS (normalisation: {topsis_norm})"] = (sk_topsis,
                                                                           "ours_topsis")
    except Exception as exc:                                   # noqa: BLE001
        rows.append((f"scikit-criteria unavailable: {exc}", float("nan"), float("nan"), ""))
    engine_per_scenario = {"ours_sum": cli["sum"][0] / S, "ours_topsis": cli["topsis"][0] / S}
    ratios: dict[str, float] = {}
    for label, (func, key) in loops.items():
        try:
            ranks, sec, peak = timed_loop(func)
        except Exception as exc:                               # noqa: BLE001
            rows.append((f"{label}: failed ({type(exc).__name__}: {exc})", float("nan"),
                         float("nan"), ""))
            continue
        hist = np.zeros_like(ours[key].hist)
        np.add.at(hist, (np.arange(N_UNITS)[None, :], ranks), 1)
        same = bool(np.array_equal(hist, ours[key].hist))
        per = sec / L
        ratio = per / engine_per_scenario[key]
        ratio_engine = per * S / engine[key]
        ratios[label] = ratio
        target = "; target ≥ 100×" if label in (PYMCDM_USER, PYMCDM_ONCE) else ""
        rows.append((f"{label}: {L:,} scenarios measured", sec, peak,
                     f"rank counts = our engine's: {'yes' if same else 'NO'}"))
        rows.append((f"  → extrapolated to {S:,} scenarios", per * S, float("nan"),
                     f"{ratio:,.0f}× the whole CLI run, {ratio_engine:,.0f}× the engine"
                     f"{target}"))

    print(f"\nsensitivity benchmark: {N_UNITS} units × {N_INDICATORS} indicators, seed {seed}, "
          f"{os.cpu_count()} CPU(s)\n")
    width = max(len(r[0]) for r in rows)
    print(f"{'case'.ljust(width)}  {'time s':>9}  {'peak MB':>8}  note")
    for label, sec, mb, note in rows:
        t = f"{sec:9.3f}" if sec == sec else " " * 9
        m = f"{mb:8.0f}" if mb == mb else " " * 8
        print(f"{label.ljust(width)}  {t}  {m}  {note}")
    print("\npeak MB: subprocess max RSS for CLI rows; tracemalloc peak of Python-level "
          "allocations (numpy arrays included) for in-process rows. Times are wall clock "
          "and vary with the machine's load.")
    print("The first pymcdm weighted-sum loop normalises the raw matrix in every scenario, "
          "as a user of pymcdm does (pymcdm's WSM normalises on each call); the second "
          "normalises once and only weighs and ranks per scenario (the fair comparison of "
          "the scoring alone). Ratios: loop time extrapolated to "
          f"{S:,} scenarios ÷ the whole `evaluator sensitivity` run.")
    verdicts = [
        ("weighted sum CLI ≤ 2 s", cli["sum"][0] <= 2.0),
        ("weighted sum CLI ≤ 300 MB", cli["sum"][1] <= 300),
        ("TOPSIS CLI ≤ 8 s", cli["topsis"][0] <= 8.0),
        ("Sobol CLI ≤ 10 s", cli["sobol"][0] <= 10.0),
    ]
    for label, what in ((PYMCDM_USER, "≥ 100× the pymcdm loop normalising per scenario "
                                      "(as a pymcdm user does)"),
                        (PYMCDM_ONCE, "≥ 100× the pymcdm loop normalising once (fair "
                                      "comparison)")):
        if label in ratios:
            verdicts.append((f"{what}: {ratios[label]:,.0f}×", ratios[label] >= 100))
        else:
            verdicts.append((f"{what}: not measured (pymcdm unavailable)", False))
    for what, ok in verdicts:
        print(f"{'met ' if ok else 'MISSED'}  {what}")
    if cli["sum"][0] > 2.0:
        print(f"        (start-up and imports alone take {imp_sec:.2f} s of it)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
