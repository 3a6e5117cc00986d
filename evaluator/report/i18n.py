"""The report's words in English and Chinese, from ``reports/messages.yaml``.

Every label of the report is looked up by key; a key missing in the chosen language is
an error (:class:`MissingMessage`), never a silent fallback, so a report is either fully
translated or not written. ``tests/test_report.py`` checks that every key the templates
and the report code use exists in both languages with the same placeholders.
"""
from __future__ import annotations

import functools
import string
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import EvaluatorError
from ..resources import reports_dir

LANGS = ("en", "zh")
MESSAGES_FILE = "messages.yaml"


class MissingMessage(KeyError):
    """A report label without a translation: a bug in the report, not a user error."""


def check_lang(lang: str) -> str:
    if lang not in LANGS:
        raise EvaluatorError(f"unknown report language {lang!r}", fix="use en or zh")
    return lang


@functools.lru_cache(maxsize=4)
def _load(path: str) -> dict[str, dict[str, str]]:
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    if not isinstance(raw, Mapping):
        raise MissingMessage(f"{path} must be a mapping of keys to {{en, zh}}")
    return {str(k): {str(lang): str(text) for lang, text in (v or {}).items()}
            for k, v in raw.items()}


def load_messages(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The whole table: key → {en: text, zh: text}."""
    return _load(str(path or reports_dir() / MESSAGES_FILE))


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (what :meth:`Messages.t` must be given)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


class Messages:
    """Labels in one language: ``t("ranking.title")``, ``t("rank_of", r=3, n=262)``."""

    def __init__(self, lang: str, table: Mapping[str, Mapping[str, str]] | None = None):
        self.lang = check_lang(lang)
        self.table = table if table is not None else load_messages()
        self.used: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.table

    def t(self, key: str, **values: Any) -> str:
        entry = self.table.get(key)
        if entry is None or not entry.get(self.lang):
            raise MissingMessage(f"report message {key!r} has no {self.lang} text "
                                 f"(add it to reports/{MESSAGES_FILE})")
        self.used.add(key)
        text = entry[self.lang]
        return text.format(**values) if values else text

    __call__ = t

    def both(self, key: str) -> str:
        """``"primary / other"``: a bilingual label (workbook headers), the report's
        language first."""
        other = "zh" if self.lang == "en" else "en"
        first = self.t(key)
        second = Messages(other, self.table).t(key)
        return first if first == second else f"{first} / {second}"
