"""Score a batch of weight scenarios of one group (one set of discrete choices) at once.

DESIGN.md §6: the composite of every scenario is matrix algebra, never one pipeline run
per scenario. For a tree of weighted sums over complete data the composite is one GEMM,
``Z @ Gᵀ`` with G the scenarios' global weights (the product of the relative weights down
the tree). Otherwise the tree is aggregated level by level with the pipeline's own batched
functions (:func:`evaluator.methods.aggregate.weighted_sum` / ``geometric``,
:func:`evaluator.methods.topsis.topsis`, :func:`evaluator.methods.grey_relational
.grey_relational`, which take an (S, k) weight batch), and, above the first level, where
each scenario has its own children scores, by the same formulas written element-wise over
(rows × scenarios) arrays (:mod:`.closeness` for TOPSIS and grey relational).
Missing children are skipped and their weights renormalised exactly as in the pipeline.
Any other registered aggregation (VIKOR, RSR, fuzzy evaluation, a plugin's) is scored by
the batched form it registers (:mod:`evaluator.methods.batched`), or, without one, once
per scenario (:func:`_scenarios`).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

import numpy as np

from .. import registry
from ..errors import MethodError
from ..methods import aggregate as agg
from ..methods.aggregation_methods import AggregationContext
from ..methods.grey_relational import grey_relational
from ..methods.topsis import topsis
from .closeness import grey_varying, topsis_varying
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
    nominal: np.ndarray | None = None  # the pipeline's own composite with the nominal
    #                                    weights (used as is when the weights do not vary)
    _prepared: dict = field(default_factory=dict, repr=False)   # fixed nodes' columns

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
        values: list[np.ndarray] = []
        for pos, node in enumerate(self.nodes):
            W = self.local_weights(node, draws)
            if node.fixed and node.how["method"] in ("weighted_sum", "geometric"):
                values.append(self._fixed_mean(pos, node, W))
            else:
                values.append(self._node(node, W, values))
        return np.ascontiguousarray(values[-1].T)

    def _fixed_mean(self, pos: int, node: NodePlan, W: np.ndarray) -> np.ndarray:
        """A weighted or geometric mean of indicator columns for a batch of weights: the
        formula of :func:`evaluator.methods.aggregate.weighted_sum` / ``geometric`` with
        the same operands, but the per-column part (values or logs with missing → 0,
        presence, the floor and the ≤ 0 check) prepared once per group, not per batch, and
        the weight each row's present children carry computed by one product, not two."""
        prepared = self._prepared.get(pos)
        if prepared is None:
            prepared = self._prepared[pos] = self._prepare_fixed(node)
        terms, present, dropped = prepared
        num = terms @ W.T
        den = present @ W.T
        ok = den > 0
        if node.min_coverage > 0:
            with np.errstate(invalid="ignore", divide="ignore"):
                ok &= den / W.sum(axis=1)[None, :] >= node.min_coverage - 1e-12
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = num / np.where(ok, den, 1.0)
            out = np.where(ok, np.exp(mean) if node.how["method"] == "geometric" else mean,
                           np.nan)
        if dropped is not None:
            out[dropped] = np.nan
        return out

    def _prepare_fixed(self, node: NodePlan):
        """(terms, presence, rows without a score) of a fixed node; a value ≤ 0 under a
        geometric mean raises the pipeline's own error (from the method itself)."""
        V = self.data[:, node.columns]
        dropped = None
        if node.how["method"] == "geometric":
            floor = node.how.get("floor")
            if floor is not None:
                V = np.where(np.isnan(V), V, np.maximum(V, floor))
            bad = ~np.isnan(V) & (V <= 0)
            if bad.any():
                if node.how.get("nonpositive", "error") != "missing":
                    agg.geometric(V, node.weights, floor=floor, names=node.children,
                                  row_labels=self.row_labels)   # raises, naming the cell
                dropped = bad.any(axis=1)
                V = np.where(bad, 1.0, V)
        present = ~np.isnan(V)
        if node.how["method"] == "geometric":
            terms = np.where(present, np.log(np.where(present, V, 1.0)), 0.0)
        else:
            terms = np.where(present, V, 0.0)
        return terms, present.astype(float), dropped

    # -- one node, rows × S -----------------------------------------------------------
    def _node(self, node: NodePlan, W: np.ndarray, done: list[np.ndarray]) -> np.ndarray:
        method = node.how["method"]
        where = f"node {node.name!r}"
        entry = registry.get("aggregations", method, where=where)
        if not entry.has("batched"):
            return self._registered(entry, node, W, done, where)
        if node.fixed:
            V = self.data[:, node.columns]
            if method == "weighted_sum":
                return agg.weighted_sum(V, W, min_coverage=node.min_coverage)
            if method == "geometric":
                return agg.geometric(V, W, floor=node.how.get("floor"),
                                     min_coverage=node.min_coverage,
                                     nonpositive=node.how.get("nonpositive", "error"),
                                     names=node.children, row_labels=self.row_labels)
            return self._closeness_fixed(node, V, W, where)
        kids = [self.data[:, c][:, None] if c is not None else done[s]
                for c, s in zip(node.columns, node.sources)]
        if method == "weighted_sum":
            return _weighted_sum_varying(kids, W, node.min_coverage)
        if method == "geometric":
            return _geometric_varying(kids, W, node, self.row_labels)
        lo, hi = self.score_range
        out = np.empty((self.data.shape[0], W.shape[0]))
        for b in np.unique(self.blocks):
            rows = np.flatnonzero(self.blocks == b)
            part = [np.broadcast_to(k[rows], (len(rows), W.shape[0])) for k in kids]
            if method == "topsis":
                c = topsis_varying(part, W, normalisation=node.how["normalisation"],
                                   weight_in_root=node.how["weight_in_root"], where=where,
                                   names=node.children)
            else:
                c = grey_varying(part, W, rho=node.how["rho"], where=where,
                                 names=node.children)
            out[rows] = lo + (hi - lo) * c
        return out

    def _registered(self, entry, node: NodePlan, W: np.ndarray, done: list[np.ndarray],
                    where: str) -> np.ndarray:
        """Any other registered aggregation (VIKOR, RSR, fuzzy, a plugin's), rows × S:
        its batched form (``batch=`` in the registry) scores every scenario at once —
        per block when it compares units, mapped onto the score range as the tree stage
        maps it; a method without one is called once per scenario."""
        kids = [self.data[:, c][:, None] if c is not None else done[s]
                for c, s in zip(node.columns, node.sources)]
        params = {k: v for k, v in node.how.items()
                  if k not in ("method", "by_node", "min_coverage")}
        compares = entry.has("compares_units")
        blocks = self.blocks if compares else np.zeros(self.data.shape[0], dtype=int)
        lo, hi = self.score_range
        scaled = compares or entry.has("unit_scale")
        out = np.empty((self.data.shape[0], W.shape[0]))
        for b in np.unique(blocks):
            rows = np.flatnonzero(blocks == b)
            part = [k[rows] for k in kids]
            if (compares or entry.has("needs_complete")) and any(np.isnan(k).any()
                                                                 for k in part):
                c = next(i for i, k in enumerate(part) if np.isnan(k).any())
                raise MethodError(M("tree.needs_complete_data_missing", method=entry.name,
                                    kids=node.children[c],
                                    labels=self.row_labels[rows][np.isnan(part[c]).any(
                                        axis=1)][0], sum=int(sum(np.isnan(k).sum()
                                                                 for k in part))),
                                  where=M("tree.needs_complete_data_missing.where",
                                          parent=node.name),
                                  fix=M("tree.needs_complete_data_missing.fix"))
            context = AggregationContext(node.children, self.row_labels[rows], node.name,
                                         where, node.min_coverage)
            score = _scenarios(entry, part, W, context, params)
            out[rows] = lo + (hi - lo) * score if scaled else score
        return out

    def _closeness_fixed(self, node, V, W, where) -> np.ndarray:
        lo, hi = self.score_range
        out = np.empty((V.shape[0], W.shape[0]))
        for b in np.unique(self.blocks):
            rows = self.blocks == b
            if node.how["method"] == "topsis":
                c = topsis(V[rows], W, normalisation=node.how["normalisation"],
                           weight_in_root=node.how["weight_in_root"], where=where).closeness
            else:
                c = grey_relational(V[rows], W, rho=node.how["rho"], where=where).grade
            out[rows] = lo + (hi - lo) * c
        return out


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


