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
from ..i18n import M, suggest

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


class _ListText(list):
    """Problem lines joined one per line, each rendered in the language asked."""

    def __format__(self, spec: str) -> str:
        return "\n  ".join(str(x) for x in self)


class _Problems:
    """Collects every problem in a judgement file so they are reported together."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str, fix: str | None = None) -> None:
        self.items.append(M("problem.line_fix", path=path, message=message, fix=fix) if fix
                          else M("problem.line", path=path, message=message))

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            raise FrameworkError(M("judgements.problems" if n > 1 else "judgements.problem_one",
                                   n=n,
                                   listing=_ListText(self.items)), where=self.source)


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
        if path.exists():   # a folder: one questionnaire per expert; a device: refused later
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
        if candidate.exists() and candidate != builtin:
            return candidate
    shipped = sorted(p.name for p in builtin.glob("*.yaml")) if builtin.is_dir() else []
    tried = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise FrameworkError(M("judgements.judgement_file_not_found", file=str(file), tried=tried),
                         where=str(file),
                         fix=M("inputs.judgement_path.fix", shipped=", ".join(shipped))
                         if shipped else M("inputs.judgement_path.fix_none"))


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
    return (M("inputs.judgement_key_type", value=value, kind=type(value).__name__)
            if value is not None else M("inputs.judgement_key_empty"))


def _check_keys(spec: Mapping, allowed: Sequence[str], path: str, problems: _Problems) -> None:
    for key in spec:
        if key not in allowed:
            hint = near_matches(str(key), list(allowed))
            problems.add(f"{path}.{key}" if path else str(key), M("judgements.problem.unknown_key"),
                         suggest(hint) if hint else M("hint.allowed_keys",
                                                      values=", ".join(allowed)))


def _choice(spec: Mapping, key: str, options: Sequence[str], problems: _Problems) -> str:
    value = spec.get(key, DEFAULTS[key])
    if value not in options:
        hint = near_matches(str(value), list(options))
        problems.add(key, M("judgements.problem.unknown_value", value=value),
                     suggest(hint, M("hint.valid", values=", ".join(options))))
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
        problems.add("max_cr", M("judgements.problem.not_number", max_cr=max_cr), M("judgements.problem.not_number.fix"))
        max_cr = DEFAULTS["max_cr"]
    framework_id = spec.get("framework")
    if framework_id is not None and not _is_name(framework_id):
        problems.add("framework", M("judgements.problem.not_framework_id", framework_id=framework_id),
                     M("judgements.problem.not_framework_id.fix"))
        framework_id = None
    if framework is not None and framework_id is not None and framework_id != framework.id:
        problems.add("framework", M("judgements.problem.file_framework_but_used", framework_id=framework_id, id=framework.id),
                     M("judgements.problem.file_framework_but_used.fix", framework_id=framework_id, id=framework.id))

    raw_matrices = spec.get("matrices")
    matrices: dict[str, MatrixSpec] = {}
    if not isinstance(raw_matrices, Mapping) or not raw_matrices:
        problems.add("matrices", M("judgements.problem.missing_empty_not_mapping"),
                     M("judgements.problem.missing_empty_not_mapping.fix"))
        raw_matrices = {}
    for node, raw in raw_matrices.items():
        if not _is_name(node):
            problems.add(f"matrices.{node}", _key_problem(node), M("judgements.problem.quote_node_id_e"))
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
        problems.add("framework", M("judgements.problem.file_framework_but_used_2", framework_id=judgements.framework_id, id=framework.id),
                     M("judgements.problem.file_framework_but_used_2.fix", framework_id=judgements.framework_id, id=framework.id))
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
        problems.add(path, M("judgements.problem.indicator_has_no_children", node=node),
                     M("judgements.problem.indicator_has_no_children.fix", parent_of=framework.parent_of(node)))
        return True
    hint = near_matches(node, parents)
    problems.add(path, M("judgements.problem.unknown_node", node=node),
                 suggest(hint, M("hint.nodes_of", framework=repr(framework.id),
                                 nodes=", ".join(parents))))
    return True


def _items(node: str, raw: Any, framework: Framework | None, path: str,
           problems: _Problems) -> tuple[tuple[str, ...] | None, bool]:
    """The items as written (None if unreadable) and whether they match the framework."""
    children = framework.children(node) if framework is not None else None
    example = f"items: [{', '.join(children)}]" if children else "items: [a, b, c]"
    if not isinstance(raw, list) or not raw:
        problems.add(f"{path}.items", M("judgements.problem.missing_not_list_items"),
                     M("judgements.problem.missing_not_list_items.fix", example=example))
        return None, False
    bad = [x for x in raw if not _is_name(x)]
    if bad:
        problems.add(f"{path}.items", M("judgements.problem.not_names", items=", ".join(map(repr, bad))),
                     M("judgements.problem.not_names.fix"))
        return None, False
    items = tuple(raw)
    duplicated = sorted({x for x in items if items.count(x) > 1})
    if duplicated:
        problems.add(f"{path}.items", M("judgements.problem.listed_more_than_once", duplicated=', '.join(duplicated)),
                     M("judgements.problem.listed_more_than_once.fix"))
        return None, False
    if children is None:
        return items, True
    ok = True
    for item in items:
        if item in children:
            continue
        ok = False
        fix = M("hint.children_of", node=repr(node), children=", ".join(children))
        if framework.is_indicator(item) or item in framework.node_ids:
            kind = M("word.indicator") if framework.is_indicator(item) else M("word.node")
            problems.add(f"{path}.items", M("judgements.problem.sits_under_not_under", kind=kind, item=item, parent_of=framework.parent_of(item), node=node),
                         M("judgements.problem.sits_under_not_under.fix", parent_of=framework.parent_of(item), fix=fix))
            continue
        kinds = {framework.is_indicator(c) for c in children}
        kind = (M("word.item") if len(kinds) > 1 else M("word.indicator") if kinds == {True}
                else M("word.node"))
        hint = near_matches(item, children) or near_matches(
            item, list(framework.indicator_ids) + list(framework.node_ids))
        problems.add(f"{path}.items", M("judgements.problem.unknown", kind=kind, item=item),
                     suggest(hint, fix))
    missing = [c for c in children if c not in items]
    if missing:
        ok = False
        problems.add(f"{path}.items", M("judgements.problem.matrix_does_not_cover", map=', '.join(map(repr, missing)), node=node),
                     M("judgements.problem.matrix_does_not_cover.fix", value='it' if len(missing) == 1 else 'them'))
    return items, ok


def _matrix_spec(node: str, raw: Any, framework: Framework | None,
                 problems: _Problems) -> MatrixSpec | None:
    path = f"matrices.{node}"
    if framework is not None and _node_problem(node, framework, path, problems):
        return None
    if not isinstance(raw, Mapping):
        problems.add(path, M("judgements.problem.must_mapping_with_items"))
        return None
    _check_keys(raw, MATRIX_KEYS, path, problems)
    items, items_ok = _items(node, raw.get("items"), framework, path, problems)
    given = [k for k in ("experts", "matrix", "judgements") if k in raw]
    if len(given) != 1:
        problems.add(path, M("inputs.judgement_one_of_3", found=", ".join(given)) if given
                     else M("inputs.judgement_one_of_3_none"),
                     M("judgements.problem.one_expert_judgements_matrix"))
        return None
    if given[0] != "experts":
        entries = [(path, {"name": "", given[0]: raw[given[0]]})]
    elif not isinstance(raw["experts"], list) or not raw["experts"]:
        problems.add(f"{path}.experts", M("judgements.problem.must_non_empty_list"),
                     M("judgements.problem.must_non_empty_list.fix"))
        return None
    else:
        entries = [(f"{path}.experts[{k}]", e) for k, e in enumerate(raw["experts"])]
    experts = [_expert(key, entry, k, items, given[0] == "experts", problems)
               for k, (key, entry) in enumerate(entries)]
    names = [e.name for e in experts if e is not None]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        problems.add(f"{path}.experts", M("judgements.problem.expert_names_repeated", repeated=', '.join(repeated)),
                     M("judgements.problem.expert_names_repeated.fix"))
    if items is None or not items_ok or any(e is None for e in experts):
        return None
    return MatrixSpec(node=node, items=items, experts=tuple(experts), key=path)


def _expert(key: str, raw: Any, k: int, items: tuple[str, ...] | None, listed: bool,
            problems: _Problems) -> ExpertJudgements | None:
    if not isinstance(raw, Mapping):
        problems.add(key, M("judgements.problem.must_mapping"))
        return None
    _check_keys(raw, EXPERT_KEYS, key, problems)
    name = raw.get("name")
    if isinstance(name, (Mapping, list)):
        problems.add(f"{key}.name", M("judgements.problem.not_name", name=name), M("judgements.problem.not_name.fix"))
        return None
    if name in (None, ""):
        name = f"E{k + 1}" if listed else ""
    weight = raw.get("weight")
    if weight is not None and not _positive_number(weight):
        problems.add(f"{key}.weight", M("judgements.problem.not_positive_number", weight=weight),
                     M("judgements.problem.not_positive_number.fix"))
        return None
    given = [g for g in ("matrix", "judgements") if g in raw]
    if len(given) != 1:
        problems.add(key, M("inputs.judgement_one_of_2", found=", ".join(given)) if given
                     else M("inputs.judgement_one_of_2_none"))
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
        problems.add(path, M("judgements.problem.must_rows_values_one", n=n, items=', '.join(items)),
                     M("judgements.problem.must_rows_values_one.fix"))
        return None
    return tuple(tuple(row) for row in raw)


def _pairs(raw: Any, items: tuple[str, ...], path: str,
           problems: _Problems) -> dict[str, dict[str, Any]] | None:
    if not isinstance(raw, Mapping):
        problems.add(path, M("judgements.problem.must_map_each_item"),
                     M("judgements.problem.must_map_each_item.fix", items=items[0], items2=items[-1]))
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
            problems.add(f"{path}.{row}", M("judgements.problem.must_map_other_items", columns=columns),
                         M("hint.write_eg", example=f"`{row}: {{{next(i for i in items if i != row)}: 3}}`")
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
        problems.add(path, _key_problem(key), M("judgements.problem.quote_id_e_g"))
        return False
    if key not in items:
        hint = near_matches(key, list(items))
        problems.add(path, M("judgements.problem.not_one_items_this", key_=key),
                     suggest(hint, M("hint.items", values=", ".join(items))))
        return False
    return True

