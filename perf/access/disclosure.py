"""The small-count rule on screen: what the public view may show of demand and capability.

The partner zip (:mod:`perf.output.export`) and the public Demand and Capability pages share one rule,
:func:`perf.access.small_counts.suppress_small_counts`: a count from 1 to 4 (``small_counts.SMALL_COUNT``) is
blanked, zero is shown, and when only one cell of a group that adds up to a known total is
blank the next smallest is blanked too. This module applies it to the frames of
:mod:`perf.analysis.demand` and :mod:`perf.analysis.capability` and blanks what could give a hidden count away:

- shares, rates and per-case statistics worked out from a hidden count (a failure share, a rate
  per 1,000 residents, the median of three cases);
- a Pareto's cumulative share from the first hidden nature on (two running totals give away the
  share between them);
- chart points, whose centre line and limits are then worked out from the shown points only, so a
  hidden count cannot be got back from a line (:func:`published_xmr`, :func:`published_p_chart`).

Unlike the zip, the pages apply it at every level, the whole area included: a count of 3 contacts
of one nature, or by letter, is as small for the whole area as for a ward. The public pages show months and
quarters (``LADDER``), never weeks: a week does not fit in a month or quarter, so a week straddling a month's end
and the part-week at a range's start would split into parts a visitor could work out from the weeks and months
shown. Month-by-month counts for one ward are often small too, so a view moves to quarters when too many months
would be hidden (``MAX_HIDDEN_SHARE``, our convention). A visitor can ask for each length in turn, so
:func:`published_ladder` hides a quarter that holds a hidden month (the quarter less its shown months would give
the month back), and offers months only when that leaves the quarters readable; :func:`choose` picks the length
to show. Across places and services, :func:`group_ladders`
hides a ward's or service's period that would otherwise be the only one hidden under a shown total
(a locality's month less its other wards' months). A hidden period must not be one its view's shown figures
add up to either (three shown months give their quarter, a quarter less two shown months the third):
such a period, hidden for a sibling's sake or as a second blank, gets a shorter period inside it hidden too
(:class:`_Rebuild`), and counts as shown when siblings are compared.

Example
-------
>>> f = pd.DataFrame({"channel": ["phone", "letter", "web"], "value_demand": [90, 3, 40],
...                   "failure_demand": [30, 0, 9]})
>>> f["demand"] = f["value_demand"] + f["failure_demand"]
>>> out = demand_counts(f.assign(failure_share=f["failure_demand"] / f["demand"]))
>>> out[["channel", "demand", "failure_share", "suppressed"]].round(2).values.tolist()
[['phone', 120, 0.25, False], ['letter', <NA>, nan, True], ['web', <NA>, nan, True]]
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable, Collection, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from perf.access import small_counts
from perf.analysis import demand

if TYPE_CHECKING:
    from perf.analysis.capability import CapabilityChart, PhaseComparison
    from perf.analysis.demand import Granularity
    from perf.spc import Chart

SMALL_COUNT = small_counts.SMALL_COUNT  # one rule for the zip and the pages (issue #7: "fewer than 5 in a cell")
FEWER_THAN = f"fewer than {SMALL_COUNT}"
# Our convention: a period-by-period view in which more than a tenth of the periods are hidden says
# too little (and its averages lean on the busier periods), so the public view moves to a longer period.
MAX_HIDDEN_SHARE = small_counts.MAX_HIDDEN_SHARE  # and no chart over time, nor an average, beyond it (too_few_shown)
# Our convention: when even quarter by quarter more than half the periods are hidden, a chart over time
# would be mostly gaps and its average would lean on the few busy periods; the page gives totals instead.
MOSTLY_HIDDEN = 0.5

DEMAND_COUNTS = ("value_demand", "failure_demand", "demand")
DEMAND_DERIVED = ("failure_share", "share_of_demand", "demand_per_1000", "failure_demand_per_1000")
CASE_COUNTS = ("cases",)
CASE_DERIVED = ("mean", "median", "p90", "longest", "mean_moving_range", "lower", "upper", "value")
RULE = (
    f"Public view: a count from 1 to {SMALL_COUNT - 1} is not shown, so that no one can be identified, "
    "and where it could be worked out from a total the next smallest count is hidden too, as is a "
    "quarter that holds a hidden month. Zero is shown."
)
WHOLE_QUARTERS = (
    "From {day}: the public view starts a date range on the first day of a quarter, so every month and quarter "
    "it shows is whole (a part of one, set beside the whole in a longer range, would give away the days before)."
)
HIDDEN_COLUMN = "Not shown"  # a table's flag column: a small count, or a count that would give one away
HIDDEN_MEANS = f"Not shown: a count from 1 to {SMALL_COUNT - 1}, or a count that would give such a count away."


# --- tables -----------------------------------------------------------------------------------------
def suppress(
    frame: pd.DataFrame,
    counts: Sequence[str],
    *,
    derived: Sequence[str] = (),
    groups: Sequence[Sequence[str]] = ((),),
    flag: str = "suppressed",
) -> pd.DataFrame:
    """:func:`perf.access.small_counts.suppress_small_counts`, then blank the figures worked out from the counts.

    ``counts`` and ``derived`` name columns; those missing from ``frame`` are skipped. ``groups``
    defaults to one group, the whole table, because the pages show its total elsewhere (the
    channels add up to the periods). Returns a copy with a boolean ``flag`` column.

    Example
    -------
    >>> f = pd.DataFrame({"nature": ["a", "b", "c"], "demand": [2, 7, 30], "share": [0.05, 0.18, 0.77]})
    >>> suppress(f, ["demand"], derived=["share"])[["demand", "share"]].values.tolist()
    [[<NA>, nan], [<NA>, nan], [30, 0.77]]
    """
    present = [c for c in counts if c in frame.columns]
    if not present:
        raise ValueError(
            f"counts must name columns of the frame ({', '.join(map(str, frame.columns))}), got {list(counts)!r}"
        )
    if frame.empty:
        out = frame.copy().reset_index(drop=True)
        for col in present:
            out[col] = out[col].astype("float64")
        out[flag] = pd.Series(dtype=bool)
        return out
    earlier = frame["suppressed"].to_numpy() if flag != "suppressed" and "suppressed" in frame.columns else None
    base = frame if earlier is None else frame.drop(columns=["suppressed"])
    out = small_counts.suppress_small_counts(base, present, groups=[list(g) for g in groups])
    for col in derived:
        if col in out.columns:
            out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(out["suppressed"])
    out = out.rename(columns={"suppressed": flag}) if flag != "suppressed" else out
    if earlier is not None:  # a second count hidden on its own rule keeps the first one's flag
        out["suppressed"] = earlier
    for col in present:  # whole numbers stay whole, with <NA> where hidden (as the partner zip)
        if pd.api.types.is_integer_dtype(frame[col].dtype):
            out[col] = out[col].astype("Int64")
    return out


def demand_counts(frame: pd.DataFrame) -> pd.DataFrame:
    """Demand by period, channel or place (:func:`perf.analysis.demand.demand_by_period`, :func:`perf.analysis.demand.totals`)
    with small counts hidden; a row's value, failure and total demand, share and rates go together."""
    return suppress(frame, DEMAND_COUNTS, derived=DEMAND_DERIVED)


def nature_pareto(natures: pd.DataFrame, hidden: Sequence[bool] | None = None) -> pd.DataFrame:
    """:func:`perf.analysis.demand.nature_pareto` with small natures hidden, within value and within failure demand
    (or the rows ``hidden`` names: :func:`totals_hidden` over every place and service's natures).

    A hidden nature's share goes too, and so does the cumulative share from the first hidden
    nature on, in rank order: two running totals would give away the share between them.

    Example
    -------
    >>> n = pd.DataFrame({"demand_type": "failure", "rank": [1, 2, 3], "nature": ["x", "y", "z"],
    ...                   "demand": [60, 30, 3], "share": [0.645, 0.323, 0.032],
    ...                   "cumulative_share": [0.645, 0.968, 1.0]})
    >>> nature_pareto(n)[["demand", "cumulative_share"]].values.tolist()
    [[60, 0.645], [<NA>, nan], [<NA>, nan]]
    """
    if hidden is None:
        out = suppress(natures, ["demand"], derived=["share"], groups=[["demand_type"]])
    else:
        out = _blank(natures.reset_index(drop=True), np.asarray(hidden, dtype=bool), ("demand", "share"), "suppressed")
    if out.empty or "cumulative_share" not in out.columns:
        return out
    order = out.sort_values(["demand_type", "rank"]).index
    hidden_on = out.loc[order].groupby("demand_type", sort=False)["suppressed"].cummax()
    out["cumulative_share"] = out["cumulative_share"].astype("float64").mask(hidden_on.reindex(out.index))
    return out


def failure_cost(cost: pd.DataFrame) -> pd.DataFrame:
    """:func:`perf.analysis.demand.failure_demand_cost` with small failure counts hidden.

    The cost is contacts x minutes x rate, so a cost gives its count away: a hidden count blanks
    its cost, and a second count of the same service is hidden with it (the service's total is
    shown elsewhere). A total over services then leaves the hidden ones out; say so beside it.
    """
    return suppress(cost, ["failure_demand"], derived=["hours", "cost"], groups=[["service_id"]])


COST_BLANK = ("failure_demand", "hours", "cost")


def cost_length(ladder: dict[str, pd.DataFrame] | None) -> str:
    """The length to price failure demand by: months when the view offers them, else the length it is shown by.

    Example
    -------
    >>> cost_length({"quarter": pd.DataFrame()}), cost_length({"month": pd.DataFrame(), "quarter": pd.DataFrame()})
    ('quarter', 'month')
    """
    return "month" if not ladder else choose(ladder, "month")[0]


