"""Writing output files safely: atomically, deterministically, and with spreadsheet
formula injection neutralised (a text cell beginning with = + - @ is prefixed with ')."""
from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import Mapping

import pandas as pd

from .errors import EvaluatorError
from .i18n import M

_UMASK = os.umask(0)
os.umask(_UMASK)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
CSV_ENCODING = "utf-8-sig"   # with a BOM, so Excel shows Chinese text correctly


def neutralise(value):
    """Make a text cell inert in Excel/LibreOffice (OWASP 'CSV injection')."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    out.columns = [neutralise(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            out[col] = out[col].map(neutralise)
    return out


def atomic_write(path: Path, write) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_UMASK)  # mkstemp makes 0600; give the usual permissions
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    atomic_write(path, lambda p: safe_frame(frame).to_csv(p, index=False, encoding=CSV_ENCODING,
                                                     lineterminator="\n"))


def write_text(text: str, path: Path) -> None:
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))


def sheet_layout(ws, n_rows: int, n_cols: int) -> None:
    """What every sheet of our workbooks has besides its cells: an autofilter on the
    header row, landscape A4 pages one page wide, the header row repeated on each page.
    (Frozen panes and widths are set by the writer; openpyxl write-only sheets and
    ordinary ones both take these.)"""
    from openpyxl.utils import get_column_letter

    if n_cols:
        ws.auto_filter.ref = f"A1:{get_column_letter(n_cols)}{max(n_rows + 1, 2)}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = 9          # A4
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0        # as many pages down as needed
    ws.print_title_rows = "1:1"
    ws.print_options.gridLines = False


#: number formats of the score tables' columns in rankings.xlsx (others stay General)
COLUMN_FORMATS = {"score": "0.00", "rank": "0", "rank_in_group": "0", "rank_change": "+0;-0;0",
                  "coordination_D": "0.000", "year": "0"}


def column_format(name: str, node_columns: set[str] = frozenset()) -> str | None:
    if name in COLUMN_FORMATS:
        return COLUMN_FORMATS[name]
    if name.endswith("_rank"):
        return "0"
    if name in node_columns:
        return "0.00"
    return None


def write_xlsx(sheets: Mapping[str, pd.DataFrame], path: Path, *,
               score_columns: set[str] = frozenset()) -> None:
    """A plain workbook: one sheet per table, frozen header row, readable widths.

    Uses openpyxl's write-only mode (streams rows; several times faster than pandas'
    default writer on the 80,000-row tables of a panel)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    def cell(value):
        if value is None or value is pd.NA or value is pd.NaT:
            return None
        if isinstance(value, float) and value != value:
            return None
        if hasattr(value, "item"):  # numpy scalar → Python
            value = value.item()
        return neutralise(value)

    def write(p: Path) -> None:
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font

        wb = Workbook(write_only=True)
        for name, frame in sheets.items():
            ws = wb.create_sheet(title=name[:31])
            ws.freeze_panes = "B2" if "unit" in frame.columns[:2] else "A2"
            head = frame.head(200)
            for k, col in enumerate(frame.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in head[col]])
                ws.column_dimensions[get_column_letter(k)].width = min(max(8, width + 2), 40)
            sheet_layout(ws, len(frame), len(frame.columns))
            bold = Font(bold=True)
            header = []
            for c in frame.columns:
                h = WriteOnlyCell(ws, value=neutralise(str(c)))
                h.font = bold
                header.append(h)
            ws.append(header)
            formats = [column_format(str(c), score_columns) for c in frame.columns]
            styled = {k: f for k, f in enumerate(formats) if f}
            protos = {}
            for k, f in styled.items():   # one style per column, shared by its cells
                proto = WriteOnlyCell(ws)
                proto.number_format = f
                protos[k] = proto._style
            for row in frame.itertuples(index=False, name=None):
                out = [cell(v) for v in row]
                for k, style in protos.items():
                    v = out[k]
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        c = WriteOnlyCell(ws, value=v)
                        c._style = style
                        out[k] = c
                ws.append(out)
        wb.properties.created = wb.properties.modified = FIXED_TIME
        wb.save(p)
        make_zip_reproducible(p)
    atomic_write(path, write)


FIXED_TIME = __import__("datetime").datetime(2000, 1, 1)


def make_zip_reproducible(path: Path) -> None:
    """Rewrite an .xlsx (a zip) with fixed entry times and document times, so the same
    tables give a byte-identical workbook."""
    import re
    import zipfile
    with zipfile.ZipFile(path) as src:
        entries = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in entries:
            if info.filename == "docProps/core.xml":  # openpyxl stamps "modified" itself
                data = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2000-01-01T00:00:00Z",
                              data)
            fixed = zipfile.ZipInfo(info.filename, date_time=(2000, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = info.external_attr
            dst.writestr(fixed, data)


def prepare_out_dir(out: Path) -> Path:
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise EvaluatorError(M("output.exists_not_folder", out=out), fix=M("output.exists_not_folder.fix"))
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise EvaluatorError(M("output.cannot_create_output_folder", strerror=exc.strerror), where=str(out),
                             fix=M("output.cannot_create_output_folder.fix")) from None
    return out


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def write_tables(out: Path, tables: Mapping[str, pd.DataFrame], *,
                 manifest: str | Mapping | None = None,
                 xlsx: Mapping[str, pd.DataFrame] | None = None,
                 xlsx_name: str = "tables.xlsx", score_columns: set[str] = frozenset(),
                 replaces: tuple[str, ...] = ()) -> list[Path]:
    """Write the tables (CSV), a workbook and the manifest to ``out``; files named in
    ``replaces`` that this run does not write are removed, so a folder never mixes the
    outputs of two runs (e.g. an old aggregation.csv beside a new manifest).

    A manifest given as a mapping is written last, with ``outputs``: every other file of
    the set with its SHA-256 and size — what `publish` checks the folder against."""
    out = prepare_out_dir(out)
    written = []
    for name, frame in tables.items():
        path = out / f"{name}.csv"
        write_csv(frame, path)
        written.append(path)
    if xlsx:
        write_xlsx(xlsx, out / xlsx_name, score_columns=score_columns)
        written.append(out / xlsx_name)
    if manifest is not None:
        if not isinstance(manifest, str):
            outputs = {p.name: {"sha256": file_sha256(p), "bytes": p.stat().st_size}
                       for p in written}
            manifest = json.dumps({**manifest, "outputs": outputs}, ensure_ascii=False,
                                  indent=2)
        write_text(manifest + "\n", out / "manifest.json")
        written.append(out / "manifest.json")
    for name in replaces:
        stale = out / name
        if stale not in written and stale.is_file():
            stale.unlink()
    return written
