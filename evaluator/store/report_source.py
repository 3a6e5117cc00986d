"""Where `report --from DIR` and `report --round N` read their assessment: a results
folder checked against its manifest, or a published round; plus, for a round, each unit's
published score and rank across the valid rounds of its framework."""
from __future__ import annotations

from typing import Any


from ..errors import EvaluatorError
from .messages import msg


def check_alone(given: list[str], **inputs: Any) -> None:
    """--from and --round exclude each other and the framework/data/recipe options."""
    clash = [f"--{k}" for k, v in inputs.items() if v]
    if len(given) > 1 or clash:
        raise EvaluatorError(msg("report.exclusive", given=" ".join(given + clash)),
                             fix=msg("report.exclusive.fix"))


def read_assessment(*, from_dir=None, round_id=None, db=None):
    """(Assessment rebuilt from the tables, published trends or None)."""
    from .from_results import assessment_from_tables
    if from_dir is not None:
        from .results import open_results
        folder = open_results(from_dir)
        tables = {name: folder.read_table(name) for name in folder.tables}
        return assessment_from_tables(folder.manifest, tables, source=str(folder.path)), None
    from .db import open_store
    from .history import published_trends
    from .read import read_round_table, round_info
    store = open_store(db)
    try:
        info = round_info(store, round_id)
        tables = {name: read_round_table(store, round_id, name, info) for name in info["tables"]}
        trends = published_trends(store, info["framework_id"])
    finally:
        store.dispose()
    return assessment_from_tables(info["manifest"], tables, source=store.url), trends



