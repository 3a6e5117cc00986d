"""evaluator — a composite evaluation index engine for third-party assessment.

Python API::

    import evaluator
    fw = evaluator.load_framework("resource_city_transition")
    panel = evaluator.load_panel("panel.csv", fw)
    recipe = evaluator.Recipe.from_dict({"weights": {"indicators": "entropy"}})
    result = evaluator.evaluate(fw, panel, recipe)
    result.rankings.head(); result.to_dir("out/")
"""
__version__ = "0.1.0"

from .errors import DataError, EvaluatorError, FrameworkError, MethodError, RecipeError  # noqa: E402
from .model.framework import Framework, load_framework, list_builtin  # noqa: E402
from .model.recipe import Recipe, load_recipe  # noqa: E402
from .model.panel import Panel, load_panel  # noqa: E402
from .model.assessment import Assessment  # noqa: E402
# the function shadows its module's name on purpose: evaluator.evaluate(fw, panel, recipe)
from .evaluate import evaluate  # noqa: E402


__all__ = ["load_framework", "list_builtin", "load_panel", "load_recipe", "evaluate", "Recipe",
           "Framework", "Panel", "Assessment", "EvaluatorError", "FrameworkError", "DataError",
           "MethodError", "RecipeError", "__version__"]
