"""Reports (issue 6): the HTML report, the workbook and the Markdown summary.

What is checked against what:
* safety — a unit named ``<script>alert(1)</script>`` and an indicator named
  ``=HYPERLINK("x")`` come out as plain text: the HTML is parsed with the standard
  library's ``html.parser`` (text nodes, not markup), the CSV with ``csv`` and the
  workbook with openpyxl (string cells, never formulas);
* numbers — every cell of the report's ranking table is compared with ``rankings.csv``
  written by ``Assessment.to_dir`` (the contract table): at full precision through the
  ``data-value`` attributes and at the displayed precision through the cell text;
* languages — every message has English and Chinese text with the same placeholders,
  every key the templates and the code use exists, and both languages render the demo
  (a missing key is an error, so a successful render means a complete translation);
* the workbook opens with openpyxl and has the contract sheets with bilingual headers;
  formula-like text reads back as the exact text (quote prefix, never a formula); the
  weighting sheet's numbers equal the weights' details (entropy e/d, CRITIC, AHP matrix
  cells by item, λmax/CI/RI/CR);
* the robustness section — intervals from a real `evaluator sensitivity` run are
  accepted and traced (file, SHA-256, seed, samples, as sensitivity.json records them);
  a run with another recipe (its nominal ranks differ), unit, year or framework is refused;
* writing — a file that cannot be replaced leaves the folder's whole set as it was.
The browser checks (console errors, network requests, screenshot) are in
tests/test_report_browser.py.
"""
from __future__ import annotations

import csv
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from evaluator import registry
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluator import Framework, Panel, Recipe, evaluate
from evaluator.errors import DataError, EvaluatorError
from evaluator.methods import combine, weighting
from evaluator.methods.coordination import FORMS
from evaluator.model import recipe as recipe_model
from evaluator.model.framework import load_framework
from evaluator.model.panel import load_panel
from evaluator.report import (report_names, build_report, render_html, render_markdown,
                              write_report, write_xlsx_report)
from evaluator.report.bundle import ALERT_RULES, INTERVAL_COLUMNS
from evaluator.report.html import script_json
from evaluator import i18n
from evaluator.report.intervals import varied_text
from evaluator.report.i18n import LANGS, Messages, MissingMessage, load_messages, placeholders
from evaluator.report.markdown import md_escape
from evaluator.report.xlsx import SHEETS
from evaluator.resources import demo_panel_path, reports_dir

SCRIPT_UNIT = "<script>alert(1)</script>"
FORMULA_UNIT = '=HYPERLINK("u")'
FORMULA_INDICATOR = '=HYPERLINK("x")'

HOSTILE = {
    "id": "hostile", "name": {"zh": "安全测试指数", "en": "Safety test index"},
    "nodes": [{"id": "econ", "name": {"zh": "经济", "en": "Economy"}},
              {"id": "env", "name": {"zh": "环境", "en": "Environment"}}],
    "indicators": [
        {"id": "gdp", "name": FORMULA_INDICATOR, "parent": "econ", "targets": {2025: 100},
         "source": "<b>bureau</b> & co", "unit": "@unit"},
        {"id": "jobs", "name": {"zh": "就业", "en": "Jobs"}, "parent": "econ"},
        {"id": "pm25", "name": {"zh": "细颗粒物", "en": "Fine particles"}, "parent": "env",
         "direction": "cost", "targets": {2025: 35}},
        {"id": "green", "name": {"zh": "绿地", "en": "Green space"}, "parent": "env"},
    ],
    "groups": {"north": {"name": {"zh": "北方", "en": "North"}},
               "south": {"name": {"zh": "南方", "en": "South"}}},
}
UNITS = [SCRIPT_UNIT, FORMULA_UNIT, "U3", "U4", "U5", "U6", "U7", "U8"]


def hostile_frame() -> pd.DataFrame:
    rng = np.random.default_rng(7)
    rows = []
    for year in (2022, 2023, 2024):
        for k, unit in enumerate(UNITS):
            rows.append({"unit": unit, "year": year, "group": "north" if k % 2 else "south",
                         "gdp": rng.uniform(40, 140), "jobs": rng.uniform(1, 9),
                         "pm25": rng.uniform(20, 70), "green": rng.uniform(10, 50)})
    return pd.DataFrame(rows)


HOSTILE_RECIPE = {"weights": {"indicators": "entropy", "nodes": "equal"}}


@pytest.fixture(scope="module")
def hostile():
    fw = Framework.from_dict(HOSTILE)
    recipe = Recipe.from_dict(HOSTILE_RECIPE)
    return evaluate(fw, Panel.from_frame(hostile_frame(), fw), recipe)


@pytest.fixture(scope="module")
def demo():
    fw = load_framework("resource_city_transition")
    from evaluator.evaluate import default_recipe
    return evaluate(fw, load_panel(demo_panel_path(), fw), default_recipe(fw))


@pytest.fixture(scope="module")
def demo_out(demo, tmp_path_factory):
    """The demo's score tables and its English report in one folder."""
    out = tmp_path_factory.mktemp("demo_report")
    demo.to_dir(out)
    write_report(demo, out, lang="en")
    return out


def report_file(folder: Path, kind: str) -> Path:
    """The one report file of ``kind`` (html, xlsx, md) in ``folder``: report-YEAR-LANG.kind."""
    found = sorted(Path(folder).glob(f"report-*.{kind}"))
    assert len(found) == 1, found
    return found[0]


