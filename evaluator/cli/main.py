"""The `evaluator` command line: thin click commands, no method logic.

Exit codes: 0 ok, 1 a check failed (e.g. `validate` found errors), 2 bad usage or
unreadable input. A user error prints a message, never a traceback.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .. import __version__
from .common import (add_lang_options, data_options, lang_option, load_inputs, output_set,
                     print_frame, user_errors)
from .progress import Steps, quiet_option
from ..errors import EvaluatorError
from ..i18n import M, get_lang, t

TABLE_ROWS = 10     # rows of the ranking a table shows without --top

EPILOG_SCORE = """\b
Examples:
  evaluator score --framework resource_city_transition --data panel.csv --out results/
  evaluator score --framework my_index.yaml --data 面板.xlsx --sheet 2024 --recipe recipe.yaml
"""


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="evaluator")
def main():
    """Composite evaluation indices for third-party assessment.

    \b
    Define an indicator framework (YAML), load a yearly panel (CSV/XLSX), then
    normalise → weight → aggregate → rank, with every number traceable.
    Start with:  evaluator demo --out demo-output
    """
    from .._startup import restore
    restore()     # from here SIGINT/SIGTERM clean up an output set, then exit 130/143


@main.command(epilog=EPILOG_SCORE)
@data_options
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for rankings.csv, nodes.csv, indicators.csv, weights.csv, "
                   "manifest.json and rankings.xlsx.")
@click.option("--year", type=int, default=None, help="Year to print (default: the latest).")
@click.option("--top", type=click.IntRange(min=1), default=None,
              help="Rows to print, in every format (default: 10 in the table, all in csv "
                   "and json).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the ranking.")
@click.option("--report", "report_lang", type=click.Choice(["en", "zh"]), default=None,
              help="Also write report-YEAR-LANG.html, .xlsx and .md to --out, in this "
                   "language.")
@click.option("--publish", "publish", is_flag=True,
              help="Also publish the --out folder as a round (its latest year) into --db.")
@click.option("--db", "db", default=None, metavar="URL|FILE",
              help="Database of published rounds for --publish and --against-published "
                   "(default: $EVALUATOR_DB, else ./evaluator.db).")
@click.option("--against-published", "against", is_flag=True,
              help="Read the past as published: rank changes and the alert rules use the "
                   "score and rank of each earlier year from the latest valid round that "
                   "published it (recorded in manifest.json).")
@click.option("--tables", "table_format", type=click.Choice(["csv", "parquet"]),
              default="csv", show_default=True,
              help="Format of the output tables: csv (UTF-8 with BOM, for Excel) or parquet "
                   "(typed columns, for databases and dataframes).")
@user_errors
def score(framework, data, recipe, encoding, sheet, out, year, top, fmt, report_lang, publish,
          db, against, table_format):
    """Score a panel on a framework: every unit and year, ranked.

    Runs the recipe (framework's own, or --recipe) and prints the head of the ranking of
    one year; with --out writes the full tables.
    """
    from ..evaluate import evaluate

    if report_lang and not out:
        raise EvaluatorError(M("cli.score.report_needs_out"),
                             fix=M("cli.score.report_needs_out.fix"))
    if publish and not out:
        raise EvaluatorError(M("store.score.publish_needs_out"),
                             fix=M("store.score.publish_needs_out.fix"))
    if publish and table_format != "csv":
        raise EvaluatorError(M("cli.score.publish_needs_csv"),
                             fix=M("cli.score.publish_needs_csv.fix"))
    steps = [t("progress.read"), t("progress.score"), t("progress.write_tables")]
    if report_lang:
        steps[-1] = t("progress.write_report")
    from ..model.assessment import SCORE_OUTPUTS
    names = None
    # the output set is opened before any work: a folder holding an input, a file the
    # tool did not write or another run is refused at once (see evaluator.output_set)
    with output_set(out, "score", SCORE_OUTPUTS, [framework, data, recipe]) as outputs, \
            Steps(steps if out else steps[:-1]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        progress.next()
        result = evaluate(fw, panel, rc)
        if against:
            from .store import read_published
            read_published(result, db)
        year = _check_year(result, year)
        progress.next()
        if report_lang:  # tables and report written as one set: all or nothing
            from ..report import build_report, render_report, stage_files
            files = render_report(build_report(result, lang=report_lang, year=year))
            stage_files(outputs.folder, files, lambda folder: result.write_files(
                folder, table_format=table_format))
            names = list(files)
        elif out:
            result.write_files(outputs.folder, table_format=table_format)
        if outputs is not None:
            outputs.manifest = result.manifest
    _report_run(result, out, year, top, fmt, written=not report_lang,
                table_format=table_format)
    if names and fmt == "table":
        click.echo(t("cli.score.wrote_with_report", out=out, html=names[0], xlsx=names[1],
                     md=names[2]))
    if publish:
        from .store import publish_folder
        publish_folder(out, db)


def _in_words(result, shown):
    """In Chinese, the printed table's groups and coordination classes by their Chinese
    names (the files keep the ids and English classes)."""
    lang = get_lang()
    if lang != "zh":
        return shown
    words = {}
    if "group" in shown.columns:
        words["group"] = {g: grp.name.get(lang) for g, grp in result.framework.groups.items()}
    c = result.coordination
    if "coordination_class" in shown.columns and c is not None:
        words["coordination_class"] = dict(zip(c.class_en, c.class_zh))
    return shown.assign(**{col: shown[col].map(lambda v, m=m: m.get(v, v))
                           for col, m in words.items()})


def _check_year(result, year: int | None) -> int:
    """The year to print: the latest by default; a year not in the data is an error."""
    years = sorted(int(y) for y in result.rankings["year"].unique())
    if year is None:
        return years[-1]
    if year not in years:
        raise EvaluatorError(M("cli.score.year_not_data", year=year),
                             fix=M("cli.score.year_not_data.fix",
                                   years=", ".join(map(str, years))))
    return year


def _report_run(result, out, year, top, fmt, *, written: bool = True,
                table_format: str = "csv") -> None:
    """Print the ranking of ``year`` (the tables are already written to ``out``)."""
    table = result.rankings
    if result.manifest["synthetic_demo_data"] and fmt == "table":
        click.echo(t("cli.score.synthetic"), err=True)
    shown = table[table["year"] == year]
    if "period" in shown.columns:   # a sub-annual panel: the year's latest period
        year = sorted(shown["period"].unique())[-1]
        shown = shown[shown["period"] == year]
    rows = top if top is not None else (TABLE_ROWS if fmt == "table" else None)
    if fmt == "table":
        listed = min(rows, len(shown))
        heading = t("cli.score.heading", name=result.framework.name, year=year,
                    units=shown["unit"].nunique(), top=listed)
        if listed < len(shown):
            heading += " " + (t("cli.all_in", path=Path(out) / "rankings.csv") if out else
                              t("cli.all_with_csv", file="rankings.csv"))
        click.echo(heading)
        shown = _in_words(result, shown)
    print_frame(shown, fmt, max_rows=rows)
    if fmt == "table":
        for w in result.warnings:
            click.echo(t("warning.line", message=w), err=True)
        if out and written:
            from ..i18n import Listing
            names = Listing(f"{n}.{table_format}" for n in result.table_names())
            click.echo(t("cli.score.wrote", out=out, names=names))


@main.command(epilog="\b\nExample:\n  evaluator demo --out demo-output")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default="demo-output",
              show_default=True, help="Folder for the output tables.")
@click.option("--framework", "-f", "framework", default="resource_city_transition",
              show_default=True, help="Built-in framework to score the demo panel on.")
@click.option("--year", type=int, default=None, help="Year to print (default: the latest).")
@click.option("--top", type=click.IntRange(min=1), default=TABLE_ROWS, show_default=True,
              help="Rows to print.")
@quiet_option
@click.option("--tables", "table_format", type=click.Choice(["csv", "parquet"]),
              default="csv", show_default=True,
              help="Format of the output tables: csv (UTF-8 with BOM, for Excel) or parquet "
                   "(typed columns, for databases and dataframes).")
@user_errors
def demo(out, framework, year, top, table_format):
    """Score the bundled demo panel (262 synthetic cities × 2016–2025).

    The demo data are invented (示例市001 … / Demo City 001 …): no real city is meant.
    """
    from ..evaluate import evaluate, default_recipe
    from ..model.framework import load_framework
    from ..model.panel import load_panel
    from ..resources import demo_panel_path

    fw = load_framework(framework)
    _check_demo_carries(fw, demo_panel_path())
    from ..model.assessment import SCORE_OUTPUTS
    with output_set(out, "demo", SCORE_OUTPUTS, [fw.source, demo_panel_path()]) as outputs, \
            Steps([t("progress.read_demo"), t("progress.score"),
                   t("progress.write_tables")]) as progress:
        panel = load_panel(demo_panel_path(), fw)
        progress.next()
        result = evaluate(fw, panel, default_recipe(fw))
        year = _check_year(result, year)
        progress.next()
        result.write_files(outputs.folder, table_format=table_format)
        outputs.manifest = result.manifest
    _report_run(result, out, year, top, "table", table_format=table_format)


def _check_demo_carries(fw, path) -> None:
    """Refuse, before any work, a framework whose indicators the demo panel lacks."""
    from ..model.framework import list_builtin, load_framework

    header = set(path.read_text(encoding="utf-8").split("\n", 1)[0].split(","))

    def lacking(framework):
        return [i.id for i in framework.indicators if i.id not in header]

    missing = lacking(fw)
    if missing:
        carried = [n for n in list_builtin() if not lacking(load_framework(n))]
        raise EvaluatorError(
            M("cli.demo.not_carried", id=fw.id,
              missing=", ".join(missing[:5]) + (" …" if len(missing) > 5 else "")),
            where="--framework",
            fix=M("cli.demo.not_carried.fix", carried=", ".join(carried), id=fw.id))


@main.command(epilog="\b\nExamples:\n  evaluator validate -f resource_city_transition -d panel.csv\n"
                     "  evaluator validate -f hdi -d hdi.csv --format json")
@data_options
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True)
@lang_option
@user_errors
def validate(framework, data, recipe, encoding, sheet, fmt, lang):
    """Check a panel against a framework: coverage, constant columns, outliers.

    Checks the values as the pipeline scores them (divided by their denominators, logged
    where the framework says so). Exits 1 when errors are found — an indicator or unit
    without any data, a constant indicator, values that would stop scoring (a log of a
    value ≤ 0, a zero or missing denominator) — 0 otherwise.
    """
    from ..quality import quality_report

    with Steps([t("progress.read"), t("progress.check")]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        progress.next()
        report = quality_report(panel, fw, denominate=rc.denominate,
                                dropped=rc.screen["drop_indicators"])
    if fmt == "json":
        click.echo(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        click.echo(report.to_text(lang=lang))
    if report.has_errors:
        sys.exit(1)


# the other commands live in their own modules (registered here)
from .diagnose import diagnose  # noqa: E402
from .disparity import disparity  # noqa: E402
from .frameworks import frameworks  # noqa: E402
from .methods import methods  # noqa: E402
from .report import report  # noqa: E402
from .sensitivity import compare, sensitivity  # noqa: E402
from .store import STORE_COMMANDS  # noqa: E402
from .weights import ahp, weights  # noqa: E402

main.add_command(frameworks)
main.add_command(diagnose)
main.add_command(ahp)
main.add_command(weights)
main.add_command(compare)
main.add_command(sensitivity)
main.add_command(report)
main.add_command(methods)
main.add_command(disparity)
for _command in STORE_COMMANDS:
    main.add_command(_command)
add_lang_options(main)   # --lang on every command, including ones added later


if __name__ == "__main__":  # pragma: no cover
    main()
