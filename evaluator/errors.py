"""One error hierarchy for everything a user can get wrong.

Every message says what is wrong, where (file, row, column, indicator, key path) and how
to fix it. The CLI turns an :class:`EvaluatorError` into a message and exit code 2, never
a traceback.
"""
from __future__ import annotations


class EvaluatorError(Exception):
    """Base class: a problem with the user's input, not a bug in the tool.

    ``where`` locates the problem (e.g. ``"panel.csv, row 12, column 'pm25'"``) and
    ``fix`` says how to repair it; both are optional and appended to the message.
    """

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.problem = message
        self.where = where
        self.fix = fix
        super().__init__(self._compose())

    def _compose(self) -> str:
        text = self.problem
        if self.where:
            text = f"{self.where}: {text}"
        if self.fix:
            text = f"{text}\n  fix: {self.fix}"
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