class Page(HTMLParser):
    """Text nodes, elements and the ranking table's cells of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, dict]] = []
        self.rows: list[list[dict]] = []
        self._in_ranking = self._in_body = False
        self._cell: dict | None = None
        self._stack: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append((tag, a))
        if tag == "table" and a.get("id") == "ranking-table":
            self._in_ranking = True
        if self._in_ranking and tag == "tbody":
            self._in_body = True
        if self._in_ranking and self._in_body and tag == "tr":
            self.rows.append([])
        if self._in_ranking and tag == "td":
            self._cell = {"col": a.get("data-col"), "value": a.get("data-value"), "text": ""}

    def handle_endtag(self, tag):
        if tag == "table" and self._in_ranking:
            self._in_ranking = self._in_body = False
        if tag == "td" and self._cell is not None:
            self.rows[-1].append(self._cell)
            self._cell = None

    def handle_data(self, data):
        self.text.append(data)
        if self._cell is not None:
            self._cell["text"] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    return page


# -- safety --------------------------------------------------------------------------------
def test_script_unit_and_formula_indicator_are_plain_text_in_html(hostile):
    html = render_html(build_report(hostile, lang="en"))
    page = parse(html)
    # our two <script> elements only (the JSON data and the sorting script)
    assert [t for t, _ in page.tags].count("script") == 2
    assert SCRIPT_UNIT not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    text = "".join(page.text)
    assert SCRIPT_UNIT in text                        # shown, as text
    assert FORMULA_INDICATOR in text
    assert "<b>bureau</b> & co" in text               # a source with markup: text too
    assert not any(t == "b" for t, _ in page.tags)
    # in the SVG charts too (text elements and tooltips)
    assert "<title>&lt;script&gt;" in html or "&lt;script&gt;alert(1)&lt;/script&gt;:" in html


def test_hostile_names_are_neutralised_in_csv(hostile, tmp_path):
    hostile.to_dir(tmp_path)
    with open(tmp_path / "rankings.csv", encoding="utf-8-sig", newline="") as fh:
        units = [row["unit"] for row in csv.DictReader(fh)]
    assert SCRIPT_UNIT in units                       # text, nothing to neutralise
    assert "'" + FORMULA_UNIT in units                # a leading = made inert
    assert FORMULA_UNIT not in units


def test_hostile_names_are_text_cells_in_the_workbook(hostile, tmp_path):
    """Read back with openpyxl: no cell is a formula, and formula-like text is the exact
    text (no visible apostrophe) in a string cell with Excel's quote prefix."""
    from openpyxl import load_workbook
    write_xlsx_report(build_report(hostile, lang="en"), tmp_path / "report.xlsx")
    wb = load_workbook(tmp_path / "report.xlsx")
    values, guarded = [], []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    values.append(cell.value)
                    if cell.value.startswith(("=", "+", "-", "@")):
                        assert cell.data_type == "s", (ws.title, cell.coordinate)
                        assert cell.quotePrefix, (ws.title, cell.coordinate, cell.value)
                        guarded.append(cell.value)
    assert SCRIPT_UNIT in values
    assert FORMULA_UNIT in values and FORMULA_INDICATOR in values
    assert "'" + FORMULA_UNIT not in values and "'" + FORMULA_INDICATOR not in values
    assert "@unit" in guarded                       # the indicator's unit of measure
    # the unit in the rankings sheet, the indicator as a name in the diagnostics
    assert FORMULA_UNIT in [c.value for c in wb["rankings"]["B"]]
    assert FORMULA_INDICATOR in [c.value for c in wb["diagnostics"]["C"]]


# Excel's error values (cells of type "e" in SpreadsheetML, ECMA-376 Part 1)
EXCEL_ERRORS = ("#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A")
# any text XML can carry (CR aside: XML reads a raw CR back as LF), with the characters
# that start formulas and error codes made likely
_CELL_TEXT = st.one_of(
    st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\r",
                          min_codepoint=0x20) | st.sampled_from("\t\n"), max_size=12),
    st.sampled_from(EXCEL_ERRORS),
    st.builds(lambda a, b: a + b, st.sampled_from(["=", "+", "-", "@", "#N/A", "=SUM(", "\t"]),
              st.text(max_size=6).filter(lambda t: "\r" not in t and
                                         all(ord(c) >= 0x20 or c in "\t\n" for c in t) and
                                         not any(0xD800 <= ord(c) <= 0xDFFF for c in t))))


@settings(max_examples=40, deadline=None)
@given(texts=st.lists(_CELL_TEXT, min_size=1, max_size=8))
def test_any_text_reads_back_from_the_workbook_as_the_same_text(texts):
    """openpyxl reads every text cell back unchanged and never as a formula or an
    error; text Excel would not take as text carries the quote prefix."""
    import io
    from openpyxl import load_workbook
    from evaluator.report.sheets import Col, workbook_bytes
    blob = workbook_bytes([("t", [Col("text / 文本", texts)], None)])
    ws = load_workbook(io.BytesIO(blob))["t"]
    cells = [row[0] for row in ws.iter_rows(min_row=2, max_row=len(texts) + 1)]
    for text, cell in zip(texts, cells):
        assert (cell.value or "") == text
        if text:
            assert cell.data_type == "s"
            assert cell.quotePrefix == (text.startswith(("=", "+", "-", "@", "\t"))
                                        or text in EXCEL_ERRORS)


def test_markdown_keeps_hostile_names_as_text(hostile):
    md = render_markdown(build_report(hostile, lang="en"))
    assert "<script>" not in md
    assert md_escape(SCRIPT_UNIT) in md
    assert md_escape(SCRIPT_UNIT) == r"\<script\>alert(1)\</script\>"
    assert md_escape("=a|b") == r"\=a\|b" and md_escape("- x") == r"\- x"


def test_script_json_cannot_end_the_script_element():
    hostile_text = "</script><script>alert(1)</script><!-- \u2028 & >"
    encoded = str(script_json({"x": hostile_text}))
    assert "</" not in encoded and "<!--" not in encoded and "\u2028" not in encoded
    assert json.loads(encoded) == {"x": hostile_text}


# -- numbers ---------------------------------------------------------------------------------
def test_every_number_of_the_ranking_table_equals_rankings_csv(demo_out):
    page = parse(report_file(demo_out, "html").read_text(encoding="utf-8"))
    csv_rows = pd.read_csv(demo_out / "rankings.csv", encoding="utf-8-sig")
    year = int(csv_rows["year"].max())
    expected = csv_rows[csv_rows["year"] == year].reset_index(drop=True)
    panel = pd.read_csv(demo_panel_path(), encoding="utf-8-sig")
    names = dict(zip(panel["unit"], panel["unit_en"]))
    assert len(page.rows) == len(expected) == 262
    checked = 0
    for cells, (_, row) in zip(page.rows, expected.iterrows()):
        by_col = {c["col"]: c for c in cells}
        assert by_col["unit"]["value"] == row["unit"]      # the id, named in English:
        assert by_col["unit"]["text"] == names[row["unit"]]   # the panel's unit_en
        for col, cell in by_col.items():
            if col not in expected.columns or col in ("unit", "year"):
                continue
            want = row[col]
            if col in ("group", "coordination_class"):
                assert cell["value"] == ("" if pd.isna(want) else str(want))
                continue
            if pd.isna(want):
                assert cell["value"] == "" and cell["text"] == "–"
                continue
            assert float(cell["value"]) == float(want), (row["unit"], col)   # full precision
            shown = cell["text"].replace("−", "-").lstrip("+")
            if col.endswith("rank") or col in ("rank_in_group", "rank_change"):
                assert int(shown) == int(want)
            elif col == "coordination_D":
                assert shown == f"{want:.3f}"
            else:
                assert shown == f"{want:.2f}", (row["unit"], col)
            checked += 1
    # score, change, group rank, 3 × (score, rank), D for every unit
    assert checked == 262 * 11 - expected["rank_change"].isna().sum()


