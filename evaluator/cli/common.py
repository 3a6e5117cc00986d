"""Helpers shared by every command module: error handling, common options, printing.

Kept apart from :mod:`evaluator.cli` so command modules can import them without a cycle.
"""
from __future__ import annotations

import functools
import json
import sys

import click

from ..errors import EvaluatorError


def _fail(message: str, code: int) -> None:
    click.echo(f"error: {message}", err=True)
    sys.exit(code)


def user_errors(func):
    """Turn EvaluatorError (and unreadable files) into a message and an exit code."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except EvaluatorError as exc:
            _fail(str(exc), exc.exit_code)
        except BrokenPipeError:  # e.g. `evaluator frameworks show X | head`
            sys.stderr.close()
            sys.exit(0)
        except (OSError, UnicodeError) as exc:
            _fail(f"{getattr(exc, 'filename', '') or ''} {exc}".strip(), 2)
        except KeyboardInterrupt:
            _fail("interrupted", 130)
    return wrapper


def frame_json(frame) -> str:
    """Records at full precision (pandas' to_json keeps only 10 decimals); missing → null."""
    import numpy as np
    import pandas as pd

    def plain(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return None
        return value.item() if isinstance(value, np.generic) else value

    records = [{k: plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]
    return json.dumps(records, ensure_ascii=False, indent=2)


def print_frame(frame, fmt: str = "table", *, max_rows: int | None = None,
                decimals: int = 3) -> None:
    if fmt == "json":
        click.echo(frame_json(frame))
    elif fmt == "csv":
        click.echo(frame.to_csv(index=False), nl=False)
    else:
        shown = frame if max_rows is None else frame.head(max_rows)
        click.echo(shown.to_string(index=False, float_format=lambda v: f"{v:.{decimals}f}"))


# options shared by the commands that read a framework and a panel
def data_options(func):
    opts = [
        click.option("--framework", "-f", "framework", required=True,
                     help="Built-in framework name (see `evaluator frameworks`) or a YAML file."),
        click.option("--data", "-d", "data", required=True, type=click.Path(dir_okay=False),
                     help="Panel file: CSV (UTF-8, UTF-8 BOM, GBK/GB18030) or XLSX; wide or "
                          "long layout."),
        click.option("--recipe", "-r", "recipe", type=click.Path(dir_okay=False), default=None,
                     help="Recipe YAML; sections it omits come from the framework's recipe."),
        click.option("--encoding", default=None,
                     help="Force the CSV encoding (e.g. gbk) instead of detecting it."),
        click.option("--sheet", default=None, help="Excel sheet name or 0-based index."),
    ]
    for opt in reversed(opts):
        func = opt(func)
    return func


def load_inputs(framework: str, data: str, recipe: str | None, encoding: str | None,
                sheet: str | None):
    from ..evaluate import default_recipe
    from ..model.framework import load_framework
    from ..model.panel import load_panel
    from ..model.recipe import load_recipe

    fw = load_framework(framework)
    rc = load_recipe(recipe, base=fw.recipe) if recipe else default_recipe(fw)
    if sheet is not None and sheet.isdigit():
        sheet = int(sheet)
    panel = load_panel(data, fw, encoding=encoding, sheet=sheet)
    return fw, panel, rc
