"""Indicators the recipe drops explicitly: ``screen: {drop_indicators: {id: reason}}``.

An indicator without any data (every unit, every year missing) is an error
(:func:`check_every_indicator_has_data`) — scoring it would compute its parent from the
other children while the weights table still gave it its weight. The recipe may drop it
instead, openly: the run scores the framework without it (a node left with no indicator
leaves too), its parent is computed from its other children with their weights
renormalised, the weights table lists it with weight 0, method ``dropped`` and the
reason, and a warning says so. An indicator with data may be dropped the same way.
"""
from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any, Mapping

import numpy as np

from ..errors import DataError, RecipeError
from ..i18n import M, get_lang
from .framework import ROOT, Framework
from .names import near_matches


@dataclass(frozen=True)
class DroppedItem:
    """One indicator (or node left empty) that the run leaves out."""

    id: str
    parent: str
    kind: str                 # "indicator" | "node"
    reason: str               # the recipe's words (may be empty)
    no_data: bool = False     # the panel has no value of it at all

    def note(self) -> str:
        """Why, for the weights table (``note`` column) and the warning."""
        if self.kind == "node":
            return M("numbers.dropped.note_node")
        parts = [M("numbers.dropped.note")]
        if self.no_data:
            parts.append(M("numbers.dropped.note_no_data"))
        if self.reason:
            parts.append(self.reason)
        return "; ".join(parts)


def drop_spec(value: Any, path: str) -> dict[str, str]:
    """The recipe's ``screen.drop_indicators``: a list of ids, or ids → reasons."""
    if value is None:
        return {}
    if isinstance(value, (list, tuple)):
        value = {k: "" for k in value}
    if not isinstance(value, Mapping):
        raise RecipeError(M("numbers.dropped.spec", value=value), where=path,
                          fix=M("numbers.dropped.spec.fix"))
    out: dict[str, str] = {}
    for key, reason in value.items():
        if not isinstance(key, str) or not key:
            raise RecipeError(M("numbers.dropped.spec", value=key), where=path,
                              fix=M("numbers.dropped.spec.fix"))
        if reason is not None and not isinstance(reason, str):
            raise RecipeError(M("numbers.dropped.reason", value=reason),
                              where=f"{path}.{key}", fix=M("numbers.dropped.spec.fix"))
        out[key] = reason or ""
    return out


def drop_indicators(framework: Framework, drop: Mapping[str, str], panel=None, *,
                    where: str = "recipe") -> tuple[Framework, tuple[DroppedItem, ...]]:
    """``framework`` without the indicators ``drop`` names (and the nodes they leave
    empty), and what was left out. An id that is neither an indicator of the framework
    nor of the panel is an error; one the framework no longer holds but the panel does
    (a framework already reduced, as the sensitivity analysis passes it) is skipped."""
    if not drop:
        return framework, ()
    have = set(framework.indicator_ids)
    known = set(getattr(panel, "indicator_ids", ()) or ()) | have
    for key in drop:
        if key not in known:
            hint = near_matches(key, sorted(known))
            ids = list(framework.indicator_ids)
            listed = ", ".join(ids[:20]) + (f" … (+{len(ids) - 20})" if len(ids) > 20 else "")
            raise RecipeError(M("numbers.dropped.unknown", id=key),
                              where=f"{where}: screen.drop_indicators.{key}",
                              fix=(M("numbers.dropped.unknown.hint", hint=hint, ids=listed)
                                   if hint else M("numbers.dropped.unknown.fix", ids=listed)))
    gone = [i for i in framework.indicators if i.id in drop]
    if not gone:
        return framework, ()
    if len(gone) == len(framework.indicators):
        raise RecipeError(M("numbers.dropped.everything"),
                          where=f"{where}: screen.drop_indicators",
                          fix=M("numbers.dropped.everything.fix"))
    data = getattr(panel, "data", None)
    items = [DroppedItem(i.id, i.parent, "indicator", drop[i.id],
                         no_data=bool(data is not None and i.id in data.columns
                                      and data[i.id].isna().all()))
             for i in gone]
    spec = framework.to_dict()
    spec["indicators"] = [d for d in spec["indicators"] if d["id"] not in drop]
    nodes = list(spec["nodes"])
    while True:   # nodes left without children leave too, bottom-up
        parents = {d.get("parent", ROOT) for d in nodes} | \
            {d.get("parent", ROOT) for d in spec["indicators"]}
        empty = [d for d in nodes if d["id"] not in parents]
        if not empty:
            break
        items += [DroppedItem(d["id"], d.get("parent", ROOT), "node", "") for d in empty]
        nodes = [d for d in nodes if d not in empty]
    spec["nodes"] = nodes
    for group in (spec.get("groups") or {}).values():
        if "targets" in group:
            group["targets"] = {k: v for k, v in group["targets"].items() if k not in drop}
    reduced = Framework.from_dict(spec, source=framework.source)
    # the file's own warnings (e.g. a direction left out) stay with it
    return dataclasses.replace(reduced, warnings=framework.warnings), tuple(items)


def dropped_warning(items: tuple[DroppedItem, ...]) -> list[str]:
    """One warning naming every indicator left out, why, and the parents recomputed."""
    shown = [f"{d.id} ({d.note()})" for d in items if d.kind == "indicator"]
    if not shown:
        return []
    parents = sorted({d.parent for d in items if d.kind == "indicator"
                      and d.parent not in {n.id for n in items if n.kind == "node"}})
    nodes = [d.id for d in items if d.kind == "node"]
    out = [M("numbers.dropped.warning", n=len(shown), shown="; ".join(shown),
             parents=", ".join(parents) or "–")]
    if nodes:
        out.append(M("numbers.dropped.nodes", ids=", ".join(nodes)))
    return out


def check_every_indicator_has_data(ids: list[str], observed: np.ndarray, framework,
                                   source: str | None) -> None:
    """An indicator without a single value (after dividing by its denominator) is an
    error naming it and the file, with the fix: fill the column or drop it in the recipe.
    ``observed`` is rows × indicators, True where a value is present."""
    empty = np.flatnonzero(~observed.any(axis=0)) if observed.shape[0] else \
        np.arange(len(ids))
    if len(empty) == 0:
        return
    lang = get_lang()
    named = [f"{ids[j]} ({framework.label(ids[j], lang)})" for j in empty]
    raise DataError(M("numbers.no_data", n=len(named), ids=", ".join(named)),
                    where=source or "panel",
                    fix=M("numbers.no_data.fix", id=ids[empty[0]]))
