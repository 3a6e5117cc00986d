"""Alert rules on ranks and lights (DESIGN.md §5 "Diagnostics", issue 4): bottom k of the
composite ranking in consecutive years, yellow cards, rank drops — arrays in, masks and
run lengths out, plus the bilingual sentences that say why.

The rules follow the practice of Chinese performance assessment (考核排名后三位的约谈
整改, 黄牌警示): a unit ranked in the bottom three two years running is called in for
rectification talks (约谈整改); a lagging unit gets a yellow card, and two in a row lead to
talks.

Bottom k, precisely
-------------------
Ranks are competition ranks (1 = best; ties share the best rank: 1, 2, 2, 4). Among the
``n`` units scored in a year, a unit of rank ``r`` is in the bottom ``k``

* ``ties="published"`` (default): when ``r ≥ n − k + 1`` — judged by the rank that is
  published. A tie group straddling the boundary is *not* in the bottom k (with n = 10
  and k = 3, four units tied at rank 7 hold places 7–10 but are published as 7th: none
  is in the bottom three), so a unit is never called in because of a tie it shares with
  units outside the bottom k.
* ``ties="inclusive"``: when fewer than ``k`` units are strictly worse — a tie group with
  any of its places inside the bottom k is in it (the four units above all are).

The two readings differ only for tie groups straddling the boundary.
"""
from __future__ import annotations

import math

import numpy as np

from .diagnose import lag_rows
from .ranking import RTOL, competition_rank

TIES = ("published", "inclusive")


def bottom_k(scores: np.ndarray, blocks: np.ndarray, k: np.ndarray | int, *,
             ties: str = "published", decimals: int | None = None,
             rtol: float = RTOL) -> np.ndarray:
    """Rows in the bottom ``k`` of their block (year) by ``scores`` (higher is better);
    ``k`` may differ per row (e.g. 10 % of each year's units). NaN scores are never in
    it and do not count in ``n``. See the module docstring for ties."""
    if ties not in TIES:
        raise ValueError(f"ties must be one of {TIES}, not {ties!r}")
    scores = np.asarray(scores, dtype=float)
    labels = np.asarray(blocks)
    k = np.broadcast_to(np.asarray(k, dtype=float), scores.shape)
    if ties == "published":
        rank = competition_rank(scores, labels, decimals=decimals, rtol=rtol)
        n = block_counts(scores, labels)
        with np.errstate(invalid="ignore"):
            return (k >= 1) & (rank >= n - k + 1)
    worse_rank = competition_rank(scores, labels, decimals=decimals, higher_is_better=False,
                                  rtol=rtol)
    with np.errstate(invalid="ignore"):
        return (k >= 1) & (worse_rank <= k)   # worse_rank − 1 units are strictly worse


def block_counts(values: np.ndarray, blocks: np.ndarray) -> np.ndarray:
    """Per row, how many rows of its block have a value."""
    labels = np.asarray(blocks)
    has = ~np.isnan(np.asarray(values, dtype=float))
    _, inverse = np.unique(labels, return_inverse=True)
    counts = np.bincount(inverse, weights=has.astype(float))
    return counts[inverse]


def bottom_share_k(n: np.ndarray, share: float) -> np.ndarray:
    """How many units make the bottom ``share`` of ``n``: floor(share · n) (the units
    whose place from the bottom is within share · n; 10 % of 262 is 26 units)."""
    return np.floor(np.asarray(n, dtype=float) * share + 1e-9)


def run_lengths(flag: np.ndarray, units: np.ndarray, years: np.ndarray) -> np.ndarray:
    """Per row, for how many consecutive calendar periods up to and including this one
    the unit's ``flag`` has held (0 where it does not hold now). Consecutive means
    adjacent on the calendar (``years`` are calendar-ordered period keys: 2023 follows
    2022, 2025Q1 follows 2024Q4), so a gap — the unit's row missing or screened out, or
    the whole panel lacking a period — ends the run."""
    flag = np.asarray(flag, dtype=bool)
    years = np.asarray(years)
    lag = lag_rows(units, years)
    run = np.zeros(flag.shape, dtype=np.int64)
    for year in np.unique(years):   # a handful of years, in order
        rows = np.flatnonzero(years == year)
        before = np.where(lag[rows] >= 0, run[np.maximum(lag[rows], 0)], 0)
        run[rows] = np.where(flag[rows], before + 1, 0)
    return run


def red_share_exceeded(red: np.ndarray, out_of: np.ndarray, share: float) -> np.ndarray:
    """Rows with red lights on more than ``share`` of ``out_of`` indicators (never where
    ``out_of`` is 0 or NaN); "more than" allows 1e−9 of relative noise, so 1 of 3 is not
    more than a third."""
    red = np.asarray(red, dtype=float)
    out_of = np.asarray(out_of, dtype=float)
    with np.errstate(invalid="ignore"):
        return (out_of > 0) & (red > share * out_of * (1 + 1e-9))


def rank_drops(rank_change: np.ndarray, places: int) -> np.ndarray:
    """Rows whose rank fell by ``places`` or more since the previous calendar period
    (``rank_change`` is places gained, so a fall is negative)."""
    with np.errstate(invalid="ignore"):
        return np.asarray(rank_change, dtype=float) <= -places


