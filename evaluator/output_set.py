"""Output folders that cannot lose data: one run's files are written as a set.

A command that writes ``--out`` opens an :class:`OutputSet` *before any work*:

1. **lock** — ``.<out>.evaluator.lock`` beside the folder (``flock``); a second run into
   the same folder stops at once with a message naming the folder and the running
   process;
2. **checks** — ``--out`` may not hold an input file of the run, and a file there with the
   name of an output must be one this tool wrote: listed in the folder's ``manifest.json``
   with the same SHA-256 (any other file is the user's and is refused, never replaced);
3. **staging** — every file is written into a hidden folder beside ``--out``
   (``.<out>.evaluator-XXXX``, same file system, so the final moves are renames);
4. **commit** — only when every file is complete: ``manifest.json`` is added (the run's
   manifest plus ``command`` and ``outputs``: every other file of the set by name,
   ``{name: {sha256, bytes, command}}``, sorted), then the new files are renamed into ``--out`` and the previous set's files
   that the new one does not have (listed in the old manifest, hashes matching) are
   removed. SIGINT and SIGTERM are held back during these renames; if one rename fails
   every file is put back, so the folder holds the old set or the new one, whole.

Any failure (disk full, permission denied, Ctrl-C, SIGTERM) before the commit leaves the
previous set untouched and removes the staging folder and the lock; the error names the
folder and the fix. Files in ``--out`` that are not part of the tool's sets (notes, other
tools' files, sub-folders) are never touched.
"""
from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import json
import os
import shutil
import signal
import tempfile
import threading
from pathlib import Path
from typing import Any, Iterable, Mapping

from . import __version__
from .errors import EvaluatorError
from .i18n import M, t

MANIFEST = "manifest.json"
SET_FORMAT = 1          # version of the "outputs" listing in manifest.json
STAGING_MARK = ".evaluator-"
_UMASK = os.umask(0)
os.umask(_UMASK)



def text(key: str, **values: Any):
    """The catalogue's message ``output.<key>`` (evaluator/messages/output.yaml), shown in
    the user's language."""
    return M(f"output.{key}", **values)


#: set when an output set of this process is in place: a signal after that (while the
#: command prints its summary) says the new set is whole, not just "interrupted"
_COMMITTED = [False]


