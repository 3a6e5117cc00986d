"""The report's pictures (issue 13): each unit's score and rank over the years, the dot
plot of its dimensions against its group median and the best, the colour-blind-safe
palette, and the choice of the profiles that print (``--profiles``).

How they look in a real browser and on paper is checked in test_report_browser.py."""
from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from evaluator import evaluate
from evaluator.errors import DataError, EvaluatorError
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.report import build_report, render_html
from evaluator.report.profile_charts import unit_dots, unit_trend
from evaluator.report.selection import DEFAULT_PROFILES, select_units, split_spec
from evaluator.resources import demo_panel_path, reports_dir

# Okabe & Ito (2008), "Color Universal Design", the eight colours of their palette
OKABE_ITO = {"#000000", "#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00",
             "#cc79a7"}


@pytest.fixture(scope="module")
def demo():
    from evaluator.evaluate import default_recipe
    fw = load_framework("resource_city_transition")
    return evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))


@pytest.fixture(scope="module")
def bundle(demo):
    return build_report(demo, lang="en")


def _ranking(ranks, units=None) -> pd.DataFrame:
    units = units or [f"u{k}" for k in range(len(ranks))]
    return pd.DataFrame({"unit": units, "rank": ranks}).sort_values("rank", kind="mergesort")


NO_ALERTS = pd.DataFrame({"unit": pd.Series([], dtype=str)})


# -- which profiles print ---------------------------------------------------------------------
def test_top_bottom_alerts_and_names_are_chosen_in_rank_order():
    r = _ranking([1, 2, 3, 4, 5, 6, 7])
    alerts = pd.DataFrame({"unit": ["u3", "u3"]})
    assert select_units(["top:2"], r, NO_ALERTS, 2024) == ["u0", "u1"]
    assert select_units(["bottom:2"], r, NO_ALERTS, 2024) == ["u5", "u6"]
    assert select_units("top:1, bottom:1,alerts", r, alerts, 2024) == ["u0", "u3", "u6"]
    assert select_units(["u4", "top:1"], r, NO_ALERTS, 2024) == ["u0", "u4"]
    assert select_units(["all"], r, NO_ALERTS, 2024) == [f"u{k}" for k in range(7)]
    assert select_units(["none"], r, NO_ALERTS, 2024) == []
    assert select_units(["top:99"], r, NO_ALERTS, 2024) == [f"u{k}" for k in range(7)]
    assert split_spec(None) == list(DEFAULT_PROFILES) == ["top:10", "bottom:10"]


def test_ties_at_the_boundary_are_included_and_unranked_units_never_count():
    r = _ranking([1, 2, 2, 4, np.nan])
    assert select_units(["top:2"], r, NO_ALERTS, 2024) == ["u0", "u1", "u2"]
    assert select_units(["bottom:1"], r, NO_ALERTS, 2024) == ["u3"]
    assert select_units(["bottom:3"], r, NO_ALERTS, 2024) == ["u1", "u2", "u3"]


def test_a_unit_named_like_a_keyword_is_that_unit():
    r = _ranking([1, 2, 3], units=["top:1", "b", "c"])
    assert select_units(["top:1"], r, NO_ALERTS, 2024) == ["top:1"]


@pytest.mark.parametrize("spec, error, en, zh", [
    (["top:x"], EvaluatorError, "whole number", "正整数"),
    (["bottom:0"], EvaluatorError, "whole number", "正整数"),
    (["u9x"], DataError, "not ranked in 2024", "没有排名")])
def test_a_bad_choice_is_a_clear_error_in_both_languages(spec, error, en, zh):
    with pytest.raises(error) as info:
        select_units(spec, _ranking([1, 2, 3]), NO_ALERTS, 2024)
    assert info.value.where == "--profiles"
    assert en in info.value.problem.render("en") and zh in info.value.problem.render("zh")
    assert re.search(r"[\u4e00-\u9fff]", info.value.fix.render("zh"))


def test_a_near_miss_names_the_units_it_may_mean():
    with pytest.raises(DataError, match=r"u1\?"):
        select_units(["u1x"], _ranking([1, 2, 3]), NO_ALERTS, 2024)


