"""Parsing and validating a framework specification (the YAML file's content).

Collects every problem in the file and reports them together, each with its key path
(e.g. ``indicators[3].direction``) and a fix. Limits, far beyond real frameworks (tens to
hundreds of indicators, three or four levels): at most :data:`MAX_ITEMS` indicators and as
many nodes, a tree at most :data:`MAX_TREE_DEPTH` levels deep (checked before anything
walks the tree recursively).

An indicator without ``direction`` is a benefit indicator (higher is better), as the
README says; the framework then carries one warning naming every such indicator
(:attr:`Framework.warnings`: shown by ``validate`` and ``score``, kept in the manifest).
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import FrameworkError
from ..i18n import Listing, M
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
MAX_ITEMS = 10_000        # indicators, and nodes
MAX_TREE_DEPTH = 32       # levels from the root to the deepest indicator


class _Problems:
    """Collects every problem in a file so they are reported at once."""

    def __init__(self, source: str):
        self.source = source
        self.items: list[str] = []

    def add(self, path: str, message: str, fix: str | None = None) -> None:
        self.items.append(M("problem.line_fix", path=path, message=message, fix=fix) if fix
                          else M("problem.line", path=path, message=message))

    def raise_if_any(self) -> None:
        if self.items:
            n = len(self.items)
            raise FrameworkError(M("fwspec.problems" if n > 1 else "fwspec.problem_one",
                                   n=n, listing=Listing(self.items)), where=self.source)


def _aliases(raw, path: str, problems) -> tuple[str, ...]:
    """Other headers the indicator's column has in some files or years (``aliases:
    [地区生产总值, GDP（亿元）]``): a list of texts, or one text."""
    if raw is None:
        return ()
    items = [raw] if isinstance(raw, str) else raw
    if not isinstance(items, (list, tuple)) or not all(
            isinstance(a, (str, int, float)) and not isinstance(a, bool) and str(a).strip()
            for a in items):
        problems.add(path, M("fwspec.aliases_not_list", value=raw),
                     M("fwspec.aliases_not_list.fix"))
        return ()
    return tuple(str(a).strip() for a in items)


def _check_aliases(indicators, problems) -> None:
    """An alias may name one indicator only, and never another indicator's id or name
    (headers are compared ignoring case, spaces and full-/half-width forms)."""
    from .labels import label_key

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
                             M("fwspec.alias_taken", alias=alias, other=other),
                             M("fwspec.alias_taken.fix"))


def _check_keys(spec: Mapping, allowed: set[str], path: str, problems: _Problems) -> None:
    for key in spec:
        if key not in allowed:
            hint = near_matches(str(key), sorted(allowed))
            problems.add(f"{path}.{key}" if path else str(key), M("fwspec.unknown_key"),
                         key_hint(key) or (M("fwspec.did_you_mean", hint=hint) if hint else
                                           M("fwspec.allowed_keys",
                                             keys=Listing(sorted(allowed)))))


def _number(value: Any, path: str, problems: _Problems) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        problems.add(path, M("fwspec.not_number", value=value), M("fwspec.not_number.fix"))
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
                problems.add(f"{path}.range", M("fwspec.range_order", low=r[0], high=r[1]),
                             M("fwspec.range_order.fix"))
            return "range", None, (float(r[0]), float(r[1]))
        problems.add(f"{path}.range", M("fwspec.not_pair", value=r),
                     M("fwspec.not_pair.fix", example="[4, 6]"))
        return "range", None, (0.0, 1.0)
    problems.add(path, M("fwspec.bad_direction", value=value),
                 M("fwspec.use_one_of", choices=Listing(DIRECTIONS)))
    return "benefit", None, None


def build_framework(spec: Any, source: str) -> Framework:
    problems = _Problems(source)
    if not isinstance(spec, Mapping):
        raise FrameworkError(M("fwspec.not_mapping"), where=source,
                             fix=M("fwspec.not_mapping.fix"))
    _check_keys(spec, TOP_KEYS, "", problems)
    fid = spec.get("id")
    if not isinstance(fid, str) or not ID_PATTERN.match(fid or ""):
        problems.add("id", M("fwspec.bad_framework_id", value=fid),
                     M("fwspec.bad_framework_id.fix"))
        fid = str(fid)
    name = Name.parse(spec.get("name", fid), "name", problems.add, default=fid)

    seen: dict[str, str] = {ROOT: M("fwspec.the_root")}
    nodes: list[Node] = []
    raw_nodes = spec.get("nodes") or []
    if not isinstance(raw_nodes, list):
        problems.add("nodes", M("fwspec.nodes_not_list"), M("fwspec.nodes_not_list.fix"))
        raw_nodes = []
    _check_count(raw_nodes, "nodes", source)
    for k, raw in enumerate(raw_nodes):
        path = f"nodes[{k}]"
        if not isinstance(raw, Mapping):
            problems.add(path, M("fwspec.item_not_mapping"))
            continue
        _check_keys(raw, NODE_KEYS, path, problems)
        nid = _item_id(raw, path, seen, problems)
        weight = _number(raw["weight"], f"{path}.weight", problems) if "weight" in raw else None
        if weight is not None and weight < 0:
            problems.add(f"{path}.weight", M("fwspec.negative_weight"))
        nodes.append(Node(nid, Name.parse(raw.get("name", nid), f"{path}.name", problems.add,
                                          default=nid),
                          str(raw.get("parent") or ROOT), weight,
                          str(raw.get("description") or "")))

    indicators: list[Indicator] = []
    raw_inds = spec.get("indicators")
    if not isinstance(raw_inds, list) or not raw_inds:
        problems.add("indicators", M("fwspec.no_indicators"), M("fwspec.no_indicators.fix"))
        raw_inds = []
    _check_count(raw_inds, "indicators", source)
    undirected: list[str] = []
    for k, raw in enumerate(raw_inds):
        path = f"indicators[{k}]"
        if not isinstance(raw, Mapping):
            problems.add(path, M("fwspec.item_not_mapping"))
            continue
        _check_keys(raw, INDICATOR_KEYS, path, problems)
        iid = _item_id(raw, path, seen, problems)
        if "direction" not in raw:
            undirected.append(iid)
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
                                 M("fwspec.goalposts_order", low=gp[0], high=gp[1]),
                                 M("fwspec.goalposts_order.fix"))
            else:
                problems.add(f"{path}.goalposts", M("fwspec.not_pair", value=gp),
                             M("fwspec.not_pair.fix", example="[0, 100]"))
        transform = str(raw.get("transform") or "none")
        if transform not in ("none", "log"):
            problems.add(f"{path}.transform", M("fwspec.unknown_transform", value=transform),
                         M("fwspec.unknown_transform.fix"))
        if transform == "log" and goalposts is not None and goalposts[0] <= 0:
            problems.add(f"{path}.goalposts", M("fwspec.log_goalpost"),
                         M("fwspec.log_goalpost.fix"))
        if transform == "log" and ((optimum is not None and optimum <= 0)
                                   or (interval is not None and interval[0] <= 0)):
            problems.add(f"{path}.direction", M("fwspec.log_bound"), M("fwspec.log_bound.fix"))
        weight = _number(raw["weight"], f"{path}.weight", problems) if "weight" in raw else None
        if weight is not None and weight < 0:
            problems.add(f"{path}.weight", M("fwspec.negative_weight"))
        targets = parse_targets(raw.get("targets"), f"{path}.targets", problems.add)
        denominator = raw.get("denominator")
        frequency = str(raw.get("frequency") or "year")
        if frequency not in FREQUENCIES:
            problems.add(f"{path}.frequency", M("fwspec.unknown_frequency", value=frequency),
                         M("fwspec.unknown_frequency.fix", choices=Listing(FREQUENCIES)))
            frequency = "year"
        indicators.append(Indicator(
            iid, Name.parse(raw.get("name", iid), f"{path}.name", problems.add, default=iid),
            str(raw.get("parent") or ROOT),
            Name.parse(raw.get("unit") or "", f"{path}.unit", problems.add), direction, optimum,
            interval, goalposts, transform, str(denominator) if denominator else None, weight,
            targets, str(raw.get("source") or ""),
            Name.parse(raw.get("target_source") or "", f"{path}.target_source", problems.add),
            str(raw.get("description") or ""), frequency,
            _aliases(raw.get("aliases"), f"{path}.aliases", problems)))
    _check_aliases(indicators, problems)

    groups: dict[str, Group] = {}
    raw_groups = spec.get("groups") or {}
    if not isinstance(raw_groups, Mapping):
        problems.add("groups", M("fwspec.groups_not_mapping"))
        raw_groups = {}
    ind_ids = [i.id for i in indicators]
    for gid, raw in raw_groups.items():
        path = f"groups.{gid}"
        raw = raw or {}
        if not isinstance(raw, Mapping):
            problems.add(path, M("fwspec.group_not_mapping"))
            continue
        _check_keys(raw, GROUP_KEYS, path, problems)
        gtargets: dict[str, tuple[Target, ...]] = {}
        for ind_id, tspec in (raw.get("targets") or {}).items():
            if ind_id not in ind_ids:
                hint = near_matches(str(ind_id), ind_ids)
                problems.add(f"{path}.targets.{ind_id}", M("fwspec.target_unknown_indicator"),
                             M("fwspec.did_you_mean", hint=hint) if hint
                             else M("fwspec.use_indicator_id"))
                continue
            gtargets[ind_id] = parse_targets(tspec, f"{path}.targets.{ind_id}", problems.add)
        groups[str(gid)] = Group(str(gid), Name.parse(raw.get("name", gid), f"{path}.name",
                                                      problems.add, default=str(gid)),
                                 str(raw.get("description") or ""), gtargets)

    _check_tree(nodes, indicators, problems)
    _check_depth(nodes, indicators, problems)
    recipe = spec.get("recipe") or {}
    if not isinstance(recipe, Mapping):
        problems.add("recipe", M("fwspec.recipe_not_mapping"))
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
    shown = Listing(undirected[:10] + (["…"] if len(undirected) > 10 else []))
    warnings = (M("fwspec.direction_default", n=len(undirected), ids=shown),) \
        if undirected else ()
    return Framework(fid, name, tuple(nodes), tuple(indicators), groups, dict(recipe),
                     str(spec.get("version") or ""), str(spec.get("description") or ""),
                     str(spec.get("reference") or ""), source, warnings)


def _check_count(items: list, key: str, source: str) -> None:
    """More than :data:`MAX_ITEMS` nodes or indicators: refused before reading them."""
    if len(items) > MAX_ITEMS:
        raise FrameworkError(M("fwspec.too_many", key=key, n=f"{len(items):,}",
                               limit=f"{MAX_ITEMS:,}"), where=M("fwspec.where_key", file=source,
                                                                key=key),
                             fix=M("fwspec.too_many.fix"))


def _check_depth(nodes: list[Node], indicators: list[Indicator], problems: _Problems) -> None:
    """The tree at most :data:`MAX_TREE_DEPTH` levels deep (root → deepest indicator),
    measured without recursion (a cycle is reported by :func:`_check_tree`)."""
    parents = {n.id: n.parent for n in nodes}
    depth: dict[str, int] = {ROOT: 0}

    def depth_of(item: str) -> int:
        chain, cur = [], item
        while cur not in depth and cur in parents and len(chain) <= MAX_TREE_DEPTH + 1:
            chain.append(cur)
            cur = parents[cur]
        base = depth.get(cur, 0)
        for k, above in enumerate(reversed(chain), start=1):
            depth[above] = base + k
        return depth.get(item, base + len(chain))

    for k, ind in enumerate(indicators):
        levels = depth_of(ind.parent) + 1
        if levels > MAX_TREE_DEPTH:
            problems.add(f"indicators[{k}].parent",
                         M("fwspec.too_deep", id=ind.id, limit=MAX_TREE_DEPTH),
                         M("fwspec.too_deep.fix"))
            return


# column names of the output tables and panel keys: an item with one of these ids would
# collide with them (e.g. a dimension called `rank` in rankings.csv)
RESERVED_IDS = {"index", "unit", "year", "group", "score", "rank", "rank_in_group",
                "rank_change", "indicator", "value", "node", "level", "alerts",
                "coordination_D", "coordination_class"}


def _item_id(raw: Mapping, path: str, seen: dict[str, str], problems: _Problems) -> str:
    iid = raw.get("id")
    if not isinstance(iid, str) or not ID_PATTERN.match(iid):
        problems.add(f"{path}.id", M("fwspec.bad_id", value=iid), M("fwspec.bad_id.fix"))
        return f"<invalid {path}>"
    if iid in RESERVED_IDS:
        problems.add(f"{path}.id", M("fwspec.reserved_id", value=iid),
                     M("fwspec.reserved_id.fix", value=iid))
        return iid
    if iid in seen:
        problems.add(f"{path}.id", M("fwspec.duplicate_id", value=iid, other=seen[iid]),
                     M("fwspec.duplicate_id.fix"))
    else:
        seen[iid] = path
    return iid


def _check_tree(nodes: list[Node], indicators: list[Indicator], problems: _Problems) -> None:
    node_ids = [n.id for n in nodes]
    parents = {n.id: n.parent for n in nodes}
    for k, n in enumerate(nodes):
        if n.parent != ROOT and n.parent not in parents:
            hint = near_matches(n.parent, node_ids)
            problems.add(f"nodes[{k}].parent", M("fwspec.unknown_parent", value=n.parent),
                         M("fwspec.did_you_mean", hint=hint) if hint
                         else M("fwspec.unknown_parent.fix"))
    ind_ids = {i.id for i in indicators}
    for k, ind in enumerate(indicators):
        if ind.parent != ROOT and ind.parent not in parents:
            hint = near_matches(ind.parent, node_ids)
            problems.add(f"indicators[{k}].parent",
                         M("fwspec.parent_is_indicator" if ind.parent in ind_ids
                           else "fwspec.unknown_parent", value=ind.parent),
                         M("fwspec.did_you_mean", hint=hint) if hint
                         else M("fwspec.unknown_parent.fix"))
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
                    problems.add("nodes", M("fwspec.cycle", cycle=" → ".join(cycle)),
                                 M("fwspec.cycle.fix"))
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
            problems.add(f"nodes[{k}]", M("fwspec.empty_node", value=n.id),
                         M("fwspec.empty_node.fix", id=n.id))
