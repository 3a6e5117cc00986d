"""Reading YAML files (frameworks, recipes, judgements) with clear errors.

YAML's punctuation is half-width: a full-width colon ``：``, comma ``，``, brackets
``【】（）｛｝［］`` or an ideographic space typed with a Chinese input method break the
structure, usually on a line *above* the one the parser names. A syntax error therefore
names the full-width punctuation on that line and the two before it, with the half-width
form to type instead (:func:`fullwidth_hint`); an unknown key holding such a character
gets the same hint.
"""
from __future__ import annotations


from pathlib import Path
from typing import Any

import yaml

from ..errors import FrameworkError
from ..i18n import t

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def read_yaml(path: Path, error_cls=FrameworkError) -> Any:
    """Read a YAML file, turning every I/O or syntax problem into a clear error."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise error_cls("file not found", where=str(path),
                        fix="check the path (relative paths start from the current folder)")
    except IsADirectoryError:
        raise error_cls("is a folder, not a file", where=str(path), fix="give the YAML file")
    except PermissionError:
        raise error_cls("cannot be read (permission denied)", where=str(path),
                        fix="check the file's permissions")
    except UnicodeDecodeError as exc:
        raise error_cls(f"is not UTF-8 text ({exc.reason} at byte {exc.start})",
                        where=str(path), fix="save the YAML file as UTF-8")
    try:
        try:   # libyaml when PyYAML has it: the same documents, ~10× faster
            return yaml.load(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            return yaml.safe_load(text)   # the pure loader's message for a bad file
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        fix = "check indentation, colons and quotes on that line"
        hint = fullwidth_hint(text, mark.line if mark else None)
        raise error_cls(f"YAML syntax error: {problem}", where=loc,
                        fix=f"{hint}; {fix}" if hint else fix)


#: Full-width punctuation that breaks YAML, and what to type instead.
FULLWIDTH = {"：": ":", "，": ",", "［": "[", "］": "]", "｛": "{", "｝": "}",
             "【": "[", "】": "]", "－": "-", "\u3000": " ",
             "“": '"', "”": '"', "‘": "'", "’": "'", "＃": "#"}
def fullwidth_hint(text: str, line: int | None = None) -> str | None:
    """'line 2 has a full-width '：' (FULLWIDTH COLON): type ':' …' for the full-width
    punctuation outside comments on ``line`` (0-based) and the two lines before it (the
    whole text when ``line`` is None); None when there is none."""
    lines = text.splitlines()
    span = range(len(lines)) if line is None else range(max(0, line - 2),
                                                         min(len(lines), line + 1))
    found = []
    for number in span:
        content = _without_comment(lines[number])
        chars = [c for c in dict.fromkeys(content) if c in FULLWIDTH]
        found += [t("yaml.fullwidth_line", line=number + 1, char=_show(c),
                    half=_show_half(c)) for c in chars]
    if not found:
        return None
    return "; ".join(found[:3]) + " " + t("yaml.fullwidth_why")


def key_hint(key) -> str | None:
    """The full-width punctuation in a key that should have been two keys or a value."""
    chars = [c for c in dict.fromkeys(str(key)) if c in FULLWIDTH]
    if not chars:
        return None
    return t("yaml.fullwidth_key", chars=", ".join(_show(c) for c in chars),
             pairs=", ".join(f"{_show(c)} → {_show_half(c)}" for c in chars))


def _show(char: str) -> str:
    """'：' (U+FF1A): the character and its code point, the same in either language."""
    return f"{char!r} (U+{ord(char):04X})"


def _show_half(char: str) -> str:
    half = FULLWIDTH[char]
    return t("yaml.half_space") if char == "\u3000" else repr(half)


def _without_comment(line: str) -> str:
    """The line before a ' #' comment (a rough cut: enough for a hint)."""
    if line.lstrip().startswith("#"):
        return ""
    cut = line.find(" #")
    return line if cut < 0 else line[:cut]
