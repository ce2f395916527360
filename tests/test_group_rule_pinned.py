"""The cross-place small-count rule (perf.access.disclosure.group_ladders), made fast, decides exactly as it did
when first written (tests/group_rule_reference.py): the same lengths offered and the same periods hidden for
every (place, service) view, on the sample for the date ranges the public Demand page offers and an odd one,
and on random small areas, with the page's rule for demand and with a rule over the whole table. Both were
changed alike so that no hidden period is one its view's shown figures give back (the reference's
``rebuild``); the rule without that change no longer passes the pin."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perf import store
from perf.access import disclosure
from perf.analysis import demand
from tests.group_rule_reference import (
    GOLDEN,
    RANGES,
    cells_digest,
    day,
    decisions,
    reference_demand_group_ladders,
    reference_group_ladders,
)
from tests.test_disclosure_places import before_rebuild, hidden_given_back, own_ladders

PINNED = json.loads(GOLDEN.read_text())


@pytest.mark.parametrize("name", list(RANGES))
def test_on_the_sample_every_view_and_length_is_decided_as_before(sample_db: Path, name: str) -> None:
    start, end = RANGES[name]
    con = store.connect(sample_db, read_only=True)
    try:
        cells, parent = disclosure.demand_cells(con, start=day(start), end=day(end))
    finally:
        con.close()
    assert cells_digest(cells) == PINNED[name]["digest"], (
        "the sample's counts changed: write the pinned decisions again with `python -m tests.group_rule_reference`"
    )
    pinned = PINNED[name]["decisions"]
    got = decisions(disclosure.demand_group_ladders(cells, parent))
    assert len(got) == len(pinned) == 343  # 49 places x (every service + 6 services)
    different = [v for v in pinned if got.get(v) != pinned[v]]
    assert different == [], [(v, pinned[v], got.get(v)) for v in different[:3]]
    hidden = sum(len(periods) for ladder in got.values() for periods in ladder.values())
    assert hidden > 400  # the pin is not of an empty answer


def random_area(seed: int) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """Five wards in two localities under ALL, three services, 18 months of days with contacts at rates from
    nearly none to many (so some weeks, months, quarters of a ward are small and some are not), summed to
    weeks, months and quarters up the place tree and over services, every period of every view present."""
    rng = np.random.default_rng(seed)
    parent: dict[str, str | None] = {"ALL": None, "L1": "ALL", "L2": "ALL", "a": "L1", "b": "L1"}
    parent |= {"c": "L2", "d": "L2", "e": "L2"}
    days = pd.date_range("2024-01-01", "2025-06-29", freq="D")
    parts = []
    for ward in "abcde":
        for service in "xyz":
            rate = float(rng.choice([0.0, 0.02, 0.08, 0.3, 1.0, 4.0]))
            value = rng.poisson(rate, len(days))
            failure = rng.poisson(rate * float(rng.choice([0.0, 0.3, 1.0])), len(days))
            parts.append(pd.DataFrame({"ward": ward, "service": service, "day": days, "v": value, "f": failure}))
    daily = pd.concat(parts, ignore_index=True)
    starts = {
        "week": daily["day"] - pd.to_timedelta(daily["day"].dt.day_of_week, unit="D"),
        "month": daily["day"].dt.to_period("M").dt.start_time,
        "quarter": daily["day"].dt.to_period("Q").dt.start_time,
    }
    cells = {}
    for g in disclosure.LADDER:
        per = (
            daily.assign(period_start=starts[g])
            .groupby(["ward", "service", "period_start"], as_index=False)[["v", "f"]]
            .sum()
        )
        up = []
        for ward in "abcde":
            place: str | None = ward
            while place is not None:
                up.append(per[per["ward"] == ward].assign(place=place))
                place = parent[place]
        tree = pd.concat(up, ignore_index=True)
        tree = pd.concat([tree, tree.assign(service="")], ignore_index=True)
        summed = tree.groupby(["place", "service", "period_start"], as_index=False)[["v", "f"]].sum()
        grid = pd.MultiIndex.from_product(
            [list(parent), ["", "x", "y", "z"], sorted(starts[g].unique())], names=["place", "service", "period_start"]
        ).to_frame(index=False)
        full = grid.merge(summed, how="left", on=["place", "service", "period_start"]).fillna({"v": 0, "f": 0})
        full = full.rename(columns={"v": "value_demand", "f": "failure_demand"})
        full[["value_demand", "failure_demand"]] = full[["value_demand", "failure_demand"]].astype("int64")
        full["demand"] = full["value_demand"] + full["failure_demand"]
        cells[g] = full
    return cells, parent


def same_frames(
    got: dict[disclosure.View, dict[str, pd.DataFrame]], want: dict[disclosure.View, dict[str, pd.DataFrame]]
) -> None:
    assert list(got) == list(want)
    for v, ladder in want.items():
        assert list(got[v]) == list(ladder), v
        for g, frame in ladder.items():
            pd.testing.assert_frame_equal(got[v][g], frame, obj=f"{v} {g}")


SEEDS = range(6)


def test_on_random_areas_the_page_rule_decides_as_before() -> None:
    changed = not_offered = 0
    for seed in SEEDS:
        cells, parent = random_area(seed)
        want = reference_demand_group_ladders(cells, parent)
        got = disclosure.demand_group_ladders(cells, parent)
        assert decisions(got) == decisions(want), seed
        same_frames(got, want)
        assert hidden_given_back(got) == [], seed
        changed += decisions(want) != decisions(own_ladders(cells))
        not_offered += sum(len(ladder) < len(disclosure.LADDER) for ladder in want.values())
    assert changed >= len(SEEDS) // 2  # the group rule hid more than each view's own rule on most areas
    assert not_offered > 0  # and some views did not offer every length


def test_the_rule_without_the_rebuild_change_fails_the_pin(monkeypatch: pytest.MonkeyPatch) -> None:
    """A broken rule must fail the pin: the rule blind to periods a view's figures give back (the rule before the
    change, tests/test_disclosure_places.before_rebuild) decides as the reference without it (``rebuild=False``),
    and unlike the reference with it, on most random areas, where it leaves hidden periods to be given back."""

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return disclosure.suppress(
            frame, disclosure.DEMAND_COUNTS, derived=disclosure.DEMAND_DERIVED, groups=[["place", "service"]]
        )

    differ = given_back = 0
    for seed in SEEDS:
        cells, parent = random_area(seed)
        old = reference_group_ladders(cells, parent, counts=disclosure.DEMAND_COUNTS, rows=rows, size="demand",
                                      rebuild=False)  # fmt: skip
        with monkeypatch.context() as m:
            before_rebuild(m)
            blind = disclosure.demand_group_ladders(cells, parent)
        assert decisions(blind) == decisions(old), seed
        differ += decisions(old) != decisions(reference_demand_group_ladders(cells, parent))
        given_back += bool(hidden_given_back(old))
    assert differ >= len(SEEDS) // 2 and given_back >= len(SEEDS) // 2, (differ, given_back)


def test_with_a_rule_over_the_whole_table_it_decides_as_before() -> None:
    """``rows`` as the Capability page's rows (:func:`disclosure.capability_rows`: one group, the whole table):
    the view's own flags come from ``rows``, and a view whose period is hidden for its siblings' sake is
    worked out again with the rule on its own periods, as before."""

    def rows(frame: pd.DataFrame) -> pd.DataFrame:
        return disclosure.suppress(frame, ["cases"])

    def by_view(frame: pd.DataFrame) -> pd.DataFrame:
        return disclosure.suppress(frame, ["cases"], groups=[["place", "service"]])

    differs = 0
    for seed in range(4):
        cells, parent = random_area(100 + seed)
        cases = {
            g: f.rename(columns={"demand": "cases"})[["place", "service", "period_start", "cases"]]
            for g, f in cells.items()
        }
        want = reference_group_ladders(cases, parent, counts=["cases"], rows=rows, size="cases")
        got = disclosure.group_ladders(cases, parent, counts=["cases"], rows=rows, size="cases")
        assert decisions(got) == decisions(want), seed
        per_view = disclosure.group_ladders(cases, parent, counts=["cases"], rows=by_view, size="cases")
        differs += decisions(per_view) != decisions(want)
        same_frames(got, want)
    assert differs > 0  # the two rules do differ here: the test can tell them apart


@pytest.mark.parametrize("name", ["all", "odd"])
def test_every_views_periods_are_the_pages_own(sample_db: Path, name: str) -> None:
    """demand_cells takes every service's periods from one query (demand_periods.sql): the same periods, for
    every service and length, as the page's demand_by_period, and the same counts for the whole area."""
    start, end = (day(d) for d in RANGES[name])
    con = store.connect(sample_db, read_only=True)
    try:
        cells, _ = disclosure.demand_cells(con, start=start, end=end)
        services = ["", *demand.services(con)["service_id"].astype(str)]
        for g in disclosure.LADDER:
            for service in services:
                page = demand.demand_by_period(con, service_id=service or None, start=start, end=end, granularity=g)
                mine = cells[g][(cells[g]["place"] == "ALL") & (cells[g]["service"] == service)]
                assert list(mine["period_start"]) == list(page["period_start"]), (g, service)
                assert list(mine["demand"]) == list(page["demand"]), (g, service)
    finally:
        con.close()


