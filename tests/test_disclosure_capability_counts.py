"""The public Capability page's other counts of cases (perf.access.case_counts): before and after a change, and the
cases open now (by place, service, channel and age). Each scan plays the attacker on the sample: it lists what the
public page shows for every view, works out what totals less their shown parts give, and finds counts the page
hides (or counts from 1 to 4) with the old rule and none with the new one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pandas as pd
import pytest

from perf import periods, store
from perf.access import averages, case_counts, date_ranges, disclosure
from perf.analysis import capability, demand
from tests.test_disclosure import public_page

View = disclosure.View
Ladders = dict[View, dict[str, pd.DataFrame]]
LENGTH = {"week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1), "quarter": pd.DateOffset(months=3)}
FIRST, LAST = pd.Timestamp("1900-01-01"), pd.Timestamp("2200-01-01")  # before every case, after every case


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> dict[str, object]:
    return comparison_data(sample_db)


def comparison_data(sample_db: Path) -> dict[str, object]:
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


def comparison_given_away(
    data: dict[str, object], rule: Rule, known_sides: dict[tuple[str, str, date], bool] | None = None
) -> list[str]:
    """Counts the public page hides (or counts from 1 to 4) that its before/after counts give back: a place's side less
    its shown children's (the same change), and, view by view, the counts over time a visitor can work out from the
    chart's shown periods (all dates), the Side by side totals of each date range and the comparison's counts,
    that they cannot work out without the comparison. ``known_sides`` gets, for each view and change, whether a
    visitor can work out the count before the change from all those counts (then the one after too)."""
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
        if known_sides is not None:
            known_sides[(p, s, when)] = more.top(FIRST) == more.top(d)
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
    assert table is not None and table.set_index("measure").loc["Cases completed", "before"] == "49,600"
    assert not any("A blank count" in c for c in captions)


def test_the_public_comparison_shows_the_counts_its_periods_add_up_to(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Matchborough & Woodrow, housing repairs, changed on 1 April 2024: its months are all shown and the change is a
    month's first day, so both counts (5,876 and 7,745) are sums of figures the chart shows: the table gives them, and
    says nothing of blanks. (Redditch North's was the example before a run of periods between two date ranges' first
    days could no longer hold a single hidden one: one of its months is now hidden.)"""
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Matchborough & Woodrow", period="All time"
    )
    at.selectbox(key="service").select("housing_repairs").run()
    assert not at.exception, at.exception
    said, table, captions = comparison_on_page(at)
    assert "After the change on 1 April 2024" in said.replace("\\", "")
    assert table is not None
    row = table.set_index("measure").loc["Cases completed"]
    assert list(row.astype(str)) == ["5,876", "7,745", "1,869"]  # counts whole, days to a tenth
    assert all("." in str(v) for v in table.set_index("measure").loc["Average"])  # counts shown: averages keep tenths
    assert not any("A blank count" in c for c in captions)


# --- averages: the comparison's and Side by side's give blank counts back (perf.access.averages) -------------------
Key = tuple[str, str, date]


@pytest.fixture(scope="module")
def averages_sample(sample: dict[str, object], sample_db: Path) -> dict[str, object]:
    return averages_data(sample, sample_db)


def averages_data(sample: dict[str, object], sample_db: Path) -> dict[str, object]:
    """Every comparison's figures as the public page has them in both day counts: each side's and the view's over all
    dates (Side by side: the All-time row of the view's place by service, checked against the page's own table for a
    few views), the counts shown, whether a visitor can work out the count before the change from counts alone, and
    the choice the page makes (perf.access.averages.comparison_choice)."""
    sides: dict[Key, tuple[int, int]] = sample["sides"]  # type: ignore[assignment]
    ladders: Ladders = sample["ladders"]  # type: ignore[assignment]
    rule = new_rule(ladders)
    known: dict[Key, bool] = {}
    comparison_given_away(sample, rule, known)
    figures: dict[Key, dict[str, tuple[pd.Series, pd.Series, pd.Series]]] = {}
    shown: dict[Key, tuple[bool, bool]] = {}
    choice: dict[Key, str] = {}
    with store.connect(sample_db, read_only=True) as con:
        last = demand.data_span(con)["last_case_day"]
        whole_hidden = page_totals_hidden(con, last)
        latest = {s: demand.service_phases(con, s, public_only=True)["starts_on"].max() for s in {k[1] for k in sides}}
        wholes: dict[tuple[View, str], pd.Series] = {}
        for (p, s, when), (b, a) in sides.items():
            place = None if p == "ALL" else p
            shown[(p, s, when)] = rule((p, s), when, b, a)
            mine = {}
            for d in ("calendar", "working"):
                if ((p, s), d) not in wholes:
                    wholes[((p, s), d)] = capability.phase_statistics(
                        con,
                        service_id=s,
                        locality_id=place,
                        day_count=d,  # type: ignore[arg-type]
                    ).iloc[0]
                got = capability.compare_phases(con, service_id=s, locality_id=place, change_on=when, day_count=d)  # type: ignore[arg-type]
                mine[d] = (wholes[((p, s), d)], got.before, got.after)
            figures[(p, s, when)] = mine
            choice[(p, s, when)] = averages.comparison_choice(
                con,
                service_id=s,
                locality_id=place,
                change_on=when,
                counts_shown=shown[(p, s, when)],
                whole_shown=(p, s, "") not in whole_hidden,
                latest=pd.Timestamp(when) == latest[s],
            )
        for p, s in [("ALL", "benefits"), ("w-bdc-barnt-green-hopwood", "benefits"), ("c-bromsgrove", "planning")]:
            side = capability.capability_breakdown(
                con, by="service", locality_id=None if p == "ALL" else p, end=last, day_count="working"
            ).set_index("group_id")
            assert side.loc[s, "cases"] == wholes[((p, s), "working")]["cases"]
            for col in ("mean", "lower", "upper"):
                assert abs(side.loc[s, col] - wholes[((p, s), "working")][col]) < 1e-9, (p, s, col)
            chart = capability.capability_chart(
                con,
                service_id=s,
                locality_id=None if p == "ALL" else p,
                end=last,
                public_only=True,
                day_count="working",
            ).predictable_range
            after = next(f["working"][2] for k, f in figures.items() if k[:2] == (p, s))
            assert (chart.cases, round(chart.mean, 9)) == (int(after["cases"]), round(float(after["mean"]), 9))
    return {
        "sides": sides,
        "figures": figures,
        "shown": shown,
        "known": known,
        "choice": choice,
        "whole_hidden": whole_hidden,
        "latest": latest,
        "ladders": ladders,
    }


