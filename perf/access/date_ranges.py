"""The small-count rule across the date ranges a public page offers: tables of totals over a whole range.

The public Demand page's tables by place and by channel and its natures, and Capability's Side by side counts of
completed cases, are totals over the date range the sidebar picks (Last 12 months, 2 years, 3 years, All time;
:func:`perf.periods.range_starts`). The ranges share their last day, so one range's total less a shorter one's
(same place, service and channel) is the count between their first days: All time less the last 3 years gives the
contacts before then, which may be 1 to 4, and a total one range hides can be worked out from the others'.

So :func:`ranges_totals_hidden` decides every range's table at once. Besides each range's totals it takes the
differences between ranges as counts of their own (never shown, but a visitor can form them): a difference of 1
to 4 is hidden as a small count is, and the second-blank rule of
:func:`perf.access.disclosure.totals_hidden` runs over every sum at once: within each range (a place over its
children, all services over each service, all channels over each channel, a demand type over its natures), the
same sums of the differences, and across ranges (a longer range's total is a shorter one's plus the difference;
two differences add up to a third). Wherever a sum holds exactly one figure a visitor cannot know, another is
hidden, until none does, so no chain of sums gives one back. A difference is never shown, so hiding it costs
nothing; a total hidden costs a cell on screen. A visitor may also solve a range's sums all at once (a linear solve:
``a + b`` and ``a + b + c`` shown give ``c``): :mod:`perf.access.solvable` audits each range's tables after the rule,
and a shown total of a sum that holds a figure given back so is hidden too, and the rule runs again.
"""

from __future__ import annotations

import itertools
from collections.abc import Collection, Hashable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from perf.access import solvable
from perf.access.case_counts import is_total
from perf.access.disclosure import PART, SMALL_COUNT, Total, sum_keys, tree_cells


def longest_first(starts: Collection[Any]) -> list[Any]:
    """Date ranges that share their last day, longest first: All time (None) and then the earliest first day.

    Example
    -------
    >>> from datetime import date
    >>> longest_first([date(2025, 11, 1), None, date(2023, 11, 1)])
    [None, datetime.date(2023, 11, 1), datetime.date(2025, 11, 1)]
    """
    return sorted(starts, key=lambda s: (s is not None, s if s is not None else 0))


