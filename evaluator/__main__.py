"""`python -m evaluator …` is the same as the `evaluator` command."""
from .cli import main

main()