def page_totals_hidden(con: object, last: date) -> frozenset[disclosure.Total]:
    """The counts of completed cases over all dates the public Side by side hides, as the page decides them (across
    its date ranges: ui.cached_demand._case_totals_ranges)."""
    starts = periods.public_range_starts(last)
    each = {s: disclosure.capability_cells(con, start=s, end=last) for s in starts}
    parent = each[None][1]
    tables = disclosure.capability_ranges_tables({s: c for s, (c, _) in each.items()}, parent)
    known = {s: disclosure.known_totals(disclosure.split_table(tables[s]), sentence=False) for s in starts}
    wards = {s: disclosure.case_totals(con, start=s, end=last) for s in starts}
    return frozenset(date_ranges.case_ranges_hidden(wards, parent, known, date_ranges.lone_hidden(tables))[None])


def page_text(comparison: capability.PhaseComparison, shown: tuple[bool, bool], choice: str) -> dict[str, list[str]]:
    """The comparison's table as the public page prints it (the page's own functions, as app_pages/capability.py
    calls them): row -> [before, after, change] as text."""
    table = averages.public_table(
        case_counts.public_comparison_table(comparison.table(), shown),
        choice,  # type: ignore[arg-type]
    )
    text = capability.comparison_text(table, averages.AVERAGE_ROWS if choice == "whole days" else ())
    return {str(r["measure"]): [r["before"], r["after"], r["change"]] for _, r in text.iterrows()}


def read(figure: str) -> tuple[float, float] | None:
    """Where a figure printed as ``figure`` lies: within half its last digit (None: blank)."""
    if not figure:
        return None
    step = 0.1 if "." in figure else 1.0
    x = float(figure.replace(",", ""))
    return x - step / 2 - 1e-9, x + step / 2 + 1e-9


def said(x: float) -> tuple[float, float]:
    """Where a figure of days said in a sentence lies (capability.say_days: a tenth below 3 days, else whole)."""
    r = read(capability.say_days(x))
    assert r is not None
    return r


def mean_from(
    average: tuple[float, float] | None, lower: tuple[float, float] | None, upper: tuple[float, float] | None
):  # type: ignore[no-untyped-def]
    """An average from its printed figure and, when the lower limit is printed above zero, the limits' midpoint."""
    out = average
    if lower is not None and upper is not None and lower[0] > 0:
        mid = ((lower[0] + upper[0]) / 2, (lower[1] + upper[1]) / 2)
        out = mid if out is None else (max(out[0], mid[0]), min(out[1], mid[1]))
    return out


def attacker_counts(total: int, day_counts: list[dict[str, tuple[float, float] | None]]) -> set[int]:
    """Every count before the change (5 or more each side) that fits what the page prints, by brute force over every
    whole-number sum of days before: the sums after and over all dates must then fit theirs, and the change its own."""
    possible: set[int] | None = None
    for f in day_counts:
        b, a, w, c = f["before"], f["after"], f["whole"], f["change"]
        if w is None or b is None or a is None:
            continue
        nb = np.arange(disclosure.SMALL_COUNT, total - disclosure.SMALL_COUNT + 1)
        na = total - nb
        # necessary (the change left out): the view's sum lies between the sides' least and most
        ok = (nb * b[1] + na * a[1] >= total * w[0]) & (nb * b[0] + na * a[0] <= total * w[1])
        fits: set[int] = set()
        for n_b in nb[ok]:
            n_a = total - int(n_b)
            sb = np.arange(np.ceil(n_b * b[0]), np.floor(n_b * b[1]) + 1)
            lo = np.maximum(np.ceil(n_a * a[0]), np.ceil(total * w[0]) - sb)
            hi = np.minimum(np.floor(n_a * a[1]), np.floor(total * w[1]) - sb)
            if c is not None:
                lo = np.maximum(lo, np.ceil(n_a * (sb / n_b + c[0])))
                hi = np.minimum(hi, np.floor(n_a * (sb / n_b + c[1])))
            if (lo <= hi).any():
                fits.add(int(n_b))
        possible = fits if possible is None else possible & fits
    return set(range(disclosure.SMALL_COUNT, total - disclosure.SMALL_COUNT + 1)) if possible is None else possible


def averages_given_back(data: dict[str, object], after: bool, sharp: bool = False) -> tuple[list[str], dict[str, int]]:
    """Blank counts before/after a change that the averages the public page prints pin to fewer than 5 values (the
    width of the 1-4 the rule protects), that counts alone do not give: with today's page (``after`` False: every
    comparison to a tenth) or with perf.access.averages' choices. ``sharp``: the visitor also knows the view's average
    over all dates exactly (Side by side's rows by channel, place and service each say it again to within their own
    rounding: the most they could add up to). Also what the page prints of averages: how many comparisons show them
    to a tenth, in whole days, or not at all."""
    sides: dict[Key, tuple[int, int]] = data["sides"]  # type: ignore[assignment]
    figures = data["figures"]
    shown: dict[Key, tuple[bool, bool]] = data["shown"]  # type: ignore[assignment]
    known: dict[Key, bool] = data["known"]  # type: ignore[assignment]
    choice: dict[Key, str] = data["choice"]  # type: ignore[assignment]
    whole_hidden: set[disclosure.Total] = data["whole_hidden"]  # type: ignore[assignment]
    latest = data["latest"]
    ladders: Ladders = data["ladders"]  # type: ignore[assignment]
    found: list[str] = []
    printed = {"tenths": 0, "whole days": 0, "medians": 0}
    for key, (b, a) in sides.items():
        if any(1 <= n < disclosure.SMALL_COUNT for n in (b, a)):
            continue  # the page compares nothing
        p, s, when = key
        how = choice[key] if after else "tenths"
        printed[how] += 1
        if all(shown[key]) or known[key] or (any(shown[key]) and (p, s, "") not in whole_hidden):
            continue  # no count blank, or counts alone give it (the count scan above vouches for those)
        per_day = []
        for d, (whole, before, after_side) in figures[key].items():  # type: ignore[attr-defined]
            comparison = capability.PhaseComparison(before, after_side, when, d)
            text = page_text(comparison, shown[key], how)
            f = {
                "before": mean_from(*(read(text[r][0]) for r in averages.AVERAGE_ROWS)),
                "after": mean_from(*(read(text[r][1]) for r in averages.AVERAGE_ROWS)),
                # in whole days the change is the difference of the two printed: it says nothing more
                "change": read(text["Average"][2]) if how == "tenths" else None,
                "whole": None,
            }
            if (p, s, "") not in whole_hidden:  # Side by side over all dates: .round(1), printed to a tenth
                w = {c: read(f"{round(float(whole[c]), 1):.1f}") for c in ("mean", "lower", "upper")}
                f["whole"] = mean_from(w["mean"], w["lower"], w["upper"])
                if sharp:
                    f["whole"] = (float(whole["mean"]) - 1e-9, float(whole["mean"]) + 1e-9)
            if how != "medians" and pd.Timestamp(when) == latest[s]:  # the chart's sentence: the latest phase
                m, lo, up = (float(after_side[c]) for c in ("mean", "lower", "upper"))
                in_words = said(m)
                if lo >= 0.5:
                    (l0, l1), (u0, u1) = said(lo), said(up)
                    in_words = (max(in_words[0], (l0 + u0) / 2), min(in_words[1], (l1 + u1) / 2))
                f["after"] = (max(f["after"][0], in_words[0]), min(f["after"][1], in_words[1]))  # type: ignore[index]
            per_day.append(f)
        counts = attacker_counts(b + a, per_day)
        assert b in counts, (key, b, sorted(counts)[:10])
        lo, hi = min(counts), max(counts)
        if hi - lo + 1 < disclosure.SMALL_COUNT:
            found.append(f"{key}: before {lo}-{hi} (is {b}); {hidden_part(ladders.get((p, s), {}), when, lo, hi)}")
    return sorted(found), printed