def test_every_unit_has_a_profile_and_the_report_stays_small(demo_out):
    html = report_file(demo_out, "html").read_text(encoding="utf-8")
    page = parse(html)
    profiles = [a for t, a in page.tags if t == "details" and "profile" in a.get("class", "")]
    assert len(profiles) == 262
    text = "".join(page.text)
    for unit in pd.read_csv(demo_out / "rankings.csv", encoding="utf-8-sig")["unit"].unique():
        assert unit in text
    assert len(html.encode("utf-8")) < 5_000_000


def test_the_report_loads_nothing_from_anywhere(demo_out):
    html = report_file(demo_out, "html").read_text(encoding="utf-8")
    assert not re.search(r"https?:|//[a-z0-9.-]+\.[a-z]{2,}/|url\(|@import", html, re.I)
    page = parse(html)
    for tag, attrs in page.tags:
        assert tag not in ("link", "img", "iframe", "object", "embed", "base")
        assert "src" not in attrs
        if tag == "a":
            assert attrs.get("href", "#").startswith("#")


# -- workbook ---------------------------------------------------------------------------------
def test_workbook_has_the_sheets_with_headers_in_its_language(demo_out):
    """The English workbook's headers are English, without Chinese (the Chinese one's
    are Chinese: tests/test_workbooks.py and the zh scan of tests/test_i18n.py)."""
    from openpyxl import load_workbook
    wb = load_workbook(report_file(demo_out, "xlsx"))
    assert wb.sheetnames == list(SHEETS)
    cjk = re.compile(r"[\u4e00-\u9fff]")
    for ws in wb.worksheets:
        assert ws.freeze_panes in ("A2", "B2")
        headers = [c.value for c in ws[1] if c.value is not None]
        assert headers, ws.title
        for h in headers:
            assert not cjk.search(h) and re.search(r"[A-Za-z]", h), (ws.title, h)
    rankings = wb["rankings"]
    head = [c.value for c in rankings[1]]
    assert head[:2] == ["rank", "unit"]
    score = rankings.cell(row=2, column=head.index("score") + 1)
    assert score.number_format == "0.00" and isinstance(score.value, float)
    diag = wb["diagnostics"]
    light_col = [c.value for c in diag[1]].index("light") + 1
    fills = {diag.cell(row=r, column=light_col).value:
             diag.cell(row=r, column=light_col).fill.fgColor.rgb
             for r in range(2, 400) if diag.cell(row=r, column=light_col).value}
    assert fills["green"].endswith("C6EFCE")
    assert len(fills) >= 2


def test_sensitivity_sheet_says_how_to_run_it_when_absent(demo_out):
    from openpyxl import load_workbook
    ws = load_workbook(report_file(demo_out, "xlsx"))["sensitivity"]
    text = " ".join(str(c.value) for row in ws.iter_rows() for c in row if c.value)
    assert "evaluator sensitivity" in text


# -- languages -------------------------------------------------------------------------------
def test_every_message_has_both_languages_with_the_same_placeholders():
    text = (Path(i18n.__file__).parent / "messages" / "report.yaml").read_text(encoding="utf-8")
    keys = re.findall(r"^([A-Za-z0-9_.]+):", text, re.M)
    assert len(keys) == len(set(keys)), "a key is defined twice (YAML keeps the last)"
    table = load_messages(Path(i18n.__file__).parent / "messages" / "report.yaml")
    assert set(table) == set(keys)     # no key read as a boolean (yes/no) or lost
    assert len(table) > 300
    for key, entry in table.items():
        assert set(entry) == set(LANGS), key
        assert all(entry[lang].strip() for lang in LANGS), key
        assert placeholders(entry["en"]) == placeholders(entry["zh"]), key


def _literal_keys() -> set[str]:
    """Keys passed literally to t(...) in the templates and the report code, and the
    workbook header keys (_bi(bundle, "key") → xl.key)."""
    keys: set[str] = set()
    files = list(reports_dir().rglob("*.j2")) + list(
        (Path(__file__).resolve().parents[1] / "evaluator" / "report").glob("*.py"))
    for path in files:
        text = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"(?<![\w])t\(\s*[\"']([a-z0-9_.]+)[\"']", text))
        keys |= {f"xl.{k}" for k in re.findall(r"_bi\(bundle,\s*[\"']([a-z0-9_]+)[\"']", text)}
        if path.name == "xlsx.py":   # header keys listed in a loop
            keys |= {f"xl.{k}" for k in re.findall(r"\"([a-z_]+)\"", text.split("keys = [")[1]
                                                    .split("]")[0])}
    return keys


def test_every_key_used_by_the_templates_and_the_code_exists():
    table = load_messages()
    keys = _literal_keys()
    assert len(keys) > 150
    # t("rule." ~ rule) in a template: a family, checked key by key in the next test
    families = {k for k in keys if k.endswith(".")}
    assert all(any(name.startswith(f) for name in table) for f in families)
    missing = sorted(k for k in keys - families if k not in table)
    assert not missing, missing


def _detail_keys() -> set[str]:
    """The intermediate-table names every weighting method returns (run on data)."""
    z = np.random.default_rng(3).uniform(1, 100, (40, 5))
    results = [weighting.entropy_weights(z), weighting.critic_weights(z),
               weighting.cv_weights(z), weighting.std_weights(z), weighting.pca_weights(z)]
    u, v = results[0].weights, results[1].weights
    results += [combine.combine_linear([u, v], [0.5, 0.5]),
                combine.combine_multiplicative([u, v]), combine.combine_game_theory([u, v])]
    keys = {k for r in results for k in r.details}
    from evaluator.stages.ahp_weights import make_ahp_loader
    fw = load_framework("resource_city_transition")
    _, details = make_ahp_loader(fw)("weights/example_panel.yaml", "index", fw.first_level)
    return keys | set(details) | {"matrix"}


