"""Targets: the level an indicator should reach by a year, absolute or relative.

``{2025: 48, 2035: 50}`` sets absolute levels; ``{2035: {change: -0.25, from: 2025}}`` asks
for a 25 % fall against each unit's own 2025 value (resolved per unit by the diagnostics).
A target is met when the value is at least the level (benefit) or at most it (cost).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping
from ..i18n import M


@dataclass(frozen=True)
class Target:
    year: int
    value: float | None = None        # absolute level
    change: float | None = None       # relative change (−0.25 = −25 %) ...
    base_year: int | None = None      # ... against the unit's value in this year

    @property
    def is_relative(self) -> bool:
        return self.change is not None

    def to_spec(self) -> Any:
        if self.is_relative:
            return {"change": self.change, "from": self.base_year}
        return self.value

    def describe(self) -> str:
        """The target in words (a :class:`~evaluator.i18n.Msg`: ``.render("zh")``)."""
        if self.is_relative:
            return M("target.relative_by", change=self.change, base=self.base_year, year=self.year)
        return M("target.level_by", value=self.value, year=self.year)


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def parse_targets(spec: Any, path: str, report: Callable[..., None]) -> tuple[Target, ...]:
    if spec is None:
        return ()
    if not isinstance(spec, Mapping):
        report(path, M("fwspec.targets_not_mapping", value=spec),
               M("fwspec.targets_not_mapping.fix"))
        return ()
    out = []
    for year, value in spec.items():
        ypath = f"{path}.{year}"
        try:
            y = int(str(year))
            if not 1000 <= y <= 9999:
                raise ValueError
        except ValueError:
            report(ypath, M("fwspec.target_year", value=year), M("fwspec.target_year.fix"))
            continue
        if _is_number(value):
            out.append(Target(y, value=float(value)))
        elif isinstance(value, Mapping) and set(value) == {"change", "from"} \
                and _is_number(value["change"]) and _is_number(value["from"]):
            base = int(value["from"])
            if base >= y:
                report(ypath, M("fwspec.target_base", base=base, year=y),
                       M("fwspec.target_base.fix"))
                continue
            out.append(Target(y, change=float(value["change"]), base_year=base))
        else:
            report(ypath, M("fwspec.not_target", value=value), M("fwspec.not_target.fix"))
    return tuple(sorted(out, key=lambda t: t.year))
