"""A blank expert judgement file for a framework's tree, for an expert panel to fill.

The format is the one :mod:`evaluator.model.judgements` reads (DESIGN.md §4). YAML cannot
carry comments through a dump, so the file is written line by line: the items' names go
in comments beside their ids, in both languages by default.
"""
from __future__ import annotations

import json

import yaml

from ..i18n import t
from .framework import ROOT, Framework


def scale_note() -> str:
    """The comment block on Saaty's scale, in the current language."""
    return t("tpl.scale") + "\n"




def _yaml_key(text: str) -> str:
    """``text`` as a YAML key that reads back as the same string (quote `no`, `1e3` …)."""
    try:
        plain = yaml.safe_load(f"{text}: 0")
    except yaml.YAMLError:
        plain = None
    if isinstance(plain, dict) and list(plain) == [text]:
        return text
    return json.dumps(text, ensure_ascii=False)


def template(framework: Framework, lang_both: bool = True, *, lang: str = "en",
             expert: str = "E1") -> str:
    """A blank judgement file for every node of ``framework`` with two or more children,
    its comments in the current language (:func:`evaluator.i18n.get_lang`): the items
    listed with their names as comments (Chinese and English when ``lang_both``,
    else ``lang``), and one expert's upper-triangle judgements set to the placeholder 1
    (so the blank file already loads: equal weights, CR 0)."""

    def label(item: str) -> str:
        zh, en = framework.label(item, "zh"), framework.label(item, "en")
        if not lang_both:
            return framework.label(item, lang)
        return zh if zh == en else f"{zh} / {en}"

    parents = [ROOT]
    for parent in parents:                      # breadth-first: the root, then each level
        parents += [c for c in framework.children(parent) if not framework.is_indicator(c)]
    lines = [t("tpl.title", name=label(ROOT)), t("tpl.fill"), t("tpl.scale"),
             f"framework: {_yaml_key(framework.id)}",
             f"method: eigenvector        {t('tpl.method')}",
             f"ri_table: saaty1980        {t('tpl.ri_table')}",
             "max_cr: 0.10",
             f"aggregation: aij           {t('tpl.aggregation')}",
             "matrices:"]
    for parent in parents:
        children = framework.children(parent)
        if len(children) < 2:
            lines.append("  " + t("tpl.one_child", parent=_yaml_key(parent), child=children[0]))
            continue
        keys = [_yaml_key(c) for c in children]
        width = max(len(k) for k in keys)
        lines += ["", f"  {_yaml_key(parent)}:{' ' * 8}# {label(parent)}", "    items:"]
        lines += [f"      - {k.ljust(width)}  # {label(c)}" for k, c in zip(keys, children)]
        lines += ["    experts:", f"      - name: {_yaml_key(expert)}", "        judgements:"]
        for i in range(len(children) - 1):
            lines.append(f"          {keys[i]}:{' ' * (width - len(keys[i]) + 2)}"
                         + t("tpl.compared_with", name=label(children[i])))
            lines += [f"            {(keys[j] + ':').ljust(width + 1)} 1   # {label(children[j])}"
                      for j in range(i + 1, len(children))]
    return "\n".join(lines) + "\n"
