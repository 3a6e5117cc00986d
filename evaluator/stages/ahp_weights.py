"""AHP weights from an expert judgement file: every matrix's priorities and consistency,
revision hints, global weights through the hierarchy, and the loader that
:func:`evaluator.evaluate.evaluate` calls for ``weights: {…: {method: ahp, file: …}}``.

The file is read and structurally checked by :mod:`evaluator.model.judgements`; the
numbers come from :mod:`evaluator.methods.ahp` (Saaty 1980 priorities and CR, Harker 1987
completion), :mod:`evaluator.methods.ahp_group` (AIJ/AIP pooling after Forman & Peniwati
1998; hierarchic composition and the hierarchy's CR after Saaty 1980) and
:mod:`evaluator.methods.ahp_repair` (revision hints after Saaty 2003). Every error about a
judgement names the file and the key path of the judgement.
"""
from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from ..errors import MethodError
from ..methods.ahp import AHPResult, build_matrix, parse_judgement, priorities
from ..methods.ahp_group import (HierarchyConsistency, aggregate_judgements, aggregate_priorities,
                                 global_weights, hierarchy_consistency_ratio)
from ..methods.ahp_repair import RevisionHint, revision_hints, with_expert_judgements
from ..model.framework import ROOT, Framework
from ..model.judgements import (ExpertJudgements, JudgementFile, MatrixSpec, check_against,
                                load_judgements, resolve_judgement_path)
from ..model.judgement_workbook import judgement_sources

from .ahp_text import (analysis_json, analysis_text, scale_text, threshold_text,
                       written_text)
from ..i18n import M, bilingual, compose

#: How many judgements to suggest revising in an inconsistent matrix.
HINTS_PER_MATRIX = 3

#: How many unusable judgements one error lists (the rest are counted).
MAX_LISTED_PROBLEMS = 20


@dataclass(frozen=True)
class ExpertSummary:
    """One expert's own consistency on a matrix (None where their judgements alone are
    too incomplete to give priorities: with AIJ the others' judgements fill the gaps)."""

    name: str
    weight: float
    cr: float | None
    consistent: bool | None
    priorities: np.ndarray | None


@dataclass(frozen=True)
class MatrixAnalysis:
    """One node's matrix analysed. ``result`` carries the priorities (aligned with
    ``items``) and the consistency statistics; with AIP the statistics are those of the
    least consistent expert (``consistency_of`` says whose), since no pooled matrix
    exists. ``completed`` lists the judgements of the analysed matrix filled by Harker's
    method as (row item, column item, value); with AIP, where every expert's matrix is
    completed on its own, ``completed_by_expert`` lists them all as (expert, row item,
    column item, value). ``hints`` are the judgements to revise first; on a group matrix
    each names every expert's own judgement of the pair (``RevisionHint.by_expert``)."""

    node: str
    items: tuple[str, ...]
    result: AHPResult
    pooling: str                                   # single | aij | aip
    experts: tuple[ExpertSummary, ...]
    completed: tuple[tuple[str, str, float], ...]
    hints: tuple[RevisionHint, ...]
    consistency_of: str
    key: str
    completed_by_expert: tuple[tuple[str, str, str, float], ...] = ()

    @property
    def consistent(self) -> bool:
        return self.result.consistent

    def weights_for(self, children: list[str]) -> np.ndarray:
        """Priorities reordered to ``children`` (same set as ``items``)."""
        return np.array([self.result.priorities[self.items.index(c)] for c in children])


@dataclass(frozen=True)
class AHPAnalysis:
    """A whole judgement file analysed (see :func:`analyse_judgements`)."""

    judgements: JudgementFile
    matrices: dict[str, MatrixAnalysis]            # top-down order
    local_weights: dict[str, np.ndarray]           # every parent, children in tree order
    tree: dict[str, list[str]]
    root: str | None
    global_weights: dict[str, float]               # leaves (indicators) only
    node_weights: dict[str, float]                 # every node of the tree
    equal_weight_nodes: tuple[str, ...]            # parents without a matrix: equal weights
    consistency: HierarchyConsistency | None
    framework: Framework | None = None
    notes: tuple[str, ...] = ()

    @property
    def consistent(self) -> bool:
        return all(m.consistent for m in self.matrices.values())

    @property
    def inconsistent_nodes(self) -> list[str]:
        return [node for node, m in self.matrices.items() if not m.consistent]

    def to_json(self) -> list[dict[str, Any]]:
        """One object per matrix (DESIGN.md §4: ``node, items, priorities, lambda_max, ci,
        ri, cr, consistent`` and more), then one object with the global weights."""
        return analysis_json(self)

    def to_text(self, lang: str = "en") -> str:
        return analysis_text(self, lang)


# ------------------------------------------------------------------------------ analysis
def _where(judgements: JudgementFile, key: str) -> str:
    return f"{judgements.source}: {key}"


