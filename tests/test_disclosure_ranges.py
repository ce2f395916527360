"""The public Demand and Capability figures across the date ranges the sidebar offers (Last 12 months, 2 years,
3 years, All time): set side by side, no range's figures give back a count another range hides
(perf.access.disclosure.ranges_group_ladders). The scans count a hidden period a range's own figures add up to
as seen (tests/test_disclosure_places.rebuilt), and find none.

Each range made its own decisions before: a whole period shown in one range and hidden in another (the same
count) gave it back, and a ward's period hidden in one range could be worked out in another, where its siblings'
and their total were shown."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from perf import periods, store
from perf.access import disclosure
from perf.analysis import demand
from tests.test_disclosure_places import given_away, hidden_given_back, tree_cells

Ladders = dict[disclosure.View, dict[str, pd.DataFrame]]


def combined(
    ladders: dict[Any, Ladders], cells: dict[Any, dict[str, pd.DataFrame]], counts: Sequence[str]
) -> dict[Any, Ladders]:
    """Each range's ladders as a visitor who also reads every other range sees them: a period is seen when its
    range shows it or another range shows the same view, length, period and counts (a whole period)."""
    keys = ["place", "service", "period_start", *counts]
    seen: dict[Any, dict[str, pd.DataFrame]] = {}
    for k, lad in ladders.items():
        seen[k] = {}
        for g in disclosure.LADDER:
            flags = [
                f[["period_start", "suppressed"]].assign(place=p, service=s)
                for (p, s), ladder in lad.items()
                for f in [ladder.get(g)]
                if f is not None
            ]
            shown = pd.concat(flags, ignore_index=True) if flags else pd.DataFrame(columns=["place", "service"])
            frame = cells[k][g][keys].merge(
                shown.astype({"period_start": "datetime64[ns]"}) if flags else shown,
                on=["place", "service", "period_start"],
                how="left",
            )
            frame["seen"] = frame["suppressed"].eq(False)
            seen[k][g] = frame
    out: dict[Any, Ladders] = {}
    for k in ladders:
        views: Ladders = {}
        for g in disclosure.LADDER:
            elsewhere = pd.concat([seen[o][g].loc[seen[o][g]["seen"], keys] for o in ladders if o != k])
            mine = seen[k][g].merge(elsewhere.drop_duplicates().assign(other=True), on=keys, how="left")
            mine["seen"] = mine["seen"] | mine["other"].eq(True)
            for (p, s), f in mine.groupby(["place", "service"], sort=False):
                view = (str(p), str(s))
                if g in ladders[k].get(view, {}) or f["seen"].any():
                    views.setdefault(view, {})[g] = pd.DataFrame(
                        {"period_start": f["period_start"].to_numpy(), "suppressed": ~f["seen"].to_numpy()}
                    )
        out[k] = views
    return out


def leaks(
    ladders: dict[Any, Ladders],
    cells: dict[Any, dict[str, pd.DataFrame]],
    parent: dict[str, str | None],
    counts: Sequence[str],
    *,
    absent_is_zero: bool = False,
) -> dict[Any, int]:
    """How many hidden periods each range gives back beside the others' figures (given_away over the union)."""
    both = combined(ladders, cells, counts)
    return {k: len(given_away(both[k], parent, absent_is_zero=absent_is_zero)) for k in both}


def disagreements(ladders: dict[Any, Ladders], cells: dict[Any, dict[str, pd.DataFrame]], counts: Sequence[str]) -> int:
    """Whole periods (same view, length, start and counts) a visitor can see in one range and not in another:
    0 means the ranges set side by side show exactly what each shows, so one range's rule covers them all (the
    longer periods holding hidden shorter ones too, which given_away does not look at)."""
    both = combined(ladders, cells, counts)
    n = 0
    for k, lad in ladders.items():
        for view, ladder in both[k].items():
            for g, f in ladder.items():
                own = lad.get(view, {}).get(g)
                mine = f["suppressed"].to_numpy() if own is None else own["suppressed"].to_numpy(dtype=bool)
                if own is None:
                    n += int((~f["suppressed"]).sum())
                else:
                    n += int((mine & ~f["suppressed"].to_numpy()).sum())
    return n


def range_cells(
    con: Any, fetch: Any, last: date
) -> tuple[dict[date | None, dict[str, pd.DataFrame]], dict[str, str | None]]:
    out = {}
    parent: dict[str, str | None] = {}
    for start in periods.public_range_starts(last):
        out[start], parent = fetch(con, start=start, end=last)
    return out, parent


@pytest.fixture(scope="module")
def demand_ranges(sample_db: Path) -> tuple[dict[date | None, dict[str, pd.DataFrame]], dict[str, str | None]]:
    con = store.connect(sample_db, read_only=True)
    try:
        last = demand.data_span(con)["last_contact"]
        assert last is not None
        return range_cells(con, disclosure.demand_cells, last)
    finally:
        con.close()


