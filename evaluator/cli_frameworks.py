"""`evaluator frameworks`: list, show and import indicator frameworks."""
from __future__ import annotations

import click

from .errors import EvaluatorError


from .cli_common import user_errors as _user_errors


@click.group(invoke_without_command=True,
             epilog="\b\nExamples:\n  evaluator frameworks\n"
                    "  evaluator frameworks show resource_city_transition --lang zh\n"
                    "  evaluator frameworks import-coinr iMeta.csv -o my_index.yaml")
@click.pass_context
def frameworks(ctx):
    """List the built-in frameworks (or show / import one)."""
    if ctx.invoked_subcommand is None:
        from .model.framework import list_builtin, load_framework
        for name in list_builtin():
            fw = load_framework(name)
            click.echo(f"{name:28s} {len(fw.indicators):3d} indicators  {fw.name}")


@frameworks.command("show")
@click.argument("name")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", show_default=True)
@_user_errors
def show(name, lang):
    """Print a framework's tree: directions, units, weights and targets."""
    from .model.framework import ROOT, load_framework

    fw = load_framework(name)
    click.echo(f"{fw.name.get(lang)}  [{fw.id}{' v' + fw.version if fw.version else ''}]")
    click.echo(f"{len(fw.indicators)} indicators, {len(fw.nodes)} nodes, "
               f"groups: {', '.join(fw.groups) or 'none'}")

    def walk(node: str, indent: str) -> None:
        for child in fw.children(node):
            if fw.is_indicator(child):
                ind = fw.indicator(child)
                direction = ind.direction
                if ind.direction == "optimum":
                    direction = f"optimum {ind.optimum:g}"
                elif ind.direction == "range":
                    direction = f"range {ind.interval[0]:g}–{ind.interval[1]:g}"
                bits = [direction]
                if ind.unit:
                    bits.append(ind.unit)
                if ind.weight is not None:
                    bits.append(f"w={ind.weight:g}")
                if ind.goalposts:
                    bits.append(f"goalposts {ind.goalposts[0]:g}–{ind.goalposts[1]:g}")
                if ind.transform != "none":
                    bits.append(ind.transform)
                if ind.denominator:
                    bits.append(f"÷ {ind.denominator}")
                if ind.targets:
                    bits.append("targets " + "; ".join(t.describe() for t in ind.targets))
                click.echo(f"{indent}- {child}: {ind.name.get(lang)} ({', '.join(bits)})")
                for gid, group in fw.groups.items():
                    if child in group.targets:
                        ts = "; ".join(t.describe() for t in group.targets[child])
                        click.echo(f"{indent}    [{gid}] {ts}")
            else:
                n = fw.node(child)
                w = f" (w={n.weight:g})" if n.weight is not None else ""
                click.echo(f"{indent}+ {child}: {n.name.get(lang)}{w}")
                walk(child, indent + "    ")

    click.echo(f"{ROOT}")
    walk(ROOT, "  ")
    if fw.recipe:
        click.echo(f"recipe: {dict(fw.recipe)}")


@frameworks.command("import-coinr")
@click.argument("imeta", type=click.Path(dir_okay=False))
@click.option("--out", "-o", "out", required=True, type=click.Path(dir_okay=False),
              help="Framework YAML file to write.")
@click.option("--id", "framework_id", default=None, help="Framework id (default: file name).")
@_user_errors
def import_coinr(imeta, out, framework_id):
    """Turn a COINr indicator-metadata table (iMeta.csv) into a framework file.

    Keeps the hierarchy (Level/Parent), directions, weights and denominators; the
    highest-level aggregate becomes the root `index`.
    """
    from pathlib import Path

    from .coinr import imeta_to_framework_yaml
    from .output import write_text

    text = imeta_to_framework_yaml(Path(imeta), framework_id=framework_id)
    if Path(out).exists() and Path(out).resolve() == Path(imeta).resolve():
        raise EvaluatorError("the output would overwrite the input", fix="choose another -o")
    write_text(text, Path(out))
    click.echo(f"wrote {out}")
