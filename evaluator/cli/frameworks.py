"""`evaluator frameworks`: list, show and import indicator frameworks."""
from __future__ import annotations

import click

from ..errors import EvaluatorError


from .common import lang_option, user_errors as _user_errors
from ..i18n import M, t, words


@click.group(invoke_without_command=True,
             epilog="\b\nExamples:\n  evaluator frameworks\n"
                    "  evaluator frameworks show resource_city_transition --lang zh\n"
                    "  evaluator frameworks import-coinr iMeta.csv -o my_index.yaml")
@click.pass_context
def frameworks(ctx):
    """List the built-in frameworks (or show / import one)."""
    if ctx.invoked_subcommand is None:
        from ..model.framework import builtin_summary, list_builtin
        for name in list_builtin():
            title, count = builtin_summary(name)
            click.echo(t("cli.frameworks.line", name=f"{name:28s}", n=f"{count:3d}",
                         title=title))




def _target_text(t, lang: str) -> str:
    return t.describe().render(lang)


@frameworks.command("show")
@click.argument("name")
@lang_option
@_user_errors
def show(name, lang):
    """Print a framework's tree: directions, units, weights and targets (with where each
    target comes from), group overrides and the weighting of the framework's recipe."""
    from ..model.framework import ROOT, load_framework
    from ..model.recipe import Recipe

    w = words("cli.frameworks.word", lang)
    fw = load_framework(name)
    click.echo(f"{fw.name.get(lang)}  [{fw.id}{' v' + fw.version if fw.version else ''}]")
    click.echo(f"{len(fw.indicators)} {w['indicators']}, {len(fw.nodes)} {w['nodes']}, "
               f"{w['groups']}: {', '.join(fw.groups) or w['none']}")
    recipe = Recipe.from_dict(fw.recipe)
    ws = recipe.weights
    by_node = ", ".join(f"{k}: {v['method']}" for k, v in ws["by_node"].items())
    click.echo(f"{w['weights']}: {w['indicators']} {ws['indicators']['method']}, "
               f"{w['nodes']} {ws['nodes']['method']}" + (f"; {by_node}" if by_node else ""))

    def walk(node: str, indent: str) -> None:
        for child in fw.children(node):
            if fw.is_indicator(child):
                ind = fw.indicator(child)
                direction = w[ind.direction]
                if ind.direction == "optimum":
                    direction += f" {ind.optimum:g}"
                elif ind.direction == "range":
                    direction += f" {ind.interval[0]:g}–{ind.interval[1]:g}"
                bits = [direction]
                if ind.unit:
                    bits.append(ind.unit.get(lang))
                if ind.weight is not None:
                    bits.append(f"{w['fixed_w']}={ind.weight:g}")
                if ind.goalposts:
                    bits.append(f"{w['goalposts']} {ind.goalposts[0]:g}–{ind.goalposts[1]:g}")
                if ind.transform != "none":
                    bits.append(ind.transform)
                if ind.denominator:
                    bits.append(f"÷ {ind.denominator}")
                if ind.targets:
                    text = "; ".join(_target_text(t, lang) for t in ind.targets)
                    source = f" [{ind.target_source.get(lang)}]" if ind.target_source else ""
                    bits.append(f"{w['targets']} {text}{source}")
                click.echo(f"{indent}- {child}: {ind.name.get(lang)} ({', '.join(bits)})")
                for gid, group in fw.groups.items():
                    if child in group.targets:
                        ts = "; ".join(_target_text(t, lang) for t in group.targets[child])
                        click.echo(f"{indent}    [{group.name.get(lang)}] {ts}")
            else:
                n = fw.node(child)
                wt = f" ({w['fixed_w']}={n.weight:g})" if n.weight is not None else ""
                click.echo(f"{indent}+ {child}: {n.name.get(lang)}{wt}")
                walk(child, indent + "    ")

    click.echo(f"{ROOT}")
    walk(ROOT, "  ")


@frameworks.command("import-coinr")
@click.argument("imeta", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Framework YAML file to write.")
@click.option("--id", "framework_id", default=None, help="Framework id (default: file name).")
@click.option("--force", is_flag=True, help="Overwrite an existing --out file.")
@_user_errors
def import_coinr(imeta, out, framework_id, force):
    """Turn a COINr indicator-metadata table (iMeta.csv) into a framework file.

    Keeps the hierarchy (Level/Parent), directions, weights and denominators; the
    highest-level aggregate becomes the root `index`.
    """
    from pathlib import Path

    from ..coinr import import_notes, imeta_to_framework_yaml
    from ..output import write_text

    if Path(out).exists() and Path(out).resolve() == Path(imeta).resolve():
        raise EvaluatorError(M("cli.frameworks.overwrite_input"),
                             fix=M("cli.frameworks.overwrite_input.fix"))
    if Path(out).exists() and not force:   # checked first: the table is not even read
        raise EvaluatorError(M("inputs.coinr_out_exists"), where=str(out),
                             fix=M("inputs.coinr_out_exists.fix"))
    text = imeta_to_framework_yaml(Path(imeta), framework_id=framework_id)
    write_text(text, Path(out))
    click.echo(t("cli.wrote", out=out))
    for note in import_notes(Path(imeta)):
        click.echo(t("cli.note", note=note), err=True)
