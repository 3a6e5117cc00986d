"""Reading YAML files (frameworks, recipes, judgements) with clear errors and limits.

Every framework, recipe and AHP judgement file is read here (:func:`read_yaml`), and
nothing a file holds can hang the tool, exhaust its memory or be read silently wrong:

* **a regular file of at most** :data:`MAX_BYTES` (devices such as ``/dev/zero``, pipes
  and sockets are refused before reading; the read itself is bounded);
* **nesting at most** :data:`MAX_DEPTH` levels deep;
* **at most** :data:`MAX_NODES` values once aliases are expanded: a "billion laughs"
  file (aliases of aliases) is refused from the node graph, counted without expanding
  it; an alias of itself (a recursive structure) is refused;
* **no key twice in one mapping** (YAML would keep the last one silently): an error with
  the key, its key path and both line numbers;
* **only finite numbers**: ``.nan``, ``.inf``, ``-.inf`` (or a number too large for a
  float) are errors with the key path (``indicators[3].direction.optimum``) and line.

YAML's punctuation is half-width: a full-width colon ``：``, comma ``，``, brackets
``【】（）｛｝［］`` or an ideographic space typed with a Chinese input method break the
structure, usually on a line *above* the one the parser names. A syntax error therefore
names the full-width punctuation on that line and the two before it, with the half-width
form to type instead (:func:`fullwidth_hint`); an unknown key holding such a character
gets the same hint.
"""
from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from ..errors import FrameworkError
from ..i18n import Listing, M
from ..io.infile import read_bounded

#: The limits of a YAML input file: far beyond any real framework (a 1,000-indicator
#: framework is ~300 KB and ~20,000 values, 6 levels deep), far below what could hurt.
MAX_BYTES = 10 * 1024 * 1024
MAX_DEPTH = 64
MAX_NODES = 1_000_000

_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_MERGE_TAG = "tag:yaml.org,2002:merge"


def read_yaml(path: Path, error_cls=FrameworkError) -> Any:
    """Read a YAML file, turning every I/O, syntax or content problem into a clear error
    (see the module docstring for what is refused)."""
    text = read_text(Path(path), error_cls)
    return parse_yaml(text, str(path), error_cls)


