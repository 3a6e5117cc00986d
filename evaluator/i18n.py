"""Every word the user reads, in English and Chinese, from one catalogue.

The catalogue is the YAML files of ``evaluator/messages/`` (``report.yaml``, ``cli.yaml``,
``errors-*.yaml``…), read together as one table ``key → {en: text, zh: text}``. A key is
defined once across all files; both languages carry the same ``{placeholders}``
(``tests/test_i18n.py`` fails otherwise).

Language, in order of precedence: ``--lang`` of the command (:func:`set_lang`), the
``EVALUATOR_LANG`` environment variable, the system locale (``zh_*`` → zh, anything else
→ en). :func:`get_lang` answers it.

* ``t(key, lang=None, **params)`` — a message as text, now (``lang`` defaults to
  :func:`get_lang`).
* ``M(key, **params)`` — a message that can be rendered again in the other language: a
  ``str`` (its text in the language current when it was made) that remembers its key and
  parameters. Errors (``raise DataError(M("panel.no_year", file=path), fix=M(...))``) and
  warnings are made of these, so the CLI and the report show them in their language
  (:func:`localise`).

A key missing in the language asked for is :class:`MissingMessage` — a bug of the tool,
never a silent fallback to the other language.
"""
from __future__ import annotations

import contextvars
import functools
import locale
import os
import reprlib
import string
from pathlib import Path
from typing import Any, Mapping

import yaml

LANGS = ("en", "zh")
ENV_VAR = "EVALUATOR_LANG"
_CURRENT: contextvars.ContextVar[str | None] = contextvars.ContextVar("evaluator_lang",
                                                                      default=None)


class MissingMessage(KeyError):
    """A message without text in a language: a bug of the tool, not a user error."""


# -- the language -----------------------------------------------------------------------------
def system_lang() -> str:
    """zh when the locale is Chinese (``LC_ALL``, ``LC_MESSAGES``, ``LANG``, then Python's
    locale), en otherwise."""
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = os.environ.get(var)
        if value:
            return "zh" if value.lower().startswith("zh") else "en"
    try:
        name = locale.getlocale()[0] or ""
    except ValueError:  # an unparsable locale setting
        name = ""
    return "zh" if name.lower().startswith(("zh", "chinese")) else "en"


def _checked(lang: str, origin: str) -> str:
    value = str(lang).strip().lower()
    if value.startswith("zh"):
        value = "zh"
    elif value.startswith("en"):
        value = "en"
    if value not in LANGS:
        from .errors import EvaluatorError
        params = {"value": lang, "origin": origin}
        raise EvaluatorError(Msg("lang.unknown", params, t("lang.unknown", "en", **params)),
                             fix=Msg("lang.unknown.fix", {}, t("lang.unknown.fix", "en")))
    return value


def resolve_lang(explicit: str | None = None) -> str:
    """``explicit`` (a command's ``--lang``), else ``EVALUATOR_LANG``, else the locale."""
    if explicit:
        return _checked(explicit, "--lang")
    env = os.environ.get(ENV_VAR)
    if env and env.strip():
        return _checked(env, ENV_VAR)
    return system_lang()


def set_lang(lang: str | None) -> str:
    """Make ``lang`` (resolved as :func:`resolve_lang` does) the current language."""
    value = resolve_lang(lang)
    _CURRENT.set(value)
    return value


def get_lang() -> str:
    """The current language: the last :func:`set_lang`, else ``EVALUATOR_LANG``/locale."""
    value = _CURRENT.get()
    if value is not None:
        return value
    env = os.environ.get(ENV_VAR, "").strip().lower()[:2]
    # a bad EVALUATOR_LANG is refused by set_lang (every command calls it), not here,
    # where the refusal itself needs a language
    return env if env in LANGS else system_lang()


# -- the catalogue ------------------------------------------------------------------------------
def messages_dir() -> Path:
    return Path(__file__).resolve().parent / "messages"


def catalogue_files() -> list[Path]:
    return sorted(messages_dir().glob("*.yaml"))


# libyaml's safe loader when PyYAML has it (same documents, ~10× faster: the catalogue is
# read at every start of the command line)
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=1)
def _load_all() -> dict[str, dict[str, str]]:
    table: dict[str, dict[str, str]] = {}
    origin: dict[str, str] = {}
    for path in catalogue_files():
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_SAFE_LOADER) or {}
        if not isinstance(raw, Mapping):
            raise MissingMessage(f"{path.name} must be a mapping of keys to {{en, zh}}")
        for key, entry in raw.items():
            key = str(key)
            if key in table:
                raise MissingMessage(f"message {key!r} is defined in both {origin[key]} "
                                     f"and {path.name}")
            table[key] = {str(lang): str(text) for lang, text in (entry or {}).items()}
            origin[key] = path.name
    return table


