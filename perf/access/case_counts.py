"""The public Capability page's other counts of cases: before and after a change.

:mod:`perf.access.disclosure` decides the periods the chart shows and the Side by side counts of completed cases
across places, services and channels (:func:`~perf.access.disclosure.group_ladders`,
:func:`~perf.access.disclosure.case_totals_hidden`). This module decides the page's other counts:

- **Before and after a change** (Check–Plan–Do: did the change shift the system?). Each side's count of cases
  completed is a sum over a place's wards and over time, so a locality's count less its shown wards', or a side
  less the chart's shown periods, could give a hidden count back. The public table shows a side's count only where
  the visitor can already add it up from the periods the chart shows for that view over all dates
  (:func:`sides_shown`): then it says nothing new, whatever the other places and services show. The comparison is
  offered only at the published measures' phase dates (the page's list), never at a date a visitor picks.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Literal

import pandas as pd

from perf.access import disclosure

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


COMPARISON_COUNT = "Cases completed"  # the row of PhaseComparison.table() that counts cases


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
