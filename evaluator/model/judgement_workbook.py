"""Expert judgements (AHP) as Excel questionnaires, the way panels fill them (yaahp's
habit): :func:`workbook_template` writes one, :func:`read_judgement_spec` reads filled
ones back into the same mapping a YAML judgement file gives, so the checks, the CR and
the revision hints are exactly those of the YAML file.

Layout of a questionnaire (``evaluator ahp template -f F --format xlsx -o panel.xlsx``):

* the first sheet, ``说明 Instructions``: how to fill it, Saaty's scale in both
  languages, and the settings (``framework, method, ri_table, max_cr, aggregation,
  expert``) as ``key | value`` rows;
* one sheet per matrix (each node with two or more children): ``A1 node | B1 <node id>``,
  ``A2 expert | B2 <name>`` (blank: the expert named on the first sheet, else the file's
  name), the items' ids across row 4 and down column A from row 6, their names in both
  languages beside them, the diagonal 1, the upper triangle to fill from a drop-down of
  9 … 2, 1, 1/2 … 1/9 (cells formatted as text so Excel keeps 1/3 a fraction, not a
  date), the lower triangle grey (its reciprocals are implied). A blank judgement is left
  out and completed from the others (Harker 1987), as in a YAML file.

Several experts: one workbook per expert (pass them all, or a folder holding them), or
one workbook with a set of matrix sheets per expert (copy the sheets, write each
expert's name in B2). Sheets are recognised by ``A1 = node``, not by their names.
"""
from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any, Sequence

from ..errors import FrameworkError
from ..i18n import M
from .framework import ROOT, Framework, read_yaml
from ..io.infile import read_bounded

#: A questionnaire workbook is read only up to this size (a filled one is ~100 KB).
MAX_WORKBOOK_BYTES = 50 * 1024 * 1024

INSTRUCTIONS = "说明 Instructions"
NODE, EXPERT = "node", "expert"
HEADER_ROW, NAME_ROW, FIRST_ROW, FIRST_COL = 4, 5, 6, 3     # 1-based rows / columns
SCALE = ["9", "8", "7", "6", "5", "4", "3", "2", "1",
         "1/2", "1/3", "1/4", "1/5", "1/6", "1/7", "1/8", "1/9"]
SETTINGS = ("framework", "method", "ri_table", "max_cr", "aggregation", "expert")
WORKBOOK_SUFFIXES = (".xlsx", ".xlsm")
_FRACTION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*/\s*(\d+(?:\.\d+)?)\s*$")

# the questionnaire is bilingual on purpose: every expert reads it in their language
GUIDE = [
    ("AHP 专家判断问卷", "AHP expert judgement questionnaire"),
    ("每个工作表是一个判断矩阵：比较左列（行）的项目与上方（列）的项目，在黄色单元格的下拉框中选择。",
     "Each sheet is one judgement matrix: compare the item of the row (left) with the item "
     "of the column (top) by choosing a value in the yellow cells' drop-down."),
    ("3 表示行项目比列项目稍微重要；1/3 表示列项目比行项目稍微重要。",
     "3 means the row's item is moderately more important than the column's; 1/3 means the "
     "column's item is moderately more important than the row's."),
    ("灰色下三角为倒数，自动推出，无需填写；不确定的判断可留空，将由其余判断补全（Harker 1987）。",
     "The grey lower triangle holds the reciprocals and is implied: leave it empty. Leave a "
     "judgement blank if unsure: it is completed from the others (Harker 1987)."),
    ("每位专家一份工作簿（在下方 expert 处写姓名），或在同一工作簿中复制全部矩阵工作表，并在各表 B2 写专家姓名。",
     "One workbook per expert (write the name at `expert` below), or one workbook with a "
     "copy of every matrix sheet per expert, each expert's name in cell B2 of their sheets."),
    ("检查：evaluator ahp 本文件.xlsx -f 框架（一致性比率 CR 与修改建议）。",
     "Check: evaluator ahp THIS.xlsx -f FRAMEWORK (consistency ratio CR and what to revise)."),
]
SCALE_WORDS = [("1", "同等重要", "equal importance"), ("3", "稍微重要", "moderate importance"),
               ("5", "明显重要", "strong importance"), ("7", "强烈重要", "very strong importance"),
               ("9", "极端重要", "extreme importance"),
               ("2, 4, 6, 8", "相邻判断的中间值", "between two neighbouring judgements"),
               ("1/2 … 1/9", "倒数：列项目更重要", "reciprocals: the column's item is more important")]