def load_messages(path: str | Path | None = None) -> dict[str, dict[str, str]]:
    """The whole table: key → {en: text, zh: text} (one file when ``path`` is given)."""
    if path is None:
        return _load_all()
    raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
    return {str(k): {str(lang): str(text) for lang, text in (v or {}).items()}
            for k, v in raw.items()}


def placeholders(text: str) -> set[str]:
    """The ``{name}`` fields of a message (what :func:`t` must be given)."""
    return {field for _, field, _, _ in string.Formatter().parse(text) if field}


def _render(table: Mapping[str, Mapping[str, str]], key: str, lang: str,
            params: Mapping[str, Any]) -> str:
    entry = table.get(key)
    if entry is None or not entry.get(lang):
        raise MissingMessage(f"message {key!r} has no {lang} text "
                             f"(add it to a file of evaluator/messages/)")
    text = entry[lang]
    if not params:   # a text without parameters: as written ({{ }} stand for braces)
        return text.replace("{{", "{").replace("}}", "}")
    return _FORMATTER.vformat(text, (), {k: _shallow(v, lang) for k, v in params.items()})


#: A value quoted in a message (``{value!r}``, or any list, tuple, dict or set) is cut to
#: this many characters, ending in ``…``: no message can quote a huge value (a whole
#: file's content, an alias bomb's expansion), and nothing walks more than a bounded part
#: of a nested value to show it.
QUOTE_LIMIT = 80
_ITEMS = 12
_REPR = reprlib.Repr()
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, QUOTE_LIMIT, QUOTE_LIMIT, 40
_REPR.maxlist = _REPR.maxtuple = _REPR.maxdict = _REPR.maxset = _REPR.maxfrozenset = _ITEMS


def quote(value: Any, limit: int = QUOTE_LIMIT) -> str:
    """``repr(value)`` of at most ``limit`` characters (cut with ``…``), built without
    reading more of the value than it shows."""
    if isinstance(value, str):
        text = repr(str(value) if len(value) <= limit - 2 else str(value[:limit - 3]) + "…")
    else:
        text = _REPR.repr(value)
    return text if len(text) <= limit else text[:limit - 1] + "…"


class _Quoting(string.Formatter):
    """``str.format`` with ``!r`` and containers shown by :func:`quote`."""

    def convert_field(self, value, conversion):
        if conversion == "r" or (conversion is None and type(value) in _CONTAINERS):
            return quote(value)
        return super().convert_field(value, conversion)


_FORMATTER = _Quoting()
_CONTAINERS = (list, tuple, dict, set, frozenset)   # not subclasses: they format themselves


def _shallow(value: Any, lang: str) -> Any:
    """A parameter in ``lang``: a message rendered; a list's first items localised (a
    nested or huge list is never walked whole: :func:`quote` shows a bounded part)."""
    if type(value) in (list, tuple):
        head = [e if isinstance(e, (list, tuple, dict)) else localise(e, lang)
                for e in value[:_ITEMS]]
        return head + list(value[_ITEMS:]) if isinstance(value, list) \
            else tuple(head) + tuple(value[_ITEMS:])
    return localise(value, lang)


def has(key: str) -> bool:
    """Whether the catalogue has ``key``."""
    return key in _load_all()


def words(prefix: str, lang: str | None = None) -> dict[str, Any]:
    """Every message under ``prefix`` in ``lang`` as a dict (``prefix.a.b`` → ``["a"]["b"]``),
    unformatted: for code that fills the texts itself (the quality and AHP reports)."""
    lang = lang or get_lang()
    out: dict[str, Any] = {}
    start = prefix + "."
    for key in _load_all():
        if key.startswith(start):
            *path, last = key[len(start):].split(".")
            node = out
            for part in path:
                node = node.setdefault(part, {})
            node[last] = _load_all()[key][lang] if _load_all()[key].get(lang) \
                else _render(_load_all(), key, lang, {})
    return out


def t(key: str, lang: str | None = None, /, **params: Any) -> str:
    """The text of ``key`` in ``lang`` (default: the current language), filled in."""
    return _render(_load_all(), key, lang or get_lang(), params)


class Msg(str):
    """A message that knows its key: its text in the language current when it was made,
    and :meth:`render` for any other. Parameters that are themselves :class:`Msg` are
    rendered in the same language."""

    key: str
    params: dict[str, Any]

    def __new__(cls, key: str, params: Mapping[str, Any] | None = None,
                text: str | None = None):
        params = dict(params or {})
        self = super().__new__(cls, text if text is not None else t(key, None, **params))
        self.key = key
        self.params = params
        return self

    def render(self, lang: str) -> str:
        return t(self.key, lang, **self.params)

    def __reduce__(self):  # pickled (worker processes) with its key, not only its text
        return (Msg, (self.key, self.params, str(self)))


