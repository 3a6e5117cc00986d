"""``evaluator.report(...)`` and ``evaluator.sensitivity(...)`` are functions, yet
``evaluator.report`` and ``evaluator.sensitivity`` are also packages: importing a
subpackage makes it the package's attribute, replacing the function. So those packages
are made callable: the package ``evaluator`` registers the function of each name
(:func:`register`, from :mod:`evaluator.api`) and the subpackage calls
:func:`make_callable` on itself — ``evaluator.report(...)`` then works whatever was
imported first, without importing the report (and openpyxl) at start-up.
"""
from __future__ import annotations

import sys
import types
from typing import Callable

_FUNCTIONS: dict[str, Callable] = {}


class _CallableModule(types.ModuleType):
    def __call__(self, *args, **kwargs):
        return _FUNCTIONS[self.__name__](*args, **kwargs)


def register(name: str, function: Callable) -> None:
    """Calling the module ``name`` (e.g. ``evaluator.report``) calls ``function``."""
    _FUNCTIONS[name] = function


def make_callable(name: str) -> None:
    """Let the module ``name`` (already in ``sys.modules``) be called as its function."""
    sys.modules[name].__class__ = _CallableModule