def ranges_totals_hidden(
    cells: Mapping[Any, pd.DataFrame],
    parent: dict[str, str | None],
    known: Mapping[Any, Collection[Total]] | None = None,
    hidden: Mapping[Any, Collection[Total]] | None = None,
    *,
    counts: Sequence[str],
    between: Mapping[tuple[Any, Any], Collection[Total]] | None = None,
    joint: bool = True,
) -> tuple[dict[Any, set[Total]], list[tuple[Hashable, ...]]]:
    """Which totals each date range's tables hide, decided across ranges (keys of ``cells``: the first days, None
    for All time; they share the last day).

    ``cells`` holds each range's totals (``place``, ``service``, ``channel`` and ``counts``, as
    :func:`perf.access.disclosure.total_cells`); a total missing from a range is zero. ``known``: each range's
    totals a visitor has anyway (a view's total its shown periods add up to, a demand type's total the tables by
    place and channel show), never a second blank, nor anything the sums give from them; ``hidden``: totals another
    table hides (a demand type's total whose view's total is hidden), hidden here from the start; ``between``:
    differences (longer range, shorter range) a visitor must not have whatever their size (:func:`lone_hidden`: less
    the periods shown between the two first days, they would give a hidden period back). Returns each
    range's hidden totals, and any figure left alone in a sum (nothing eligible beside it), or a difference of 1 to
    4 a visitor has anyway. ``joint`` (the public rule; False only to measure without it): each range's sums are also
    solved all at once (:func:`perf.access.solvable.determined`), and where that gives a hidden total back, the
    smallest shown total of the sums that hold it is hidden too and the rule runs again, until none is given back.

    Example
    -------
    >>> c = pd.DataFrame({"place": "A", "service": "", "channel": "", "demand": [40]})
    >>> hidden, left = ranges_totals_hidden({None: c, "2y": c.assign(demand=37)}, {"A": None}, counts=["demand"])
    >>> hidden, left  # 40 less 37 is 3 contacts before the 2 years: one of the two is hidden
    ({None: set(), '2y': {('A', '', '')}}, [])
    """
    order = longest_first(cells)
    keys = sorted(set().union(*(_keys(cells[k]) for k in order))) if order else []
    n, r = len(keys), len(order)
    if not n:
        return {k: set() for k in cells}, []
    at = {x: i for i, x in enumerate(keys)}
    values = np.zeros((r, n, len(counts)), dtype="float64")
    for i, k in enumerate(order):
        frame = cells[k]
        rows = np.array([at[x] for x in _keys(frame)], dtype=np.int64)
        if len(rows):
            values[i, rows] = frame[list(counts)].apply(pd.to_numeric, errors="coerce").fillna(0).to_numpy("float64")
    pairs = [(i, j) for i in range(r) for j in range(i + 1, r)]  # i the longer range, j the shorter
    # items: each range's totals (level i), then each pair's difference (level r + q): n items a level
    levels = np.concatenate([values, np.stack([values[i] - values[j] for i, j in pairs])]) if pairs else values
    flat = levels.reshape(-1, len(counts))
    small = np.asarray(((flat >= 1) & (flat < SMALL_COUNT)).any(axis=1), dtype=bool)
    size = np.where(flat > 0, flat, np.inf).min(axis=1)
    size[~np.isfinite(size)] = 0.0
    public = np.zeros(len(flat), dtype=bool)
    given = np.zeros(len(flat), dtype=bool)
    for i, k in enumerate(order):
        for marks, totals in ((public, known), (given, hidden)):
            mine = [at[x] for x in (totals or {}).get(k, ()) if x in at]
            marks[i * n + np.array(mine, dtype=np.int64)] = True
    for q, (i, j) in enumerate(pairs):  # two totals a visitor has give their difference
        public[(r + q) * n : (r + q + 1) * n] = public[i * n : (i + 1) * n] & public[j * n : (j + 1) * n]
        mine = [at[x] for x in (between or {}).get((order[i], order[j]), ()) if x in at]
        small[(r + q) * n + np.array(mine, dtype=np.int64)] = True
    # every sum, as (sum, item) links: the sums of one range's tables, at every level
    within = sum_keys(keys, parent)
    within = within[within.groupby("sum")["item"].transform("size") > 1]
    sums = pd.factorize(within["sum"])[0].astype(np.int64)
    items = within["item"].to_numpy(dtype=np.int64)
    n_sums = int(sums.max(initial=-1)) + 1
    sum_parts = [sums + level * n_sums for level in range(len(levels))]
    item_parts = [items + level * n for level in range(len(levels))]
    base = n_sums * len(levels)
    x = np.arange(n, dtype=np.int64)
    for q, (i, j) in enumerate(pairs):  # a longer range's total is the shorter one's plus their difference
        sum_parts += [base + x] * 3
        item_parts += [i * n + x, (r + q) * n + x, j * n + x]
        base += n
    index = {p: q for q, p in enumerate(pairs)}
    for i, j, m in itertools.combinations(range(r), 3):
        sum_parts += [base + x] * 3  # from i to m is from i to j and from j to m
        item_parts += [(r + index[(i, m)]) * n + x, (r + index[(i, j)]) * n + x, (r + index[(j, m)]) * n + x]
        base += n
    link_sum, link_item = np.concatenate(sum_parts), np.concatenate(item_parts)
    fixed = worked_out(link_sum, link_item, public | (size <= 0))  # what a visitor has, and what that gives
    cost = np.zeros(len(flat))
    cost[: r * n] = 1.0  # a difference is never shown: hiding it costs nothing on screen
    # a range's sums solved all at once (a linear solve, not one sum at a time) must not give a hidden total back
    # either: where they do, a shown total of a sum that holds it is hidden too and the rule runs again
    one_range = pd.DataFrame(
        {
            "sum": sums,
            "item": items,
            "whole": [is_total(k, keys[int(i)]) for k, i in zip(within["sum"], items, strict=True)],
        }
    )
    extra = np.zeros(len(flat), dtype=bool)
    clean: dict[int, bytes] = {}  # a range's hidden figures that a joint solve gives nothing back from
    for _ in range(100):
        flags, alone = second_blanks(link_sum, link_item, (small | given | extra) & ~fixed, size, fixed | given, cost)
        if not joint:
            break
        more = np.zeros(r * n, dtype=bool)
        for i in range(r):
            at_i = slice(i * n, (i + 1) * n)
            secret = flags[at_i] & ~fixed[at_i]
            if clean.get(i) == secret.tobytes():
                continue  # the same hidden figures as a round that found none given back
            found = solvable.breaks(
                one_range, flat[at_i].sum(axis=1), secret, size[at_i], ~fixed[at_i] & (size[at_i] > 0)
            )
            if found.any():
                more[at_i] = found
            else:
                clean[i] = secret.tobytes()
        if not more.any():
            break
        extra[: r * n] |= more
    else:
        raise RuntimeError("date ranges: the rule and its joint audit did not settle in 100 rounds")
    alone = np.union1d(alone, np.flatnonzero((small | given) & fixed))
    out = {k: {keys[int(x)] for x in np.flatnonzero(flags[i * n : (i + 1) * n])} for i, k in enumerate(order)}
    left = [(order[int(a) // n] if a < r * n else pairs[int(a) // n - r], keys[int(a) % n]) for a in alone]
    return out, sorted(left, key=repr)


def worked_out(link_sum: np.ndarray, link_item: np.ndarray, known: np.ndarray) -> np.ndarray:
    """``known`` and every item the sums give from it: a sum with one item unknown gives it, over and over."""
    known = known.copy()
    n_sums = int(link_sum.max(initial=-1)) + 1
    while True:
        unknown = np.bincount(link_sum, weights=~known[link_item], minlength=n_sums)
        found = link_item[(unknown[link_sum] == 1) & ~known[link_item]]
        if not len(found):
            return known
        known[found] = True


def second_blanks(
    link_sum: np.ndarray,
    link_item: np.ndarray,
    hidden: np.ndarray,
    size: np.ndarray,
    fixed: np.ndarray,
    cost: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`perf.access.small_counts.suppress_small_counts`' second blank over sums given as links (a sum and one
    of its items, total and parts alike): while a sum holds exactly one hidden item, hide its smallest item that is
    not ``fixed`` (a figure the visitor has anyway, or a zero), the first of equals. Returns the items hidden and
    those left alone in a sum with nothing eligible beside them."""
    hidden = hidden.copy()
    cost = np.zeros(len(hidden)) if cost is None else cost
    n_sums = int(link_sum.max(initial=-1)) + 1
    for _ in range(500):
        blanks = np.bincount(link_sum, weights=hidden[link_item], minlength=n_sums)
        open_ = np.flatnonzero((blanks[link_sum] == 1) & ~hidden[link_item] & ~fixed[link_item])
        if not len(open_):
            break
        order = open_[np.lexsort((link_item[open_], size[link_item[open_]], cost[link_item[open_]], link_sum[open_]))]
        first = np.r_[True, link_sum[order][1:] != link_sum[order][:-1]]
        hidden[link_item[order[first]]] = True
    blanks = np.bincount(link_sum, weights=hidden[link_item], minlength=n_sums)
    alone = np.unique(link_item[(blanks[link_sum] == 1) & hidden[link_item]])
    return hidden, alone


def _keys(frame: pd.DataFrame) -> list[Total]:
    return list(
        zip(frame["place"].astype(str), frame["service"].astype(str), frame["channel"].astype(str), strict=True)
    )


def natures_ranges_hidden(
    cells: Mapping[Any, pd.DataFrame],
    parent: dict[str, str | None],
    totals_hidden: Mapping[Any, Collection[Total]],
    *,
    joint: bool = True,
) -> dict[Any, set[Total]]:
    """The natures (:func:`perf.access.disclosure.nature_cells`) every range hides, decided across ranges: a demand
    type's total (type ``PART``) is known where the range's tables show its view's total, and hidden where they hide
    it (``totals_hidden``: :func:`ranges_totals_hidden` of the tables by place and channel)."""
    known: dict[Any, set[Total]] = {}
    hidden: dict[Any, set[Total]] = {}
    for k, frame in cells.items():
        types = {x for x in _keys(frame) if x[2].endswith(PART)}
        gone = set(totals_hidden.get(k, ()))
        hidden[k] = {x for x in types if (x[0], x[1], "") in gone}
        known[k] = types - hidden[k]
    return ranges_totals_hidden(cells, parent, known, hidden, counts=["demand"], joint=joint)[0]


def case_cells(wards: pd.DataFrame, parent: dict[str, str | None]) -> pd.DataFrame:
    """Completed cases over a date range for every place, service and channel ("" for all of them), from
    :func:`perf.access.disclosure.case_totals` summed up the place tree, over services and over channels: the
    counts the public Capability page's Side by side tables and "(2,819 completed)" show."""
    wards = pd.concat([wards, wards.assign(channel="")], ignore_index=True)
    cells = tree_cells(wards, parent, ["cases"], by=["channel"])
    return cells[cells["cases"] > 0].reset_index(drop=True)


def case_ranges_hidden(
    wards: Mapping[Any, pd.DataFrame],
    parent: dict[str, str | None],
    known: Mapping[Any, Collection[Total]],
    between: Mapping[tuple[Any, Any], Collection[Total]] | None = None,
    *,
    joint: bool = True,
) -> dict[Any, set[Total]]:
    """The counts of completed cases (:func:`case_cells` of each range's ``wards``) every range hides, decided
    across ranges; ``known``: each range's views whose shown periods add up to their count; ``between``: as
    :func:`ranges_totals_hidden`'s (:func:`lone_hidden` of the periods)."""
    cells = {k: case_cells(w, parent) for k, w in wards.items()}
    return ranges_totals_hidden(cells, parent, known, counts=["cases"], between=between, joint=joint)[0]


def lone_hidden(tables: Mapping[Any, pd.DataFrame], *, flag: str = "suppressed") -> dict[tuple[Any, Any], set[Total]]:
    """For each two ranges (longer, shorter), the views (place, service, "") whose periods in the longer range before
    the shorter one's first day hold exactly one hidden period, of some length offered: the longer range's total
    less the shorter one's, less the periods shown between, would give that one back, so the difference of the two
    totals must stay unknown (:func:`ranges_totals_hidden`'s ``between``). ``tables``: each range's periods as the
    group rule decided them (:func:`perf.access.disclosure.group_table`'s shape), whole periods from each range's
    first day (:func:`perf.periods.public_range_starts`).

    Example
    -------
    >>> t = pd.DataFrame({"place": "A", "service": "", "length": "quarter", "suppressed": [True, False, False],
    ...                   "period_start": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"])})
    >>> lone_hidden({None: t, "2025-04-01": t.iloc[1:]})
    {(None, '2025-04-01'): {('A', '', '')}}
    """
    order = longest_first(tables)
    out: dict[tuple[Any, Any], set[Total]] = {}
    for i, longer in enumerate(order):
        table = _rebuilt(tables[longer], flag)
        starts = pd.to_datetime(table["period_start"])
        for shorter in order[i + 1 :]:
            before = table[(starts < pd.Timestamp(shorter)).to_numpy()]
            counted = before.groupby(["place", "service", "length"], sort=False)[flag].sum()
            out[(longer, shorter)] = {(str(p), str(s), "") for p, s, _ in counted.index[counted.to_numpy() == 1]}
    return out


def _rebuilt(table: pd.DataFrame, flag: str) -> pd.DataFrame:
    """``table`` with a hidden quarter whose view shows all three of its months counted as seen: the visitor adds
    them up (a quarter hidden for a sibling's sake; not a secret)."""
    quarter, month = table["length"] == "quarter", table["length"] == "month"
    if not (quarter & table[flag].astype(bool)).any() or not month.any():
        return table
    months = table[month]
    first = pd.to_datetime(months["period_start"]).dt.to_period("Q").dt.start_time
    seen = (~months[flag].astype(bool)).groupby([months["place"], months["service"], first]).sum()
    whole = {k for k, n in seen.items() if n == 3}
    starts = pd.to_datetime(table["period_start"])
    known = [
        bool(q) and (p, s_, d) in whole
        for q, p, s_, d in zip(quarter, table["place"], table["service"], starts, strict=True)
    ]
    out = table.copy()
    out[flag] = out[flag].astype(bool) & ~np.array(known, dtype=bool)
    return out