def hidden_part(ladder: dict[str, pd.DataFrame], when: date, lo: int, hi: int) -> str:
    """What the count before the change between ``lo`` and ``hi`` says of the part of that side the chart's shown
    periods do not cover, at each length offered: its hidden periods (and the part before the change of a period
    across it, shown or not) lie between these."""
    parts = []
    at = pd.Timestamp(when)
    for g, frame in ladder.items():
        starts = pd.to_datetime(frame["period_start"])
        inside = (starts + LENGTH[g] <= at).to_numpy()
        across = ((starts < at) & (starts + LENGTH[g] > at)).to_numpy()
        hidden = frame["suppressed"].astype(bool).to_numpy()
        cases = pd.to_numeric(frame["cases"], errors="coerce").fillna(0).to_numpy()
        covered = int(cases[inside & ~hidden].sum())
        blur = int(cases[across & ~hidden].sum())
        parts.append(f"{g}: {max(lo - covered - blur, 0)}-{hi - covered} not covered by shown {g}s")
    return "; ".join(parts)


def test_averages_give_no_blank_count_back(averages_sample: dict[str, object]) -> None:
    """Today's page (every comparison to a tenth) gives blank counts back through the averages; the page's choices
    (perf.access.averages) give none back, and say so in as few figures as they must."""
    before, printed_before = averages_given_back(averages_sample, after=False)
    sharp_before = averages_given_back(averages_sample, after=False, sharp=True)[0]
    after, printed_after = averages_given_back(averages_sample, after=True)
    print(
        f"averages: {len(before)} comparisons ({2 * len(before)} blank counts) given back to fewer than "
        f"{disclosure.SMALL_COUNT} values with today's page ({len(sharp_before)} knowing the view's average over all "
        f"dates exactly), e.g. {before[:2]}; printed before {printed_before}, after {printed_after}"
    )
    assert 0 < len(before) <= len(sharp_before), "today's page gives nothing back on the sample"
    assert after == []
    assert averages_given_back(averages_sample, after=True, sharp=True)[0] == []
    assert printed_after["tenths"] > printed_after["whole days"] > 0  # most comparisons keep their tenths


def tree_given_back(sample: dict[str, object], data: dict[str, object], after: bool) -> list[str]:
    """Blank counts before a change pinned to fewer than 5 values when a visitor sets every place's comparison against
    the others of the same service and change: a place's count and days before are its children's added up, each
    place's sides fit its averages as printed (both day counts), its days over all dates known exactly (the sharpest
    Side by side could be made), shown counts fixed. A linear programme (whole numbers relaxed, the change left out:
    a superset of what a visitor can narrow it to), each blank count minimised and maximised."""
    from scipy.optimize import linprog

    parent: dict[str, str | None] = sample["parent"]  # type: ignore[assignment]
    sides: dict[Key, tuple[int, int]] = data["sides"]  # type: ignore[assignment]
    shown: dict[Key, tuple[bool, bool]] = data["shown"]  # type: ignore[assignment]
    choice: dict[Key, str] = data["choice"]  # type: ignore[assignment]
    figures = data["figures"]
    latest = data["latest"]
    groups: dict[tuple[str, date], list[str]] = {}
    for p, s, when in sides:
        groups.setdefault((s, when), []).append(p)
    found = []
    for (s, when), places in groups.items():
        at = {p: i for i, p in enumerate(places)}
        m = len(places)
        width = 3 * m  # each place's count before, then its days before in calendar and in working days
        upper: list[np.ndarray] = []
        limit: list[float] = []
        same: list[np.ndarray] = []
        bounds: list[tuple[float, float | None]] = []
        for p in places:
            b, a = sides[(p, s, when)]
            bounds.append((b, b) if any(shown[(p, s, when)]) else (0, b + a))
        bounds += [(0, None)] * (2 * m)
        for p in places:
            i, (b, a) = at[p], sides[(p, s, when)]
            if any(1 <= x < disclosure.SMALL_COUNT for x in (b, a)):
                continue  # the page compares nothing here
            step = averages.WHOLE if after and choice[(p, s, when)] == "whole days" else averages.TENTH
            for k, d in enumerate(("calendar", "working")):
                whole, before, after_side = figures[(p, s, when)][d]  # type: ignore[index]
                f = averages.shown(whole, before, after_side, step=step, latest=pd.Timestamp(when) == latest[s])  # type: ignore[index]
                days, n, j = float(whole["mean"]) * (b + a), b + a, m + k * m + i
                for row, rhs in (
                    ({j: -1.0, i: f.before[0]}, 0.0),  # days before >= count x least average
                    ({j: 1.0, i: -f.before[1]}, 0.0),
                    ({j: 1.0, i: -f.after[0]}, days - n * f.after[0]),  # days after = all less before
                    ({j: -1.0, i: f.after[1]}, n * f.after[1] - days),
                ):
                    r = np.zeros(width)
                    for col, v in row.items():
                        r[col] = v
                    upper.append(r)
                    limit.append(rhs)
        for q in places:
            kids = [p for p in places if parent.get(p) == q]
            if not kids:
                continue
            for offset in (0, m, 2 * m):
                r = np.zeros(width)
                r[offset + at[q]] = 1.0
                for c in kids:
                    r[offset + at[c]] = -1.0
                same.append(r)
        for p in places:
            b, a = sides[(p, s, when)]
            if any(shown[(p, s, when)]) or any(1 <= x < disclosure.SMALL_COUNT for x in (b, a)):
                continue
            ends = []
            for sign in (1.0, -1.0):
                c = np.zeros(width)
                c[at[p]] = sign
                res = linprog(
                    c,
                    A_ub=np.array(upper),
                    b_ub=limit,
                    A_eq=np.array(same) if same else None,
                    b_eq=[0.0] * len(same) if same else None,
                    bounds=bounds,
                    method="highs",
                )
                assert res.status == 0, ((p, s, when), res.message)
                ends.append(sign * res.fun)
            lo, hi = int(np.ceil(ends[0] - 1e-6)), int(np.floor(ends[1] + 1e-6))
            assert lo <= b <= hi, ((p, s, when), lo, hi, b)
            if hi - lo + 1 < disclosure.SMALL_COUNT:
                found.append(f"{(p, s, when)}: before {lo}-{hi} (is {b})")
    return sorted(found)


