"""The public Capability page's other counts of cases: before and after a change, and the cases open now.

:mod:`perf.access.disclosure` decides the periods the chart shows and the Side by side counts of completed cases
across places, services and channels (:func:`~perf.access.disclosure.group_ladders`,
:func:`~perf.access.disclosure.case_totals_hidden`). This module decides the page's other counts:

- **Before and after a change** (Check–Plan–Do: did the change shift the system?). Each side's count of cases
  completed is a sum over a place's wards and over time, so a locality's count less its shown wards', or a side
  less the chart's shown periods, could give a hidden count back. The public table shows a side's count only where
  the visitor can already add it up from the periods the chart shows for that view over all dates
  (:func:`sides_shown`): then it says nothing new, whatever the other places and services show. The comparison is
  offered only at the published measures' phase dates (the page's list), never at a date a visitor picks.
- **Open cases now**: the count ("24 cases were open"), Side by side's Open now by service, place and channel, and
  the bars of open cases by age. All are parts of one view's open cases and sums over places and services, so they
  are decided together (:func:`open_hidden`): a count from 1 to 4 is hidden, and wherever a sum (a place over its
  children, all services over each service, a view over its channels, over its age bands in calendar days and in
  working days) has exactly one hidden figure the next smallest is hidden too, until no hidden figure can be worked
  out, sum by sum or by solving all the sums at once (:mod:`perf.access.solvable`). The bands are the same for every view (``AGE_BANDS``), so a locality's bar is its wards' bars
  added up. How many are older than the upper limit is said only as a sum of the bars shown (:func:`beyond_said`).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, Literal

import numpy as np
import pandas as pd

from perf.access import disclosure, solvable
from perf.analysis import capability

SMALL_COUNT = disclosure.SMALL_COUNT
PART = disclosure.PART
_LENGTH = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}

Side = Literal["before", "after"]


# --- before and after a change ------------------------------------------------------------------------------
def side_known(
    ladder: Mapping[str, pd.DataFrame] | None, change_on: date, count: int, side: Side, *, flag: str = "suppressed"
) -> bool:
    """Can a visitor add up ``count``, the cases completed on one ``side`` of ``change_on``, from the periods the
    public chart shows for the view over all dates (``ladder``: its :func:`~perf.access.disclosure.group_ladders`
    entry, the lengths it offers)? Yes when, at one length offered, no period with cases runs across the change
    date and every period on that side is shown and they add up to ``count``. Zero is shown as the rule shows zero.

    Example
    -------
    >>> weeks = pd.DataFrame({"period_start": pd.to_datetime(["2025-01-06", "2025-01-13", "2025-01-20"]),
    ...                       "cases": [9, 7, 8], "suppressed": [False, False, True]})
    >>> side_known({"week": weeks}, date(2025, 1, 20), 16, "before"), side_known({"week": weeks}, date(2025, 1, 20), 8, "after")
    (True, False)
    """
    if count == 0:
        return True
    when = pd.Timestamp(change_on)
    for g, frame in (ladder or {}).items():
        if frame.empty:
            continue
        starts = pd.to_datetime(frame["period_start"])
        if ((starts < when) & (starts + _LENGTH[g] > when)).any():
            continue  # a period runs across the change: its cases on this side are not a figure shown
        mine = (starts < when) if side == "before" else (starts >= when)
        if frame.loc[mine, flag].astype(bool).any():
            continue
        if int(pd.to_numeric(frame.loc[mine, "cases"], errors="coerce").fillna(0).sum()) == count:
            return True
    return False


def sides_shown(
    ladder: Mapping[str, pd.DataFrame] | None, change_on: date, before: int, after: int
) -> tuple[bool, bool]:
    """Which of the two counts (before, after) the public before/after table shows (:func:`side_known`)."""
    return side_known(ladder, change_on, before, "before"), side_known(ladder, change_on, after, "after")


COMPARISON_COUNT = capability.CASES_COMPLETED  # the row of PhaseComparison.table() that counts cases


def public_comparison_table(table: pd.DataFrame, shown: tuple[bool, bool]) -> pd.DataFrame:
    """:meth:`perf.analysis.capability.PhaseComparison.table` with the count of a side blank where
    :func:`sides_shown` does not show it (and the change, which would give it back from the other side).

    Example
    -------
    >>> t = pd.DataFrame({"measure": ["Cases completed", "Average"], "before": [40.0, 9.5], "after": [30.0, 7.0],
    ...                   "change": [-10.0, -2.5]})
    >>> public_comparison_table(t, (True, False)).iloc[0, 1:].tolist()
    [40.0, nan, nan]
    """
    out = table.copy()
    row = (out["measure"] == COMPARISON_COUNT).to_numpy()
    for col, ok in (("before", shown[0]), ("after", shown[1]), ("change", all(shown))):
        if not ok:
            out[col] = out[col].astype("float64").mask(row)
    return out


def counts_blank(table: pd.DataFrame) -> bool:
    """Does :func:`public_comparison_table` leave a side's count blank?"""
    row = table[table["measure"] == COMPARISON_COUNT]
    return bool(row[["before", "after"]].isna().to_numpy().any())


