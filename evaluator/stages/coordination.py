"""Coupling coordination of the first-level dimensions (or a chosen set of nodes).

Recipe section ``coordination: {nodes: null, form: wang2021, coefficients: null}``;
``nodes: null`` = the root's children; ``enabled: false`` switches it off. Scores are
rescaled from the normalisation range to [0, 1] first; a normalisation without a bounded
range (z-scores) gets no coordination, with a warning.
"""
from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ..errors import RecipeError
from ..methods.coordination import coupling_coordination

KEYS = {"enabled", "nodes", "form", "coefficients"}


def coordination(framework, recipe, scores: Mapping[str, np.ndarray],
                 warnings: list[str]) -> Any:
    spec = dict(recipe.coordination)
    unknown = set(spec) - KEYS
    if unknown:
        raise RecipeError(f"unknown coordination parameter(s) {sorted(unknown)}",
                          where="recipe: coordination", fix="valid: " + ", ".join(sorted(KEYS)))
    if spec.get("enabled", True) is False:
        return None
    nodes = spec.get("nodes") or framework.first_level
    for node in nodes:
        if node not in scores or framework.is_indicator(node) and node not in scores:
            raise RecipeError(f"coordination node {node!r} is not in the framework",
                              where="recipe: coordination.nodes",
                              fix="name nodes of the tree, e.g. " + ", ".join(framework.first_level))
    if len(nodes) < 2:
        return None  # coupling needs two or more subsystems
    if recipe.normalise["method"] == "z_score":
        warnings.append("no coupling coordination: z-scores have no bounded range")
        return None
    lo, hi = recipe.normalise["range"]
    U = np.column_stack([(scores[n] - lo) / (hi - lo) for n in nodes])
    U = np.clip(U, 0.0, 1.0)  # rounding at the range ends only
    complete = ~np.isnan(U).any(axis=1)
    form = spec.get("form", "wang2021")
    res = coupling_coordination(U[complete] if not complete.all() else U, form=form,
                                coefficients=spec.get("coefficients"),
                                where="recipe: coordination")
    if complete.all():
        return res
    # units with a missing dimension get no coordination values
    from dataclasses import replace
    def spread(values, fill):
        out = np.full(len(U), fill, dtype=np.asarray(values).dtype if fill is not np.nan
                      else float)
        out[complete] = values
        return out
    return replace(res, C=spread(res.C, np.nan), T=spread(res.T, np.nan),
                   D=spread(res.D, np.nan), level=spread(res.level.astype(float), np.nan),
                   class_zh=spread(res.class_zh.astype(object), None),
                   class_en=spread(res.class_en.astype(object), None))