def test_no_blank_count_comes_back_over_the_place_tree(
    sample: dict[str, object], averages_sample: dict[str, object]
) -> None:
    """Every place's comparison of one change set against the others (a locality's count and days before are its
    wards'): with today's page some blank counts come back this way too; with the page's choices none does."""
    before = tree_given_back(sample, averages_sample, after=False)
    print(f"averages over the place tree: {len(before)} blank counts before a change given back with today's page")
    assert before, "today's page gives nothing back over the tree on the sample"
    assert tree_given_back(sample, averages_sample, after=True) == []


def test_a_comparison_whose_counts_are_shown_or_whose_view_count_is_hidden_keeps_its_tenths(
    averages_sample: dict[str, object],
) -> None:
    """Where the page shows a count (the other is then the view's count less it, which the count rule allows) or Side
    by side hides the view's count over all dates (no average over all dates to set the sides against), the
    comparison keeps its averages to a tenth, however small the view; so does every comparison a visitor cannot
    narrow to fewer than 5 counts."""
    shown: dict[Key, tuple[bool, bool]] = averages_sample["shown"]  # type: ignore[assignment]
    choice: dict[Key, str] = averages_sample["choice"]  # type: ignore[assignment]
    with_counts = [k for k, v in shown.items() if any(v)]
    assert with_counts and all(choice[k] == "tenths" for k in with_counts)
    w, b, a = (
        {"cases": 60, "mean": 730 / 60, "lower": 0.0, "upper": 30.0},
        {"cases": 13, "mean": 20.0, "lower": 0.0, "upper": 40.0},
        {"cases": 47, "mean": 10.0, "lower": 0.0, "upper": 25.0},
    )
    figures = [averages.Sides(w, b, a)]
    assert averages.choose(figures, counts_shown=(False, False), whole_shown=True) == "whole days"
    assert averages.choose(figures, counts_shown=(False, False), whole_shown=False) == "tenths"
    assert averages.choose(figures, counts_shown=(False, True), whole_shown=True) == "tenths"


def test_where_whole_days_still_give_a_count_back_the_medians_compare(averages_sample: dict[str, object]) -> None:
    """A view of 40 cases, 8 before at 30 days on average and 32 after at 5: whole days still pin the count before
    (n(avg_a - A)/(avg_a - avg_b) moves one case for 1.25 days), so the comparison leaves its averages and limits out
    and speaks by the medians; a larger change of the same shape (4,000 cases) keeps its tenths."""
    w = {"cases": 40, "mean": 10.0, "lower": 0.0, "upper": 60.0}
    b = {"cases": 8, "mean": 30.0, "lower": 0.0, "upper": 70.0, "median": 28.0, "p90": 50.0}
    a = {"cases": 32, "mean": 5.0, "lower": 0.0, "upper": 15.0, "median": 4.0, "p90": 9.0}
    assert averages.possible_counts(40, [averages.shown(w, b, a, step=averages.WHOLE)]) == (8, 8)
    assert attacker_counts(
        40, [{"before": (29.5, 30.5), "after": (4.5, 5.5), "whole": (9.95, 10.05), "change": None}]
    ) == {8}
    assert averages.choose([averages.Sides(w, b, a)], counts_shown=(False, False), whole_shown=True) == "medians"
    big = [averages.Sides({**w, "cases": 4000}, {**b, "cases": 800}, {**a, "cases": 3200})]
    assert averages.choose(big, counts_shown=(False, False), whole_shown=True) == "tenths"
    comparison = capability.PhaseComparison(pd.Series(b), pd.Series(a), date(2025, 1, 6))
    table = averages.public_table(comparison.table(), "medians").set_index("measure")
    assert table.loc[list(averages.AVERAGE_ROWS)].isna().all().all()
    assert table.loc["Median", "after"] == 4.0
    said_ = averages.sentence(comparison, "medians")
    assert said_ == "After the change on 6 January 2025, half the cases took up to 4 days instead of 28."
    assert "average" not in said_


def test_the_public_comparison_says_in_whole_days_where_tenths_would_give_its_counts_back(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Barnt Green & Hopwood, benefits, changed on 6 January 2025: 250 cases over all dates (Side by side, average to
    a tenth), the counts before and after blank; to a tenth the averages pin the count before to 149 or 150 (it is
    150). The public table gives the averages and limits in whole days, says why, and the verdict stays; an officer
    sees tenths."""
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Barnt Green & Hopwood", period="All time"
    )
    at.selectbox(key="service").select("benefits").run()
    assert not at.exception, at.exception
    said_, table, captions = comparison_on_page(at)
    assert "After the change on 6 January 2025, cases took 9 days on average instead of 20, and up to 34 days" in (
        said_.replace("\\", "")
    )
    assert table is not None
    rows = table.set_index("measure")
    assert list(rows.loc["Cases completed"].astype(str)) == ["", "", ""]
    for r in averages.AVERAGE_ROWS:
        assert all("." not in str(v) for v in rows.loc[r]), (r, list(rows.loc[r]))
    assert all("." in str(v) for v in rows.loc["Median", ["before", "after"]])
    assert any(c.startswith("Averages and limits here are in whole days") for c in captions)
    at = officer_page(
        monkeypatch, sample_db, tmp_path, "app_pages/capability.py", locality="Barnt Green & Hopwood", period="All time"
    )
    at.selectbox(key="service").select("benefits").run()
    _, table, captions = comparison_on_page(at)
    assert table is not None and "." in str(table.set_index("measure").loc["Average", "before"])
    assert not any("whole days" in c for c in captions)


# --- open cases now: the count, Side by side's Open now (by service, place and channel), the bars by age, and how
# many are older than the upper limit ----------------------------------------------------------------------------
INF = 10**9  # an age band with no end
# (place, service, part): part "" all, a channel, or "calendar|a|b" / "working|a|b" ages [a, b)
Var = tuple[str, str, str]


def ages(day_count: str, a: int, b: int) -> str:
    return f"{day_count}|{a}|{b}"


@pytest.fixture(scope="module")
def open_sample(sample_db: Path) -> dict[str, object]:
    return open_data(sample_db)


def open_data(sample_db: Path) -> dict[str, object]:
    """Every ward's open cases by service, channel and age (checked against the page's own figures for a few views),
    every view's ages, and its upper limit over all dates in calendar days where the page gives one."""
    with store.connect(sample_db, read_only=True) as con:
        parent = case_counts.parents(con)
        wards = case_counts.open_by_ward(con)
        by_age = {
            d: disclosure.tree_cells(
                wards.rename(columns={col: "age"})[["place", "service", "age", "open_cases"]],
                parent,
                ["open_cases"],
                by=["age"],
            )
            for d, col in (("calendar", "age_days"), ("working", "age_working_days"))
        }
        channels = disclosure.tree_cells(wards, parent, ["open_cases"], by=["channel"])
        views = sorted(set(zip(channels["place"], channels["service"], strict=True)))
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("w-bdc-cofton", "")]:
            kw = {"service_id": service or None, "locality_id": None if place == "ALL" else place}
            for d in ("calendar", "working"):
                wip = capability.work_in_progress(con, day_count=d, **kw)  # type: ignore[arg-type]
                mine = by_age[d][(by_age[d]["place"] == place) & (by_age[d]["service"] == service)]
                assert dict(zip(mine["age"], mine["open_cases"], strict=True)) == dict(
                    zip(wip["age_days"], wip["open_cases"], strict=True)
                )
            side = capability.capability_breakdown(con, by="channel", **kw)  # type: ignore[arg-type]
            mine = channels[(channels["place"] == place) & (channels["service"] == service)]
            assert dict(zip(mine["channel"], mine["open_cases"], strict=True)) == {
                k: v for k, v in zip(side["group_id"], side["open_cases"], strict=True) if v
            }
        limits: dict[View, float] = {}
        last = demand.data_span(con)["last_case_day"]
        for place, service in views:  # the page's chart over all dates, in calendar days
            chart = capability.capability_chart(
                con,
                service_id=service or None,
                locality_id=None if place == "ALL" else place,
                end=last,
                public_only=True,
            )
            rng = chart.predictable_range
            if rng.predictable and rng.cases >= disclosure.SMALL_COUNT:
                limits[(place, service)] = rng.upper
    return {"parent": parent, "wards": wards, "by_age": by_age, "channels": channels, "views": views, "limits": limits}


