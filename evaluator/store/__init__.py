"""Published rounds in a database (DESIGN §4 "Published rounds"): a pipeline beside
:mod:`evaluator.evaluate` that stores a results folder as an immutable round and reads
rounds back.

    store = open_store("results.db", create=True)          # or a postgresql+psycopg:// URL
    done = publish(store, open_results("results/"), label="2024 official")
    # (publish: from evaluator.store.publish import publish — the module has its name)
    rounds_table(store); read_round_table(store, done.round_id, "rankings")
"""
from __future__ import annotations

import importlib

# imported on first use, so `evaluate()` (which checks a recipe's `freeze`) does not load
# SQLAlchemy unless a database is used
_WHERE = {"Store": "db", "StoreError": "db", "open_store": "db", "resolve_url": "db",
          "Published": "publish", "withdraw": "publish",
          "read_round_table": "read", "round_info": "read", "rounds_table": "read",
          "valid_round_ids": "read", "ResultsFolder": "results", "open_results": "results"}
__all__ = list(_WHERE)


def __getattr__(name: str):
    if name not in _WHERE:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f".{_WHERE[name]}", __name__), name)