def test_one_table_holds_every_views_ladder() -> None:
    """What the page caches (group_table, one table) gives each view's ladder back as group_ladders has it."""
    cells, parent = random_area(7)
    ladders = disclosure.demand_group_ladders(cells, parent)
    table = disclosure.demand_group_table(cells, parent)
    assert list(table.columns[:4]) == ["place", "service", "length", "period_start"]
    for view, ladder in ladders.items():
        mine = disclosure.ladder_from_table(table, view)
        assert mine is not None and list(mine) == list(ladder), view
        for g, frame in ladder.items():
            pd.testing.assert_frame_equal(mine[g], frame, obj=f"{view} {g}")
    assert disclosure.ladder_from_table(table, ("nowhere", "")) is None
    assert any(len(lad) < len(disclosure.LADDER) for lad in ladders.values())  # a view offering fewer lengths is kept


def test_on_random_areas_with_only_the_periods_that_have_cases_it_decides_as_before() -> None:
    """Capability's cells list only the periods with cases (capability_cells): views with different periods."""
    differ = 0
    for seed in range(3):
        cells, parent = random_area(200 + seed)
        cases = {
            g: f.rename(columns={"demand": "cases"})[["place", "service", "period_start", "cases"]]
            for g, f in cells.items()
        }
        cases = {g: f[f["cases"] > 0].reset_index(drop=True) for g, f in cases.items()}
        differ += len({len(f) for _, f in cases["month"].groupby(["place", "service"])}) > 1
        want = reference_group_ladders(cases, parent, counts=disclosure.CASE_COUNTS, rows=case_rows, size="cases")
        got = disclosure.capability_group_ladders(cases, parent)
        assert decisions(got) == decisions(want), seed
        same_frames(got, want)
    assert differ == 3  # the views do have different periods


def case_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """Capability's rule for one view's periods (as disclosure.capability_group_ladders gives group_ladders)."""
    return disclosure.suppress(
        frame, disclosure.CASE_COUNTS, derived=disclosure.CASE_DERIVED, groups=[["place", "service"]]
    )
