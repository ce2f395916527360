"""The public Capability figures across places and services: no ward's (or service's) hidden count of completed
cases can be worked out from its parent's figure less its shown siblings (perf.access.disclosure.group_ladders,
as on Demand; the scans both share, parametrised by Demand and Capability, are in tests/test_disclosure_places.py)."""

from __future__ import annotations

import itertools
from pathlib import Path

import pandas as pd
import pytest

from perf import store
from perf.access import case_counts, disclosure
from perf.analysis import capability
from tests.test_disclosure import _periods_table, public_page
from tests.test_disclosure_places import KINDS, given_away, hidden_given_back, own_ladders


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    con = store.connect(sample_db, read_only=True)
    try:
        cells, parent = disclosure.capability_cells(con)
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("l-bromsgrove-north", "")]:
            for g in disclosure.LADDER:  # the counts are the chart's own, period for period
                chart = capability.capability_chart(
                    con,
                    service_id=service or None,
                    locality_id=None if place == "ALL" else place,
                    max_cases=0,
                    granularity=g,
                    public_only=True,
                )
                mine = cells[g][(cells[g]["place"] == place) & (cells[g]["service"] == service)]
                assert list(mine["period_start"]) == list(chart.points["period_start"]), (place, service, g)
                assert list(mine["cases"]) == list(chart.points["cases"]), (place, service, g)
    finally:
        con.close()
    return cells, parent


