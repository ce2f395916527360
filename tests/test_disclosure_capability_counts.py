"""The public Capability page's other counts of cases (perf.access.case_counts): before and after a change, and the
cases open now (by place, service, channel and age). Each scan plays the attacker on the sample: it lists what the
public page shows for every view, works out what totals less their shown parts give, and finds counts the page
hides (or counts from 1 to 4) with the old rule and none with the new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from perf import periods, store
from perf.access import case_counts, disclosure
from perf.analysis import capability, demand
from tests.test_disclosure import public_page

View = disclosure.View
Ladders = dict[View, dict[str, pd.DataFrame]]
LENGTH = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}
FIRST, LAST = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")  # before every case, after every case


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> dict[str, object]:
    """The sample's cells (all dates), the All-time ladders and Side by side totals the page decides (with the other
    date ranges), every range's hidden totals, and each view's count before and after each published change."""
    with store.connect(sample_db, read_only=True) as con:
        last = demand.data_span(con)["last_case_day"]
        assert last is not None
        starts = periods.range_starts(last)
        each = {s: disclosure.capability_cells(con, start=s, end=last) for s in starts}
        parent = each[None][1]
        ladders = disclosure.capability_ranges_ladders({s: c for s, (c, _) in each.items()}, parent)
        totals = {s: disclosure.case_totals(con, start=s, end=last) for s in starts}
        hidden = {
            s: disclosure.case_totals_hidden(totals[s], parent, disclosure.known_totals(ladders[s])) for s in starts
        }
        sides = change_sides(con, parent)
        for (place, service, when), (b, a) in list(sides.items())[:: max(1, len(sides) // 6)]:
            got = capability.compare_phases(
                con, service_id=service, locality_id=None if place == "ALL" else place, change_on=when
            )
            assert (int(got.before["cases"]), int(got.after["cases"])) == (b, a), (place, service, when)
    return {
        "cells": each[None][0],
        "parent": parent,
        "ladders": ladders[None],
        "starts": starts,
        "totals": totals,
        "hidden": hidden,
        "sides": sides,
    }


def change_sides(con: object, parent: dict[str, str | None]) -> dict[tuple[str, str, date], tuple[int, int]]:
    """Every view's cases completed before and on or after each published change of its service (the public page's
    list of changes), every place of the tree (zeros left out)."""
    out: dict[tuple[str, str, date], tuple[int, int]] = {}
    for service in demand.services(con)["service_id"]:  # type: ignore[arg-type]
        for when in demand.service_phases(con, str(service), public_only=True)["starts_on"]:  # type: ignore[arg-type]
            wards = con.execute(  # type: ignore[attr-defined]
                "SELECT locality_id AS place, service_id AS service, "
                "CASE WHEN completed_at < ? THEN 'before' ELSE 'after' END AS side, count(*)::BIGINT AS cases "
                "FROM work_case WHERE completed_at IS NOT NULL AND service_id = ? GROUP BY ALL",
                [when.to_pydatetime(), str(service)],
            ).df()
            summed = disclosure.tree_cells(wards, parent, ["cases"], by=["side"])
            summed = summed[summed["service"] == service].pivot_table(
                index="place", columns="side", values="cases", fill_value=0
            )
            for place, row in summed.iterrows():
                out[(str(place), str(service), when.date())] = (int(row.get("before", 0)), int(row.get("after", 0)))
    return out


Rule = Callable[[View, date, int, int], tuple[bool, bool]]


def old_rule(ladders: Ladders) -> Rule:
    """The page before: both counts shown unless a side had 1 to 4 cases (then nothing is compared)."""

    def rule(view: View, when: date, before: int, after: int) -> tuple[bool, bool]:
        few = any(1 <= n < disclosure.SMALL_COUNT for n in (before, after))
        return (not few, not few)

    return rule


def new_rule(ladders: Ladders) -> Rule:
    """The page now: perf.access.case_counts.sides_shown on the view's All-time ladder (and nothing when too few)."""

    def rule(view: View, when: date, before: int, after: int) -> tuple[bool, bool]:
        if any(1 <= n < disclosure.SMALL_COUNT for n in (before, after)):
            return (False, False)
        return case_counts.sides_shown(ladders.get(view), when, before, after)

    return rule


class Joined:
    """Union-find over points in time: two points joined when the count between them can be worked out."""

    def __init__(self) -> None:
        self.up: dict[pd.Timestamp, pd.Timestamp] = {}

    def top(self, x: pd.Timestamp) -> pd.Timestamp:
        self.up.setdefault(x, x)
        while self.up[x] != x:
            self.up[x] = self.up[self.up[x]]
            x = self.up[x]
        return x

    def join(self, a: pd.Timestamp, b: pd.Timestamp) -> None:
        self.up[self.top(a)] = self.top(b)


