"""The Monte Carlo / Sobol run: sample scenarios, score them group by group in chunks,
rank them, and keep running counts (never all scores or ranks, except the ranks Sobol
indices need: kept compactly, on disk beyond a size, see :mod:`.store`).

Per chunk of generated scenarios, the scenarios are sorted by group (their discrete
choices); each group's scenarios are scored in batches sized so a batch's scores stay
small (DESIGN.md §6), ranked per year, and counted into per unit-year rank histograms
(n_units + 1 bins each: exact mean, median, percentiles and probabilities for any N), the
bottom-k counts, and a histogram of each scenario's total absolute rank shift. When the
weights do not vary, a group's scenarios are all the same ranking: it is scored once and
counted with its multiplicity.
"""
from __future__ import annotations

import contextlib
import threading
import time
from collections import deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from itertools import product
from pathlib import Path
from typing import Callable

import numpy as np

from ..errors import DataError, RecipeError
from ..model.framework import Framework
from ..model.monitoring import framework_for_panel
from ..model.panel import Panel
from ..model.recipe import Recipe
from ..stages.diagnose_params import alert_params
from .design import Design, build_design
from .ranks import DEFER_SCORES, BlockCounter, Workspace
from .sample import Sampler
from .samples_file import SampleWriter
from .spec import UncertaintySpec, check_dirichlet, edges_of, parse_uncertainty
from .budget import check_sobol_budget
from .store import MEMMAP_BYTES, RankStore
from ..i18n import M

#: Scores held at once per batch (scenarios × rows); ~8 MB of float64.
BATCH_ELEMENTS = 1 << 17


@dataclass
class SensitivityRun:
    """Counts from every scenario (see the module docstring); read them with
    :mod:`evaluator.sensitivity.analyse`."""

    design: Design
    sampler: Sampler
    scenarios: int
    hist: np.ndarray               # analysed rows × bins: times each rank was taken
    bottom: np.ndarray             # analysed rows: times in the bottom k
    shift_units: int               # analysed unit-years with a nominal rank
    top_k: int
    group_counts: np.ndarray       # scenarios per group (flat group index)
    sobol_year: int | None = None
    rank_store: RankStore | None = None     # Sobol: scenarios × units of sobol_year
    sobol_shift: np.ndarray | None = None   # scenarios: mean |rank shift|
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    @property
    def spec(self) -> UncertaintySpec:
        return self.design.spec

    @property
    def sobol_ranks(self) -> np.ndarray | None:
        """Every scenario's rank (int16/int32; 0 = unranked) of each unit of the Sobol
        year; possibly a memory-mapped file, released by :meth:`close`."""
        return None if self.rank_store is None else self.rank_store.array

    def close(self) -> None:
        """Release the Sobol ranks (and their temporary file). The counts stay usable."""
        if self.rank_store is not None:
            self.rank_store.close()

    def __enter__(self) -> "SensitivityRun":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def default_k(recipe: Recipe) -> int:
    """k of the alert rule "bottom k two years running" (3 unless the recipe says)."""
    rule = alert_params(recipe.alerts, source=recipe.source).get("bottom_k_consecutive")
    return int(rule["k"]) if rule else 3


def _runs(blocks, keep_block) -> list[tuple[int, int, int, bool]]:
    """Consecutive years with the same number of units, ranked in one call: (start, end,
    units per year, whether these are the Sobol year's ranks to keep — always alone)."""
    runs: list[list] = []
    for block in blocks:
        year, a, b = block
        keep = keep_block is not None and year == keep_block[0]
        last = runs[-1] if runs else None
        if last is not None and not keep and not last[3] and last[1] == a and last[2] == b - a:
            last[1] = b
        else:
            runs.append([a, b, b - a, keep])
    return [tuple(run) for run in runs]


