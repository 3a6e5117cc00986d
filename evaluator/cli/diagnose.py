"""`evaluator diagnose`: one unit's diagnostic profile (thin: the work is in
:mod:`evaluator.stages.diagnostics`)."""
from __future__ import annotations

import click

from .common import data_options, lang_option, load_inputs, user_errors
from ..i18n import t
from .progress import Steps

EPILOG = """\b
Examples:
  evaluator diagnose -f resource_city_transition -d panel.csv --unit 示例市001
  evaluator diagnose -f my_index.yaml -d panel.xlsx --unit "Demo City 002" --year 2023 --lang zh
"""


@click.command(epilog=EPILOG)
@data_options
@click.option("--unit", "-u", "unit", required=True,
              help="The unit to profile (its code or a name from the panel); a name not in "
                   "the panel is an error that lists near matches.")
@click.option("--year", type=int, default=None,
              help="Year of the profile (default: the unit's latest).")
@lang_option
@user_errors
def diagnose(framework, data, recipe, encoding, sheet, unit, year, lang):
    """Print one unit's diagnostic profile.

    Scores and ranks with their change since the previous year, traffic lights by
    dimension (targets and straight paths from the recipe's base year), the top
    obstacle indicators, strengths and weaknesses, and the alerts raised so far.
    """
    from ..evaluate import evaluate
    from ..stages.diagnostics import diagnose as run_diagnosis
    from ..stages.diagnostics import resolve_unit, unit_profile

    with Steps([t("progress.read"), t("progress.score"),
                t("progress.diagnose")]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        progress.next()
        result = evaluate(fw, panel, rc)
        name = resolve_unit(result, unit)
        progress.next()
        text = unit_profile(result, name, year, lang, diagnosis=run_diagnosis(result))
    click.echo(text)
