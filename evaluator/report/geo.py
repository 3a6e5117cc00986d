"""The units' shapes for the report's map (``--geo FILE``): a GeoJSON FeatureCollection
read from disk (no tiles, no network), each feature matched to a unit by its ``id`` or
by any of its properties whose value is a unit's name (or its ``unit_en`` / ``unit_zh``
name), then projected for an SVG.

Projection: equirectangular with the longitude scaled by the cosine of the map's middle
latitude (a plate carrée that keeps shapes near that latitude; adequate for a country or
a province, which is what evaluation maps show). Coordinates are longitude, latitude in
degrees (RFC 7946); a file that is not is refused with the reason.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from ..errors import DataError
from ..i18n import M
from ..io.infile import read_bounded

#: A GeoJSON of the units is read only up to this size (China's counties: ~60 MB).
MAX_GEOJSON_BYTES = 256 * 1024 * 1024

POLYGONS = {"Polygon": 1, "MultiPolygon": 2}
POINTS = {"Point": 0, "MultiPoint": 1}


@dataclass
class Shape:
    """One feature: its rings (arrays of lon, lat) or points, and the unit it is of."""

    index: int
    rings: list[np.ndarray] = field(default_factory=list)
    points: list[np.ndarray] = field(default_factory=list)
    unit: str | None = None
    label: str = ""


@dataclass
class GeoUnits:
    """The shapes of a GeoJSON file matched to the units: ``shapes`` in file order,
    ``unmatched_units`` (units of the year without a shape, in rank order) and
    ``unmatched_features`` (labels of features that are no unit)."""

    source: str
    shapes: list[Shape]
    unmatched_units: list[str]
    unmatched_features: list[str]


def read_geojson(path: str | Path) -> dict[str, Any]:
    """The parsed FeatureCollection of ``path`` (UTF-8, BOM allowed)."""
    path = Path(path)
    blob = read_bounded(path, DataError, limit=MAX_GEOJSON_BYTES)   # no device, no pipe
    try:
        text = blob.decode("utf-8-sig")
        data = json.loads(text)
    except OSError as exc:
        raise DataError(M("report.geo.unreadable", reason=exc.strerror or str(exc)),
                        where=str(path), fix=M("report.geo.fix")) from None
    except (UnicodeError, ValueError) as exc:
        raise DataError(M("report.geo.not_json", reason=str(exc)), where=str(path),
                        fix=M("report.geo.fix")) from None
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise DataError(M("report.geo.not_collection"), where=str(path),
                        fix=M("report.geo.fix"))
    return dict(data)


def _rings(geometry: Mapping[str, Any], where: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    kind = geometry.get("type") if isinstance(geometry, Mapping) else None
    coords = geometry.get("coordinates") if isinstance(geometry, Mapping) else None
    if kind == "GeometryCollection":
        rings, points = [], []
        for part in geometry.get("geometries") or []:
            r, p = _rings(part, where)
            rings += r
            points += p
        return rings, points
    if kind not in POLYGONS and kind not in POINTS:
        raise DataError(M("report.geo.geometry", kind=str(kind)), where=where,
                        fix=M("report.geo.fix"))
    try:
        if kind == "Polygon":
            parts = [np.asarray(r, float)[:, :2] for r in coords]
        elif kind == "MultiPolygon":
            parts = [np.asarray(r, float)[:, :2] for poly in coords for r in poly]
        elif kind == "Point":
            parts = [np.asarray([coords], float)[:, :2]]
        else:
            parts = [np.asarray(coords, float).reshape(-1, 2)[:, :2]]
    except (TypeError, ValueError, IndexError):
        raise DataError(M("report.geo.coordinates"), where=where,
                        fix=M("report.geo.fix")) from None
    for part in parts:
        if part.ndim != 2 or not np.isfinite(part).all() or (np.abs(part[:, 0]) > 180).any() \
                or (np.abs(part[:, 1]) > 90).any():
            raise DataError(M("report.geo.coordinates"), where=where, fix=M("report.geo.fix"))
    return (parts, []) if kind in POLYGONS else ([], parts)


def _candidates(feature: Mapping[str, Any]) -> list[str]:
    """The feature's id, then its property values that could name a unit."""
    out = []
    if feature.get("id") is not None:
        out.append(str(feature["id"]))
    props = feature.get("properties") or {}
    if isinstance(props, Mapping):
        out += [str(v) for v in props.values()
                if isinstance(v, (str, int)) and not isinstance(v, bool) and str(v).strip()]
    return [c.strip() for c in out]


