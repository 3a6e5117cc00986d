"""Helpers shared by every command module: error handling, common options, printing.

Kept apart from :mod:`evaluator.cli` so command modules can import them without a cycle.
"""
from __future__ import annotations

import contextlib
import errno
import functools
import json
import os
import sys

import click

from ..errors import EvaluatorError
from ..i18n import LANGS, get_lang, has, set_lang, t
from ..output_set import Interrupted


def _fail(message: str, code: int) -> None:
    click.echo(t("error.line", message=message), err=True)
    sys.exit(code)


_OS_REASONS = {errno.ENOENT: "os.not_found", errno.EACCES: "os.permission",
               errno.EPERM: "os.permission", errno.EISDIR: "os.is_dir",
               errno.ENOTDIR: "os.not_dir", errno.ENOSPC: "os.no_space",
               errno.EROFS: "os.read_only"}


def _os_message(exc: BaseException) -> str:
    reason_key = ("os.encoding" if isinstance(exc, UnicodeError)
                  else _OS_REASONS.get(getattr(exc, "errno", None)))
    reason = t(reason_key) if reason_key else str(getattr(exc, "strerror", None) or exc)
    name = getattr(exc, "filename", None)
    return t("error.unreadable", file=name, reason=reason) if name else reason


def _lang_callback(ctx, param, value):
    try:
        return set_lang(value)
    except EvaluatorError as exc:  # a bad EVALUATOR_LANG
        click.echo(t("error.line", "en", message=exc.render("en")), err=True)
        ctx.exit(2)


def lang_option(func=None, *, expose: bool = True):
    """``--lang en|zh``: the language of everything the command prints (default
    EVALUATOR_LANG, else the system locale). Parsed first, so even the errors of the
    other options are in it; the command receives the resolved language as ``lang``."""
    option = click.option("--lang", type=click.Choice(list(LANGS)), default=None,
                          is_eager=True, expose_value=expose, callback=_lang_callback,
                          help=t("cli.option.lang", "en"))
    return option if func is None else option(func)


def add_lang_options(group: click.Group) -> None:
    """Give ``--lang`` to every command of ``group`` (recursively) that has none, so a
    command added later cannot miss it."""
    for command in group.commands.values():
        if isinstance(command, click.Group):
            add_lang_options(command)
        if not any(p.name == "lang" for p in command.params):
            command.params.append(click.Option(
                ["--lang"], type=click.Choice(list(LANGS)), default=None, is_eager=True,
                expose_value=False, callback=_lang_callback,
                help=t("cli.option.lang", "en")))


DEBUG_VAR = "EVALUATOR_DEBUG"


def user_errors(func):
    """Turn EvaluatorError (and unreadable files) into a message and an exit code; an
    exhausted memory or stack into a message with a fix; anything unexpected into a
    one-line report of the bug (exit 2), with the traceback only when EVALUATOR_DEBUG=1."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except EvaluatorError as exc:
            _fail(exc.render(get_lang()), exc.exit_code)
        except BrokenPipeError:  # e.g. `evaluator frameworks show X | head`
            sys.stderr.close()
            sys.exit(0)
        except (OSError, UnicodeError) as exc:
            _fail(_os_message(exc), 2)
        except Interrupted as exc:      # SIGINT/SIGTERM: the output set cleaned up
            _fail(str(exc), exc.exit_code)
        except KeyboardInterrupt:
            _fail(t("error.interrupted"), 130)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise   # click's own: usage errors, --help, exits
        except MemoryError:
            _debug_or(lambda: _fail(t("inputs.out_of_memory", command=_command()), 2))
        except RecursionError:
            _debug_or(lambda: _fail(t("inputs.too_deep", command=_command()), 2))
        except Exception as exc:   # a bug of the tool: said so, without a traceback
            _debug_or(lambda: _fail(t("inputs.unexpected", command=_command(),
                                      kind=type(exc).__name__, detail=str(exc)), 2))
    return wrapper


def _debug_or(report) -> None:
    """Re-raise the exception being handled when EVALUATOR_DEBUG is set (its traceback
    is what a bug report needs), else ``report()``."""
    if os.environ.get(DEBUG_VAR, "").strip() not in ("", "0"):
        raise
    report()


def _command() -> str:
    ctx = click.get_current_context(silent=True)
    return ctx.command_path if ctx is not None else "evaluator"


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


def column_title(name) -> str:
    """A printed table's column title: the column's id in English (as in the CSV files),
    the catalogue's word for it (``xl.<id>``) in Chinese when there is one."""
    key = f"xl.{name}"
    return t(key) if get_lang() == "zh" and has(key) else name


