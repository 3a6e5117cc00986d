"""`evaluator ahp` (check a judgement file, write a blank one) and `evaluator weights`
(the weights of every parent's children with their intermediate columns). Thin: the work
is in :mod:`evaluator.stages.ahp_weights`, :mod:`evaluator.model.judgements` and
:func:`evaluator.evaluate.evaluate`."""
from __future__ import annotations

import json
from pathlib import Path

import click

from .common import data_options, frame_json, lang_option, load_inputs, print_frame, user_errors
from .methods import RegistryName
from .progress import Steps
from ..errors import EvaluatorError, FrameworkError, RecipeError
from ..i18n import M, set_lang, t

EPILOG_AHP = """\b
Examples:
  evaluator ahp weights/example_panel.yaml
  evaluator ahp weights/panel.yaml --framework resource_city_transition --format json
  evaluator ahp template --framework resource_city_transition -o weights/panel.yaml
  evaluator ahp template -f resource_city_transition --format xlsx -o 专家问卷.xlsx
  evaluator ahp 专家1.xlsx 专家2.xlsx -f resource_city_transition
  evaluator ahp questionnaires/ -f resource_city_transition     # every .xlsx in the folder
"""

EPILOG_TEMPLATE = """\b
Examples:
  evaluator ahp template --framework resource_city_transition -o weights/panel.yaml
  evaluator ahp template -f my_index.yaml --lang zh -o weights/专家打分.yaml
  evaluator ahp template -f resource_city_transition --format xlsx -o 专家问卷.xlsx
"""

EPILOG_WEIGHTS = """\b
Examples:
  evaluator weights -f resource_city_transition -d panel.csv --method entropy
  evaluator weights -f resource_city_transition -d panel.csv --method critic --format csv
  evaluator weights -f resource_city_transition -d panel.csv --method ahp \\
      --file weights/example_panel.yaml
  evaluator weights -f resource_city_transition -d panel.csv --method combined \\
      --combine ahp,entropy --how game_theory --file weights/example_panel.yaml
"""


def not_per_child() -> set[str]:
    """Vectors in the details indexed by component or factor, not by child (PCA's
    eigenvalues have m entries whatever the number of children), as the weighting methods
    declare them (``per: component``): left to the manifest."""
    from .. import registry
    return {tb.name for m in registry.methods("weights").values() for tb in m.tables
            if tb.per == "component"}



class _FileOrCommand(click.Group):
    """`evaluator ahp FILE …` analyses FILE; `evaluator ahp template …` is a subcommand.
    A first argument that is not a subcommand (nor --help) is handed to `check`."""

    default_command = "check"

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def collect_usage_pieces(self, ctx: click.Context) -> list[str]:
        return ["FILE [OPTIONS] | template [OPTIONS]"]


@click.group("ahp", cls=_FileOrCommand, epilog=EPILOG_AHP)
def ahp():
    """Check an AHP judgement file, or write a blank one for a framework.

    \b
    evaluator ahp FILE   prints every matrix's priorities, λmax, CI, RI, CR and verdict,
                         the judgements to revise in an inconsistent matrix (with the
                         value that would agree with the others and the CR after it),
                         the global weights and the hierarchy's CR. Exit 1 when a matrix
                         is inconsistent. (Same as `evaluator ahp check FILE`.)
    evaluator ahp template -f FRAMEWORK -o FILE
                         writes a blank judgement file for the framework's tree.
    """


def _framework_for(framework: str | None, named) -> tuple[object | None, str | None]:
    """--framework, or else the built-in framework the file names (`framework:`)."""
    from ..model.framework import load_framework, resolve_framework_path

    if framework:
        return load_framework(framework), None
    if not isinstance(named, str) or not named:
        return None, None
    try:
        resolve_framework_path(named)
    except FrameworkError:
        return None, (f"the file names framework {named!r}, which is not built in: pass "
                      "--framework PATH to check its items and compose global weights through it")
    return load_framework(named), None


@ahp.command("check", epilog=EPILOG_AHP)
@click.argument("file", nargs=-1, required=True)
@click.option("--framework", "-f", "framework", default=None,
              help="Framework (built-in name or YAML) whose tree the file must match; default: "
                   "the built-in framework the file names, else the tree the matrices form.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table",
              show_default=True, help="table: readable report; json: one object per matrix, "
                                      "then the global weights.")
