"""Exporting a round's tables exactly as published: CSV (with or without a byte-order
mark, so PostgreSQL ``COPY … CSV HEADER`` and other loaders read the header), one
workbook, or Parquet; plus ``round.json`` with the round's record (who, when, periods,
status, framework, recipe, inputs, the manifest as published).

With the BOM (the default, as `score` writes) a CSV is byte-identical to the file that
was published; its SHA-256 matches the manifest."""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import EvaluatorError
from ..io.tables import write_csv_file
from ..output import atomic_write, write_xlsx
from .db import Store
from .messages import msg
from .read import read_round_table, round_info, rounds_table


def export_round(store: Store, round_id: int, out: str | Path, *, fmt: str = "csv",
                 bom: bool = True) -> list[Path]:
    """Write round ``round_id``'s tables into ``out``; returns the files written."""
    info = round_info(store, round_id)
    frames = {name: read_round_table(store, round_id, name, info) for name in info["tables"]}
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise EvaluatorError(msg("export.parquet"), fix=msg("export.parquet.fix")) from None
    from ..output_set import OutputSet
    kinds = {"csv": ["csv"], "xlsx": [], "parquet": ["parquet"]}[fmt]
    names = [f"{name}.{ext}" for ext in kinds for name in frames]
    names += [f"round-{round_id}.xlsx"] if fmt == "xlsx" else []
    # one output set: written whole, never over a file the tool did not write
    with OutputSet(out, command="export", names=[*names, "round.json"],
                   section="export") as outputs:
        written = _write_round(outputs.folder, frames, info, store, round_id, fmt, bom)
        outputs.manifest = {"inputs": info.get("inputs") or {}, "round": int(round_id),
                            "format": fmt}
    return [Path(out) / p.name for p in written]


def _write_round(folder: Path, frames, info, store, round_id, fmt, bom) -> list[Path]:
    written = []
    if fmt == "csv":
        for name, frame in frames.items():   # the writer `score` used: the same bytes
            path = folder / f"{name}.csv"
            atomic_write(path, lambda p, f=frame: write_csv_file(f, p, bom=bom))
            written.append(path)
    elif fmt == "xlsx":
        path = folder / f"round-{round_id}.xlsx"
        write_xlsx(frames, path)
        written.append(path)
    elif fmt == "parquet":
        for name, frame in frames.items():
            path = folder / f"{name}.parquet"
            atomic_write(path, lambda p, f=frame: f.to_parquet(p, index=False))
            written.append(path)
    else:   # pragma: no cover - click offers only the three
        raise ValueError(fmt)
    status = rounds_table(store).set_index("round").loc[round_id, "status"]
    record = {k: v for k, v in info.items() if k != "tables"}
    record.update({"status": status, "tables": info["tables"]})
    path = folder / "round.json"
    text = json.dumps(record, ensure_ascii=False, indent=2, default=str) + "\n"
    atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"))
    written.append(path)
    return written
