"""Cached queries over perf.analysis.demand and perf.analysis.capability for the Demand and Capability pages.

Each is keyed on the data version and its filters (ui.db.cached_query), so a page rerun with the
same filters opens no connection at all, and a data load refreshes them all. The filters travel as
one typed value, :class:`perf.analysis.demand.CaseFilter` (a frozen dataclass: st.cache_data hashes it by
its fields, so equal filters share a cache entry).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, cast, get_args

import duckdb
import pandas as pd
import streamlit as st

from perf import periods
from perf.access import averages, case_counts, date_ranges, disclosure
from perf.analysis import capability, demand, measures
from perf.analysis.capability import Breakdown, CapabilityChart, DayCount, PhaseComparison
from perf.analysis.demand import CaseFilter, Granularity, Level, Seasonality
from perf.spc import Chart
from perf.store import FIGURES
from ui.db import cached_query, cached_result
from ui.filters import DEFAULT_PERIOD, Scope

# The shared "Show by" choice, as a demand/capability granularity: weeks are how contacts are read (signed in).
GRANULARITY: dict[str, Granularity] = {"recorded": "week", "month": "month", "quarter": "quarter", "year": "quarter"}
# The public view's: months and quarters only (perf.access.disclosure.LADDER), so "As recorded" is by month.
PUBLIC_GRANULARITY: dict[str, Granularity] = {**GRANULARITY, "recorded": "month"}


def _period(granularity: str) -> Granularity:
    """A granularity named by the sidebar or perf.access.disclosure.LADDER, checked (it names one of perf.analysis.demand's)."""
    if granularity not in get_args(Granularity):
        raise ValueError(f"granularity must be one of {', '.join(get_args(Granularity))}, got {granularity!r}")
    return cast(Granularity, granularity)


@dataclass(frozen=True)
class CaseScope:
    """The sidebar's scope turned into the filters perf.analysis.demand and perf.analysis.capability take."""

    filters: CaseFilter
    granularity: Granularity
    label: str
    note: str = ""  # what the page says about the dates (public: a range starts on a quarter's first day)


def case_scope(scope: Scope, service_id: str | None, last_day: date | None) -> CaseScope:
    """Service, place and period (counted back from the last day of data) for the case-level pages. The public
    view starts a range on its quarter's first day (perf.periods.public_range_starts), and says so, and shows
    months and quarters, never weeks (PUBLIC_GRANULARITY)."""
    start = None
    if last_day is not None:
        since = scope.since(pd.Timestamp(last_day))
        start = None if since is None else since.date()
    note = ""
    if scope.public_only and start is not None:
        start = periods.period_start_of(start, "quarter")
        note = disclosure.WHOLE_QUARTERS.format(day=f"{start.day} {start:%B %Y}")
    locality = None if scope.locality_id in ("", measures.AREA) else scope.locality_id
    granularity = (PUBLIC_GRANULARITY if scope.public_only else GRANULARITY).get(scope.granularity, "month")
    label = scope.period_label + (
        " (by quarter: contacts are not shown by year)" if scope.granularity == "year" else ""
    )
    return CaseScope(CaseFilter(service_id, locality, start, last_day), granularity, label, note)


@cached_query(8, reads=FIGURES)
def services(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every service with case-level data, its purposes and its cost figures."""
    return demand.services(con)


@cached_query(8, reads=FIGURES)
def data_span(con: duckdb.DuckDBPyConnection) -> dict[str, date | None]:
    """The first and last day with contacts and with cases."""
    return demand.data_span(con)


@cached_query(64, reads=FIGURES)
def by_period(con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity) -> pd.DataFrame:
    return demand.demand_by_period(con, **filters.where(), granularity=granularity)


@cached_query(64, reads=FIGURES)
def by_channel(con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity) -> pd.DataFrame:
    return demand.demand_by_channel(con, **filters.where(), granularity=granularity)


@cached_query(64, reads=FIGURES)
def by_locality(
    con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity, level: Level
) -> pd.DataFrame:
    return demand.demand_by_locality(con, **filters.where(), granularity=granularity, level=level)


@cached_query(64, reads=FIGURES)
def pareto(con: duckdb.DuckDBPyConnection, filters: CaseFilter) -> pd.DataFrame:
    return demand.nature_pareto(con, **filters.where())


@cached_query(64, reads=FIGURES)
def failure_share(con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity, public: bool) -> Chart:
    return demand.failure_share_chart(con, **filters.where(), granularity=granularity, public_only=public)


@cached_query(64, reads=FIGURES)
def demand_chart(
    con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity, adjusted: bool, public: bool
) -> Chart:
    return demand.demand_chart(
        con, **filters.where(), granularity=granularity, seasonally_adjusted=adjusted, public_only=public
    )


@cached_query(64, reads=FIGURES)
def seasonality(con: duckdb.DuckDBPyConnection, filters: CaseFilter, granularity: Granularity) -> Seasonality:
    return demand.seasonality(con, **filters.where(), granularity=granularity)


@cached_query(64, reads=FIGURES)
def cost(
    con: duckdb.DuckDBPyConnection,
    filters: CaseFilter,
    handling_minutes: float | None = None,
    cost_per_hour: float | None = None,
    granularity: Granularity = "month",
) -> pd.DataFrame:
    return demand.failure_demand_cost(
        con, **filters.where(), granularity=granularity, handling_minutes=handling_minutes, cost_per_hour=cost_per_hour
    )


@cached_query(64, reads=FIGURES)
def capability_chart(
    con: duckdb.DuckDBPyConnection,
    filters: CaseFilter,
    day_count: DayCount,
    *,
    max_cases: int = capability.MAX_CASES_DRAWN,
    granularity: Granularity = "week",
    public: bool = False,
) -> CapabilityChart:
    return capability.capability_chart(
        con, **filters.where(), day_count=day_count, max_cases=max_cases, granularity=granularity, public_only=public
    )


# --- the public view: small counts hidden (perf.access.disclosure) ------------------------------------------
def table(frame: pd.DataFrame, *, public: bool, where: Any = st) -> None:
    """Draw a table; in the public view a hidden cell is blank rather than "None", numbers right-aligned."""
    if not public:
        where.dataframe(frame, hide_index=True, width="stretch")
        return
    numbers = [
        c
        for c in frame.columns
        if pd.api.types.is_numeric_dtype(frame[c].dtype) and not pd.api.types.is_bool_dtype(frame[c].dtype)
    ]
    where.dataframe(
        disclosure.for_screen(frame),
        hide_index=True,
        width="stretch",
        column_config={str(c): st.column_config.TextColumn(alignment="right") for c in numbers},
    )


@cached_result(64, reads=FIGURES)
def public_periods(filters: CaseFilter, granularity: Granularity) -> tuple[Granularity, pd.DataFrame]:
    """Demand per period with small counts hidden, by quarter when too many months would be; a quarter
    holding a hidden month the public can see is hidden too (one rule for every length the page offers:
    perf.disclosure.published_ladder)."""
    shown_by, frame = disclosure.choose(_demand_ladder(filters), granularity)
    return _period(shown_by), frame


@cached_result(16, reads=FIGURES)
def _demand_ladder(filters: CaseFilter) -> dict[str, pd.DataFrame]:
    """The view's own ladder, with the periods hidden so that no place or service less its siblings gives a
    hidden one back (perf.disclosure.group_ladders, over every place and service of the same dates)."""
    blank = (*disclosure.DEMAND_COUNTS, *disclosure.DEMAND_DERIVED)
    group = _demand_group(filters.start, filters.end, (filters.locality_id or measures.AREA, filters.service_id or ""))
    if group is None:  # a service or place with no contacts in these dates
        return disclosure.published_ladder(
            lambda g: disclosure.demand_counts(by_period(filters, _period(g))), blank=blank
        )
    # the group's decision exactly, on the page's frames before their own rule: that could pick another second
    # blank than the group did, and a longer period shown would give that one back (Hagley West, waste, 2024)
    return disclosure.with_group_hidden(
        lambda g: by_period(filters, _period(g)).assign(suppressed=False), group, blank=blank
    )


@cached_query(4, reads=FIGURES)
def _demand_cells(
    con: duckdb.DuckDBPyConnection, start: date | None, end: date | None
) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    return disclosure.demand_cells(con, start=start, end=end)


@cached_result(4, reads=FIGURES)
def _demand_group_table(start: date | None, end: date | None) -> pd.DataFrame:
    """Every place's and service's ladder for these dates, worked out once outside the read lock (a few tenths
    of a second), kept as one table: st.cache_data pickles what it keeps and unpickles it on every read, and
    a frame a view and length (group_ladders' shape) took 0.4-0.6 s each way."""
    if end is not None and start in periods.public_range_starts(end):  # decided with the other ranges (_demand_ranges)
        return _demand_ranges(end)[start]
    return disclosure.demand_group_table(*_demand_cells(start, end))


def _demand_group(start: date | None, end: date | None, view: disclosure.View) -> dict[str, pd.DataFrame] | None:
    """One view's ladder as the group rule decided it (None when the view has no contacts in these dates)."""
    return disclosure.ladder_from_table(_demand_group_table(start, end), view)


def _demand_groups(start: date | None, end: date | None) -> dict[disclosure.View, dict[str, pd.DataFrame]]:
    """Every view's ladder for these dates, as perf.disclosure.group_ladders gives it (from the kept table)."""
    return disclosure.split_table(_demand_group_table(start, end))


@cached_result(2, reads=FIGURES)
def _demand_ranges(end: date) -> dict[date | None, pd.DataFrame]:
    """Every date range the sidebar offers, one decision a whole period across them, so no range shows what
    another hides (perf.disclosure.ranges_group_tables): worked out once a data version (seconds) outside the
    read lock, one table a range."""
    cells = {start: _demand_cells(start, end) for start in periods.public_range_starts(end)}
    parent = cells[None][1]
    return disclosure.demand_ranges_tables({start: c for start, (c, _) in cells.items()}, parent)


@cached_result(64, reads=FIGURES)
def public_capability(
    filters: CaseFilter, day_count: DayCount, granularity: Granularity
) -> tuple[Granularity, CapabilityChart]:
    """The capability chart as periods (months or quarters), never single cases, with periods of 1 to 4 cases
    hidden, a quarter holding a hidden month the public can see (perf.disclosure.published_ladder), and the
    periods that would give away another place's or service's hidden count (perf.disclosure.group_ladders)."""

    def chart(g: str) -> CapabilityChart:
        return capability_chart(filters, day_count, max_cases=0, granularity=_period(g), public=True)

    blank = (*disclosure.CASE_COUNTS, *disclosure.CASE_DERIVED)
    group = _capability_group(
        filters.start, filters.end, (filters.locality_id or measures.AREA, filters.service_id or "")
    )
    if group is None:  # no cases completed here in these dates: the chart is empty at every length
        ladder = disclosure.published_ladder(lambda g: disclosure.capability_rows(chart(g).points), blank=blank)
    else:  # the group's decision exactly: the chart's own rule could pick another second blank
        ladder = disclosure.with_group_hidden(lambda g: chart(g).points.assign(suppressed=False), group, blank=blank)
    shown_by, rows = disclosure.choose(ladder, granularity)
    exact = group is not None
    return _period(shown_by), disclosure.public_capability(chart(shown_by), hidden=rows["suppressed"], exact=exact)


@cached_query(4, reads=FIGURES)
def _capability_cells(
    con: duckdb.DuckDBPyConnection, start: date | None, end: date | None
) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    return disclosure.capability_cells(con, start=start, end=end)


@cached_result(4, reads=FIGURES)
def _capability_group_table(start: date | None, end: date | None) -> pd.DataFrame:
    """Every place's and service's capability ladder for these dates, worked out once outside the read lock and
    kept as one table (as Demand's, _demand_group_table): the day count does not change which cases are
    completed, so one for both."""
    if end is not None and start in periods.public_range_starts(end):  # with the other ranges (_capability_ranges)
        return _capability_ranges(end)[start]
    return disclosure.capability_group_table(*_capability_cells(start, end))


def _capability_group(start: date | None, end: date | None, view: disclosure.View) -> dict[str, pd.DataFrame] | None:
    """One view's ladder as the group rule decided it (None when the view has no completed cases in these dates)."""
    return disclosure.ladder_from_table(_capability_group_table(start, end), view)


@cached_result(2, reads=FIGURES)
def _capability_ranges(end: date) -> dict[date | None, pd.DataFrame]:
    """Every date range the sidebar offers, one decision a whole period across them (as Demand's, _demand_ranges),
    one table a range."""
    cells = {start: _capability_cells(start, end) for start in periods.public_range_starts(end)}
    parent = cells[None][1]
    return disclosure.capability_ranges_tables({start: c for start, (c, _) in cells.items()}, parent)


def warm_public_ranges() -> None:
    """Work out the public Demand and Capability pages' date ranges for the data as it now is (seconds: the first
    public visitor after a load used to wait for them), then the rules every view of the sidebar's default range
    shares (the natures and totals tables, completed and open cases). ``ui.db`` runs this in the background when
    new figures are saved; the end dates are the pages' own (the last day with contacts, and with cases)."""
    span = data_span()
    contact, case = span["last_contact"], span["last_case_day"]
    if contact is not None:
        _demand_ranges(contact)
    if case is not None:
        _capability_ranges(case)
    if contact is not None:
        start = _default_start(contact)
        _natures_hidden(start, contact)
        _totals_hidden(start, contact)
    if case is not None:
        case_totals_hidden(_default_start(case), case)
        open_hidden(case)


def _default_start(end: date) -> date | None:
    """The first day of the sidebar's default date range (``ui.filters.DEFAULT_PERIOD``) ending on ``end``."""
    return periods.public_range_starts(end)[list(periods.RANGE_MONTHS).index(DEFAULT_PERIOD)]


# The page's views of the cached queries, kept too: hiding small counts redone on every rerun
# cost the Demand and Capability pages a tenth of a second each.
@cached_query(4, reads=FIGURES)
def _ward_natures(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> pd.DataFrame:
    return disclosure.ward_natures(con, start=start, end=end)


@cached_result(4, reads=FIGURES)
def _natures_hidden(start: date | None, end: date | None) -> set[disclosure.Total]:
    """Every place's and service's natures the public tables hide, decided at once (perf.disclosure.natures_hidden;
    for a range the sidebar offers, across ranges: _natures_ranges)."""
    if end is not None and start in periods.public_range_starts(end):
        return _natures_ranges(end)[start]
    parent = _demand_cells(start, end)[1]
    return disclosure.natures_hidden(disclosure.nature_cells(_ward_natures(start, end), parent), parent)


@cached_result(2, reads=FIGURES)
def _natures_ranges(end: date) -> dict[date | None, set[disclosure.Total]]:
    """The natures every range the sidebar offers hides, decided across ranges (perf.access.date_ranges): a demand
    type's total is known where the tables by place and channel show its view's total (_tables_ranges)."""
    starts = periods.public_range_starts(end)
    parent = _demand_cells(starts[-1], end)[1]
    cells = {s: disclosure.nature_cells(_ward_natures(s, end), parent) for s in starts}
    totals = _tables_ranges(end)
    return date_ranges.natures_ranges_hidden(cells, parent, {s: totals[s] for s in starts})


@cached_result(64, reads=FIGURES)
def natures_shown(filters: CaseFilter, public: bool) -> pd.DataFrame:
    """Demand by nature, largest first; in the public view small natures hidden, and those that would give one
    away across places and services."""
    natures = pareto(filters)
    if not public:
        return natures
    place, service = filters.locality_id or "ALL", filters.service_id or ""
    hidden = _natures_hidden(filters.start, filters.end)
    kinds = zip(natures["demand_type"].astype(str), natures["nature"].astype(str), strict=True)
    return disclosure.nature_pareto(natures, [(place, service, t + disclosure.PART + n) in hidden for t, n in kinds])


@cached_result(64, reads=FIGURES)
def failure_share_shown(filters: CaseFilter, granularity: Granularity, public: bool) -> Chart:
    """The failure-share chart; in the public view drawn again from the periods it may show."""
    share = failure_share(filters, granularity, public)
    if not public:
        return share
    periods = public_periods(filters, granularity)[1]
    return disclosure.published_p_chart(share, disclosure.hidden_at(share.points, periods))


@cached_result(64, reads=FIGURES)
def demand_chart_shown(filters: CaseFilter, granularity: Granularity, adjusted: bool, public: bool) -> Chart:
    """Demand per period as an XmR chart; in the public view without its hidden periods."""
    chart = demand_chart(filters, granularity, adjusted, public)
    if not public:
        return chart
    periods = public_periods(filters, granularity)[1]
    return disclosure.published_xmr(chart, disclosure.hidden_at(chart.points, periods))


@cached_query(4, reads=FIGURES)
def _ward_totals(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> pd.DataFrame:
    return disclosure.ward_totals(con, start=start, end=end)


@cached_result(4, reads=FIGURES)
def _totals_hidden(start: date | None, end: date | None) -> set[disclosure.Total]:
    """Every place's, service's and channel's whole-range total the public tables hide, decided over every
    table at once (perf.disclosure.totals_hidden), so none can be worked out from the others or the periods; for a
    range the sidebar offers, across ranges too (_tables_ranges)."""
    if end is not None and start in periods.public_range_starts(end):
        return _tables_ranges(end)[start]
    parent = _demand_cells(start, end)[1]
    known = disclosure.known_totals(_demand_groups(start, end))
    return disclosure.totals_hidden(disclosure.total_cells(_ward_totals(start, end), parent), parent, known)[0]


@cached_result(2, reads=FIGURES)
def _tables_ranges(end: date) -> dict[date | None, set[disclosure.Total]]:
    """The totals every range the sidebar offers hides in its tables by place and by channel, decided across ranges
    (perf.access.date_ranges: one range's total less another's is the count between their first days)."""
    starts = periods.public_range_starts(end)
    parent = _demand_cells(starts[-1], end)[1]
    cells = {s: disclosure.total_cells(_ward_totals(s, end), parent) for s in starts}
    tables = _demand_ranges(end)
    known = {s: disclosure.known_totals(disclosure.split_table(tables[s]), sentence=False) for s in starts}
    between = date_ranges.lone_hidden(tables)  # two totals less the periods between would give a hidden one back
    return date_ranges.ranges_totals_hidden(cells, parent, known, counts=disclosure.DEMAND_COUNTS, between=between)[0]


def total_shown(filters: CaseFilter) -> bool:
    """Does the public view show this view's total over the dates (its tables, or the sentence that says it)?"""
    view = (filters.locality_id or measures.AREA, filters.service_id or "", "")
    return view not in _totals_hidden(filters.start, filters.end)


@cached_result(64, reads=FIGURES)
def channel_totals(filters: CaseFilter, granularity: Granularity, public: bool) -> pd.DataFrame:
    """Demand by channel over the period; in the public view the totals perf.disclosure.totals_hidden hides."""
    totals = demand.totals(by_channel(filters, granularity), "channel")
    if not public:
        return totals
    place, service = filters.locality_id or "ALL", filters.service_id or ""
    hidden = _totals_hidden(filters.start, filters.end)
    return disclosure.hide_totals(totals, hidden, lambda row: (place, service, str(row["channel"])))


@cached_result(64, reads=FIGURES)
def place_totals(filters: CaseFilter, granularity: Granularity, level: Level, public: bool) -> pd.DataFrame:
    """Demand by place over the period, with rates per 1,000 residents; in the public view the totals
    perf.disclosure.totals_hidden hides."""
    totals = demand.totals(by_locality(filters, granularity, level), "locality_id")
    if not public:
        return totals
    service = filters.service_id or ""
    hidden = _totals_hidden(filters.start, filters.end)
    return disclosure.hide_totals(totals, hidden, lambda row: (str(row["locality_id"]), service, ""))


def cost_length(filters: CaseFilter, public: bool) -> Granularity:
    """What failure demand is priced by: months, or in the public view the length the view's counts are shown
    by when its months are not (perf.disclosure.cost_length)."""
    if not public:
        return "month"
    return _period(disclosure.cost_length(_demand_ladder(filters)))


@cached_result(64, reads=FIGURES)
def cost_shown(
    filters: CaseFilter, handling_minutes: float | None, cost_per_hour: float | None, public: bool
) -> pd.DataFrame:
    """What failure demand costs by service and month (public: by the view's length); in public a service's
    period is priced only where its Demand page shows the count (perf.disclosure.published_cost)."""
    length = cost_length(filters, public)
    priced = cost(filters, handling_minutes, cost_per_hour, length)
    if not public:
        return priced
    # cost / minutes / rate gives the count back: price only counts the public pages show, service by service
    place = filters.locality_id or "ALL"
    groups = _demand_groups(filters.start, filters.end)
    ladders = {s: ladder for (p, s), ladder in groups.items() if p == place and s}
    return disclosure.published_cost(priced, ladders, length)


@cached_result(64, reads=FIGURES)
def breakdown_shown(filters: CaseFilter, by: Breakdown, day_count: DayCount, public: bool) -> pd.DataFrame:
    """End-to-end time side by side by service, channel or place; small counts hidden in public, and the open
    cases of a place, service or channel where the public view hides them everywhere (open_hidden)."""
    table = breakdown(filters, by, day_count)
    if not public:
        return table
    out = disclosure.capability_rows(table)
    here, service = filters.locality_id or measures.AREA, filters.service_id or ""

    def key(row: pd.Series) -> disclosure.Total:
        g = str(row["group_id"])
        return (here, g, "") if by == "service" else (here, service, g) if by == "channel" else (g, service, "")

    blank = (*disclosure.CASE_COUNTS, *disclosure.CASE_DERIVED)
    out = disclosure.hide_totals(out, case_totals_hidden(filters.start, filters.end), key, blank=blank)
    if "open_cases" in out.columns:
        hidden = open_hidden(filters.end)
        more = pd.Series([key(row) in hidden for _, row in out.iterrows()], index=out.index)
        out["open_suppressed"] = out["open_suppressed"].astype(bool) | more
        out["open_cases"] = (
            pd.to_numeric(out["open_cases"], errors="coerce").astype("float64").mask(more).astype("Int64")
        )
    return out


@cached_query(4, reads=FIGURES)
def _case_totals(con: duckdb.DuckDBPyConnection, start: date | None, end: date | None) -> pd.DataFrame:
    return disclosure.case_totals(con, start=start, end=end)


@cached_result(4, reads=FIGURES)
def case_totals_hidden(start: date | None, end: date | None) -> frozenset[disclosure.Total]:
    """Every place's, service's and channel's count of completed cases over the dates that the public Side by
    side tables and count hide, decided over every table at once (perf.disclosure.case_totals_hidden): none can
    be worked out from the others or from the periods; for a range the sidebar offers, across ranges too."""
    if end is not None and start in periods.public_range_starts(end):
        return _case_totals_ranges(end)[start]
    parent = _capability_cells(start, end)[1]
    known = disclosure.known_totals(disclosure.split_table(_capability_group_table(start, end)))
    return frozenset(disclosure.case_totals_hidden(_case_totals(start, end), parent, known))


@cached_result(2, reads=FIGURES)
def _case_totals_ranges(end: date) -> dict[date | None, frozenset[disclosure.Total]]:
    """The counts of completed cases every range the sidebar offers hides, decided across ranges
    (perf.access.date_ranges), as Demand's tables (_tables_ranges)."""
    starts = periods.public_range_starts(end)
    parent = _capability_cells(starts[-1], end)[1]
    tables = _capability_ranges(end)
    known = {s: disclosure.known_totals(disclosure.split_table(tables[s]), sentence=False) for s in starts}
    wards = {s: _case_totals(s, end) for s in starts}
    hidden = date_ranges.case_ranges_hidden(wards, parent, known, date_ranges.lone_hidden(tables))
    return {s: frozenset(h) for s, h in hidden.items()}


@cached_query(4, reads=FIGURES)
def _open_cells(con: duckdb.DuckDBPyConnection, as_at: date | None) -> tuple[pd.DataFrame, dict[str, str | None]]:
    parent = case_counts.parents(con)
    return case_counts.open_cells(case_counts.open_by_ward(con, as_at=as_at), parent), parent


@cached_result(4, reads=FIGURES)
def open_hidden(as_at: date | None) -> frozenset[disclosure.Total]:
    """The open-case counts the public view does not give, (place, service, "") for a view's all, a channel or an
    age band for its parts: 1 to 4, or one that would give such a count away from a total (perf.access.case_counts.
    open_hidden over every place, service, channel and age band at once)."""
    cells, parent = _open_cells(as_at)
    return frozenset(case_counts.open_hidden(cells, parent))


@cached_query(64, reads=FIGURES)
def work_in_progress(con: duckdb.DuckDBPyConnection, filters: CaseFilter, day_count: DayCount) -> pd.DataFrame:
    return capability.work_in_progress(con, **filters.as_at(), day_count=day_count)


@cached_query(64, reads=FIGURES)
def oldest_open(con: duckdb.DuckDBPyConnection, filters: CaseFilter) -> pd.DataFrame:
    return capability.oldest_open_cases(con, **filters.as_at())


@cached_query(64, reads=FIGURES)
def breakdown(con: duckdb.DuckDBPyConnection, filters: CaseFilter, by: Breakdown, day_count: DayCount) -> pd.DataFrame:
    return capability.capability_breakdown(con, **filters.where(), by=by, day_count=day_count)


@cached_query(64, reads=FIGURES)
def service_phases(con: duckdb.DuckDBPyConnection, service_id: str | None, public: bool) -> pd.DataFrame:
    """The service's redesigns; the public view takes published measures' only (perf.access.public)."""
    return demand.service_phases(con, service_id, public_only=public)


@cached_query(64, reads=FIGURES)
def compare(
    con: duckdb.DuckDBPyConnection, filters: CaseFilter, change_on: date, day_count: DayCount
) -> PhaseComparison:
    return capability.compare_phases(con, **filters.where(), change_on=change_on, day_count=day_count)


@cached_query(64, reads=FIGURES)
def comparison_sides(con: duckdb.DuckDBPyConnection, filters: CaseFilter, change_on: date) -> list[averages.Sides]:
    """The view's averages before, after and over all dates in both day counts (one query: perf.access.averages)."""
    return averages.comparison_sides(
        con, service_id=filters.service_id or "", locality_id=filters.locality_id, change_on=change_on
    )


@cached_result(64, reads=FIGURES)
def comparison_shown(
    filters: CaseFilter, change_on: date, day_count: DayCount, public: bool
) -> tuple[PhaseComparison, pd.DataFrame, averages.Choice]:
    """Before and after a change over the view's whole history, its table, and how its averages are shown; in the
    public view a side's count of cases only where the chart's shown periods (all dates) add up to it
    (perf.access.case_counts.sides_shown), and the averages in whole days, or left out for the medians, where with
    Side by side's count and average over all dates they would give a blank count back (perf.access.averages)."""
    comparison = compare(filters.whole_history(), change_on, day_count)
    table = comparison.table()
    if not public:
        return comparison, table, "tenths"
    view = (filters.locality_id or measures.AREA, filters.service_id or "")
    ladder = None if filters.end is None else _capability_group(None, filters.end, view)
    counts = int(comparison.before["cases"]), int(comparison.after["cases"])
    shown = case_counts.sides_shown(ladder, change_on, *counts)
    choice: averages.Choice = "tenths"
    whole_shown = filters.end is not None and (*view, "") not in case_totals_hidden(None, filters.end)
    if not any(shown) and whole_shown:  # only then can averages tie the blank counts to the view's (one query)
        phases = service_phases(filters.service_id, True)["starts_on"]
        latest = not phases.empty and pd.Timestamp(change_on) == phases.max()
        sides = comparison_sides(filters.whole_history(), change_on)
        choice = averages.choose(sides, counts_shown=shown, whole_shown=True, latest=bool(latest))
    table = averages.public_table(case_counts.public_comparison_table(table, shown), choice)
    return comparison, table, choice
