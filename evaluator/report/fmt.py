"""How numbers are shown in the reports (rounding happens here only; tables and data
attributes keep full precision)."""
from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

DASH = "–"
MINUS = "−"   # U+2212, the typographic minus


def is_missing(v: Any) -> bool:
    if v is None or v is pd.NA:
        return True
    try:
        return not math.isfinite(float(v))
    except (TypeError, ValueError):
        return False


def num(v: Any, digits: int = 2) -> str:
    """Fixed decimals, typographic minus; a dash when missing."""
    if is_missing(v):
        return DASH
    return f"{float(v):.{digits}f}".replace("-", MINUS)


def signed(v: Any, digits: int = 2) -> str:
    """+1.23 / −1.23 / 0.00."""
    if is_missing(v):
        return DASH
    v = float(v)
    text = f"{abs(v):.{digits}f}"
    if float(text) == 0:
        return text
    return ("+" if v > 0 else MINUS) + text


def integer(v: Any) -> str:
    return DASH if is_missing(v) else str(int(round(float(v))))


def pct(v: Any, digits: int = 1) -> str:
    return DASH if is_missing(v) else f"{float(v) * 100:.{digits}f}%"


def auto(v: Any) -> str:
    """A raw indicator value at a precision that suits its size."""
    if is_missing(v):
        return DASH
    v = float(v)
    a = abs(v)
    if a >= 1000:
        text = f"{v:,.0f}"
    elif a >= 10:
        text = f"{v:.1f}"
    elif a >= 0.1 or a == 0:
        text = f"{v:.2f}"
    else:
        text = f"{v:.3g}"
    return text.replace("-", MINUS)


def full(v: Any) -> str:
    """Full precision for a data attribute (reads back to the same number); empty when
    missing."""
    if is_missing(v):
        return ""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        return str(int(v))
    return repr(float(v))
