"""`evaluator disparity`: disparity between groups of units and convergence over the
years (thin: the work is in :mod:`evaluator.disparity` and the ``disparity`` registry)."""
from __future__ import annotations

import click

from .common import data_options, lang_option, load_inputs, output_set, print_frame, \
    user_errors
from ..i18n import get_lang, t

EPILOG = """\b
Examples:
  evaluator disparity -f resource_city_transition -d panel.csv --out disparity/
  evaluator disparity -f my_index.yaml -d panel.xlsx -r recipe.yaml --out out/ --lang zh
"""


@click.command("disparity", epilog=EPILOG, help=t("disparity.command.help", "en"))
@data_options
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), required=True,
              help="Folder for disparity.csv, disparity_groups.csv, disparity_pairs.csv, "
                   "convergence.csv, density.csv and disparity_notes.csv.")
@lang_option
@user_errors
def disparity(framework, data, recipe, encoding, sheet, out, lang):
    from ..disparity import OUTPUTS, disparity_tables
    from ..evaluate import evaluate
    from ..output import write_tables

    lang = lang or get_lang()
    with output_set(out, "disparity", OUTPUTS, [framework, data, recipe],
                    section="disparity") as outputs:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        result = evaluate(fw, panel, rc)
        tables = disparity_tables(result)
        write_tables(outputs.folder, tables)
        outputs.manifest = {"inputs": result.manifest["inputs"], "tables": sorted(tables)}
    main = tables["disparity"]
    print_frame(main[main["node"] == "index"], "table", decimals=4)
    for note in tables["disparity_notes"]["note"].tolist():
        click.echo(t("warning.line", lang, message=note), err=True)
    click.echo(t("disparity.written", lang, out=out))
