"""Benchmark: whole `evaluator` commands as a user runs them — CPU seconds (user + system,
of the command's process), wall seconds and peak memory (max RSS) — median of
``--repeat`` runs, against the targets of issue 11; then, in this process, the previous
approach beside the new one on the same data (pandas ``to_csv`` vs the columnar writer on
the demo's diagnostics table; the per-cell panel parser vs the column-wise one).

    python benchmarks/bench_commands.py [--repeat 3] [--large] [--only demo,report]
    python benchmarks/bench_commands.py --markdown >> benchmarks/RESULTS.md

``--large`` adds the 300,000 unit-year panel (30,000 units × 10 years × 30 indicators;
several minutes). Each command runs in its own process, measured by ``os.wait4`` (the
rusage of that child alone), from byte-compiled modules as an installed package runs
(:func:`byte_compile` first: with ``PYTHONDONTWRITEBYTECODE`` set and no ``__pycache__``
beside the sources, every run would compile again the hundred or so modules it imports,
0.15–0.2 s of CPU that no installed copy spends). Exit 0.
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

README_UNCERTAINTY = """\
uncertainty:
  weights: {perturb: 0.2}
  weight_methods: [entropy, critic, equal]
  normalise: [min_max, rank]
  aggregate: [weighted_sum, {method: geometric, floor: 0.01}]
  impute: [mean, linear]
  drop_indicator: true
