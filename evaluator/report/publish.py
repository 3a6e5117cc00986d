"""Writing the report's files as one set (:class:`evaluator.output_set.OutputSet`):
everything is rendered first, written into a staging folder beside the output folder,
then moved in; if one file cannot be replaced (open in Excel …) the files already moved
are put back, so the folder holds either the whole new set or the old one.

Errors name the file the user knows (``out/report.xlsx``), never a temporary name, and
say how to get past them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Mapping

from ..errors import EvaluatorError
from ..i18n import M
from ..output import atomic_write
from ..output_set import OutputSet


def cannot_write(path: Path, exc: OSError) -> EvaluatorError:
    """The error for a report file that could not be written or replaced."""
    reason = exc.strerror or type(exc).__name__
    if path.is_dir():
        return EvaluatorError(M("publish.cannot_write_folder_that", name=path.name),
                              where=str(path), fix=M("output.fix_in_the_way"))
    if not path.parent.is_dir():
        return EvaluatorError(M("publish.cannot_write_its_folder", name=path.name),
                              where=str(path), fix=M("publish.cannot_write_its_folder.fix"))
    return EvaluatorError(M("publish.cannot_write", name=path.name, reason=reason), where=str(path),
                          fix=M("output.fix_locked"))


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


def stage_files(folder: Path, files: Mapping[str, bytes],
                tables: Callable[[Path], object] | None = None) -> None:
    """Write ``files`` (name → content) and the files ``tables(folder)`` writes (e.g.
    :meth:`Assessment.write_files`) into ``folder``, an output set's staging folder."""
    if tables is not None:
        tables(folder)
    for name, blob in files.items():
        (folder / name).write_bytes(blob)


def write_set(out_dir: str | Path, files: Mapping[str, bytes], *,
              tables: Callable[[Path], object] | None = None,
              manifest: Mapping | None = None, inputs: Iterable = (),
              names: Iterable[str] = (), command: str = "report") -> list[Path]:
    """Write ``files`` (name → content) into ``out_dir`` as one output set
    (:class:`~evaluator.output_set.OutputSet`), with the files ``tables(folder)`` writes
    and ``manifest`` (extended with every file's SHA-256). ``names``: the other files the
    set may hold; ``inputs``: the run's input files. Returns the paths of ``files``."""
    with OutputSet(out_dir, command=command, names=[*files, *names], inputs=inputs) as out:
        stage_files(out.folder, files, tables)
        if manifest is not None:
            out.manifest = dict(manifest)
    return [Path(out_dir) / name for name in files]