class _Counter:
    """Scores and counts batches, in the calling thread or on worker threads (numpy's
    sorts, ufuncs and BLAS release the GIL). Each thread adds into its own histogram (no
    locks); the sums are merged at the end, so the result does not depend on the order in
    which batches finish."""

    def __init__(self, design: Design, bins: int, k: int, keep_block, want_shift: bool):
        self.design, self.bins, self.k = design, bins, k
        self.keep_block, self.want_shift = keep_block, want_shift
        self.runs = _runs(design.blocks, keep_block)
        self._local = threading.local()
        self._lock = threading.Lock()
        self.parts: list[tuple[np.ndarray, np.ndarray, list[BlockCounter]]] = []

    def _accumulators(self):
        acc = getattr(self._local, "acc", None)
        if acc is None:
            n, d = len(self.design.analysed), self.design
            hist, bottom = np.zeros((n, self.bins), dtype=np.int64), np.zeros(n, dtype=np.int64)
            work = Workspace()
            counters = [BlockCounter(hist[a:b], bottom[a:b], d.nominal_ranks[a:b], units=units,
                                     bottom_k=self.k, decimals=d.decimals, rtol=d.rtol,
                                     work=work,
                                     defer=0 if keep or self.want_shift else DEFER_SCORES)
                        for a, b, units, keep in self.runs]
            acc = (hist, bottom, counters)
            self._local.acc = acc
            with self._lock:
                self.parts.append(acc)
        return acc

    def __call__(self, plan, draws, weight: int, positions: np.ndarray):
        hist, bottom, counters = self._accumulators()
        scores = plan.score(draws)
        shift = np.zeros(len(scores), dtype=np.int64) if self.want_shift else None
        kept = None
        for (a, b, _, keep), counter in zip(self.runs, counters):
            counted = counter.add(scores[:, a:b], weight, want_shift=self.want_shift,
                                  keep_ranks=keep)
            if shift is not None:
                shift += counted.shift
            if keep:
                kept = counted.ranks
        return positions, shift, kept

    def totals(self) -> tuple[np.ndarray, np.ndarray]:
        n = len(self.design.analysed)
        hist = np.zeros((n, self.bins), dtype=np.int64)
        bottom = np.zeros(n, dtype=np.int64)
        for h, b, counters in self.parts:     # every worker is done: rank what waits
            for counter in counters:
                counter.flush()
            hist += h
            bottom += b
        return hist, bottom


