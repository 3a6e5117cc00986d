"""The published-rounds store's messages: keys of the project-wide catalogue
(``evaluator/messages/store.yaml``), all under ``store.``."""
from __future__ import annotations

from ..i18n import M, Msg


def msg(key: str, **params) -> Msg:
    """The message ``store.<key>`` in the current language (re-rendered in another
    language by the CLI when it prints an error)."""
    return M(f"store.{key}", **params)
