"""Issue 9, "silently wrong numbers": each case replayed from the command line on a small
constructed framework and panel, asserting the documented result or the clear error
(exit 2, what / where / fix, no traceback)."""
from __future__ import annotations

import csv
import json
import textwrap
from pathlib import Path

from click.testing import CliRunner

from evaluator.cli import main

# six permutations of 1, 2, 3, 4 in which every column holds both 1 and 4: min-max gives
# every unit the same composite, computed as 50.0 or 49.99999999999999
PERMS = [(1, 2, 3, 4), (2, 1, 3, 4), (1, 2, 4, 3), (3, 4, 1, 2), (4, 3, 2, 1), (2, 4, 3, 1)]
FLAT4 = """
id: flat4
name: Flat four
indicators:
  - {id: x0, name: X0, direction: benefit}
  - {id: x1, name: X1, direction: benefit}
  - {id: x2, name: X2, direction: benefit}
  - {id: x3, name: X3, direction: benefit}
"""


def write(tmp: Path, name: str, text: str) -> Path:
    path = tmp / name
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return path


def run(*args: str, lang: str = "en"):
    res = CliRunner().invoke(main, [*args, "--lang", lang])
    assert "Traceback" not in res.output
    if res.exit_code not in (0, 1):
        assert res.exit_code == 2 and isinstance(res.exception, SystemExit), res.output
    return res


def table(folder: Path, name: str) -> list[dict[str, str]]:
    with open(folder / name, encoding="utf-8-sig", newline="") as f:
        return list(csv.DictReader(f))


def panel(rows, header) -> str:
    return "\n".join([",".join(header), *(",".join(map(str, r)) for r in rows)]) + "\n"


# -- tied composites ---------------------------------------------------------------------------
def test_numerically_equal_composites_share_rank_one(tmp_path):
    fw = write(tmp_path, "fw.yaml", FLAT4)
    rows = [(f"U{u}", y, *p) for y in (2023, 2024) for u, p in enumerate(PERMS)]
    data = write(tmp_path, "p.csv", panel(rows, ["unit", "year", "x0", "x1", "x2", "x3"]))
    recipe = write(tmp_path, "r.yaml", "weights: equal\nnormalise: min_max\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe), "-o",
              str(tmp_path / "out"), "-q")
    assert res.exit_code == 0, res.output
    ranking = table(tmp_path / "out", "rankings.csv")
    assert {r["score"] for r in ranking} == {"50.0", "49.99999999999999"}
    assert {r["rank"] for r in ranking} == {"1"}
    assert {r["rank_change"] for r in ranking if r["year"] == "2024"} == {"0"}
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text("utf-8"))
    assert manifest["recipe"]["rank"] == {"decimals": None, "tolerance": 1e-9}
    # tolerance 0 ranks on exact equality: what issue 9 saw
    exact = write(tmp_path, "exact.yaml", "weights: equal\nrank: {tolerance: 0}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(exact), "-o",
              str(tmp_path / "exact"), "-q")
    assert res.exit_code == 0, res.output
    assert {r["rank"] for r in table(tmp_path / "exact", "rankings.csv")} == {"1", "4"}


def test_a_bad_rank_tolerance_is_a_clear_error(tmp_path):
    fw = write(tmp_path, "fw.yaml", FLAT4)
    rows = [(f"U{u}", 2024, *p) for u, p in enumerate(PERMS)]
    data = write(tmp_path, "p.csv", panel(rows, ["unit", "year", "x0", "x1", "x2", "x3"]))
    recipe = write(tmp_path, "r.yaml", "rank: {tolerance: 0.5}\n")
    res = run("score", "-f", str(fw), "-d", str(data), "-r", str(recipe))
    assert res.exit_code == 2
    assert "rank.tolerance" in res.output and "r.yaml" in res.output
