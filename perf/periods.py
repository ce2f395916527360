"""Time: re-aggregating a measure to a coarser period, calendar or financial (April–March) years.

Councils report monthly to managers, quarterly to Overview & Scrutiny and by financial year to
Cabinet; the same weekly figures must roll up the same way everywhere.
"""

from __future__ import annotations

from typing import Literal

import numpy as np
import pandas as pd

Granularity = Literal["week", "month", "quarter", "year"]
YearStart = Literal["calendar", "financial"]
ORDER: dict[str, int] = {"week": 0, "month": 1, "quarter": 2, "year": 3}
EXPECTED_PARTS: dict[tuple[str, str], float] = {
    # how many source periods make a full target period (weeks counted by their Monday)
    ("week", "month"): 4, ("week", "quarter"): 13, ("week", "year"): 52,
    ("month", "quarter"): 3, ("month", "year"): 12, ("quarter", "year"): 4,
}


def choices(frequency: str) -> list[str]:
    """The granularities a measure recorded at ``frequency`` can be shown at (never finer)."""
    return [g for g in ORDER if ORDER[g] >= ORDER[frequency]]


def period_start(dates: pd.Series, granularity: Granularity, year_start: YearStart = "financial") -> pd.Series:
    """The first day of the period each date falls in."""
    stamps = pd.to_datetime(pd.Series(dates))
    if granularity == "week":
        return (stamps - pd.to_timedelta(stamps.dt.weekday, unit="D")).dt.normalize()
    if granularity == "month":
        return stamps.dt.to_period("M").dt.start_time
    if granularity == "quarter":
        return stamps.dt.to_period("Q").dt.start_time  # Apr-Jun is Q1 of a financial year: same blocks
    years = stamps.dt.year - ((stamps.dt.month < 4) if year_start == "financial" else 0)
    month = 4 if year_start == "financial" else 1
    return pd.to_datetime(pd.DataFrame({"year": years, "month": month, "day": 1}))


def reaggregate(
    frame: pd.DataFrame,
    *,
    frequency: str,
    granularity: Granularity,
    aggregation: str,
    year_start: YearStart = "financial",
    keep_partial: bool = False,
) -> pd.DataFrame:
    """Roll a measure's series (period_start, value, numerator, denominator) up to ``granularity``.

    Sums are summed, means averaged, ratios recomputed from summed numerators and denominators
    (averaging percentages would weight a quiet week like a busy one). Periods with fewer source
    periods than a full one (the current, unfinished quarter) are dropped unless ``keep_partial``.
    """
    if ORDER[granularity] < ORDER[frequency]:
        raise ValueError(f"a {frequency}ly measure cannot be shown by {granularity}")
    if granularity == frequency or frame.empty:
        return frame.assign(parts=frame.get("parts", 1)).reset_index(drop=True)
    work = frame.assign(period=period_start(frame["period_start"], granularity, year_start))
    grouped = work.groupby("period", sort=True)
    out = pd.DataFrame({
        "numerator": grouped["numerator"].sum(min_count=1) if "numerator" in work else np.nan,
        "denominator": grouped["denominator"].sum(min_count=1) if "denominator" in work else np.nan,
        "parts": grouped["value"].count(),
    })
    if aggregation == "sum":
        out["value"] = grouped["value"].sum(min_count=1)
    elif aggregation == "mean":
        out["value"] = grouped["value"].mean()
    else:
        out["value"] = 100.0 * out["numerator"] / out["denominator"].replace(0, np.nan)
    out = out.reset_index().rename(columns={"period": "period_start"})
    if not keep_partial:
        need = EXPECTED_PARTS[(frequency, granularity)]
        out = out[out["parts"] >= need]
    return out[["period_start", "value", "numerator", "denominator", "parts"]].reset_index(drop=True)