def _blas_single_thread():
    """Our threads already use the cores: keep BLAS to one thread inside them."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:                                   # pragma: no cover
        return contextlib.nullcontext()
    return threadpool_limits(limits=1, user_api="blas")


def _check_top_k(top_k) -> None:
    if top_k is not None and (isinstance(top_k, bool) or not isinstance(top_k, (int, np.integer))
                              or top_k < 1):
        raise RecipeError(M("sens.engine.top_k_not_positive", top_k=top_k), where="--top-k")


def _check_workers(workers) -> None:
    if isinstance(workers, bool) or not isinstance(workers, (int, np.integer)) or workers < 1:
        raise RecipeError(M("sens.engine.workers_not_positive", workers=workers),
                          where="--workers", fix=M("sens.engine.workers_not_positive.fix"))


def check_run_options(framework: Framework, recipe: Recipe, *, samples: int,
                      seed: int | None = None, sobol: bool = False, top_k: int | None = None,
                      spec: UncertaintySpec | None = None, workers: int = 1) -> UncertaintySpec:
    """The checks that need no data: the uncertainty section, N, the seed, a single Sobol
    factor, k, the number of threads. Cheap, so a command can run them before creating its
    output folder. Returns the parsed uncertainty section."""
    spec = spec or parse_uncertainty(recipe, framework)
    seed = recipe.seed if seed is None else seed
    Sampler(spec, len(edges_of(framework)), samples, seed, sobol=sobol)
    _check_top_k(top_k)
    _check_workers(workers)
    return spec


def _check_k_against_units(k: int, given: bool, design: Design) -> list[str]:
    """k of P(top k) / P(bottom k) must leave some units outside the top and bottom k: a
    k given by the user is an error otherwise; the alert rule's default k gets a note
    (a small year should not stop the run of the others)."""
    notes = []
    for year, a, b in design.blocks:
        scored = int((design.nominal_ranks[a:b] > 0).sum())
        if k >= scored:
            if given:
                raise RecipeError(M("sens.engine.top_k_not_smaller", k=k, scored=scored, year=year), where="--top-k",
                                  fix=M("sens.engine.top_k_not_smaller.fix", scored=scored))
            notes.append(M("warn.engine.k_alert_rule_s", year=year, k=k, scored=scored))
    return notes


def _check_dirichlet_shapes(design: Design) -> None:
    """Exact form of the concentration check, on the nominal weights of every group."""
    spec = design.spec
    weights = np.concatenate([w for w in design.edge_weights.values()])
    positive = weights[weights > 0]
    if len(positive):
        check_dirichlet(spec.weights_param, float(positive.min()), design.recipe.source,
                        what="the smallest nominal weight of any group")


def run_sensitivity(framework: Framework, panel: Panel, recipe: Recipe, *,
                    samples: int = 1000, seed: int | None = None, sobol: bool = False,
                    years: list[int] | None = None, sobol_year: int | None = None,
                    top_k: int | None = None, ahp_loader: Callable | None = None,
                    samples_path: str | Path | None = None,
                    progress: Callable[[int, int], None] | None = None,
                    spec: UncertaintySpec | None = None,
                    workers: int = 1,
                    setup_progress: Callable[[int, int], None] | None = None,
                    memmap_bytes: int = MEMMAP_BYTES,
                    scratch_dir: str | Path | None = None) -> SensitivityRun:
    """Vary the recipe's choices as its ``uncertainty`` section says and count ranks.

    ``samples`` is N (Monte Carlo scenarios, or the Sobol base sample: N·(G + 2)
    scenarios); ``seed`` defaults to the recipe's; ``years`` limits the unit-years counted;
    ``sobol_year`` (default: the latest counted) is the year whose units' ranks are the
    Sobol targets; ``top_k`` (default: k of the alert rule bottom_k_consecutive) is the k
    of P(top k) and P(bottom k). ``samples_path`` saves every scenario (.npz);
    ``progress(n, total)`` is called as n more scenarios are done, ``setup_progress(done,
    total)`` as the groups of discrete choices are checked and built; ``workers`` threads
    share the batches (default 1: threads shorten the wait on idle cores but cost more
    CPU time in all, see docs/design-notes.md) — the results do not depend on it. A Sobol run keeps every scenario's ranks of the Sobol year
    (N·(G + 2)·units·2 bytes): above ``memmap_bytes`` in a temporary file (in
    ``scratch_dir``, default the system's temporary folder) — call :meth:`SensitivityRun
    .close` when done with it.
    """
    timer = time.perf_counter()
    seconds: dict[str, float] = {}
    framework = framework_for_panel(framework, panel, recipe)   # sub-annual: sub-index
    # cheap checks first: a bad N, seed, k or a single Sobol factor fails before any work
    spec = check_run_options(framework, recipe, samples=samples, seed=seed, sobol=sobol,
                             top_k=top_k, spec=spec)
    seed = recipe.seed if seed is None else seed
    design = build_design(framework, panel, recipe, spec, years=years, ahp_loader=ahp_loader,
                          progress=setup_progress)
    seconds["design"] = time.perf_counter() - timer
    k = default_k(recipe) if top_k is None else int(top_k)
    notes = _check_k_against_units(k, top_k is not None, design)
    n_edges = len(design.edges)
    plans = design.plan_list()
    nominal_weights = np.array([design.edge_weights[key]
                                for key in product(*[range(s) for s in spec.sizes])])
    edge_alpha = None
    if spec.weights == "dirichlet":
        _check_dirichlet_shapes(design)
        edge_alpha = spec.weights_param * nominal_weights
    parent_ids = {p: i for i, p in enumerate(dict.fromkeys(p for p, _ in design.edges))}
    sampler = Sampler(spec, n_edges, samples, seed, sobol=sobol,
                      group_index=design.group_index, edge_alpha=edge_alpha,
                      edge_parents=np.array([parent_ids[p] for p, _ in design.edges], dtype=int))
    total = sampler.total
    blocks = design.blocks
    bins = max(b - a for _, a, b in blocks) + 1
    group_counts = np.zeros(len(plans), dtype=np.int64)
    shift_units = int((design.nominal_ranks > 0).sum())

    keep_block = None
    store = sobol_shift = None
    if sobol:
        year = sobol_year if sobol_year is not None else blocks[-1][0]
        matches = [b for b in blocks if b[0] == year]
        if not matches:
            raise DataError(M("sens.engine.year_not_among_years", year=year),
                            fix=M("inputs.sobol_years.fix",
                                  years=", ".join(str(b[0]) for b in blocks)))
        keep_block = matches[0]
        check_sobol_budget(samples, sampler.n_groups, keep_block[2] - keep_block[1],
                           memmap_bytes=memmap_bytes, scratch_dir=scratch_dir)
        store = RankStore(total, keep_block[2] - keep_block[1], memmap_bytes=memmap_bytes,
                          folder=scratch_dir)
        sobol_shift = np.zeros(total)

    writer = None
    if samples_path is not None:
        legend = {"factors": [{"name": f.name, "choices": [c.label for c in f.choices]}
                              for f in spec.factors],
                  "edges": [list(e) for e in design.edges], "weights": spec.weights,
                  "weights_param": spec.weights_param,
                  "design": "sobol" if sobol else "monte_carlo", "seed": seed,
                  "samples": samples, "scenarios": total}
        try:
            writer = SampleWriter(Path(samples_path), total, spec.sizes,
                                  n_edges if spec.weights != "none" else None,
                                  nominal_weights, legend)
        except BaseException:
            if store is not None:
                store.close()
            raise
    batch = int(np.clip(BATCH_ELEMENTS // max(1, len(design.rows)), 64, 8192))
    counter = _Counter(design, bins, k, keep_block, want_shift=sobol)
    _check_workers(workers)
    seconds["setup"] = time.perf_counter() - timer

    def collect(result) -> None:
        positions, shift, kept = result
        if kept is not None:
            store.put(positions, kept)
        if shift is not None:
            sobol_shift[positions] = shift / max(shift_units, 1)
        if progress is not None:
            progress(len(positions), total)

    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    pending: deque = deque()
    try:
        with _blas_single_thread():
            for chunk in sampler.chunks():
                if writer is not None:
                    writer.add(chunk.start, chunk.codes, chunk.draws)
                gid = design.group_index(chunk.codes)
                order = np.argsort(gid, kind="stable")
                bounds = np.flatnonzero(np.diff(gid[order])) + 1
                for segment in np.split(order, bounds):
                    g = int(gid[segment[0]])
                    group_counts[g] += len(segment)
                    steps = [segment] if chunk.draws is None else \
                        [segment[i:i + batch] for i in range(0, len(segment), batch)]
                    for idx in steps:
                        draws = None if chunk.draws is None else chunk.draws[idx]
                        weight = len(idx) if draws is None else 1
                        task = (plans[g], draws, weight, chunk.start + idx)
                        if pool is None:
                            collect(counter(*task))
                            continue
                        pending.append(pool.submit(counter, *task))
                        while len(pending) > 2 * workers:
                            collect(pending.popleft().result())
            while pending:
                collect(pending.popleft().result())
        if writer is not None:
            writer.close()
            writer = None
    except BaseException:
        if store is not None:
            store.close()
        raise
    finally:
        for future in pending:
            future.cancel()
        if pool is not None:
            pool.shutdown(wait=True)
        if writer is not None:
            writer.abort()
    hist, bottom = counter.totals()
    seconds["scenarios"] = time.perf_counter() - timer - seconds["setup"]
    return SensitivityRun(design, sampler, total, hist, bottom, shift_units, k,
                          group_counts, keep_block[0] if keep_block else None, store,
                          sobol_shift, seconds, notes)
