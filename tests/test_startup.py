"""Start-up without the numeric libraries (issue 11): `import evaluator`, the command
line's help and `evaluator frameworks` import neither pandas nor numpy (checked in a fresh
interpreter's ``sys.modules``, not by timing); the package's public names load on first
use and every one works, ``evaluator.evaluate/report/sensitivity`` stay callable whatever
was imported first."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import evaluator
from evaluator.model.framework import builtin_summary, list_builtin, load_framework

ROOT = Path(__file__).resolve().parents[1]
HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "sklearn")


def modules_after(code: str) -> list[str]:
    """The heavy libraries a fresh interpreter has imported after running ``code``."""
    probe = (f"{code}\nimport json, sys\n"
             f"print(json.dumps([m for m in {list(HEAVY)!r} if m in sys.modules]))")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def command(args: list[str]) -> str:
    return ("import sys, runpy, contextlib, io\n"
            f"sys.argv = ['evaluator', *{args!r}]\n"
            "with contextlib.redirect_stdout(io.StringIO()) as out:\n"
            "    try:\n"
            "        runpy.run_module('evaluator', run_name='__main__')\n"
            "    except SystemExit as e:\n"
            "        assert e.code in (0, None), e.code\n"
            "assert out.getvalue().strip()\n")


@pytest.mark.parametrize("code", ["import evaluator", "import evaluator.cli",
                                  command(["--help"]), command(["frameworks"]),
                                  command(["score", "--help"])])
def test_no_numeric_library_is_imported_to_start(code):
    assert modules_after(code) == []


def test_the_api_still_imports_pandas_when_used():
    assert "pandas" in modules_after("import evaluator\nevaluator.Assessment")


def test_every_public_name_loads():
    for name in evaluator.__all__:
        assert getattr(evaluator, name) is not None, name
    assert set(evaluator.__all__) <= set(dir(evaluator))
    with pytest.raises(AttributeError):
        evaluator.no_such_name


def test_evaluate_is_callable_after_its_module_is_imported():
    out = subprocess.run([sys.executable, "-c", (
        "import evaluator.evaluate, evaluator\n"
        "from evaluator.evaluate import evaluate as pipeline\n"
        "from evaluator.resources import demo_panel_path\n"
        "fw = evaluator.load_framework('resource_city_transition')\n"
        "r = evaluator.evaluate(fw, evaluator.load_panel(demo_panel_path(), fw))\n"
        "print(type(r).__name__, callable(pipeline), callable(evaluator.report))")],
        capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)},
        cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["Assessment", "True", "True"]


@pytest.mark.parametrize("name", list_builtin())
def test_the_frameworks_listing_reads_what_loading_builds(name):
    title, count = builtin_summary(name)
    fw = load_framework(name)
    assert (title.zh, title.en, count) == (fw.name.zh, fw.name.en, len(fw.indicators))
