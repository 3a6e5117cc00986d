"""Targets of the diagnostics resolved per unit-year (issue 4): the next target, its year,
and where the unit's straight path to it starts — plus the warnings that say which
targets could not be resolved or were ignored, and why.

Where a path starts
-------------------
* An absolute target: in the recipe's base year (default: the first panel year) — or,
  for a unit that enters the panel later or lacks the indicator's value in the base
  year, in the first year from the base year on in which the unit has a value.
* A relative target ``{change: c, from: F}``: in its ``from`` year F, at the unit's own
  value then (the target is that value × (1 + c)). When F is not a panel year, or the
  unit has no value in F, the target cannot be resolved: the cell has no target (and no
  target year), and a warning says so.

Until the path starts (the start year included) there is no trajectory: the lights then
judge only whether the target is met.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import RecipeError
from ..methods import diagnose as dg
from ..i18n import M, joined
from ..model.period import PER_YEAR, period_labels, year_end_key

_SHOWN = 5   # units named in a warning before "…"


def _named(names: list[str]) -> str:
    shown = ", ".join(names[:_SHOWN])
    return shown + (f", … ({len(names)} in all)" if len(names) > _SHOWN else "")


def check_target_years(framework, params: dict[str, Any], panel_years: list[int],
                       source: str | None = None, frequency: str = "year") -> None:
    """With an explicit base year, a target before it is a contradiction (its path would
    run backwards): a RecipeError whose fix only proposes base years that work — panel
    years on or before the earliest such target — or removing/moving the targets, or
    leaving the base year out (targets before the first panel year are then ignored,
    with a warning). With the default base year there is nothing to check."""
    if not params["base_year_given"]:
        return
    base = params["base_year"]
    if frequency != "year":   # keys of sub-annual periods: compare the target's year end
        base = int(base) // PER_YEAR[frequency]
        panel_years = sorted({int(k) // PER_YEAR[frequency] for k in panel_years})
    found = [(M("diagnose_targets.item.indicator", id=repr(i.id)), t.year)
             for i in framework.indicators for t in i.targets if t.year < base]
    found += [(M("diagnose_targets.item.group", group=repr(g.id), id=repr(ind)), t.year)
              for g in framework.groups.values() for ind, ts in g.targets.items()
              for t in ts if t.year < base]
    if not found:
        return
    listed = joined([M("diagnose_targets.target_for", what=what, year=year)
                     for what, year in found], M("list.semicolon"))
    earliest = min(year for _, year in found)
    usable = [y for y in sorted(panel_years) if y <= earliest]
    moves = M("diagnose_targets.moves", base=base)
    if usable:
        fix = M("diagnose_targets.set_base.fix", earliest=earliest,
                usable=", ".join(map(str, usable)), moves=moves)
    else:
        fix = M("diagnose_targets.no_year.fix", moves=moves, first=min(panel_years),
                earliest=earliest)
    raise RecipeError(M("diagnose_targets.target_year_before_base", base=base, listed=listed),
                      where=f"{source or 'recipe'}: diagnose.base_year", fix=fix)


def resolve_targets(assessment, params: dict[str, Any], V: np.ndarray, units: np.ndarray,
                    years: np.ndarray, groups: np.ndarray | None
                    ) -> tuple[dict[str, np.ndarray], list[str]]:
    """Per row and indicator (rows × m, NaN = none): ``target`` (raw), ``target_year``
    (NaN where the target is), ``start_year`` and ``start_value`` of the path; and the
    warnings about targets left out.

    ``years`` are calendar keys (model/period.py). In a sub-annual panel a target year T
    — and a relative target's ``from`` year — stands for the period that ends T (2025 →
    2025Q4), so ``target_year`` and ``start_year`` come back as keys and a straight path
    interpolated in keys places each period at its calendar fraction: from a 2024Q4
    base to a 2025 target, 2025Q2 is expected halfway."""
    a = assessment
    fw = a.framework
    n, m = V.shape
    frequency = getattr(a, "frequency", "year")

    def key_of(year):
        return int(year_end_key(year, frequency)) if frequency != "year" else int(year)

    def label(key) -> str:
        return str(period_labels([key], frequency)[0])

    base = params["base_year"]
    panel_years = sorted(int(y) for y in np.unique(years))
    check_target_years(fw, params, panel_years, a.recipe.source, frequency)
    out = {k: np.full((n, m), np.nan) for k in ("target", "target_year", "start_year",
                                                 "start_value")}
    warnings: list[str] = []
    dropped: list[str] = []
    unresolved: dict[tuple, set[str]] = {}
    group_keys = [None] if groups is None else list(np.unique(groups))
    first_year = dg.first_year_with_value(V, units, years, base)
    start_rows = dg.own_rows(units, years, first_year)
    for j, ind_id in enumerate(a.ids):
        for group in group_keys:                   # a handful of groups ...
            rows = np.arange(n) if group is None else np.flatnonzero(groups == group)
            every = fw.targets_for(ind_id, group)
            dropped += [f"{ind_id!r} {t.year}" for t in every if key_of(t.year) < base]
            targets = [t for t in every if key_of(t.year) >= base]
            if not targets or not rows.size:
                continue
            tyears = np.array([key_of(t.year) for t in targets])
            choice = np.minimum(np.searchsorted(tyears, years[rows]), len(targets) - 1)
            for c, t in enumerate(targets):        # ... and of targets
                sel = rows[choice == c]
                if not sel.size:
                    continue
                if t.is_relative:
                    from_rows = dg.find_rows(units, years, units[sel],
                                             np.full(sel.size, key_of(t.base_year)))
                    start = dg.take_rows(V[:, j], from_rows)
                    value = start * (1.0 + t.change)
                    start_year = np.full(sel.size, float(key_of(t.base_year)))
                    lost = np.isnan(start)
                    if lost.any():
                        override = group is not None and group in fw.groups and \
                            t in fw.groups[group].targets.get(ind_id, ())
                        who = (M("warn.who.indicator_group", id=ind_id, group=str(group))
                               if override else M("warn.who.indicator", id=ind_id))
                        key = (who, t.year, t.describe(), t.base_year,
                               key_of(t.base_year) in panel_years)
                        unresolved.setdefault(key, set()).update(units[sel][lost].tolist())
                else:
                    start = dg.take_rows(V[:, j], start_rows[sel, j])
                    value = np.full(sel.size, t.value)
                    start_year = first_year[sel, j]
                out["target"][sel, j] = value
                out["target_year"][sel, j] = np.where(np.isnan(value), np.nan,
                                                      key_of(t.year))
                out["start_year"][sel, j] = start_year
                out["start_value"][sel, j] = start
    for (who, year, text, from_year, in_panel), lost in unresolved.items():
        names = sorted(lost)
        if in_panel:
            warnings.append(
                M("warn.diagnose_targets.relative_target_cannot_resolved", who=who, year=year, text=text, n_names=len(names), from_year=from_year, named=_named(names)))
        else:
            warnings.append(
                M("warn.diagnose_targets.relative_target_cannot_resolved_2", who=who,
                  year=year, text=text, from_year=from_year,
                  panel_years=label(panel_years[0]), panel_years2=label(panel_years[-1])))
    if dropped:
        warnings.append(M("warn.diagnose_targets.before_base", base=label(base),
                          listed=", ".join(sorted(set(dropped)))))
    if groups is None and any(g.targets for g in fw.groups.values()):
        warnings.append(M("warn.diagnose_targets.no_group_column",
                          groups=", ".join(g for g in fw.groups if fw.groups[g].targets)))
    return out, warnings


def keep_targets(assessment, params: dict[str, Any], targets: dict[str, np.ndarray],
                 warnings: list[str]) -> None:
    """Keep the targets resolved for ``assessment``'s warnings (when ``evaluate`` ends)
    for its diagnosis, so they are resolved once (:func:`shared_targets` takes them)."""
    if hasattr(assessment, "__dict__"):
        assessment.__dict__["_targets"] = (params, targets, list(warnings))


def shared_targets(assessment, params: dict[str, Any], V: np.ndarray, units: np.ndarray,
                   years: np.ndarray, groups: np.ndarray | None
                   ) -> tuple[dict[str, np.ndarray], list[str]]:
    """:func:`resolve_targets`, taking the targets :func:`keep_targets` kept (so they are
    held once); resolved anew when none were kept or with other parameters."""
    kept = getattr(assessment, "__dict__", {}).pop("_targets", None)
    if kept is not None and kept[0] == params:
        return kept[1], list(kept[2])
    return resolve_targets(assessment, params, V, units, years, groups)


def scale_anchors(assessment) -> tuple[np.ndarray | None, np.ndarray | None]:
    """Known points of the normalised scale beyond the data, per indicator (m × 2,
    oriented value → normalised value): the goalposts under ``goalposts``
    normalisation, the target under ``distance_to_target``; (None, None) otherwise."""
    a = assessment
    nm = a.recipe.normalise
    lo, hi = nm["range"]
    inds = [a.framework.indicator(i) for i in a.ids]
    m = len(inds)
    xs, zs = np.full((m, 2), np.nan), np.full((m, 2), np.nan)
    plain = [i.optimum is None and not i.interval for i in inds]
    if nm["method"] == "goalposts":
        for j, ind in enumerate(inds):
            if plain[j] and ind.goalposts:
                g_lo, g_hi = ind.goalposts
                # oriented: benefit lower post → bottom; cost upper post → bottom
                xs[j] = (g_lo, g_hi) if ind.sign > 0 else (-g_hi, -g_lo)
                zs[j] = (lo, hi)
        return xs, zs
    if nm["method"] == "distance_to_target":
        for j, ind in enumerate(inds):
            t = (nm.get("targets") or {}).get(ind.id)
            if plain[j] and t is not None:
                xs[j, 0], zs[j, 0] = ind.sign * float(t), hi
        return xs, zs
    return None, None
