"""From the counts of a run to the published tables: rank intervals, rank shift, Sobol.

* ``rank_intervals.csv`` (DESIGN.md §4): ``unit, year, nominal_rank, mean_rank,
  median_rank, p05, p95, p_top_k, p_bottom_k``. Percentiles are numpy's default
  ("linear") percentiles of the sample of ranks, computed exactly from the histograms.
* the mean absolute rank shift of the whole ranking per scenario (Saisana, Saltelli &
  Tarantola 2005, the R̄_S statistic): mean over unit-years of |rank − nominal rank|.
* ``sobol.csv``: ``target, factor, S1, S1_conf, ST, ST_conf`` for the mean rank shift and
  for each unit's rank in one year. The estimators are SALib's
  (:func:`SALib.analyze.sobol.first_order` and ``total_order``: Saltelli et al. 2010,
  Jansen 1999) applied to every target at once, with SALib's normalisation of the output
  and its bootstrap (same resampling indices for a given seed), so each column equals
  what ``SALib.analyze.sobol.analyze`` returns for that target alone.
"""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from .engine import SensitivityRun

QUANTILES = {"median_rank": 0.5, "p05": 0.05, "p95": 0.95}


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


def sobol_indices(Y: np.ndarray, n_groups: int, *, num_resamples: int = 100,
                  conf_level: float = 0.95, seed: int | None = None) -> dict[str, np.ndarray]:
    """First-order and total Sobol indices with bootstrap half-widths, for every column
    of ``Y`` (scenarios of a SALib Sobol design without second order × targets).

    Point estimates are SALib's ``first_order`` / ``total_order`` on the output
    normalised as ``SALib.analyze.sobol.analyze`` does; the bootstrap draws the same
    resampling indices as SALib for the same seed (``default_rng(seed).integers``) and
    evaluates the same two estimators on every resample, written as products with the
    resampling counts so all targets and resamples cost a few matrix products.
    Returns ``S1, S1_conf, ST, ST_conf``, each (groups × targets). A constant target
    (e.g. a unit whose rank never changes) gets 0 everywhere, as SALib returns.
    """
    from scipy.stats import norm
    from SALib.analyze.sobol import first_order, total_order

    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:
        Y = Y[:, None]
    step = n_groups + 2
    if len(Y) % step:
        raise ValueError(f"{len(Y)} outputs are not N·(G + 2) for G = {n_groups}")
    N = len(Y) // step
    mean, sd = Y.mean(axis=0), Y.std(axis=0)
    constant = ~(sd > 0)
    Yn = (Y - mean) / np.where(constant, 1.0, sd)
    Yn[:, constant] = 0.0
    A, B = Yn[0::step], Yn[step - 1::step]
    AB = [Yn[j + 1::step] for j in range(n_groups)]
    r = np.random.default_rng(seed).integers(N, size=(N, num_resamples))
    # counts[k, n]: how often row n is drawn in resample k
    counts = np.bincount((r + N * np.arange(num_resamples)[None, :]).ravel(),
                         minlength=N * num_resamples).reshape(num_resamples, N).astype(float)
    z = norm.ppf(0.5 + conf_level / 2)
    eps = np.finfo(float).eps
    m1 = counts @ (A + B) / (2 * N)
    m2 = counts @ (A * A + B * B) / (2 * N)
    var = m2 - m1 * m1                      # population variance of r_[A[r], B[r]]
    ok = var > eps
    safe = np.where(ok, var, 1.0)
    T = Y.shape[1]
    out = {k: np.zeros((n_groups, T)) for k in ("S1", "S1_conf", "ST", "ST_conf")}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")      # SALib warns on constant outputs
        for j in range(n_groups):
            out["S1"][j] = first_order(A, AB[j], B)
            out["ST"][j] = total_order(A, AB[j], B)
            s1 = np.where(ok, counts @ (B * (AB[j] - A)) / N / safe, 0.0)
            st = np.where(ok, 0.5 * (counts @ ((A - AB[j]) ** 2)) / N / safe, 0.0)
            out["S1_conf"][j] = z * s1.std(axis=0, ddof=1)
            out["ST_conf"][j] = z * st.std(axis=0, ddof=1)
    for key in out:
        out[key][:, constant] = 0.0
    return out


