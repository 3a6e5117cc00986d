"""Recipe: every method choice of an assessment, validated, with documented defaults.

A recipe is plain data (DESIGN.md §4 "Recipe"): it round-trips through YAML, is recorded
in the manifest with every default filled in, and can be re-run with one choice changed
(:meth:`Recipe.replace`) — COINr's "regenerate" idea. An unknown section, method or
parameter is an error that lists the valid ones.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import yaml

from .. import registry
from ..errors import RecipeError
from .dropped import drop_spec
from ..i18n import M

RANK_RTOL = 1e-9   # rank.tolerance: the default of methods.ranking.RTOL (model/ imports no methods)


def _number(lo: float | None = None, hi: float | None = None, integer: bool = False):
    def check(value: Any, path: str) -> Any:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise RecipeError(M("recipe.not_number", value=value), where=path)
        if integer and int(value) != value:
            raise RecipeError(M("recipe.not_whole_number", value=value), where=path)
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise RecipeError(M("recipe.outside", value=value, lo=lo, hi=hi), where=path)
        return int(value) if integer else float(value)
    return check


def _optional(check: Callable) -> Callable:
    def inner(value: Any, path: str) -> Any:
        return None if value is None else check(value, path)
    return inner


def _string(value: Any, path: str) -> str:
    if not isinstance(value, str) or not value:
        raise RecipeError(M("recipe.not_name", value=value), where=path)
    return value


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise RecipeError(M("recipe.not_true_false", value=value), where=path)
    return value


def _choice(*options: str) -> Callable:
    def check(value: Any, path: str) -> str:
        if value not in options:
            hint = registry.near_matches(str(value), options)
            raise RecipeError(M("recipe.unknown_value", value=value), where=path,
                              fix=registry.valid_fix(options, hint))
        return value
    return check


def _mapping(value: Any, path: str) -> dict:
    if not isinstance(value, Mapping):
        raise RecipeError(M("recipe.not_mapping", value=value), where=path)
    return dict(value)


# method → {param: (checker, default)} ; the "method" key itself is implied
IMPUTE_METHODS = {
    "none": {}, "mean": {}, "median": {},
    "group_mean": {"by": (_string, "group")}, "group_median": {"by": (_string, "group")},
    "linear": {}, "carry_forward": {}, "knn": {"k": (_number(1, None, True), 5)},
}
TREAT_METHODS = {
    "none": {},
    "winsorise": {"max_points": (_number(1, None, True), 5), "skew": (_number(0), 2.0),
                  "kurtosis": (_number(0), 3.5)},
    "log": {},
}
# normalisations, weights and aggregations are declared in their registries
# (evaluator.registry): their names, parameters, defaults and allowed values
NORMALISE_METHODS, WEIGHT_METHODS, AGGREGATE_METHODS = "normalisations", "weights", \
    "aggregations"


def weight_method_names(*, nodes: bool = False) -> list[str]:
    """The registered weighting methods (for nodes also those only nodes may use)."""
    return [name for name, m in registry.methods("weights").items()
            if nodes or not m.has("nodes_only")]


def _spec(value: Any, methods: Mapping[str, Mapping] | str, path: str,
          default_method: str) -> dict[str, Any]:
    """Validate ``value`` (a method name or {method, params}) and fill the defaults;
    ``methods`` is a table here or the name of a registry family."""
    if value is None:
        value = {"method": default_method}
    if isinstance(value, str):
        value = {"method": value}
    value = _mapping(value, path)
    method = value.get("method", default_method)
    if isinstance(methods, str):
        return registry.get(methods, method, where=f"{path}.method").validate(value, path)
    _choice(*methods)(method, f"{path}.method")
    params = methods[method]
    out: dict[str, Any] = {"method": method}
    for key, raw in value.items():
        if key == "method":
            continue
        if key not in params:
            hint = registry.near_matches(str(key), list(params))
            raise RecipeError(M("recipe.unknown_parameter_method", key_=key, method=method),
                              where=f"{path}.{key}",
                              fix=M("registry.fix.valid_params", name=method,
                                    valid=", ".join(params) or M("registry.none"),
                                    hint=M("registry.did_you_mean",
                                           names=", ".join(map(repr, hint))) if hint else ""))
        check = params[key][0]
        out[key] = check(raw, f"{path}.{key}") if check else raw
    for key, (_, default) in params.items():
        out.setdefault(key, copy.deepcopy(default))
    return out


def _weight_spec(value: Any, path: str, default: str) -> dict[str, Any]:
    spec = _spec(value, WEIGHT_METHODS, path, default)
    if spec["method"] == "ahp" and not spec["file"]:
        raise RecipeError(M("recipe.ahp_weights_need_judgement"), where=f"{path}.file",
                          fix=M("recipe.ahp_weights_need_judgement.fix"))
    if spec["method"] == "combined":
        parts = spec["methods"]
        if not isinstance(parts, list) or len(parts) < 2:
            raise RecipeError(M("recipe.combined_weights_need_list"),
                              where=f"{path}.methods", fix=M("recipe.combined_weights_need_list.fix"))
        spec["methods"] = [_weight_spec(p, f"{path}.methods[{k}]", "equal")
                           for k, p in enumerate(parts)]
        alpha = spec["alpha"]
        if spec["how"] == "linear":
            alpha = alpha if alpha is not None else [1.0 / len(parts)] * len(parts)
            if (not isinstance(alpha, list) or len(alpha) != len(parts)
                    or abs(sum(alpha) - 1) > 1e-9 or min(alpha) < 0):
                raise RecipeError(M("recipe.alpha_must_non_negative", alpha=alpha, n_parts=len(parts)), where=f"{path}.alpha")
            spec["alpha"] = [float(a) for a in alpha]
    return spec


def _check_freeze(raw: Any, where: str) -> dict[str, Any]:
    """``freeze: {round: N[, db: URL]}``: a positive round id, an optional database."""
    spec = dict(_mapping(raw or {}, f"{where}: freeze"))
    unknown = set(spec) - {"round", "db", "applied"}
    if unknown:
        raise RecipeError(M("recipe.freeze.unknown_parameter_s", unknown=sorted(unknown)), where=f"{where}: freeze",
                          fix=M("recipe.freeze.unknown_parameter_s.fix"))
    if not spec:
        return {}
    rid = spec.get("round")
    if isinstance(rid, bool) or not isinstance(rid, int) or rid < 1:
        raise RecipeError(M("recipe.freeze.not_round_id_whole", rid=rid),
                          where=f"{where}: freeze.round",
                          fix=M("recipe.freeze.not_round_id_whole.fix"))
    if spec.get("db") is not None and not isinstance(spec["db"], str):
        raise RecipeError(M("recipe.freeze.not_database_file_url", spec=spec['db']),
                          where=f"{where}: freeze.db")
    return {"round": rid, "db": spec.get("db"), "applied": bool(spec.get("applied", False))}


SECTIONS = ("denominate", "impute", "screen", "treat", "normalise", "weights", "aggregate",
            "rank", "coordination", "diagnose", "alerts", "uncertainty", "freeze", "seed",
            "periods")
PERIODS_ANNUAL = ("exclude", "carry")


@dataclass(frozen=True)
class Recipe:
    """Every method choice, validated, defaults filled. Build with ``Recipe(...)``,
    :meth:`from_dict` or :func:`load_recipe`; change one choice with :meth:`replace`."""

    denominate: bool = True
    impute: Mapping[str, Any] = field(default_factory=dict)
    screen: Mapping[str, Any] = field(default_factory=dict)
    treat: Mapping[str, Any] = field(default_factory=dict)
    normalise: Mapping[str, Any] = field(default_factory=dict)
    weights: Mapping[str, Any] = field(default_factory=dict)
    aggregate: Mapping[str, Any] = field(default_factory=dict)
    rank: Mapping[str, Any] = field(default_factory=dict)
    coordination: Mapping[str, Any] = field(default_factory=dict)
    diagnose: Mapping[str, Any] = field(default_factory=dict)
    alerts: Mapping[str, Any] = field(default_factory=dict)
    uncertainty: Mapping[str, Any] = field(default_factory=dict)
    # {round: N, db: URL}: normalisation bounds and weights frozen from a published round
    # (evaluator.store.freeze); `applied: true` once they are in the recipe
    freeze: Mapping[str, Any] = field(default_factory=dict)
    seed: int = 0
    source: str | None = field(default=None, compare=False)
    # sub-annual panels (issue 14): what becomes of annual indicators in a quarterly run
    periods: Mapping[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = self.source or "recipe"
        set_ = lambda k, v: object.__setattr__(self, k, v)  # noqa: E731 (frozen dataclass)
        if not isinstance(self.denominate, bool):
            raise RecipeError(M("recipe.not_true_false_2", denominate=self.denominate),
                              where=f"{where}: denominate")
        set_("impute", _spec(self.impute or None, IMPUTE_METHODS, f"{where}: impute", "none"))
        screen = _mapping(self.screen or {}, f"{where}: screen")
        unknown = set(screen) - {"min_coverage", "drop_indicators"}
        if unknown:
            raise RecipeError(M("recipe.unknown_parameter_s", unknown=sorted(unknown)),
                              where=f"{where}: screen", fix=M("numbers.screen.valid"))
        set_("screen", {"min_coverage": _number(0, 1)(screen.get("min_coverage", 0.0),
                                                      f"{where}: screen.min_coverage"),
                        # indicators left out openly (model/dropped.py), id → reason
                        "drop_indicators": drop_spec(screen.get("drop_indicators"),
                                                     f"{where}: screen.drop_indicators")})
        set_("treat", _spec(self.treat or None, TREAT_METHODS, f"{where}: treat", "none"))
        set_("normalise", _spec(self.normalise or None, NORMALISE_METHODS,
                                f"{where}: normalise", "min_max"))
        set_("weights", self._check_weights(where))
        set_("aggregate", self._check_aggregate(where))
        rank = _mapping(self.rank or {}, f"{where}: rank")
        unknown = set(rank) - {"decimals", "tolerance"}
        if unknown:
            raise RecipeError(M("recipe.unknown_parameter_s_2", unknown=sorted(unknown)),
                              where=f"{where}: rank", fix=M("numbers.rank.valid"))
        # scores within tolerance × the year's largest |score| tie (methods/ranking.py)
        set_("rank", {"decimals": _optional(_number(0, 15, True))(rank.get("decimals"),
                                                                  f"{where}: rank.decimals"),
                      "tolerance": _number(0, 1e-3)(rank.get("tolerance", RANK_RTOL),
                                                    f"{where}: rank.tolerance")})
        set_("coordination", self._check_coordination(where))
        for name in ("diagnose", "alerts", "uncertainty"):
            set_(name, _mapping(getattr(self, name) or {}, f"{where}: {name}"))
        periods = _mapping(self.periods or {}, f"{where}: periods")
        unknown = set(periods) - {"annual"}
        if unknown:
            raise RecipeError(M("recipe.unknown_parameter_s", unknown=sorted(unknown)),
                              where=f"{where}: periods", fix=M("recipe.valid", names="annual"))
        set_("periods", {"annual": _choice(*PERIODS_ANNUAL)(periods.get("annual", "exclude"),
                                                            f"{where}: periods.annual")})
        set_("freeze", _check_freeze(self.freeze, where))
        if isinstance(self.seed, bool) or not isinstance(self.seed, int) or self.seed < 0:
            raise RecipeError(M("recipe.seed_not_non_negative", seed=self.seed),
                              where=f"{where}: seed")

    def _check_weights(self, where: str) -> dict[str, Any]:
        raw = self.weights
        if isinstance(raw, str):
            raw = {"indicators": raw}
        raw = _mapping(raw or {}, f"{where}: weights")
        unknown = set(raw) - {"indicators", "nodes", "by_node", "scope"}
        if unknown:
            raise RecipeError(M("recipe.unknown_key_s", unknown=sorted(unknown)),
                              where=f"{where}: weights",
                              fix=M("recipe.unknown_key_s.fix"))
        out = {"indicators": _weight_spec(raw.get("indicators"), f"{where}: weights.indicators",
                                          "fixed"),
               "nodes": _weight_spec(raw.get("nodes"), f"{where}: weights.nodes", "fixed"),
               "scope": _choice("within_parent", "all")(raw.get("scope", "within_parent"),
                                                        f"{where}: weights.scope")}
        by_node = _mapping(raw.get("by_node") or {}, f"{where}: weights.by_node")
        out["by_node"] = {str(k): _weight_spec(v, f"{where}: weights.by_node.{k}", "fixed")
                          for k, v in by_node.items()}
        if registry.get("weights", out["indicators"]["method"]).has("nodes_only"):
            raise RecipeError(M("recipe.from_indicators_node_method"),
                              where=f"{where}: weights",
                              fix=M("recipe.from_indicators_node_method.fix"))
        return out

    def _check_coordination(self, where: str) -> dict[str, Any]:
        raw = _mapping(self.coordination or {}, f"{where}: coordination")
        params = {"enabled": (_boolean, True), "nodes": (None, None),
                  "form": (_choice("wang2021", "normative"), "wang2021"),
                  "coefficients": (None, None)}
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in params:
                hint = registry.near_matches(str(key), list(params))
                raise RecipeError(M("recipe.unknown_coordination_parameter", key_=key),
                                  where=f"{where}: coordination.{key}",
                                  fix=registry.valid_fix(list(params), hint))
            check = params[key][0]
            out[key] = check(value, f"{where}: coordination.{key}") if check else value
        nodes = out.get("nodes")
        if nodes is not None and (not isinstance(nodes, list) or len(nodes) < 2
                                  or not all(isinstance(n, str) for n in nodes)):
            raise RecipeError(M("recipe.not_list_two_more", nodes=nodes),
                              where=f"{where}: coordination.nodes",
                              fix=M("recipe.not_list_two_more.fix"))
        coef = out.get("coefficients")
        if coef is not None:
            if (not isinstance(coef, list) or not all(
                    isinstance(c, (int, float)) and not isinstance(c, bool) and c >= 0
                    for c in coef) or abs(sum(coef) - 1) > 1e-9):
                raise RecipeError(M("recipe.must_non_negative_numbers", coef=coef),
                                  where=f"{where}: coordination.coefficients")
            out["coefficients"] = [float(c) for c in coef]
        for key, (_, default) in params.items():
            out.setdefault(key, default)
        return out

    def _check_aggregate(self, where: str) -> dict[str, Any]:
        raw = self.aggregate
        if isinstance(raw, str):
            raw = {"method": raw}
        raw = dict(_mapping(raw or {}, f"{where}: aggregate"))
        by_node = _mapping(raw.pop("by_node", None) or {}, f"{where}: aggregate.by_node")
        min_cov = _number(0, 1)(raw.pop("min_coverage", 0.0), f"{where}: aggregate.min_coverage")
        out = _spec(raw or None, AGGREGATE_METHODS, f"{where}: aggregate", "weighted_sum")
        out["by_node"] = {str(k): _spec(v, AGGREGATE_METHODS, f"{where}: aggregate.by_node.{k}",
                                        "weighted_sum") for k, v in by_node.items()}
        out["min_coverage"] = min_cov
        for spec in [out, *out["by_node"].values()]:
            self._resolve_files(AGGREGATE_METHODS, spec)
        return out

    def _resolve_files(self, family: str, spec: dict[str, Any]) -> None:
        """A relative file parameter (e.g. fuzzy ``counts``) is looked for in the current
        folder, then beside the recipe file (kept as written when neither has it: the
        method says it cannot read it)."""
        for p in registry.get(family, spec["method"]).params:
            value = spec.get(p.name)
            if p.kind != "file" or not value or Path(value).is_absolute() \
                    or Path(value).exists() or not self.source:
                continue
            beside = Path(self.source).parent / value
            if Path(self.source).is_file() and beside.exists():
                spec[p.name] = str(beside)

    # -- round trip ----------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Mapping[str, Any] | None, *, source: str | None = None,
                  base: Mapping[str, Any] | None = None) -> "Recipe":
        """A recipe from plain data; with ``base`` (e.g. ``framework.recipe``) the spec's
        sections are laid over the base's (see :func:`merge_sections`)."""
        spec = merge_sections(base or {}, spec or {})
        unknown = [k for k in spec if k not in SECTIONS]
        if unknown:
            near = [h for k in unknown for h in registry.near_matches(str(k), SECTIONS)]
            raise RecipeError(M("recipe.unknown_recipe_section_s",
                                hints=", ".join(map(repr, unknown))),
                              where=source or "recipe", fix=registry.valid_fix(SECTIONS, near))
        return cls(**spec, source=source)

    def to_dict(self) -> dict[str, Any]:
        return {name: copy.deepcopy(getattr(self, name)) for name in SECTIONS}

    def to_yaml(self) -> str:
        return yaml.safe_dump(self.to_dict(), allow_unicode=True, sort_keys=False)

    def replace(self, **changes: Any) -> "Recipe":
        """A copy with some sections replaced, e.g. ``recipe.replace(normalise="z_score")``."""
        spec = self.to_dict()
        spec.update(changes)
        return Recipe.from_dict(spec, source=self.source)


def merge_sections(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Lay ``override``'s sections over ``base``'s. A section that keeps the base's method
    (or has none, like ``weights``) is merged key by key, so ``weights: {indicators:
    critic}`` keeps the base's ``nodes``; a section naming another method replaces the
    base's, whose parameters may not apply to it."""
    out = dict(base)
    for key, value in override.items():
        old = out.get(key)
        if isinstance(old, Mapping) and isinstance(value, Mapping) \
                and value.get("method", old.get("method")) == old.get("method"):
            out[key] = {**old, **value}
        else:
            out[key] = value
    return out


def load_recipe(path: str | Path, base: Mapping[str, Any] | None = None) -> Recipe:
    """Read a recipe YAML file; sections it leaves out come from ``base`` (the framework's
    default recipe), then from the documented defaults."""
    from .framework import read_yaml
    spec = read_yaml(Path(path), RecipeError)
    if spec is None:
        spec = {}
    if not isinstance(spec, Mapping):
        raise RecipeError(M("recipe.recipe_file_must_mapping"), where=str(path),
                          fix=M("recipe.recipe_file_must_mapping.fix"))
    return Recipe.from_dict(spec, source=str(path), base=base)
