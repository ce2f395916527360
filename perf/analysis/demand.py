"""Demand: what customers ask of a service, and how much of it is failure demand.

Value demand is what the service exists to provide; failure demand is caused by a failure to do
something, or to do it right, for the customer (chasing, repeats, "not fixed", complaints). Every
count is aggregated in DuckDB (``perf/sql/demand_*.sql``); pandas only sees one row per period,
place, channel or nature, never a row per contact.

Every query takes the same filters, as keywords (:class:`CaseFilter` carries them as one value):

- ``service_id``: one service, or None for all.
- ``locality_id``: a ward, locality or council, or ``"ALL"``/None for everywhere; a place covers
  every ward beneath it in the locality hierarchy (``parent_id``).
- ``start``, ``end``: dates, both inclusive; None leaves that end open.
- ``granularity``: ``"day"``, ``"week"`` (Monday to Sunday), ``"month"`` or ``"quarter"``.

Example
-------
>>> import duckdb
>>> from perf import store
>>> con = duckdb.connect()
>>> store.create_schema(con)
>>> _ = con.execute("INSERT INTO demand VALUES (1, 'S', 'W', 'phone', '2025-08-04 09:00', 'value', 'Book', NULL),"
...                 " (2, 'S', 'W', 'phone', '2025-08-05 09:00', 'failure', 'Chase', NULL)")
>>> demand_by_period(con, granularity="week")[["period_start", "value_demand", "failure_demand"]]
  period_start  value_demand  failure_demand
0   2025-08-04             1               1
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, TypedDict, get_args

import numpy as np
import pandas as pd

from perf import store

if TYPE_CHECKING:
    import duckdb

    from perf.spc import Chart

Granularity = Literal["day", "week", "month", "quarter"]
Level = Literal["ward", "locality", "council"]
DemandType = Literal["value", "failure"]


class CaseWhere(TypedDict):
    """The filters every case query takes, as its keywords (``**where``)."""

    service_id: str | None
    locality_id: str | None
    start: date | None
    end: date | None


class CaseAsAt(TypedDict):
    """The filters of a query of cases open on a day (:func:`perf.analysis.capability.work_in_progress`)."""

    service_id: str | None
    locality_id: str | None
    as_at: date | None


@dataclass(frozen=True)
class CaseFilter:
    """Which contacts or cases a Demand or Capability query counts, as one typed, hashable value.

    Pages build one from their scope and pass it to the cached queries (``ui.cached_demand``),
    which hand it to :mod:`perf.analysis.demand` and :mod:`perf.analysis.capability` as keywords (:meth:`where`).

    >>> f = CaseFilter("waste", None, date(2025, 4, 1), date(2026, 3, 31))
    >>> f.where()["start"], f.as_at()["as_at"], f.whole_history().start
    (datetime.date(2025, 4, 1), datetime.date(2026, 3, 31), None)
    """

    service_id: str | None = None  # one service, or None for all
    locality_id: str | None = None  # a ward, locality or council, or None for everywhere
    start: date | None = None  # inclusive; None leaves it open
    end: date | None = None  # inclusive; None leaves it open

    def where(self) -> CaseWhere:
        return {"service_id": self.service_id, "locality_id": self.locality_id, "start": self.start, "end": self.end}

    def as_at(self) -> CaseAsAt:
        """Service and place, as at the last day of the period (cases still open then)."""
        return {"service_id": self.service_id, "locality_id": self.locality_id, "as_at": self.end}

    def whole_history(self) -> CaseFilter:
        """The same service and place over all their history (a before-and-after comparison)."""
        return dataclasses.replace(self, start=None, end=None)


GRANULARITIES: tuple[str, ...] = get_args(Granularity)
LEVELS: tuple[str, ...] = get_args(Level)
DEMAND_TYPES: tuple[str, ...] = get_args(DemandType)

PERIOD_NAME: dict[str, str] = {"day": "day", "week": "week", "month": "month", "quarter": "quarter"}

# One seasonal cycle in periods: a week of days, a year of weeks, months or quarters. Days also get
# the yearly cycle (365) when there are two years of them (MSTL: Bandara, Hyndman & Bergmeir 2021, arXiv:2107.13462).
SEASON_LENGTH: dict[str, int] = {"day": 7, "week": 52, "month": 12, "quarter": 4}
YEAR_OF_DAYS = 365
# STL needs at least two full cycles to separate the seasonal from the trend (Cleveland et al. 1990).
MIN_CYCLES = 2
# Strength of seasonality F_S = max(0, 1 - Var(R) / Var(S + R)) (Wang, Smith & Hyndman 2006; Hyndman &
# Athanasopoulos, Forecasting: Principles and Practice, 3rd ed., s. 4.3). The measure is theirs; calling
# a series "seasonal" from 0.5 up is our own convention, shown on the page.
SEASONAL_STRENGTH_THRESHOLD = 0.5
# Phase starts with the same label this close together are one change recorded on several measures.
SAME_CHANGE_DAYS = 45
# "Recent" for the sentence: a signal within the last 13 weeks (a quarter) means demand has changed.
RECENT_PERIODS: dict[str, int] = {"day": 28, "week": 13, "month": 3, "quarter": 2}


# --- filters --------------------------------------------------------------------------------------
def check_choice(name: str, value: object, allowed: tuple[str, ...]) -> None:
    """Refuse an unknown option by name, listing the ones allowed (demand and capability share it)."""
    if value not in allowed:
        options = ", ".join(f"'{a}'" for a in allowed[:-1]) + f" or '{allowed[-1]}'"
        raise ValueError(f"{name} must be {options}, got {value!r}")


def scope_params(
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: str | None = None,
) -> dict[str, Any]:
    """The bound parameters every demand and capability query shares, checked once here.

    Empty strings mean "no filter" (a cleared select box), so they become None.
    """
    if granularity is not None:
        check_choice("granularity", granularity, GRANULARITIES)
    if start is not None and end is not None and start > end:
        raise ValueError(f"start ({start}) must not be after end ({end})")
    params: dict[str, Any] = {
        "service_id": service_id or None,
        "locality_id": locality_id or None,
        "start": start,
        "end": end,
    }
    if granularity is not None:
        params["granularity"] = granularity
    return params


def _as_date(x: Any) -> date:
    return pd.Timestamp(x).date()


# --- what there is -------------------------------------------------------------------------------
def services(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every service with case-level data.

    Returns
    -------
    DataFrame: ``service_id``, ``name``, ``purpose_id``, ``strategic_purpose_id``, ``handling_minutes``,
    ``cost_per_hour``.
    """
    return store.query(con, "demand_services")