def old_open_hidden(cells: pd.DataFrame, parent: dict[str, str | None]) -> set[View]:
    """The rule before (perf.access.disclosure.open_hidden): each view's whole count only, over places and services."""
    totals = cells[cells["channel"] == ""]
    as_totals = totals.assign(demand=totals["open_cases"])[["place", "service", "channel", "demand"]]
    return {(p, s) for p, s, _ in disclosure.totals_hidden(as_totals, parent)[0]}


def open_figures(
    data: dict[str, object], new: bool, *, joint: bool = True
) -> tuple[dict[Var, int], dict[Var, int], set[Var]]:
    """What the public page shows of open cases for every view, with the old rule or the new (``joint``: with its
    audit of all the sums solved together, or sum by sum only): the figures shown, the views' and channels' counts,
    and every figure the page has (shown or hidden)."""
    parent: dict[str, str | None] = data["parent"]  # type: ignore[assignment]
    by_age: dict[str, pd.DataFrame] = data["by_age"]  # type: ignore[assignment]
    channels: pd.DataFrame = data["channels"]  # type: ignore[assignment]
    limits: dict[View, float] = data["limits"]  # type: ignore[assignment]
    cells = case_counts.open_cells(data["wards"], parent)  # type: ignore[arg-type]
    hidden = case_counts.open_hidden(cells, parent, joint=joint) if new else set()
    old = old_open_hidden(cells, parent)
    shown: dict[Var, int] = {}
    every: dict[Var, int] = {}
    figures: set[Var] = set()
    wip = {d: dict(tuple(f.groupby(["place", "service"]))) for d, f in by_age.items()}
    for (p, s), mine in channels.groupby(["place", "service"]):
        view = (str(p), str(s))
        total = int(mine["open_cases"].sum())  # its channels add up to it
        every[(*view, "")] = total
        figures.add((*view, ""))
        uncounted = 1 <= total < disclosure.SMALL_COUNT or ((*view, "") in hidden if new else view in old)
        if not uncounted:
            shown[(*view, "")] = total
        rows = mine.reset_index(drop=True)
        own = disclosure.suppress(rows, ["open_cases"])  # Side by side by channel: the table's own rule
        for (_, r), h in zip(rows.iterrows(), own["suppressed"], strict=True):
            every[(*view, str(r["channel"]))] = int(r["open_cases"])
            figures.add((*view, str(r["channel"])))
            if not h and not (new and (*view, str(r["channel"])) in hidden):
                shown[(*view, str(r["channel"]))] = int(r["open_cases"])
        if total >= disclosure.SMALL_COUNT and uncounted:
            continue  # no bars, no sentence of how many
        for d in ("calendar", "working"):
            f = wip[d][view].rename(columns={"age": "age_days"})
            if new:
                bands = case_counts.public_age_bands(f, d, hidden, view)  # type: ignore[arg-type]
                width = case_counts.AGE_BANDS[d][0]
                ends = [INF if e else a + width for a, e in zip(bands["age_from"], bands["open_ended"], strict=True)]
            else:
                bands = disclosure.age_bands(f, max_bands=12)
                ends = list(bands["age_to"] + 1)
            for a, b, n, h in zip(bands["age_from"], ends, bands["open_cases"], bands["suppressed"], strict=True):
                figures.add((*view, ages(d, int(a), int(b))))
                if not h:
                    shown[(*view, ages(d, int(a), int(b)))] = int(n)
            if d == "calendar" and view in limits:  # "N of them are already older than the upper limit"
                first = int(np.floor(limits[view])) + 1
                beyond = int(f.loc[f["age_days"] >= first, "open_cases"].sum())
                if new:  # said only as a sum of the bars it shows (checked there): no figure of its own
                    case_counts.beyond_said(bands, limits[view], beyond)
                    continue
                figures.add((*view, ages(d, first, INF)))
                if not 1 <= beyond < disclosure.SMALL_COUNT:
                    shown[(*view, ages(d, first, INF))] = beyond
    return shown, every, figures


class OpenSystem(NamedTuple):
    """What a visitor has of the open cases: the figures shown, every figure the page has, the true count of any
    (place, service, part), the sums (a total and its parts) and the views, the channels and the age labels."""

    shown: dict[Var, int]
    figures: set[Var]
    truth: Callable[[Var], int]
    sums: list[tuple[Var, list[Var]]]
    views: set[View]
    channel_labels: list[str]
    age_labels: list[str]


