"""Averages that give blank counts back on the public Capability page (perf.access.averages): how many before and
after, what the fix costs in figures, and the time it adds to a page.

- Given back: tests/test_disclosure_capability_counts.py's attacker (every printed figure within half its last digit,
  brute force over whole-number sums of days, both day counts) over every published change of every place and
  service on the sample, with today's page (every comparison to a tenth) and with ``averages.comparison_choice``.
- Cost: comparisons whose averages are printed to a tenth, in whole days or left out (and the figures that makes:
  Average, Lower and Upper limit before and after, in each day count), and counts blanked (unchanged by this rule).
- Time: what the rule adds to a first visit of a comparison, cold (a new connection, nothing cached): the one query
  (both day counts, before, after and over all dates) and the solve of ``averages.comparison_choice``, against
  ``compare_phases`` alone (which the page runs anyway).

    .venv/bin/python bench/comparison_averages.py [--db data/outside_in.duckdb]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perf import store  # noqa: E402
from perf.access import averages  # noqa: E402
from perf.analysis import capability  # noqa: E402
from streamlit import logger  # noqa: E402

logger.set_log_level("error")
from tests.test_disclosure_capability_counts import (  # noqa: E402
    averages_data,
    averages_given_back,
    comparison_data,
    tree_given_back,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", default=os.environ.get("OUTSIDE_IN_DB", str(ROOT / "data" / "outside_in.duckdb")))
    db = Path(parser.parse_args().db)
    print(f"load average: {os.getloadavg()[0]:.2f} (figures on a shared machine are floors)")
    t0 = time.perf_counter()
    sample = comparison_data(db)
    data = averages_data(sample, db)
    print(f"the sample's comparisons, figures and choices: {time.perf_counter() - t0:.1f} s")
    before, printed_before = averages_given_back(data, after=False)
    after, printed_after = averages_given_back(data, after=True)
    total = sum(printed_before.values())
    print(f"comparisons the public page shows (5 or more cases a side): {total}")
    print(
        f"given back (a blank count pinned to fewer than 5 values): {len(before)} comparisons "
        f"({2 * len(before)} blank counts) -> {len(after)} ({2 * len(after)})"
    )
    sharp_before = averages_given_back(data, after=False, sharp=True)[0]
    sharp_after = averages_given_back(data, after=True, sharp=True)[0]
    print(
        f"  knowing the view's average over all dates exactly (its rows by channel, place and service narrow it): "
        f"{len(sharp_before)} -> {len(sharp_after)} comparisons"
    )
    tree = tree_given_back(sample, data, after=False), tree_given_back(sample, data, after=True)
    print(f"  set against the place tree (a linear programme): {len(tree[0])} -> {len(tree[1])} blank counts")
    for line in before:
        print(f"  before: {line}")
    per = len(averages.AVERAGE_ROWS) * 2 * len(averages.DAY_COUNTS)  # rows x before/after x day counts
    print(
        f"averages printed: to a tenth {printed_before['tenths']} -> {printed_after['tenths']} comparisons; "
        f"in whole days {printed_before['whole days']} -> {printed_after['whole days']} "
        f"({printed_after['whole days'] * per} figures rounded, with their changes); "
        f"left out for the medians {printed_before['medians']} -> {printed_after['medians']}"
    )
    shown: dict = data["shown"]  # type: ignore[type-arg]
    blank = sum(2 - sum(v) for k, v in shown.items() if k in data["choice"])  # type: ignore[operator]
    print(f"counts blanked before/after a change: {blank} -> {blank} (this rule blanks no count)")

    # time added to a first visit: the decision, cold, for the comparisons where it runs
    sides: dict = data["sides"]  # type: ignore[type-arg]
    whole_hidden = data["whole_hidden"]
    latest = data["latest"]
    runs = [k for k in sides if not any(shown[k]) and (k[0], k[1], "") not in whole_hidden][:: max(1, len(sides) // 40)]
    base, extra = [], []
    for p, s, when in runs:
        place = None if p == "ALL" else p
        with store.connect(db, read_only=True) as con:
            t = time.perf_counter()
            capability.compare_phases(con, service_id=s, locality_id=place, change_on=when)
            base.append(time.perf_counter() - t)
        with store.connect(db, read_only=True) as con:
            t = time.perf_counter()
            averages.comparison_choice(
                con,
                service_id=s,
                locality_id=place,
                change_on=when,
                counts_shown=(False, False),
                whole_shown=True,
                latest=pd.Timestamp(when) == latest[s],  # type: ignore[index]
            )
            extra.append(time.perf_counter() - t)
    print(
        f"time, cold, over {len(runs)} comparisons: compare_phases alone median {statistics.median(base) * 1000:.0f} ms; "
        f"the averages rule (one query and the solve) median {statistics.median(extra) * 1000:.0f} ms, "
        f"max {max(extra) * 1000:.0f} ms (cached with the comparison afterwards)"
    )
    print(f"load average: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
