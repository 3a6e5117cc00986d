"""`pip install .` (not only an editable install) must ship every code package and the
message catalogue: a package missing from setup.cfg passes every test in a checkout and
breaks the installed command (seen once: `evaluator.registry`)."""
from __future__ import annotations

import configparser
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _listed_packages() -> set[str]:
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    return {line.strip() for line in cfg["options"]["packages"].splitlines() if line.strip()}


def test_every_code_package_is_listed_in_setup_cfg():
    found = {".".join(p.parent.relative_to(ROOT).parts)
             for p in (ROOT / "evaluator").rglob("__init__.py")}
    missing = sorted(found - _listed_packages())
    assert not missing, f"add these to [options] packages in setup.cfg: {missing}"


def test_listed_packages_exist():
    data = {"evaluator.indicator_sets", "evaluator.weights", "evaluator.reports"}
    for name in _listed_packages() - data:
        assert (ROOT / Path(*name.split(".")) / "__init__.py").is_file(), name
