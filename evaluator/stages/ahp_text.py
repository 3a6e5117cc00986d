"""How an AHP analysis is shown: the JSON list of DESIGN.md §4 and a readable report in
English or Chinese (the tables yaahp and SPSSAU users know: priorities, λmax, CI, RI, CR,
verdict; then the global weights and the hierarchy's consistency ratio)."""
from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING, Any
from ..i18n import localise, words

if TYPE_CHECKING:  # pragma: no cover
    from ..methods.ahp_repair import RevisionHint
    from .ahp_weights import AHPAnalysis, MatrixAnalysis



def _number(value: float | None) -> float | None:
    return None if value is None else float(value)


def matrix_json(m: "MatrixAnalysis") -> dict[str, Any]:
    r = m.result
    return {
        "node": m.node, "items": list(m.items), "priorities": [float(p) for p in r.priorities],
        "lambda_max": float(r.lambda_max), "ci": float(r.ci), "ri": float(r.ri),
        "cr": float(r.cr), "consistent": bool(r.consistent),
        "method": r.method, "ri_table": r.ri_table, "ri_source": r.ri_source,
        "max_cr": float(r.max_cr), "pooling": m.pooling, "consistency_of": m.consistency_of,
        "experts": [{"name": e.name, "weight": e.weight, "cr": _number(e.cr),
                     "consistent": e.consistent,
                     "priorities": None if e.priorities is None else [float(p) for p in e.priorities]}
                    for e in m.experts],
        "completed": [{"row": a, "column": b, "value": v} for a, b, v in m.completed]
        + [{"expert": e, "row": a, "column": b, "value": v} for e, a, b, v in m.completed_by_expert],
        "revisions": [{"row": h.row_item, "column": h.column_item, "current": h.current,
                       "suggested": h.suggested, "suggested_raw": h.suggested_raw,
                       "deviation": h.deviation, "cr_before": h.cr_before, "cr_after": h.cr_after,
                       "by_expert": [{"expert": name, "value": value} for name, value in h.by_expert]}
                      for h in m.hints],
    }


def analysis_json(a: "AHPAnalysis") -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [matrix_json(m) for m in a.matrices.values()]
    c = a.consistency
    out.append({
        "global_weights": {k: float(v) for k, v in a.global_weights.items()},
        "node_weights": {k: float(v) for k, v in a.node_weights.items()},
        "cr_total": None if c is None else float(c.overall),
        "cr_by_level": {} if c is None else {str(k): float(v) for k, v in c.by_level.items()},
        "consistent": bool(a.consistent and (c is None or c.consistent)),
        "equal_weight_nodes": list(a.equal_weight_nodes), "notes": list(a.notes),
        "file": a.judgements.source,
    })
    return out


def _label(a: "AHPAnalysis", item: str, lang: str) -> str:
    if a.framework is None:
        return ""
    try:
        return a.framework.label(item, lang)
    except KeyError:
        return ""


def _width(text: str) -> int:
    """Columns the text takes in a terminal: Chinese characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _table(rows: list[list[str]], indent: str = "  ") -> list[str]:
    widths = [max(_width(r[k]) for r in rows) for k in range(len(rows[0]))]
    return [indent + "  ".join(cell + " " * (w - _width(cell))
                               for cell, w in zip(row, widths)).rstrip()
            for row in rows]


def threshold_text(value: float) -> str:
    """A CR threshold as Saaty writes it: 0.10."""
    return f"{value:.2f}" if round(value, 2) == value else f"{value:g}"


def scale_text(value: float) -> str:
    """A judgement as an expert writes it: 3, 1/3, or 2.47 for a value off the scale."""
    if value >= 1:
        return f"{value:g}" if abs(value - round(value)) > 1e-9 else str(int(round(value)))
    inverse = 1 / value
    return f"1/{int(round(inverse))}" if abs(inverse - round(inverse)) < 1e-9 else f"{value:.3g}"


def written_text(h: "RevisionHint", lang: str = "en") -> str:
    """Who wrote what for a hinted pair: "E1 wrote 9, E2 wrote 7 (pooled 7.94)" on a group
    matrix, "now 3" on a single expert's."""
    w = words("ahp.text", lang)
    if not h.by_expert:
        return f"{w['now']} {scale_text(h.current)}"
    text = ", ".join(f"{name} {w['blank']}" if value is None else f"{name} {w['wrote']} {scale_text(value)}"
                     for name, value in h.by_expert)
    return text + (f" ({w['pooled_value']} {h.current:.3g})" if len(h.by_expert) > 1 else "")


