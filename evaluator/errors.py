"""One error hierarchy for everything a user can get wrong.

Every message says what is wrong, where (file, row, column, indicator, key path) and how
to fix it. The CLI turns an :class:`EvaluatorError` into a message and exit code 2, never
a traceback. The three parts are messages of the catalogue (:func:`evaluator.i18n.M`), so
the CLI shows them in the user's language: ``raise DataError(M("panel.no_year",
file=path), where=M("where.file_row", file=path, row=3), fix=M("panel.no_year.fix"))``.
"""
from __future__ import annotations

from .i18n import get_lang, localise, t


class EvaluatorError(Exception):
    """Base class: a problem with the user's input, not a bug in the tool.

    ``where`` locates the problem (e.g. ``"panel.csv, row 12, column 'pm25'"``) and
    ``fix`` says how to repair it; both are optional and appended to the message. Each
    part is a :class:`evaluator.i18n.Msg` (rendered in any language by :meth:`render`)
    or plain text without words (a file name, a key path).
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.problem = message
        self.where = where
        self.fix = fix
        super().__init__(self.render(get_lang()))

    def render(self, lang: str) -> str:
        """The whole message (where: problem, then the fix) in ``lang``."""
        text = str(localise(self.problem, lang))
        if self.where:
            text = t("error.where", lang, where=localise(self.where, lang), problem=text)
        if self.fix:
            text = t("error.with_fix", lang, message=text, fix=localise(self.fix, lang))
        return text


class FrameworkError(EvaluatorError):
    """The indicator framework file is invalid (unknown key, cycle, bad direction...)."""


class RecipeError(EvaluatorError):
    """A recipe names an unknown method or parameter, or an invalid value."""


class DataError(EvaluatorError):
    """The panel data cannot be read or does not fit the framework."""


class MethodError(EvaluatorError):
    """A method cannot be applied to these data (zero range, log of a non-positive value,
    geometric mean of zero, ...)."""


class CheckFailed(EvaluatorError):
    """A check ran and found problems (e.g. ``evaluator validate``): exit code 1."""

    exit_code = 1