# --- open cases now ---------------------------------------------------------------------------------------
DayCount = Literal["calendar", "working"]
# Our convention: the public bars of open cases by age are the same for every view, so that a locality's bar is
# its wards' bars added up (the rule can then hide one with its siblings): two weeks wide (14 calendar days, 10
# working days), from 26 weeks (182 days, 130 working days) on one bar. At most 14 bars; the upper limits of the
# sample's services (6 to 116 days) fall inside them.
AGE_BANDS: dict[str, tuple[int, int]] = {"calendar": (14, 182), "working": (10, 130)}  # (width, last band from)


def band_start(age: pd.Series | np.ndarray, day_count: DayCount) -> np.ndarray:
    """The first age of each age's band (``AGE_BANDS``).

    Example
    -------
    >>> band_start(np.array([0, 13, 14, 181, 400]), "calendar").tolist()
    [0, 0, 14, 168, 182]
    """
    width, last = AGE_BANDS[day_count]
    ages = np.asarray(age, dtype=np.int64)
    return np.asarray(np.minimum((ages // width) * width, last), dtype=np.int64)


def band_part(day_count: str, start: int) -> str:
    """An age band as a part of a view's open cases (``day_count`` PART first age), as :func:`open_hidden` keys it."""
    return f"{day_count}{PART}{int(start)}"


def open_by_ward(con: Any, *, as_at: Any = None) -> pd.DataFrame:
    """Cases open at the end of ``as_at`` per ward, service, channel and age so far, in calendar and working days
    (``capability_open_by_ward_service_channel_age.sql``)."""
    from perf import store

    return store.query(
        con, "capability_open_by_ward_service_channel_age", {"as_at": as_at, "service_id": None, "locality_id": None}
    )


def parents(con: Any) -> dict[str, str | None]:
    """Each place's parent in the place tree (None for the whole area)."""
    from perf import store

    places = store.query(con, "localities")
    return {
        str(p): (None if pd.isna(q) else str(q))
        for p, q in zip(places["locality_id"], places["parent_id"], strict=True)
    }


def open_cells(wards: pd.DataFrame, parent: dict[str, str | None]) -> pd.DataFrame:
    """Every view's open cases (``place``, ``service``, ``channel``, ``open_cases``) as the public page shows them:
    all of them (``channel`` ""; "24 cases were open", Side by side's Open now by service or place), by channel
    (Side by side by channel) and by age band in calendar and in working days (the bars; ``band_part``), from
    :func:`open_by_ward` summed up the place tree and over services; only cells with cases."""
    days: tuple[tuple[DayCount, str], ...] = (("calendar", "age_days"), ("working", "age_working_days"))
    parts = [
        wards.assign(channel=""),
        wards.assign(channel=wards["channel"].astype(str)),
        *(wards.assign(channel=[band_part(d, a) for a in band_start(wards[col], d)]) for d, col in days),
    ]
    keys = ["place", "service", "channel"]
    joined = pd.concat(parts, ignore_index=True)
    summed = joined.groupby(keys)["open_cases"].sum().reset_index()
    out = disclosure.tree_cells(summed, parent, ["open_cases"], by=["channel"])
    return out[out["open_cases"] > 0].reset_index(drop=True)


def open_hidden(cells: pd.DataFrame, parent: dict[str, str | None], *, joint: bool = True) -> set[disclosure.Total]:
    """Which of the views' open-case counts (:func:`open_cells`) the public Capability page hides: a count from 1 to 4,
    and wherever a sum has exactly one hidden figure the next smallest too, until none has. The sums: a place's over
    its children, all services' over each service, a view's over its channels, over its calendar-day bands and over
    its working-day bands (:func:`perf.access.disclosure.totals_hidden`, the rule of Demand's tables).

    So many sums share their figures that a hidden one can still be worked out step by step (a service's channel
    from its place's channel less the other services', which then completes another sum...): each figure worked out
    so has the smallest shown figure of the sum that gave it hidden as well, and the rule runs again, until none
    can be (:func:`worked_out`). A visitor may also solve all the sums together (the calendar-day and the
    working-day bars of the same cases, with the places' and the services' sums, can give a bar back though no sum
    has one figure hidden): once nothing can be worked out sum by sum, ``joint`` (the public rule; False only to
    measure the rule without it) audits the whole system (:func:`perf.access.solvable.determined`) and hides, for
    each figure it gives back, the smallest shown figure of the sums that hold it (a part before a view's whole
    count; of the smallest few, one whose hiding leaves it undetermined), and the rule runs again, until the audit
    finds none. The sum-by-sum pass stays first: it is cheap and settles most figures, so the audit (a few
    hundredths of a second on the sample, quiet) runs a handful of times.

    Example
    -------
    >>> t = pd.DataFrame({"place": "A", "service": "", "channel": ["", "phone", "web", band_part("calendar", 0),
    ...                   band_part("calendar", 14)], "open_cases": [30, 27, 3, 20, 10]})
    >>> sorted(c for _, _, c in open_hidden(t, {"A": None}))
    ['phone', 'web']
    """
    keys = list(
        zip(cells["place"].astype(str), cells["service"].astype(str), cells["channel"].astype(str), strict=True)
    )
    closes = [d + PART for d in AGE_BANDS]
    links = sum_links(keys, parent, closes)
    size = pd.to_numeric(cells["open_cases"]).to_numpy(dtype="float64")
    forced = np.zeros(len(keys), dtype=bool)
    whole = (cells["channel"].astype(str) == "").to_numpy()
    # a part as large as its view's whole count (every open case in one bar or channel) is the whole count: hiding
    # it for another figure's sake would hide that too, so it is the last choice as a second blank
    views = list(zip(cells["place"].astype(str), cells["service"].astype(str), strict=True))
    totals = {v: n for v, n, w in zip(views, size, whole, strict=True) if w}
    entire = np.array([not w and totals.get(v) == n for v, n, w in zip(views, size, whole, strict=True)], dtype=bool)
    last = np.where(entire & (size >= SMALL_COUNT), size + 10**9, size)
    for _ in range(200):
        demand = np.where(forced, 1.0, last)  # a forced figure is hidden as a small count is
        frame = cells.assign(demand=demand)[["place", "service", "channel", "demand"]]
        hidden = disclosure.totals_hidden(frame, parent, closes=closes)[0]
        flag = np.array([k in hidden for k in keys], dtype=bool)
        more = _breaks(links, flag, size, whole)
        if not more.any() and joint:  # nothing worked out sum by sum: now all the sums at once
            more = _solved_breaks(links, flag, size, whole)
        if not more.any():
            return hidden
        forced |= more | flag
    raise RuntimeError("open cases: the rule did not settle in 200 rounds")


def sum_links(
    keys: list[disclosure.Total], parent: dict[str, str | None], closes: Collection[str] = ()
) -> pd.DataFrame:
    """Every sum a figure takes part in, as (``sum``, ``item``, ``whole``: the sum's total) rows, total and parts
    alike, as :func:`perf.access.disclosure.totals_hidden` reads them (a sum of one figure left out)."""
    links = disclosure.sum_keys(keys, parent, closes=closes)
    links["whole"] = np.array([is_total(s, keys[i]) for s, i in zip(links["sum"], links["item"], strict=True)], bool)
    links["sum"] = pd.factorize(links["sum"])[0]
    return links[links.groupby("sum")["item"].transform("size") > 1].reset_index(drop=True)


def is_total(sum_key: tuple[str, ...], key: disclosure.Total) -> bool:
    """Is ``key`` the total of the sum :func:`perf.access.disclosure.sum_keys` names ``sum_key``: a place's figure
    over its children's, all services' over each service's, a view's all (or a demand type's) over its parts?"""
    place, service, channel = key
    if sum_key[0] == "place":
        return place == sum_key[1]
    if sum_key[0] == "service":
        return service == ""
    return channel == "" or channel.endswith(PART)


def worked_out(links: pd.DataFrame, hidden: np.ndarray) -> tuple[np.ndarray, dict[int, int]]:
    """What a visitor can work out from the shown figures (``~hidden``) and the sums (:func:`sum_links`): a sum with one
    figure unknown gives it, over and over. Returns every figure known, and for each worked out, the sum that gave it."""
    known = ~hidden
    item, key = links["item"].to_numpy(), links["sum"].to_numpy()
    via: dict[int, int] = {}
    while True:
        unknown = np.bincount(key, weights=~known[item], minlength=int(key.max(initial=-1)) + 1)
        rows = np.flatnonzero((unknown[key] == 1) & ~known[item])
        if not len(rows):
            return known, via
        for r in rows:
            via.setdefault(int(item[r]), int(key[r]))
        known[item[rows]] = True


def _breaks(links: pd.DataFrame, hidden: np.ndarray, size: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """For each hidden figure a visitor can work out, the smallest shown figure of the sum that gave it, a part of a
    view (a channel, an age band) before a view's whole count (``whole``), which the page says in words."""
    known, via = worked_out(links, hidden)
    more = np.zeros(len(hidden), dtype=bool)
    item, key = links["item"].to_numpy(), links["sum"].to_numpy()
    for h in np.flatnonzero(known & hidden):
        members = item[key == via[int(h)]]
        shown = members[~hidden[members] & (size[members] > 0)]
        if len(shown):
            more[shown[np.lexsort((size[shown], whole[shown]))[0]]] = True
    return more


def _solved_breaks(links: pd.DataFrame, hidden: np.ndarray, size: np.ndarray, whole: np.ndarray) -> np.ndarray:
    """For each hidden figure a visitor can work out only by solving all the sums together, the smallest shown figure
    of the sums that hold it (a part of a view before a view's whole count, as :func:`_breaks`):
    :func:`perf.access.solvable.breaks`."""
    rank = np.empty(len(size), dtype=np.int64)
    rank[np.lexsort((size, whole))] = np.arange(len(size))
    return solvable.breaks(links, size, hidden, rank, size > 0)


def public_age_bands(
    wip: pd.DataFrame, day_count: DayCount, hidden: Collection[disclosure.Total], view: disclosure.View
) -> pd.DataFrame:
    """A view's open cases by age so far (:func:`perf.analysis.capability.work_in_progress`) in the public bands
    (``AGE_BANDS``), a band blank where :func:`open_hidden` hides it.

    Returns
    -------
    DataFrame: ``age_from``, ``age_to`` (days, inclusive; the last band's ``age_to`` is its width on, for drawing),
    ``band`` ("14-27", "182 or more"), ``open_cases`` (NaN when hidden), ``suppressed``, ``open_ended``.
    """
    width, last = AGE_BANDS[day_count]
    if wip.empty:
        return pd.DataFrame(
            {
                "age_from": pd.Series(dtype="int64"),
                "age_to": pd.Series(dtype="int64"),
                "band": pd.Series(dtype=str),
                "open_cases": pd.Series(dtype="float64"),
                "suppressed": pd.Series(dtype=bool),
                "open_ended": pd.Series(dtype=bool),
            }
        )
    start = pd.Series(band_start(wip["age_days"], day_count), index=wip.index, name="age_from")
    out = wip.groupby(start)["open_cases"].sum().reset_index()
    out["age_to"] = out["age_from"] + width - 1
    out["open_ended"] = out["age_from"] >= last
    out["band"] = [
        f"{a} or more" if end else f"{a}-{b}"
        for a, b, end in zip(out["age_from"], out["age_to"], out["open_ended"], strict=True)
    ]
    out["suppressed"] = [(*view, band_part(day_count, a)) in hidden for a in out["age_from"]]
    out["open_cases"] = out["open_cases"].astype("float64").mask(out["suppressed"])
    return out[["age_from", "age_to", "band", "open_cases", "suppressed", "open_ended"]]


def beyond_said(bands: pd.DataFrame, upper: float, beyond: int) -> tuple[str, int]:
    """What the public page may say of the ``beyond`` open cases older than the ``upper`` limit, from the view's
    :func:`public_age_bands`, so that it says only what its bars add up to: ("exact", n) when every bar that could
    hold such a case is shown and wholly older than the limit (n may be 0), ("at least", n) when the bars wholly
    older than the limit hold n of them, else ("unsaid", 0). The count less the bars would otherwise give a hidden
    bar back, or the part of a bar beyond the limit; and another place's count (with its own limit) set against
    this one, a part of one.

    Example
    -------
    >>> b = pd.DataFrame({"age_from": [0, 14, 28], "age_to": [13, 27, 41], "open_cases": [30.0, float("nan"), 12.0],
    ...                   "suppressed": [False, True, False]})
    >>> beyond_said(b, 27.5, 12), beyond_said(b, 20.0, 15), beyond_said(b, 30.0, 10), beyond_said(b, 50.0, 0)
    (('exact', 12), ('at least', 12), ('unsaid', 0), ('exact', 0))
    """
    first = math.floor(upper) + 1  # ages are whole days: older than the limit is this age or more
    reach = bands[bands["age_to"] >= first]  # the bars that could hold a case that old
    hidden = reach["suppressed"].astype(bool)
    n = int(pd.to_numeric(reach.loc[~hidden & (reach["age_from"] >= first), "open_cases"]).sum())
    if not hidden.any() and (reach["age_from"] >= first).all():
        if n != beyond:
            raise ValueError(f"the bars older than the limit hold {n} cases, the count says {beyond}")
        return "exact", n
    return ("at least", n) if n > 0 else ("unsaid", 0)