def hint_text(h: "RevisionHint") -> str:
    """A hint for an error message: "E1 wrote 9, E2 wrote 7 (pooled 7.94); a value near 4"."""
    return f"{written_text(h)}; a value near {scale_text(h.suggested)}"


def _matrix_text(a: "AHPAnalysis", m: "MatrixAnalysis", w: dict[str, str], lang: str) -> list[str]:
    r = m.result
    head = f"[{m.node}] {_label(a, m.node, lang)}".rstrip()
    if m.pooling != "single":
        head += f"  ({len(m.experts)} {w['experts']}, {m.pooling.upper()})"
    lines = [head]
    rows = [[w["item"], w["name"], w["priority"]]]
    rows += [[item, _label(a, item, lang), f"{p:.4f}"] for item, p in zip(m.items, r.priorities)]
    lines += _table(rows)
    verdict = w["ok"] if r.consistent else w["bad"]
    sign = "<" if r.consistent else "≥"
    lines.append(f"  λmax = {r.lambda_max:.4f}   CI = {r.ci:.4f}   RI = {r.ri:.4f}   "
                 f"CR = {r.cr:.4f}  →  {verdict} (CR {sign} {threshold_text(r.max_cr)})")
    if m.pooling == "aip":
        lines.append(f"  {w['stats_of']}: {m.consistency_of}")
    if m.pooling != "single":
        own = ", ".join(f"{e.name} {w['incomplete'] if e.cr is None else f'{e.cr:.4f}'}"
                        for e in m.experts)
        lines.append(f"  {w['own_cr']}: {own}")
    filled = [f"{x} vs {y} = {v:.4g}" for x, y, v in m.completed]
    filled += [f"{e}: {x} vs {y} = {v:.4g}" for e, x, y, v in m.completed_by_expert]
    if filled:
        lines.append(f"  {w['completed']}: " + "; ".join(filled))
    if m.hints:
        lines.append(f"  {w['revise']}:")
        for h in m.hints:
            lines.append(f"    {h.row_item} vs {h.column_item}: {written_text(h, lang)}; "
                         f"{w['agrees']} {h.suggested_raw:.3g} → {w['on_scale']} "
                         f"{scale_text(h.suggested)}; {w['after']} {h.cr_after:.4f}")
    return lines


def analysis_text(a: "AHPAnalysis", lang: str = "en") -> str:
    w = words("ahp.text", lang)
    jf = a.judgements
    lines = [f"{w['title']}: {jf.source}",
             f"{w['method']} {jf.method} · {w['table']} {jf.ri_table} · "
             f"{w['threshold']} {threshold_text(jf.max_cr)} · {w['pooled']} {jf.aggregation.upper()}", ""]
    for m in a.matrices.values():
        lines += _matrix_text(a, m, w, lang) + [""]
    if a.global_weights:
        lines.append(w["global"])
        rows = [[w["indicator"], w["name"], w["weight"]]]
        rows += [[k, _label(a, k, lang), f"{v:.4f}"] for k, v in a.global_weights.items()]
        lines += _table(rows) + [""]
    c = a.consistency
    if c is not None:
        levels = "   ".join(f"{w['level']} {k}: {v:.4f}" for k, v in c.by_level.items())
        verdict = w["ok"] if c.consistent else w["bad"]
        lines.append(f"{w['total']}: {w['overall']} CR = {c.overall:.4f} → {verdict}")
        if levels:
            lines.append(f"  {levels}")
    if a.notes:
        lines.append(f"{w['notes']}:")
        lines += [f"  - {localise(note, lang)}" for note in a.notes]
    return "\n".join(lines).rstrip() + "\n"
