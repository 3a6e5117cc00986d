"""The sensitivity run behind the robustness section: reading ``rank_intervals.csv`` and
the ``sensitivity.json`` beside it, checking that the run belongs to the assessment being
reported, and recording where it came from (path, SHA-256, seed, samples, what was varied)
so that a reader can trace the rank intervals like every other number of the report.

A run belongs to the assessment when its units and years are the assessment's, its
framework id is the assessment's and, for every unit-year, its nominal rank (the rank
under the recipe before anything was varied) equals the assessment's rank. A nominal rank
that differs means the run scored with another recipe or other data: its intervals would
describe another ranking.
"""
from __future__ import annotations

import hashlib
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataError
from ..i18n import M
from ..io.infile import check_regular

#: rank_intervals.csv is read only up to this size (one row per unit and year).
MAX_INTERVALS_BYTES = 512 * 1024 * 1024

SUMMARY_FILE = "sensitivity.json"
RERUN = ("re-run `evaluator sensitivity` with the same framework, data and recipe, and pass "
         "the rank_intervals.csv it writes")
RANK_TOLERANCE = 1e-9


@dataclass(frozen=True)
class IntervalSource:
    """Where the rank intervals came from: ``path`` and ``sha256`` of rank_intervals.csv
    (None when the table was passed in memory), and of the sensitivity.json beside it."""

    path: str | None = None
    sha256: str | None = None
    summary_path: str | None = None
    summary_sha256: str | None = None

    @property
    def where(self) -> str:
        return self.path or "rank intervals"

    @property
    def summary_where(self) -> str:
        return self.summary_path or "sensitivity summary"


def read_intervals(path: str | Path) -> tuple[pd.DataFrame, dict | None, IntervalSource]:
    """``rank_intervals.csv`` as a table (units as text), the ``sensitivity.json`` beside
    it (None when there is none) and their paths and SHA-256 (of the bytes parsed)."""
    path = Path(path)
    where = str(path)
    fix = M("intervals.pass_file.fix")
    check_regular(path, DataError, limit=MAX_INTERVALS_BYTES)   # no device, no pipe
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise DataError(M("intervals.cannot_read_rank_intervals", value=exc.strerror or exc), where=where,
                        fix=fix) from None
    try:
        frame = pd.read_csv(io.BytesIO(blob), encoding="utf-8-sig", dtype={"unit": str})
    except (ValueError, pd.errors.ParserError, UnicodeError) as exc:
        raise DataError(M("intervals.cannot_read_rank_intervals_2", exc=exc), where=where,
                        fix=fix) from None
    summary, summary_path, summary_sha = None, None, None
    beside = path.with_name(SUMMARY_FILE)
    if beside.is_file():
        summary_path = str(beside)
        try:
            raw = beside.read_bytes()
            summary = json.loads(raw.decode("utf-8"))
        except (OSError, ValueError) as exc:
            raise DataError(M("intervals.cannot_read_sensitivity_summary", exc=exc), where=summary_path,
                            fix=M("intervals.cannot_read_sensitivity_summary.fix")) from None
        if not isinstance(summary, dict):
            raise DataError(M("intervals.sensitivity_summary_not_json"), where=summary_path,
                            fix=M("intervals.sensitivity_summary_not_json.fix"))
        summary_sha = hashlib.sha256(raw).hexdigest()
    source = IntervalSource(where, hashlib.sha256(blob).hexdigest(), summary_path, summary_sha)
    return frame, summary, source


def match_units(units: pd.Series, known) -> pd.Series:
    """Units as the assessment names them: a CSV cell neutralised on writing (a leading
    ' before = + - @) is matched back to its unit."""
    names = set(pd.Series(known).astype(str))
    return units.map(lambda u: u[1:] if u not in names and u.startswith("'")
                     and u[1:] in names else u)


def check_belongs(intervals: pd.DataFrame, assessment, summary: dict | None,
                  source: IntervalSource) -> None:
    """Refuse rank intervals of another assessment (see the module docstring): the first
    problem found is a :class:`DataError` naming the file and, for a rank that differs,
    the unit and year."""
    where = source.where
    rankings = assessment.rankings
    known_units = set(rankings["unit"].astype(str))
    known_years = sorted({int(y) for y in rankings["year"]})
    units = intervals["unit"].astype(str)
    stranger = units[~units.isin(known_units)]
    if len(stranger):
        raise DataError(M("intervals.unit_rank_intervals_not", iloc=stranger.iloc[0], n_unique=len(stranger.unique())),
                        where=where, fix=RERUN)
    years = intervals["year"]
    if years.isna().any() or (years != np.round(years)).any():
        raise DataError(M("intervals.rank_intervals_have_year"),
                        where=where, fix=RERUN)
    alien = sorted({int(y) for y in years} - set(known_years))
    if alien:
        raise DataError(M("intervals.year_rank_intervals_not", alien=alien[0], map=', '.join(map(str, known_years))),
                        where=where, fix=RERUN)
    keys = pd.DataFrame({"unit": units, "year": years.astype(int)})
    twice = keys.duplicated()
    if twice.any():
        k = int(np.flatnonzero(twice.to_numpy())[0])
        raise DataError(M("intervals.unit_appears_twice", iloc=keys['unit'].iloc[k], iloc2=keys['year'].iloc[k]), where=M("intervals.unit_appears_twice.where", where=where, value=k + 2), fix=RERUN)
    if summary is not None:
        fid = summary.get("framework")
        if fid is not None and str(fid) != assessment.framework.id:
            raise DataError(M("intervals.sensitivity_run_was_framework", fid=str(fid), id=assessment.framework.id),
                            where=source.summary_where, fix=RERUN)
    _check_nominal_ranks(keys, intervals["nominal_rank"], rankings, where)


