"""Capability: how long the work takes end to end, from the customer's point of view.

End-to-end time runs from the customer's first contact (``work_case.started_at``) to the day their
need was met (``completed_at``), per case, in calendar days or in working days (weekdays that are
not English bank holidays, from the ``bank_holiday`` table). Both are counted in DuckDB from a
cumulative working-day index (``perf/sql/capability_*.sql``), so millions of cases never reach
pandas; only one row per period, phase or group does, or the cases of a small scope when a chart
draws each of them.

Filters are those of :mod:`perf.analysis.demand` (``service_id``, ``locality_id``, ``start``, ``end``), with
the dates applied to the day a case was *completed*: a capability chart is in completion order.

Example
-------
>>> import duckdb
>>> from perf import store
>>> con = duckdb.connect()
>>> store.create_schema(con)
>>> _ = con.execute("INSERT INTO bank_holiday VALUES ('2025-08-25', 'Summer bank holiday')")
>>> _ = con.execute("INSERT INTO work_case VALUES (1, 'S', 'W', 'phone', 'Repair', '2025-08-22 10:00', '2025-08-26 16:00')")
>>> completed_cases(con)[["end_to_end_days", "end_to_end_working_days"]]
   end_to_end_days  end_to_end_working_days
0                4                        1
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from dataclasses import dataclass, replace
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, get_args

import numpy as np
import pandas as pd

from perf import store
from perf.analysis.demand import (
    Granularity,
    check_choice,
    dates_to_timestamps,
    phase_positions,
    scope_params,
    service_phases,
)

if TYPE_CHECKING:
    import duckdb

    from perf.spc import Chart

DayCount = Literal["calendar", "working"]
Breakdown = Literal["service", "channel", "ward", "locality", "council"]
ChartMode = Literal["case", "period"]

DAY_COUNTS: tuple[str, ...] = get_args(DayCount)
BREAKDOWNS: tuple[str, ...] = get_args(Breakdown)

# Natural process limits for individual values: mean +/- 2.66 x mean moving range, 2.66 = 3 / d2 with
# d2 = 1.128 for ranges of two (Wheeler, Understanding Variation, 2000). The same factor as perf.spc.
NATURAL_LIMIT_FACTOR = 2.66
# A chart draws each case up to this many; beyond, weekly median and 90th percentile (a reader can
# still see single points at a thousand, and Altair/Vega stay quick).
MAX_CASES_DRAWN = 1000
# "Predictable at the moment": no signal in the latest half-year of the latest phase. Older signals in
# the phase (a system settling after a redesign, a past Christmas) are history, not today's system;
# the limits still come from the whole phase. Our convention, said on the page.
RECENT_FOR_PREDICTABILITY = pd.Timedelta(weeks=26)
# How many open cases to list by name.
OLDEST_OPEN_LISTED = 20


def _check_day_count(day_count: str) -> bool:
    check_choice("day_count", day_count, DAY_COUNTS)
    return day_count == "working"


def _days_column(day_count: DayCount) -> str:
    return "end_to_end_working_days" if day_count == "working" else "end_to_end_days"


def _check_limit(limit: object) -> None:
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValueError(f"limit must be a whole number of 0 or more, got {limit!r}")


def _with_limits(frame: pd.DataFrame) -> pd.DataFrame:
    """Add the natural process limits for one case, ``lower`` (never below 0) and ``upper``, from each
    row's ``mean`` and ``mean_moving_range`` (none when there was one case)."""
    mr = frame["mean_moving_range"].astype(float).fillna(0.0)
    frame["lower"] = (frame["mean"] - NATURAL_LIMIT_FACTOR * mr).clip(lower=0.0)
    frame["upper"] = frame["mean"] + NATURAL_LIMIT_FACTOR * mr
    return frame


