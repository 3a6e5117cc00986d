"""The demo's and the report's output path made faster (issue 11) with the same numbers
and bytes: the kernel density and the t-test's p without ``scipy.stats`` (compared with
SciPy's own functions bit for bit), the report's disparity tables for the composite alone
(the rows of the full tables), the float columns of the CSV writer chosen on the numbers
(the bytes pandas' ``to_csv`` wrote), and a ``score --report`` process that never loads
``scipy.stats`` (checked in a fresh interpreter's ``sys.modules``)."""
from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluator.io.tables import write_csv_stream
from evaluator.methods.convergence import ols
from evaluator.methods.density import gaussian_kde_1d
from evaluator.output import safe_frame

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def demo_assessment():
    from evaluator.evaluate import default_recipe, evaluate
    from evaluator.model.framework import load_framework
    from evaluator.model.panel import load_panel
    from evaluator.resources import demo_panel_path
    fw = load_framework("resource_city_transition")
    return evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))


def _samples():
    rng = np.random.default_rng(11)
    for trial in range(120):
        n = int(rng.integers(2, 400))
        y = rng.normal(rng.uniform(-5, 60), rng.uniform(1e-3, 30), n)
        if trial % 3 == 0:
            y = np.round(y, 1)             # ties, as scores rounded in a panel
        if trial % 5 == 0:
            y = rng.uniform(0, 100, n)
        if np.ptp(y) > 0:
            yield y


def test_the_density_is_scipys_to_the_last_bit():
    from scipy.stats import gaussian_kde
    for y in _samples():
        lo, hi = y.min(), y.max()
        grid = np.linspace(lo - 0.1 * (hi - lo), hi + 0.1 * (hi - lo), 128)
        np.testing.assert_array_equal(gaussian_kde_1d(y, grid), gaussian_kde(y)(grid))


def test_the_t_tests_p_is_scipys_t_sf():
    from scipy import stats
    rng = np.random.default_rng(3)
    for n in [3, 4, 5, 10, 11, 60, 262]:
        for _ in range(20):
            x = rng.normal(size=n)
            y = 0.3 * x + rng.normal(size=n) * rng.uniform(0.01, 3)
            reg = ols(x, y)
            assert reg.p == float(2 * stats.t.sf(abs(reg.t), n - 2))


def test_the_reports_disparity_tables_are_the_composites_rows(demo_assessment):
    from evaluator.disparity import disparity_tables
    full = disparity_tables(demo_assessment)
    root = disparity_tables(demo_assessment, nodes=["index"])
    for name, table in root.items():
        expected = full[name]
        if "node" in expected.columns:
            expected = expected[expected["node"] == "index"].reset_index(drop=True)
        assert len(table) == len(expected) > 0 or name == "disparity_notes"
        pd.testing.assert_frame_equal(table.reset_index(drop=True), expected,
                                      check_exact=True)


EDGES = [0.0, -0.0, 1.0, -1.0, 12345.0, 0.5, 1e-4, -1e-4, 9.999999999999999e-05, 1e-5,
         1.5e-6, 1e-6, 9.99e-7, 1e-7, 5e-324, 2.2250738585072014e-308, 1e9, 9999999999.0,
         9999999999.5, 1e10, -1e10, 1.2e10, 123456789012.0, 1e15, 9007199254740993.0,
         1e16, 1.5e16, 1e21, 1e22, 1.7976931348623157e308, 0.1, 0.30000000000000004,
         2.5e-5, 123.456, -0.000123, np.nan, np.inf, -np.inf, 1e-300, 4503599627370496.5]


@pytest.mark.parametrize("scale", [1.0, -1.0, 3.0, 1e-3, 1e3])
def test_float_cells_at_every_notation_edge_are_the_bytes_pandas_wrote(scale):
    values = [v * scale for v in EDGES]
    frame = pd.DataFrame({"x": values, "k": np.arange(len(values))})
    new = io.BytesIO()
    write_csv_stream(frame, new)
    old = safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    assert new.getvalue() == old


def test_score_with_a_report_never_loads_scipy_stats(tmp_path):
    code = ("import sys, runpy, contextlib, io, json\n"
            "sys.argv = ['evaluator', 'score', '-f', 'resource_city_transition', '-d', "
            f"{str(ROOT / 'indicator_sets' / 'demo_panel.csv')!r}, '--out', "
            f"{str(tmp_path / 'out')!r}, '--report', 'zh']\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            "        runpy.run_module('evaluator', run_name='__main__')\n"
            "    except SystemExit as e:\n"
            "        assert e.code in (0, None), e.code\n"
            "print(json.dumps(sorted(m for m in sys.modules if m.startswith(('scipy.stats', "
            "'sklearn', 'SALib', 'sqlalchemy')))))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=tmp_path, timeout=300)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    assert (tmp_path / "out" / "report-2025-zh.html").stat().st_size > 0
