"""The pipeline: Framework + Panel + Recipe → Assessment.

The only place (with :mod:`evaluator.sensitivity`) that knows the order of the steps:
drop (the indicators the recipe's ``screen.drop_indicators`` names) → denominate (then every
indicator must have data) → impute → screen → transform (log) → treat → normalise →
weight → aggregate (level by level up the tree) → rank. Each stage is a function of its own in
:mod:`evaluator.stages` working on one :class:`~evaluator.stages.run.Run`; the pure work is
done by :mod:`evaluator.methods`; every stage's data is kept in the Assessment.
"""
from __future__ import annotations

from typing import Any, Mapping

from .model.assessment import Assessment
from .model.framework import Framework
from .model.panel import Panel
from .model.recipe import Recipe
from .stages import data_steps, run as runs, tree
from .store.freeze import apply_freeze


def default_recipe(framework: Framework) -> Recipe:
    """The framework's own recipe (its ``recipe:`` section), defaults filled in."""
    return runs.resolve_recipe(framework, None)


def evaluate(framework: Framework, panel: Panel,
             recipe: Recipe | Mapping[str, Any] | None = None, *, ahp_loader=None) -> Assessment:
    """Score every unit and year of ``panel`` on ``framework`` by ``recipe``.

    ``recipe`` defaults to the framework's own recipe; a plain mapping (e.g.
    ``{"weights": {"indicators": "critic"}}``) is laid over the framework's recipe, as a
    recipe file is by the CLI; a :class:`Recipe` is used as it is. Returns an :class:`Assessment`
    holding every stage's data, the weights with their intermediate tables, scores, ranks
    and a manifest; ``Assessment.to_dir(path)`` writes the output tables.
    """
    run = prepare(framework, panel, recipe, ahp_loader=ahp_loader)
    tree.weigh_and_aggregate(run)
    runs.rank(run)
    return runs.assemble(run, tree.contributions(run))


def prepare(framework: Framework, panel: Panel,
            recipe: Recipe | Mapping[str, Any] | None = None, *, ahp_loader=None) -> runs.Run:
    """The pipeline's data stages alone (drop → denominate → impute → screen → transform
    → treat → normalise): the :class:`~evaluator.stages.run.Run` whose ``stages`` hold the
    prepared and normalised matrices, before any weight (the sensitivity design reads
    its groups' data from here)."""
    recipe = runs.resolve_recipe(framework, recipe)
    # indicators the recipe drops explicitly leave the tree, openly (model/dropped.py)
    framework, dropped = runs.drop(framework, panel, recipe)
    # a recipe's `freeze` takes bounds and weights from a published round (store/freeze.py)
    framework, recipe = apply_freeze(framework, recipe)
    run = runs.start(framework, panel, recipe, ahp_loader, dropped=dropped)
    data_steps.denominate(run)
    data_steps.require_data(run)
    data_steps.impute(run)
    data_steps.screen(run)
    data_steps.transform(run)
    data_steps.treat(run)
    data_steps.normalise(run)
    return run


# `evaluator.evaluate(...)` calls the API's evaluate even once this module is imported
# (importing it makes it the package's attribute): evaluator/callable_module.py
from .callable_module import make_callable  # noqa: E402

make_callable(__name__)