def raise_interrupted(signum, frame):
    """The command's handler of SIGINT and SIGTERM outside an output set."""
    raise Interrupted(signum, committed=True if _COMMITTED[0] else None)


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM arrived while an output set was being written."""

    def __init__(self, signum: int, committed: bool | None = None):
        super().__init__(signum)
        self.signum = signum
        self.committed = committed

    @property
    def exit_code(self) -> int:
        return 128 + self.signum

    def __str__(self) -> str:
        key = {None: "interrupted_plain", True: "interrupted_late",
               False: "interrupted"}[self.committed]
        return t(f"output.{key}", signal=signal.Signals(self.signum).name)


_DIGESTS: dict[tuple, str] = {}     # (path, device, inode, size, mtime, ctime) → SHA-256


def sha256_file(path: Path) -> str:
    """The file's SHA-256. A file this process has hashed and nobody has touched since
    (same inode, size, modification and change times: any write or rename changes the
    change time) is not read again — an output set checks the previous set's files when
    it opens and again when it commits."""
    st = os.stat(path)
    key = (os.fspath(path), st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns,
           st.st_ctime_ns)
    known = _DIGESTS.get(key)
    if known is not None:
        return known
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    if len(_DIGESTS) >= 4096:
        _DIGESTS.clear()
    _DIGESTS[key] = value = digest.hexdigest()
    return value


def read_manifest(folder: Path) -> dict[str, Any] | None:
    """``folder/manifest.json`` when this tool wrote it (with its ``outputs`` listing), else
    None (absent, unreadable, not JSON, or not one of ours)."""
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("tool") != "evaluator" \
            or not isinstance(data.get("outputs"), dict):
        return None
    return data


def set_identity(manifest: Mapping[str, Any] | None) -> str | None:
    """What a set was made from: the SHA-256 of its input files (framework, data, recipe,
    judgements), by role. Two sets with the same identity describe the same assessment,
    so one may keep the other's files (the Chinese report beside the English one); None
    when the inputs are not all files (e.g. a DataFrame from Python)."""
    inputs = (manifest or {}).get("inputs") or {}
    pairs = sorted((str(role), entry.get("sha256")) for role, entry in inputs.items()
                   if isinstance(entry, dict))
    if not pairs or "data" not in inputs or any(not digest for _, digest in pairs):
        return None
    return hashlib.sha256(json.dumps(pairs).encode("utf-8")).hexdigest()


def read_manifest_outputs(folder: Path) -> dict[str, str] | None:
    """``{file: sha256}`` from ``folder/manifest.json`` written by this tool, or None when
    there is no such manifest (absent, unreadable, or not one of ours)."""
    data = read_manifest(folder)
    if data is None:
        return None
    listing = data["outputs"]
    owned = {}
    for name, entry in listing.items():
        digest = entry.get("sha256") if isinstance(entry, dict) else None
        if isinstance(digest, str) and "/" not in name and name != MANIFEST:
            owned[name] = digest
    return owned


def manifest_json(manifest: Mapping[str, Any]) -> str:
    """Strict JSON (no NaN/Infinity: a non-finite number is a bug, raised here)."""
    return json.dumps(manifest, ensure_ascii=False, indent=2, allow_nan=False) + "\n"


def _quote_names(names: list[str], limit: int = 5) -> str:
    shown = ", ".join(names[:limit])
    return t("output.more", shown=shown, more=len(names) - limit) if len(names) > limit \
        else shown


def _write_error(out: Path, exc: OSError) -> EvaluatorError:
    reason = exc.strerror or type(exc).__name__
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        fix = text("fix_space")
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        fix = text("fix_permission")
    else:
        fix = text("fix_generic")
    return EvaluatorError(text("cannot_write", reason=reason), where=str(out), fix=fix)


class _Lock:
    """An exclusive ``flock`` on ``.<out>.evaluator.lock`` beside the output folder,
    removed when released (re-checked after locking, so a file unlinked by the previous
    holder is never trusted)."""

    def __init__(self, out: Path):
        self.out = out
        self.path = out.parent / f".{out.name}.evaluator.lock"
        self.fd: int | None = None

    def acquire(self) -> None:
        import fcntl
        while True:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pid = os.read(fd, 32).decode("ascii", "replace").strip() or "?"
                os.close(fd)
                raise EvaluatorError(text("busy", pid=pid), where=str(self.out),
                                     fix=text("fix_busy")) from None
            try:
                same = os.stat(self.path).st_ino == os.fstat(fd).st_ino
            except FileNotFoundError:
                same = False
            if same:
                break
            os.close(fd)          # the holder removed it meanwhile: lock the new one
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            with contextlib.suppress(OSError):
                self.path.unlink()
            os.close(self.fd)
            self.fd = None


class OutputSet:
    """Write one run's files into ``out`` as a set (see the module docstring).

    >>> with OutputSet("results", command="score", names=SCORE_OUTPUTS,
    ...                inputs=["panel.csv"]) as s:          # doctest: +SKIP
    ...     ...                                   # the work
    ...     write_tables(s.folder, tables)        # files into the staging folder
    ...     s.manifest = assessment.manifest      # manifest.json is written on commit

    ``names``: the file names the command writes (checked before any work; names known
    only from the results, such as ``report-2024-zh.html``, are checked when the set is
    moved in); ``inputs``: the run's input files (refused inside ``out``);
    ``section``: for a command that adds to an assessment's set (``sensitivity``,
    ``compare``, ``disparity``), the key under which its manifest is kept, so the folder's
    manifest.json stays the assessment's. After the ``with`` block, :attr:`paths` lists
    the files of the set in ``out``.

    A new set replaces the previous one whole — except the previous set's files that the
    new one does not name and that were made from the same input files (same
    :func:`set_identity`, same SHA-256 as listed): those stay, listed in the new manifest
    (several years' and both languages' reports, a sensitivity run beside its scores).
    """

    def __init__(self, out: str | Path, *, command: str, names: Iterable[str] = (),
                 inputs: Iterable[str | Path | None] = (), section: str | None = None):
        self.out = Path(out)
        self.command = command
        self.section = section
        self.names = tuple(dict.fromkeys([*names, MANIFEST]))
        self.inputs = [Path(p) for p in inputs if p]
        self.manifest: dict[str, Any] = {"tool": "evaluator", "version": __version__}
        self.folder: Path | None = None
        self.paths: list[Path] = []
        self._lock = _Lock(self.out)
        self._created: list[Path] = []
        self._out_created = False
        self._handlers: dict[int, Any] = {}
        self._blocked = None

    # -- checks ----------------------------------------------------------------------
    def _check_folder(self) -> None:
        out = self.out
        if out.exists() and not out.is_dir():
            raise EvaluatorError(text("not_folder", out=out), where=str(out),
                                 fix=text("fix_other_out"))
        if not out.is_dir():
            return
        held = {}
        for entry in os.scandir(out):
            with contextlib.suppress(OSError):
                st = entry.stat()
                held[(st.st_dev, st.st_ino)] = entry.name
        found = []
        for path in self.inputs:
            with contextlib.suppress(OSError):
                st = os.stat(path)
                if (st.st_dev, st.st_ino) in held:
                    found.append(held[(st.st_dev, st.st_ino)])
        if found:
            raise EvaluatorError(text("input_inside", name=_quote_names(found)),
                                 where=str(out), fix=text("fix_input_inside", out=out))
        self._check_names(self.names)
        if not os.access(out, os.W_OK | os.X_OK):
            raise _write_error(out, PermissionError(errno.EACCES, "Permission denied"))

    def _check_names(self, names: Iterable[str]) -> dict[str, str]:
        """The previous set (``{file: sha256}``), after refusing any file in ``names``
        that is not the tool's own."""
        listed = read_manifest_outputs(self.out)
        owned = listed or {}
        foreign = []
        for name in names:
            path = self.out / name
            if path.is_dir():
                raise EvaluatorError(text("in_the_way", name=name), where=str(path),
                                     fix=text("fix_in_the_way"))
            if not path.exists() and not path.is_symlink():
                continue
            if name == MANIFEST:
                if listed is None:       # a manifest.json that is not one of ours
                    foreign.append(name)
            elif path.is_symlink() or owned.get(name) != sha256_file(path):
                foreign.append(name)
        if foreign:
            raise EvaluatorError(text("foreign", names=_quote_names(foreign)),
                                 where=str(self.out), fix=text("fix_foreign"))
        return owned

    # -- context ---------------------------------------------------------------------
    def __enter__(self) -> "OutputSet":
        # signals are held back until the lock, the staging folder and the handlers that
        # clean them up are all in place
        self._blocked = _block_signals()
        parent = self.out.parent
        try:
            try:
                missing = [p for p in [parent, *parent.parents] if not p.exists()]
                parent.mkdir(parents=True, exist_ok=True)
                self._created = missing
                self._lock.acquire()
                self._check_folder()
                self._clear_leftovers()
                self.folder = Path(tempfile.mkdtemp(prefix=f".{self.out.name}{STAGING_MARK}",
                                                    dir=self._staging_parent()))
                self._catch_signals()
            except OSError as exc:
                raise _write_error(self.out, exc) from None
            blocked, self._blocked = self._blocked, None
            _unblock_signals(blocked)          # a signal held back is raised here
        except BaseException:
            self._finish()
            raise
        return self

    def __exit__(self, kind, exc, tb) -> bool:
        try:
            if kind is None:
                self._commit()
            elif isinstance(exc, OSError) and self._is_write_error(exc):
                raise _write_error(self.out, exc) from None
        finally:
            self._finish()
        return False

    def _is_write_error(self, exc: OSError) -> bool:
        """An OSError of writing the set (not of reading an input inside the block)."""
        if exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EROFS):
            return True
        name = exc.filename or ""
        return bool(name) and str(self.folder) in str(name)

    def _staging_parent(self) -> Path:
        """Beside ``out`` — unless ``out`` is a mount point (another file system than its
        parent), then inside it, so the final moves stay renames."""
        out = self.out
        if out.is_dir() and os.stat(out).st_dev != os.stat(out.parent).st_dev:
            return out
        return out.parent

    def _clear_leftovers(self) -> None:
        """Staging folders of a run killed with SIGKILL (we hold the lock: none is live)."""
        for parent in {self.out.parent, self.out if self.out.is_dir() else self.out.parent}:
            for entry in parent.glob(f".{glob.escape(self.out.name)}{STAGING_MARK}*"):
                if entry.is_dir() and not entry.is_symlink():
                    shutil.rmtree(entry, ignore_errors=True)

    def _catch_signals(self) -> None:
        """SIGTERM (and SIGINT) raise :class:`Interrupted`, so the staging folder and the
        lock are removed on the way out; handlers set by the caller are left alone."""
        if threading.current_thread() is not threading.main_thread():
            return

        def interrupted(signum, frame):
            raise Interrupted(signum, committed=bool(self.paths))
        ours = (signal.SIG_DFL, signal.default_int_handler, raise_interrupted)
        for signum in (signal.SIGTERM, signal.SIGINT):
            if signal.getsignal(signum) in ours:
                self._handlers[signum] = signal.signal(signum, interrupted)

    def _finish(self) -> None:
        try:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None
            if not self.paths and self._out_created:
                with contextlib.suppress(OSError):
                    self.out.rmdir()
            self._lock.release()
            if not self.paths:
                self._remove_created()
        finally:
            for signum, handler in self._handlers.items():
                signal.signal(signum, handler)
            self._handlers = {}
            _unblock_signals(self._blocked)   # a signal held back is delivered now
            self._blocked = None

    def _remove_created(self) -> None:
        for folder in self._created:          # deepest first: only folders left empty
            with contextlib.suppress(OSError):
                folder.rmdir()

    # -- commit ----------------------------------------------------------------------
    def _commit(self) -> None:
        staged = sorted(p.name for p in self.folder.iterdir() if p.name != MANIFEST)
        for name in staged:
            if not (self.folder / name).is_file():
                raise RuntimeError(f"staged output {name} is not a file")  # pragma: no cover
        listing = {name: {"sha256": sha256_file(self.folder / name),
                          "bytes": (self.folder / name).stat().st_size,
                          "command": self.command} for name in staged}
        names = [*staged, MANIFEST]
        self._blocked = _block_signals()      # released by _finish, after the clean-up
        owned = self._check_names(names)
        previous = read_manifest(self.out) if self.out.is_dir() else None
        kept = self._kept(previous, set(names))
        listing.update(kept)
        manifest = self._manifest(previous if kept or self._same(previous) else None)
        manifest["outputs"] = dict(sorted(listing.items()))
        try:
            (self.folder / MANIFEST).write_text(manifest_json(manifest), encoding="utf-8")
            for name in names:
                os.chmod(self.folder / name, 0o666 & ~_UMASK)
        except OSError as exc:
            raise _write_error(self.out, exc) from None
        if not self.out.is_dir():
            try:
                self.out.mkdir()
            except OSError as exc:
                raise _write_error(self.out, exc) from None
            self._out_created = True
        stale = [n for n, digest in owned.items() if n not in names and n not in kept
                 and (self.out / n).is_file() and not (self.out / n).is_symlink()
                 and sha256_file(self.out / n) == digest]
        self._swap(names, stale)
        self.paths = [self.out / name for name in names]
        _COMMITTED[0] = True

    def _same(self, previous) -> bool:
        mine = set_identity(self.manifest)
        return mine is not None and previous is not None and set_identity(previous) == mine

    def _kept(self, previous, written: set[str]) -> dict[str, dict]:
        """The previous set's files that stay: made from the same inputs, not named by
        this command, unchanged since (their listed SHA-256)."""
        if not self._same(previous):
            return {}
        kept = {}
        for name, entry in previous["outputs"].items():
            path = self.out / name
            if name in written or name in self.names or "/" in name \
                    or not isinstance(entry, dict) or path.is_symlink() \
                    or not path.is_file() or sha256_file(path) != entry.get("sha256"):
                continue
            kept[name] = entry
        return kept

    def _manifest(self, previous) -> dict[str, Any]:
        """The set's manifest.json: the assessment's manifest at the top level, each
        adding command's under its section; a previous set of the same inputs passes on
        what this command does not write."""
        previous = {k: v for k, v in (previous or {}).items() if k != "outputs"}
        base = {"tool": "evaluator", "version": __version__}
        if self.section is None:
            sections = {k: previous[k] for k in previous.get("sections", []) if k in previous}
            manifest = {**base, **self.manifest, **sections}
        else:
            inputs = self.manifest.get("inputs")
            manifest = previous or {**base, **({"inputs": inputs} if inputs else {})}
            manifest[self.section] = {k: v for k, v in self.manifest.items()
                                      if k not in ("tool", "version")}
            sections = {**{k: None for k in previous.get("sections", [])}, self.section: None}
        if sections:
            manifest["sections"] = sorted(sections)
        manifest["command"] = self.command
        manifest["output_set"] = {
            "format": SET_FORMAT,
            "note": "outputs lists every file of this set except manifest.json, with its "
                    "size, SHA-256 and the command that wrote it"}
        return manifest

    def _swap(self, names: list[str], stale: list[str]) -> None:
        backup = self.folder / ".previous"
        backup.mkdir()
        moved_out, moved_in = [], []
        current = None
        try:
            for name in [*stale, *names]:   # manifest.json last
                current = name
                target = self.out / name
                if target.exists():
                    os.replace(target, backup / name)
                    moved_out.append(name)
                if name in names:
                    os.replace(self.folder / name, target)
                    moved_in.append(name)
        except OSError as exc:
            for name in moved_in:
                with contextlib.suppress(OSError):
                    (self.out / name).unlink()
            stranded = []
            for name in moved_out:
                try:
                    os.replace(backup / name, self.out / name)
                except OSError:
                    stranded.append(name)
            reason = exc.strerror or type(exc).__name__
            problem = text("cannot_replace", name=current, reason=reason)
            if stranded:      # a second failure: keep those old files and say where
                kept = self.folder.parent / f".{self.out.name}.evaluator-previous"
                with contextlib.suppress(OSError):
                    os.replace(backup, kept)
                problem = text("stranded", name=current, reason=reason,
                               names=_quote_names(stranded), kept=kept)
            raise EvaluatorError(problem, where=str(self.out / current),
                                 fix=text("fix_locked")) from None


def _block_signals():
    if threading.current_thread() is not threading.main_thread():
        return None
    return signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})


def _unblock_signals(previous) -> None:
    if previous is not None:
        signal.pthread_sigmask(signal.SIG_SETMASK, previous)


def input_hashes(inputs: Mapping[str, str | Path | None]) -> dict[str, dict[str, str]]:
    """``{role: {path, sha256}}`` of the input files that exist (for a set's manifest)."""
    out = {}
    for role, path in inputs.items():
        if path and Path(path).is_file():
            out[role] = {"path": str(path), "sha256": sha256_file(Path(path))}
    return out


__all__ = ["OutputSet", "Interrupted", "MANIFEST", "read_manifest", "set_identity",
           "read_manifest_outputs", "manifest_json",
           "sha256_file", "input_hashes"]
