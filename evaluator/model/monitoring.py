"""The monitoring sub-index of a framework for a sub-annual run (issue 14).

A quarterly (half-yearly, monthly) panel scores only what is observed at that frequency:
the indicators whose ``frequency`` is the panel's, plus — when the recipe says
``periods: {annual: carry}`` — the annual indicators whose values the panel carries into
the periods of their year. Every other indicator leaves the tree; a node that loses every
indicator leaves it too, and both are *reported* (manifest records and warnings), never
dropped in silence. The weights are then computed by the recipe over what remains, i.e.
re-weighted within each parent (fixed weights of the remaining siblings renormalise).
"""
from __future__ import annotations

from dataclasses import dataclass

from ..errors import DataError
from .framework import ROOT, Framework

_NAME = {"half": ("half-yearly", "半年度"), "quarter": ("quarterly", "季度"),
         "month": ("monthly", "月度")}


@dataclass(frozen=True)
class Monitoring:
    framework: Framework            # the sub-index's framework
    frequency: str
    kept: tuple[str, ...]           # indicators at the panel's frequency
    carried: tuple[str, ...]        # annual indicators carried into the periods
    dropped_indicators: tuple[str, ...]
    dropped_nodes: tuple[str, ...]

    def record(self) -> dict:
        return {"step": "periods", "frequency": self.frequency, "indicators": list(self.kept),
                "carried_annual": list(self.carried),
                "dropped_indicators": list(self.dropped_indicators),
                "dropped_nodes": list(self.dropped_nodes)}

    def warnings(self) -> list[str]:
        out = []
        if self.dropped_indicators:
            out.append(f"{_NAME[self.frequency][0]} run: {len(self.dropped_indicators)} "
                       f"indicator(s) not observed {_NAME[self.frequency][0]} are left out of "
                       f"the monitoring sub-index ({', '.join(self.dropped_indicators)}); "
                       "the others are re-weighted within their parents")
        if self.dropped_nodes:
            out.append(f"{_NAME[self.frequency][0]} run: node(s) "
                       f"{', '.join(self.dropped_nodes)} lost every indicator and are not "
                       "scored in this run (see the yearly assessment)")
        if self.carried:
            out.append(f"annual values of {', '.join(self.carried)} are carried into every "
                       "period of their year (periods: {annual: carry})")
        return out


def monitoring_framework(framework: Framework, frequency: str, *, carry: bool,
                         available: tuple[str, ...], where: str = "panel") -> Monitoring:
    """The sub-index for a ``frequency`` panel; ``available`` lists the indicator columns
    the panel holds (an annual indicator can only be carried when it has a column)."""
    kept = tuple(i.id for i in framework.indicators if i.frequency == frequency)
    carried = tuple(i.id for i in framework.indicators
                    if carry and i.frequency == "year" and i.id in available)
    use = set(kept) | set(carried)
    if not use:
        en, zh = _NAME[frequency]
        raise DataError(
            f"the panel is {en} but framework {framework.id!r} has no indicator observed "
            f"{en} ({zh}指标) and none is carried from annual data",
            where=where,
            fix=f"give the {en} indicators `frequency: {frequency}` in the framework, or set "
                "`periods: {annual: carry}` in the recipe to carry annual values (present "
                "in the panel) into the periods of their year")
    spec = framework.to_dict()
    dropped_ind = tuple(i.id for i in framework.indicators if i.id not in use)
    spec["indicators"] = [d for d in spec["indicators"] if d["id"] in use]
    nodes = list(spec["nodes"])
    dropped_nodes: list[str] = []
    while True:   # remove nodes left without children, bottom-up
        parents = {d.get("parent", ROOT) for d in nodes} | \
            {d.get("parent", ROOT) for d in spec["indicators"]}
        empty = [d["id"] for d in nodes if d["id"] not in parents]
        if not empty:
            break
        dropped_nodes += empty
        nodes = [d for d in nodes if d["id"] not in empty]
    spec["nodes"] = nodes
    for group in (spec.get("groups") or {}).values():
        if "targets" in group:
            group["targets"] = {k: v for k, v in group["targets"].items() if k in use}
    sub = Framework.from_dict(spec, source=framework.source)
    order = [n.id for n in framework.nodes]
    return Monitoring(sub, frequency, kept, carried, dropped_ind,
                      tuple(sorted(dropped_nodes, key=order.index)))


def framework_for_panel(framework: Framework, panel, recipe) -> Framework:
    """The framework a run of ``panel`` scores: itself for a yearly panel, the monitoring
    sub-index for a sub-annual one (for callers that work on the tree directly, such as
    the sensitivity analysis; ``evaluate`` does this itself and reports what it left
    out)."""
    if getattr(panel, "frequency", "year") == "year":
        return framework
    return monitoring_framework(framework, panel.frequency,
                                carry=recipe.periods["annual"] == "carry",
                                available=panel.indicator_ids,
                                where=panel.source or "panel").framework