def _expert_where(judgements: JudgementFile, expert: ExpertJudgements) -> str:
    return _where(judgements, expert.key) + (f" ({expert.name})" if expert.name else "")


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) \
        or (isinstance(value, float) and value != value)


def _cell_problems(spec: MatrixSpec, expert: ExpertJudgements, where: str) -> list[MethodError]:
    """Every judgement of one expert that is not a number on Saaty's scale."""
    items = spec.items
    if expert.matrix is not None:
        cells = [(f"row {i + 1} ({items[i]!r}), column {j + 1} ({items[j]!r})", raw)
                 for i, row in enumerate(expert.matrix) for j, raw in enumerate(row) if not _blank(raw)]
    else:
        cells = [(f"judgement {a!r} vs {b!r}", raw)
                 for a, row in (expert.judgements or {}).items() for b, raw in (row or {}).items()]
    problems = []
    for cell, raw in cells:
        try:
            parse_judgement(raw, where=f"{where}, {cell}")
        except MethodError as exc:
            problems.append(exc)
    return problems


def check_all_judgements(judgements: JudgementFile) -> None:
    """Raise one :class:`MethodError` listing every unusable judgement of the file — off
    the 1/9–9 scale, not a number, non-reciprocal, a diagonal other than 1 — each with the
    file, the matrix key path (node), the expert and the pair, so a panel's file can be
    corrected in one pass. A single problem is raised as it is."""
    problems: list[MethodError] = []
    for spec in judgements.matrices.values():
        for expert in spec.experts:
            where = _expert_where(judgements, expert)
            found = _cell_problems(spec, expert, where)
            if not found:            # the structure (reciprocals, diagonal) only once cells read
                try:
                    build_matrix(list(spec.items), judgements=expert.judgements, matrix=expert.matrix,
                                 where=where)
                except MethodError as exc:
                    found = [exc]
            problems += found
    if len(problems) == 1:
        raise problems[0]
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        listing = "\n  ".join(f"- {p.where}: {p.problem}" for p in shown)
        tail = f"\n  … and {more} more" if more else ""
        raise MethodError(M("ahp_weights.judgements_cannot_used", n_problems=len(problems), listing=listing, tail=tail),
                          where=judgements.source,
                          fix=M("ahp_weights.judgements_cannot_used.fix"))


def _expert_matrix(spec: MatrixSpec, index: int, judgements: JudgementFile) -> np.ndarray:
    expert = spec.experts[index]
    where = _expert_where(judgements, expert)
    return build_matrix(list(spec.items), judgements=expert.judgements, matrix=expert.matrix,
                        where=where)


def analyse_matrix(spec: MatrixSpec, judgements: JudgementFile) -> MatrixAnalysis:
    """Priorities, consistency, completion and revision hints of one node's matrix."""
    items = list(spec.items)
    method, table, max_cr = judgements.method, judgements.ri_table, judgements.max_cr
    where = _where(judgements, spec.key)
    matrices = [_expert_matrix(spec, k, judgements) for k in range(len(spec.experts))]
    raw_weights = [e.weight if e.weight is not None else 1.0 for e in spec.experts]
    expert_weights = np.asarray(raw_weights, float) / sum(raw_weights)

    def solve(matrix: np.ndarray, at: str) -> AHPResult:
        return priorities(matrix, method=method, ri_table=table, max_cr=max_cr, items=items,
                          where=at)

    individual: list[AHPResult | None] = []
    for k, (expert, matrix) in enumerate(zip(spec.experts, matrices)):
        at = _where(judgements, expert.key) + (f" ({expert.name})" if expert.name else "")
        if len(matrices) == 1 or judgements.aggregation == "aip":
            individual.append(solve(matrix, at))       # must stand on its own: errors surface
            continue
        try:
            individual.append(solve(matrix, at))
        except MethodError:                            # incomplete alone, completed by the group
            individual.append(None)

    if len(matrices) == 1:
        pooling, result, pooled_input, consistency_of = "single", individual[0], matrices[0], ""
    elif judgements.aggregation == "aij":
        pooled_input = aggregate_judgements(matrices, expert_weights)
        pooling, result, consistency_of = "aij", solve(pooled_input, where), "pooled judgements"
    else:
        worst = int(np.argmax([r.cr for r in individual]))
        combined = aggregate_priorities([r.priorities for r in individual], expert_weights)
        result = dataclasses.replace(individual[worst], priorities=combined)
        pooling, pooled_input = "aip", matrices[worst]
        consistency_of = f"expert {spec.experts[worst].name} (the least consistent)"

    hints: tuple[RevisionHint, ...] = ()
    if not result.consistent:
        hints = tuple(revision_hints(pooled_input, k=HINTS_PER_MATRIX, method=method,
                                     ri_table=table, items=items, where=where))
        if pooling == "aij":               # the pooled values are nobody's: name each expert's
            hints = tuple(with_expert_judgements(hints, [e.name for e in spec.experts], matrices))
        elif pooling == "aip":             # the hints are on the least consistent expert's own
            hints = tuple(with_expert_judgements(hints, [spec.experts[worst].name], [matrices[worst]]))
    completed_by_expert: tuple[tuple[str, str, str, float], ...] = ()
    if pooling == "aip":                   # each expert's matrix was completed on its own
        completed = ()
        completed_by_expert = tuple((e.name, items[i], items[j], float(r.matrix[i, j]))
                                    for e, r in zip(spec.experts, individual)
                                    for i, j in r.completed_cells)
    else:
        completed = tuple((items[i], items[j], float(result.matrix[i, j]))
                          for i, j in result.completed_cells)
    experts = tuple(ExpertSummary(e.name, float(w), None if r is None else r.cr,
                                  None if r is None else r.consistent,
                                  None if r is None else r.priorities)
                    for e, w, r in zip(spec.experts, expert_weights, individual))
    return MatrixAnalysis(node=spec.node, items=spec.items, result=result, pooling=pooling,
                          experts=experts, completed=completed, hints=hints,
                          consistency_of=consistency_of, key=spec.key,
                          completed_by_expert=completed_by_expert)