def test_every_method_rule_and_detail_has_its_words():
    table = load_messages()
    needed = set()
    def built_in(family):
        return [n for n, m in registry.methods(family).items() if m.origin == "built-in"]

    for section, methods in (("impute", recipe_model.IMPUTE_METHODS),
                             ("treat", recipe_model.TREAT_METHODS),
                             ("normalise", built_in("normalisations")),
                             ("weights", built_in("weights")),
                             ("aggregate", built_in("aggregations"))):
        for m in methods:
            needed.add(f"method.{section}.{m}")
            if section != "impute" and (section, m) not in (("treat", "none"),):
                needed |= {f"formula.{section}.{m}.{p}" for p in ("title", "text", "ref")}
    for how in ("linear", "multiplicative", "game_theory"):
        needed |= {f"method.combine.{how}"} | {f"formula.combine.{how}.{p}"
                                               for p in ("title", "text", "ref")}
    for form in FORMS:
        needed |= {f"coordination.{form}"} | {f"formula.coordination.{form}.{p}"
                                              for p in ("title", "text", "ref")}
    needed |= {f"rule.{r}" for r in ALERT_RULES} | {f"rule_short.{r}" for r in ALERT_RULES}
    needed |= {f"light.{x}" for x in ("green", "yellow", "red", "not_judged")}
    needed |= {f"direction.{d}" for d in ("benefit", "cost", "optimum", "range")}
    needed |= {"compare.previous", "compare.base", "scope.pooled", "scope.per_year",
               "level.error", "level.warning", "input.data", "input.framework",
               "input.recipe", "input.judgements"}
    needed |= {f"detail.{k}" for k in _detail_keys()}
    missing = sorted(needed - set(table))
    assert not missing, missing


@pytest.mark.parametrize("lang", LANGS)
def test_both_languages_render_the_demo_completely(demo, lang):
    bundle = build_report(demo, lang=lang)
    html = render_html(bundle)      # a key without text in `lang` would raise here
    md = render_markdown(bundle)
    assert bundle.t.used
    page = parse(html)
    html_tag = next(a for t, a in page.tags if t == "html")
    assert html_tag["lang"] == ("zh-CN" if lang == "zh" else "en")
    other = Messages("en" if lang == "zh" else "zh")
    for key in ("nav.methods", "methods.title", "profile.obstacles", "ranking.note",
                "synthetic.title", "robustness.not_run"):
        assert bundle.t(key) in html
        assert other.t(key) not in html   # nothing left in the other language
    assert bundle.t("findings.title") in md


def test_a_missing_translation_is_an_error_not_a_fallback():
    t = Messages("zh", {"only.en": {"en": "English only"}})
    with pytest.raises(MissingMessage):
        t("only.en")
    with pytest.raises(MissingMessage):
        t("no.such.key")
    with pytest.raises(EvaluatorError):
        Messages("fr")


# -- robustness section ------------------------------------------------------------------------
def _intervals(assessment) -> pd.DataFrame:
    r = assessment.rankings
    rank = r["rank"].astype(float).to_numpy()
    return pd.DataFrame({"unit": r["unit"], "year": r["year"], "nominal_rank": rank,
                         "mean_rank": rank + 0.4, "median_rank": rank,
                         "p05": np.maximum(rank - 1, 1), "p95": rank + 2,
                         "p_top_k": (rank <= 3).astype(float), "p_bottom_k": 0.1})


def test_rank_intervals_give_the_robustness_section_and_sheet(hostile, tmp_path):
    iv = _intervals(hostile)
    paths = write_report(hostile, tmp_path, rank_intervals=iv,
                         sensitivity_summary={"top_k": 3, "scenarios": 1000,
                                              "varied_labels": ["weights × U(0.8, 1.2)"]})
    assert [p.name for p in paths] == list(report_names(2024, "en"))
    html = report_file(tmp_path, "html").read_text(encoding="utf-8")
    t = Messages("en")
    assert t("chart.intervals") in html and t("robustness.not_run") not in html
    assert "P(top 3)" in html and "1000 scenarios" in html
    from openpyxl import load_workbook
    ws = load_workbook(report_file(tmp_path, "xlsx"))["sensitivity"]
    assert ws.max_row == len(UNITS) + 1
    units = {ws.cell(row=r, column=1).value for r in range(2, ws.max_row + 1)}
    assert SCRIPT_UNIT in units


def test_without_intervals_the_report_says_how_to_get_them(hostile):
    html = render_html(build_report(hostile, lang="zh"))
    assert Messages("zh").t("robustness.not_run") in html
    assert "evaluator sensitivity" in html


def test_intervals_from_a_neutralised_csv_match_their_units(hostile, tmp_path):
    from evaluator.output import write_csv
    write_csv(_intervals(hostile), tmp_path / "rank_intervals.csv")
    frame = pd.read_csv(tmp_path / "rank_intervals.csv", encoding="utf-8-sig")
    bundle = build_report(hostile, rank_intervals=frame)
    assert FORMULA_UNIT in set(bundle.intervals["unit"])


def test_bad_intervals_are_a_clear_error(hostile):
    with pytest.raises(DataError, match="p95"):
        build_report(hostile, rank_intervals=_intervals(hostile).drop(columns="p95"))
    bad = _intervals(hostile).astype({"p05": object})
    bad.loc[0, "p05"] = "many"
    with pytest.raises(DataError, match="non-number"):
        build_report(hostile, rank_intervals=bad)
    assert set(INTERVAL_COLUMNS) <= set(_intervals(hostile).columns)


def test_a_year_without_intervals_says_so(hostile):
    iv = _intervals(hostile)
    html = render_html(build_report(hostile, year=2024, rank_intervals=iv[iv["year"] < 2024]))
    assert Messages("en").t("robustness.no_year", year=2024) in html


# -- year, methods appendix, writing ----------------------------------------------------------
def test_year_choice(hostile):
    bundle = build_report(hostile, year=2023)
    assert bundle.year == 2023 and bundle.previous_year == 2022
    assert set(bundle.ranking["year"]) == {2023}
    first = build_report(hostile, year=2022)
    assert first.previous_year is None
    render_html(first)                        # a first year renders without movement
    with pytest.raises(EvaluatorError, match="2019"):
        build_report(hostile, year=2019)


def test_methods_appendix_shows_entropy_tables_and_the_manifest(hostile):
    bundle = build_report(hostile, lang="en")
    sections = {s["node"]: s for s in bundle.context["weights"]}
    econ = sections["econ"]
    assert econ["columns"][:2] == ["entropy e", "divergence d = 1 − e"]
    e = hostile.weights["econ"].details["e"]
    assert [r["cells"][0] for r in econ["rows"]] == [f"{v:.4f}" for v in e]
    html = render_html(bundle)
    assert hostile.manifest["version"] in html
    assert Messages("en").t("formula.weights.entropy.text") in html


