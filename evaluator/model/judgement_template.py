"""A blank expert judgement file for a framework's tree, for an expert panel to fill.

The format is the one :mod:`evaluator.model.judgements` reads (DESIGN.md §4). YAML cannot
carry comments through a dump, so the file is written line by line: the items' names go
in comments beside their ids, in both languages by default.
"""
from __future__ import annotations

import json

import yaml

from .framework import ROOT, Framework


SCALE_NOTE = """\
# Saaty's 1–9 scale (Saaty 1980) — `a: {b: v}` says how much more important a is than b:
#   1 同等重要 equal · 3 稍微重要 moderate · 5 明显重要 strong · 7 强烈重要 very strong ·
#   9 极端重要 extreme · 2, 4, 6, 8 in between · 1/3, 1/5 … when a is LESS important than b.
# Reciprocals are implied (b: {a: 1/3} follows from a: {b: 3}); leave a judgement out if
# unsure: it is completed from the others (Harker 1987) and reported as completed.
# Check the file with:  evaluator ahp FILE --framework FRAMEWORK
"""


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
    """A blank judgement file for every node of ``framework`` with two or more children:
    the items listed with their names as comments (Chinese and English when ``lang_both``,
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
    lines = [f"# Expert judgements (AHP) for: {label(ROOT)}",
             "# Fill the judgements (every 1 below is a placeholder), add experts by copying",
             "# the `- name:` block, and keep the file under version control.",
             SCALE_NOTE.rstrip("\n"),
             f"framework: {_yaml_key(framework.id)}",
             "method: eigenvector        # eigenvector | geometric_mean | column_mean",
             "ri_table: saaty1980        # saaty1980 | saaty2005 | chinese | donegan_dodd",
             "max_cr: 0.10",
             "aggregation: aij           # several experts: aij (geometric mean of judgements) | aip",
             "matrices:"]
    for parent in parents:
        children = framework.children(parent)
        if len(children) < 2:
            lines.append(f"  # {_yaml_key(parent)}: one child only ({children[0]}), nothing to judge")
            continue
        keys = [_yaml_key(c) for c in children]
        width = max(len(k) for k in keys)
        lines += ["", f"  {_yaml_key(parent)}:{' ' * 8}# {label(parent)}", "    items:"]
        lines += [f"      - {k.ljust(width)}  # {label(c)}" for k, c in zip(keys, children)]
        lines += ["    experts:", f"      - name: {_yaml_key(expert)}", "        judgements:"]
        for i in range(len(children) - 1):
            lines.append(f"          {keys[i]}:{' ' * (width - len(keys[i]) + 2)}"
                         f"# {label(children[i])} compared with …")
            lines += [f"            {(keys[j] + ':').ljust(width + 1)} 1   # {label(children[j])}"
                      for j in range(i + 1, len(children))]
    return "\n".join(lines) + "\n"