def _both(framework: Framework, item: str) -> str:
    zh, en = framework.label(item, "zh"), framework.label(item, "en")
    return zh if zh == en else f"{zh} / {en}"


def matrix_parents(framework: Framework) -> list[str]:
    parents = [ROOT]
    for parent in parents:                      # breadth-first: the root, then each level
        parents += [c for c in framework.children(parent) if not framework.is_indicator(c)]
    return [p for p in parents if len(framework.children(p)) > 1]


def _sheet_title(node: str, taken: set[str]) -> str:
    title, k = node[:31], 2
    while title.lower() in taken:
        suffix = f"~{k}"
        title, k = node[:31 - len(suffix)] + suffix, k + 1
    taken.add(title.lower())
    return title


def workbook_template(framework: Framework, *, expert: str = "", method: str = "eigenvector",
                      ri_table: str = "saaty1980", max_cr: float = 0.10,
                      aggregation: str = "aij") -> bytes:
    """A blank questionnaire for every node of ``framework`` with two or more children
    (see the module docstring), as .xlsx bytes (fixed document times: the same framework
    gives the same bytes). The upper triangle holds the placeholder 1, so the blank
    workbook already reads: equal weights, CR 0."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill_in = PatternFill("solid", fgColor="FFF2CC")
    grey = PatternFill("solid", fgColor="E7E6E6")
    head = PatternFill("solid", fgColor="DDEBF7")
    wrap = Alignment(wrap_text=True, vertical="top")
    wb = Workbook()
    ws = wb.active
    ws.title = INSTRUCTIONS
    ws.column_dimensions["A"].width = 16
    ws.column_dimensions["B"].width = 70
    ws.column_dimensions["C"].width = 70
    ws.append([GUIDE[0][0], GUIDE[0][1]])
    ws["A1"].font = ws["B1"].font = Font(bold=True, size=14)
    ws.append([f"{_both(framework, ROOT)}", framework.id])
    for zh, en in GUIDE[1:]:
        ws.append(["", zh, en])
        for cell in ws[ws.max_row]:
            cell.alignment = wrap
    ws.append([])
    ws.append(["Saaty 1–9", "标度 / 含义", "scale / meaning"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, head
    for value, zh, en in SCALE_WORDS:
        ws.append([value, zh, en])
    ws.append([])
    ws.append(["key", "value", "设置（勿改键名）/ settings (keep the keys)"])
    for cell in ws[ws.max_row]:
        cell.font, cell.fill = bold, head
    notes = {"framework": "框架 id / framework id",
             "method": "eigenvector | geometric_mean | column_mean",
             "ri_table": "saaty1980 | saaty2005 | chinese | donegan_dodd",
             "max_cr": "一致性比率上限 / CR threshold",
             "aggregation": "多位专家的合成：aij（判断几何平均）| aip / several experts: aij | aip",
             "expert": "专家姓名 / the expert's name"}
    values = {"framework": framework.id, "method": method, "ri_table": ri_table,
              "max_cr": max_cr, "aggregation": aggregation, "expert": expert}
    for key in SETTINGS:
        ws.append([key, values[key], notes[key]])
        ws.cell(ws.max_row, 2).number_format = "@" if key != "max_cr" else "0.00"
        if key == "expert":
            ws.cell(ws.max_row, 2).fill = fill_in

    taken = {INSTRUCTIONS.lower()}
    for parent in matrix_parents(framework):
        items = list(framework.children(parent))
        k = len(items)
        sh = wb.create_sheet(_sheet_title(parent, taken))
        sh["A1"], sh["B1"], sh["C1"] = NODE, parent, _both(framework, parent)
        sh["A2"], sh["B2"] = EXPERT, None
        sh["C2"] = "留空则用说明页的专家姓名 / blank: the expert named on the first sheet"
        sh["A1"].font = sh["B1"].font = sh["C1"].font = bold
        sh["B2"].fill, sh["B2"].number_format = fill_in, "@"
        sh.cell(HEADER_ROW, 1, "id").font = bold
        sh.cell(HEADER_ROW, 2, "名称 / name").font = bold
        sh.column_dimensions["A"].width = max(8, min(30, max(len(i) for i in items) + 2))
        sh.column_dimensions["B"].width = 40
        validation = DataValidation(type="list", formula1='"' + ",".join(SCALE) + '"',
                                    allow_blank=True, showErrorMessage=True,
                                    errorTitle="1–9", error="请从下拉框选择 9…1…1/9 / "
                                    "choose 9 … 1 … 1/9 from the list",
                                    promptTitle="Saaty 1–9", showInputMessage=True,
                                    prompt="行比列重要 → 3；列比行重要 → 1/3 / row more "
                                           "important → 3; column more important → 1/3")
        sh.add_data_validation(validation)
        for j, item in enumerate(items):
            col = FIRST_COL + j
            sh.column_dimensions[get_column_letter(col)].width = 14
            top = sh.cell(HEADER_ROW, col, item)
            top.font, top.fill = bold, head
            name = sh.cell(NAME_ROW, col, _both(framework, item))
            name.alignment = Alignment(wrap_text=True, vertical="top")
        for i, item in enumerate(items):
            row = FIRST_ROW + i
            sh.cell(row, 1, item).font = bold
            sh.cell(row, 1).fill = head
            sh.cell(row, 2, _both(framework, item))
            for j in range(k):
                cell = sh.cell(row, FIRST_COL + j)
                cell.number_format = "@"
                cell.alignment = Alignment(horizontal="center")
                if j == i:
                    cell.value, cell.fill = "1", grey
                elif j > i:
                    cell.value, cell.fill = "1", fill_in
                    validation.add(cell.coordinate)
                else:
                    cell.fill = grey
        sh.row_dimensions[NAME_ROW].height = 45
        sh.freeze_panes = sh.cell(FIRST_ROW, FIRST_COL)
    wb.properties.creator = "evaluator"
    buffer = io.BytesIO()
    wb.save(buffer)
    return _reproducible(buffer.getvalue())


def _reproducible(blob: bytes) -> bytes:
    """The same workbook bytes whenever the content is the same (fixed zip and document
    times)."""
    import zipfile
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(blob)) as src, \
            zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*",
                              rb"\g<1>2000-01-01T00:00:00Z", data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            dst.writestr(fixed, data)
    return out.getvalue()


# -- reading ------------------------------------------------------------------------------------
def is_workbook(path: str | Path) -> bool:
    return Path(path).suffix.lower() in WORKBOOK_SUFFIXES


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _judgement(value: Any, where: str) -> Any:
    """A filled cell as the YAML file would hold it: a number, or a fraction as text;
    None when blank. Text that is neither is an error naming the cell."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, (int, float)):
        ok = value > 0
        out: Any = int(value) if float(value).is_integer() else float(value)
    else:
        text = str(value).strip().replace("／", "/")
        match = _FRACTION.match(text)
        try:
            number = (float(match.group(1)) / float(match.group(2)) if match
                      else float(text))
            ok = number > 0
        except (ValueError, ZeroDivisionError):
            ok = False
        out = text if match else (int(float(text)) if ok and float(text).is_integer()
                                  else (float(text) if ok else text))
    if not ok:
        raise FrameworkError(M("ahp.workbook.bad_value", value=str(value)), where=where,
                             fix=M("ahp.workbook.bad_value.fix"))
    return out