def _open_at(
    con: duckdb.DuckDBPyConnection,
    name: str,
    *,
    service_id: str | None,
    locality_id: str | None,
    as_at: date | None,
    **params: Any,
) -> pd.DataFrame:
    """Run a query of the cases open at ``as_at`` (_open_at.sql): the scope has no date range."""
    scope = scope_params(service_id=service_id, locality_id=locality_id)
    del scope["start"], scope["end"]
    return dates_to_timestamps(store.query(con, name, {**scope, "as_at": as_at, **params}), ("as_at",))


# --- cases --------------------------------------------------------------------------------------------
def count_completed(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> int:
    """How many cases were completed in scope (cheap: decides how a chart draws them)."""
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end)
    return int(store.scalar(con, "capability_count", params) or 0)


def completed_cases(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    limit: int = MAX_CASES_DRAWN,
) -> pd.DataFrame:
    """Completed cases in completion order with their end-to-end time, at most ``limit`` of them.

    For a small scope only: a chart of each case, or a table an analyst can read.

    Returns
    -------
    DataFrame: ``case_id``, ``service_id``, ``locality_id``, ``channel``, ``nature``, ``started_at``,
    ``completed_at``, ``end_to_end_days`` (calendar days, same day = 0) and ``end_to_end_working_days``
    (weekdays after the first contact, up to and including completion, that are not bank holidays).
    """
    _check_limit(limit)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end)
    params["limit"] = limit
    return store.query(con, "capability_cases", params)


def end_to_end_by_period(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    granularity: Granularity = "week",
    by: Breakdown | None = None,
    day_count: DayCount = "calendar",
) -> pd.DataFrame:
    """End-to-end time of the cases completed in each period, optionally per service, channel or place.

    Returns
    -------
    DataFrame: ``period_start``, ``group_id`` and ``group_name`` (``"all"`` without ``by``), ``cases``,
    ``mean``, ``median`` and ``p90`` (90th percentile; linear interpolation, as pandas) in days; sorted
    by group then period.
    """
    working = _check_day_count(day_count)
    if by is not None:
        check_choice("by", by, BREAKDOWNS)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end, granularity=granularity)
    params["working_days"] = working
    if by in ("locality", "council"):  # rolling wards up to a place needs a join the other groupings do without
        frame = store.query(con, "capability_by_period_place", {**params, "level": by})
    else:
        frame = store.query(con, "capability_by_period", {**params, "by": by})
    return dates_to_timestamps(frame, ("period_start",))


# --- the predictable range -------------------------------------------------------------------------------
@dataclass(frozen=True)
class PredictableRange:
    """What one case can expect from the system in its latest phase (natural process limits)."""

    mean: float
    lower: float  # never below 0
    upper: float
    cases: int
    predictable: bool  # False when the chart shows special causes in the latest phase
    day_count: DayCount = "calendar"
    since: date | None = None  # the latest phase's start, None when there is one phase

    def sentence(self) -> str:
        """ "This system will deliver a case in anything up to 21 days; on average 8 days." or, with signals,
        that it is not predictable."""
        unit = "working days" if self.day_count == "working" else "days"
        if self.cases == 0:
            return "No cases were completed in the period shown, so the system's capability is not known."
        if not self.predictable:
            return (
                f"This system is not predictable at the moment: its chart shows signals of special "
                f"cause, so no range can be promised. Cases took {_days(self.mean)} {_unit(self.mean, unit)} on average."
            )
        if self.lower >= 0.5:
            span = f"anywhere between {_days(self.lower)} and {_days(self.upper)} {unit}"
        else:
            span = f"anything up to {_days(self.upper)} {_unit(self.upper, unit)}"
        return f"This system will deliver a case in {span}; on average {_days(self.mean)} {_unit(self.mean, unit)}."


CASES_COMPLETED = "Cases completed"  # the row of PhaseComparison.table() that counts cases