class _Pair(Msg):
    """A message whose two texts were composed by the code (a finding with both
    languages built together); no catalogue key."""

    def __new__(cls, en: str, zh: str):
        self = str.__new__(cls, zh if get_lang() == "zh" else en)
        self.key = ""
        self.params = {"en": en, "zh": zh}
        return self

    def render(self, lang: str) -> str:
        return self.params["zh" if lang == "zh" else "en"]

    def __reduce__(self):
        return (_Pair, (self.params["en"], self.params["zh"]))


class _Joined(Msg):
    """Parts rendered each in the language asked for and joined (a location such as
    "a.csv, row 5" made of a file name and a message); no catalogue key."""

    def __new__(cls, parts):
        parts = tuple(parts)
        self = str.__new__(cls, "".join(str(localise(p)) for p in parts))
        self.key = ""
        self.params = {"parts": parts}
        return self

    def render(self, lang: str) -> str:
        return "".join(str(localise(p, lang)) for p in self.params["parts"])

    def __reduce__(self):
        return (_Joined, (self.params["parts"],))


def compose(*parts: Any) -> Msg:
    """Messages and plain text (names, numbers, punctuation) joined into one message that
    renders each part in the language asked for."""
    return _Joined(parts)


def joined(items, sep: Any = None) -> Msg:
    """Items as one message, separated by ``sep`` (default: ``, `` / ``、`` by language)."""
    sep = M("list.sep") if sep is None else sep
    parts: list[Any] = []
    for item in items:
        parts += [sep, item] if parts else [item]
    return _Joined(parts)


def suggest(hint, then: Any = "") -> Msg:
    """A fix that starts "did you mean …? " when ``hint`` names close matches (a text, or
    a list quoted here), followed by ``then`` (e.g. ``M("hint.valid", values=…)``)."""
    if isinstance(hint, (list, tuple)):
        hint = ", ".join(map(repr, hint))
    return compose(M("registry.did_you_mean", names=hint), then) if hint else compose(then)


def bilingual(en: str, zh: str) -> Msg:
    """A message from its two texts, for code that composes both (prefer :func:`M`)."""
    return _Pair(en, zh)


class Listing(list):
    """Items (messages or text) shown joined by their placeholder's format spec, so each
    language chooses its separator: ``{items:; }`` / ``{items:；}`` (default ``, ``)."""

    def __format__(self, spec: str) -> str:
        return (spec or ", ").join(str(x) for x in self)


def M(key: str, /, **params: Any) -> Msg:
    """A message to be shown later, possibly in another language (errors, warnings)."""
    return Msg(key, params)


def localise(value: Any, lang: str | None = None) -> Any:
    """A :class:`Msg` in ``lang`` (default: current); a bilingual name in ``lang``; a
    list/tuple element-wise; anything else unchanged (names, numbers, ids are the same in both languages)."""
    if isinstance(value, Msg):
        return value.render(lang or get_lang())
    if hasattr(value, "zh") and hasattr(value, "en") and callable(getattr(value, "get", None)):
        return value.get(lang or get_lang())   # a bilingual name (model.names.Name)
    if isinstance(value, (list, tuple)):
        return type(value)(localise(v, lang) for v in value)
    return value


def join(items, lang: str | None = None) -> str:
    """Items as a list in running text: ``a, b, c`` / ``a、b、c``."""
    lang = lang or get_lang()
    return ("、" if lang == "zh" else ", ").join(str(localise(i, lang)) for i in items)


class Messages:
    """Messages in one fixed language (the report's): ``t("ranking.title")``,
    ``t("rank_of", r=3, n=262)``; records the keys it used."""

    def __init__(self, lang: str, table: Mapping[str, Mapping[str, str]] | None = None):
        self.lang = _checked(lang, "lang")
        self.table = table if table is not None else _load_all()
        self.used: set[str] = set()

    def has(self, key: str) -> bool:
        return key in self.table

    def t(self, key: str, **values: Any) -> str:
        text = _render(self.table, key, self.lang, values)
        self.used.add(key)
        return text

    __call__ = t

    def both(self, key: str) -> str:
        """``"primary / other"``: a bilingual label (workbook headers), this language
        first."""
        other = "zh" if self.lang == "en" else "en"
        first = self.t(key)
        second = Messages(other, self.table).t(key)
        return first if first == second else f"{first} / {second}"

    def local(self, value: Any) -> Any:
        """A :class:`Msg` (a warning, an error) in this language."""
        return localise(value, self.lang)