def sobol_table(run: SensitivityRun, *, num_resamples: int = 100,
                conf_level: float = 0.95) -> tuple[pd.DataFrame, list[str]]:
    """``sobol.csv`` (mean rank shift first, then each unit of the Sobol year) and notes
    on its reliability."""
    sampler = run.sampler
    groups = list(dict.fromkeys(sampler.problem["groups"]))
    d = run.design
    year = run.sobol_year
    a, b = next((a, b) for y, a, b in d.blocks if y == year)
    units = list(d.units[a:b])
    Y = np.column_stack([run.sobol_shift, run.sobol_ranks.astype(float)])
    idx = sobol_indices(Y, len(groups), num_resamples=num_resamples,
                        conf_level=conf_level, seed=sampler.seed + 1)
    targets = ["mean_rank_shift"] + [str(u) for u in units]
    rows = []
    for t, target in enumerate(targets):
        for j, factor in enumerate(groups):
            rows.append((target, factor, idx["S1"][j, t], idx["S1_conf"][j, t],
                         idx["ST"][j, t], idx["ST_conf"][j, t]))
    table = pd.DataFrame(rows, columns=["target", "factor", "S1", "S1_conf", "ST", "ST_conf"])
    return table, sobol_notes(idx, groups, sampler.samples, Y, units)


def sobol_notes(idx: dict[str, np.ndarray], groups: list[str], N: int, Y: np.ndarray,
                units: list) -> list[str]:
    notes = []
    if N < 512:
        notes.append(f"N = {N} is small for Sobol indices: use N ≥ 512 (1,024 or more for "
                     "per-unit indices); the confidence intervals below are wide")
    if N & (N - 1):
        notes.append(f"N = {N} is not a power of 2, which spoils the balance of the Sobol' "
                     "sequence: use 512, 1,024, 2,048 …")
    for j, factor in enumerate(groups):
        for key in ("S1", "ST"):
            value, conf = idx[key][j, 0], idx[f"{key}_conf"][j, 0]
            if conf > abs(value) and conf > 0.02:
                notes.append(f"mean rank shift: the confidence interval of {key} of "
                             f"{factor} (±{conf:.3f}) is wider than the index ({value:.3f}): "
                             "increase N")
    wide = (idx["ST_conf"][:, 1:] > np.maximum(np.abs(idx["ST"][:, 1:]), 0.02)).any(axis=0)
    if wide.any():
        notes.append(f"{int(wide.sum())} of {len(units)} units have a total index narrower "
                     "than its confidence interval: increase N for per-unit indices")
    still = int((np.ptp(Y[:, 1:], axis=0) == 0).sum()) if Y.shape[1] > 1 else 0
    if still:
        notes.append(f"{still} unit(s) never change rank: their indices are 0 (no variance "
                     "to attribute)")
    return notes


def run_summary(run: SensitivityRun, notes: list[str] | None = None) -> dict:
    """``sensitivity.json``: what was varied, how, and the headline numbers (no timings,
    so the same seed gives the same file byte for byte)."""
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
    all_notes = list(notes or [])
    if run.scenarios < 1000 and run.sobol_ranks is None:
        all_notes.append(f"{run.scenarios} scenarios give coarse percentiles: use 1,000 or "
                         "more")
    return {
        "tool": "evaluator", "version": __version__, "framework": d.framework.id,
        "design": "sobol" if run.sobol_ranks is not None else "monte_carlo",
        "samples": run.sampler.samples, "scenarios": run.scenarios, "seed": run.sampler.seed,
        "uncertainty": _plain(spec.section), "defaulted": spec.defaulted,
        "varied": spec.varied_factors, "varied_labels": varied,
        "groups": int((run.group_counts > 0).sum()), "scenarios_per_group": groups,
        "years": [int(b[0]) for b in d.blocks], "unit_years": int(len(d.analysed)),
        "top_k": run.top_k, "mean_rank_shift": shift_summary(run),
        "sobol_year": run.sobol_year, "notes": all_notes,
    }


def _codes(spec):
    from itertools import product
    return product(*[range(s) for s in spec.sizes])


def _plain(value):
    import json
    return json.loads(json.dumps(value, default=str))
