"""Expert judgement files (AHP): read them and check them against a framework.

The format is DESIGN.md §4 "Expert judgement file": the priority method, the random-index
table, the CR threshold, how several experts are pooled (``aij`` or ``aip``) and, per node
of the tree, the items compared and one or several experts' judgements, each a full
``matrix`` or an upper-triangle ``judgements`` mapping (``a: {b: 3}`` = a is three times
as important as b; reciprocals implied; ``"1/3"`` allowed).

This module checks the *structure*: keys, nodes, items, shapes, expert names and weights,
and that every matrix covers its node's children exactly. The judgement values are kept
as written; :mod:`evaluator.stages.ahp_weights` turns them into matrices with
:mod:`evaluator.methods.ahp`, which rejects non-positive, non-reciprocal and off-scale
values, naming the file and key path recorded here. Every structural problem in a file
is reported at once, so a panel secretary fixes it in one pass.
"""
from __future__ import annotations

import numbers
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Mapping, Sequence

from .. import resources
from ..errors import FrameworkError
from .framework import ROOT, Framework, read_yaml
from .judgement_template import template
from .names import near_matches
from ..i18n import M

__all__ = ["JudgementFile", "MatrixSpec", "ExpertJudgements", "load_judgements",
           "judgements_from_dict", "check_against", "resolve_judgement_path", "template"]

# Names accepted by evaluator.methods.ahp (model/ does not import methods/; a test keeps
# these in step with methods.ahp.PRIORITY_METHODS and RI_TABLES).
PRIORITY_METHODS = ("eigenvector", "geometric_mean", "column_mean")
RI_TABLE_NAMES = ("saaty1980", "saaty2005", "chinese", "donegan_dodd")
AGGREGATIONS = ("aij", "aip")

TOP_KEYS = ("framework", "name", "description", "method", "ri_table", "max_cr", "aggregation",
            "matrices")
MATRIX_KEYS = ("items", "experts", "matrix", "judgements", "description")
EXPERT_KEYS = ("name", "matrix", "judgements", "weight")

DEFAULTS = {"method": "eigenvector", "ri_table": "saaty1980", "max_cr": 0.10,
            "aggregation": "aij"}


@dataclass(frozen=True)
class ExpertJudgements:
    """One expert's judgements on one node, as written: a full ``matrix`` (rows in item
    order) or an upper-triangle ``judgements`` mapping. ``key`` is the key path in the
    file (e.g. ``matrices.structural.experts[1]``) used in every message about it."""

    name: str
    key: str
    weight: float | None = None
    matrix: tuple[tuple[Any, ...], ...] | None = None
    judgements: Mapping[str, Mapping[str, Any]] | None = None


@dataclass(frozen=True)
class MatrixSpec:
    """The judgements on one node: the ``items`` compared (in the file's order) and one
    or more experts. A matrix written without ``experts:`` is one unnamed expert."""

    node: str
    items: tuple[str, ...]
    experts: tuple[ExpertJudgements, ...]
    key: str


@dataclass(frozen=True)
class JudgementFile:
    """A checked judgement file. ``matrices`` keeps the file's order."""

    source: str
    matrices: Mapping[str, MatrixSpec]
    method: str = DEFAULTS["method"]
    ri_table: str = DEFAULTS["ri_table"]
    max_cr: float = DEFAULTS["max_cr"]
    aggregation: str = DEFAULTS["aggregation"]
    framework_id: str | None = None
    name: str = ""
    description: str = ""
    checked_against: str | None = field(default=None, compare=False)  # framework id


