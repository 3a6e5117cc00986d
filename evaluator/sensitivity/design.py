"""Build the groups of a sensitivity analysis with the real pipeline, before sampling.

A group is one combination of the discrete choices (imputation, normalisation, weighting
method, aggregation, left-out indicator). Each is evaluated once:

* the data stages (denominate → impute → screen → treat → normalise) run through
  :func:`evaluator.evaluate.prepare` (the pipeline's own data stages), once per
  (imputation, normalisation) pair;
* the weights and the aggregation of the group's tree run through the pipeline's own tree
  step (``stages.tree.aggregate_tree``) on that normalised matrix, with the left-out
  indicator removed from the framework, so every weight is re-derived as a pipeline run
  would.

That run gives the group's nominal relative weights, and doubles as the validity check:
an alternative that fails on the data (a geometric mean of min–max zeros, TOPSIS on
missing values, a weighting method that cannot be computed) is an error naming the
alternative — first each alternative alone with the recipe's other choices, then every
combination — never a silent NaN. The batched scorer of every group without a left-out
indicator (and of the first with one) is checked against the pipeline's nominal composite;
when the weights do not vary a group's scores are the pipeline's own.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from itertools import product
from typing import Callable

import numpy as np

from ..stages.tree import aggregate_tree
from ..stages.weigh import compute_weights
from ..evaluate import evaluate, prepare
from .. import registry
from ..errors import DataError, EvaluatorError, MethodError, RecipeError
from ..model.assessment import Assessment
from ..model.framework import ROOT, Framework
from ..model.panel import Panel
from ..model.recipe import Recipe
from .scoring import GroupPlan, NodePlan
from .spec import DISCRETE, UncertaintySpec, edges_of, recipe_with
from ..i18n import M

_SECTION_KEY = {"impute": "impute", "normalise": "normalise", "weight_method": "weight_methods",
                "aggregate": "aggregate", "drop_indicator": "drop_indicator"}


@dataclass
class Design:
    """The nominal run, the groups and the rows analysed.

    ``plans[codes]`` is the :class:`GroupPlan` of a combination of choice indices (one per
    factor of ``spec.factors``); ``edges`` are the (parent, child) weights that the weight
    draws scale; ``analysed`` are the row indices (of the nominal assessment) whose ranks
    are counted, grouped by year into ``blocks`` (year, start, end); the scored rows are
    ``rows`` (``analysed`` first, then rows only needed for TOPSIS / grey ideals)."""

    framework: Framework
    recipe: Recipe
    spec: UncertaintySpec
    nominal: Assessment
    edges: list[tuple[str, str]]
    plans: dict[tuple[int, ...], GroupPlan]
    edge_weights: dict[tuple[int, ...], np.ndarray]
    analysed: np.ndarray
    rows: np.ndarray
    blocks: list[tuple[int, int, int]]
    nominal_ranks: np.ndarray          # int, per analysed row (0 = unranked)
    decimals: int | None
    rtol: float = 1e-9                 # the recipe's rank.tolerance

    @property
    def units(self) -> np.ndarray:
        return self.nominal.units[self.analysed]

    @property
    def years(self) -> np.ndarray:
        return self.nominal.years[self.analysed]

    def group_index(self, codes: np.ndarray) -> np.ndarray:
        return np.ravel_multi_index(tuple(codes.T), self.spec.sizes)

    def plan_list(self) -> list[GroupPlan]:
        """Plans ordered by their flat group index."""
        return [self.plans[k] for k in product(*[range(s) for s in self.spec.sizes])]


def _is_recipe_choice(factor: str, choice) -> bool:
    """The placeholder for "as in the recipe" (no alternative listed)."""
    return choice.indicator is None if factor == "drop_indicator" else choice.section is None


def _describe(spec: UncertaintySpec, codes: tuple[int, ...]) -> str:
    parts = []
    for f, c in zip(spec.factors, codes):
        if f.varied or not _is_recipe_choice(f.name, f.choices[c]):
            parts.append(f"{f.name}={f.choices[c].label}")
    return ", ".join(parts) or "the recipe's own choices"


def _detail(exc: EvaluatorError) -> str:
    return M("error.where", where=exc.where, problem=exc.problem) if exc.where else exc.problem


class _Builder:
    def __init__(self, framework: Framework, panel: Panel, recipe: Recipe,
                 spec: UncertaintySpec, ahp_loader: Callable | None, nominal: Assessment):
        self.framework, self.panel, self.recipe, self.spec = framework, panel, recipe, spec
        self.ahp_loader = ahp_loader
        self.nominal = nominal
        self.ids = list(framework.indicator_ids)
        self.labels = np.array([f"{u} {y}" for u, y in zip(nominal.units, nominal.years)],
                               dtype=object)
        self.edge_index = {e: i for i, e in enumerate(edges_of(framework))}
        self._data: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._trees: dict[str, tuple] = {}
        self._rows: dict[int, tuple[np.ndarray, np.ndarray]] = {}
        self._groups: dict[tuple, tuple[Recipe, str | None]] = {}
        self._recipes: dict[tuple, tuple[Recipe, str]] = {}
        self._weights: dict[tuple, object] = {}
        self._shared: dict = {}     # the groups' prepared indicator columns (GroupPlan.shared)
        self._logs: dict[tuple, tuple[np.ndarray, np.ndarray]] = {}
        self._specs: list[UncertaintySpec] = [spec]   # alive, so their ids stay theirs
        self.indicator_set = set(self.ids)
        self.col_of = {i: j for j, i in enumerate(self.ids)}

    def use(self, spec: UncertaintySpec) -> None:
        """Build the groups of ``spec`` from now on (the checks of each alternative alone
        use a reduced spec)."""
        self._specs.append(spec)
        self.spec = spec

    def rows_of(self, Z: np.ndarray, rows: np.ndarray) -> tuple:
        """The scored rows of a normalised matrix, the same with NaN → 0 and which of its
        columns have a NaN (shared by every group on these data, so memory does not grow
        with the number of groups)."""
        if id(Z) not in self._rows:
            part = np.ascontiguousarray(Z[rows])
            self._rows[id(Z)] = (part, np.nan_to_num(part, nan=0.0),
                                 np.isnan(part).any(axis=0))
        return self._rows[id(Z)]

    def log_rows(self, Z: np.ndarray, rows: np.ndarray, nodes: list[NodePlan],
                 used: list[int]) -> np.ndarray | None:
        """log(max(x, floor)) of the scored rows (other columns: 0), shared per data and
        floor, when every node is the same mean of logs (trait ``decomposes_in_logs``,
        one set of parameters) and the columns used are complete and their logs finite;
        else None. Each node's floor is then at most every value beneath it (a mean of
        logs ≥ log floor is ≥ log floor), so the composite is exp of one weighted sum of
        the indicators' logs with the global weights: exp(G · log Zᵀ)."""
        hows = [{k: v for k, v in n.how.items() if k not in ("by_node", "min_coverage")}
                for n in nodes]
        if any(h != hows[0] for h in hows) or not registry.get(
                "aggregations", hows[0]["method"]).has("decomposes_in_logs"):
            return None
        floor = hows[0].get("floor")
        if floor is not None and not floor > 0:
            return None
        key = (id(Z), floor)
        if key not in self._logs:
            data = self.rows_of(Z, rows)[0]
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.log(data if floor is None else np.maximum(data, floor))
            bad = ~np.isfinite(logs)
            logs[bad] = 0.0
            self._logs[key] = (logs, bad.any(axis=0))
        logs, bad = self._logs[key]
        return None if bad[used].any() else logs

    def data(self, recipe: Recipe) -> tuple[np.ndarray, np.ndarray]:
        """Normalised and prepared matrices (all scored rows × all indicators) under the
        recipe's impute/normalise choices: the pipeline's data stages once per distinct
        pair."""
        key = json.dumps([recipe.impute, recipe.normalise], sort_keys=True, default=str)
        if key not in self._data:
            # only the data stages run here (the weights and aggregation do not matter)
            probe = recipe.replace(weights={"indicators": "equal", "nodes": "equal"},
                                   aggregate={"method": "weighted_sum",
                                              "min_coverage": recipe.aggregate["min_coverage"]})
            run = prepare(self.framework, self.panel, probe, ahp_loader=self.ahp_loader)
            if (len(run.units) != len(self.nominal.units)
                    or not np.array_equal(run.units, self.nominal.units)
                    or not np.array_equal(run.years, self.nominal.years)):
                raise DataError(M("sens.design.screening_keeps_different_unit"),
                                fix=M("sens.design.screening_keeps_different_unit.fix"))
            self._data[key] = (run.stages["normalised"], run.stages["prepared"])
        return self._data[key]

    def tree(self, recipe: Recipe, dropped: str | None):
        """The pipeline's weights and aggregation of the tree (one group's nominal run)."""
        key = (self._key(recipe), dropped)
        if key not in self._trees:
            Z, X = self.data(recipe)
            fw = self.framework
            cols = [j for j, i in enumerate(self.ids) if i != dropped]
            if dropped is not None:
                fw = dataclasses.replace(fw, indicators=tuple(
                    i for i in fw.indicators if i.id != dropped))
            blocks = self.nominal.years if recipe.normalise["scope"] == "per_year" else None
            ids = [self.ids[j] for j in cols]
            scores, local, method_of, _ = aggregate_tree(
                fw, recipe, Z[:, cols], X[:, cols], ids, self.labels, self.ahp_loader,
                blocks, [], weigh=self._weigher(recipe))
            self._trees[key] = (fw, Z, local, method_of, scores[ROOT], blocks)
        return self._trees[key]

    def _key(self, recipe: Recipe) -> str:
        """The sections a group's tree depends on, as text (a recipe of the groups is
        kept by :meth:`group`, so its id names it while the builder lives)."""
        key = self._recipes.get(("key", id(recipe)))
        if key is None:
            key = json.dumps([recipe.impute, recipe.normalise, recipe.weights,
                              recipe.aggregate], sort_keys=True, default=str)
            self._recipes[("key", id(recipe))] = (recipe, key)
            return key
        return key[1]

    def _weigher(self, recipe: Recipe) -> Callable:
        """:func:`compute_weights` remembered for a parent whose children are all
        indicators: its weights depend only on those columns of the normalised and
        prepared data (the imputation and normalisation) and on the weighting spec, so
        every group on these data with this method — each aggregation, each left-out
        indicator of another parent — shares them."""
        data = json.dumps([recipe.impute, recipe.normalise], sort_keys=True, default=str)

        def weigh(spec, *, children, node, **rest):
            if not all(c in self.indicator_set for c in children):
                return compute_weights(spec, children=children, node=node, **rest)
            key = (data, json.dumps(spec, sort_keys=True, default=str), node, tuple(children))
            if key not in self._weights:
                self._weights[key] = compute_weights(spec, children=children, node=node,
                                                     **rest)
            return self._weights[key]
        return weigh

    def group(self, codes: tuple[int, ...]):
        key = (id(self.spec), codes)
        if key not in self._groups:
            self._groups[key] = self._group(codes)
        return self._groups[key]

    def _group(self, codes: tuple[int, ...]):
        sections = {}
        dropped = None
        for f, c in zip(self.spec.factors, codes):
            choice = f.choices[c]
            if f.name == "drop_indicator":
                dropped = choice.indicator
            else:
                sections[f.name] = choice.section
        # one recipe per combination of the other choices, shared by its left-out indicators
        key = (id(self.spec), tuple(c for f, c in zip(self.spec.factors, codes)
                                    if f.name != "drop_indicator"))
        if key not in self._recipes:
            self._recipes[key] = (recipe_with(self.recipe, sections), "")
        return self._recipes[key][0], dropped

    def check(self, codes: tuple[int, ...], what: str, where: str | None, alone: bool):
        recipe, dropped = self.group(codes)
        try:
            return self.tree(recipe, dropped)
        except (MethodError, DataError, RecipeError) as exc:
            if alone:
                problem = M("sens.design.alternative_invalid", what=what, detail=_detail(exc))
                then = M("sens.design.remove_alternative")
            else:
                problem = M("sens.design.combination_invalid", what=what, detail=_detail(exc))
                then = M("sens.design.remove_combination")
            fix = M("sens.design.or", fix=exc.fix, then=then) if exc.fix else then
            raise MethodError(problem, where=where, fix=fix) from None

    def plan(self, codes: tuple[int, ...], rows: np.ndarray) -> tuple:
        recipe, dropped = self.group(codes)
        fw, Z, local, method_of, composite, blocks = self.tree(recipe, dropped)
        order = fw.aggregation_order()
        position = {n: p for p, n in enumerate(order)}
        col_of = self.col_of
        nodes = []
        edge_w = np.zeros(len(self.edge_index))
        for name in order:
            nw = local[name]
            kids = list(nw.children)
            edges = np.array([self.edge_index.get((name, k), -1) for k in kids], dtype=int)
            if len(kids) > 1 and (edges < 0).any():
                raise AssertionError(f"edge missing for node {name!r}")  # pragma: no cover
            w = np.asarray(nw.weights, dtype=float)
            edge_w[edges[edges >= 0]] = w[edges >= 0]
            nodes.append(NodePlan(
                name, kids, [col_of[k] if k in self.indicator_set else None for k in kids],
                [None if k in self.indicator_set else position[k] for k in kids], w,
                edges if len(kids) > 1 else np.array([-1]), method_of[name],
                recipe.aggregate["min_coverage"]))
        data, filled, gaps = self.rows_of(Z, rows)
        used = [c for n in nodes for c in n.columns if c is not None]
        fast = (all(registry.get("aggregations", n.how["method"]).has("decomposes")
                    for n in nodes)
                and not gaps[used].any())
        plan = GroupPlan(nodes, data, (np.zeros(len(rows), dtype=int) if blocks is None
                                       else np.asarray(blocks)[rows]),
                         tuple(recipe.normalise["range"]), self.labels[rows],
                         weighting=self.spec.weights if self.spec.weights != "none"
                         else "perturb",
                         labels={f.name: f.choices[c].label
                                 for f, c in zip(self.spec.factors, codes)},
                         filled=filled if fast else None, shared=self._shared,
                         logs=None if fast else self.log_rows(Z, rows, nodes, used))
        return plan, edge_w, composite[rows]


