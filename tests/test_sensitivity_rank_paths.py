"""The sensitivity engine's three ranking paths (32-bit keys, 64-bit keys, argsort) give
exactly the pipeline's competition ranks (issue 11): on adversarial scores — ties, scores
a hair inside and outside the rank tolerance, scores on the 32-bit keys' grid lines,
constant rows, NaN, ±0, ±inf, huge and tiny magnitudes, one or two units, more units
than the 32-bit keys take — with the years of a batch ranked in one call as one by one."""
from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator.methods.ranking import competition_rank
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel
from evaluator.model.recipe import Recipe
from evaluator.sensitivity import run_sensitivity
from evaluator.sensitivity.engine import _runs
from evaluator.sensitivity.ranks import (BlockCounter, Workspace, _order32, count_block,
                                        key_bits)

RTOLS = [0.0, 1e-15, 1e-9, 1e-6, 1e-3]
#: multiples of the tolerance at which a neighbour is put: inside, on, just outside it
NEAR = [0.0, 0.5, 1 - 2.0 ** -40, 1.0, 1 + 2.0 ** -52, 1 + 2.0 ** -40, 1 + 1e-9, 1.5, 2.0,
        3.0, 17.0]


def expected_ranks(row: np.ndarray, rtol: float, decimals) -> np.ndarray:
    r = competition_rank(row, decimals=decimals, rtol=rtol)
    return np.where(np.isnan(r), 0, r).astype(np.int32)


def adversarial(rng: np.random.Generator, c: int, n: int, rtol: float) -> np.ndarray:
    """c × n scores built to sit on every edge the fast paths must not get wrong."""
    with np.errstate(all="ignore"):                    # huge magnitudes overflow to ±inf
        return _adversarial(rng, c, n, rtol)