def comparison_text(table: pd.DataFrame, whole: Collection[str] = ()) -> pd.DataFrame:
    """:meth:`PhaseComparison.table` as words on screen: one table holds a count and days, so each row has
    its own format (the count whole, with commas; days to a tenth, or whole for the rows named in ``whole``: the
    public view's averages where tenths would give a count away, perf.access.averages), and a figure not given is blank.

    Example
    -------
    >>> t = pd.DataFrame({"measure": ["Cases completed", "Average"], "before": [15274.0, 9.46],
    ...                   "after": [float("nan"), 7.0], "change": [float("nan"), -2.46]})
    >>> comparison_text(t).values.tolist()
    [['Cases completed', '15,274', '', ''], ['Average', '9.5', '7.0', '-2.5']]
    >>> comparison_text(t, whole=["Average"]).values.tolist()[1]
    ['Average', '9', '7', '-2']
    """
    out = table.copy()
    counted = (out["measure"] == CASES_COMPLETED).to_numpy() | out["measure"].isin(list(whole)).to_numpy()
    for col in ("before", "after", "change"):
        out[col] = [
            "" if pd.isna(v) else f"{v:,.0f}" if is_whole else f"{v:,.1f}"
            for v, is_whole in zip(out[col], counted, strict=True)
        ]
    return out


def _unit(x: float, unit: str, whole: bool = False) -> str:
    """'day' after a figure said as 1, else 'days' ('working day', 'working days')."""
    return unit.removesuffix("s") if _days(x, whole) == "1" else unit


def _days(x: float, whole: bool = False) -> str:
    """Whole days, as said aloud; a tenth of a day below 3 (0.4 days is not "0") unless ``whole``."""
    if not math.isfinite(x):
        return "an unknown number of"
    if x < 3 and not whole:
        text = f"{math.floor(x * 10 + 0.5) / 10:.1f}"
        return text[:-2] if text.endswith(".0") else text
    return f"{math.floor(x + 0.5):,}"


say_days, days_unit = _days, _unit  # for the public view's sentences (perf.access.averages)
with_limits = _with_limits  # the same limits for the public view's comparison figures (perf.access.averages)


def phase_statistics(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    phase_starts: Sequence[Any] = (),
    day_count: DayCount = "calendar",
) -> pd.DataFrame:
    """Case-level capability per phase, from every completed case in completion order.

    The natural process limits are mean +/- 2.66 x the mean moving range between successive cases
    (Wheeler), the lower one never below 0 days. A case belongs to the phase it was completed in.

    Returns
    -------
    DataFrame, one row per phase with cases: ``phase`` (0 = before the first change), ``starts_on``
    (the change date, NaT for phase 0), ``first_completed``, ``last_completed``, ``cases``, ``mean``,
    ``mean_moving_range``, ``lower``, ``upper``, ``median``, ``p90``, ``longest``.
    """
    working = _check_day_count(day_count)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end)
    params.update(working_days=working, phase_starts=[pd.Timestamp(p).date() for p in phase_starts])
    frame = _with_limits(store.query(con, "capability_phase_stats", params))
    frame = dates_to_timestamps(frame, ("starts_on", "first_completed", "last_completed"))
    frame["phase"] = frame["phase"].astype("int64")
    return frame


# --- the capability chart ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class CapabilityChart:
    """The capability chart's data, the range it predicts and how it was drawn.

    ``mode`` is ``"case"`` (each completed case in completion order) or ``"period"`` (too many to
    draw: the median and 90th percentile of each week's completed cases). ``points`` has the chart's
    rows: for "case" ``case_id``, ``completed_at``, ``end_to_end_days``, for "period" ``period_start``,
    ``cases``, ``median``, ``p90``, ``mean``; then ``value`` (what is charted: days per case, or the
    weekly median), ``phase``, ``centre``, ``lower`` (never below 0), ``upper``, ``signal``,
    ``special_cause`` and ``point_type`` from an XmR chart (perf.spc). ``phases`` is
    :func:`phase_statistics`; ``predictable_range`` speaks for one case in the latest phase.
    """

    mode: ChartMode
    points: pd.DataFrame
    phases: pd.DataFrame
    predictable_range: PredictableRange
    day_count: DayCount
    chart: Chart | None = None
    phase_labels: tuple[str, ...] = ()

    def sentence(self) -> str:
        """The predictable range in words (see :meth:`PredictableRange.sentence`)."""
        return self.predictable_range.sentence()


