"""`evaluator compare` and `evaluator sensitivity`: how much the ranking depends on the
recipe's choices (thin: the work is in :mod:`evaluator.sensitivity`)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import click

from .common import data_options, load_inputs, output_set, print_frame, user_errors
from .progress import Steps, is_quiet
from ..errors import EvaluatorError, RecipeError
from ..i18n import M, get_lang, t
from ..model.monitoring import framework_for_panel

EPILOG_COMPARE = """\b
Examples (panel.csv: your panel; to try them on the bundled demo, pass
-d indicator_sets/demo_panel.csv from a source checkout):
  evaluator compare -f resource_city_transition -d panel.csv --out compare/
  evaluator compare -f resource_city_transition -d panel.csv \\
      --methods equal,entropy,critic,ahp,combined \\
      --judgements weights/example_panel.yaml --year 2024 -k 3
"""

EPILOG_SENSITIVITY = """\b
Examples (panel.csv: your panel; to try them on the bundled demo, pass
-d indicator_sets/demo_panel.csv from a source checkout):
  evaluator sensitivity -f resource_city_transition -d panel.csv -r recipe.yaml \\
      --samples 10000 --seed 1 --out sensitivity/
  evaluator sensitivity -f resource_city_transition -d panel.csv -r recipe.yaml \\
      --samples 1024 --sobol --year 2024 --out sensitivity/

\b
What varies is the recipe's uncertainty section (default: every weight ±20 %), e.g.
  uncertainty:
    weights: {perturb: 0.2}          # or {dirichlet: 50}
    weight_methods: [entropy, critic, equal]
    normalise: [min_max, rank]
    aggregate: [weighted_sum, {method: geometric, floor: 0.01}]
    impute: [mean, linear]
    drop_indicator: true
(a geometric mean needs positive values: give it a floor when min_max makes zeros)

\b
Memory: a Monte Carlo run needs little whatever N. A Sobol run keeps every
scenario's rank of each unit of --year: about N × (factors + 2) × units × 2 bytes
(N = 65,536, 2 factors, 300 units: 157 MB); beyond 256 MB they go to a temporary
file, removed afterwards.

