"""Python functions for every command: pandas objects in, pandas objects out.

Each function reads what its command reads and returns the object whose tables the
command writes (the same code, so the same numbers and files):

=================  ===================================  ====================================
command            function                             returns
=================  ===================================  ====================================
``score``          :func:`evaluate`                     :class:`Assessment` (``.to_dir``)
``validate``       :func:`validate`                     :class:`QualityReport`
``diagnose``       :func:`diagnose`                     :class:`Diagnosis` (``.tables()``)
``compare``        :func:`compare`                      :class:`CompareResult` (``.tables()``)
``sensitivity``    :func:`sensitivity`                  :class:`SensitivityResult`
``report``         :func:`report`                       :class:`ReportBundle`
=================  ===================================  ====================================

Arguments: ``framework`` — a built-in name, a YAML path or a :class:`Framework`;
``panel`` — a path, a list of paths (stacked), a :class:`pandas.DataFrame` (wide or long)
or a :class:`Panel`; ``recipe`` — None (the framework's own), a YAML path, a mapping laid
over the framework's recipe, or a :class:`Recipe` used as it is. ``read`` passes
``encoding``, ``sheet``, ``layout`` and ``missing`` to :func:`load_panel`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import pandas as pd

from .evaluate import evaluate as _evaluate
from .model.assessment import Assessment
from .model.framework import Framework, load_framework
from .model.panel import Panel, load_panel
from .model.recipe import Recipe, load_recipe
from .stages import run as runs


def inputs(framework, panel, recipe=None, **read) -> tuple[Framework, Panel, Recipe]:
    """(Framework, Panel, Recipe) from whatever the functions accept; see the module."""
    fw = framework if isinstance(framework, Framework) else load_framework(framework)
    data = panel if isinstance(panel, Panel) else load_panel(panel, fw, **read)
    if isinstance(recipe, (str, Path)):
        rc = load_recipe(recipe, base=fw.recipe)
    else:
        rc = runs.resolve_recipe(fw, recipe)
    return fw, data, rc


def evaluate(framework, panel, recipe: Recipe | Mapping[str, Any] | str | None = None, *,
             ahp_loader=None, **read) -> Assessment:
    """Score every unit and year (``evaluator score``); ``panel`` may be a DataFrame.

    ``Assessment.to_dir(out)`` writes what ``score --out`` writes."""
    fw, data, rc = inputs(framework, panel, recipe, **read)
    return _evaluate(fw, data, rc, ahp_loader=ahp_loader)


def _assessment(target, panel, recipe, read) -> Assessment:
    if isinstance(target, Assessment):
        return target
    if panel is None:
        raise TypeError("give an Assessment, or a framework and a panel")
    return evaluate(target, panel, recipe, **read)


def validate(framework, panel, recipe=None, **read):
    """The data-quality report (``evaluator validate``): coverage, constant columns,
    outliers, on the values as the recipe scores them. ``.has_errors`` is what makes the
    command exit 1; ``.to_dict()`` is its ``--format json``; ``.to_text(lang)`` its table."""
    from .quality import quality_report

    fw, data, rc = inputs(framework, panel, recipe, **read)
    return quality_report(data, fw, denominate=rc.denominate)


def diagnose(assessment_or_framework, panel=None, recipe=None, **read):
    """Diagnostics of every unit and year (targets, paths and lights, obstacles,
    strengths, alerts), from an :class:`Assessment` or a framework and panel.

    ``.tables()`` is ``diagnostics.csv`` and ``alerts.csv`` as ``score --out`` writes
    them; ``profile(result, unit)`` is what ``evaluator diagnose --unit`` prints."""
    from .stages.diagnostics import diagnose as run_diagnosis

    return run_diagnosis(_assessment(assessment_or_framework, panel, recipe, read))


def profile(assessment: Assessment, unit: str, year: int | None = None,
            lang: str = "en") -> str:
    """One unit's profile as ``evaluator diagnose --unit`` prints it."""
    from .stages.diagnostics import diagnose as run_diagnosis
    from .stages.diagnostics import resolve_unit, unit_profile

    name = resolve_unit(assessment, unit)
    return unit_profile(assessment, name, year, lang, diagnosis=run_diagnosis(assessment))


