"""`evaluator report`: the HTML report, the formatted workbook and the Markdown summary
(thin: the work is in :mod:`evaluator.report`)."""
from __future__ import annotations

from pathlib import Path

import click

from .common import data_options, lang_option, load_inputs, output_set, user_errors
from ..i18n import t
from .progress import Steps

EPILOG = """\b
Examples:
  evaluator report -f resource_city_transition -d panel.csv --out report-2024/
  evaluator report -f resource_city_transition -d panel.csv --lang zh --year 2023 --out out/
  evaluator sensitivity -f my_index.yaml -d panel.csv --out sens/
  evaluator report -f my_index.yaml -d panel.csv --intervals sens/rank_intervals.csv --out out/
  evaluator report -f resource_city_transition -d panel.csv --profiles alerts --out out/
  evaluator report -f F -d panel.csv --profiles top:5 --profiles 示例市001 --out out/
  evaluator report -f F -d panel.csv --geo cities.geojson --geo-colour tier --out out/
  evaluator report -f monitor.yaml -d quarterly.csv --period 2025Q2 --lang zh --out bulletin/
  evaluator report --from results-2024/ --out report-2024/          # no re-scoring
  evaluator report --round 3 --db rounds.db --lang zh --out report-r3/
"""


def _optional_inputs(func):
    """The framework and data options, optional here: --from DIR or --round N replace
    them."""
    func = data_options(func)
    for param in func.__click_params__:
        if param.name in ("framework", "data"):
            param.required = False
    return func


@click.command(epilog=EPILOG)
@_optional_inputs
@click.option("--from", "from_dir", type=click.Path(file_okay=False), default=None,
              help="Render from a results folder (the --out of `score`), checked against its "
                   "manifest, without re-scoring; no framework or data options.")
@click.option("--round", "round_id", type=int, default=None,
              help="Render from published round N (see `evaluator rounds`) without "
                   "re-scoring; profiles add the unit's published score and rank across "
                   "rounds.")
@click.option("--db", "db", default=None, metavar="URL|FILE",
              help="Database for --round (default: $EVALUATOR_DB, else ./evaluator.db).")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for report-YEAR-LANG.html, .xlsx and .md (e.g. report-2024-zh.html: "
                   "both languages sit side by side), and the score tables (rankings.csv, "
                   "…, manifest.json).")
@lang_option
@click.option("--year", type=int, default=None,
              help="Year of the ranking and the profiles (default: the latest).")
@click.option("--period", "period", default=None,
              help="Write the monitoring bulletin of this period instead (2025Q2, "
                   "2025年第二季度, 2025H1, 2025-05 …): bulletin.html with the score tables.")
@click.option("--intervals", "intervals", type=click.Path(dir_okay=False, exists=True),
              default=None, help="rank_intervals.csv from `evaluator sensitivity` with the same "
                                 "framework, data and recipe (checked): adds the robustness "
                                 "section; the sensitivity.json beside it is read too.")
@click.option("--profiles", "profiles", multiple=True, metavar="all|top:N|bottom:N|alerts|none|UNIT",
              help="Unit profiles that print, one per page (repeat, or separate by commas; "
                   "default top:10,bottom:10). The HTML file keeps every unit's profile "
                   "for the screen.")
@click.option("--geo", "geo", type=click.Path(dir_okay=False, exists=True), default=None,
              help="GeoJSON FeatureCollection of the units (longitude/latitude; a feature "
                   "names its unit by id or by a property such as name): adds a map. Units "
                   "without a shape are listed under it.")
@click.option("--geo-colour", "geo_colour", type=click.Choice(["score", "tier", "light"]),
              default="score", show_default=True,
              help="Colour the map by composite score (quintiles), rank tier (fifths of the "
                   "ranking) or the units' traffic light.")
