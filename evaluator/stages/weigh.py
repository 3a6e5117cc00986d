"""Weights over the tree: each parent's children get relative weights by the recipe's
method (DESIGN.md §5 "Weights"), kept with their intermediate tables."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

import numpy as np

from ..errors import MethodError
from .. import registry
from ..methods.weight_methods import WeightData
from ..i18n import M


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
    """Weights of ``children`` of ``node`` by ``spec`` ({method, params}), computed by the
    method registered under that name (:mod:`evaluator.methods.weight_methods`).

    ``normalised`` holds the children's normalised values (rows × k, pooled over the
    years), ``raw`` their prepared raw values (for ``entropy`` with ``basis: raw``),
    ``fixed`` the framework's relative weights (None = 1).
    """
    method = spec["method"]
    where = M("where.weights_of", node=repr(node))
    details: dict[str, Any] = {}
    rows_used = None
    try:
        if len(children) == 1:
            w = np.ones(1)
        else:
            entry = registry.get("weights", method, where=where)
            if entry.has("pooled"):   # from_indicators is resolved by the caller
                raise MethodError(M("weigh.weight_method_cannot_used", method=method), where=where)
            data = WeightData(normalised, raw, list(children), node, fixed, ahp_weights,
                              weigh=lambda sub: compute_weights(
                                  sub, children=children, node=node, normalised=normalised,
                                  raw=raw, fixed=fixed, ahp_weights=ahp_weights))
            w, details, rows_used = _as_array(entry.func(
                data, **{k: v for k, v in spec.items() if k != "method"}))
    except MethodError as exc:
        if exc.where is None:
            raise MethodError(exc.problem, where=where, fix=exc.fix) from None
        raise
    w = np.asarray(w, dtype=float)
    w = w / w.sum()
    return NodeWeights(node, list(children), method, w, details, rows_used)


def global_weights(framework, local: Mapping[str, NodeWeights]) -> dict[str, float]:
    """Each item's weight in the composite: the product of relative weights up the tree."""
    out: dict[str, float] = {"index": 1.0}
    for parent in reversed(framework.aggregation_order()):
        nw = local[parent]
        for child, w in zip(nw.children, nw.weights):
            out[child] = out[parent] * float(w)
    return out