def data_span(con: duckdb.DuckDBPyConnection) -> dict[str, date | None]:
    """The first and last day with contacts and with cases, so a page's period ends with the data.

    Returns
    -------
    dict: ``first_contact``, ``last_contact``, ``first_completed``, ``last_case_day`` (None when empty).
    """
    row = store.query(con, "demand_span").iloc[0]
    return {str(k): (None if pd.isna(v) else _as_date(v)) for k, v in row.items()}


# --- demand over time -----------------------------------------------------------------------------
def demand_by_period(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
) -> pd.DataFrame:
    """Demand per period, split into value and failure demand, with the failure share.

    Periods with no contacts are kept as zeros between the first and last day the service has data,
    so a quiet week is a 0 on the chart rather than a gap.

    Returns
    -------
    DataFrame, one row per period in order:
        ``period_start``, ``period_end`` (dates), ``value_demand``, ``failure_demand``, ``demand``
        (contacts), ``failure_share`` (0-1, NaN when there was no demand), ``population`` (residents
        of the area: latest ``population_total``), ``demand_per_1000``, ``failure_demand_per_1000``
        (contacts per 1,000 residents in the period), ``complete`` (False when the date range or the
        data cut the period short; leave those out of a count chart).
    """
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity)
    frame = store.query(con, "demand_by_period", params)
    return dates_to_timestamps(frame, ("period_start", "period_end"))


