"""Helpers and fixtures of the fault-injection suite (imported by its modules: a conftest.py
here would shadow tests/conftest.py): a small framework and panel written to files,
the CLI run in-process or as a real process, and checks of an output folder's set."""
from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

FRAMEWORK = """\
id: small
name: {zh: 小框架, en: Small framework}
nodes:
  - {id: a, name: A}
  - {id: b, name: B}
indicators:
  - {id: x1, name: X1, parent: a, direction: benefit}
  - {id: x2, name: X2, parent: a, direction: cost}
  - {id: x3, name: X3, parent: b, direction: benefit}
  - {id: x4, name: X4, parent: b, direction: benefit}
"""


def write_panel(path: Path, units: int = 20, years=(2021, 2022, 2023), seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    lines = ["unit,year,x1,x2,x3,x4"]
    for u in range(units):
        for y in years:
            values = rng.uniform(1, 100, 4)
            lines.append(f"U{u:03d},{y}," + ",".join(f"{v:.6f}" for v in values))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture
def case(tmp_path):
    """``(folder, framework path, panel path)`` in a fresh folder."""
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    fw = inputs / "small.yaml"
    fw.write_text(FRAMEWORK, encoding="utf-8")
    return tmp_path, fw, write_panel(inputs / "panel.csv")


def invoke(*args: str):
    from evaluator.cli import main
    return CliRunner().invoke(main, [str(a) for a in args])


def run(*args: str, **kwargs) -> subprocess.CompletedProcess:
    """The CLI as a real process (tracebacks and signals as a user sees them)."""
    return subprocess.run([sys.executable, "-m", "evaluator", *map(str, args)],
                          capture_output=True, text=True, timeout=300, **kwargs)


def spawn(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "evaluator", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(folder: Path) -> dict[str, str]:
    """Every file under ``folder`` (hidden ones too) with its SHA-256."""
    return {str(p.relative_to(folder)): sha(p) for p in sorted(folder.rglob("*"))
            if p.is_file()}


def assert_whole_set(out: Path, others: set[str] = frozenset()) -> dict:
    """``out`` holds exactly one set: every file its manifest lists, with that content,
    plus the manifest and ``others`` (the user's files); nothing temporary."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {name: e["sha256"] for name, e in manifest["outputs"].items()}
    assert {p.name for p in out.iterdir()} == set(listed) | {"manifest.json"} | set(others)
    for name, digest in listed.items():
        assert sha(out / name) == digest, name
    return manifest


def assert_no_leftovers(folder: Path) -> None:
    """No staging folder, lock file or temporary file beside or inside ``folder``."""
    for p in folder.rglob("*"):
        assert ".evaluator-" not in p.name and not p.name.endswith((".tmp", ".lock")), p
    for p in folder.parent.iterdir():
        assert ".evaluator" not in p.name, p


def no_traceback(text: str) -> bool:
    return "Traceback" not in text


@pytest.fixture(autouse=True)
def _cwd(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("PYTHONWARNINGS", "ignore")
    os.environ.pop("EVALUATOR_DB", None)
