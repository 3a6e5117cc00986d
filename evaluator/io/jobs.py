"""Writing several output files at once (issue 11): the main thread and a helper thread.

The long tables' CSV text is made by Arrow's casts and CSV writer, which release the GIL,
so two files written at the same time keep two cores busy. Every file is written by one
thread alone, from the same data, so its bytes never depend on the threads' timing.

An error in any file (disk full, permission denied) is the command's error, as it is
without threads: the other files stop at their next block (:func:`checkpoint`), every
thread has ended before :func:`run_all` returns or raises, and the error raised is the
first failing job's in the order given (not the first in time). SIGINT and SIGTERM are
blocked in the helper threads, so the main thread — where the command's handlers run —
receives them; it then stops the helpers the same way before the interruption goes on.
"""
from __future__ import annotations

import signal
import threading
from typing import Callable, Sequence

THREADS = 2                     # the main thread and one helper

_LOCAL = threading.local()


class Stopped(Exception):
    """A job asked to stop between blocks (another job failed, or the command was
    interrupted); never reaches the user: the cause is raised instead."""


def checkpoint() -> None:
    """Called by a long writer between blocks: stop when the other jobs asked to."""
    stop = getattr(_LOCAL, "stop", None)
    if stop is not None and stop.is_set():
        raise Stopped()


def run_all(jobs: Sequence[Callable[[], object]], *, threads: int | None = None) -> None:
    """Run every job (a callable without arguments), ``threads`` (default
    :data:`THREADS`) at a time, taking them in the order given; return when all have
    ended, or raise the error of the first failing job (in that order)."""
    jobs = list(jobs)
    threads = THREADS if threads is None else threads
    if threads <= 1 or len(jobs) <= 1:
        for job in jobs:
            job()
        return
    stop = threading.Event()
    lock = threading.Lock()
    pending = iter(range(len(jobs)))
    errors: dict[int, BaseException] = {}

    def work(catch) -> None:
        _LOCAL.stop = stop
        try:
            while not stop.is_set():
                with lock:
                    k = next(pending, None)
                if k is None:
                    return
                try:
                    jobs[k]()
                except catch as exc:
                    errors[k] = exc
                    stop.set()
        finally:
            _LOCAL.stop = None

    def helper() -> None:
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT, signal.SIGTERM})
        work(BaseException)

    helpers = [threading.Thread(target=helper, name=f"evaluator-writer-{n}", daemon=True)
               for n in range(threads - 1)]
    for thread in helpers:
        thread.start()
    try:
        work(Exception)              # an interruption of the main thread goes on at once
        for thread in helpers:
            while thread.is_alive():
                thread.join(0.1)     # short waits: a signal's handler runs in between
    except BaseException:
        stop.set()
        _join_regardless(helpers)
        raise
    failures = [errors[k] for k in sorted(errors) if not isinstance(errors[k], Stopped)]
    if failures:
        raise failures[0]


def _join_regardless(helpers) -> None:
    """Wait for the helpers (they stop at their next block) even if a second signal
    arrives meanwhile: the first one is already on its way."""
    for thread in helpers:
        while thread.is_alive():
            try:
                thread.join(0.1)
            except BaseException:    # noqa: BLE001 — a second interruption, see above
                pass