def published_cost(
    cost: pd.DataFrame,
    ladders: dict[str, dict[str, pd.DataFrame]],
    granularity: str,
    *,
    flag: str = "suppressed",
) -> pd.DataFrame:
    """:func:`perf.analysis.demand.failure_demand_cost` by ``granularity`` with a service's period priced only
    where the public Demand page shows that service's count for that period.

    A cost is the failure count times minutes times a rate, so cost / minutes / rate gives the count back:
    a cost may only repeat a figure the page already shows. ``ladders`` maps each service to its view's
    ladder (:func:`group_ladders`, same place and dates); a service whose view does not offer
    ``granularity``, or hides the period (a small count, or one that would give another away across
    lengths, places or services), is left out of the cost, flagged ``flag``. Sums over the shown rows
    (the page's sentence) are then sums of figures the public can see.

    Example
    -------
    >>> c = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01", "2025-10-01"]), "service_id": "a",
    ...                   "failure_demand": [30, 40], "hours": [3.0, 4.0], "cost": [90.0, 120.0]})
    >>> q = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01", "2025-10-01"]), "suppressed": [True, False]})
    >>> published_cost(c, {"a": {"quarter": q}}, "quarter")["cost"].tolist()
    [nan, 120.0]
    >>> published_cost(c, {"a": {"quarter": q}}, "month")["suppressed"].tolist()  # months not offered for "a"
    [True, True]
    """
    out = cost.copy().reset_index(drop=True)
    starts = pd.to_datetime(out["period_start"])
    shown = np.zeros(len(out), dtype=bool)
    for service, ladder in ladders.items():
        frame = ladder.get(granularity)
        if frame is None or frame.empty:
            continue
        visible = set(pd.to_datetime(frame.loc[~frame[flag].astype(bool), "period_start"]))
        shown |= ((out["service_id"].astype(str) == service) & starts.isin(visible)).to_numpy()
    hidden = ~shown
    earlier = out[flag].to_numpy(dtype=bool) if flag in out.columns else np.zeros(len(out), dtype=bool)
    out[flag] = earlier | hidden
    for col in COST_BLANK:
        if col in out.columns:
            kind = out[col].dtype
            masked = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(out[flag].to_numpy(dtype=bool))
            out[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
    return out


def ward_periods(
    rows: pd.DataFrame,
    cells: pd.DataFrame,
    ladders: dict[tuple[str, str], dict[str, pd.DataFrame]],
    length: str = "month",
    *,
    on: str = "month_start",
    flag: str = "suppressed",
) -> pd.DataFrame:
    """The partner zip's demand by ward (``export_demand_by_ward.sql``: a row per period ``on``, service, ward and
    demand type with contacts) showing a ward's service period only where the public Demand page shows it.

    A partner can set the zip beside the pages, so it makes the same decisions (:func:`group_ladders`, all
    dates): a period the page hides, or every period of a ward and service the page does not offer by
    ``length`` (months shown by quarter only), is blank in both its rows (value and failure; a missing row
    would say zero), flagged ``flag``. ``cells`` is :func:`demand_cells`'s table of that length (every place,
    service and period, zeros too).

    Example
    -------
    >>> rows = pd.DataFrame({"month_start": pd.to_datetime(["2025-01-01", "2025-02-01"]), "service_id": "s",
    ...                      "service_name": "S", "ward_id": "w", "ward_name": "W", "demand_type": "value",
    ...                      "contacts": [40, 3]})
    >>> cells = pd.DataFrame({"place": "w", "service": "s", "period_start": rows["month_start"]})
    >>> month = pd.DataFrame({"period_start": rows["month_start"], "suppressed": [False, True]})
    >>> out = ward_periods(rows, cells, {("w", "s"): {"month": month}})
    >>> out[["demand_type", "contacts", "suppressed"]].values.tolist()
    [['value', 40, False], ['failure', <NA>, True], ['value', <NA>, True]]
    """
    wards = set(rows["ward_id"].astype(str))
    grid = cells[cells["place"].astype(str).isin(wards) & (cells["service"].astype(str) != "")]
    unseen = []
    for (ward, service), periods in grid.groupby(["place", "service"], sort=False):
        frame = ladders.get((str(ward), str(service)), {}).get(length)
        if frame is None:  # not offered by this length for this ward and service: every period is unseen
            starts = pd.to_datetime(periods["period_start"])
        else:
            starts = pd.to_datetime(frame.loc[frame[flag].astype(bool), "period_start"])
        unseen += [(str(ward), str(service), pd.Timestamp(d).as_unit("ns")) for d in starts]
    out = rows.copy()
    kind = out[on].dtype
    out[on] = pd.to_datetime(out[on]).astype("datetime64[ns]")
    hidden = pd.DataFrame(unseen, columns=["ward_id", "service_id", on]).drop_duplicates()
    types = pd.DataFrame({"demand_type": ["value", "failure"]})
    missing = hidden.merge(types, how="cross").merge(
        out[["ward_id", "service_id", on, "demand_type"]], how="left", indicator=True
    )
    missing = missing[missing["_merge"] == "left_only"].drop(columns="_merge")
    names = {
        col: dict(zip(out[key].astype(str), out[col], strict=True))
        for key, col in (("service_id", "service_name"), ("ward_id", "ward_name"))
    }
    missing = missing.assign(
        service_name=missing["service_id"].map(names["service_name"]).fillna(missing["service_id"]),
        ward_name=missing["ward_id"].map(names["ward_name"]).fillna(missing["ward_id"]),
        contacts=np.nan,
    )
    out = pd.concat([out, missing[out.columns]], ignore_index=True) if len(missing) else out
    keys = pd.MultiIndex.from_frame(out[["ward_id", "service_id", on]])
    out[flag] = keys.isin(pd.MultiIndex.from_frame(hidden))
    out["contacts"] = pd.to_numeric(out["contacts"], errors="coerce").mask(out[flag]).astype("Int64")
    out = out.sort_values([on, "service_id", "ward_id", "demand_type"], ignore_index=True, kind="stable")
    out[on] = out[on].astype(kind) if pd.api.types.is_datetime64_any_dtype(kind) else out[on].dt.date
    return out


def _blank(frame: pd.DataFrame, more: np.ndarray, blank: Sequence[str], flag: str) -> pd.DataFrame:
    """``frame`` with the rows ``more`` hidden too: flagged, and their ``blank`` columns empty."""
    out = frame.copy()
    out[flag] = (out[flag].to_numpy(dtype=bool) if flag in out.columns else np.zeros(len(out), dtype=bool)) | more
    for col in blank:
        if col in out.columns:
            kind = out[col].dtype
            masked = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(more)
            out[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
    return out


Total = tuple[str, str, str]  # (place, service, channel) over a date range; "" is every service or every channel


def ward_totals(con: Any, *, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Demand per ward, service and channel over a date range (``demand_by_ward_service_channel.sql``)."""
    from perf import store

    return store.query(con, "demand_by_ward_service_channel", {"start": start, "end": end})


def total_cells(wards: pd.DataFrame, parent: dict[str, str | None]) -> pd.DataFrame:
    """Demand over the whole date range for every place, service and channel (``""`` for all of them): the
    figures the public Demand page's tables by place and by channel show, from :func:`ward_totals` summed up
    the place tree, over services and over channels; only cells with contacts."""
    wards = pd.concat([wards, wards.assign(channel="")], ignore_index=True)
    out = tree_cells(wards, parent, ["value_demand", "failure_demand"], by=["channel"])
    out["demand"] = out["value_demand"] + out["failure_demand"]
    return out[out["demand"] > 0].reset_index(drop=True)


PART = "\x1f"  # joins a demand type and a nature into one part ("failure" PART "progress chasing")


def ward_natures(con: Any, *, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Contacts per ward, service, demand type and nature over a date range (``demand_by_ward_service_nature.sql``)."""
    from perf import store

    return store.query(con, "demand_by_ward_service_nature", {"start": start, "end": end})


def nature_cells(wards: pd.DataFrame, parent: dict[str, str | None]) -> pd.DataFrame:
    """Contacts over the whole date range for every place, service and nature (:func:`ward_natures` summed up the
    place tree and over services), keyed as :func:`totals_hidden` takes them: ``channel`` is the demand
    type and nature joined by ``PART``, or the type and ``PART`` alone for the type's total, which the
    natures of that type add up to (the Pareto's table and its shares)."""
    kinds = wards.assign(channel=wards["demand_type"].astype(str) + PART + wards["nature"].astype(str))
    kinds = pd.concat([kinds, kinds.assign(channel=kinds["demand_type"].astype(str) + PART)], ignore_index=True)
    out = tree_cells(kinds, parent, ["demand"], by=["channel"])
    return out[out["demand"] > 0].reset_index(drop=True)


def known_totals(
    ladders: dict[View, dict[str, pd.DataFrame]], *, flag: str = "suppressed", sentence: bool = True
) -> set[Total]:
    """The views' whole-range totals (place, service, "") a visitor can read off the page anyway: the periods
    of a length it offers are all shown (they add up to it), or (``sentence``) its quarters are mostly hidden and
    the sentence says it. Across date ranges the sentence says a total only where the tables show it
    (:func:`demand_sentence`'s ``total_shown``), so it is not counted as known there."""
    return {
        (*v, "")
        for v, ladder in ladders.items()
        if any(not f.empty and not f[flag].astype(bool).any() for f in ladder.values())
        or (sentence and LADDER[-1] in ladder and mostly_hidden(ladder[LADDER[-1]], flag=flag))
    }


def totals_hidden(
    cells: pd.DataFrame,
    parent: dict[str, str | None],
    known: Collection[Total] = (),
    *,
    closes: Collection[str] = (),
) -> tuple[set[Total], list[Total]]:
    """Which whole-range totals (:func:`total_cells`) the public Demand page's tables by place and by channel hide.

    A total is a sum three ways: a place's over its children (places), a place's all-services over its
    services, a place-and-service's over its channels; each table shows one of those sums' parts beside a
    total shown elsewhere. So a count from 1 to 4 is hidden, and wherever one of those sums (its total and
    its parts) has exactly one hidden figure the next smallest is hidden too, until none has: the second-blank
    rule of :func:`perf.access.small_counts.suppress_small_counts`, over every table at once. A total a
    visitor has anyway (``known``: a view's total its shown periods add up to) is never a second blank.
    The same holds for natures (:func:`nature_cells`), whose parts add up within their demand type. ``closes``
    names more partitions (a prefix ending in ``PART``, such as Capability's age bands) whose parts add up to the
    view's total itself (channel "") rather than to a total of their own.
    Returns the hidden totals and any sum left with one hidden figure (nothing eligible beside it).

    Example
    -------
    >>> c = pd.DataFrame({"place": ["A", "a", "b", "c"], "service": "", "channel": "",
    ...                   "value_demand": [60, 3, 27, 30], "failure_demand": 0})
    >>> hidden, left = totals_hidden(c.assign(demand=c["value_demand"]), {"A": None, "a": "A", "b": "A", "c": "A"})
    >>> sorted(hidden), left
    ([('a', '', ''), ('b', '', '')], [])
    """
    keys = list(
        zip(cells["place"].astype(str), cells["service"].astype(str), cells["channel"].astype(str), strict=True)
    )
    counts = cells[[c for c in DEMAND_COUNTS if c in cells.columns]].apply(pd.to_numeric, errors="coerce")
    hidden = ((counts >= 1) & (counts < SMALL_COUNT)).any(axis=1).to_numpy(dtype=bool, copy=True)
    size = counts.where(counts > 0).min(axis=1).to_numpy(dtype="float64")
    seen = set(known)
    public = np.array([k in seen for k in keys], dtype=bool) & ~hidden
    links = sum_keys(keys, parent, closes=closes)
    links = links[links.groupby("sum")["item"].transform("size") > 1]  # a sum of one part is its total
    item = links["item"].to_numpy()
    for _ in range(200):
        blanks = pd.Series(hidden[item]).groupby(links["sum"].to_numpy()).transform("sum").to_numpy()
        open_ = links[(blanks == 1) & ~hidden[item] & ~public[item] & (size[item] > 0)]
        if open_.empty:
            break
        best = open_.assign(size=size[open_["item"].to_numpy()]).sort_values(["size", "item"], kind="stable")
        hidden[best.drop_duplicates("sum")["item"].to_numpy()] = True
    blanks = pd.Series(hidden[item]).groupby(links["sum"].to_numpy()).transform("sum").to_numpy()
    alone = links[(blanks == 1) & hidden[item]]
    return {keys[i] for i in np.flatnonzero(hidden)}, sorted({keys[int(i)] for i in alone["item"]})


def sum_keys(keys: Sequence[Total], parent: dict[str, str | None], *, closes: Collection[str] = ()) -> pd.DataFrame:
    """Every sum a total (place, service, channel) takes part in, as rows (``sum``, ``item``: its index in ``keys``),
    total and parts alike: a place's over its children, all services' over each service, all channels' over each
    channel (or a demand type's over its natures, ``PART``; ``closes``: partitions whose parts add up to the view's
    total itself, as :func:`totals_hidden`'s). :func:`totals_hidden` runs the second blank over them."""
    member: list[tuple[tuple[str, ...], int]] = []
    for i, (p, s, c) in enumerate(keys):
        member.append((("place", p, s, c), i))
        if parent.get(p):
            member.append((("place", str(parent[p]), s, c), i))
        member.append((("service", p, c), i))
        member.append((("part", p, s, c.split(PART)[0] + PART if PART in c else ""), i))
        if c == "":
            member += [(("part", p, s, x), i) for x in closes]
    links = pd.DataFrame(member, columns=["sum", "item"])
    return links.astype({"item": "int64"})  # an empty table's column is typed too: it indexes arrays


def natures_hidden(cells: pd.DataFrame, parent: dict[str, str | None]) -> set[Total]:
    """:func:`totals_hidden` of :func:`nature_cells`: each type's total is taken as known (a view's value and failure
    demand), so the natures of a type never leave one hidden alone beside it."""
    keys = zip(cells["place"].astype(str), cells["service"].astype(str), cells["channel"].astype(str), strict=True)
    return totals_hidden(cells, parent, {k for k in keys if k[2].endswith(PART)})[0]


def hide_totals(
    totals: pd.DataFrame,
    hidden: Collection[Total],
    key: Callable[[pd.Series], Total],
    *,
    flag: str = "suppressed",
    blank: Sequence[str] = (*DEMAND_COUNTS, *DEMAND_DERIVED),
) -> pd.DataFrame:
    """A table by place or by channel (:func:`perf.analysis.demand.totals`) with the rows :func:`totals_hidden`
    hides blank (``blank``: counts, shares and rates); ``key(row)`` names a row's (place, service, channel)."""
    more = np.array([key(row) in hidden for _, row in totals.iterrows()], dtype=bool)
    return _blank(totals.reset_index(drop=True), more, blank, flag)


def case_totals(con: Any, *, start: Any = None, end: Any = None) -> pd.DataFrame:
    """Completed cases per ward, service and channel over a date range (``capability_by_ward_service_channel.sql``)."""
    from perf import store

    return store.query(con, "capability_by_ward_service_channel", {"start": start, "end": end})


def case_totals_hidden(wards: pd.DataFrame, parent: dict[str, str | None], known: Collection[Total] = ()) -> set[Total]:
    """The whole-range counts of completed cases (place, service, channel; "" for all) the public Capability page
    hides: its Side by side tables (by service, channel, locality or ward) and its "(2,819 completed)". The rule
    of Demand's tables, :func:`totals_hidden`, on :func:`case_totals` summed up the place tree, over services
    and over channels; ``known``: the views' totals their shown periods add up to (:func:`known_totals`)."""
    wards = pd.concat([wards, wards.assign(channel="")], ignore_index=True)
    cells = tree_cells(wards, parent, ["cases"], by=["channel"])
    cells = cells[cells["cases"] > 0].reset_index(drop=True)
    as_totals = cells.assign(demand=cells["cases"])[["place", "service", "channel", "demand"]]
    return totals_hidden(as_totals, parent, known)[0]


def capability_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Cases per period or group (:func:`perf.analysis.capability.capability_breakdown`, or a period-mode
    capability chart's points) with small counts of cases hidden, and the statistics of those cases.

    The average or median of three cases describes those three people's cases; ``open_cases``, a
    separate count, is hidden on its own rule (flag ``open_suppressed``).
    """
    out = suppress(frame, CASE_COUNTS, derived=CASE_DERIVED)
    if "open_cases" in out.columns:
        out = suppress(out, ["open_cases"], flag="open_suppressed")
    return out


def age_bands(wip: pd.DataFrame, *, max_bands: int = 30) -> pd.DataFrame:
    """Open cases by age so far (:func:`perf.analysis.capability.work_in_progress`) in bands, small counts hidden.

    A chart of single days would put counts of one or two cases on screen; bands of a round width
    (1, 2, 5 or 7 days, then weeks) keep to ``max_bands`` of them.

    Returns
    -------
    DataFrame: ``age_from``, ``age_to`` (days, inclusive), ``band`` (e.g. "14-20"), ``open_cases``
    (NaN when hidden), ``suppressed``.

    Example
    -------
    >>> w = pd.DataFrame({"age_days": [0, 1, 2, 9, 10], "open_cases": [6, 4, 3, 8, 2]})
    >>> age_bands(w, max_bands=2)[["band", "open_cases"]].values.tolist()
    [['0-6', 13], ['7-13', 10]]
    """
    if wip.empty:
        return pd.DataFrame(
            {
                "age_from": pd.Series(dtype="int64"),
                "age_to": pd.Series(dtype="int64"),
                "band": pd.Series(dtype=str),
                "open_cases": pd.Series(dtype="float64"),
                "suppressed": pd.Series(dtype=bool),
            }
        )
    oldest = int(wip["age_days"].max())
    width = next(
        (w for w in (1, 2, 5, 7, 14, 28, 56, 91, 182, 364) if (oldest // w) + 1 <= max_bands),
        math.ceil((oldest + 1) / max_bands),
    )
    start = (wip["age_days"].astype("int64") // width) * width
    out = wip.groupby(start.rename("age_from"))["open_cases"].sum().reset_index()
    out["age_to"] = out["age_from"] + width - 1
    out["band"] = [str(a) if width == 1 else f"{a}-{b}" for a, b in zip(out["age_from"], out["age_to"], strict=True)]
    return suppress(out[["age_from", "age_to", "band", "open_cases"]], ["open_cases"])


def for_screen(frame: pd.DataFrame, *, decimals: int = 1) -> pd.DataFrame:
    """A public table as text for the screen: a hidden cell blank (a grid shows a missing number as
    "None", which reads as nothing happened), whole numbers with commas, other numbers to
    ``decimals`` places, dates as days. Downloads keep the numbers; this is only what is drawn.

    Example
    -------
    >>> f = pd.DataFrame({"n": pd.array([1234, None], dtype="Int64"), "rate": [12.345, None]})
    >>> for_screen(f).values.tolist()
    [['1,234', '12.3'], ['', '']]
    """
    out = frame.copy()
    for col in out.columns:
        kind = out[col].dtype
        if pd.api.types.is_bool_dtype(kind):
            continue
        if pd.api.types.is_integer_dtype(kind):
            pattern = "{:,.0f}"
        elif pd.api.types.is_float_dtype(kind):
            pattern = f"{{:,.{decimals}f}}"
        elif pd.api.types.is_datetime64_any_dtype(kind):
            pattern = "{:%d %b %Y}"
        else:
            continue
        out[col] = [("" if pd.isna(v) else pattern.format(v)) for v in out[col]]
    return out


def say_count(n: float) -> str:
    """A count for a sentence: "fewer than 5" for 1 to 4, else the number.

    Example
    -------
    >>> say_count(3), say_count(0), say_count(1234)
    ('fewer than 5', '0', '1,234')
    """
    return FEWER_THAN if 1 <= n < SMALL_COUNT else f"{int(n):,}"


def hidden_note(frame: pd.DataFrame, *, things: str, flag: str = "suppressed") -> str:
    """ "2 of the 12 months are not shown (small counts)." or "" when nothing is hidden.

    Example
    -------
    >>> hidden_note(pd.DataFrame({"suppressed": [True, False, True]}), things="months")
    '2 of the 3 months are not shown (small counts).'
    """
    hidden = int(frame[flag].sum()) if flag in frame.columns else 0
    if hidden == 0:
        return ""
    return f"{hidden:,} of the {len(frame):,} {things} {'is' if hidden == 1 else 'are'} not shown (small counts)."


# --- periods and the charts drawn from them ---------------------------------------------------------------
# The periods the public Demand and Capability pages offer, finest first: months and quarters, never weeks (a week
# straddling a month's end, or cut short at a range's start, splits into parts the shown figures give back).
# Officers, signed in, keep weeks: their pages do not go through this module.
LADDER = ("month", "quarter")
_LENGTH = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}
_CALENDAR = {"month": "MS", "quarter": "QS"}  # each length of LADDER's calendar: the periods a view could list


def published_ladder(
    fetch: Callable[[str], pd.DataFrame],
    *,
    blank: Sequence[str],
    flag: str = "suppressed",
    max_hidden_share: float = MAX_HIDDEN_SHARE,
) -> dict[str, pd.DataFrame]:
    """Every period length a public page offers (``LADDER``), each hidden consistently with the others.

    A visitor can ask for months, then for quarters: a quarter shown whose months are shown but one
    would give that month back (the quarter less the months shown). So a period is hidden too when it
    overlaps a hidden period of a finer length the public can see. Every figure shown is then disjoint
    from every hidden finer one, and all a visitor can work out about the hidden ones is their sum,
    which the within-table rule (a second blank) protects.

    A length is offered (in the returned dict; :func:`choose` picks from it) when at most
    ``max_hidden_share`` of it is hidden, and only if it leaves every longer length that would be
    offered so (quarters: charted, at most ``MOSTLY_HIDDEN`` hidden): months that would punch holes in
    too many quarters are shown as those quarters instead. The longest (quarters) is always offered.

    ``fetch(g)`` returns the frame at granularity ``g`` with small counts hidden (``flag``) and a
    ``period_start``; ``blank`` names the counts, and the figures worked out from them, that a
    hidden row loses.

    Example
    -------
    >>> months = pd.DataFrame({"period_start": pd.date_range("2026-01-01", periods=24, freq="MS"),
    ...                        "n": [30.0] * 23 + [np.nan], "suppressed": [False] * 23 + [True]})
    >>> quarters = pd.DataFrame({"period_start": pd.date_range("2026-01-01", periods=8, freq="QS"),
    ...                          "n": 90.0, "suppressed": False})
    >>> shown = published_ladder({"month": months, "quarter": quarters}.__getitem__, blank=["n"])["quarter"]
    >>> shown.loc[shown["suppressed"], "period_start"].dt.strftime("%b %Y").tolist()  # its hidden month's quarter
    ['Oct 2027']
    """
    base = {g: fetch(g).reset_index(drop=True) for g in LADDER}
    out: dict[str, pd.DataFrame] = {}
    hidden: list[tuple[pd.Timestamp, pd.Timestamp]] = []  # hidden periods of the lengths offered so far

    def few_hidden(frame: pd.DataFrame, g: str | None = None) -> bool:
        # the longest length is shown anyway, and charted unless mostly hidden (MOSTLY_HIDDEN)
        limit = MOSTLY_HIDDEN if g == LADDER[-1] else max_hidden_share
        return not frame.empty and float(frame[flag].mean()) <= limit

    for i, g in enumerate(LADDER):
        frame = _hide_overlapping(base[g], g, hidden, blank, flag)
        if g == LADDER[-1]:
            out[g] = frame  # the longest is offered whatever is hidden (the page says when most is)
            break
        if not few_hidden(frame):
            continue
        mine = [(a, a + _LENGTH[g]) for a in pd.to_datetime(frame.loc[frame[flag].astype(bool), "period_start"])]
        if any(
            few_hidden(_hide_overlapping(base[c], c, hidden, blank, flag), c)
            and not few_hidden(_hide_overlapping(base[c], c, hidden + mine, blank, flag), c)
            for c in LADDER[i + 1 :]
        ):
            continue  # offering g would punch holes in a longer length: a visitor asking for g gets that
        out[g] = frame
        hidden += mine
    return out


def hidden_spans(
    ladder: dict[str, pd.DataFrame], *, upto: str = LADDER[-1], flag: str = "suppressed"
) -> list[tuple[pd.Timestamp, pd.Timestamp]]:
    """The (start, end) of every hidden period a :func:`published_ladder` offers, of lengths up to ``upto``
    (a monthly figure need only keep clear of hidden months: a quarter hidden for its month says nothing
    about the other two)."""
    lengths = LADDER[: LADDER.index(upto) + 1]
    return [
        (a, a + _LENGTH[g])
        for g, frame in ladder.items()
        if g in lengths and not frame.empty
        for a in pd.to_datetime(frame.loc[frame[flag].astype(bool), "period_start"])
    ]


def hide_overlapping(
    frame: pd.DataFrame,
    granularity: str,
    spans: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    *,
    blank: Sequence[str],
    flag: str = "suppressed",
) -> pd.DataFrame:
    """Another figure of the same filters by ``granularity`` (the cost of failure demand, by month) with
    every period that overlaps a hidden one the public can see (:func:`hidden_spans`) hidden too, so it
    cannot be set against the shown periods to give a hidden one back."""
    return _hide_overlapping(frame, granularity, spans, blank, flag)


def _hide_overlapping(
    frame: pd.DataFrame,
    granularity: str,
    hidden: Sequence[tuple[pd.Timestamp, pd.Timestamp]],
    blank: Sequence[str],
    flag: str,
) -> pd.DataFrame:
    """``frame`` with every period that overlaps one of ``hidden`` (start, end) hidden too."""
    if not hidden or frame.empty:
        return frame
    starts = pd.to_datetime(frame["period_start"])
    ends = starts + _LENGTH[granularity]
    over = np.zeros(len(frame), dtype=bool)
    for lo, hi in hidden:
        over |= ((starts < hi) & (ends > lo)).to_numpy()
    more = over & ~frame[flag].to_numpy(dtype=bool)
    if not more.any():
        return frame
    out = frame.copy()
    out[flag] = out[flag].to_numpy(dtype=bool) | more
    for col in blank:
        if col in out.columns:
            kind = out[col].dtype
            masked = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(more)
            out[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
    return out


def choose(ladder: dict[str, pd.DataFrame], granularity: str) -> tuple[str, pd.DataFrame]:
    """The length to show a visitor who asks for ``granularity``: the first offered in a
    :func:`published_ladder` from it up (the longest is always offered); a length the public view
    does not offer (weeks) starts from the finest it does.

    Example
    -------
    >>> both = {"month": pd.DataFrame(), "quarter": pd.DataFrame()}
    >>> choose({"quarter": pd.DataFrame()}, "month")[0], choose(both, "week")[0]
    ('quarter', 'month')
    """
    start = LADDER.index(granularity) if granularity in LADDER else 0
    g = next(g for g in LADDER[start:] if g in ladder)
    return g, ladder[g]


def mostly_hidden(frame: pd.DataFrame, *, flag: str = "suppressed") -> bool:
    """True when more than ``MOSTLY_HIDDEN`` of the rows are hidden: too sparse to chart over time."""
    return not frame.empty and float(frame[flag].mean()) > MOSTLY_HIDDEN


def too_few_shown(frame: pd.DataFrame, *, flag: str = "suppressed") -> bool:
    """True when more than ``MAX_HIDDEN_SHARE`` of the periods are hidden: the public view draws no chart of them over
    time and says no average of them (:func:`perf.access.small_counts.too_few_shown`, the measures' rule too)."""
    return small_counts.too_few_shown(frame[flag]) if not frame.empty else False


def hidden_at(points: pd.DataFrame, shown: pd.DataFrame, *, on: str = "period_start") -> pd.Series:
    """For each row of a chart's ``points``, is its period hidden in ``shown`` (a suppressed frame)?"""
    hidden = set(pd.to_datetime(shown.loc[shown["suppressed"].astype(bool), on]))
    return pd.Series([pd.Timestamp(d) in hidden for d in pd.to_datetime(points[on])], index=points.index, dtype=bool)


def _phase_starts(phase: pd.Series) -> list[int]:
    values = phase.to_numpy()
    return [int(i) for i in np.flatnonzero(values[1:] != values[:-1]) + 1]


def _rebuilt(original: Chart, fresh: Chart, hidden: np.ndarray, blank: Sequence[str]) -> Chart:
    """``fresh``'s limits and signals with ``original``'s extra columns (period, counts), hidden ones blank."""
    points = fresh.points.reset_index(drop=True)
    extra = original.points.reset_index(drop=True)
    for col in extra.columns:
        if col not in points.columns:
            points[col] = extra[col].to_numpy()
    for col in blank:
        if col in points.columns:
            points[col] = pd.to_numeric(points[col], errors="coerce").astype("float64").mask(hidden)
    return dataclasses.replace(fresh, points=points, warnings=[*original.warnings, *fresh.warnings])


def published_xmr(
    chart: Chart,
    hidden: Sequence[bool] | pd.Series,
    *,
    blank: Sequence[str] = ("demand", "cases", "median", "p90", "mean"),
    floor: float | None = None,
) -> Chart:
    """An XmR chart drawn again from its shown points only: hidden points are missing periods.

    With a hidden point left in, the centre line (the average of every point) minus the shown
    points would give it back. The phases stay where they were. ``blank`` names the other count
    and statistic columns of a hidden row; ``floor`` clips the lower limit (0 for days).
    """
    from perf import spc

    mask = np.asarray(hidden, dtype=bool)
    pts = chart.points.reset_index(drop=True)
    if not mask.any():
        return chart
    values = pts["value"].astype("float64").mask(mask)
    fresh = spc.xmr(
        values.to_numpy(),
        phase_starts=_phase_starts(pts["phase"]),
        improvement=chart.improvement,
        target=chart.target,
        rules=chart.rules,
    )
    out = _rebuilt(chart, fresh, mask, blank)
    if floor is not None:
        out.points["lower"] = out.points["lower"].clip(lower=floor)
    return out


def published_p_chart(chart: Chart, hidden: Sequence[bool] | pd.Series, *, laney: bool = True) -> Chart:
    """The failure-share chart (:func:`perf.analysis.demand.failure_share_chart`) drawn again from its shown periods.

    Its points carry ``failure_demand`` and ``demand``; a hidden period becomes a missing one, so its
    counts take no part in the centre line or in Laney's spread of the z-scores.
    """
    from perf import spc

    mask = np.asarray(hidden, dtype=bool)
    pts = chart.points.reset_index(drop=True)
    if not mask.any():
        return chart
    counts = pts["failure_demand"].astype("float64").mask(mask)
    sizes = pts["demand"].astype("float64").mask(mask)
    fresh = spc.p_chart(
        counts.to_numpy(),
        sizes.to_numpy(),
        laney=laney,
        phase_starts=_phase_starts(pts["phase"]),
        improvement=chart.improvement,
        target=chart.target,
        rules=chart.rules,
    )
    return _rebuilt(chart, fresh, mask, ("failure_demand", "demand"))


def shown_periods(periods: pd.DataFrame) -> pd.DataFrame:
    """The periods a public sentence may speak of: those not hidden."""
    return periods[~periods["suppressed"].astype(bool)].reset_index(drop=True)


def demand_sentence(
    periods: pd.DataFrame,
    natures: pd.DataFrame | None = None,
    *,
    granularity: Granularity = "week",
    phase_starts: Sequence[Any] = (),
    raw: pd.DataFrame | None = None,
    total_shown: bool = True,
) -> str:
    """:func:`perf.analysis.demand.demand_sentence` spoken of the shown periods only (``periods`` from
    :func:`demand_counts`), or why there is nothing to say.

    When most periods are hidden (:func:`mostly_hidden`) a sentence about stability would rest on
    the few busy periods left; given ``raw`` (the periods before hiding) it says the totals instead:
    "235 contacts in the period shown; 24% is failure demand, mostly progress chasing." unless the tables hide
    that total (``total_shown`` False: beside another date range's, it would give a small count away).

    Example
    -------
    >>> p = pd.DataFrame({"value_demand": [3, 0], "failure_demand": [1, 2], "complete": True})
    >>> demand_sentence(demand_counts(p.assign(demand=p.value_demand + p.failure_demand)))[:40]
    'There are too few contacts here to descr'
    """
    shown = shown_periods(periods)
    if shown.empty or float(shown["demand"].sum()) == 0:
        return (
            "There are too few contacts here to describe in the public view: counts under "
            f"{SMALL_COUNT} are not published, so that no one can be identified."
        )
    if raw is not None and mostly_hidden(periods):
        return _totals_sentence(raw, natures) if total_shown else TOTAL_NOT_SAID.format(every=granularity)
    if too_few_shown(periods):  # an average of the periods shown would not describe a typical one
        hidden, every = int(periods["suppressed"].astype(bool).sum()), str(granularity)
        return (
            f"Demand here is not described in the public view: {hidden:,} of the {len(periods):,} {every}s are not "
            f"shown ({FEWER_THAN} contacts of one type, or a count that would give one away)."
        )
    named = None if natures is None else natures[natures["demand"].notna()]  # the natures the page shows
    return demand.demand_sentence(shown, named, granularity=granularity, phase_starts=phase_starts)


TOTAL_NOT_SAID = (
    "The public view gives no count of contacts here: most {every}s have fewer than "
    f"{SMALL_COUNT} of one type, and the total would give such a count away beside another place's, service's "
    "or date range's."
)


def _totals_sentence(raw: pd.DataFrame, natures: pd.DataFrame | None) -> str:
    value, failure = int(raw["value_demand"].sum()), int(raw["failure_demand"].sum())
    text = f"{say_count(value + failure).capitalize()} contacts in the period shown"
    if 1 <= value < SMALL_COUNT or 1 <= failure < SMALL_COUNT:
        return text + f"; fewer than {SMALL_COUNT} of one type, so the failure share is not shown."
    text += f"; {failure / (value + failure):.0%} is failure demand"
    top = None if natures is None else natures[(natures["demand_type"] == "failure") & natures["demand"].notna()]
    if top is not None and failure and not top.empty:
        first = top.sort_values("demand", ascending=False).iloc[0]
        share = float(first["demand"]) / failure
        name = demand._lower_first(str(first["nature"]))
        text += f", mostly {name}" if share >= 0.5 else f", most often {name} ({share:.0%} of it)"
    return text + "."


def cost_sentence(cost: pd.DataFrame, **options: Any) -> str:
    """:func:`perf.analysis.demand.cost_sentence` of :func:`published_cost`'s (or :func:`failure_cost`'s) frame:
    "at least" when some costs are hidden (the figures leave them out), or, when every cost is hidden,
    that failure demand here is not priced in the public view.

    Example
    -------
    >>> c = pd.DataFrame({"period_start": pd.to_datetime(["2025-07-01", "2025-08-01", "2025-09-01"]),
    ...                   "service_id": "a", "failure_demand": [3, 40, 400], "handling_minutes": 6.0,
    ...                   "cost_per_hour": 30.0})
    >>> cost_sentence(failure_cost(c.assign(hours=c.failure_demand / 10, cost=c.failure_demand * 3.0)))
    'Failure demand cost about £1,200 in September 2025.'
    """
    priced = cost.dropna(subset=["handling_minutes", "cost_per_hour"])
    if not priced.empty and priced["cost"].isna().all():
        every = f"{options.get('granularity', 'month')}ly"
        return (
            f"Failure demand here is not priced in the public view: its {every} counts are not shown (fewer "
            f"than {SMALL_COUNT}, or they would give one away), and a cost would give the count back."
        )
    shown = cost.dropna(subset=["cost"])
    text = demand.cost_sentence(shown, **options)
    if "suppressed" in cost.columns and cost["suppressed"].any() and not shown.empty:
        when = {"granularity": options.get("granularity", "month"), "last_day": options.get("last_day")}
        named = demand.priced_period(shown, **when)
        if pd.to_datetime(cost.loc[cost["suppressed"].astype(bool), "period_start"]).eq(named).any():
            text = text.replace(" cost about ", " cost at least ", 1)  # a service's cost that period is left out
        text = text.replace(", and £", ", and at least £", 1)
        if named < demand.priced_period(priced.assign(cost=0.0), **when):  # the latest period is left out
            cut = text.find(", and at least £")
            cut = cut if cut >= 0 else len(text) - 1
            text = text[:cut] + " (the latest priced)" + text[cut:]
    return text


def capability_sentence(result: CapabilityChart) -> str:
    """The predictable range in words, unless the latest phase has 1 to 4 cases: their average and
    range would describe those few people's cases."""
    cases = result.predictable_range.cases
    if 1 <= cases < SMALL_COUNT:
        return (
            f"Fewer than {SMALL_COUNT} cases were completed in the latest phase: too few to describe "
            "in the public view."
        )
    return result.sentence()


def public_capability(
    result: CapabilityChart, hidden: pd.Series | None = None, *, exact: bool = False
) -> CapabilityChart:
    """A capability chart of periods (``mode == "period"``) with periods of 1 to 4 cases hidden and the
    limits worked out again from the shown periods; the lower limit stays at zero or above.

    ``hidden`` (one flag a point, from :func:`published_ladder`) hides more periods than the chart's own
    small counts: those that would give away a hidden period of another length. With ``exact`` it is the
    whole decision (a :func:`group_ladders` view's, small counts and second blanks included), and the chart's
    own rule is not run again: it could pick another second blank than the group did, and a period hidden at
    one length only would then be given back by a longer one that holds it.
    """
    if result.points.empty:
        return result
    if result.mode != "period":
        raise ValueError(
            f"public_capability needs a chart of periods (capability_chart(max_cases=0)), got mode {result.mode!r}"
        )
    if exact and hidden is not None:
        cases = pd.to_numeric(result.points["cases"], errors="coerce")
        hidden = pd.Series(np.asarray(hidden, dtype=bool) | cases.between(1, SMALL_COUNT - 1).to_numpy())
        rows = result.points.reset_index(drop=True).assign(suppressed=False)
    else:
        rows = capability_rows(result.points)
    if hidden is not None:
        more = np.asarray(hidden, dtype=bool) & ~rows["suppressed"].to_numpy(dtype=bool)
        rows["suppressed"] = rows["suppressed"].to_numpy(dtype=bool) | more
        for col in (*CASE_COUNTS, *CASE_DERIVED):
            if col in rows.columns:
                kind = rows[col].dtype
                masked = pd.to_numeric(rows[col], errors="coerce").astype("float64").mask(more)
                rows[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
    if result.chart is None or not rows["suppressed"].any():
        return dataclasses.replace(result, points=rows)
    fresh = published_xmr(result.chart, rows["suppressed"], blank=(), floor=0.0)
    keep = ["value", "phase", "centre", "lower", "upper", "signal", "special_cause", "point_type"]
    points = rows.drop(columns=[c for c in keep if c in rows.columns])
    points = pd.concat([points, fresh.points[keep].reset_index(drop=True)], axis=1)
    return dataclasses.replace(result, points=points, chart=fresh)


def too_few_to_compare(comparison: PhaseComparison) -> bool:
    """True when either side of a before/after comparison has 1 to 4 cases."""
    return any(1 <= int(side["cases"]) < SMALL_COUNT for side in (comparison.before, comparison.after))


# --- across places and services ------------------------------------------------------------------------
View = tuple[str, str]  # (place, service) of a public page: place "ALL" is the whole area, service "" every service


def group_ladders(
    cells: dict[str, pd.DataFrame],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str = "suppressed",
) -> dict[View, dict[str, pd.DataFrame]]:
    """Every view's :func:`published_ladder`, with more periods hidden so that no place's or service's hidden
    count can be worked out from its siblings and their total.

    A locality's month less its shown wards' months gives back the one ward hidden that month; all
    services less the shown services give back the one hidden. So, length by length and period by period,
    the children of one place (in one service) and the services of one place are groups whose total is
    shown, and :func:`perf.access.small_counts.suppress_small_counts` (the rule the measures' place tree
    uses, :func:`perf.access.public.suppress_cells`) hides the next smallest of a group with a single hidden
    member. A length a view does not offer counts as hidden there (a visitor cannot see it, but could
    work it out). A period hidden for its siblings' sake is hidden as a small count is, so the view's own
    rule gives it a second blank when it would be alone (the view's total is shown too), and its view's
    ladder is worked out again (a newly hidden period hides the longer periods that hold it; a length may
    no longer be offered); repeat until nothing changes.

    ``cells`` maps each length of ``LADDER`` to every view's periods (``place``, ``service``,
    ``period_start`` and ``counts``, one row a view and period); ``rows(frame)`` hides small counts with
    each view a group, as the page does to one view's periods (:func:`demand_counts` with ``groups``);
    ``size`` names the count that picks the next smallest. Each offered length's frame is ``rows``' for the
    view, with ``flag`` as decided and its ``counts`` blank where hidden (:func:`group_table`, split by view).

    Worked out for every view at once on arrays (:class:`_Periods`, :class:`_Ladders`, :func:`_second_blanks`):
    one view at a time in pandas it took 7-8 s for a date range of the sample, which the first public Demand
    visitor of the range waited for. ``tests/test_group_rule_pinned.py`` holds it to that version's decisions.
    """
    return split_table(group_table(cells, parent, counts=counts, rows=rows, size=size, flag=flag))


def group_table(
    cells: dict[str, pd.DataFrame],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str = "suppressed",
) -> pd.DataFrame:
    """:func:`group_ladders` as one table: ``place``, ``service``, ``length`` (each length the view offers) and
    that length's periods as the ladder has them, view by view in the order of ``cells``.

    One table is what a cache should keep: Streamlit's ``st.cache_data`` pickles what it keeps and unpickles
    it on every read, and the thousand frames of :func:`group_ladders` took 0.4-0.6 s each way on the sample
    (load 9), where one table takes milliseconds; :func:`ladder_from_table` takes one view's ladder out.
    """
    periods = _group_periods(cells, parent, counts=counts, rows=rows, size=size, flag=flag)
    if periods is None:
        return pd.DataFrame(columns=["place", "service", "length", "period_start", *counts, flag])
    at = periods[1]
    offered, hidden = _group_decide(at, {g: np.zeros(len(at[g].view), dtype=bool) for g in LADDER})
    return _table(at, offered, hidden)


def _table(at: dict[str, _Periods], offered: dict[str, np.ndarray], hidden: dict[str, np.ndarray]) -> pd.DataFrame:
    """:func:`group_table` of decided periods."""
    parts = [at[g].decided(hidden[g], offered[g]).assign(length=g) for g in LADDER]
    table = pd.concat(parts, ignore_index=True)
    order = np.argsort(np.concatenate([at[g].view[offered[g][at[g].view]] for g in LADDER]), kind="stable")
    front = ["place", "service", "length"]
    return table.take(order)[front + [c for c in table.columns if c not in front]].reset_index(drop=True)


def _group_periods(
    cells: dict[str, pd.DataFrame],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str,
) -> tuple[dict[View, int], dict[str, _Periods]] | None:
    """Each view's number and every length's periods as :func:`group_ladders` reads them (None: no views)."""
    longest = cells[LADDER[-1]]
    pairs = longest[["place", "service"]].astype(str).drop_duplicates()  # in the order they first appear
    views = list(zip(pairs["place"].tolist(), pairs["service"].tolist(), strict=True))
    if not views:
        return None
    number = {v: i for i, v in enumerate(views)}
    return number, {g: _Periods.of(cells[g], rows, number, parent, counts=counts, size=size, flag=flag) for g in LADDER}


def _group_decide(
    at: dict[str, _Periods], forced: dict[str, np.ndarray], helpers: tuple[_Ladders, _Rebuild] | None = None
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """:func:`group_ladders`' decisions, some periods ``forced`` hidden (as small counts) from the start: the
    lengths each view offers and each period's flag. ``helpers``: :func:`_helpers` of ``at``, when kept."""
    forced = {g: f.copy() for g, f in forced.items()}
    ladders, rebuild = helpers or _helpers(at)
    own = {g: at[g].own_rule(forced[g]) if forced[g].any() else at[g].base for g in LADDER}
    for _ in range(50):
        offered, hidden = ladders(own)
        seen, lo, hi = rebuild(offered, hidden)
        picked = {g: at[g].picked(offered[g], hidden[g], seen[g]) for g in LADDER}
        broken = rebuild.breaks(offered, hidden, seen, forced, lo, hi)
        more = {g: (picked[g] | broken[g]) & ~forced[g] for g in LADDER}
        if not any(m.any() for m in more.values()):
            break
        for g in LADDER:
            if more[g].any():
                forced[g] |= more[g]
                own[g] = at[g].own_rule(forced[g])
    else:
        offered, hidden = ladders(own)
    return offered, hidden


def _helpers(at: dict[str, _Periods]) -> tuple[_Ladders, _Rebuild]:
    """What :func:`_group_decide` works out once for a date range's periods, whatever is forced."""
    n_views = len(at[LADDER[-1]].bounds) - 1
    return _Ladders(at, n_views), _Rebuild(at, n_views)


def split_table(table: pd.DataFrame) -> dict[View, dict[str, pd.DataFrame]]:
    """:func:`group_table` as :func:`group_ladders` gives it: view by view, each offered length's periods."""
    if table.empty:
        return {}
    code = np.zeros(len(table), dtype=np.int64)
    for col in ("place", "service", "length"):
        key, values = pd.factorize(table[col].astype(str))
        code = code * len(values) + key
    starts = np.flatnonzero(np.r_[True, code[1:] != code[:-1]])
    ends = np.r_[starts[1:], len(table)]
    body = table.drop(columns=["place", "service", "length"])
    place, service, length = (table[c].astype(str).to_numpy()[starts] for c in ("place", "service", "length"))
    out: dict[View, dict[str, pd.DataFrame]] = {}
    for i, (a, b) in enumerate(zip(starts, ends, strict=True)):
        out.setdefault((str(place[i]), str(service[i])), {})[str(length[i])] = body.iloc[a:b].reset_index(drop=True)
    return out


def ladder_from_table(table: pd.DataFrame, view: View) -> dict[str, pd.DataFrame] | None:
    """One view's entry of :func:`group_ladders` out of :func:`group_table` (None when the table has no such view)."""
    mine = table[(table["place"] == view[0]) & (table["service"] == view[1])]
    if mine.empty:
        return None
    rest = mine.drop(columns=["place", "service", "length"])
    return {g: rest[mine["length"] == g].reset_index(drop=True) for g in LADDER if (mine["length"] == g).any()}


@dataclasses.dataclass(frozen=True)
class _Periods:
    """One length's periods of every view, as arrays in the order the rule reads them (view by view, in the
    order the views first appear; each view's periods as given), so that a tie goes to the same period."""

    shown: pd.DataFrame  # rows' output for these periods, in that order
    view: np.ndarray  # the view's number, a row
    period: np.ndarray  # the period's number (into starts), a row
    starts: np.ndarray  # every period of this length, first day (datetime64[ns]), sorted
    length: int  # how many periods each view has
    values: np.ndarray  # the counts (float, NaN where not a number), a row each
    size: np.ndarray  # the count that picks the next smallest (a missing one 0)
    base: np.ndarray  # rows' flag: each view's own small counts and their second blanks
    groups: tuple[np.ndarray, np.ndarray]  # (period, parent, service) and (period, place, every service or one)
    bounds: np.ndarray  # where each view's rows start (and, last, where they end)
    counts: tuple[str, ...]
    flag: str

    @classmethod
    def of(
        cls,
        cells: pd.DataFrame,
        rows: Callable[[pd.DataFrame], pd.DataFrame],
        number: dict[View, int],
        parent: dict[str, str | None],
        *,
        counts: Sequence[str],
        size: str,
        flag: str,
    ) -> _Periods:
        frame = cells.reset_index(drop=True)
        shown = rows(frame).reset_index(drop=True)
        if len(shown) != len(frame):
            raise ValueError(f"rows must keep every period (one row a row of cells): got {len(shown)} of {len(frame)}")
        place_code, places = pd.factorize(frame["place"].astype(str))
        service_code, services = pd.factorize(frame["service"].astype(str))
        lookup = np.array([[number.get((str(p), str(s)), -1) for s in services] for p in places], dtype=np.int64)
        view = lookup[place_code, service_code] if len(frame) else np.zeros(0, dtype=np.int64)
        order = np.argsort(view, kind="stable")
        order = order[view[order] >= 0]  # a view with no periods of the longest length is not one (as before)
        frame, shown = frame.take(order).reset_index(drop=True), shown.take(order).reset_index(drop=True)
        view, place_code, service_code = view[order], place_code[order], service_code[order]
        day = np.asarray(pd.to_datetime(frame["period_start"]).to_numpy(), dtype="datetime64[ns]")
        period, found = pd.factorize(day, sort=True)
        starts = np.asarray(found, dtype="datetime64[ns]")
        if pd.Series(view * max(len(starts), 1) + period).duplicated().any():
            raise ValueError("cells must have one row a view (place, service) and period_start")
        up = np.array([parent.get(str(p)) or "" for p in places], dtype=object)
        parent_code = pd.factorize(up)[0][place_code] if len(frame) else np.zeros(0, dtype=np.int64)
        each = (frame["service"].astype(str) != "").to_numpy(dtype=np.int64)
        return cls(
            shown=shown,
            view=view,
            period=period,
            starts=starts,
            length=len(starts),
            values=frame[list(counts)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64"),
            size=pd.to_numeric(frame[size], errors="coerce").fillna(0).to_numpy(dtype="float64"),
            base=shown[flag].to_numpy(dtype=bool),
            groups=(_codes(period, parent_code, service_code), _codes(period, place_code, each)),
            bounds=np.searchsorted(view, np.arange(len(number) + 1)),
            counts=tuple(counts),
            flag=flag,
        )

    def named(self, periods: pd.DataFrame | None, number: dict[View, int]) -> np.ndarray:
        """A row's flag: its (place, service, period_start) is one of ``periods``'."""
        out = np.zeros(len(self.view), dtype=bool)
        if periods is None or periods.empty or not self.length:
            return out
        views = np.array(
            [number.get((str(p), str(s)), -1) for p, s in zip(periods["place"], periods["service"], strict=True)],
            dtype=np.int64,
        )
        day = np.asarray(pd.to_datetime(periods["period_start"]).to_numpy(), dtype="datetime64[ns]")
        at = np.minimum(np.searchsorted(self.starts, day), self.length - 1)
        ok = (views >= 0) & (self.starts[at] == day)
        return np.isin(self.view * self.length + self.period, views[ok] * self.length + at[ok])

    def keyed(self, mask: np.ndarray, views: list[View]) -> pd.DataFrame:
        """The rows of ``mask`` as ``place``, ``service``, ``period_start`` and the counts."""
        rows = np.flatnonzero(mask)
        where = np.array(views, dtype=object).reshape(-1, 2)[self.view[rows]]
        out = pd.DataFrame(
            {"place": where[:, 0], "service": where[:, 1], "period_start": self.starts[self.period[rows]]}
        )
        for i, col in enumerate(self.counts):
            out[col] = self.values[rows, i]
        return out

    def own_rule(self, forced: np.ndarray) -> np.ndarray:
        """Each view's own small counts, a ``forced`` period counted as a small one (as the page's rule would
        have it: ``rows`` of that view's periods with its counts set to 1); views with none forced keep ``rows``'."""
        values = np.where(forced[:, None], 1.0, self.values)
        small = np.asarray(((values >= 1) & (values < SMALL_COUNT)).any(axis=1), dtype=bool)
        size = np.fmin.reduce(np.where(values > 0, values, np.nan), axis=1)
        mine = _second_blanks(small, size, (self.view,))
        touched = np.bincount(self.view[forced], minlength=len(self.bounds) - 1) > 0
        return np.where(touched[self.view], mine, self.base)

    def picked(self, offered: np.ndarray, hidden: np.ndarray, seen: np.ndarray) -> np.ndarray:
        """The periods the second-blank rule hides across places and services: a length a view does not offer
        counts as hidden in it, and a hidden period its view's shown figures give back (``seen``,
        :class:`_Rebuild`) as shown, so it may be picked (and is then made one they cannot give back)."""
        unseen = (~offered[self.view] | hidden) & ~seen
        n = np.where(unseen, 1.0, self.size)
        small = (n >= 1) & (n < SMALL_COUNT)
        return np.asarray(_second_blanks(small, np.where(n > 0, n, np.nan), self.groups) & ~unseen, dtype=bool)

    def grid(self, flags: np.ndarray) -> np.ndarray:
        """A row's flag at (view, period), views by periods."""
        out = np.zeros((len(self.bounds) - 1, self.length), dtype=bool)
        out[self.view, self.period] = flags
        return out

    def decided(self, hidden: np.ndarray, offered: np.ndarray) -> pd.DataFrame:
        """The periods of the views that offer this length, as ``rows`` gave them, ``flag`` as decided and
        the counts blank where hidden."""
        out = self.shown.copy()
        more = hidden & ~self.base
        out[self.flag] = hidden
        if more.any():
            for col in self.counts:
                if col in out.columns:
                    kind = out[col].dtype
                    masked = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(more)
                    out[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
        keep: pd.DataFrame = out.loc[offered[self.view]]
        return keep


def ranges_group_ladders(
    cells: Mapping[Any, dict[str, pd.DataFrame]],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str = "suppressed",
) -> dict[Any, dict[View, dict[str, pd.DataFrame]]]:
    """:func:`ranges_group_tables` as :func:`group_ladders` gives each range."""
    tables = ranges_group_tables(cells, parent, counts=counts, rows=rows, size=size, flag=flag)
    return {k: split_table(t) for k, t in tables.items()}


def ranges_group_tables(
    cells: Mapping[Any, dict[str, pd.DataFrame]],
    parent: dict[str, str | None],
    *,
    counts: Sequence[str],
    rows: Callable[[pd.DataFrame], pd.DataFrame],
    size: str,
    flag: str = "suppressed",
    between: bool = True,
) -> dict[Any, pd.DataFrame]:
    """:func:`group_ladders` of every date range a page offers (``cells`` by range), one decision a period across
    them: a whole period hidden in one range, or shown by a length that range does not offer, and shown in another
    with the same count would give back what the first range hides (and its siblings' with it).

    So a period a visitor cannot see in one range (the same view, length, start and counts: a range that cuts the
    period short has other counts, and its own rule protects that figure, as the range total does) is forced into
    every range as hidden, each range is decided again (second blanks, longer periods, lengths offered) and so on
    until no range hides what another shows. Counts of 5 or more everywhere hide nothing in any range.

    And a longer range's view total less a shorter one's is the view's count between their first days, the sum of
    the longer range's periods there: a lone hidden period among them would come back. So the periods of a range
    between one shorter range's first day and the next's (each range's first day is its first quarter's: the public
    ranges start on a quarter's first day, :func:`perf.periods.public_range_starts`) are a group too, and where one
    holds a single hidden period of a length offered, its smallest shown one is hidden as well
    (:func:`_between_blanks`; ``between`` False leaves that step out, to measure what it costs)."""
    periods = {k: _group_periods(c, parent, counts=counts, rows=rows, size=size, flag=flag) for k, c in cells.items()}
    at = {k: p for k, p in periods.items() if p is not None}
    first = {k: a[LADDER[-1]].starts.min() for k, (_, a) in at.items() if a[LADDER[-1]].length}
    cuts = {k: np.sort(np.array([d for o, d in first.items() if d > first[k]], dtype="datetime64[ns]")) for k in first}
    forced = {k: {g: np.zeros(len(a[g].view), dtype=bool) for g in LADDER} for k, (_, a) in at.items()}
    helpers = {k: _helpers(a) for k, (_, a) in at.items()}
    same = _same_periods(at)  # a number for each (place, service, length, start, counts), the same in every range
    decided: dict[Any, tuple[dict[str, np.ndarray], dict[str, np.ndarray]]] = {}
    again = set(at)  # the ranges whose forced periods changed: the others' decisions stand
    for _ in range(50):
        decided |= {k: _group_decide(at[k][1], forced[k], helpers[k]) for k in again}
        unseen = {  # hidden, or its length not offered in its view, in some range
            g: np.unique(
                np.concatenate(
                    [same[k][g][~decided[k][0][g][a[g].view] | decided[k][1][g]] for k, (_, a) in at.items()]
                    or [np.zeros(0, dtype=np.int64)]
                )
            )
            for g in LADDER
        }
        again = set()
        for k, (_, a) in at.items():
            offered, hidden = decided[k]
            for g in LADDER:
                more = offered[g][a[g].view] & ~hidden[g] & np.isin(same[k][g], unseen[g])
                if between and k in cuts and len(cuts[k]):
                    more |= _between_blanks(a[g], offered[g], hidden[g], cuts[k])
                if (more & ~forced[k][g]).any():
                    again.add(k)
                if more.any():
                    forced[k][g] |= more
        if not again:
            break
    empty = pd.DataFrame(columns=["place", "service", "length", "period_start", *counts, flag])
    return {k: _table(at[k][1], *decided[k]) if k in at else empty for k in cells}


def _same_periods(at: Mapping[Any, tuple[dict[View, int], dict[str, _Periods]]]) -> dict[Any, dict[str, np.ndarray]]:
    """For each range and length, a number a row: equal where two rows (of any ranges) are the same period of the
    same view with the same counts (:func:`ranges_group_tables`: one shown where another is unseen)."""
    out: dict[Any, dict[str, np.ndarray]] = {k: {} for k in at}
    for g in LADDER:
        parts = {k: a[g].keyed(np.ones(len(a[g].view), dtype=bool), list(number)) for k, (number, a) in at.items()}
        if not parts:
            continue
        every = pd.concat(parts.values(), ignore_index=True)
        code = np.zeros(len(every), dtype=np.int64)
        for col in every.columns:  # folded one column at a time, renumbered so the number stays small
            key = pd.factorize(every[col], use_na_sentinel=False)[0]
            code = pd.factorize(code * (int(key.max(initial=0)) + 1) + key)[0].astype(np.int64)
        bounds = np.cumsum([0, *(len(f) for f in parts.values())])
        for i, k in enumerate(parts):
            out[k][g] = code[bounds[i] : bounds[i + 1]]
    return out


def _between_blanks(at: _Periods, offered: np.ndarray, hidden: np.ndarray, cuts: np.ndarray) -> np.ndarray:
    """The periods to hide so that none of a view's runs of periods (of a length it offers) from one of ``cuts`` (the
    shorter ranges' first days) to the next, or from the range's first period to the first cut, holds a single hidden
    one: the smallest shown period of each such run, the first of equals (:func:`ranges_group_tables`)."""
    start = at.starts[at.period]
    run = np.searchsorted(cuts, start, side="right")
    closed = offered[at.view] & (run < len(cuts))  # from the last cut on is the shortest range's: its own rule
    key = at.view * (len(cuts) + 1) + run
    blanks = np.bincount(key[closed], weights=hidden[closed], minlength=int(key.max(initial=0)) + 1)
    able = np.flatnonzero(closed & ~hidden & (blanks[key] == 1) & (at.size > 0))
    more = np.zeros(len(at.view), dtype=bool)
    if len(able):
        order = able[np.lexsort((able, at.size[able], key[able]))]
        more[order[np.r_[True, key[order][1:] != key[order][:-1]]]] = True
    return more


def _codes(*keys: np.ndarray) -> np.ndarray:
    """One number for each distinct combination of ``keys`` (whole numbers from 0), a row."""
    code = np.zeros(len(keys[0]), dtype=np.int64)
    for key in keys:
        code = code * (int(key.max(initial=0)) + 1) + key
    return np.asarray(pd.factorize(code)[0], dtype=np.int64)


def _second_blanks(flag: np.ndarray, size: np.ndarray, groups: Sequence[np.ndarray]) -> np.ndarray:
    """:func:`perf.access.small_counts.suppress_small_counts`' second blank on arrays: in each group (a number a
    row) with a single flag, flag the smallest ``size`` above zero, the first of equals; a few passes."""
    flag = flag.copy()
    able = ~np.isnan(size) & (size > 0)
    for _ in range(10):  # as suppress_small_counts
        changed = False
        for key in groups:
            blanks = np.bincount(key, weights=flag, minlength=int(key.max(initial=-1)) + 1)
            rows = np.flatnonzero(able & ~flag & (blanks[key] == 1))
            if not len(rows):
                continue
            order = rows[np.lexsort((rows, size[rows], key[rows]))]
            first = np.r_[True, key[order][1:] != key[order][:-1]]
            flag[order[first]] = True
            changed = True
        if not changed:
            break
    return flag


class _Ladders:
    """:func:`published_ladder` of every view at once: what does not change from pass to pass (how many periods
    each view has, which shorter periods each longer one holds) worked out once."""

    def __init__(self, at: dict[str, _Periods], n_views: int) -> None:
        self.at, self.n_views = at, n_views
        self.lengths = {g: np.bincount(at[g].view, minlength=n_views) for g in LADDER}
        self.over = {
            (f, c): _overlaps(at[f].starts, f, at[c].starts, c) for i, f in enumerate(LADDER) for c in LADDER[i + 1 :]
        }
        self.present = {g: at[g].grid(np.ones(len(at[g].view), dtype=bool)) for g in LADDER}

    def few(self, hidden: np.ndarray, g: str, limit: float) -> np.ndarray:
        """Views with periods of length ``g`` of which at most ``limit`` are hidden."""
        n = self.lengths[g]
        share = np.divide(hidden.sum(axis=1), n, out=np.full(self.n_views, np.inf), where=n > 0)
        return np.asarray((n > 0) & (share <= limit), dtype=bool)

    def holding(self, hidden: np.ndarray, f: str, c: str) -> np.ndarray:
        """The periods of length ``c`` that hold a ``hidden`` one of length ``f``: more hidden before the last
        shorter period they overlap than before the first (running counts, views by periods)."""
        lo, hi = self.over[(f, c)]
        running = np.concatenate([np.zeros((len(hidden), 1), dtype=np.int64), hidden.cumsum(axis=1)], axis=1)
        return np.asarray((running[:, hi] > running[:, lo]) & self.present[c], dtype=bool)

    def __call__(self, own: dict[str, np.ndarray]) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
        """From each view's own hidden periods (``own``, a flag a row of ``at``): which lengths each view offers,
        and each period's flag, as :func:`published_ladder` decides them one view at a time."""
        at, few, holding = self.at, self.few, self.holding
        longest = LADDER[-1]

        def limit(g: str) -> float:  # the longest is charted unless mostly hidden
            return MOSTLY_HIDDEN if g == longest else MAX_HIDDEN_SHARE

        now = {g: at[g].grid(own[g]) for g in LADDER}  # each length's flags, with what shorter ones offered hide
        offered = {longest: np.ones(self.n_views, dtype=bool)}
        for i, g in enumerate(LADDER[:-1]):
            longer = LADDER[i + 1 :]
            held = {c: holding(now[g], g, c) for c in longer}
            punch = np.zeros(self.n_views, dtype=bool)  # offering g would hide too many of a longer length
            for c in longer:
                punch |= few(now[c], c, limit(c)) & ~few(now[c] | held[c], c, limit(c))
            offered[g] = few(now[g], g, limit(g)) & ~punch
            for c in longer:
                now[c] = now[c] | (offered[g][:, None] & held[c])
        hidden = {g: now[g][at[g].view, at[g].period] for g in LADDER}
        return offered, hidden


class _Rebuild:
    """Which periods a visitor can work out from one view's own figures, of every length it offers at once.

    A figure is a sum of the days of its period, so sums and differences of shown figures give back another
    period exactly when its first and last day are linked by a chain of shown periods (each joins its start to
    its end, either way round): three shown months give their quarter, and a quarter less two shown months
    gives the third. So each view's period boundaries are the points of a graph whose edges are its shown
    periods of every length it offers, a period it lists as having none (Capability lists only periods with
    cases: zero), and its total over the dates (shown on the page); a period is worked out when its ends are
    in one part of that graph (:func:`_components`). The ends are clipped to the span the view's lists cover
    (nothing falls before the latest first period or after the earliest last one), so a quarter cut short at a
    range's start is given back by the months that cover what is left of it (the public ranges start on a
    quarter's first day, so none is cut short there; an odd range's may be).

    Days are numbered by their place among every period boundary (``days``), and a point is (view, day).
    """

    def __init__(self, at: dict[str, _Periods], n_views: int) -> None:
        self.at, self.n_views = at, n_views
        ends = {g: pd.DatetimeIndex(at[g].starts) + _LENGTH[g] for g in LADDER}
        gaps = {g: self._gaps(g) for g in LADDER}
        self.days = np.unique(
            np.concatenate([_days(at[g].starts) for g in LADDER] + [_days(ends[g]) for g in LADDER]
                           + [d for g in LADDER for d in gaps[g][1:]])
        )  # fmt: skip
        self.start: dict[str, np.ndarray] = {}
        self.end: dict[str, np.ndarray] = {}
        self.first: dict[str, np.ndarray] = {}
        self.last: dict[str, np.ndarray] = {}
        self.small: dict[str, np.ndarray] = {}
        self.gaps: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        for g in LADDER:
            p = at[g]
            starts = np.searchsorted(self.days, _days(p.starts))
            stops = np.searchsorted(self.days, _days(ends[g]))
            self.start[g], self.end[g] = starts[p.period], stops[p.period]
            first = np.full(n_views, len(self.days), dtype=np.int64)
            last = np.full(n_views, -1, dtype=np.int64)
            np.minimum.at(first, p.view, self.start[g])
            np.maximum.at(last, p.view, self.end[g])
            self.first[g], self.last[g] = first, last
            self.small[g] = np.asarray(((p.values >= 1) & (p.values < SMALL_COUNT)).any(axis=1), dtype=bool)
            gv, gs, ge = gaps[g]
            self.gaps[g] = gv, np.searchsorted(self.days, gs), np.searchsorted(self.days, ge)

    def _gaps(self, g: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Every period a view does not list between two it does (view, first day, end; days since 1970)."""
        p = self.at[g]
        if not len(p.starts):
            empty = np.zeros(0, dtype=np.int64)
            return empty, empty, empty
        every = pd.DatetimeIndex(p.starts)
        cal = every.union(pd.date_range(every[0], every[-1], freq=_CALENDAR[g]))
        cal_start, cal_end = _days(cal), _days(cal + _LENGTH[g])
        row_start, row_end = _days(p.starts)[p.period], _days(pd.DatetimeIndex(p.starts) + _LENGTH[g])[p.period]
        order = np.lexsort((row_start, p.view))
        view, start, end = p.view[order], row_start[order], row_end[order]
        between = np.flatnonzero((view[1:] == view[:-1]) & (end[:-1] < start[1:]))
        lo = np.searchsorted(cal_start, end[between], side="left")
        hi = np.searchsorted(cal_end, start[between + 1], side="right")
        n = np.maximum(hi - lo, 0)
        at = np.repeat(lo - np.r_[0, np.cumsum(n)[:-1]], n) + np.arange(int(n.sum()))
        return np.repeat(view[between], n), cal_start[at], cal_end[at]

    def __call__(
        self, offered: dict[str, np.ndarray], hidden: dict[str, np.ndarray]
    ) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
        """Each row's flag: a visitor cannot see it (hidden, or a length its view does not offer) but can work it
        out; and each view's span (first day, end; numbered as ``days``)."""
        at, n_days = self.at, len(self.days)
        lo = np.full(self.n_views, -1, dtype=np.int64)
        hi = np.full(self.n_views, n_days, dtype=np.int64)
        for g in LADDER:
            on = offered[g] & (self.last[g] >= 0)
            lo = np.where(on, np.maximum(lo, self.first[g]), lo)
            hi = np.where(on, np.minimum(hi, self.last[g]), hi)
        lo, hi = np.maximum(lo, 0), np.minimum(hi, n_days - 1)
        views = np.flatnonzero(lo < hi)
        parts = [(views, lo[views], hi[views])]  # the view's total over the dates
        for g in LADDER:
            shown = offered[g][at[g].view] & ~hidden[g]
            parts.append((at[g].view[shown], self.start[g][shown], self.end[g][shown]))
            gv, gs, ge = self.gaps[g]
            keep = offered[g][gv]
            parts.append((gv[keep], gs[keep], ge[keep]))
        ev = np.concatenate([v for v, _, _ in parts])
        ea = np.maximum(np.concatenate([a for _, a, _ in parts]), lo[ev])
        eb = np.minimum(np.concatenate([b for _, _, b in parts]), hi[ev])
        ok = ea < eb
        ev, ea, eb = ev[ok], ea[ok], eb[ok]
        label = _components(self.n_views * n_days, ev * n_days + ea, ev * n_days + eb)
        out: dict[str, np.ndarray] = {}
        for g in LADDER:
            v = at[g].view
            a, b = np.maximum(self.start[g], lo[v]), np.minimum(self.end[g], hi[v])
            unseen = ~offered[g][v] | hidden[g]
            same = label[v * n_days + np.clip(a, 0, n_days - 1)] == label[v * n_days + np.clip(b, 0, n_days - 1)]
            out[g] = np.asarray(unseen & (a < b) & same, dtype=bool)
        return out, lo, hi

    def breaks(
        self,
        offered: dict[str, np.ndarray],
        hidden: dict[str, np.ndarray],
        seen: dict[str, np.ndarray],
        forced: dict[str, np.ndarray],
        lo: np.ndarray,
        hi: np.ndarray,
    ) -> dict[str, np.ndarray]:
        """The periods to hide so that a hidden period worked out (``seen``) no longer is, when it is a second
        blank (for the view's own total, or for a sibling's sake: ``forced``) or holds a hidden shorter one: the
        smallest shown period of the shortest length the view offers that lies inside it (which then has its
        own second blank), or, when none does, the smallest shown period of its own length."""
        at = self.at
        out = {g: np.zeros(len(at[g].view), dtype=bool) for g in LADDER}
        for i, c in enumerate(LADDER):
            need = seen[c] & ~self.small[c] & ((offered[c][at[c].view] & hidden[c]) | forced[c])
            for r in np.flatnonzero(need):
                v = int(at[c].view[r])
                a, b = max(int(self.start[c][r]), int(lo[v])), min(int(self.end[c][r]), int(hi[v]))
                for f in (*LADDER[:i], c):
                    if not offered[f][v]:
                        continue
                    p = at[f]
                    rows = np.arange(p.bounds[v], p.bounds[v + 1])
                    ok = ~hidden[f][rows] & ~out[f][rows] & (p.size[rows] > 0)
                    if f != c:
                        ok &= (np.maximum(self.start[f][rows], lo[v]) >= a) & (
                            np.minimum(self.end[f][rows], hi[v]) <= b
                        )
                    if ok.any():
                        mine = rows[ok]
                        out[f][mine[np.argmin(p.size[mine])]] = True
                        break
        return out


def _days(stamps: Any) -> np.ndarray:
    """Days since 1 January 1970 of datetimes."""
    return np.asarray(np.asarray(stamps, dtype="datetime64[ns]").astype("datetime64[D]").astype(np.int64))


def _components(n: int, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """The parts of an undirected graph of ``n`` points and edges ``a``-``b``: each point's smallest point in its
    part (hooking each part's smallest point to its neighbours' and following the pointers until none moves)."""
    label = np.arange(n, dtype=np.int64)
    while True:
        la, lb = label[a], label[b]
        low = np.minimum(la, lb)
        nxt = label.copy()
        np.minimum.at(nxt, la, low)
        np.minimum.at(nxt, lb, low)
        while True:
            jump = nxt[nxt]
            if np.array_equal(jump, nxt):
                break
            nxt = jump
        if np.array_equal(nxt, label):
            return label
        label = nxt


def _overlaps(starts: np.ndarray, f: str, others: np.ndarray, c: str) -> tuple[np.ndarray, np.ndarray]:
    """Which periods of length ``f`` (sorted ``starts``) overlap each period of length ``c`` (``others``), as
    :func:`_hide_overlapping` asks: those from ``lo[j]`` up to, not including, ``hi[j]`` (the periods of one
    length are sorted by their ends too, so the ones overlapping a period are a run)."""
    ends = np.asarray((pd.DatetimeIndex(starts) + _LENGTH[f]).to_numpy(), dtype="datetime64[ns]")
    other_ends = np.asarray((pd.DatetimeIndex(others) + _LENGTH[c]).to_numpy(), dtype="datetime64[ns]")
    if np.any(ends[1:] < ends[:-1]):
        raise ValueError(f"periods by {f} must end in the order they start")
    return np.searchsorted(ends, others, side="right"), np.searchsorted(starts, other_ends, side="left")


def with_group_hidden(
    fetch: Callable[[str], pd.DataFrame],
    group: dict[str, pd.DataFrame],
    *,
    blank: Sequence[str],
    flag: str = "suppressed",
) -> dict[str, pd.DataFrame]:
    """A page's ladder as its view's :func:`group_ladders` entry has it: the same lengths offered and the
    same periods hidden, on the page's own frames (``fetch(g)``, with its rates and a ``flag`` column).

    Give the frames before their own rule (``flag`` all False): the group's entry holds every small count
    and its own second blanks, and a page's own rule could pick another second blank than the group did,
    which a longer period the group shows would then give back."""
    out = {}
    for g, decided in group.items():
        frame = fetch(g).reset_index(drop=True)
        hidden = set(pd.to_datetime(decided.loc[decided[flag].astype(bool), "period_start"]))
        more = pd.to_datetime(frame["period_start"]).isin(hidden).to_numpy() & ~frame[flag].to_numpy(dtype=bool)
        if more.any():
            frame = frame.copy()
            frame[flag] = frame[flag].to_numpy(dtype=bool) | more
            for col in blank:
                if col in frame.columns:
                    kind = frame[col].dtype
                    masked = pd.to_numeric(frame[col], errors="coerce").astype("float64").mask(more)
                    frame[col] = masked.astype("Int64") if pd.api.types.is_integer_dtype(kind) else masked
        out[g] = frame
    return out


def demand_group_ladders(
    cells: dict[str, pd.DataFrame], parent: dict[str, str | None]
) -> dict[View, dict[str, pd.DataFrame]]:
    """:func:`group_ladders` of demand over every place and service (:func:`demand_cells`)."""
    return split_table(demand_group_table(cells, parent))


def _demand_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Each (place, service) view's own small counts of demand, as its page hides them."""
    return suppress(frame, DEMAND_COUNTS, derived=DEMAND_DERIVED, groups=[["place", "service"]])


def _case_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Each (place, service) view's own small counts of completed cases, as its page hides them."""
    return suppress(frame, CASE_COUNTS, derived=CASE_DERIVED, groups=[["place", "service"]])


def demand_group_table(cells: dict[str, pd.DataFrame], parent: dict[str, str | None]) -> pd.DataFrame:
    """:func:`group_table` of demand over every place and service (:func:`demand_cells`): what a page caches."""

    return group_table(cells, parent, counts=DEMAND_COUNTS, rows=_demand_rows, size="demand")


def demand_cells(
    con: Any, *, start: Any = None, end: Any = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """Every view's demand per period (the counts of :func:`perf.analysis.demand.demand_by_period`, on the
    same periods), by length, and each place's parent: one query a length for the wards' counts, summed
    up the place tree and over services, and one for every service's periods (``demand_periods``: 21 calls
    of demand_by_period, one a service and length, took most of a second)."""
    from perf import store

    parent = _parents(con)
    services = [""] + [str(s) for s in demand.services(con)["service_id"]]
    every = store.query(con, "demand_periods", {"start": start, "end": end})
    every["period_start"] = pd.to_datetime(every["period_start"])
    cells: dict[str, pd.DataFrame] = {}
    for g in LADDER:
        wards = store.query(con, "demand_by_ward_service", {"start": start, "end": end, "granularity": g})
        summed = tree_cells(wards, parent, ["value_demand", "failure_demand"])
        mine = every[every["granularity"] == g]
        periods = {str(s): f["period_start"] for s, f in mine.groupby("service", sort=False)}
        none = mine["period_start"].iloc[:0]
        grid = pd.concat(
            [
                pd.MultiIndex.from_product(
                    [list(parent), [s], pd.to_datetime(periods.get(s, none))],
                    names=["place", "service", "period_start"],
                ).to_frame(index=False)
                for s in services
            ],
            ignore_index=True,
        )
        full = grid.merge(summed, how="left", on=["place", "service", "period_start"])
        for col in ("value_demand", "failure_demand"):
            full[col] = full[col].fillna(0).astype("int64")
        full["demand"] = full["value_demand"] + full["failure_demand"]
        cells[g] = full
    return cells, parent


def demand_ranges_ladders(
    cells: Mapping[Any, dict[str, pd.DataFrame]], parent: dict[str, str | None]
) -> dict[Any, dict[View, dict[str, pd.DataFrame]]]:
    """:func:`ranges_group_ladders` of demand (:func:`demand_cells` of each date range)."""
    return {k: split_table(t) for k, t in demand_ranges_tables(cells, parent).items()}


def demand_ranges_tables(
    cells: Mapping[Any, dict[str, pd.DataFrame]], parent: dict[str, str | None]
) -> dict[Any, pd.DataFrame]:
    """:func:`ranges_group_tables` of demand (:func:`group_table`'s shape, one a range)."""

    return ranges_group_tables(cells, parent, counts=DEMAND_COUNTS, rows=_demand_rows, size="demand")


def capability_ranges_ladders(
    cells: Mapping[Any, dict[str, pd.DataFrame]], parent: dict[str, str | None]
) -> dict[Any, dict[View, dict[str, pd.DataFrame]]]:
    """:func:`ranges_group_ladders` of completed cases (:func:`capability_cells` of each date range)."""
    return {k: split_table(t) for k, t in capability_ranges_tables(cells, parent).items()}


def capability_ranges_tables(
    cells: Mapping[Any, dict[str, pd.DataFrame]], parent: dict[str, str | None]
) -> dict[Any, pd.DataFrame]:
    """:func:`ranges_group_tables` of completed cases (:func:`group_table`'s shape, one a range)."""

    return ranges_group_tables(cells, parent, counts=CASE_COUNTS, rows=_case_rows, size="cases")


def capability_group_ladders(
    cells: dict[str, pd.DataFrame], parent: dict[str, str | None]
) -> dict[View, dict[str, pd.DataFrame]]:
    """:func:`group_ladders` of completed cases over every place and service (:func:`capability_cells`)."""
    return split_table(capability_group_table(cells, parent))


def capability_group_table(cells: dict[str, pd.DataFrame], parent: dict[str, str | None]) -> pd.DataFrame:
    """:func:`group_table` of completed cases over every place and service (:func:`capability_cells`): what a
    page caches."""

    return group_table(cells, parent, counts=CASE_COUNTS, rows=_case_rows, size="cases")


def capability_cells(
    con: Any, *, start: Any = None, end: Any = None
) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """Every view's completed cases per period, by length, and each place's parent. The capability chart
    lists only periods with cases, and so do these (a view with no cases in the dates has no rows)."""
    from perf import store

    parent = _parents(con)
    cells: dict[str, pd.DataFrame] = {}
    for g in LADDER:
        wards = store.query(con, "capability_by_ward_service", {"start": start, "end": end, "granularity": g})
        cells[g] = tree_cells(wards, parent, CASE_COUNTS)
    return cells, parent


def tree_cells(
    wards: pd.DataFrame, parent: dict[str, str | None], counts: Sequence[str], *, by: Sequence[str] = ("period_start",)
) -> pd.DataFrame:
    """Ward x service x period ``counts`` (``place``, ``service``, ``period_start``) summed up the place tree
    and over services (service "" is every service): every view's counts from one query, not one a view.
    ``by`` names the other keys (a channel, a nature, instead of the period)."""
    if "period_start" in by:
        wards = wards.assign(period_start=pd.to_datetime(wards["period_start"]))
    # each ward's rows once for it and once for every place above it (one merge, not a frame a ward and place)
    above = pd.DataFrame(
        [(w, q) for w in wards["place"].dropna().astype(str).unique() for q in _and_above(w, parent)],
        columns=["_ward", "_place"],
    )
    tree = wards
    if len(above):
        tree = wards.assign(_ward=wards["place"].astype(str)).merge(above, on="_ward")
        tree = tree.drop(columns=["place", "_ward"]).rename(columns={"_place": "place"})
    tree = pd.concat([tree, tree.assign(service="")], ignore_index=True)
    summed = tree.groupby(["place", "service", *by], as_index=False)[list(counts)].sum()
    for col in counts:
        summed[col] = summed[col].astype("int64")
    return summed


def _parents(con: Any) -> dict[str, str | None]:
    """Each place's parent in the place tree (None for the whole area)."""
    from perf import store

    places = store.query(con, "localities")
    return {
        str(p): (None if pd.isna(q) else str(q))
        for p, q in zip(places["locality_id"], places["parent_id"], strict=True)
    }


def _and_above(place: str, parent: dict[str, str | None]) -> list[str]:
    """``place`` and the places above it, nearest first: 16 at most, so a loop in the tree stops rather than hangs."""
    out: list[str] = []
    step: str | None = place
    while step is not None and len(out) < 16:
        out.append(step)
        step = parent.get(step)
    return out