def test_cli_report_takes_profiles_and_refuses_unknown_units(tmp_path):
    from evaluator.cli import main
    args = ["report", "-f", "resource_city_transition", "-d", str(demo_panel_path()),
            "--out", str(tmp_path / "out"), "--profiles", "no-such-city"]
    done = CliRunner().invoke(main, args)
    assert done.exit_code == 2 and "no-such-city" in done.output
    assert "Traceback" not in done.output and not (tmp_path / "out").exists()


# -- profile charts ----------------------------------------------------------------------------
def test_every_profile_has_its_trend_and_the_default_prints_twenty(demo, bundle):
    profiles = bundle.context["profiles"]
    assert len(profiles) == 262
    years = sorted(demo.rankings["year"].unique())
    assert len(years) >= 2
    for p in profiles:
        svg = str(p["trend"])
        assert 'class="chart unit trendline"' in svg
        # one point per scored year on each of the two lines (score, rank)
        scored = demo.rankings[(demo.rankings["unit"] == p["unit"])
                               & demo.rankings["score"].notna()]
        assert svg.count('class="pt s0"') == svg.count('class="pt s5"') == len(scored)
        for yr in (years[0], years[-1]):
            assert f">{yr}</text>" in svg                  # year labels are text
    printed = [p["unit"] for p in profiles if p["printed"]]
    top = bundle.ranking.head(10)["unit"].tolist()
    bottom = bundle.ranking.dropna(subset=["rank"]).tail(10)["unit"].tolist()
    assert printed == top + bottom


def test_the_trend_points_are_the_units_scores_and_ranks():
    svg = str(unit_trend([2020, 2021, 2022], [10.0, float("nan"), 30.0], [3.0, float("nan"), 1.0],
                         [3, 3, 3], 0, 40, label="x", titles=("Score", "Rank")))
    tips = re.findall(r"<title>(\d{4}): ([^<]*)</title>", svg)
    assert tips == [("2020", "10.0"), ("2022", "30.0"), ("2020", "3 / 3"), ("2022", "1 / 3")]
    # a missing year breaks the line: two separate one-point runs draw no segment
    assert 'class="trend s0"' not in svg
    assert ">Score</text>" in svg and ">Rank</text>" in svg


def test_the_dot_plot_marks_the_best_and_the_group_median(bundle):
    ranking = bundle.ranking
    fw = bundle.framework
    best_unit = ranking.iloc[0]
    profile = bundle.context["profiles"][0]
    svg = str(profile["chart"])
    assert profile["unit"] == best_unit["unit"]
    # rows: the composite and each dimension, each with the unit, the best, its group
    assert svg.count('class="me"') == 1 + len(fw.first_level)
    assert svg.count('class="best"') == 1 + len(fw.first_level)
    assert svg.count('class="gm"') == 1 + len(fw.first_level)
    chart = str(unit_dots([("A", 5.0, float("nan"), float("nan"), float("nan"))], 0, 10,
                          label="x"))
    assert 'class="me"' in chart and 'class="best"' not in chart and 'class="gm"' not in chart


def test_the_palette_is_okabe_ito():
    css = (reports_dir() / "report.css").read_text(encoding="utf-8").lower()
    root = css[css.index(":root"):css.index("}")]
    series = dict(re.findall(r"--(c\d|green|yellow|red):\s*(#[0-9a-f]{6})", root))
    assert set(series.values()) <= OKABE_ITO and len(series) == 11
    # every series of the median trend differs in dash pattern too, not only in colour
    dashes = re.findall(r"svg\.chart \.trend\.s(\d) \{ stroke-dasharray: ([^;]+);", css)
    assert sorted(k for k, _ in dashes) == ["1", "2", "3", "4"]
    assert len({d for _, d in dashes}) == 4


