"""Averages that would give a blanked count back on the public Capability page, and what the page shows instead.

The before/after comparison of a published change (:func:`perf.analysis.capability.compare_phases`, over the view's
whole history) blanks a side's count of cases where the chart's shown periods do not add up to it
(:func:`perf.access.case_counts.sides_shown`), yet shows each side's average. Side by side shows the same view's
count ``n`` and average ``A`` over all dates. Days are whole numbers, and the whole history split at the change date
gives ``n_b + n_a = n`` and ``n_b·avg_b + n_a·avg_a = n·A``, so ``n_b = n(avg_a − A)/(avg_a − avg_b)``, blurred only
by the rounding of what is shown: a small view's count comes back to a case or two. The natural process limits say
an average too (``mean = (lower + upper)/2`` whenever the lower limit is above zero), and so does the chart's
sentence of the latest phase (the after side of the latest change), so they count as well. Medians and 90th
percentiles tie no counts together.

:func:`possible_counts` plays the visitor: every whole number the blanked count can be, given the figures as the
page rounds them (both day counts at once: the counts are the same in calendar and working days). A blanked count
is *given back* when it is pinned to fewer than ``SMALL_COUNT`` values (the width of the 1 to 4 the rule protects):
what the shown periods leave of that side (its hidden periods, its part of a period across the change) would then
be known that closely. :func:`choose` picks what the page shows, hiding least first (docs/methods.md), for a
visitor who knows the view's average over all dates exactly (:func:`exact`: Side by side's rows by channel, place
and service say it again and together narrow it):

1. ``"tenths"``: as before, where nothing comes back, or where a side's count is shown (the other is then the view's
   count less it, which the count rule already allows), or where Side by side does not show the view's count;
2. ``"whole days"``: the comparison's averages and limits in whole days (the change as the difference of the two);
3. ``"medians"``: the comparison leaves out its averages and limits and says what changed by the medians.
   (Leaving out Side by side's average instead would not do: the view's channels' averages, and its wards', add up
   to it as closely, and so on down the place tree.)
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd

from perf.access import disclosure
from perf.analysis import capability

SMALL_COUNT = disclosure.SMALL_COUNT
TENTH, WHOLE = 0.1, 1.0  # how the page rounds days: to a tenth, or whole days
Interval = tuple[float, float]
Stats = Mapping[str, Any] | pd.Series  # cases, mean, lower, upper (a row of phase_statistics)
Choice = Literal["tenths", "whole days", "medians"]
DAY_COUNTS: tuple[capability.DayCount, ...] = ("calendar", "working")
# the rows of PhaseComparison.table() that are averages or say one (mean ± 2.66 × mean moving range)
AVERAGE_ROWS = ("Average", "Lower limit", "Upper limit")
_EPS = 1e-7  # floating slack: a true value on an interval's edge stays inside


def rounded(x: float, step: float) -> float:
    """``x`` as a table shows it, to a tenth or in whole days."""
    return float(f"{x:.{1 if step < 1 else 0}f}")


def _around(x: float, step: float) -> Interval:
    """Where a figure shown as ``x`` to ``step`` lies (either way of rounding a half)."""
    return x - step / 2, x + step / 2


def _meet(a: Interval, b: Interval) -> Interval:
    return max(a[0], b[0]), min(a[1], b[1])


def shown_mean(mean: float, lower: float, upper: float, step: float) -> Interval:
    """Where a visitor knows an average lies from a table: the average rounded to ``step`` (within half a step),
    and the limits' midpoint when the lower limit is shown above zero (``mean ± 2.66·mR``: not cut at zero).

    Example
    -------
    >>> shown_mean(10.44, 3.31, 17.57, WHOLE)  # "10", limits "3" and "18": the midpoint says 10 to 11
    (10.0, 10.5)
    """
    out = _around(rounded(mean, step), step)
    low, up = rounded(lower, step), rounded(upper, step)
    if low >= step:
        out = _meet(out, _around((low + up) / 2, step))
    return out


def _said(x: float) -> tuple[float, float]:
    """A figure of days as a sentence says it (:func:`perf.analysis.capability._days`) and its step."""
    step = TENTH if x < 3 else WHOLE
    return round(math.floor(x / step + 0.5) * step, 1), step


def said_mean(mean: float, lower: float, upper: float) -> Interval:
    """Where the chart's sentence of the latest phase puts its average ("anywhere between 3 and 21 days; on average
    8 days"; a tenth below 3 days): the average said, and the midpoint of the limits said when the lower is 0.5 or
    more (the sentence then gives both; taken as given even where the chart finds signals and says the average alone).

    Example
    -------
    >>> [round(x, 2) for x in said_mean(2.44, 0.0, 6.0)]
    [2.35, 2.45]
    """
    m, step = _said(mean)
    out = _around(m, step)
    if lower >= 0.5:
        (lo, s1), (up, s2) = _said(lower), _said(upper)
        mid = (lo + up) / 2
        out = _meet(out, (mid - (s1 + s2) / 4, mid + (s1 + s2) / 4))
    return out


@dataclass(frozen=True)
class Shown:
    """One day count's averages as a visitor reads them: the view over all dates in Side by side (None when it does
    not show them), each side of the change, and the change in the average."""

    whole: Interval | None
    before: Interval
    after: Interval
    change: Interval


def shown(
    whole: Stats | None,
    before: Stats,
    after: Stats,
    *,
    step: float,
    latest: bool = True,
) -> Shown:
    """:class:`Shown` from the statistics (``mean``, ``lower``, ``upper``) of the view over all dates (Side by side,
    to a tenth; None when it does not show them) and of each side (the comparison, to ``step``; its change to a
    tenth is after less before worked out, in whole days the difference of the two shown). ``latest``: the change is
    the service's latest published one, so the chart's sentence speaks of the after side too (:func:`said_mean`)."""

    def side(s: Stats, by: float) -> Interval:
        return shown_mean(float(s["mean"]), float(s["lower"]), float(s["upper"]), by)

    a, b = float(after["mean"]), float(before["mean"])
    if step < 1:
        change = _around(rounded(a - b, step), step)
    else:
        d = rounded(a, step) - rounded(b, step)
        change = (d - step, d + step)
    after_is = side(after, step)
    if latest:
        after_is = _meet(after_is, said_mean(a, float(after["lower"]), float(after["upper"])))
    return Shown(
        whole=None if whole is None else side(whole, TENTH), before=side(before, step), after=after_is, change=change
    )


def _corners(s: Shown) -> np.ndarray:
    """The corners of the region of (before's average, after less before) the figures allow: a polygon cut by
    three pairs of parallel lines. Empty when they cannot all hold."""
    b, c, a = s.before, s.change, s.after
    lines = [(1.0, 0.0, b[0]), (1.0, 0.0, b[1]), (0.0, 1.0, c[0]), (0.0, 1.0, c[1]), (1.0, 1.0, a[0]), (1.0, 1.0, a[1])]
    out = []
    for i, (p1, q1, r1) in enumerate(lines):
        for p2, q2, r2 in lines[i + 1 :]:
            det = p1 * q2 - p2 * q1
            if det == 0:
                continue
            x, t = (r1 * q2 - r2 * q1) / det, (p1 * r2 - p2 * r1) / det
            if (
                b[0] - _EPS <= x <= b[1] + _EPS
                and c[0] - _EPS <= t <= c[1] + _EPS
                and a[0] - _EPS <= x + t <= a[1] + _EPS
            ):
                out.append((x, t))
    return np.array(out, dtype="float64").reshape(-1, 2)


def _fits(total: int, before: int, s: Shown) -> bool:
    """Can ``before`` of ``total`` cases be completed before the change, with whole days, given ``s``? Exact: every
    whole-number sum of days before that fits its average, against the sums after and over all dates."""
    if s.whole is None:
        return True
    after = total - before
    sb = np.arange(math.ceil(before * s.before[0] - _EPS), math.floor(before * s.before[1] + _EPS) + 1, dtype="float64")
    if not len(sb):
        return False
    mean_b = sb / before
    lo = np.maximum.reduce(
        [
            np.full_like(sb, math.ceil(after * s.after[0] - _EPS)),
            math.ceil(total * s.whole[0] - _EPS) - sb,
            np.ceil(after * (mean_b + s.change[0]) - _EPS),
        ]
    )
    hi = np.minimum.reduce(
        [
            np.full_like(sb, math.floor(after * s.after[1] + _EPS)),
            math.floor(total * s.whole[1] + _EPS) - sb,
            np.floor(after * (mean_b + s.change[1]) + _EPS),
        ]
    )
    return bool((lo <= hi).any())


def possible_counts(total: int, figures: Sequence[Shown], *, least: int = SMALL_COUNT) -> tuple[int, int] | None:
    """The fewest and most cases completed before the change that fit what the page shows (each of ``figures``, one a
    day count), of ``total`` over all dates, each side having ``least`` or more (the page compares no fewer); None
    when none fits. The region's corners bound the count (a weighted average moves linearly with it); whole days
    then rule out counts from each end in turn.

    Example
    -------
    >>> s = Shown(whole=(12.15, 12.25), before=(19.95, 20.05), after=(9.95, 10.05), change=(-10.05, -9.95))
    >>> possible_counts(60, [s])  # 60 cases averaging 12.2: 13 before at 20 days, 47 after at 10
    (13, 13)
    """
    counts = np.arange(least, total - least + 1, dtype="int64")
    ok = np.ones(len(counts), dtype=bool)
    for s in figures:
        if s.whole is None:
            continue
        corners = _corners(s)
        if not len(corners):
            return None
        # the view's days over all dates: total·x + after·t with after = total − before, at each corner
        f = total * corners[:, 0][None, :] + (total - counts)[:, None] * corners[:, 1][None, :]
        ok &= (f.max(axis=1) >= total * s.whole[0] - _EPS * total) & (
            f.min(axis=1) <= total * s.whole[1] + _EPS * total
        )
    left = counts[ok]
    if not len(left):
        return None
    i, j = 0, len(left) - 1
    while i <= j and not all(_fits(total, int(left[i]), s) for s in figures):
        i += 1
    while j >= i and not all(_fits(total, int(left[j]), s) for s in figures):
        j -= 1
    return (int(left[i]), int(left[j])) if i <= j else None


def given_back(span: tuple[int, int] | None) -> bool:
    """Is a blanked count pinned to fewer than ``SMALL_COUNT`` values? (None: the figures fit no count at all, which
    the page's own figures always do; a visitor learns nothing from that.)"""
    return span is not None and span[1] - span[0] + 1 < SMALL_COUNT


@dataclass(frozen=True)
class Sides:
    """One view's figures for one change in one day count (``cases``, ``mean``, ``lower``, ``upper``): the view over
    all dates (as Side by side shows it) and each side."""

    whole: Stats
    before: Stats
    after: Stats


def exact(whole: Stats) -> Interval:
    """The view's average over all dates as if a visitor knew it exactly. Side by side prints it to a tenth, but its
    rows by channel, by place (a locality's wards, the area's localities) and by service each say the view's days over
    all dates again to within their own rounding, and together narrow it: the page does not lean on its rounding."""
    m = float(whole["mean"])
    return m - 1e-9 * max(1.0, abs(m)), m + 1e-9 * max(1.0, abs(m))


def choose(
    by_day_count: Sequence[Sides], *, counts_shown: tuple[bool, bool], whole_shown: bool, latest: bool = True
) -> Choice:
    """What the public page shows of one comparison's averages (this module's docstring): the first of tenths,
    whole days and medians that gives no blanked count back to a visitor who knows the view's average over all
    dates exactly (:func:`exact`), whatever else they add up.

    ``counts_shown``: the comparison's counts as :func:`perf.access.case_counts.sides_shown` decides; ``whole_shown``:
    does Side by side show the view's count over all dates (and so its average)? ``latest``: see :func:`shown`.

    Example
    -------
    >>> w, b, a = {"cases": 60, "mean": 730 / 60, "lower": 0, "upper": 30}, {"cases": 13, "mean": 20, "lower": 0,
    ...     "upper": 40}, {"cases": 47, "mean": 10, "lower": 0, "upper": 25}
    >>> choose([Sides(w, b, a)], counts_shown=(False, False), whole_shown=True)
    'whole days'
    >>> choose([Sides(w, b, a)], counts_shown=(True, False), whole_shown=True)
    'tenths'
    """
    if any(counts_shown) or not whole_shown or not by_day_count:
        return "tenths"
    first = by_day_count[0]
    total, before, after = (int(x["cases"]) for x in (first.whole, first.before, first.after))
    if total != before + after or min(before, after) < SMALL_COUNT:
        return "tenths"  # no comparison is shown (too few on a side), or these are not the same cases
    for step, choice in ((TENTH, "tenths"), (WHOLE, "whole days")):
        figures = [
            dataclasses.replace(shown(s.whole, s.before, s.after, step=step, latest=latest), whole=exact(s.whole))
            for s in by_day_count
        ]
        if not given_back(possible_counts(total, figures)):
            return choice  # type: ignore[return-value]
    return "medians"


def comparison_sides(con: Any, *, service_id: str, locality_id: str | None, change_on: Any) -> list[Sides]:
    """One view's :class:`Sides` for one change in both day counts (``DAY_COUNTS``), over its whole history, from one
    query (``capability_comparison_averages.sql``): the figures :func:`choose` reads. Empty when it has no cases."""
    from perf import store
    from perf.analysis.demand import scope_params

    params = scope_params(service_id=service_id, locality_id=locality_id)
    params["change_on"] = pd.Timestamp(change_on).date()
    rows = capability.with_limits(store.query(con, "capability_comparison_averages", params))
    empty = {"cases": 0, "mean": math.nan, "lower": math.nan, "upper": math.nan}
    out: list[Sides] = []
    for d in DAY_COUNTS:
        mine = {str(r["part"]): r for _, r in rows[rows["day_count"] == d].iterrows()}
        if "whole" not in mine:
            return []
        out.append(Sides(whole=mine["whole"], before=mine.get("before", empty), after=mine.get("after", empty)))
    return out


def comparison_choice(
    con: Any,
    *,
    service_id: str,
    locality_id: str | None,
    change_on: Any,
    counts_shown: tuple[bool, bool],
    whole_shown: bool,
    latest: bool,
) -> Choice:
    """:func:`choose` for one view's comparison, from the database (one small query, run only where both counts are
    blank and Side by side shows the view's count over all dates)."""
    if any(counts_shown) or not whole_shown:
        return "tenths"
    sides = comparison_sides(con, service_id=service_id, locality_id=locality_id, change_on=change_on)
    return choose(sides, counts_shown=counts_shown, whole_shown=whole_shown, latest=latest)


def public_table(table: pd.DataFrame, choice: Choice) -> pd.DataFrame:
    """The comparison's table (:func:`perf.access.case_counts.public_comparison_table`) as ``choice`` shows it: in
    whole days, the averages and limits rounded and their change the difference of the two shown; with medians, the
    averages and limits blank.

    Example
    -------
    >>> t = pd.DataFrame({"measure": ["Average", "Median"], "before": [19.6, 18.0], "after": [10.4, 9.5],
    ...                   "change": [-9.2, -8.5]})
    >>> public_table(t, "whole days").values.tolist()
    [['Average', 20.0, 10.0, -10.0], ['Median', 18.0, 9.5, -8.5]]
    >>> public_table(t, "medians").iloc[0, 1:].isna().tolist()
    [True, True, True]
    """
    if choice == "tenths":
        return table
    out = table.copy()
    rows = out["measure"].isin(AVERAGE_ROWS).to_numpy()
    for col in ("before", "after"):
        values = out[col].to_numpy(dtype="float64")
        whole = np.array([rounded(v, WHOLE) if math.isfinite(v) else v for v in values], dtype="float64")
        out[col] = np.where(rows, whole if choice == "whole days" else np.nan, values)
    out["change"] = np.where(rows, out["after"] - out["before"], out["change"].to_numpy(dtype="float64"))
    return out


def sentence(comparison: capability.PhaseComparison, choice: Choice) -> str:
    """The comparison's sentence as ``choice`` allows: its averages and upper limits (in whole days for "whole
    days"), or the medians where the averages are left out."""
    if choice == "tenths":
        return comparison.sentence()
    if choice == "whole days":
        return comparison.sentence(whole=True)
    unit = "working days" if comparison.day_count == "working" else "days"
    after, before = float(comparison.after["median"]), float(comparison.before["median"])
    return (
        f"After the change on {comparison.change_on:%-d %B %Y}, half the cases took up to {capability.say_days(after)} "
        f"{capability.days_unit(after, unit)} instead of {capability.say_days(before)}."
    )


NOTE: dict[Choice, str] = {
    "tenths": "",
    "whole days": "Averages and limits here are in whole days: to a tenth, with the count and average over all "
    "dates beside them, they would give a blank count back.",
    "medians": "The public view does not give the averages and limits here: even in whole days, with the count "
    "and average over all dates beside them, they would give a blank count back. The medians compare the two sides.",
}
