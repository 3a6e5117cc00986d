"""Sensitivity of a ranking to the recipe's choices (DESIGN.md §5 "Uncertainty and
sensitivity"; Saisana, Saltelli & Tarantola 2005).

* :func:`run_sensitivity` — Monte Carlo (or a Sobol design) over the recipe's
  ``uncertainty`` section, scored in batches; :func:`interval_table`,
  :func:`shift_summary` and :func:`sobol_table` turn its counts into the published tables.
* :func:`compare_methods` — the recipe re-run with several weighting methods, side by side.
* :func:`sampled_weights` — every scenario's weights rebuilt from a ``samples.npz``.

One idea a module: :mod:`.spec` (the uncertainty section), :mod:`.design` (groups built and
checked with the real pipeline), :mod:`.sample` (scenarios), :mod:`.scoring` and
:mod:`.closeness` (batched composites), :mod:`.ranks` (batched competition ranks and
counts), :mod:`.store` (the ranks a Sobol run keeps, in memory or memory-mapped),
:mod:`.samples_file` (``samples.npz``), :mod:`.engine` (the run), :mod:`.analyse` (tables
and Sobol indices), :mod:`.compare` (method comparison).
"""
from .analyse import interval_table, shift_summary, sobol_indices, sobol_table
from .compare import CompareResult, compare_methods
from .engine import SensitivityRun, check_run_options, run_sensitivity
from .samples_file import sampled_weights
from .spec import DEFAULT_UNCERTAINTY, UncertaintySpec, parse_uncertainty

__all__ = ["run_sensitivity", "SensitivityRun", "check_run_options", "sampled_weights",
           "interval_table", "shift_summary",
           "sobol_indices", "sobol_table", "compare_methods", "CompareResult",
           "parse_uncertainty", "UncertaintySpec", "DEFAULT_UNCERTAINTY"]

# `evaluator.sensitivity(...)` is the Python function of the command
from ..callable_module import make_callable  # noqa: E402

make_callable(__name__)