def build_design(framework: Framework, panel: Panel, recipe: Recipe, spec: UncertaintySpec,
                 *, years: list[int] | None = None, ahp_loader: Callable | None = None,
                 nominal: Assessment | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Design:
    """Run the nominal recipe, check every alternative, build every group.

    ``years`` restricts the ranks counted to those years (default: every year);
    ``progress(done, total)`` is called after the nominal run and after each check and
    each group built (total = alternatives checked alone + 2 × groups). Raises
    :class:`MethodError` naming the alternative (or combination) that fails on the data.
    """
    n_groups = int(np.prod(spec.sizes))
    n_alone = sum(1 for f in spec.factors for c in f.choices
                  if not _is_recipe_choice(f.name, c))
    steps = {"done": 0, "total": n_alone + 2 * n_groups}

    def step(advance: bool = True) -> None:
        steps["done"] += advance
        if progress is not None:
            progress(steps["done"], steps["total"])

    if ahp_loader is None:   # as evaluate() does: judgement files beside the recipe file
        from pathlib import Path

        from ..stages.ahp_weights import make_ahp_loader
        src = Path(recipe.source) if recipe.source else None
        ahp_loader = make_ahp_loader(
            framework, base_dir=src.parent if src is not None and src.is_file() else None)
    nominal = nominal if nominal is not None else evaluate(
        framework, panel, recipe, ahp_loader=ahp_loader)
    all_years = sorted(int(y) for y in np.unique(nominal.years))
    if years:
        missing = [y for y in years if y not in all_years]
        if missing:
            raise DataError(M("sens.design.year_s_not_scored", map=', '.join(map(str, missing))),
                            fix=M("hint.years_present", years=", ".join(map(str, all_years))))
    chosen = sorted(set(years)) if years else all_years
    builder = _Builder(framework, panel, recipe, spec, ahp_loader, nominal)
    source = recipe.source or "recipe"
    step(advance=False)

    # 1. each alternative alone, the recipe's other choices kept
    for fi, f in enumerate(spec.factors):
        builder.use(_alone_spec(spec, fi))
        try:
            for ci, choice in enumerate(f.choices):
                if _is_recipe_choice(f.name, choice):
                    continue
                codes = tuple(ci if i == fi else 0 for i in range(len(spec.factors)))
                key = _SECTION_KEY[f.name] + ("" if f.name == "drop_indicator" else f"[{ci}]")
                builder.check(codes, f"{f.name}={choice.label}",
                              f"{source}: uncertainty.{key}", alone=True)
                step()
        finally:
            builder.use(spec)
    # 2. every combination
    years_arr = nominal.years
    analysed = np.concatenate([np.flatnonzero(years_arr == y) for y in chosen])
    blocks, start = [], 0
    for y in chosen:
        n = int((years_arr == y).sum())
        blocks.append((y, start, start + n))
        start += n
    needs_ideal = False
    pooled_ideal = False
    for codes in product(*[range(s) for s in spec.sizes]):
        rec, dropped = builder.group(codes)
        builder.check(codes, _describe(spec, codes), f"{source}: uncertainty", alone=False)
        step()
        methods = {m["method"] for m in builder.tree(rec, dropped)[3].values()}
        if methods & {"topsis", "grey_relational"}:
            needs_ideal = True
            pooled_ideal |= rec.normalise["scope"] != "per_year"
    if needs_ideal:
        extra_years = all_years if pooled_ideal else chosen
        extra = np.flatnonzero(np.isin(years_arr, extra_years) & ~np.isin(years_arr, chosen))
        rows = np.concatenate([analysed, extra])
    else:
        rows = analysed
    plans, edge_weights = {}, {}
    for codes in product(*[range(s) for s in spec.sizes]):
        plan, edge_w, composite = builder.plan(codes, rows)
        # guard against a bug: the batched scorer must reproduce the pipeline (checked on
        # every group without a left-out indicator and on the first with one)
        if codes[-1] <= 1 and not np.allclose(plan.batched(None)[0], composite, rtol=1e-9,
                                              atol=1e-9, equal_nan=True):
            raise AssertionError(  # pragma: no cover - a bug, not a user error
                f"batched scorer disagrees with the pipeline for {_describe(spec, codes)}")
        plan.nominal = np.ascontiguousarray(composite)
        plans[codes], edge_weights[codes] = plan, edge_w
        step()
    ranks = nominal.ranks[ROOT][analysed]
    nominal_ranks = np.where(np.isnan(ranks), 0, ranks).astype(np.int64)
    return Design(framework, recipe, spec, nominal, edges_of(framework), plans, edge_weights,
                  analysed, rows, blocks, nominal_ranks, recipe.rank["decimals"],
                  recipe.rank["tolerance"])


def _alone_spec(spec: UncertaintySpec, keep: int) -> UncertaintySpec:
    """``spec`` with every factor but ``keep`` reduced to the recipe's own choice, so that
    code 0 of those factors means "as in the recipe"."""
    from .spec import Choice, Factor
    factors = []
    for i, f in enumerate(spec.factors):
        if i == keep:
            factors.append(f)
        else:
            factors.append(Factor(f.name, (Choice("none") if f.name == "drop_indicator"
                                           else Choice("recipe"),)))
    return dataclasses.replace(spec, factors=tuple(factors))


__all__ = ["Design", "build_design", "DISCRETE"]