def capability_chart(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    phase_starts: Sequence[Any] | None = None,
    day_count: DayCount = "calendar",
    max_cases: int = MAX_CASES_DRAWN,
    granularity: Granularity = "week",
    public_only: bool = False,
) -> CapabilityChart:
    """The capability chart: end-to-end days with a centre line and natural process limits per phase.

    Up to ``max_cases`` completed cases are drawn one by one in completion order (an XmR of the
    cases). Beyond that the chart shows each week's median and 90th percentile, with XmR limits on
    the weekly median for its signals, while the predictable range for one case still comes from
    every case (:func:`phase_statistics`). ``phase_starts`` defaults to the service's redesign
    dates (published measures' only with ``public_only``). A latest phase with any signal is "not
    predictable".
    """
    from perf import spc

    column = _days_column(day_count)
    _check_day_count(day_count)
    labels: tuple[str, ...] = ()
    if phase_starts is None:
        known = service_phases(con, service_id, public_only=public_only)
        phase_starts = [p.date() for p in known["starts_on"]]
        labels = tuple(known["label"])
    changes = [pd.Timestamp(p) for p in phase_starts]
    stats = phase_statistics(
        con,
        service_id=service_id,
        locality_id=locality_id,
        start=start,
        end=end,
        phase_starts=changes,
        day_count=day_count,
    )
    n = int(stats["cases"].sum()) if not stats.empty else 0
    if n <= max_cases:
        cases = completed_cases(
            con, service_id=service_id, locality_id=locality_id, start=start, end=end, limit=max_cases
        )
        mode: ChartMode = "case"
        rows = cases[["case_id", "completed_at", column]].rename(columns={column: "end_to_end_days"})
        values = rows["end_to_end_days"].astype(float).to_numpy()
        positions = _case_positions(rows["completed_at"], changes)
    else:
        mode = "period"
        rows = end_to_end_by_period(
            con,
            service_id=service_id,
            locality_id=locality_id,
            start=start,
            end=end,
            granularity=granularity,
            day_count=day_count,
        )
        rows = rows[["period_start", "cases", "median", "p90", "mean"]].reset_index(drop=True)
        values = rows["median"].astype(float).to_numpy()
        positions = phase_positions(rows["period_start"], changes)
    chart: Chart | None = None
    if len(values) >= 2:
        chart = spc.xmr(values, phase_starts=positions, improvement="down")
        pts = chart.points.reset_index(drop=True)
        keep = ["value", "phase", "centre", "lower", "upper", "signal", "special_cause", "point_type"]
        points = pd.concat([rows.reset_index(drop=True), pts[keep]], axis=1)
        points["lower"] = points["lower"].clip(lower=0.0)  # no case takes less than no time
    else:
        points = rows.assign(
            value=values,
            phase=0,
            centre=np.nan,
            lower=np.nan,
            upper=np.nan,
            signal=False,
            special_cause="",
            point_type="common_cause",
        )
    return CapabilityChart(
        mode=mode,
        points=points,
        phases=stats,
        predictable_range=_predictable_range(
            stats, points, day_count, "completed_at" if mode == "case" else "period_start"
        ),
        day_count=day_count,
        chart=chart,
        phase_labels=labels,
    )


def _case_positions(completed_at: pd.Series, changes: Sequence[pd.Timestamp]) -> list[int]:
    """The first case completed on or after each change date: cases are phased by completion day."""
    days = pd.to_datetime(completed_at).dt.normalize().to_numpy()
    out = sorted({int(np.searchsorted(days, np.datetime64(c.normalize()), side="left")) for c in changes})
    return [p for p in out if 0 < p < len(days)]


