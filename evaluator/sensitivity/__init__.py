"""Sensitivity of a ranking to the recipe's choices (DESIGN.md §5 "Uncertainty and
sensitivity"; Saisana, Saltelli & Tarantola 2005).

* :func:`run_sensitivity` — Monte Carlo (or a Sobol design) over the recipe's
  ``uncertainty`` section, scored in batches; :func:`interval_table`,
  :func:`shift_summary` and :func:`sobol_table` turn its counts into the published tables.
* :func:`compare_methods` — the recipe re-run with several weighting methods, side by side.

One idea a module: :mod:`.spec` (the uncertainty section), :mod:`.design` (groups built and
checked with the real pipeline), :mod:`.sample` (scenarios), :mod:`.scoring` and
:mod:`.closeness` (batched composites), :mod:`.ranks` (batched competition ranks and
counts), :mod:`.engine` (the run), :mod:`.analyse` (tables and Sobol indices),
:mod:`.compare` (method comparison).
"""
from .analyse import interval_table, shift_summary, sobol_indices, sobol_table
from .compare import CompareResult, compare_methods
from .engine import SensitivityRun, run_sensitivity
from .spec import DEFAULT_UNCERTAINTY, UncertaintySpec, parse_uncertainty

__all__ = ["run_sensitivity", "SensitivityRun", "interval_table", "shift_summary",
           "sobol_indices", "sobol_table", "compare_methods", "CompareResult",
           "parse_uncertainty", "UncertaintySpec", "DEFAULT_UNCERTAINTY"]
