"""Parsing and validating a framework specification (the YAML file's content).

Collects every problem in the file and reports them together, each with its key path
(e.g. ``indicators[3].direction``) and a fix.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import FrameworkError
from .framework import ID_PATTERN, ROOT, Framework, Group, Indicator, Node
from .names import Name, near_matches
from .targets import Target, parse_targets
from .yamlfile import key_hint

TOP_KEYS = {"id", "name", "version", "description", "reference", "nodes", "indicators",
            "groups", "recipe"}
NODE_KEYS = {"id", "name", "parent", "weight", "description"}
INDICATOR_KEYS = {"id", "name", "parent", "unit", "direction", "goalposts", "transform",
                  "denominator", "weight", "targets", "source", "target_source",
                  "description", "frequency", "aliases"}
FREQUENCIES = ("year", "half", "quarter", "month")
GROUP_KEYS = {"name", "description", "targets"}
DIRECTIONS = ("benefit", "cost", "{optimum: x}", "{range: [a, b]}")


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


def _aliases(raw, path: str, problems) -> tuple[str, ...]:
    """Other headers the indicator's column has in some files or years (``aliases:
    [地区生产总值, GDP（亿元）]``): a list of texts, or one text."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(
            isinstance(a, (str, int, float)) and not isinstance(a, bool) and str(a).strip()
            for a in items):
        problems.add(path, f"{raw!r} is not a list of column names",
                     "write e.g. aliases: [地区生产总值, GDP（亿元）]")
        return ()
    return tuple(str(a).strip() for a in items)


def _check_aliases(indicators, problems) -> None:
    """An alias may name one indicator only, and never another indicator's id or name
    (headers are compared ignoring case, spaces and full-/half-width forms)."""
    from .panel_io import label_key

    owner: dict[str, str] = {}
    for ind in indicators:
        for label in (ind.id, ind.name.zh, ind.name.en):
            if label:
                owner.setdefault(label_key(label), ind.id)
    for k, ind in enumerate(indicators):
        for alias in ind.aliases:
            other = owner.setdefault(label_key(alias), ind.id)
            if other != ind.id:
                problems.add(f"indicators[{k}].aliases",
                             f"{alias!r} already names indicator {other!r}",
                             "give each alias to one indicator only")


def _check_keys(spec: Mapping, allowed: set[str], path: str, problems: _Problems) -> None:
    for key in spec:
        if key not in allowed:
            hint = near_matches(str(key), sorted(allowed))
            problems.add(f"{path}.{key}" if path else str(key), "unknown key",
                         key_hint(key) or (f"did you mean {hint}?" if hint else
                                           f"allowed keys: {', '.join(sorted(allowed))}"))


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


def build_framework(spec: Any, source: str) -> Framework:
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
        if transform == "log" and ((optimum is not None and optimum <= 0)
                                   or (interval is not None and interval[0] <= 0)):
            problems.add(f"{path}.direction", "the log of an optimum or interval bound ≤ 0 "
                         "is undefined", "use positive bounds with transform: log")
        weight = _number(raw["weight"], f"{path}.weight", problems) if "weight" in raw else None
        if weight is not None and weight < 0:
            problems.add(f"{path}.weight", "weights cannot be negative")
        targets = parse_targets(raw.get("targets"), f"{path}.targets", problems.add)
        denominator = raw.get("denominator")
        frequency = str(raw.get("frequency") or "year")
        if frequency not in FREQUENCIES:
            problems.add(f"{path}.frequency", f"unknown frequency {frequency!r}",
                         f"use one of: {', '.join(FREQUENCIES)} (default year)")
            frequency = "year"
        indicators.append(Indicator(
            iid, Name.parse(raw.get("name", iid), f"{path}.name", problems.add, default=iid),
            str(raw.get("parent") or ROOT),
            Name.parse(raw.get("unit") or "", f"{path}.unit", problems.add), direction, optimum,
            interval, goalposts, transform, str(denominator) if denominator else None, weight,
            targets, str(raw.get("source") or ""), str(raw.get("target_source") or ""),
            str(raw.get("description") or ""), frequency,
            _aliases(raw.get("aliases"), f"{path}.aliases", problems)))
    _check_aliases(indicators, problems)

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
    else:  # the framework's own recipe is checked with the file, not at the first run
        from .recipe import Recipe
        from ..errors import RecipeError
        try:
            Recipe.from_dict(recipe)
        except RecipeError as exc:
            problems.add("recipe" + (f".{exc.where.split(': ', 1)[-1]}"
                                     if exc.where and ": " in exc.where else ""),
                         exc.problem, exc.fix)
    problems.raise_if_any()
    return Framework(fid, name, tuple(nodes), tuple(indicators), groups, dict(recipe),
                     str(spec.get("version") or ""), str(spec.get("description") or ""),
                     str(spec.get("reference") or ""), source)


# column names of the output tables and panel keys: an item with one of these ids would
# collide with them (e.g. a dimension called `rank` in rankings.csv)
RESERVED_IDS = {"index", "unit", "year", "group", "score", "rank", "rank_in_group",
                "rank_change", "indicator", "value", "node", "level", "alerts",
                "coordination_D", "coordination_class"}


def _item_id(raw: Mapping, path: str, seen: dict[str, str], problems: _Problems) -> str:
    iid = raw.get("id")
    if not isinstance(iid, str) or not ID_PATTERN.match(iid):
        problems.add(f"{path}.id", f"missing or invalid id {iid!r}",
                     "use letters, digits and _ only, e.g. `tertiary_share`")
        return f"<invalid {path}>"
    if iid in RESERVED_IDS:
        problems.add(f"{path}.id", f"{iid!r} is reserved (a column of the data or the "
                                   "output tables)", f"rename it, e.g. `{iid}_score`")
        return iid
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
