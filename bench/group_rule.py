"""How long the public Demand page's cross-place small-count rule takes for one date range.

The first public Demand visitor of a date range (and, after a data load or a snapshot publish, of every
range again) waits for it: the counts of every ward, service and period (``disclosure.demand_cells``, SQL and
sums up the place tree) and the rule over every (place, service) view (``disclosure.demand_group_table``), then
kept by Streamlit's st.cache_data, which pickles it (and unpickles it for every view asked for: "keep").
Each date range the page offers (counted back from the last contact as the page does) and one odd range is
worked out cold, in this one process, one after another (nothing is cached between them in perf/).
Goal (issue #12): under 1 s a date range on a quiet machine. The pages decide every range the sidebar offers
together (``disclosure.demand_ranges_ladders``, ``capability_ranges_ladders``, from each range's quarter's first
day: ``periods.public_range_starts``): the last lines time that, cold, and then the tables of totals over each
range decided across ranges (``perf.access.date_ranges``), with the cells they hide. ``--before`` times the first version too
(tests/group_rule_reference.py, one view at a time in pandas: 7-8 s) and checks both decide alike.
``--cost`` says what the rule's "no hidden period its view's figures give back" step (``disclosure._Rebuild``)
costs visitors over the four ranges: periods hidden and view-lengths offered with it and without it.

    .venv/bin/python bench/group_rule.py [--before] [--cost] [--db data/outside_in.duckdb]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pickle
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import periods, store  # noqa: E402
from perf.access import disclosure  # noqa: E402
from perf.analysis import demand  # noqa: E402
from streamlit import logger  # noqa: E402

logger.set_log_level("error")  # ui.filters' cached helpers say "no runtime found" outside an app
from ui.filters import PERIODS, Scope  # noqa: E402

TARGET_SECONDS = 1.0


def ranges(last: date) -> dict[str, tuple[date | None, date]]:
    """The page's date ranges (ui.filters.Scope.since, from the last contact) and one odd range."""
    out: dict[str, tuple[date | None, date]] = {}
    for key, label in PERIODS.items():
        since = Scope("", "", "ALL", "", "", key, True).since(pd.Timestamp(last))
        out[label] = (None if since is None else since.date(), last)
    out["15 Feb 2023 to 9 Aug 2025 (odd)"] = (date(2023, 2, 15), date(2025, 8, 9))
    return out


@contextlib.contextmanager
def without_rebuild() -> Iterator[None]:
    """The rule blind to periods a view's own figures give back (as before that step): never sees one, never hides
    one to stop it (tests/test_disclosure_places.before_rebuild does the same for the tests)."""
    rebuild = disclosure._Rebuild
    see, breaks = rebuild.__call__, rebuild.breaks

    def blind(self: Any, offered: Any, hidden: Any) -> Any:
        seen, lo, hi = see(self, offered, hidden)
        return {g: np.zeros_like(f) for g, f in seen.items()}, lo, hi

    def nothing(self: Any, *args: Any) -> dict[str, np.ndarray]:
        return {g: np.zeros(len(self.at[g].view), dtype=bool) for g in disclosure.LADDER}

    rebuild.__call__, rebuild.breaks = blind, nothing  # type: ignore[method-assign]
    try:
        yield
    finally:
        rebuild.__call__, rebuild.breaks = see, breaks  # type: ignore[method-assign]


def cost(name: str, together: dict[Any, Any], blind: dict[Any, Any]) -> None:
    """Periods hidden and view-lengths offered over every range, with the step and without it."""
    hidden = [sum(int(f["suppressed"].sum()) for r in d.values() for lad in r.values() for f in lad.values())
              for d in (blind, together)]  # fmt: skip
    offered = [{(k, v, g) for k, r in d.items() for v, lad in r.items() for g in lad} for d in (blind, together)]
    lengths = {g: sum(1 for _, _, h in offered[0] - offered[1] if h == g) for g in disclosure.LADDER}
    periods = [sum(len(f) for r in d.values() for lad in r.values() for f in lad.values()) for d in (blind, together)]
    print(
        f"{name}: without the step {hidden[0]:,} of {periods[0]:,} periods offered hidden, with it {hidden[1]:,} of "
        f"{periods[1]:,} (+{hidden[1] - hidden[0]:,}); view-lengths offered {len(offered[0]):,} -> {len(offered[1]):,} "
        f"(no longer offered: {', '.join(f'{n} by {g}' for g, n in lengths.items() if g != disclosure.LADDER[-1])}; newly offered "
        f"{len(offered[1] - offered[0])}), over {len(together)} ranges x {len(next(iter(together.values())))} views"
    )