@user_errors
def report(framework, data, recipe, encoding, sheet, from_dir, round_id, db, out, lang, year,
           period, intervals, profiles, geo, geo_colour):
    """Write the report of an assessment: one self-contained HTML file, a formatted
    Excel workbook and a Markdown summary.

    The HTML file opens from disk without network access: overview, ranking table,
    charts, a profile for every unit and a methods appendix that traces each number to
    the weights, formulas and input files.
    """
    from ..evaluate import evaluate
    from ..model.assessment import SCORE_OUTPUTS
    from ..report import build_report, render_report, stage_files

    given = [name for name, value in (("--from", from_dir), ("--round", round_id)) if value]
    if given:
        from ..store.report_source import check_alone, read_assessment
        check_alone(given, framework=framework, data=data, recipe=recipe, period=period)
        # the folder read is an input: a report into it would replace the set it reads
        read = sorted(Path(from_dir).iterdir()) if from_dir and Path(from_dir).is_dir() else []
        with output_set(out, "report", (), [intervals, geo, *read]) as outputs:
            result, trends = read_assessment(from_dir=from_dir, round_id=round_id, db=db)
            bundle = build_report(result, lang=lang, year=year, intervals_file=intervals,
                                  published_trends=trends, profiles=list(profiles) or None,
                                  geo=geo, geo_colour=geo_colour)
            stage_files(outputs.folder, render_report(bundle))   # the tables are the ones read
            outputs.manifest = result.manifest
        _say_written(bundle, out, "store.report.wrote")
        return
    if not framework or not data:
        from ..errors import EvaluatorError
        from ..store.messages import msg
        raise EvaluatorError(msg("report.inputs"), fix=msg("report.inputs.fix"))
    # the report and the score tables as one set: all rendered first, then moved in whole
    with output_set(out, "report", (*SCORE_OUTPUTS, "bulletin.html"),
                    [framework, data, recipe, intervals, geo]) as outputs, \
            Steps([t("progress.read"), t("progress.score"), t("progress.build_report"),
                   t("progress.write_report")]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        if period is not None or panel.frequency != "year":
            done = _bulletin(fw, panel, rc, outputs, lang, year, period, intervals)
        else:
            progress.next()
            result = evaluate(fw, panel, rc)
            progress.next()
            bundle = build_report(result, lang=lang, year=year, intervals_file=intervals,
                                  profiles=list(profiles) or None, geo=geo,
                                  geo_colour=geo_colour)
            progress.next()
            stage_files(outputs.folder, render_report(bundle), result.write_files)
            outputs.manifest = result.manifest
            done = None
    if done is not None:
        click.echo(done)       # once the set is in place
    else:
        _say_written(bundle, out, "cli.report.wrote")


def _say_written(bundle, out, key: str) -> None:
    """The closing lines of a report run: the demo-data notice, then the files written."""
    from ..report import report_names
    if bundle.synthetic:
        click.echo(t("cli.score.synthetic"), err=True)
    html, xlsx, md = report_names(bundle.year, bundle.lang)
    click.echo(t(key, out=Path(out), html=html, xlsx=xlsx, md=md, units=len(bundle.ranking),
                 year=bundle.year))


def _bulletin(fw, panel, rc, outputs, lang, year, period, intervals) -> str:
    """``--period``: the monitoring bulletin of one period and the score tables, staged
    in the report's output set; returns the line to print once the set is in place. A
    sub-annual panel has no yearly report: it asks for --period."""
    import numpy as np

    from ..errors import EvaluatorError
    from ..evaluate import evaluate
    from ..i18n import M
    from ..model.period import period_labels
    from ..report import stage_files
    from ..report.bulletin import build_bulletin, render_bulletin
    if year is not None or intervals is not None:
        raise EvaluatorError(M("cli.report.period_alone"), where="--period",
                             fix=M("cli.report.period_alone.fix"))
    result = evaluate(fw, panel, rc)
    if period is None:
        shown = ", ".join(period_labels(np.unique(result.years), panel.frequency))
        raise EvaluatorError(M(f"cli.report.needs_period.{panel.frequency}"),
                             where="--period", fix=M("cli.report.needs_period.fix",
                                                     periods=shown))
    context = build_bulletin(result, period, lang)
    files = {"bulletin.html": render_bulletin(context).encode("utf-8")}
    stage_files(outputs.folder, files, result.write_files)
    outputs.manifest = result.manifest
    return t("cli.report.wrote_bulletin", out=outputs.out, units=context["n_units"],
             period=context["period"])
