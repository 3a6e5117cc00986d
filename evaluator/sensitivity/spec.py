"""The ``uncertainty`` section of a recipe: what varies in a sensitivity analysis.

Format (DESIGN.md §4 "Uncertainty section of a recipe")::

    uncertainty:
      weights: {perturb: 0.2}            # each weight × U(0.8, 1.2), renormalised within
                                         # its parent; or {dirichlet: 50}: the children's
                                         # weights ~ Dirichlet(50 · nominal weights)
      weight_methods: [entropy, critic, equal]
      normalise: [min_max, z_score]
      aggregate: [weighted_sum, geometric]
      impute: [mean, linear]
      drop_indicator: true               # or a list of indicator ids

Every key is optional; a list holds the alternatives sampled uniformly (one entry = that
choice fixed). An alternative is a method name or a full recipe section (mapping):

* ``normalise: z_score`` keeps the recipe's ``range`` and ``scope``;
* ``aggregate: geometric`` applies to every node (``by_node`` cleared) and keeps
  ``min_coverage``;
* ``weight_methods: critic`` sets the indicator weights (``weights.indicators``) and keeps
  the node weights and scope (``by_node`` cleared); a mapping with ``indicators`` /
  ``nodes`` keys replaces the whole ``weights`` section, any other mapping (e.g.
  ``{method: ahp, file: weights/panel.yaml}``) is the indicator weight spec;
* ``impute: mean`` replaces the impute section.

Reference: Saisana, M., Saltelli, A. & Tarantola, S. (2005). Uncertainty and sensitivity
analysis techniques as tools for the quality assessment of composite indicators. *Journal
of the Royal Statistical Society A* 168(2), 307–323 (the factors varied jointly: weights,
weighting method, normalisation, aggregation, imputation, exclusion of one indicator).
"""
from __future__ import annotations

import copy
import json
from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import RecipeError
from ..model.framework import Framework
from ..model.names import near_matches
from ..model.recipe import Recipe
from ..i18n import M, suggest

#: Dirichlet weights need concentration × every nominal weight ≥ this: a gamma variate of
#: shape a underflows to 0 in double precision with probability ≈ 2.2e-308**a / Γ(1 + a),
#: about 1e-15 at a = 0.05 but 0.5 at a = 0.001, and a parent whose children all
#: underflow has no weights at all.
DIRICHLET_FLOOR = 0.05

#: Used when the recipe has no ``uncertainty`` section (stated on screen and in the summary).
DEFAULT_UNCERTAINTY: dict[str, Any] = {"weights": {"perturb": 0.2}}

KEYS = ("weights", "weight_methods", "normalise", "aggregate", "impute", "drop_indicator")
#: Discrete factors in their fixed order (the codes of a scenario follow it).
DISCRETE = ("impute", "normalise", "weight_method", "aggregate", "drop_indicator")
_LIST_KEY = {"impute": "impute", "normalise": "normalise", "weight_method": "weight_methods",
             "aggregate": "aggregate"}
_WEIGHT_SECTION_KEYS = {"indicators", "nodes", "by_node", "scope"}


@dataclass(frozen=True)
class Choice:
    """One alternative of a discrete factor: a label for tables and the recipe section it
    sets (``None`` for drop_indicator, where ``indicator`` says what is left out)."""

    label: str
    section: Any = None
    indicator: str | None = None


@dataclass(frozen=True)
class Factor:
    """A discrete factor and its alternatives (one alternative = fixed, not varied)."""

    name: str
    choices: tuple[Choice, ...]

    @property
    def varied(self) -> bool:
        return len(self.choices) > 1


@dataclass(frozen=True)
class UncertaintySpec:
    """The validated ``uncertainty`` section. ``weights`` is ``"none"``, ``"perturb"``
    (``weights_param`` = f in (0, 1)) or ``"dirichlet"`` (``weights_param`` = the
    concentration); ``factors`` are the discrete factors in :data:`DISCRETE` order."""

    weights: str
    weights_param: float | None
    factors: tuple[Factor, ...]
    section: Mapping[str, Any] = field(default_factory=dict)
    defaulted: bool = False

    @property
    def varied_factors(self) -> list[str]:
        """Names of everything that varies: ``weights`` first, then discrete factors."""
        out = ["weights"] if self.weights != "none" else []
        return out + [f.name for f in self.factors if f.varied]

    def factor(self, name: str) -> Factor:
        return next(f for f in self.factors if f.name == name)

    @property
    def sizes(self) -> tuple[int, ...]:
        return tuple(len(f.choices) for f in self.factors)


def _where(source: str | None, key: str) -> str:
    return f"{source or 'recipe'}: uncertainty" + (f".{key}" if key else "")


