"""Time: re-aggregating a measure to a coarser period, calendar or financial (April–March) years; whether a date starts a period.

Councils report monthly to managers, quarterly to Overview & Scrutiny and by financial year to
Cabinet; the same weekly figures must roll up the same way everywhere.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

import numpy as np
import pandas as pd

Granularity = Literal["week", "month", "quarter", "year"]
YearStart = Literal["calendar", "financial"]
ORDER: dict[str, int] = {"week": 0, "month": 1, "quarter": 2, "year": 3}
EXPECTED_PARTS: dict[tuple[str, str], float] = {
    # how many source periods make a full target period (weeks counted by their Monday)
    ("week", "month"): 4,
    ("week", "quarter"): 13,
    ("week", "year"): 52,
    ("month", "quarter"): 3,
    ("month", "year"): 12,
    ("quarter", "year"): 4,
}

# The date ranges the sidebar offers (ui.filters.PERIODS), in months counted back from the latest data (None: all)
RANGE_MONTHS: dict[str, int | None] = {"12m": 12, "2y": 24, "3y": 36, "all": None}


def range_start(months: int | None, latest: pd.Timestamp) -> pd.Timestamp | None:
    """The first day of the date range of ``months`` ending on ``latest`` (None: all dates)."""
    return None if months is None else latest - pd.DateOffset(months=months) + pd.Timedelta(days=1)


def range_starts(latest: date) -> tuple[date | None, ...]:
    """The first day of every date range the sidebar offers, ending on ``latest`` (the public pages' small-count
    rule decides them together: perf.access.disclosure.ranges_group_ladders)."""
    starts = (range_start(m, pd.Timestamp(latest)) for m in RANGE_MONTHS.values())
    return tuple(None if s is None else s.date() for s in starts)


def public_range_starts(latest: date) -> tuple[date | None, ...]:
    """:func:`range_starts` moved back to the first day of their quarter: the public Demand and Capability pages'
    date ranges. A range that started inside a month or quarter would show that first one cut short, and its count
    less the same period's in a longer range would give the days before the range began; from a quarter's first
    day every month and quarter shown is whole, the same figure in every range that holds it (so the rule across
    ranges sees it as one: perf.access.disclosure.ranges_group_tables). The range keeps all it was asked for and
    up to three months more.

    Example
    -------
    >>> public_range_starts(date(2026, 11, 22))
    (datetime.date(2025, 10, 1), datetime.date(2024, 10, 1), datetime.date(2023, 10, 1), None)
    """
    return tuple(None if s is None else period_start_of(s, "quarter") for s in range_starts(latest))


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
    A ``suppressed`` column (a small count the public may not see) is kept: a quarter (or year)
    holding a hidden month is hidden too, since the quarter less the months shown would give the
    hidden one back.

    Example
    -------
    >>> f = pd.DataFrame({"period_start": pd.date_range("2026-01-01", periods=6, freq="MS"),
    ...     "value": [9.0, np.nan, 7, 8, 6, 5], "numerator": np.nan, "denominator": np.nan,
    ...     "suppressed": [False, True, False, False, False, False]})
    >>> reaggregate(f, frequency="month", granularity="quarter", aggregation="sum")[["value", "suppressed"]].values.tolist()
    [[nan, True], [19.0, False]]
    """
    hidden = frame["suppressed"].astype(bool) if "suppressed" in frame.columns else pd.Series(False, index=frame.index)
    base = frame.drop(columns=["suppressed"], errors="ignore")
    if granularity == frequency or frame.empty:
        out = _roll_up(
            base,
            frequency=frequency,
            granularity=granularity,
            aggregation=aggregation,
            year_start=year_start,
            keep_partial=keep_partial,
        )
        return out.assign(suppressed=hidden.to_numpy() if len(out) == len(hidden) else False)
    # a hidden period still counts as a part (so the quarter is complete) but its quarter is hidden
    filled = base.copy()
    for col in ("value", "numerator", "denominator"):
        if col in filled.columns:
            filled[col] = filled[col].astype("float64").mask(hidden, 0.0)
    out = _roll_up(
        filled,
        frequency=frequency,
        granularity=granularity,
        aggregation=aggregation,
        year_start=year_start,
        keep_partial=keep_partial,
    )
    coarse = period_start(frame.loc[hidden.to_numpy(), "period_start"], granularity, year_start)
    flag = out["period_start"].isin(set(pd.to_datetime(coarse)))
    for col in ("value", "numerator", "denominator"):
        out[col] = out[col].astype("float64").mask(flag, np.nan)
    return out.assign(suppressed=flag.to_numpy())