# -- the map (--geo) ------------------------------------------------------------------------------
def grid_geojson(units, *, extra=True, skip=()) -> dict:
    """A synthetic FeatureCollection: one square per unit on a 20-column grid near 40°N,
    named by a ``name`` property (a few by the feature id instead), and a shape that is no
    unit."""
    feats = []
    for k, u in enumerate(units):
        if u in skip:
            continue
        x, y = 100 + (k % 20) * 0.5, 40 - (k // 20) * 0.5
        ring = [[x, y], [x + .45, y], [x + .45, y - .45], [x, y - .45], [x, y]]
        f = {"type": "Feature", "properties": {"name": u, "pop": 1000 + k},
             "geometry": {"type": "Polygon", "coordinates": [ring]}}
        if k % 50 == 0:
            f = {**f, "id": u, "properties": {"code": k}}
        feats.append(f)
    if extra:
        feats.append({"type": "Feature", "properties": {"name": "lake"},
                      "geometry": {"type": "Point", "coordinates": [99.0, 41.0]}})
    return {"type": "FeatureCollection", "features": feats}


@pytest.mark.parametrize("colouring", ["score", "tier", "light"])
def test_a_synthetic_geojson_colours_every_unit(demo, colouring):
    units = sorted(demo.rankings["unit"].astype(str).unique())
    b = build_report(demo, lang="zh", geo=grid_geojson(units), geo_colour=colouring)
    m = b.context["map"]
    svg = str(m["svg"])
    areas = re.findall(r'<path d="[^"]+" class="area ([^"]+)" data-unit="([^"]+)"', svg)
    assert sorted(u for _, u in areas) == units                # every unit drawn once
    assert all(c != "nodata" for c, _ in areas)                 # and coloured
    assert m["unmatched"] == [] and m["other"] == 1 and m["placed"] == 262
    assert 'class="area nodata other"' in svg                   # the lake, grey
    if colouring == "score":
        year = b.ranking.set_index("unit")["score"]
        got = {u: int(c[1]) for c, u in areas}
        # darker classes hold higher scores: class boundaries are quintiles
        order = sorted(units, key=lambda u: year[u])
        assert [got[u] for u in order] == sorted(got[u] for u in order)
        assert np.bincount(list(got.values())).tolist() == [53, 52, 52, 52, 53]
    if colouring == "tier":
        got = {u: int(c[1]) for c, u in areas}
        best = b.ranking.iloc[0]["unit"]
        assert got[best] == 4
    if colouring == "light":
        assert {c for c, _ in areas} <= {"lt-green", "lt-yellow", "lt-red"}


def test_units_without_a_shape_are_listed_and_aliases_match(demo):
    units = sorted(demo.rankings["unit"].astype(str).unique())
    geo = grid_geojson(units, extra=False, skip=units[:2])
    # two units named by their English name (the demo panel's unit_en column)
    panel = demo.panel.data
    english = dict(zip(panel["unit"].astype(str), panel["unit_en"].astype(str)))
    for f in geo["features"][:2]:
        f["properties"] = {"NAME_EN": english[f["properties"]["name"]]}
    b = build_report(demo, lang="en", geo=geo)
    m = b.context["map"]
    ranked = b.ranking["unit"].astype(str).tolist()
    assert m["unmatched"] == [u for u in ranked if u in units[:2]]
    assert m["placed"] == 260
    html = render_html(b)
    assert "No shape for 2 units:" in html and units[0] in html


@pytest.mark.parametrize("bad, words", [
    ({"type": "Feature"}, "not a GeoJSON FeatureCollection"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
      "geometry": {"type": "Polygon", "coordinates": [[[500, 1], [1, 2], [2, 2]]]}}]},
     "longitude/latitude"),
    ({"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {},
      "geometry": {"type": "LineString", "coordinates": [[1, 1], [2, 2]]}}]},
     "LineString")])
def test_a_bad_geojson_is_a_clear_error(demo, bad, words):
    with pytest.raises(DataError) as info:
        build_report(demo, geo=bad)
    assert words in str(info.value)


def test_a_unit_drawn_twice_and_a_broken_file_are_refused(demo, tmp_path):
    units = sorted(demo.rankings["unit"].astype(str).unique())
    geo = grid_geojson(units[:3], extra=False)
    geo["features"].append(geo["features"][0])
    with pytest.raises(DataError, match="features\\[0\\]"):
        build_report(demo, geo=geo)
    path = tmp_path / "broken.geojson"
    path.write_text("{not json", encoding="utf-8")
    from evaluator.cli import main
    done = CliRunner().invoke(main, ["report", "-f", "resource_city_transition", "-d",
                                     str(demo_panel_path()), "--geo", str(path),
                                     "--out", str(tmp_path / "out")])
    assert done.exit_code == 2 and "broken.geojson" in done.output
    assert "Traceback" not in done.output