def comparison_given_away(data: dict[str, object], rule: Rule) -> list[str]:
    """Counts the public page hides (or counts from 1 to 4) that its before/after counts give back: a place's side less
    its shown children's (the same change), and, view by view, the counts over time a visitor can work out from the
    chart's shown periods (all dates), the Side by side totals of each date range and the comparison's counts,
    that they cannot work out without the comparison."""
    cells: dict[str, pd.DataFrame] = data["cells"]  # type: ignore[assignment]
    parent: dict[str, str | None] = data["parent"]  # type: ignore[assignment]
    ladders: Ladders = data["ladders"]  # type: ignore[assignment]
    sides: dict[tuple[str, str, date], tuple[int, int]] = data["sides"]  # type: ignore[assignment]
    starts: tuple[date | None, ...] = data["starts"]  # type: ignore[assignment]
    hidden_totals: dict[date | None, set[disclosure.Total]] = data["hidden"]  # type: ignore[assignment]
    found: list[str] = []
    # what the page shows, and what the place tree's sums give (a place's side is its children's added up): first
    # from the sides a visitor can add up from the chart's shown periods anyway, then with the comparison's
    count: dict[tuple[str, str, date, str], int] = {}
    anyway: dict[tuple[str, str, date, str], int] = {}
    shown: dict[tuple[str, str, date, str], int] = {}
    for (p, s, when), (b, a) in sides.items():
        count[(p, s, when, "before")], count[(p, s, when, "after")] = b, a
        for side, n, ok in zip(("before", "after"), (b, a), rule((p, s), when, b, a), strict=True):
            if case_counts.side_known(ladders.get((p, s)), when, n, side):  # type: ignore[arg-type]
                anyway[(p, s, when, side)] = n
            if ok:
                shown[(p, s, when, side)] = n
    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)

    def closed(known: dict[tuple[str, str, date, str], int]) -> dict[tuple[str, str, date, str], int]:
        known = dict(known)
        while True:
            new = {}
            for p, s, when, side in count:
                members = [(p, s, when, side), *((k, s, when, side) for k in children.get(p, []))]
                if len(members) == 1:
                    continue
                unknown = [m for m in members if m not in known and count.get(m, 0) != 0]
                if len(unknown) == 1:
                    new[unknown[0]] = count[unknown[0]]
            if not new:
                return known
            known.update(new)

    plain_known, known = closed(anyway), closed({**anyway, **shown})
    found += [
        f"{k} ({n}) from its place's sum"
        for k, n in known.items()
        if k not in plain_known and k not in shown and 1 <= n < disclosure.SMALL_COUNT
    ]
    # view by view: what the counts over time give with the comparison's counts, and without them
    for (p, s, when), _ in sides.items():
        view = (p, s)
        ladder = ladders.get(view, {})
        mine = {g: f[(f["place"] == p) & (f["service"] == s)] for g, f in cells.items()}
        cum: dict[pd.Timestamp, int] = {FIRST: 0}
        secrets: list[tuple[pd.Timestamp, pd.Timestamp, str]] = []
        plain, more = Joined(), Joined()
        for g, frame in mine.items():
            starts_g = pd.to_datetime(frame["period_start"]).reset_index(drop=True)
            n = frame["cases"].to_numpy()
            for a, k in zip(starts_g, n, strict=True):
                if 1 <= k < disclosure.SMALL_COUNT:
                    secrets.append((a, a + LENGTH[g], f"{g} {a:%Y-%m-%d} ({k})"))
            if len(starts_g) == 0:
                continue
            grid = pd.date_range(
                starts_g.min(), starts_g.max(), freq={"week": "W-MON", "month": "MS", "quarter": "QS"}[g]
            )
            run = np.concatenate([[0], np.cumsum(pd.Series(n, index=starts_g).reindex(grid, fill_value=0).to_numpy())])
            ends = list(grid) + [grid[-1] + LENGTH[g]]
            for x, c in zip(ends, run, strict=True):
                cum[pd.Timestamp(x)] = int(c)
            if g not in ladder:
                continue
            shown = ladder[g].set_index(pd.to_datetime(ladder[g]["period_start"]))["suppressed"].astype(bool)
            for x in grid:
                if x in shown.index and shown[x]:
                    secrets.append((x, x + LENGTH[g], f"hidden {g} {x:%Y-%m-%d}"))
                else:  # shown, or a zero (no row)
                    for j in (plain, more):
                        j.join(x, x + LENGTH[g])
            for j in (plain, more):  # nothing before the first case or after the last
                j.join(FIRST, grid[0])
                j.join(grid[-1] + LENGTH[g], LAST)
        total = cum[max(x for x in cum if x < LAST)] if len(cum) > 1 else 0
        cum[LAST] = total
        for start in starts:
            x = FIRST if start is None else pd.Timestamp(start)
            if (p, s, "") in hidden_totals[start]:
                secrets.append((x, LAST, f"Side by side total from {start}"))
            elif x in cum or start is None:
                for j in (plain, more):
                    j.join(x, LAST)
        d = pd.Timestamp(when)
        cum[d] = count[(p, s, when, "before")]
        for j, knows in ((plain, plain_known), (more, known)):
            if (p, s, when, "before") in knows:
                j.join(FIRST, d)
            if (p, s, when, "after") in knows:
                j.join(d, LAST)
        for a, b, what in secrets:
            if more.top(a) == more.top(b) and plain.top(a) != plain.top(b):
                found.append(f"{view} {when}: {what}")
        points = sorted(x for x in cum if x in more.up)
        c1 = np.array([more.top(x) for x in points], dtype=object)
        c0 = np.array([plain.top(x) for x in points], dtype=object)
        value = np.array([cum[x] for x in points])
        same1 = c1[:, None] == c1[None, :]
        same0 = c0[:, None] == c0[None, :]
        gap = np.abs(value[:, None] - value[None, :])
        small = same1 & ~same0 & (gap >= 1) & (gap < disclosure.SMALL_COUNT)
        for i, j in zip(*np.nonzero(np.triu(small)), strict=True):
            found.append(f"{view} {when}: {points[i]:%Y-%m-%d} to {points[j]:%Y-%m-%d} ({gap[i, j]})")
    return sorted(set(found))


