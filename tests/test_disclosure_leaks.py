"""The public Demand page's other figures follow the group rule (perf.access.disclosure.group_ladders): the cost
of failure demand, and (in later tests) the totals tables and the partner zip. Each scan finds figures that
give a hidden count back with the old rule on the sample, and none with the new one."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from perf import store
from perf.access import disclosure
from perf.analysis import demand
from tests.conftest import shown
from tests.test_disclosure import public_page
from tests.test_disclosure_places import sample  # noqa: F401  (the sample's cells, checked against the page's)

Cells = tuple[dict[str, pd.DataFrame], dict[str, str | None]]
Ladders = dict[disclosure.View, dict[str, pd.DataFrame]]


@pytest.fixture(scope="module")
def ladders(sample: Cells, sample_db: Path) -> Ladders:  # noqa: F811
    """The public page's decisions, all dates: decided with the other date ranges it offers, as the page and the
    partner zip take them (perf.access.disclosure.demand_ranges_ladders)."""
    from perf import periods

    with store.connect(sample_db, read_only=True) as con:
        last = demand.data_span(con)["last_contact"]
        assert last is not None
        each = {s: disclosure.demand_cells(con, start=s, end=last) for s in periods.public_range_starts(last)}
    assert all(each[None][0][g].equals(sample[0][g]) for g in disclosure.LADDER)  # the same cells as all dates
    return disclosure.demand_ranges_ladders({s: c for s, (c, _) in each.items()}, sample[1])[None]


def unseen(ladders: Ladders, view: disclosure.View, g: str) -> set[pd.Timestamp] | None:
    """The periods of ``view`` at length ``g`` a visitor cannot see, or None when the length is not offered."""
    ladder = ladders.get(view)
    if ladder is None or g not in ladder:
        return None
    f = ladder[g]
    return set(pd.to_datetime(f.loc[f["suppressed"].astype(bool), "period_start"]))


def cost_frame(cells: dict[str, pd.DataFrame], view: disclosure.View, g: str) -> pd.DataFrame:
    """What demand.failure_demand_cost returns for a view at length ``g`` (checked below; every service for
    "all services"), priced at 6 minutes and £30 an hour: £3 a contact, so the cost / 3 is the count."""
    f = cells[g]
    place, service = view
    mine = f["service"] == service if service else f["service"] != ""
    rows = f[(f["place"] == place) & mine & (f["failure_demand"] > 0)]
    out = pd.DataFrame(
        {
            "period_start": rows["period_start"].to_numpy(),
            "service_id": rows["service"].to_numpy(),
            "failure_demand": rows["failure_demand"].to_numpy(),
        }
    )
    return out.assign(handling_minutes=6.0, cost_per_hour=30.0, hours=out["failure_demand"] / 10.0,
                      cost=out["failure_demand"] * 3.0)  # fmt: skip


Priced = Callable[[disclosure.View], tuple[str, pd.DataFrame]]


def cost_given_away(ladders: Ladders, priced: Priced) -> list[tuple[object, ...]]:
    """Every shown cost (place, service, length, period) whose failure count the public page does not show:
    cost / minutes / rate gives it back. ``priced(view)`` is the length a view prices by and its costs."""
    found: list[tuple[object, ...]] = []
    for view in ladders:
        g, cost = priced(view)
        for row in cost[~cost["suppressed"].astype(bool)].itertuples():
            hidden = unseen(ladders, (view[0], str(row.service_id)), g)
            if hidden is None or pd.Timestamp(row.period_start) in hidden:
                found.append((*view, row.service_id, g, pd.Timestamp(row.period_start).date()))
    return found


def test_the_cost_frame_is_the_pages_cost(sample_db: Path, sample: Cells) -> None:  # noqa: F811
    cells, _ = sample
    with store.connect(sample_db, read_only=True) as con:
        for place, service, g in [("ALL", "planning", "month"), ("c-redditch", "street_scene", "quarter")]:
            page = demand.failure_demand_cost(
                con, service_id=service, locality_id=None if place == "ALL" else place, granularity=g
            )
            mine = cost_frame(cells, (place, service), g)
            assert list(pd.to_datetime(page["period_start"])) == list(pd.to_datetime(mine["period_start"]))
            assert list(page["failure_demand"]) == list(mine["failure_demand"])


def test_no_cost_of_failure_demand_gives_back_a_count_the_page_does_not_show(
    sample: Cells,  # noqa: F811
    ladders: Ladders,
) -> None:
    cells, _ = sample

    def before(view: disclosure.View) -> tuple[str, pd.DataFrame]:
        # the old rule: the cost's own small counts, and months overlapping the view's offered hidden periods
        cost = disclosure.failure_cost(cost_frame(cells, view, "month"))
        spans = disclosure.hidden_spans(ladders[view], upto="month")
        return "month", disclosure.hide_overlapping(cost, "month", spans, blank=disclosure.COST_BLANK)

    def after(view: disclosure.View) -> tuple[str, pd.DataFrame]:
        g = disclosure.cost_length(ladders[view])
        mine = {s: ladder for (p, s), ladder in ladders.items() if p == view[0] and s}
        return g, disclosure.published_cost(cost_frame(cells, view, g), mine, g)

    old = cost_given_away(ladders, before)
    assert len(old) > 1000  # thousands on the sample: views priced by month whose months the rule does not offer
    assert any(place == "c-redditch" and service == "street_scene" for place, service, *_ in old)
    assert cost_given_away(ladders, after) == []
    # and nothing more is left out than the page hides: every count the page shows is priced
    for view in [("c-redditch", "street_scene"), ("ALL", ""), ("c-bromsgrove", "waste")]:
        g, cost = after(view)
        assert cost["cost"].notna().any()
        for service, rows in cost.groupby("service_id"):
            hidden = unseen(ladders, (view[0], str(service)), g)
            expect = [hidden is None or d in hidden for d in pd.to_datetime(rows["period_start"])]
            assert rows["suppressed"].tolist() == expect, (view, service)


def page_words(monkeypatch: pytest.MonkeyPatch, db: Path, place: str, service: str) -> list[str]:
    at = public_page(monkeypatch, db, "app_pages/demand.py", period="All time")
    at.selectbox(key="locality").select(place).run()
    at.selectbox(key="service").select(service).run()
    assert not at.exception, at.exception
    return [shown(m.value) for m in at.markdown] + [shown(c.value) for c in at.caption]


def test_a_view_shown_by_quarter_is_priced_by_quarter_and_one_shown_by_month_by_month(
    sample_db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    words = page_words(monkeypatch, sample_db, "c-redditch", "street_scene")  # months not offered (group rule)
    assert any("in the quarter from July 2026" in w and "quarters shown" in w for w in words), words
    assert any(w.startswith("Priced by quarter: month by month") for w in words)
    words = page_words(monkeypatch, sample_db, "ALL", "waste")  # must NOT: every month shown
    assert any("in October 2026" in w and "months shown" in w for w in words), words
    assert not any("Priced by" in w or w.startswith("At least") for w in words)


# --- the partner zip ------------------------------------------------------------------------------------
ZIP_TABLES = {"month": ("demand_by_ward", "month_start"), "quarter": ("demand_by_ward_quarter", "quarter_start")}


def zip_seen(demand_by_ward: pd.DataFrame, on: str = "month_start") -> set[tuple[str, str, pd.Timestamp]]:
    """The (ward, service, period) cells a partner can read in the zip: both demand types known (a missing row
    is a zero), neither blank."""
    d = demand_by_ward.assign(**{on: pd.to_datetime(demand_by_ward[on])})
    blank = d[d["contacts"].isna()]
    hidden = set(zip(blank["ward_id"], blank["service_id"], blank[on], strict=True))
    return {
        (str(w), str(s), pd.Timestamp(m))
        for w, s, m in zip(d["ward_id"], d["service_id"], d[on], strict=True)
        if (w, s, m) not in hidden
    }


def zip_given_away(
    ladders: Ladders,
    cells: dict[str, pd.DataFrame],
    parent: dict[str, str | None],
    seen: set[tuple[str, str, pd.Timestamp]],
    length: str = "month",
) -> tuple[int, int]:
    """(cells the zip shows that the page does not, place or service figures the page shows whose one unseen
    child or service the zip then gives back: tests.test_disclosure_places.given_away over the page's
    figures with the zip's periods added)."""
    from tests.test_disclosure_places import given_away

    extra = 0
    both: Ladders = {v: dict(ladder) for v, ladder in ladders.items()}
    periods = cells[length]
    for (place, service), rows in periods[periods["place"].isin({w for w, _, _ in seen})].groupby(["place", "service"]):
        view = (str(place), str(service))
        hidden = unseen(ladders, view, length)
        starts = pd.to_datetime(rows["period_start"])
        page_hidden = [hidden is None or d in hidden for d in starts]
        in_zip = [(view[0], view[1], pd.Timestamp(d)) in seen for d in starts]
        extra += sum(h and z for h, z in zip(page_hidden, in_zip, strict=True))
        both[view][length] = pd.DataFrame(
            {
                "period_start": starts.to_numpy(),
                "suppressed": [h and not z for h, z in zip(page_hidden, in_zip, strict=True)],
            }
        )
    return extra, len(given_away(both, parent))


def test_the_partner_zip_shows_no_ward_month_or_quarter_the_public_page_does_not(
    sample_db: Path,
    sample: Cells,  # noqa: F811
    ladders: Ladders,
) -> None:
    import io
    import zipfile

    from perf.access import small_counts
    from perf.output import export

    cells, parent = sample
    with store.connect(sample_db, read_only=True) as con:
        rows = store.query(con, "export_demand_by_ward", {"granularity": "month"})
        bundle = zipfile.ZipFile(io.BytesIO(export.published_zip(con)))
    # the old zip: months only, on its own groups (the wards of a service-month and type, a ward's two types)
    old = small_counts.suppress_small_counts(
        rows.rename(columns={"period_start": "month_start"}),
        ["contacts"],
        groups=[["month_start", "service_id", "demand_type"], ["month_start", "service_id", "ward_id"]],
    )
    extra, derived = zip_given_away(ladders, cells, parent, zip_seen(old))
    assert extra > 1000 and derived > 10  # the zip showed months the page hides, and gave page figures' wards back
    wards = set(rows["ward_id"])
    for length, (table, on) in ZIP_TABLES.items():
        now = pd.read_csv(io.BytesIO(bundle.read(f"csv/{table}.csv")), encoding="utf-8-sig")
        # every ward month is blank on the sample now: no ward's service is offered by month in every date range
        # (the ranges are decided together), so the page shows none; its quarters are shown
        assert now["suppressed"].any() and (length == "month" or now["contacts"].notna().any()), table
        shown = zip_seen(now, on)
        assert zip_given_away(ladders, cells, parent, shown, length) == (0, 0), table
        # must NOT hide: every ward period the page shows with contacts is in the zip, with its count
        f = cells[length]
        for (place, service), p in f[f["place"].isin(wards) & (f["service"] != "") & (f["demand"] > 0)].groupby(
            ["place", "service"]
        ):
            hidden = unseen(ladders, (str(place), str(service)), length)
            if hidden is None:
                continue
            for d in pd.to_datetime(p["period_start"]):
                assert ((str(place), str(service), d) in shown) == (d not in hidden), (table, place, service, d)


# --- the tables by place and by channel over the whole range ----------------------------------------------
def total_sums(
    keys: set[disclosure.Total], parent: dict[str, str | None]
) -> list[tuple[disclosure.Total, list[disclosure.Total]]]:
    """Every (total, parts) the tables' figures add up in: a place over its children, all services over each
    service, all channels over each channel, a demand type over its natures (type PART nature); parts with
    no contacts are zeros, known."""
    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    services = sorted({s for _, s, _ in keys if s})

    def top(part: str) -> str:
        return part.split(disclosure.PART)[0] + disclosure.PART if disclosure.PART in part else ""

    within: dict[tuple[str, str, str], list[disclosure.Total]] = {}
    for p, s, c in keys:
        if c != top(c):
            within.setdefault((p, s, top(c)), []).append((p, s, c))
    sums = []
    for p, s, c in keys:
        parts = {
            "place": [(k, s, c) for k in children.get(p, [])],
            "service": [(p, x, c) for x in services] if s == "" else [],
            "part": within.get((p, s, c), []) if c == top(c) else [],
        }
        sums += [((p, s, c), [m for m in ms if m in keys]) for ms in parts.values() if ms]
    return sums


def worked_out(
    keys: set[disclosure.Total], parent: dict[str, str | None], seen: set[disclosure.Total]
) -> set[disclosure.Total]:
    """``seen`` and whatever the sums give, over and over until nothing new."""
    sums = total_sums(keys, parent)
    seen = set(seen)
    while True:
        new = set()
        for total, parts in sums:
            unknown = [x for x in [total, *parts] if x not in seen]
            if len(unknown) == 1:
                new.add(unknown[0])
        if not new:
            return seen
        seen |= new


def table_totals_given_away(
    cells: pd.DataFrame, parent: dict[str, str | None], ladders: Ladders, hidden: set[disclosure.Total]
) -> set[disclosure.Total]:
    """The totals the tables hide that a visitor can work out: from the shown ones, a view's total its shown
    periods add up to (or its sentence says), and every sum, over and over until nothing new."""
    keys = set(zip(cells["place"], cells["service"], cells["channel"], strict=True))
    seen = keys - hidden
    for (p, s), ladder in ladders.items():
        q = ladder.get("quarter")
        if any(not f.empty and not f["suppressed"].any() for f in ladder.values()) or (
            q is not None and q["suppressed"].mean() > disclosure.MOSTLY_HIDDEN
        ):
            seen.add((p, s, ""))
    return worked_out(keys, parent, seen) & hidden


def old_tables_hidden(cells: pd.DataFrame, parent: dict[str, str | None]) -> set[disclosure.Total]:
    """What the tables hid with their own rule (disclosure.demand_counts over each table, as before)."""
    keys = cells.set_index(["place", "service", "channel"])
    hidden: set[disclosure.Total] = set()
    tables = []
    for (p, s, c), _ in keys.iterrows():
        if c == "":
            kids = [k for k, q in parent.items() if q == p] or [p]  # a ward's table lists the ward
            tables.append([(k, s, "") for k in kids])
            tables.append([(p, s, x) for x in sorted(set(cells["channel"])) if x])
    for rows in tables:
        present = [r for r in rows if r in keys.index]
        if not present:
            continue
        frame = keys.loc[present, list(disclosure.DEMAND_COUNTS)].reset_index()
        done = disclosure.demand_counts(frame)
        hidden |= {tuple(r) for r in done.loc[done["suppressed"], ["place", "service", "channel"]].to_numpy()}  # type: ignore[misc]
    return hidden


@pytest.fixture(scope="module")
def totals(sample_db: Path, sample: Cells) -> pd.DataFrame:  # noqa: F811
    with store.connect(sample_db, read_only=True) as con:
        cells = disclosure.total_cells(disclosure.ward_totals(con), sample[1])
        for place, service in [("ALL", ""), ("c-bromsgrove", "waste"), ("l-bromsgrove-north", "")]:
            kw = {"service_id": service or None, "locality_id": None if place == "ALL" else place}
            by = demand.totals(demand.demand_by_channel(con, **kw, granularity="quarter"), "channel")  # type: ignore[arg-type]
            mine = cells[(cells["place"] == place) & (cells["service"] == service) & (cells["channel"] != "")]
            assert list(by["channel"]) == list(mine["channel"]) and list(by["demand"]) == list(mine["demand"])
    return cells


def test_no_total_a_table_hides_can_be_worked_out(sample: Cells, ladders: Ladders, totals: pd.DataFrame) -> None:  # noqa: F811
    parent = sample[1]
    old = old_tables_hidden(totals, parent)
    before = table_totals_given_away(totals, parent, ladders, old)
    assert len(before) > 0
    hidden, left = disclosure.totals_hidden(totals, parent, disclosure.known_totals(ladders))
    assert left == []
    assert table_totals_given_away(totals, parent, ladders, hidden) == set()


def test_the_pages_tables_blank_the_totals_the_rule_hides(
    sample_db: Path,
    monkeypatch: pytest.MonkeyPatch,
    sample: Cells,  # noqa: F811
    ladders: Ladders,
    totals: pd.DataFrame,
    natures: pd.DataFrame,
) -> None:
    from tests.test_disclosure_range_totals import decided, load

    # the page's All-time tables are decided with the other date ranges' (perf.access.date_ranges)
    together = decided(load(sample_db), together=True)
    assert together["totals"][0][None].equals(totals)
    hidden = together["totals"][1][None]
    at = public_page(monkeypatch, sample_db, "app_pages/demand.py", period="All time")
    at.selectbox(key="locality").select("c-bromsgrove").run()
    at.selectbox(key="service").select("street_scene").run()
    assert not at.exception, at.exception
    channels = next(el.value for el in at.dataframe if "Channel" in el.value.columns)
    places = next(el.value for el in at.dataframe if "Locality" in el.value.columns)
    with store.connect(sample_db, read_only=True) as con:
        localities = store.query(con, "localities")
    names = dict(zip(localities["name"], localities["locality_id"], strict=True))
    blank = {
        ("c-bromsgrove", "street_scene", str(c))
        for c, n in zip(channels["Channel"], channels["Contacts"], strict=True)
        if n == ""
    }
    assert blank == {k for k in hidden if k[:2] == ("c-bromsgrove", "street_scene") and k[2]}
    assert ("c-bromsgrove", "street_scene", "app") in blank  # worked out from the other tables before
    blank = {
        (names[str(p)], "street_scene", "")
        for p, n in zip(places["Locality"], places["Contacts"], strict=True)
        if n == ""
    }
    assert blank == {k for k in hidden if k[1:] == ("street_scene", "") and sample[1].get(k[0]) == "c-bromsgrove"}
    # natures: a locality's waste, whose two hidden failure natures could both be worked out before
    view = ("l-bromsgrove-south", "waste")
    at.selectbox(key="locality").select(view[0]).run()
    at.selectbox(key="service").select(view[1]).run()
    assert not at.exception, at.exception
    kinds = next(el.value for el in at.dataframe if "Nature" in el.value.columns)
    blank = {
        (*view, f"{t}{disclosure.PART}{n}")
        for t, n, d in zip(kinds["Type"], kinds["Nature"], kinds["Contacts"], strict=True)
        if d == ""
    }
    hidden = together["natures"][1][None]
    assert blank and blank == {k for k in hidden if k[:2] == view}


def area(counts: dict[str, int]) -> tuple[pd.DataFrame, dict[str, str | None]]:
    """Wards a, b, c under A; service x; the ward's count split evenly by phone and web."""
    parent: dict[str, str | None] = {"A": None, "a": "A", "b": "A", "c": "A"}
    wards = pd.DataFrame(
        [
            {"place": w, "service": "x", "channel": ch, "value_demand": n, "failure_demand": 0}
            for w, n in counts.items()
            for ch in ("phone", "web")
        ]
    )
    return disclosure.total_cells(wards, parent), parent


def test_totals_of_five_or_more_hide_nothing_and_a_total_a_visitor_can_read_is_never_the_second_blank() -> None:
    cells, parent = area({"a": 40, "b": 9, "c": 30})
    assert disclosure.totals_hidden(cells, parent) == (set(), [])  # must NOT hide: nothing small
    cells, parent = area({"a": 40, "b": 9, "c": 3})  # c's phone and web are 3 each, its total 6
    hidden, left = disclosure.totals_hidden(cells, parent)
    assert left == [] and table_totals_given_away(cells, parent, {}, hidden) == set()
    assert ("c", "x", "phone") in hidden and ("b", "x", "phone") in hidden  # the next smallest ward
    assert ("c", "", "") not in hidden and ("A", "x", "") not in hidden  # 6 and the totals stay shown
    # b's total is public (its periods add up to it): a second blank must be another ward's
    hidden, left = disclosure.totals_hidden(cells, parent, {("b", "x", ""), ("b", "", "")})
    assert left == [] and not {("b", "x", ""), ("b", "", "")} & hidden
    read = {v: {"quarter": pd.DataFrame({"suppressed": [False, False]})} for v in [("b", "x"), ("b", "")]}
    assert table_totals_given_away(cells, parent, read, hidden) == set()


# --- natures --------------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def natures(sample_db: Path, sample: Cells) -> pd.DataFrame:  # noqa: F811
    with store.connect(sample_db, read_only=True) as con:
        cells = disclosure.nature_cells(disclosure.ward_natures(con), sample[1])
        for place, service in [("ALL", ""), ("c-redditch", "street_scene"), ("l-bromsgrove-north", "")]:
            kw = {"service_id": service or None, "locality_id": None if place == "ALL" else place}
            page = demand.nature_pareto(con, **kw)  # type: ignore[arg-type]
            mine = cells[(cells["place"] == place) & (cells["service"] == service)].set_index("channel")["demand"]
            for t, n, d in zip(page["demand_type"], page["nature"], page["demand"], strict=True):
                assert mine[t + disclosure.PART + n] == d, (place, service, t, n)
    return cells


def test_no_nature_a_table_hides_can_be_worked_out_across_places_and_services(
    sample: Cells,  # noqa: F811
    natures: pd.DataFrame,
) -> None:
    parent = sample[1]
    keys = set(zip(natures["place"], natures["service"], natures["channel"], strict=True))
    types = {k for k in keys if k[2].endswith(disclosure.PART)}  # a view's value and failure demand: known
    old: set[disclosure.Total] = set()
    for (p, s), f in natures[~natures["channel"].str.endswith(disclosure.PART)].groupby(["place", "service"]):
        kinds = f["channel"].str.split(disclosure.PART, expand=True)
        table = disclosure.nature_pareto(f.assign(demand_type=kinds[0], nature=kinds[1]).reset_index(drop=True))
        old |= {(str(p), str(s), str(c)) for c in table.loc[table["suppressed"], "channel"]}
    before = worked_out(keys, parent, (keys - old) | types) & old
    assert len(before) > 100  # on the sample: the whole area's nature less its councils', and so on
    hidden = disclosure.natures_hidden(natures, parent)
    assert not hidden & types
    assert worked_out(keys, parent, (keys - hidden) | types) & hidden == set()


def test_a_cost_whose_latest_period_is_left_out_says_which_period_it_names() -> None:
    cost = pd.DataFrame(
        {
            "period_start": pd.to_datetime(["2025-01-01", "2025-04-01", "2025-07-01"]),
            "service_id": "a",
            "failure_demand": [40, 50, 3],
            "handling_minutes": 6.0,
            "cost_per_hour": 30.0,
        }
    )
    cost = cost.assign(hours=cost["failure_demand"] / 10, cost=cost["failure_demand"] * 3.0)
    q = pd.DataFrame({"period_start": cost["period_start"], "suppressed": [False, False, True]})
    said = disclosure.cost_sentence(
        disclosure.published_cost(cost, {"a": {"quarter": q}}, "quarter"), granularity="quarter"
    )
    assert said == (
        "Failure demand cost about £150 in the quarter from April 2025 (the latest priced), "
        "and at least £270 over the 2 quarters shown."
    )
    shown = q.assign(suppressed=[True, False, False])  # must NOT: the latest is priced
    said = disclosure.cost_sentence(
        disclosure.published_cost(cost, {"a": {"quarter": shown}}, "quarter"), granularity="quarter"
    )
    assert "latest priced" not in said and said.startswith("Failure demand cost about £9 in the quarter from July")
