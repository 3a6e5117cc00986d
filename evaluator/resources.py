"""Where the built-in data folders are, in a source checkout and after `pip install .`.

setup.cfg maps ``indicator_sets/``, ``weights/`` and ``reports/`` into the package as
``evaluator/indicator_sets`` etc.; in a checkout they sit beside the package.
"""
from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def _data_dir(name: str) -> Path:
    installed = _PACKAGE / name
    if installed.is_dir():
        return installed
    return _PACKAGE.parent / name


def indicator_sets_dir() -> Path:
    return _data_dir("indicator_sets")


def weights_dir() -> Path:
    return _data_dir("weights")


def reports_dir() -> Path:
    return _data_dir("reports")


def demo_panel_path() -> Path:
    return indicator_sets_dir() / "demo_panel.csv"
