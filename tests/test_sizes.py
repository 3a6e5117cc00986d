"""The sizes docs/design-notes.md sets: no module over 550 lines (one idea a module) and
``evaluate()`` a short list of named stages (at most 40 lines with its docstring)."""
from __future__ import annotations

import ast
import importlib
import inspect
from pathlib import Path


PACKAGE = Path(__file__).resolve().parents[1] / "evaluator"
MAX_MODULE_LINES = 550
MAX_EVALUATE_LINES = 40
# the module, not the function `evaluator.evaluate` the package re-exports
pipeline = importlib.import_module("evaluator.evaluate")


def test_no_module_is_too_long():
    long = {str(p.relative_to(PACKAGE)): n for p in sorted(PACKAGE.rglob("*.py"))
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES}
    assert not long, f"modules over {MAX_MODULE_LINES} lines (split them): {long}"


def test_evaluate_is_a_short_list_of_stages():
    source = inspect.getsource(pipeline.evaluate)
    assert len(source.splitlines()) <= MAX_EVALUATE_LINES
    body = ast.parse(source).body[0].body[1:]   # after the docstring
    # nothing but calls of named stages: no loops, branches or arithmetic of its own
    assert all(isinstance(node, (ast.Expr, ast.Assign, ast.Return)) for node in body)
    assert not any(isinstance(n, (ast.For, ast.While, ast.If, ast.BinOp))
                   for node in body for n in ast.walk(node))
