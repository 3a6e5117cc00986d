"""Framework: the indicator tree, read from a YAML file and validated on construction.

The file format is DESIGN.md §4 "Framework file". Every mistake is reported with the file,
the key path (e.g. ``indicators[3].direction``) and how to fix it; all problems found are
reported together, so a user fixes the file in one pass.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import yaml

from ..errors import FrameworkError
from .names import Name, near_matches
from .targets import Target, parse_targets
from .. import resources

ROOT = "index"
ID_PATTERN = re.compile(r"^[A-Za-z0-9_]+$")  # COINr codes (e.g. "LPI") are mixed case

TOP_KEYS = {"id", "name", "version", "description", "reference", "nodes", "indicators",
            "groups", "recipe"}
NODE_KEYS = {"id", "name", "parent", "weight", "description"}
INDICATOR_KEYS = {"id", "name", "parent", "unit", "direction", "goalposts", "transform",
                  "denominator", "weight", "targets", "source", "target_source",
                  "description"}
GROUP_KEYS = {"name", "description", "targets"}
DIRECTIONS = ("benefit", "cost", "{optimum: x}", "{range: [a, b]}")


@dataclass(frozen=True)
class Node:
    """An aggregate of the tree (a dimension or sub-dimension); ``parent`` is ``index`` at
    the top level."""

    id: str
    name: Name
    parent: str
    weight: float | None = None
    description: str = ""


@dataclass(frozen=True)
class Indicator:
    """A leaf of the tree: one data column.

    ``direction`` is ``"benefit"``, ``"cost"``, ``"optimum"`` (with ``optimum``) or
    ``"range"`` (with ``interval``); ``sign`` is +1 for benefit, −1 for cost.
    """

    id: str
    name: Name
    parent: str
    unit: str = ""
    direction: str = "benefit"
    optimum: float | None = None
    interval: tuple[float, float] | None = None
    goalposts: tuple[float, float] | None = None
    transform: str = "none"
    denominator: str | None = None
    weight: float | None = None
    targets: tuple[Target, ...] = ()
    source: str = ""
    target_source: str = ""
    description: str = ""

    @property
    def sign(self) -> int:
        return -1 if self.direction == "cost" else 1


@dataclass(frozen=True)
class Group:
    """A unit group (e.g. a city type) with its own target overrides."""

    id: str
    name: Name
    description: str = ""
    targets: Mapping[str, tuple[Target, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class Framework:
    """The indicator framework: goal ``index`` → nodes → indicators.

    Build it with :func:`load_framework` (from a built-in name or a YAML path) or
    :meth:`from_dict`. It is validated on construction and never changes afterwards.
    """

    id: str
    name: Name
    nodes: tuple[Node, ...]
    indicators: tuple[Indicator, ...]
    groups: Mapping[str, Group] = field(default_factory=dict)
    recipe: Mapping[str, Any] = field(default_factory=dict)
    version: str = ""
    description: str = ""
    reference: str = ""
    source: str | None = None  # the file it was read from

    # -- tree navigation -------------------------------------------------------------
    @property
    def indicator_ids(self) -> tuple[str, ...]:
        return tuple(i.id for i in self.indicators)

    @property
    def node_ids(self) -> tuple[str, ...]:
        return tuple(n.id for n in self.nodes)

    def indicator(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise KeyError(indicator_id)

    def node(self, node_id: str) -> Node:
        for node in self.nodes:
            if node.id == node_id:
                return node
        raise KeyError(node_id)

    def children(self, node_id: str) -> list[str]:
        """Direct children (nodes first, then indicators) in file order."""
        kids = [n.id for n in self.nodes if n.parent == node_id]
        kids += [i.id for i in self.indicators if i.parent == node_id]
        return kids

    def is_indicator(self, item_id: str) -> bool:
        return any(i.id == item_id for i in self.indicators)

    def level(self, item_id: str) -> int:
        """Height above the indicators: indicators 0, their parents 1, ..., root highest."""
        if self.is_indicator(item_id):
            return 0
        return 1 + max(self.level(c) for c in self.children(item_id))

    def depth(self, item_id: str) -> int:
        """Distance from the root: root 0, first-level nodes 1, ..."""
        d = 0
        while item_id != ROOT:
            item_id = self.parent_of(item_id)
            d += 1
        return d

    def parent_of(self, item_id: str) -> str:
        for n in self.nodes:
            if n.id == item_id:
                return n.parent
        return self.indicator(item_id).parent

    @property
    def first_level(self) -> list[str]:
        """The root's children: the dimensions reported beside the composite."""
        return self.children(ROOT)

    def aggregation_order(self) -> list[str]:
        """Every node and the root, children before parents."""
        order = sorted(self.node_ids, key=self.level)
        return order + [ROOT]

    def indicators_under(self, node_id: str) -> list[str]:
        out: list[str] = []
        for c in self.children(node_id):
            out += [c] if self.is_indicator(c) else self.indicators_under(c)
        return out

    def label(self, item_id: str, lang: str = "en") -> str:
        if item_id == ROOT:
            return self.name.get(lang)
        for n in self.nodes:
            if n.id == item_id:
                return n.name.get(lang)
        return self.indicator(item_id).name.get(lang)

    def targets_for(self, indicator_id: str, group: str | None = None) -> tuple[Target, ...]:
        """The indicator's targets, with the group's overrides replacing same-year ones."""
        base = {t.year: t for t in self.indicator(indicator_id).targets}
        if group is not None and group in self.groups:
            for t in self.groups[group].targets.get(indicator_id, ()):
                base[t.year] = t
        return tuple(base[y] for y in sorted(base))

    # -- construction ------------------------------------------------------------------
    @classmethod
    def from_dict(cls, spec: Any, *, source: str | None = None) -> "Framework":
        return _build(spec, source or "<framework>")

    def to_dict(self) -> dict[str, Any]:
        """Back to the file format (for the manifest and for round trips)."""
        def target_map(targets):
            return {t.year: t.to_spec() for t in targets}

        nodes = []
        for n in self.nodes:
            d: dict[str, Any] = {"id": n.id, "name": n.name.to_spec()}
            if n.parent != ROOT:
                d["parent"] = n.parent
            if n.weight is not None:
                d["weight"] = n.weight
            nodes.append(d)
        inds = []
        for i in self.indicators:
            d = {"id": i.id, "name": i.name.to_spec()}
            if i.parent != ROOT:
                d["parent"] = i.parent
            if i.unit:
                d["unit"] = i.unit
            if i.direction in ("benefit", "cost"):
                d["direction"] = i.direction
            elif i.direction == "optimum":
                d["direction"] = {"optimum": i.optimum}
            else:
                d["direction"] = {"range": list(i.interval)}
            for key in ("goalposts",):
                if getattr(i, key) is not None:
                    d[key] = list(getattr(i, key))
            if i.transform != "none":
                d["transform"] = i.transform
            for key in ("denominator", "weight"):
                if getattr(i, key) is not None:
                    d[key] = getattr(i, key)
            if i.targets:
                d["targets"] = target_map(i.targets)
            for key in ("source", "target_source", "description"):
                if getattr(i, key):
                    d[key] = getattr(i, key)
            inds.append(d)
        out: dict[str, Any] = {"id": self.id, "name": self.name.to_spec()}
        if self.version:
            out["version"] = self.version
        if self.description:
            out["description"] = self.description
        out["nodes"] = nodes
        out["indicators"] = inds
        if self.groups:
            out["groups"] = {
                g.id: {"name": g.name.to_spec(),
                       **({"description": g.description} if g.description else {}),
                       **({"targets": {k: target_map(v) for k, v in g.targets.items()}}
                          if g.targets else {})}
                for g in self.groups.values()}
        if self.recipe:
            out["recipe"] = dict(self.recipe)
        return out