\b
samples.npz (--save-samples; numpy.load reads it): codes (scenarios × factors: the
alternative of each discrete factor, as listed in legend), weight_draws (scenarios ×
edges, float32: perturb multipliers of the nominal weights, or Dirichlet relative
weights within each parent), nominal_weights (groups × edges), legend (JSON: factors,
sizes, edges, how to rebuild). evaluator.sensitivity.sampled_weights(path) rebuilds
every scenario's weights from the file alone.
"""

#: Files the commands write (checked before any work: a file of one of these names that
#: the tool did not write is refused); each run's files form one output set, added to the
#: scores of the same inputs in that folder (manifest.json sections sensitivity, compare).
SENSITIVITY_OUTPUTS = ("rank_intervals.csv", "sobol.csv", "sensitivity.json", "samples.npz")
MOVED_SHOWN = 15       # units moving more than k places listed on the terminal
WIDEST_SHOWN = 10      # widest rank intervals listed on the terminal
# ranks print in whole places (median and percentiles may fall between two), shares at 3
RANK_COLUMNS = {"nominal_rank": 0, "median_rank": 0, "mean_rank": 0, "p05": 0, "p95": 0,
                "p_top_k": 3, "p_bottom_k": 3}
COMPARE_OUTPUTS = ("compare.csv", "compare_correlations.csv", "compare_weights.csv",
                   "compare.json")


def _years_present(years) -> list[int]:
    return sorted(int(y) for y in set(years))


def _pick_year(year: int | None, years: list[int]) -> int:
    if year is None:
        return years[-1]
    if year not in years:
        raise EvaluatorError(M("cli.sensitivity.year_not_data", year=year),
                             fix=M("cli.sensitivity.year_not_data.fix", years=', '.join(map(str, years))))
    return year


# -- compare ----------------------------------------------------------------------------
@click.command(epilog=EPILOG_COMPARE)
@data_options
@click.option("--methods", "-m", default=None,
              help="Comma-separated weighting methods: any of `evaluator methods weights` "
                   "(plugins included) but from_indicators. Default: equal,entropy,critic, "
                   "plus ahp,combined with --judgements.")
@click.option("--judgements", "-j", type=click.Path(dir_okay=False), default=None,
              help="Expert judgement file (AHP matrices) for ahp and combined weights.")
@click.option("--year", type=int, default=None, help="Year to print (default: the latest).")
@click.option("-k", "k", type=int, default=5, show_default=True,
              help="List the units whose rank moves by more than k places.")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for compare.csv, compare_correlations.csv, compare_weights.csv.")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the comparison of the year.")
@user_errors
def compare(framework, data, recipe, encoding, sheet, methods, judgements, year, k, out, fmt):
    """Re-run the recipe with several weighting methods and compare the rankings.

    For each method: every unit's score and rank; each unit's largest and mean rank
    shift from the recipe's own ranking; Spearman and Kendall correlations between the
    methods' rankings, per year; and the units that move more than k places.
    """
    from ..model.period import PER_YEAR, period_frame, period_labels   # numpy: on use
    from ..sensitivity.compare import compare_methods, summary_lines

    out_dir = Path(out) if out else None
    with output_set(out, "compare", COMPARE_OUTPUTS, [framework, data, recipe, judgements],
                    section="compare") as outputs, \
            Steps([t("progress.read"), t("progress.compare"), t("progress.write")]) as progress:
        fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
        names = methods.split(",") if methods else None
        progress.next()
        result = compare_methods(fw, panel, rc, names, judgements=judgements, k=k)
        keys = _years_present(result.table["year"])
        if result.frequency != "year":   # a sub-annual panel: the year's last period
            keys = [k for k in keys
                    if year is None or k // PER_YEAR[result.frequency] == year] or keys
            year = None if year is None or keys[-1] // PER_YEAR[result.frequency] == year \
                else year
        shown = _pick_year(year, keys)
        label = period_labels([shown], result.frequency)[0]
        lines = summary_lines(result, shown)        # fails if the year has too few units
        progress.next()
        if outputs is not None:
            _stage_outputs(outputs, result.tables(), "compare.json", result.summary)
    table = period_frame(result.table[result.table["year"] == shown], result.frequency)
    if fmt != "table":
        print_frame(table, fmt)
        for note in result.notes:
            click.echo(t("cli.note", note=note), err=True)
        return
    for line in lines:
        click.echo(line)
    corr = result.correlations[result.correlations["year"] == shown]
    label_shown = label
    for name, label in (("spearman", "Spearman ρ"), ("kendall", "Kendall τ-b")):
        click.echo(t("cli.compare.correlations", label=label, shown=label_shown))
        print_frame(corr[corr["statistic"] == name].drop(columns=["year", "statistic"]))
    moved = result.moved(shown)
    if len(moved):
        where = (t("cli.all_in_column", path=out_dir / "compare.csv", column="moved")
                 if out_dir is not None else t("cli.all_with_csv", file="compare.csv"))
        listed = min(MOVED_SHOWN, len(moved))
        click.echo("\n" + (t("cli.compare.moved", n=len(moved), k=result.k, year=label_shown,
                             where=where, listed=listed) if listed < len(moved) else
                          t("cli.compare.moved_all", n=len(moved), k=result.k,
                            year=label_shown)))
        cols = ["unit", "rank_recipe"] + [f"rank_{m}" for m in result.methods] + \
            ["max_shift", "mean_shift"]
        print_frame(moved[cols], max_rows=MOVED_SHOWN)
    else:
        click.echo("\n" + t("cli.compare.none_moved", k=result.k, year=label_shown))
    for note in result.notes:
        click.echo(t("cli.note", note=note), err=True)
    if out_dir is not None:
        click.echo(t("cli.sensitivity.wrote", out=out, files=", ".join(COMPARE_OUTPUTS)))


def _stage_outputs(outputs, tables: dict, json_name: str, summary: dict) -> None:
    """The tables and the JSON summary into the output set's staging folder; the set's
    manifest.json keeps the summary under the command's section, with the input files'
    SHA-256 (the same inputs as the scores in that folder keep them)."""
    from ..output import write_tables
    from ..output_set import manifest_json

    write_tables(outputs.folder, tables)
    (outputs.folder / json_name).write_text(manifest_json(summary), encoding="utf-8")
    outputs.manifest = {"inputs": summary.get("inputs") or {},
                        "summary": json_name, "tables": sorted(tables)}


# -- sensitivity ------------------------------------------------------------------------
class _ProgressBar:
    """Progress on stderr, shown only on a terminal and only once the run has taken more
    than ``delay`` seconds: first the groups of discrete choices being checked and built,
    then the scenarios."""

    def __init__(self, stream=None, delay: float = 1.0):
        self.stream = stream if stream is not None else sys.stderr
        self.started = time.monotonic()
        self.delay = delay
        self.bar = None
        self.label = None
        self.shown = 0
        self.done = 0
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = bool(isatty and isatty()) and not is_quiet()

    def _show(self, label: str, done: int, total: int) -> None:
        if not self.enabled:
            return
        if label != self.label:
            self.close()
            self.label = label
        if self.bar is None:
            if time.monotonic() - self.started < self.delay:
                return
            self.bar = click.progressbar(length=total, label=label, file=self.stream,
                                         show_eta=label == t("progress.scenarios"),
                                         show_percent=True)
            self.bar.__enter__()
            self.shown = 0
        if done > self.shown:
            self.bar.update(done - self.shown)
            self.shown = done

    def status(self, text: str) -> None:
        """A one-line message, on a terminal only, once the run has taken ``delay``."""
        if self.enabled and time.monotonic() - self.started >= self.delay:
            click.echo(text, file=self.stream)

    def setup(self, done: int, total: int) -> None:
        """Set-up: ``done`` of ``total`` checks and groups of discrete choices."""
        self._show(t("progress.groups"), done, total)

    def __call__(self, n: int, total: int) -> None:
        self.done += n
        self._show(t("progress.scenarios"), self.done, total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@click.command(epilog=EPILOG_SENSITIVITY)
@data_options
@click.option("--samples", "-n", "samples", type=int, default=1000, show_default=True,
              help="Scenarios (Monte Carlo), or the base sample N of the Sobol design "
                   "(N·(factors + 2) scenarios; a power of 2, 512 or more).")
@click.option("--seed", type=int, default=None,
              help="Random seed (default: the recipe's seed). Same seed, same results.")
@click.option("--sobol", is_flag=True,
              help="Sobol first-order and total indices of each varied factor (SALib), on "
                   "the mean rank shift and on each unit's rank in --year; writes sobol.csv. "
                   "Keeps every scenario's ranks: about N·(factors + 2)·units·2 bytes, in a "
                   "temporary file beyond 256 MB.")
@click.option("--save-samples", is_flag=True,
              help="Also write every scenario's discrete choices and float32 weight draws, "
                   "with each group's nominal weights (samples.npz; layout below).")
@click.option("--out", "-o", "out", type=click.Path(file_okay=False), default=None,
              help="Folder for rank_intervals.csv, sobol.csv, sensitivity.json, samples.npz "
                   "(those of an earlier run that this one does not write are removed).")
@click.option("--year", type=int, default=None,
              help="Analyse this year only (default: every year; Sobol targets: the latest).")
@click.option("--top-k", "top_k", type=int, default=None,
              help="k of P(top k) and P(bottom k), below the number of units scored in each "
                   "year (default: the alert rule's k, 3).")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table",
              show_default=True, help="How to print the rank intervals of the year.")
@click.option("--workers", type=int, default=1, show_default=True,
              help="Threads that score and rank the scenarios: more finish sooner on idle "
                   "cores but cost more CPU time in all. Same results.")
@user_errors
def sensitivity(framework, data, recipe, encoding, sheet, samples, seed, sobol, save_samples,
                out, year, top_k, fmt, workers):
    """Monte Carlo uncertainty analysis of the ranking (Saisana, Saltelli & Tarantola 2005).

    Varies what the recipe's uncertainty section names — weights, weighting method,
    normalisation, aggregation, imputation, one indicator left out — jointly, and reports
    per unit and year the nominal, mean and median rank, the 5–95 % interval and the
    probabilities of the top and bottom k, and the share of scenarios that rank the unit
    (share_ranked); with --sobol, which choice drives the ranks. Scenarios are scored in
    batches (matrix products), so 100,000 take seconds.
    """
    from ..model.period import PER_YEAR, period_frame, period_labels   # numpy: on use
    from ..sensitivity import interval_table, run_sensitivity, sobol_table
    from ..sensitivity.analyse import run_summary
    from ..sensitivity.engine import check_run_options

    if save_samples and not out:
        raise RecipeError(M("cli.sensitivity.save_samples_needs_out"),
                          where="--save-samples",
                          fix=M("cli.sensitivity.save_samples_needs_out.fix"))
    out_dir = Path(out) if out else None
    bar = _ProgressBar()
    try:
        with output_set(out, "sensitivity", SENSITIVITY_OUTPUTS, [framework, data, recipe],
                        section="sensitivity") as outputs:
            fw, panel, rc = load_inputs(framework, data, recipe, encoding, sheet)
            fw = framework_for_panel(fw, panel, rc)   # a sub-annual panel: its sub-index
            started = time.perf_counter()
            spec = check_run_options(fw, rc, samples=samples, seed=seed, sobol=sobol,
                                     top_k=top_k, workers=workers)
            counted = [year] if year is not None else None
            if year is not None and panel.frequency != "year":   # every period of that year
                counted = sorted({int(k) for k in panel.keys
                                  if int(k) // PER_YEAR[panel.frequency] == year}) or [year]
            samples_path = outputs.folder / "samples.npz" if save_samples else None
            run = run_sensitivity(fw, panel, rc, samples=samples, seed=seed, sobol=sobol,
                                  years=counted, top_k=top_k, samples_path=samples_path,
                                  progress=bar, setup_progress=bar.setup, spec=spec,
                                  workers=workers)
            bar.close()
            with run:
                by_key = interval_table(run)
                intervals = period_frame(by_key, panel.frequency)
                if sobol:
                    bar.status(t("progress.sobol"))
                sobol_frame, notes = sobol_table(run) if sobol else (None, [])
            summary = run_summary(run, notes)
            if outputs is not None:
                tables = {"rank_intervals": intervals}
                if sobol_frame is not None:
                    tables["sobol"] = sobol_frame
                _stage_outputs(outputs, tables, "sensitivity.json", summary)
    finally:
        bar.close()
    shown = _pick_year(None if counted is None else max(counted),
                       _years_present(by_key["year"]))
    in_year = period_frame(by_key[by_key["year"] == shown], panel.frequency)
    shown = period_labels([shown], panel.frequency)[0]
    if fmt != "table":
        print_frame(in_year, fmt)
        for note in summary["notes"]:
            click.echo(t("cli.note", note=note), err=True)
        return
    _print_summary(run, summary, in_year, shown, sobol_frame, out_dir)
    if out_dir is not None:
        written = {p.name for p in outputs.paths}
        order = [n for n in SENSITIVITY_OUTPUTS if n in written]
        click.echo(t("cli.sensitivity.wrote", out=out, files=", ".join(order)))
    click.echo(t("cli.sensitivity.timing", scenarios=run.scenarios,
                 seconds=time.perf_counter() - started),
               err=True)


def _print_summary(run, summary, in_year, year, sobol_frame, out_dir=None) -> None:
    shift = summary["mean_rank_shift"]
    design = t("design.sobol" if summary["design"] == "sobol" else "design.monte_carlo")
    click.echo(t("cli.sensitivity.run", framework=summary["framework"], scenarios=run.scenarios,
                 design=design, seed=summary["seed"], groups=summary["groups"]))
    if summary["defaulted"]:
        click.echo(t("cli.sensitivity.default_uncertainty"))
    from ..i18n import Messages
    from ..report.intervals import varied_text
    words = Messages(get_lang())
    click.echo(t("cli.sensitivity.varied",
                 varied=words("list.semicolon").join(varied_text(summary, words))))
    click.echo(t("cli.sensitivity.shift_interval", mean=shift["mean"], p05=shift["p05"],
                 p95=shift["p95"]) if "p05" in shift
               else t("cli.sensitivity.shift", mean=shift["mean"]))
    width = in_year["p95"] - in_year["p05"]
    where = (t("cli.all_in", path=out_dir / "rank_intervals.csv") if out_dir is not None
             else t("cli.all_with_csv", file="rank_intervals.csv"))
    click.echo("\n" + t("cli.sensitivity.widest", year=year, n=len(in_year),
                        width=f"{width.median():.1f}", listed=min(WIDEST_SHOWN, len(in_year)),
                        where=where))
    cols = ["unit", "nominal_rank", "median_rank", "p05", "p95", "p_top_k", "p_bottom_k"]
    print_frame(in_year.assign(width=width).sort_values(
        ["width", "nominal_rank"], ascending=[False, True], kind="mergesort")[cols],
        max_rows=WIDEST_SHOWN, per_column=RANK_COLUMNS)
    at_risk = in_year[in_year["p_bottom_k"] >= 0.5]
    if len(at_risk):
        click.echo(t("cli.sensitivity.at_risk", k=run.top_k,
                     units=", ".join(map(str, at_risk["unit"]))))
    if sobol_frame is not None:
        click.echo(t("cli.sensitivity.sobol_title"))
        print_frame(sobol_frame[sobol_frame["target"] == "mean_rank_shift"]
                    .drop(columns=["target"]))
    for note in summary["notes"]:
        click.echo(t("cli.note", note=note), err=True)
