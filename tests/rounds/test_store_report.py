"""Reports from results, not re-runs: `report --from DIR` and `report --round N` render
from the tables as written or published, with no framework or data option."""
from __future__ import annotations

import hashlib

from rounds.helpers import invoke, panel, score_to


def _report(folder, kind):
    """The report file of ``kind`` in ``folder`` (named by year and language:
    report-2023-en.html)."""
    found = sorted(folder.glob(f"report-*.{kind}"))
    assert len(found) == 1, found
    return found[0]


def _hashes(folder):
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def test_report_from_a_results_folder_matches_the_scored_report(tmp_path):
    folder = score_to(tmp_path, "r", panel())
    scored = tmp_path / "scored"
    direct = invoke("report", "-f", tmp_path / "store_demo.yaml", "-d", tmp_path / "r.csv",
                    "--out", scored)
    assert direct.exit_code == 0, direct.output
    before = _hashes(folder)
    out = tmp_path / "from"
    done = invoke("report", "--from", folder, "--out", out)
    assert done.exit_code == 0, done.output
    assert "nothing re-scored" in done.output
    assert _hashes(folder) == before                      # the results are only read
    assert _report(out, "md").read_text() == _report(scored, "md").read_text()
    assert _report(out, "html").stat().st_size > 10_000 and not (out / "rankings.csv").exists()
    zh = invoke("report", "--from", folder, "--out", tmp_path / "zh", "--lang", "zh")
    assert zh.exit_code == 0 and "历次发布" not in _report(tmp_path / "zh", "html").read_text()


def test_report_from_a_published_round_adds_the_published_trend(db_url, tmp_path):
    r23 = score_to(tmp_path, "r23", panel())
    r24 = score_to(tmp_path, "r24", panel(years=(2021, 2022, 2023, 2024)))
    for folder in (r23, r24):
        assert invoke("publish", folder, "--db", db_url).exit_code == 0
    out = tmp_path / "rep"
    done = invoke("report", "--round", 2, "--db", db_url, "--out", out)
    assert done.exit_code == 0, done.output
    html = _report(out, "html").read_text()
    assert html.count('class="data compact published"') == 8    # one per unit
    block = html.split('class="data compact published"')[1].split("</table>")[0]
    assert "<td>2023</td>" in block and "<td>2024</td>" in block


def test_report_sources_are_checked(tmp_path):
    folder = score_to(tmp_path, "r", panel())
    both = invoke("report", "--from", folder, "--round", 1, "--out", tmp_path / "x")
    assert both.exit_code == 2 and "cannot be used together" in both.output
    mixed = invoke("report", "--from", folder, "-f", "hdi", "--out", tmp_path / "x")
    assert mixed.exit_code == 2 and "--framework" in mixed.output
    none = invoke("report", "--out", tmp_path / "x")
    assert none.exit_code == 2 and "--from DIR" in none.output
    (folder / "weights.csv").write_text("edited")
    edited = invoke("report", "--from", folder, "--out", tmp_path / "x")
    assert edited.exit_code == 2 and "weights.csv was changed" in edited.output
    assert "Traceback" not in edited.output
