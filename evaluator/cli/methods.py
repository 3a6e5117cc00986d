"""`evaluator methods [FAMILY] [NAME]`: the registered methods with their parameters,
intermediate quantities and references, in the user's language. Reads the registries
(:mod:`evaluator.registry`) only: a plugin's method is listed like a built-in one."""
from __future__ import annotations

import click

from .common import lang_option, user_errors
from .. import registry
from ..i18n import get_lang, has, t

EPILOG = """\b
Examples:
  evaluator methods
  evaluator methods aggregations
  evaluator methods aggregations vikor --lang zh
"""


_COLON = {"en": ": ", "zh": "："}
_SEP = {"en": "; ", "zh": "；"}
# the catalogue's formula texts (shared with the report's methods appendix) by family
_FORMULA_KEYS = {"normalisations": "normalise", "weights": "weights",
                 "aggregations": "aggregate", "disparity": "disparity"}


def _value(value) -> str:
    """A default as the recipe writes it (YAML: null, true, [0, 100])."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_value(v)}" for k, v in value.items()) + "}"
    return str(value)


def _param_line(p: registry.Param, lang: str) -> str:
    meaning = (p.zh or p.en) if lang == "zh" else (p.en or p.zh)
    default = "" if p.default is None and not p.nullable else \
        f"{_SEP[lang]}{t('methods.default', lang)} {_value(p.default)}"
    return (f"    {p.name}{_COLON[lang]}{meaning}  [{t('methods.allowed', lang)} {p.allowed(lang)}{default}]"
            + (f"  ({p.reference})" if p.reference else ""))


def formula(m: registry.Method, lang: str) -> str:
    """A built-in method's formula from the catalogue; a plugin's as it registered it
    (a string, or an (English, Chinese) pair)."""
    key = f"formula.{_FORMULA_KEYS[m.family]}.{m.name}.text"
    if m.origin == "built-in" and has(key):
        return t(key, lang)
    return m.formula_in(lang)


def origin(m: registry.Method, lang: str) -> str:
    """Built-in, or the plugin module that registered the method, in words."""
    if m.origin == "built-in":
        return t("registry.origin.builtin", lang)
    if m.origin.startswith("plugin "):
        return t("registry.origin.plugin", lang, module=m.origin[len("plugin "):])
    return m.origin


def _per(m: registry.Method, per: str, lang: str) -> str:
    key = f"registry.per.{per}" + ("_disparity" if m.family == "disparity" and per == "row"
                                   else "")
    return t(key, lang) if has(key) else per


def describe(m: registry.Method, lang: str, *, full: bool) -> list[str]:
    """Lines describing one method (its title, and in full its parameters, tables,
    formula, reference and origin)."""
    lines = [f"  {m.name:<20} {m.title_in(lang)}"]
    if not full:
        if m.params:
            lines.append("    " + ", ".join(f"{p.name}={_value(p.default)}" for p in m.params))
        return lines
    lines.append(f"  {t('methods.heading.params', lang)}{_COLON[lang].rstrip()}")
    lines += [_param_line(p, lang) for p in m.params] or [f"    {t('methods.none', lang)}"]
    if m.tables:
        lines.append(f"  {t('methods.heading.tables', lang)}{_COLON[lang].rstrip()}")
        lines += [f"    {tb.name} ({tb.symbol or tb.name}; {_per(m, tb.per, lang)}){_COLON[lang]}"
                  f"{tb.zh if lang == 'zh' else tb.en}" for tb in m.tables]
    text = formula(m, lang)
    if text:
        lines.append(f"  {t('methods.heading.formula', lang)}{_COLON[lang]}{text}")
    if m.reference:
        lines.append(f"  {t('methods.heading.reference', lang)}{_COLON[lang]}{m.reference}")
    lines.append(f"  {t('methods.heading.origin', lang)}{_COLON[lang]}{origin(m, lang)}")
    return lines


@click.command("methods", epilog=EPILOG, help=t("methods.command.help", "en"))
@click.argument("family", required=False)
@click.argument("name", required=False)
@lang_option
@user_errors
def methods(family, name, lang):
    lang = lang or get_lang()
    families = [family] if family else list(registry.FAMILIES)
    out: list[str] = []
    for fam in families:
        found = registry.methods(fam)
        chosen = [registry.get(fam, name, where=f"evaluator methods {fam}")] if name \
            else list(found.values())
        out.append(f"{t('registry.family.' + fam, lang)} ({fam})")
        for m in chosen:
            out += describe(m, lang, full=bool(name))
        out.append("")
    for plugin, reason in registry.plugin_errors().items():
        out.append(t("warning.line", lang,
                     message=t("methods.plugin_failed", lang, name=plugin, reason=reason)))
    click.echo("\n".join(out).rstrip())


class RegistryName(click.ParamType):
    """An option naming a registered method of ``family``, checked against the registry
    when the command runs (so plugins count, and the registry loads only when needed)."""

    name = "method"

    def __init__(self, family: str, *, nodes: bool = False):
        self.family, self.nodes = family, nodes

    def get_metavar(self, param, ctx=None) -> str:
        return f"[see `evaluator methods {self.family}`]"

    def convert(self, value, param, ctx):
        known = [n for n, m in registry.methods(self.family).items()
                 if self.nodes or not m.has("nodes_only")]
        if value not in known:
            hint = registry.near_matches(str(value), known)
            self.fail(t(f"registry.unknown.{self.family}", name=value) + "; "
                      + str(registry.valid_fix(known, hint)), param, ctx)
        return value