def _predictable_range(stats: pd.DataFrame, points: pd.DataFrame, day_count: DayCount, when: str) -> PredictableRange:
    if stats.empty:
        return PredictableRange(math.nan, math.nan, math.nan, 0, False, day_count)
    latest = stats.iloc[-1]
    signals = False
    if not points.empty:
        in_phase = points[points["phase"] == points["phase"].max()]
        dates = pd.to_datetime(in_phase[when])
        recent = in_phase[dates > dates.max() - RECENT_FOR_PREDICTABILITY]
        signals = bool(recent["signal"].any())
    since = None if pd.isna(latest["starts_on"]) else pd.Timestamp(latest["starts_on"]).date()
    return PredictableRange(
        mean=float(latest["mean"]),
        lower=float(latest["lower"]),
        upper=float(latest["upper"]),
        cases=int(latest["cases"]),
        predictable=not signals and int(latest["cases"]) >= 2,
        day_count=day_count,
        since=since,
    )


def judged_on(chart: CapabilityChart, points: pd.DataFrame) -> CapabilityChart:
    """``chart`` with its verdict (predictable or not) judged on another chart of the same cases by period
    (``points`` with ``period_start``, ``phase`` and ``signal``): the public view draws months or quarters, never
    single cases or weeks, and its sentence must speak of the chart it shows. The range itself still comes from
    every case of the latest phase."""
    return replace(chart, predictable_range=_predictable_range(chart.phases, points, chart.day_count, "period_start"))


def capability_sentence(chart: CapabilityChart) -> str:
    """The page's headline: the predictable range in words, or that there is none."""
    return chart.sentence()


# --- work in progress ---------------------------------------------------------------------------------------
def work_in_progress(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    as_at: date | None = None,
    day_count: DayCount = "calendar",
) -> pd.DataFrame:
    """Cases still open at ``as_at`` (default: the last day in the data), counted by age so far.

    Returns
    -------
    DataFrame: ``as_at``, ``age_days`` (calendar or working days since the first contact),
    ``open_cases``; oldest last.
    """
    working = _check_day_count(day_count)
    return _open_at(
        con, "capability_wip", service_id=service_id, locality_id=locality_id, as_at=as_at, working_days=working
    )


def oldest_open_cases(
    con: duckdb.DuckDBPyConnection,
    *,
    service_id: str | None = None,
    locality_id: str | None = None,
    as_at: date | None = None,
    limit: int = OLDEST_OPEN_LISTED,
) -> pd.DataFrame:
    """The oldest cases still open at ``as_at``, with their age so far in calendar and working days.

    Returns
    -------
    DataFrame: ``case_id``, ``service_id``, ``locality_id``, ``channel``, ``nature``, ``started_at``,
    ``as_at``, ``age_days``, ``age_working_days``; oldest first.
    """
    _check_limit(limit)
    return _open_at(
        con, "capability_oldest_open", service_id=service_id, locality_id=locality_id, as_at=as_at, limit=limit
    )


# --- breakdowns and before/after ------------------------------------------------------------------------------
def capability_breakdown(
    con: duckdb.DuckDBPyConnection,
    *,
    by: Breakdown,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    day_count: DayCount = "calendar",
) -> pd.DataFrame:
    """Capability side by side for each service, channel or place (not a league table: a range each).

    Returns
    -------
    DataFrame: ``group_id``, ``group_name``, ``cases`` (completed in range), ``mean``, ``median``,
    ``p90``, ``longest``, ``mean_moving_range``, ``lower``, ``upper`` (natural process limits for one
    case, from the cases in completion order; lower never below 0), ``open_cases`` (at the end of the
    range).
    """
    check_choice("by", by, BREAKDOWNS)
    working = _check_day_count(day_count)
    params = scope_params(service_id=service_id, locality_id=locality_id, start=start, end=end)
    params.update(working_days=working, by=by, level=by)  # level: what wards roll up to, for locality/council
    return _with_limits(store.query(con, "capability_breakdown", params))


