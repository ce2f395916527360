"""Stale limits: has the system moved since its limits were worked out?

One rule with the Check–Plan–Do review: the limits shown are stale when a lasting shift the review
would propose (:func:`perf.spc.shifts.sustained_shifts`) begins in the last phase, still runs at the
latest point and has moved the level a sigma or more (:func:`running_shift`). The pages then say so and offer an admin to start
a new phase from the shift's first period. Nothing is recalculated automatically: limits change only
where a person says the system changed (a phase), as NHS England's *Making Data Count* advises and
``docs/methods.md`` records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from perf.spc import shifts
from perf.analysis.review import PER_YEAR, period_of
from perf.spc import RuleSet


def running_shift(
    values: Any, *, sigma: float | None = None, rules: RuleSet | str = "mdc", per_year: int | None = None
) -> shifts.Shift | None:
    """The latest lasting shift in ``values`` (one phase's points, NaN for a missing period) that
    still runs at the latest point and has moved the level, or None.

    The shifts are those the Check–Plan–Do review proposes (:func:`perf.spc.shifts.sustained_shifts`:
    each against the average of the system before it, a season not taken for a new system when
    ``per_year`` is known). Still running: the latest point lies on the shift's side of that old
    average, and so do at least :data:`perf.spc.shifts.LASTING_SHARE` of the points from its start.
    Moved: with the limits' ``sigma``, the points since the start average at least
    :data:`perf.spc.shifts.MIN_SIZE` sigma beyond those of the phase before it and, while the shift is
    younger than its lasting window (:func:`perf.spc.shifts.lasting_window`), beyond the same periods a
    year earlier (a season comes back each year; a new system does not).

    Example
    -------
    >>> running_shift([10, 11, 9, 10, 11, 9, 10, 11, 9, 10, 11, 9, 5, 6, 4, 5, 6, 4, 5, 6, 4]).start
    12
    """
    value = np.asarray(values, dtype=float)
    for shift in reversed(shifts.sustained_shifts(value, rules=rules, per_year=per_year)):
        if _still_runs(value[shift.start :], shift.old_centre, shift.direction):
            return shift if _moved(value, shift, sigma, rules, per_year) else None
    return None


def _moved(
    value: np.ndarray[Any, Any], shift: shifts.Shift, sigma: float | None, rules: RuleSet | str, per_year: int | None
) -> bool:
    """Do the points since ``shift.start`` sit a sigma beyond the phase before it, and beyond the same
    periods a year earlier while the shift is younger than its lasting window?"""
    if sigma is None:
        return True
    way = 1 if shift.direction == "up" else -1
    since, before = value[shift.start :], value[: shift.start]
    if way * (np.nanmean(since) - np.nanmean(before)) < shifts.MIN_SIZE * sigma:
        return False
    young = since.shape[0] < shifts.lasting_window(rules, per_year)
    if per_year and per_year > 1 and young and shift.start >= per_year:
        year_ago = value[shift.start - per_year : value.shape[0] - per_year]
        gap = since - year_ago
        if np.isnan(gap).all() or way * float(np.nanmean(gap)) < shifts.MIN_SIZE * sigma:
            return False
    return True


def _still_runs(values: np.ndarray[Any, Any], centre: float, direction: str) -> bool:
    """The latest point, and at least :data:`perf.spc.shifts.LASTING_SHARE` of ``values``, on the shift's side."""
    since = values[~np.isnan(values)]
    side = np.sign(since - centre) * (1 if direction == "up" else -1)
    return bool(side.shape[0] and side[-1] > 0 and (side > 0).sum() >= shifts.LASTING_SHARE * side.shape[0])


def changed_since(points: pd.DataFrame, dates: Any, *, rules: str = "mdc") -> pd.Timestamp | None:
    """The first period of the latest lasting shift in the last phase that still runs at the latest
    point (:func:`running_shift`), from a chart's ``points`` (value, centre, upper, phase) and their period starts
    (which say whether a year is 52, 12 or 4 points); else None."""
    value = points["value"].to_numpy(dtype=float, na_value=np.nan)
    present = np.flatnonzero(~np.isnan(value))
    if present.shape[0] == 0:
        return None
    phase = points["phase"].to_numpy()
    mine = np.flatnonzero(phase == phase[present[-1]])
    when = pd.DatetimeIndex(pd.Series(dates).to_numpy())
    sigma = (float(points["upper"].iloc[present[-1]]) - float(points["centre"].iloc[present[-1]])) / 3
    shift = running_shift(
        value[mine], sigma=sigma if np.isfinite(sigma) else None, rules=rules, per_year=PER_YEAR.get(period_of(when))
    )
    return None if shift is None else pd.Timestamp(when[mine[shift.start]])