def _tree_from_framework(framework: Framework) -> tuple[dict[str, list[str]], list[str]]:
    tree: dict[str, list[str]] = {}
    order = [ROOT]
    for parent in order:                               # breadth-first, the root first
        tree[parent] = framework.children(parent)
        order += [c for c in tree[parent] if not framework.is_indicator(c)]
    return tree, order


def _tree_from_file(judgements: JudgementFile) -> tuple[dict[str, list[str]], str | None, list[str]]:
    """Without a framework the matrices themselves make the tree: an item that has its
    own matrix is a node. The root is ``index`` or else the one node nobody compares."""
    tree = {node: list(spec.items) for node, spec in judgements.matrices.items()}
    compared = {item for items in tree.values() for item in items}
    if ROOT in tree:
        return tree, ROOT, []
    tops = [node for node in tree if node not in compared]
    if len(tops) == 1:
        return tree, tops[0], []
    note = M("ahp.note.no_top", tops=", ".join(tops) if tops else M("ahp.note.cycle"))
    return tree, None, [note]


def _leaf_order(tree: dict[str, list[str]], root: str) -> list[str]:
    """Leaves depth-first in child order (the framework's indicator order), each once."""
    order: list[str] = []
    stack, seen = [root], set()
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen.add(node)
        if tree.get(node):
            stack.extend(reversed(tree[node]))
        else:
            order.append(node)
    return order


def analyse_judgements(judgements: JudgementFile, framework: Framework | None = None) -> AHPAnalysis:
    """Analyse every matrix of ``judgements`` and compose the global weights.

    With ``framework`` the tree is the framework's: a parent without a matrix gives its
    children equal weights (listed in ``equal_weight_nodes`` and noted), a parent with one
    child gives it weight 1. Without it the tree is read off the matrices. The
    hierarchy's consistency ratio is Saaty's Σ w_p·CI_p / Σ w_p·RI_p over the judged
    parents (parents with equal weights carry weight down but add nothing to it).
    """
    if framework is not None:
        judgements = check_against(judgements, framework)
    check_all_judgements(judgements)
    analysed = {node: analyse_matrix(spec, judgements) for node, spec in judgements.matrices.items()}
    notes: list[str] = []
    if framework is not None:
        tree, order = _tree_from_framework(framework)
        root: str | None = ROOT
    else:
        tree, root, notes = _tree_from_file(judgements)
        order = list(tree)
    local: dict[str, np.ndarray] = {}
    equal: list[str] = []
    for parent in order:
        children = tree.get(parent, [])
        if not children:
            continue
        if parent in analysed:
            local[parent] = analysed[parent].weights_for(children)
        else:
            local[parent] = np.full(len(children), 1.0 / len(children))
            if len(children) > 1:
                equal.append(parent)
    if equal:
        notes.append(M("ahp.note.equal", nodes=", ".join(map(repr, equal))))
    leaves: dict[str, float] = {}
    nodes: dict[str, float] = {}
    consistency = None
    if root is not None:
        where = judgements.source
        try:
            nodes = global_weights(tree, local, root=root, leaves_only=False)
            leaves = {k: nodes[k] for k in _leaf_order(tree, root) if k in nodes}
            fixed = {p: local[p] for p in local if p not in analysed}
            consistency = hierarchy_consistency_ratio(
                tree, {p: m.result for p, m in analysed.items()}, root=root,
                max_cr=judgements.max_cr, fixed=fixed)
        except MethodError as exc:
            raise MethodError(exc.problem, where=where, fix=exc.fix) from None
    ordered = {node: analysed[node] for node in order if node in analysed}
    ordered.update({node: m for node, m in analysed.items() if node not in ordered})
    return AHPAnalysis(judgements=judgements, matrices=ordered, local_weights=local, tree=tree,
                       root=root, global_weights=leaves, node_weights=nodes,
                       equal_weight_nodes=tuple(equal), consistency=consistency,
                       framework=framework, notes=tuple(notes))


