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
from ..i18n import M

DEFAULT_PROFILES = ("top:10", "bottom:10")
_COUNTED = re.compile(r"^(top|bottom):(.*)$")


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
                raise EvaluatorError(M("report.profiles.bad_count", what=token),
                                     where="--profiles", fix=M("report.profiles.bad_count.fix"))
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
            raise DataError(M("report.profiles.unknown_unit", unit=token, year=year),
                            where="--profiles", fix=M("report.profiles.unknown_unit.fix",
                                                      close=hint))
    return [u for u in units if u in chosen]
