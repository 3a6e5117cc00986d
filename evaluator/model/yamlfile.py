"""Reading YAML files (frameworks, recipes, judgements) with clear errors."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import FrameworkError


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
        return yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        loc = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
        problem = getattr(exc, "problem", None) or str(exc)
        raise error_cls(f"YAML syntax error: {problem}", where=loc,
                        fix="check indentation, colons and quotes on that line")
