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

from .errors import DataError, EvaluatorError, FrameworkError, MethodError, RecipeError  # noqa: E402
from .model.framework import Framework, load_framework, list_builtin  # noqa: E402
from .model.recipe import Recipe, load_recipe  # noqa: E402
from .model.panel import Panel, load_panel  # noqa: E402
from .model.assessment import Assessment  # noqa: E402
# the function shadows its module's name on purpose: evaluator.evaluate(fw, panel, recipe);
# evaluator.report and evaluator.sensitivity are callable even once their packages are
# imported (evaluator/callable_module.py)
from . import evaluate as _evaluate_module  # noqa: E402,F401
from .api import (compare, diagnose, evaluate, profile, report, sensitivity,  # noqa: E402
                  validate)
from .callable_module import register as _register  # noqa: E402

_register(__name__ + ".report", report)
_register(__name__ + ".sensitivity", sensitivity)


__all__ = ["load_framework", "list_builtin", "load_panel", "load_recipe", "evaluate", "validate",
           "diagnose", "profile", "compare", "sensitivity", "report", "Recipe",
           "Framework", "Panel", "Assessment", "EvaluatorError", "FrameworkError", "DataError",
           "MethodError", "RecipeError", "__version__"]
