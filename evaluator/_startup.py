"""Ctrl-C or SIGTERM while the `evaluator` command is still loading its libraries (a
second or two) exits quietly with 130 / 143 instead of a Python traceback: nothing has
been read or written yet. Only when the process is the command itself (``evaluator …`` or
``python -m evaluator …``); importing the package as a library changes no signal handler.
The command restores the usual handlers as soon as it starts (:func:`restore`)."""
from __future__ import annotations

import os
import signal
import sys

MESSAGE = ("error: interrupted while starting; nothing was read or written\n"
           "  启动时被中断，未读写任何文件\n")


def _is_the_command() -> bool:
    argv = list(getattr(sys, "orig_argv", sys.argv))
    if "-m" in argv:
        k = argv.index("-m")
        return k + 1 < len(argv) and argv[k + 1] == "evaluator"
    return bool(sys.argv) and os.path.basename(sys.argv[0]) in ("evaluator", "evaluator.exe")


def _quit(signum, frame):
    os.write(2, MESSAGE.encode("utf-8"))
    raise SystemExit(128 + signum)


def quiet_startup_interrupts() -> None:
    if not _is_the_command():
        return
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) in (signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, _quit)


def restore() -> None:
    """Once the command runs: SIGINT and SIGTERM raise
    :class:`evaluator.output_set.Interrupted`, which the command turns into a message and
    exit code 130 / 143 after its clean-up. Only in the command's own process: a
    program that runs the command in-process (a test's CliRunner) keeps its handlers
    (an output set still cleans up after SIGTERM while it is open)."""
    if not _is_the_command():
        return
    from .output_set import raise_interrupted
    for signum in (signal.SIGINT, signal.SIGTERM):
        if signal.getsignal(signum) in (_quit, signal.SIG_DFL, signal.default_int_handler):
            signal.signal(signum, raise_interrupted)
