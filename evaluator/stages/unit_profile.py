"""One unit's diagnostic profile as text (``evaluator diagnose``), in Chinese or English,
and the lookup of a unit named on the command line."""
from __future__ import annotations

import difflib
import unicodedata

import numpy as np
import pandas as pd

from ..errors import DataError
from ..model.framework import ROOT
from ..i18n import M, suggest, compose
from ..model.period import PER_YEAR, period_labels

TEXT = {
    "en": {"scores": "Scores and ranks", "lights": "Traffic lights",
           "light_head": ("green", "yellow", "red", "not judged"),
           "reds": "red", "obstacles": "Top obstacles (share of the weighted shortfall)",
           "dim_obstacles": "Obstacle share by dimension", "strengths": "Strengths",
           "weaknesses": "Weaknesses", "alerts": "Alerts", "none": "none",
           "rank": "rank {r} of {n}", "first": "first year", "group": "group",
           "gap": "no {year} in the panel: changes are not taken across the gap",
           "unit_gap": "no {year} row for this unit: changes are not taken across the gap",
           "total": "all indicators", "value": "value", "no_data": "no data",
           "earlier": "earlier years: {n} alert(s), {span} (not repeated here)",
           "rules": {"bottom_k_consecutive": "bottom ranks in consecutive years",
                     "yellow_card": "yellow card",
                     "yellow_card_talks": "consecutive yellow cards: talks",
                     "rank_drop": "sharp rank drop"},
           "not_decomposable": "note: contributions are not reported — the aggregation "
                               "is not a weighted sum at every node"},
    "zh": {"scores": "得分与排名", "lights": "红黄绿灯",
           "light_head": ("绿", "黄", "红", "未评"), "reds": "红灯",
           "obstacles": "主要障碍因子（障碍度）", "dim_obstacles": "各维度障碍度",
           "strengths": "优势指标", "weaknesses": "劣势指标", "alerts": "预警",
           "none": "无", "rank": "第{r}名/共{n}个", "first": "首年", "group": "类型",
           "gap": "面板缺少{year}数据：不跨越缺口计算变化",
           "unit_gap": "该对象缺少{year}数据：不跨越缺口计算变化",
           "total": "全部指标", "value": "数值", "no_data": "无数据",
           "earlier": "往年预警：{n}条（{span}，此处不再列出）",
           "rules": {"bottom_k_consecutive": "连续位列末位", "yellow_card": "黄牌警示",
                     "yellow_card_talks": "连续黄牌：约谈", "rank_drop": "排名大幅下滑"},
           "not_decomposable": "注：聚合并非各层均为加权求和，不报告贡献分解"},
}


