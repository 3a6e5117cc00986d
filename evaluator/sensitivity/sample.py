"""Scenarios: which alternative of each discrete factor, and the weight draws.

A scenario is a row of the unit hypercube: one coordinate per varied discrete factor
(mapped from [0, 1) to its K alternatives as ⌊u·K⌋) and, when weights vary, one per edge
of the tree (a parent's child). Two designs:

* Monte Carlo: ``numpy.random.default_rng(seed)``, generated in fixed-size chunks (so any N
  runs in bounded memory and the same seed always gives the same scenarios); weight
  perturbations are ``1 − f + 2f·u``; Dirichlet draws are gamma variates with shape
  ``c · nominal weight``, normalised within each parent (so they are Dirichlet(c · w)).
* Sobol: the design of SALib's Saltelli/Sobol' sampler (``SALib.sample.sobol.sample``,
  scrambled, seeded, no second order; built here block by block, identical to SALib's —
  tested) with one group per factor (all edges form the group ``weights``), N·(G + 2)
  scenarios; Dirichlet draws by the gamma quantile function.

The weight draws are rounded to float32 once drawn, and those are the values scored: so
``samples.npz`` stores them in 4 bytes each and a scenario's weights can be rebuilt from
the file exactly (a relative change of at most 6·10⁻⁸ in a weight, far below any
meaningful precision of a weight).

References: Saltelli, A. et al. (2010), Variance based sensitivity analysis of model
output, *Computer Physics Communications* 181(2), 259–270 (the sampling design);
Saisana, Saltelli & Tarantola (2005), *JRSS A* 168(2) (discrete factors as uniform
triggers).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

import numpy as np

from ..errors import MethodError, RecipeError
from .spec import UncertaintySpec
from ..i18n import M

#: Scenarios generated at a time (fixed: the stream of random numbers, hence the
#: scenarios, must not depend on the machine).
GENERATION_CHUNK = 65_536
#: Design values (scenarios × variables) built at a time for a Sobol design.
SOBOL_BLOCK_VALUES = 1 << 20


@dataclass
class ScenarioChunk:
    """Scenarios ``start … start + len(codes)``: ``codes`` (c × factors, int) and
    ``draws`` (c × edges, float; None when the weights do not vary)."""

    start: int
    codes: np.ndarray
    draws: np.ndarray | None


def sobol_problem(spec: UncertaintySpec, n_edges: int) -> dict:
    """SALib problem: one variable per edge (group ``weights``) and one per varied
    discrete factor (its own group)."""
    names, groups = [], []
    if spec.weights != "none":
        names += [f"w{e}" for e in range(n_edges)]
        groups += ["weights"] * n_edges
    for f in spec.factors:
        if f.varied:
            names.append(f.name)
            groups.append(f.name)
    return {"num_vars": len(names), "names": names, "groups": groups,
            "bounds": [[0.0, 1.0]] * len(names)}


def _codes(spec: UncertaintySpec, U: np.ndarray) -> np.ndarray:
    """Discrete choice indices from uniforms (one column per varied factor)."""
    codes = np.zeros((len(U), len(spec.factors)), dtype=np.int64)
    col = 0
    for i, f in enumerate(spec.factors):
        if f.varied:
            k = len(f.choices)
            codes[:, i] = np.minimum((U[:, col] * k).astype(np.int64), k - 1)
            col += 1
    return codes


class Sampler:
    """Iterates over the scenarios of one analysis in chunks.

    ``edge_alpha`` (groups × edges) holds, for Dirichlet weights, each group's
    concentration × nominal weight per edge (0 where an edge is absent from the group);
    ``edge_parents`` (edges,) numbers each edge's parent (edges of one parent are
    consecutive), to normalise Dirichlet draws within each parent.
    """

    def __init__(self, spec: UncertaintySpec, n_edges: int, samples: int, seed: int, *,
                 sobol: bool = False, group_index=None, edge_alpha: np.ndarray | None = None,
                 edge_parents: np.ndarray | None = None):
        if isinstance(samples, bool) or not isinstance(samples, (int, np.integer)) \
                or samples < 2:
            raise RecipeError(M("sens.sample.scenarios_are_too_few", samples=samples), where="--samples",
                              fix=M("sens.sample.scenarios_are_too_few.fix"))
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0:
            raise RecipeError(M("sens.sample.seed_not_non_negative", seed=seed),
                              where="--seed")
        self.spec, self.n_edges, self.samples, self.seed = spec, n_edges, int(samples), int(seed)
        self.sobol = sobol
        self.group_index = group_index
        self.edge_alpha = edge_alpha
        self.edge_parents = edge_parents
        self.n_discrete = sum(f.varied for f in spec.factors)
        if sobol:
            self.problem = sobol_problem(spec, n_edges)
            n_groups = len(set(self.problem["groups"]))
            if n_groups < 2:
                only = self.problem["groups"][0] if self.problem["groups"] else "nothing"
                raise RecipeError(M("sens.sample.sobol_indices_need_two", only=only), where="uncertainty",
                                  fix=M("sens.sample.sobol_indices_need_two.fix"))
            self.n_groups = n_groups
        else:
            self.problem = None
            self.n_groups = len(spec.varied_factors)

    @property
    def total(self) -> int:
        """Number of scenarios: N, or N·(G + 2) for the Sobol design."""
        return self.samples * (self.n_groups + 2) if self.sobol else self.samples

    def design(self) -> np.ndarray:
        """The whole Sobol design (total × variables): what
        ``SALib.sample.sobol.sample(problem, N, calc_second_order=False, scramble=True,
        seed=seed)`` returns (for small designs and tests; runs use :meth:`chunks`)."""
        return np.concatenate([X for _, X in self._sobol_blocks()])

    def _sobol_blocks(self) -> Iterator[tuple[int, np.ndarray]]:
        """SALib's Saltelli design without second order, a block of base points at a time
        (so memory does not grow with N, and without SALib's Python loop over every
        cell): the base points are the same scrambled Sobol' sequence of 2D dimensions
        (scipy's ``qmc.Sobol``, SALib's seed), drawn in consecutive blocks; per base point
        the rows are A, then A with group k's columns taken from B for each group, then
        B. Bounds are [0, 1], so SALib's scaling is the identity."""
        import warnings

        from scipy.stats import qmc
        groups = self.problem["groups"]
        names = list(dict.fromkeys(groups))
        D, G = len(groups), len(names)
        masks = [np.array([g == name for g in groups]) for name in names]
        # blocks of at most ~8 MB of design (the block size does not change the design)
        per = max(1, min(GENERATION_CHUNK, SOBOL_BLOCK_VALUES // D) // (G + 2))
        with warnings.catch_warnings():
            # scipy warns when a block is not a power of 2 long; the points are the same
            warnings.simplefilter("ignore")
            sequence = qmc.Sobol(d=2 * D, scramble=True, seed=self.seed)
            for first in range(0, self.samples, per):
                base = sequence.random(min(per, self.samples - first))
                A, B = base[:, :D], base[:, D:]
                X = np.empty((len(base), G + 2, D))
                X[:, 0] = A
                for k, mask in enumerate(masks):
                    X[:, k + 1] = np.where(mask, B, A)
                X[:, G + 1] = B
                yield first * (G + 2), X.reshape(-1, D)

    def chunks(self) -> Iterator[ScenarioChunk]:
        if self.sobol:
            yield from self._sobol_chunks()
        else:
            yield from self._mc_chunks()

    def _draws(self, U: np.ndarray | None, codes: np.ndarray, rng=None) -> np.ndarray | None:
        kind, f = self.spec.weights, self.spec.weights_param
        if kind == "none":
            return None
        if kind == "perturb":
            u = rng.random((len(codes), self.n_edges)) if U is None else U
            m = np.multiply(u, 2.0 * f)
            m += 1.0 - f
            return _single(m)
        alpha = self.edge_alpha[self.group_index(codes)]
        if U is None:
            draws = rng.standard_gamma(alpha)
        else:
            from scipy.special import gammaincinv
            u = np.clip(U, 1e-12, 1 - 1e-12)
            with np.errstate(all="ignore"):
                draws = np.where(alpha > 0, gammaincinv(alpha, u), 0.0)
        return _single(self._within_parents(draws))

    def _within_parents(self, draws: np.ndarray) -> np.ndarray:
        """Gamma variates → relative weights within each parent (Dirichlet draws)."""
        parents = self.edge_parents if self.edge_parents is not None \
            else np.zeros(draws.shape[1], dtype=int)
        starts = np.flatnonzero(np.r_[True, parents[1:] != parents[:-1]])
        totals = np.add.reduceat(draws, starts, axis=1)
        if not np.all(totals > 0):
            raise MethodError(M("sens.sample.every_weight_drawn_children"), where="uncertainty.weights",
                              fix=M("sens.sample.every_weight_drawn_children.fix"))
        return draws / np.repeat(totals, np.diff(np.r_[starts, len(parents)]), axis=1)

    def _mc_chunks(self) -> Iterator[ScenarioChunk]:
        rng = np.random.default_rng(self.seed)
        for start in range(0, self.samples, GENERATION_CHUNK):
            c = min(GENERATION_CHUNK, self.samples - start)
            codes = _codes(self.spec, rng.random((c, self.n_discrete)))
            yield ScenarioChunk(start, codes, self._draws(None, codes, rng))

    def _sobol_chunks(self) -> Iterator[ScenarioChunk]:
        n_w = self.n_edges if self.spec.weights != "none" else 0
        for start, X in self._sobol_blocks():
            codes = _codes(self.spec, X[:, n_w:])
            yield ScenarioChunk(start, codes, self._draws(X[:, :n_w], codes))


def _single(draws: np.ndarray) -> np.ndarray:
    """The draws as scored and saved: rounded to float32, held as float64 (in place)."""
    draws[...] = draws.astype(np.float32)
    return draws