def read_text(path: Path, error_cls=FrameworkError, *, limit: int = MAX_BYTES) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes."""
    content = read_bounded(path, error_cls, limit=limit)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error_cls(M("yamlfile.not_utf8", reason=exc.reason, byte=exc.start),
                        where=str(path), fix=M("yamlfile.not_utf8.fix")) from None


def parse_yaml(text: str, source: str, error_cls=FrameworkError) -> Any:
    """The document of ``text`` (read from ``source``), checked as the module says."""
    loader = _FAST_LOADER(text)
    try:
        try:
            root = loader.get_single_node()
        except yaml.YAMLError as exc:
            if "maximum nesting depth" in str(exc):
                raise _too_deep(error_cls, source, getattr(exc, "problem_mark", None)) from None
            _syntax_error(text, source, error_cls, exc)
        if root is None:
            return None
        _check_nodes(loader, root, source, error_cls)
        try:
            return loader.construct_document(root)
        except yaml.YAMLError as exc:   # an unknown tag, an unhashable key
            mark = getattr(exc, "problem_mark", None)
            where = M("yamlfile.where_line", file=source, line=mark.line + 1) if mark else source
            raise error_cls(M("yamlfile.cannot_build", problem=getattr(exc, "problem", None)
                              or str(exc)), where=where,
                            fix=M("yamlfile.cannot_build.fix")) from None
    finally:
        loader.dispose()


def _syntax_error(text: str, source: str, error_cls, exc: yaml.YAMLError):
    """Raise the syntax error, with the pure-Python parser's message when it has one (it
    names the problem better than libyaml)."""
    try:
        yaml.safe_load(text)
    except yaml.YAMLError as pure:
        exc = pure
    except RecursionError:
        raise _too_deep(error_cls, source, None) from None
    mark = getattr(exc, "problem_mark", None)
    where = M("yamlfile.where_line_column", file=source, line=mark.line + 1,
              column=mark.column + 1) if mark else source
    problem = getattr(exc, "problem", None) or str(exc)
    fix = M("yamlfile.syntax.fix")
    hint = fullwidth_hint(text, mark.line if mark else None)
    raise error_cls(M("yamlfile.syntax", problem=problem), where=where,
                    fix=M("yamlfile.hint_and_fix", hint=hint, fix=fix) if hint else fix) from None


def _at(source: str, node) -> str:
    return M("yamlfile.where_line", file=source, line=node.start_mark.line + 1)


def _too_deep(error_cls, source: str, mark) -> Exception:
    where = M("yamlfile.where_line", file=source, line=mark.line + 1) if mark else source
    return error_cls(M("yamlfile.too_deep", limit=MAX_DEPTH), where=where,
                     fix=M("yamlfile.too_deep.fix"))


def _show_path(path: str):
    return path if path else M("yamlfile.top_level")


def _children(node) -> list[tuple[str, Any]]:
    """(key path suffix, child node) of a collection node, keys included."""
    if isinstance(node, SequenceNode):
        return [(f"[{k}]", child) for k, child in enumerate(node.value)]
    out = []
    for key, value in node.value:
        label = key.value if isinstance(key, ScalarNode) else "?"
        if key.tag != _MERGE_TAG:   # `<<: *base` merges a mapping: no key of its own
            out.append((None, key))
        out.append((f".{label}", value))
    return out


def _check_nodes(loader, root, source: str, error_cls) -> None:
    """Walk the node graph once (iteratively; an alias's node once): depth, the number of
    values with aliases expanded, recursive aliases, duplicate keys, every scalar's value
    (constructed here, so a bad one is named with its line) and non-finite numbers."""
    size: dict[int, int] = {}       # id(node) → values under it, aliases expanded
    done: dict[int, bool] = {}      # id(node) → finished (False while inside it)
    stack: list[tuple[Any, str, int, bool]] = [(root, "", 1, False)]
    while stack:
        node, path, depth, leaving = stack.pop()
        key = id(node)
        if leaving:
            size[key] = 1 + sum(size[id(c)] for _, c in _children(node))
            if size[key] > MAX_NODES:
                raise error_cls(M("yamlfile.too_many_values", limit=f"{MAX_NODES:,}"),
                                where=_at(source, node), fix=M("yamlfile.too_many_values.fix"))
            done[key] = True
            continue
        if key in done:
            if not done[key]:
                raise error_cls(M("yamlfile.recursive_alias", path=_show_path(path)),
                                where=_at(source, node), fix=M("yamlfile.recursive_alias.fix"))
            continue
        if depth > MAX_DEPTH:
            raise _too_deep(error_cls, source, node.start_mark)
        if isinstance(node, ScalarNode):
            _check_scalar(loader, node, path, source, error_cls)
            size[key], done[key] = 1, True
            continue
        done[key] = False
        if isinstance(node, MappingNode):
            _check_duplicates(loader, node, path, source, error_cls)
        stack.append((node, path, depth, True))
        for suffix, child in reversed(_children(node)):
            stack.append((child, path if suffix is None else
                          (suffix[1:] if not path and suffix.startswith(".") else path + suffix),
                          depth + 1, False))


def _check_scalar(loader, node, path: str, source: str, error_cls) -> None:
    try:
        value = loader.construct_object(node)
    except (ValueError, OverflowError, yaml.YAMLError):
        shown = node.value if node.tag in loader.yaml_constructors \
            else f"{node.tag} {node.value}".strip()   # a tag such as !!python/name:os.system
        raise error_cls(M("yamlfile.bad_value", path=_show_path(path), value=shown),
                        where=_at(source, node), fix=M("yamlfile.bad_value.fix")) from None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return
    try:
        finite = math.isfinite(float(value))
    except OverflowError:
        finite = False
    if not finite:
        raise error_cls(M("yamlfile.not_finite", path=_show_path(path), value=node.value),
                        where=_at(source, node), fix=M("yamlfile.not_finite.fix"))


def _check_duplicates(loader, node, path: str, source: str, error_cls) -> None:
    first: dict[Any, Any] = {}
    for key_node, _ in node.value:
        if not isinstance(key_node, ScalarNode) or key_node.tag == _MERGE_TAG:
            continue
        try:
            key = loader.construct_object(key_node)
            hash(key)
        except (ValueError, OverflowError, TypeError, yaml.YAMLError):
            continue   # reported by the scalar check or by the constructor
        if key in first:
            raise error_cls(
                M("yamlfile.duplicate_key", key=key_node.value, path=_show_path(path),
                  first=first[key].start_mark.line + 1, second=key_node.start_mark.line + 1),
                where=_at(source, key_node), fix=M("yamlfile.duplicate_key.fix"))
        first[key] = key_node
#: Full-width punctuation that breaks YAML, and what to type instead.
FULLWIDTH = {"：": ":", "，": ",", "［": "[", "］": "]", "｛": "{", "｝": "}",
             "【": "[", "】": "]", "－": "-", "\u3000": " ",
             "“": '"', "”": '"', "‘": "'", "’": "'", "＃": "#"}
def fullwidth_hint(text: str, line: int | None = None):
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
        found += [M("yaml.fullwidth_line", line=number + 1, char=_show(c),
                    half=_show_half(c)) for c in chars]
    if not found:
        return None
    return M("yamlfile.fullwidth_hint", found=Listing(found[:3]), why=M("yaml.fullwidth_why"))


def key_hint(key):
    """The full-width punctuation in a key that should have been two keys or a value."""
    chars = [c for c in dict.fromkeys(str(key)) if c in FULLWIDTH]
    if not chars:
        return None
    return M("yaml.fullwidth_key", chars=", ".join(_show(c) for c in chars),
             pairs=Listing(M("yamlfile.pair", full=_show(c), half=_show_half(c))
                           for c in chars))


def _show(char: str) -> str:
    """'：' (U+FF1A): the character and its code point, the same in either language."""
    return f"{char!r} (U+{ord(char):04X})"


def _show_half(char: str):
    half = FULLWIDTH[char]
    return M("yaml.half_space") if char == "\u3000" else repr(half)


def _without_comment(line: str) -> str:
    """The line before a ' #' comment (a rough cut: enough for a hint)."""
    if line.lstrip().startswith("#"):
        return ""
    cut = line.find(" #")
    return line if cut < 0 else line[:cut]