# -- sentences ---------------------------------------------------------------------------------
# A period is given as a year (int) or, for sub-annual panels, as its labels (en, zh),
# e.g. ("2025Q1", "2025年第一季度"); ``words`` name the periods counted: ("years", "年")
# or ("quarters", "个季度"). The stages format labels (methods know no calendar types).
YEARS = ("years", "年")


def _label(period) -> tuple[str, str]:
    if isinstance(period, tuple):
        return str(period[0]), str(period[1])
    return str(period), f"{period}年"


def year_span(first, last) -> str:
    """``2022-2024`` (or one year alone); labels of periods are joined the same way."""
    a, b = _label(first)[0], _label(last)[0]
    return a if a == b else f"{a}-{b}"


def _span_zh(first, last) -> str:
    if not isinstance(first, tuple):
        return f"{first}年" if first == last else f"{first}-{last}年"
    a, b = _label(first)[1], _label(last)[1]
    return a if a == b else f"{a}至{b}"


def _ranks_text(history: list[tuple], lang: str) -> str:
    if lang == "zh":
        return "，".join(f"{_label(y)[1]}第{r}名/共{n}个" for y, r, n in history)
    return ", ".join(f"{_label(y)[0]}: rank {r} of {n}" for y, r, n in history)


def bottom_k_message(unit: str, k: int, history: list[tuple], words=YEARS
                     ) -> tuple[str, str]:
    """Chinese and English sentence for ``bottom_k_consecutive``; ``history`` lists
    (period, rank, units ranked) for each period of the run."""
    n = len(history)
    zh = (f"{unit}于{_span_zh(history[0][0], history[-1][0])}连续{n}{words[1]}综合排名位于"
          f"后{k}名（{_ranks_text(history, 'zh')}），按规则应约谈整改。")
    en = (f"{unit} ranked in the bottom {k} of the composite index in {n} consecutive "
          f"{words[0]} ({_ranks_text(history, 'en')}); rectification talks are due.")
    return zh, en


def yellow_card_message(unit: str, year, *, rank: int | None, n: int | None,
                        bottom_share: float, in_bottom: bool, red: int, lit: int,
                        red_share: float, red_trigger: bool,
                        red_share_of: str = "judged") -> tuple[str, str]:
    """Why a unit got a yellow card: its rank in the bottom share, too many red lights,
    or both. ``lit`` is the share's denominator: the judged indicators (those with a
    light), or all indicators with ``red_share_of="all"``."""
    zh_why, en_why = [], []
    if in_bottom:
        zh_why.append(f"综合排名第{rank}名/共{n}个，位于后{bottom_share:.0%}")
        en_why.append(f"rank {rank} of {n}, in the bottom {bottom_share:.0%}")
    if red_trigger:
        judged = red_share_of == "judged"
        zh_why.append(f"{red}/{lit}项{'已评价' if judged else ''}指标亮红灯，超过"
                      f"{_fraction_zh(red_share)}")
        en_why.append(f"red lights on {red} of {lit} {'judged ' if judged else ''}"
                      f"indicators, more than {_fraction_en(red_share)}")
    en_label, zh_label = _label(year)
    zh = f"{unit}在{zh_label}被亮黄牌：" + "；".join(zh_why) + "。"
    en = f"{unit} receives a yellow card for {en_label}: " + "; ".join(en_why) + "."
    return zh, en


def yellow_talks_message(unit: str, years: list, words=YEARS) -> tuple[str, str]:
    span = year_span(years[0], years[-1])
    n = len(years)
    zh = f"{unit}于{_span_zh(years[0], years[-1])}连续{n}{words[1]}被亮黄牌，按规则应约谈整改。"
    en = (f"{unit} received a yellow card in {n} consecutive {words[0]} ({span}); "
          f"rectification talks are due.")
    return zh, en


def rank_drop_message(unit: str, year_before, rank_before: int, year, rank: int,
                      places: int) -> tuple[str, str]:
    fall = rank - rank_before
    (b_en, b_zh), (y_en, y_zh) = _label(year_before), _label(year)
    zh = (f"{unit}综合排名由{b_zh}第{rank_before}名降至{y_zh}第{rank}名，"
          f"下降{fall}位（预警阈值{places}位）。")
    en = (f"{unit} fell {fall} places in the composite ranking, from {rank_before} in "
          f"{b_en} to {rank} in {y_en} (alert at {places} places or more).")
    return zh, en


def _fraction_en(share: float) -> str:
    named = {1 / 3: "one third", 0.5: "half", 0.25: "a quarter", 2 / 3: "two thirds"}
    for value, name in named.items():
        if math.isclose(share, value, rel_tol=1e-6):
            return name
    return f"{share:.0%}"


def _fraction_zh(share: float) -> str:
    named = {1 / 3: "三分之一", 0.5: "一半", 0.25: "四分之一", 2 / 3: "三分之二"}
    for value, name in named.items():
        if math.isclose(share, value, rel_tol=1e-6):
            return name
    return f"{share:.0%}"