def demand_by_channel(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
) -> pd.DataFrame:
    """Demand per period and channel, so a team sees which channels carry the failure demand.

    Returns
    -------
    DataFrame: ``period_start``, ``channel``, ``value_demand``, ``failure_demand``, ``demand``,
    ``failure_share``; only period-channel pairs with contacts. Use :func:`totals` for one row per
    channel over the whole range.
    """
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity)
    return dates_to_timestamps(store.query(con, "demand_by_channel", params), ("period_start",))


def demand_by_locality(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
    level: Level = "ward",
) -> pd.DataFrame:
    """Demand per period and place (ward, locality or council), with rates per 1,000 residents.

    Rates let a large ward be compared with a small one; residents are the latest
    ``population_total`` of the place's wards (or of the place itself when its wards have none).

    Returns
    -------
    DataFrame: ``period_start``, ``locality_id``, ``locality_name``, ``value_demand``,
    ``failure_demand``, ``demand``, ``failure_share``, ``population``, ``demand_per_1000``,
    ``failure_demand_per_1000``; only period-place pairs with contacts.
    """
    check_choice("level", level, LEVELS)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity)
    params["level"] = level
    return dates_to_timestamps(store.query(con, "demand_by_locality", params), ("period_start",))


def totals(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Sum a per-period frame over its periods, one row per ``by`` value, recomputing the shares.

    Shares and rates are recomputed from the summed counts: averaging weekly percentages would weight
    a quiet week like a busy one. ``share_of_demand`` is each row's part of all the demand shown.

    Examples
    --------
    >>> f = pd.DataFrame({"channel": ["phone", "phone", "web"], "value_demand": [3, 1, 4],
    ...                   "failure_demand": [1, 3, 0]})
    >>> totals(f, "channel")[["channel", "demand", "failure_share"]]
      channel  demand  failure_share
    0   phone       8            0.5
    1     web       4            0.0
    """
    if by not in frame.columns:
        raise ValueError(f"by must be a column of the frame ({', '.join(map(str, frame.columns))}), got {by!r}")
    keys = [by] + (["locality_name"] if by == "locality_id" and "locality_name" in frame.columns else [])
    agg: dict[str, tuple[str, str]] = {
        "value_demand": ("value_demand", "sum"),
        "failure_demand": ("failure_demand", "sum"),
    }
    if "population" in frame.columns:
        agg["population"] = ("population", "max")
    out = frame.groupby(keys, sort=True, dropna=False).agg(**agg).reset_index()
    out["demand"] = out["value_demand"] + out["failure_demand"]
    out["failure_share"] = out["failure_demand"] / out["demand"].where(out["demand"] > 0)
    total = out["demand"].sum()
    out["share_of_demand"] = out["demand"] / total if total else np.nan
    if "population" in out.columns:
        residents = out["population"].where(out["population"] > 0)
        out["demand_per_1000"] = 1000 * out["demand"] / residents
        out["failure_demand_per_1000"] = 1000 * out["failure_demand"] / residents
    return out


# --- the nature of demand -------------------------------------------------------------------------
def nature_pareto(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    demand_type: DemandType | None = None,
) -> pd.DataFrame:
    """What customers asked for, ranked within value and within failure demand (a Pareto).

    The failure ranking shows which failure demand to design out first.

    Returns
    -------
    DataFrame: ``demand_type``, ``rank`` (1 = most common), ``nature``, ``demand`` (contacts),
    ``share`` (of that type's demand), ``cumulative_share`` (running total of ``share`` in rank
    order, ending at 1); failure demand first. Ties are ranked by name.
    """
    if demand_type is not None:
        check_choice("demand_type", demand_type, DEMAND_TYPES)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end)
    frame = store.query(con, "demand_nature", params)
    if demand_type is not None:
        frame = frame[frame["demand_type"] == demand_type].reset_index(drop=True)
    frame["rank"] = frame["rank"].astype("int64")
    return frame


# --- phases and control charts --------------------------------------------------------------------
def service_phases(
    con: duckdb.DuckDBPyConnection, service_id: str | None, *, public_only: bool = False
) -> pd.DataFrame:
    """Where a service's system was changed: the phase starts of the measures sharing its purpose.

    All services together have no phases (their redesigns happened on different days).
    ``public_only`` takes published measures' phases only (the public view, perf.access.public).

    Returns
    -------
    DataFrame: ``starts_on`` (Timestamp), ``label``.
    """
    if not service_id:
        return pd.DataFrame({"starts_on": pd.Series(dtype="datetime64[us]"), "label": pd.Series(dtype=str)})
    frame = dates_to_timestamps(
        store.query(con, "demand_phases", {"service_id": service_id, "public_only": public_only}), ("starts_on",)
    )
    # One redesign is often marked on several measures: the 1st of the month on a monthly measure,
    # the Monday on a weekly one. Days apart, they would make a one-point phase; keep the later.
    later = frame["starts_on"].shift(-1)
    same = (frame["label"] == frame["label"].shift(-1)) & ((later - frame["starts_on"]).dt.days <= SAME_CHANGE_DAYS)
    return frame[~same].reset_index(drop=True)


def phase_positions(period_starts: Sequence[Any] | pd.Series, phase_starts: Sequence[Any]) -> list[int]:
    """Positions of the periods in which each phase starts (the period containing the change date).

    Changes before the second period or after the last are dropped: a phase needs points on both
    sides to be compared.

    Examples
    --------
    >>> weeks = pd.date_range("2025-01-06", periods=6, freq="W-MON")
    >>> phase_positions(weeks, [date(2025, 1, 22), date(2025, 3, 1)])
    [2]
    """
    starts = pd.DatetimeIndex(pd.to_datetime(pd.Series(period_starts))).as_unit("us")
    if len(starts) < 2:
        return []
    beyond = starts[-1] + (starts[-1] - starts[-2])  # the end of the last period, near enough
    out: list[int] = []
    for when in phase_starts:
        stamp = pd.Timestamp(when).as_unit("us")
        pos = int(starts.searchsorted(stamp, side="right")) - 1
        if 0 < pos < len(starts) and stamp < beyond and pos not in out:
            out.append(pos)
    return sorted(out)


def _resolve_phases(
    con: duckdb.DuckDBPyConnection,
    service_id: str | None,
    phase_starts: Sequence[Any] | None,
    public_only: bool = False,
) -> list[date]:
    if phase_starts is not None:
        return [_as_date(p) for p in phase_starts]
    return [_as_date(p) for p in service_phases(con, service_id, public_only=public_only)["starts_on"]]


def failure_share_chart(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
    phase_starts: Sequence[Any] | None = None,
    laney: bool = True,
    public_only: bool = False,
) -> Chart:
    """The failure share over time as a Laney p' chart, with phases at the service's redesigns.

    Why Laney: with hundreds of contacts a week, a plain p-chart's binomial limits are far too
    tight, because the share also varies for reasons a binomial does not model (over-dispersion),
    and nearly every week looks like a signal. Laney p' (Laney 2002, Quality Engineering 14(4))
    widens each week's limits by the observed spread of the z-scores, yet keeps limits that follow
    each week's own denominator. ``laney=False`` gives the plain p-chart for comparison.

    ``phase_starts``: change dates; None takes the service's phases (:func:`service_phases`).
    Periods with no demand are left out (their share is undefined); a part-period is kept, as a
    p-chart allows for its smaller denominator.

    Returns
    -------
    perf.spc.Chart whose ``points`` also carry ``period_start``, ``failure_demand`` and ``demand``.
    """
    from perf import spc

    periods = demand_by_period(
        con, service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity
    )
    periods = periods[periods["demand"] > 0].reset_index(drop=True)
    changes = _resolve_phases(con, service_id, phase_starts, public_only)
    chart = spc.p_chart(
        periods["failure_demand"].to_numpy(dtype=float),
        periods["demand"].to_numpy(dtype=float),
        laney=laney,
        phase_starts=phase_positions(periods["period_start"], changes),
        improvement="down",
    )
    return _with_periods(chart, periods[["period_start", "failure_demand", "demand"]])


def demand_chart(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
    phase_starts: Sequence[Any] | None = None,
    seasonally_adjusted: bool = False,
    public_only: bool = False,
) -> Chart:
    """An XmR chart of demand per complete period, optionally on the seasonally adjusted series.

    Counts in a part-period (the week the range starts or ends in) are left out: they would show as
    a false low. ``seasonally_adjusted=True`` removes the STL seasonal component first (see
    :func:`seasonality`), so a yearly peak is not read as a signal; without enough data for STL the
    chart is of the raw counts and says so in ``warnings``.

    Returns
    -------
    perf.spc.Chart whose ``points`` also carry ``period_start`` and ``demand``.
    """
    from perf import spc

    periods = demand_by_period(
        con, service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity
    )
    periods = periods[periods["complete"]].reset_index(drop=True)
    values = periods["demand"].astype(float)
    note: list[str] = []
    if seasonally_adjusted:
        season = decompose(periods, granularity=granularity)
        if season.frame is not None:
            values = season.frame["seasonally_adjusted"].reset_index(drop=True)
        else:
            note.append(f"Not seasonally adjusted: {season.reason}")
    changes = _resolve_phases(con, service_id, phase_starts, public_only)
    chart = spc.xmr(values.to_numpy(), phase_starts=phase_positions(periods["period_start"], changes))
    chart = _with_periods(chart, periods[["period_start", "demand"]])
    return dataclasses.replace(chart, warnings=[*chart.warnings, *note]) if note else chart


def _with_periods(chart: Chart, periods: pd.DataFrame) -> Chart:
    points = chart.points.reset_index(drop=True)
    for column in periods.columns:
        points[column] = periods[column].to_numpy()
    return dataclasses.replace(chart, points=points)


# --- seasonality ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Seasonality:
    """An STL decomposition of demand, so a seasonal peak can be told apart from a signal.

    ``frame`` (None when there is too little data): ``period_start``, ``demand``, ``trend``,
    ``seasonal`` (weekly and yearly parts summed), ``remainder``, ``seasonally_adjusted`` (demand
    minus the seasonal part). ``strength`` is Hyndman's F_S (0 none - 1 all); ``season_lengths`` the
    cycles fitted, in periods; ``reason`` says why there is no decomposition.
    """

    frame: pd.DataFrame | None
    season_lengths: tuple[int, ...]
    strength: float | None
    reason: str = ""

    @property
    def is_seasonal(self) -> bool:
        """True when the seasonal part explains enough of the variation to matter (our threshold)."""
        return self.strength is not None and self.strength >= SEASONAL_STRENGTH_THRESHOLD


def decompose(periods: pd.DataFrame, *, granularity: Granularity, column: str = "demand") -> Seasonality:
    """Seasonal-trend decomposition (STL, Cleveland et al. 1990) of complete periods of demand.

    Days get a weekly cycle, and a yearly one too once there are two years (MSTL); weeks, months and
    quarters get a yearly cycle. Robust fitting keeps one odd week from bending the seasonal shape.
    """
    check_choice("granularity", granularity, GRANULARITIES)
    data = periods[periods["complete"]] if "complete" in periods.columns else periods
    data = data.reset_index(drop=True)
    length = SEASON_LENGTH[granularity]
    lengths: tuple[int, ...] = (length,)
    if granularity == "day" and len(data) >= MIN_CYCLES * YEAR_OF_DAYS:
        lengths = (length, YEAR_OF_DAYS)
    if len(data) < MIN_CYCLES * max(lengths):
        need = MIN_CYCLES * max(lengths)
        return Seasonality(
            None,
            lengths,
            None,
            f"seasonality needs at least {need} complete {PERIOD_NAME[granularity]}s "
            f"(two cycles); there are {len(data)}.",
        )
    y = data[column].astype(float).to_numpy()
    # statsmodels takes about 2 s to import: only pay for it when a decomposition is asked for.
    from statsmodels.tsa.seasonal import MSTL, STL  # type: ignore[import-untyped]

    if len(lengths) == 1:
        fit = STL(y, period=length, robust=True).fit()
        seasonal = np.asarray(fit.seasonal, dtype=float)
    else:
        fit = MSTL(y, periods=lengths, stl_kwargs={"robust": True}).fit()
        seasonal = np.asarray(fit.seasonal, dtype=float)
        seasonal = seasonal.sum(axis=1) if seasonal.ndim == 2 else seasonal
    trend = np.asarray(fit.trend, dtype=float)
    remainder = np.asarray(fit.resid, dtype=float)
    spread = float(np.var(seasonal + remainder))
    strength = max(0.0, 1.0 - float(np.var(remainder)) / spread) if spread > 0 else 0.0
    frame = pd.DataFrame(
        {
            "period_start": data["period_start"].to_numpy(),
            column: y,
            "trend": trend,
            "seasonal": seasonal,
            "remainder": remainder,
            "seasonally_adjusted": y - seasonal,
        }
    )
    return Seasonality(frame, lengths, strength)


def seasonality(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
) -> Seasonality:
    """Weekly and yearly seasonality of demand in scope (see :func:`decompose`)."""
    periods = demand_by_period(
        con, service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity
    )
    return decompose(periods, granularity=granularity)


# --- what failure demand costs --------------------------------------------------------------------
def failure_demand_cost(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "month",
    handling_minutes: float | Mapping[str, float] | None = None,
    cost_per_hour: float | Mapping[str, float] | None = None,
) -> pd.DataFrame:
    """The estimated cost of failure demand per period and service: contacts x time x rate.

    Each service's ``handling_minutes`` and ``cost_per_hour`` come from the service table; pass a
    number (every service) or a mapping of service_id to number to try other figures.

    Returns
    -------
    DataFrame: ``period_start``, ``service_id``, ``service_name``, ``failure_demand``,
    ``handling_minutes``, ``cost_per_hour``, ``hours`` (officer time spent on failure demand),
    ``cost`` (pounds; NaN where the service has no handling time or rate).
    """
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity)
    frame = dates_to_timestamps(store.query(con, "demand_failure_cost", params), ("period_start",))
    for column, override in (("handling_minutes", handling_minutes), ("cost_per_hour", cost_per_hour)):
        frame[column] = frame[column].astype(float)
        if isinstance(override, Mapping):
            for sid, value in override.items():
                _check_positive(f"{column}[{sid!r}]", value)
            mapped = frame["service_id"].map(dict(override))
            frame[column] = mapped.astype(float).fillna(frame[column])
        elif override is not None:
            _check_positive(column, override)
            frame[column] = float(override)
    frame["hours"] = frame["failure_demand"] * frame["handling_minutes"] / 60.0
    frame["cost"] = frame["hours"] * frame["cost_per_hour"]
    return frame


def _check_positive(name: str, value: Any) -> None:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a number of 0 or more, got {value!r}")


# --- the sentences ----------------------------------------------------------------------------------
def _about(x: float) -> str:
    """A count rounded as a person would say it: 1,148 -> "1,150", 87 -> "87", 23,456 -> "23,500"."""
    if not math.isfinite(x):
        return "an unknown number of"
    if abs(x) < 100:
        return f"{round(x):,}" if abs(x) >= 10 or x == round(x) else f"{x:.1f}"
    step = 10 ** (int(math.floor(math.log10(abs(x)))) - 2)  # three significant figures, halves up
    return f"{math.copysign(math.floor(abs(x) / step + 0.5) * step, x):,.0f}"


def _unit(x: float, unit: str) -> str:
    """The unit agreeing with the count as said: '1 contact', '2 contacts'."""
    from perf.words.narrative import singular

    return singular(unit) if _about(x) == "1" else unit


def _pounds(x: float) -> str:
    return "£" + _about(x)


def _lower_first(text: str) -> str:
    """ "Progress chasing" -> "progress chasing"; "MOT booking" and "Blue Badge" keep their capitals."""
    words = text.split()
    if not words or not words[0][1:].islower() or any(w[:1].isupper() for w in words[1:]):
        return text
    return text[:1].lower() + text[1:]


def demand_sentence(
    periods: pd.DataFrame,
    natures: pd.DataFrame | None = None,
    *,
    granularity: Granularity = "week",
    unit: str = "contacts",
    phase_starts: Sequence[Any] = (),
) -> str:
    """The page's headline: "Demand is stable at about 1,150 contacts a week; 38% is failure demand,
    mostly progress chasing."

    ``periods`` is :func:`demand_by_period`'s frame; ``natures`` (optional) :func:`nature_pareto`'s.
    Stability is judged by an XmR chart of the complete periods, with limits recalculated at
    ``phase_starts`` (change dates, e.g. :func:`service_phases`): no signal in the recent periods is
    "stable" (a signal anywhere in the periods shown is named, with when); an unusual latest period
    is said first.

    Examples
    --------
    >>> weeks = pd.DataFrame({"period_start": pd.date_range("2025-01-06", periods=8, freq="W-MON"),
    ...     "value_demand": [700, 720, 690, 710, 705, 715, 700, 712],
    ...     "failure_demand": [450, 440, 455, 445, 450, 448, 452, 446], "complete": True})
    >>> natures = pd.DataFrame({"demand_type": ["failure", "failure"], "nature": ["Progress chasing", "Repeat"],
    ...     "demand": [2400, 1186], "share": [0.67, 0.33]})
    >>> demand_sentence(weeks, natures)
    'Demand is stable at about 1,150 contacts a week; 39% is failure demand, mostly progress chasing.'
    """
    from perf import spc

    check_choice("granularity", granularity, GRANULARITIES)
    period = PERIOD_NAME[granularity]
    data = periods[periods["complete"]] if "complete" in periods.columns else periods
    counts = (data["value_demand"] + data["failure_demand"]).astype(float).to_numpy()
    if counts.size == 0 or counts.sum() == 0:
        return f"No demand was recorded in the {period}s shown."
    total = float(counts.sum())
    share = float(data["failure_demand"].sum()) / total
    if counts.size >= 2:
        positions = phase_positions(data["period_start"], phase_starts) if "period_start" in data.columns else []
        chart = spc.xmr(counts, phase_starts=positions)
        pts = chart.points
        in_phase = pts["phase"] == pts["phase"].iloc[-1]
        centre = float(pts["centre"].iloc[-1])
        recent = pts[in_phase].tail(RECENT_PERIODS[granularity])
        last_type = str(pts["point_type"].iloc[-1])
        if last_type == "special_cause_neutral_high":
            head = (
                f"Demand is unusually high: {_about(counts[-1])} {_unit(counts[-1], unit)} last {period}, "
                f"against about {_about(centre)} a {period}"
            )
        elif last_type == "special_cause_neutral_low":
            head = (
                f"Demand is unusually low: {_about(counts[-1])} {_unit(counts[-1], unit)} last {period}, "
                f"against about {_about(centre)} a {period}"
            )
        elif bool(pts["signal"].any()):  # "stable" only when no period shown is special cause
            from perf.words import signal_words

            said = signal_words.summary(
                pts, data["period_start"] if "period_start" in data.columns else None, frequency=granularity
            )
            if bool(recent["signal"].any()) or bool((pts["signal"] & in_phase).any()):
                head = f"Demand is not stable: {said}; it has averaged about {_about(centre)} {unit} a {period}"
            else:
                head = (
                    f"Demand has had no signal since the latest change, at about {_about(centre)} {unit} a "
                    f"{period}; before it, {said}"
                )
        else:
            head = f"Demand is stable at about {_about(centre)} {unit} a {period}"
    else:
        head = f"Demand was {_about(counts[0])} {_unit(counts[0], unit)} in one {period}"
    text = f"{head}; {share:.0%} is failure demand"
    if natures is not None and share > 0:
        failure = natures[natures["demand_type"] == "failure"].sort_values("demand", ascending=False)
        if not failure.empty:
            top = failure.iloc[0]
            top_share = float(top["demand"]) / float(failure["demand"].sum())
            name = _lower_first(str(top["nature"]))
            text += f", mostly {name}" if top_share >= 0.5 else f", most often {name} ({top_share:.0%} of it)"
    return text + "."


def cost_sentence(
    cost: pd.DataFrame,
    *,
    granularity: Granularity = "month",
    service_name: str | None = None,
    last_day: date | None = None,
) -> str:
    """ "Failure demand in housing repairs cost about £41,000 last quarter ..." from
    :func:`failure_demand_cost`'s frame: the latest period's cost and the total over the range.

    Examples
    --------
    >>> c = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01", "2025-08-01"]), "cost": [12000.0, 13650.0]})
    >>> cost_sentence(c, service_name="Housing repairs")
    'Failure demand in housing repairs cost about £13,700 in August 2025, and £25,700 over the 2 months shown.'
    """
    check_choice("granularity", granularity, GRANULARITIES)
    priced = cost.dropna(subset=["cost"])
    where = f" in {_lower_first(service_name)}" if service_name else ""
    if priced.empty:
        return f"The cost of failure demand{where} cannot be estimated: no handling time or cost rate is set."
    by_period = priced.groupby("period_start")["cost"].sum().sort_index()
    latest = priced_period(priced, granularity=granularity, last_day=last_day)
    label = {
        "day": f"{latest:%-d %B %Y}",
        "week": f"the week of {latest:%-d %B %Y}",
        "month": f"{latest:%B %Y}",
        "quarter": f"the quarter from {latest:%B %Y}",
    }[granularity]
    n = len(by_period)
    text = f"Failure demand{where} cost about {_pounds(float(by_period[latest]))} in {label}"
    if n > 1:
        text += f", and {_pounds(float(by_period.sum()))} over the {n} {PERIOD_NAME[granularity]}s shown"
    return text + "."


def priced_period(
    cost: pd.DataFrame, *, granularity: Granularity = "month", last_day: date | None = None
) -> pd.Timestamp:
    """The period :func:`cost_sentence` names: the latest priced one that is whole by ``last_day`` ("last month"
    means the last whole month, not the one under way), or the latest priced when none is whole."""
    starts = pd.DatetimeIndex(sorted(set(pd.to_datetime(cost.dropna(subset=["cost"])["period_start"]))))
    whole = starts
    if last_day is not None:
        whole = starts[starts + _STEP[granularity] - pd.Timedelta(days=1) <= pd.Timestamp(last_day)]
    return pd.Timestamp((whole if len(whole) else starts)[-1])


_STEP: dict[str, pd.DateOffset] = {
    "day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1),
    "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3),
}  # fmt: skip


# --- helpers ----------------------------------------------------------------------------------------
def dates_to_timestamps(frame: pd.DataFrame, columns: Sequence[str]) -> pd.DataFrame:
    """DuckDB returns DATE as datetime64 already; make sure, so pages can plot and compare them."""
    for column in columns:
        if column in frame.columns:
            frame[column] = pd.to_datetime(frame[column])
    return frame