def test_ahp_matrices_with_their_consistency_in_the_appendix(demo):
    from evaluator.stages.ahp_weights import make_ahp_loader
    fw = demo.framework
    ahp = {"method": "ahp", "file": "weights/example_panel.yaml"}
    result = evaluate(fw, demo.panel, demo.recipe.replace(weights={"indicators": ahp,
                                                                   "nodes": ahp}),
                      ahp_loader=make_ahp_loader(fw))
    bundle = build_report(result, lang="zh")
    sections = {s["node"]: s for s in bundle.context["weights"]}
    for node in ("index", *fw.first_level):
        labels = dict(sections[node]["scalars"])
        cr = result.weights[node].details["cr"]
        assert labels["一致性比率 CR"] == f"{cr:.4f}"
        (matrix,) = sections[node]["matrices"]
        assert matrix["label"] == "判断矩阵"
        assert len(matrix["rows"]) == len(fw.children(node))
    # the structural matrix is one expert's Saaty judgements: shown as written
    cells = {c for r in sections["structural"]["matrices"][0]["rows"] for c in r["cells"]}
    assert "1" in cells and any(c.startswith("1/") for c in cells)


def test_write_report_replaces_nothing_when_rendering_fails(hostile, tmp_path, monkeypatch):
    write_report(hostile, tmp_path)
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    import evaluator.report as rep

    def broken(bundle):
        raise RuntimeError("boom")
    monkeypatch.setattr(rep, "render_markdown", broken)
    with pytest.raises(RuntimeError):
        rep.write_report(hostile, tmp_path, lang="zh")
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def hostile_files(folder: Path) -> tuple[Path, Path, Path]:
    """The hostile framework, panel and recipe as files (as a user passes them)."""
    import yaml
    fw_path, data, recipe = folder / "hostile.yaml", folder / "panel.csv", folder / "recipe.yaml"
    fw_path.write_text(yaml.safe_dump(HOSTILE, allow_unicode=True), encoding="utf-8")
    hostile_frame().to_csv(data, index=False)
    recipe.write_text(yaml.safe_dump(HOSTILE_RECIPE), encoding="utf-8")
    return fw_path, data, recipe


def test_cli_report_writes_the_report_and_the_tables(tmp_path):
    from evaluator.cli.report import report
    fw_path, data, _ = hostile_files(tmp_path)
    out = tmp_path / "out"
    res = CliRunner().invoke(report, ["-f", str(fw_path), "-d", str(data), "--out", str(out),
                                      "--lang", "zh", "--year", "2023"])
    assert res.exit_code == 0, res.output
    for name in (*report_names(2023, "zh"), "rankings.csv", "manifest.json"):
        assert (out / name).is_file(), name
    assert "2023年" in report_file(out, "html").read_text(encoding="utf-8")
    helped = CliRunner().invoke(report, ["--help"])
    assert helped.exit_code == 0 and "Examples:" in helped.output
    bad = CliRunner().invoke(report, ["-f", str(fw_path), "-d", str(data), "--out",
                                      str(out), "--year", "1990"])
    assert bad.exit_code == 2 and "Traceback" not in bad.output


def test_a_flat_framework_with_gaps_and_a_single_year_renders(tmp_path):
    fw = Framework.from_dict({"id": "flat", "name": "Flat index",
                              "indicators": [{"id": "a"}, {"id": "b", "direction": "cost"},
                                             {"id": "c"}]})
    rng = np.random.default_rng(1)
    df = pd.DataFrame([{"unit": f"U{u}", "year": y, "a": rng.uniform(1, 9),
                        "b": rng.uniform(1, 9), "c": rng.uniform(1, 9)}
                       for y in (2023, 2024) for u in range(5)])
    df.loc[3, "a"] = np.nan
    df.loc[7, ["a", "b", "c"]] = np.nan          # a unit without data in 2024
    for frame in (df, df[df["year"] == 2024]):
        result = evaluate(fw, Panel.from_frame(frame, fw), Recipe())
        for lang in LANGS:
            paths = write_report(result, tmp_path / lang, lang=lang)
            assert all(p.stat().st_size > 0 for p in paths)
        page = parse(report_file(tmp_path / "en", "html").read_text(encoding="utf-8"))
        unscored = [r for r in page.rows if any(c["col"] == "score" and c["value"] == ""
                                                for c in r)]
        assert len(unscored) == 1
        assert {c["text"] for c in unscored[0] if c["col"] in ("score", "rank")} == {"–"}


# -- the sensitivity run behind the robustness section ----------------------------------------
def run_sensitivity(folder: Path, files, *, recipe: dict | None = None, seed: int = 7,
                    samples: int = 200) -> Path:
    """`evaluator sensitivity` on the hostile files (the real producer of the intervals);
    returns its rank_intervals.csv (sensitivity.json beside it)."""
    import yaml
    from evaluator.cli.sensitivity import sensitivity
    fw_path, data, recipe_path = files
    if recipe is not None:
        recipe_path = folder / "other_recipe.yaml"
        recipe_path.write_text(yaml.safe_dump(recipe), encoding="utf-8")
    out = folder / f"sens_{seed}"
    res = CliRunner().invoke(sensitivity, ["-f", str(fw_path), "-d", str(data), "-r",
                                           str(recipe_path), "--samples", str(samples),
                                           "--seed", str(seed), "--out", str(out)])
    assert res.exit_code == 0, res.output
    return out / "rank_intervals.csv"


def invoke_report(files, out: Path, *extra: str):
    from evaluator.cli.report import report
    fw_path, data, recipe_path = files
    return CliRunner().invoke(report, ["-f", str(fw_path), "-d", str(data), "-r",
                                       str(recipe_path), "--out", str(out), *extra])


def _footer(html: str) -> str:
    import html as html_lib
    inner = re.search(r'<footer class="foot"><div class="wrap">(.*?)</div></footer>', html, re.S)
    return html_lib.unescape(re.sub(r"<[^>]+>", "", inner.group(1)))