# ------------------------------------------------------------------------------------
def list_builtin() -> list[str]:
    """Names of the built-in frameworks shipped in ``indicator_sets/``."""
    return sorted(p.stem for p in resources.indicator_sets_dir().glob("*.yaml"))


def resolve_framework_path(name_or_path: str | Path) -> Path:
    """A built-in name (``resource_city_transition``) or a path to a YAML file."""
    text = str(name_or_path)
    path = Path(text)
    if path.suffix.lower() in (".yaml", ".yml") or path.exists() or "/" in text or "\\" in text:
        return path
    builtin = resources.indicator_sets_dir() / f"{text}.yaml"
    if builtin.exists():
        return builtin
    names = list_builtin()
    hint = near_matches(text, names)
    raise FrameworkError(
        f"no built-in framework called {text!r} and no such file",
        fix=(f"did you mean {hint}? " if hint else "")
        + f"built-in frameworks: {', '.join(names)}; or give a path to a .yaml file")


def load_framework(name_or_path: str | Path) -> Framework:
    """Load and validate a framework from a built-in name or a YAML file path."""
    path = resolve_framework_path(name_or_path)
    spec = read_yaml(path, FrameworkError)
    return _build(spec, str(path))


def read_yaml(path: Path, error_cls=FrameworkError) -> Any:
    """Read a YAML file, turning every I/O or syntax problem into a clear error."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error_cls("file not found", where=str(path),
                        fix="check the path (relative paths start from the current folder)")
    except IsADirectoryError:
        raise error_cls("is a folder, not a file", where=str(path), fix="give the YAML file")
    except PermissionError:
        raise error_cls("cannot be read (permission denied)", where=str(path),
                        fix="check the file's permissions")
    except UnicodeDecodeError as exc:
        raise error_cls(f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        where=str(path), fix="save the YAML file as UTF-8")
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_cls(f"YAML syntax error: {problem}", where=loc,
                        fix="check indentation, colons and quotes on that line")


# ------------------------------------------------------------------------------------
class _Problems:
    """Collects every problem in a file so they are reported at once."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str, fix: str | None = None) -> None:
        text = f"{path}: {message}"
        if fix:
            text += f" — fix: {fix}"
        self.items.append(text)

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            body = "\n  ".join(self.items)
            raise FrameworkError(
                f"{n} problem{'s' if n > 1 else ''} in the framework file:\n  {body}",
                where=self.source)