def _key(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", str(text)).casefold().split())


def _aliases(assessment) -> dict[str, str]:
    """Other names of units from text columns of the panel (e.g. ``unit_en``): name →
    unit, kept only where a name points at one unit."""
    data = assessment.panel.data
    skip = {"unit", "year", "group", *assessment.ids}
    found: dict[str, set[str]] = {}
    for col in data.columns:
        if col in skip or not (data[col].dtype == object or
                               pd.api.types.is_string_dtype(data[col])):
            continue
        pairs = data[["unit", col]].dropna().astype(str).drop_duplicates()
        for unit, name in zip(pairs["unit"].tolist(), pairs[col].tolist()):
            found.setdefault(name, set()).add(unit)
    return {name: next(iter(us)) for name, us in found.items() if len(us) == 1}


def resolve_unit(assessment, text: str) -> str:
    units = sorted({str(u) for u in np.asarray(assessment.units).tolist()})
    text = str(text)
    if text in units:
        return text
    by_key = {}
    for u in units:
        by_key.setdefault(_key(u), []).append(u)
    if len(by_key.get(_key(text), [])) == 1:
        return by_key[_key(text)][0]
    aliases = _aliases(assessment)
    alias_key = {}
    for name, u in aliases.items():
        alias_key.setdefault(_key(name), set()).add(u)
    if len(alias_key.get(_key(text), ())) == 1:
        return next(iter(alias_key[_key(text)]))
    candidates = {u: u for u in units}
    candidates.update({name: f"{name} ({u})" for name, u in aliases.items()})
    close = _near(text, list(candidates))
    shown = compose(", ".join(units[:8]),
                    M("hint.units_more", n=len(units)) if len(units) > 8 else "")
    raise DataError(M("unit_profile.unit_not_panel", text=text),
                    where=str(assessment.panel.source or "panel"),
                    fix=suggest([candidates[c] for c in close],
                                M("hint.units_in_panel", units=shown)))


def _near(text: str, candidates: list[str], n: int = 6, cutoff: float = 0.5) -> list[str]:
    """The closest candidates by difflib's ratio (case-insensitive), best first, ties in
    alphabetical order."""
    key = text.casefold()
    scored = []
    for c in candidates:
        ratio = difflib.SequenceMatcher(None, key, c.casefold()).ratio()
        if ratio >= cutoff:
            scored.append((-ratio, c))
    return [c for _, c in sorted(scored)[:n]]


def _tree(fw) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []

    def walk(node: str, depth: int) -> None:
        out.append((node, depth))
        for child in fw.children(node):
            if not fw.is_indicator(child):
                walk(child, depth + 1)
    walk(ROOT, 0)
    return out


def _signed(v: float, fmt: str = "{:+.2f}") -> str:
    return "–" if v is None or not np.isfinite(v) else fmt.format(v)


def render_profile(a, d, unit: str, year: int | None, lang: str) -> str:
    if lang not in TEXT:
        raise DataError(M("unit_profile.unknown_language", lang_=lang), fix=M("unit_profile.unknown_language.fix"))
    T = TEXT[lang]
    fw = a.framework
    table = d.table
    mine = table[table["unit"] == unit]
    unit_years = sorted(int(y) for y in mine["year"].unique())
    frequency = getattr(a, "frequency", "year")

    def show(key) -> str:   # a year as it is; a sub-annual period by its label
        return str(period_labels([int(key)], frequency, lang)[0]) if frequency != "year" \
            else str(int(key))

    if year is not None and frequency != "year":   # a year: its last period of the unit
        year = max([k for k in unit_years if k // PER_YEAR[frequency] == int(year)],
                   default=year)
    if year is None:
        year = unit_years[-1]
    elif int(year) not in unit_years:
        raise DataError(M("unit_profile.unit_has_no_data", unit=unit, year=year),
                        fix=M("hint.years_of_unit", years=", ".join(map(str, unit_years))))
    year = int(year)
    panel_years = sorted(int(y) for y in np.unique(a.years))
    # the calendar year before (never bridged across a year the panel lacks)
    prev_year = year - 1 if year - 1 in panel_years else None
    now = mine[mine["year"] == year].set_index("indicator")
    before = mine[mine["year"] == prev_year].set_index("indicator") if prev_year else None

    def label(item: str) -> str:
        return fw.label(item, lang)

    group = str(now["group"].iloc[0]) if len(now) else ""
    glabel = fw.groups[group].name.get(lang) if group in fw.groups else group
    title = f"{fw.name.get(lang)} — {unit}" + (f" ({T['group']}: {glabel})" if glabel else "")
    lines = [f"{title}, {show(year)}", ""]

    # scores and ranks
    lines.append(T["scores"])
    year_rows = table[(table["year"] == year) & (table["kind"] == "node")]
    counts = year_rows.groupby("indicator")["value"].count()
    for node, depth in _tree(fw):
        row = now.loc[node]
        change = row["value"] - before.loc[node, "value"] if before is not None and \
            node in before.index else np.nan
        rank = row["rank"]
        rank_txt = T["rank"].format(r=int(rank), n=int(counts.get(node, 0))) \
            if pd.notna(rank) else "–"
        moved = "–"
        if before is not None and node in before.index and pd.notna(before.loc[node, "rank"]) \
                and pd.notna(rank):
            moved = _signed(float(before.loc[node, "rank"] - rank), "{:+.0f}")
        if pd.isna(row["value"]):   # e.g. every indicator of the node missing this year
            lines.append(f"  {'  ' * depth}{label(node)}: {T['no_data']}")
            continue
        lines.append(f"  {'  ' * depth}{label(node)}: {row['value']:.2f} ({_signed(change)}), "
                     f"{rank_txt} ({moved})")
    if prev_year is None:
        lines.append(f"  ({T['first'] if year == panel_years[0] else T['gap'].format(year=period_labels([year - 1], frequency, lang)[0])})")
    elif before is None or before.empty:   # the panel has the year, this unit has not
        lines.append(f"  ({T['unit_gap'].format(year=show(prev_year))})")

    # lights by dimension
    head = T["light_head"]
    lines += ["", f"{T['lights']} ({' / '.join(head)})"]
    lights = d.lights[(d.lights["unit"] == unit) & (d.lights["year"] == year)
                      ].set_index("node")
    inds = now[now["kind"] == "indicator"]
    for node, depth in _tree(fw):
        r = lights.loc[node]
        name = T["total"] if node == ROOT else label(node)
        reds = [label(i) for i in inds.index[inds["light"] == "red"]
                if node == ROOT or i in fw.indicators_under(node)]
        extra = f"  {T['reds']}: {', '.join(reds)}" if reds and node != ROOT else ""
        lines.append(f"  {'  ' * depth}{name}: {r['green']} / {r['yellow']} / {r['red']} / "
                     f"{r['not_judged']}{extra}")

    # obstacles
    lines += ["", T["obstacles"]]
    obs = d.obstacles[(d.obstacles["unit"] == unit) & (d.obstacles["year"] == year)]
    if obs.empty:
        lines.append(f"  {T['none']}")
    for _, r in obs.iterrows():
        dim = _dimension(fw, r["indicator"])
        lines.append(f"  {r['order']}. {label(r['indicator'])} ({label(dim)}): "
                     f"{r['obstacle']:.1%}")
    lines += ["", T["dim_obstacles"]]
    shares = [f"{label(q)} {now.loc[q, 'obstacle']:.1%}" for q in fw.first_level
              if pd.notna(now.loc[q, "obstacle"])]
    lines.append("  " + ("; ".join(shares) if shares else T["none"]))

    # strengths and weaknesses
    sw = d.strengths[(d.strengths["unit"] == unit) & (d.strengths["year"] == year)]
    # "rank r of n": n = the units with a value for that indicator in the year
    year_inds = table[(table["year"] == year) & (table["kind"] == "indicator")]
    with_data = year_inds.groupby("indicator")["value"].count()
    for kind, head_key in (("strength", "strengths"), ("weakness", "weaknesses")):
        lines += ["", T[head_key]]
        part = sw[sw["kind"] == kind]
        if part.empty:
            lines.append(f"  {T['none']}")
        for _, r in part.iterrows():
            unit_txt = fw.indicator(r["indicator"]).unit.get(lang)
            rank_txt = T["rank"].format(r=int(r["rank"]), n=int(with_data[r["indicator"]]))
            lines.append(f"  {label(r['indicator'])}: {rank_txt}, "
                         f"{T['value']} {r['value']:g}{(' ' + unit_txt) if unit_txt else ''}")

    # alerts: the chosen year's alerts in full; earlier ones only counted (they were shown then)
    lines += ["", T["alerts"]]
    mine_al = d.alerts[d.alerts["unit"] == unit]
    al = mine_al[mine_al["year"] == year]
    earlier = mine_al[mine_al["year"] < year]
    if al.empty:
        lines.append(f"  {T['none']}")
    msg_col = "message_zh" if lang == "zh" else "message_en"
    for _, r in al.iterrows():
        rule = T["rules"].get(r["rule"], r["rule"])
        lines.append(f"  [{show(r['year'])}] {rule}: {r[msg_col]}")
    if not earlier.empty:
        first, last = show(earlier["year"].min()), show(earlier["year"].max())
        span = first if first == last else f"{first}–{last}"
        if lang == "zh" and frequency == "year":
            span += "年"
        elif lang == "zh":
            span = "至".join(dict.fromkeys(period_labels(
                [earlier["year"].min(), earlier["year"].max()], frequency, "zh")))
        lines.append("  " + T["earlier"].format(n=len(earlier), span=span))
    if not d.decomposable:
        lines += ["", T["not_decomposable"]]
    return "\n".join(lines)


def _dimension(fw, item: str) -> str:
    """The first-level node above ``item`` (the item itself for a top-level one)."""
    while fw.parent_of(item) != ROOT:
        item = fw.parent_of(item)
    return item