def test_the_public_capability_page_shows_the_lengths_and_hides_the_periods_of_the_group_rule(
    sample: tuple[dict[str, pd.DataFrame], dict[str, str | None]], sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Catshill North, every service, all time: on its own rule its months are offered (none hidden) and the last
    quarter of 2024 is shown; with its siblings, months are not offered and that quarter is hidden (Bromsgrove's
    figure less the other wards would give a hidden ward's quarter back otherwise). The page says why it shows
    quarters when months are asked for. (Aston Fields was the example while the public view offered weeks.)"""
    cells, _ = sample
    mine = {g: f[(f["place"] == "w-bdc-catshill-north") & (f["service"] == "")] for g, f in cells.items()}
    own = own_ladders(mine, disclosure.CASE_COUNTS)[("w-bdc-catshill-north", "")]
    assert "month" in own and not own["quarter"].set_index("period_start")["suppressed"][pd.Timestamp("2024-10-01")]
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Catshill North", period="All time", by="Month"
    )
    quarters = _periods_table(at, "period_start")
    assert (quarters["start"].dt.month.isin([1, 4, 7, 10]) & (quarters["start"].dt.day == 1)).all()  # quarters
    assert quarters.loc[quarters["start"] == "2024-10-01", "hidden"].all()
    assert (~quarters["hidden"]).sum() >= len(quarters) - 4  # the rest stay shown (4 hidden: the date ranges agree)
    numbers = next(el.value for el in at.dataframe if "period_start" in el.value.columns)
    assert (numbers.loc[pd.to_datetime(numbers["period_start"]) == "2024-10-01", "cases"].astype(str) == "").all()
    assert any(
        "Shown by quarter: month by month, too many of the counts of cases here would be under 5, or would give "
        "one away" in c.value
        for c in at.caption
    )


def case_cells(counts: dict[tuple[str, str], list[int]]) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """tests/test_disclosure_places.tree_cells's small area with completed cases for counts."""
    return KINDS["capability"].area(counts)


def test_a_ward_with_no_cases_in_a_period_is_read_as_none_and_leaves_a_lone_hidden_sibling_to_protect() -> None:
    """Capability lists only periods with cases: a sibling with none that period is a shown zero, not a blank,
    so a hidden ward beside it is still protected by a second blank (the scan counts it so too)."""
    counts = {(w, s): [400, 400, 400, 400] for w in "abc" for s in "xy" if (w, s) != ("c", "x")}  # c: no x cases
    counts[("a", "x")] = [400, 2, 400, 400]
    cells, parent = case_cells(counts)
    assert not ((cells["quarter"]["place"] == "c") & (cells["quarter"]["service"] == "x")).any()
    assert given_away(own_ladders(cells, disclosure.CASE_COUNTS), parent, absent_is_zero=True)  # L less b gives a
    after = disclosure.capability_group_ladders(cells, parent)
    assert given_away(after, parent, absent_is_zero=True) == []
    assert hidden_given_back(after, absent_is_zero=True) == []
    assert after[("b", "x")]["quarter"]["suppressed"].iloc[1]  # b is the only sibling left to hide


def test_every_views_lengths_agree_so_no_longer_period_shown_holds_a_hidden_shorter_one(
    sample: tuple[dict[str, pd.DataFrame], dict[str, str | None]],
) -> None:
    """The group's decision is self-consistent across lengths; the page takes it exactly (not its own rule
    as well: on its own, Cofton's benefits would hide February 2025 as the second blank where the group hid
    September 2025, and the first quarter of 2025 shown would then give February back)."""
    cells, parent = sample
    ladders = disclosure.capability_group_ladders(cells, parent)
    bad = []
    for view, ladder in ladders.items():
        for fine, coarse in itertools.combinations(disclosure.LADDER, 2):
            if fine in ladder and coarse in ladder:
                f, c = ladder[fine], ladder[coarse]
                shown = pd.to_datetime(c.loc[~c["suppressed"].astype(bool), "period_start"])
                for h in pd.to_datetime(f.loc[f["suppressed"].astype(bool), "period_start"]):
                    end = h + (pd.DateOffset(weeks=1) if fine == "week" else pd.DateOffset(months=1))
                    step = pd.DateOffset(months=1) if coarse == "month" else pd.DateOffset(months=3)
                    if ((shown < end) & ((shown + step) > h)).any():
                        bad.append((view, fine, coarse, h))
    assert bad == []


def test_the_public_capability_page_takes_the_groups_second_blank_not_its_own(
    sample: tuple[dict[str, pd.DataFrame], dict[str, str | None]], sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Rubery South, benefits, all time: its own rule offers months and hides two quarters (the first and the
    last, whose months hold its small counts); the page shows quarters and hides exactly the quarters the group hides
    (with its siblings and the other date ranges: disclosure.capability_ranges_ladders), two more: October 2022 and
    July 2026. (Matchborough & Woodrow's benefits, by month, was the example while the public view offered weeks: no
    Capability view of the sample now offers months with one hidden.)"""
    cells, _ = sample
    view = ("w-bdc-rubery-south", "benefits")
    mine = {g: f[(f["place"] == view[0]) & (f["service"] == view[1])] for g, f in cells.items()}
    own = own_ladders(mine, disclosure.CASE_COUNTS)[view]
    own_hidden = own["quarter"].loc[own["quarter"]["suppressed"], "period_start"].dt.strftime("%Y-%m")
    assert "month" in own and sorted(own_hidden) == ["2022-01", "2026-10"]

    def periods(by: str) -> pd.DataFrame:
        at = public_page(
            monkeypatch, sample_db, "app_pages/capability.py", locality="Rubery South", period="All time", by=by
        )
        at.selectbox(key="service").select("benefits").run()
        assert not at.exception, at.exception
        return _periods_table(at, "period_start")

    months, quarters = periods("Month"), periods("Quarter")
    pd.testing.assert_frame_equal(months, quarters)  # months are not offered here: quarters, asked for months
    assert sorted(quarters.loc[quarters["hidden"], "start"].dt.strftime("%Y-%m")) == [
        "2022-01",
        "2022-10",
        "2026-07",
        "2026-10",
    ]


# --- open cases now: one figure a view, in three places on the page -------------------------------------------
def open_given_away(totals: pd.DataFrame, parent: dict[str, str | None], hidden: set[disclosure.View]) -> list[str]:
    """Groups (a parent's children in one service, a place's services) whose total is shown and exactly one of
    whose members is not: the total less the others gives it (a view with no open cases is a shown zero)."""
    shown = {(str(p), str(s)) for p, s in zip(totals["place"], totals["service"], strict=True)} - hidden
    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    services = sorted({str(s) for s in totals["service"] if s})
    groups = [((q, s), [(c, s) for c in kids]) for q, kids in children.items() for s in ["", *services]]
    groups += [((p, ""), [(p, s) for s in services]) for p in parent]
    return [
        f"{top} less its others gives {members}"
        for top, members in groups
        if top in shown and sum(m in hidden for m in members) == 1
    ]


def test_on_the_sample_no_place_or_service_gives_its_open_cases_back(sample_db: Path) -> None:
    con = store.connect(sample_db, read_only=True)
    try:
        parent = case_counts.parents(con)
        cells = case_counts.open_cells(case_counts.open_by_ward(con), parent)
        totals = cells[cells["channel"] == ""].reset_index(drop=True)
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("w-bdc-cofton", "")]:
            wip = capability.work_in_progress(
                con, service_id=service or None, locality_id=None if place == "ALL" else place
            )
            mine = totals[(totals["place"] == place) & (totals["service"] == service)]["open_cases"]
            assert int(mine.sum()) == int(wip["open_cases"].sum()), (place, service)  # the page's own figure
    finally:
        con.close()
    n = totals.set_index(["place", "service"])["open_cases"]
    small = {v for v, x in n.items() if 1 <= x < disclosure.SMALL_COUNT}
    assert len(open_given_away(totals, parent, small)) > 5  # "fewer than 5" alone under a shown total
    hidden = {(p, s) for p, s, c in case_counts.open_hidden(cells, parent) if c == ""}
    assert small <= hidden
    assert open_given_away(totals, parent, hidden) == []


def test_open_cases_of_five_or_more_everywhere_hide_nothing() -> None:
    parent: dict[str, str | None] = {"ALL": None, "L": "ALL", "a": "L", "b": "L"}
    totals = pd.DataFrame(
        [
            (p, s, n)
            for p, n in [("ALL", 40), ("L", 40), ("a", 20), ("b", 20)]
            for s, n in [("", n), ("x", n // 2), ("y", n // 2)]
        ],
        columns=["place", "service", "open_cases"],
    ).assign(channel="")
    assert case_counts.open_hidden(totals, parent) == set()


def test_the_public_capability_page_does_not_count_open_cases_that_would_give_another_away(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bromsgrove East's open housing options cases (15) are hidden beside a sibling locality's count under 5:
    its page says so and draws no age bands; Bromsgrove's side by side leaves its Open now blank."""
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Bromsgrove East (locality)", period="All time"
    )
    at.selectbox(key="service").select("housing_options").run()
    assert not at.exception, at.exception
    said = " ".join(m.value for m in at.markdown)
    assert "Cases were open on" in said and "does not say how many here" in said
    assert "cases were open on" not in said.replace("Cases were open on", "")  # no count of them
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Bromsgrove (council)", period="All time"
    )
    at.selectbox(key="service").select("housing_options").run()
    at.segmented_control(key="compare").set_value("Locality").run()
    assert not at.exception, at.exception
    table = next(el.value for el in at.dataframe if "Open now" in el.value.columns)
    row = table[table["Locality"] == "Bromsgrove East"]
    assert len(row) == 1 and (row["Open now"].astype(str) == "").all()
    assert (table["Open now"].astype(str) != "").sum() >= 1  # the others stay counted


# --- counts of completed cases over the dates: the Side by side tables and the "(2,819 completed)" ----------------
def test_no_count_of_completed_cases_a_side_by_side_table_hides_can_be_worked_out(
    sample_db: Path, sample: tuple[dict[str, pd.DataFrame], dict[str, str | None]]
) -> None:
    from tests.test_disclosure_leaks import old_tables_hidden, table_totals_given_away

    cells, parent = sample
    with store.connect(sample_db, read_only=True) as con:
        wards = disclosure.case_totals(con)
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("l-bromsgrove-north", "")]:
            kw = {"service_id": service or None, "locality_id": None if place == "ALL" else place}
            by = capability.capability_breakdown(con, by="channel", **kw)  # type: ignore[arg-type]
            summed = disclosure.tree_cells(
                pd.concat([wards, wards.assign(channel="")]), parent, ["cases"], by=["channel"]
            )
            mine = summed[(summed["place"] == place) & (summed["service"] == service) & (summed["channel"] != "")]
            got = dict(zip(mine["channel"], mine["cases"], strict=True))
            assert {k: v for k, v in got.items() if v} == dict(zip(by["group_id"], by["cases"], strict=True))
    summed = summed[summed["cases"] > 0]
    totals = summed.assign(value_demand=summed["cases"], failure_demand=0, demand=summed["cases"])
    ladders = disclosure.capability_group_ladders(cells, parent)
    before = table_totals_given_away(totals, parent, ladders, old_tables_hidden(totals, parent))
    assert len(before) > 0, "each table's own rule leaves none to find on the sample"
    hidden = disclosure.case_totals_hidden(wards, parent, disclosure.known_totals(ladders))
    assert table_totals_given_away(totals, parent, ladders, set(hidden)) == set()


def test_the_side_by_side_table_blanks_the_counts_the_rule_hides(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Alvechurch South, housing options, by channel: its email (16) and face-to-face (12) cases are hidden so that
    no channel's count under 5 can be worked out from the other places' and channels' tables."""
    at = public_page(monkeypatch, sample_db, "app_pages/capability.py", locality="Alvechurch South", period="All time")
    at.selectbox(key="service").select("housing_options").run()
    at.segmented_control(key="compare").set_value("Channel").run()
    assert not at.exception, at.exception
    table = next(el.value for el in at.dataframe if "Channel" in el.value.columns)
    blank = table.set_index("Channel")["Cases completed"].astype(str) == ""
    assert blank.get("email") and blank.get("face-to-face")
    assert (~blank).sum() >= 1  # the others stay counted
