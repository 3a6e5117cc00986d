"""AHP beyond one matrix: group judgements, global weights, hierarchical consistency.

References
----------
Forman, E. & Peniwati, K. (1998). Aggregating individual judgments and priorities with
    the analytic hierarchy process. *European Journal of Operational Research* 108(1),
    165–169. AIJ: element-wise weighted geometric mean of the judgement matrices;
    AIP: weighted geometric mean of the priority vectors.
Saaty, T.L. (1980). *The Analytic Hierarchy Process*. McGraw-Hill. Hierarchic
    composition (global weight = product of local weights down the path) and the
    consistency of a hierarchy, Σ w_parent·CI / Σ w_parent·RI.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Hashable, Mapping, Sequence

import numpy as np

from evaluator.errors import MethodError
from evaluator.methods.ahp import AHPResult, check_pairwise_matrix
from ..i18n import M


def _expert_weights(weights: Sequence[float] | np.ndarray | None, count: int, what: str) -> np.ndarray:
    if weights is None:
        return np.full(count, 1.0 / count)
    values = np.asarray(weights, dtype=float)
    if values.shape != (count,):
        raise MethodError(M("ahp_group.weights", size=values.size, count=count, what=what),
                          fix=M("ahp_group.weights.fix", what=what[:-1]))
    if not np.all(np.isfinite(values)) or np.any(values < 0) or values.sum() <= 0:
        raise MethodError(M("ahp_group.weights_must_non_negative", what=what[:-1]),
                          fix=M("ahp_group.weights_must_non_negative.fix"))
    return values / values.sum()


def aggregate_judgements(matrices: Sequence[np.ndarray], weights: Sequence[float] | None = None) -> np.ndarray:
    """Aggregate individual judgements (AIJ, Forman & Peniwati 1998).

    Each cell is the weighted geometric mean of the experts' judgements,
    a_ij = Π_k a_ij,k^λ_k with Σλ_k = 1 (equal by default); the result is again a
    positive reciprocal matrix. A judgement an expert left missing (NaN) is skipped for
    that cell and the remaining experts' weights are renormalised; a cell nobody judged
    stays missing for :func:`evaluator.methods.ahp.complete_matrix`.
    """
    stack = [check_pairwise_matrix(m, where=M("where.expert", n=k + 1)) for k, m in enumerate(matrices)]
    if not stack:
        raise MethodError(M("ahp_group.no_expert_matrices_aggregate"), fix=M("ahp_group.no_expert_matrices_aggregate.fix"))
    shapes = {m.shape for m in stack}
    if len(shapes) > 1:
        raise MethodError(M("ahp_group.expert_matrices_differ_size", shapes=sorted(shapes)),
                          fix=M("ahp_group.expert_matrices_differ_size.fix"))
    lam = _expert_weights(weights, len(stack), "experts")
    logs = np.log(np.stack(stack))                       # (K, n, n), NaN where missing
    present = ~np.isnan(logs)
    cell_weight = np.where(present, lam[:, None, None], 0.0)
    total = cell_weight.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_log = (np.where(present, logs, 0.0) * cell_weight).sum(axis=0) / total
    return np.where(total > 0, np.exp(mean_log), np.nan)


def aggregate_priorities(priority_vectors: Sequence[np.ndarray] | np.ndarray,
                         weights: Sequence[float] | None = None) -> np.ndarray:
    """Aggregate individual priorities (AIP, Forman & Peniwati 1998): the weighted
    geometric mean of the experts' priority vectors, normalised to sum 1."""
    vectors = np.asarray(priority_vectors, dtype=float)
    if vectors.ndim != 2 or vectors.shape[0] == 0:
        raise MethodError(M("ahp_group.priority_vectors_must_form"),
                          fix=M("ahp_group.priority_vectors_must_form.fix"))
    if not np.all(np.isfinite(vectors)) or np.any(vectors <= 0):
        k, i = map(int, np.argwhere(~np.isfinite(vectors) | (vectors <= 0))[0])
        raise MethodError(M("ahp_group.priority_item_not_positive", vectors=float(vectors[k, i]), value=i + 1),
                          where=M("ahp_group.priority_item_not_positive.where", value=k + 1),
                          fix=M("ahp_group.priority_item_not_positive.fix"))
    lam = _expert_weights(weights, vectors.shape[0], "experts")
    combined = np.exp(lam @ np.log(vectors))
    return combined / combined.sum()


# ----------------------------------------------------------------------------- hierarchy
def _walk(tree_children: Mapping[Hashable, Sequence[Hashable]], root: Hashable) -> list[Hashable]:
    """Parents in top-down order (each after all of its ancestors); errors on a cycle."""
    if root not in tree_children:
        raise MethodError(M("ahp_group.root_has_no_children", root=root),
                          fix=M("ahp_group.root_has_no_children.fix"))
    order: list[Hashable] = []
    state: dict[Hashable, int] = {}                      # 1 = on the current path, 2 = done

    def visit(node: Hashable, path: tuple) -> None:
        if state.get(node) == 1:
            cycle = " → ".join(map(str, path + (node,)))
            raise MethodError(M("ahp_group.hierarchy_has_cycle", cycle=cycle), fix=M("ahp_group.hierarchy_has_cycle.fix"))
        if state.get(node) == 2:
            return
        state[node] = 1
        for child in tree_children.get(node, ()):
            visit(child, path + (node,))
        state[node] = 2
        if tree_children.get(node):
            order.append(node)

    visit(root, ())
    return order[::-1]


