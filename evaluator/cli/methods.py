"""`evaluator methods [FAMILY] [NAME]`: the registered methods with their parameters,
intermediate quantities and references, in the user's language. Reads the registries
(:mod:`evaluator.registry`) only: a plugin's method is listed like a built-in one."""
from __future__ import annotations

import click

from .common import lang_option, user_errors
from .. import registry
from ..i18n import get_lang, t

EPILOG = """\b
Examples:
  evaluator methods
  evaluator methods aggregations
  evaluator methods aggregations vikor --lang zh
"""


def _param_line(p: registry.Param, lang: str) -> str:
    meaning = (p.zh or p.en) if lang == "zh" else (p.en or p.zh)
    default = "" if p.default is None and not p.nullable else \
        f"; {t('methods.default', lang)} {p.default!r}"
    return (f"    {p.name}: {meaning}  [{t('methods.allowed', lang)} {p.allowed()}{default}]"
            + (f"  ({p.reference})" if p.reference else ""))


def describe(m: registry.Method, lang: str, *, full: bool) -> list[str]:
    """Lines describing one method (its title, and in full its parameters, tables,
    formula, reference and origin)."""
    title = (m.title[1] or m.title[0]) if lang == "zh" else (m.title[0] or m.title[1])
    lines = [f"  {m.name:<20} {title}"]
    if not full:
        if m.params:
            lines.append("    " + ", ".join(f"{p.name}={p.default!r}" for p in m.params))
        return lines
    lines.append(f"  {t('methods.heading.params', lang)}:")
    lines += [_param_line(p, lang) for p in m.params] or [f"    {t('methods.none', lang)}"]
    if m.tables:
        lines.append(f"  {t('methods.heading.tables', lang)}:")
        lines += [f"    {tb.name} ({tb.symbol or tb.name}, {tb.per}): "
                  f"{tb.zh if lang == 'zh' else tb.en}" for tb in m.tables]
    if m.formula:
        lines.append(f"  {t('methods.heading.formula', lang)}: {m.formula}")
    if m.reference:
        lines.append(f"  {t('methods.heading.reference', lang)}: {m.reference}")
    lines.append(f"  {t('methods.heading.origin', lang)}: {m.origin}")
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
                      + t("registry.unknown.fix", valid=", ".join(known),
                          hint=t("registry.did_you_mean", names=", ".join(map(repr, hint)))
                          if hint else ""), param, ctx)
        return value
