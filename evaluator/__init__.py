"""evaluator — a composite evaluation index engine for third-party assessment.

Python API — a function for every command, pandas in and out (see :mod:`evaluator.api`)::

    import evaluator
    fw = evaluator.load_framework("resource_city_transition")
    panel = evaluator.load_panel("panel.csv", fw)          # or pass a DataFrame directly
    result = evaluator.evaluate(fw, panel, {"weights": {"indicators": "entropy"}})
    result.rankings.head(); result.to_dir("out/")
    evaluator.validate(fw, panel).has_errors
    evaluator.diagnose(result).tables()["diagnostics"]
    evaluator.compare(fw, panel, methods="equal,entropy,critic").table
    evaluator.sensitivity(fw, panel, samples=1000, seed=1).intervals
    evaluator.report(result, lang="zh", out="report/")
"""
__version__ = "0.1.0"

from ._startup import quiet_startup_interrupts  # noqa: E402
quiet_startup_interrupts()     # the `evaluator` command only: no traceback while loading

# The public names are loaded on first use (PEP 562), so `import evaluator` and the
# command line (`evaluator --help`, `evaluator frameworks`) do not import pandas or numpy.
_LAZY = {
    "DataError": "errors", "EvaluatorError": "errors", "FrameworkError": "errors",
    "MethodError": "errors", "RecipeError": "errors",
    "Framework": "model.framework", "load_framework": "model.framework",
    "list_builtin": "model.framework", "Recipe": "model.recipe", "load_recipe": "model.recipe",
    "Panel": "model.panel", "load_panel": "model.panel", "Assessment": "model.assessment",
    **{name: "api" for name in ("compare", "diagnose", "evaluate", "profile", "report",
                                "sensitivity", "validate")},
}
# `evaluator.evaluate`, `evaluator.report` and `evaluator.sensitivity` are also modules:
# importing one makes it the package's attribute, so each is made callable as its
# function (evaluator/callable_module.py) — through these, which import the API on use
_SHADOWED = ("evaluate", "report", "sensitivity")


def __getattr__(name: str):
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib
    value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
    globals()[name] = value
    return value


def __dir__():
    return sorted({*globals(), *_LAZY})


def _calls(name: str):
    def call(*args, **kwargs):
        from . import api
        return getattr(api, name)(*args, **kwargs)
    call.__name__ = name
    return call


from .callable_module import register as _register  # noqa: E402

for _name in _SHADOWED:
    _register(f"{__name__}.{_name}", _calls(_name))


__all__ = ["load_framework", "list_builtin", "load_panel", "load_recipe", "evaluate", "validate",
           "diagnose", "profile", "compare", "sensitivity", "report", "Recipe",
           "Framework", "Panel", "Assessment", "EvaluatorError", "FrameworkError", "DataError",
           "MethodError", "RecipeError", "__version__"]
