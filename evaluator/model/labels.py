"""How headers, names and aliases are compared: ignoring case, spaces and full-/half-width
forms (no numpy or pandas here: the framework loader uses it, and `evaluator frameworks`
starts without them)."""
from __future__ import annotations

import unicodedata


def label_key(label) -> str:
    """Compare headers and names ignoring case, spaces, full-/half-width forms."""
    text = unicodedata.normalize("NFKC", str(label)).casefold()
    return "".join(text.split())
