"""Bilingual names and 'did you mean' hints, shared by every file reader."""
from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import Any, Callable, Mapping, Sequence

from ..i18n import M


@dataclass(frozen=True)
class Name:
    """A name in Chinese and English; a plain string in a file fills both."""

    zh: str
    en: str

    def __bool__(self) -> bool:
        return bool(self.zh or self.en)

    def get(self, lang: str = "en") -> str:
        return self.zh if lang == "zh" else self.en

    def __str__(self) -> str:
        return self.en if self.en == self.zh else f"{self.zh} / {self.en}"

    def to_spec(self) -> Any:
        return self.zh if self.zh == self.en else {"zh": self.zh, "en": self.en}

    @classmethod
    def parse(cls, value: Any, path: str, report: Callable[..., None], *,
              default: str = "") -> "Name":
        if value is None:
            return cls(default, default)
        if isinstance(value, (str, int, float)):
            return cls(str(value), str(value))
        if isinstance(value, Mapping):
            unknown = set(value) - {"zh", "en"}
            if unknown:
                report(path, M("fwspec.name_languages", keys=", ".join(sorted(map(str, unknown)))),
                       M("fwspec.name_languages.fix"))
            zh = value.get("zh") or value.get("en") or default
            en = value.get("en") or value.get("zh") or default
            return cls(str(zh), str(en))
        report(path, M("fwspec.not_name", value=value), M("fwspec.not_name.fix"))
        return cls(default, default)


def near_matches(word: str, candidates: Sequence[str], n: int = 3, cutoff: float = 0.6) -> str:
    """Comma-separated close matches of ``word`` (empty string when none)."""
    found = difflib.get_close_matches(word, list(candidates), n=n, cutoff=cutoff)
    if not found:
        lowered = {c.lower(): c for c in candidates}
        found = [lowered[w] for w in difflib.get_close_matches(word.lower(), list(lowered),
                                                               n=n, cutoff=cutoff)]
    return ", ".join(repr(f) for f in found)
