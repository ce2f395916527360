"""Whether the public Demand and Capability pages' period ladders hold against solving all their sums at once
(issue #12, the ladders left by bench/open_cases_joint.py and bench/demand_joint.py).

For each date range the sidebar offers (decided across ranges as the pages decide them:
``disclosure.demand_ranges_ladders`` / ``capability_ranges_ladders``), every view's (place, service) months and
quarters as the page shows or hides them, and the sums a visitor knows hold between them:

- a quarter is its months (the months of the range that fall in it);
- a locality's (or the whole area's) period is its wards' (localities') same period;
- every service's period is the services' same period;
- Demand: demand is value demand plus failure demand, period for period;
- a view's total over the range (hidden here: the tables of totals are decided elsewhere) is its months and is its
  quarters, which ties a view's months to its quarters.

A figure is shown when its view offers the length and the period is not hidden and has a number (a few periods
the rule leaves unhidden carry no number: blank, so unknown); everything else (a hidden period, a
length not offered) is unknown. Capability lists only periods with cases, so a period with no row is a known 0 and
takes no part. ``perf.access.solvable.determined`` then says which hidden period figures a joint solve gives back.
The tests' scans (tests/test_disclosure_places.py) check the same figures one sum at a time.

    .venv/bin/python bench/ladders_joint.py [--db data/outside_in.duckdb] [--all-ranges] [--tables | --totals-shown]
        [--kind demand|capability]

The issue's figures: ``--all-ranges --tables`` (each range, then every range at once with the totals the page's
tables show; the tables' totals are checked to be the months added up). On the sample (2026-12-07): no range alone
gives a hidden count of 1 to 4 back; every range at once gives back 10 Demand and 2 Capability ones.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from collections.abc import Callable, Collection, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf.access import disclosure, solvable  # noqa: E402

TOTAL = "total"  # the length of a view's total over the range (an unknown that ties months to quarters)


def figures(
    cells: dict[str, pd.DataFrame],
    ladders: Mapping[tuple[str, str], dict[str, pd.DataFrame]],
    counts: tuple[str, ...],
    *,
    totals_shown: bool | Collection[tuple[str, str]] = False,
) -> pd.DataFrame:
    """One row a figure: place, service, length, period_start, count, value, hidden; plus each view's range
    totals (length ``TOTAL``: hidden; with ``totals_shown`` True shown, every one, which can only give more back;
    or shown for the (place, service) views it lists: the page's tables of totals)."""
    shown = pd.concat(
        [
            f[["period_start"]].assign(
                place=v[0],
                service=v[1],
                length=g,
                suppressed=f["suppressed"].astype(bool) | f[list(counts)].isna().any(axis=1),
            )
            for v, ladder in ladders.items()
            for g, f in ladder.items()
        ],
        ignore_index=True,
    )
    shown["period_start"] = pd.to_datetime(shown["period_start"])
    rows = []
    for g in disclosure.LADDER:
        frame = cells[g].assign(length=g, period_start=pd.to_datetime(cells[g]["period_start"]))
        rows.append(
            frame.melt(
                id_vars=["place", "service", "length", "period_start"],
                value_vars=list(counts),
                var_name="count",
                value_name="value",
            )
        )
    out = pd.concat(rows, ignore_index=True)
    out = out.merge(shown, how="left", on=["place", "service", "length", "period_start"])
    out["hidden"] = out["suppressed"].fillna(True).astype(bool)  # not on the page: unknown
    out = out.drop(columns="suppressed")
    months = out[out["length"] == "month"]
    totals = months.groupby(["place", "service", "count"], as_index=False)["value"].sum()
    if isinstance(totals_shown, bool):
        hide = np.full(len(totals), not totals_shown)
    else:
        seen = set(totals_shown)
        hide = np.array([(p, s) not in seen for p, s in zip(totals["place"], totals["service"], strict=True)])
    totals = totals.assign(length=TOTAL, period_start=pd.Timestamp("1970-01-01"), hidden=hide)
    out = pd.concat([out, totals[out.columns]], ignore_index=True)
    out["value"] = out["value"].astype("int64")
    done: pd.DataFrame = out.reset_index(drop=True)
    return done


def links(fig: pd.DataFrame, parent: dict[str, str | None], counts: tuple[str, ...]) -> pd.DataFrame:
    """The sums between the figures (``solvable.determined``'s links: sum, item, whole)."""
    fig = fig.assign(item=np.arange(len(fig)))
    key = ["place", "service", "length", "period_start", "count"]
    pairs: list[pd.DataFrame] = []  # (total item, part item) of each kind of sum

    def join(parts: pd.DataFrame, on: dict[str, Any]) -> None:
        tops = fig[key + ["item"]].rename(columns={"item": "top"})
        parts = parts.assign(**on)
        pairs.append(parts.merge(tops, on=key, how="inner")[["top", "item"]])

    periodic = fig[fig["length"] != TOTAL]
    month = periodic[periodic["length"] == "month"]
    q = month.assign(
        length="quarter", period_start=month["period_start"].dt.to_period("Q").dt.start_time
    )  # a quarter is its months
    join(q[["item", "place", "service", "count"]], {"length": q["length"], "period_start": q["period_start"]})
    up = periodic[periodic["place"].map(parent).notna()]  # a place's period is its children's
    join(
        up[["item", "service", "length", "period_start", "count"]],
        {"place": up["place"].map(parent)},
    )
    services = periodic[periodic["service"] != ""]  # every service's period is the services'
    join(services[["item", "place", "length", "period_start", "count"]], {"service": ""})
    for g in disclosure.LADDER:  # a view's total is its months and is its quarters
        each = fig[fig["length"] == g]
        join(
            each[["item", "place", "service", "count"]],
            {"length": TOTAL, "period_start": pd.Timestamp("1970-01-01")},
        )
    out = []
    offset = 0
    for p in pairs:
        sums, tops = pd.factorize(p["top"])
        out.append(pd.DataFrame({"sum": sums + offset, "item": p["item"].to_numpy(), "whole": False}))
        out.append(pd.DataFrame({"sum": np.arange(len(tops)) + offset, "item": np.asarray(tops), "whole": True}))
        offset += len(tops)
    if "demand" in counts:  # demand = value demand + failure demand
        wide = fig[fig["length"] != TOTAL].pivot_table(
            index=["place", "service", "length", "period_start"], columns="count", values="item", aggfunc="first"
        )
        n = len(wide)
        ids = np.arange(n) + offset
        out.append(pd.DataFrame({"sum": ids, "item": wide["demand"].to_numpy(), "whole": True}))
        for c in ("value_demand", "failure_demand"):
            out.append(pd.DataFrame({"sum": ids, "item": wide[c].to_numpy(), "whole": False}))
    return pd.concat(out, ignore_index=True).astype({"sum": "int64", "item": "int64", "whole": bool})


def given_back(
    cells: dict[str, pd.DataFrame],
    ladders: Mapping[tuple[str, str], dict[str, pd.DataFrame]],
    parent: dict[str, str | None],
    counts: tuple[str, ...],
    *,
    totals_shown: bool | Collection[tuple[str, str]] = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Every figure (with ``hidden``) and the hidden period figures a joint solve gives back."""
    fig = figures(cells, ladders, counts, totals_shown=totals_shown)
    found = solvable.determined(links(fig, parent, counts), fig["value"].to_numpy(), fig["hidden"].to_numpy())
    back = fig[found & (fig["length"] != TOTAL).to_numpy()]
    return fig, back


def given_back_across(
    cells: Mapping[Any, dict[str, pd.DataFrame]],
    ladders: Mapping[Any, Mapping[tuple[str, str], dict[str, pd.DataFrame]]],
    parent: dict[str, str | None],
    counts: tuple[str, ...],
    *,
    totals_shown: bool | Mapping[Any, Collection[tuple[str, str]]] = False,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`given_back` of every date range at once: a period in two ranges is one figure (the ranges end on the
    same day and start on a quarter's first day, so it is the same count; checked), shown if any range shows it;
    each range's sums and its own view totals."""
    key = ["place", "service", "length", "period_start", "count"]
    figs, parts = [], []
    for i, s in enumerate(cells):
        shown = totals_shown if isinstance(totals_shown, bool) else totals_shown[s]
        fig = figures(cells[s], ladders[s], counts, totals_shown=shown)
        sums = links(fig, parent, counts)
        fig.loc[fig["length"] == TOTAL, "period_start"] = pd.Timestamp("1900-01-01") + pd.Timedelta(days=i)
        figs.append(fig.assign(range=i))
        parts.append(sums.assign(range=i))
    every = pd.concat(figs, ignore_index=True)
    every["id"] = every.groupby(key, sort=False).ngroup()
    one = every.groupby("id").agg(
        place=("place", "first"),
        service=("service", "first"),
        length=("length", "first"),
        period_start=("period_start", "first"),
        count=("count", "first"),
        value=("value", "first"),
        values=("value", "nunique"),
        hidden=("hidden", "all"),
    )
    if (one["values"] > 1).any():
        raise ValueError(f"a period counts differently in two ranges: {one[one['values'] > 1].head(1)}")
    offsets = every.groupby("range").size().cumsum().shift(fill_value=0)
    ids = every["id"].to_numpy()
    joined = []
    base = 0
    for i, sums in enumerate(parts):
        joined.append(
            pd.DataFrame(
                {
                    "sum": sums["sum"].to_numpy() + base,
                    "item": ids[sums["item"].to_numpy() + int(offsets[i])],
                    "whole": sums["whole"].to_numpy(),
                }
            )
        )
        base += int(sums["sum"].max()) + 1
    found = solvable.determined(pd.concat(joined, ignore_index=True), one["value"].to_numpy(), one["hidden"].to_numpy())
    fig = one.drop(columns="values").reset_index(drop=True)
    return fig, fig[found & (fig["length"] != TOTAL).to_numpy()]


def table_totals(db: Path) -> dict[str, dict[Any, set[tuple[str, str]]]]:
    """The views (place, service) whose total over each range the page's tables show (all channels), by kind:
    Demand's tables by place and service, Capability's completed cases, decided across ranges as the pages decide
    them (the inputs of bench/demand_joint.py); a total a visitor has anyway (``known_totals``) counts as shown."""
    import os

    os.environ["OUTSIDE_IN_DB"] = str(db.resolve())
    from streamlit import logger

    logger.set_log_level("error")
    from perf import periods, store
    from perf.access import date_ranges
    from ui import cached_demand as cd

    span = cd.data_span()
    end, case_end = span["last_contact"], span["last_case_day"]
    assert end is not None and case_end is not None, "no contacts or no completed cases in the database"
    starts = periods.public_range_starts(end)
    parent = cd._demand_cells(starts[-1], end)[1]
    groups = cd._demand_ranges(end)
    cells = {s: disclosure.total_cells(cd._ward_totals(s, end), parent) for s in starts}
    known = {s: set(disclosure.known_totals(disclosure.split_table(groups[s]), sentence=False)) for s in starts}
    tables = date_ranges.ranges_totals_hidden(
        cells, parent, known, counts=disclosure.DEMAND_COUNTS, between=date_ranges.lone_hidden(groups)
    )[0]
    case_starts = periods.public_range_starts(case_end)
    cap = cd._capability_ranges(case_end)
    case_known = {s: set(disclosure.known_totals(disclosure.split_table(cap[s]), sentence=False)) for s in case_starts}
    wards = {s: cd._case_totals(s, case_end) for s in case_starts}
    cases = date_ranges.case_ranges_hidden(wards, parent, case_known, date_ranges.lone_hidden(cap))
    ccells = {s: date_ranges.case_cells(w, parent) for s, w in wards.items()}

    def shown(frame: pd.DataFrame, hidden: Collection[Any], known: Collection[Any]) -> set[tuple[str, str]]:
        keys = zip(frame["place"].astype(str), frame["service"].astype(str), frame["channel"].astype(str), strict=True)
        return {(p, s) for p, s, c in keys if c == "" and ((p, s, c) not in hidden or (p, s, c) in known)}

    for s in starts:  # the tables' totals are the ladders' months added up (else --tables would solve wrong sums)
        months = cd._demand_cells(s, end)[0]["month"].groupby(["place", "service"])["demand"].sum()
        same_sum(cells[s], months, "demand", s)
    for s in case_starts:
        con = store.connect(db, read_only=True)
        try:
            case_months = disclosure.capability_cells(con, start=s, end=case_end)[0]["month"]
        finally:
            con.close()
        same_sum(ccells[s], case_months.groupby(["place", "service"])["cases"].sum(), "cases", s)
    return {
        "Demand": {s: shown(cells[s], tables[s], known[s]) for s in starts},
        "Capability": {s: shown(ccells[s], cases[s], case_known[s]) for s in case_starts},
    }


def same_sum(table: pd.DataFrame, months: pd.Series, count: str, start: Any) -> None:
    """A ValueError naming a view whose total in the tables (all channels) is not its months added up."""
    totals = table[table["channel"] == ""].set_index(["place", "service"])[count]
    both = pd.concat([totals, months], axis=1, keys=["table", "months"]).fillna(0)
    off = both[both["table"] != both["months"]]
    if len(off):
        raise ValueError(f"from {start}: {count} of {off.index[0]} is {off.iloc[0].to_dict()} (table vs months)")


def report(name: str, fig: pd.DataFrame, back: pd.DataFrame, took: float) -> None:
    periodic = fig[fig["length"] != TOTAL]
    hidden = periodic[periodic["hidden"]]
    small = hidden[hidden["value"].between(1, 4)]
    back_small = back[back["value"].between(1, 4)]
    print(
        f"  {name}: {len(periodic):,} period figures, {len(hidden):,} hidden ({len(small):,} of them 1-4); a joint "
        f"solve gives back {len(back):,} hidden ({len(back_small):,} of them 1-4) [{took:.1f} s]"
    )
    first = back.assign(small=back["value"].between(1, 4)).sort_values(["small", "value"], ascending=[False, True])
    for r in labels(first.head(6)):
        print(f"    e.g. {r}")


def labels(rows: pd.DataFrame) -> list[tuple[str, str, str, str, str, int]]:
    """(place, service, length, first day, count, value) of each figure."""
    return [
        (str(p), str(s), str(g), str(pd.Timestamp(d).date()), str(c), int(v))
        for p, s, g, d, c, v in zip(
            rows["place"],
            rows["service"],
            rows["length"],
            rows["period_start"],
            rows["count"],
            rows["value"],
            strict=True,
        )
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "data" / "outside_in.duckdb"))
    parser.add_argument("--all-ranges", action="store_true", help="every range the sidebar offers, not All time only")
    parser.add_argument(
        "--totals-shown",
        action="store_true",
        help="take every view's total over each range as shown (an upper bound: the tables decide them elsewhere)",
    )
    parser.add_argument(
        "--tables",
        action="store_true",
        help="take a view's total over a range as shown when the page's tables of totals show it",
    )
    parser.add_argument("--kind", choices=["demand", "capability", "both"], default="both")
    args = parser.parse_args()
    from perf import periods, store
    from perf.analysis import demand

    print("uptime before:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())
    tables = table_totals(Path(args.db)) if args.tables else None
    con = store.connect(Path(args.db), read_only=True)
    span = demand.data_span(con)
    kinds: list[tuple[str, Callable[..., Any], Callable[..., Any], tuple[str, ...], Any]] = [
        ("Demand", disclosure.demand_cells, disclosure.demand_ranges_ladders, disclosure.DEMAND_COUNTS,
         span["last_contact"]),
        ("Capability", disclosure.capability_cells, disclosure.capability_ranges_ladders, disclosure.CASE_COUNTS,
         span["last_case_day"] or span["last_contact"]),
    ]  # fmt: skip
    for name, fetch, rule, counts, end in kinds:
        if args.kind not in ("both", name.lower()):
            continue
        starts = periods.public_range_starts(end)
        each = {s: fetch(con, start=s, end=end) for s in starts}
        parent = next(iter(each.values()))[1]
        together = rule({s: c for s, (c, _) in each.items()}, parent)
        shown: Mapping[Any, Collection[tuple[str, str]]] = tables[name] if tables else {}
        print(f"{name} (ranges decided together, as the page):")
        for s in starts if args.all_ranges else [None]:
            t0 = time.perf_counter()
            fig, back = given_back(
                each[s][0], together[s], parent, counts, totals_shown=shown[s] if tables else args.totals_shown
            )
            report(f"from {s or 'the first day (All time)'}", fig, back, time.perf_counter() - t0)
        if args.all_ranges:  # a visitor who reads every range: a period shown in one is known in all
            t0 = time.perf_counter()
            fig, back = given_back_across(
                {s: c for s, (c, _) in each.items()},
                together,
                parent,
                counts,
                totals_shown=shown if tables else args.totals_shown,
            )
            report("every range at once", fig, back, time.perf_counter() - t0)
    con.close()
    print("uptime after:", subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip())


if __name__ == "__main__":
    main()
