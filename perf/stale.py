"""Stale limits: has the system moved since its limits were worked out?

When a sustained shift — a run of the rule set's shift length on one side of the centre line,
reaching to the latest point — has run since the last phase began, the limits describe a system
that no longer exists. The pages say so and offer an admin to start a new phase from the run's
first period, where Wheeler would start the new limits when nothing more is known of the change's
timing (M. Graban, *Measures of Success*, 2019, and his "Questions on shifts and recalculating limits",
measuresofsuccessbook.com). Nothing is recalculated automatically: limits change only where a
person says the system changed (a phase), as ``docs/methods.md`` records.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from perf.spc import RUN_LENGTH


def sustained_shift_start(values: Any, centre: Any, phase: Any, run_length: int) -> int | None:
    """Position (0-based) where a run of ``run_length`` or more points on one side of ``centre``
    begins, when that run reaches the latest point and lies in the last phase; else None.

    Missing values neither break nor extend the run; a point on the centre line breaks it (as
    the shift rule, ``perf.spc`` shift rule).

    Example
    -------
    >>> sustained_shift_start([5, 6, 4, 5, 6, 5, 3, 3, 3, 3, 3, 3, 3], [4.5] * 13, [0] * 13, 7)
    6
    """
    value = np.asarray(values, dtype=float)
    mid = np.asarray(centre, dtype=float)
    phases = np.asarray(phase)
    present = np.flatnonzero(~np.isnan(value))
    if present.size < run_length:
        return None
    last = present[-1]
    side = np.sign(value - mid)
    if side[last] == 0 or np.isnan(side[last]):
        return None
    start = last
    count = 0
    for i in present[::-1]:
        if phases[i] != phases[last] or side[i] != side[last]:
            break
        start, count = int(i), count + 1
    return start if count >= run_length else None


def changed_since(points: pd.DataFrame, dates: Any, *, rules: str = "mdc") -> pd.Timestamp | None:
    """The first period of a sustained shift since the last phase began (see
    :func:`sustained_shift_start`), from a chart's ``points`` and their period starts; else None."""
    at = sustained_shift_start(points["value"], points["centre"], points["phase"], RUN_LENGTH.get(rules, 8))
    return None if at is None else pd.Timestamp(pd.Series(dates).iloc[at])