# -- TOPSIS / grey relational details and Sobol indices ------------------------------------------
def test_topsis_and_grey_details_are_in_the_appendix_and_the_profiles(demo):
    from evaluator.model.recipe import Recipe
    rc = Recipe.from_dict({"aggregate": {"method": "weighted_sum",
                                         "by_node": {"index": "topsis",
                                                     "ecological": "grey_relational"}}},
                          base=demo.framework.recipe)
    result = evaluate(demo.framework, demo.panel, rc)
    b = build_report(result, lang="en")
    sections = {s["label"]: s for s in b.context["aggregation"]}
    index = sections[b.label("index")]
    # the captions the methods declare in the registry
    assert index["heads"] == ["distance to the ideal D⁺", "distance to the anti-ideal D⁻",
                              "relative closeness C"]
    assert len(index["rows"]) == 262
    table = result.aggregation_table
    want = table[(table["year"] == b.year) & (table["node"] == "index")].set_index("unit")
    for row in index["rows"][:5] + index["rows"][-5:]:
        got = [float(v.replace("−", "-")) for v in row["cells"]]
        assert got == pytest.approx(want.loc[row["unit"], ["d_plus", "d_minus", "closeness"]]
                                    .to_numpy(float), abs=5e-5)
    eco = sections[b.label("ecological")]
    kids = [c for c in demo.framework.children("ecological")]
    assert eco["heads"][0] == "grey relational grade γ" and len(eco["heads"]) == 1 + len(kids)
    profile = b.context["profiles"][0]
    assert [a["label"] for a in profile["aggregation"]] == [b.label("index"),
                                                           b.label("ecological")]
    html = render_html(b)
    assert "distance to the ideal D⁺" in html and "grey relational grade γ" in html


def test_sobol_indices_beside_the_intervals_are_shown(demo, tmp_path):
    r = demo.rankings
    iv = pd.DataFrame({"unit": r["unit"], "year": r["year"], "nominal_rank": r["rank"],
                       "mean_rank": r["rank"], "median_rank": r["rank"],
                       "p05": r["rank"] - 1, "p95": r["rank"] + 1, "p_top_k": 0.0,
                       "p_bottom_k": 0.0}).dropna(subset=["nominal_rank"])
    iv.to_csv(tmp_path / "rank_intervals.csv", index=False)
    units = sorted(r["unit"].unique())[:3]
    rows = [("mean_rank_shift", "weights", 0.1, 0.02, 0.15, 0.03),
            ("mean_rank_shift", "normalise", 0.7, 0.1, 0.8, 0.1)]
    rows += [(u, f, 0.2, 0.1, st, 0.1) for u in units
             for f, st in (("weights", 0.3), ("normalise", 0.6 if u != units[0] else 0.1))]
    pd.DataFrame(rows, columns=["target", "factor", "S1", "S1_conf", "ST", "ST_conf"]) \
        .to_csv(tmp_path / "sobol.csv", index=False)
    b = build_report(demo, lang="zh", intervals_file=tmp_path / "rank_intervals.csv")
    s = b.context["sobol"]
    assert [x["factor"] for x in s["rows"]] == ["权重扰动", "标准化方法"]
    assert [x["st"] for x in s["rows"]] == ["0.150", "0.800"]
    assert s["leading"][units[0]] == {"factor": "权重扰动", "st": "0.30"}
    assert s["leading"][units[1]] == {"factor": "标准化方法", "st": "0.60"}
    html = render_html(b)
    assert "Sobol" in html and "总效应指数 ST" in html
    by_unit = {p["unit"]: p for p in b.context["profiles"]}
    assert by_unit[units[1]]["sobol"]["factor"] == "标准化方法"
    # without sobol.csv the section is simply absent
    (tmp_path / "sobol.csv").unlink()
    assert build_report(demo, intervals_file=tmp_path / "rank_intervals.csv").context["sobol"] is None
