"""Benchmark: published rounds (targets: publishing the demo's full results — 262 units ×
10 years, every table — in ≤ 3 s on SQLite; `evaluator history --unit` and `evaluator
rounds` ≤ 0.5 s each, whole command, on a database holding 20 such rounds).

    python benchmarks/bench_store.py [--db URL] [--rounds 20] [--repeat 3]

Without --db a fresh SQLite file in a temporary folder is used; a PostgreSQL URL
(postgresql+psycopg://…, an empty database) measures the server instead. Scores the demo
once (not timed), publishes it with the whole `evaluator publish` command (timed), fills
the database to --rounds rounds through the API (the same results under distinct content
hashes), then times the read commands as a user runs them. Prints the figures; exit 0.
"""
from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PUBLISH_TARGET, READ_TARGET = 3.0, 0.5


CPU = {}   # command → CPU seconds (user + system) of its last run


def _children_cpu() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def command(*args: str) -> float:
    """Wall seconds of the whole command as a user runs it; its CPU seconds (user +
    system: what it costs, whatever else the machine is doing) go to ``CPU``."""
    before = _children_cpu()
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "evaluator", *args], capture_output=True,
                          text=True)
    elapsed = time.perf_counter() - start
    CPU[args[0]] = _children_cpu() - before
    if done.returncode:
        sys.exit(f"`evaluator {' '.join(args)}` failed:\n{done.stderr}")
    return elapsed


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=None)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from evaluator.store import open_results, open_store
    from evaluator.store.publish import publish

    tmp = Path(tempfile.mkdtemp(prefix="bench-store-"))
    db = args.db or str(tmp / "rounds.db")
    results = tmp / "demo"
    command("demo", "--out", str(results))
    folder = open_results(results)
    rows = sum(1 for name in folder.tables
               for _ in open(results / f"{name}.csv", encoding="utf-8-sig")) - len(folder.tables)
    print(f"demo results: {len(folder.tables)} tables, {rows:,} rows")

    took = command("publish", str(results), "--db", db, "--year", "2024")
    print(f"publish (whole command, {db.split('://')[0] if '://' in db else 'sqlite'}): "
          f"{took:.2f} s wall, {CPU['publish']:.2f} s CPU  (target ≤ {PUBLISH_TARGET:.0f} s) "
          f"{'ok' if took <= PUBLISH_TARGET else 'SLOWER'}")
    store = open_store(db)
    try:
        start = time.perf_counter()
        publish(store, dataclasses.replace(folder, content_sha256="bench-api"), years=[2024])
        print(f"publish (API, without start-up): {time.perf_counter() - start:.2f} s")
        for k in range(3, args.rounds + 1):
            publish(store, dataclasses.replace(folder, content_sha256=f"bench-{k}"),
                    years=[2024], label=f"round {k}")
    finally:
        store.dispose()
    for label, cmd in (("rounds", ["rounds", "--db", db]),
                       ("history --unit", ["history", "--unit", "示例市007", "--db", db])):
        times, cpu = [], []
        for _ in range(args.repeat):
            times.append(command(*cmd))
            cpu.append(CPU[cmd[0]])
        best = min(times)
        print(f"{label} on {args.rounds} rounds (whole command): best {best:.2f} s, median "
              f"{statistics.median(times):.2f} s wall; CPU median {statistics.median(cpu):.2f} s"
              f"  (target ≤ {READ_TARGET} s) {'ok' if best <= READ_TARGET else 'SLOWER'}")
    print(f"(load average while measuring: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
    start = time.perf_counter()
    subprocess.run([sys.executable, "-c", "import evaluator.cli"], check=True)
    print(f"(python start-up + import evaluator.cli alone: {time.perf_counter() - start:.2f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