def test_the_report_names_the_sensitivity_run_it_shows(tmp_path):
    """The intervals file, its SHA-256 and the run's seed, samples and varied factors (as
    `evaluator sensitivity` recorded them in sensitivity.json) are in the methods
    appendix, the footer, the robustness section, the workbook and report.md; the
    footer keeps the scoring seed apart from the sensitivity seed."""
    import hashlib
    from openpyxl import load_workbook
    files = hostile_files(tmp_path)
    intervals = run_sensitivity(tmp_path, files, seed=7)
    summary = json.loads((intervals.parent / "sensitivity.json").read_text(encoding="utf-8"))
    assert summary["seed"] == 7 and summary["samples"] == 200
    out = tmp_path / "out"
    res = invoke_report(files, out, "--intervals", str(intervals))
    assert res.exit_code == 0, res.output
    sha = hashlib.sha256(intervals.read_bytes()).hexdigest()
    summary_sha = hashlib.sha256((intervals.parent / "sensitivity.json").read_bytes()).hexdigest()
    html = report_file(out, "html").read_text(encoding="utf-8")
    text = "".join(parse(html).text)
    t = Messages("en")
    # methods appendix: the inputs table and the run
    assert str(intervals) in text and sha in text and summary_sha in text
    assert t("input.intervals") in text
    run = t("manifest.sensitivity_text", design=t("design.monte_carlo"), seed=7, samples=200,
            scenarios=summary["scenarios"], varied="; ".join(varied_text(summary, t)),
            version=summary["version"])
    assert run in text
    # footer: scoring seed (the recipe's, 0) and the sensitivity seed, each named
    footer = _footer(html)
    scoring_seed = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["seed"]
    assert scoring_seed != 7
    assert t("footer", version=summary["version"], framework="hostile",
             seed=scoring_seed) in footer
    named = t("robustness.file", path=str(intervals), sha=sha[:12])
    assert t("footer.intervals", file=named, seed=7, samples=200) in footer
    assert "random seed 0." not in footer.replace("of the scoring 0", "")
    assert t("robustness.source", file=named, seed=7, samples=200) in text
    md = report_file(out, "md").read_text(encoding="utf-8")
    assert md_escape(named) in md and "random seed 7, samples 200" in md
    methods = load_workbook(report_file(out, "xlsx"))["methods"]
    cells = [str(c.value) for row in methods.iter_rows() for c in row if c.value is not None]
    assert f"{intervals}  sha256 {sha}" in cells
    assert run in cells and any(c.endswith(f"  sha256 {summary_sha}") for c in cells)


def test_without_a_summary_the_run_is_still_named(hostile, tmp_path):
    from evaluator.output import write_csv
    path = tmp_path / "rank_intervals.csv"
    write_csv(_intervals(hostile), path)
    bundle = build_report(hostile, intervals_file=path)
    html = render_html(bundle)
    footer = _footer(html)
    assert str(path) in footer and "not recorded" in footer
    with pytest.raises(EvaluatorError, match="one of"):
        build_report(hostile, intervals_file=path, rank_intervals=_intervals(hostile))


def test_intervals_of_another_recipe_are_refused_by_the_cli(tmp_path):
    """A real sensitivity run with equal weights against a report with entropy weights:
    the nominal ranks differ, so the report refuses the intervals."""
    files = hostile_files(tmp_path)
    other = run_sensitivity(tmp_path, files, recipe={"weights": {"indicators": "equal",
                                                                  "nodes": "equal"}})
    out = tmp_path / "out"
    res = invoke_report(files, out, "--intervals", str(other))
    assert res.exit_code == 2, res.output
    assert "Traceback" not in res.output
    assert str(other) in res.output and "nominal rank of unit" in res.output
    assert "same framework, data and recipe" in res.output
    assert not (out.exists() and list(out.glob("report-*")))        # nothing written


@pytest.mark.parametrize("change, message", [
    (lambda iv: iv.assign(unit=iv["unit"].replace("U3", "Atlantis")), "'Atlantis'"),
    (lambda iv: iv.assign(year=iv["year"].replace(2022, 1999)), "year 1999"),
    (lambda iv: iv.assign(nominal_rank=np.where(iv["unit"] == "U5", 99.0,
                                                iv["nominal_rank"])), "unit 'U5'"),
    (lambda iv: pd.concat([iv, iv.head(1)]), "appears twice"),
])
def test_intervals_of_another_assessment_are_a_clear_error(hostile, tmp_path, change, message):
    from evaluator.output import write_csv
    path = tmp_path / "rank_intervals.csv"
    write_csv(change(_intervals(hostile)), path)
    with pytest.raises(DataError, match=message) as caught:
        build_report(hostile, intervals_file=path)
    assert caught.value.where.startswith(str(path))
    assert "same framework, data and recipe" in caught.value.fix


def test_intervals_of_another_framework_are_refused(hostile, tmp_path):
    from evaluator.output import write_csv
    path = tmp_path / "rank_intervals.csv"
    write_csv(_intervals(hostile), path)
    (tmp_path / "sensitivity.json").write_text(json.dumps({"framework": "other_index",
                                                           "seed": 1}), encoding="utf-8")
    with pytest.raises(DataError, match="other_index") as caught:
        build_report(hostile, intervals_file=path)
    assert caught.value.where == str(tmp_path / "sensitivity.json")
    (tmp_path / "sensitivity.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(DataError, match="sensitivity summary"):
        build_report(hostile, intervals_file=path)
    # the same intervals with a matching summary are accepted, unranked rows included
    (tmp_path / "sensitivity.json").write_text(json.dumps({"framework": "hostile"}),
                                               encoding="utf-8")
    assert build_report(hostile, intervals_file=path).intervals is not None


# -- charts on scores outside the recipe's range -----------------------------------------------
def _dot_x(svg: str) -> list[float]:
    return [float(x) for x in re.findall(r'<circle cx="([-\d.]+)"[^>]*class="me"', svg)]


def test_unit_dots_are_drawn_for_z_scores(hostile):
    """z-scores leave the 0–100 range: the profile's dot plot uses the values' range (as
    the overview charts do), so the dots follow the scores and the best is at the end."""
    from evaluator.report.profile_charts import unit_dots
    recipe = Recipe.from_dict({"normalise": {"method": "z_score"},
                               "weights": {"indicators": "equal", "nodes": "equal"}})
    result = evaluate(hostile.framework, hostile.panel, recipe)
    bundle = build_report(result)
    scores = bundle.ranking["score"].to_numpy(float)
    assert scores.min() < 0 < scores.max()           # outside [0, 100] indeed
    xs = []
    for profile in bundle.context["profiles"]:
        xs.append(_dot_x(str(profile["chart"]))[0])   # the composite's row comes first
    # the scale spans every score shown: this and last year's, index and dimensions
    shown = pd.concat([bundle.ranking, bundle.previous])[["score", "econ", "env"]].to_numpy()
    lo, hi = np.nanmin(shown), np.nanmax(shown)
    left, right = 132.0, 400.0 - 44.0                 # unit_dots' plotting band
    assert np.asarray(xs) == pytest.approx(left + (scores - lo) / (hi - lo) * (right - left),
                                           abs=0.15)
    # the best unit's dot sits on the best marker (a triangle whose apex is at its x)
    best = str(bundle.context["profiles"][0]["chart"])
    apex = re.search(r'<path d="M([-\d.]+) [-\d.]+[^"]*"[^>]*class="best"', best)
    assert float(apex.group(1)) == pytest.approx(_dot_x(best)[0], abs=0.1)
    chart = str(unit_dots([("A", 10.0, 8.0, 5.0, 20.0)], 0, 20, label="x"))
    assert 'class="gm"' in chart and 'class="pv"' in chart and 'class="tobest"' in chart


# -- writing the set ----------------------------------------------------------------------------
def _snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in folder.iterdir() if p.is_file()}


