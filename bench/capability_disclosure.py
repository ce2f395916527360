"""The public Capability page's small counts across places and services: what a visitor could work out, and
what the cross-place rule costs.

For every date range the page offers: the scan of tests/test_disclosure_places.py over every (place, service)
view and week/month/quarter (a length a view does not offer counts as unseen; a period with no cases as a shown
zero) with each view's own ladder and with ``disclosure.capability_group_ladders``, and the seconds the counts
(``capability_cells``) and the rule take, cold; the Side by side counts of completed cases (by service, channel,
locality, ward) with each table's own rule and with ``disclosure.case_totals_hidden``. Open cases now ("24 cases
were open", Side by side's Open now): with "fewer than 5" alone and with ``case_counts.open_hidden``; every
open-case figure (by channel and age too, and how many are older than the limit) with the old rule and the new, and
the before/after counts of each published change (tests/test_disclosure_capability_counts.py's scans). And a count
no rule covers (issue #12, left): a quarter hidden for a sibling's sake whose months are all shown.

    .venv/bin/python bench/capability_disclosure.py [--db data/outside_in.duckdb] [--ranges all]
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import store  # noqa: E402
from perf.access import case_counts, disclosure  # noqa: E402
from perf.analysis import demand  # noqa: E402
from streamlit import logger  # noqa: E402

logger.set_log_level("error")
from ui.filters import PERIODS, Scope  # noqa: E402
from tests.test_disclosure_capability import open_given_away as totals_given_away  # noqa: E402
from tests.test_disclosure_capability_counts import (  # noqa: E402
    comparison_data,
    comparison_given_away,
    new_rule,
    old_rule,
    open_data,
    open_given_away,
)
from tests.test_disclosure_leaks import old_tables_hidden, table_totals_given_away  # noqa: E402
from tests.test_disclosure_places import given_away, own_ladders  # noqa: E402


def lone_small(totals: dict[disclosure.View, int], parent: dict[str, str | None]) -> int:
    """Groups (a parent's children in one service, a place's services) with a shown total and exactly one member
    said as "fewer than 5": the total less the others gives it."""
    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    services = sorted({s for _, s in totals if s})
    groups = [((q, s), [(c, s) for c in kids]) for q, kids in children.items() for s in ["", *services]]
    groups += [((p, ""), [(p, s) for s in services]) for p in parent]
    found = 0
    for top, members in groups:
        if not 1 <= totals.get(top, 0) < disclosure.SMALL_COUNT:
            found += sum(1 <= totals.get(m, 0) < disclosure.SMALL_COUNT for m in members) == 1
    return found


def quarters_from_months(
    ladders: dict[disclosure.View, dict[str, pd.DataFrame]], parent: dict[str, str | None], *, absent_is_zero: bool
) -> int:
    """The scan's blind spot (issue #12, left): a quarter hidden for a sibling's sake whose months the view offers
    and shows is no secret (the months add up to it). Counted as seen, how many shown quarters give a child's
    hidden one back?"""

    def unseen(ladder: dict[str, pd.DataFrame]) -> pd.Series:
        q = ladder["quarter"].set_index("period_start")["suppressed"].astype(bool)
        if "month" not in ladder:
            return q
        m = ladder["month"].set_index("period_start")["suppressed"].astype(bool)
        held = m.groupby(m.index.to_period("Q").start_time).any().reindex(q.index).fillna(not absent_is_zero)
        return q & held.astype(bool)

    children: dict[str, list[str]] = {}
    for p, q in parent.items():
        if q:
            children.setdefault(q, []).append(p)
    services = sorted({s for _, s in ladders if s})
    groups = [((q, s), [(c, s) for c in kids]) for q, kids in children.items() for s in ["", *services]]
    groups += [((p, ""), [(p, s) for s in services]) for p in parent]
    found = 0
    for top, members in groups:
        if top not in ladders:
            continue
        total = ladders[top]["quarter"].set_index("period_start")["suppressed"].astype(bool)
        cols = {
            m: unseen(ladders[m]) if m in ladders else pd.Series(not absent_is_zero, index=total.index) for m in members
        }
        hidden = pd.DataFrame(cols).reindex(total.index).fillna(not absent_is_zero).astype(bool)
        found += int(((hidden.sum(axis=1) == 1) & ~total).sum())
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", default=str(ROOT / "data" / "outside_in.duckdb"))
    parser.add_argument("--ranges", default=",".join(PERIODS), help=f"of {', '.join(PERIODS)}")
    args = parser.parse_args()
    con = store.connect(Path(args.db), read_only=True)
    last = demand.data_span(con)["last_case_day"]
    if last is None:
        sys.exit("no cases in the database")
    print(f"load average before: {os.getloadavg()}")
    for key in args.ranges.split(","):
        since = Scope("", "", "ALL", "", "", key, True).since(pd.Timestamp(last))
        start = None if since is None else since.date()
        t0 = time.perf_counter()
        cells, parent = disclosure.capability_cells(con, start=start, end=last)
        t1 = time.perf_counter()
        group = disclosure.capability_group_ladders(cells, parent)
        t2 = time.perf_counter()
        before = given_away(own_ladders(cells, disclosure.CASE_COUNTS), parent, absent_is_zero=True)
        after = given_away(group, parent, absent_is_zero=True)
        totals = {
            (str(p), str(s)): int(n)
            for (p, s), n in cells["quarter"].groupby(["place", "service"])["cases"].sum().items()
        }
        wards = disclosure.case_totals(con, start=start, end=last)
        summed = disclosure.tree_cells(pd.concat([wards, wards.assign(channel="")]), parent, ["cases"], by=["channel"])
        summed = summed[summed["cases"] > 0]
        tables = summed.assign(value_demand=summed["cases"], failure_demand=0, demand=summed["cases"])
        t3 = time.perf_counter()
        decided = disclosure.case_totals_hidden(wards, parent, disclosure.known_totals(group))
        t4 = time.perf_counter()
        own = table_totals_given_away(tables, parent, group, old_tables_hidden(tables, parent))
        now = table_totals_given_away(tables, parent, group, set(decided))
        print(
            f"{PERIODS[key]}: Side by side counts of completed cases a visitor could work out: {len(own)} with each "
            f"table's own rule, {len(now)} with the rule of Demand's tables ({t4 - t3:.2f} s)"
        )
        print(
            f"{PERIODS[key]}: periods a visitor could work out: {len(before):,} with each view's own rule, "
            f"{len(after):,} with the group rule; counts {t1 - t0:.2f} s, rule {t2 - t1:.2f} s "
            f"({len(group)} views); totals of completed cases given back: {lone_small(totals, parent)}; quarters "
            f"given back through a sibling's shown months (not covered yet): "
            f"{quarters_from_months(group, parent, absent_is_zero=True)}"
        )
    t1 = time.perf_counter()
    parent = case_counts.parents(con)
    every_open = case_counts.open_cells(case_counts.open_by_ward(con, as_at=last), parent)
    cells_open = every_open[every_open["channel"] == ""].reset_index(drop=True)
    hidden = {(p, s) for p, s, c in case_counts.open_hidden(every_open, parent) if c == ""}
    t2 = time.perf_counter()
    small = {
        (str(p), str(s))
        for p, s, n in cells_open[["place", "service", "open_cases"]].itertuples(index=False)
        if 1 <= n < 5
    }
    print(
        f"open cases now: totals a visitor could work out: {len(totals_given_away(cells_open, parent, small))} with "
        f"'fewer than 5' alone, {len(totals_given_away(cells_open, parent, hidden))} with the group rule "
        f"({len(hidden)} views hidden); counts and rule {t2 - t1:.2f} s"
    )
    t0 = time.perf_counter()
    data = open_data(Path(args.db))
    t1 = time.perf_counter()
    old, new = open_given_away(data, new=False), open_given_away(data, new=True)
    print(
        f"open cases (count, Open now by service, place and channel, bars by age, older than the limit): hidden "
        f"counts a visitor could work out sum by sum: {len(old)} with the old rule (each view's own bars, 'fewer "
        f"than 5'), {len(new)} with perf.access.case_counts.open_hidden (scan data {t1 - t0:.1f} s)"
    )
    t0 = time.perf_counter()
    case_counts.open_hidden(every_open, parent)
    print(f"open cases: the rule over {len(every_open):,} figures took {time.perf_counter() - t0:.2f} s")
    data = comparison_data(Path(args.db))
    ladders = data["ladders"]
    old, new = comparison_given_away(data, old_rule(ladders)), comparison_given_away(data, new_rule(ladders))  # type: ignore[arg-type]
    print(
        f"before/after counts ({len(data['sides'])} comparisons of a view and a published change): hidden counts "  # type: ignore[arg-type]
        f"given back {len(old)} with the old rule, {len(new)} with perf.access.case_counts.sides_shown"
    )
    print(f"load average after: {os.getloadavg()}")


if __name__ == "__main__":
    main()
