"""``report.md``: the main findings and the ranking table, for pasting into documents.

Text from the inputs is escaped for Markdown (a backslash before every character that
Markdown could read as markup or HTML), so a unit named ``<script>…</script>`` stays
text in any Markdown viewer.
"""
from __future__ import annotations

import re
from pathlib import Path

from .publish import write_atomically
from . import fmt, ranking
from .disparity_section import disparity_markdown
from .intervals import provenance

_MARKUP = re.compile(r"([\\`*_\[\]<>#|~&])")
_LINE_START = re.compile(r"^([-+=!:>])")
_ORDERED = re.compile(r"^(\d+)([.)])")


def md_escape(text: object) -> str:
    """Markdown-inert text: characters that start emphasis, links, HTML, entities or
    table cells are backslash-escaped, and so is a first character that could start a
    list, heading or quote; line breaks are flattened."""
    s = " ".join(str(text).split())
    s = _MARKUP.sub(r"\\\1", s)
    return _ORDERED.sub(r"\1\\\2", _LINE_START.sub(r"\\\1", s))


def _units(bundle, items, with_score: bool = True) -> str:
    """Units by their name in the report's language (``unit_en``/``unit_zh``, else id)."""
    return ", ".join(f"{md_escape(bundle.unit_name(r['unit']))} ({fmt.num(r['score'])})"
                     if with_score else md_escape(bundle.unit_name(r["unit"])) for r in items)


def render_markdown(bundle) -> str:
    t, f = bundle.t, bundle.findings
    title = bundle.framework.name.get(bundle.lang)
    lines = [f"# {md_escape(title)} — {t('report.title')} {bundle.year}", ""]
    if bundle.synthetic:
        lines += [f"> **{t('synthetic.title')}** {t('synthetic.text')}", ""]
    lines += [t("report.subtitle", year=bundle.year, units=len(bundle.ranking),
                indicators=len(bundle.assessment.ids)), ""]
    lines += [f"## {t('findings.title')}", ""]
    top = f["top"].to_dict(orient="records")
    bottom = f["bottom"].to_dict(orient="records")
    lines.append(f"- **{t('findings.top')}**: {_units(bundle, top)}")
    lines.append(f"- **{t('findings.bottom')}**: {_units(bundle, bottom)}")
    lines.append(f"- **{t('findings.median', year=bundle.year)}**: {fmt.num(f['median'])}")
    if bundle.previous_year is not None:
        up = ", ".join(f"{md_escape(bundle.unit_name(r['unit']))} "
                       f"({fmt.signed(r['rank_change'], 0)})"
                       for r in f["up"].to_dict(orient="records")) or t("none")
        down = ", ".join(f"{md_escape(bundle.unit_name(r['unit']))} "
                         f"({fmt.signed(r['rank_change'], 0)})"
                         for r in f["down"].to_dict(orient="records")) or t("none")
        lines.append(f"- **{t('findings.up', year=bundle.previous_year)}**: {up}")
        lines.append(f"- **{t('findings.down', year=bundle.previous_year)}**: {down}")
        if len(f["not_compared"]):   # no rank the year before: a gap never bridged
            lines.append(f"- **{t('numbers.not_compared', year=bundle.previous_year)}**: "
                         + _units(bundle, f["not_compared"].to_dict(orient="records"), False))
    elif bundle.year != bundle.years[0]:
        lines.append(f"- {t('gap_year', year=bundle.year, previous=bundle.year - 1)}")
    counts = [f"{t(f'rule.{r}')} {c}" for r, c in f["alert_counts"].items() if c]
    lines.append(f"- **{t('findings.alerts')}**: " + ("; ".join(counts) if counts else t("none")))
    talks = bundle.alerts[bundle.alerts["rule"].isin(["bottom_k_consecutive",
                                                      "yellow_card_talks"])]
    if not talks.empty:
        lines.append(f"- **{t('findings.talks')}**: "
                     + ", ".join(md_escape(bundle.unit_name(u))
                                 for u in dict.fromkeys(talks["unit"].astype(str))))
    iv = bundle.intervals
    if iv is None:
        lines.append(f"- **{t('robustness.title')}**: {t('robustness.not_run')} "
                     f"(`evaluator sensitivity …`)")
    elif iv.empty:
        lines.append(f"- **{t('robustness.title')}**: {t('robustness.no_year', year=bundle.year)}")
    else:
        width = (iv["p95"] - iv["p05"])
        outside = int(((iv["nominal_rank"] < iv["p05"]) | (iv["nominal_rank"] > iv["p95"])).sum())
        lines.append(f"- **{t('robustness.title')}**: " + t(
            "robustness.summary", n=len(iv), median=fmt.num(width.median(), 1),
            max=fmt.num(width.max(), 1), outside=outside))
    run = provenance(bundle)
    if run is not None:
        lines.append("  " + t("robustness.source", file=md_escape(run["file"]),
                              seed=md_escape(run["seed"]),
                              samples=md_escape(run["samples"])))
    lines += ["", f"## {t('ranking.title', year=bundle.year)}", ""]
    lines += _ranking_table(bundle)
    lines += disparity_markdown(bundle, md_escape)
    warnings = bundle.manifest.get("warnings") or []
    if warnings:     # what the run warned of travels with every form of the report
        lines += ["", f"## {t('markdown.warnings')}", ""]
        lines += [f"- {md_escape(bundle.t.local(w))}" for w in warnings]
    from . import report_names
    html, xlsx, _ = report_names(bundle.year, bundle.lang)
    lines += ["", f"_{t('markdown.footer', version=bundle.manifest['version'], html=html, xlsx=xlsx)}_",
              ""]
    return "\n".join(lines)


def _ranking_table(bundle) -> list[str]:
    t = bundle.t
    cols = [c for c in ranking.columns(bundle) if c["kind"] != "node_rank"]
    alerts = ranking.alerts_by_unit(bundle)
    classes = ranking.class_labels(bundle)
    head = [md_escape(c["label"]) for c in cols]
    out = ["| " + " | ".join(head) + " |",
           "| " + " | ".join("---:" if c["num"] else "---" for c in cols) + " |"]
    for rec in bundle.ranking.to_dict(orient="records"):
        cells = []
        for c in cols:
            kind = c["kind"]
            v = None if kind == "alerts" else rec.get(c["col"])
            if kind == "unit":
                cells.append(md_escape(bundle.unit_name(v)))
            elif kind == "group":
                cells.append(md_escape(bundle.group_label(v)))
            elif kind == "alerts":
                cells.append(" ".join(m["short"] for m in alerts.get(str(rec["unit"]), [])))
            elif kind == "coordination_class":
                cells.append(md_escape(classes.get(str(v), "")) if isinstance(v, str) else "")
            elif kind == "coordination_D":
                cells.append(fmt.num(v, 3))
            elif kind == "rank_change":
                cells.append(fmt.signed(v, 0))
            elif kind == "rank":
                cells.append(fmt.integer(v))
            else:
                cells.append(fmt.num(v))
        out.append("| " + " | ".join(cells) + " |")
    legend = " · ".join(f"{t(f'rule_short.{r}')} = {t(f'rule.{r}')}" for r in
                        ("bottom_k_consecutive", "yellow_card", "yellow_card_talks", "rank_drop"))
    out += ["", f"{t('ranking.badges')} {legend}"]
    return out


def write_markdown(bundle, path: str | Path) -> Path:
    text = render_markdown(bundle)
    return write_atomically(path, lambda p: p.write_text(text, encoding="utf-8"))
