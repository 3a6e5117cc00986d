"""From the counts of a run to the published tables: rank intervals, rank shift, Sobol.

* ``rank_intervals.csv`` (DESIGN.md §4): ``unit, year, nominal_rank, mean_rank,
  median_rank, p05, p95, p_top_k, p_bottom_k``, then ``share_ranked`` (the share of
  scenarios in which the unit-year had a score, hence a rank: every statistic is over
  those scenarios only). Percentiles are numpy's default ("linear") percentiles of the
  sample of ranks, computed exactly from the histograms.
* the mean absolute rank shift of the whole ranking per scenario (Saisana, Saltelli &
  Tarantola 2005, the R̄_S statistic): mean over unit-years of |rank − nominal rank|.
* ``sobol.csv``: ``target, factor, S1, S1_conf, ST, ST_conf`` for the mean rank shift and
  for each unit's rank in one year (units left unranked by some scenario are left out: an
  unranked scenario has no rank to attribute). The estimators are SALib's
  (:func:`SALib.analyze.sobol.first_order` and ``total_order``: Saltelli et al. 2010,
  Jansen 1999) applied to every target at once, with SALib's normalisation of the output
  and its bootstrap (same resampling indices for a given seed), so each column equals
  what ``SALib.analyze.sobol.analyze`` returns for that target alone. Targets are
  processed a block of units at a time, so the analysis never holds more than a few
  float copies of one block (the ranks themselves stay int16, possibly on disk).
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .engine import SensitivityRun
from ..i18n import M

QUANTILES = {"median_rank": 0.5, "p05": 0.05, "p95": 0.95}
#: Output values (scenarios × targets) converted to float at a time in the Sobol analysis.
SOBOL_CHUNK_ELEMENTS = 1 << 21


def _lerp(a: np.ndarray, b: np.ndarray, t: np.ndarray) -> np.ndarray:
    """numpy's interpolation between neighbours (same rounding as np.percentile)."""
    diff = b - a
    out = a + diff * t
    return np.where(t >= 0.5, b - diff * (1 - t), out)


def histogram_quantile(hist: np.ndarray, q: float) -> np.ndarray:
    """The q-quantile (numpy "linear" method) of the ranks counted in each row of
    ``hist`` (bin r = rank r; bin 0, unranked, is left out). NaN for a row with none."""
    counts = hist[:, 1:]
    n = counts.sum(axis=1)
    cum = np.cumsum(counts, axis=1)
    virtual = (n - 1) * float(q)
    prev = np.floor(virtual)
    gamma = virtual - prev
    nxt = np.minimum(prev + 1, n - 1)

    def value_at(index: np.ndarray) -> np.ndarray:
        # the rank at 0-based position `index` of the sorted sample
        return (cum <= index[:, None]).sum(axis=1) + 1.0

    with np.errstate(invalid="ignore"):
        out = _lerp(value_at(prev), value_at(nxt), gamma)
    return np.where(n > 0, out, np.nan)


def interval_table(run: SensitivityRun) -> pd.DataFrame:
    """``rank_intervals.csv``, sorted by year, nominal rank, unit."""
    hist = run.hist
    ranks = np.arange(hist.shape[1])
    n = hist[:, 1:].sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = (hist * ranks).sum(axis=1) / n
        top = hist[:, 1:run.top_k + 1].sum(axis=1) / n
        bottom = run.bottom / n
    d = run.design
    table = pd.DataFrame({
        "unit": d.units, "year": d.years,
        "nominal_rank": pd.array(np.where(d.nominal_ranks > 0, d.nominal_ranks, 0),
                                 dtype="Int64"),
        "mean_rank": np.where(n > 0, mean, np.nan)})
    table.loc[d.nominal_ranks == 0, "nominal_rank"] = pd.NA
    for name, q in QUANTILES.items():
        table[name] = histogram_quantile(hist, q)
    table["p_top_k"] = np.where(n > 0, top, np.nan)
    table["p_bottom_k"] = np.where(n > 0, bottom, np.nan)
    table["share_ranked"] = n / run.scenarios
    return table.sort_values(["year", "nominal_rank", "unit"], kind="mergesort",
                             na_position="last").reset_index(drop=True)


