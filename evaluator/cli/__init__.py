"""The `evaluator` command line: one module per command group, assembled in :mod:`.main`."""
from .main import main

__all__ = ["main"]
