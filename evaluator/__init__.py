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


def __getattr__(name):  # lazy: keep `import evaluator` light for the CLI's --help
    if name in ("load_panel", "Panel"):
        from .model import panel
        return getattr(panel, name)
    if name == "evaluate":
        from .evaluate import evaluate
        return evaluate
    if name == "Assessment":
        from .model.assessment import Assessment
        return Assessment
    raise AttributeError(name)


__all__ = ["load_framework", "list_builtin", "load_panel", "load_recipe", "evaluate", "Recipe",
           "Framework", "Panel", "Assessment", "EvaluatorError", "FrameworkError", "DataError",
           "MethodError", "RecipeError", "__version__"]