"""
WEIGHTS_ONLY = "uncertainty:\n  weights: {perturb: 0.2}\n"


def byte_compile() -> None:
    """Byte-compile the ``evaluator`` package the commands import (``pip install`` does
    this at install time; an editable checkout only when Python may write bytecode)."""
    import compileall
    import importlib.util
    origin = importlib.util.find_spec("evaluator").origin
    compileall.compile_dir(str(Path(origin).parent), quiet=1)


def run(argv: list[str], cwd: Path) -> tuple[float, float, float, int]:
    """(cpu s, wall s, peak MB, exit code) of one command in its own process."""
    start = time.perf_counter()
    proc = subprocess.Popen(argv, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    return (usage.ru_utime + usage.ru_stime, wall, usage.ru_maxrss / 1024,
            proc.returncode)


def measure(argv: list[str], cwd: Path, repeat: int) -> dict:
    runs = [run(argv, cwd) for _ in range(repeat)]
    codes = {r[3] for r in runs}
    return {"cpu": statistics.median(r[0] for r in runs),
            "wall": statistics.median(r[1] for r in runs),
            "mb": max(r[2] for r in runs), "exit": max(codes)}


def inputs(work: Path, large: bool) -> dict[str, Path]:
    """Data files of the runs: the README's recipes, the wide framework, the big panel —
    made in child processes, so this process stays small (a child's peak memory counts
    the pages it shares with its parent at fork)."""
    from evaluator.resources import demo_panel_path
    paths = {"demo": demo_panel_path()}
    (work / "uncertainty.yaml").write_text(README_UNCERTAINTY, encoding="utf-8")
    (work / "weights_only.yaml").write_text(WEIGHTS_ONLY, encoding="utf-8")
    paths["uncertainty"], paths["weights_only"] = (work / "uncertainty.yaml",
                                                  work / "weights_only.yaml")
    subprocess.run([sys.executable, str(HERE / "wide_framework.py"), "--indicators", "1000",
                    "--units", "100", "--years", "5", "--out", str(work / "wide")], check=True)
    paths["wide_fw"], paths["wide_panel"] = (work / "wide" / "framework.yaml",
                                             work / "wide" / "panel.csv")
    if large:
        code = ("import sys; sys.path.insert(0, sys.argv[1]); import evaluator; "
                "from bench_evaluate import synthetic_panel; "
                "fw = evaluator.load_framework('resource_city_transition'); "
                "synthetic_panel(fw, 30_000, 10).to_csv(sys.argv[2], index=False)")
        subprocess.run([sys.executable, "-c", code, str(HERE), str(work / "large.csv")],
                       check=True)
        paths["large"] = work / "large.csv"
    return paths


def commands(exe: list[str], paths: dict[str, Path], work: Path) -> list[tuple]:
    """(key, label, argv, target CPU s or None, target wall s or None, target MB or None)."""
    fw = "resource_city_transition"
    out = str(work / "out")
    rows = [
        ("help", "evaluator --help", exe + ["--help"], 0.3, None, None),
        ("frameworks", "evaluator frameworks", exe + ["frameworks"], 0.3, None, None),
        ("demo", "evaluator demo --out DIR", exe + ["demo", "--out", out], 2.0, None, None),
        ("report", "score --report zh (demo panel)",
         exe + ["score", "-f", fw, "-d", str(paths["demo"]), "--out", out, "--report", "zh"],
         4.0, None, None),
        ("sens_w", "sensitivity 100,000, weights only",
         exe + ["sensitivity", "-f", fw, "-d", str(paths["demo"]), "-r",
                str(paths["weights_only"]), "--samples", "100000", "--seed", "1",
                "--out", out], None, None, None),
        ("sens", "sensitivity 100,000, README example",
         exe + ["sensitivity", "-f", fw, "-d", str(paths["demo"]), "-r",
                str(paths["uncertainty"]), "--samples", "100000", "--seed", "1",
                "--out", out], 7.0, None, None),
        ("wide", "1,000 indicators × 100 units × 5 years",
         exe + ["score", "-f", str(paths["wide_fw"]), "-d", str(paths["wide_panel"]),
                "--out", out], 10.0, None, None),
    ]
    if "large" in paths:
        rows.append(("large", "30,000 units × 10 years × 30 indicators",
                     exe + ["score", "-f", fw, "-d", str(paths["large"]), "--out", out],
                     None, 150.0, 3072.0))
    return rows


def side_by_side(repeat: int) -> list[tuple[str, float, float]]:
    """(what, previous approach CPU s, new CPU s) on the same data, in this process."""
    import numpy as np
    import evaluator
    from evaluator.io.tables import write_csv_stream
    from evaluator.model import panel_io, panel_vector
    from evaluator.output import safe_frame
    from evaluator.resources import demo_panel_path

    fw = evaluator.load_framework("resource_city_transition")
    result = evaluator.evaluate(fw, evaluator.load_panel(demo_panel_path(), fw))
    table = result.tables()["diagnostics"]

    def cpu(fn) -> float:
        times = []
        for _ in range(repeat):
            t = time.process_time()
            fn()
            times.append(time.process_time() - t)
        return statistics.median(times)

    old_csv = cpu(lambda: safe_frame(table).to_csv(io.BytesIO(), index=False,
                                                   encoding="utf-8-sig", lineterminator="\n"))
    new_csv = cpu(lambda: write_csv_stream(table, io.BytesIO()))
    grid = panel_io.read_grid(demo_panel_path())
    header = grid.rows[0][1]
    wanted = [k for k, name in enumerate(header) if name in fw.indicator_ids]
    body = list(zip(*[cells for _, cells in grid.rows[1:]]))
    columns = [body[k] for k in wanted]

    def per_cell():
        for col in columns:
            np.array([np.nan if (v := panel_io.parse_number(c)) is None else v for c in col])

    def column_wise():
        for col in columns:
            panel_vector.numbers(col, panel_io.MISSING_MARKERS)
    return [(f"diagnostics.csv of the demo ({len(table):,} rows): pandas to_csv → "
             "pyarrow columnar writer", old_csv, new_csv),
            (f"demo panel cells ({len(columns) * len(columns[0]):,}): per-cell parser → "
             "column-wise", cpu(per_cell), cpu(column_wise))]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--large", action="store_true",
                    help="add the 300,000 unit-year panel (run once, not --repeat times)")
    ap.add_argument("--only", default="", help="comma-separated keys (help, frameworks, "
                    "demo, report, sens_w, sens, wide, large)")
    ap.add_argument("--markdown", action="store_true", help="print a Markdown section")
    args = ap.parse_args()
    exe = [sys.executable, "-m", "evaluator"]
    byte_compile()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        paths = inputs(work, args.large)
        chosen = set(filter(None, args.only.split(",")))
        results = {}
        for key, label, argv, cpu_t, wall_t, mb_t in commands(exe, paths, work):
            if chosen and key not in chosen:
                continue
            repeat = 1 if key == "large" else args.repeat
            results[key] = (label, measure(argv, work, repeat), cpu_t, wall_t, mb_t)
            print(f"  {label}: {results[key][1]}", file=sys.stderr)
        pairs = side_by_side(args.repeat) if not chosen else []
    lines = [f"### Whole commands (median of {args.repeat}; CPU = user + system of the "
             "command's process)", "",
             "| run | CPU s | wall s | peak MB | target | met |", "|---|---|---|---|---|---|"]
    for key, (label, m, cpu_t, wall_t, mb_t) in results.items():
        target, met = [], []
        if cpu_t is not None:
            target.append(f"CPU ≤ {cpu_t:g} s")
            met.append(m["cpu"] <= cpu_t)
        if wall_t is not None:
            target.append(f"wall ≤ {wall_t:g} s")
            met.append(m["wall"] <= wall_t)
        if mb_t is not None:
            target.append(f"≤ {mb_t / 1024:g} GB")
            met.append(m["mb"] <= mb_t)
        verdict = "—" if not met else ("yes" if all(met) else "NO")
        if m["exit"] != 0:
            verdict += f" (exit {m['exit']})"
        if key == "large" and args.repeat != 1:
            label += " (one run)"
        lines.append(f"| {label} | {m['cpu']:.2f} | {m['wall']:.1f} | {m['mb']:.0f} | "
                     f"{', '.join(target) or '—'} | {verdict} |")
    if "sens" in results and "sens_w" in results:
        ratio = results["sens"][1]["cpu"] / results["sens_w"][1]["cpu"]
        lines += ["", f"README example / weights only: {ratio:.2f}× the CPU time "
                      "(target ≤ 3×)."]
    if pairs:
        lines += ["", "### Previous approach beside the new one (same data, one process, "
                      "CPU s)", "", "| what | previous | new | speed-up |", "|---|---|---|---|"]
        lines += [f"| {what} | {old:.2f} | {new:.2f} | {old / max(new, 1e-9):.1f}× |"
                  for what, old, new in pairs]
    text = "\n".join(lines)
    print(text if args.markdown else text.replace("| ", " ").replace(" |", ""))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