def shift_summary(run: SensitivityRun) -> dict[str, float]:
    """The mean absolute rank shift (mean over unit-years with a nominal rank of
    |rank − nominal rank|): its mean over the scenarios, exact from the histograms; with
    a Sobol design (every scenario kept) also its median, 5th and 95th percentile."""
    d = run.design
    ranks = np.arange(run.hist.shape[1])
    nominal = d.nominal_ranks[:, None]
    moved = np.where((nominal > 0) & (ranks[None, :] > 0), np.abs(ranks[None, :] - nominal), 0)
    total = int((run.hist * moved).sum())
    out = {"mean": total / run.scenarios / max(run.shift_units, 1)}
    if run.sobol_shift is not None:
        for name, q in (("median", 0.5), ("p05", 0.05), ("p95", 0.95)):
            out[name] = float(np.percentile(run.sobol_shift, 100 * q))
    return out


def bootstrap_counts(N: int, num_resamples: int, seed: int | None) -> np.ndarray:
    """(resamples × N), compact unsigned integers: how often each of the N base rows is
    drawn in each bootstrap resample, for the resampling indices SALib draws
    (``default_rng(seed).integers``)."""
    r = np.random.default_rng(seed).integers(N, size=(N, num_resamples))
    counts = np.empty((num_resamples, N), dtype=np.uint16)
    for k in range(num_resamples):
        drawn = np.bincount(r[:, k], minlength=N)
        if drawn.max() > np.iinfo(counts.dtype).max:           # pragma: no cover
            counts = counts.astype(np.uint32)
        counts[k] = drawn
    return counts