def tables(con: object, name: str, end: date, ladders: dict[date | None, dict]) -> None:  # type: ignore[type-arg]
    """The tables of totals over each range (Demand: by place and channel, natures; Capability: completed cases),
    decided across ranges as the pages do (perf.access.date_ranges; ui.cached_demand._tables_ranges,
    _natures_ranges, _case_totals_ranges), after the periods above: their time, and the cells each range hides,
    with each range's own rule (as before) and across ranges."""
    from perf.access import date_ranges

    starts = periods.public_range_starts(end)
    parent = disclosure._parents(con)
    t0 = time.perf_counter()
    if name == "Demand":
        counts = {s: disclosure.total_cells(disclosure.ward_totals(con, start=s, end=end), parent) for s in starts}
        kinds = {s: disclosure.nature_cells(disclosure.ward_natures(con, start=s, end=end), parent) for s in starts}
    else:
        counts = {s: disclosure.case_totals(con, start=s, end=end) for s in starts}
    t1 = time.perf_counter()
    if name == "Demand":
        known = {s: disclosure.known_totals(ladders[s], sentence=False) for s in starts}
        hidden = date_ranges.ranges_totals_hidden(counts, parent, known, counts=disclosure.DEMAND_COUNTS)[0]
        natures = date_ranges.natures_ranges_hidden(kinds, parent, hidden)
    else:
        known = {s: disclosure.known_totals(ladders[s]) for s in starts}
        hidden = date_ranges.case_ranges_hidden(counts, parent, known)
    t2 = time.perf_counter()
    label = f"{name}: tables, 4 ranges together"
    print(f"{label:34} {t1 - t0:7.2f}s {t2 - t1:7.2f}s {t2 - t0:7.2f}s")
    for s in starts:
        if name == "Demand":
            alone = disclosure.totals_hidden(counts[s], parent, disclosure.known_totals(ladders[s]))[0]
            nat = disclosure.natures_hidden(kinds[s], parent)
            line = (
                f"totals {len(alone):,} -> {len(hidden[s]):,} of {len(counts[s]):,}; "
                f"natures {len(nat):,} -> {len(natures[s]):,} of {len(kinds[s]):,}"
            )
        else:
            cells = date_ranges.case_cells(counts[s], parent)
            alone = disclosure.case_totals_hidden(counts[s], parent, known[s])
            line = f"completed cases {len(alone):,} -> {len(hidden[s]):,} of {len(cells):,}"
        print(f"    from {str(s or 'the start'):10} hidden, each range alone -> across ranges: {line}")


def load() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("OUTSIDE_IN_DB") or str(ROOT / "data" / "outside_in.duckdb"))
    parser.add_argument("--before", action="store_true", help="time the first version too (7-8 s a range)")
    parser.add_argument("--cost", action="store_true", help="what not giving back hidden periods costs visitors")
    args = parser.parse_args()
    if not Path(args.db).exists():
        sys.exit(f"no database at {args.db}: build the sample with `.venv/bin/python -m perf build`")
    print(f"load before: {load()}")
    con = store.connect(Path(args.db), read_only=True)
    worst = 0.0
    try:
        last = demand.data_span(con)["last_contact"]
        if last is None:
            sys.exit("no contacts in the database")
        head = f"{'date range':34} {'counts':>8} {'rule':>8} {'total':>8} {'keep':>8}"
        print(head + (f" {'before':>8}" if args.before else ""))
        for label, (start, end) in ranges(last).items():
            t0 = time.perf_counter()
            cells, parent = disclosure.demand_cells(con, start=start, end=end)
            t1 = time.perf_counter()
            table = disclosure.demand_group_table(cells, parent)
            t2 = time.perf_counter()
            pickle.loads(pickle.dumps(table))
            keep = time.perf_counter() - t2
            worst = max(worst, t2 - t0)
            line = f"{label:34} {t1 - t0:7.2f}s {t2 - t1:7.2f}s {t2 - t0:7.2f}s {keep:7.2f}s"
            if args.before:
                from tests.group_rule_reference import decisions, reference_demand_group_ladders

                t3 = time.perf_counter()
                first = reference_demand_group_ladders(cells, parent)
                same = decisions(first) == decisions(disclosure.split_table(table))
                line += f" {time.perf_counter() - t3:7.2f}s" + ("" if same else "  DIFFERENT DECISIONS")
            views = len(table[["place", "service"]].drop_duplicates())
            hidden = int(table["suppressed"].sum())
            print(f"{line}   ({views} views, {hidden:,} periods hidden)")
        # what the pages compute: every range the sidebar offers decided together (ui.cached_demand._demand_ranges,
        # _capability_ranges, once a data version), so no range shows a whole period another hides
        for name, fetch, rule, end in (
            ("Demand", disclosure.demand_cells, disclosure.demand_ranges_ladders, last),
            (
                "Capability",
                disclosure.capability_cells,
                disclosure.capability_ranges_ladders,
                demand.data_span(con)["last_case_day"] or last,
            ),
        ):
            t0 = time.perf_counter()
            each = {s: fetch(con, start=s, end=end) for s in periods.public_range_starts(end)}
            t1 = time.perf_counter()
            together = rule({s: c for s, (c, _) in each.items()}, next(iter(each.values()))[1])
            t2 = time.perf_counter()
            hidden = sum(
                int(f["suppressed"].sum()) for r in together.values() for lad in r.values() for f in lad.values()
            )
            label = f"{name}: all {len(each)} ranges together"
            print(f"{label:34} {t1 - t0:7.2f}s {t2 - t1:7.2f}s {t2 - t0:7.2f}s   ({hidden:,} periods hidden in all)")
            if args.cost:
                with without_rebuild():
                    t3 = time.perf_counter()
                    blind = rule({s: c for s, (c, _) in each.items()}, next(iter(each.values()))[1])
                    print(f"{'  (without the rebuild step)':34} {'':8} {time.perf_counter() - t3:7.2f}s")
                cost(name, together, blind)
            tables(con, name, end, together)
    finally:
        con.close()
    print(f"slowest date range {worst:.2f} s (goal under {TARGET_SECONDS:.0f} s on a quiet machine)")
    print(f"load after:  {load()}")


if __name__ == "__main__":
    main()
