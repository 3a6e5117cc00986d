"""The `evaluator` command line: one module per command group, assembled in :mod:`.main`;
help texts and click's words in the user's language (:mod:`.help_text`)."""
from .help_text import install
from .main import main

install(main)

__all__ = ["main"]