@lang_option
@user_errors
def check(file, framework, fmt, lang):
    """Analyse a judgement file: priorities, consistency, revision hints, global weights.

    FILE is a YAML judgement file, a filled Excel questionnaire, or a folder of them;
    several FILEs (one questionnaire per expert) are read as one panel."""
    import dataclasses

    from ..model.judgement_workbook import read_judgement_spec
    from ..model.judgements import judgements_from_dict, resolve_judgement_path

    from ..stages.ahp_weights import analyse_judgements

    spec, source = read_judgement_spec([resolve_judgement_path(f) for f in file])
    # the framework is known before the file is checked, so every problem shows at once
    fw, note = _framework_for(framework, spec.get("framework") if isinstance(spec, dict) else None)
    analysis = analyse_judgements(judgements_from_dict(spec, fw, source=source), fw)
    if note:
        analysis = dataclasses.replace(analysis, notes=analysis.notes + (note,))
    if fmt == "json":
        click.echo(json.dumps(analysis.to_json(), ensure_ascii=False, indent=2))
    else:
        click.echo(analysis.to_text(lang), nl=False)
    if not analysis.consistent:
        raise SystemExit(1)


@ahp.command("template", epilog=EPILOG_TEMPLATE)
@click.option("--framework", "-f", "framework", required=True,
              help="Built-in framework name or a framework YAML file.")
@click.option("--out", "-o", "out", type=click.Path(dir_okay=False), default=None,
              help="File to write (written atomically); default: print to the screen.")
@click.option("--lang", type=click.Choice(["both", "zh", "en"]), default="both",
              show_default=True, help="Languages of the names written as comments.")
