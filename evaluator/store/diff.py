"""`diff A B`: per unit, the score and rank change from round A's published period to
round B's, and why — which input files, framework or recipe changed — and, when B's
panel file is still where B read it (same SHA-256), how much of each unit's change comes
from the data and how much from the method:

    change = score_B − score_A
           = (score_A′ − score_A)      data: B's panel scored with A's framework and recipe
           + (score_B − score_A′)      method: B's framework and recipe on B's panel
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError, EvaluatorError
from .db import Store
from .messages import msg
from ..i18n import M
from .read import read_round_table, round_info


def _changes(a: Any, b: Any, path: str = "") -> list[str]:
    """Key paths where two JSON values differ, with both values."""
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for key in sorted(set(a) | set(b), key=str):
            out += _changes(a.get(key), b.get(key), f"{path}.{key}" if path else str(key))
        return out
    return [] if a == b else [f"{path}: {a!r} → {b!r}"]


def why(info_a: dict, info_b: dict) -> dict[str, list[str]]:
    """What differs between the rounds: input files (by SHA-256), framework, recipe."""
    inputs = []
    ia, ib = info_a["inputs"] or {}, info_b["inputs"] or {}
    for key in sorted(set(ia) | set(ib)):
        sa, sb = (ia.get(key) or {}).get("sha256"), (ib.get(key) or {}).get("sha256")
        if sa != sb:
            inputs.append(f"{key}: {(ia.get(key) or {}).get('path', '-')} ({(sa or '-')[:12]})"
                          f" → {(ib.get(key) or {}).get('path', '-')} ({(sb or '-')[:12]})")
    fw = []
    for field in ("framework_id", "framework_version", "framework_sha256"):
        if info_a[field] != info_b[field]:
            fw.append(f"{field}: {info_a[field]} → {info_b[field]}")
    fw += _changes(info_a["manifest"].get("framework"), info_b["manifest"].get("framework"))
    return {"inputs": inputs, "framework": fw,
            "recipe": _changes(info_a["recipe"], info_b["recipe"])}


def _published_year(store: Store, round_id: int, info: dict) -> int:
    if info.get("frequency", "year") != "year":
        raise DataError(msg("diff.frequency", round=round_id, frequency=info["frequency"]),
                        where=M("where.round", round=round_id), fix=msg("diff.frequency.fix"))
    return max(int(p) for p in str(info["period"]).split(",") if p.strip().isdigit())


def rescore_with(info_a: dict, info_b: dict, year_b: int) -> tuple[pd.DataFrame | None, str]:
    """B's panel scored with A's framework and recipe (rankings of ``year_b``), or None
    and the reason it cannot be done."""
    data = (info_b["inputs"] or {}).get("data") or {}
    path = Path(data.get("path") or "")
    if not data.get("path") or not path.is_file():
        return None, msg("diff.panel_gone", round=info_b["id"], path=data.get("path", "?"))
    if hashlib.sha256(path.read_bytes()).hexdigest() != data.get("sha256"):
        return None, msg("diff.panel_changed", path=path, round=info_b["id"])
    from ..evaluate import evaluate
    from ..model.framework import Framework
    from ..model.panel import load_panel
    from ..model.recipe import Recipe
    try:
        fw = Framework.from_dict(info_a["manifest"]["framework"])
        recipe = Recipe.from_dict(info_a["recipe"])
        panel = load_panel(path, fw, encoding=data.get("encoding"), sheet=data.get("sheet"))
        ranks = evaluate(fw, panel, recipe).rankings
    except EvaluatorError as exc:
        return None, msg("diff.cannot_rescore", b=info_b["id"], a=info_a["id"],
                         reason=exc.problem)
    return ranks[ranks["year"] == year_b], ""


def diff_rounds(store: Store, a: int, b: int) -> tuple[pd.DataFrame, dict[str, Any]]:
    """Per unit: score and rank in A's and B's published period, the changes (rank
    change = places gained), and the data / method parts when B can be re-scored."""
    info_a, info_b = round_info(store, a), round_info(store, b)
    ya, yb = _published_year(store, a, info_a), _published_year(store, b, info_b)
    ra = read_round_table(store, a, "rankings", info_a)
    rb = read_round_table(store, b, "rankings", info_b)
    ra = ra[ra["year"] == ya][["unit", "score", "rank"]]
    rb = rb[rb["year"] == yb][["unit", "score", "rank"]]
    t = ra.merge(rb, on="unit", how="outer", suffixes=("_a", "_b"))
    t["score_change"] = t["score_b"] - t["score_a"]
    t["rank_change"] = (t["rank_a"] - t["rank_b"]).astype("Int64")
    again, reason = rescore_with(info_a, info_b, yb)
    if again is not None:
        mid = again[["unit", "score", "rank"]].rename(columns={"score": "score_a_method",
                                                                "rank": "rank_a_method"})
        t = t.merge(mid, on="unit", how="left")
        t["from_data"] = t["score_a_method"] - t["score_a"]
        t["from_method"] = t["score_b"] - t["score_a_method"]
        t = t.drop(columns=["rank_a_method"])
    t = t.sort_values(["rank_b", "unit"], kind="mergesort", na_position="last")
    summary = {"a": {"round": a, "period": info_a["period"], "year": ya},
               "b": {"round": b, "period": info_b["period"], "year": yb},
               "why": why(info_a, info_b),
               "decomposed": again is not None, "not_decomposed_because": reason or None,
               "units_only_in_a": sorted(t.loc[t["score_b"].isna(), "unit"].tolist()),
               "units_only_in_b": sorted(t.loc[t["score_a"].isna(), "unit"].tolist())}
    if again is not None:
        summary["largest_method_effect"] = float(np.nanmax(np.abs(t["from_method"])))
    return t.reset_index(drop=True), summary
