"""The built-in frameworks: well-formed per DESIGN.md §4 and carrying the policy study's targets.

The structural checks here are written independently of evaluator.model (they read the
YAML with yaml.safe_load only). The study's targets are checked against the text of the
policy study (shared/context/policy_study.txt, §1.3, §5.1, §5.2, §6.1) and the PM2.5 limit
against GB 3095-2012 (grade II annual mean 35 μg/m³). hdi.yaml is checked against UNDP's
published HDI 2022 values (HDR 2023/24), recomputed from the UNDP inputs with nothing but
the goalposts, transform and aggregation the YAML declares.
"""
from __future__ import annotations

import math
import os
import re
from numbers import Real
from pathlib import Path

import pandas as pd
import pytest
import yaml

SETS = Path(__file__).resolve().parent.parent / "indicator_sets"
TOP_KEYS = {"id", "name", "version", "description", "reference", "nodes", "indicators", "groups", "recipe"}
NODE_KEYS = {"id", "name", "parent", "weight", "description"}
INDICATOR_KEYS = {
    "id", "name", "parent", "unit", "direction", "goalposts", "transform", "denominator",
    "weight", "targets", "source", "target_source", "description",
}
GROUP_KEYS = {"name", "description", "targets"}
RECIPE_KEYS = {"denominate", "impute", "screen", "treat", "normalise", "weights", "aggregate", "rank"}
ID_PATTERN = re.compile(r"^[a-z0-9_]+$")
EXPECTED_COUNTS = {"resource_city_transition": 30, "policy_effect": 20, "hdi": 4}