def _adversarial(rng: np.random.Generator, c: int, n: int, rtol: float) -> np.ndarray:
    magnitude = 10.0 ** rng.choice([-300, -20, -3, 0, 2, 15, 300])
    x = rng.normal(rng.choice([0.0, 1.0, -5.0]), 1.0, (c, n)) * magnitude
    for i in range(c):
        row = x[i]
        kind = rng.integers(0, 10)
        if kind == 0:                                   # constant (one or two values)
            row[:] = row[0]
            row[rng.random(n) < 0.3] = rng.choice([-0.0, 0.0, row[0] / 2])
        elif kind == 1 and n > 2:                       # on the 32-bit grid lines
            bits = max(1, (n - 1).bit_length())
            steps = float((1 << (32 - bits)) - 1)
            top, span = row.max(), row.max() - row.min()
            k = rng.integers(0, int(steps) + 1, n)
            row[:] = top - span * k / steps
            row[rng.integers(0, n, max(1, n // 4))] = np.nextafter(
                row[rng.integers(0, n, max(1, n // 4))], rng.choice([-np.inf, np.inf]))
        for _ in range(rng.integers(0, 4)):             # neighbours at f × the tolerance
            a, b = rng.integers(0, n, 2)
            scale = np.nanmax(np.abs(row[np.isfinite(row)])) if np.isfinite(row).any() else 1.0
            row[b] = row[a] - rng.choice([-1, 1]) * rng.choice(NEAR) * rtol * scale
        for _ in range(rng.integers(0, 3)):             # ulps apart, ties, ±0
            a, b = rng.integers(0, n, 2)
            row[b] = np.nextafter(row[a], rng.choice([-np.inf, np.inf])) \
                if rng.random() < 0.5 else row[a]
            if rng.random() < 0.2:
                row[a], row[b] = 0.0, -0.0
        if rng.random() < 0.1:
            row[rng.integers(0, n)] = np.nan
        if rng.random() < 0.05:
            row[rng.integers(0, n)] = rng.choice([np.inf, -np.inf])
    return x


def check(x: np.ndarray, years: int, rtol: float, decimals, bottom_k: int, weight: int):
    """count_block over `years` years side by side equals the pipeline's ranks."""
    c, width = x.shape
    n = width // years
    bins = n + 1
    nominal = np.concatenate([expected_ranks(x[0, y * n:(y + 1) * n], rtol, decimals)
                              for y in range(years)])
    hist = np.zeros((width, bins), dtype=np.int64)
    bottom = np.zeros(width, dtype=np.int64)
    got = count_block(x, nominal, hist, bottom, bottom_k=bottom_k, decimals=decimals,
                      weight=weight, want_shift=True, keep_ranks=True, rtol=rtol, units=n,
                      work=Workspace())
    want = np.stack([np.concatenate([expected_ranks(x[i, y * n:(y + 1) * n], rtol, decimals)
                                     for y in range(years)]) for i in range(c)])
    assert np.array_equal(got.ranks, want)
    want_hist = np.zeros_like(hist)
    want_bottom = np.zeros_like(bottom)
    for i in range(c):
        want_hist[np.arange(width), want[i]] += weight
        for y in range(years):
            r = want[i, y * n:(y + 1) * n]
            ranked = r > 0
            want_bottom[y * n:(y + 1) * n] += weight * (ranked & (r >= ranked.sum() - bottom_k + 1))
    valid = (want > 0) & (nominal > 0)
    assert np.array_equal(hist, want_hist)
    assert np.array_equal(bottom, want_bottom)
    assert np.array_equal(got.shift, np.where(valid, np.abs(want - nominal), 0).sum(axis=1))
    # the same counts, year by year in separate calls
    hist2, bottom2 = np.zeros_like(hist), np.zeros_like(bottom)
    shift2 = 0
    for y in range(years):
        a, b = y * n, (y + 1) * n
        one = count_block(x[:, a:b], nominal[a:b], hist2[a:b], bottom2[a:b],
                          bottom_k=bottom_k, decimals=decimals, weight=weight,
                          want_shift=True, rtol=rtol)
        shift2 = shift2 + one.shift
    assert np.array_equal(hist2, hist) and np.array_equal(bottom2, bottom)
    assert np.array_equal(shift2, got.shift)


@settings(max_examples=300, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), c=st.integers(1, 7),
       n=st.one_of(st.integers(1, 6), st.integers(7, 70)), years=st.integers(1, 3),
       rtol=st.sampled_from(RTOLS), decimals=st.sampled_from([None, None, 0, 3, 9]),
       bottom_k=st.integers(0, 4), weight=st.sampled_from([1, 7]))
def test_every_path_ranks_as_the_pipeline(seed, c, n, years, rtol, decimals, bottom_k, weight):
    rng = np.random.default_rng(seed)
    x = np.concatenate([adversarial(rng, c, n, rtol) for _ in range(years)], axis=1)
    with np.errstate(all="ignore"):          # the reference rounds ±inf and huge numbers
        check(x, years, rtol, decimals, bottom_k, weight)


@settings(max_examples=12, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.sampled_from([724, 725, 1500]),
       rtol=st.sampled_from([0.0, 1e-9]))
def test_more_units_than_the_32_bit_keys_take(seed, n, rtol):
    rng = np.random.default_rng(seed)
    with np.errstate(all="ignore"):
        check(adversarial(rng, 3, n, rtol), 1, rtol, None, 3, 1)


@settings(max_examples=150, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(2, 300),
       rtol=st.sampled_from(RTOLS))
def test_rows_the_32_bit_keys_accept_have_no_tie_and_the_pipelines_order(seed, n, rtol):
    rng = np.random.default_rng(seed)
    x = adversarial(rng, 6, n, rtol)
    bits = key_bits(n)
    with np.errstate(invalid="ignore"):
        units, ok = _order32(x, x.max(axis=1), x.min(axis=1), rtol, bits, Workspace())
    for i in np.flatnonzero(ok):
        want = expected_ranks(x[i], rtol, None)
        assert np.array_equal(want[units[i].astype(int)], np.arange(1, n + 1))


def test_the_32_bit_keys_rank_almost_every_ordinary_row():
    rng = np.random.default_rng(4)
    x = rng.normal(50, 10, (300, 262))
    _, ok = _order32(x, x.max(axis=1), x.min(axis=1), 1e-9, key_bits(262), Workspace())
    assert ok.mean() > 0.9
    assert key_bits(724) is not None and key_bits(725) is None and key_bits(1) == 1


def test_neighbours_one_ulp_either_side_of_the_tolerance():
    scale, rtol = 80.0, 1e-9
    edge = rtol * scale                                   # what the exact path compares with
    for gap in (edge, np.nextafter(edge, 0), np.nextafter(edge, 1)):
        row = np.array([[scale, 40.0, 40.0 - gap, 10.0, 5.0]])
        check(row, 1, rtol, None, 2, 1)


def test_years_of_the_same_size_are_ranked_together_and_the_sobol_year_alone():
    blocks = [(2020, 0, 5), (2021, 5, 10), (2022, 10, 14), (2023, 14, 18), (2024, 18, 22)]
    assert _runs(blocks, None) == [(0, 10, 5, False), (10, 22, 4, False)]
    assert _runs(blocks, (2023, 14, 18)) == [(0, 10, 5, False), (10, 14, 4, False),
                                            (14, 18, 4, True), (18, 22, 4, False)]


def test_workers_do_not_change_a_sobol_run():
    fw = Framework.from_dict({"id": "w", "name": "W", "indicators": [
        {"id": f"x{j}"} for j in range(4)]})
    rng = np.random.default_rng(8)
    df = pd.DataFrame([{"unit": f"U{u}", "year": y, **{f"x{j}": rng.lognormal() for j in range(4)}}
                       for y in (2022, 2023, 2024) for u in range(30)])
    rc = Recipe.from_dict({"weights": "equal", "uncertainty": {
        "weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]}})
    panel = Panel.from_frame(df, fw)
    with run_sensitivity(fw, panel, rc, samples=300, seed=2, sobol=True, workers=1) as one, \
            run_sensitivity(fw, panel, rc, samples=300, seed=2, sobol=True, workers=2) as two:
        assert np.array_equal(one.hist, two.hist) and np.array_equal(one.bottom, two.bottom)
        assert np.array_equal(one.sobol_ranks, two.sobol_ranks)
        assert np.array_equal(one.sobol_shift, two.sobol_shift)


def test_infinite_nan_and_constant_rows_rank_without_numpy_warnings():
    x = np.array([[np.inf, np.inf, 1.0, 2.0], [np.nan, 1.0, 2.0, 3.0], [5.0, 5.0, 5.0, 5.0],
                  [-np.inf, 0.0, -0.0, 1e-300]])
    hist, bottom = np.zeros((4, 5), dtype=np.int64), np.zeros(4, dtype=np.int64)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = count_block(x, np.array([1, 2, 3, 4]), hist, bottom, bottom_k=2,
                          keep_ranks=True, want_shift=True)
    assert got.ranks.tolist() == [[1, 1, 4, 3], [0, 3, 2, 1], [1, 1, 1, 1], [4, 2, 2, 1]]


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 2 ** 32 - 1), n=st.integers(1, 40), years=st.integers(1, 3),
       wait=st.sampled_from([1, 200, 1 << 19]), rtol=st.sampled_from(RTOLS))
def test_rows_left_to_wait_are_counted_as_at_once(seed, n, years, wait, rtol):
    """A counter that lets the rows of the slower paths wait (flushed when `wait` scores
    wait, and at the end) counts exactly what ranking each batch at once counts."""
    rng = np.random.default_rng(seed)
    nominal = rng.integers(0, n + 1, years * n)
    counts = []
    for defer in (0, wait):
        hist = np.zeros((years * n, n + 1), dtype=np.int64)
        bottom = np.zeros(years * n, dtype=np.int64)
        counter = BlockCounter(hist, bottom, nominal, units=n, bottom_k=2, rtol=rtol,
                               defer=defer)
        batches = np.random.default_rng(seed + 1)
        for _ in range(6):
            c = int(batches.integers(1, 6))
            x = np.concatenate([adversarial(batches, c, n, rtol) for _ in range(years)], axis=1)
            with np.errstate(all="ignore"):   # the exact path's ±1e308 − ∓1e308 (as the pipeline)
                counter.add(x, int(batches.choice([1, 1, 4])))
        with np.errstate(all="ignore"):
            counter.flush()
        counts.append((hist, bottom))
    assert np.array_equal(counts[0][0], counts[1][0])
    assert np.array_equal(counts[0][1], counts[1][1])


def test_the_command_gives_the_same_bytes_with_any_number_of_workers(tmp_path):
    import yaml
    from click.testing import CliRunner

    from evaluator.cli.sensitivity import sensitivity
    fw = {"id": "w", "name": "W", "indicators": [{"id": f"x{j}"} for j in range(4)]}
    (tmp_path / "fw.yaml").write_text(yaml.safe_dump(fw), encoding="utf-8")
    rng = np.random.default_rng(3)
    pd.DataFrame([{"unit": f"U{u}", "year": y, **{f"x{j}": rng.lognormal() for j in range(4)}}
                  for y in (2023, 2024) for u in range(25)]).to_csv(tmp_path / "p.csv",
                                                                   index=False)
    (tmp_path / "r.yaml").write_text(yaml.safe_dump({"weights": "equal", "uncertainty": {
        "weights": {"perturb": 0.3}, "normalise": ["min_max", "rank"]}}), encoding="utf-8")
    base = ["-f", str(tmp_path / "fw.yaml"), "-d", str(tmp_path / "p.csv"),
            "-r", str(tmp_path / "r.yaml"), "--seed", "4"]
    for extra, files in ((["--samples", "3000"], ("rank_intervals.csv", "sensitivity.json")),
                         (["--samples", "128", "--sobol"],
                          ("rank_intervals.csv", "sobol.csv", "sensitivity.json"))):
        outs = []
        for workers in ("1", "3"):
            out = tmp_path / f"out{workers}"
            res = CliRunner().invoke(sensitivity, [*base, *extra, "--workers", workers,
                                                   "--out", str(out)])
            assert res.exit_code == 0, res.output
            outs.append({f: (out / f).read_bytes() for f in files})
        assert outs[0] == outs[1]
    res = CliRunner().invoke(sensitivity, [*base, "--samples", "64", "--workers", "0",
                                           "--out", str(tmp_path / "none")])
    assert res.exit_code == 2 and "workers = 0" in res.output and "--workers" in res.output
    assert not (tmp_path / "none").exists()
