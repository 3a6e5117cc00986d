"""What a gap on the calendar does to the results, said in English and Chinese.

Year-over-year quantities (``rank_change``, ``contribution_change``, rank drops) compare a
period with the calendar period before it, and "N in a row" rules (``bottom_k_consecutive``,
yellow-card talks) count calendar periods (issue 9, issue 14): a missing period is never
bridged. These findings name every gap so that an empty change or a broken run is never
a surprise; ``validate`` lists them and the manifest carries them as warnings.
"""
from __future__ import annotations

import numpy as np

from ..methods.calendar import panel_gaps, unit_gaps
from ..model.period import UNIT_NAMES, period_labels, span_text

UNITS_NAMED = 10       # units named in one finding (all are counted)


def _runs(keys: np.ndarray) -> list[tuple[int, int]]:
    """Consecutive keys grouped into (first, last) runs."""
    if keys.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(keys) != 1)
    starts = np.r_[0, breaks + 1]
    ends = np.r_[breaks, keys.size - 1]
    return [(int(keys[s]), int(keys[e])) for s, e in zip(starts, ends)]


def gap_findings(units, keys, frequency: str = "year") -> list[dict]:
    """One finding per gap of the whole panel, then one for the units' own gaps:
    ``{code, en, zh, fix_en, fix_zh, subject}``."""
    keys = np.asarray(keys).astype(np.int64)
    one, many, zh_unit = UNIT_NAMES[frequency]
    zh_name = "年份" if frequency == "year" else zh_unit.lstrip("个")
    out = []
    for first, last in _runs(panel_gaps(keys)):
        missing_en, missing_zh = (span_text(first, last, frequency, lang) for lang in
                                  ("en", "zh"))
        before_en, before_zh = period_labels([first - 1], frequency, "en")[0], \
            period_labels([first - 1], frequency, "zh")[0]
        after_en, after_zh = period_labels([last + 1], frequency, "en")[0], \
            period_labels([last + 1], frequency, "zh")[0]
        out.append({
            "code": "calendar_gap",
            "en": (f"the panel has no rows for {missing_en} (between {before_en} and "
                   f"{after_en}): changes of {after_en} (rank_change, contribution_change, "
                   f"rank drops) are empty and runs of consecutive {many} "
                   f"(bottom_k_consecutive, yellow-card talks) break there"),
            "zh": (f"面板缺少{missing_zh}的数据（介于{before_zh}与{after_zh}之间）：{after_zh}"
                   f"的变化（名次变化、贡献变化、排名下滑）为空，连续{zh_name}的规则"
                   f"（连续末位、连续黄牌）在此中断"),
            "fix_en": (f"add the rows of {missing_en} if the data exist; a gap is never "
                       f"bridged ({after_en} is not compared with {before_en})"),
            "fix_zh": f"如有数据，请补充{missing_zh}的行；缺口不会被跨越（{after_zh}不与{before_zh}比较）",
            "subject": {"periods": missing_en},
        })
    names, missing = unit_gaps(np.asarray(units).astype(str), keys)
    if names.size:
        order = np.unique(names, return_index=True)[1]
        per_unit = {str(u): [] for u in names[np.sort(order)]}
        for u, k in zip(names, missing):
            per_unit[str(u)].append(int(k))
        def listing(lang):
            parts = []
            for u, ks in list(per_unit.items())[:UNITS_NAMED]:
                shown = ", ".join(span_text(a, b, frequency, lang) for a, b in
                                  _runs(np.asarray(ks)))
                parts.append(f"{u}（{shown}）" if lang == "zh" else f"{u} ({shown})")
            more = len(per_unit) - UNITS_NAMED
            tail = (f"等{len(per_unit)}个" if lang == "zh" else f", and {more} more") \
                if more > 0 else ""
            return ("、" if lang == "zh" else ", ").join(parts) + tail
        n = len(per_unit)
        out.append({
            "code": "unit_calendar_gap",
            "en": (f"{n} unit{'s lack' if n > 1 else ' lacks'} a {one} inside its own span: "
                   f"{listing('en')}; its change in the {one} after a gap is empty and its "
                   f"runs of consecutive {many} break there"),
            "zh": (f"{n}个评价对象在其数据区间内缺少{zh_name}：{listing('zh')}；缺口之后一期的"
                   f"变化为空，连续{zh_name}的计数在此中断"),
            "fix_en": (f"add these units' rows for the missing {many} if the data exist; "
                       "otherwise nothing is compared across the gap"),
            "fix_zh": "如有数据，请补充这些评价对象缺失期的行；否则不跨越缺口进行比较",
            "subject": {"units": list(per_unit)},
        })
    return out


def gap_warnings(units, keys, frequency: str = "year") -> list[str]:
    """The findings as English warnings for ``assessment.warnings`` (the manifest)."""
    return [f"{f['en']}; {f['fix_en']}" for f in gap_findings(units, keys, frequency)]