def print_frame(frame, fmt: str = "table", *, max_rows: int | None = None,
                decimals: int = 3, per_column: dict[str, int] | None = None) -> None:
    """Print a table: ``table`` aligned and rounded (:mod:`evaluator.cli.tables`), ``csv``
    and ``json`` at full precision; ``max_rows`` (``--top``) holds for every format."""
    from .tables import render_table

    shown = frame if max_rows is None else frame.head(max_rows)
    if fmt == "json":
        click.echo(frame_json(shown))
    elif fmt == "csv":
        click.echo(shown.to_csv(index=False), nl=False)
    else:
        click.echo(render_table(shown.rename(columns=column_title), decimals=decimals,
                                per_column={column_title(k): v
                                            for k, v in (per_column or {}).items()}))


def print_records(records: list[dict], columns: list[str], fmt: str = "table", *,
                  integer: tuple[str, ...] = ()) -> None:
    """:func:`print_frame` for plain records (no pandas: commands that should start at
    once, `rounds` and `history`). ``integer``: columns of whole numbers (with gaps)."""
    import csv
    import io

    from .tables import is_missing, render_columns

    def cell(record, column):
        value = record.get(column)
        return None if is_missing(value) else value
    if fmt == "json":
        click.echo(json.dumps([{c: cell(r, c) for c in columns} for r in records],
                              ensure_ascii=False, indent=2))
        return
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(columns)
        for record in records:
            writer.writerow(["" if (v := cell(record, c)) is None else v for c in columns])
        click.echo(buffer.getvalue(), nl=False)
        return
    click.echo(render_columns([(column_title(c), [cell(r, c) for r in records], c in integer)
                               for c in columns]))


def _keep_missing(ctx, _param, value):
    """--missing is read by load_inputs, so the commands need no parameter for it."""
    ctx.meta["evaluator.missing"] = tuple(m for text in value for m in text.split(",")
                                          if m.strip())
    return value


def _keep_names(ctx, _param, value):
    """--names is read by load_inputs, so the commands need no parameter for it."""
    ctx.meta["evaluator.names"] = value
    return value


# options shared by the commands that read a framework and a panel
def data_options(func):
    opts = [
        click.option("--framework", "-f", "framework", required=True,
                     help="Built-in framework name (see `evaluator frameworks`) or a YAML file."),
        click.option("--data", "-d", "data", required=True, multiple=True,
                     type=click.Path(dir_okay=False),
                     help=t("cli.option.data", "en")),
        click.option("--recipe", "-r", "recipe", type=click.Path(dir_okay=False), default=None,
                     help="Recipe YAML; sections it omits come from the framework's recipe."),
        click.option("--encoding", default=None,
                     help="Force the CSV encoding (e.g. gbk) instead of detecting it."),
        click.option("--sheet", default=None, help=t("cli.option.sheet", "en")),
        click.option("--missing", multiple=True, expose_value=False, callback=_keep_missing,
                     help=t("cli.option.missing", "en")),
        click.option("--names", type=click.Path(dir_okay=False), expose_value=False,
                     callback=_keep_names, help=t("cli.option.names", "en")),
    ]
    from .progress import quiet_option

    func = quiet_option(func)
    for opt in reversed(opts):
        func = opt(func)
    return func


def load_inputs(framework: str, data, recipe: str | None, encoding: str | None,
                sheet: str | None):
    from ..evaluate import default_recipe
    from ..model.framework import load_framework
    from ..model.panel import load_panel
    from ..model.recipe import load_recipe

    if encoding is not None:   # refused before any file is read
        from ..model.panel_io import text_encoding
        text_encoding(encoding)
    fw = load_framework(framework)
    rc = load_recipe(recipe, base=fw.recipe) if recipe else default_recipe(fw)
    if sheet is not None and sheet.isdigit():
        sheet = int(sheet)
    ctx = click.get_current_context(silent=True)
    missing = ctx.meta.get("evaluator.missing", ()) if ctx is not None else ()
    names = ctx.meta.get("evaluator.names") if ctx is not None else None
    paths = [data] if isinstance(data, str) else list(data)
    panel = load_panel(paths[0] if len(paths) == 1 else paths, fw, encoding=encoding,
                       sheet=sheet, missing=missing, names=names)
    return fw, panel, rc


@contextlib.contextmanager
def output_set(out, command: str, names, inputs, section: str | None = None):
    """The output set of ``--out`` (:class:`evaluator.output_set.OutputSet`), opened
    before any work so a folder holding an input or a foreign file is refused at once and
    a concurrent run into it stops; ``None`` without ``--out``."""
    if not out:
        yield None
        return
    from ..output_set import OutputSet
    files = [f for given in inputs if given
             for f in (given if isinstance(given, (list, tuple)) else [given]) if f]
    with OutputSet(out, command=command, names=names, inputs=files,
                   section=section) as opened:
        yield opened