def _node_weights(tree_children: Mapping[Hashable, Sequence[Hashable]], local: Mapping[Hashable, np.ndarray],
                  root: Hashable) -> dict[Hashable, float]:
    parents = _walk(tree_children, root)
    weight: dict[Hashable, float] = {root: 1.0}
    for parent in parents:
        children = list(tree_children[parent])
        if parent not in local:
            raise MethodError(M("ahp_group.no_local_weights", parent=parent), where=M("ahp_group.no_local_weights.where", parent=parent),
                              fix=M("ahp_group.no_local_weights.fix"))
        vector = np.asarray(local[parent], dtype=float)
        if vector.shape != (len(children),):
            raise MethodError(M("ahp_group.local_weights_children", size=vector.size, n_children=len(children)),
                              where=M("ahp_group.local_weights_children.where", parent=parent), fix=M("ahp_group.local_weights_children.fix"))
        if not np.all(np.isfinite(vector)) or np.any(vector < 0) or abs(vector.sum() - 1.0) > 1e-6:
            raise MethodError(M("ahp_group.local_weights_are_not", tolist=np.round(vector, 6).tolist()), where=M("ahp_group.local_weights_are_not.where", parent=parent),
                              fix=M("ahp_group.local_weights_are_not.fix"))
        for child, share in zip(children, vector):
            # A node reached along several paths (alternatives under every criterion)
            # accumulates the sum: Saaty's distributive synthesis.
            weight[child] = weight.get(child, 0.0) + weight[parent] * float(share)
    return weight


def global_weights(tree_children: Mapping[Hashable, Sequence[Hashable]], local: Mapping[Hashable, np.ndarray],
                   root: Hashable = "index", *, leaves_only: bool = True) -> dict[Hashable, float]:
    """Global weights by hierarchic composition (Saaty 1980).

    ``tree_children`` maps each parent to its ordered children, ``local`` each parent to
    its children's local priorities (summing to 1). A node's global weight is the sum,
    over every path from ``root``, of the product of local weights along the path; leaves
    (nodes without children) are returned unless ``leaves_only=False``.
    """
    weights = _node_weights(tree_children, local, root)
    if not leaves_only:
        return weights
    return {node: w for node, w in weights.items() if not tree_children.get(node)}


def total_consistency_ratio(parent_weights: Sequence[float] | np.ndarray, ci: Sequence[float] | np.ndarray,
                            ri: Sequence[float] | np.ndarray) -> float:
    """CR_total = Σ w_p·CI_p / Σ w_p·RI_p over the parents p of a level (Saaty 1980),
    w_p their global weights. 0 when every parent has n ≤ 2 (RI = 0)."""
    w, c, r = (np.asarray(x, dtype=float) for x in (parent_weights, ci, ri))
    if not (w.shape == c.shape == r.shape) or w.ndim != 1:
        raise MethodError(M("ahp_group.parent_weights_ci_ri"),
                          fix=M("ahp_group.parent_weights_ci_ri.fix"))
    if not (np.all(np.isfinite(w)) and np.all(np.isfinite(c)) and np.all(np.isfinite(r))) \
            or np.any(w < 0) or np.any(c < 0) or np.any(r < 0):
        raise MethodError(M("ahp_group.parent_weights_ci_ri_2"),
                          fix=M("ahp_group.parent_weights_ci_ri_2.fix"))
    denominator = float(w @ r)
    return float(w @ c) / denominator if denominator > 0 else 0.0


@dataclass(frozen=True)
class HierarchyConsistency:
    """Consistency of a hierarchy: ``by_level[d]`` pools the matrices whose parent sits at
    depth d (root = 0); ``overall`` pools every matrix in the hierarchy."""

    by_level: dict[int, float]
    overall: float
    consistent: bool


def hierarchy_consistency_ratio(tree_children: Mapping[Hashable, Sequence[Hashable]],
                                results: Mapping[Hashable, AHPResult], root: Hashable = "index",
                                max_cr: float = 0.10, *,
                                fixed: Mapping[Hashable, np.ndarray] | None = None) -> HierarchyConsistency:
    """Hierarchical consistency ratio, Σ w_p·CI_p / Σ w_p·RI_p with w_p the global weight
    of parent p (Saaty 1980), per depth and over the whole hierarchy. Parents whose local
    weights were fixed rather than judged are given in ``fixed``: they carry weight down
    the tree but add nothing to the ratio."""
    local = dict(fixed or {})
    local.update({parent: result.priorities for parent, result in results.items()})
    missing = [p for p in _walk(tree_children, root) if p not in local]
    if missing:
        raise MethodError(M("ahp_group.no_ahp_result_fixed", map=', '.join(map(repr, missing))),
                          fix=M("ahp_group.no_ahp_result_fixed.fix"))
    node_weight = _node_weights(tree_children, local, root)
    depth = {root: 0}
    for parent in _walk(tree_children, root):
        for child in tree_children[parent]:
            depth[child] = min(depth.get(child, 10**9), depth[parent] + 1)
    parents = [p for p in _walk(tree_children, root) if p in results]
    levels: dict[int, list[Hashable]] = {}
    for parent in parents:
        levels.setdefault(depth[parent], []).append(parent)

    def ratio(group: list[Hashable]) -> float:
        return total_consistency_ratio([node_weight[p] for p in group], [results[p].ci for p in group],
                                       [results[p].ri for p in group])

    by_level = {level: ratio(group) for level, group in sorted(levels.items())}
    overall = ratio(parents)
    return HierarchyConsistency(by_level=by_level, overall=overall, consistent=bool(overall < max_cr))
