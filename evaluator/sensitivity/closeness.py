"""TOPSIS and grey relational grades over varying children: moved to
:mod:`evaluator.methods.closeness` (the batched forms the registry declares); kept here
so existing imports work."""
from ..methods.closeness import grey_varying, topsis_varying  # noqa: F401
