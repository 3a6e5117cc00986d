"""Where a Sobol run keeps every scenario's rank of each target unit.

Sobol indices need the output of every scenario, so unlike the Monte Carlo counts these
ranks cannot be summarised on the fly: N·(G + 2) scenarios × units values. They are kept
compactly — int16 (int32 only from 32,767 units on) — so a run needs about
N·(G + 2)·units·2 bytes; above :data:`MEMMAP_BYTES` they live in a file-backed
``numpy.memmap`` in a temporary folder instead of in memory (the operating system pages
them in and out), and the folder is removed when the store is closed (on POSIX systems the
file is unlinked as soon as it is mapped, so nothing is left behind even after a crash).
"""
from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import weakref
from pathlib import Path

import numpy as np

#: Above this many bytes the ranks go to a memory-mapped temporary file.
MEMMAP_BYTES = 256 * 2 ** 20


def rank_dtype(units: int) -> np.dtype:
    """int16 while every rank (≤ units) fits, else int32."""
    return np.dtype(np.int16) if units < np.iinfo(np.int16).max else np.dtype(np.int32)


def rank_bytes(scenarios: int, units: int) -> int:
    """Bytes a :class:`RankStore` of this shape needs."""
    return int(scenarios) * int(units) * rank_dtype(units).itemsize


def _remove(folder: str | None) -> None:
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


class RankStore:
    """A (scenarios × units) array of ranks: in memory, or memory-mapped from a temporary
    file when it would take more than ``memmap_bytes``. Call :meth:`close` (or use it as
    a context manager) to release it; the temporary folder is removed then at the
    latest (or when the store is garbage-collected)."""

    def __init__(self, scenarios: int, units: int, *, memmap_bytes: int = MEMMAP_BYTES,
                 folder: str | Path | None = None):
        dtype = rank_dtype(units)
        shape = (int(scenarios), int(units))
        self.folder: str | None = None
        self.mapped = rank_bytes(scenarios, units) > memmap_bytes and shape[0] * shape[1] > 0
        if not self.mapped:
            self.array = np.zeros(shape, dtype=dtype)
            self._finalizer = None
            return
        self.folder = tempfile.mkdtemp(prefix="evaluator-sobol-", dir=folder)
        self._finalizer = weakref.finalize(self, _remove, self.folder)
        path = os.path.join(self.folder, "ranks.bin")
        self.array = np.memmap(path, dtype=dtype, mode="w+", shape=shape)
        # POSIX: the mapping outlives the name, so drop the name and folder now (Windows
        # refuses while mapped: the finaliser removes them later)
        with contextlib.suppress(OSError):
            os.unlink(path)
            os.rmdir(self.folder)
            self.folder = None

    def put(self, positions: np.ndarray, ranks: np.ndarray) -> None:
        self.array[positions] = ranks

    def close(self) -> None:
        """Release the array (and its temporary file)."""
        array, self.array = self.array, None
        if isinstance(array, np.memmap):
            mm = getattr(array, "_mmap", None)
            del array
            if mm is not None:
                with contextlib.suppress(BufferError, ValueError):  # still viewed elsewhere
                    mm.close()
        if self._finalizer is not None:
            self._finalizer()

    def __enter__(self) -> "RankStore":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


__all__ = ["RankStore", "MEMMAP_BYTES", "rank_dtype", "rank_bytes"]
