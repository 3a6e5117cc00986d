"""Deterministic generator of the demo panel shipped as ``indicator_sets/demo_panel.csv``.

SYNTHETIC DEMO DATA. Every value is invented by this generator; the units 示例市001 …
示例市262 ("Demo City 001" …) are no real cities and the numbers describe no real place.
The panel exists so that ``evaluator demo``, the tutorials and the tests have data of a
realistic shape: 262 cities in the proportions of the national plan for resource-based
cities 2013-2020 (31 growing, 141 mature, 67 declining, 23 regenerating), the years
2016-2025, every indicator of ``resource_city_transition.yaml`` plus the extra ones of
``policy_effect.yaml``, and a ``population`` column (thousands) for the denominated
indicator.

How values are made (all vectorised, one ``numpy.random.default_rng(seed)``):

* each city gets a latent *development* factor (richer, more innovative) and a latent
  *resource dependence* factor, both shifted by its group (regenerating cities are more
  developed and less dependent, declining ones less developed);
* each indicator is a latent score = its level moving linearly from a 2016 to a 2025
  mean + loadings on the two factors + a group offset + a persistent city effect + a
  city-specific trend + yearly noise; shares are mapped through a logistic curve onto
  their goalposts (so they never leave them), positive quantities through ``exp``;
* a few indicators are built from others so that they relate as they do in reality
  (CO₂ intensity = energy intensity × a carbon factor; good-air days fall with PM2.5;
  the doctor count = doctors per 1,000 × population);
* ten cells are replaced by extreme but admissible values (listed in
  ``frame.attrs["planted_outliers"]``) and exactly 3% of the indicator cells are blanked
  at random, never the planted outliers nor the base-year values that the frameworks'
  relative targets read (energy intensity in 2025), so every target resolves.

The same seed gives a byte-identical CSV (:func:`demo_panel_csv`).

Usage: ``python -m evaluator.demo_panel [--out PATH] [--seed N]`` (stdout without
``--out``).
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from .model.yamlfile import read_yaml

from evaluator import resources
from evaluator.errors import DataError, FrameworkError
from .i18n import M

DEFAULT_SEED = 2024
YEARS = np.arange(2016, 2026)
# National plan for resource-based cities (2013-2020): 262 cities in four types.
GROUP_COUNTS = {"growing": 31, "mature": 141, "declining": 67, "regenerating": 23}
# Group means of the latent (development, resource dependence) factors.
GROUP_FACTORS = {
    "growing": (-0.3, 0.6),
    "mature": (0.0, 0.5),
    "declining": (-0.4, 0.0),
    "regenerating": (0.7, -0.9),
}
MISSING_SHARE = 0.03
N_OUTLIERS = 10
OUTLIER_SDS = 6.0
PRIMARY_FRAMEWORK = "resource_city_transition.yaml"
SECONDARY_FRAMEWORK = "policy_effect.yaml"


@dataclass(frozen=True)
class Spec:
    """How one indicator is simulated, in its latent scale.

    ``kind``: ``logit`` (share mapped onto ``bounds`` by a logistic curve), ``log``
    (positive, value = exp(latent)) or ``linear`` (value = latent, clipped to ``bounds``).
    ``start``/``end``: typical raw values in 2016 and 2025. ``dev``/``res``: loadings on
    the development and resource-dependence factors; ``city``/``slope``/``noise``:
    standard deviations of the persistent city effect, the city-specific change over the
    decade and the yearly noise — all in latent units. ``bounds`` default to (0, 100)
    for shares and to no limit otherwise.
    """

    @property
    def limits(self) -> tuple[float, float]:
        if self.bounds is not None:
            return self.bounds
        return (0.0, 100.0) if self.kind == "logit" else (-np.inf, np.inf)

    kind: str
    start: float
    end: float
    dev: float = 0.0
    res: float = 0.0
    city: float = 0.2
    slope: float = 0.1
    noise: float = 0.05
    decimals: int = 2
    bounds: tuple[float, float] | None = None
    group: dict[str, float] = field(default_factory=dict)
    shocks: dict[int, float] = field(default_factory=dict)


S = Spec
SPECS: dict[str, Spec] = {
    # structural upgrading
    "non_resource_share": S("logit", 33, 47, dev=0.25, res=-0.45, city=0.25, slope=0.15, noise=0.06),
    "mining_share": S("logit", 13, 9, dev=-0.25, res=0.7, city=0.35, slope=0.15, noise=0.08),
    "tertiary_share": S("logit", 38, 48, dev=0.2, res=-0.2, city=0.2, slope=0.1, noise=0.04),
    "strategic_emerging_share": S("logit", 10, 20, dev=0.3, res=-0.15, city=0.35, slope=0.2, noise=0.08),
    "rd_intensity": S("log", 0.9, 1.4, dev=0.45, res=-0.15, city=0.3, slope=0.12, noise=0.07,
                      bounds=(0.0, 10.0)),
    "labour_productivity": S("log", 8, 13, dev=0.3, res=0.05, city=0.2, slope=0.08, noise=0.04),
    "gdp_per_capita_rel": S("log", 85, 83, dev=0.35, res=0.05, city=0.2, slope=0.08, noise=0.03,
                            decimals=1, group={"declining": -0.08}),
    "fiscal_self_sufficiency": S("logit", 42, 36, dev=0.35, res=0.1, city=0.3, slope=0.1, noise=0.06,
                                 group={"declining": -0.35}),
    "traditional_industry_share": S("logit", 50, 40, dev=-0.2, res=0.45, city=0.3, slope=0.15, noise=0.06),
    "invention_patents_per_10k": S("log", 2, 6, dev=0.6, res=-0.1, city=0.35, slope=0.15, noise=0.08),
    # ecological greening
    "energy_intensity": S("log", 1.0, 0.72, dev=-0.2, res=0.35, city=0.25, slope=0.08, noise=0.04,
                          decimals=3),
    # carbon factor (t CO2 per tce); multiplied by energy intensity below
    "co2_intensity": S("log", 2.45, 2.2, res=0.06, city=0.08, slope=0.04, noise=0.03, decimals=3),
    "pm25": S("log", 55, 33, dev=-0.05, res=0.15, city=0.3, slope=0.08, noise=0.07, decimals=1),
    # residual on the logit scale; the PM2.5 term is added below
    "good_air_days_share": S("logit", 75, 75, city=0.25, slope=0.05, noise=0.1, decimals=1),
    "mine_reclamation_rate": S("logit", 28, 44, dev=0.2, res=-0.1, city=0.35, slope=0.2, noise=0.08,
                               group={"regenerating": 0.3}),
    "solid_waste_utilisation": S("logit", 55, 66, dev=0.2, res=-0.1, city=0.45, slope=0.15, noise=0.1),
    "green_coverage": S("logit", 38, 42, dev=0.1, city=0.12, slope=0.05, noise=0.03),
    "non_fossil_power_share": S("logit", 15, 30, dev=0.05, res=-0.3, city=0.6, slope=0.25, noise=0.1),
    "sewage_treatment_rate": S("logit", 90, 97, dev=0.25, city=0.4, slope=0.2, noise=0.12),
    "water_use_intensity": S("log", 85, 52, dev=-0.3, res=0.05, city=0.4, slope=0.08, noise=0.05,
                             decimals=1),
    # livelihood
    "urban_income_rel": S("log", 90, 85, dev=0.18, city=0.08, slope=0.03, noise=0.015, decimals=1,
                          group={"declining": -0.05}),
    "urban_rural_income_ratio": S("log", 2.45, 2.15, dev=-0.04, city=0.1, slope=0.03, noise=0.02),
    "unemployment_rate": S("log", 3.4, 3.0, dev=-0.12, city=0.2, slope=0.08, noise=0.07,
                           group={"declining": 0.3}),
    # doctors per 1,000 people; turned into a count with the population below
    "licensed_doctors": S("log", 2.2, 3.0, dev=0.15, city=0.15, slope=0.05, noise=0.03, decimals=0),
    "hospital_beds_per_1000": S("log", 5.0, 6.6, dev=0.1, city=0.15, slope=0.05, noise=0.03),
    "pension_coverage": S("logit", 82, 92, dev=0.2, city=0.4, slope=0.15, noise=0.08,
                          group={"declining": 0.3}),
    "education_spending_share": S("logit", 16, 15.5, res=-0.05, city=0.15, slope=0.05, noise=0.05),
    "medical_resource_coverage": S("logit", 70, 84, dev=0.25, city=0.35, slope=0.15, noise=0.08),
    "education_resource_coverage": S("logit", 68, 85, dev=0.25, city=0.35, slope=0.15, noise=0.08),
    "employment_growth": S("linear", 0.8, 0.3, dev=0.6, city=0.8, slope=0.5, noise=1.5,
                           bounds=(-15, 15), group={"declining": -1.2}, shocks={2020: -2.0}),
    # policy_effect extras
    "new_energy_capacity_growth": S("linear", 12, 24, res=2.0, city=6, slope=4, noise=8, decimals=1,
                                    bounds=(-20, 120)),
    "public_satisfaction": S("logit", 74, 82, dev=0.15, city=0.2, slope=0.1, noise=0.08, decimals=1),
}
del S

# Good-air days fall with PM2.5: logit(share) decreases by this much per unit of ln(PM2.5).
GOOD_AIR_PER_LOG_PM25 = 1.4


def builtin_dir() -> Path:
    """The folder of built-in frameworks: package data when installed, else the repo's."""
    folder = resources.indicator_sets_dir()
    if not (folder / PRIMARY_FRAMEWORK).is_file():
        raise FrameworkError(
            M("demo_panel.built_framework_folder_not", PRIMARY_FRAMEWORK=PRIMARY_FRAMEWORK),
            where=str(folder),
            fix=M("demo_panel.built_framework_folder_not.fix"))
    return folder


