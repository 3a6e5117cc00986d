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
from ..i18n import M
from .framework import ROOT, Framework



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
        word = M(f"bulletin.frequency.{self.frequency}")
        out = []
        if self.dropped_indicators:
            out.append(M("monitoring.dropped", periods=word, n=len(self.dropped_indicators),
                         ids=", ".join(self.dropped_indicators)))
        if self.dropped_nodes:
            out.append(M("monitoring.dropped_nodes", periods=word,
                         ids=", ".join(self.dropped_nodes)))
        if self.carried:
            out.append(M("monitoring.carried", ids=", ".join(self.carried)))
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
        raise DataError(M("monitoring.none", periods=M(f"bulletin.frequency.{frequency}"),
                          framework=framework.id),
                        where=where, fix=M("monitoring.none.fix", frequency=frequency))
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
    """The framework a run of ``panel`` scores: itself, without the indicators the
    recipe drops, for a yearly panel, the monitoring sub-index for a sub-annual one (for
    callers that work on the tree directly, such as
    the sensitivity analysis; ``evaluate`` does this itself and reports what it left
    out)."""
    from .dropped import drop_indicators   # the recipe's explicit drops come first
    framework, _ = drop_indicators(framework, recipe.screen["drop_indicators"], panel,
                                   where=recipe.source or "recipe")
    if getattr(panel, "frequency", "year") == "year":
        return framework
    return monitoring_framework(framework, panel.frequency,
                                carry=recipe.periods["annual"] == "carry",
                                available=panel.indicator_ids,
                                where=panel.source or "panel").framework
