"""COINr's ASEM example: a framework imported from ASEM_iMeta.csv and the recipe in
tests/data/asem_recipe.yaml reproduce COINr 1.1.14's default build at every stage to 1e-9,
with identical ranks — through the CLI and the public API only."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

import evaluator
from evaluator.cli import main
from tests.conftest import reference_path

RECIPE = __import__("pathlib").Path(__file__).parent / "data" / "asem_recipe.yaml"


@pytest.fixture(scope="module")
def asem(tmp_path_factory):
    meta = reference_path("asem", "ASEM_iMeta.csv")
    data = reference_path("asem", "ASEM_iData.csv")
    tmp = tmp_path_factory.mktemp("asem")
    fw_path = tmp / "asem.yaml"
    runner = CliRunner()
    res = runner.invoke(main, ["frameworks", "import-coinr", str(meta), "-o", str(fw_path),
                               "--id", "asem"])
    assert res.exit_code == 0, res.output
    out = tmp / "out"
    res = runner.invoke(main, ["score", "-f", str(fw_path), "-d", str(data), "-r", str(RECIPE),
                               "--out", str(out)])
    assert res.exit_code == 0, res.output
    fw = evaluator.load_framework(fw_path)
    panel = evaluator.load_panel(data, fw)
    result = evaluator.evaluate(fw, panel, evaluator.load_recipe(RECIPE, base=fw.recipe))
    return fw, result, out


def coinr(name: str) -> pd.DataFrame:
    return pd.read_csv(reference_path("asem", "coinr_default_build", f"{name}.csv")) \
        .set_index("uCode").sort_index()


def ours(result, stage: str) -> pd.DataFrame:
    return result.data(stage).set_index("unit").sort_index()


def test_imported_framework_has_the_coinr_tree(asem):
    fw, _, _ = asem
    assert len(fw.indicators) == 49
    assert fw.first_level == ["Conn", "Sust"]
    assert sorted(fw.children("Conn")) == sorted(["Physical", "ConEcFin", "Political",
                                                  "Instit", "P2P"])
    assert fw.indicator("Flights").denominator == "Population"
    assert fw.indicator("Tariff").direction == "cost"


@pytest.mark.parametrize("stage, ours_stage", [
    ("dset_Denominated", "denominated"), ("dset_Imputed", "imputed"),
    ("dset_Screened", "screened"), ("dset_Treated", "treated"),
    ("dset_Normalised", "normalised")])
def test_every_stage_to_1e9(asem, stage, ours_stage):
    fw, result, _ = asem
    expected = coinr(stage)
    got = ours(result, ours_stage)[list(expected.columns)]
    assert list(got.index) == list(expected.index)
    np.testing.assert_allclose(got.to_numpy(float), expected.to_numpy(float),
                               rtol=0, atol=1e-9, equal_nan=True)


def test_every_aggregate_to_1e9(asem):
    fw, result, _ = asem
    expected = coinr("dset_Aggregated")
    got = result.scores_wide().set_index("unit").sort_index()
    got = got.rename(columns={"index": "Index"})
    for node in [n for n in fw.node_ids] + ["Index"]:
        np.testing.assert_allclose(got[node].to_numpy(float), expected[node].to_numpy(float),
                                   rtol=0, atol=1e-9, err_msg=node)


def test_ranks_identical_through_the_cli_tables(asem):
    _, _, out = asem
    expected = coinr("results_Full")
    rankings = pd.read_csv(out / "rankings.csv").set_index("unit").sort_index()
    assert rankings["rank"].tolist() == expected["Rank"].tolist()
    np.testing.assert_allclose(rankings["score"], expected["Index"], rtol=0, atol=1e-9)
    np.testing.assert_allclose(rankings["Conn"], expected["Conn"], rtol=0, atol=1e-9)


def test_published_vignette_top_six(asem):
    _, result, _ = asem
    top = pd.read_csv(reference_path("asem", "published_vignette_results.csv"))
    ranks = result.rankings.set_index("unit")
    for _, row in top.iterrows():
        assert ranks.loc[row["uCode"], "rank"] == row["Rank"]
        assert round(ranks.loc[row["uCode"], "score"], 2) == pytest.approx(row["Index"])