def demo_indicator_ids(folder: Path | None = None) -> list[str]:
    """Indicator ids of the demo panel: resource_city_transition's, then policy_effect's extras."""
    folder = builtin_dir() if folder is None else folder
    ids: list[str] = []
    for name in (PRIMARY_FRAMEWORK, SECONDARY_FRAMEWORK):
        framework = read_yaml(folder / name)
        ids += [ind["id"] for ind in framework["indicators"] if ind["id"] not in ids]
    unknown = [i for i in ids if i not in SPECS]
    if unknown:
        raise FrameworkError(
            M("demo_panel.no_demo_data_recipe", unknown=', '.join(unknown)),
            where=str(folder),
            fix=M("demo_panel.no_demo_data_recipe.fix"),
        )
    return ids


def target_base_cells(folder: Path | None = None) -> set[tuple[str, int]]:
    """(indicator, year) of every base value a relative target of the two frameworks reads
    (``{change: c, from: Y}``, group overrides too): never blanked, so every target of
    the built-in frameworks resolves on the demo panel and a demo run warns of nothing."""
    folder = builtin_dir() if folder is None else folder
    cells: set[tuple[str, int]] = set()

    def visit(indicator: str, targets) -> None:
        for spec in (targets or {}).values():
            if isinstance(spec, dict) and "from" in spec:
                cells.add((indicator, int(spec["from"])))

    for name in (PRIMARY_FRAMEWORK, SECONDARY_FRAMEWORK):
        framework = read_yaml(folder / name)
        for ind in framework["indicators"]:
            visit(ind["id"], ind.get("targets"))
        for group in (framework.get("groups") or {}).values():
            for indicator, targets in ((group or {}).get("targets") or {}).items():
                visit(indicator, targets)
    return cells