def match_units(data: Mapping[str, Any], units: Iterable[str],
                aliases: Mapping[str, str] | None = None, *, source: str = "GeoJSON") -> GeoUnits:
    """Match each feature of ``data`` to a unit: its ``id``, or the first property whose
    value is a unit's name or alias (``aliases``: other name → unit). A unit named by two
    features is an error (which is it?)."""
    if not isinstance(data, Mapping) or data.get("type") != "FeatureCollection" \
            or not isinstance(data.get("features"), list):
        raise DataError(M("report.geo.not_collection"), where=source, fix=M("report.geo.fix"))
    units = [str(u) for u in units]
    known = {u: u for u in units}
    for other, unit in (aliases or {}).items():
        known.setdefault(str(other), str(unit))
    shapes: list[Shape] = []
    owner: dict[str, int] = {}
    for k, feature in enumerate(data.get("features") or []):
        where = f"{source}, features[{k}]"
        if not isinstance(feature, Mapping):
            raise DataError(M("report.geo.not_feature"), where=where, fix=M("report.geo.fix"))
        rings, points = _rings(feature.get("geometry"), where)
        names = _candidates(feature)
        unit = next((known[c] for c in names if c in known), None)
        if unit is not None and unit in owner:
            raise DataError(M("report.geo.twice", unit=unit, first=owner[unit]), where=where,
                            fix=M("report.geo.twice.fix"))
        if unit is not None:
            owner[unit] = k
        shapes.append(Shape(k, rings, points, unit, names[0] if names else f"#{k}"))
    return GeoUnits(source, shapes, [u for u in units if u not in owner],
                    [s.label for s in shapes if s.unit is None])


def project(shapes: list[Shape], width: float, height: float, pad: float = 6.0
            ) -> tuple[list[list[np.ndarray]], list[list[np.ndarray]], float]:
    """Pixel coordinates of every shape's rings and points within ``width`` and at most
    ``height`` (aspect kept), and the map's pixel height."""
    every = [part for s in shapes for part in s.rings + s.points]
    if not every:
        return [[] for _ in shapes], [[] for _ in shapes], 0.0
    allpts = np.concatenate(every)
    lon0, lon1 = allpts[:, 0].min(), allpts[:, 0].max()
    lat0, lat1 = allpts[:, 1].min(), allpts[:, 1].max()
    kx = math.cos(math.radians((lat0 + lat1) / 2))
    w = max((lon1 - lon0) * kx, 1e-9)
    h = max(lat1 - lat0, 1e-9)
    scale = min((width - 2 * pad) / w, (height - 2 * pad) / h)
    map_h = h * scale + 2 * pad
    left = pad + ((width - 2 * pad) - w * scale) / 2

    def px(part: np.ndarray) -> np.ndarray:
        x = left + (part[:, 0] - lon0) * kx * scale
        y = pad + (lat1 - part[:, 1]) * scale
        return np.column_stack([x, y])
    return ([[px(r) for r in s.rings] for s in shapes],
            [[px(p) for p in s.points] for s in shapes], float(map_h))


def simplify(ring: np.ndarray, tolerance: float = 0.4) -> np.ndarray:
    """Drop vertices closer than ``tolerance`` pixels to the last kept one (vectorised by
    rounding to a grid of that size, then removing consecutive repeats)."""
    if len(ring) < 4:
        return ring
    grid = np.round(ring / tolerance)
    keep = np.ones(len(ring), bool)
    keep[1:] = (np.diff(grid, axis=0) != 0).any(axis=1)
    keep[-1] = True
    return ring[keep]
