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


def test_a_value_that_is_not_finite_is_refused_as_scipy_refuses_it():
    from scipy.stats import gaussian_kde
    y = np.array([1.0, 2.0, np.inf])
    with pytest.raises(ValueError), np.errstate(invalid="ignore"):
        gaussian_kde(y)
    with pytest.raises(ValueError):
        gaussian_kde_1d(y, np.linspace(0, 3, 5))


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


def _modules_after(args: list[str], cwd: Path, prefixes: tuple[str, ...]) -> list[str]:
    """The modules starting with ``prefixes`` a fresh ``evaluator ARGS`` process loaded."""
    code = ("import sys, runpy, contextlib, io, json\n"
            f"sys.argv = ['evaluator', *{args!r}]\n"
            "with contextlib.redirect_stdout(io.StringIO()):\n"
            "    try:\n"
            "        runpy.run_module('evaluator', run_name='__main__')\n"
            "    except SystemExit as e:\n"
            "        assert e.code in (0, None), e.code\n"
            f"print(json.dumps(sorted(m for m in sys.modules if m.startswith({prefixes!r}))))\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          env=env, cwd=cwd, timeout=300)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_score_with_a_report_never_loads_scipy_stats(tmp_path):
    args = ["score", "-f", "resource_city_transition", "-d",
            str(ROOT / "indicator_sets" / "demo_panel.csv"), "--out", str(tmp_path / "out"),
            "--report", "zh"]
    assert _modules_after(args, tmp_path, ("scipy.stats", "sklearn", "SALib",
                                           "sqlalchemy")) == []
    assert (tmp_path / "out" / "report-2025-zh.html").stat().st_size > 0


def test_the_demo_loads_no_library_it_does_not_use(tmp_path):
    """`evaluator demo` writes tables and rankings.xlsx: no SciPy, scikit-learn, SALib,
    SQLAlchemy, Jinja2 or openpyxl is imported for it."""
    args = ["demo", "--out", str(tmp_path / "out")]
    assert _modules_after(args, tmp_path, ("scipy", "sklearn", "SALib", "sqlalchemy",
                                           "jinja2", "openpyxl")) == []
    assert (tmp_path / "out" / "rankings.xlsx").stat().st_size > 0


# -- workbooks: a row at a time, the same bytes as XlsxWriter cell by cell ---------------------
def _random_cells(rng, n_rows: int, n_cols: int, formats: list):
    texts = ["plain", " lead", "trail ", "a & b < c > d", 'say "hi"', "two\nlines",
             "ctl\x01x\x1f", "_x0041_ kept", "<r>rich-looking</r>", "示例市 001", "",
             "=SUM(A1)", "\ufffe", "x" * 17000, "tab\tinside"]
    rows = []
    for r in range(n_rows):
        cells = []
        for c in range(n_cols):
            pick = rng.integers(0, 9)
            fmt = formats[rng.integers(0, len(formats))]
            if pick == 0:
                value = None
            elif pick == 1:
                value = bool(rng.integers(0, 2))
            elif pick == 2:
                value = int(rng.integers(-10**6, 10**6))
            elif pick in (3, 4):
                value = float(rng.normal() * 10.0 ** rng.integers(-8, 17))
            else:
                value = texts[rng.integers(0, len(texts))]
            cells.append((c, value, fmt))
        rows.append(cells)
    return rows


def _workbook(rows, fast: bool, column_formats: bool) -> bytes:
    import xlsxwriter
    from evaluator.io.workbook import fix_properties, workbook_options
    from evaluator.io.xlsx_rows import RowWorksheet
    buffer = io.BytesIO()
    wb = xlsxwriter.Workbook(buffer, workbook_options())
    fix_properties(wb)
    formats = [None, wb.add_format({"num_format": "0.00"}), wb.add_format({"bold": True}),
               wb.add_format({"quote_prefix": True, "bg_color": "#C6EFCE", "pattern": 1})]
    ws = wb.add_worksheet("s", worksheet_class=RowWorksheet if fast else None)
    if column_formats:
        ws.set_column(1, 1, 12, formats[1])
        ws.set_column(3, 4, 9, formats[2])
    for r, cells in enumerate(rows):
        _put(ws, r, [(c, v, formats[f]) for c, v, f in cells], fast)
    wb.close()
    return buffer.getvalue()


def _put(ws, r: int, cells, fast: bool) -> None:
    """One row: whole through RowWorksheet.put_row, or XlsxWriter's own methods cell by
    cell (the reference)."""
    if fast:
        ws.put_row(r, cells)
        return
    for c, v, fmt in cells:
        if v is None:
            ws.write_blank(r, c, None, fmt)
        elif isinstance(v, bool):
            ws.write_boolean(r, c, v, fmt)
        elif isinstance(v, (int, float)):
            ws.write_number(r, c, v, fmt)
        else:
            ws.write_string(r, c, v, fmt)


@pytest.mark.parametrize("seed", range(6))
def test_rows_written_whole_are_the_bytes_xlsxwriter_writes_cell_by_cell(seed):
    rng = np.random.default_rng(seed)
    rows = _random_cells(rng, int(rng.integers(1, 120)), int(rng.integers(1, 9)),
                         [0, 1, 2, 3])
    for column_formats in (False, True):
        assert _workbook(rows, True, column_formats) == _workbook(rows, False, column_formats)


def test_a_report_sheet_is_the_bytes_of_the_cell_by_cell_writer():
    """write_sheet (a row at a time) against the writer it replaced, which wrote every
    cell through XlsxWriter's methods: fills, quote prefixes, number formats, blanks."""
    import xlsxwriter
    from evaluator.io.workbook import fix_properties, print_setup, workbook_options
    from evaluator.report import sheets as sh

    rng = np.random.default_rng(5)
    n = 150
    texts = ["=1+1", "#N/A", "plain", "-minus", None, "  spaced", "示例"]
    cols = [sh.Col("rank", list(rng.integers(1, 300, n)), "0"),
            sh.Col("unit", [texts[i] for i in rng.integers(0, len(texts), n)]),
            sh.Col("score", [float(v) if v > -1.5 else np.nan for v in rng.normal(size=n)],
                   "0.00"),
            sh.Col("light", [["green", "red", None, "yellow", "x"][i]
                             for i in rng.integers(0, 5, n)],
                   fills=[["green", "red", None, "yellow", "x"][i]
                          for i in rng.integers(0, 5, n - 10)]),
            sh.Col("met", [bool(v) for v in rng.integers(0, 2, n)]),
            sh.Col("=head", [None] * n, "0.0%", fills=["red"] * n)]

    def reference() -> bytes:
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, workbook_options())
        fix_properties(wb)
        styles = sh._Styles(wb)
        ws = wb.add_worksheet("s")
        ws.freeze_panes(1, 1)
        values = [sh._column_values(c.values) for c in cols]
        rows = max(len(v) for v in values)
        for k, (col, vals) in enumerate(zip(cols, values)):
            sample = [sh._width(v) for v in vals[:200]]
            width = max([sh._width(col.header) // 2 + 2] + [min(w, 60) for w in sample]
                        + [6])
            if col.number_format != sh.GENERAL:
                width = max(width, 9)
            ws.set_column(k, k, min(width + 2, 62))
        for k, col in enumerate(cols):
            header = sh._plain(col.header)
            sh._write(ws, 0, k, header, styles.format(header=True,
                                                      quote=sh.kept_as_text(header)))
        print_setup(ws, rows, len(cols))
        for r in range(rows):
            for k, (col, vals) in enumerate(zip(cols, values)):
                v = vals[r]
                if v is None and col.fills is None:
                    continue
                number = isinstance(v, (int, float)) and not isinstance(v, bool)
                fill = col.fills[r] if col.fills is not None and r < len(col.fills) else None
                fill = fill if fill in styles.fills else None
                if v is None and fill is None:
                    continue
                fmt = styles.format(number_format=col.number_format if number else
                                    sh.GENERAL, fill=fill, quote=sh.kept_as_text(v))
                sh._write(ws, r + 1, k, v, fmt)
        note = "=note"
        sh._write(ws, rows + 2, 0, note, styles.format(quote=sh.kept_as_text(note)))
        wb.close()
        return buffer.getvalue()

    assert sh.workbook_bytes([("s", cols, "=note")]) == reference()


def test_rankings_workbook_is_the_bytes_of_the_cell_by_cell_writer(tmp_path):
    import xlsxwriter
    from evaluator.io import workbook as wk
    frame = pd.DataFrame({
        "unit": ["a", "=b", None, "x" * 40000, "示例"] * 30,
        "year": np.arange(150) + 1900,
        "score": np.linspace(-1, 1, 150),
        "met": [True, False] * 75,
        "mixed": pd.Series([1, "a", 2.5, None, True] * 30, dtype=object),
        "rank": pd.array([1, None, 3, 4, 5] * 30, dtype="Int64")})
    wk.write_frames({"rankings": frame}, tmp_path / "new.xlsx")

    path = tmp_path / "old.xlsx"         # the cell-by-cell writer this one replaced
    workbook = xlsxwriter.Workbook(str(path), wk.workbook_options())
    wk.fix_properties(workbook)
    header_format = workbook.add_format({"bold": True, "bottom": 1})
    formats = {}
    ws = workbook.add_worksheet("rankings")
    ws.freeze_panes(1, 0)
    headers = [str(c) for c in frame.columns]
    columns = [wk.column_cells(frame.iloc[:, k]) for k in range(frame.shape[1])]
    for k, (header, (values, kind)) in enumerate(zip(headers, columns)):
        fmt = wk.number_format(frame.columns[k], values) if kind == "number" else None
        if fmt is not None and fmt not in formats:
            formats[fmt] = workbook.add_format({"num_format": fmt})
        ws.set_column(k, k, wk._width(header, values), formats.get(fmt))
    for k, header in enumerate(headers):
        ws.write_string(0, k, header, header_format)
    wk.print_setup(ws, len(frame), len(headers))
    for r in range(len(frame)):
        for k, (values, kind) in enumerate(columns):
            if values[r] is not None:
                wk.write_cell(ws, r + 1, k, values[r])
    workbook.close()
    assert (tmp_path / "new.xlsx").read_bytes() == path.read_bytes()


# -- SVG: escaping only what needs it --------------------------------------------------------
@pytest.mark.parametrize("value", ["plain", "a&b", "<script>", 'say "x"', "it's", "示例",
                                   "", "&amp;", 3, 2.5, None, "=1"])
def test_svg_text_is_markupsafes_escape(value):
    from markupsafe import Markup, escape
    from evaluator.report.svg import _text
    assert _text(value) == str(escape(str(value)))
    assert _text(Markup("<b>")) == "&lt;b&gt;"      # markup from outside is escaped too


def test_svg_attributes_are_named_and_escaped():
    from evaluator.report.svg import Svg
    svg = Svg(10.0, 10.0, label='a "b" <c>')
    svg.text(1.25, 2.0, "<x & y>", class_="lbl", text_anchor="end", data_v='q"')
    svg.circle(1, 2, 3.0, title="t<1>", class_="pt s0")
    out = str(svg.markup())
    assert '<text x="1.2" y="2" class="lbl" text-anchor="end" data-v="q&#34;">' \
           "&lt;x &amp; y&gt;</text>" in out
    assert '<circle cx="1" cy="2" r="3" class="pt s0"><title>t&lt;1&gt;</title></circle>' in out
    assert 'aria-label="a &#34;b&#34; &lt;c&gt;"' in out


def test_svg_shapes_are_what_add_writes():
    """rect, line and circle write their numbers first, then the other attributes, as
    the generic add() writes them (the same characters, title or not)."""
    from evaluator.report.svg import Svg
    fast, slow = Svg(1.0, 1.0), Svg(1.0, 1.0)
    calls = [("rect", (1, 2.26, -3, 4.04), {"class_": "bar", "title": "a&b"}),
             ("rect", (0.05, 0.0, 2, 3), {"data_x": None}),
             ("line", (1, 2, 3.5, float("nan")), {"class_": "grid", "stroke_width": 2}),
             ("line", (0, 0, 1, 1), {"title": "<t>"}),
             ("circle", (10.25, -0.04, 2.8), {"class_": "pt s0", "title": "2020: 1"}),
             ("circle", (1, 1, 1), {})]
    for shape, args, attrs in calls:
        getattr(fast, shape)(*args, **attrs)
        names = {"rect": ("x", "y", "width", "height"), "line": ("x1", "y1", "x2", "y2"),
                 "circle": ("cx", "cy", "r")}[shape]
        values = [float(max(v, 0)) if shape == "rect" and k > 1 else float(v)
                  for k, v in enumerate(args)]
        slow.add(shape, **dict(zip(names, values)), **attrs)
    assert fast.parts == slow.parts


def test_rows_out_of_order_or_bounds_are_what_xlsxwriter_does():
    """A row before the last written one and a column past Excel's last are dropped, text
    past half Excel's limit and numpy numbers go through XlsxWriter: the same file."""
    rows = {0: [(0, "a", 0), (16384, 1.0, 0), (2, "y" * 20000, 1)],
            1: [(1, np.float64(2.5), 1), (0, True, 2), (3, None, 3), (4, None, 0)],
            5: [(2, 7, 0), (2, 8, 0)],
            3: [(0, "late", 0)],
            6: []}

    def book(fast: bool) -> bytes:
        import xlsxwriter
        from evaluator.io.workbook import fix_properties, workbook_options
        from evaluator.io.xlsx_rows import RowWorksheet
        buffer = io.BytesIO()
        wb = xlsxwriter.Workbook(buffer, workbook_options())
        fix_properties(wb)
        formats = [None, wb.add_format({"bold": True}), wb.add_format({"italic": True}),
                   wb.add_format({"num_format": "0.0"})]
        ws = wb.add_worksheet("s", worksheet_class=RowWorksheet if fast else None)
        for r, cells in rows.items():
            _put(ws, r, [(c, v, formats[f]) for c, v, f in cells], fast)
        wb.close()
        return buffer.getvalue()

    assert book(True) == book(False)


# -- HTML: a dict's keys read at once, every expression as Jinja2 reads it ---------------------
@pytest.mark.parametrize("source", [
    "{{ d.name }} {{ d.n + 1 }}", "{{ d.items is callable }} {{ d.values is callable }}",
    "{% for k, v in d.items() %}{{ k }}={{ v }};{% endfor %}", "{{ d.nested.deep }}",
    "{{ d.get('name') }} {{ d['n'] }} {{ lst.0 }} {{ obj.real }}",
    "{{ d.values is defined }} {{ d.missing is defined }}"])
def test_the_report_environment_reads_what_jinja_reads(source):
    import jinja2
    from evaluator.report.html import _Environment
    context = {"d": {"name": "a<b", "n": 2, "values": "shadowed", "nested": {"deep": 1}},
               "lst": [4, 5], "obj": 3}
    options = dict(autoescape=True, undefined=jinja2.StrictUndefined)
    ours = _Environment(**options).from_string(source).render(**context)
    assert ours == jinja2.Environment(**options).from_string(source).render(**context)


def test_a_missing_key_is_still_an_error_in_the_report_environment():
    import jinja2
    from evaluator.report.html import _Environment
    env = _Environment(undefined=jinja2.StrictUndefined)
    with pytest.raises(jinja2.UndefinedError):
        env.from_string("{{ d.missing }}").render(d={"name": 1})


def test_arrow_held_text_is_written_as_before(tmp_path):
    """pandas' Arrow-backed "str" columns go to the writers without a trip through
    Python objects: the CSV pandas wrote, and Parquet text of type string as before."""
    import pyarrow.parquet as pq
    from evaluator.io.tables import column_array, write_parquet_file
    text = ["示例市001", None, "=cmd", "+1", "plain", "", "a b"]
    frame = pd.DataFrame({"unit": pd.Series(text, dtype="str"), "k": np.arange(7)})
    assert frame["unit"].dtype.storage == "pyarrow"
    new = io.BytesIO()
    write_csv_stream(frame, new)
    old = safe_frame(frame).to_csv(index=False, lineterminator="\n").encode("utf-8-sig")
    assert new.getvalue() == old
    as_object = frame.assign(unit=frame["unit"].astype(object))
    assert column_array(frame["unit"], as_text=False).equals(
        column_array(as_object["unit"], as_text=False))
    write_parquet_file(frame, tmp_path / "t.parquet")
    schema = pq.read_schema(tmp_path / "t.parquet")
    assert str(schema.field("unit").type) == "string"


# -- output sets: a file hashed once per process while nobody touches it ----------------------
def test_a_hashed_file_is_read_again_once_it_changes(tmp_path, monkeypatch):
    import hashlib
    import time
    from evaluator import output_set
    path = tmp_path / "t.csv"
    path.write_bytes(b"a,b\n1,2\n")
    first = output_set.sha256_file(path)
    assert first == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    reads = []
    real_open = open
    monkeypatch.setattr("builtins.open", lambda *a, **k: reads.append(a) or real_open(*a, **k))
    assert output_set.sha256_file(path) == first and reads == []     # not read again
    stat = path.stat()
    time.sleep(0.01)
    with real_open(path, "r+b") as fh:                    # same size, same mtime
        fh.write(b"x")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert output_set.sha256_file(path) == hashlib.sha256(b"x,b\n1,2\n").hexdigest()
    assert reads                                          # the change time told


def test_report_columns_converted_directly_are_what_the_frame_gave():
    from evaluator.report.sheets import _column_values, _column_values_framed
    rng = np.random.default_rng(8)
    samples = [[], [None, None], [1, 2, 3], [1, -2 ** 63, 2 ** 63 - 1], [2 ** 64, 1],
               [0.5, float("nan"), float("inf"), -0.0], [1, 2.5], [True, False],
               [True, 1], ["a", None, "=b", "\x01bad"], ["a", 1], [np.float64(1.5), 2.0],
               [None, 1.5], ["x"] * 3]
    for _ in range(40):
        n = int(rng.integers(1, 30))
        samples.append([float(v) for v in rng.normal(size=n)])
        samples.append([int(v) for v in rng.integers(-1000, 1000, n)])
        samples.append([None if v < 0.2 else f"t{v:.3f}" for v in rng.random(n)])
    for values in samples:
        got, expected = _column_values(values), _column_values_framed(list(values))
        assert len(got) == len(expected)
        for a, b in zip(got, expected):
            assert type(a) is type(b) and (a == b or (a != a and b != b)), (values, a, b)
            if isinstance(a, float):
                assert np.signbit(a) == np.signbit(b)
