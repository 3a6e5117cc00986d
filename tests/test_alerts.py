"""Alert rules (issue 4) on a constructed ranking where every alert is worked out by
hand, the bottom-k tie rule against pandas' ranking, and property tests."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.errors import RecipeError
from evaluator.evaluate import evaluate
from evaluator.methods import alerts as al
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.stages.diagnose_params import alert_params
from evaluator.stages.diagnostics import build_diagnostics, unit_profile

# One benefit indicator, so the composite ranks the units as x does (min-max is monotone).
FRAMEWORK = {"id": "alerts_demo", "name": "Alerts demo",
             "indicators": [{"id": "x", "direction": "benefit", "targets": {2025: 110}}]}
X = {
    # ranks 2022: J1 I2 H3 G4 F5 E6 D7 C8 B9 A10          bottom three: C B A
    2022: dict(A=10, B=20, C=30, D=40, E=50, F=60, G=70, H=80, I=90, J=100),
    # ranks 2023: J1 I2 H3 G4 F5 E6 C7 D7 B9 A10 — C and D tie for places 7-8
    2023: dict(A=11, B=21, C=35, D=35, E=52, F=62, G=72, H=82, I=92, J=102),
    # ranks 2024: I1 H2 B3 G4 F5 E6 J7 D8 C9 A10 — B leaves the bottom, J falls 6 places
    2024: dict(A=12, B=75, C=36, D=37, E=53, F=63, G=73, H=83, I=93, J=45),
}


def make(alerts=None):
    fw = Framework.from_dict(FRAMEWORK)
    rows = [(u, y, v) for y, vals in X.items() for u, v in vals.items()]
    df = pd.DataFrame(rows, columns=["unit", "year", "x"])
    recipe = {"normalise": {"method": "min_max", "range": [0, 100]}}
    if alerts is not None:
        recipe["alerts"] = alerts
    return evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(recipe))


def alert_set(alerts):
    return {(r.unit, r.year, r.rule, r.years) for r in alerts.itertuples()}


def test_every_default_alert_as_worked_out():
    alerts = build_diagnostics(make())["alerts"]
    assert alert_set(alerts) == {
        # bottom three (published ranks, k = 3 of 10: rank ≥ 8) two years running:
        # A in 2022-2023 and on to 2024; B in 2022-2023 but not 2024 (rank 3); C was
        # 8th in 2022 but shares 7th with D in 2023, so it is not in the bottom three
        ("A", 2023, "bottom_k_consecutive", "2022-2023"),
        ("A", 2024, "bottom_k_consecutive", "2022-2024"),
        ("B", 2023, "bottom_k_consecutive", "2022-2023"),
        # yellow cards: bottom 10 % (1 unit of 10: A every year) or red lights on more
        # than a third of at least 3 judged indicators — this framework has one target,
        # so only the rank gives cards (and a warning says so)
        ("A", 2022, "yellow_card", "2022"),
        ("A", 2023, "yellow_card", "2023"),
        ("A", 2024, "yellow_card", "2024"),
        # two cards in a row → talks
        ("A", 2023, "yellow_card_talks", "2022-2023"),
        ("A", 2024, "yellow_card_talks", "2022-2024"),
        # rank_drop (10 places) cannot happen among 10 units
    }
    assert any("only 1 indicator(s) of the framework have targets, fewer than min_judged "
               "(3)" in w for w in make().warnings)
    # with min_judged 1 the single light counts. Paths run from 2022 towards 110 in 2025:
    # in 2023 D fell from 40 to 35 (red), in 2024 J fell from 102 to 45 (red); everyone
    # else improved (yellow); in the base year 2022 nobody meets 110 and there is no path
    # yet, so nobody has a light. D's and J's cards are single: no talks.
    one = make({"yellow_card": {"min_judged": 1}})
    assert not any("min_judged" in w for w in one.warnings)
    alerts = build_diagnostics(one)["alerts"]
    cards = alerts[alerts.rule.str.startswith("yellow")]
    assert set(zip(cards.unit, cards.year, cards.rule)) == {
        ("A", 2022, "yellow_card"), ("A", 2023, "yellow_card"), ("A", 2024, "yellow_card"),
        ("D", 2023, "yellow_card"), ("J", 2024, "yellow_card"),
        ("A", 2023, "yellow_card_talks"), ("A", 2024, "yellow_card_talks")}
    b = alerts[(alerts.unit == "B") & (alerts.rule == "bottom_k_consecutive")].iloc[0]
    assert "2022年第9名/共10个" in b.message_zh and "约谈整改" in b.message_zh
    assert "bottom 3" in b.message_en and "2023: rank 9 of 10" in b.message_en
    d = alerts[(alerts.unit == "D") & (alerts.rule == "yellow_card")].iloc[0]
    assert "1/1项已评价指标亮红灯" in d.message_zh and "more than one third" in d.message_en
    assert "red lights on 1 of 1 judged indicators" in d.message_en
    a = alerts[(alerts.unit == "A") & (alerts.year == 2022)].iloc[0]
    assert "rank 10 of 10, in the bottom 10%" in a.message_en
    # sorted by year, unit, rule
    assert list(alerts.year) == sorted(alerts.year)


def test_ties_at_the_boundary_inclusive_reading():
    alerts = build_diagnostics(make({"bottom_k_consecutive": {"ties": "inclusive"},
                                     "yellow_card": False}))["alerts"]
    # C and D tied at 7th hold places 7-8: with fewer than 3 units strictly worse they
    # count as bottom three; C (8th in 2022, 9th in 2024) then has runs 2022-2023 and
    # 2022-2024, D (7th in 2022) only 2023-2024
    assert alert_set(alerts) == {
        ("A", 2023, "bottom_k_consecutive", "2022-2023"),
        ("A", 2024, "bottom_k_consecutive", "2022-2024"),
        ("B", 2023, "bottom_k_consecutive", "2022-2023"),
        ("C", 2023, "bottom_k_consecutive", "2022-2023"),
        ("C", 2024, "bottom_k_consecutive", "2022-2024"),
        ("D", 2024, "bottom_k_consecutive", "2023-2024"),
    }


def test_rank_drop_and_disabling_rules():
    alerts = build_diagnostics(make({"rank_drop": {"places": 6}, "yellow_card": False,
                                     "bottom_k_consecutive": False}))["alerts"]
    assert alert_set(alerts) == {("J", 2024, "rank_drop", "2023-2024")}
    row = alerts.iloc[0]
    assert "fell 6 places" in row.message_en and "from 1 in 2023 to 7 in 2024" in row.message_en
    assert "下降6位" in row.message_zh
    none = build_diagnostics(make({"rank_drop": {"places": 7}, "yellow_card": False,
                                   "bottom_k_consecutive": False}))["alerts"]
    assert none.empty and list(none.columns) == ["unit", "year", "rule", "years",
                                                 "message_zh", "message_en"]


def test_profile_shows_the_years_alerts_by_name_and_counts_earlier_ones():
    a = make()
    # B's only alert is of 2023: shown in full then, only counted in 2024
    text = unit_profile(a, "B", 2023)
    assert "[2023] bottom ranks in consecutive years: B ranked" in text
    assert "bottom_k_consecutive" not in text
    text = unit_profile(a, "B", 2024)
    assert "[2023]" not in text and "earlier years: 1 alert(s), 2023" in text
    # A in 2024: its three 2024 alerts, and four earlier ones (2022: card; 2023: bottom
    # three, card, talks) on one line
    text = unit_profile(a, "A", 2024)
    assert text.count("[2024]") == 3 and "[2022]" not in text and "[2023]" not in text
    assert "earlier years: 4 alert(s), 2022–2023" in text
    zh = unit_profile(a, "A", 2024, lang="zh")
    for name in ("连续位列末位", "黄牌警示", "连续黄牌：约谈"):
        assert name in zh, name
    assert "yellow_card" not in zh and "往年预警：4条（2022–2023年" in zh


def make_with_untargeted(red_share_of, **card):
    """x plus two copies without targets (the ranking is x's): only x has a light."""
    fw = Framework.from_dict({"id": "alerts3", "name": "Alerts, three indicators",
                              "indicators": [FRAMEWORK["indicators"][0],
                                             {"id": "y", "direction": "benefit"},
                                             {"id": "w", "direction": "benefit"}]})
    rows = [(u, y, v, v, v) for y, vals in X.items() for u, v in vals.items()]
    df = pd.DataFrame(rows, columns=["unit", "year", "x", "y", "w"])
    recipe = {"normalise": {"method": "min_max", "range": [0, 100]},
              "alerts": {"yellow_card": {"red_share_of": red_share_of, "min_judged": 1,
                                         **card},
                         "bottom_k_consecutive": False}}
    return evaluate(fw, Panel.from_frame(df, fw), Recipe.from_dict(recipe))


def test_red_share_of_judged_or_all_indicators():
    # judged (default): D's and J's single red is 1 of 1 judged indicator → a card
    cards = build_diagnostics(make_with_untargeted("judged"))["alerts"]
    cards = cards[cards.rule == "yellow_card"]
    assert set(zip(cards.unit, cards.year)) == {("A", 2022), ("A", 2023), ("A", 2024),
                                               ("D", 2023), ("J", 2024)}
    # all: 1 red of 3 indicators is not more than a third → only A's bottom-10 % cards
    cards = build_diagnostics(make_with_untargeted("all"))["alerts"]
    cards = cards[cards.rule == "yellow_card"]
    assert set(zip(cards.unit, cards.year)) == {("A", 2022), ("A", 2023), ("A", 2024)}
    # with red_share 0.3 the 1 of 3 counts, and the message says "of 3 indicators"
    d = build_diagnostics(make_with_untargeted("all", red_share=0.3))["alerts"]
    (msg,) = d[(d.unit == "D") & (d.rule == "yellow_card")].message_en
    assert "red lights on 1 of 3 indicators, more than 30%" in msg


def test_red_share_of_is_checked():
    with pytest.raises(RecipeError, match="valid: judged, all"):
        alert_params({"yellow_card": {"red_share_of": "some"}})


# -- the bottom-k rule on its own -------------------------------------------------------------
def test_bottom_k_tie_rules_on_a_small_example():
    scores = np.array([9.0, 8, 7, 5, 5, 5, 1])          # n = 7, k = 3: places 5-7
    years = np.zeros(7)
    # competition ranks 1 2 3 4 4 4 7: the 5s (4th) straddle the boundary
    assert al.bottom_k(scores, years, 3).tolist() == [0, 0, 0, 0, 0, 0, 1]
    assert al.bottom_k(scores, years, 3, ties="inclusive").tolist() == [0, 0, 0, 1, 1, 1, 1]
    # a tie entirely inside the bottom k is in it under both readings
    scores = np.array([9.0, 8, 7, 6, 2, 2, np.nan])
    assert al.bottom_k(scores, years, 3).tolist() == [0, 0, 0, 1, 1, 1, 0]


@settings(max_examples=80, deadline=None)
@given(st.lists(st.integers(0, 6), min_size=1, max_size=15), st.integers(1, 6))
def test_bottom_k_matches_pandas_ranking(values, k):
    """Independent check with pandas' min-method ranks: published = top rank ≥ n − k + 1,
    inclusive = rank from the bottom ≤ k; published ⊆ inclusive, |published| ≤ k."""
    s = pd.Series(values, dtype=float)
    n = len(s)
    years = np.zeros(n)
    published = al.bottom_k(s.to_numpy(), years, k)
    inclusive = al.bottom_k(s.to_numpy(), years, k, ties="inclusive")
    assert (published == (s.rank(ascending=False, method="min") >= n - k + 1)).all()
    assert (inclusive == (s.rank(ascending=True, method="min") <= k)).all()
    assert not (published & ~inclusive).any()
    assert published.sum() <= k
    if s.is_unique:
        assert published.sum() == inclusive.sum() == min(k, n)


def test_bottom_share_counts_whole_units():
    assert al.bottom_share_k(np.array([10, 262, 9, 20]), 0.1).tolist() == [1, 26, 0, 2]


def test_run_lengths_break_on_a_missing_year():
    units = np.array(["a"] * 4 + ["b"] * 3)
    years = np.array([2020, 2021, 2022, 2023, 2020, 2022, 2023])
    flag = np.array([1, 1, 0, 1, 1, 1, 1], bool)
    # b has no 2021 row: its run restarts in 2022
    assert al.run_lengths(flag, units, years).tolist() == [1, 2, 0, 1, 1, 1, 2]


def test_rank_drops():
    assert al.rank_drops(np.array([-10, -9, 3, np.nan]), 10).tolist() == [1, 0, 0, 0]
