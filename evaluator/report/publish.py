"""Writing the report's files as one set: everything is rendered first, written into a
hidden staging folder inside the output folder, then swapped in file by file; if one
file cannot be replaced (open in Excel, a folder in its way …) the files already swapped
are put back, so the folder holds either the whole new set or the old one.

Errors name the file the user knows (``out/report.xlsx``), never a temporary name, and
say how to get past them.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path
from typing import Callable, Mapping

from ..errors import EvaluatorError
from ..output import atomic_write, prepare_out_dir
from ..i18n import M

STAGING_PREFIX = ".evaluator-report-"
PREVIOUS = ".previous"   # inside the staging folder: the old files while swapping
FIX_LOCKED = ("close the file in Excel (or whatever program has it open) or choose another "
              "--out")
FIX_FOLDER = "remove or rename that folder, or choose another --out"


def cannot_write(path: Path, exc: OSError) -> EvaluatorError:
    """The error for a report file that could not be written or replaced."""
    reason = exc.strerror or type(exc).__name__
    if path.is_dir():
        return EvaluatorError(M("publish.cannot_write_folder_that", name=path.name),
                              where=str(path), fix=FIX_FOLDER)
    if not path.parent.is_dir():
        return EvaluatorError(M("publish.cannot_write_its_folder", name=path.name),
                              where=str(path), fix=M("publish.cannot_write_its_folder.fix"))
    return EvaluatorError(M("publish.cannot_write", name=path.name, reason=reason), where=str(path),
                          fix=FIX_LOCKED)


def write_atomically(path: str | Path, write: Callable[[Path], None]) -> Path:
    """:func:`evaluator.output.atomic_write` with errors that name ``path``."""
    path = Path(path)
    if path.is_dir():
        raise cannot_write(path, IsADirectoryError(21, "Is a directory"))
    try:
        atomic_write(path, write)
    except OSError as exc:
        raise cannot_write(path, exc) from None
    return path


def write_set(out_dir: str | Path, files: Mapping[str, bytes], *,
              tables: Callable[[Path], object] | None = None) -> list[Path]:
    """Write ``files`` (name → content) into ``out_dir`` as one set, with the files
    ``tables(folder)`` writes (e.g. :meth:`Assessment.to_dir`). Returns the paths of
    ``files`` in their order."""
    out = prepare_out_dir(Path(out_dir))
    in_the_way = [out / name for name in files if (out / name).is_dir()]
    if in_the_way:   # before anything is written
        raise cannot_write(in_the_way[0], IsADirectoryError(21, "Is a directory"))
    try:
        staging = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=out))
    except OSError as exc:
        raise EvaluatorError(M("publish.cannot_write_into_output", strerror=exc.strerror),
                             where=str(out), fix=M("publish.cannot_write_into_output.fix")) from None
    keep = False
    try:
        try:
            if tables is not None:
                tables(staging)
            for name, blob in files.items():
                (staging / name).write_bytes(blob)
        except OSError as exc:
            raise EvaluatorError(M("publish.cannot_write_report_files", value=exc.strerror or exc),
                                 where=str(out), fix=M("publish.cannot_write_report_files.fix")) from None
        # the report files first: they are the ones a reader has open
        names = list(files) + sorted(p.name for p in staging.iterdir()
                                     if p.is_file() and p.name not in files)
        try:
            _swap_in(staging, out, names)
        except EvaluatorError:
            # old files that could not be put back stay in the staging folder
            keep = any((staging / PREVIOUS).glob("*"))
            raise
    finally:
        if not keep:
            shutil.rmtree(staging, ignore_errors=True)
    return [out / name for name in files]


def _swap_in(staging: Path, out: Path, names: list[str]) -> None:
    """Move the staged files over the old ones, or put every old file back and raise; an
    old file that cannot be put back stays in the staging folder and the error says
    where."""
    for name in names:
        if (out / name).is_dir():
            raise cannot_write(out / name, IsADirectoryError(21, "Is a directory"))
    backup = staging / PREVIOUS
    backup.mkdir()
    new_in, old_out = [], []
    try:
        for name in names:
            target = out / name
            try:
                if target.exists():
                    # moving the old file aside fails for a file open in Excel (Windows)
                    os.replace(target, backup / name)
                    old_out.append(name)
                os.replace(staging / name, target)
                new_in.append(name)
            except OSError as exc:
                raise cannot_write(target, exc) from None
    except EvaluatorError as error:
        stranded = []
        for name in new_in:
            (out / name).unlink(missing_ok=True)
        for name in old_out:
            try:
                os.replace(backup / name, out / name)
            except OSError:   # pragma: no cover - needs a second failure to happen
                stranded.append(name)
        if stranded:   # pragma: no cover
            raise EvaluatorError(M("publish.previous_could_not_put", problem=error.problem, stranded=', '.join(stranded), backup=backup),
                                 where=error.where, fix=error.fix) from None
        raise
