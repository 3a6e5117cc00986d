"""The recipe's ``diagnose`` and ``alerts`` sections: documented defaults, validation.

``diagnose`` (all optional)::

    diagnose:
      base_year: 2020        # start of every straight path to a target (default: the
                             # first year of the panel, and targets before it are
                             # ignored with a warning); must be a panel year, and no
                             # target may fall before it. A unit without a value in the
                             # base year (e.g. one entering the panel later) starts its
                             # path in its first year with a value after it. In the
                             # year a path starts there is no trajectory yet: only
                             # "met" is judged (green, or no light)
      compare: previous      # "improving" means better than the unit's latest earlier
                             # value (previous: the previous year's, or the last one
                             # before a missing or screened-out year) or than the value
                             # where its path starts (base: the base year's, for a
                             # relative target its `from` year's)
      tolerance: 0.0         # a value may lag the path or the target by this share of
                             # the target and still count as on it (green)
      min_improvement: 0.0   # improving = better than the reference by more than this
                             # share of it (0: strictly better); compared with a relative
                             # tolerance of 1e-9, so 2.0 → 1.9 is a 5 % gain, not more
      top_k: 5               # obstacle indicators reported per unit-year
      strengths_k: 3         # strengths and weaknesses reported per unit-year
      tie_share: 0.5         # skip an indicator for strengths/weaknesses in a year when
                             # more than this share of units hold one common value

``alerts`` maps a rule to its parameters, ``true`` for the defaults or ``false`` to turn
it off; rules left out run with their defaults::

    alerts:
      bottom_k_consecutive: {k: 3, years: 2, ties: published}
      yellow_card: {bottom_share: 0.1, red_share: 0.3333, red_share_of: judged,
                    min_judged: 3, years: 2, ties: published}
      rank_drop: {places: 10}

``yellow_card``: a card when the unit is in the bottom ``bottom_share`` of the composite
ranking (floor(share · n) units, ties as in ``bottom_k_consecutive``) or shows red lights
on more than ``red_share`` of its indicators; ``years`` cards in consecutive calendar periods
raise ``yellow_card_talks``. ``red_share_of`` says of which indicators: ``judged``
(default) counts only those with a light — an indicator without a target, without a
value, or in a year with nothing to compare has no light, and counting it would dilute
the reds (a framework with targets on 6 of 24 indicators could then never reach a third)
— while ``all`` divides by every indicator of the framework. The red-light part needs at
least ``min_judged`` judged indicators in that unit-year (default 3): a share of one or two
lights is no proportion (1 red of 2 judged is "half"), so a unit judged on fewer gets a
card only from its rank; when the framework has fewer indicators with targets than
``min_judged`` the red-light part can never apply and the run says so in a warning.
``rank_drop``: the
composite rank fell by ``places`` or more since the calendar period before (never across a gap).
"""
from __future__ import annotations

import copy
from typing import Any, Callable, Mapping

from ..errors import RecipeError
from ..model.period import PER_YEAR, Period, period_labels, year_end_key
from ..model.names import near_matches
from ..i18n import M, suggest

DIAGNOSE_DEFAULTS: dict[str, Any] = {
    "base_year": None, "compare": "previous", "tolerance": 0.0, "min_improvement": 0.0,
    "top_k": 5, "strengths_k": 3, "tie_share": 0.5,
}
ALERT_DEFAULTS: dict[str, dict[str, Any]] = {
    "bottom_k_consecutive": {"k": 3, "years": 2, "ties": "published"},
    "yellow_card": {"bottom_share": 0.1, "red_share": 1 / 3, "red_share_of": "judged",
                    "min_judged": 3, "years": 2, "ties": "published"},
    "rank_drop": {"places": 10},
}
TIES = ("published", "inclusive")