def _roll_up(
    frame: pd.DataFrame,
    *,
    frequency: str,
    granularity: Granularity,
    aggregation: str,
    year_start: YearStart = "financial",
    keep_partial: bool = False,
) -> pd.DataFrame:
    """:func:`reaggregate` without the ``suppressed`` column."""
    if ORDER[granularity] < ORDER[frequency]:
        raise ValueError(f"a {frequency}ly measure cannot be shown by {granularity}")
    if granularity == frequency or frame.empty:
        return frame.assign(parts=frame.get("parts", 1)).reset_index(drop=True)
    work = frame.assign(period=period_start(frame["period_start"], granularity, year_start))
    grouped = work.groupby("period", sort=True)
    out = pd.DataFrame(
        {
            "numerator": grouped["numerator"].sum(min_count=1) if "numerator" in work else np.nan,
            "denominator": grouped["denominator"].sum(min_count=1) if "denominator" in work else np.nan,
            "parts": grouped["value"].count(),
        }
    )
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


# --- one date at a time: is this the start of a period, and which is the nearest -----------------
def period_start_of(day: date, frequency: str) -> date:
    """The start of the week (Monday), month or quarter that contains ``day``.

    Example
    -------
    >>> period_start_of(date(2024, 4, 3), "week")
    datetime.date(2024, 4, 1)
    """
    if frequency == "week":
        return day - timedelta(days=day.weekday())
    if frequency == "month":
        return day.replace(day=1)
    if frequency == "quarter":
        return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    raise ValueError(f"frequency must be 'week', 'month' or 'quarter', got {frequency!r}")


def next_period_start(start: date, frequency: str) -> date:
    """The start of the period after the one starting on ``start`` (its exclusive end).

    Example
    -------
    >>> next_period_start(date(2024, 11, 1), "quarter")
    datetime.date(2025, 2, 1)
    """
    if frequency == "week":
        return start + timedelta(days=7)
    months = {"month": 1, "quarter": 3}.get(frequency)
    if months is None:
        raise ValueError(f"frequency must be 'week', 'month' or 'quarter', got {frequency!r}")
    index = start.year * 12 + start.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def nearest_period_start(day: date, frequency: str) -> date:
    """The period start closest to ``day`` (the earlier one on a tie), to suggest a fix.

    Example
    -------
    >>> nearest_period_start(date(2024, 4, 5), "week")
    datetime.date(2024, 4, 8)
    """
    before = period_start_of(day, frequency)
    after = next_period_start(before, frequency)
    return after if (after - day) < (day - before) else before


_WHAT_STARTS = {
    "week": "a week (weeks start on a Monday)",
    "month": "a month (months start on the 1st)",
    "quarter": "a quarter (quarters start on 1 January, 1 April, 1 July or 1 October)",
}


def period_start_problem(day: date, frequency: str) -> str | None:
    """Why ``day`` is not a valid period start for this frequency, naming the nearest one; or None.

    Example
    -------
    >>> period_start_problem(date(2024, 4, 3), "week")
    '2024-04-03 is not the start of a week (weeks start on a Monday); the nearest is 2024-04-01.'
    """
    if period_start_of(day, frequency) == day:
        return None
    nearest = nearest_period_start(day, frequency)
    return f"{day.isoformat()} is not the start of {_WHAT_STARTS[frequency]}; the nearest is {nearest.isoformat()}."
