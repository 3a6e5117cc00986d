"""Reports people read (issue 6): one self-contained HTML file, a formatted workbook and
a Markdown summary of an :class:`~evaluator.model.assessment.Assessment`.

    bundle = build_report(assessment, lang="zh", year=2024, rank_intervals=frame)
    write_html(bundle, "out/report.html")
    write_report(assessment, "out/", lang="zh")     # report-2024-zh.html, .xlsx, .md
    write_report(assessment, "out/", intervals_file="sens/rank_intervals.csv", tables=True)

Templates, stylesheet, script and the en/zh messages live in ``reports/`` (see
:func:`evaluator.resources.reports_dir`). No method logic here: the numbers come from
the assessment and its diagnosis; this package selects, formats and draws them.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from .build import build_report
from .bundle import ReportBundle
from .html import render_html, write_html
from .markdown import render_markdown, write_markdown
from .publish import stage_files, write_set
from .xlsx import workbook_bytes, write_xlsx_report

REPORT_KINDS = ("html", "xlsx", "md")


def report_names(year: int, lang: str) -> tuple[str, str, str]:
    """The report files of ``year`` in ``lang``: ``report-2024-zh.html``, ``.xlsx``,
    ``.md`` — named by year and language, so the Chinese and the English report (and
    several years) sit side by side in one folder."""
    return tuple(f"report-{int(year)}-{lang}.{kind}" for kind in REPORT_KINDS)


def render_report(bundle: ReportBundle) -> dict[str, bytes]:
    """The three report files' contents (name → bytes), all rendered in memory."""
    html, xlsx, md = report_names(bundle.year, bundle.lang)
    return {html: render_html(bundle).encode("utf-8"),
            xlsx: workbook_bytes(bundle),
            md: render_markdown(bundle).encode("utf-8")}


def write_bundle(bundle: ReportBundle, out_dir: str | Path, *, tables: bool = False,
                 table_format: str = "csv") -> list[Path]:
    """Write ``report-<year>-<lang>.html``, ``.xlsx`` and ``.md`` of ``bundle`` into
    ``out_dir`` as one set — with ``tables``, also the assessment's tables
    (:meth:`Assessment.to_dir`: rankings.csv …, manifest.json; ``table_format`` csv or
    parquet). Everything is rendered
    before the first file is replaced, and a file that cannot be replaced (open in
    Excel) leaves the folder as it was: an :class:`EvaluatorError` naming that file.
    Returns the report files' paths."""
    from ..model.assessment import SCORE_OUTPUTS
    files = render_report(bundle)
    assessment = bundle.assessment
    def write_tables(folder):
        return assessment.write_files(folder, table_format=table_format)
    return write_set(out_dir, files, tables=write_tables if tables else None,
                     manifest=assessment.manifest, inputs=assessment.input_paths(),
                     names=SCORE_OUTPUTS if tables else (), command="report")


def write_report(assessment, out_dir: str | Path, *, lang: str = "en", year: int | None = None,
                 rank_intervals: pd.DataFrame | None = None,
                 sensitivity_summary: dict | None = None,
                 intervals_file: str | Path | None = None, tables: bool = False,
                 table_format: str = "csv", profiles=None, geo=None,
                 geo_colour: str = "score") -> list[Path]:
    """Build the report once (:func:`build_report`) and write it (:func:`write_bundle`).
    Returns the paths of the report's .html, .xlsx and .md (:func:`report_names`)."""
    bundle = build_report(assessment, lang=lang, year=year, rank_intervals=rank_intervals,
                          sensitivity_summary=sensitivity_summary,
                          intervals_file=intervals_file, profiles=profiles, geo=geo,
                          geo_colour=geo_colour)
    return write_bundle(bundle, out_dir, tables=tables, table_format=table_format)


__all__ = ["ReportBundle", "build_report", "write_report", "write_bundle", "render_report",
           "stage_files",
           "write_html", "write_xlsx_report", "write_markdown", "render_html",
           "render_markdown", "workbook_bytes", "report_names", "REPORT_KINDS"]

# `evaluator.report(...)` is the Python function of the command (evaluator.api.report)
from ..callable_module import make_callable  # noqa: E402

make_callable(__name__)
