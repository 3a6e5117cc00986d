"""Progress on the terminal for commands that may run more than two seconds.

A command names its steps (reading the panel, scoring, diagnostics, writing …) and
advances through them; the bar (click's progress bar) goes to standard error, only when
that is a terminal and ``--quiet`` was not given, so pipes, files and tests see nothing.
"""
from __future__ import annotations

import sys

import click

from ..i18n import t

QUIET_KEY = "evaluator.quiet"


def _keep_quiet(ctx, _param, value):
    ctx.meta[QUIET_KEY] = bool(value)
    return value


def quiet_option(func):
    """``--quiet/-q``: no progress bar (read by :class:`Steps`, so commands need no
    parameter for it)."""
    return click.option("--quiet", "-q", is_flag=True, expose_value=False,
                        callback=_keep_quiet,
                        help=t("cli.option.quiet", "en"))(func)


def is_quiet() -> bool:
    ctx = click.get_current_context(silent=True)
    return bool(ctx is not None and ctx.find_root().meta.get(QUIET_KEY))


class Steps:
    """``with Steps(["reading the panel", "scoring", "writing"]) as steps: …
    steps.next()`` — a bar of the command's steps, labelled with the current one."""

    def __init__(self, labels: list[str], *, stream=None, quiet: bool | None = None):
        self.labels = list(labels)
        self.stream = stream if stream is not None else sys.stderr
        isatty = getattr(self.stream, "isatty", None)
        quiet = is_quiet() if quiet is None else quiet
        self.enabled = bool(isatty and isatty()) and not quiet
        self.done = 0
        self.bar = None

    def __enter__(self) -> "Steps":
        if self.enabled:
            self.bar = click.progressbar(length=len(self.labels), label=self._label(),
                                         file=self.stream, show_eta=False,
                                         show_percent=False, show_pos=True, width=24)
            self.bar.__enter__()
            self.bar.render_progress()
        return self

    def _label(self) -> str:
        return self.labels[min(self.done, len(self.labels) - 1)].ljust(
            max(len(label) for label in self.labels))

    def next(self) -> None:
        """The current step is done; the next one starts."""
        self.done += 1
        if self.bar is not None:
            self.bar.label = self._label()
            self.bar.update(1)

    def __exit__(self, *exc) -> None:
        if self.bar is not None:
            if exc[0] is None and self.done < len(self.labels):
                self.bar.label = t("progress.done").ljust(len(self.bar.label))
                self.bar.update(len(self.labels) - self.done)
            self.bar.__exit__(*exc)
            self.bar = None
