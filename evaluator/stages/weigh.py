"""Weights over the tree: each parent's children get relative weights by the recipe's
method (DESIGN.md §5 "Weights"), kept with their intermediate tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import MethodError
from ..methods import weighting


@dataclass
class NodeWeights:
    """The relative weights of one parent's children, with how they were obtained."""

    node: str
    children: list[str]
    method: str
    weights: np.ndarray
    details: dict[str, Any] = field(default_factory=dict)
    rows_used: int | None = None


def _as_array(result: Any) -> tuple[np.ndarray, dict, int | None]:
    if isinstance(result, np.ndarray):
        return result, {}, None
    return (np.asarray(result.weights, dtype=float), dict(getattr(result, "details", {}) or {}),
            getattr(result, "rows_used", None))


def compute_weights(spec: Mapping[str, Any], *, children: Sequence[str], node: str,
                    normalised: np.ndarray, raw: np.ndarray | None,
                    fixed: Mapping[str, float | None],
                    ahp_weights: Callable[[str, str, list[str]], tuple[np.ndarray, dict]] | None
                    = None) -> NodeWeights:
    """Weights of ``children`` of ``node`` by ``spec`` ({method, params}).

    ``normalised`` holds the children's normalised values (rows × k, pooled over the
    years), ``raw`` their prepared raw values (for ``entropy`` with ``basis: raw``),
    ``fixed`` the framework's relative weights (None = 1).
    """
    method = spec["method"]
    k = len(children)
    where = f"weights of {node!r}"
    details: dict[str, Any] = {}
    rows_used = None
    try:
        if k == 1:
            w = np.ones(1)
        elif method == "equal":
            w = np.full(k, 1.0 / k)
        elif method == "fixed":
            values = spec.get("values") or {}
            w = np.array([float(values.get(c, fixed.get(c) if fixed.get(c) is not None else 1.0))
                          for c in children])
            if w.sum() <= 0:
                raise MethodError("all fixed weights are zero", where=where,
                                  fix="give at least one child a positive weight")
        elif method == "entropy":
            data = raw if spec.get("basis") == "raw" else normalised
            w, details, rows_used = _as_array(weighting.entropy_weights(
                data, shift=spec.get("shift", 0.0), basis=spec.get("basis", "normalised"),
                names=list(children)))
        elif method == "critic":
            w, details, rows_used = _as_array(weighting.critic_weights(normalised,
                                                                       names=list(children)))
        elif method == "cv":
            w, details, rows_used = _as_array(weighting.cv_weights(normalised))
        elif method == "std":
            w, details, rows_used = _as_array(weighting.std_weights(normalised))
        elif method == "pca":
            w, details, rows_used = _as_array(weighting.pca_weights(
                normalised, min_eigenvalue=spec["min_eigenvalue"],
                min_variance_share=spec["min_variance_share"],
                min_cumulative=spec["min_cumulative"]))
        elif method == "ahp":
            if ahp_weights is None:
                raise MethodError("AHP weights need a judgement file", where=where)
            w, details = ahp_weights(spec["file"], node, list(children),
                                     accept_inconsistent=spec.get("accept_inconsistent", False))
        elif method == "combined":
            parts = [compute_weights(p, children=children, node=node, normalised=normalised,
                                     raw=raw, fixed=fixed, ahp_weights=ahp_weights)
                     for p in spec["methods"]]
            vectors = [p.weights for p in parts]
            how = spec["how"]
            if how == "linear":
                res = weighting.combine_linear(vectors, spec["alpha"])
            elif how == "multiplicative":
                res = weighting.combine_multiplicative(vectors)
            else:
                res = weighting.combine_game_theory(vectors)
            w, details, _ = _as_array(res)
            for label, p in zip(component_labels([p.method for p in parts]), parts):
                # keep each component and its intermediate table (e.g. AHP CR)
                details[f"component_{label}"] = p.weights
                for key, value in p.details.items():
                    details[f"{label}_{key}"] = value
        else:  # from_indicators is resolved by the caller
            raise MethodError(f"weight method {method!r} cannot be used here", where=where)
    except MethodError as exc:
        if exc.where is None:
            raise MethodError(exc.problem, where=where, fix=exc.fix) from None
        raise
    w = np.asarray(w, dtype=float)
    w = w / w.sum()
    return NodeWeights(node, list(children), method, w, details, rows_used)


def component_labels(methods: Sequence[str]) -> list[str]:
    """Names for the parts of a combination: the method when it occurs once (``entropy``),
    else its 1-based position and method (``1_ahp``, ``2_ahp``), so two parts of the same
    method (two judgement files, entropy with two shifts) keep their own details."""
    return [m if list(methods).count(m) == 1 else f"{k}_{m}" for k, m in enumerate(methods, 1)]


def global_weights(framework, local: Mapping[str, NodeWeights]) -> dict[str, float]:
    """Each item's weight in the composite: the product of relative weights up the tree."""
    out: dict[str, float] = {"index": 1.0}
    for parent in reversed(framework.aggregation_order()):
        nw = local[parent]
        for child, w in zip(nw.children, nw.weights):
            out[child] = out[parent] * float(w)
    return out