def _to_latent(spec: Spec, value: float) -> float:
    if spec.kind == "logit":
        lo, hi = spec.limits
        p = (value - lo) / (hi - lo)
        return float(np.log(p / (1 - p)))
    if spec.kind == "log":
        return float(np.log(value))
    return float(value)


def _from_latent(latent: np.ndarray, kinds: np.ndarray, lows: np.ndarray, highs: np.ndarray) -> np.ndarray:
    """Map latent scores (rows × indicators) to raw values, column kind by column kind."""
    values = np.empty_like(latent)
    logit, log = kinds == "logit", kinds == "log"
    linear = ~(logit | log)
    values[:, logit] = lows[logit] + (highs[logit] - lows[logit]) / (1 + np.exp(-latent[:, logit]))
    values[:, log] = np.clip(np.exp(latent[:, log]), lows[log], highs[log])
    values[:, linear] = np.clip(latent[:, linear], lows[linear], highs[linear])
    return values


def generate_demo_panel(seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """Synthetic demo panel (invented values, no real city): 262 cities × 2016-2025.

    Columns: ``unit, unit_en, year, group, population`` (thousands), then every indicator
    of resource_city_transition and the extra indicators of policy_effect. The positions
    of the planted outliers are in ``frame.attrs["planted_outliers"]``.
    """
    ids = demo_indicator_ids()
    specs = [SPECS[i] for i in ids]
    col = {name: j for j, name in enumerate(ids)}
    rng = np.random.default_rng(seed)
    groups = list(GROUP_COUNTS)
    n_cities, n_years, m = sum(GROUP_COUNTS.values()), len(YEARS), len(ids)

    city_group = rng.permutation(np.repeat(np.arange(len(groups)), list(GROUP_COUNTS.values())))
    # factors centred on the plan's mix of types, so `start`/`end` stay the typical levels
    group_means = np.array([GROUP_FACTORS[g] for g in groups])
    group_means -= np.average(group_means, axis=0, weights=list(GROUP_COUNTS.values()))
    development = group_means[city_group, 0] + rng.standard_normal(n_cities)
    dependence = group_means[city_group, 1] + 0.6 * rng.standard_normal(n_cities)

    start = np.array([_to_latent(s, s.start) for s in specs])
    end = np.array([_to_latent(s, s.end) for s in specs])
    dev_load, res_load = np.array([s.dev for s in specs]), np.array([s.res for s in specs])
    city_sd, slope_sd = np.array([s.city for s in specs]), np.array([s.slope for s in specs])
    noise_sd = np.array([s.noise for s in specs])
    group_offset = np.array([[s.group.get(g, 0.0) for s in specs] for g in groups])
    shocks = np.array([[s.shocks.get(int(y), 0.0) for s in specs] for y in YEARS])

    # rows ordered city-major: row = city * n_years + year index
    city_of_row = np.repeat(np.arange(n_cities), n_years)
    year_of_row = np.tile(np.arange(n_years), n_cities)
    time = (year_of_row / (n_years - 1))[:, None]
    city_effect = rng.standard_normal((n_cities, m)) * city_sd
    city_slope = rng.standard_normal((n_cities, m)) * slope_sd
    latent = (
        start + (end - start) * time
        + np.outer(development[city_of_row], dev_load)
        + np.outer(dependence[city_of_row], res_load)
        + group_offset[city_group[city_of_row]]
        + city_effect[city_of_row] + city_slope[city_of_row] * time
        + shocks[year_of_row]
        + rng.standard_normal((n_cities * n_years, m)) * noise_sd
    )
    # good-air days depend on this year's PM2.5 (centred on the first year's typical level)
    latent[:, col["good_air_days_share"]] -= GOOD_AIR_PER_LOG_PM25 * (
        latent[:, col["pm25"]] - start[col["pm25"]]
    )

    outliers = _plant_outliers(latent, specs, rng)
    kinds = np.array([s.kind for s in specs])
    lows, highs = np.array([s.limits[0] for s in specs]), np.array([s.limits[1] for s in specs])
    values = _from_latent(latent, kinds, lows, highs)

    population = _population(rng, development, city_group, groups, n_years)
    values[:, col["co2_intensity"]] *= values[:, col["energy_intensity"]]
    values[:, col["licensed_doctors"]] *= population

    protected = np.zeros(values.shape, dtype=bool)
    protected[tuple(np.array(outliers).T)] = True
    for indicator, year in sorted(target_base_cells()):
        if indicator in col:
            protected[YEARS[year_of_row] == year, col[indicator]] = True
    missing = _missing_mask(rng, protected)
    for j, spec in enumerate(specs):
        values[:, j] = np.round(values[:, j], spec.decimals)
    values[missing] = np.nan

    number = pd.Series(city_of_row + 1).astype(str).str.zfill(3)
    frame = pd.DataFrame({
        "unit": "示例市" + number,
        "unit_en": "Demo City " + number,
        "year": YEARS[year_of_row],
        "group": np.array(groups)[city_group[city_of_row]],
        "population": population,
    })
    frame = pd.concat([frame, pd.DataFrame(values, columns=ids)], axis=1)
    frame["licensed_doctors"] = frame["licensed_doctors"].astype("Int64")
    frame.attrs["planted_outliers"] = [
        {"unit": frame.at[r, "unit"], "year": int(frame.at[r, "year"]), "indicator": ids[j]}
        for r, j in outliers
    ]
    return frame


def _population(rng: np.random.Generator, development: np.ndarray, city_group: np.ndarray,
                groups: list[str], n_years: int) -> np.ndarray:
    """Resident population in thousands: declining cities shrink, the others grow slowly."""
    n_cities = development.size
    base = np.log(1500) + 0.15 * development + 0.6 * rng.standard_normal(n_cities)
    growth = np.where(city_group == groups.index("declining"), -0.008, 0.003)
    growth = growth + 0.003 * rng.standard_normal(n_cities)
    years = np.arange(n_years)
    log_pop = base[:, None] + growth[:, None] * years + 0.002 * rng.standard_normal((n_cities, n_years))
    return np.round(np.clip(np.exp(log_pop), 50, 30000), 1).ravel()


def _plant_outliers(latent: np.ndarray, specs: list[Spec], rng: np.random.Generator) -> list[tuple[int, int]]:
    """Move N_OUTLIERS cells to OUTLIER_SDS latent standard deviations from their column mean.

    The move goes towards the side with more room (shares above one half go down), so
    the raw value is extreme yet still inside the indicator's bounds.
    """
    n_rows, m = latent.shape
    cols = np.sort(rng.choice(m, size=N_OUTLIERS, replace=False))   # ten different indicators
    rows = rng.choice(n_rows, size=N_OUTLIERS, replace=False)
    centre, spread = latent.mean(axis=0), latent.std(axis=0)
    kinds = np.array([s.kind for s in specs])
    random_sign = np.where(rng.random(N_OUTLIERS) < 0.5, -1.0, 1.0)
    sign = np.select(
        [kinds[cols] == "logit", kinds[cols] == "log"],
        [np.where(centre[cols] > 0, -1.0, 1.0), 1.0],
        random_sign,
    )
    latent[rows, cols] = centre[cols] + sign * OUTLIER_SDS * spread[cols]
    return [(int(r), int(c)) for r, c in zip(rows, cols)]


def _missing_mask(rng: np.random.Generator, protected: np.ndarray) -> np.ndarray:
    """Exactly round(MISSING_SHARE × cells) cells, uniformly at random, never a
    ``protected`` cell (the planted outliers and the base values of relative targets)."""
    shape, n_cells = protected.shape, protected.size
    candidates = np.flatnonzero(~protected.ravel())
    chosen = rng.choice(candidates, size=int(round(MISSING_SHARE * n_cells)), replace=False)
    mask = np.zeros(n_cells, dtype=bool)
    mask[chosen] = True
    return mask.reshape(shape)


def demo_panel_csv(seed: int = DEFAULT_SEED) -> bytes:
    """The demo panel as UTF-8 CSV bytes (``\\n`` line ends, empty cells for missing)."""
    text = generate_demo_panel(seed).to_csv(index=False, lineterminator="\n")
    return text.encode("utf-8")


def write_demo_panel(path: str | os.PathLike[str], seed: int = DEFAULT_SEED) -> Path:
    """Write the demo panel to ``path`` through a temporary file renamed into place."""
    target = Path(path)
    if not target.parent.is_dir():
        raise DataError(M("demo_panel.output_folder_does_not"), where=str(target.parent),
                        fix=M("demo_panel.output_folder_does_not.fix"))
    payload = demo_panel_csv(seed)
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(payload)
        os.chmod(temporary, 0o644)   # mkstemp creates 0600; a data file should be readable
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m evaluator.demo_panel",
        description="Write the synthetic demo panel (invented data, no real city) as CSV.",
        epilog="example: python -m evaluator.demo_panel --out indicator_sets/demo_panel.csv",
    )
    parser.add_argument("--out", help="output CSV path (default: standard output)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    args = parser.parse_args(argv)
    try:
        if args.out:
            write_demo_panel(args.out, args.seed)
        else:
            sys.stdout.buffer.write(demo_panel_csv(args.seed))
    except (DataError, FrameworkError) as error:
        print(f"error: {error}", file=sys.stderr)
        return error.exit_code
    return 0


if __name__ == "__main__":
    sys.exit(main())