def load(name: str) -> dict:
    with open(SETS / f"{name}.yaml", encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def indicators_by_id(framework: dict) -> dict[str, dict]:
    return {ind["id"]: ind for ind in framework["indicators"]}


def is_number(value) -> bool:
    return isinstance(value, Real) and not isinstance(value, bool) and math.isfinite(value)


def assert_bilingual(name, where: str) -> None:
    assert isinstance(name, dict) and set(name) == {"zh", "en"}, f"{where}: name needs zh and en"
    assert all(isinstance(v, str) and v.strip() for v in name.values()), f"{where}: empty name"
    assert re.search(r"[\u4e00-\u9fff]", name["zh"]), f"{where}: zh name has no Chinese"


def assert_valid_direction(direction, where: str) -> None:
    if direction in ("benefit", "cost"):
        return
    assert isinstance(direction, dict) and len(direction) == 1, f"{where}: bad direction {direction!r}"
    (kind, value), = direction.items()
    if kind == "optimum":
        assert is_number(value), where
    else:
        assert kind == "range" and len(value) == 2 and all(map(is_number, value)), where
        assert value[0] < value[1], where


def assert_valid_target_value(value, where: str) -> None:
    if isinstance(value, dict):
        assert set(value) == {"change", "from"}, f"{where}: relative target needs change and from"
        assert is_number(value["change"]) and value["change"] > -1, where
        assert isinstance(value["from"], int) and not isinstance(value["from"], bool), where
    else:
        assert is_number(value), f"{where}: target {value!r} is not a number"


def assert_valid_targets(targets, where: str) -> None:
    assert isinstance(targets, dict), where
    for year, value in targets.items():
        assert isinstance(year, int) and not isinstance(year, bool), f"{where}: year {year!r} is not an int"
        assert 2000 <= year <= 2100, f"{where}: implausible year {year}"
        assert_valid_target_value(value, f"{where}, {year}")
        if isinstance(value, dict):
            assert value["from"] < year, f"{where}: base year after target year"


@pytest.fixture(params=sorted(EXPECTED_COUNTS))
def framework(request) -> dict:
    return load(request.param)


# ---------------------------------------------------------------- format (DESIGN.md §4)
def test_top_level_keys_and_identity(framework):
    assert set(framework) == TOP_KEYS
    assert ID_PATTERN.match(framework["id"])
    assert (SETS / f"{framework['id']}.yaml").is_file(), "file name must be the framework id"
    assert_bilingual(framework["name"], framework["id"])
    assert isinstance(framework["version"], str) and framework["version"]
    assert framework["description"].strip() and framework["reference"].strip()


def test_indicator_count_and_unique_ids(framework):
    ids = [ind["id"] for ind in framework["indicators"]]
    assert len(ids) == EXPECTED_COUNTS[framework["id"]]
    node_ids = [node["id"] for node in framework["nodes"]]
    everything = ids + node_ids
    assert len(set(everything)) == len(everything), "ids must be unique over nodes and indicators"
    assert "index" not in everything, "'index' is the reserved name of the root"
    assert all(ID_PATTERN.match(i) for i in everything)


def test_nodes_and_parents(framework):
    nodes = {node["id"]: node for node in framework["nodes"]}
    for node in framework["nodes"]:
        assert set(node) <= NODE_KEYS and {"id", "name", "description"} <= set(node)
        assert_bilingual(node["name"], node["id"])
        assert node.get("parent") is None or node["parent"] in nodes
        if "weight" in node:
            assert is_number(node["weight"]) and node["weight"] > 0
    for node_id in nodes:   # walking up from every node must reach the root without a cycle
        seen, current = set(), node_id
        while current is not None:
            assert current not in seen, f"cycle through node {current}"
            seen.add(current)
            current = nodes[current].get("parent")
    for ind in framework["indicators"]:
        assert ind["parent"] in nodes, f"indicator {ind['id']}: unknown parent {ind['parent']}"
    leaves = {ind["parent"] for ind in framework["indicators"]}
    parents = {node.get("parent") for node in framework["nodes"]}
    assert all(node_id in leaves or node_id in parents for node_id in nodes), "a node with no children"


def test_indicator_fields(framework):
    for ind in framework["indicators"]:
        where = f"{framework['id']}: {ind['id']}"
        assert set(ind) <= INDICATOR_KEYS, f"{where}: unknown keys {set(ind) - INDICATOR_KEYS}"
        for key in ("id", "name", "parent", "unit", "direction", "source", "description"):
            assert key in ind, f"{where}: missing {key}"
        assert_bilingual(ind["name"], where)
        unit = ind["unit"]   # a plain string, or {zh, en} when the languages differ
        assert (isinstance(unit, str) and unit.strip()) or (
            isinstance(unit, dict) and set(unit) == {"zh", "en"} and all(unit.values())), where
        assert_valid_direction(ind["direction"], where)
        assert ind.get("transform", "none") in ("none", "log"), where
        if "goalposts" in ind:
            lo, hi = ind["goalposts"]
            assert is_number(lo) and is_number(hi) and lo < hi, where
            if ind.get("transform") == "log":
                assert lo > 0, f"{where}: log transform needs positive goalposts"
        if "weight" in ind:
            assert is_number(ind["weight"]) and ind["weight"] > 0, where
        if "targets" in ind:
            assert_valid_targets(ind["targets"], where)
            cited = ind.get("target_source")
            assert isinstance(cited, dict) and set(cited) == {"zh", "en"} and all(
                v.strip() for v in cited.values()), f"{where}: a target needs its target_source (zh and en)"
            assert not any("\u4e00" <= c <= "\u9fff" for c in cited["en"]), where
        else:
            assert "target_source" not in ind, f"{where}: target_source without targets"


def test_cost_indicators_have_falling_relative_targets(framework):
    for ind in framework["indicators"]:
        for value in ind.get("targets", {}).values():
            if isinstance(value, dict):
                assert (value["change"] < 0) == (ind["direction"] == "cost"), ind["id"]


def test_groups_name_known_indicators(framework):
    known = indicators_by_id(framework)
    assert isinstance(framework["groups"], dict)
    for group_id, group in framework["groups"].items():
        assert ID_PATTERN.match(group_id)
        assert set(group) <= GROUP_KEYS and {"name", "description"} <= set(group)
        assert_bilingual(group["name"], group_id)
        assert group["description"].strip()
        for indicator_id, targets in (group.get("targets") or {}).items():
            assert indicator_id in known, f"group {group_id}: unknown indicator {indicator_id}"
            assert_valid_targets(targets, f"group {group_id}, {indicator_id}")


def test_recipe_keys(framework):
    assert set(framework["recipe"]) <= RECIPE_KEYS


def test_denominators_are_panel_columns():
    rct = load("resource_city_transition")
    denominated = [ind for ind in rct["indicators"] if "denominator" in ind]
    assert [(ind["id"], ind["denominator"]) for ind in denominated] == [("licensed_doctors", "population")]
    assert "goalposts" not in denominated[0], "goalposts of a count divided by population are ambiguous"
    assert "1,000" in denominated[0]["unit"]["en"]


# ---------------------------------------------------------------- resource_city_transition
def test_transition_framework_tree():
    rct = load("resource_city_transition")
    assert rct["name"] == {"zh": "资源型城市转型评价", "en": "Resource-based city transition"}
    assert [(n["id"], n["name"]["zh"], n["name"]["en"]) for n in rct["nodes"]] == [
        ("structural", "产业高级化", "Structural upgrading"),
        ("ecological", "生态绿色化", "Ecological greening"),
        ("livelihood", "民生普惠化", "Livelihood"),
    ]
    per_node = pd.Series([ind["parent"] for ind in rct["indicators"]]).value_counts().to_dict()
    assert per_node == {"structural": 10, "ecological": 10, "livelihood": 10}


REQUIRED_DIRECTIONS = {
    "non_resource_share": "benefit", "mining_share": "cost", "tertiary_share": "benefit",
    "strategic_emerging_share": "benefit", "rd_intensity": "benefit", "labour_productivity": "benefit",
    "gdp_per_capita_rel": "benefit", "fiscal_self_sufficiency": "benefit",
    "traditional_industry_share": "cost", "energy_intensity": "cost", "co2_intensity": "cost",
    "pm25": "cost", "good_air_days_share": "benefit", "mine_reclamation_rate": "benefit",
    "solid_waste_utilisation": "benefit", "green_coverage": "benefit",
    "non_fossil_power_share": "benefit", "sewage_treatment_rate": "benefit",
    "water_use_intensity": "cost", "urban_income_rel": "benefit", "urban_rural_income_ratio": "cost",
    "unemployment_rate": "cost", "licensed_doctors": "benefit", "hospital_beds_per_1000": "benefit",
    "pension_coverage": "benefit", "education_spending_share": "benefit",
    "medical_resource_coverage": "benefit", "education_resource_coverage": "benefit",
}


def test_transition_framework_has_the_required_indicators():
    known = indicators_by_id(load("resource_city_transition"))
    for indicator_id, direction in REQUIRED_DIRECTIONS.items():
        assert known[indicator_id]["direction"] == direction, indicator_id
    assert known["labour_productivity"]["transform"] == "log"
    shares = [i for i in known.values() if i["unit"] == "%"]
    assert len(shares) >= 15 and all(i["goalposts"] == [0, 100] for i in shares)


# (indicator, targets, section of the policy study or standard the target_source must cite)
STUDY_TARGETS = [
    ("non_resource_share", {2025: 48, 2035: 50}, ["§5.1", "§6.1"]),
    ("strategic_emerging_share", {2035: 35}, ["§6.1"]),
    ("traditional_industry_share", {2030: 30}, ["§1.3"]),
    ("mine_reclamation_rate", {2035: 70}, ["§6.1"]),
    ("rd_intensity", {2035: 2.5}, ["§6.1"]),
    ("energy_intensity", {2035: {"change": -0.25, "from": 2025}}, ["§6.1"]),
    ("gdp_per_capita_rel", {2035: 100}, ["§1.3"]),
    ("urban_income_rel", {2035: 100}, ["§6.1"]),
    ("medical_resource_coverage", {2035: 90}, ["§6.1"]),
    ("education_resource_coverage", {2035: 90}, ["§6.1"]),
    ("pm25", {2035: 35}, ["GB 3095-2012"]),
]


@pytest.mark.parametrize("indicator_id, targets, cited", STUDY_TARGETS)
def test_transition_framework_carries_the_study_targets(indicator_id, targets, cited):
    indicator = indicators_by_id(load("resource_city_transition"))[indicator_id]
    assert indicator["targets"] == targets
    assert all(citation in indicator["target_source"][lang] for citation in cited
               for lang in ("zh", "en"))


def test_study_targets_appear_in_the_study_text():
    """Each number taken from the study is in the study (traditional script, as supplied)."""
    study_path = Path(__file__).resolve().parents[2] / "shared" / "context" / "policy_study.txt"
    if not study_path.is_file():
        (pytest.fail if os.environ.get("CI") else pytest.skip)(
            f"policy study not found at {study_path} (CI lays shared/ beside the clone)")
    text = study_path.read_text(encoding="utf-8")
    for phrase in ["非煤產", "占比提升至48%", "達到50%以上", "突破35%", "降至30%以下", "下降25%",
                   "提升至70%", "不低于2.5%", "提升至90%以上", "人均GDP達到全國平均水平"]:
        assert re.sub(r"\([a-zǎǐǒǔàèìòùāēīōūáéíóúü]+\)", "", text).find(phrase) >= 0, phrase


def test_transition_groups_follow_the_study_differentiation():
    rct = load("resource_city_transition")
    groups = rct["groups"]
    assert {g: v["name"]["zh"] for g, v in groups.items()} == {
        "growing": "成长型", "mature": "成熟型", "declining": "衰退型", "regenerating": "再生型"}
    known = indicators_by_id(rct)
    # resource-exhausted cities: stricter (lower) unemployment ceiling, higher/earlier pension coverage
    default_unemployment = known["unemployment_rate"]["targets"][2035]
    assert groups["declining"]["targets"]["unemployment_rate"][2035] < default_unemployment
    default_pension = known["pension_coverage"]["targets"]
    declining_pension = groups["declining"]["targets"]["pension_coverage"]
    assert min(declining_pension) < min(default_pension)
    assert max(declining_pension.values()) > max(default_pension.values())
    # resource-rich cities: steeper energy-intensity cut and a mining-share ceiling
    default_cut = known["energy_intensity"]["targets"][2035]["change"]
    for group_id in ("growing", "mature"):
        targets = groups[group_id]["targets"]
        assert targets["energy_intensity"][2035]["change"] < default_cut
        assert "mining_share" in targets
    assert groups["mature"]["targets"]["mining_share"][2035] < groups["growing"]["targets"]["mining_share"][2035]
    for group in groups.values():
        assert "§6.1" in group["description"] or "not differentiate" in group["description"]


def test_transition_default_recipe():
    assert load("resource_city_transition")["recipe"] == {
        "impute": {"method": "linear"},
        "treat": {"method": "winsorise"},
        "normalise": {"method": "min_max", "range": [0, 100], "scope": "pooled"},
        "weights": {"indicators": "entropy", "nodes": "equal"},
        "aggregate": {"method": "weighted_sum"},
    }


# ---------------------------------------------------------------- policy_effect
def test_policy_effect_dimensions_follow_section_4_3():
    pe = load("policy_effect")
    assert [n["name"]["zh"] for n in pe["nodes"]] == ["产业结构优化度", "生态环境改善度", "民生保障水平"]
    assert [n["id"] for n in pe["nodes"]] == ["structure_optimisation", "ecology_improvement", "livelihood_security"]
    assert "§4.3" in pe["description"] and "20" in pe["description"]
    per_node = pd.Series([ind["parent"] for ind in pe["indicators"]]).value_counts()
    assert per_node.min() >= 6


def test_shared_ids_mean_the_same_statistic():
    rct, pe = indicators_by_id(load("resource_city_transition")), indicators_by_id(load("policy_effect"))
    shared = set(rct) & set(pe)
    assert len(shared) >= 15
    for indicator_id in shared:
        for key in ("name", "unit", "direction", "goalposts", "transform", "denominator", "targets"):
            assert rct[indicator_id].get(key) == pe[indicator_id].get(key), (indicator_id, key)
    assert pe["new_energy_capacity_growth"]["targets"] == {2025: 30}
    assert "§5.2" in pe["new_energy_capacity_growth"]["target_source"]["zh"]
    assert "§5.2" in pe["new_energy_capacity_growth"]["target_source"]["en"]


# ---------------------------------------------------------------- hdi
def test_hdi_definition():
    hdi = load("hdi")
    known = indicators_by_id(hdi)
    assert {i: (v["parent"], v["goalposts"], v.get("transform", "none")) for i, v in known.items()} == {
        "le": ("health", [20, 85], "none"),
        "eys": ("education", [0, 18], "none"),
        "mys": ("education", [0, 15], "none"),
        "gnipc": ("income", [100, 75000], "log"),
    }
    assert hdi["recipe"] == {
        "normalise": {"method": "goalposts", "range": [0, 1], "scope": "pooled"},
        "weights": {"indicators": "equal", "nodes": "equal"},
        "aggregate": {"method": "weighted_sum", "min_coverage": 1.0,
                      "by_node": {"index": {"method": "geometric", "nonpositive": "missing"}}},
        "rank": {"decimals": 3},
    }


def _reference_file(relative: str) -> Path:
    root = os.environ.get("EVALUATOR_REFERENCE_DATA")
    if not root:
        pytest.skip("EVALUATOR_REFERENCE_DATA is not set (the CI runner sets it to ../shared/reference)")
    path = Path(root) / relative
    assert path.is_file(), f"reference file missing: {path}"
    return path


def test_hdi_yaml_reproduces_undp_published_values():
    """Recompute HDI 2022 from UNDP's inputs with only what hdi.yaml declares; compare with UNDP."""
    inputs = pd.read_csv(_reference_file("hdi/hdi2022_inputs.csv")).set_index("iso3")
    published = pd.read_csv(_reference_file("hdi/hdi2022_published.csv")).set_index("iso3")
    hdi = load("hdi")
    indices = {}
    for ind in hdi["indicators"]:
        lo, hi = ind["goalposts"]
        values = inputs[ind["id"]].clip(lower=lo, upper=hi)
        if ind.get("transform") == "log":
            values, lo, hi = values.map(math.log), math.log(lo), math.log(hi)
        indices[ind["id"]] = (values - lo) / (hi - lo)
    dimensions = []
    for node in hdi["nodes"]:   # arithmetic mean within the node (equal weights) ...
        children = [indices[i["id"]] for i in hdi["indicators"] if i["parent"] == node["id"]]
        dimensions.append(sum(children) / len(children))
    product = dimensions[0] * dimensions[1] * dimensions[2]   # ... geometric mean at the root
    computed = product ** (1 / len(dimensions))
    decimals = hdi["recipe"]["rank"]["decimals"]
    joined = pd.DataFrame({"computed": computed.round(decimals), "published": published["hdi_published"]}).dropna()
    assert len(joined) == 193
    assert (joined["computed"] - joined["published"]).abs().max() < 1e-9
    ranks = joined["computed"].rank(method="min", ascending=False)
    assert (ranks == published.loc[joined.index, "hdi_rank_published"]).all()


def test_frameworks_show_cites_targets_in_the_language_asked():
    from click.testing import CliRunner
    from evaluator.cli import main
    zh = CliRunner().invoke(main, ["frameworks", "show", "resource_city_transition", "--lang", "zh"])
    en = CliRunner().invoke(main, ["frameworks", "show", "resource_city_transition"])
    assert zh.exit_code == en.exit_code == 0
    assert "政策研究 §6.1（" in zh.output and "policy study" not in zh.output
    assert "policy study §6.1 (" in en.output and "政策研究" not in en.output
