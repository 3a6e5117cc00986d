"""Which unit profiles a printed report carries: ``--profiles all | top:N | bottom:N |
alerts | UNIT …`` (several, joined). The HTML file keeps every unit's profile for the
screen (collapsed); printing shows only the chosen ones, one per page, so a report of
260 cities prints in tens of pages, not hundreds.

* ``all`` — every unit; ``none`` — no profile is printed;
* ``top:N`` / ``bottom:N`` — the N best / worst ranked units of the year (ties at the
  boundary included, as the ranking shows them);
* ``alerts`` — every unit with an alert in the year;
* anything else — a unit, by the name the panel gives it.

The default, :data:`DEFAULT_PROFILES`, is the top and bottom ten.
"""
from __future__ import annotations

import difflib
import re
from typing import Iterable, Sequence

import pandas as pd

from ..errors import DataError, EvaluatorError

DEFAULT_PROFILES = ("top:10", "bottom:10")
_COUNTED = re.compile(r"^(top|bottom):(.*)$")
# the module's user-facing texts in one place (both languages), for the catalogue
TEXT = {
    "bad_count": {"en": "{what!r} needs a whole number of units after the colon",
                  "zh": "{what!r} 的冒号后应为对象个数（正整数）"},
    "bad_count_fix": {"en": "write e.g. top:10 or bottom:5",
                      "zh": "例如写 top:10 或 bottom:5"},
    "unknown_unit": {"en": "--profiles names unit {unit!r}, which is not ranked in {year}",
                     "zh": "--profiles 指定的对象 {unit!r} 在 {year} 年没有排名"},
    "unknown_unit_fix": {"en": "use a unit name as the panel writes it{close}, or all, "
                               "top:N, bottom:N, alerts, none",
                         "zh": "请使用面板中的对象名称{close}，或 all、top:N、bottom:N、"
                               "alerts、none"},
}


def _text(key: str, **values) -> str:
    # errors carry both languages until the project catalogue takes them
    return " / ".join(TEXT[key][lang].format(**values) for lang in ("en", "zh"))


def split_spec(values: Iterable[str] | str | None) -> list[str]:
    """The tokens of one or more ``--profiles`` values (commas separate tokens too)."""
    if values is None:
        return list(DEFAULT_PROFILES)
    if isinstance(values, str):
        values = [values]
    tokens = [part.strip() for value in values for part in str(value).split(",")]
    tokens = [t for t in tokens if t]
    return tokens or list(DEFAULT_PROFILES)


def select_units(spec: Sequence[str] | str | None, ranking: pd.DataFrame,
                 alerts: pd.DataFrame, year: int) -> list[str]:
    """The units whose profiles print, in rank order. ``ranking``: the year's rankings
    rows in rank order; ``alerts``: the year's alerts."""
    tokens = split_spec(spec)
    units = ranking["unit"].astype(str)
    scored = ranking[ranking["rank"].notna()]
    ranks = pd.to_numeric(scored["rank"]).astype(float)
    chosen: set[str] = set()
    for token in tokens:
        low = token.lower()
        if low == "all":
            chosen.update(units)
        elif low == "none":
            continue
        elif low == "alerts":
            chosen.update(alerts["unit"].astype(str))
        elif _COUNTED.match(low) and token not in set(units):
            kind, count = _COUNTED.match(low).groups()
            if not count.strip().isdigit() or int(count) < 1:
                raise EvaluatorError(_text("bad_count", what=token),
                                     where="--profiles", fix=_text("bad_count_fix"))
            n = min(int(count), len(ranks))
            if n == 0:
                continue
            if kind == "top":
                cut = ranks.sort_values(kind="mergesort").iloc[n - 1]
                chosen.update(scored.loc[ranks <= cut, "unit"].astype(str))
            else:
                # the worst n: ranks at or below the n-th worst (ties included)
                cut = ranks.sort_values(ascending=False, kind="mergesort").iloc[n - 1]
                chosen.update(scored.loc[ranks >= cut, "unit"].astype(str))
        elif token in set(units):
            chosen.add(token)
        else:
            close = difflib.get_close_matches(token, list(units), n=3, cutoff=0.5)
            hint = f" ({', '.join(close)}?)" if close else ""
            raise DataError(_text("unknown_unit", unit=token, year=year), where="--profiles",
                            fix=_text("unknown_unit_fix", close=hint))
    return [u for u in units if u in chosen]