def read_workbook(path: str | Path) -> dict[str, Any]:
    """A filled questionnaire → the mapping a YAML judgement file gives (settings from
    the first sheet, one expert entry per matrix sheet)."""
    from openpyxl import load_workbook

    path = Path(path)
    content = read_bounded(path, FrameworkError, limit=MAX_WORKBOOK_BYTES)  # no device, pipe
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True, read_only=False)
    except Exception as exc:   # openpyxl raises many kinds for a file that is no workbook
        raise FrameworkError(M("ahp.workbook.unreadable", reason=str(exc) or type(exc).__name__),
                             where=str(path), fix=M("ahp.workbook.unreadable.fix")) from None
    settings: dict[str, Any] = {}
    if INSTRUCTIONS in wb.sheetnames:
        for row in wb[INSTRUCTIONS].iter_rows(values_only=True):
            key = _text(row[0]) if row else ""
            if key in SETTINGS and len(row) > 1 and _text(row[1]) != "":
                settings[key] = row[1] if key == "max_cr" else _text(row[1])
    default_expert = settings.pop("expert", "") or path.stem
    spec: dict[str, Any] = {k: v for k, v in settings.items()}
    matrices: dict[str, dict[str, Any]] = {}
    for ws in wb.worksheets:
        if _text(ws["A1"].value).lower() != NODE:
            continue
        where = f"{path}, sheet {ws.title!r}"
        node = _text(ws["B1"].value)
        if not node:
            raise FrameworkError(M("ahp.workbook.no_node"), where=M("where.cell", where=where, cell="B1"),
                                 fix=M("ahp.workbook.no_node.fix"))
        expert = _text(ws["B2"].value) or default_expert
        items: list[str] = []
        row = FIRST_ROW
        while _text(ws.cell(row, 1).value):
            items.append(_text(ws.cell(row, 1).value))
            row += 1
        across = [_text(ws.cell(HEADER_ROW, FIRST_COL + j).value) for j in range(len(items))]
        if len(items) < 2 or across != items:
            raise FrameworkError(M("ahp.workbook.items", down=", ".join(items),
                                   across=", ".join(across)), where=where,
                                 fix=M("ahp.workbook.items.fix"))
        judgements: dict[str, dict[str, Any]] = {}
        for i, a in enumerate(items):
            for j in range(i + 1, len(items)):
                cell = ws.cell(FIRST_ROW + i, FIRST_COL + j)
                value = _judgement(cell.value, f"{where}, cell {cell.coordinate}")
                if value is not None:
                    judgements.setdefault(a, {})[items[j]] = value
        entry = matrices.setdefault(node, {"items": items, "experts": []})
        if entry["items"] != items:
            raise FrameworkError(M("ahp.workbook.items_differ", node=node), where=where,
                                 fix=M("ahp.workbook.items.fix"))
        entry["experts"].append({"name": expert, "judgements": judgements})
    if not matrices:
        raise FrameworkError(M("ahp.workbook.no_matrix"), where=str(path),
                             fix=M("ahp.workbook.no_matrix.fix"))
    spec["matrices"] = matrices
    return spec