def _check_keys(spec: Mapping, allowed: set[str], path: str, problems: _Problems) -> None:
    for key in spec:
        if key not in allowed:
            hint = near_matches(str(key), sorted(allowed))
            problems.add(f"{path}.{key}" if path else str(key), "unknown key",
                         f"did you mean {hint}?" if hint else
                         f"allowed keys: {', '.join(sorted(allowed))}")


def _number(value: Any, path: str, problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(path, f"{value!r} is not a number", "write a plain number, e.g. 1 or 0.5")
        return None
    return float(value)


def _parse_direction(value: Any, path: str, problems: _Problems):
    if value in ("benefit", "cost"):
        return value, None, None
    if isinstance(value, str) and value.strip().lower() in ("+", "1", "positive", "正向"):
        return "benefit", None, None
    if isinstance(value, str) and value.strip().lower() in ("-", "-1", "negative", "负向", "逆向"):
        return "cost", None, None
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value in (1, -1):
        return ("benefit" if value == 1 else "cost"), None, None
    if isinstance(value, Mapping) and set(value) == {"optimum"}:
        m = _number(value["optimum"], f"{path}.optimum", problems)
        return "optimum", m, None
    if isinstance(value, Mapping) and set(value) == {"range"}:
        r = value["range"]
        if (isinstance(r, (list, tuple)) and len(r) == 2
                and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in r)):
            if r[0] >= r[1]:
                problems.add(f"{path}.range", f"lower end {r[0]} is not below upper end {r[1]}",
                             "write the interval as [low, high]")
            return "range", None, (float(r[0]), float(r[1]))
        problems.add(f"{path}.range", f"{r!r} is not a pair of numbers", "write e.g. [4, 6]")
        return "range", None, (0.0, 1.0)
    problems.add(path, f"bad direction {value!r}",
                 "use one of: " + ", ".join(DIRECTIONS))
    return "benefit", None, None


