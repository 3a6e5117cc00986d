"""Excel questionnaires for AHP experts (issue 13): the template has an instructions sheet
first, one sheet per matrix with the items in both languages and a drop-down of Saaty's
scale on the upper triangle; a questionnaire filled by a script through openpyxl — one
sheet set per expert, or one workbook per expert — gives exactly the priorities, CR and
revision hints of the same judgements in YAML. And `weights --method combined` uses the
dimensions' matrix of the file it is given."""
from __future__ import annotations

import io
import shutil
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import yaml
from click.testing import CliRunner
from openpyxl import load_workbook

from evaluator.cli import main
from evaluator.errors import FrameworkError
from evaluator.model.framework import load_framework
from evaluator.model.judgement_workbook import (FIRST_COL, FIRST_ROW, HEADER_ROW,
                                                INSTRUCTIONS, SCALE, matrix_parents,
                                                workbook_template)
from evaluator.model.judgements import load_judgements
from evaluator.resources import demo_panel_path, weights_dir
from evaluator.stages.ahp_weights import analyse_judgements

FW = "resource_city_transition"


@pytest.fixture(scope="module")
def fw():
    return load_framework(FW)


@pytest.fixture(scope="module")
def example():
    return yaml.safe_load((weights_dir() / "example_panel.yaml").read_text(encoding="utf-8"))


def _as_fraction(v) -> Fraction:
    return Fraction(str(v)) if isinstance(v, str) else Fraction(v).limit_denominator(1000)


def _text(f: Fraction) -> str:
    return str(f.numerator) if f.denominator == 1 else f"{f.numerator}/{f.denominator}"


def upper(entry: dict, items: list[str], expert: dict) -> dict[tuple[str, str], str]:
    """One expert's judgement of every pair (a before b in ``items``) as the YAML writes
    it: from its full matrix or its upper-triangle mapping (reciprocal when the YAML
    judges b against a)."""
    order = list(entry["items"])
    out = {}
    for i, a in enumerate(items):
        for b in items[i + 1:]:
            if "matrix" in expert:
                v = _as_fraction(expert["matrix"][order.index(a)][order.index(b)])
            else:
                j = expert["judgements"]
                if b in j.get(a, {}):
                    v = _as_fraction(j[a][b])
                elif a in j.get(b, {}):
                    v = 1 / _as_fraction(j[b][a])
                else:
                    continue
            out[(a, b)] = _text(v)
    return out


def experts_of(entry: dict) -> list[dict]:
    return entry.get("experts") or [{"name": "E1", **{k: entry[k] for k in ("matrix", "judgements")
                                                        if k in entry}}]


def fill(ws, items: list[str], judgements: dict[tuple[str, str], str]) -> None:
    for i, a in enumerate(items):
        for j in range(i + 1, len(items)):
            ws.cell(FIRST_ROW + i, FIRST_COL + j).value = judgements.get((a, items[j]))


def _sheet_of(wb, node: str):
    return next(ws for ws in wb.worksheets if ws["A1"].value == "node" and ws["B1"].value == node)


def _summary(analysis) -> dict:
    return {m["node"]: (dict(zip(m["items"], np.round(m["priorities"], 12))),
                        round(m["cr"], 12), m["consistent"])
            for m in analysis.to_json() if "node" in m}


# -- the template --------------------------------------------------------------------------------
def test_the_template_has_instructions_first_and_a_sheet_per_matrix(fw):
    wb = load_workbook(io.BytesIO(workbook_template(fw)))
    assert wb.sheetnames[0] == INSTRUCTIONS
    first = "\n".join(str(c) for row in wb[INSTRUCTIONS].iter_rows(values_only=True)
                      for c in row if c)
    assert "Saaty" in first and "稍微重要" in first and "moderate importance" in first
    parents = matrix_parents(fw)
    assert [ws["B1"].value for ws in wb.worksheets[1:]] == parents
    for node in parents:
        ws = _sheet_of(wb, node)
        items = list(fw.children(node))
        assert [ws.cell(HEADER_ROW, FIRST_COL + j).value for j in range(len(items))] == items
        # names in both languages beside the ids
        for i, item in enumerate(items):
            assert ws.cell(FIRST_ROW + i, 2).value == (
                f"{fw.label(item, 'zh')} / {fw.label(item, 'en')}"
                if fw.label(item, "zh") != fw.label(item, "en") else fw.label(item, "zh"))
        dv = ws.data_validations.dataValidation
        assert len(dv) == 1 and dv[0].type == "list"
        assert dv[0].formula1.strip('"').split(",") == SCALE
        covered = {str(c) for r in dv[0].sqref.ranges for c in _cells(r)}
        want = {ws.cell(FIRST_ROW + i, FIRST_COL + j).coordinate
                for i in range(len(items)) for j in range(i + 1, len(items))}
        assert covered == want                        # the upper triangle, nothing else
        assert all(ws[c].number_format == "@" for c in want)   # 1/3 stays a fraction


