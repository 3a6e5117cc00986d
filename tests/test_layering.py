"""The layers of docs/architecture.md, enforced: every ``evaluator`` import (absolute or
relative, at module level or inside a function) must point to the same layer or one the
importer may use. A wrong import — the model reaching into the stages, a method reading a
Framework, a stage calling the CLI — fails here, naming the file, line and the rule."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "evaluator"

# top-level module or package → layer (docs/architecture.md draws the same table)
LAYER_OF = {
    # foundation: errors, version, message catalogue, package data, writing output sets
    "__version__": "foundation", "errors": "foundation", "resources": "foundation",
    "output": "foundation", "output_set": "foundation", "i18n": "foundation",
    "registry": "foundation", "_startup": "foundation",
    "io": "foundation", "callable_module": "foundation",
    # nouns and verbs: independent of each other
    "model": "model", "coinr": "model", "demo_panel": "model",
    "methods": "methods",
    # methods applied over the framework tree; data-quality checks
    "stages": "stages", "quality": "stages",
    # the pipelines: the only code that knows the order of the steps
    "evaluate": "pipelines", "sensitivity": "pipelines", "store": "pipelines",
    "disparity": "pipelines",
    # faces: the command line, the report, the package's public API
    "cli": "faces", "report": "faces", "__main__": "faces", "__init__": "faces",
    "api": "faces",
}
MAY_IMPORT = {
    "foundation": {"foundation"},
    "model": {"foundation", "model"},
    "methods": {"foundation", "methods"},
    "stages": {"foundation", "model", "methods", "stages"},
    "pipelines": {"foundation", "model", "methods", "stages", "pipelines"},
    "faces": {"foundation", "model", "methods", "stages", "pipelines", "faces"},
}


def _top(dotted: str) -> str:
    """``evaluator.model.panel`` → ``model``; ``evaluator`` → ``__init__``."""
    parts = dotted.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _is_module(dotted: str) -> bool:
    path = PACKAGE.parent.joinpath(*dotted.split("."))
    return path.is_dir() or path.with_suffix(".py").is_file()


def imports_of(parts: tuple[str, ...], source: str) -> list[tuple[int, str]]:
    """(line, imported evaluator module) for every import in the module ``parts``
    (``("evaluator", "model", "assessment")``) whose text is ``source``."""
    package = list(parts[:-1])
    out = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0]
                    == "evaluator"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[:len(package) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "evaluator":
                continue
            for alias in node.names:   # `from evaluator import resources` imports a module
                sub = f"{target}.{alias.name}"
                if target == "evaluator" and alias.name == "__version__":
                    out.append((node.lineno, "evaluator.__version__"))
                else:
                    out.append((node.lineno, sub if _is_module(sub) else target))
    return out


def violations(parts: tuple[str, ...], source: str) -> list[str]:
    """Every import of the module ``parts`` that points to a layer it may not use."""
    name = "/".join(parts) + ".py"
    own = LAYER_OF.get(_top(".".join(parts)))
    if own is None:
        return [f"{name} has no layer"]
    wrong = []
    for line, target in imports_of(parts, source):
        layer = LAYER_OF.get(_top(target))
        if layer is None or layer not in MAY_IMPORT[own]:
            wrong.append(f"{name}:{line} ({own}) imports {target} ({layer or 'no layer'})")
    return wrong


def _parts(path: Path) -> tuple[str, ...]:
    return path.relative_to(PACKAGE.parent).with_suffix("").parts


def _modules():
    return sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    unknown = sorted({_top(".".join(_parts(p))) for p in _modules()} - set(LAYER_OF))
    assert not unknown, (f"top-level modules without a layer: {unknown}; add them to "
                         "LAYER_OF here and to the table in docs/architecture.md")


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    wrong = violations(_parts(path), path.read_text(encoding="utf-8"))
    assert not wrong, "imports against docs/architecture.md:\n" + "\n".join(wrong)


@pytest.mark.parametrize("parts, source, bad", [
    # the model reaching into the stages (as assessment.py once did, inside a method)
    (("evaluator", "model", "x"), "def f():\n    from ..stages.diagnostics import b\n", True),
    (("evaluator", "methods", "x"), "from ..model.framework import ROOT\n", True),
    (("evaluator", "methods", "x"), "from evaluator.model import framework\n", True),
    (("evaluator", "stages", "x"), "import evaluator.cli.main\n", True),
    (("evaluator", "stages", "x"), "from ..evaluate import evaluate\n", True),
    (("evaluator", "model", "x"), "from .. import __version__\n", False),
    (("evaluator", "stages", "x"), "from ..methods import weighting\n", False),
    (("evaluator", "cli", "x"), "from ..evaluate import evaluate\n", False),
])
def test_the_checker_catches_wrong_imports(parts, source, bad):
    assert bool(violations(parts, source)) is bad