# ------------------------------------------------------------------------------ loader
def inconsistency_error(analysis: MatrixAnalysis, source: str) -> MethodError:
    """The error for an inconsistent matrix: its CR and the judgement to revise first."""
    r = analysis.result
    problem = M("ahp.inconsistent", node=repr(analysis.node), cr=f"{r.cr:.3f}",
                threshold=threshold_text(r.max_cr), table=r.ri_table, ri=f"{r.ri:.4g}")
    fix = M("ahp.inconsistent.fix", source=source)
    if analysis.hints:
        h = analysis.hints[0]
        fix = compose(M("ahp.inconsistent.revise", row=repr(h.row_item),
                        column=repr(h.column_item),
                        written=bilingual(written_text(h, "en"), written_text(h, "zh")),
                        value=scale_text(h.suggested), cr=f"{h.cr_after:.3f}"), fix)
    return MethodError(problem, where=f"{source}: {analysis.key}", fix=fix)


def make_ahp_loader(framework: Framework, *, base_dir: str | Path | None = None,
                    accept_inconsistent: bool = False) -> Callable[..., tuple[np.ndarray, dict]]:
    """The callable :func:`evaluator.evaluate.evaluate` uses for AHP weights:
    ``loader(file, node, children, *, accept_inconsistent=None) -> (weights, details)``.

    ``weights`` are the priorities of ``node``'s matrix aligned with ``children``;
    ``details`` holds ``lambda_max, ci, ri, cr, ri_table, method`` and more. A file is
    read and analysed once per loader. An inconsistent matrix (CR ≥ max_cr) is a
    :class:`MethodError` naming the file, the node and the judgement to revise, unless
    ``accept_inconsistent`` (the recipe's flag; None = the loader's default) is true.
    Relative paths: see :func:`evaluator.model.judgements.resolve_judgement_path`.
    ``loader.files`` maps every judgement file read to its SHA-256, for the manifest.
    """
    cache: dict[Path, AHPAnalysis] = {}
    files: dict[str, str] = {}
    default_accept = accept_inconsistent

    def loader(file: str | Path, node: str, children: list[str], *,
               accept_inconsistent: bool | None = None) -> tuple[np.ndarray, dict]:
        accept = default_accept if accept_inconsistent is None else accept_inconsistent
        path = resolve_judgement_path(file, base_dir).resolve()
        if path not in cache:
            cache[path] = analyse_judgements(load_judgements(path, framework), framework)
            for f in judgement_sources(path):    # a folder: each expert's questionnaire
                files[str(f)] = hashlib.sha256(f.read_bytes()).hexdigest()
        analysis = cache[path]
        source = analysis.judgements.source
        matrix = analysis.matrices.get(node)
        if matrix is None:
            items = ", ".join(children)
            raise MethodError(M("ahp_weights.no_judgement_matrix_node", node=node), where=source,
                              fix=M("ahp_weights.no_judgement_matrix_node.fix", node=node, items=items, id=framework.id))
        if set(matrix.items) != set(children):
            raise MethodError(M("ahp_weights.matrix_compares_but_weighted", items=', '.join(matrix.items), node=node, children=', '.join(children)),
                              where=f"{source}: {matrix.key}",
                              fix=M("ahp_weights.matrix_compares_but_weighted.fix"))
        if not matrix.consistent and not accept:
            raise inconsistency_error(matrix, source)
        r = matrix.result
        details: dict[str, Any] = {
            "lambda_max": r.lambda_max, "ci": r.ci, "ri": r.ri, "cr": r.cr,
            "consistent": r.consistent, "max_cr": r.max_cr, "ri_table": r.ri_table,
            "ri_source": r.ri_source, "priority_method": r.method, "file": source,
            "pooling": matrix.pooling, "experts": [e.name for e in matrix.experts],
            "completed": [f"{a} vs {b} = {v!r}" for a, b, v in matrix.completed]
            + [f"{e}: {a} vs {b} = {v!r}" for e, a, b, v in matrix.completed_by_expert],
            "matrix_items": list(matrix.items), "matrix": np.asarray(r.matrix).tolist()}
        if not r.consistent:
            details["accepted_inconsistent"] = True
        return matrix.weights_for(list(children)), details

    loader.files = files
    return loader