def _resampled(counts: np.ndarray, M: np.ndarray) -> np.ndarray:
    """counts @ M (resamples × columns), converting the counts to float a slab of
    resamples at a time (a few MB), not all at once."""
    slab = max(1, (1 << 21) // max(counts.shape[1], 1))
    out = np.empty((len(counts), M.shape[1]))
    for a in range(0, len(counts), slab):
        out[a:a + slab] = counts[a:a + slab].astype(float) @ M
    return out


def sobol_indices(Y: np.ndarray, n_groups: int, *, num_resamples: int = 100,
                  conf_level: float = 0.95, seed: int | None = None,
                  columns: np.ndarray | None = None,
                  chunk_elements: int = SOBOL_CHUNK_ELEMENTS) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices with bootstrap half-widths, for every column
    of ``Y`` (scenarios of a SALib Sobol design without second order × targets; any
    numeric dtype, e.g. int16 ranks or a memory map), or only for ``columns``.

    Point estimates are SALib's ``first_order`` / ``total_order`` on the output
    normalised as ``SALib.analyze.sobol.analyze`` does; the bootstrap draws the same
    resampling indices as SALib for the same seed and evaluates the same two estimators
    on every resample, written as products with the resampling counts so all targets and
    resamples cost one matrix product per block. Targets go a block at a time (about
    ``chunk_elements`` float values), so memory does not grow with their number.
    Returns ``S1, S1_conf, ST, ST_conf``, each (groups × targets), and ``constant``
    (targets): a constant target (e.g. a unit whose rank never changes) gets 0
    everywhere, as SALib returns.
    """
    Y = Y if isinstance(Y, np.ndarray) else np.asarray(Y)
    if Y.ndim == 1:
        Y = Y[:, None]
    cols = np.arange(Y.shape[1]) if columns is None else np.asarray(columns, dtype=int)
    step = n_groups + 2
    if len(Y) % step:
        raise ValueError(f"{len(Y)} outputs are not N·(G + 2) for G = {n_groups}")
    N = len(Y) // step
    counts = bootstrap_counts(N, num_resamples, seed)
    T = len(cols)
    out = {k: np.zeros((n_groups, T)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    out["constant"] = np.zeros(T, dtype=bool)
    width = max(1, int(chunk_elements) // max(len(Y), 1))
    for a in range(0, T, width):
        block = np.asarray(Y[:, cols[a:a + width]], dtype=float)
        part = _sobol_block(block, n_groups, N, counts, conf_level)
        for key, value in part.items():
            out[key][..., a:a + width] = value
    return out


def _sobol_block(Y: np.ndarray, n_groups: int, N: int, counts: np.ndarray,
                 conf_level: float) -> dict[str, np.ndarray]:
    from scipy.stats import norm
    from SALib.analyze.sobol import first_order, total_order

    step = n_groups + 2
    num_resamples = len(counts)
    mean, sd = Y.mean(axis=0), Y.std(axis=0)
    constant = ~(sd > 0)
    Y -= mean
    Y /= np.where(constant, 1.0, sd)
    Y[:, constant] = 0.0
    A, B = Y[0::step], Y[step - 1::step]
    T = Y.shape[1]
    # the terms the bootstrap resamples, side by side: A + B, A² + B², then per group
    # B·(AB − A) and (A − AB)²; one product with the counts resamples them all
    M = np.empty((N, (2 + 2 * n_groups) * T))
    np.add(A, B, out=M[:, :T])
    np.add(A * A, B * B, out=M[:, T:2 * T])
    for j in range(n_groups):
        AB = Y[j + 1::step]
        c = (2 + 2 * j) * T
        np.multiply(B, AB - A, out=M[:, c:c + T])
        np.square(A - AB, out=M[:, c + T:c + 2 * T])
    R = _resampled(counts, M)
    del M
    z = norm.ppf(0.5 + conf_level / 2)
    eps = np.finfo(float).eps
    m1 = R[:, :T] / (2 * N)
    m2 = R[:, T:2 * T] / (2 * N)
    var = m2 - m1 * m1                      # population variance of r_[A[r], B[r]]
    ok = var > eps
    safe = np.where(ok, var, 1.0)
    out = {k: np.zeros((n_groups, T)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # SALib warns on constant outputs
        for j in range(n_groups):
            AB = Y[j + 1::step]
            out["S1"][j] = first_order(A, AB, B)
            out["ST"][j] = total_order(A, AB, B)
            c = (2 + 2 * j) * T
            s1 = np.where(ok, R[:, c:c + T] / N / safe, 0.0)
            st = np.where(ok, 0.5 * R[:, c + T:c + 2 * T] / N / safe, 0.0)
            out["S1_conf"][j] = z * s1.std(axis=0, ddof=1) if num_resamples > 1 else 0.0
            out["ST_conf"][j] = z * st.std(axis=0, ddof=1) if num_resamples > 1 else 0.0
    for key in out:
        out[key][:, constant] = 0.0
    out["constant"] = constant
    return out


def sobol_table(run: SensitivityRun, *, num_resamples: int = 100,
                conf_level: float = 0.95) -> tuple[pd.DataFrame, list[str]]:
    """``sobol.csv`` (mean rank shift first, then each unit of the Sobol year ranked in
    every scenario) and notes on its reliability."""
    sampler = run.sampler
    groups = list(dict.fromkeys(sampler.problem["groups"]))
    d = run.design
    year = run.sobol_year
    a, b = next((a, b) for y, a, b in d.blocks if y == year)
    units = list(d.units[a:b])
    # a unit unranked in some scenario (rank 0 there) has no rank to attribute
    always = np.flatnonzero(run.hist[a:b, 0] == 0)
    left_out = [str(units[i]) for i in np.flatnonzero(run.hist[a:b, 0] > 0)]
    kw = dict(num_resamples=num_resamples, conf_level=conf_level, seed=sampler.seed + 1)
    shift = sobol_indices(run.sobol_shift, len(groups), **kw)
    per_unit = sobol_indices(run.sobol_ranks, len(groups), columns=always, **kw)
    idx = {key: np.concatenate([shift[key], per_unit[key]], axis=-1) for key in shift}
    targets = ["mean_rank_shift"] + [str(units[i]) for i in always]
    T, G = len(targets), len(groups)
    table = pd.DataFrame({
        "target": np.repeat(targets, G), "factor": np.tile(groups, T),
        "S1": idx["S1"].T.ravel(), "S1_conf": idx["S1_conf"].T.ravel(),
        "ST": idx["ST"].T.ravel(), "ST_conf": idx["ST_conf"].T.ravel()})
    notes = sobol_notes(idx, groups, sampler.samples, len(always))
    if left_out:
        shown = ", ".join(left_out[:10]) + (f" … ({len(left_out)})" if len(left_out) > 10
                                            else "")
        notes.append(M("warn.analyse.unit_s_have_no", n_left_out=len(left_out), year=year, shown=shown))
    return table, notes


def sobol_notes(idx: dict[str, np.ndarray], groups: list[str], N: int,
                n_units: int) -> list[str]:
    """Notes on the reliability of the indices (column 0 of ``idx``: the mean rank shift,
    then ``n_units`` units)."""
    notes = []
    if N < 512:
        notes.append(M("warn.analyse.n_small_sobol_indices", N=N))
    if N & (N - 1):
        notes.append(M("warn.analyse.n_not_power_which", N=N))
    for j, factor in enumerate(groups):
        for key in ("S1", "ST"):
            value, conf = idx[key][j, 0], idx[f"{key}_conf"][j, 0]
            if conf > abs(value) and conf > 0.02:
                notes.append(M("warn.analyse.mean_rank_shift_confidence", key_=key, factor=factor, conf=conf, value=value))
    wide = (idx["ST_conf"][:, 1:] > np.maximum(np.abs(idx["ST"][:, 1:]), 0.02)).any(axis=0)
    if wide.any():
        notes.append(M("warn.analyse.units_have_total_index", sum=int(wide.sum()), n_units=n_units))
    still = int(idx["constant"][1:].sum())
    if still:
        notes.append(M("warn.analyse.unit_s_never_change", still=still))
    return notes


def interval_notes(intervals: pd.DataFrame) -> list[str]:
    """A note when some unit-years lack a rank in some scenarios (share_ranked < 1)."""
    partial = intervals[intervals["share_ranked"] < 1]
    if not len(partial):
        return []
    never = int((partial["share_ranked"] == 0).sum())
    shown = ", ".join(f"{u} {y}" for u, y in zip(partial["unit"].head(5),
                                                 partial["year"].head(5)))
    more = f" … ({len(partial)})" if len(partial) > 5 else ""
    return [f"{len(partial)} unit-year(s) have no score in some scenarios (share_ranked < 1"
            + (f"; {never} in none" if never else "") + f"): {shown}{more}; their "
            "intervals and probabilities are over the scenarios that rank them"]


def run_summary(run: SensitivityRun, notes: list[str] | None = None) -> dict:
    """``sensitivity.json``: what was varied, how, and the headline numbers, with the base
    recipe as used and the SHA-256 of every input file (no timings, so the same seed gives
    the same file byte for byte). ``notes`` (e.g. those of :func:`sobol_table`) follow
    the note on unit-years some scenarios leave without a score."""
    from .. import __version__

    spec, d = run.spec, run.design
    varied = []
    if spec.weights == "perturb":
        varied.append(f"weights × U({1 - spec.weights_param:g}, {1 + spec.weights_param:g})")
    elif spec.weights == "dirichlet":
        varied.append(f"weights ~ Dirichlet({spec.weights_param:g} × nominal)")
    for f in spec.factors:
        if f.varied:
            shown = [c.label for c in f.choices]
            text = ", ".join(shown[:6]) + (f" … ({len(shown)})" if len(shown) > 6 else "")
            varied.append(f"{f.name}: {text}")
    groups = {}
    for codes, count in zip(_codes(spec), run.group_counts):
        if count:
            label = ", ".join(f"{f.name}={f.choices[c].label}"
                              for f, c in zip(spec.factors, codes) if f.varied) or "all"
            groups[label] = int(count)
    all_notes = run.notes + interval_notes(interval_table(run)) + list(notes or [])
    if run.scenarios < 1000 and run.sobol_year is None:
        all_notes.append(M("warn.analyse.scenarios_give_coarse_percentiles", scenarios=run.scenarios))
    return {
        "tool": "evaluator", "version": __version__, "framework": d.framework.id,
        "design": "sobol" if run.sobol_year is not None else "monte_carlo",
        "samples": run.sampler.samples, "scenarios": run.scenarios, "seed": run.sampler.seed,
        "uncertainty": _plain(spec.section), "defaulted": spec.defaulted,
        "varied": spec.varied_factors, "varied_labels": varied,
        "groups": int((run.group_counts > 0).sum()), "scenarios_per_group": groups,
        "years": [int(b[0]) for b in d.blocks], "unit_years": int(len(d.analysed)),
        "top_k": run.top_k, "mean_rank_shift": shift_summary(run),
        "sobol_year": run.sobol_year, "notes": all_notes,
        **traceability(d.nominal),
    }


def traceability(nominal) -> dict:
    """The base recipe as used (defaults filled) and the input files with their SHA-256,
    from the nominal run's manifest."""
    manifest = nominal.manifest
    return {"synthetic_demo_data": manifest["synthetic_demo_data"],
            "inputs": manifest["inputs"], "recipe": _plain(manifest["recipe"])}


def _codes(spec):
    from itertools import product
    return product(*[range(s) for s in spec.sizes])


def _plain(value):
    import json
    return json.loads(json.dumps(value, default=str))