def _weighted_sum_varying(kids: list[np.ndarray], W: np.ndarray,
                          min_coverage: float) -> np.ndarray:
    """Weighted mean over present children, each child rows × S (or rows × 1); the
    formula of :func:`evaluator.methods.aggregate.weighted_sum`."""
    num = 0.0
    den = 0.0
    for i, v in enumerate(kids):
        present = ~np.isnan(v)
        w = W[:, i][None, :]
        num = num + np.where(present, v, 0.0) * w
        den = den + present * w
    num = np.broadcast_to(num, np.broadcast_shapes(np.shape(num), np.shape(den)))
    ok = den > 0
    if min_coverage > 0:
        ok &= den / W.sum(axis=1)[None, :] >= min_coverage - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(ok, num / np.where(ok, den, 1.0), np.nan)


def _geometric_varying(kids, W, node: NodePlan, row_labels) -> np.ndarray:
    """Weighted geometric mean over present children (formula of
    :func:`evaluator.methods.aggregate.geometric`)."""
    floor = node.how.get("floor")
    missing_rows = None
    logs = []
    for i, v in enumerate(kids):
        if floor is not None:
            v = np.where(np.isnan(v), v, np.maximum(v, floor))
        bad = ~np.isnan(v) & (v <= 0)
        if bad.any():
            if node.how.get("nonpositive", "error") != "missing":
                r = int(np.argwhere(bad)[0][0])
                raise MethodError(
                    M("sens.scoring.geometric_mean_value_child", children=node.children[i], row_labels=row_labels[r]),
                    where=M("sens.scoring.geometric_mean_value_child.where", name=node.name),
                    fix=M("sens.scoring.geometric_mean_value_child.fix"))
            missing_rows = bad if missing_rows is None else (missing_rows | bad)
            v = np.where(bad, 1.0, v)
        logs.append(v)
    num = 0.0
    den = 0.0
    for i, v in enumerate(logs):
        present = ~np.isnan(v)
        w = W[:, i][None, :]
        num = num + np.where(present, np.log(np.where(present, v, 1.0)), 0.0) * w
        den = den + present * w
    ok = np.broadcast_to(den > 0, np.broadcast_shapes(np.shape(num), np.shape(den))).copy()
    if node.min_coverage > 0:
        ok &= den / W.sum(axis=1)[None, :] >= node.min_coverage - 1e-12
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        out = np.where(ok, np.exp(num / np.where(ok, den, 1.0)), np.nan)
    if missing_rows is not None:
        out = np.where(missing_rows, np.nan, out)
    return out