def _build(spec: Any, source: str) -> Framework:
    problems = _Problems(source)
    if not isinstance(spec, Mapping):
        raise FrameworkError("the file is empty or not a mapping of keys", where=source,
                             fix="start the file with `id:`, `name:`, `indicators:` "
                                 "(see README, 'Framework files')")
    _check_keys(spec, TOP_KEYS, "", problems)
    fid = spec.get("id")
    if not isinstance(fid, str) or not ID_PATTERN.match(fid or ""):
        problems.add("id", f"missing or invalid framework id {fid!r}",
                     "give a short id of letters, digits and _, e.g. `id: my_index`")
        fid = str(fid)
    name = Name.parse(spec.get("name", fid), "name", problems.add, default=fid)

    seen: dict[str, str] = {ROOT: "the root"}
    nodes: list[Node] = []
    raw_nodes = spec.get("nodes") or []
    if not isinstance(raw_nodes, list):
        problems.add("nodes", "must be a list", "write each node as `- {id: ..., name: ...}`")
        raw_nodes = []
    for k, raw in enumerate(raw_nodes):
        path = f"nodes[{k}]"
        if not isinstance(raw, Mapping):
            problems.add(path, "must be a mapping with at least `id`")
            continue
        _check_keys(raw, NODE_KEYS, path, problems)
        nid = _item_id(raw, path, seen, problems)
        weight = _number(raw["weight"], f"{path}.weight", problems) if "weight" in raw else None
        if weight is not None and weight < 0:
            problems.add(f"{path}.weight", "weights cannot be negative")
        nodes.append(Node(nid, Name.parse(raw.get("name", nid), f"{path}.name", problems.add,
                                          default=nid),
                          str(raw.get("parent") or ROOT), weight,
                          str(raw.get("description") or "")))

    indicators: list[Indicator] = []
    raw_inds = spec.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        problems.add("indicators", "missing or empty",
                     "list the indicators, each `- {id: ..., name: ..., direction: benefit}`")
        raw_inds = []
    for k, raw in enumerate(raw_inds):
        path = f"indicators[{k}]"
        if not isinstance(raw, Mapping):
            problems.add(path, "must be a mapping with at least `id`")
            continue
        _check_keys(raw, INDICATOR_KEYS, path, problems)
        iid = _item_id(raw, path, seen, problems)
        direction, optimum, interval = _parse_direction(raw.get("direction", "benefit"),
                                                        f"{path}.direction", problems)
        goalposts = None
        if raw.get("goalposts") is not None:
            gp = raw["goalposts"]
            if (isinstance(gp, (list, tuple)) and len(gp) == 2
                    and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in gp)):
                goalposts = (float(gp[0]), float(gp[1]))
                if goalposts[0] >= goalposts[1]:
                    problems.add(f"{path}.goalposts",
                                 f"low goalpost {gp[0]} is not below high goalpost {gp[1]}",
                                 "write [low, high]; the direction says which end is good")
            else:
                problems.add(f"{path}.goalposts", f"{gp!r} is not a pair of numbers",
                             "write e.g. [0, 100]")
        transform = str(raw.get("transform") or "none")
        if transform not in ("none", "log"):
            problems.add(f"{path}.transform", f"unknown transform {transform!r}", "use none or log")
        if transform == "log" and goalposts is not None and goalposts[0] <= 0:
            problems.add(f"{path}.goalposts", "the log of a goalpost ≤ 0 is undefined",
                         "use a positive lower goalpost with transform: log")
        weight = _number(raw["weight"], f"{path}.weight", problems) if "weight" in raw else None
        if weight is not None and weight < 0:
            problems.add(f"{path}.weight", "weights cannot be negative")
        targets = parse_targets(raw.get("targets"), f"{path}.targets", problems.add)
        denominator = raw.get("denominator")
        indicators.append(Indicator(
            iid, Name.parse(raw.get("name", iid), f"{path}.name", problems.add, default=iid),
            str(raw.get("parent") or ROOT), str(raw.get("unit") or ""), direction, optimum,
            interval, goalposts, transform, str(denominator) if denominator else None, weight,
            targets, str(raw.get("source") or ""), str(raw.get("target_source") or ""),
            str(raw.get("description") or "")))

    groups: dict[str, Group] = {}
    raw_groups = spec.get("groups") or {}
    if not isinstance(raw_groups, Mapping):
        problems.add("groups", "must be a mapping group id → {name, targets}")
        raw_groups = {}
    ind_ids = [i.id for i in indicators]
    for gid, raw in raw_groups.items():
        path = f"groups.{gid}"
        raw = raw or {}
        if not isinstance(raw, Mapping):
            problems.add(path, "must be a mapping with `name` and optional `targets`")
            continue
        _check_keys(raw, GROUP_KEYS, path, problems)
        gtargets: dict[str, tuple[Target, ...]] = {}
        for ind_id, tspec in (raw.get("targets") or {}).items():
            if ind_id not in ind_ids:
                hint = near_matches(str(ind_id), ind_ids)
                problems.add(f"{path}.targets.{ind_id}", "target for an unknown indicator",
                             f"did you mean {hint}?" if hint else "use an indicator id")
                continue
            gtargets[ind_id] = parse_targets(tspec, f"{path}.targets.{ind_id}", problems.add)
        groups[str(gid)] = Group(str(gid), Name.parse(raw.get("name", gid), f"{path}.name",
                                                      problems.add, default=str(gid)),
                                 str(raw.get("description") or ""), gtargets)

    _check_tree(nodes, indicators, problems)
    recipe = spec.get("recipe") or {}
    if not isinstance(recipe, Mapping):
        problems.add("recipe", "must be a mapping of recipe sections")
        recipe = {}
    problems.raise_if_any()
    return Framework(fid, name, tuple(nodes), tuple(indicators), groups, dict(recipe),
                     str(spec.get("version") or ""), str(spec.get("description") or ""),
                     str(spec.get("reference") or ""), source)


