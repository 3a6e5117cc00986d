"""Finding English sentences in Chinese output (and Chinese in English output).

Allowed in zh text: unit names and other names the user gave, ids and method codes
(``min_max``, ``resource_city_transition``), file names and paths, options and commands
(``--lang``, ``evaluator score``), numbers, and single tokens such as ``CR``, ``TOPSIS``,
``AHP``, ``z``. What is not allowed is two or more English words in a row — a sentence or
a phrase left untranslated.
"""
from __future__ import annotations

import re

_CODE = re.compile(
    r"`[^`]*`"                                  # `code`
    r"|'[^'\n]*'|\"[^\"\n]*\""                    # 'quoted' names and values
    r"|\bevaluator(?: [a-z][a-z-]*)+"          # commands: evaluator ahp template …
    r"|--?[A-Za-z][\w-]*(?: [A-Z_]+\b)?"         # options --lang, -f, --out FOLDER
    r"|[^\s`（）：]*[/\\][^\s`（）：]*"              # paths
    r"|[\w.-]+\.(?:csv|xlsx|yaml|yml|json|html|md|svg|txt|geojson|parquet)\b"
    r"|\b[A-Za-z]+[_\d][\w.]*\b"                # ids and codes: min_max, pm25, E01
    r"|https?://\S+")
_WORD = re.compile(r"[A-Za-z]{2,}")
_RUN = re.compile(r"[A-Za-z]{2,}(?:[ ,;:]+[A-Za-z]{2,})+")
_HAN = re.compile(r"[\u4e00-\u9fff]")


def english_runs(text: str, allow=()) -> list[str]:
    """Runs of two or more English words in ``text`` after removing the allowed tokens
    (``allow``: names the user gave, e.g. unit names)."""
    for name in sorted((str(a) for a in allow), key=len, reverse=True):
        text = text.replace(name, " ")
    text = _CODE.sub(" ", text)
    return [m.group(0) for m in _RUN.finditer(text)]


def chinese_in(text: str, allow=()) -> list[str]:
    """Lines of ``text`` with Chinese characters outside the allowed names."""
    for name in sorted((str(a) for a in allow), key=len, reverse=True):
        text = text.replace(name, " ")
    return [line for line in text.splitlines() if _HAN.search(line)]
