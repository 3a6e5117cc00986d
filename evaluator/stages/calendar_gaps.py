"""What a gap on the calendar does to the results, said in English and Chinese.

Year-over-year quantities (``rank_change``, ``contribution_change``, rank drops) compare a
period with the calendar period before it, and "N in a row" rules (``bottom_k_consecutive``,
yellow-card talks) count calendar periods (issue 9, issue 14): a missing period is never
bridged. These findings name every gap so that an empty change or a broken run is never
a surprise; ``validate`` lists them and the manifest carries them as warnings. The words
are the catalogue's (``gaps.*`` in ``evaluator/messages/bulletin.yaml``).
"""
from __future__ import annotations

import numpy as np

from ..methods.calendar import panel_gaps, unit_gaps
from ..i18n import bilingual, t
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
    ``{code, en, zh, fix_en, fix_zh, subject}`` (texts from the catalogue, each language
    with its own period labels)."""
    keys = np.asarray(keys).astype(np.int64)
    one, many, zh_unit = UNIT_NAMES[frequency]
    words = {"en": (one, many), "zh": (("年份",) * 2 if frequency == "year"
                                       else (zh_unit.lstrip("个"),) * 2)}

    def label(key, lang):
        return str(period_labels([key], frequency, lang)[0])

    def both(code, key, subject, **per_lang):
        found = {"code": code, "subject": subject}
        for lang in ("en", "zh"):
            params = {name: make(lang) for name, make in per_lang.items()}
            params.update(period=words[lang][0], periods=words[lang][1])
            found[lang] = t(key, lang, **params)
            found[f"fix_{lang}"] = t(f"{key}.fix", lang, **params)
        return found

    out = []
    for first, last in _runs(panel_gaps(keys)):
        out.append(both("calendar_gap", "gaps.panel",
                        {"periods": span_text(first, last, frequency)},
                        missing=lambda lang, a=first, b=last: span_text(a, b, frequency,
                                                                        lang),
                        before=lambda lang, k=first - 1: label(k, lang),
                        after=lambda lang, k=last + 1: label(k, lang)))
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
            tail = t("gaps.more", lang, n=more if lang == "en" else len(per_unit)) \
                if more > 0 else ""
            return ("、" if lang == "zh" else ", ").join(parts) + tail

        out.append(both("unit_calendar_gap", "gaps.units", {"units": list(per_unit)},
                        n=lambda lang: len(per_unit), listing=listing))
    return out


def gap_warnings(units, keys, frequency: str = "year") -> list[str]:
    """The findings as warnings for ``assessment.warnings`` (the manifest, the CLI): in
    the current language (:func:`evaluator.i18n.get_lang`), as the other warnings are."""
    # a Msg: its text in the current language, rendered again in the report's language
    return [bilingual(f"{f['en']}; {f['fix_en']}", f"{f['zh']}；{f['fix_zh']}")
            for f in gap_findings(units, keys, frequency)]