def _item_id(raw: Mapping, path: str, seen: dict[str, str], problems: _Problems) -> str:
    iid = raw.get("id")
    if not isinstance(iid, str) or not ID_PATTERN.match(iid):
        problems.add(f"{path}.id", f"missing or invalid id {iid!r}",
                     "use letters, digits and _ only, e.g. `tertiary_share`")
        return f"<invalid {path}>"
    if iid in seen:
        problems.add(f"{path}.id", f"duplicate id {iid!r} (already used by {seen[iid]})",
                     "give every node and indicator its own id")
    else:
        seen[iid] = path
    return iid


def _check_tree(nodes: list[Node], indicators: list[Indicator], problems: _Problems) -> None:
    node_ids = [n.id for n in nodes]
    parents = {n.id: n.parent for n in nodes}
    for k, n in enumerate(nodes):
        if n.parent != ROOT and n.parent not in parents:
            hint = near_matches(n.parent, node_ids)
            problems.add(f"nodes[{k}].parent", f"unknown parent {n.parent!r}",
                         f"did you mean {hint}?" if hint else "name a node listed under `nodes`")
    ind_ids = {i.id for i in indicators}
    for k, ind in enumerate(indicators):
        if ind.parent != ROOT and ind.parent not in parents:
            hint = near_matches(ind.parent, node_ids)
            extra = " (it is an indicator)" if ind.parent in ind_ids else ""
            problems.add(f"indicators[{k}].parent", f"unknown parent {ind.parent!r}{extra}",
                         f"did you mean {hint}?" if hint else "name a node listed under `nodes`")
    # cycles: follow parents from every node
    reported: set[str] = set()
    for start in node_ids:
        chain = [start]
        cur = parents.get(start)
        while cur is not None and cur != ROOT and cur in parents:
            if cur in chain:
                cycle = chain[chain.index(cur):] + [cur]
                key = min(cycle)
                if key not in reported:
                    reported.add(key)
                    problems.add("nodes", "cycle in the tree: " + " → ".join(cycle),
                                 "every chain of parents must end at the root "
                                 "(a top-level node has no `parent`)")
                break
            chain.append(cur)
            cur = parents.get(cur)
    # every node must hold at least one indicator somewhere below it
    has_ind: dict[str, bool] = {nid: False for nid in node_ids}
    for ind in indicators:
        cur, guard = ind.parent, 0
        while cur in has_ind and not has_ind[cur] and guard <= len(node_ids):
            has_ind[cur] = True
            cur, guard = parents[cur], guard + 1
    for k, n in enumerate(nodes):
        if not has_ind[n.id] and not reported:
            problems.add(f"nodes[{k}]", f"node {n.id!r} has no indicators below it",
                         "add indicators with `parent: " + n.id + "` or remove the node")
