"""Method registries: one per family, name → function with its declarations.

pymcdm's idea (a method declares the intermediate quantities it explains, with captions)
and scikit-criteria's (parameters are data): each method is registered once, with

* ``func`` — the function the stage calls (its signature is the family's, see
  :data:`FAMILIES`);
* ``params`` — declared :class:`~.params.Param` s (type, default, allowed values,
  meaning in English and Chinese, reference);
* ``tables`` — declared intermediate quantities (:class:`Table`: name, caption zh/en,
  symbol, per row or per child), which the pipeline writes to ``aggregation.csv`` and
  the manifest and ``evaluator methods`` lists;
* ``title`` (en, zh), ``formula``, ``reference`` and ``traits`` (what the stages need to
  know about the method — e.g. that it compares units within a block — instead of its name).

Built-in methods register themselves when their module is imported; the registry imports
those modules by name on first use, and then every third-party plugin announced in the
``evaluator.methods`` entry-point group. A plugin that fails to load is kept in
:func:`plugin_errors` under its name, and the built-in methods go on working.
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable

from ..errors import RecipeError
from .params import Param, near_matches, valid_fix
from ..i18n import M

# family → (English, Chinese) name and the call signature of its functions
FAMILIES = {
    "normalisations": ("normalisations", "标准化方法",
                       "func(X_block, signs, columns, settings, ctx) → values on [0, 1]"),
    "weights": ("weighting methods", "赋权方法",
                "func(data: WeightData, **params) → WeightResult or weight vector"),
    "aggregations": ("aggregation methods", "集成（合成）方法",
                     "func(V, w, **params) → AggregationResult"),
    "disparity": ("disparity measures", "差异测度方法",
                  "func(values, groups, **params) → DisparityResult"),
}
# the built-in modules, imported by name (as plugins are): the registry is a foundation
# that knows no method module statically
BUILTIN_MODULES = ("evaluator.methods.normalise", "evaluator.methods.weight_methods",
                   "evaluator.methods.aggregation_methods", "evaluator.methods.disparity")
ENTRY_POINT_GROUP = "evaluator.methods"


@dataclass(frozen=True)
class Table:
    """An intermediate quantity a method explains: ``name`` (its column or key),
    captions, symbol, and ``per``: ``row`` (one value per unit-year), ``child`` (per
    unit-year and child), ``block`` (per year or pooled block: the manifest) or ``item``
    (per weighted child: the weights table)."""

    name: str
    en: str
    zh: str
    symbol: str = ""
    per: str = "row"


@dataclass(frozen=True)
class Method:
    family: str
    name: str
    func: Callable[..., Any] | None
    params: tuple[Param, ...] = ()
    tables: tuple[Table, ...] = ()
    title: tuple[str, str] = ("", "")
    formula: str = ""
    reference: str = ""
    traits: frozenset[str] = frozenset()
    origin: str = "built-in"
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def param(self, name: str) -> Param:
        return next(p for p in self.params if p.name == name)

    def has(self, trait: str) -> bool:
        return trait in self.traits

    def title_in(self, lang: str) -> str:
        """The declared title in ``lang`` (the other language's, else the name)."""
        en, zh = (tuple(self.title) + ("", ""))[:2]
        return ((zh or en) if lang == "zh" else (en or zh)) or self.name

    def formula_in(self, lang: str) -> str:
        """The declared formula: a string, or an (English, Chinese) pair."""
        if isinstance(self.formula, (tuple, list)):
            en, zh = (tuple(self.formula) + ("", ""))[:2]
            return (zh or en) if lang == "zh" else (en or zh)
        return self.formula or ""

    def validate(self, spec: dict[str, Any], path: str) -> dict[str, Any]:
        """``spec`` ({method, params...}) checked against the declared parameters, with
        the defaults filled in; unknown parameters name the valid ones."""
        import copy
        out: dict[str, Any] = {"method": self.name}
        known = {p.name: p for p in self.params}
        for key, raw in spec.items():
            if key == "method":
                continue
            if key not in known:
                hint = near_matches(str(key), list(known))
                raise RecipeError(M("core.unknown_parameter_method", key_=key, name=self.name),
                                  where=f"{path}.{key}",
                                  fix=M("registry.fix.valid_params", name=self.name,
                                        valid=", ".join(known) or M("registry.none"),
                                        hint=M("registry.did_you_mean",
                                               names=", ".join(map(repr, hint)))
                                        if hint else ""))
            out[key] = known[key].validate(raw, f"{path}.{key}")
        for p in self.params:
            out.setdefault(p.name, copy.deepcopy(p.default))
        return out


_REGISTRY: dict[str, dict[str, Method]] = {f: {} for f in FAMILIES}
_PLUGIN_ERRORS: dict[str, str] = {}
_loaded = False
_loading = False


def register(family: str, name: str, *, params: Iterable[Param] = (),
             tables: Iterable[Table] = (), title: tuple[str, str] = ("", ""),
             formula: str = "", reference: str = "", traits: Iterable[str] = (),
             origin: str | None = None, **extra: Any) -> Callable:
    """Decorator: register ``func`` as method ``name`` of ``family``. A plugin uses it
    exactly as the built-in methods do (``from evaluator.registry import register``)."""
    if family not in FAMILIES:
        raise ValueError(M("registry.fix.problem_and_fix",
                           problem=M("registry.unknown_family", name=family),
                           fix=valid_fix(list(FAMILIES), near_matches(family, list(FAMILIES)))))

    def wrap(func: Callable | None) -> Callable | None:
        where = origin or ("built-in" if (getattr(func, "__module__", "") or "")
                           .startswith("evaluator.")
                           else f"plugin {getattr(func, '__module__', '?')}")
        _REGISTRY[family][name] = Method(
            family, name, func, tuple(params), tuple(tables), tuple(title), formula,
            reference or _first_reference(func), frozenset(traits), where, dict(extra))
        return func
    return wrap


def _first_reference(func: Callable | None) -> str:
    doc = (getattr(func, "__doc__", "") or "")
    for line in doc.splitlines():
        if line.strip().lower().startswith(("reference", "references")):
            return line.split(":", 1)[-1].strip()
    return ""


def _load() -> None:
    """Import the built-in method modules, then the plugins (once)."""
    global _loaded, _loading
    if _loaded or _loading:
        return
    _loading = True
    try:
        for module in BUILTIN_MODULES:
            importlib.import_module(module)
        _load_plugins()
        _loaded = True
    finally:
        _loading = False


def _load_plugins() -> None:
    from importlib.metadata import entry_points
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
            if callable(obj) and not isinstance(obj, type):
                obj()   # an entry point may name a function that registers methods
        except Exception as exc:   # a broken plugin must not stop the built-in methods
            _PLUGIN_ERRORS[ep.name] = f"{ep.value}: {type(exc).__name__}: {exc}"


def reload_plugins() -> None:
    """Look for plugins again (after installing one in a running interpreter)."""
    global _loaded
    _PLUGIN_ERRORS.clear()
    for family in _REGISTRY.values():
        for name in [n for n, m in family.items() if m.origin != "built-in"]:
            del family[name]
    _loaded = False
    _load()


def plugin_errors() -> dict[str, str]:
    """Plugins that failed to load: entry-point name → what went wrong."""
    _load()
    return dict(_PLUGIN_ERRORS)


def methods(family: str) -> dict[str, Method]:
    """The registered methods of ``family``, in registration order."""
    if family not in FAMILIES:
        from ..i18n import M
        hint = near_matches(family, list(FAMILIES))
        raise RecipeError(M("registry.unknown_family", name=family),
                          fix=valid_fix(list(FAMILIES), hint))
    _load()
    return dict(_REGISTRY[family])


def get(family: str, name: str, where: str | None = None) -> Method:
    """The method ``name`` of ``family``, or :class:`RecipeError` listing the known ones
    and near matches."""
    known = methods(family)
    if not isinstance(name, str) or name not in known:
        from ..i18n import M
        hint = near_matches(str(name), list(known))
        reason = _PLUGIN_ERRORS.get(str(name))
        raise RecipeError(
            M(f"registry.unknown.{family}", name=name), where=where,
            fix=M("registry.fix.broken_plugin", fix=valid_fix(list(known), hint),
                  plugin=M("registry.broken_plugin", name=name, reason=reason))
            if reason else valid_fix(list(known), hint))
    return known[name]
