"""Reports people read (issue 6): one self-contained HTML file, a formatted workbook and
a Markdown summary of an :class:`~evaluator.model.assessment.Assessment`.

    bundle = build_report(assessment, lang="zh", year=2024, rank_intervals=frame)
    write_html(bundle, "out/report.html")
    write_report(assessment, "out/", lang="zh")     # report.html, report.xlsx, report.md

Templates, stylesheet, script and the en/zh messages live in ``reports/`` (see
:func:`evaluator.resources.reports_dir`). No method logic here: the numbers come from
the assessment and its diagnosis; this package selects, formats and draws them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..output import prepare_out_dir, write_text
from .build import build_report
from .bundle import ReportBundle
from .html import render_html, write_html
from .markdown import render_markdown, write_markdown
from .xlsx import write_xlsx_report

REPORT_FILES = ("report.html", "report.xlsx", "report.md")


def write_report(assessment, out_dir: str | Path, *, lang: str = "en", year: int | None = None,
                 rank_intervals: pd.DataFrame | None = None,
                 sensitivity_summary: dict | None = None) -> list[Path]:
    """Build the report once and write ``report.html``, ``report.xlsx`` and ``report.md``
    into ``out_dir`` (each atomically). Returns the paths written."""
    bundle = build_report(assessment, lang=lang, year=year, rank_intervals=rank_intervals,
                          sensitivity_summary=sensitivity_summary)
    out = prepare_out_dir(Path(out_dir))
    html = render_html(bundle)   # render everything before the first file is replaced
    md = render_markdown(bundle)
    write_text(html, out / "report.html")
    write_xlsx_report(bundle, out / "report.xlsx")
    write_text(md, out / "report.md")
    return [out / name for name in REPORT_FILES]


__all__ = ["ReportBundle", "build_report", "write_report", "write_html", "write_xlsx_report",
           "write_markdown", "render_html", "render_markdown", "REPORT_FILES"]
