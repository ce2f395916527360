"""The public Demand figures across places and services: no ward's (or service's) hidden count can be worked
out from its parent's figure less its shown siblings (perf.access.disclosure.group_ladders)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pandas as pd
import pytest

from perf import store
from perf.access import disclosure
from perf.analysis import demand

BLANK = (*disclosure.DEMAND_COUNTS, *disclosure.DEMAND_DERIVED)


def own_ladders(
    cells: dict[str, pd.DataFrame], counts: Sequence[str] = disclosure.DEMAND_COUNTS
) -> dict[disclosure.View, dict[str, pd.DataFrame]]:
    """Each view's ladder on its own (the rule before this one): what the group rule starts from."""
    out: dict[disclosure.View, dict[str, pd.DataFrame]] = {}
    rows = {g: disclosure.suppress(cells[g], counts, groups=[["place", "service"]]) for g in disclosure.LADDER}
    for (p, s), _ in cells["quarter"].groupby(["place", "service"], sort=False):
        own = {
            g: f[(f["place"] == p) & (f["service"] == s)].drop(columns=["place", "service"]).reset_index(drop=True)
            for g, f in rows.items()
        }
        out[(str(p), str(s))] = disclosure.published_ladder(own.__getitem__, blank=list(counts))
    return out


def given_away(
    ladders: dict[disclosure.View, dict[str, pd.DataFrame]],
    parent: dict[str, str | None],
    *,
    absent_is_zero: bool = False,
) -> list[tuple[disclosure.View, str, str]]:
    """Every shown (place, service, length, period) whose children, places or services, have exactly one
    figure a visitor cannot see (hidden, or a length not offered): the total less the others gives it.

    ``absent_is_zero``: a period (or a whole view) with no row is one a visitor reads as none (Capability
    lists only periods with cases); otherwise it counts as unseen."""
    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    services = sorted({s for _, s in ladders if s})
    groups = [((q, s), [(c, s) for c in kids]) for q, kids in children.items() for s in ["", *services]]
    groups += [((p, ""), [(p, s) for s in services]) for p in parent]
    found = []
    for g in disclosure.LADDER:
        for top, members in groups:
            if top not in ladders or g not in ladders[top]:
                continue
            total = ladders[top][g].set_index("period_start")["suppressed"]
            unseen = (
                pd.DataFrame(
                    {
                        m: (
                            ladders[m][g].set_index("period_start")["suppressed"].astype(bool)
                            if m in ladders and g in ladders[m]
                            else pd.Series(m in ladders or not absent_is_zero, index=total.index)
                        )
                        for m in members
                    }
                )
                .reindex(total.index)
                .fillna(not absent_is_zero)
                .astype(bool)
            )
            alone = (unseen.sum(axis=1) == 1) & ~total.astype(bool)
            found += [(top, g, str(pd.Timestamp(w).date())) for w in total.index[alone.to_numpy()]]
    return found


@pytest.fixture(scope="module")
def sample(sample_db: Path) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    con = store.connect(sample_db, read_only=True)
    try:
        cells, parent = disclosure.demand_cells(con)
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("l-bromsgrove-north", "")]:
            for g in disclosure.LADDER:  # the counts are the page's own, period for period
                page = demand.demand_by_period(
                    con, service_id=service or None, locality_id=None if place == "ALL" else place, granularity=g
                )
                mine = cells[g][(cells[g]["place"] == place) & (cells[g]["service"] == service)]
                assert list(mine["period_start"]) == list(page["period_start"]), (place, service, g)
                assert list(mine["demand"]) == list(page["demand"]), (place, service, g)
    finally:
        con.close()
    return cells, parent


def test_on_the_sample_no_place_or_service_gives_a_hidden_count_back(
    sample: tuple[dict[str, pd.DataFrame], dict[str, str | None]],
) -> None:
    cells, parent = sample
    before = given_away(own_ladders(cells), parent)
    assert len(before) > 100  # the leak this rule closes is there on the sample (165+ locality periods and more)
    assert any(top == ("l-bromsgrove-north", "") and g == "month" and day == "2023-12-01" for top, g, day in before)
    assert given_away(disclosure.demand_group_ladders(cells, parent), parent) == []


def test_the_page_shows_the_lengths_and_hides_the_periods_its_view_has_in_the_group() -> None:
    weeks = pd.DataFrame(
        {
            "period_start": pd.date_range("2026-01-05", periods=8, freq="W-MON"),
            "demand": pd.array([20] * 8, dtype="Int64"),
            "demand_per_1000": 2.0,
            "suppressed": False,
        }
    )
    months = pd.DataFrame(
        {
            "period_start": pd.date_range("2026-01-01", periods=2, freq="MS"),
            "demand": pd.array([80, 80], dtype="Int64"),
            "demand_per_1000": 8.0,
            "suppressed": False,
        }
    )
    page = {"week": weeks, "month": months}
    group = {"month": months.assign(suppressed=[True, False])}  # weeks not offered there, January hidden
    shown = disclosure.with_group_hidden(page.__getitem__, group, blank=["demand", "demand_per_1000"])
    assert list(shown) == ["month"]
    assert shown["month"]["suppressed"].tolist() == [True, False]
    assert shown["month"]["demand"].isna().tolist() == [True, False]
    assert shown["month"]["demand_per_1000"].isna().tolist() == [True, False]
    assert disclosure.with_group_hidden(page.__getitem__, page, blank=["demand"])["week"].equals(weeks)


