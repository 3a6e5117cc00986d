"""What a Sobol run will need, estimated before anything is allocated.

A Sobol run keeps every scenario's output: N·(G + 2) scenarios (N the base sample, G the
factor groups). Before the first scenario it estimates

* **memory** — each scenario's rank shift (8 bytes) and, for the analysis, one target's
  outputs as floats (8 bytes per scenario), the 2 + 2G bootstrap terms per base point
  (8 bytes each) and the bootstrap's draws and counts (:data:`RESAMPLES` × 10 bytes per
  base point); plus the ranks of every target unit when they stay in memory;
* **temporary disk** — the ranks of every target unit (2 bytes each,
  :func:`~evaluator.sensitivity.store.rank_bytes`) once they are larger than the memory-
  mapping threshold;

and refuses, naming both and the largest N that fits, when the memory exceeds half of
the machine's physical memory or the disk the free space of the scratch folder. A run
that would exhaust the machine stops at once with a fix, not after hours with a
MemoryError.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from ..errors import RecipeError
from ..i18n import M
from .store import rank_bytes

RESAMPLES = 100       # the bootstrap of the confidence intervals (analyse.sobol_indices)


def physical_memory() -> int:
    """Bytes of physical memory (8 GiB where the system does not say)."""
    try:
        return int(os.sysconf("SC_PAGE_SIZE")) * int(os.sysconf("SC_PHYS_PAGES"))
    except (AttributeError, OSError, ValueError):
        return 8 << 30


def sobol_needs(samples: int, n_groups: int, units: int) -> tuple[int, int]:
    """(memory without the ranks, the ranks) in bytes for N = ``samples``."""
    scenarios = int(samples) * (n_groups + 2)
    memory = scenarios * 16 + int(samples) * (8 * (2 + 2 * n_groups) + RESAMPLES * 10)
    return memory, rank_bytes(scenarios, units)


def check_sobol_budget(samples: int, n_groups: int, units: int, *, memmap_bytes: int,
                       scratch_dir: str | Path | None = None) -> None:
    """Refuse a Sobol design larger than this machine can hold (see the module)."""
    memory, ranks = sobol_needs(samples, n_groups, units)
    in_memory = ranks <= memmap_bytes
    memory += ranks if in_memory else 0
    disk = 0 if in_memory else ranks
    ram = physical_memory() // 2
    folder = Path(scratch_dir) if scratch_dir is not None else Path(tempfile.gettempdir())
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        free = disk
    if memory <= ram and disk <= free:
        return
    per_memory, per_ranks = sobol_needs(1, n_groups, units)
    largest = min(ram // per_memory, free // max(per_ranks, 1))
    largest = 1 << (max(int(largest), 2).bit_length() - 1)   # a power of 2, as Sobol likes
    raise RecipeError(
        M("inputs.sobol_too_big", samples=f"{samples:,}", scenarios=f"{samples * (n_groups + 2):,}",
          memory=_gb(memory), disk=_gb(disk), ram=_gb(ram), free=_gb(free)),
        where="--samples",
        fix=M("inputs.sobol_too_big.fix", largest=f"{largest:,}"))


def _gb(size: int) -> str:
    return f"{size / 2 ** 30:,.1f} GB"
