"""Shared fixtures: the reference data folder and small frameworks/panels."""
from __future__ import annotations

import os
from pathlib import Path

import pytest

REFERENCE_ENV = "EVALUATOR_REFERENCE_DATA"

# the tests read messages in English unless they ask for a language (--lang, set_lang):
# the default would otherwise follow the machine's locale
os.environ["EVALUATOR_LANG"] = "en"


def reference_path(*parts: str) -> Path:
    """A file of ../shared/reference: skip when the variable is unset, fail when a file
    that should be there is missing (see shared/reference/README.md)."""
    root = os.environ.get(REFERENCE_ENV)
    if not root:
        pytest.skip(f"{REFERENCE_ENV} is not set (CI sets it to ../shared/reference)")
    path = Path(root).joinpath(*parts)
    if not path.exists():
        pytest.fail(f"reference file missing: {path}")
    return path


@pytest.fixture
def write(tmp_path):
    """Write text to a file in tmp_path and return its path."""
    def _write(name: str, text: str, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        path.write_text(text, encoding=encoding)
        return path
    return _write


@pytest.fixture(autouse=True)
def _language_reset():
    """A command run with --lang zh (CliRunner, same process) must not leave the next
    test in Chinese."""
    from evaluator import i18n
    token = i18n._CURRENT.set(None)
    yield
    i18n._CURRENT.reset(token)