def tree_cells(counts: dict[tuple[str, str], list[int]]) -> tuple[dict[str, pd.DataFrame], dict[str, str | None]]:
    """A small area: wards a, b, c in locality L under ALL; services x, y; a count for each quarter that
    every week and month of that quarter has too (the rule looks at each length's counts, not their sums)."""
    parent: dict[str, str | None] = {"ALL": None, "L": "ALL", "a": "L", "b": "L", "c": "L"}
    quarters = pd.date_range("2025-01-01", periods=len(next(iter(counts.values()))), freq="QS")
    rows = []
    for (ward, service), values in counts.items():
        for q, n in zip(quarters, values, strict=True):
            for place in (ward, "L", "ALL"):
                for s in (service, ""):
                    rows.append(
                        {
                            "place": place,
                            "service": s,
                            "period_start": q,
                            "value_demand": n,
                            "failure_demand": 0 if n < 5 else 2 * n,
                        }
                    )
    quarterly = pd.DataFrame(rows).groupby(["place", "service", "period_start"], as_index=False).sum()
    cells = {}
    for g, per in (("week", 13), ("month", 3), ("quarter", 1)):  # periods a quarter
        parts = []
        for _, r in quarterly.iterrows():
            starts = (
                pd.date_range(r["period_start"], periods=13, freq="7D")
                if g == "week"
                else pd.date_range(r["period_start"], periods=per, freq="MS")
            )
            for d in starts:
                parts.append({**r.to_dict(), "period_start": d})
        f = pd.DataFrame(parts)
        f["demand"] = f["value_demand"] + f["failure_demand"]
        cells[g] = f
    return cells, parent


def test_counts_of_five_or_more_everywhere_hide_nothing_and_every_length_is_offered() -> None:
    cells, parent = tree_cells({(w, s): [5, 9, 40, 6] for w in "abc" for s in "xy"})
    ladders = disclosure.demand_group_ladders(cells, parent)
    assert len(ladders) == 5 * 3
    for ladder in ladders.values():
        assert list(ladder) == list(disclosure.LADDER)
        assert not any(f["suppressed"].any() for f in ladder.values())


def test_one_hidden_ward_hides_a_sibling_and_one_hidden_service_another_service() -> None:
    # ward a's service x is small in the second quarter, at every length; everything else is large
    counts = {(w, s): [400, 400, 400, 400] for w in "abc" for s in "xy"}
    counts[("a", "x")] = [400, 1, 400, 400]
    cells, parent = tree_cells(counts)
    before = own_ladders(cells)
    assert given_away(before, parent)  # (L, x) less b and c gives a's count back; (a, all) less y gives x's
    after = disclosure.demand_group_ladders(cells, parent)
    assert given_away(after, parent) == []
    q = after[("a", "x")]["quarter"]["suppressed"].tolist()
    assert q[1] and sum(q) == 2  # its own second blank, as before (the view's total is shown)
    assert sum(after[(w, "x")]["quarter"]["suppressed"].iloc[1] for w in "bc") == 1  # the next ward, not both
    assert after[("a", "y")]["quarter"]["suppressed"].iloc[1]  # the other service of ward a
    assert not after[("L", "")]["quarter"]["suppressed"].any()  # the totals stay shown
    assert not any(after[(w, "")]["quarter"]["suppressed"].any() for w in "abc")


def test_the_public_demand_page_takes_the_groups_second_blank_not_its_own(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Redditch North, waste, all time: the page hides the months the group (with the other date ranges) hides,
    exactly, and no quarter it shows holds one (on its own rule it could pick another second blank, which a
    longer period shown would give back: Hagley West, waste, 2024, before the date ranges were decided together)."""
    from tests.test_disclosure import _periods_table, _shown_over_hidden, public_page

    def periods(by: str) -> pd.DataFrame:
        at = public_page(
            monkeypatch,
            sample_db,
            "app_pages/demand.py",
            locality="Redditch North (locality)",
            period="All time",
            by=by,
        )
        at.selectbox(key="service").select("waste").run()
        assert not at.exception, at.exception
        return _periods_table(at, "Period starting")

    months, quarters = periods("Month"), periods("Quarter")
    assert (months["start"].diff().dropna() < pd.Timedelta(days=32)).all() and months["hidden"].any()
    assert not _shown_over_hidden(months, pd.DateOffset(months=1), quarters, pd.DateOffset(months=3))
    assert sorted(months.loc[months["hidden"], "start"].dt.strftime("%Y-%m")) == ["2022-03", "2025-11"]