@pytest.fixture(scope="module")
def capability_ranges(sample_db: Path) -> tuple[dict[date | None, dict[str, pd.DataFrame]], dict[str, str | None]]:
    con = store.connect(sample_db, read_only=True)
    try:
        last = demand.data_span(con)["last_case_day"]
        assert last is not None
        return range_cells(con, disclosure.capability_cells, last)
    finally:
        con.close()


def test_the_ranges_the_rule_decides_together_are_the_sidebars() -> None:
    from ui.filters import PERIODS, Scope

    last = date(2026, 11, 22)
    sidebar = [Scope("", "", "ALL", "", "", p, True).since(pd.Timestamp(last)) for p in PERIODS]
    assert periods.range_starts(last) == tuple(None if s is None else s.date() for s in sidebar)
    assert periods.range_starts(last)[0] == date(2025, 11, 23) and None in periods.range_starts(last)
    # the public pages start each range on its quarter's first day (no month or quarter cut short)
    assert periods.public_range_starts(last) == (date(2025, 10, 1), date(2024, 10, 1), date(2023, 10, 1), None)
    assert periods.public_range_starts(date(2026, 9, 30))[0] == date(2025, 10, 1)  # 1 Oct 2025 is a quarter's


def test_on_the_sample_no_date_range_gives_back_a_count_another_hides(
    demand_ranges: tuple[dict[date | None, dict[str, pd.DataFrame]], dict[str, str | None]],
) -> None:
    cells, parent = demand_ranges
    counts = disclosure.DEMAND_COUNTS
    before = {k: disclosure.demand_group_ladders(c, parent) for k, c in cells.items()}
    found = leaks(before, cells, parent, counts)
    assert sum(found.values()) > 100, found  # the leak: 562 place/service periods on the sample
    assert all(given_away(lad, parent) == [] for lad in before.values())  # each range alone was safe
    after = disclosure.demand_ranges_ladders(cells, parent)
    assert leaks(after, cells, parent, counts) == {k: 0 for k in cells}
    assert disagreements(before, cells, counts) > 0
    assert disagreements(after, cells, counts) == 0
    assert all(given_away(lad, parent) == [] for lad in after.values())  # and each range alone still is
    assert all(hidden_given_back(lad) == [] for lad in after.values())  # no hidden period its view adds up to


def test_on_the_sample_no_date_range_of_capability_gives_back_a_count_another_hides(
    capability_ranges: tuple[dict[date | None, dict[str, pd.DataFrame]], dict[str, str | None]],
) -> None:
    cells, parent = capability_ranges
    counts = disclosure.CASE_COUNTS
    before = {k: disclosure.capability_group_ladders(c, parent) for k, c in cells.items()}
    assert sum(leaks(before, cells, parent, counts, absent_is_zero=True).values()) > 0
    after = disclosure.capability_ranges_ladders(cells, parent)
    assert leaks(after, cells, parent, counts, absent_is_zero=True) == {k: 0 for k in cells}
    assert disagreements(after, cells, counts) == 0
    assert all(hidden_given_back(lad, absent_is_zero=True) == [] for lad in after.values())


def shorter(cells: dict[str, pd.DataFrame], since: str) -> dict[str, pd.DataFrame]:
    """The same cells from ``since`` on (whole periods: the test area's periods start on quarter days)."""
    return {g: f[f["period_start"] >= pd.Timestamp(since)].reset_index(drop=True) for g, f in cells.items()}


def test_counts_of_five_or_more_everywhere_hide_nothing_in_any_range() -> None:
    cells, parent = tree_cells({(w, s): [5, 9, 40, 6] for w in "abc" for s in "xy"})
    both = disclosure.demand_ranges_ladders({"all": cells, "late": shorter(cells, "2025-07-01")}, parent)
    for ladders in both.values():
        assert len(ladders) == 5 * 3
        for ladder in ladders.values():
            assert list(ladder) == list(disclosure.LADDER)
            assert not any(f["suppressed"].any() for f in ladder.values())


def test_a_period_hidden_in_one_range_is_hidden_in_the_other() -> None:
    # ward a's service x is small in the second quarter only; in the shorter range (from the second quarter) its
    # own second blank can be another quarter than in the longer one, which the longer one would then show
    counts = {(w, s): [400, 400, 400, 400] for w in "abc" for s in "xy"}
    counts[("a", "x")] = [6, 1, 400, 7]
    cells, parent = tree_cells(counts)
    late = shorter(cells, "2025-04-01")
    alone = {
        "all": disclosure.demand_group_ladders(cells, parent),
        "late": disclosure.demand_group_ladders(late, parent),
    }
    together = disclosure.demand_ranges_ladders({"all": cells, "late": late}, parent)
    assert disagreements(alone, {"all": cells, "late": late}, disclosure.DEMAND_COUNTS) > 0
    assert disagreements(together, {"all": cells, "late": late}, disclosure.DEMAND_COUNTS) == 0
    quarters = {k: lad[("a", "x")]["quarter"].set_index("period_start")["suppressed"] for k, lad in together.items()}
    assert quarters["all"].loc["2025-04-01":].tolist() == quarters["late"].tolist()
    assert sum(quarters["late"]) >= 2  # the small one and a second blank