def compare(framework, panel, recipe=None, methods=None, *, judgements=None, k: int = 5,
            years=None, **read):
    """The recipe re-run with several weighting methods (``evaluator compare``).

    ``.tables()`` holds compare.csv, compare_correlations.csv and compare_weights.csv;
    ``.summary`` is compare.json; ``.moved(year)`` the units moving more than k places."""
    from .sensitivity.compare import compare_methods

    fw, data, rc = inputs(framework, panel, recipe, **read)
    names = methods.split(",") if isinstance(methods, str) else methods
    return compare_methods(fw, data, rc, names, judgements=judgements, k=k, years=years)


@dataclass
class SensitivityResult:
    """What ``evaluator sensitivity --out`` writes: ``intervals`` (rank_intervals.csv),
    ``sobol`` (sobol.csv, with ``sobol=True``), ``summary`` (sensitivity.json)."""

    intervals: pd.DataFrame
    sobol: pd.DataFrame | None
    summary: dict[str, Any] = field(default_factory=dict)
    scenarios: int = 0

    def tables(self) -> dict[str, pd.DataFrame]:
        tables = {"rank_intervals": self.intervals}
        if self.sobol is not None:
            tables["sobol"] = self.sobol
        return tables

    def _repr_html_(self) -> str:
        from .model.notebook import html_card

        from .i18n import Messages, get_lang, t
        from .report.intervals import varied_text

        shift = self.summary.get("mean_rank_shift", {})
        words = Messages(get_lang())
        varied = words("list.semicolon").join(varied_text(self.summary, words)) \
            if self.summary.get("varied_labels") else ""
        facts = [t("nb.sens.facts", scenarios=self.scenarios, varied=varied),
                 t("nb.sens.shift", mean=shift.get("mean", float("nan"))),
                 *self.summary.get("notes", [])]
        return html_card(t("nb.sens.title"), facts,
                         [(t("nb.intervals"), self.intervals), (t("nb.sobol"), self.sobol)])


def sensitivity(framework, panel, recipe=None, *, samples: int = 1000,
                seed: int | None = None, sobol: bool = False, years=None,
                top_k: int | None = None, samples_path=None, progress=None,
                **read) -> SensitivityResult:
    """Monte Carlo uncertainty analysis of the ranking (``evaluator sensitivity``) over
    the recipe's ``uncertainty`` section; same seed, same tables."""
    from .sensitivity import interval_table, run_sensitivity, sobol_table
    from .sensitivity.analyse import run_summary
    from .sensitivity.engine import check_run_options

    fw, data, rc = inputs(framework, panel, recipe, **read)
    years = [years] if isinstance(years, int) else years
    spec = check_run_options(fw, rc, samples=samples, seed=seed, sobol=sobol, top_k=top_k)
    run = run_sensitivity(fw, data, rc, samples=samples, seed=seed, sobol=sobol, years=years,
                          top_k=top_k, samples_path=samples_path, progress=progress,
                          spec=spec)
    with run:
        intervals = interval_table(run)
        sobol_frame, notes = sobol_table(run) if sobol else (None, [])
    return SensitivityResult(intervals, sobol_frame, run_summary(run, notes), run.scenarios)


def report(assessment_or_framework, panel=None, recipe=None, *, lang: str = "en",
           year: int | None = None, intervals=None, out=None, **read):
    """The report (``evaluator report``): returns the :class:`ReportBundle`; with
    ``out``, writes report-YEAR-LANG.html, .xlsx, .md and the score tables there as
    the command does. ``intervals``: a rank_intervals.csv path (checked, as
    ``--intervals``) or a :class:`SensitivityResult`."""
    from .report import build_report, write_bundle

    result = _assessment(assessment_or_framework, panel, recipe, read)
    if isinstance(intervals, SensitivityResult):
        bundle = build_report(result, lang=lang, year=year, rank_intervals=intervals.intervals,
                              sensitivity_summary=intervals.summary)
    else:
        bundle = build_report(result, lang=lang, year=year, intervals_file=intervals)
    if out is not None:
        write_bundle(bundle, out, tables=True)
    return bundle