def _cells(cell_range):
    from openpyxl.utils import get_column_letter
    for row in range(cell_range.min_row, cell_range.max_row + 1):
        for col in range(cell_range.min_col, cell_range.max_col + 1):
            yield f"{get_column_letter(col)}{row}"


def test_the_blank_template_reads_as_equal_weights_and_is_byte_identical(fw, tmp_path):
    blob = workbook_template(fw)
    assert blob == workbook_template(fw)
    path = tmp_path / "blank.xlsx"
    path.write_bytes(blob)
    analysis = analyse_judgements(load_judgements(path, fw), fw)
    for node, (priorities, cr, ok) in _summary(analysis).items():
        assert ok and cr == 0
        assert list(priorities.values()) == pytest.approx([1 / len(priorities)] * len(priorities))


# -- filled by a script = the same judgements in YAML ------------------------------------------------
def _filled_one_workbook(fw, example, path: Path) -> None:
    """Every expert of the example in one workbook: a copy of a matrix sheet per extra
    expert, the expert's name in B2."""
    wb = load_workbook(io.BytesIO(workbook_template(fw)))
    for node, entry in example["matrices"].items():
        items = list(fw.children(node))
        base = _sheet_of(wb, node)
        for k, expert in enumerate(experts_of(entry)):
            ws = base if k == 0 else wb.copy_worksheet(base)
            ws["B2"] = expert["name"]
            fill(ws, items, upper(entry, items, expert))
    # the same settings as the YAML file (the template's default RI table is saaty1980)
    wb[INSTRUCTIONS].cell(_setting_row(wb, "ri_table"), 2).value = example["ri_table"]
    wb.save(path)


def test_a_scripted_questionnaire_gives_the_priorities_and_cr_of_the_yaml(fw, example, tmp_path):
    path = tmp_path / "panel.xlsx"
    _filled_one_workbook(fw, example, path)
    from_yaml = analyse_judgements(load_judgements(weights_dir() / "example_panel.yaml", fw), fw)
    from_xlsx = analyse_judgements(load_judgements(path, fw), fw)
    assert _summary(from_xlsx) == _summary(from_yaml)
    assert from_xlsx.judgements.matrices["index"].experts[1].name == "E2"
    assert from_xlsx.judgements.ri_table == "chinese"       # read from the first sheet


def test_one_workbook_per_expert_in_a_folder_gives_the_same(fw, example, tmp_path):
    folder = tmp_path / "experts"
    folder.mkdir()
    names = sorted({e["name"] for entry in example["matrices"].values()
                    for e in experts_of(entry)})
    for name in names:
        wb = load_workbook(io.BytesIO(workbook_template(fw)))
        for node, entry in example["matrices"].items():
            items = list(fw.children(node))
            mine = [e for e in experts_of(entry) if e["name"] == name]
            ws = _sheet_of(wb, node)
            if not mine:
                wb.remove(ws)
                continue
            fill(ws, items, upper(entry, items, mine[0]))
        wb[INSTRUCTIONS].cell(_setting_row(wb, "expert"), 2).value = name
        wb[INSTRUCTIONS].cell(_setting_row(wb, "ri_table"), 2).value = example["ri_table"]
        wb.save(folder / f"{name}.xlsx")
    from_yaml = analyse_judgements(load_judgements(weights_dir() / "example_panel.yaml", fw), fw)
    from_folder = analyse_judgements(load_judgements(folder, fw), fw)
    assert _summary(from_folder) == _summary(from_yaml)
    assert from_folder.judgements.ri_table == "chinese"
    # the CLI takes the folder, or the files one by one, with the same answer
    run = CliRunner().invoke(main, ["ahp", str(folder), "-f", FW, "--format", "json"])
    files = CliRunner().invoke(main, ["ahp", *sorted(str(p) for p in folder.iterdir()),
                                      "-f", FW, "--format", "json"])
    assert run.exit_code == files.exit_code == 0, run.output

    def numbers(output):   # all but the source's name
        return [line for line in output.splitlines() if str(folder) not in line]
    assert numbers(run.output) == numbers(files.output)


def _setting_row(wb, key: str) -> int:
    ws = wb[INSTRUCTIONS]
    return next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == key)


