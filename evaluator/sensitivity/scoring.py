"""Score a batch of weight scenarios of one group (one set of discrete choices) at once.

DESIGN.md §6: the composite of every scenario is matrix algebra, never one pipeline run
per scenario. For a tree of weighted sums over complete data the composite is one GEMM,
``Z @ Gᵀ`` with G the scenarios' global weights (the product of the relative weights down
the tree); for a tree whose nodes are all the same mean of logs (trait
``decomposes_in_logs``: the geometric mean, one floor) over complete data it is
``exp(log Z @ Gᵀ)`` — the same composite as node by node up to rounding (the design checks
it against the pipeline; docs/design-notes.md). Otherwise the tree is aggregated level by level, each node by the batched form
its aggregation declares in the registry (``batch=``; :mod:`evaluator.methods.batched`:
weighted and geometric means, TOPSIS, grey relational analysis, VIKOR, RSR, fuzzy
evaluation), which takes the children (rows × S, or rows × 1 for indicator columns) and
an (S, k) weight batch — per block (year or pooled) for a method that compares units,
mapped onto the score range as the tree stage maps it. No method is named here; a
method without a batched form (a plugin's) is called once per scenario (:func:`_scenarios`).
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .. import registry
from ..errors import MethodError
from ..methods.aggregation_methods import AggregationContext
from ..i18n import M


@dataclass
class NodePlan:
    """One node of a group's tree: its children (indicator columns of the data matrix,
    or earlier nodes), nominal relative weights, the edges whose draws scale them, and
    how it aggregates."""

    name: str
    children: list[str]
    columns: list[int | None]      # data column of an indicator child, else None
    sources: list[int | None]      # position (in the plan's node list) of a node child
    weights: np.ndarray            # (k,) nominal relative weights, summing to 1
    edges: np.ndarray              # (k,) index into the draws, -1 when k == 1
    how: Mapping[str, Any]         # the aggregation spec of this node
    min_coverage: float = 0.0

    @property
    def fixed(self) -> bool:
        """All children are indicators: their values do not depend on the weights."""
        return all(c is not None for c in self.columns)


@dataclass
class GroupPlan:
    """Everything needed to score one group's scenarios: the normalised data of the rows
    scored (``data``: rows × all indicators, NaN = missing), the tree, and the score range."""

    nodes: list[NodePlan]
    data: np.ndarray
    blocks: np.ndarray             # per row: the block over which TOPSIS / GRA take ideals
    score_range: tuple[float, float]
    row_labels: np.ndarray
    weighting: str = "perturb"     # perturb: draws scale the nominal weights; dirichlet:
    #                                draws are gamma variates (normalised per parent)
    labels: dict[str, str] = field(default_factory=dict)
    filled: np.ndarray | None = None   # ``data`` with NaN → 0 when the fast path applies:
    #                                    every node a weighted sum, the columns used complete
    logs: np.ndarray | None = None     # log(max(data, floor)) with NaN → 0 when the other
    #                                    fast path applies: every node the same geometric
    #                                    mean, the columns used complete (and > 0 unfloored)
    nominal: np.ndarray | None = None  # the pipeline's own composite with the nominal
    #                                    weights (used as is when the weights do not vary)
    _prepared: dict = field(default_factory=dict, repr=False)   # fixed nodes' columns
    shared: dict | None = field(default=None, repr=False)  # the same, across the groups
    #                                    built on these data (one dict for all of them)

    def local_weights(self, node: NodePlan, draws: np.ndarray | None) -> np.ndarray:
        """(S, k) relative weights of ``node``'s children for each scenario."""
        k = len(node.children)
        if draws is None:
            return node.weights[None, :]
        if k == 1:
            return np.ones((len(draws), 1))
        W = draws[:, node.edges]
        if self.weighting == "perturb":
            W = W * node.weights[None, :]
        total = W.sum(axis=1, keepdims=True)
        if not np.all(total > 0):
            raise MethodError(M("sens.scoring.sampled_weight_vector_all", name=node.name),
                              where="uncertainty.weights",
                              fix=M("sens.scoring.sampled_weight_vector_all.fix"))
        return W / total

    def global_weights(self, draws: np.ndarray | None) -> np.ndarray:
        """(S, indicators) effective weight of each data column in the composite."""
        S = 1 if draws is None else len(draws)
        G = np.zeros((S, self.data.shape[1]))
        share: dict[int, np.ndarray] = {len(self.nodes) - 1: np.ones(S)}
        for pos in range(len(self.nodes) - 1, -1, -1):
            node = self.nodes[pos]
            W = self.local_weights(node, draws)
            for i, (col, src) in enumerate(zip(node.columns, node.sources)):
                part = share[pos] * W[:, i]
                if col is not None:
                    G[:, col] = part
                else:
                    share[src] = part
        return G

    def score(self, draws: np.ndarray | None) -> np.ndarray:
        """Composite scores (S × rows, C order) of the scenarios whose edge draws are the
        rows of ``draws`` (None: the nominal weights, S = 1: the pipeline's own scores, so
        that ties it finds — e.g. under rank normalisation with equal weights — are the
        same ties here, bit for bit)."""
        if draws is None and self.nominal is not None:
            return self.nominal[None, :]
        return self.batched(draws)

    def batched(self, draws: np.ndarray | None) -> np.ndarray:
        """:meth:`score` computed by the batched formulas (also for ``draws=None``)."""
        if self.filled is not None:
            return self.global_weights(draws) @ self.filled.T
        if self.logs is not None:
            out = self.global_weights(draws) @ self.logs.T
            with np.errstate(over="ignore"):
                return np.exp(out, out=out)
        values: list[np.ndarray] = []
        for pos, node in enumerate(self.nodes):
            W = self.local_weights(node, draws)
            values.append(self._node(pos, node, W, values))
        return np.ascontiguousarray(values[-1].T)

    # -- one node, rows × S -----------------------------------------------------------
    def _node(self, pos: int, node: NodePlan, W: np.ndarray,
              done: list[np.ndarray]) -> np.ndarray:
        """The node's scores (rows × S) by its registered aggregation: the batched form
        it declares (``batch=`` in the registry; :mod:`evaluator.methods.batched`) scores
        every scenario at once — per block when it compares units, mapped onto the score
        range as the tree stage maps it; a method without one is called per scenario."""
        setup = self._prepared.get(("node", pos))
        if setup is None:
            setup = self._prepared[("node", pos)] = self._setup(pos, node)
        entry, params, scaled, check, parts = setup
        kids = [self.data[:, c][:, None] if c is not None else done[s]
                for c, s in zip(node.columns, node.sources)]
        lo, hi = self.score_range
        out = None
        for rows, context in parts:
            part = kids if rows is None else [k[rows] for k in kids]
            if check and any(np.isnan(k).any() for k in part):
                c = next(i for i, k in enumerate(part) if np.isnan(k).any())
                labels = self.row_labels if rows is None else self.row_labels[rows]
                raise MethodError(M("tree.needs_complete_data_missing", method=entry.name,
                                    kids=node.children[c],
                                    labels=labels[np.isnan(part[c]).any(axis=1)][0],
                                    sum=int(sum(np.isnan(k).sum() for k in part))),
                                  where=M("tree.needs_complete_data_missing.where",
                                          parent=node.name),
                                  fix=M("tree.needs_complete_data_missing.fix"))
            score = _scenarios(entry, part, W, context, params)
            if scaled:
                score = lo + (hi - lo) * score
            if rows is None:
                return np.asarray(score)
            if out is None:
                out = np.empty((self.data.shape[0], W.shape[0]))
            out[rows] = score
        return out

    def _setup(self, pos: int, node: NodePlan) -> tuple:
        """What does not change from one batch to the next for the node at ``pos``: its
        registry entry and parameters, and per block the rows and the aggregation context
        (whose cache keeps the indicator columns' prepared part) — built once per plan,
        not per batch (the place named in messages included)."""
        where = M("registry.where.node", node=node.name)
        entry = registry.get("aggregations", node.how["method"], where=where)
        params = {k: v for k, v in node.how.items()
                  if k not in ("method", "by_node", "min_coverage")}
        compares = entry.has("compares_units")
        blocks = self.blocks if compares else np.zeros(self.data.shape[0], dtype=int)
        each = np.unique(blocks)
        parts = []
        for b in each:
            rows = np.flatnonzero(blocks == b) if len(each) > 1 else None
            labels = self.row_labels if rows is None else self.row_labels[rows]
            if self.shared is not None and node.fixed:
                # what the method prepares from indicator columns depends on those
                # columns, the rows and the method: groups differing in anything else
                # (the weights' method, another parent's left-out indicator) share it
                cache = self.shared.setdefault(
                    (id(self.data), tuple(node.columns), int(b), entry.name,
                     json.dumps(params, sort_keys=True, default=str)), {})
            elif node.fixed:
                cache = self._prepared.setdefault((pos, b), {})
            else:   # children that vary with the scenario: nothing to keep between batches
                cache = None   # (one scenario's children are columns too: not these)
            parts.append((rows, AggregationContext(
                node.children, labels, node.name, where, node.min_coverage, cache=cache)))
        return (entry, params, compares or entry.has("unit_scale"),
                compares or entry.has("needs_complete"), parts)


def _scenarios(entry, kids: list[np.ndarray], W: np.ndarray, context,
               params: Mapping[str, Any]) -> np.ndarray:
    """Scores (rows × S) of a registered aggregation for every scenario: its ``batch``
    form at once, else (a plugin without one) its function once per scenario — the
    only per-scenario loop of the engine, stated in the README."""
    shape = (kids[0].shape[0], W.shape[0])
    batch = entry.extra.get("batch")
    if batch is not None:
        return np.broadcast_to(batch(kids, W, context=context, **params), shape)
    out = np.empty(shape)
    for s in range(W.shape[0]):
        V = np.column_stack([k[:, min(s, k.shape[1] - 1)] for k in kids])
        out[:, s] = entry.func(V, W[s], context=context, **params).score
    return out