def _label(value: Any) -> str:
    if isinstance(value, str):
        return value
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def _weights(value: Any, source: str | None) -> tuple[str, float | None]:
    where = _where(source, "weights")
    if value is None or value is False:
        return "none", None
    if not isinstance(value, Mapping) or len(value) != 1:
        raise RecipeError(M("sens.spec.not_one", value=value),
                          where=where, fix=M("sens.spec.not_one.fix"))
    (kind, param), = value.items()
    if kind not in ("perturb", "dirichlet"):
        hint = near_matches(str(kind), ["perturb", "dirichlet"])
        raise RecipeError(M("sens.spec.unknown_weight_variation", kind=kind), where=where,
                          fix=suggest(hint, M("hint.weight_variations")))
    if isinstance(param, bool) or not isinstance(param, (int, float)):
        raise RecipeError(M("sens.spec.not_number", kind=kind, param=param), where=f"{where}.{kind}")
    param = float(param)
    if kind == "perturb" and not 0 < param < 1:
        raise RecipeError(M("sens.spec.perturb_outside", param=param), where=f"{where}.perturb",
                          fix=M("sens.spec.perturb_outside.fix"))
    if kind == "dirichlet" and not (param > 0 and param != float("inf")):
        raise RecipeError(M("sens.spec.dirichlet_not_positive_concentration", param=param),
                          where=f"{where}.dirichlet",
                          fix=M("sens.spec.dirichlet_not_positive_concentration.fix"))
    return kind, param


def _alternatives(section: Mapping[str, Any], key: str, source: str | None) -> list[Any] | None:
    if key not in section or section[key] is None:
        return None
    value = section[key]
    if isinstance(value, (str, Mapping)):
        value = [value]
    if not isinstance(value, list):
        raise RecipeError(M("sens.spec.not_list_alternatives", value=value), where=_where(source, key),
                          fix=M("sens.spec.not_list_alternatives.fix", key_=key))
    if not value:
        raise RecipeError(M("sens.spec.list_alternatives_empty"), where=_where(source, key),
                          fix=M("sens.spec.list_alternatives_empty.fix"))
    for k, item in enumerate(value):
        if not isinstance(item, (str, Mapping)) or (isinstance(item, str) and not item):
            raise RecipeError(M("sens.spec.not_method_name_recipe", item=item),
                              where=f"{_where(source, key)}[{k}]")
    return value


def section_for(recipe: Recipe, factor: str, value: Any) -> Any:
    """The recipe section that alternative ``value`` of ``factor`` sets (see module doc)."""
    if factor == "impute":
        return {"method": value} if isinstance(value, str) else dict(value)
    if factor == "normalise":
        base = {"range": list(recipe.normalise["range"]), "scope": recipe.normalise["scope"]}
        return {**base, **({"method": value} if isinstance(value, str) else dict(value))}
    if factor == "aggregate":
        base = {"min_coverage": recipe.aggregate["min_coverage"]}
        return {**base, **({"method": value} if isinstance(value, str) else dict(value))}
    if factor == "weight_method":
        if isinstance(value, Mapping) and set(value) & _WEIGHT_SECTION_KEYS:
            return dict(value)
        nominal = copy.deepcopy(dict(recipe.weights))
        nominal["by_node"] = {}
        nominal["indicators"] = value if isinstance(value, str) else dict(value)
        return nominal
    raise KeyError(factor)


_RECIPE_SECTION = {"impute": "impute", "normalise": "normalise", "weight_method": "weights",
                   "aggregate": "aggregate"}


def recipe_with(recipe: Recipe, sections: Mapping[str, Any]) -> Recipe:
    """``recipe`` with the given factor → section choices applied (None = keep)."""
    changes = {_RECIPE_SECTION[f]: s for f, s in sections.items()
               if s is not None and f in _RECIPE_SECTION}
    return recipe.replace(**changes) if changes else recipe


def droppable(framework: Framework) -> list[str]:
    """Indicators that can be left out: those with a sibling (a parent left without
    children would have no score)."""
    return [i.id for i in framework.indicators if len(framework.children(i.parent)) >= 2]


