"""The small-count rule: a count of people or contacts from 1 to 4 for a ward or locality is not shown,
and neither is a count that would give a hidden one away from a total (issue #7, "fewer than 5 in a cell").

One rule for the partners' zip (``perf.output.export``), the public pages (``perf.access.public``,
``perf.access.disclosure``) and the static site; docs/demand_capability.md cites it.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

SMALL_COUNT = 5  # counts from 1 to SMALL_COUNT - 1 are blanked (issue #7: "fewer than 5 in a cell")
SMALL_AREAS = ("ward", "locality")  # places small enough that a count could point to a person
# Our convention, one rule for every public chart over time (docs/methods.md, "A chart over time with hidden
# periods"): the hidden periods are the small ones (1 to 4) and the figures that would give one away, so an
# average of the rest leans on the busier periods. When more than a tenth of a series' periods are hidden, the
# public view draws no chart of it and says no average ("about 6 a week" from 125 weeks of 243 would read
# high); Demand and Capability first move to a longer period (perf.access.disclosure.published_ladder).
MAX_HIDDEN_SHARE = 0.1
NOT_COUNT_WORDS = (
    "%",
    "£",
    "gbp",
    "per ",
    "rate",
    "ratio",
    "score",
    "index",
    "day",
    "hour",
    "minute",
    "week",
    "month",
    "year",
    "cost",
    "spend",
)  # units that are measurements, not people


def is_count_unit(unit: str, aggregation: str) -> bool:
    """True when a measure's values count things (people, contacts, reports) rather than measure them."""
    words = str(unit or "").lower()
    return aggregation == "sum" and not any(w in words for w in NOT_COUNT_WORDS)


def too_few_shown(hidden: Sequence[bool] | pd.Series | np.ndarray) -> bool:
    """True when more than ``MAX_HIDDEN_SHARE`` of a series' periods are hidden (one flag a period): the public
    view then draws no chart over time and says no average of it, only why (the shown periods would describe
    the busier ones, not a typical one).

    Example
    -------
    >>> too_few_shown([True] + [False] * 9), too_few_shown([True, True] + [False] * 9), too_few_shown([])
    (False, True, False)
    """
    flags = np.asarray(hidden, dtype=bool)
    return flags.size > 0 and float(flags.mean()) > MAX_HIDDEN_SHARE


def suppress_small_counts(
    frame: pd.DataFrame,
    counts: Sequence[str],
    *,
    eligible: pd.Series | None = None,
    groups: Sequence[Sequence[str]] = (),
) -> pd.DataFrame:
    """Blank counts from 1 to 4 in eligible rows and flag them; protect each blank with a second one.

    ``counts`` are the columns that count people or contacts: when any of them is small, all are
    blanked (a ratio would give the others away). ``groups`` are column sets whose rows add up to
    a published total; a group with exactly one blank gets a second, its next smallest count.
    Returns a copy with a boolean ``suppressed`` column.

    Example
    -------
    >>> f = pd.DataFrame({"ward": ["a", "b", "c"], "n": [3, 8, 20]})
    >>> suppress_small_counts(f, ["n"], groups=[[]])[["n", "suppressed"]].values.tolist()
    [[nan, True], [nan, True], [20.0, False]]
    """
    out = frame.copy().reset_index(drop=True)
    n = len(out)
    ok = np.ones(n, dtype=bool) if eligible is None else pd.Series(eligible).to_numpy(dtype=bool)
    values = out[list(counts)].apply(pd.to_numeric, errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    flag = np.asarray(((values >= 1) & (values < SMALL_COUNT)).any(axis=1), dtype=bool) & ok
    # the row's smallest count above zero: the cheapest second blank (a zero in one column, failure
    # demand say, must not rule out a row whose other counts would give the first blank away)
    size = np.fmin.reduce(np.where(values > 0, values, np.nan), axis=1) if n else np.zeros(0)
    able = ok & ~np.isnan(size) & (size > 0)
    keys = [_group_codes(out, cols) for cols in groups]
    for _ in range(10):  # a second blank can make another group's single blank; settle in a few passes
        changed = False
        for key in keys:  # each group with one blank: its smallest eligible count, the first of equals
            blanks = np.bincount(key, weights=flag, minlength=int(key.max(initial=-1)) + 1)
            rows = np.flatnonzero(able & ~flag & (blanks[key] == 1))
            if not len(rows):
                continue
            order = rows[np.lexsort((rows, size[rows], key[rows]))]
            flag[order[np.r_[True, key[order][1:] != key[order][:-1]]]] = True
            changed = True
        if not changed:
            break
    for col in counts:
        out[col] = pd.to_numeric(out[col], errors="coerce").astype("float64").mask(flag, np.nan)
    out["suppressed"] = flag
    return out


def _group_codes(frame: pd.DataFrame, cols: Sequence[str]) -> np.ndarray:
    """A number a row for the group its ``cols`` values make (a missing value is a value; no columns: one group)."""
    code = np.zeros(len(frame), dtype=np.int64)
    for col in cols:
        key = pd.factorize(frame[col], use_na_sentinel=False)[0]
        code = pd.factorize(code * (int(key.max(initial=0)) + 1) + key)[0].astype(np.int64)
    return code
