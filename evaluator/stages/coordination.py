"""Coupling coordination of the first-level dimensions (or a chosen set of nodes).

Recipe section ``coordination: {nodes: null, form: wang2021, coefficients: null,
enabled: true}`` (validated by :class:`~evaluator.model.recipe.Recipe`); ``nodes: null``
= the root's children. Scores are rescaled from the normalisation range to [0, 1]. When
the scores are not on that bounded scale (z-scores, ranks) or there are fewer than two
dimensions, coordination is skipped with a warning — or, when the recipe asked for it
explicitly (a ``coordination`` section naming nodes), it is an error.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Any, Mapping

import numpy as np

from ..errors import RecipeError
from ..methods.coordination import coupling_coordination
from ..i18n import M

BOUNDED = ("min_max", "goalposts", "vector", "ratio_max", "percentile", "distance_to_target")


def coordination(framework, recipe, scores: Mapping[str, np.ndarray],
                 warnings: list[str]) -> Any:
    spec = recipe.coordination
    if not spec["enabled"]:
        return None
    where = f"{recipe.source or 'recipe'}: coordination"
    explicit = spec["nodes"] is not None
    nodes = spec["nodes"] or framework.first_level

    def skip(reason: str, fix: str) -> None:
        if explicit:
            raise RecipeError(M("coordination.coupling_coordination_cannot_computed", reason=reason),
                              where=where, fix=fix)
        warnings.append(M("warn.coordination.no_coupling_coordination", reason=reason))

    unknown = [n for n in nodes if n not in scores]
    if unknown:
        raise RecipeError(M("coordination.coordination_node_s_are", unknown=unknown),
                          where=f"{where}.nodes",
                          fix=M("hint.name_nodes", nodes=", ".join(framework.first_level)))
    if not explicit and all(framework.is_indicator(n) for n in nodes):
        return None  # a flat framework has no dimensions to couple
    if len(nodes) < 2:
        skip("it needs two or more dimensions", "name two or more nodes")
        return None
    method = recipe.normalise["method"]
    if method not in BOUNDED:
        skip(f"{method} scores are not on a bounded scale that maps onto [0, 1]",
             "use a bounded normalisation (min_max, goalposts, ...) or set "
             "coordination: {enabled: false}")
        return None
    lo, hi = recipe.normalise["range"]
    U = np.column_stack([(scores[n] - lo) / (hi - lo) for n in nodes])
    tol = 1e-9
    outside = ~np.isnan(U) & ((U < -tol) | (U > 1 + tol))
    if outside.any():
        r, c = np.argwhere(outside)[0]
        skip(f"the score of {nodes[c]!r} ({scores[nodes[c]][r]:g}) lies outside the "
             f"normalisation range [{lo:g}, {hi:g}]",
             "use a normalisation whose scores stay within its range")
        return None
    U = np.clip(U, 0.0, 1.0)  # rounding noise at the range ends only
    complete = ~np.isnan(U).any(axis=1)
    res = coupling_coordination(U[complete], form=spec["form"],
                                coefficients=spec["coefficients"], where=where)
    if complete.all():
        return res

    def spread(values, fill, dtype):  # units with a missing dimension get no values
        out = np.full(len(U), fill, dtype=dtype)
        out[complete] = values
        return out
    return replace(res, C=spread(res.C, np.nan, float), T=spread(res.T, np.nan, float),
                   D=spread(res.D, np.nan, float),
                   level=spread(res.level, np.nan, float),
                   class_zh=spread(res.class_zh, None, object),
                   class_en=spread(res.class_en, None, object))
