"""``--help`` and click's own messages in the user's language.

The commands keep their English help in the code (``help=`` of each option, the
docstring and epilog of each command); ``messages/help.yaml`` holds each of those texts
with its Chinese, matched by the English text, so a command's help needs no key of its
own. Click's words ("Usage:", "Options", "Missing option", "No such option …") come
from ``messages/click.yaml`` through the ``gettext`` hooks click calls.

:func:`install` wraps the group's ``main``: before click parses anything, the language
is taken from ``--lang`` wherever it stands on the command line (``evaluator score
--lang zh --help``), else ``EVALUATOR_LANG`` or the locale, and every help text is set in
it. ``tests/test_i18n.py`` fails when a help text has no entry.
"""
from __future__ import annotations

import functools
import inspect
from typing import Any, Iterator

import click

from ..i18n import load_messages, resolve_lang, set_lang

HELP_PREFIX, CLICK_PREFIX = "help.", "click."
OPTION_PREFIX = "cli.option."    # option helps the code takes from the catalogue itself
_STATE = {"lang": "en"}      # the language of the command line being run (click's words)
_CLICK_MODULES = ("core", "exceptions", "parser", "types", "formatting", "decorators",
                  "termui", "utils")


@functools.lru_cache(maxsize=1)
def _table(prefix: str) -> dict[str, dict[str, str]]:
    """English text → {en, zh} of the catalogue keys under ``prefix``."""
    prefixes = (HELP_PREFIX, OPTION_PREFIX) if prefix == HELP_PREFIX else (prefix,)
    return {inspect.cleandoc(entry["en"]) if prefix == HELP_PREFIX else entry["en"]: entry
            for key, entry in load_messages().items() if key.startswith(prefixes)}


def help_objects(group: click.Command) -> Iterator[tuple[Any, str]]:
    """(object, attribute) of every help text of the command line: each command's help
    and epilog, each parameter's help."""
    def walk(cmd):
        yield cmd, "help"
        yield cmd, "epilog"
        for param in cmd.params:
            yield param, "help"
        for sub in getattr(cmd, "commands", {}).values():
            yield from walk(sub)
    yield from walk(group)


def english_help(obj, attr: str) -> str | None:
    """The code's English text of a help (kept when the help is shown in Chinese)."""
    saved = obj.__dict__.setdefault("_evaluator_help_en", {})
    if attr not in saved:
        text = getattr(obj, attr, None)
        saved[attr] = inspect.cleandoc(text) if text else None
    return saved[attr]


def apply(group: click.Command, lang: str) -> None:
    """Set every help text of ``group`` and its commands in ``lang``."""
    table = _table(HELP_PREFIX)
    for obj, attr in help_objects(group):
        english = english_help(obj, attr)
        if english:
            entry = table.get(english)
            setattr(obj, attr, entry[lang] if entry else english)
        if isinstance(obj, click.Command) and hasattr(obj, "_help_option"):
            obj._help_option = None     # click caches --help with its text: make it anew


def _gettext(message: str) -> str:
    if _STATE["lang"] != "zh":
        return message
    entry = _table(CLICK_PREFIX).get(message)
    return entry["zh"] if entry else message


def _ngettext(singular: str, plural: str, n: int) -> str:
    return _gettext(singular if n == 1 else plural)


def lang_of(args) -> str:
    """The language a command line asks for: ``--lang X`` / ``--lang=X`` anywhere, else
    ``EVALUATOR_LANG`` or the locale (a bad value is refused later, by the command)."""
    args = [str(a) for a in args]
    for k, arg in enumerate(args):
        value = (args[k + 1] if arg == "--lang" and k + 1 < len(args)
                 else arg.split("=", 1)[1] if arg.startswith("--lang=") else None)
        if value:
            try:
                return resolve_lang(value)
            except click.ClickException:
                raise
            except Exception:   # an unknown language: the command's --lang says so
                break
    try:
        return resolve_lang(None)
    except Exception:
        return "en"


def install(group: click.Command) -> click.Command:
    """Make ``group.main`` set the language, the help texts and click's words first."""
    import importlib
    for name in _CLICK_MODULES:
        module = importlib.import_module(f"click.{name}")
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext
    original = group.main

    @functools.wraps(original)
    def main(args=None, *rest, **kwargs):
        import sys
        lang = lang_of(sys.argv[1:] if args is None else args)
        set_lang(lang)
        _STATE["lang"] = lang
        apply(group, lang)
        try:
            return original(args, *rest, **kwargs)
        finally:    # the commands stay English for whoever calls them without main()
            _STATE["lang"] = "en"
            if lang != "en":
                apply(group, "en")
    group.main = main
    return group
