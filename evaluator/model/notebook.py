"""How results show in a Jupyter notebook (``_repr_html_``): a title, a few facts and the
head of their main tables, escaped, numbers rounded as the README prints them; the words
in the current language (:func:`evaluator.i18n.get_lang`)."""
from __future__ import annotations

import html

import pandas as pd

from ..i18n import t

MAX_ROWS = 10


def html_card(title: str, facts: list[str], tables: list[tuple[str, pd.DataFrame]],
              *, max_rows: int = MAX_ROWS, decimals: int = 3) -> str:
    """One result as HTML: ``title``, ``facts`` (one line each) and each table's first
    ``max_rows`` rows with a line saying how many there are."""
    parts = [f"<div class='evaluator-result'><strong>{html.escape(title)}</strong>"]
    if facts:
        parts.append("<ul>" + "".join(f"<li>{html.escape(str(f))}</li>" for f in facts)
                     + "</ul>")
    for caption, frame in tables:
        if frame is None:
            continue
        shown = frame.head(max_rows)
        more = (t("nb.rows_first", shown=len(shown), n=len(frame)) if len(frame) > len(shown)
                else t("nb.rows_all", n=len(frame)))
        parts.append(f"<p><em>{html.escape(caption)}</em>{html.escape(more)}</p>")
        parts.append(shown.to_html(index=False, na_rep="", escape=True, border=0,
                                   float_format=lambda v: f"{v:.{decimals}f}"))
    parts.append("</div>")
    return "".join(parts)
