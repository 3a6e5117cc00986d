"""The disparity pipeline: an Assessment → disparity and convergence tables.

For every year and every node (the composite ``index`` and each dimension) the scores of
the units are split by the panel's ``group`` column and measured by every method of the
``disparity`` registry (Dagum Gini decomposition, Theil index, coefficient of variation,
and any plugin). Then σ-convergence (slope of cv over the years) and absolute
β-convergence (growth on the log initial level) per node, for all units and within each
group, and Gaussian kernel density curves of the scores per year (the chart's data).

Tables (``disparity_tables``), written by :func:`write_disparity`:

* ``disparity``: ``year, node, gini, within, between, transvariation, theil,
  theil_within, theil_between, cv`` (+ plugin columns after);
* ``disparity_groups``: per year, node and group — n, mean, Gini within the group G_jj,
  population and score shares, Theil within the group T_j;
* ``disparity_pairs``: per year, node and pair of groups — G_jh, D_jh and the net
  between-group and transvariation parts;
* ``convergence``: per node and scope (``all`` or a group) — σ slope and β with standard
  errors, t, p, R², n and the convergence speed;
* ``density``: year, node, x, density (Scott's bandwidth, 128 points over the node's
  range of scores across all years).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from . import registry
from .errors import DataError, MethodError
from .i18n import M
from .methods.convergence import beta_convergence, ols
from .methods.density import gaussian_kde_1d
from .model.assessment import Assessment
from .model.framework import ROOT
from .output import write_tables
from .i18n import M

COLUMNS = ["year", "node", "gini", "within", "between", "transvariation", "theil",
           "theil_within", "theil_between", "cv"]
OUTPUTS = ("disparity.csv", "disparity_groups.csv", "disparity_pairs.csv", "convergence.csv",
           "density.csv", "disparity_notes.csv")
GRID = 128


def nodes_of(assessment: Assessment) -> list[str]:
    """The composite and each first-level dimension."""
    return [ROOT] + list(assessment.framework.first_level)


def disparity_tables(assessment: Assessment, nodes: list[str] | None = None
                     ) -> dict[str, pd.DataFrame]:
    """Every disparity table of ``assessment`` (see the module docstring), for ``nodes``
    (default :func:`nodes_of`: the composite and each dimension; the report asks for the
    composite alone, whose rows are the same)."""
    if assessment.groups is None:
        raise DataError(M("disparity.disparity_between_groups_needs"),
                        where=str(assessment.panel.source or "panel"),
                        fix=M("disparity.disparity_between_groups_needs.fix"))
    if getattr(assessment, "frequency", "year") != "year":
        raise DataError(M("disparity.needs_years", frequency=assessment.frequency),
                        where=str(assessment.panel.source or "panel"),
                        fix=M("disparity.needs_years.fix"))
    measures = registry.methods("disparity")
    main, groups, pairs, notes = [], [], [], []
    years = sorted(int(y) for y in np.unique(assessment.years))
    nodes = nodes_of(assessment) if nodes is None else list(nodes)
    for node in nodes:
        scores = assessment.scores[node]
        for year in years:
            rows = (assessment.years == year) & ~np.isnan(scores)
            row: dict[str, Any] = {"year": year, "node": node}
            extra_group: dict[str, dict[str, Any]] = {}
            if rows.sum() < 2:
                notes.append({"year": year, "node": node, "measure": "",
                              "note": M("disparity.note.too_few", n=int(rows.sum()))})
            for name, m in measures.items():
                if rows.sum() < 2:
                    row.update({tb.name: np.nan for tb in m.tables if tb.per == "row"})
                    continue
                res = m.func(scores[rows], assessment.groups[rows])
                row.update(res.columns)
                for g in res.groups:
                    extra_group.setdefault(g["group"], {"group": g["group"]}).update(g)
                pairs += [{"year": year, "node": node, **p} for p in res.pairs]
                notes += [{"year": year, "node": node, "measure": name, "note": text}
                          for text in res.notes]
            main.append(row)
            groups += [{"year": year, "node": node, **g} for g in extra_group.values()]
    table = pd.DataFrame(main)
    ordered = COLUMNS + [c for c in table.columns if c not in COLUMNS]
    return {"disparity": table.reindex(columns=ordered),
            "disparity_groups": pd.DataFrame(groups),
            "disparity_pairs": pd.DataFrame(pairs),
            "convergence": convergence_table(assessment, table, notes, nodes),
            "density": density_table(assessment, nodes),
            "disparity_notes": pd.DataFrame(notes, columns=["year", "node", "measure",
                                                            "note"])}


def convergence_table(assessment: Assessment, table: pd.DataFrame,
                      notes: list[dict[str, Any]], nodes: list[str] | None = None
                      ) -> pd.DataFrame:
    """σ (slope of cv on the year) and absolute β per node, for all units and per group;
    a test that cannot be run is a note, not a row of NaN."""
    years = sorted(int(y) for y in np.unique(assessment.years))
    out = []
    for node in nodes_of(assessment) if nodes is None else nodes:
        cvs = table[table["node"] == node].dropna(subset=["cv"])
        try:
            reg = ols(cvs["year"].to_numpy(float), cvs["cv"].to_numpy(float),
                      what="sigma")
            out.append({"node": node, "scope": "all", "test": "sigma", **reg.to_dict(),
                        "speed": np.nan})
        except MethodError as exc:
            notes.append({"year": None, "node": node, "measure": "sigma", "note": exc.problem})
        wide = pd.DataFrame({"unit": assessment.units, "year": assessment.years,
                             "group": assessment.groups, "y": assessment.scores[node]})
        first, last = years[0], years[-1]
        pivot = wide.pivot_table(index=["unit", "group"], columns="year", values="y")
        if first == last or first not in pivot or last not in pivot:
            notes.append({"year": None, "node": node, "measure": "beta",
                          "note": M("disparity.note.beta_years")})
            continue
        both = pivot[[first, last]].dropna()
        positive = (both > 0).all(axis=1)
        if not positive.all():
            dropped = [u for u, _ in both.index[~positive]]
            notes.append({"year": None, "node": node, "measure": "beta",
                          "note": M("disparity.note.beta_nonpositive", n=len(dropped),
                                    units=", ".join(dropped[:10]))})
        both = both[positive]
        scopes = [("all", both)] + [(g, part) for g, part in both.groupby(level="group")]
        for scope, part in scopes:
            try:
                reg, speed = beta_convergence(part[first].to_numpy(), part[last].to_numpy(),
                                              last - first)
                out.append({"node": node, "scope": scope, "test": "beta", **reg.to_dict(),
                            "speed": speed})
            except MethodError as exc:
                notes.append({"year": None, "node": node, "measure": f"beta ({scope})",
                              "note": exc.problem})
    return pd.DataFrame(out, columns=["node", "scope", "test", "slope", "se", "t", "p",
                                      "intercept", "r2", "n", "speed"])


def density_table(assessment: Assessment, nodes: list[str] | None = None) -> pd.DataFrame:
    """Gaussian kernel density of each node's scores per year on a common grid
    (:func:`evaluator.methods.density.gaussian_kde_1d`: SciPy's numbers)."""
    parts = []
    for node in nodes_of(assessment) if nodes is None else nodes:
        scores = assessment.scores[node]
        finite = scores[~np.isnan(scores)]
        if finite.size == 0:
            continue
        lo, hi = finite.min(), finite.max()
        pad = 0.1 * (hi - lo) if hi > lo else 1.0
        grid = np.linspace(lo - pad, hi + pad, GRID)
        for year in sorted(np.unique(assessment.years)):
            y = scores[(assessment.years == year) & ~np.isnan(scores)]
            if y.size < 2 or np.ptp(y) == 0:
                continue     # a density needs spread; the notes of the table say so
            parts.append(pd.DataFrame({"year": int(year), "node": node, "x": grid,
                                       "density": gaussian_kde_1d(y, grid)}))
    if not parts:
        return pd.DataFrame(columns=["year", "node", "x", "density"])
    return pd.concat(parts, ignore_index=True)


def write_disparity(tables: dict[str, pd.DataFrame], out: str | Path, *,
                    assessment=None) -> list[Path]:
    """Write the tables as CSV (UTF-8 with BOM) into ``out`` as one output set
    (:class:`~evaluator.output_set.OutputSet`, section ``disparity``: beside the scores
    of the same inputs, the folder's manifest.json stays the assessment's)."""
    from .output_set import OutputSet
    inputs = assessment.manifest["inputs"] if assessment is not None else {}
    with OutputSet(out, command="disparity", names=OUTPUTS, section="disparity",
                   inputs=[e.get("path") for e in inputs.values()]) as outputs:
        write_tables(outputs.folder, tables)
        outputs.manifest = {"inputs": inputs, "tables": sorted(tables)}
    return outputs.paths