def test_no_count_before_or_after_a_change_gives_a_hidden_count_back(sample: dict[str, object]) -> None:
    ladders: Ladders = sample["ladders"]  # type: ignore[assignment]
    before = comparison_given_away(sample, old_rule(ladders))
    print(f"before/after counts: {len(before)} hidden counts given back with the old rule, e.g. {before[:3]}")
    assert len(before) > 0, "the old rule gives nothing back on the sample"
    assert comparison_given_away(sample, new_rule(ladders)) == []


def officer_page(monkeypatch: pytest.MonkeyPatch, db: Path, tmp: Path, page: str, **params: str):  # type: ignore[no-untyped-def]
    """``page`` signed in as an officer (amy, on a copy of the sample), with these URL parameters."""
    import shutil

    from streamlit.testing.v1 import AppTest

    from perf.access import users
    from tests.conftest import APP
    from ui.auth import SESSION_KEY

    copy = tmp / "outside_in.duckdb"
    shutil.copyfile(db, copy)
    with store.connect(copy, read_only=False) as con:
        users.create_user(
            con,
            "amy",
            "a long enough password",
            "officer",
            display_name="Amy",
            created_by="test",
            cost=users.ScryptCost(2**10, 8, 1),
        )
    monkeypatch.setenv("OUTSIDE_IN_DB", str(copy))
    monkeypatch.delenv("OUTSIDE_IN_PUBLIC", raising=False)
    at = AppTest.from_file(APP, default_timeout=120)
    at.session_state[SESSION_KEY] = "amy"
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


def comparison_on_page(at) -> tuple[str, pd.DataFrame | None, list[str]]:  # type: ignore[no-untyped-def]
    """The before/after section as the page draws it: its sentence, its table and the captions."""
    said = " ".join(m.value for m in at.markdown)
    table = next((el.value for el in at.dataframe if "measure" in el.value.columns), None)
    return said, table, [c.value for c in at.caption]


def test_the_public_comparison_keeps_its_verdict_and_blanks_counts_the_charts_periods_do_not_add_up_to(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """All of the area, benefits, changed on Monday 6 January 2025: the chart is offered by month and quarter, which
    run across that day, so neither side's count (49,600 and 33,223) is a sum of shown periods: both are blank (with
    the change), the averages and limits stay, and the page says why. An officer sees the counts."""
    at = public_page(monkeypatch, sample_db, "app_pages/capability.py", period="All time")
    at.selectbox(key="service").select("benefits").run()
    assert not at.exception, at.exception
    said, table, captions = comparison_on_page(at)
    assert "After the change on 6 January 2025, cases took 11 days on average instead of 20" in said.replace("\\", "")
    assert table is not None
    row = table.set_index("measure").loc["Cases completed"]
    assert list(row.astype(str)) == ["", "", ""]
    average = table.set_index("measure").loc["Average"]
    assert list(average.astype(str)) == ["19.6", "10.6", "-9.0"]
    assert "49,600" not in said + " ".join(table.astype(str).to_numpy().ravel())
    assert any("Each side has 5 or more completed cases" in c and "A blank count" in c for c in captions)
    at = officer_page(monkeypatch, sample_db, tmp_path, "app_pages/capability.py", period="All time")
    at.selectbox(key="service").select("benefits").run()
    _, table, captions = comparison_on_page(at)
    assert table is not None and table.set_index("measure").loc["Cases completed", "before"] == 49600
    assert not any("A blank count" in c for c in captions)


def test_the_public_comparison_shows_the_counts_its_periods_add_up_to(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Bromsgrove Town, benefits: its weeks are all shown and 6 January 2025 is a Monday, so both counts (7,017 and
    4,580) are sums of figures the chart shows: the table gives them, and says nothing of blanks."""
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Bromsgrove Town (locality)", period="All time"
    )
    at.selectbox(key="service").select("benefits").run()
    assert not at.exception, at.exception
    said, table, captions = comparison_on_page(at)
    assert "After the change on 6 January 2025" in said.replace("\\", "")
    assert table is not None
    row = table.set_index("measure").loc["Cases completed"]
    assert list(row.astype(str)) == ["7,017.0", "4,580.0", "-2,437.0"]
    assert not any("A blank count" in c for c in captions)
