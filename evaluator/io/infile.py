"""Opening an input file safely: a regular file of bounded size, or a clear error.

``/dev/zero``, a named pipe or a socket given as a framework, recipe, AHP file, panel or
COINr table would otherwise hang the tool or fill its memory; a folder or a missing file
gets the usual message. Each kind of input has its own size limit (stated in the README),
far beyond real files; the read itself stops one byte past the limit, so a file growing
while it is read is refused too.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import EvaluatorError
from ..i18n import M


def check_regular(path: str | Path, error_cls=EvaluatorError, *, limit: int) -> None:
    """Refuse anything but an existing regular file of at most ``limit`` bytes."""
    where = str(path)
    try:
        info = os.stat(path)
    except FileNotFoundError:
        raise error_cls(M("infile.not_found"), where=where, fix=M("infile.not_found.fix")) from None
    except OSError as exc:
        raise _unreadable(exc, error_cls, where) from None
    if stat.S_ISDIR(info.st_mode):
        raise error_cls(M("infile.is_folder"), where=where, fix=M("infile.is_folder.fix"))
    if not stat.S_ISREG(info.st_mode):
        raise error_cls(M("infile.not_regular", kind=M(_kind(info.st_mode))), where=where,
                        fix=M("infile.not_regular.fix"))
    if info.st_size > limit:
        raise error_cls(M("infile.too_large", size=_mb(info.st_size), limit=_mb(limit)),
                        where=where, fix=M("infile.too_large.fix"))


def read_bounded(path: str | Path, error_cls=EvaluatorError, *, limit: int) -> bytes:
    """The bytes of ``path``, checked by :func:`check_regular` before reading."""
    check_regular(path, error_cls, limit=limit)
    where = str(path)
    try:
        with open(path, "rb") as handle:
            content = handle.read(limit + 1)
    except OSError as exc:
        raise _unreadable(exc, error_cls, where) from None
    if len(content) > limit:   # it grew while being read
        raise error_cls(M("infile.too_large", size=_mb(len(content)), limit=_mb(limit)),
                        where=where, fix=M("infile.too_large.fix"))
    return content


def is_special(path: str | Path) -> bool:
    """Whether ``path`` exists and is neither a regular file nor a folder (a device, a
    pipe, a socket): to be refused before anything opens it."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def _kind(mode: int) -> str:
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "infile.kind.device"
    if stat.S_ISFIFO(mode):
        return "infile.kind.pipe"
    if stat.S_ISSOCK(mode):
        return "infile.kind.socket"
    return "infile.kind.other"


def _mb(size: int) -> str:
    return f"{size / 1024 / 1024:.1f} MB"


def _unreadable(exc: OSError, error_cls, where: str):
    """The error for a file that exists but cannot be read (permission, I/O)."""
    if isinstance(exc, PermissionError):
        return error_cls(M("infile.permission"), where=where, fix=M("infile.permission.fix"))
    return error_cls(M("infile.unreadable", reason=exc.strerror or str(exc)), where=where,
                     fix=M("infile.permission.fix"))
