"""Rendering the HTML report: Jinja2 templates from ``reports/`` with autoescaping on,
the stylesheet and script inlined, one self-contained file.

Safety: every text from the inputs reaches the page through autoescaped template
variables or through :mod:`evaluator.report.svg` (which escapes); the only markup passed
as safe is our own (CSS, script, SVG built by the chart code). Data for the script is
JSON made safe for a ``<script>`` element by :func:`script_json`.
"""
from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

import jinja2
from markupsafe import Markup

from .publish import write_atomically
from ..resources import reports_dir

TEMPLATE = "report.html.j2"
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026",
                   "\u2028": "\\u2028", "\u2029": "\\u2029"}


def script_json(value: Any) -> Markup:
    """JSON that cannot end its ``<script>`` element early or open a comment: ``<``,
    ``>`` and ``&`` (and the JavaScript line separators) become ``\\u003c``-style escapes,
    which JSON.parse reads back to the same characters."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return Markup("".join(_SCRIPT_ESCAPES.get(ch, ch) for ch in text))


def _autoescape(name: str | None) -> bool:
    return name is None or name.endswith((".html", ".html.j2", ".svg.j2"))


_DICT_ATTRIBUTES = frozenset(dir(dict))


class _Environment(jinja2.Environment):
    """Jinja2's environment, reading ``item.name`` of a plain dict (the report's context
    is made of dicts) as ``item["name"]`` at once: Jinja2 first asks ``getattr``, whose
    AttributeError costs more than the lookup (~100,000 of them per report). A name that
    is an attribute of every dict (``items``, ``values`` …) still means the attribute,
    and anything else goes to Jinja2, so each expression gives what it gave before."""

    def getattr(self, obj, attribute):
        if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
            try:
                return obj[attribute]
            except (KeyError, TypeError):
                pass
        return super().getattr(obj, attribute)


@functools.lru_cache(maxsize=4)
def environment(folder: str | None = None) -> jinja2.Environment:
    env = _Environment(
        loader=jinja2.FileSystemLoader(folder or str(reports_dir())),
        autoescape=_autoescape, undefined=jinja2.StrictUndefined,
        trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    return env


def _asset(name: str) -> str:
    text = (reports_dir() / name).read_text(encoding="utf-8")
    closing = "</style" if name.endswith(".css") else "</script"
    if closing in text.lower():
        raise ValueError(f"reports/{name} must not contain {closing}")
    return text


def render_html(bundle) -> str:
    """The whole report as one HTML document (a string)."""
    env = environment()
    template = env.get_template(TEMPLATE)
    ctx = dict(bundle.context)
    ctx.update(t=bundle.t, lang=bundle.lang, css=Markup(_asset("report.css")),
               js=Markup(_asset("report.js")),
               script_data=script_json({
                   "lang": bundle.lang,
                   "shown": bundle.t("search.shown"), "none": bundle.t("search.none"),
                   "sort": bundle.t("sort.hint")}))
    return template.render(**ctx)


def write_html(bundle, path: str | Path) -> Path:
    """Render and write ``report.html`` atomically (temporary file, then rename); an
    :class:`EvaluatorError` naming ``path`` when it cannot be written."""
    text = render_html(bundle)
    return write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