def open_system(data: dict[str, object], new: bool, *, joint: bool = True) -> OpenSystem:
    """The public page's open-case figures (:func:`open_figures`) and the sums between them: a place's over its
    children, all services' over each service, a view's all over its channels (ages: see the scans)."""
    parent: dict[str, str | None] = data["parent"]  # type: ignore[assignment]
    by_age: dict[str, pd.DataFrame] = data["by_age"]  # type: ignore[assignment]
    shown, every, figures = open_figures(data, new, joint=joint)
    views = {(p, s) for p, s, _ in every}
    places = sorted({p for p, _ in views} | set(parent))
    services = sorted({s for _, s in views if s})
    labels = sorted({c for _, _, c in figures})
    age_labels = [c for c in labels if "|" in c]
    channel_labels = [c for c in labels if c and "|" not in c]
    table = {d: f.set_index(["place", "service"]) for d, f in by_age.items()}
    counts_at: dict[tuple[str, View], tuple[np.ndarray, np.ndarray]] = {}

    def truth(v: Var) -> int:
        if v in every:
            return every[v]
        p, s, c = v
        if "|" not in c:
            return 0
        d, a, b = c.split("|")
        key = (d, (p, s))
        if key not in counts_at:
            f = table[d].loc[[(p, s)]] if (p, s) in table[d].index else table[d].iloc[:0]
            counts_at[key] = (f["age"].to_numpy(), f["open_cases"].to_numpy())
        age, n = counts_at[key]
        return int(n[(age >= int(a)) & (age < int(b))].sum())

    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    sums: list[tuple[Var, list[Var]]] = []
    for c in labels:
        for q, kids in children.items():
            for s in ["", *services]:
                sums.append(((q, s, c), [(k, s, c) for k in kids]))
        for p in places:
            sums.append(((p, "", c), [(p, s, c) for s in services]))
    for p, s in views:
        sums.append(((p, s, ""), [(p, s, c) for c in channel_labels]))
    return OpenSystem(shown, figures, truth, sums, views, channel_labels, age_labels)


def open_given_away(data: dict[str, object], new: bool) -> list[str]:
    """Open-case counts the public page hides (or counts from 1 to 4, of any channel or ages) that a visitor works out
    from what it shows: a place's figure less its children's, all services' less each service's, a view's all less
    its channels, and any stretch of ages from the bars, the count and how many are older than the limit (whatever
    the widths of the bars), over and over until nothing new."""
    shown, figures, truth, sums, views, _, age_labels = open_system(data, new)
    known = dict(shown)

    def zero_or_known(v: Var) -> bool:
        return v in known or truth(v) == 0

    while True:
        new_found: dict[Var, int] = {}
        for top, parts in sums:
            unknown = [x for x in [top, *parts] if not zero_or_known(x)]
            if len(unknown) == 1:
                new_found[unknown[0]] = truth(unknown[0])
        for p, s in views:  # ages: a stretch between two ends joined by known stretches
            for d in ("calendar", "working"):
                joined = Joined()
                if zero_or_known((p, s, "")):
                    joined.join(0, INF)  # type: ignore[arg-type]
                for c in age_labels:
                    dd, a, b = c.split("|")
                    if dd == d and zero_or_known((p, s, c)):
                        joined.join(int(a), int(b))  # type: ignore[arg-type]
                for c in age_labels:
                    dd, a, b = c.split("|")
                    v = (p, s, c)
                    if dd == d and not zero_or_known(v) and joined.top(int(a)) == joined.top(int(b)):  # type: ignore[arg-type]
                        new_found[v] = truth(v)
        if not new_found:
            break
        known.update(new_found)
    return sorted(
        f"{v} ({n})"
        for v, n in known.items()
        if v not in shown and n and (v in figures or 1 <= n < disclosure.SMALL_COUNT)
    )


def test_no_open_case_count_by_place_service_channel_or_age_gives_a_hidden_one_back(
    open_sample: dict[str, object],
) -> None:
    before = open_given_away(open_sample, new=False)
    print(f"open cases: {len(before)} hidden counts given back with the old rule, e.g. {before[:4]}")
    assert len(before) > 0, "the old rule gives nothing back on the sample"
    assert open_given_away(open_sample, new=True) == []


def svd_determined(matrix: np.ndarray) -> tuple[np.ndarray, float]:
    """Which unknowns (columns) the equations (rows, over the unknowns only) fix: those at which every null vector is
    0, by a dense floating-point SVD (another method than perf.access.solvable's exact elimination); and the
    smallest null-space row norm of the others, to show that the tolerance (1e-8) sits far from any of them."""
    if matrix.size == 0:
        return np.zeros(matrix.shape[1], dtype=bool), float("inf")
    _, sv, vt = np.linalg.svd(matrix, full_matrices=True)
    rank = int((sv > sv.max() * max(matrix.shape) * np.finfo(float).eps).sum())
    norms = np.linalg.norm(vt[rank:].T, axis=1)
    fixed = norms < 1e-8
    return fixed, float(norms[~fixed].min(initial=float("inf")))


def open_solved(data: dict[str, object], joint: bool) -> tuple[list[str], float]:
    """Open-case counts the public page hides (or counts from 1 to 4) that a visitor gets by solving every sum at
    once (a spreadsheet's linear solve, not one sum at a time): the unknowns are every (place, service, part) with
    cases the page does not show, the equations the sums of :func:`open_system` and each view's all over its
    calendar-day bars and over its working-day bars (the same bars for every view). ``joint``: the rule with its
    audit of all the sums (perf.access.case_counts.open_hidden) or sum by sum only. Returns what is given back and
    the margin of the SVD's tolerance (:func:`svd_determined`)."""
    shown, figures, truth, sums, views, _, age_labels = open_system(data, True, joint=joint)
    equations = list(sums)
    for p, s in views:
        for d in ("calendar", "working"):
            equations.append(((p, s, ""), [(p, s, c) for c in age_labels if c.startswith(d + "|")]))
    unknown: dict[Var, int] = {}
    rows: list[list[tuple[Var, float]]] = []
    for top, parts in equations:
        assert truth(top) == sum(truth(v) for v in parts), (top, parts)  # the sums hold for the true counts
        terms = [(v, w) for v, w in [(top, 1.0), *((v, -1.0) for v in parts)] if v not in shown and truth(v) != 0]
        if terms:
            rows.append(terms)
            for v, _ in terms:
                unknown.setdefault(v, len(unknown))
    matrix = np.zeros((len(rows), len(unknown)))
    for i, terms in enumerate(rows):
        for v, w in terms:
            matrix[i, unknown[v]] += w
    fixed, margin = svd_determined(matrix)
    given = [
        f"{v} ({truth(v)})"
        for v, j in unknown.items()
        if fixed[j] and (v in figures or 1 <= truth(v) < disclosure.SMALL_COUNT)
    ]
    return sorted(given), margin


def test_no_open_case_count_is_given_back_by_solving_all_the_sums_at_once(open_sample: dict[str, object]) -> None:
    """The sum-by-sum rule leaves hidden counts a linear solve of all the sums gives back (before the audit, 17 on the
    sample, e.g. a Bromsgrove town planning bar, where the calendar-day and the working-day bars of the same cases
    meet the places' and the services' sums); with the audit (perf.access.solvable) none."""
    before, margin_before = open_solved(open_sample, joint=False)
    print(
        f"open cases, all sums solved at once: {len(before)} hidden counts given back sum by sum only, e.g. {before[:4]}"
    )
    assert len(before) > 0, "the sum-by-sum rule gives nothing back to a linear solve on the sample"
    after, margin_after = open_solved(open_sample, joint=True)
    assert after == []
    assert min(margin_before, margin_after) > 1e-3  # no undetermined figure near the SVD's tolerance