def merge_specs(specs: Sequence[tuple[str, dict[str, Any]]]) -> dict[str, Any]:
    """Several experts' files (source, mapping) as one: settings must agree, each
    matrix's experts are listed in file order."""
    merged: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for source, spec in specs:
        for key, value in spec.items():
            if key == "matrices":
                continue
            if key in merged and merged[key] != value:
                raise FrameworkError(M("ahp.workbook.settings_differ", key=key,
                                       first=origin[key], a=str(merged[key]), b=str(value)),
                                     where=source, fix=M("ahp.workbook.settings_differ.fix"))
            merged.setdefault(key, value)
            origin.setdefault(key, source)
        for node, entry in (spec.get("matrices") or {}).items():
            target = merged.setdefault("matrices", {}).setdefault(
                node, {"items": list(entry.get("items") or []), "experts": []})
            if list(entry.get("items") or []) != target["items"]:
                raise FrameworkError(M("ahp.workbook.items_differ", node=node), where=source,
                                     fix=M("ahp.workbook.items.fix"))
            target["experts"] += list(entry.get("experts") or [])
    return merged


def judgement_sources(path: str | Path) -> list[Path]:
    """The files of a judgement source: the file itself, or a folder's workbooks (one per
    expert, in name order)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.iterdir()
                       if p.is_file() and is_workbook(p) and not p.name.startswith("~$"))
        if not files:
            raise FrameworkError(M("ahp.workbook.empty_folder"), where=str(path),
                                 fix=M("ahp.workbook.empty_folder.fix"))
        return files
    return [path]


def read_judgement_spec(paths: str | Path | Sequence[str | Path]) -> tuple[dict[str, Any], str]:
    """The judgement mapping of a YAML file, a workbook, a folder of workbooks, or
    several of these (one per expert, merged), and the source to name in messages."""
    if isinstance(paths, (str, Path)):
        paths = [paths]
    files = [f for p in paths for f in judgement_sources(p)]
    specs = []
    for f in files:
        spec = read_workbook(f) if is_workbook(f) else read_yaml(f, FrameworkError)
        specs.append((str(f), spec))
    if len(specs) == 1:
        return specs[0][1], specs[0][0]
    for source, spec in specs:
        if not isinstance(spec, dict):
            raise FrameworkError(M("ahp.workbook.not_mapping"), where=source)
    source = str(paths[0]) if len(paths) == 1 else " + ".join(str(p) for p in paths)
    return merge_specs(specs), source
