"""Declared parameters of a registered method: type, default, allowed values, meaning.

A :class:`Param` is data (scikit-criteria's ``_skcriteria_parameters`` idea): recipe
validation, ``evaluator methods`` and ``--help`` texts all read it, so a method's
parameters are declared once. :meth:`Param.check` turns a recipe value into the value the
method gets, or raises :class:`~evaluator.errors.RecipeError` naming the recipe key path,
what was wrong and the allowed values.
"""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Sequence

from ..errors import RecipeError
from ..i18n import M, Msg, get_lang, localise

KINDS = ("number", "integer", "boolean", "string", "choice", "pair", "numbers_by_id",
         "numbers", "mapping", "list", "file", "any")


def near_matches(word: str, candidates: Sequence[str], n: int = 3) -> list[str]:
    """Up to ``n`` candidates close to ``word`` (case-insensitive as a fallback)."""
    found = difflib.get_close_matches(word, list(candidates), n=n, cutoff=0.6)
    if not found:
        lowered = {c.lower(): c for c in candidates}
        found = [lowered[w] for w in difflib.get_close_matches(word.lower(), list(lowered),
                                                               n=n, cutoff=0.6)]
    return found


def valid_fix(valid: Sequence[str], hint: Sequence[str] = ()) -> Msg:
    """"did you mean …? valid: …" as a catalogue message."""
    return M("registry.unknown.fix", valid=", ".join(valid) if valid else M("registry.none"),
             hint=M("registry.did_you_mean", names=", ".join(map(repr, hint))) if hint else "")


@dataclass(frozen=True)
class Param:
    """One parameter: ``kind`` (see :data:`KINDS`), ``default``, ``choices`` (for
    ``choice``), bounds ``lo``/``hi`` (numbers), ``nullable`` (None allowed), its meaning
    in English and Chinese, and a reference. ``check`` (optional) replaces the kind's own
    check for parameters validated with the rest of the spec (e.g. combined ``alpha``)."""

    name: str
    kind: str = "any"
    default: Any = None
    en: str = ""
    zh: str = ""
    choices: tuple[str, ...] = ()
    lo: float | None = None
    hi: float | None = None
    nullable: bool = False
    reference: str = ""
    check: Callable[[Any, str], Any] | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"parameter {self.name!r}: unknown kind {self.kind!r}")

    def allowed(self, lang: str | None = None) -> str:
        """The allowed values in words (in ``lang``, default the current language), for
        ``evaluator methods``; :meth:`allowed_message` is the same as a message."""
        return localise(self.allowed_message(), lang or get_lang())

    def allowed_message(self) -> Msg:
        """The allowed values as a catalogue message (rendered again in any language)."""
        if self.kind == "choice":
            text = M("registry.allowed.choice", values=" | ".join(self.choices))
        elif self.kind in ("number", "integer"):
            text = M(f"registry.allowed.{self.kind}",
                     lo="−∞" if self.lo is None else f"{self.lo:g}",
                     hi="∞" if self.hi is None else f"{self.hi:g}")
        else:
            text = M(f"registry.allowed.{self.kind}")
        return M("registry.allowed.or_null", text=text) if self.nullable else text

    def validate(self, value: Any, path: str) -> Any:
        """The checked value, or :class:`RecipeError` at ``path`` listing the allowed."""
        if value is None and (self.nullable or self.kind == "any"):
            return None
        if self.check is not None:
            return self.check(value, path)
        fix = M("registry.fix.allowed", allowed=self.allowed_message())
        if self.kind in ("number", "integer"):
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise RecipeError(M("params.not_number", value=value), where=path, fix=fix)
            if self.kind == "integer" and int(value) != value:
                raise RecipeError(M("params.not_whole_number", value=value), where=path, fix=fix)
            if (self.lo is not None and value < self.lo) or (self.hi is not None
                                                             and value > self.hi):
                raise RecipeError(M("params.outside_allowed_range", value=value), where=path, fix=fix)
            return int(value) if self.kind == "integer" else float(value)
        if self.kind == "boolean":
            if not isinstance(value, bool):
                raise RecipeError(M("params.not_true_false", value=value), where=path, fix=fix)
            return value
        if self.kind in ("string", "file"):
            if not isinstance(value, str) or not value:
                raise RecipeError(M("params.not_name", value=value), where=path, fix=fix)
            return value
        if self.kind == "choice":
            if value not in self.choices:
                hint = near_matches(str(value), self.choices)
                raise RecipeError(M("params.unknown_value", value=value), where=path,
                                  fix=valid_fix(self.choices, hint))
            return value
        if self.kind == "pair":
            if (not isinstance(value, (list, tuple)) or len(value) != 2
                    or not all(_is_number(v) for v in value) or value[0] >= value[1]):
                raise RecipeError(M("params.not_increasing_pair_numbers", value=value),
                                  where=path, fix=M("params.not_increasing_pair_numbers.fix"))
            return [float(value[0]), float(value[1])]
        if self.kind == "numbers":
            if not isinstance(value, (list, tuple)) or not all(_is_number(v) for v in value):
                raise RecipeError(M("params.not_list_numbers", value=value), where=path, fix=fix)
            return [float(v) for v in value]
        if self.kind in ("mapping", "numbers_by_id"):
            if not isinstance(value, Mapping):
                raise RecipeError(M("params.not_mapping", value=value), where=path, fix=fix)
            if self.kind == "mapping":
                return dict(value)
            out = {}
            for k, v in value.items():
                if not _is_number(v) or v < 0:
                    raise RecipeError(M("params.not_non_negative_number", v=v),
                                      where=f"{path}.{k}", fix=fix)
                out[str(k)] = float(v)
            return out
        if self.kind == "list":
            if not isinstance(value, list):
                raise RecipeError(M("params.not_list", value=value), where=path, fix=fix)
            return value
        return value


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