def links_of(rows: list[tuple[int, int, bool]]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["sum", "item", "whole"])


def test_the_audit_finds_what_only_a_joint_solve_gives_and_nothing_else() -> None:
    """Sums a + b = 10 and a + b + c = 12 (the totals shown, a, b, c hidden): no sum has one figure hidden, so peeling
    finds nothing, but 12 - 10 gives c. a = b + c and a + b = 10 with c shown: a = (10 + c) / 2 (an exact fraction in
    the elimination). A total shown over two hidden parts, or a table whose 2 x 2 inside is hidden with every margin
    shown: nothing is determined."""
    from perf.access import solvable

    links = links_of(
        [(0, 0, True), (0, 2, False), (0, 3, False), (1, 1, True), (1, 2, False), (1, 3, False), (1, 4, False)]
    )
    values, hidden = np.array([10, 12, 6, 4, 2]), np.array([False, False, True, True, True])
    peeled, _ = case_counts.worked_out(links, hidden)
    assert not (peeled & hidden).any()
    assert solvable.determined(links, values, hidden).tolist() == [False, False, False, False, True]

    links = links_of([(0, 0, True), (0, 1, False), (0, 2, False), (1, 1, True), (1, 2, False), (1, 3, False)])
    values, hidden = np.array([10, 7, 3, 4]), np.array([False, True, True, False])  # 10 = a + b, a = b + c
    assert not (case_counts.worked_out(links, hidden)[0] & hidden).any()
    assert solvable.determined(links, values, hidden).tolist() == [False, True, True, False]

    links = links_of([(0, 0, True), (0, 1, False), (0, 2, False)])
    assert not solvable.determined(links, np.array([9, 6, 3]), np.array([False, True, True])).any()
    # rows T, r1, r2 by columns T, c1, c2: each row's total over its parts, each column's over its rows' figures
    grid = {(r, c): 3 * r + c for r in range(3) for c in range(3)}
    sums = [(r, grid[(r, 0)], True) for r in range(3)] + [(r, grid[(r, c)], False) for r in range(3) for c in (1, 2)]
    sums += [(3 + c, grid[(0, c)], True) for c in range(3)] + [
        (3 + c, grid[(r, c)], False) for c in range(3) for r in (1, 2)
    ]
    counts = np.array([40, 25, 15, 22, 12, 10, 18, 13, 5])  # each row's and column's total first
    inside = np.array([(i // 3) > 0 and (i % 3) > 0 for i in range(9)])
    assert not solvable.determined(links_of(sums), counts, inside).any()
    with pytest.raises(ValueError, match="sum 0: its parts do not add up to its total"):
        solvable.determined(links_of(sums), counts + np.eye(9, dtype=int)[1], inside)


# Ten rows of open cases (ward, service, channel, age in calendar and working days, cases) in two wards of one area:
# sum by sum, the rule leaves a2's s2 youngest bars to a joint solve of the bars, the channels, the places and services
OPEN_ROWS = [
    ("a1", "s1", "phone", 40, 28, 1), ("a1", "s1", "web", 40, 28, 1), ("a1", "s2", "web", 3, 2, 1),
    ("a1", "s2", "web", 20, 14, 1), ("a1", "s2", "web", 40, 28, 4), ("a2", "s1", "web", 3, 2, 2),
    ("a2", "s1", "web", 20, 14, 4), ("a2", "s1", "web", 40, 28, 3), ("a2", "s2", "phone", 3, 2, 1),
    ("a2", "s2", "phone", 40, 28, 5),
]  # fmt: skip


def test_the_open_case_rule_hides_more_only_where_a_joint_solve_gives_a_count_back() -> None:
    """Ten rows of open cases: sum by sum, the rule leaves a2's s2 0-13 days bar (1 case) and 0-9 working days bar
    to a joint solve (checked by a dense SVD too); the rule now hides 4 more figures (the 28-41 days and 20-29
    working days bars of a1 and a2, all services) and leaves nothing determined. Where nothing is determined (the
    rule's own example, every count 5 or more) it hides nothing more, and a count of 5 or more with nothing hidden
    in its sums stays shown."""
    from perf.access import solvable

    parent: dict[str, str | None] = {"A": None, "a1": "A", "a2": "A"}
    wards = pd.DataFrame(
        OPEN_ROWS, columns=["place", "service", "channel", "age_days", "age_working_days", "open_cases"]
    )
    cells = case_counts.open_cells(wards, parent)
    keys = list(zip(cells["place"], cells["service"], cells["channel"], strict=True))
    links = case_counts.sum_links(keys, parent, [d + case_counts.PART for d in case_counts.AGE_BANDS])
    size = cells["open_cases"].to_numpy(dtype="float64")
    before = case_counts.open_hidden(cells, parent, joint=False)
    flag = np.array([k in before for k in keys])
    assert not (case_counts.worked_out(links, flag)[0] & flag).any()  # nothing sum by sum
    fixed = solvable.determined(links, size, flag)
    sub = links[flag[links["item"].to_numpy()]]
    columns = {c: j for j, c in enumerate(np.flatnonzero(flag))}
    rows = {r: i for i, r in enumerate(sub["sum"].unique())}
    matrix = np.zeros((len(rows), len(columns)))
    for r, c, w in zip(sub["sum"], sub["item"], sub["whole"], strict=True):
        matrix[rows[r], columns[c]] += 1.0 if w else -1.0
    by_svd = svd_determined(matrix)[0]
    assert [keys[c] for c in columns if by_svd[columns[c]]] == [keys[c] for c in np.flatnonzero(fixed)]
    bar = ("a2", "s2", case_counts.band_part("calendar", 0))
    assert {keys[c] for c in np.flatnonzero(fixed)} == {bar, ("a2", "s2", case_counts.band_part("working", 0))}

    system = solvable._System(links, flag)  # "would hiding this shown figure free that one?" without a new solve
    item, key = links["item"].to_numpy(), links["sum"].to_numpy()
    for h in np.flatnonzero(fixed):
        for c in {int(c) for c in item[np.isin(key, key[item == h])] if not flag[c]}:
            trial = flag.copy()
            trial[c] = True
            assert system.freed_by(int(h), c) == (not solvable.determined(links, size, trial)[h]), (keys[h], keys[c])

    after = case_counts.open_hidden(cells, parent)
    assert after - before == {
        (w, "", case_counts.band_part(d, a)) for w in ("a1", "a2") for d, a in (("calendar", 28), ("working", 20))
    }
    assert not solvable.determined(links, size, np.array([k in after for k in keys])).any()

    t = pd.DataFrame({"place": "A", "service": "", "open_cases": [30, 27, 3, 20, 10],
                      "channel": ["", "phone", "web", case_counts.band_part("calendar", 0), case_counts.band_part("calendar", 14)]})  # fmt: skip
    assert case_counts.open_hidden(t, {"A": None}) == case_counts.open_hidden(t, {"A": None}, joint=False)
    assert ("A", "", "") not in case_counts.open_hidden(t, {"A": None})  # 30, its parts hidden two by two: shown
    big = wards.assign(open_cases=wards["open_cases"] + 5)
    assert case_counts.open_hidden(case_counts.open_cells(big, parent), parent) == set()


def open_on_page(at) -> tuple[str, pd.DataFrame, list[str], list[str]]:  # type: ignore[no-untyped-def]
    """The Work in progress section as drawn: its sentence, Side by side's table, the bars (hover texts), captions."""
    import re

    said = " ".join(m.value for m in at.markdown if "open on" in m.value)
    table = next(el.value for el in at.dataframe if "Open now" in el.value.columns)
    bars = [m.value for m in at.markdown if "Open cases by age" in m.value]
    titles = re.findall(r"<title>([^<]*)</title>", bars[0]) if bars else []
    return said, table, titles, [c.value for c in at.caption]


def test_the_public_page_says_open_cases_as_the_rule_decides_and_an_officer_sees_them_all(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """All of the area, planning, all dates: 279 open, 9 of them older than the upper limit (116 days), all in bars
    the public view does not chart (fewer than 5 each), so the page does not say how many, where the officer's says 9.
    By channel, email (30) and face-to-face are blank: Bromsgrove's and Redditch's counts would give them away; the
    0-13 days bar (86) is hidden beside a small one in street scene (all services' bar less the others)."""
    at = public_page(monkeypatch, sample_db, "app_pages/capability.py", period="All time")
    at.selectbox(key="service").select("planning").run()
    at.segmented_control(key="compare").set_value("Channel").run()
    assert not at.exception, at.exception
    said, table, bars, captions = open_on_page(at)
    assert said.startswith("279 cases were open on 22 November 2026")
    assert "the public view does not say how many of them are older than the 116 days" in said
    assert "9 of them" not in said and "need looking at" not in said
    open_now = table.set_index("Channel")["Open now"].astype(str).to_dict()
    assert open_now == {"email": "", "face-to-face": "", "phone": "84", "web": "160"}
    assert "14-27 days: 62" in bars and not any(b.startswith("0-13 days") for b in bars)
    assert any(
        c.startswith("Ages with fewer than 5 open cases") and "channel would give one away" in c for c in captions
    )
    assert not any("182 or more" in c for c in captions)  # that bar (fewer than 5) is not charted: not spoken of

    at = officer_page(monkeypatch, sample_db, tmp_path, "app_pages/capability.py", period="All time")
    at.selectbox(key="service").select("planning").run()
    at.segmented_control(key="compare").set_value("Channel").run()
    said, table, bars, captions = open_on_page(at)
    assert "279 cases were open on 22 November 2026; 9 of them are already older than the 116 days" in said
    assert "so they need looking at" in said
    assert table.set_index("Channel").loc["email", "Open now"] == 30
    assert not any("charted" in c for c in captions)


def test_the_public_page_says_how_many_are_older_than_the_limit_only_as_its_bars_add_up(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Bromsgrove North, housing options: none is older than its limit (124 days) and no bar reaches it: "none".
    Bromsgrove East, every service: 9 of its open cases are older than its upper limit (60 days), 5 of them in bars
    wholly older than it that the page shows, the rest in hidden bars; the page said "at least 5" while the public
    chart was weekly. Judged on the monthly chart the public now sees, the system is not predictable, so there is no
    limit to count against and the page says no count older than one ("at least" is checked on the bands above; no
    public view of the sample now calls for it)."""
    bands = pd.DataFrame(
        {"age_from": [0, 14, 28], "age_to": [13, 27, 41], "open_cases": [30.0, 9.0, 12.0], "suppressed": False}
    )
    assert case_counts.beyond_said(bands, 27.2, 12) == ("exact", 12)
    assert case_counts.beyond_said(bands, 41.0, 0) == ("exact", 0)
    assert case_counts.beyond_said(bands, 30.0, 10) == ("unsaid", 0)  # the limit falls in the last bar
    with pytest.raises(ValueError, match="hold 12 cases, the count says 11"):
        case_counts.beyond_said(bands, 27.2, 11)

    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Bromsgrove East (locality)", period="All time"
    )
    said = open_on_page(at)[0]
    assert "not predictable" in str(at.subheader[0].value)
    assert "older than" not in said and "9 of them" not in said
    at = public_page(
        monkeypatch, sample_db, "app_pages/capability.py", locality="Bromsgrove North (locality)", period="All time"
    )
    at.selectbox(key="service").select("housing_options").run()
    said = open_on_page(at)[0]
    assert "; none of them is older than the 124 days the system predictably delivers in yet." in said
    at = officer_page(
        monkeypatch,
        sample_db,
        tmp_path,
        "app_pages/capability.py",
        locality="Bromsgrove North (locality)",
        period="All time",
    )
    at.selectbox(key="service").select("housing_options").run()
    assert not at.exception, at.exception
    assert "; none of them is older than the 124 days the system predictably delivers in yet." in open_on_page(at)[0]


def test_a_council_with_no_open_cases_hides_nothing_and_the_rule_still_runs() -> None:
    """No open case anywhere (a small council, or every case closed): the warm-up after a load ran the rule on no
    figures and failed on an empty table's untyped index (CI, 7 December); it must say nothing is hidden."""
    empty = pd.DataFrame({"place": [], "service": [], "channel": [], "open_cases": []})
    assert case_counts.open_hidden(empty, {"W1": "L1", "L1": None}) == set()
    no_demand = pd.DataFrame({"place": [], "service": [], "channel": [], "demand": []})
    assert disclosure.totals_hidden(no_demand, {}) == (set(), [])
    assert disclosure.sum_keys([], {})["item"].dtype.kind == "i"


def test_a_view_with_no_published_change_is_unchanged(sample_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """All services have no published change to compare (their redesigns fell on different days): the public page
    has no before/after section, says nothing of whole days, and Side by side keeps its averages to a tenth."""
    at = public_page(monkeypatch, sample_db, "app_pages/capability.py", period="All time")
    assert not at.exception, at.exception
    said_, table, captions = comparison_on_page(at)
    assert table is None and "Before and after a redesign" not in said_
    assert not any("whole days" in c or "does not give the averages" in c for c in captions)
    side = next(el.value for el in at.dataframe if "Average" in el.value.columns)
    assert side["Average"].astype(str).str.contains(r"^\d+\.\d$").all(), side["Average"].tolist()
