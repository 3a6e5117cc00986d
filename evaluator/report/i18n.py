"""The report's words: the project-wide catalogue :mod:`evaluator.i18n` in one language.

Every label of the report is looked up by key; a key missing in the chosen language is
an error (:class:`MissingMessage`), never a silent fallback, so a report is either fully
translated or not written. The report's labels live in ``evaluator/messages/report.yaml``.
"""
from __future__ import annotations

from ..i18n import LANGS, Messages, MissingMessage, load_messages, placeholders

__all__ = ["LANGS", "Messages", "MissingMessage", "check_lang", "load_messages",
           "placeholders"]


def check_lang(lang: str) -> str:
    return Messages(lang).lang
