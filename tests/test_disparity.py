"""Disparity between groups: the Dagum (1997) Gini decomposition, the Theil index against
PySAL's `inequality` package, σ/β-convergence against scipy, and the command."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner
from hypothesis import given, settings, strategies as st
from inequality.gini import Gini
from inequality.theil import TheilD
from scipy import stats

from evaluator.cli.main import main
from evaluator.disparity import COLUMNS, disparity_tables
from evaluator.evaluate import evaluate
from evaluator.methods.convergence import beta_convergence, ols
from evaluator.methods.disparity import cv, dagum_gini, theil
from evaluator.model.framework import Framework
from evaluator.model.panel import Panel


def _pooled_gini(y):
    """The textbook form on sorted values: G = Σ(2i − n − 1) y_(i) / (n² ȳ)."""
    y = np.sort(y)
    n = y.size
    return float(((2 * np.arange(1, n + 1) - n - 1) * y).sum() / (n * n * y.mean()))


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 60), k=st.integers(1, 5))
def test_dagum_total_is_the_pooled_gini_and_the_parts_add_up(seed, n, k):
    rng = np.random.default_rng(seed)
    y = rng.lognormal(3, 0.6, n)
    groups = np.array([f"g{i % k}" for i in range(n)])
    res = dagum_gini(y, groups)
    c = res.columns
    assert c["gini"] == pytest.approx(_pooled_gini(y), abs=1e-12)
    assert c["gini"] == pytest.approx(Gini(y).g, abs=1e-12)
    assert c["within"] + c["between"] + c["transvariation"] == pytest.approx(c["gini"],
                                                                              abs=1e-12)
    assert min(c["within"], c["between"], c["transvariation"]) >= -1e-15


def test_dagum_pair_parts_and_one_group():
    y = np.array([1.0, 2, 3, 10, 12, 15])
    res = dagum_gini(y, np.array(list("aaabbb")))
    pair = res.pairs[0]
    assert (pair["group_a"], pair["group_b"]) == ("b", "a")        # higher mean first
    # groups that do not overlap have no transvariation: D = 1
    assert pair["relative_impact"] == pytest.approx(1.0)
    assert res.columns["transvariation"] == pytest.approx(0.0, abs=1e-15)
    one = dagum_gini(y, np.array(["a"] * 6))
    assert one.columns["within"] == pytest.approx(one.columns["gini"])
    assert one.columns["between"] == 0 and one.columns["transvariation"] == 0


def test_a_group_of_one_unit_is_a_documented_result():
    res = dagum_gini(np.array([1.0, 2, 3, 9]), np.array(list("aaab")))
    assert res.groups[1]["gini_group"] == 0 and "group 'b' has one unit" in res.notes[0]
    assert np.isfinite(list(res.columns.values())).all()


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(0, 10_000), n=st.integers(4, 60), k=st.integers(1, 5))
def test_theil_and_its_split_match_pysal(seed, n, k):
    rng = np.random.default_rng(seed)
    y = rng.lognormal(3, 0.8, n)
    codes = np.arange(n) % k
    res = theil(y, np.array([f"g{c}" for c in codes])).columns
    ref = TheilD(y, codes)
    assert res["theil"] == pytest.approx(float(np.ravel(ref.T)[0]), abs=1e-12)
    assert res["theil_between"] == pytest.approx(float(np.ravel(ref.bg)[0]), abs=1e-12)
    assert res["theil_within"] == pytest.approx(float(np.ravel(ref.wg)[0]), abs=1e-12)


def test_undefined_measures_are_nan_with_a_note():
    z = np.array([-1.0, 0.5, 0.5, 1.0])
    res = theil(z, np.array(list("aabb")))
    assert np.isnan(res.columns["theil"]) and "non-negative" in res.notes[0]
    assert np.isnan(dagum_gini(z - 5, np.array(list("aabb"))).columns["gini"])
    assert cv(np.array([1.0, 3.0]), None).columns["cv"] == pytest.approx(np.std([1, 3], ddof=1) / 2)


def test_convergence_regressions_match_scipy():
    rng = np.random.default_rng(2)
    y0 = rng.uniform(10, 80, 40)
    y1 = y0 * np.exp(0.05 * 8 - 0.01 * np.log(y0) * 8 + rng.normal(0, 0.02, 40))
    reg, speed = beta_convergence(y0, y1, 8)
    ref = stats.linregress(np.log(y0), np.log(y1 / y0) / 8)
    assert reg.slope == pytest.approx(ref.slope, abs=1e-12)
    assert reg.se == pytest.approx(ref.stderr, abs=1e-12)
    assert reg.p == pytest.approx(ref.pvalue, rel=1e-9)
    assert speed == pytest.approx(-np.log(1 + ref.slope * 8) / 8)
    sig = ols(np.arange(2015, 2025), np.linspace(0.3, 0.2, 10) + rng.normal(0, 0.001, 10))
    assert sig.slope < 0


FW = Framework.from_dict({"id": "dsp", "indicators": [
    {"id": "x1", "parent": "a"}, {"id": "x2", "parent": "a"}, {"id": "x3", "parent": "b"}],
    "nodes": [{"id": "a"}, {"id": "b"}]})


def _panel(groups=("growing", "mature", "declining")):
    rng = np.random.default_rng(7)
    units = [f"c{i:02d}" for i in range(12)]
    rows = []
    for year in (2020, 2021, 2022):
        for i, u in enumerate(units):
            rows.append({"unit": u, "year": year, "group": groups[i % len(groups)],
                         **{c: rng.uniform(1, 100) for c in ("x1", "x2", "x3")}})
    return pd.DataFrame(rows)


def test_tables_one_row_per_year_and_node_with_the_exact_columns():
    a = evaluate(FW, Panel.from_frame(_panel(), FW), {"normalise": {"range": [1, 100]}})
    tables = disparity_tables(a)
    main = tables["disparity"]
    assert list(main.columns) == COLUMNS
    assert len(main) == 3 * 3 and set(main["node"]) == {"index", "a", "b"}
    row = main[(main["node"] == "index") & (main["year"] == 2021)].iloc[0]
    y = a.scores["index"][a.years == 2021]
    assert row["gini"] == pytest.approx(_pooled_gini(y), abs=1e-12)
    assert row["within"] + row["between"] + row["transvariation"] == pytest.approx(row["gini"])
    assert set(tables["disparity_pairs"].columns) >= {"group_a", "group_b", "gini_pair"}
    conv = tables["convergence"]
    assert {"sigma", "beta"} <= set(conv["test"]) and conv["se"].notna().all()
    assert set(tables["density"]["year"]) == {2020, 2021, 2022}


def test_the_command_writes_the_tables_and_refuses_a_panel_without_groups(tmp_path):
    fw = tmp_path / "fw.yaml"
    fw.write_text("id: dsp\nindicators:\n  - {id: x1, parent: a}\n  - {id: x2, parent: a}\n"
                  "  - {id: x3, parent: b}\nnodes:\n  - {id: a}\n  - {id: b}\n")
    data = tmp_path / "panel.csv"
    _panel().to_csv(data, index=False)
    runner = CliRunner()
    res = runner.invoke(main, ["disparity", "-f", str(fw), "-d", str(data), "--out",
                               str(tmp_path / "out")])
    assert res.exit_code == 0, res.output
    written = pd.read_csv(tmp_path / "out" / "disparity.csv", encoding="utf-8-sig")
    assert list(written.columns) == COLUMNS
    for name in ("disparity_groups", "disparity_pairs", "convergence", "density"):
        assert (tmp_path / "out" / f"{name}.csv").is_file()
    _panel().drop(columns="group").to_csv(data, index=False)
    bad = runner.invoke(main, ["disparity", "-f", str(fw), "-d", str(data), "--out",
                               str(tmp_path / "out2")])
    assert bad.exit_code == 2 and "group" in bad.output and "Traceback" not in bad.output


@pytest.mark.parametrize("lang, title", [("en", "Disparity between groups"),
                                         ("zh", "组间差异与收敛")])
def test_the_report_has_a_disparity_section_with_its_chart(tmp_path, lang, title):
    fw = tmp_path / "fw.yaml"
    fw.write_text("id: dsp\nindicators:\n  - {id: x1, parent: a}\n  - {id: x2, parent: a}\n"
                  "  - {id: x3, parent: b}\nnodes:\n  - {id: a}\n  - {id: b}\n")
    data = tmp_path / "panel.csv"
    _panel().to_csv(data, index=False)
    res = CliRunner().invoke(main, ["report", "-f", str(fw), "-d", str(data), "--out",
                                    str(tmp_path / "rep"), "--lang", lang])
    assert res.exit_code == 0, res.output
    html = next((tmp_path / "rep").glob(f"report-*-{lang}.html")).read_text(encoding="utf-8")
    section = html[html.index('<section id="disparity">'):]
    section = section[:section.index("</section>")]
    assert title in section and "<svg" in section and "2020" in section


def test_a_sub_annual_assessment_is_refused_with_a_clear_error():
    from evaluator.errors import DataError
    a = evaluate(FW, Panel.from_frame(_panel(), FW))
    a.frequency = "quarter"
    with pytest.raises(DataError, match="per year"):
        disparity_tables(a)
