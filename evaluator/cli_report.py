"""`evaluator report`: the HTML report, the formatted workbook and the Markdown summary
(thin: the work is in :mod:`evaluator.report`)."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .cli_common import data_options, load_inputs, user_errors
from .errors import DataError

EPILOG = """\b
Examples:
  evaluator report -f resource_city_transition -d panel.csv --out report-2024/
  evaluator report -f resource_city_transition -d panel.csv --lang zh --year 2023 --out out/
  evaluator sensitivity -f my_index.yaml -d panel.csv --out sens/
  evaluator report -f my_index.yaml -d panel.csv --intervals sens/rank_intervals.csv --out out/
"""


def read_intervals(path: str | None):
    """The ``rank_intervals.csv`` of `evaluator sensitivity` (checked by the report) and
    the ``sensitivity.json`` beside it, if there is one."""
    if path is None:
        return None, None
    import pandas as pd
    try:
        frame = pd.read_csv(path, encoding="utf-8-sig", dtype={"unit": str})
    except (ValueError, pd.errors.ParserError) as exc:
        raise DataError(f"cannot read the rank intervals ({exc})", where=str(path),
                        fix="pass the rank_intervals.csv written by `evaluator sensitivity`"
                        ) from None
    summary = None
    beside = Path(path).with_name("sensitivity.json")
    if beside.is_file():
        try:
            summary = json.loads(beside.read_text(encoding="utf-8"))
        except ValueError:
            summary = None   # the intervals alone are enough
        if not isinstance(summary, dict):
            summary = None
    return frame, summary


@click.command(epilog=EPILOG)
@data_options
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for report.html, report.xlsx and report.md (and the score "
                   "tables: rankings.csv, …, manifest.json).")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True,
              help="Language of the report.")
@click.option("--year", type=int, default=None,
              help="Year of the ranking and the profiles (default: the latest).")
@click.option("--intervals", "intervals", type=click.Path(dir_okay=False, exists=True),
              default=None, help="rank_intervals.csv from `evaluator sensitivity`: adds the "
                                 "robustness section (rank intervals).")
@user_errors
def report(framework, data, recipe, encoding, sheet, out, lang, year, intervals):
    """Write the report of an assessment: one self-contained HTML file, a formatted
    Excel workbook and a Markdown summary.

    The HTML file opens from disk without network access: overview, ranking table,
    charts, a profile for every unit and a methods appendix that traces each number to
    the weights, formulas and input files.
    """
    from .evaluate import evaluate
    from .report import build_report, write_html, write_markdown, write_xlsx_report

    fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
    result = evaluate(fw, panel, rc)
    frame, summary = read_intervals(intervals)
    bundle = build_report(result, lang=lang, year=year, rank_intervals=frame,
                          sensitivity_summary=summary)
    result.to_dir(out)
    out_dir = Path(out)
    write_html(bundle, out_dir / "report.html")
    write_xlsx_report(bundle, out_dir / "report.xlsx")
    write_markdown(bundle, out_dir / "report.md")
    if bundle.synthetic:
        click.echo("SYNTHETIC DEMO DATA — invented values, no real city.", err=True)
    click.echo(f"wrote {out_dir}/report.html, report.xlsx, report.md "
               f"({len(bundle.ranking)} units, {bundle.year})")
