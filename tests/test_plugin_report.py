"""A report of an assessment scored with a plugin's method: the method's name, formula and
reference are the ones it declares in the registry (the catalogue has none for it), in
the report's language, in all three reports."""
from __future__ import annotations

import pytest

from evaluator.evaluate import evaluate
from evaluator.report import build_report, render_html, render_markdown, workbook_bytes

from test_registry import FW, panel, plugins  # noqa: F401  (a real dist-info plugin)


@pytest.mark.parametrize("lang, title", [("en", "Weakest link"), ("zh", "短板法")])
def test_a_report_names_a_plugin_method_as_it_declares_itself(plugins, lang,  # noqa: F811
                                                               title):
    res = evaluate(FW, panel(), {"aggregate": {"method": "weighted_sum", "by_node": {
        "index": {"method": "weakest_link", "bonus": 1.0}}}})
    bundle = build_report(res, lang=lang)
    html = render_html(bundle)
    assert title in html and "y = min_j x_j + bonus" in html and "a test plugin" in html
    render_markdown(bundle)                   # renders (no catalogue key needed)
    import io
    from openpyxl import load_workbook
    wb = load_workbook(io.BytesIO(workbook_bytes(bundle)))
    methods = " ".join(str(c) for row in wb.worksheets[-1].iter_rows(values_only=True)
                       for c in row if c is not None)
    assert title in methods and "y = min_j x_j + bonus" in methods
