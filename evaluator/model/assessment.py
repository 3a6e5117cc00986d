"""Assessment: everything an evaluation produced, kept so any number can be traced.

Holds every stage's data (raw → denominated → imputed → screened → transformed → treated →
normalised, as COINr keeps its data sets), the weights with their intermediate tables,
scores and ranks of every node, the recipe as used and a manifest. The output tables
(DESIGN.md §4, column names are the contract) are built from these on demand.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Mapping

import numpy as np
import pandas as pd

from .. import __version__
from ..io.long_table import LongTable, Part
from ..output import write_tables
from .framework import ROOT, Framework
from .panel import Panel
from .period import PER_YEAR, period_frame, period_labels
from .recipe import Recipe

# every file `score` may write: one run's folder never keeps another run's leftovers
SCORE_TABLES = ("rankings", "nodes", "indicators", "weights", "diagnostics", "alerts",
                "coordination", "aggregation")
SCORE_OUTPUTS = (*(f"{t}.{ext}" for ext in ("csv", "parquet") for t in SCORE_TABLES),
                 "manifest.json", "rankings.xlsx")
STAGES = ("raw", "denominated", "imputed", "screened", "transformed", "treated", "prepared",
          "normalised")


@dataclass
class Assessment:
    framework: Framework
    panel: Panel
    recipe: Recipe
    ids: list[str]
    units: np.ndarray
    years: np.ndarray
    groups: np.ndarray | None
    observed: np.ndarray
    imputed: np.ndarray
    stages: dict[str, np.ndarray]
    scores: dict[str, np.ndarray]
    ranks: dict[str, np.ndarray]
    rank_in_group: np.ndarray | None
    rank_change: np.ndarray
    weights: Mapping[str, Any]
    global_weights: Mapping[str, float]
    aggregation_methods: Mapping[str, Mapping[str, Any]]
    contribution_shares: np.ndarray | None
    records: list[dict[str, Any]]
    warnings: list[str] = field(default_factory=list)
    aggregation_details: dict[str, dict[str, Any]] = field(default_factory=dict)
    coordination: Any = None   # CouplingResult of the first-level nodes, or None
    extra_tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    # builds the diagnostics and alerts tables on first use; given by the pipeline, since
    # the model does not import the stages
    diagnostics_builder: Callable[["Assessment"], dict[str, pd.DataFrame]] | None = None
    # the panel's frequency: ``years`` holds calendar keys (the years themselves for a
    # yearly panel; model/period.py), shown in tables as ``year`` and ``period``
    frequency: str = "year"
    # sub-annual panels: places gained since the same period a year earlier
    rank_change_yoy: np.ndarray | None = None
    # composite score and rank as published earlier, per row (NaN where none): set by
    # `score --against-published` (evaluator.store.published) before the diagnostics are
    # built, so the alert rules count the years as they were published
    prior: dict[str, np.ndarray] | None = None
    # indicators (and nodes left empty) the recipe dropped: weight 0 in the weights table
    dropped: tuple = ()

    # -- stage data --------------------------------------------------------------------
    def _keys(self) -> pd.DataFrame:
        out = pd.DataFrame({"unit": self.units, "year": self.years})
        if self.groups is not None:
            out["group"] = self.groups
        return out

    def data(self, stage: str = "normalised") -> pd.DataFrame:
        """One stage's data, wide: unit, year[, group], one column per indicator."""
        if stage == "aggregated":
            return self.scores_wide()
        if stage not in self.stages:
            raise KeyError(f"unknown stage {stage!r}; stages: {', '.join(STAGES)}, aggregated")
        return period_frame(pd.concat([self._keys(), pd.DataFrame(self.stages[stage],
                                                                  columns=self.ids)], axis=1),
                            self.frequency)

    def scores_wide(self) -> pd.DataFrame:
        """unit, year[, group], then every node's score and the composite ``index``."""
        cols = {n: self.scores[n] for n in self.framework.aggregation_order()}
        return period_frame(pd.concat([self._keys(), pd.DataFrame(cols)], axis=1),
                            self.frequency)

    # -- contract tables ----------------------------------------------------------------
    @property
    def rankings(self) -> pd.DataFrame:
        """``unit, year, group, score, rank, rank_in_group, rank_change, <node>,
        <node>_rank …`` for every first-level node; sorted by year, rank, unit."""
        t = self._keys()
        if "group" not in t.columns:
            t["group"] = ""
        t["score"] = self.scores[ROOT]
        t["rank"] = self.ranks[ROOT]
        t["rank_in_group"] = self.rank_in_group if self.rank_in_group is not None else np.nan
        t["rank_change"] = self.rank_change
        for node in self.framework.first_level:
            t[node] = self.scores[node]
            t[f"{node}_rank"] = self.ranks[node]
        if self.coordination is not None:
            t["coordination_D"] = self.coordination.D
            t["coordination_class"] = self.coordination.class_en
        rank_columns = ["rank", "rank_in_group", "rank_change"] + [
            f"{node}_rank" for node in self.framework.first_level]
        if self.rank_change_yoy is not None:
            t["rank_change_yoy"] = self.rank_change_yoy
            rank_columns.append("rank_change_yoy")
        for col in rank_columns:   # only the rank columns (a node may be called growth_rank)
            t[col] = t[col].astype("Int64")
        return self._sorted(t, ["year", "rank", "unit"])

    @property
    def nodes_table(self) -> pd.DataFrame:
        """``unit, year, node, level, score, rank`` for every node and the root; level
        counts as COINr does (indicators are level 1, their parents 2, ...)."""
        parts = []
        for node in self.framework.aggregation_order():
            parts.append(pd.DataFrame({
                "unit": self.units, "year": self.years, "node": node,
                "level": self.framework.level(node) + 1, "score": self.scores[node],
                "rank": pd.array(self.ranks[node], dtype="Float64").astype("Int64")}))
        return self._sorted(pd.concat(parts, ignore_index=True), ["year", "node", "unit"])

    @property
    def indicators_table(self) -> pd.DataFrame:
        """``unit, year, indicator, raw, prepared, normalised, contribution`` (long).

        ``contribution`` is the indicator's part of the composite score (they sum to it);
        empty when some node is not a weighted sum, since then the score does not
        decompose additively."""
        return self._indicators_long().to_frame()

    def _indicators_long(self) -> LongTable:
        """:attr:`indicators_table` kept as its matrices (rows made a block at a time)."""
        if self.contribution_shares is not None:
            contrib = self.contribution_shares * np.nan_to_num(self.stages["normalised"])
            contrib[np.isnan(self.scores[ROOT])] = np.nan
        else:
            contrib = np.nan
        part = Part(list(self.ids), {
            "raw": self.stages["raw"], "prepared": self.stages["prepared"],
            "normalised": self.stages["normalised"], "contribution": contrib})
        frequency = self.frequency
        # by year, then unit (stable: the indicators keep their order)
        return LongTable(np.lexsort((np.asarray(self.units).astype(str), self.years)),
                         {"unit": self.units, "year": self.years}, "indicator", (part,),
                         ("unit", "year", "indicator", "raw", "prepared", "normalised",
                          "contribution"), finish=lambda t: period_frame(t, frequency))

    @property
    def weights_table(self) -> pd.DataFrame:
        """``node, indicator, method, weight, global_weight``: each parent's children with
        their relative weight and their effective weight in the composite ("indicator"
        holds the child, which is a node for upper levels). What the recipe dropped follows
        with method ``dropped``, weight 0 and a ``note`` column saying why."""
        rows = []
        for parent in reversed(self.framework.aggregation_order()):
            nw = self.weights[parent]
            for child, w in zip(nw.children, nw.weights):
                rows.append({"node": parent, "indicator": child, "method": nw.method,
                             "weight": float(w), "global_weight": self.global_weights[child]})
        columns = ["node", "indicator", "method", "weight", "global_weight"]
        if self.dropped:
            columns.append("note")
            rows += [{"node": d.parent, "indicator": d.id, "method": "dropped",
                      "weight": 0.0, "global_weight": 0.0, "note": str(d.note())}
                     for d in self.dropped]
        return pd.DataFrame(rows, columns=columns)

    def weight_details(self) -> dict[str, dict[str, Any]]:
        """Intermediate tables of the weighting (entropy e and d, CRITIC σ ...), per node."""
        # the method's own details first, so e.g. AHP's priority method cannot overwrite
        # the weighting method's name
        return {node: {**{k: np.asarray(v).tolist() for k, v in nw.details.items()},
                       "children": nw.children, "method": nw.method,
                       "weights": nw.weights.tolist(), "rows_used": nw.rows_used}
                for node, nw in self.weights.items()}

    @property
    def manifest(self) -> dict[str, Any]:
        """Tool version, framework and recipe as used (defaults filled), SHA-256 of every
        input file, seed, row counts and warnings: enough to reproduce every number."""
        inputs = {}
        if self.panel.source:
            inputs["data"] = {"path": str(self.panel.source), "sha256": self.panel.sha256,
                              "encoding": self.panel.encoding, "sheet": self.panel.sheet}
            if self.panel.files:   # several files: each with its SHA-256
                inputs["data"]["files"] = [dict(f) for f in self.panel.files]
        if self.panel.names_file:
            inputs["names"] = dict(self.panel.names_file)
        if self.framework.source:
            inputs["framework"] = {"path": self.framework.source,
                                   "sha256": _sha256(self.framework.source)}
        if self.recipe.source and Path(self.recipe.source).is_file():
            inputs["recipe"] = {"path": self.recipe.source,
                                "sha256": _sha256(self.recipe.source)}
        for rec in self.records:
            for k, (path, digest) in enumerate((rec.get("judgement_files") or {}).items()):
                inputs[f"judgements_{k + 1}"] = {"path": path, "sha256": digest}
        synthetic = is_demo_panel(self.panel)
        return {
            "tool": "evaluator", "version": __version__,
            "synthetic_demo_data": synthetic,
            "inputs": inputs,
            "framework": self.framework.to_dict(),
            "recipe": self.recipe.to_dict(),
            "seed": self.recipe.seed,
            "rows": {"panel": int(len(self.panel.data)), "scored": int(len(self.units)),
                     "units": int(len(np.unique(self.units))),
                     "years": sorted(int(y) for y in np.unique(self.years // PER_YEAR[
                         self.frequency])),
                     "frequency": self.frequency,
                     "periods": [str(p) for p in period_labels(np.unique(self.years),
                                                               self.frequency)],
                     "indicators": len(self.ids)},
            "steps": _jsonable(self.records),
            "weights": _jsonable(self.weight_details()),
            "warnings": list(self.warnings),
        }

    @property
    def coordination_table(self) -> pd.DataFrame | None:
        """``unit, year, C, T, D, class`` (class in English, ``class_zh`` beside it)."""
        c = self.coordination
        if c is None:
            return None
        t = pd.DataFrame({"unit": self.units, "year": self.years, "C": c.C, "T": c.T,
                          "D": c.D, "class": c.class_en, "class_zh": c.class_zh,
                          "level": c.level})
        return self._sorted(t, ["year", "unit"])

    @property
    def aggregation_table(self) -> pd.DataFrame | None:
        """The intermediate results of every node aggregated by a method that compares
        units — TOPSIS (D⁺, D⁻, closeness C), grey relational (grade, a coefficient per
        child), VIKOR (S, R, Q) … as each method declares them — long by
        unit-year-node, with ``child`` empty on the per-row lines."""
        parts, columns = [], []
        for node, d in self.aggregation_details.items():
            base = {"unit": self.units, "year": self.years, "node": node,
                    "method": d["method"]}
            parts.append(pd.DataFrame({**base, "child": "", **d["rows"]}))
            for c, child in enumerate(d["children"]):
                if d["per_child"]:
                    parts.append(pd.DataFrame({**base, "child": child, **{
                        name: values[:, c] for name, values in d["per_child"].items()}}))
            columns += [n for n in [*d["rows"], *d["per_child"]] if n not in columns]
        if not parts:
            return None
        cols = ["unit", "year", "node", "method", "child", *columns]
        t = pd.concat(parts, ignore_index=True).reindex(columns=cols)
        return self._sorted(t, ["year", "node", "unit"])

    def _sorted(self, t: pd.DataFrame, by: list[str], stable_extra: bool = False
                ) -> pd.DataFrame:
        """Sorted on the calendar keys, then shown with ``year`` (and ``period``)."""
        return period_frame(_sorted(t, by, stable_extra), self.frequency)

    def diagnostics(self) -> dict[str, pd.DataFrame]:
        """``diagnostics`` and ``alerts`` tables (gaps to targets and peers, lights,
        obstacles, contributions; alert rules) — computed on first use."""
        if "_diagnostics" not in self.__dict__:
            self.__dict__["_diagnostics"] = {
                name: t.to_frame() if isinstance(t, LongTable) else t
                for name, t in self._diagnostics_lazy().items()}
        return self.__dict__["_diagnostics"]

    def _diagnostics_lazy(self) -> dict[str, Any]:
        """The builder's tables: ``diagnostics`` may be a :class:`LongTable`."""
        if "_diagnostics" in self.__dict__:
            return self.__dict__["_diagnostics"]
        if self.diagnostics_builder is None:
            return {}
        return self.diagnostics_builder(self)

    def tables(self) -> dict[str, pd.DataFrame]:
        """Every output table as a frame."""
        return {name: t.to_frame() if isinstance(t, LongTable) else t
                for name, t in self.output_tables().items()}

    def table_names(self) -> list[str]:
        """The names of :meth:`output_tables`, in order, without making any table."""
        names = ["rankings", "nodes", "indicators", "weights"]
        if "_diagnostics" in self.__dict__:
            names += list(self.__dict__["_diagnostics"])
        elif self.diagnostics_builder is not None:
            names += ["diagnostics", "alerts"]
        if self.coordination is not None:
            names.append("coordination")
        if self.aggregation_details:
            names.append("aggregation")
        return names + [n for n in self.extra_tables if n not in names]

    def output_tables(self) -> dict[str, Any]:
        """The output tables as the writers take them: the long ones (``indicators``,
        ``diagnostics``) as :class:`~evaluator.io.long_table.LongTable`, made into rows a
        block at a time while they are written, so a large panel's tables are never held
        whole."""
        out = {"rankings": self.rankings, "nodes": self.nodes_table,
               "indicators": self._indicators_long(), "weights": self.weights_table}
        out.update(self._diagnostics_lazy())
        if self.coordination is not None:
            out["coordination"] = self.coordination_table
        if self.aggregation_details:
            out["aggregation"] = self.aggregation_table
        out.update(self.extra_tables)
        return out

    def _rankings_sheet(self, rankings: pd.DataFrame) -> pd.DataFrame:
        """rankings.csv for the workbook: each group's name and coordination class in the
        language of the run (:func:`evaluator.i18n.get_lang`) instead of its id or English
        class; the CSV keeps the ids and classes."""
        from ..i18n import get_lang
        lang = get_lang()
        out = rankings.copy()
        if "group" in out.columns and self.framework.groups:
            names = {gid: g.name.get(lang) for gid, g in self.framework.groups.items()}
            out["group"] = out["group"].map(lambda g: names.get(str(g), g) if pd.notna(g)
                                            else g)
        c = self.coordination
        if lang == "zh" and c is not None and "coordination_class" in out.columns:
            classes = {str(en): str(zh) for en, zh in zip(c.class_en, c.class_zh)
                       if en is not None}
            out["coordination_class"] = out["coordination_class"].map(
                lambda x: classes.get(str(x), x) if pd.notna(x) else x)
        return out
    def _repr_html_(self) -> str:
        """A notebook shows the ranking of the latest year and the weights."""
        from ..i18n import get_lang, t
        from .notebook import html_card

        table = self.rankings
        latest = int(table["year"].max())
        name = self.framework.name
        shown = name.get(get_lang()) if hasattr(name, "get") else str(name)
        title = t("nb.assessment.title", name=shown, id=self.framework.id)
        facts = [t("nb.assessment.facts", units=table["unit"].nunique(),
                   years=table["year"].nunique(), first=int(table["year"].min()), last=latest,
                   normalise=self.recipe.normalise["method"],
                   weights=self.recipe.weights["indicators"]["method"],
                   aggregate=self.recipe.aggregate["method"]),
                 *[t("nb.warning", warning=w) for w in self.warnings]]
        ranking = table[table["year"] == latest].sort_values("rank", kind="mergesort")
        return html_card(title, facts, [(t("nb.ranking", year=latest), ranking),
                                        (t("nb.weights"), self.weights_table)])

    def write_files(self, folder: str | Path, *, xlsx: bool = True,
                    table_format: str = "csv") -> list[Path]:
        """Write the output tables (CSV, UTF-8 with BOM, or with ``table_format="parquet"``
        Parquet) and ``rankings.xlsx`` into ``folder`` — the staging folder of an
        :class:`~evaluator.output_set.OutputSet`, whose ``manifest.json`` is this
        assessment's :attr:`manifest` with every file's SHA-256. The long tables are
        written a block of rows at a time (:meth:`output_tables`)."""
        tables = self.output_tables()
        sheets = {"rankings": self._rankings_sheet(tables["rankings"])}
        if self.manifest["synthetic_demo_data"]:
            from ..i18n import t
            sheets["about"] = pd.DataFrame({"note": [t("cli.score.synthetic")]})
        return write_tables(Path(folder), tables, xlsx=sheets if xlsx else None,
                            xlsx_name="rankings.xlsx", table_format=table_format)

    def input_paths(self) -> list[str]:
        """The input files of this assessment (an output set never writes over them)."""
        return [entry["path"] for entry in self.manifest["inputs"].values()
                if isinstance(entry, dict) and entry.get("path")]

    def to_dir(self, out: str | Path, *, xlsx: bool = True,
               table_format: str = "csv") -> list[Path]:
        """Write the output tables, ``rankings.xlsx`` and ``manifest.json`` (listing every
        file with its SHA-256) to ``out`` as one set
        (:class:`~evaluator.output_set.OutputSet`): all or nothing, replacing only the
        tool's own previous set, never a file it did not write."""
        from ..output_set import OutputSet
        with OutputSet(out, command="score", names=SCORE_OUTPUTS,
                       inputs=self.input_paths()) as outputs:
            self.write_files(outputs.folder, xlsx=xlsx, table_format=table_format)
            outputs.manifest = self.manifest
        return outputs.paths


def is_demo_panel(panel: Panel) -> bool:
    """True when the panel is the bundled synthetic demo file (by its SHA-256, so a copy
    under another name is recognised and a real file named demo_panel.csv is not)."""
    if not panel.sha256:
        return False
    from ..resources import demo_panel_path
    return panel.sha256 == _sha256(str(demo_panel_path()))


def _sorted(t: pd.DataFrame, by: list[str], stable_extra: bool = False) -> pd.DataFrame:
    return t.sort_values(by, kind="mergesort", na_position="last").reset_index(drop=True)


def _sha256(path: str) -> str | None:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return None


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if isinstance(value, np.ndarray):
        return _jsonable(value.tolist())
    if isinstance(value, (np.floating, float)):
        v = float(value)
        return v if np.isfinite(v) else None
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.bool_,)):
        return bool(value)
    return value
