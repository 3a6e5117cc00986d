"""Published rounds in a database (DESIGN §4 "Published rounds"): a pipeline beside
:mod:`evaluator.evaluate` that stores a results folder as an immutable round and reads
rounds back.

    store = open_store("results.db", create=True)          # or a postgresql+psycopg:// URL
    done = publish(store, open_results("results/"), label="2024 official")
    rounds_table(store); read_round_table(store, done.round_id, "rankings")
"""
from .db import Store, StoreError, open_store, resolve_url
from .publish import Published, publish, withdraw
from .read import read_round_table, round_info, rounds_table, valid_round_ids
from .results import ResultsFolder, open_results

__all__ = ["Store", "StoreError", "open_store", "resolve_url", "Published", "publish",
           "withdraw", "read_round_table", "round_info", "rounds_table", "valid_round_ids",
           "ResultsFolder", "open_results"]