def _check_nominal_ranks(keys: pd.DataFrame, nominal: pd.Series, rankings: pd.DataFrame,
                         where: str) -> None:
    ours = pd.DataFrame({"unit": rankings["unit"].astype(str),
                         "year": rankings["year"].astype(int),
                         "_ours": pd.to_numeric(rankings["rank"], errors="coerce")
                         .astype(float)})
    merged = keys.assign(_theirs=pd.to_numeric(nominal, errors="coerce").astype(float)) \
        .merge(ours, on=["unit", "year"], how="left", indicator=True, sort=False)
    theirs, mine = merged["_theirs"].to_numpy(), merged["_ours"].to_numpy()
    missing = (merged["_merge"] == "left_only").to_numpy()
    with np.errstate(invalid="ignore"):
        same = (np.isnan(theirs) & np.isnan(mine)) | (np.abs(theirs - mine) <= RANK_TOLERANCE)
    bad = missing | ~same
    if not bad.any():
        return
    k = int(np.flatnonzero(bad)[0])
    unit, year = merged["unit"].iloc[k], int(merged["year"].iloc[k])
    if missing[k]:
        raise DataError(M("intervals.unit_has_no_row", unit=unit, year=year),
                        where=where, fix=RERUN)
    raise DataError(M("intervals.nominal_rank_unit_rank", unit=unit, year=year, rank=_rank(theirs[k]), rank2=_rank(mine[k]), sum=int(bad.sum())), where=where, fix=RERUN)


def _rank(v: float) -> str:
    return "none (unranked)" if not np.isfinite(v) else f"{v:g}"


_PERTURB = re.compile(r"^weights × U\(([^,]+), ([^)]+)\)$")
_DIRICHLET = re.compile(r"^weights ~ Dirichlet\((\S+) × nominal\)$")
_METHOD_SECTION = {"weight_methods": "weights", "normalise": "normalise",
                   "aggregate": "aggregate", "impute": "impute"}


def varied_label(label: str, t) -> str:
    """One entry of sensitivity.json's ``varied_labels`` (written by
    :func:`evaluator.sensitivity.analyse.run_summary`: ``weights × U(0.8, 1.2)``,
    ``normalise: min_max, z_score``) in the report's language: the factor by its name,
    each method by the report's name for it; ids and numbers stay as they are."""
    label = str(label)
    if m := _PERTURB.match(label):
        return t("robustness.varied.perturb", lo=m.group(1), hi=m.group(2))
    if m := _DIRICHLET.match(label):
        return t("robustness.varied.dirichlet", c=m.group(1))
    name, sep, rest = label.partition(": ")
    if not sep or not t.has(f"robustness.factor.{name}"):
        return label
    section = _METHOD_SECTION.get(name)
    choices = [t(f"method.{section}.{c}") if section and t.has(f"method.{section}.{c}")
               else c for c in rest.split(", ")]
    return t("robustness.varied.factor", name=t(f"robustness.factor.{name}"),
             choices=t("list.sep").join(choices))


def varied_text(summary: dict, t) -> list[str]:
    return [varied_label(v, t) for v in summary.get("varied_labels") or []]


def provenance(bundle) -> dict[str, Any] | None:
    """What the report shows about the run (None without intervals): the file, its
    SHA-256, the sensitivity.json beside it, the run's seed, samples, scenarios and what
    was varied — plain text, "–" for what the run did not record."""
    source: IntervalSource | None = bundle.interval_source
    if source is None:
        return None
    s, t = bundle.sensitivity, bundle.t
    unknown = t("not_recorded")

    def shown(key: str) -> str:
        v = s.get(key)
        return unknown if v is None or v == "" else str(v)
    design = s.get("design")
    file = (t("robustness.file", path=source.path, sha=source.sha256[:12])
            if source.path and source.sha256 else t("robustness.in_memory"))
    return {"path": source.path or t("robustness.in_memory"),
            "sha256": source.sha256 or unknown, "file": file,
            "summary_path": source.summary_path, "summary_sha256": source.summary_sha256,
            "seed": shown("seed"), "samples": shown("samples"),
            "scenarios": shown("scenarios"),
            "design": t(f"design.{design}") if t.has(f"design.{design}") else shown("design"),
            "varied": t("list.semicolon").join(varied_text(s, t)) or unknown,
            "version": shown("version")}


__all__ = ["IntervalSource", "read_intervals", "check_belongs", "match_units", "provenance"]