@click.option("--format", "fmt", type=click.Choice(["yaml", "xlsx"]), default=None,
              help="yaml: a judgement file with the names as comments; xlsx: an Excel "
                   "questionnaire (instructions sheet, one sheet per matrix, drop-downs of "
                   "Saaty's scale). Default: from the --out suffix, else yaml.")
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
@user_errors
def template_command(framework, out, lang, fmt, force):
    """Write a blank judgement file for every node of a framework's tree.

    Each matrix lists its items with their names as comments and one expert's
    upper-triangle judgements set to the placeholder 1, for the panel to fill.
    """
    from ..model.framework import load_framework
    from ..model.judgements import template
    from ..output import write_text

    set_lang(None if lang == "both" else lang)   # its messages: EVALUATOR_LANG/locale
    fw = load_framework(framework)
    if fmt is None:
        fmt = "xlsx" if out and Path(out).suffix.lower() == ".xlsx" else "yaml"
    if fmt == "xlsx":
        _write_workbook_template(fw, framework, out, force)
        return
    text = template(fw, lang_both=(lang == "both"), lang="en" if lang == "both" else lang)
    if out is None:
        click.echo(text, nl=False)
        return
    path = Path(out)
    if path.exists() and not force:
        raise EvaluatorError(M("cli.ahp.file_exists"),
                             where=str(path), fix=M("cli.ahp.file_exists.fix"))
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text(text, path)
    parents = [p for p in ["index", *fw.node_ids] if len(fw.children(p)) > 1]
    pairs = sum(len(fw.children(p)) * (len(fw.children(p)) - 1) // 2 for p in parents)
    click.echo(t("cli.ahp.template_written", path=path, matrices=len(parents), pairs=pairs,
                 framework=framework))


def _write_workbook_template(fw, framework: str, out: str | None, force: bool) -> None:
    from ..model.judgement_workbook import matrix_parents, workbook_template
    from ..output import atomic_write

    if out is None:
        raise EvaluatorError(M("ahp.template.xlsx_needs_out"), where="--format xlsx",
                             fix=M("ahp.template.xlsx_needs_out.fix"))
    path = Path(out)
    if path.exists() and not force:
        raise EvaluatorError(M("cli.ahp.file_exists"),
                             where=str(path), fix=M("cli.ahp.file_exists.fix"))
    blob = workbook_template(fw)
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, lambda p: p.write_bytes(blob))
    parents = matrix_parents(fw)
    pairs = sum(len(fw.children(p)) * (len(fw.children(p)) - 1) // 2 for p in parents)
    click.echo(M("ahp.template.wrote_xlsx", path=str(path), matrices=len(parents), pairs=pairs,
                 framework=framework))


# ------------------------------------------------------------------------------ weights
def _spec(method: str, ahp_file: str | None, accept: bool, combine: str | None, how: str,
          alpha: str | None) -> dict:
    if method == "ahp":
        if not ahp_file:
            raise RecipeError(M("cli.weights.ahp_weights_need_judgement"), 
                              where="--method ahp",
                              fix=M("cli.weights.ahp_weights_need_judgement.fix"))
        return {"method": "ahp", "file": ahp_file, "accept_inconsistent": accept}
    if method != "combined":
        return {"method": method}
    parts = [p.strip() for p in (combine or "").split(",") if p.strip()]
    if len(parts) < 2:
        raise RecipeError(M("cli.weights.combined_weights_need_two"), 
                          where="--combine",
                          fix=M("cli.weights.combined_weights_need_two.fix"))
    spec = {"method": "combined", "how": how,
            "methods": [_spec(p, ahp_file, accept, None, how, None) for p in parts]}
    if alpha:
        try:
            spec["alpha"] = [float(a) for a in alpha.split(",")]
        except ValueError:
            raise RecipeError(M("cli.weights.cannot_read_alpha", alpha=alpha), 
                              where="--alpha",
                              fix=M("cli.weights.cannot_read_alpha.fix")) from None
    return spec


#: Which option of `evaluator weights` wrote each key of the weights section it builds.
_OPTION_OF_KEY = (("alpha", "--alpha"), ("how", "--how"), ("file", "--file"),
                  ("scope", "--scope"), ("methods", "--combine"))

_OPTION_FIX = {
    "--alpha": "give one coefficient per method of --combine, comma-separated, each at least 0 "
               "and together 1, e.g. --combine ahp,entropy --alpha 0.4,0.6",
    "--combine": "name two or more weight methods, comma-separated, e.g. --combine ahp,entropy",
}
_OPTION_FIX_KEEPS_RECIPE_FIX = {"--combine"}   # the recipe's list of valid methods stays useful


def _blame_option(exc: RecipeError, *, nodes_given: bool) -> RecipeError:
    """The recipe's complaint about a weights key, re-addressed to the option that set it
    (`--alpha` rather than "framework recipe: weights.indicators.alpha")."""
    key = (exc.where or "").rsplit(": ", 1)[-1]
    option = next((opt for part, opt in _OPTION_OF_KEY if f".{part}" in key or key.endswith(part)),
                  None)
    if option is None:
        option = "--nodes" if nodes_given and ".nodes" in key else "--method"
    fix = _OPTION_FIX.get(option, exc.fix)
    if option in _OPTION_FIX_KEEPS_RECIPE_FIX and exc.fix:
        fix = f"{exc.fix}; {fix}"
    return RecipeError(exc.problem, where=option, fix=fix)


def _judges_nodes(fw, spec: dict) -> bool:
    """Whether the judgement file of an AHP part of ``spec`` (combined) has a matrix for a
    parent of nodes (the dimensions), not only for parents of indicators."""
    from ..model.judgements import load_judgements

    files = [p["file"] for p in spec.get("methods", []) if p.get("method") == "ahp"]
    if not files:
        return False
    node_parents = {p for p in ["index", *fw.node_ids]
                    if fw.children(p) and not fw.is_indicator(fw.children(p)[0])}
    return bool(node_parents & set(load_judgements(files[0], fw).matrices))


def _accepts(spec) -> bool:
    """Whether an AHP spec anywhere in ``spec`` accepts inconsistent matrices."""
    if isinstance(spec, dict):
        return bool(spec.get("accept_inconsistent")) or any(_accepts(v) for v in spec.values())
    if isinstance(spec, list):
        return any(_accepts(v) for v in spec)
    return False


def weights_frame(assessment):
    """One row per (parent, child): node, indicator, method, weight, global_weight, the
    rows the method used, then the method's intermediate columns (entropy e, d; CRITIC
    sigma, conflict, information; AHP lambda_max, ci, ri, cr; combined component_* and
    alpha_* …). Intermediate results that are not one number per child or per node
    (e.g. the correlation matrix) are left to the manifest."""
    import numpy as np
    import pandas as pd

    rows = []
    skip = not_per_child()
    fw = assessment.framework
    top_down = ["index"]
    for parent in top_down:                  # breadth-first: the root, then each level
        top_down += [c for c in fw.children(parent) if not fw.is_indicator(c)]
    for parent in [p for p in top_down if p in assessment.weights]:
        nw = assessment.weights[parent]
        k = len(nw.children)
        components = [key[len("component_"):] for key in nw.details if key.startswith("component_")]
        for c, child in enumerate(nw.children):
            row = {"node": parent, "indicator": child, "method": nw.method,
                   "weight": float(nw.weights[c]),
                   "global_weight": float(assessment.global_weights.get(child, np.nan)),
                   "rows_used": nw.rows_used}
            for key, value in nw.details.items():
                values = np.asarray(value)
                if key in ("alpha", "alpha_raw") and values.ndim == 1:
                    names = components if len(components) == values.size else \
                        [str(n + 1) for n in range(values.size)]
                    row.update({f"{key}_{name}": float(v) for name, v in zip(names, values)})
                elif values.ndim == 0 and values.dtype.kind in "biuf":
                    row[key] = values.item()
                elif key in skip:
                    continue
                elif values.ndim == 1 and values.size == k and values.dtype.kind in "biuf":
                    row[key] = values[c].item()
            rows.append(row)
    # what the recipe dropped: weight 0 and why (as in weights.csv)
    rows += [{"node": d.parent, "indicator": d.id, "method": "dropped", "weight": 0.0,
              "global_weight": 0.0, "rows_used": None, "note": str(d.note())}
             for d in getattr(assessment, "dropped", ())]
    frame = pd.DataFrame(rows)
    frame["rows_used"] = frame["rows_used"].astype("Int64")
    return frame


@click.command("weights", epilog=EPILOG_WEIGHTS)
@data_options
@click.option("--method", "-m", "method", type=RegistryName("weights"), default=None,
              help="Weight method for the indicators (default: the recipe's weights); "
                   "any of `evaluator methods weights` but from_indicators.")
@click.option("--file", "ahp_file", default=None,
              help="Judgement file for --method ahp or an ahp part of --combine.")
@click.option("--combine", default=None,
              help="For --method combined: the methods combined, comma-separated "
                   "(e.g. ahp,entropy).")
@click.option("--how", type=click.Choice(["linear", "multiplicative", "game_theory"]),
              default="linear", show_default=True, help="For --method combined.")
@click.option("--alpha", default=None,
              help="For --how linear: coefficients, comma-separated, summing to 1 "
                   "(default equal).")
@click.option("--nodes", "nodes_method", default=None,
              help="Method for the nodes above the indicators (default: the recipe's; with "
                   "--method ahp the same judgement file). Also: from_indicators.")
@click.option("--scope", type=click.Choice(["within_parent", "all"]), default=None,
              help="Weigh the indicators within each parent, or all at once (default: the "
                   "recipe's).")
@click.option("--accept-inconsistent", "accept", is_flag=True,
              help="Use AHP priorities even when a matrix's CR is at or above max_cr.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True)
@user_errors
def weights(framework, data, recipe, encoding, sheet, method, ahp_file, combine, how, alpha,
            nodes_method, scope, accept, fmt):
    """Print the weights of every parent's children with their intermediate columns.

    The columns users know from SPSSAU: entropy e and d; CRITIC sigma, conflict and
    information; AHP priorities, lambda_max, CI, RI and CR; combined weights' components
    and alpha. --method, --nodes and --scope replace the recipe's weights section (its
    by_node overrides are then dropped); the rest of the recipe is run as it is.
    CRITIC's sigma and information are on the normalisation range (0–100 by default),
    where SPSSAU shows them on 0–1; the weights are the same.
    """
    with Steps([t("progress.read"), t("progress.weigh")]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        progress.next()
        assessment = _weigh(fw, panel, rc, recipe, method, ahp_file, combine, how, alpha,
                            nodes_method, scope, accept)
    frame = weights_frame(assessment)
    if fmt == "json":
        click.echo(frame_json(frame))
    else:
        print_frame(frame, fmt, decimals=6)  # weights and CR need more than 3 decimals
    if fmt == "table":
        for warning in assessment.warnings:
            click.echo(t("warning.line", message=warning), err=True)


def _weigh(fw, panel, rc, recipe, method, ahp_file, combine, how, alpha, nodes_method, scope,
           accept):
    """The recipe with the options' weights section, evaluated."""
    from ..evaluate import evaluate
    from ..stages.ahp_weights import make_ahp_loader

    if method or nodes_method or scope:
        current = rc.weights
        ind = _spec(method, ahp_file, accept, combine, how, alpha) if method else current["indicators"]
        if nodes_method:
            nodes = _spec(nodes_method, ahp_file, accept, combine, how, alpha)
        elif method == "ahp" or (method == "combined" and _judges_nodes(fw, ind)):
            # the judgement file's matrices of the dimensions are used too, as they are
            # with --method ahp: the same weighting at every level the file judges
            nodes = dict(ind)
        else:
            nodes = current["nodes"]
        try:
            rc = rc.replace(weights={"indicators": ind, "nodes": nodes,
                                     "scope": scope or current["scope"]})
        except RecipeError as exc:       # the user typed an option, not a recipe key
            raise _blame_option(exc, nodes_given=bool(nodes_method)) from None
    loader = make_ahp_loader(fw, base_dir=Path(recipe).parent if recipe else None,
                             accept_inconsistent=accept or _accepts(rc.weights))
    return evaluate(fw, panel, rc, ahp_loader=loader)