def test_cli_report_keeps_the_old_set_when_a_file_is_in_the_way(tmp_path):
    """A folder named like the workbook stands for a workbook that cannot be replaced:
    the run fails naming that file (not a temporary one) and no file of the folder
    changes."""
    files = hostile_files(tmp_path)
    out = tmp_path / "out"
    assert invoke_report(files, out).exit_code == 0
    (out / "report-2023-zh.xlsx").mkdir()
    before = _snapshot(out)
    res = invoke_report(files, out, "--lang", "zh", "--year", "2023")
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert res.output.startswith(f"错误：{out / 'report-2023-zh.xlsx'}：")   # in the report's language
    assert "--out" in res.output and ".tmp" not in res.output
    assert _snapshot(out) == before
    assert sorted(p.name for p in out.iterdir() if p.name.startswith(".")) == []


def test_a_locked_file_rolls_the_whole_set_back(hostile, tmp_path, monkeypatch):
    """Replacing fails late (rankings.csv, after the report files were swapped in, as a
    CSV open in Excel on Windows): every file is put back, the error names the file and
    says to close it."""
    import os
    import evaluator.output_set as output_set
    out = tmp_path / "out"
    write_report(hostile, out, tables=True)
    before = _snapshot(out)
    real = os.replace

    def refuse(src, dst):
        if Path(dst) == out / "rankings.csv" or Path(src) == out / "rankings.csv":
            raise PermissionError(13, "Permission denied", str(src))
        return real(src, dst)
    monkeypatch.setattr(output_set.os, "replace", refuse)
    with pytest.raises(EvaluatorError) as caught:
        write_report(hostile, out, lang="zh", tables=True)
    assert caught.value.where == str(out / "rankings.csv")
    assert "close the file in Excel" in caught.value.fix
    assert ".evaluator-" not in str(caught.value)
    assert _snapshot(out) == before
    assert [p for p in out.iterdir() if p.name.startswith(".")] == []
    assert [p for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_single_writers_name_the_file_they_cannot_write(hostile, tmp_path):
    from evaluator.report import write_html, write_markdown
    bundle = build_report(hostile)
    for writer, name in ((write_html, "report.html"), (write_xlsx_report, "report.xlsx"),
                         (write_markdown, "report.md")):
        (tmp_path / name).mkdir()
        with pytest.raises(EvaluatorError, match=f"cannot write {name}") as caught:
            writer(bundle, tmp_path / name)
        assert caught.value.where == str(tmp_path / name)
        with pytest.raises(EvaluatorError, match="does not exist"):
            writer(bundle, tmp_path / "missing" / name)
    assert [p.name for p in tmp_path.iterdir() if p.is_file()] == []


# -- the weighting's intermediate tables in the workbook ---------------------------------------
def _weighting_sheet(bundle, tmp_path) -> dict[tuple, object]:
    """(parent, key, item, column item) → value, read back from report.xlsx."""
    from openpyxl import load_workbook
    write_xlsx_report(bundle, tmp_path / "report.xlsx")
    ws = load_workbook(tmp_path / "report.xlsx")[bundle.t("sheet.weighting")]
    head = [c.value for c in ws[1]]
    col = {k: head.index(bundle.t(f"xl.{k}")) for k in
           ("node", "key", "child", "column_item", "value", "quantity")}
    out = {}
    for row in ws.iter_rows(min_row=2, values_only=True):
        out[(row[col["node"]], row[col["key"]], row[col["child"]],
             row[col["column_item"]])] = row[col["value"]]
    return out


def test_workbook_has_entropy_and_critic_tables(hostile, tmp_path):
    recipe = Recipe.from_dict({"weights": {"indicators": "critic", "nodes": "entropy"}})
    result = evaluate(hostile.framework, hostile.panel, recipe)
    sheet = _weighting_sheet(build_report(result, lang="zh"), tmp_path)
    for node, keys in (("econ", ("sigma", "conflict", "information")),
                       ("env", ("sigma", "conflict", "information")), ("index", ("e", "d"))):
        nw = result.weights[node]
        for key in keys:
            for child, v in zip(nw.children, nw.details[key]):
                assert sheet[(node, key, child, None)] == pytest.approx(float(v), rel=1e-12)
        for child, w in zip(nw.children, nw.weights):
            assert sheet[(node, "weight", child, None)] == pytest.approx(float(w), rel=1e-12)
    corr = np.asarray(result.weights["econ"].details["correlation"])
    assert sheet[("econ", "correlation", "gdp", "jobs")] == pytest.approx(corr[0, 1])


def _swapped_judgements(folder: Path) -> Path:
    """AHP judgements for the hostile framework with items in another order than the
    framework's (allowed: `items` sets the matrix order)."""
    path = folder / "judgements.yaml"
    path.write_text(
        "framework: hostile\n"
        "matrices:\n"
        "  index: {items: [env, econ], judgements: {env: {econ: 2}}}\n"
        "  econ: {items: [jobs, gdp], judgements: {jobs: {gdp: 3}}}\n"
        "  env: {items: [green, pm25], judgements: {green: {pm25: '1/2'}}}\n",
        encoding="utf-8")
    return path


def test_ahp_matrices_follow_their_items_in_sheet_and_appendix(hostile, tmp_path):
    """jobs is judged 3 × gdp in a matrix listing jobs first. The workbook keeps the file's
    order with each cell named by its row and column item; the HTML appendix shows the
    matrix in the framework's child order (gdp, jobs), so gdp's row reads 1, 1/3."""
    from evaluator.stages.ahp_weights import make_ahp_loader
    fw = hostile.framework
    ahp = {"method": "ahp", "file": str(_swapped_judgements(tmp_path))}
    result = evaluate(fw, hostile.panel, Recipe.from_dict({"weights": {"indicators": ahp,
                                                                       "nodes": ahp}}),
                      ahp_loader=make_ahp_loader(fw))
    bundle = build_report(result, lang="en")
    sheet = _weighting_sheet(bundle, tmp_path)
    assert sheet[("econ", "matrix", "jobs", "gdp")] == pytest.approx(3.0)
    assert sheet[("econ", "matrix", "gdp", "jobs")] == pytest.approx(1 / 3)
    for key in ("lambda_max", "ci", "ri", "cr"):
        assert sheet[("econ", key, None, None)] == pytest.approx(
            float(result.weights["econ"].details[key]), abs=1e-12)
    assert sheet[("econ", "priority_method", None, None)] == "eigenvector"
    weights = dict(zip(result.weights["econ"].children, result.weights["econ"].weights))
    assert weights["jobs"] == pytest.approx(0.75)          # 3 : 1
    (matrix,) = {s["node"]: s for s in bundle.context["weights"]}["econ"]["matrices"]
    rows = {r["label"]: r["cells"] for r in matrix["rows"]}
    assert rows[f"1. {FORMULA_INDICATOR}"] == ["1", "1/3"]
    assert rows["2. Jobs"] == ["3", "1"]


def test_demo_ahp_consistency_is_in_the_workbook(demo, tmp_path):
    from evaluator.stages.ahp_weights import make_ahp_loader
    fw = demo.framework
    ahp = {"method": "ahp", "file": "weights/example_panel.yaml"}
    result = evaluate(fw, demo.panel, demo.recipe.replace(weights={"indicators": ahp,
                                                                   "nodes": ahp}),
                      ahp_loader=make_ahp_loader(fw))
    from evaluator.report.xlsx import workbook_sheets
    (cols,) = [c for name, c, _ in workbook_sheets(build_report(result)) if name == "weighting"]
    head = [c.header.split(" / ")[0] for c in cols]
    by = {h: c.values for h, c in zip(head, cols)}
    table = pd.DataFrame({"node": by["parent"], "key": by["key"], "item": by["item"],
                          "column": by["column item (matrices)"], "value": by["value"]})
    for node in ("index", *fw.first_level):
        d = result.weights[node].details
        for key in ("lambda_max", "ci", "ri", "cr"):
            (v,) = table.loc[(table["node"] == node) & (table["key"] == key), "value"]
            assert v == pytest.approx(d[key])
        m = table[(table["node"] == node) & (table["key"] == "matrix")]
        assert len(m) == len(d["matrix_items"]) ** 2
        first = d["matrix_items"][0]
        row = m[m["item"] == first].set_index("column")["value"]
        assert row.reindex(d["matrix_items"]).tolist() == pytest.approx(d["matrix"][0])


# -- node ids that look like the table's own columns -------------------------------------------
def test_dimensions_named_like_fixed_columns_keep_their_scores(monkeypatch):
    """A dimension `alerts` (the alert markers' column key; reserved by the framework
    today, allowed here): it keeps its scores and ranks in the HTML and Markdown ranking
    tables, beside the alert markers."""
    import copy
    from evaluator.model import framework_spec
    monkeypatch.setattr(framework_spec, "RESERVED_IDS", framework_spec.RESERVED_IDS - {"alerts"})
    spec = copy.deepcopy(HOSTILE)
    rename = {"econ": "alerts", "env": "env"}
    for node in spec["nodes"]:
        node["id"] = rename[node["id"]]
    for ind in spec["indicators"]:
        ind["parent"] = rename[ind["parent"]]
    fw = Framework.from_dict(spec)
    result = evaluate(fw, Panel.from_frame(hostile_frame(), fw), Recipe.from_dict(HOSTILE_RECIPE))
    bundle = build_report(result, lang="en")
    keys = [c["key"] for c in bundle.context["columns"]]
    assert len(keys) == len(set(keys))
    page = parse(render_html(bundle))
    expected = bundle.ranking
    for cells, (_, row) in zip(page.rows, expected.iterrows()):
        by_col = {}
        for c in cells:
            assert c["col"] not in by_col, c["col"]          # one cell per data-col
            by_col[c["col"]] = c
        for node in ("alerts", "env"):
            assert float(by_col[node]["value"]) == row[node]
            assert by_col[node]["text"].replace("−", "-") == f"{row[node]:.2f}"
            assert int(by_col[f"{node}_rank"]["text"]) == row[f"{node}_rank"]
        assert "alert-marks" in by_col
        marks = int((bundle.alerts["unit"] == row["unit"]).sum())
        assert by_col["alert-marks"]["value"] == str(marks or "")
    md = render_markdown(bundle).splitlines()
    start = next(k for k, line in enumerate(md) if line.startswith("| "))
    head = [h.strip() for h in md[start].strip("|").split("|")]
    for line, (_, row) in zip(md[start + 2:], expected.iterrows()):
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert len(cells) == len(head)
        for node in ("alerts", "env"):
            shown = cells[head.index(md_escape(bundle.label(node)))]
            assert shown.replace("−", "-") == f"{row[node]:.2f}"


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_markdown_lists_the_runs_warnings_as_the_html_does(lang):
    frame = hostile_frame()
    frame = frame[frame["year"] != 2023]          # a calendar gap: the run warns of it
    fw = Framework.from_dict(HOSTILE)
    gapped = evaluate(fw, Panel.from_frame(frame, fw), Recipe.from_dict(HOSTILE_RECIPE))
    bundle = build_report(gapped, lang=lang)
    warnings = [bundle.t.local(w) for w in bundle.manifest["warnings"]]
    assert warnings and all(isinstance(w, str) and w for w in warnings)
    md = render_markdown(bundle)
    heading = "## " + ("Warnings of this run" if lang == "en" else "本次运行的提示")
    assert heading in md
    section = md.split(heading, 1)[1].split("\n## ", 1)[0]
    for w in warnings:
        assert f"- {md_escape(w)}" in section
    assert "2023" in section


def test_markdown_has_no_warnings_heading_when_the_run_warned_of_nothing(demo):
    bundle = build_report(demo, lang="en")
    assert not bundle.manifest["warnings"]
    assert "Warnings of this run" not in render_markdown(bundle)
