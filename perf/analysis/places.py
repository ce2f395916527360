"""Localities: the same measure across wards as small multiples, rates per 1,000 residents, profiles.

Areas are compared side by side, each against its own limits, never ranked in a league table:
a ward's number is only interesting against that ward's own variation.
"""

from __future__ import annotations

from typing import cast

import duckdb
import numpy as np
import pandas as pd

from perf import periods, spc, store

AGE_BANDS = {"population_0_15": "Aged 0–15", "population_16_64": "Aged 16–64", "population_65_plus": "Aged 65+"}


def demographics(con: duckdb.DuckDBPyConnection, locality_id: str, year: int | None = None) -> pd.DataFrame:
    """Indicators (population by age band, households, deprivation decile) for each ward under a place."""
    return store.query(con, "demographics", {"locality_id": locality_id, "year": year})


def population(demo: pd.DataFrame, *, by: str = "locality_id") -> pd.Series:
    """Residents per ward (or per parent locality with ``by='parent_id'``)."""
    pop = demo[demo["indicator"] == "population_total"]
    return pop.groupby(by)["value"].sum()


def profile(demo: pd.DataFrame) -> pd.DataFrame:
    """A place's age profile and households, summed over its wards, with shares of residents."""
    totals = demo.groupby("indicator")["value"].sum()
    rows = [(label, float(totals.get(key, np.nan))) for key, label in AGE_BANDS.items()]
    out = pd.DataFrame(rows, columns=["group", "residents"])
    out["share"] = out["residents"] / out["residents"].sum()
    return out


def per_thousand(values: pd.DataFrame, residents: pd.Series, *, key: str = "locality_id") -> pd.Series:
    """Each row's value per 1,000 residents of its area (counts only: rates of rates mean nothing)."""
    pop = values[key].map(residents)
    return 1000.0 * values["value"] / pop.replace(0, np.nan)


def small_multiples(
    values: pd.DataFrame,
    *,
    improvement: spc.Improvement = "neutral",
    value_column: str = "value",
    key: str = "locality_id",
) -> pd.DataFrame:
    """An XmR chart per area, stacked: each area's points with its own centre line and limits."""
    parts = []
    for area, group in values.sort_values([key, "period_start"]).groupby(key, sort=False):
        chart = spc.xmr(group[value_column].astype(float).to_numpy(), improvement=improvement)
        pts = chart.points[["value", "centre", "lower", "upper", "signal", "point_type"]].copy()
        pts.index = group.index
        pts[key] = area
        pts["locality_name"] = group["locality_name"]
        pts["period_start"] = group["period_start"]
        parts.append(pts)
    if not parts:
        return pd.DataFrame(
            columns=[key, "locality_name", "period_start", "value", "centre", "lower", "upper", "signal", "point_type"]
        )
    return pd.concat(parts, ignore_index=True)


def latest_by_area(values: pd.DataFrame, *, periods: int = 1, key: str = "locality_id") -> pd.DataFrame:
    """Each area's value over its latest ``periods`` periods (summed), for the map."""
    recent = values.sort_values("period_start").groupby(key).tail(periods)
    # reset_index rather than as_index=False: the same frame, and pandas-stubs types it as one
    out = recent.groupby([key, "locality_name"])["value"].sum().reset_index()
    # a period left blank (a hidden small count) blanks the total: the total less the others would give it back
    blank = recent["value"].isna().groupby([recent[key], recent["locality_name"]]).any().reset_index(drop=True)
    out["value"] = out["value"].mask(blank.to_numpy())
    out["periods"] = periods
    return out


def reaggregate_areas(
    values: pd.DataFrame,
    *,
    frequency: str,
    granularity: str,
    aggregation: str,
    year_start: str = "financial",
    key: str = "locality_id",
) -> pd.DataFrame:
    """Each area's series rolled up to a coarser period, the same way as a single measure."""
    parts = []
    cols = ["period_start", "value", "numerator", "denominator"] + (["suppressed"] if "suppressed" in values else [])
    for (area, name), group in values.groupby([key, "locality_name"], sort=False):
        # perf.periods.reaggregate: a quarter holding a hidden month is hidden too
        rolled = periods.reaggregate(
            group[cols],
            frequency=frequency,
            granularity=cast(periods.Granularity, granularity),
            aggregation=aggregation,
            year_start=cast(periods.YearStart, year_start),
        )
        # pandas-stubs types group keys as Hashable, which its assign() refuses (it refuses its own
        # scalars too); assign broadcasts any scalar label
        parts.append(rolled.assign(**{key: area, "locality_name": name}))  # type: ignore[arg-type]
    if not parts:
        return values.iloc[0:0]
    return pd.concat(parts, ignore_index=True)