@dataclass(frozen=True)
class PhaseComparison:
    """Before and after a change: each side's mean and predictable range, and how they moved."""

    before: pd.Series  # a row of phase_statistics
    after: pd.Series
    change_on: date
    day_count: DayCount = "calendar"

    @property
    def change_in_mean(self) -> float:
        """After minus before, in days (negative = faster)."""
        return float(self.after["mean"]) - float(self.before["mean"])

    @property
    def change_in_upper(self) -> float:
        """How far the upper limit moved, in days (negative = a case can be promised sooner)."""
        return float(self.after["upper"]) - float(self.before["upper"])

    @property
    def change_in_range(self) -> float:
        """How the width of the range (upper - lower) changed, in days (negative = more predictable)."""

        def width(row: pd.Series) -> float:
            return float(row["upper"]) - float(row["lower"])

        return width(self.after) - width(self.before)

    def table(self) -> pd.DataFrame:
        """Before, after and change side by side, for the page's text alternative."""
        rows = {
            "cases": CASES_COMPLETED,
            "mean": "Average",
            "lower": "Lower limit",
            "upper": "Upper limit",
            "median": "Median",
            "p90": "90th percentile",
        }
        out = pd.DataFrame(
            {
                "measure": list(rows.values()),
                "before": [float(self.before[r]) for r in rows],
                "after": [float(self.after[r]) for r in rows],
            }
        )
        out["change"] = out["after"] - out["before"]
        return out

    def sentence(self, whole: bool = False) -> str:
        """ "After the change on 3 March 2025, cases took 6 days on average instead of 11, and up to 14
        days instead of 30." (``whole``: in whole days even below 3, as the public view may need)."""
        unit = "working days" if self.day_count == "working" else "days"
        when = f"{self.change_on:%-d %B %Y}"
        if int(self.before["cases"]) == 0 or int(self.after["cases"]) == 0:
            side = "before" if int(self.before["cases"]) == 0 else "after"
            return f"No cases were completed {side} the change on {when}, so the two cannot be compared."
        after, before = float(self.after["mean"]), float(self.before["mean"])
        up_after, up_before = float(self.after["upper"]), float(self.before["upper"])
        return (
            f"After the change on {when}, cases took {_days(after, whole)} {_unit(after, unit, whole)} on average "
            f"instead of {_days(before, whole)}, and up to {_days(up_after, whole)} "
            f"{_unit(up_after, unit, whole)} instead of {_days(up_before, whole)}."
        )


def compare_phases(
    con: duckdb.DuckDBPyConnection,
    *,
    change_on: date,
    service_id: str | None = None,
    locality_id: str | None = None,
    start: date | None = None,
    end: date | None = None,
    day_count: DayCount = "calendar",
) -> PhaseComparison:
    """Compare the cases completed before ``change_on`` with those completed on or after it.

    ``start``/``end`` bound the two sides (e.g. the previous change and today), so a comparison is of
    two phases, not of all history.
    """
    stats = phase_statistics(
        con,
        service_id=service_id,
        locality_id=locality_id,
        start=start,
        end=end,
        phase_starts=[change_on],
        day_count=day_count,
    )
    empty = pd.Series(
        {"cases": 0, "mean": math.nan, "lower": math.nan, "upper": math.nan, "median": math.nan, "p90": math.nan}
    )
    by_phase = {int(r["phase"]): r for _, r in stats.iterrows()}
    return PhaseComparison(
        before=by_phase.get(0, empty),
        after=by_phase.get(1, empty),
        change_on=pd.Timestamp(change_on).date(),
        day_count=day_count,
    )