def parse_uncertainty(recipe: Recipe, framework: Framework) -> UncertaintySpec:
    """Validate ``recipe.uncertainty`` (DEFAULT_UNCERTAINTY when the recipe has none).

    Raises :class:`RecipeError` naming the key: unknown key, f outside (0, 1), a
    concentration ≤ 0, an empty list, an unknown method or parameter in an alternative.
    Whether an alternative works on the data is checked later (:mod:`.design`).
    """
    source = recipe.source
    raw = dict(recipe.uncertainty or {})
    defaulted = not raw
    section = raw or copy.deepcopy(DEFAULT_UNCERTAINTY)
    unknown = [k for k in section if k not in KEYS]
    if unknown:
        hints = "; ".join(f"{k!r}: did you mean {near_matches(str(k), KEYS)}?"
                          if near_matches(str(k), KEYS) else repr(k) for k in unknown)
        raise RecipeError(M("sens.spec.unknown_key_s_uncertainty", hints=hints),
                          where=f"{source or 'recipe'}: uncertainty",
                          fix=M("hint.valid", values=", ".join(KEYS)))
    kind, param = _weights(section.get("weights"), source)
    factors = []
    for name in DISCRETE[:-1]:
        key = _LIST_KEY[name]
        values = _alternatives(section, key, source)
        if values is None:
            factors.append(Factor(name, (Choice("recipe"),)))
            continue
        choices = []
        for k, value in enumerate(values):
            sec = section_for(recipe, name, value)
            try:
                recipe_with(recipe, {name: sec})
            except RecipeError as exc:
                raise RecipeError(M("sens.spec.alternative", label=_label(value), problem=exc.problem),
                                  where=f"{_where(source, key)}[{k}]", fix=exc.fix) from None
            choices.append(Choice(_label(value), sec))
        labels = [c.label for c in choices]
        dupes = sorted({x for x in labels if labels.count(x) > 1})
        if dupes:
            raise RecipeError(M("sens.spec.alternative_s_listed_twice", dupes=', '.join(dupes)),
                              where=_where(source, key), fix=M("sens.spec.alternative_s_listed_twice.fix"))
        factors.append(Factor(name, tuple(choices)))
    factors.append(_drop_factor(section.get("drop_indicator", False), framework, source))
    if kind == "dirichlet":
        # the smallest nominal weight of a parent with k children is at most 1/k
        widest = max((len(framework.children(p)) for p, _ in edges_of(framework)), default=1)
        check_dirichlet(param, 1.0 / widest, source,
                        what=f"at most 1/{widest}, the share of each of the {widest} "
                             "children of the largest node under equal weights")
    spec = UncertaintySpec(kind, param, tuple(factors), section=section, defaulted=defaulted)
    if not spec.varied_factors:
        raise RecipeError(M("sens.spec.uncertainty_section_varies_nothing"), where=_where(source, ""),
                          fix=M("sens.spec.uncertainty_section_varies_nothing.fix"))
    return spec


def check_dirichlet(concentration: float, smallest_weight: float, source: str | None, *,
                    what: str = "") -> None:
    """Refuse a Dirichlet concentration whose gamma draws would underflow: concentration ×
    the smallest (positive) nominal weight must reach :data:`DIRICHLET_FLOOR`."""
    import math
    shape = concentration * smallest_weight
    if shape >= DIRICHLET_FLOOR:
        return
    need = math.ceil(DIRICHLET_FLOOR / smallest_weight)
    raise RecipeError(
        M("sens.spec.dirichlet_too_small_concentration", concentration=concentration, smallest_weight=smallest_weight, value='; ' + what if what else '', shape=shape, DIRICHLET_FLOOR=DIRICHLET_FLOOR),
        where=f"{_where(source, 'weights')}.dirichlet",
        fix=M("sens.spec.dirichlet_too_small_concentration.fix", need=need))


def _drop_factor(value: Any, framework: Framework, source: str | None) -> Factor:
    where = _where(source, "drop_indicator")
    ok = droppable(framework)
    if value is False or value is None:
        return Factor("drop_indicator", (Choice("none"),))
    if value is True:
        ids = ok
    elif isinstance(value, list) and value and all(isinstance(v, str) for v in value):
        ids = []
        for v in value:
            if v not in framework.indicator_ids:
                hint = near_matches(v, framework.indicator_ids)
                raise RecipeError(M("sens.spec.not_indicator_framework", v=v), where=where,
                                  fix=suggest(hint) if hint else M("hint.list_indicator_ids"))
            if v not in ok:
                raise RecipeError(M("sens.spec.only_child_cannot_left", v=v, parent_of=framework.parent_of(v)), where=where,
                                  fix=M("sens.spec.only_child_cannot_left.fix"))
            ids.append(v)
    else:
        raise RecipeError(M("sens.spec.not_true_false_list", value=value),
                          where=where, fix=M("sens.spec.not_true_false_list.fix"))
    if not ids:
        raise RecipeError(M("sens.spec.no_indicator_can_left"),
                          where=where, fix=M("sens.spec.no_indicator_can_left.fix"))
    choices = [Choice("none")] + [Choice(i, indicator=i) for i in ids]
    return Factor("drop_indicator", tuple(choices))


def edges_of(framework: Framework) -> list[tuple[str, str]]:
    """Every (parent, child) pair whose weight can vary: parents with two or more
    children, children before parents (the order of :meth:`aggregation_order`)."""
    out = []
    for parent in framework.aggregation_order():
        kids = framework.children(parent)
        if len(kids) >= 2:
            out += [(parent, k) for k in kids]
    return out


__all__ = ["DEFAULT_UNCERTAINTY", "DIRICHLET_FLOOR", "check_dirichlet", "DISCRETE",
           "Choice", "Factor", "UncertaintySpec",
           "parse_uncertainty", "section_for", "recipe_with", "droppable", "edges_of"]