class _Problems:
    """Collects every problem in a judgement file so they are reported together."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str, fix: str | None = None) -> None:
        self.items.append(f"{path}: {message}" + (f" — fix: {fix}" if fix else ""))

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            raise FrameworkError(f"{n} problem{'s' if n > 1 else ''} in the judgement file:\n  "
                                 + "\n  ".join(self.items), where=self.source)


# ------------------------------------------------------------------------------ paths
def resolve_judgement_path(file: str | Path, base_dir: str | Path | None = None) -> Path:
    """Where a judgement file named in a recipe or on the command line is.

    An absolute path is taken as is. A relative one is looked for in the current folder,
    then in ``base_dir`` (e.g. the recipe's folder), then in the built-in ``weights/``
    folder (a leading ``weights/`` is dropped there, so ``weights/example_panel.yaml``
    finds the shipped example after ``pip install``).
    """
    path = Path(file)
    if path.is_absolute():
        if path.is_file() or path.is_dir():   # a folder: one questionnaire per expert
            return path
        raise FrameworkError(M("judgements.judgement_file_not_found_2"), where=str(path),
                             fix=M("judgements.judgement_file_not_found_2.fix"))
    builtin = resources.weights_dir()
    candidates = [Path.cwd() / path]
    if base_dir is not None:
        candidates.append(Path(base_dir) / path)
    candidates.append(builtin / path)
    if path.parts and path.parts[0] == "weights" and len(path.parts) > 1:
        candidates.append(builtin.joinpath(*path.parts[1:]))
    for candidate in candidates:
        if candidate.is_file() or (candidate.is_dir() and candidate != builtin):
            return candidate
    shipped = sorted(p.name for p in builtin.glob("*.yaml")) if builtin.is_dir() else []
    tried = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise FrameworkError(M("judgements.judgement_file_not_found", file=str(file), tried=tried),
                         where=str(file),
                         fix="give a path relative to the current folder, or a built-in file: "
                             + (", ".join(shipped) or "none shipped")
                             + "; `evaluator ahp template -f FRAMEWORK -o FILE` writes a blank one")


def load_judgements(file: str | Path, framework: Framework | None = None, *,
                    base_dir: str | Path | None = None) -> JudgementFile:
    """Read and check a judgement file — YAML, an Excel questionnaire, or a folder of
    questionnaires, one per expert (:mod:`evaluator.model.judgement_workbook`); see
    :func:`resolve_judgement_path` for where a relative path is looked for. With ``framework`` every node and item is checked
    against its tree; without it only the file's own consistency is checked."""
    from .judgement_workbook import read_judgement_spec
    path = resolve_judgement_path(file, base_dir)
    spec, source = read_judgement_spec(path)
    return judgements_from_dict(spec, framework, source=source)


# ------------------------------------------------------------------------------ checking
def _is_name(value: Any) -> bool:
    return isinstance(value, str) and value != ""


def _key_problem(value: Any) -> str:
    """Why a YAML key is not a usable id (YAML reads `no`, `on`, `1e3` as non-strings)."""
    return (f"key {value!r} is read by YAML as a {type(value).__name__}, not a name"
            if value is not None else "empty key")


def _check_keys(spec: Mapping, allowed: Sequence[str], path: str, problems: _Problems) -> None:
    for key in spec:
        if key not in allowed:
            hint = near_matches(str(key), list(allowed))
            problems.add(f"{path}.{key}" if path else str(key), "unknown key",
                         f"did you mean {hint}?" if hint else f"allowed keys: {', '.join(allowed)}")


def _choice(spec: Mapping, key: str, options: Sequence[str], problems: _Problems) -> str:
    value = spec.get(key, DEFAULTS[key])
    if value not in options:
        hint = near_matches(str(value), list(options))
        problems.add(key, f"unknown value {value!r}",
                     (f"did you mean {hint}? " if hint else "") + "valid: " + ", ".join(options))
        return DEFAULTS[key]
    return value


def _positive_number(value: Any) -> bool:
    return (isinstance(value, numbers.Real) and not isinstance(value, bool)
            and value == value and value > 0)


def judgements_from_dict(spec: Any, framework: Framework | None = None, *,
                         source: str = "<judgements>") -> JudgementFile:
    """Check a parsed judgement file (a mapping as read from YAML); see the module doc."""
    problems = _Problems(source)
    if not isinstance(spec, Mapping):
        raise FrameworkError(M("judgements.judgement_file_empty_not"), where=source,
                             fix=M("judgements.judgement_file_empty_not.fix"))
    _check_keys(spec, TOP_KEYS, "", problems)
    method = _choice(spec, "method", PRIORITY_METHODS, problems)
    ri_table = _choice(spec, "ri_table", RI_TABLE_NAMES, problems)
    aggregation = _choice(spec, "aggregation", AGGREGATIONS, problems)
    max_cr = spec.get("max_cr", DEFAULTS["max_cr"])
    if not (_positive_number(max_cr) and max_cr <= 1):
        problems.add("max_cr", f"{max_cr!r} is not a number in (0, 1]", "Saaty's threshold is 0.10")
        max_cr = DEFAULTS["max_cr"]
    framework_id = spec.get("framework")
    if framework_id is not None and not _is_name(framework_id):
        problems.add("framework", f"{framework_id!r} is not a framework id",
                     "write the id of the framework the judgements are for, or drop the key")
        framework_id = None
    if framework is not None and framework_id is not None and framework_id != framework.id:
        problems.add("framework", f"the file is for framework {framework_id!r}, "
                                  f"but it is used with {framework.id!r}",
                     f"use --framework {framework_id}, or change `framework:` to {framework.id!r}")

    raw_matrices = spec.get("matrices")
    matrices: dict[str, MatrixSpec] = {}
    if not isinstance(raw_matrices, Mapping) or not raw_matrices:
        problems.add("matrices", "missing, empty or not a mapping of node → judgements",
                     "write `matrices:` then one entry per node, e.g. `index: {items: [...], "
                     "judgements: {...}}`")
        raw_matrices = {}
    for node, raw in raw_matrices.items():
        if not _is_name(node):
            problems.add(f"matrices.{node}", _key_problem(node), "quote the node id, e.g. \"no\"")
            continue
        matrix = _matrix_spec(str(node), raw, framework, problems)
        if matrix is not None:
            matrices[node] = matrix
    problems.raise_if_any()
    return JudgementFile(source=source, matrices=matrices, method=method, ri_table=ri_table,
                         max_cr=float(max_cr), aggregation=aggregation, framework_id=framework_id,
                         name=str(spec.get("name") or ""),
                         description=str(spec.get("description") or ""),
                         checked_against=framework.id if framework is not None else None)


def check_against(judgements: JudgementFile, framework: Framework) -> JudgementFile:
    """Check an already read file against ``framework`` (its nodes and each matrix's
    items); returns the file marked as checked. Loading with a framework does this."""
    if judgements.checked_against == framework.id:
        return judgements
    problems = _Problems(judgements.source)
    if judgements.framework_id is not None and judgements.framework_id != framework.id:
        problems.add("framework", f"the file is for framework {judgements.framework_id!r}, "
                                  f"but it is used with {framework.id!r}",
                     f"use --framework {judgements.framework_id}, or change `framework:` "
                     f"to {framework.id!r}")
    for node, spec in judgements.matrices.items():
        if not _node_problem(node, framework, spec.key, problems):
            _items(node, list(spec.items), framework, spec.key, problems)
    problems.raise_if_any()
    return replace(judgements, checked_against=framework.id)


def _node_problem(node: str, framework: Framework, path: str, problems: _Problems) -> bool:
    """True (and a problem recorded) when ``node`` has no children to compare."""
    parents = [ROOT] + [n for n in framework.node_ids]
    if node in parents:
        return False
    if framework.is_indicator(node):
        problems.add(path, f"{node!r} is an indicator: it has no children to compare",
                     f"judge it within its parent's matrix, `matrices.{framework.parent_of(node)}`")
        return True
    hint = near_matches(node, parents)
    problems.add(path, f"unknown node {node!r}",
                 (f"did you mean {hint}? " if hint else "")
                 + f"nodes of {framework.id!r}: {', '.join(parents)}")
    return True


def _items(node: str, raw: Any, framework: Framework | None, path: str,
           problems: _Problems) -> tuple[tuple[str, ...] | None, bool]:
    """The items as written (None if unreadable) and whether they match the framework."""
    children = framework.children(node) if framework is not None else None
    example = f"items: [{', '.join(children)}]" if children else "items: [a, b, c]"
    if not isinstance(raw, list) or not raw:
        problems.add(f"{path}.items", "missing or not a list of the items compared",
                     f"list them in the order the judgements use, e.g. `{example}`")
        return None, False
    bad = [x for x in raw if not _is_name(x)]
    if bad:
        problems.add(f"{path}.items", f"{', '.join(map(repr, bad))} "
                                      f"{'is' if len(bad) == 1 else 'are'} not names",
                     "write the ids of the items; quote ids YAML reads as numbers or booleans")
        return None, False
    items = tuple(raw)
    duplicated = sorted({x for x in items if items.count(x) > 1})
    if duplicated:
        problems.add(f"{path}.items", f"listed more than once: {', '.join(duplicated)}",
                     "list each item once")
        return None, False
    if children is None:
        return items, True
    ok = True
    for item in items:
        if item in children:
            continue
        ok = False
        fix = f"children of {node!r}: {', '.join(children)}"
        if framework.is_indicator(item) or item in framework.node_ids:
            kind = "indicator" if framework.is_indicator(item) else "node"
            problems.add(f"{path}.items", f"{kind} {item!r} sits under "
                                          f"{framework.parent_of(item)!r}, not under {node!r}",
                         f"compare it in `matrices.{framework.parent_of(item)}`; {fix}")
            continue
        kinds = {framework.is_indicator(c) for c in children}
        kind = "item" if len(kinds) > 1 else "indicator" if kinds == {True} else "node"
        hint = near_matches(item, children) or near_matches(
            item, list(framework.indicator_ids) + list(framework.node_ids))
        problems.add(f"{path}.items", f"unknown {kind} {item!r}",
                     (f"did you mean {hint}? " if hint else "") + fix)
    missing = [c for c in children if c not in items]
    if missing:
        ok = False
        problems.add(f"{path}.items", f"the matrix does not cover {', '.join(map(repr, missing))} "
                                      f"(every child of {node!r} must be compared)",
                     f"add {'it' if len(missing) == 1 else 'them'} to `items` and judge "
                     f"{'it' if len(missing) == 1 else 'them'} against the others")
    return items, ok


def _matrix_spec(node: str, raw: Any, framework: Framework | None,
                 problems: _Problems) -> MatrixSpec | None:
    path = f"matrices.{node}"
    if framework is not None and _node_problem(node, framework, path, problems):
        return None
    if not isinstance(raw, Mapping):
        problems.add(path, "must be a mapping with `items` and `judgements`, `matrix` or `experts`")
        return None
    _check_keys(raw, MATRIX_KEYS, path, problems)
    items, items_ok = _items(node, raw.get("items"), framework, path, problems)
    given = [k for k in ("experts", "matrix", "judgements") if k in raw]
    if len(given) != 1:
        problems.add(path, "give exactly one of `experts`, `matrix` or `judgements`"
                           + (f" (found {', '.join(given)})" if given else ""),
                     "one expert: `judgements:` or `matrix:`; several: `experts: [{name, judgements}]`")
        return None
    if given[0] != "experts":
        entries = [(path, {"name": "", given[0]: raw[given[0]]})]
    elif not isinstance(raw["experts"], list) or not raw["experts"]:
        problems.add(f"{path}.experts", "must be a non-empty list",
                     "write `- {name: E1, judgements: {...}}` per expert")
        return None
    else:
        entries = [(f"{path}.experts[{k}]", e) for k, e in enumerate(raw["experts"])]
    experts = [_expert(key, entry, k, items, given[0] == "experts", problems)
               for k, (key, entry) in enumerate(entries)]
    names = [e.name for e in experts if e is not None]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.add(f"{path}.experts", f"expert names repeated: {', '.join(repeated)}",
                     "give each expert their own name (e.g. E1, E2)")
    if items is None or not items_ok or any(e is None for e in experts):
        return None
    return MatrixSpec(node=node, items=items, experts=tuple(experts), key=path)


def _expert(key: str, raw: Any, k: int, items: tuple[str, ...] | None, listed: bool,
            problems: _Problems) -> ExpertJudgements | None:
    if not isinstance(raw, Mapping):
        problems.add(key, "must be a mapping `{name: ..., judgements: {...}}`")
        return None
    _check_keys(raw, EXPERT_KEYS, key, problems)
    name = raw.get("name")
    if isinstance(name, (Mapping, list)):
        problems.add(f"{key}.name", f"{name!r} is not a name", "write e.g. `name: E1`")
        return None
    if name in (None, ""):
        name = f"E{k + 1}" if listed else ""
    weight = raw.get("weight")
    if weight is not None and not _positive_number(weight):
        problems.add(f"{key}.weight", f"{weight!r} is not a positive number",
                     "weights are relative, e.g. 1 and 2; leave them out for equal weights")
        return None
    given = [g for g in ("matrix", "judgements") if g in raw]
    if len(given) != 1:
        problems.add(key, "give exactly one of `matrix` or `judgements`"
                          + (f" (found {', '.join(given)})" if given else ""))
        return None
    if items is None:
        return None
    if given[0] == "matrix":
        matrix = _full_matrix(raw["matrix"], items, f"{key}.matrix", problems)
        return None if matrix is None else ExpertJudgements(str(name), key, weight, matrix=matrix)
    pairs = _pairs(raw["judgements"], items, f"{key}.judgements", problems)
    return None if pairs is None else ExpertJudgements(str(name), key, weight, judgements=pairs)


def _full_matrix(raw: Any, items: tuple[str, ...], path: str,
                 problems: _Problems) -> tuple[tuple[Any, ...], ...] | None:
    n = len(items)
    if (not isinstance(raw, list) or len(raw) != n
            or any(not isinstance(row, list) or len(row) != n for row in raw)):
        problems.add(path, f"must be {n} rows of {n} values, one row and column per item "
                           f"in the order of `items` ({', '.join(items)})",
                     "or write the upper triangle as `judgements: {a: {b: 3}}`")
        return None
    return tuple(tuple(row) for row in raw)


def _pairs(raw: Any, items: tuple[str, ...], path: str,
           problems: _Problems) -> dict[str, dict[str, Any]] | None:
    if not isinstance(raw, Mapping):
        problems.add(path, "must map each item to {other item: judgement}",
                     f"write e.g. `{items[0]}: {{{items[-1]}: 3}}`")
        return None
    out: dict[str, dict[str, Any]] = {}
    ok = True
    for row, columns in raw.items():
        if not _item_key(row, items, f"{path}.{row}", problems):
            ok = False
            continue
        if columns is None:       # a row left empty in a template: nothing judged
            continue
        if not isinstance(columns, Mapping):
            problems.add(f"{path}.{row}", f"must map other items to judgements, got {columns!r}",
                         f"write e.g. `{row}: {{{next(i for i in items if i != row)}: 3}}`"
                         if len(items) > 1 else None)
            ok = False
            continue
        for column in columns:
            if not _item_key(column, items, f"{path}.{row}.{column}", problems):
                ok = False
        out[row] = {c: v for c, v in columns.items() if _is_name(c)}
    return out if ok else None


def _item_key(key: Any, items: tuple[str, ...], path: str, problems: _Problems) -> bool:
    if not _is_name(key):
        problems.add(path, _key_problem(key), "quote the id, e.g. \"no\": {...}")
        return False
    if key not in items:
        hint = near_matches(key, list(items))
        problems.add(path, f"{key!r} is not one of the items of this matrix",
                     (f"did you mean {hint}? " if hint else "") + f"items: {', '.join(items)}")
        return False
    return True