def _number(lo: float | None = None, hi: float | None = None, *, integer: bool = False,
            open_lo: bool = False, open_hi: bool = False) -> Callable[[Any, str], Any]:
    def check(value: Any, where: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RecipeError(M("diagnose_params.not_number", value=value), where=where)
        if integer and int(value) != value:
            raise RecipeError(M("diagnose_params.not_whole_number", value=value), where=where)
        bad_lo = lo is not None and (value <= lo if open_lo else value < lo)
        bad_hi = hi is not None and (value >= hi if open_hi else value > hi)
        if bad_lo or bad_hi:
            left = "(" if open_lo else "["
            right = ")" if open_hi else "]"
            raise RecipeError(M("diagnose_params.outside", value=value, left=left, lo=lo, hi=hi, right=right), where=where)
        return int(value) if integer else float(value)
    return check


def _choice(*options: str) -> Callable[[Any, str], str]:
    def check(value: Any, where: str) -> str:
        if value not in options:
            raise RecipeError(M("diagnose_params.unknown_value", value=value), where=where,
                              fix=M("hint.valid", values=", ".join(options)))
        return value
    return check


DIAGNOSE_CHECKS: dict[str, Callable[[Any, str], Any]] = {
    "base_year": _number(1000, 9999, integer=True),
    "compare": _choice("previous", "base"),
    "tolerance": _number(0),
    "min_improvement": _number(0),
    "top_k": _number(1, integer=True),
    "strengths_k": _number(1, integer=True),
    "tie_share": _number(0, 1, open_lo=True),
}
ALERT_CHECKS: dict[str, dict[str, Callable[[Any, str], Any]]] = {
    "bottom_k_consecutive": {"k": _number(1, integer=True), "years": _number(1, integer=True),
                             "ties": _choice(*TIES)},
    "yellow_card": {"bottom_share": _number(0, 1, open_hi=True),
                    "red_share": _number(0, 1, open_hi=True),
                    "red_share_of": _choice("judged", "all"),
                    "min_judged": _number(1, integer=True),
                    "years": _number(1, integer=True), "ties": _choice(*TIES)},
    "rank_drop": {"places": _number(1, integer=True)},
}


def _unknown(key: str, valid: list[str], where: str, what: str) -> RecipeError:
    hint = near_matches(str(key), valid)
    return RecipeError(M("diagnose_params.unknown", what=what, key_=key), where=where,
                       fix=suggest(hint, M("hint.valid", values=", ".join(valid))))


def target_years(framework) -> list[int]:
    """Every target year of the framework, group overrides included, sorted."""
    if framework is None:
        return []
    years = {t.year for i in framework.indicators for t in i.targets}
    years |= {t.year for g in framework.groups.values() for ts in g.targets.values()
              for t in ts}
    return sorted(years)


def diagnose_params(section: Mapping[str, Any] | None, panel_years: list[int], *,
                    source: str | None = None, framework=None, frequency: str = "year"
                    ) -> dict[str, Any]:
    """The ``diagnose`` section validated, defaults filled, ``base_year`` resolved (and
    ``base_year_given`` saying whether the recipe set it). With ``framework`` given, a
    base year that is not a panel year gets a fix naming only the panel years that no
    target precedes."""
    where = f"{source or 'recipe'}: diagnose"
    section = dict(section or {})
    out = copy.deepcopy(DIAGNOSE_DEFAULTS)
    base_period = None
    if isinstance(section.get("base_year"), str) and frequency != "year":
        # a sub-annual panel may name the base period itself: base_year: 2024Q4
        text = section.pop("base_year")
        try:
            base_period = Period.parse(text)
        except ValueError:
            base_period = None
        if base_period is None or base_period.frequency != frequency:
            raise RecipeError(M("diagnose_params.base_year_not_year_2", text=text, frequency=frequency), where=f"{where}.base_year",
                              fix=M("diagnose_params.base_year_not_year_2.fix", period_labels=period_labels([min(panel_years)], frequency)[0]))
    for key, value in section.items():
        if key not in DIAGNOSE_CHECKS:
            raise _unknown(key, list(DIAGNOSE_CHECKS), f"{where}.{key}", "diagnose parameter")
        out[key] = None if value is None else DIAGNOSE_CHECKS[key](value, f"{where}.{key}")
    out["base_year_given"] = out["base_year"] is not None or base_period is not None
    if base_period is not None:
        if base_period.key not in panel_years:
            raise RecipeError(M("diagnose_params.base_period_not_panel", label=base_period.label()),
                              where=f"{where}.base_year",
                              fix=M("hint.use_one_of", values=", ".join(period_labels(
                                  sorted(panel_years), frequency))))
        out["base_year"] = base_period.key
        out["base_period"] = base_period.label()
        return out
    if frequency != "year":
        # a sub-annual panel: ``panel_years`` are calendar keys; a base year means the
        # period that ends it (2024 → 2024Q4), so paths start at the year's close
        if out["base_year"] is not None:
            key = int(year_end_key(out["base_year"], frequency))
            if key not in panel_years:
                shown = sorted({int(k) // PER_YEAR[frequency] for k in panel_years
                                if int(year_end_key(int(k) // PER_YEAR[frequency], frequency))
                                in panel_years})
                raise RecipeError(
                    M("diagnose_params.base_year_its_last", out=out['base_year'], period_labels=period_labels([key], frequency)[0]),
                    where=f"{where}.base_year",
                    fix=(M("hint.base_year_held", years=", ".join(map(str, shown))) if shown
                         else M("hint.leave_base_year_out")))
            out["base_year"] = key
        else:
            out["base_year"] = int(min(panel_years))
        out["base_period"] = str(period_labels([out["base_year"]], frequency)[0])
        return out
    if out["base_year"] is None:
        out["base_year"] = int(min(panel_years))
    elif out["base_year"] not in panel_years:
        raise RecipeError(M("diagnose_params.base_year_not_year", out=out['base_year']),
                          where=f"{where}.base_year",
                          fix=_base_year_fix(panel_years, target_years(framework)))
    return out


def _base_year_fix(panel_years: list[int], targets: list[int]) -> str:
    """Only base years that then work: panel years on or before the earliest target."""
    why = "every path to a target starts from the units' values in the base year; "
    if not targets:
        return why + "use one of " + ", ".join(map(str, panel_years))
    usable = [y for y in panel_years if y <= targets[0]]
    if usable:
        return why + (f"use a panel year on or before the earliest target ({targets[0]}): "
                      + ", ".join(map(str, usable)))
    return why + (f"no panel year is on or before the earliest target ({targets[0]}): "
                  f"leave diagnose.base_year out (paths then start in {min(panel_years)} "
                  f"and earlier targets are ignored with a warning), or remove or move "
                  f"the targets before {min(panel_years)}")


def alert_params(section: Mapping[str, Any] | None, *, source: str | None = None
                 ) -> dict[str, dict[str, Any] | None]:
    """Rule → parameters (defaults filled), or None for a rule turned off."""
    where = f"{source or 'recipe'}: alerts"
    section = dict(section or {})
    out: dict[str, dict[str, Any] | None] = copy.deepcopy(ALERT_DEFAULTS)  # type: ignore
    for rule, spec in section.items():
        if rule not in ALERT_DEFAULTS:
            raise _unknown(rule, list(ALERT_DEFAULTS), f"{where}.{rule}", "alert rule")
        if spec is False:
            out[rule] = None
            continue
        if spec is None or spec is True:
            continue
        if not isinstance(spec, Mapping):
            raise RecipeError(M("diagnose_params.not_mapping_parameters_true", spec=spec),
                              where=f"{where}.{rule}",
                              fix=f"e.g. {rule}: {ALERT_DEFAULTS[rule]}")
        params = out[rule]
        assert params is not None
        for key, value in spec.items():
            checks = ALERT_CHECKS[rule]
            if key not in checks:
                raise _unknown(key, list(checks), f"{where}.{rule}.{key}",
                               f"parameter of {rule}")
            params[key] = checks[key](value, f"{where}.{rule}.{key}")
    return out


def alert_warnings(rules: Mapping[str, Any], framework) -> list[str]:
    """What the alert rules cannot do with this framework: the yellow card's red-light
    part when fewer indicators have targets than its ``min_judged``."""
    p = rules.get("yellow_card")
    if p is None or framework is None:
        return []
    targeted = {i.id for i in framework.indicators if i.targets}
    targeted |= {i for g in framework.groups.values() for i, ts in g.targets.items() if ts}
    if not targeted or len(targeted) >= p["min_judged"]:   # no targets: no lights at all
        return []
    return [M("numbers.yellow_card.too_few_targets", n=len(targeted),
              min_judged=p["min_judged"])]