def test_an_inconsistent_questionnaire_gets_the_yaml_revision_hints(fw, tmp_path):
    items = list(fw.children("index"))
    bad = {(items[0], items[1]): "9", (items[0], items[2]): "1/9", (items[1], items[2]): "9"}
    wb = load_workbook(io.BytesIO(workbook_template(fw)))
    for ws in list(wb.worksheets[1:]):
        if ws["B1"].value != "index":
            wb.remove(ws)
    fill(_sheet_of(wb, "index"), items, bad)
    wb.save(tmp_path / "bad.xlsx")
    judged = {a: {b: bad[(a, b)] for (x, b) in bad if x == a} for a in items[:2]}
    # the questionnaire's expert is named after its file when neither B2 nor the first
    # sheet names one
    spec = {"framework": FW, "matrices": {"index": {"items": items, "experts": [
        {"name": "bad", "judgements": judged}]}}}
    (tmp_path / "bad.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True),
                                       encoding="utf-8")
    outs = []
    for name in ("bad.xlsx", "bad.yaml"):
        done = CliRunner().invoke(main, ["ahp", str(tmp_path / name), "-f", FW,
                                         "--format", "json"])
        assert done.exit_code == 1, done.output
        outs.append(done.output.replace(name, "FILE"))
    assert outs[0] == outs[1]
    text = CliRunner().invoke(main, ["ahp", str(tmp_path / "bad.xlsx"), "-f", FW]).output
    assert "CR" in text and "9" in text


def test_an_unreadable_judgement_names_its_cell(fw, tmp_path):
    wb = load_workbook(io.BytesIO(workbook_template(fw)))
    ws = _sheet_of(wb, "index")
    ws.cell(FIRST_ROW, FIRST_COL + 1).value = "strong"
    wb.save(tmp_path / "typo.xlsx")
    with pytest.raises(FrameworkError) as info:
        load_judgements(tmp_path / "typo.xlsx", fw)
    cell = ws.cell(FIRST_ROW, FIRST_COL + 1).coordinate
    assert f"sheet 'index', cell {cell}" in str(info.value) and "strong" in str(info.value)
    done = CliRunner().invoke(main, ["ahp", str(tmp_path / "typo.xlsx"), "-f", FW])
    assert done.exit_code == 2 and "Traceback" not in done.output


def test_cli_writes_the_questionnaire_and_refuses_to_overwrite(tmp_path):
    out = tmp_path / "问卷.xlsx"
    done = CliRunner().invoke(main, ["ahp", "template", "-f", FW, "--format", "xlsx",
                                     "-o", str(out)])
    assert done.exit_code == 0, done.output
    assert "4 matrices" in done.output or "4 个判断矩阵" in done.output
    again = CliRunner().invoke(main, ["ahp", "template", "-f", FW, "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    check = CliRunner().invoke(main, ["ahp", str(out), "-f", FW])
    assert check.exit_code == 0, check.output
    # a recipe reads it like a YAML file
    recipe = tmp_path / "recipe.yaml"
    recipe.write_text(f"weights: {{indicators: {{method: ahp, file: {out.name}}}, "
                      f"nodes: {{method: ahp, file: {out.name}}}}}\n", encoding="utf-8")
    shutil.copy(demo_panel_path(), tmp_path / "panel.csv")
    scored = CliRunner().invoke(main, ["weights", "-f", FW, "-d", str(tmp_path / "panel.csv"),
                                       "-r", str(recipe), "--format", "csv"])
    assert scored.exit_code == 0, scored.output
    assert "ahp" in scored.output


# -- combined weights use every matrix of the file ----------------------------------------------
def test_combined_weights_use_the_dimensions_matrix(fw):
    import pandas as pd
    example = str(weights_dir() / "example_panel.yaml")
    done = CliRunner().invoke(main, ["weights", "-f", FW, "-d", str(demo_panel_path()),
                                     "--method", "combined", "--combine", "ahp,entropy",
                                     "--file", example, "--format", "csv"])
    assert done.exit_code == 0, done.output
    frame = pd.read_csv(io.StringIO(done.output))
    top = frame[frame["node"] == "index"].set_index("indicator")
    assert (top["method"] == "combined").all()
    analysis = analyse_judgements(load_judgements(example, fw), fw)
    index = next(m for m in analysis.to_json() if m.get("node") == "index")
    want = dict(zip(index["items"], index["priorities"]))
    assert top["component_ahp"].to_dict() == pytest.approx(want, abs=1e-12)
    assert top["ahp_cr"].iloc[0] == pytest.approx(index["cr"], abs=1e-12)
